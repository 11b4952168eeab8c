/* SPDX-License-Identifier: MIT */
/* test_daemon.c: unit tests of whole passes of the loop, with a fake OS. */
#include <errno.h>
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

#include "daemon.h"
#include "fake_sys.h"
#include "log.h"
#include "util.h"

/*
 * The tree is tests/fixtures/kill-basic (1 systemd; 3100 hog, oom_score
 * 800; 3101 hog-worker, 300) copied, with a meminfo and a zoneinfo the
 * tests write: a 16 GiB machine without swap.  sysinfo (the fake's) says
 * little is free, so that every pass reads meminfo.
 */
struct kit {
	struct fake_sys f;
	struct daemon_opts o;
	char tmp[PATH_MAX];
	char conf[PATH_MAX + 16];
	char meminfo[PATH_MAX + 16];
};

static struct daemon d;

/* meminfo (and sysinfo) with this much available and this swap. */
static void
set_mem(struct kit *t, uint64_t avail_mib, uint64_t swap_mib,
    uint64_t swap_free_mib)
{
	char text[256];

	snprintf(text, sizeof(text),
	    "MemTotal:       16777216 kB\n"
	    "MemFree:          102400 kB\n"
	    "MemAvailable:   %8llu kB\n"
	    "SwapTotal:      %8llu kB\n"
	    "SwapFree:       %8llu kB\n",
	    (unsigned long long)avail_mib * 1024,
	    (unsigned long long)swap_mib * 1024,
	    (unsigned long long)swap_free_mib * 1024);
	write_text(t->meminfo, text);
	t->f.mem.swap_total_kib = swap_mib * 1024;
	t->f.mem.swap_free_kib = swap_free_mib * 1024;
}

static void
set_avail(struct kit *t, uint64_t mib)
{
	set_mem(t, mib, 0, 0);
}

/* Start a daemon on conf (appended to a fenced policy of our own). */
static struct kit *
kit_open(const char *conf)
{
	struct kit *t = calloc(1, sizeof(*t));
	char src[PATH_MAX], path[PATH_MAX + 16], text[1024];
	struct policy *p;

	assert_non_null(t);
	fake_sys_init(&t->f);
	t->f.mem.free_kib = 100 * 1024;
	temp_dir(t->tmp, sizeof(t->tmp), "daemon");
	copy_tree(fixture(src, sizeof(src), "kill-basic"), t->tmp);
	snprintf(t->meminfo, sizeof(t->meminfo), "%s/meminfo", t->tmp);
	set_avail(t, 8192);
	snprintf(path, sizeof(path), "%s/zoneinfo", t->tmp);
	write_text(path, "Node 0, zone   Normal\n  pages free     1000\n"
	    "        min      100\n        low      200\n        high     300\n"
	    "        managed  4000000\n        protection: (0, 0, 0, 0)\n");
	snprintf(t->conf, sizeof(t->conf), "%s/bustd.conf", t->tmp);
	snprintf(text, sizeof(text),
	    "[general]\nprofile = none\n[thresholds]\nmem_term = 1G\n"
	    "mem_kill = 512M\npsi_metric = off\n[kill]\ncooldown = 5s\n%s",
	    conf);
	write_text(t->conf, text);
	assert_int_equal(chmod(t->conf, 0600), 0);
	t->o.path = t->conf;
	t->o.procfs = t->tmp;
	t->o.no_daemon = true;
	p = daemon_load_policy(&t->o, &t->f.ops, false, false);
	assert_non_null(p);
	assert_int_equal(daemon_init(&d, &t->o, p, &t->f.ops), 0);
	return t;
}

static void
kit_close(struct kit *t)
{
	daemon_free(&d);
	rm_tree(t->tmp);
	free(t);
}

/* --- Tests --- */

static void
test_daemon_poll_fine(void **state)
{
	struct kit *t = kit_open("");

	daemon_poll(&d);
	assert_int_equal(d.out.action, ACTION_NONE);
	assert_true(d.in.mem.exact);
	assert_int_equal(d.in.mem.avail_kib, 8192 * 1024);
	assert_int_equal(fake_sys_count_actions(&t->f), 0);
	assert_int_equal(d.woke_for, DL_HEADROOM);
	assert_true(d.sleep_ms > 0);
	kit_close(t);
}

static void
test_daemon_poll_kill_and_gone(void **state)
{
	struct kit *t = kit_open("[kill]\nterm_timeout = 2s\n");
	const struct fake_call *c;

	set_avail(t, 900);
	daemon_poll(&d);
	assert_int_equal(d.out.action, ACTION_TERM);
	c = fake_sys_nth(&t->f, "pidfd_open", 0);
	assert_non_null(c);
	assert_int_equal(c->id, 3100);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGTERM),
	    1);
	assert_int_equal(d.killer.state, KILL_WAITING);
	assert_int_equal(d.m.kills[REASON_MEM_TERM][0], 1);
	assert_int_equal(d.dec.refill.avail_kib, 900 * 1024);
	/* Waiting: the victim's deadline, or the pidfd, wakes the loop. */
	assert_true(d.sleep_ms <= 2000);

	/* Its exit: the kill is over, memory is looked at again at once. */
	fake_sys_advance(&t->f, 300);
	t->f.exited = 1;
	daemon_poll(&d);
	assert_int_equal(d.out.action, ACTION_GONE);
	assert_int_equal(d.killer.state, KILL_IDLE);
	assert_int_equal(d.killer.n_gone, 1);
	assert_int_equal(d.sleep_ms, 0);
	assert_int_equal(d.woke_for, DL_NOW);

	/* Still below mem_term: its memory may be on the way back. */
	fake_sys_advance(&t->f, 1);
	daemon_poll(&d);
	assert_int_equal(d.out.action, ACTION_HOLD);
	assert_int_equal(d.sleep_ms, MONITOR_SLEEP_MIN_MS);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_open", 0), 1);
	kit_close(t);
}

static void
test_daemon_poll_escalates(void **state)
{
	struct kit *t = kit_open("[kill]\nterm_timeout = 2s\n");

	set_avail(t, 900);
	daemon_poll(&d);
	fake_sys_clear(&t->f);
	fake_sys_advance(&t->f, 1999);
	daemon_poll(&d);
	assert_int_equal(fake_sys_count_actions(&t->f), 0);
	fake_sys_advance(&t->f, 1);
	daemon_poll(&d);
	assert_int_equal(d.out.action, ACTION_ESCALATE);
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", SIGKILL),
	    1);
	assert_int_equal(d.killer.n_escalate_timeout, 1);
	kit_close(t);
}

static void
test_daemon_poll_no_candidate(void **state)
{
	struct kit *t = kit_open("[only-kill]\nname = ^nothing$\n");
	struct capture cap;
	char log[4096];
	const char *first;

	set_avail(t, 900);
	capture_start(&cap);
	daemon_poll(&d);
	assert_int_equal(d.out.action, ACTION_TERM);
	assert_int_equal(d.m.no_candidate, 1);
	/* The next scan in a second, not sooner. */
	assert_int_equal(d.sleep_ms, 1000);
	assert_int_equal(d.woke_for, DL_RETRY);
	fake_sys_advance(&t->f, 500);
	daemon_poll(&d);
	assert_int_equal(d.out.action, ACTION_NONE);
	assert_int_equal(d.m.no_candidate, 1);
	assert_int_equal(d.sleep_ms, 500);
	fake_sys_advance(&t->f, 500);
	daemon_poll(&d);
	assert_int_equal(d.m.no_candidate, 2);
	capture_end(&cap, log, sizeof(log));
	/* Said once. */
	first = strstr(log, "but no process may be killed");
	assert_non_null(first);
	assert_null(strstr(first + 1, "but no process may be killed"));
	assert_int_equal(fake_sys_count_actions(&t->f), 0);
	kit_close(t);
}

static void
test_daemon_poll_vanished_victim(void **state)
{
	struct kit *t = kit_open("");

	set_avail(t, 900);
	t->f.pidfd_open_err = -ESRCH;
	daemon_poll(&d);
	/* Its memory may be free already: look again before anyone else. */
	assert_int_equal(d.out.action, ACTION_TERM);
	assert_int_equal(d.killer.state, KILL_IDLE);
	assert_int_equal(d.sleep_ms, 0);
	assert_int_equal(d.woke_for, DL_NOW);
	assert_int_equal(fake_sys_count_actions(&t->f), 0);
	assert_int_equal(d.m.kills[REASON_MEM_TERM][0], 0);
	kit_close(t);
}

static void
test_daemon_poll_dry_run(void **state)
{
	struct kit *t =
	    kit_open("[general]\ndry_run = yes\n[kill]\nterm_timeout = 1s\n");
	struct capture cap;
	char log[4096];

	set_avail(t, 900);
	capture_start(&cap);
	daemon_poll(&d);
	fake_sys_advance(&t->f, 1000);
	daemon_poll(&d);
	daemon_poll(&d);
	capture_end(&cap, log, sizeof(log));
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "kill", 0), 0);
	assert_int_equal(fake_sys_count(&t->f, "process_mrelease", 0), 0);
	assert_non_null(strstr(log, "pid 3100 (hog) uid 1000"));
	assert_non_null(strstr(log, "dry run, would send SIGTERM"));
	assert_non_null(strstr(log, "dry run, would send SIGKILL"));
	assert_non_null(strstr(log, "dry run, nothing was sent"));
	assert_int_equal(d.killer.state, KILL_IDLE);
	/* Counted apart: no kill happened. */
	assert_int_equal(d.m.kills[REASON_MEM_TERM][0], 0);
	assert_int_equal(d.m.dry_kills[REASON_MEM_TERM][0], 1);
	assert_int_equal(d.killer.n_term + d.killer.n_kill, 0);
	assert_int_equal(d.killer.n_dry, 1);
	kit_close(t);
}

static void
test_daemon_reload(void **state)
{
	struct kit *t = kit_open("");
	struct capture cap;
	char log[4096];

	assert_int_equal(d.lim.mem_term_kib, 1024 * 1024);
	write_text(t->conf, "[general]\nprofile = none\n[thresholds]\n"
	    "mem_term = 2G\nmem_kill = 1G\npsi_metric = off\n");
	daemon_reload(&d);
	assert_true(d.m.reload_ok);
	assert_int_equal(d.lim.mem_term_kib, 2 * 1024 * 1024);
	/* A bad file keeps the policy that runs. */
	write_text(t->conf, "[thresholds]\nmem_term = lots\n");
	capture_start(&cap);
	daemon_reload(&d);
	capture_end(&cap, log, sizeof(log));
	assert_false(d.m.reload_ok);
	assert_int_equal(d.lim.mem_term_kib, 2 * 1024 * 1024);
	assert_non_null(strstr(log, "bustd.conf:2: mem_term: bad value"));
	assert_non_null(strstr(log, "keeping the previous policy"));
	kit_close(t);
}

/* Swap switched on after start: the percentage levels follow it. */
static void
test_daemon_levels_follow_swap(void **state)
{
	struct kit *t = kit_open("[thresholds]\nswap_term = 50%\n"
	    "swap_kill = 25%\n");
	struct capture cap;
	char log[4096];

	daemon_poll(&d);
	assert_int_equal(d.lim.swap_term_kib, 0);
	/* Below mem_term, but swap is plenty: nothing to do. */
	set_mem(t, 900, 4096, 4000);
	capture_start(&cap);
	fake_sys_advance(&t->f, 100);
	daemon_poll(&d);
	capture_end(&cap, log, sizeof(log));
	assert_int_equal(d.lim.swap_term_kib, 2048 * 1024);
	assert_int_equal(d.lim.swap_kill_kib, 1024 * 1024);
	assert_int_equal(d.out.action, ACTION_NONE);
	assert_non_null(strstr(log, "memory totals changed: MemTotal 16.00 "
	    "GiB, SwapTotal 4.00 GiB; swap_term 2.00 GiB, swap_kill 1.00 GiB "
	    "now"));
	/* Used up: the pair holds. */
	set_mem(t, 900, 4096, 2000);
	fake_sys_advance(&t->f, 100);
	daemon_poll(&d);
	assert_int_equal(d.out.action, ACTION_TERM);
	kill_abandon(&d.killer);
	/* And off again. */
	set_mem(t, 8192, 0, 0);
	fake_sys_advance(&t->f, 100);
	daemon_poll(&d);
	assert_int_equal(d.lim.swap_term_kib, 0);
	kit_close(t);
}

/*
 * zram swap whose data does not compress: SwapFree says 3 GiB are left,
 * but they would take RAM there is not.  The swap levels count what can
 * really be used, so memory low is low enough.
 */
static void
test_daemon_zram_usable_swap(void **state)
{
	struct kit *t = kit_open("[thresholds]\nswap_term = 10%\n"
	    "swap_kill = 5%\n");
	char path[PATH_MAX + 128], dir[PATH_MAX + 64], sys[PATH_MAX + 16];

	/* A fake /sys with block/zram0/mm_stat: 1 GiB stored in 1.02. */
	snprintf(sys, sizeof(sys), "%s/sys", t->tmp);
	snprintf(dir, sizeof(dir), "%s/block/zram0", sys);
	mkdir_p(dir);
	snprintf(path, sizeof(path), "%s/mm_stat", dir);
	write_text(path, "1073741824 1073741824 1096810496 0 1096810496 0 0 "
	    "0 0\n");
	snprintf(path, sizeof(path), "%s/swaps", t->tmp);
	write_text(path, "Filename Type Size Used Priority\n"
	    "/dev/zram0 partition 4194304 1048576 100\n");
	daemon_free(&d);
	t->o.sysfs = sys;
	assert_int_equal(daemon_init(&d, &t->o,
	    daemon_load_policy(&t->o, &t->f.ops, false, false), &t->f.ops), 0);
	/* Swap on at start: found by the first pass. */
	set_mem(t, 300, 4096, 3072);
	daemon_poll(&d);
	assert_int_equal(d.mon.nzram, 1);
	assert_true(d.in.mem.zram);
	/* 300 MiB of RAM at 1:1.02: under 300 MiB of swap usable, below
	 * swap_term (410 MiB), so mem_term acts. */
	assert_true(d.in.mem.swap_usable_kib < 300 * 1024);
	assert_true(d.in.mem.swap_usable_kib > 290 * 1024);
	assert_int_equal(d.out.action, ACTION_TERM);
	kill_abandon(&d.killer);
	/* The same on a disk: 3 GiB free is plenty, nothing to do. */
	write_text(path, "Filename Type Size Used Priority\n"
	    "/swapfile file 4194304 1048576 -2\n");
	set_mem(t, 300, 4097, 3072);
	fake_sys_advance(&t->f, 100);
	daemon_poll(&d);
	assert_false(d.in.mem.zram);
	assert_int_equal(d.out.action, ACTION_NONE);
	kit_close(t);
}

/* The warning level: who would go first, said once, nothing signalled. */
static void
test_daemon_warning(void **state)
{
	struct kit *t = kit_open("[thresholds]\nmem_warn = 2G\n"
	    "[notify]\nexec = /bin/true\nwarn_interval = 1m\n");
	struct capture cap;
	char log[4096];
	const char *w;

	t->f.spawn_pid = 4194001;
	set_avail(t, 1500);
	capture_start(&cap);
	daemon_poll(&d);
	fake_sys_advance(&t->f, 500);
	daemon_poll(&d);
	capture_end(&cap, log, sizeof(log));
	w = strstr(log, "warning: Memory is low: hog uses 1.91 GiB and will be "
	    "stopped first if memory runs out (MemAvailable 1.46 GiB <= "
	    "mem_warn 2.00 GiB; pid 3100, uid 1000 (");
	assert_non_null(w);
	assert_null(strstr(w + 16, "Memory is low"));
	assert_int_equal(d.m.warnings[REASON_MEM_TERM], 1);
	assert_true(d.m.warning_active);
	/* The hook ran, once; no signal was sent. */
	assert_int_equal(fake_sys_count(&t->f, "spawn", 0), 1);
	assert_string_equal(fake_sys_nth(&t->f, "spawn", 0)->path, "/bin/true");
	assert_int_equal(fake_sys_count(&t->f, "pidfd_send_signal", 0), 0);
	assert_int_equal(d.warned.pid, 3100);
	assert_string_equal(d.warned.comm, "hog");
	kit_close(t);
}

static void
test_daemon_metrics(void **state)
{
	struct kit *t = kit_open("");
	char path[PATH_MAX + 16], text[PATH_MAX + 256];
	char buf[8192];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/bustd.prom", t->tmp);
	snprintf(text, sizeof(text), "[general]\nprofile = none\n"
	    "metrics_file = %s\n[thresholds]\nmem_term = 1G\nmem_kill = 512M\n"
	    "psi_metric = off\n", path);
	write_text(t->conf, text);
	daemon_reload(&d);
	set_avail(t, 900);
	daemon_poll(&d);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(strstr(buf,
	    "bustd_kills_total{reason=\"mem_term\",signal=\"SIGTERM\"} 1\n"));
	/* Rewritten every DAEMON_METRICS_MS: it is a deadline. */
	assert_int_equal(d.out.at_ms[DL_METRICS],
	    t->f.now_ms + DAEMON_METRICS_MS);
	kit_close(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_poll_fine),
		cmocka_unit_test(test_daemon_poll_kill_and_gone),
		cmocka_unit_test(test_daemon_poll_escalates),
		cmocka_unit_test(test_daemon_poll_no_candidate),
		cmocka_unit_test(test_daemon_poll_vanished_victim),
		cmocka_unit_test(test_daemon_poll_dry_run),
		cmocka_unit_test(test_daemon_reload),
		cmocka_unit_test(test_daemon_levels_follow_swap),
		cmocka_unit_test(test_daemon_zram_usable_swap),
		cmocka_unit_test(test_daemon_warning),
		cmocka_unit_test(test_daemon_metrics),
	};

	log_open(LOG_TARGET_STDERR, LOG_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
