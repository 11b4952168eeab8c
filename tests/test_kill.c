/* SPDX-License-Identifier: MIT */
/* test_kill.c: unit tests of taking a victim down, with a fake OS. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup.h"
#include "config.h"
#include "decide.h"
#include "fake_sys.h"
#include "util.h"
#include "kill.h"
#include "policy.h"
#include "proc.h"
#include "victim.h"

/*
 * The fixture trees under tests/fixtures/ (pid: name, process group,
 * start time):
 *
 * kill-basic: 1 systemd; 3100 hog (group 3100, start 777777);
 *   3101 hog-worker (group 3100).
 * kill-group-protected: 3200 "tmux: server" (exe /usr/bin/tmux, leads
 *   group 3200); 3201 hog (group 3200, start 800100).
 * kill-group-init: 1 tini, in group 3500 (an init that never called
 *   setsid()); 3301 java (group 1, start 10000); 3500 sh and 3501 hog
 *   (group 3500, start 12100).
 * kill-group-self: 3400 sh, 3401 bustd, 3402 hog (start 900020), all
 *   in group 3400: bustd started by the same script as its victim.
 * kill-cgroup: 3600 firefox (start 400000), 3601 "Web Content" and
 *   3602 keepassxc, all in .../app.slice/app-firefox.scope; 3610 hog
 *   in the root cgroup (start 410000); 3620 lxc-hog in
 *   /machine.slice/lxc-box (start 420000) and 3621 keepassxc in its
 *   child cgroup /machine.slice/lxc-box/payload.
 * kill-nopidfd: 3700 hog (start 555555); the tests copy it to a
 *   temporary folder and delete from the copy.
 * kill-mountinfo-v2, kill-mountinfo-v1: self/mountinfo with and
 *   without a cgroup2 mount at its root.
 */

#define APP_SCOPE                                                              \
	"/user.slice/user-1000.slice/user@1000.service/"                       \
	"app.slice/app-firefox.scope"

/* $srcdir, or the source tree this file was compiled from. */
/* --- Temporary folders --- */

/* Write <root><cgroup>/cgroup.procs, as the kernel shows it. */
static void
cgroup_procs(const char *root, const char *cgroup, const char *pids)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s%s", root, cgroup);
	mkdir_p(dir);
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	write_text(path, pids);
}

/* --- The killer under test, and what it works on --- */

struct kit {
	struct fake_sys f;
	struct proc_ctx pc;
	struct killer k;
	struct policy *p;
	struct proc_bufs bufs;
	struct victim v;
	char tmp[256]; /* our copy of the tree */
	char cgroot[256]; /* a fake cgroup2 mount, or "" */
};

/*
 * Copy tree to a temporary folder and open it, load conf, and set a
 * killer up with self and, if cgroup, a fake cgroup2 root.
 */
static struct kit *
kit_open(const char *tree, const char *conf, pid_t self, bool cgroup)
{
	struct kit *t = calloc(1, sizeof(*t));
	char path[PATH_MAX];

	assert_non_null(t);
	fake_sys_init(&t->f);
	temp_dir(t->tmp, sizeof(t->tmp), "kill-proc");
	copy_tree(fixture(path, sizeof(path), tree), t->tmp);
	assert_int_equal(proc_open(&t->pc, t->tmp), 0);
	if (cgroup)
		temp_dir(t->cgroot, sizeof(t->cgroot), "kill-cgroup");
	t->p = load_policy(conf);
	kill_init(&t->k, &t->f.ops, &t->pc, self, cgroup ? t->cgroot : NULL);
	return t;
}

static void
kit_close(struct kit *t)
{
	int open_fds = t->f.open_fds;

	if (open_fds != 0)
		fake_sys_dump(&t->f);
	proc_close(&t->pc);
	policy_free(t->p);
	rm_tree(t->tmp);
	if (t->cgroot[0] != '\0')
		rm_tree(t->cgroot);
	free(t);
	/* Every pidfd handed out was closed. */
	assert_int_equal(open_fds, 0);
}

/*
 * The victim as victim_select() hands it over: read from the tree and
 * judged.  Its start time must be the one the fixture's stat holds.
 */
static struct victim *
kit_victim(struct kit *t, pid_t pid, uint64_t start_time)
{
	struct victim *v = &t->v;

	memset(v, 0, sizeof(*v));
	v->info.pid = pid;
	assert_int_equal(proc_fill(&t->pc, &v->info,
	                     PROC_HAVE_STAT | PROC_HAVE_OOM_SCORE |
	                         victim_fields(t->p),
	                     &t->bufs),
	    0);
	assert_int_equal(v->info.st.start_time, start_time);
	victim_judge(t->p, &v->info, MEM_TOTAL_KIB, &v->v);
	assert_int_equal(v->v.excl, EXCL_NONE);
	return v;
}

static int
kit_start(struct kit *t, int sig)
{
	return kill_start(&t->k, t->p, &t->v, sig,
	    "mem avail 3% <= 5%, "
	    "swap free 0% <= 10%");
}

/* The pidfd of the first kill: the first one the fake handed out. */
static int
pidfd_of(const struct kit *t)
{
	assert_true(t->f.next_fd > FAKE_FD_BASE);
	return FAKE_FD_BASE;
}

static void
assert_sent_nothing(const struct kit *t)
{
	if (fake_sys_count_actions(&t->f) != 0)
		fake_sys_dump(&t->f);
	assert_int_equal(fake_sys_count_actions(&t->f), 0);
}

/* --- TERM, wait, KILL --- */

/* What a pass of the loop makes of the kill under way. */
enum event {
	EV_NONE,
	EV_GONE,
	EV_STUCK,
};

/*
 * One pass of the daemon over the kill under way, as daemon_poll() makes
 * it: the killer's clock and exit check, decide()'s step, and its action
 * carried out.  kill_level: memory is at the kill level (why says so).
 */
static enum event
check_pass(struct kit *t, bool kill_level, const char *why,
    struct decision *out)
{
	struct decide_state st;
	struct readings in;
	struct limits l;

	decide_init(&st);
	memset(&l, 0, sizeof(l));
	memset(&in, 0, sizeof(in));
	l.mem_term_kib = 2000;
	l.mem_kill_kib = 1000;
	in.now_ms = t->f.now_ms;
	in.ncpu = 1;
	in.mem.mem_total_kib = MEM_TOTAL_KIB;
	in.mem.avail_kib = kill_level ? 500 : 1500;
	kill_clock(&t->k, &in.victim);
	in.victim.gone = kill_gone(&t->k);
	decide(&st, &l, &in, out);
	switch (out->action) {
	case ACTION_ESCALATE:
		kill_escalate(&t->k, t->p, out->level == LEVEL_KILL, why);
		break;
	case ACTION_GONE:
		kill_done(&t->k, false);
		return EV_GONE;
	case ACTION_STUCK:
		kill_done(&t->k, true);
		return EV_STUCK;
	default:
		break;
	}
	return EV_NONE;
}

static enum event
check(struct kit *t, bool kill_level, const char *why)
{
	struct decision out;

	return check_pass(t, kill_level, why, &out);
}

/* ms until time alone gives the kill something to do; UINT32_MAX if no
 * kill is under way.  Looks only: sends nothing. */
static uint32_t
victim_ms(struct kit *t)
{
	struct victim_clock c;
	struct readings in;
	struct decision out;
	struct decide_state st;
	struct limits l;

	kill_clock(&t->k, &c);
	if (!c.active)
		return UINT32_MAX;
	decide_init(&st);
	memset(&l, 0, sizeof(l));
	memset(&in, 0, sizeof(in));
	in.now_ms = t->f.now_ms;
	in.mem.avail_kib = 1000000;
	in.victim = c;
	decide(&st, &l, &in, &out);
	assert_int_not_equal(out.at_ms[DL_VICTIM], DECIDE_NEVER);
	return (uint32_t)(out.at_ms[DL_VICTIM] - in.now_ms);
}

static void
test_kill_start_term_via_pidfd(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);
	const struct fake_call *c;

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	c = fake_sys_nth(&t->f, "pidfd_open", 0);
	assert_non_null(c);
	assert_int_equal(c->id, 3100);
	assert_ptr_equal(c, &t->f.calls[0]);
	c = fake_sys_nth(&t->f, "pidfd_send_signal", 0);
	assert_non_null(c);
	assert_int_equal(c->id, pidfd_of(t));
	assert_int_equal(c->sig, SIGTERM);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", 0), 1);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	c = fake_sys_nth(&t->f, "process_mrelease", 0);
	assert_non_null(c);
	assert_int_equal(c->id, pidfd_of(t));
	assert_int_equal(t->k.state, KILL_WAITING);
	assert_int_equal(kill_poll_fd(&t->k), pidfd_of(t));
	assert_int_equal(t->k.n_term, 1);
	assert_int_equal(t->k.n_kill, 0);
	/* What the log and the hooks get, copied from /proc. */
	assert_string_equal(t->k.t.comm, "hog");
	assert_int_equal(t->k.t.uid, 1000);
	assert_int_equal(t->k.t.pgrp, 3100);
	assert_int_equal(t->k.t.rss_kib, 500000 * page_kib());
	assert_int_equal(t->k.t.oom_score, 800);
	assert_string_equal(t->k.t.cmdline, "./hog --size 2G");
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_check_term_timeout(void **state)
{
	struct kit *t =
	    kit_open("kill-basic", "[kill]\nterm_timeout = 5s\n", 0, false);
	const struct fake_call *c;

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	fake_sys_clear(&t->f);

	/* Within term_timeout: look, send nothing. */
	fake_sys_advance(&t->f, 4999);
	assert_int_equal(victim_ms(t), 1);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	assert_sent_nothing(t);

	/* term_timeout has passed: SIGKILL, through the pidfd. */
	fake_sys_advance(&t->f, 1);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", 0), 1);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	c = fake_sys_nth(&t->f, "process_mrelease", 0);
	assert_non_null(c);
	assert_int_equal(c->id, pidfd_of(t));
	assert_int_equal(t->k.n_kill, 1);
	assert_int_equal(victim_ms(t), DECIDE_STUCK_MS);

	/* Not gone yet: no second SIGKILL. */
	fake_sys_clear(&t->f);
	fake_sys_advance(&t->f, 100);
	assert_int_equal(check(t, true, "mem avail 1%"),
	    EV_NONE);
	assert_sent_nothing(t);

	/* The pidfd says it has exited. */
	t->f.exited = 1;
	assert_int_equal(check(t, false, NULL), EV_GONE);
	c = fake_sys_nth(&t->f, "close", 0);
	assert_non_null(c);
	assert_int_equal(c->id, pidfd_of(t));
	assert_int_equal(t->k.state, KILL_IDLE);
	assert_int_equal(t->k.n_gone, 1);
	assert_int_equal(kill_poll_fd(&t->k), -1);
	assert_int_equal(victim_ms(t), UINT32_MAX);
	/* Idle: nothing more to do. */
	assert_int_equal(check(t, true, "x"), EV_NONE);
	kit_close(t);
}

static void
test_kill_check_gone_before_timeout(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	fake_sys_clear(&t->f);
	fake_sys_advance(&t->f, 300);
	t->f.exited = 1;
	assert_int_equal(check(t, false, NULL), EV_GONE);
	/* SIGTERM was enough. */
	assert_sent_nothing(t);
	assert_int_equal(t->k.n_kill, 0);
	assert_int_equal(t->k.n_gone, 1);
	kit_close(t);
}

static void
test_kill_check_kill_level(void **state)
{
	struct kit *t =
	    kit_open("kill-basic", "[kill]\nterm_timeout = 10s\n", 0, false);

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	fake_sys_clear(&t->f);
	fake_sys_advance(&t->f, 10);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	assert_sent_nothing(t);
	/* Memory reached the kill level: no waiting for term_timeout. */
	assert_int_equal(check(t, true, "mem avail 1% <= 2%"),
	    EV_NONE);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	assert_int_equal(fake_sys_count(&t->f, "process_mrelease", 0), 1);
	assert_int_equal(t->k.kill_ms, t->f.now_ms);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_sigkill(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", 0), 1);
	assert_int_equal(fake_sys_count(&t->f, "process_mrelease", 0), 1);
	assert_int_equal(t->k.n_kill, 1);
	assert_int_equal(t->k.n_term, 0);
	/* term_timeout does not apply: there is nothing to escalate. */
	fake_sys_clear(&t->f);
	fake_sys_advance(&t->f, 4000);
	assert_int_equal(check(t, true, "x"), EV_NONE);
	assert_sent_nothing(t);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_check_stuck(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	fake_sys_advance(&t->f, DECIDE_STUCK_MS - 1);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	assert_int_equal(victim_ms(t), 1);
	fake_sys_advance(&t->f, 1);
	assert_int_equal(check(t, false, NULL),
	    EV_STUCK);
	assert_int_equal(t->k.state, KILL_IDLE);
	assert_int_equal(t->k.n_stuck, 1);
	assert_int_equal(t->k.n_gone, 0);
	assert_int_equal(fake_sys_count(&t->f, "close", 0), 1);
	/* What main.c adds to the stuck list. */
	assert_int_equal(t->k.t.pid, 3100);
	assert_int_equal(t->k.t.start_time, 777777);
	kit_close(t);
}

static void
test_kill_check_stuck_after_escalation(void **state)
{
	struct kit *t =
	    kit_open("kill-basic", "[kill]\nterm_timeout = 2s\n", 0, false);

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	fake_sys_advance(&t->f, 2000);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	/* DECIDE_STUCK_MS counts from SIGKILL, not from SIGTERM. */
	fake_sys_advance(&t->f, DECIDE_STUCK_MS - 1);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	fake_sys_advance(&t->f, 1);
	assert_int_equal(check(t, false, NULL),
	    EV_STUCK);
	kit_close(t);
}

/* --- Identity --- */

static void
test_kill_start_reused_pid(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);
	struct victim *v = kit_victim(t, 3100, 777777);

	/* Judged as another process that had pid 3100 before. */
	v->info.st.start_time = 777000;
	assert_int_equal(kit_start(t, SIGKILL), -ESTALE);
	assert_sent_nothing(t);
	assert_int_equal(fake_sys_count(&t->f, "close", 0), 1);
	assert_int_equal(fake_sys_nth(&t->f, "close", 0)->id, pidfd_of(t));
	assert_int_equal(t->k.state, KILL_IDLE);
	assert_int_equal(kill_poll_fd(&t->k), -1);
	assert_int_equal(t->k.n_kill, 0);
	kit_close(t);
}

static void
test_kill_start_vanished(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);

	kit_victim(t, 3100, 777777);
	t->f.pidfd_open_err = -ESRCH;
	assert_int_equal(kit_start(t, SIGTERM), -ESRCH);
	assert_sent_nothing(t);
	assert_int_equal(fake_sys_count(&t->f, "close", 0), 0);
	assert_int_equal(t->k.state, KILL_IDLE);
	assert_int_equal(t->k.n_term, 0);
	kit_close(t);
}

static void
test_kill_start_gone_after_pidfd_open(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);
	struct victim *v = kit_victim(t, 3100, 777777);

	/* pidfd_open worked, but /proc has no such pid any more. */
	v->info.pid = 3999;
	assert_int_equal(kit_start(t, SIGTERM), -ESRCH);
	assert_sent_nothing(t);
	assert_int_equal(fake_sys_count(&t->f, "close", 0), 1);
	assert_int_equal(t->k.state, KILL_IDLE);
	kit_close(t);
}

static void
test_kill_start_no_pidfd(void **state)
{
	struct kit *t = kit_open("kill-nopidfd", "", 0, false);
	const struct fake_call *c;
	char path[PATH_MAX], src[PATH_MAX];

	kit_victim(t, 3700, 555555);
	t->f.pidfd_open_err = -ENOSYS;
	assert_int_equal(kit_start(t, SIGTERM), 0);
	c = fake_sys_nth(&t->f, "kill", 0);
	assert_non_null(c);
	assert_int_equal(c->id, 3700);
	assert_int_equal(c->sig, SIGTERM);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 1);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "process_mrelease", 0), 0);
	assert_int_equal(kill_poll_fd(&t->k), -1);
	/* Without a pidfd, the exit shows only by looking at /proc. */
	assert_true(victim_ms(t) <= 20);
	fake_sys_advance(&t->f, 20);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_exited", 0), 0);

	snprintf(path, sizeof(path), "%s/3700", t->tmp);
	rm_tree(path);
	fake_sys_advance(&t->f, 20);
	assert_int_equal(check(t, false, NULL), EV_GONE);
	assert_int_equal(t->k.n_gone, 1);
	assert_int_equal(fake_sys_count(&t->f, "close", 0), 0);

	/* ENOSYS is remembered: the next kill does not ask again. */
	copy_tree(fixture(src, sizeof(src), "kill-nopidfd/3700"), path);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_open", 0), 1);
	assert_int_equal(fake_sys_count(&t->f, "kill", SIGKILL), 1);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_no_pidfd_reused_pid(void **state)
{
	struct kit *t = kit_open("kill-nopidfd", "", 0, false);
	struct victim *v = kit_victim(t, 3700, 555555);

	t->f.pidfd_open_err = -ENOSYS;
	v->info.st.start_time = 123;
	assert_int_equal(kit_start(t, SIGTERM), -ESTALE);
	assert_sent_nothing(t);
	assert_int_equal(t->k.state, KILL_IDLE);
	kit_close(t);
}

/* A hook for the fake: at the first clock read, give pid 3700 to another
 * process, by rewriting its stat in the copied tree. */
static void
reuse_pid_3700(struct fake_sys *f, const char *name, void *arg)
{
	const struct kit *t = arg;
	char path[PATH_MAX];

	if (strcmp(name, "now_ms") != 0)
		return;
	f->hook = NULL;
	snprintf(path, sizeof(path), "%s/3700/stat", t->tmp);
	write_text(path,
	    "3700 (bash) S 1 3700 3700 0 -1 4194560 10 0 0 0 0 "
	    "0 0 0 20 0 1 0 999999 1000000 100 18446744073709551615 0 0 0 "
	    "0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

static void
test_kill_start_no_pidfd_reused_before_kill(void **state)
{
	struct kit *t = kit_open("kill-nopidfd", "", 0, false);

	kit_victim(t, 3700, 555555);
	t->f.pidfd_open_err = -ENOSYS;
	/*
	 * The pid changes hands after kill_start() checked it and before
	 * kill(2): with no pidfd to pin it, the check must be made again
	 * right before the signal.
	 */
	t->f.hook = reuse_pid_3700;
	t->f.hook_arg = t;
	assert_true(kit_start(t, SIGKILL) < 0);
	assert_null(t->f.hook); /* the race did happen */
	assert_sent_nothing(t);
	assert_int_equal(t->k.state, KILL_IDLE);
	kit_close(t);
}

static void
test_kill_check_no_pidfd_escalates(void **state)
{
	struct kit *t =
	    kit_open("kill-nopidfd", "[kill]\nterm_timeout = 2s\n", 0, false);
	char path[PATH_MAX];

	kit_victim(t, 3700, 555555);
	t->f.pidfd_open_err = -ENOSYS;
	assert_int_equal(kit_start(t, SIGTERM), 0);
	fake_sys_advance(&t->f, 2000);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	assert_int_equal(fake_sys_count(&t->f, "kill", SIGKILL), 1);
	assert_int_equal(fake_sys_nth(&t->f, "kill", 1)->id, 3700);

	/* Another process now has pid 3700: ours is gone. */
	snprintf(path, sizeof(path), "%s/3700/stat", t->tmp);
	write_text(path,
	    "3700 (bash) S 1 3700 3700 0 -1 4194560 10 0 0 0 0 "
	    "0 0 0 20 0 1 0 999999 1000000 100 18446744073709551615 0 0 0 "
	    "0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	fake_sys_clear(&t->f);
	fake_sys_advance(&t->f, 20);
	assert_int_equal(check(t, true, "x"), EV_GONE);
	assert_sent_nothing(t);
	kit_close(t);
}

static void
test_kill_check_no_pidfd_zombie(void **state)
{
	struct kit *t = kit_open("kill-nopidfd", "", 0, false);
	char path[PATH_MAX];

	kit_victim(t, 3700, 555555);
	t->f.pidfd_open_err = -ENOSYS;
	assert_int_equal(kit_start(t, SIGKILL), 0);
	/* Dead, not yet reaped by its parent: its memory is free. */
	snprintf(path, sizeof(path), "%s/3700/stat", t->tmp);
	write_text(path,
	    "3700 (hog) Z 2900 3700 3700 0 -1 4227148 10 0 0 0 "
	    "0 0 0 0 20 0 1 0 555555 0 0 18446744073709551615 0 0 0 0 0 0 "
	    "0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	fake_sys_advance(&t->f, 20);
	assert_int_equal(check(t, false, NULL), EV_GONE);
	kit_close(t);
}

/* A zombie with the victim's pid and start time: dying already, its
 * memory on the way back.  Not signalled; the caller looks again. */
static void
test_kill_start_zombie(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);
	char path[PATH_MAX + 32];

	kit_victim(t, 3100, 777777);
	snprintf(path, sizeof(path), "%s/3100/stat", t->tmp);
	write_text(path, "3100 (hog) Z 2900 3100 3100 0 -1 4194304 1843 0 2 0 "
	    "112 41 0 0 20 0 1 0 777777 0 0\n");
	assert_int_equal(kit_start(t, SIGKILL), -ESRCH);
	assert_sent_nothing(t);
	assert_int_equal(fake_sys_count(&t->f, "close", 0), 1);
	assert_int_equal(t->k.state, KILL_IDLE);
	/* The same for "X", and "x" of kernels before 4.14. */
	write_text(path, "3100 (hog) x 2900 3100 3100 0 -1 4194304 1843 0 2 0 "
	    "112 41 0 0 20 0 1 0 777777 0 0\n");
	assert_int_equal(kit_start(t, SIGKILL), -ESRCH);
	assert_sent_nothing(t);
	kit_close(t);
}

/* --- Dry run --- */

static void
test_kill_start_dry_run(void **state)
{
	struct kit *t = kit_open("kill-basic",
	    "[general]\ndry_run = yes\n"
	    "[kill]\nterm_timeout = 3s\nprocess_group = yes\n",
	    0, false);
	struct capture cap;
	char log[8192];

	kit_victim(t, 3100, 777777);
	memset(&cap, 0, sizeof(cap));
	capture_start(&cap);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_int_equal(check(t, true, "mem avail 1% <= 2%"),
	    EV_NONE);
	capture_end(&cap, log, sizeof(log));
	/* Decided and logged as a real run would. */
	assert_non_null(strstr(log, "pid 3100 (hog) uid 1000 "));
	assert_non_null(strstr(log, "dry run, would send SIGTERM and its "
	                            "process group"));
	assert_non_null(strstr(log, "reason: mem avail 3% <= 5%"));
	assert_non_null(strstr(log, "pid 3100 (hog): dry run, would send "
	                            "SIGKILL: mem avail 1% <= 2%"));
	assert_int_equal(t->k.state, KILL_WAITING);
	assert_int_equal(kill_poll_fd(&t->k), -1);
	/* ... and sent nothing at all. */
	assert_sent_nothing(t);
	/* The timeline plays out: gone after term_timeout. */
	fake_sys_advance(&t->f, 2999);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	fake_sys_advance(&t->f, 1);
	assert_int_equal(check(t, false, NULL), EV_GONE);
	assert_int_equal(t->k.state, KILL_IDLE);
	assert_sent_nothing(t);
	kit_close(t);
}

static void
test_kill_start_dry_run_cgroup(void **state)
{
	struct kit *t = kit_open("kill-cgroup",
	    "[general]\ndry_run = yes\n"
	    "[kill]\ncgroup = yes\n",
	    0, true);

	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n");
	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_true(t->k.whole_cgroup);
	fake_sys_advance(&t->f, 5000);
	assert_int_equal(check(t, true, "x"), EV_GONE);
	assert_sent_nothing(t);
	kit_close(t);
}

/* --- Process groups --- */

static void
test_kill_start_process_group(void **state)
{
	struct kit *t =
	    kit_open("kill-basic", "[kill]\nprocess_group = yes\n", 0, false);
	const struct fake_call *c;

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_true(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGTERM),
	    1);
	c = fake_sys_nth(&t->f, "kill", 0);
	assert_non_null(c);
	assert_int_equal(c->id, -3100);
	assert_int_equal(c->sig, SIGTERM);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 1);
	/* The escalation takes the group too. */
	fake_sys_clear(&t->f);
	assert_int_equal(check(t, true, "x"), EV_NONE);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	c = fake_sys_nth(&t->f, "kill", 0);
	assert_non_null(c);
	assert_int_equal(c->id, -3100);
	assert_int_equal(c->sig, SIGKILL);
	kill_abandon(&t->k);
	kit_close(t);
}

/*
 * The group's signal kills the victim before its own arrives (a victim
 * without a handler dies at once): ESRCH from the pidfd is then no
 * failure, the kill goes on, and the victim is seen gone.
 */
static void
test_kill_start_process_group_victim_died_first(void **state)
{
	struct kit *t =
	    kit_open("kill-basic", "[kill]\nprocess_group = yes\n", 0, false);

	kit_victim(t, 3100, 777777);
	t->f.send_signal_err = -ESRCH;
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_int_equal(t->k.state, KILL_WAITING);
	assert_int_equal(t->k.n_term, 1);
	assert_int_equal(fake_sys_count(&t->f, "kill", SIGTERM), 1);
	t->f.exited = 1;
	assert_int_equal(check(t, false, NULL), EV_GONE);
	kit_close(t);
	/* Without the group, the same ESRCH is the victim gone: no kill. */
	t = kit_open("kill-basic", "", 0, false);
	kit_victim(t, 3100, 777777);
	t->f.send_signal_err = -ESRCH;
	assert_int_equal(kit_start(t, SIGTERM), -ESRCH);
	assert_int_equal(t->k.state, KILL_IDLE);
	assert_int_equal(t->k.n_term, 0);
	kit_close(t);
}

/*
 * The victim left its process group before SIGKILL (setpgid): its old
 * group id may have been taken by someone else since, so only the victim
 * gets the signal.
 */
static void
test_kill_check_process_group_left(void **state)
{
	struct kit *t =
	    kit_open("kill-basic", "[kill]\nprocess_group = yes\n", 0, false);
	char path[PATH_MAX + 32];

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_true(t->k.whole_group);
	snprintf(path, sizeof(path), "%s/3100/stat", t->tmp);
	write_text(path, "3100 (hog) R 2900 4242 3100 0 -1 4194304 1843 0 2 0 "
	    "112 41 0 0 20 0 1 0 777777 6145048576 500000\n");
	fake_sys_clear(&t->f);
	assert_int_equal(check(t, true, "x"), EV_NONE);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_false(t->k.whole_group);
	kill_abandon(&t->k);
	kit_close(t);
}

/*
 * Before SIGKILL, pid 3100 in group 3100 is not the process judged (its
 * start time differs: the victim exited and its pid was given again, a
 * pidfd does not stop that).  Its group may be anyone's: not signalled.
 */
static void
test_kill_check_process_group_start_time(void **state)
{
	struct kit *t =
	    kit_open("kill-basic", "[kill]\nprocess_group = yes\n", 0, false);
	char path[PATH_MAX + 32];

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_true(t->k.whole_group);
	snprintf(path, sizeof(path), "%s/3100/stat", t->tmp);
	write_text(path, "3100 (hog) R 2900 3100 3100 0 -1 4194304 1843 0 2 0 "
	    "112 41 0 0 20 0 1 0 888888 6145048576 500000\n");
	fake_sys_clear(&t->f);
	assert_int_equal(check(t, true, "x"), EV_NONE);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_false(t->k.whole_group);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_process_group_never_kill(void **state)
{
	struct kit *t;

	/* tmux leads the group: with it protected, only the victim dies. */
	t = kit_open("kill-group-protected",
	    "[kill]\nprocess_group = yes\n"
	    "[never-kill]\nexe = ^/usr/bin/tmux$\n",
	    0, false);
	kit_victim(t, 3201, 800100);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_false(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	kill_abandon(&t->k);
	kit_close(t);

	/* Without the rule the group goes. */
	t = kit_open("kill-group-protected", "[kill]\nprocess_group = yes\n", 0,
	    false);
	kit_victim(t, 3201, 800100);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_true(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 1);
	assert_int_equal(fake_sys_nth(&t->f, "kill", 0)->id, -3200);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_names_every_rule(void **state)
{
	struct kit *t = kit_open("kill-basic",
	    "[prefer]\nname = ^hog$\n[avoid]\nuser = 1000\n", 0, false);
	struct capture cap;
	char log[8192];

	kit_victim(t, 3100, 777777);
	memset(&cap, 0, sizeof(cap));
	capture_start(&cap);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	capture_end(&cap, log, sizeof(log));
	/* +300 and -300: the score is oom_score, and the line says why. */
	assert_non_null(strstr(log, "score 800 (oom_score 800, "));
	assert_non_null(strstr(log, "; rule: [prefer] name = ^hog$ "
	                            "(test.conf:2), [avoid] user = 1000 "
	                            "(test.conf:4)\n"));
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_process_group_not_only_kill(void **state)
{
	struct kit *t;
	struct capture cap;
	char path[PATH_MAX + 32], log[8192];

	/*
	 * [only-kill] says what may die: a group kill must not take tmux,
	 * which it leaves out, any more than a [never-kill] match.
	 */
	t = kit_open("kill-group-protected",
	    "[kill]\nprocess_group = yes\n[only-kill]\nname = ^hog$\n", 0,
	    false);
	kit_victim(t, 3201, 800100);
	memset(&cap, 0, sizeof(cap));
	capture_start(&cap);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	capture_end(&cap, log, sizeof(log));
	assert_false(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_non_null(strstr(log, "process group 3200 not signalled whole: "
	                               "it holds pid 3200 (tmux: server, not "
	                               "in [only-kill])"));
	kill_abandon(&t->k);
	kit_close(t);

	/* Nor one that oom_score_adj -1000 keeps from the kernel's. */
	t = kit_open("kill-group-protected", "[kill]\nprocess_group = yes\n", 0,
	    false);
	snprintf(path, sizeof(path), "%s/3200/oom_score_adj", t->tmp);
	write_text(path, "-1000\n");
	kit_victim(t, 3201, 800100);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_false(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_process_group_init(void **state)
{
	struct kit *t;

	/* Group 1: init's own. */
	t = kit_open("kill-group-init", "[kill]\nprocess_group = yes\n", 0,
	    false);
	kit_victim(t, 3301, 10000);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_false(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGTERM),
	    1);
	kill_abandon(&t->k);
	kit_close(t);

	/* Group 3500 holds pid 1 as a member. */
	t = kit_open("kill-group-init", "[kill]\nprocess_group = yes\n", 0,
	    false);
	kit_victim(t, 3501, 12100);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_false(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_process_group_self(void **state)
{
	struct kit *t;

	t = kit_open("kill-group-self", "[kill]\nprocess_group = yes\n", 3401,
	    false);
	kit_victim(t, 3402, 900020);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_false(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	kill_abandon(&t->k);
	kit_close(t);

	/* Some other bustd: the group may go. */
	t = kit_open("kill-group-self", "[kill]\nprocess_group = yes\n", 99,
	    false);
	kit_victim(t, 3402, 900020);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_true(t->k.whole_group);
	assert_int_equal(fake_sys_nth(&t->f, "kill", 0)->id, -3400);
	kill_abandon(&t->k);
	kit_close(t);
}

/* --- cgroups --- */

static void
test_kill_start_cgroup_kill(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\ncgroup = yes\n", 0, true);
	const struct fake_call *c;
	char want[PATH_MAX];

	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n");
	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_true(t->k.whole_cgroup);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	c = fake_sys_nth(&t->f, "write_file", 0);
	assert_non_null(c);
	snprintf(want, sizeof(want), "%s%s/cgroup.kill", t->cgroot, APP_SCOPE);
	assert_string_equal(c->path, want);
	assert_string_equal(c->text, "1");
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 1);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_cgroup_term_then_kill(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\ncgroup = yes\n", 0, true);
	const struct fake_call *c;

	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n");
	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_true(t->k.whole_cgroup);
	/* cgroup.kill only kills: SIGTERM goes to each member. */
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGTERM),
	    1);
	c = fake_sys_nth(&t->f, "kill", 0);
	assert_non_null(c);
	assert_int_equal(c->id, 3601);
	assert_int_equal(c->sig, SIGTERM);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 1);
	fake_sys_clear(&t->f);
	assert_int_equal(check(t, true, "x"), EV_NONE);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 1);
	assert_string_equal(fake_sys_nth(&t->f, "write_file", 0)->text, "1");
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_cgroup_never_kill_member(void **state)
{
	struct kit *t = kit_open("kill-cgroup",
	    "[kill]\ncgroup = yes\n"
	    "[never-kill]\nexe = ^/usr/bin/keepassxc$\n",
	    0, true);

	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n3602\n");
	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_false(t->k.whole_cgroup);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_cgroup_self_member(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\ncgroup = yes\n", 3601, true);

	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n");
	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_false(t->k.whole_cgroup);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_cgroup_root(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\ncgroup = yes\n", 0, true);

	/* The root cgroup holds kernel threads (not in the tree) and hog. */
	cgroup_procs(t->cgroot, "", "2\n3\n3610\n");
	kit_victim(t, 3610, 410000);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_string_equal(t->k.t.cgroup, "/");
	assert_false(t->k.whole_cgroup);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_cgroup_no_mount(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\ncgroup = yes\n", 0, false);

	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_false(t->k.whole_cgroup);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_cgroup_procs_unreadable(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\ncgroup = yes\n", 0, true);

	/* No cgroup.procs under the root: members unknown, fail safe. */
	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_false(t->k.whole_cgroup);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	kill_abandon(&t->k);
	kit_close(t);
}

/* A child cgroup whose members cannot be read: they may be protected,
 * so the cgroup is not killed whole (the victim alone is). */
static void
test_kill_start_cgroup_child_unreadable(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\ncgroup = yes\n", 0, true);
	char dir[PATH_MAX];
	bool whole;

	cgroup_procs(t->cgroot, "/machine.slice/lxc-box", "3620\n");
	snprintf(dir, sizeof(dir), "%s/machine.slice/lxc-box/payload",
	    t->cgroot);
	mkdir_p(dir);
	kit_victim(t, 3620, 420000);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	whole = t->k.whole_cgroup;
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	kill_abandon(&t->k);
	kit_close(t);
	assert_false(whole);
}

static void
test_kill_start_cgroup_kill_fails(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\ncgroup = yes\n", 0, true);

	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n");
	kit_victim(t, 3600, 400000);
	/* A kernel before 5.14 has no cgroup.kill. */
	t->f.write_err = -ENOENT;
	assert_int_equal(kit_start(t, SIGKILL), 0);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 1);
	assert_int_equal(fake_sys_count(&t->f, "kill", SIGKILL), 1);
	assert_int_equal(fake_sys_nth(&t->f, "kill", 0)->id, 3601);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_cgroup_never_kill_in_child(void **state)
{
	struct kit *t = kit_open("kill-cgroup",
	    "[kill]\ncgroup = yes\n"
	    "[never-kill]\nexe = ^/usr/bin/keepassxc$\n",
	    0, true);
	size_t writes;
	bool whole;

	/*
	 * cgroup.kill kills the cgroup "and all descendant cgroups"
	 * (Documentation/admin-guide/cgroup-v2.rst): a protected process
	 * in a child cgroup must stop it as one in the cgroup itself does.
	 */
	cgroup_procs(t->cgroot, "/machine.slice/lxc-box", "3620\n");
	cgroup_procs(t->cgroot, "/machine.slice/lxc-box/payload", "3621\n");
	kit_victim(t, 3620, 420000);
	assert_int_equal(kit_start(t, SIGKILL), 0);
	writes = fake_sys_count(&t->f, "write_file", 0);
	if (writes != 0)
		fake_sys_dump(&t->f);
	whole = t->k.whole_cgroup;
	kill_abandon(&t->k);
	kit_close(t);
	assert_int_equal(writes, 0);
	assert_false(whole);
}

static void
test_kill_check_cgroup_guard_at_escalation(void **state)
{
	struct kit *t = kit_open("kill-cgroup",
	    "[kill]\ncgroup = yes\n"
	    "term_timeout = 10s\n[never-kill]\nexe = ^/usr/bin/keepassxc$\n",
	    0, true);
	size_t i, writes, hit = 0;

	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n");
	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_true(t->k.whole_cgroup);
	/*
	 * During term_timeout, a protected process joins the cgroup (a
	 * child of firefox).  cgroup.kill, written seconds after the
	 * check, must not take it.
	 */
	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n3602\n");
	fake_sys_clear(&t->f);
	fake_sys_advance(&t->f, 10000);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	writes = fake_sys_count(&t->f, "write_file", 0);
	if (writes != 0)
		fake_sys_dump(&t->f);
	for (i = 0; i < fake_sys_count(&t->f, "kill", 0); i++)
		if (fake_sys_nth(&t->f, "kill", i)->id == 3602)
			hit++;
	kill_abandon(&t->k);
	kit_close(t);
	assert_int_equal(writes, 0);
	assert_int_equal(hit, 0);
}

/* --- Failures and bookkeeping --- */

static void
test_kill_start_signal_fails(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);

	kit_victim(t, 3100, 777777);
	t->f.send_signal_err = -EPERM;
	assert_int_equal(kit_start(t, SIGTERM), -EPERM);
	assert_int_equal(t->k.state, KILL_IDLE);
	assert_int_equal(t->k.n_term, 0);
	assert_int_equal(fake_sys_count(&t->f, "close", 0), 1);
	assert_int_equal(fake_sys_count(&t->f, "process_mrelease", 0), 0);
	kit_close(t);
}

static void
test_kill_start_no_pidfd_kill_fails(void **state)
{
	struct kit *t = kit_open("kill-nopidfd", "", 0, false);

	kit_victim(t, 3700, 555555);
	t->f.pidfd_open_err = -ENOSYS;
	t->f.kill_err = -EPERM;
	assert_int_equal(kit_start(t, SIGKILL), -EPERM);
	assert_int_equal(t->k.state, KILL_IDLE);
	assert_int_equal(t->k.n_kill, 0);
	kit_close(t);
}

static void
test_kill_start_mrelease_fails(void **state)
{
	static const int errs[] = { -EINVAL, -ENOSYS, -ESRCH, -EPERM };
	size_t i;

	/* process_mrelease is a bonus: without it the kill goes on. */
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct kit *t = kit_open("kill-basic", "", 0, false);

		kit_victim(t, 3100, 777777);
		t->f.mrelease_err = errs[i];
		assert_int_equal(kit_start(t, SIGKILL), 0);
		assert_int_equal(t->k.state, KILL_WAITING);
		assert_int_equal(fake_sys_count(&t->f, "process_mrelease", 0),
		    1);
		t->f.exited = 1;
		assert_int_equal(check(t, false, NULL),
		    EV_GONE);
		kit_close(t);
	}
}

static void
test_kill_start_busy(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	fake_sys_clear(&t->f);
	assert_int_equal(kit_start(t, SIGKILL), -EBUSY);
	assert_int_equal(t->f.ncalls, 0);
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_abandon_closes(void **state)
{
	struct kit *t = kit_open("kill-basic", "", 0, false);

	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_int_equal(t->f.open_fds, 1);
	kill_abandon(&t->k);
	assert_int_equal(t->f.open_fds, 0);
	assert_int_equal(t->k.state, KILL_IDLE);
	assert_int_equal(kill_poll_fd(&t->k), -1);
	/* Twice is harmless. */
	kill_abandon(&t->k);
	assert_int_equal(fake_sys_count(&t->f, "close", 0), 1);
	kit_close(t);
}

/* --- kill_user_name --- */

static void
test_kill_user_name_root(void **state)
{
	char buf[64];

	assert_ptr_equal(sys_user_name(0, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "root");
}

static void
test_kill_user_name_unknown(void **state)
{
	char buf[64];

	assert_string_equal(sys_user_name(3999999999u, buf, sizeof(buf)),
	    "3999999999");
}

/* --- kill_find_cgroup2 --- */

static int
find_cgroup2_in(const char *tree, char *out, size_t size)
{
	char path[PATH_MAX];
	int fd, r;

	fd = open(tree[0] == '/' ? tree : fixture(path, sizeof(path), tree),
	    O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	r = cgroup_find_mount(fd, out, size);
	close(fd);
	return r;
}

static void
test_kill_find_cgroup2_found(void **state)
{
	char out[PROC_PATH_MAX];

	assert_int_equal(find_cgroup2_in("kill-mountinfo-v2", out, sizeof(out)),
	    0);
	assert_string_equal(out, "/sys/fs/cgroup");
}

static void
test_kill_find_cgroup2_v1_only(void **state)
{
	char out[PROC_PATH_MAX] = "unchanged";

	/* A cgroup2 bind mount of a subtree is not the root. */
	assert_int_equal(find_cgroup2_in("kill-mountinfo-v1", out, sizeof(out)),
	    -ENOENT);
}

static void
test_kill_find_cgroup2_long_mountinfo(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	char out[PROC_PATH_MAX];
	FILE *f;
	int i, r;

	/* Hundreds of mounts (snaps, containers) before the cgroup2 one. */
	temp_dir(dir, sizeof(dir), "kill-mountinfo");
	snprintf(path, sizeof(path), "%s/self", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/self/mountinfo", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "28 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n");
	for (i = 0; i < 300; i++)
		fprintf(f,
		    "%d 28 7:%d / /snap/some-snap-name/%d ro,nodev,"
		    "relatime shared:%d - squashfs /dev/loop%d ro\n",
		    100 + i, i, 1000 + i, 100 + i, i);
	fprintf(f, "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,"
	           "relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n");
	assert_int_equal(fclose(f), 0);
	r = find_cgroup2_in(dir, out, sizeof(out));
	rm_tree(dir);
	assert_int_equal(r, 0);
	assert_string_equal(out, "/sys/fs/cgroup");
}

/* --- The cgroup tree --- */

static void
test_cgroup_kind_by_name(void **state)
{
	static const struct {
		const char *path;
		enum cgroup_kind kind;
	} cases[] = {
		{ "/", CGROUP_ROOT },
		{ "", CGROUP_ROOT },
		{ "/user.slice", CGROUP_SLICE },
		{ "/user.slice/user-1000.slice", CGROUP_SLICE },
		{ "/user.slice/user-1000.slice/session-2.scope",
		    CGROUP_SESSION },
		{ "/user.slice/user-1000.slice/user@1000.service",
		    CGROUP_USER_MANAGER },
		{ "/init.scope", CGROUP_INIT },
		{ APP_SCOPE, CGROUP_APP_SCOPE },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		  "app-gnome-firefox-4242.scope",
		    CGROUP_APP_SCOPE },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		  "app-org.gnome.Terminal@abc.service",
		    CGROUP_APP_SERVICE },
		/* Not quite the names systemd gives applications. */
		{ "/app.slice", CGROUP_SLICE },
		{ "/x/app-.scope", CGROUP_SCOPE },
		{ "/x/app-.service", CGROUP_SERVICE },
		{ "/x/myapp-foo.scope", CGROUP_SCOPE },
		{ "/x/app-foo.scope/child", CGROUP_OTHER },
		{ "/x/session-.scope", CGROUP_SESSION },
		{ "/system.slice/sshd.service", CGROUP_SERVICE },
		{ "/machine.slice/lxc-box", CGROUP_OTHER },
		{ "/x/vte-spawn-1234.scope", CGROUP_SCOPE },
		{ "/bustd-test-1/test.slice/app-foo.scope", CGROUP_APP_SCOPE },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cgroup_kind(cases[i].path) != cases[i].kind)
			fail_msg("%s: kind %d, want %d", cases[i].path,
			    (int)cgroup_kind(cases[i].path),
			    (int)cases[i].kind);
	assert_string_equal(cgroup_kind_name(CGROUP_SESSION),
	    "a login session");
	assert_string_equal(cgroup_kind_name(CGROUP_APP_SCOPE),
	    "an application scope");
	/* unit = auto takes a group instead of the cgroup where a group is
	 * a job; never a service's (its main process leads it). */
	assert_true(cgroup_kind_group_ok(CGROUP_SESSION));
	assert_true(cgroup_kind_group_ok(CGROUP_ROOT));
	assert_true(cgroup_kind_group_ok(CGROUP_SCOPE));
	assert_true(cgroup_kind_group_ok(CGROUP_APP_SCOPE));
	assert_false(cgroup_kind_group_ok(CGROUP_SERVICE));
	assert_false(cgroup_kind_group_ok(CGROUP_USER_MANAGER));
	assert_false(cgroup_kind_group_ok(CGROUP_INIT));
	assert_false(cgroup_kind_group_ok(CGROUP_SLICE));
}

static void
test_cgroup_read_u64_files(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	uint64_t v = 42;
	int fd;

	temp_dir(dir, sizeof(dir), "cgroup-files");
	snprintf(path, sizeof(path), "%s/memory.current", dir);
	write_text(path, "1073741824\n");
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	write_text(path, "max\n");
	snprintf(path, sizeof(path), "%s/memory.oom.group", dir);
	write_text(path, "1\n");
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(cgroup_read_u64(fd, "memory.current", &v), 0);
	assert_int_equal(v, 1073741824);
	assert_int_equal(cgroup_read_u64(fd, "memory.oom.group", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cgroup_read_u64(fd, "memory.max", &v), -EINVAL);
	/* Without the memory controller there is no such file. */
	assert_int_equal(cgroup_read_u64(fd, "memory.swap.current", &v),
	    -ENOENT);
	close(fd);
	rm_tree(dir);
}

struct visits {
	char seen[32][128];
	size_t n;
	size_t unreadable;
	size_t stop_at;
};

static bool
record_visit(struct cgroup_walk *w, int dirfd, void *arg)
{
	struct visits *v = arg;

	if (dirfd < 0) {
		v->unreadable++;
		return false;
	}
	if (v->n < 32 && strlen(w->path) < sizeof(v->seen[0]))
		strcpy(v->seen[v->n++], w->path[0] ? w->path : "(top)");
	return v->stop_at != 0 && v->n == v->stop_at;
}

static bool
visited(const struct visits *v, const char *path)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->seen[i], path) == 0)
			return true;
	return false;
}

/* Open file descriptors of this process. */
static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* readdir's own */
}

static void
test_cgroup_walk_paths(void **state)
{
	struct cgroup_walk *w = calloc(1, sizeof(*w));
	struct visits v;
	char dir[PATH_MAX];
	int fds = open_fds();

	assert_non_null(w);
	temp_dir(dir, sizeof(dir), "cgroup-walk");
	cgroup_procs(dir, "/test.slice/app-foo.scope", "10\n");
	cgroup_procs(dir, "/test.slice/session-1.scope", "11\n");
	cgroup_procs(dir, "/other/a/b", "12\n");
	memset(&v, 0, sizeof(v));
	assert_false(cgroup_walk(w, dir, record_visit, &v));
	assert_int_equal(v.n, 7);
	assert_true(visited(&v, "(top)"));
	assert_true(visited(&v, "/test.slice"));
	assert_true(visited(&v, "/test.slice/app-foo.scope"));
	assert_true(visited(&v, "/test.slice/session-1.scope"));
	assert_true(visited(&v, "/other/a/b"));
	assert_int_equal(v.unreadable, 0);
	/* A visit that says stop stops the walk, and every folder it
	 * opened is closed. */
	memset(&v, 0, sizeof(v));
	v.stop_at = 3;
	assert_true(cgroup_walk(w, dir, record_visit, &v));
	assert_int_equal(v.n, 3);
	assert_int_equal(open_fds(), fds);
	memset(&v, 0, sizeof(v));
	assert_false(cgroup_walk(w, "/nonexistent/bustd-test", record_visit,
	    &v));
	assert_int_equal(v.unreadable, 1);
	rm_tree(dir);
	free(w);
}

static void
test_cgroup_walk_too_deep(void **state)
{
	struct cgroup_walk *w = calloc(1, sizeof(*w));
	char dir[PATH_MAX], deep[PATH_MAX];
	struct visits v;
	size_t len;
	int i;

	assert_non_null(w);
	temp_dir(dir, sizeof(dir), "cgroup-deep");
	len = (size_t)snprintf(deep, sizeof(deep), "%s", "");
	for (i = 0; i < CGROUP_DEPTH_MAX + 1; i++)
		len += (size_t)snprintf(deep + len, sizeof(deep) - len, "/d");
	cgroup_procs(dir, deep, "1\n");
	memset(&v, 0, sizeof(v));
	cgroup_walk(w, dir, record_visit, &v);
	/* The top and CGROUP_DEPTH_MAX levels; the one below is a part
	 * the caller hears of as unreadable (fail safe). */
	assert_int_equal(v.n, CGROUP_DEPTH_MAX + 1);
	assert_int_equal(v.unreadable, 1);
	rm_tree(dir);
	free(w);
}

/* --- unit = auto --- */

/* kit_start() with the log captured into log. */
static int
kit_start_logged(struct kit *t, int sig, char *log, size_t size)
{
	struct capture cap;
	int r;

	memset(&cap, 0, sizeof(cap));
	capture_start(&cap);
	r = kit_start(t, sig);
	capture_end(&cap, log, size);
	return r;
}

static void
test_kill_start_auto_app_scope(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\nunit = auto\n", 0, true);
	char want[PATH_MAX + 64], log[8192];

	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n");
	kit_victim(t, 3600, 400000);
	t->v.unit_mem_kib = 3 * 1024 * 1024;
	assert_int_equal(kit_start_logged(t, SIGKILL, log, sizeof(log)), 0);
	assert_true(t->k.whole_cgroup);
	snprintf(want, sizeof(want), "%s%s/cgroup.kill", t->cgroot, APP_SCOPE);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 1);
	assert_string_equal(fake_sys_nth(&t->f, "write_file", 0)->path, want);
	/* The line says which unit, why, and how many it held. */
	assert_non_null(strstr(log, "pid 3600 (firefox) uid 1000 (cloudsdk): "
	                            "sending SIGKILL and its cgroup "
	                            APP_SCOPE " (an application scope; 2 "
	                            "processes, 3.00 GiB): rss "));
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_auto_protected_member(void **state)
{
	struct kit *t = kit_open("kill-cgroup",
	    "[kill]\nunit = auto\n"
	    "[never-kill]\nexe = ^/usr/bin/keepassxc$\n",
	    0, true);
	char log[8192];

	/*
	 * keepassxc in the scope keeps it whole: the process group then,
	 * which keepassxc is not in (firefox and its content process).
	 */
	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n3602\n");
	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start_logged(t, SIGTERM, log, sizeof(log)), 0);
	assert_false(t->k.whole_cgroup);
	assert_true(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	assert_int_equal(fake_sys_nth(&t->f, "kill", 0)->id, -3600);
	assert_non_null(strstr(log, "cgroup " APP_SCOPE " not killed whole: "
	                            "pid 3602 (keepassxc, [never-kill])"));
	assert_non_null(strstr(log, "sending SIGTERM and its process group "
	                            "3600 (2 processes; cgroup " APP_SCOPE
	                            " holds pid 3602 (keepassxc, "
	                            "[never-kill])): rss "));
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_auto_session(void **state)
{
	struct kit *t =
	    kit_open("kill-basic", "[kill]\nunit = auto\n", 0, true);
	char log[8192], path[PATH_MAX + 32];

	/* A login session is never killed whole: the group instead. */
	cgroup_procs(t->cgroot, "/user.slice/user-1000.slice/session-4.scope",
	    "3100\n3101\n");
	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start_logged(t, SIGKILL, log, sizeof(log)), 0);
	assert_false(t->k.whole_cgroup);
	assert_true(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	assert_non_null(strstr(log, "sending SIGKILL and its process group "
	                            "3100 (2 processes; cgroup /user.slice/"
	                            "user-1000.slice/session-4.scope is a "
	                            "login session): rss "));
	kill_abandon(&t->k);
	kit_close(t);

	/* In a service, the group is the service: only the victim. */
	t = kit_open("kill-basic", "[kill]\nunit = auto\n", 0, true);
	snprintf(path, sizeof(path), "%s/3100/cgroup", t->tmp);
	write_text(path, "0::/system.slice/hog.service\n");
	snprintf(path, sizeof(path), "%s/3101/cgroup", t->tmp);
	write_text(path, "0::/system.slice/hog.service\n");
	cgroup_procs(t->cgroot, "/system.slice/hog.service", "3100\n3101\n");
	kit_victim(t, 3100, 777777);
	assert_int_equal(kit_start_logged(t, SIGKILL, log, sizeof(log)), 0);
	assert_false(t->k.whole_cgroup);
	assert_false(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_non_null(strstr(log, "sending SIGKILL alone (cgroup "
	                            "/system.slice/hog.service is a service): "
	                            "rss "));
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_auto_alone(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\nunit = auto\n", 0, true);
	char log[8192];

	/* A [prefer] match (victim_select() says alone) dies alone, its
	 * application and group left be. */
	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n");
	kit_victim(t, 3601, 400500);
	t->v.alone = true;
	assert_int_equal(kit_start_logged(t, SIGKILL, log, sizeof(log)), 0);
	assert_false(t->k.whole_cgroup);
	assert_false(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_non_null(strstr(log, "sending SIGKILL alone (a [prefer] "
	                            "match): rss "));
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_start_auto_oom_group(void **state)
{
	struct kit *t =
	    kit_open("kill-cgroup", "[kill]\nunit = auto\n", 0, true);
	char path[PATH_MAX + 64], log[8192];

	/* Not an application by name: the group (3620 alone in it). */
	cgroup_procs(t->cgroot, "/machine.slice/lxc-box", "3620\n");
	kit_victim(t, 3620, 420000);
	assert_int_equal(kit_start_logged(t, SIGKILL, log, sizeof(log)), 0);
	assert_false(t->k.whole_cgroup);
	assert_non_null(strstr(log, "and its process group 3620 (1 process; "
	                            "cgroup /machine.slice/lxc-box is not an "
	                            "application): rss "));
	kill_abandon(&t->k);
	kit_close(t);

	/* With memory.oom.group = 1, its owner asked for it whole. */
	t = kit_open("kill-cgroup", "[kill]\nunit = auto\n", 0, true);
	cgroup_procs(t->cgroot, "/machine.slice/lxc-box", "3620\n");
	snprintf(path, sizeof(path), "%s/machine.slice/lxc-box/"
	    "memory.oom.group", t->cgroot);
	write_text(path, "1\n");
	kit_victim(t, 3620, 420000);
	assert_int_equal(kit_start_logged(t, SIGKILL, log, sizeof(log)), 0);
	assert_true(t->k.whole_cgroup);
	assert_non_null(strstr(log, "and its cgroup /machine.slice/lxc-box "
	                            "(memory.oom.group = 1; 1 process): rss "));
	kill_abandon(&t->k);
	kit_close(t);

	/* A slice never is, whatever it says (root cgroup: its group). */
	t = kit_open("kill-cgroup", "[kill]\nunit = auto\n", 0, true);
	cgroup_procs(t->cgroot, "", "2\n3\n3610\n");
	kit_victim(t, 3610, 410000);
	assert_int_equal(kit_start_logged(t, SIGKILL, log, sizeof(log)), 0);
	assert_false(t->k.whole_cgroup);
	assert_non_null(strstr(log, "cgroup / is the root cgroup)"));
	kill_abandon(&t->k);
	kit_close(t);
}

static void
test_kill_check_auto_never_widens(void **state)
{
	struct kit *t = kit_open("kill-cgroup",
	    "[kill]\nunit = auto\nterm_timeout = 10s\n"
	    "[never-kill]\nexe = ^/usr/bin/keepassxc$\n",
	    0, true);

	/* The group at SIGTERM, keepassxc in the scope... */
	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n3602\n");
	kit_victim(t, 3600, 400000);
	assert_int_equal(kit_start(t, SIGTERM), 0);
	assert_true(t->k.whole_group);
	/* ...has left by SIGKILL: still the group, not the cgroup. */
	cgroup_procs(t->cgroot, APP_SCOPE, "3600\n3601\n");
	fake_sys_clear(&t->f);
	fake_sys_advance(&t->f, 10000);
	assert_int_equal(check(t, false, NULL), EV_NONE);
	assert_false(t->k.whole_cgroup);
	assert_true(t->k.whole_group);
	assert_int_equal(fake_sys_count(&t->f, "write_file", 0), 0);
	kill_abandon(&t->k);
	kit_close(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_start_term_via_pidfd),
		cmocka_unit_test(test_kill_check_term_timeout),
		cmocka_unit_test(test_kill_check_gone_before_timeout),
		cmocka_unit_test(test_kill_check_kill_level),
		cmocka_unit_test(test_kill_start_sigkill),
		cmocka_unit_test(test_kill_check_stuck),
		cmocka_unit_test(test_kill_check_stuck_after_escalation),
		cmocka_unit_test(test_kill_start_reused_pid),
		cmocka_unit_test(test_kill_start_vanished),
		cmocka_unit_test(test_kill_start_gone_after_pidfd_open),
		cmocka_unit_test(test_kill_start_no_pidfd),
		cmocka_unit_test(test_kill_start_no_pidfd_reused_pid),
		cmocka_unit_test(test_kill_start_no_pidfd_reused_before_kill),
		cmocka_unit_test(test_kill_check_no_pidfd_escalates),
		cmocka_unit_test(test_kill_check_no_pidfd_zombie),
		cmocka_unit_test(test_kill_start_zombie),
		cmocka_unit_test(test_kill_start_dry_run),
		cmocka_unit_test(test_kill_start_dry_run_cgroup),
		cmocka_unit_test(test_kill_start_process_group),
		cmocka_unit_test(test_kill_check_process_group_left),
		cmocka_unit_test(test_kill_check_process_group_start_time),
		cmocka_unit_test(
		    test_kill_start_process_group_victim_died_first),
		cmocka_unit_test(test_kill_start_process_group_never_kill),
		cmocka_unit_test(test_kill_start_names_every_rule),
		cmocka_unit_test(test_kill_start_process_group_not_only_kill),
		cmocka_unit_test(test_kill_start_process_group_init),
		cmocka_unit_test(test_kill_start_process_group_self),
		cmocka_unit_test(test_kill_start_cgroup_kill),
		cmocka_unit_test(test_kill_start_cgroup_term_then_kill),
		cmocka_unit_test(test_kill_start_cgroup_never_kill_member),
		cmocka_unit_test(test_kill_start_cgroup_self_member),
		cmocka_unit_test(test_kill_start_cgroup_root),
		cmocka_unit_test(test_kill_start_cgroup_no_mount),
		cmocka_unit_test(test_kill_start_cgroup_procs_unreadable),
		cmocka_unit_test(test_kill_start_cgroup_child_unreadable),
		cmocka_unit_test(test_kill_start_cgroup_kill_fails),
		cmocka_unit_test(test_kill_start_cgroup_never_kill_in_child),
		cmocka_unit_test(test_kill_check_cgroup_guard_at_escalation),
		cmocka_unit_test(test_kill_start_signal_fails),
		cmocka_unit_test(test_kill_start_no_pidfd_kill_fails),
		cmocka_unit_test(test_kill_start_mrelease_fails),
		cmocka_unit_test(test_kill_start_busy),
		cmocka_unit_test(test_kill_abandon_closes),
		cmocka_unit_test(test_kill_user_name_root),
		cmocka_unit_test(test_kill_user_name_unknown),
		cmocka_unit_test(test_kill_find_cgroup2_found),
		cmocka_unit_test(test_kill_find_cgroup2_v1_only),
		cmocka_unit_test(test_kill_find_cgroup2_long_mountinfo),
		cmocka_unit_test(test_kill_start_auto_app_scope),
		cmocka_unit_test(test_kill_start_auto_protected_member),
		cmocka_unit_test(test_kill_start_auto_session),
		cmocka_unit_test(test_kill_start_auto_alone),
		cmocka_unit_test(test_kill_start_auto_oom_group),
		cmocka_unit_test(test_kill_check_auto_never_widens),
		cmocka_unit_test(test_cgroup_kind_by_name),
		cmocka_unit_test(test_cgroup_read_u64_files),
		cmocka_unit_test(test_cgroup_walk_paths),
		cmocka_unit_test(test_cgroup_walk_too_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
