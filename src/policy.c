/* SPDX-License-Identifier: MIT */
/* policy.c: struct policy's life cycle, rule lists, profiles, defaults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

const char *const profile_names[] = { "none", "desktop", "server", NULL };
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
    "psi_metric = some_avg10\n"
    "psi_cutoff = 25\n"
    "psi_duration = 3s\n"
    "psi_mem_gate = 20%\n"
    "[kill]\n"
    "term_timeout = 2s\n"
    "[notify]\n"
    "desktop = yes\n"
    "[never-kill]\n"
    "exe = ^(/usr)?/s?bin/init$\n"
    "exe = ^(/usr)?/lib/systemd/systemd(-journald|-logind)?$\n"
    "exe = ^/usr/bin/dbus-(daemon|broker|broker-launch)$\n"
    "exe = ^/usr/lib/xorg/Xorg$\n"
    "exe = ^/usr/bin/X(org)?$\n"
    "[avoid]\n"
    "exe = ^/usr/bin/(gnome-shell|kwin_x11|kwin_wayland|plasmashell"
    "|Xwayland|sway|mutter|cinnamon|xfwm4|xfce4-session|marco)$\n"
    "exe = ^/usr/bin/(apt|apt-get|aptitude|dpkg|unattended-upgrade|dnf"
    "|yum|rpm|pacman|zypper|snap|flatpak)$\n"
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
    "psi_metric = full_avg10\n"
    "psi_cutoff = 40\n"
    "psi_duration = 10s\n"
    "psi_mem_gate = 10%\n"
    "[kill]\n"
    "term_timeout = 10s\n"
    "[notify]\n"
    "desktop = no\n"
    "[never-kill]\n"
    "exe = ^(/usr)?/s?bin/init$\n"
    "exe = ^(/usr)?/lib/systemd/systemd(-journald)?$\n"
    "exe = ^/usr/sbin/sshd$\n"
    "exe = ^/usr/bin/dbus-(daemon|broker|broker-launch)$\n"
    "[avoid]\n"
    "exe = ^/usr/lib/postgresql/[0-9.]+/bin/postgres$\n"
    "exe = ^/usr/s?bin/(mysqld|mariadbd|redis-server)$\n";

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
                               "[kill]\n"
                               "process_group = no\n"
                               "cgroup = no\n"
                               "term_timeout = 5s\n"
                               "cooldown = 5s\n"
                               "prefer_score = 300\n"
                               "avoid_score = 300\n"
                               "rank_by = oom_score\n"
                               "[notify]\n"
                               "exec =\n"
                               "exec_timeout = 10s\n"
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

struct policy *
policy_new(void)
{
	return calloc(1, sizeof(struct policy));
}

static void
rule_clear(struct rule *r)
{
	if (r->field != FIELD_USER)
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
		rc = regcomp(&r.re, text, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &r.re, err, errsize);
			return -EINVAL;
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

uint64_t
policy_amount_kib(const struct amount *a, uint64_t total_kib)
{
	if (!a->is_pct)
		return a->value;
	/* value is in hundredths of a percent: total * value / 10000. */
	return total_kib / 10000 * a->value +
	       total_kib % 10000 * a->value / 10000;
}
