/* SPDX-License-Identifier: MIT */
/* victim.c: judging processes against the policy and picking the victim. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "sys.h"
#include "text.h"
#include "victim.h"

static const unsigned int field_bits[FIELD_COUNT] = {
	[FIELD_NAME] = PROC_HAVE_STAT,
	[FIELD_EXE] = PROC_HAVE_EXE,
	[FIELD_CMDLINE] = PROC_HAVE_CMDLINE,
	[FIELD_CGROUP] = PROC_HAVE_CGROUP,
	[FIELD_USER] = PROC_HAVE_UID,
};

unsigned int
victim_fields(const struct policy *p)
{
	unsigned int want = 0;
	int s, f;

	for (s = 0; s < SET_COUNT; s++)
		for (f = 0; f < FIELD_COUNT; f++)
			if (p->sets[s].fields & (1u << f))
				want |= field_bits[f];
	return want;
}

static const char *
field_text(enum rule_field field, const struct proc_info *info)
{
	switch (field) {
	case FIELD_NAME:
		return (info->have & PROC_HAVE_STAT) ? info->st.comm : NULL;
	case FIELD_EXE:
		return (info->have & PROC_HAVE_EXE) ? info->exe : NULL;
	case FIELD_CMDLINE:
		return (info->have & PROC_HAVE_CMDLINE) ? info->cmdline : NULL;
	case FIELD_CGROUP:
		return (info->have & PROC_HAVE_CGROUP) ? info->cgroup : NULL;
	default:
		return NULL;
	}
}

static bool
field_known(enum rule_field field, const struct proc_info *info)
{
	return (info->have & field_bits[field]) != 0;
}

bool
victim_rule_matches(const struct rule *r, const struct proc_info *info)
{
	const char *text;

	if (r->field == FIELD_USER)
		return (info->have & PROC_HAVE_UID) && info->uid == r->uid;
	text = field_text(r->field, info);
	if (text == NULL)
		return false;
	if (r->lits != NULL)
		return policy_literals_match(r->lits, text);
	return regexec(&r->re, text, 0, NULL, 0) == 0;
}

static const struct rule *
first_match(const struct rule_list *l, const struct proc_info *info)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (victim_rule_matches(&l->rules[i], info))
			return &l->rules[i];
	return NULL;
}

void
victim_judge(const struct policy *p, const struct proc_info *info,
    uint64_t mem_total_kib, struct verdict *v)
{
	const struct rule_list *never = &p->sets[SET_NEVER_KILL];
	const struct rule *r;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->mem_kib = info->rss_kib;
	if (info->have & PROC_HAVE_STAT) {
		if (info->st.flags & PROC_PF_KTHREAD) {
			v->excl = EXCL_KTHREAD;
			return;
		}
		if (proc_dead(&info->st)) {
			v->excl = EXCL_ZOMBIE;
			return;
		}
	}
	if (p->rank_by == RANK_RSS) {
		if ((info->have & PROC_HAVE_OOM_ADJ) &&
		    info->oom_score_adj <= -1000) {
			v->excl = EXCL_ADJ_MIN;
			return;
		}
		/* Swapped out is still the process's: a leak pushed to swap
		 * ranks as high as one in RAM. */
		if (info->have & PROC_HAVE_SWAP)
			v->mem_kib += info->swap_kib;
		v->base = mem_total_kib
		              ? (int64_t)(v->mem_kib * 1000 / mem_total_kib)
		              : 0;
	} else {
		/*
		 * The kernel reports 0 for what it would never pick itself:
		 * kernel threads, exiting tasks, oom_score_adj -1000 (see
		 * proc_oom_score() in fs/proc/base.c).
		 */
		if (info->oom_score <= 0) {
			v->excl = (info->have & PROC_HAVE_OOM_ADJ) &&
			                  info->oom_score_adj > -1000
			              ? EXCL_OOM_ZERO
			              : EXCL_ADJ_MIN;
			return;
		}
		v->base = info->oom_score;
	}

	/* never-kill fails safe: a field it needs but cannot read
	 * protects the process. */
	for (i = 0; i < never->n; i++) {
		r = &never->rules[i];
		if (!field_known(r->field, info)) {
			v->excl = EXCL_UNREADABLE;
			v->rules[SET_NEVER_KILL] = r;
			return;
		}
		if (victim_rule_matches(r, info)) {
			v->excl = EXCL_NEVER_KILL;
			v->rules[SET_NEVER_KILL] = r;
			return;
		}
	}
	if (p->sets[SET_ONLY_KILL].n > 0) {
		r = first_match(&p->sets[SET_ONLY_KILL], info);
		if (r == NULL) {
			v->excl = EXCL_NOT_ONLY_KILL;
			return;
		}
		v->rules[SET_ONLY_KILL] = r;
	}

	v->score = v->base;
	r = first_match(&p->sets[SET_AVOID], info);
	if (r != NULL) {
		v->score -= p->avoid_score;
		v->rules[SET_AVOID] = r;
	}
	r = first_match(&p->sets[SET_PREFER], info);
	if (r != NULL) {
		v->score += p->prefer_score;
		v->rules[SET_PREFER] = r;
	}
}

bool
victim_better(const struct verdict *va, const struct proc_info *a,
    const struct verdict *vb, const struct proc_info *b)
{
	if (va->score != vb->score)
		return va->score > vb->score;
	if (va->mem_kib != vb->mem_kib)
		return va->mem_kib > vb->mem_kib;
	return a->pid > b->pid;
}

const char *
victim_exclusion_name(enum exclusion e)
{
	switch (e) {
	case EXCL_NONE:
		return "candidate";
	case EXCL_PID1:
		return "pid 1";
	case EXCL_SELF:
		return "bustd itself";
	case EXCL_KTHREAD:
		return "kernel thread";
	case EXCL_ZOMBIE:
		return "zombie";
	case EXCL_OOM_ZERO:
		return "oom_score 0 (exiting)";
	case EXCL_ADJ_MIN:
		return "oom_score_adj -1000";
	case EXCL_NEVER_KILL:
		return "[never-kill]";
	case EXCL_NOT_ONLY_KILL:
		return "not in [only-kill]";
	case EXCL_UNREADABLE:
		return "unreadable field of a [never-kill] rule";
	case EXCL_COUNT:
		break;
	}
	return "?";
}

char *
victim_rule_text(char *buf, size_t size, const struct verdict *v)
{
	/* The order of the log: what excluded, what moved the score,
	 * what let it in. */
	static const enum rule_set order[] = { SET_NEVER_KILL, SET_PREFER,
		SET_AVOID, SET_ONLY_KILL };
	size_t i, used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct rule *r = v->rules[order[i]];
		int n;

		if (r == NULL || used >= size)
			continue;
		/* Rule text is the admin's, checked for control bytes at
		 * load: shown as written. */
		n = snprintf(buf + used, size - used, "%s[%s] %s = %s (%s)",
		    used ? ", " : "", set_names[order[i]],
		    field_names[r->field], r->text, r->origin);
		used = n < 0 ? size : used + (size_t)n;
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "-");
	return buf;
}

/* --- The scan --- */

/* pid_max, or the most it can be (PID_MAX_LIMIT) if unreadable. */
static size_t
read_pid_max(void)
{
	char buf[32];
	const char *p = buf;
	uint64_t v;
	ssize_t n;
	int fd;

	fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 4194304;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || text_u64(&p, buf + n, &v) < 0 || v == 0 || v > 4194304)
		return 4194304;
	return (size_t)v;
}

int
victim_selector_init(struct selector *s, size_t cap, pid_t self)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t ps = page > 0 ? (size_t)page : 4096;
	size_t bufs, dents, cands;
	char *m;

	memset(s, 0, sizeof(*s));
	/*
	 * One slot per possible pid: /proc lists at most pid_max processes,
	 * so the scan never needs to grow the array.  All three buffers
	 * share one fresh mapping: its pages cost RAM only once touched
	 * (mlockall uses MCL_ONFAULT), and most of it never is.
	 */
	s->cap = cap ? cap : read_pid_max();
	s->dents_size = 16384;
	bufs = (2 * sizeof(*s->bufs) + ps - 1) / ps * ps;
	dents = (s->dents_size + ps - 1) / ps * ps;
	cands = (s->cap * sizeof(*s->cands) + ps - 1) / ps * ps;
	s->map_size = bufs + dents + cands;
	m = mmap(NULL, s->map_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		memset(s, 0, sizeof(*s));
		return -errno;
	}
	s->map = m;
	s->bufs = (struct proc_bufs *)m;
	s->dents = m + bufs;
	s->cands = (struct candidate *)(m + bufs + dents);
	s->self = self;
	return 0;
}

void
victim_selector_free(struct selector *s)
{
	if (s->map != NULL)
		munmap(s->map, s->map_size);
	memset(s, 0, sizeof(*s));
}

/* Is pgrp the group of one of bustd's own children? */
static bool
in_skipped_group(const struct selector *s, pid_t pgrp)
{
	size_t i;

	for (i = 0; i < s->nskip; i++)
		if (s->skip[i] == pgrp)
			return true;
	return false;
}

/* Did this very process (pid and start time) survive a SIGKILL? */
static bool
is_stuck(const struct stuck_list *stuck, pid_t pid, uint64_t start_time)
{
	size_t i;

	for (i = 0; stuck != NULL && i < stuck->n; i++)
		if (stuck->e[i].pid == pid &&
		    stuck->e[i].start_time == start_time)
			return true;
	return false;
}

/* Permille of total, rounded up: a bound, never below the truth. */
static int64_t
permille_up(uint64_t kib, uint64_t total_kib)
{
	if (total_kib == 0)
		return 0;
	return (int64_t)((kib * 1000 + total_kib - 1) / total_kib);
}

/*
 * What swap can still add to a process's rank_by = rss base: all the
 * swap in use, the most one process can have swapped out.  (oom_score
 * counts swap already.)
 */
static int64_t
swap_bound(const struct selector *s, const struct policy *p)
{
	if (p->rank_by != RANK_RSS)
		return 0;
	return permille_up(s->swap_used_kib, s->mem_total_kib);
}

/* Swap in use, from meminfo; none if it cannot be read. */
static void
read_swap(struct selector *s, const struct proc_ctx *pc)
{
	uint64_t total = 0, free_kib = 0;

	s->swap_total_kib = s->swap_used_kib = 0;
	if (proc_read_swap(pc, &total, &free_kib) < 0)
		return;
	s->swap_total_kib = total;
	s->swap_used_kib = total > free_kib ? total - free_kib : 0;
}

struct collect_arg {
	struct selector *s;
	const struct proc_ctx *pc;
	const struct policy *p;
	int64_t swap_bound;
};

/* Pass one, for each pid: one read; pid 1 and bustd without a read. */
static bool
collect_one(pid_t pid, void *arg)
{
	struct collect_arg *a = arg;
	struct selector *s = a->s;
	struct proc_info info;
	int64_t base;
	size_t i;

	if (pid == 1 || pid == s->self)
		return true;
	for (i = 0; i < s->nskip; i++)
		if (s->skip[i] == pid)
			return true;
	s->scanned++;
	memset(&info, 0, sizeof(info));
	info.pid = pid;
	if (a->p->rank_by == RANK_RSS) {
		if (proc_fill(a->pc, &info, PROC_HAVE_STAT, NULL) < 0 ||
		    (info.st.flags & PROC_PF_KTHREAD) || proc_dead(&info.st))
			return true;
		base = s->mem_total_kib
		           ? (int64_t)(info.rss_kib * 1000 / s->mem_total_kib)
		           : 0;
		base += a->swap_bound;
	} else {
		/* A process gone or unreadable is skipped, quietly. */
		if (proc_fill(a->pc, &info, PROC_HAVE_OOM_SCORE, NULL) < 0 ||
		    info.oom_score <= 0)
			return true;
		base = info.oom_score;
	}
	if (s->n < s->cap) {
		s->cands[s->n].pid = pid;
		s->cands[s->n].base = (int32_t)base;
		s->n++;
	}
	return true;
}

static int
collect(struct selector *s, const struct proc_ctx *pc, const struct policy *p)
{
	struct collect_arg a = { s, pc, p, swap_bound(s, p) };

	s->n = 0;
	s->scanned = 0;
	return proc_each_pid(pc, s->dents, s->dents_size, collect_one, &a);
}

/* A max-heap on base over s->cands[0..n). */
static void
sift_down(struct candidate *c, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct candidate t;

		if (l < n && c[l].base > c[m].base)
			m = l;
		if (r < n && c[r].base > c[m].base)
			m = r;
		if (m == i)
			return;
		t = c[i];
		c[i] = c[m];
		c[m] = t;
		i = m;
	}
}

static void
heapify(struct candidate *c, size_t n)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift_down(c, n, i);
}

static struct candidate
heap_pop(struct candidate *c, size_t *n)
{
	struct candidate top = c[0];

	c[0] = c[--*n];
	sift_down(c, *n, 0);
	return top;
}

/* Read what judging cand needs, and judge it.  false if it is gone. */
static bool
judge_one(const struct proc_ctx *pc, const struct policy *p,
    uint64_t mem_total_kib, unsigned int want, pid_t pid, int32_t base,
    struct proc_info *info, struct proc_bufs *bufs, struct verdict *v)
{
	int r;

	memset(info, 0, sizeof(*info));
	info->pid = pid;
	if (p->rank_by == RANK_OOM_SCORE) {
		info->oom_score = base;
		info->have |= PROC_HAVE_OOM_SCORE;
	}
	r = proc_fill(pc, info, want, bufs);
	if (r == -ENOENT || r == -ESRCH || !(info->have & PROC_HAVE_STAT))
		return false;
	victim_judge(p, info, mem_total_kib, v);
	return true;
}

int
victim_select(struct selector *s, const struct proc_ctx *pc,
    const struct policy *p, const struct stuck_list *stuck, struct victim *out)
{
	unsigned int want = PROC_HAVE_STAT | victim_fields(p);
	int64_t bonus = p->sets[SET_PREFER].n ? p->prefer_score : 0;
	struct proc_info info;
	struct verdict v;
	bool found = false;
	int cur = 0;
	int r;

	read_swap(s, pc);
	if (p->rank_by == RANK_RSS) {
		want |= PROC_HAVE_OOM_ADJ;
		if (s->swap_used_kib > 0)
			want |= PROC_HAVE_SWAP;
	}
	r = collect(s, pc, p);
	if (r < 0)
		return r;
	s->judged = s->swap_reads = 0;
	heapify(s->cands, s->n);
	while (s->n > 0) {
		struct candidate c = s->cands[0];

		/* Nobody left can beat, or tie with, the best. */
		if (found && c.base + bonus < out->v.score)
			break;
		heap_pop(s->cands, &s->n);
		if (!judge_one(pc, p, s->mem_total_kib, want, c.pid, c.base,
		        &info, &s->bufs[cur], &v))
			continue;
		s->judged++;
		if (info.have & PROC_HAVE_SWAP)
			s->swap_reads++;
		if (v.excl != EXCL_NONE ||
		    is_stuck(stuck, c.pid, info.st.start_time) ||
		    in_skipped_group(s, info.st.pgrp))
			continue;
		if (!found || victim_better(&v, &info, &out->v, &out->info)) {
			out->info = info;
			out->v = v;
			found = true;
			cur ^= 1; /* keep the winner's strings */
		}
	}
	return found ? 0 : -ESRCH;
}

/* --- --list --- */

struct row {
	struct proc_info info;
	struct verdict v;
	char comm[4 * PROC_COMM_MAX + 4];
	char rule[VICTIM_RULE_TEXT_MAX];
};

static int
row_compare(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->v.excl != b->v.excl)
		return a->v.excl == EXCL_NONE ? -1
		       : b->v.excl == EXCL_NONE
		           ? 1
		           : (int)a->v.excl - (int)b->v.excl;
	if (victim_better(&a->v, &a->info, &b->v, &b->info))
		return -1;
	if (victim_better(&b->v, &b->info, &a->v, &a->info))
		return 1;
	return 0;
}

static bool
list_pid(pid_t pid, void *arg)
{
	struct selector *s = arg;

	if (s->n < s->cap) {
		s->cands[s->n].pid = pid;
		s->cands[s->n].base = 0;
		s->n++;
	}
	return true;
}

int
victim_list(FILE *f, const struct proc_ctx *pc, const struct policy *p,
    pid_t self, uint64_t mem_total_kib)
{
	unsigned int want = PROC_HAVE_STAT | PROC_HAVE_UID |
	                    PROC_HAVE_OOM_SCORE | PROC_HAVE_OOM_ADJ |
	                    PROC_HAVE_SWAP | victim_fields(p);
	size_t i, nrows = 0, counts[EXCL_COUNT] = { 0 };
	struct selector s;
	struct proc_bufs *bufs;
	struct row *rows;
	int r;

	r = victim_selector_init(&s, 0, self);
	if (r < 0)
		return r;
	s.mem_total_kib = mem_total_kib;
	read_swap(&s, pc);
	/* Every process, pid 1 and bustd too: -v says why each is not a
	 * candidate. */
	r = proc_each_pid(pc, s.dents, s.dents_size, list_pid, &s);
	bufs = malloc(sizeof(*bufs));
	rows = calloc(s.n ? s.n : 1, sizeof(*rows));
	if (r < 0 || bufs == NULL || rows == NULL) {
		r = r < 0 ? r : -ENOMEM;
		goto out;
	}
	for (i = 0; i < s.n; i++) {
		struct row *w = &rows[nrows];
		pid_t pid = s.cands[i].pid;

		memset(w, 0, sizeof(*w));
		w->info.pid = pid;
		r = proc_fill(pc, &w->info, want, bufs);
		if (r == -ENOENT || r == -ESRCH ||
		    !(w->info.have & PROC_HAVE_STAT))
			continue;
		victim_judge(p, &w->info, mem_total_kib, &w->v);
		if (pid == 1 || pid == self) {
			memset(&w->v, 0, sizeof(w->v));
			w->v.excl = pid == 1 ? EXCL_PID1 : EXCL_SELF;
		}
		log_escape(w->comm, sizeof(w->comm), w->info.st.comm,
		    strlen(w->info.st.comm));
		victim_rule_text(w->rule, sizeof(w->rule), &w->v);
		w->info.exe = w->info.cmdline = w->info.cgroup = NULL;
		counts[w->v.excl]++;
		nrows++;
	}
	qsort(rows, nrows, sizeof(*rows), row_compare);

	fprintf(f, "%7s %-12s %6s %9s %13s %10s %10s  %-16s %s\n", "PID",
	    "USER", "SCORE", "OOM_SCORE", "OOM_SCORE_ADJ", "RSS", "SWAP",
	    "NAME", "RULE");
	for (i = 0; i < nrows && rows[i].v.excl == EXCL_NONE; i++) {
		struct row *w = &rows[i];
		char user[32], rss[LOG_SIZE_MAX], swap[LOG_SIZE_MAX];

		sys_user_name(w->info.uid, user, sizeof(user));
		log_size(rss, sizeof(rss), w->info.rss_kib);
		log_size(swap, sizeof(swap), w->info.swap_kib);
		fprintf(f, "%7d %-12s %6lld %9d %13d %10s %10s  %-16s %s\n",
		    (int)w->info.pid, user, (long long)w->v.score,
		    w->info.oom_score, w->info.oom_score_adj, rss, swap,
		    w->comm, w->rule);
	}
	if (nrows > i) {
		fprintf(f, "# not candidates:");
		for (r = EXCL_NONE + 1; r < EXCL_COUNT; r++)
			if (counts[r] > 0)
				fprintf(f, " %zu %s;", counts[r],
				    victim_exclusion_name((enum exclusion)r));
		fprintf(f, "\n");
		if (log_debug_enabled()) {
			for (; i < nrows; i++)
				fprintf(f, "# %7d %-16s %s%s\n",
				    (int)rows[i].info.pid, rows[i].comm,
				    rows[i].v.excl == EXCL_UNREADABLE
				        ? "unreadable field for "
				        : "",
				    rows[i].v.rules[SET_NEVER_KILL] != NULL
				        ? rows[i].rule
				        : victim_exclusion_name(
				              rows[i].v.excl));
		}
	}
	r = 0;
out:
	free(rows);
	free(bufs);
	victim_selector_free(&s);
	return r;
}
