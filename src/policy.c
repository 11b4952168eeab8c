/* SPDX-License-Identifier: MIT */
/* policy.c: struct policy's life cycle, rule lists, profiles, defaults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

const char *const profile_names[] = { "none", "desktop", "server", NULL };
const char *const unit_names[] = { "process", "group", "cgroup", "auto", NULL };
const char *const set_names[] = { "never-kill", "only-kill", "prefer", "avoid",
	NULL };
const char *const field_names[] = { "name", "exe", "cmdline", "cgroup", "user",
	NULL };

/*
 * The profiles are written in config syntax and read by the same loader as
 * the admin's file, in a mode that only fills what the files left unset
 * (lists: their rules come first, the files' rules add to them).  Why each
 * value was chosen is in bustd.conf(5), PROFILES.
 *
 * Protection matches exe (the kernel's path of the running binary), never
 * name: any user can call a process "sshd" with prctl(PR_SET_NAME), but
 * cannot make /proc/PID/exe point at /usr/sbin/sshd without running it.
 * With merged /usr, the kernel reports /usr/lib/systemd/..., without it
 * /lib/systemd/...: the patterns accept both.
 */
static const char profile_desktop[] =
    "[thresholds]\n"
    "mem_term = 10%\n"
    "mem_kill = 5%\n"
    "swap_term = 10%\n"
    "swap_kill = 5%\n"
    "psi_metric = some\n"
    "psi_window = 1s\n"
    "psi_cutoff = 30\n"
    "psi_duration = 1s\n"
    "psi_mem_gate = 20%\n"
    "thrash_cutoff = 20\n"
    "thrash_duration = 1s\n"
    "thrash_mem_gate = 25%\n"
    "mem_warn = 15%\n"
    "swap_warn = 15%\n"
    "psi_warn = 15\n"
    "thrash_warn = 10\n"
    "[kill]\n"
    "unit = auto\n"
    "term_timeout = 2s\n"
    "[notify]\n"
    "desktop = yes\n"
    "warn_interval = 5m\n"
    "[never-kill]\n"
    "exe = ^(/usr)?/s?bin/init$\n"
    "exe = ^(/usr)?/lib/systemd/systemd(-journald|-logind)?$\n"
    "exe = ^/usr/bin/dbus-(daemon|broker|broker-launch)$\n"
    "exe = ^/usr/lib/xorg/Xorg$\n"
    "exe = ^/usr/bin/X(org)?$\n"
    "[avoid]\n"
    "exe = ^/usr/bin/(gnome-shell|kwin_x11|kwin_wayland|plasmashell"
    "|Xwayland|sway|mutter|cinnamon|xfwm4|xfce4-session|marco)$\n"
    "exe = ^/usr/bin/(apt|apt-get|aptitude|dpkg|rpm|pacman|zypper|snap"
    "|flatpak)$\n"
    /* Python scripts: their exe is the interpreter, their command line
     * names them. */
    "cmdline = ^/usr/bin/python3(\\.[0-9]+)? (-[A-Za-z]+ )*"
    "/usr/bin/(unattended-upgrade|dnf|yum)( |$)\n"
    "exe = ^/usr/(lib|libexec)/packagekit/packagekitd$\n"
    "exe = ^/usr/libexec/packagekitd$\n"
    "[prefer]\n"
    "cmdline = (^| )--type=(renderer|utility)( |$)\n"
    "cmdline = (^| )-contentproc( |$)\n"
    "name = ^(Web Content|Isolated Web Co|WebExtensions)$\n";

static const char profile_server[] =
    "[thresholds]\n"
    "mem_term = 5%\n"
    "mem_kill = 2%\n"
    "swap_term = 10%\n"
    "swap_kill = 5%\n"
    "psi_metric = full\n"
    "psi_window = 2s\n"
    "psi_cutoff = 40\n"
    "psi_duration = 3s\n"
    "psi_mem_gate = 20%\n"
    "thrash_cutoff = 40\n"
    "thrash_duration = 5s\n"
    "thrash_mem_gate = 20%\n"
    "mem_warn = 8%\n"
    "swap_warn = 15%\n"
    "psi_warn = 25\n"
    "thrash_warn = 20\n"
    "[kill]\n"
    "term_timeout = 10s\n"
    "[notify]\n"
    "desktop = no\n"
    "warn_interval = 15m\n"
    "[never-kill]\n"
    "exe = ^(/usr)?/s?bin/init$\n"
    "exe = ^(/usr)?/lib/systemd/systemd(-journald)?$\n"
    "exe = ^/usr/sbin/sshd$\n"
    "exe = ^/usr/bin/dbus-(daemon|broker|broker-launch)$\n"
    "[avoid]\n"
    "exe = ^/usr/lib/postgresql/[0-9.]+/bin/postgres$\n"
    "exe = ^/usr/s?bin/(mysqld|mariadbd|redis-server)$\n"
    /* A package manager killed midway leaves a broken system. */
    "exe = ^/usr/bin/(apt|apt-get|aptitude|dpkg|rpm|zypper)$\n"
    "cmdline = ^/usr/bin/python3(\\.[0-9]+)? (-[A-Za-z]+ )*"
    "/usr/bin/(unattended-upgrade|dnf|yum)( |$)\n";

/* Every key's built-in default: what "profile = none" runs with. */
static const char defaults[] = "[general]\n"
                               "profile = none\n"
                               "dry_run = no\n"
                               "log = auto\n"
                               "report_interval = 0\n"
                               "metrics_file =\n"
                               "[thresholds]\n"
                               "mem_term = 10%\n"
                               "mem_kill = 5%\n"
                               "swap_term = 10%\n"
                               "swap_kill = 5%\n"
                               "psi_metric = some_avg10\n"
                               "psi_cutoff = 25\n"
                               "psi_duration = 5s\n"
                               "psi_mem_gate = 15%\n"
                               "psi_window = 1s\n"
                               "thrash_cutoff = 0\n"
                               "thrash_duration = 2s\n"
                               "thrash_mem_gate = 25%\n"
                               "mem_warn = 0\n"
                               "swap_warn = 0\n"
                               "psi_warn = 0\n"
                               "thrash_warn = 0\n"
                               "fill_rate = 0\n"
                               "[kill]\n"
                               "unit = process\n"
                               "term_timeout = 5s\n"
                               "cooldown = 5s\n"
                               "prefer_score = 300\n"
                               "avoid_score = 300\n"
                               "rank_by = oom_score\n"
                               "[notify]\n"
                               "exec =\n"
                               "exec_timeout = 10s\n"
                               "warn_interval = 5m\n"
                               "desktop = no\n";

const char *
policy_profile_text(enum profile prof)
{
	switch (prof) {
	case PROFILE_DESKTOP:
		return profile_desktop;
	case PROFILE_SERVER:
		return profile_server;
	case PROFILE_NONE:
		break;
	}
	return NULL;
}

const char *
policy_defaults_text(void)
{
	return defaults;
}

/*
 * glibc's regcomp() copies a subexpression for each bound of a repeat
 * and once per '+': "a++++...+" doubles its memory with each '+' (40 of
 * them take gigabytes), and back-references make regexec() exponential.
 * Repeats that can match the empty string make loops of empty moves in
 * the automaton, and the time regcomp() takes to close them multiplies
 * with each: "$ " and four runs of '*' (70 bytes) took 7 s, "a*" and
 * fourteen '+' minutes.  POSIX leaves stacked repeats ("a**", "a*+")
 * undefined, and a '+' or a bound above one on what can match ""
 * ("(a*)+", "(a?){2,9}") adds nothing ("(R*)+" is "R*"): both are
 * refused, with a hint, before regcomp() sees them.
 * Then estimate the size of the expanded expression: an atom counts 1, a
 * group the sum of what it holds, '+' doubles what it follows, {n,m}
 * multiplies it by its larger bound (n + 1 for {n,}).
 * Returns 0, -E2BIG (too large), -EINVAL (back-reference), -ENOTSUP
 * (stacked repeats) or -ELOOP (a repeat of what can match "").
 */
#define REGEX_UNITS_MAX 4096
#define REGEX_DEPTH_MAX 64

static uint64_t
units_mul(uint64_t a, uint64_t b)
{
	return (b != 0 && a > UINT64_MAX / 4 / b) ? UINT64_MAX / 4 : a * b;
}

/* Where a group (or the whole expression) stands while it is read. */
struct regex_level {
	uint64_t total;		/* units so far */
	uint64_t last;		/* units of the last piece */
	bool have_last;		/* a piece a repeat could apply to */
	bool last_repeated;	/* and a repeat already did */
	bool last_empty;	/* the last piece can match "" */
	bool before_empty;	/* so can this branch before it */
	bool any_empty;		/* an earlier branch can */
};

static void
level_init(struct regex_level *l)
{
	memset(l, 0, sizeof(*l));
	l->before_empty = true;
	l->last_empty = true;
}

/* Can the branch read so far match ""? */
static bool
branch_empty(const struct regex_level *l)
{
	return l->before_empty && l->last_empty;
}

int
policy_regex_check(const char *re)
{
	struct regex_level lv[REGEX_DEPTH_MAX], *l = lv;
	const char *p = re;

	level_init(l);
	while (*p) {
		uint64_t factor = 0, atom = 1;
		bool empty = false;	/* the atom can match "" */
		bool grows = false;	/* the repeat copies its operand */
		bool may_skip = false;	/* its operand may occur no time */

		switch (*p) {
		case '\\':
			if (p[1] >= '1' && p[1] <= '9')
				return -EINVAL;
			p += p[1] ? 2 : 1;
			break;
		case '[':
			/* A bracket expression is one atom; ']' first is
			 * literal, and so are classes like [:alpha:]. */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '.' ||
				    p[1] == '=')) {
					char close = p[1];

					p += 2;
					while (*p && !(*p == close && p[1] == ']'))
						p++;
					if (*p)
						p += 2;
					continue;
				}
				p++;
			}
			if (*p)
				p++;
			break;
		case '(':
			if (l == &lv[REGEX_DEPTH_MAX - 1])
				return -E2BIG;
			level_init(++l);
			p++;
			continue;
		case ')':
			if (l == lv) {
				p++;	/* regcomp will say what is wrong */
				break;
			}
			atom = l->total ? l->total : 1;
			empty = l->any_empty || branch_empty(l);
			l--;
			p++;
			break;
		case '|':
			l->any_empty |= branch_empty(l);
			l->last = 0;
			l->have_last = l->last_repeated = false;
			l->before_empty = l->last_empty = true;
			p++;
			continue;
		case '^':
		case '$':
			empty = true;
			p++;
			break;
		case '*':
		case '?':
			factor = 1;
			may_skip = true;
			p++;
			break;
		case '+':
			factor = 2;
			grows = true;
			p++;
			break;
		case '{': {
			unsigned long lo = 0, hi = 0;
			char *end;

			lo = strtoul(p + 1, &end, 10);
			hi = lo;
			if (*end == ',') {
				hi = end[1] == '}' ? lo + 1 :
				    strtoul(end + 1, &end, 10);
				if (*end == ',')
					end++;
			}
			factor = hi > lo ? hi : lo;
			if (factor == 0)
				factor = 1;
			grows = factor > 1;
			may_skip = lo == 0;
			p = *end == '}' ? end + 1 : end;
			break;
		}
		default:
			p++;
			break;
		}
		if (factor != 0) {
			/* A repeat scales what it follows; with nothing
			 * before it, regcomp() refuses it. */
			uint64_t grown = units_mul(l->last, factor);

			if (l->last_repeated)
				return -ENOTSUP;
			if (grows && l->have_last && l->last_empty)
				return -ELOOP;
			l->last_repeated = true;
			l->total = l->total - l->last + grown;
			l->last = grown;
			l->last_empty |= may_skip;
		} else {
			l->before_empty = l->before_empty && l->last_empty;
			l->total += atom;
			l->last = atom;
			l->have_last = true;
			l->last_empty = empty;
			l->last_repeated = false;
		}
		if (l->total > REGEX_UNITS_MAX)
			return -E2BIG;
	}
	return 0;
}

/* --- Finite sets of strings --- */

#define LIT_MAX 32	/* strings in a set */
#define LIT_LEN 200	/* bytes in one, anchors included: a line's worth */
#define MARK_START '\001'	/* '^' while expanding; the scan of the */
#define MARK_END '\002'	/* config refuses control bytes */

struct lset {
	size_t n;
	size_t len[LIT_MAX];
	char s[LIT_MAX][LIT_LEN];
};

static bool lit_alt(const char **p, struct lset *out, int depth);

static bool
lit_union(struct lset *a, const struct lset *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (a->n == LIT_MAX)
			return false;
		memcpy(a->s[a->n], b->s[i], b->len[i]);
		a->len[a->n++] = b->len[i];
	}
	return true;
}

/* a = a x b, every string of a followed by every string of b. */
static bool
lit_concat(struct lset *a, const struct lset *b, struct lset *tmp)
{
	size_t i, j;

	if (a->n * b->n > LIT_MAX)
		return false;
	tmp->n = 0;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++) {
			if (a->len[i] + b->len[j] > LIT_LEN)
				return false;
			memcpy(tmp->s[tmp->n], a->s[i], a->len[i]);
			memcpy(tmp->s[tmp->n] + a->len[i], b->s[j], b->len[j]);
			tmp->len[tmp->n++] = a->len[i] + b->len[j];
		}
	}
	memcpy(a, tmp, sizeof(*a));
	return true;
}

static bool
lit_atom(const char **p, struct lset *out, int depth)
{
	char c = **p;

	out->n = 1;
	out->len[0] = 1;
	switch (c) {
	case '(':
		(*p)++;
		if (!lit_alt(p, out, depth + 1) || **p != ')')
			return false;
		(*p)++;
		return true;
	case '\\':
		/* "\." is a dot; "\w", "\<" and the like are not literals. */
		c = (*p)[1];
		if (c == '\0' || (c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '<' || c == '>' || c == '`' || c == '\'')
			return false;
		*p += 2;
		out->s[0][0] = c;
		return true;
	case '^':
		(*p)++;
		out->s[0][0] = MARK_START;
		return true;
	case '$':
		(*p)++;
		out->s[0][0] = MARK_END;
		return true;
	case '.': case '[': case ']': case '*': case '+': case '?':
	case '{': case '}': case '|': case ')': case '\0':
		return false;
	default:
		(*p)++;
		out->s[0][0] = c;
		return true;
	}
}

static bool
lit_seq(const char **p, struct lset *out, int depth)
{
	struct lset *atom, *tmp;
	bool ok = true;

	atom = malloc(sizeof(*atom));
	tmp = malloc(sizeof(*tmp));
	out->n = 1;
	out->len[0] = 0;
	while (ok && atom != NULL && tmp != NULL && **p && **p != '|' &&
	    **p != ')') {
		ok = lit_atom(p, atom, depth);
		if (ok && **p == '?') {
			(*p)++;
			/* "x?" is "x" or nothing. */
			if (atom->n == LIT_MAX) {
				ok = false;
				break;
			}
			atom->len[atom->n++] = 0;
		}
		if (ok && (**p == '*' || **p == '+' || **p == '{' ||
		    **p == '?'))
			ok = false;
		if (ok)
			ok = lit_concat(out, atom, tmp);
	}
	if (atom == NULL || tmp == NULL)
		ok = false;
	free(atom);
	free(tmp);
	return ok;
}

static bool
lit_alt(const char **p, struct lset *out, int depth)
{
	struct lset *more;
	bool ok;

	if (depth > 16)
		return false;
	if (!lit_seq(p, out, depth))
		return false;
	more = malloc(sizeof(*more));
	if (more == NULL)
		return false;
	ok = true;
	while (ok && **p == '|') {
		(*p)++;
		ok = lit_seq(p, more, depth) && lit_union(out, more);
	}
	free(more);
	return ok;
}

struct literal_set *
policy_literals(const char *re)
{
	struct literal_set *ls = NULL;
	struct lset *set;
	const char *p = re;
	size_t i, j, bytes = 0;
	char *store;

	set = malloc(sizeof(*set));
	if (set == NULL)
		return NULL;
	if (!lit_alt(&p, set, 0) || *p != '\0')
		goto out;
	/* Anchors only at the ends: "a^b" matches nothing; leave it to
	 * regexec rather than special-case it. */
	for (i = 0; i < set->n; i++) {
		for (j = 0; j < set->len[i]; j++) {
			char c = set->s[i][j];

			if ((c == MARK_START && j != 0) ||
			    (c == MARK_END && j != set->len[i] - 1))
				goto out;
		}
		bytes += set->len[i] + 1;
	}
	ls = malloc(sizeof(*ls) + set->n * sizeof(*ls->v) + bytes);
	if (ls == NULL)
		goto out;
	ls->n = set->n;
	ls->v = (struct literal *)(ls + 1);
	store = (char *)(ls->v + set->n);
	for (i = 0; i < set->n; i++) {
		const char *s = set->s[i];
		size_t len = set->len[i];
		unsigned char a = 0;

		if (len > 0 && s[0] == MARK_START) {
			a |= LITERAL_START;
			s++;
			len--;
		}
		if (len > 0 && s[len - 1] == MARK_END) {
			a |= LITERAL_END;
			len--;
		}
		memcpy(store, s, len);
		store[len] = '\0';
		ls->v[i].anchors = a;
		ls->v[i].len = len;
		ls->v[i].s = store;
		store += len + 1;
	}
out:
	free(set);
	return ls;
}

bool
policy_literals_match(const struct literal_set *ls, const char *text)
{
	size_t tl = strlen(text), i;

	for (i = 0; i < ls->n; i++) {
		const struct literal *l = &ls->v[i];

		switch (l->anchors) {
		case LITERAL_START | LITERAL_END:
			if (tl == l->len && memcmp(text, l->s, tl) == 0)
				return true;
			break;
		case LITERAL_START:
			if (tl >= l->len && memcmp(text, l->s, l->len) == 0)
				return true;
			break;
		case LITERAL_END:
			if (tl >= l->len &&
			    memcmp(text + tl - l->len, l->s, l->len) == 0)
				return true;
			break;
		default:
			if (memmem(text, tl, l->s, l->len) != NULL)
				return true;
			break;
		}
	}
	return false;
}

struct policy *
policy_new(void)
{
	return calloc(1, sizeof(struct policy));
}

static void
rule_clear(struct rule *r)
{
	if (r->lits != NULL)
		free(r->lits);
	else if (r->field != FIELD_USER)
		regfree(&r->re);
	free(r->text);
	free(r->origin);
}

void
policy_free(struct policy *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < SET_COUNT; i++) {
		for (j = 0; j < p->sets[i].n; j++)
			rule_clear(&p->sets[i].rules[j]);
		free(p->sets[i].rules);
	}
	for (i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->metrics_file);
	free(p->notify_exec);
	free(p);
}

int
policy_add_rule(struct policy *p, enum rule_set set, enum rule_field field,
    const char *text, uid_t uid, const char *origin, bool at_front, char *err,
    size_t errsize)
{
	struct rule_list *l = &p->sets[set];
	struct rule r;
	size_t i, pos;
	int rc;

	for (i = 0; i < l->n; i++) {
		if (l->rules[i].field != field ||
		    strcmp(l->rules[i].text, text) != 0)
			continue;
		if (!at_front || l->rules[i].builtin)
			return 0;
		/*
		 * A file repeats a profile rule: keep the one rule, but move
		 * it to the profile's place, so that profile rules still
		 * come first and in their own order.
		 */
		r = l->rules[i];
		memmove(&l->rules[i], &l->rules[i + 1],
		    (l->n - i - 1) * sizeof(*l->rules));
		l->n--;
		r.builtin = true;
		goto insert;
	}

	memset(&r, 0, sizeof(r));
	r.field = field;
	r.uid = uid;
	r.builtin = at_front;
	if (field != FIELD_USER) {
		rc = policy_regex_check(text);
		if (rc == -EINVAL) {
			snprintf(err, errsize, "back-references are not "
			    "allowed (matching could take exponential time)");
			return -EINVAL;
		}
		if (rc == -ENOTSUP) {
			snprintf(err, errsize, "stacked repeats (\"a*+\", "
			    "\"a+?\") are undefined in POSIX; group the "
			    "first: \"(a+)?\"");
			return -EINVAL;
		}
		if (rc == -ELOOP) {
			snprintf(err, errsize, "a '+' or {n,m} repeats "
			    "something that can match the empty string "
			    "(write \"(R)*\" for \"(R*)+\")");
			return -EINVAL;
		}
		if (rc < 0) {
			snprintf(err, errsize, "too complex (repeats expand "
			    "it past %d atoms)", REGEX_UNITS_MAX);
			return -EINVAL;
		}
		/* A finite set needs no automaton, and its grammar is a
		 * subset of ERE: what it reads, regcomp() would accept. */
		r.lits = policy_literals(text);
		if (r.lits == NULL) {
			rc = regcomp(&r.re, text, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				regerror(rc, &r.re, err, errsize);
				return -EINVAL;
			}
		}
	}
	r.text = strdup(text);
	r.origin = strdup(origin);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct rule *nr = realloc(l->rules, cap * sizeof(*nr));

		if (nr == NULL)
			goto nomem;
		l->rules = nr;
		l->cap = cap;
	}
	if (r.text == NULL || r.origin == NULL)
		goto nomem;

insert:
	/* Profile rules go before the files' rules, in their own order. */
	pos = l->n;
	if (at_front) {
		for (pos = 0; pos < l->n; pos++)
			if (!l->rules[pos].builtin)
				break;
	}
	memmove(&l->rules[pos + 1], &l->rules[pos],
	    (l->n - pos) * sizeof(*l->rules));
	l->rules[pos] = r;
	l->n++;
	l->fields |= 1u << field;
	return 0;

nomem:
	rule_clear(&r);
	snprintf(err, errsize, "%s", strerror(ENOMEM));
	return -ENOMEM;
}

size_t
policy_rule_count(const struct policy *p)
{
	size_t n = 0;
	int s;

	for (s = 0; s < SET_COUNT; s++)
		n += p->sets[s].n;
	return n;
}

uint64_t
policy_amount_kib(const struct amount *a, uint64_t total_kib)
{
	if (!a->is_pct)
		return a->value;
	/* value is in hundredths of a percent: total * value / 10000. */
	return total_kib / 10000 * a->value +
	       total_kib % 10000 * a->value / 10000;
}
