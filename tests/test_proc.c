/* SPDX-License-Identifier: MIT */
/* test_proc.c: unit tests of the /proc/PID parsers and readers in proc.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "proc.h"
#include "util.h"

/*
 * Real /proc/PID/stat lines of the test VM (Linux 6.18).  The hostile
 * names were set by a python3 writing /proc/self/comm (or prctl
 * PR_SET_NAME for the empty one) and reading its own stat back.
 */
static const char stat_init[] =
    "1 (process_api) S 0 0 0 0 -1 4194560 36116 3295424 0 6134 93 550 "
    "4451 3613 10 -10 13 0 24 41668608 2904 18446744073709551615 1 1 0 0 "
    "0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
static const char stat_kthreadd[] =
    "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 24 0 0 "
    "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 "
    "0 0 0 0 0 0 0 0\n";
/* Workqueue workers show more than 15 bytes: wq_worker_comm(). */
static const char stat_kworker[] =
    "12 (kworker/u8:0-events_unbound) I 2 0 0 0 -1 69238880 0 0 0 0 0 49 "
    "0 0 20 0 1 0 24 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 "
    "1 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
static const char stat_zombie[] =
    "27514 (sh) Z 27512 27495 12427 0 -1 4227148 23 0 0 0 0 0 0 0 20 0 1 "
    "0 297982 0 0 18446744073709551615 0 0 0 0 0 0 0 6 65536 1 0 0 17 0 0 "
    "0 0 0 0 0 0 0 0 0 0 0 0\n";
/* The fields after the name are the same in all the hostile lines. */
#define HOSTILE_TAIL                                                           \
	" R 15435 15435 12427 0 -1 4194304 2847 6584 0 0 3 0 4 0 20 0 1 0 "    \
	"256376 16961536 3356 18446744073709551615 93946701651968 "            \
	"93946701652309 140726759867888 0 0 0 0 16781312 2 0 0 0 17 0 0 0 0 "  \
	"0 0 93946701663664 93946701664280 93947024945152 140726759876653 "    \
	"140726759876823 140726759876823 140726759878607 0\n"

/* Parse text (no NUL after it, so overreads show under ASan). */
static int
parse_stat(const char *text, size_t len, struct proc_stat *st)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, text, len);
	r = proc_stat_parse_buf(copy, len, st);
	free(copy);
	return r;
}

static void
assert_hostile(const char *line, const char *comm)
{
	struct proc_stat st;

	memset(&st, 0x55, sizeof(st));
	assert_int_equal(parse_stat(line, strlen(line), &st), 0);
	assert_string_equal(st.comm, comm);
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 15435);
	assert_int_equal(st.pgrp, 15435);
	assert_int_equal(st.flags, 4194304);
	assert_int_equal(st.start_time, 256376);
	assert_int_equal(st.rss_pages, 3356);
}

static void
test_proc_stat_parse_buf_init(void **state)
{
	struct proc_stat st;

	(void)state;
	assert_int_equal(parse_stat(stat_init, strlen(stat_init), &st), 0);
	assert_string_equal(st.comm, "process_api");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 0);
	assert_int_equal(st.pgrp, 0);
	assert_int_equal(st.flags, 4194560);
	assert_false(st.flags & PROC_PF_KTHREAD);
	assert_int_equal(st.start_time, 24);
	assert_int_equal(st.rss_pages, 2904);
}

static void
test_proc_stat_parse_buf_kthread(void **state)
{
	struct proc_stat st;

	(void)state;
	assert_int_equal(parse_stat(stat_kthreadd, strlen(stat_kthreadd), &st),
	    0);
	assert_string_equal(st.comm, "kthreadd");
	assert_int_equal(st.flags, 2129984); /* 0x00208040 */
	assert_true(st.flags & PROC_PF_KTHREAD);
	assert_int_equal(st.ppid, 0);
	assert_int_equal(st.start_time, 24);
	assert_int_equal(st.rss_pages, 0);
}

static void
test_proc_stat_parse_buf_kworker_long_name(void **state)
{
	struct proc_stat st;

	(void)state;
	assert_int_equal(parse_stat(stat_kworker, strlen(stat_kworker), &st),
	    0);
	/* Cut to what fits; the fields after the name are still right. */
	assert_string_equal(st.comm, "kworker/u8:0-ev");
	assert_int_equal(st.state, 'I');
	assert_int_equal(st.ppid, 2);
	assert_true(st.flags & PROC_PF_KTHREAD); /* 0x04208060 */
	assert_int_equal(st.start_time, 24);
	assert_int_equal(st.rss_pages, 0);
}

static void
test_proc_stat_parse_buf_zombie(void **state)
{
	struct proc_stat st;

	(void)state;
	assert_int_equal(parse_stat(stat_zombie, strlen(stat_zombie), &st), 0);
	assert_string_equal(st.comm, "sh");
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.ppid, 27512);
	assert_int_equal(st.pgrp, 27495);
	assert_int_equal(st.start_time, 297982);
	assert_int_equal(st.rss_pages, 0);
}

static void
test_proc_stat_parse_buf_paren_in_name(void **state)
{
	(void)state;
	assert_hostile("15437 (a) Z b)" HOSTILE_TAIL, "a) Z b");
}

static void
test_proc_stat_parse_buf_many_parens(void **state)
{
	(void)state;
	assert_hostile("15478 () ( ) (x) ()" HOSTILE_TAIL, ") ( ) (x) (");
}

static void
test_proc_stat_parse_buf_fake_fields(void **state)
{
	/* The name mimics the start of a stat line: "x) R 1 1 1 1". */
	(void)state;
	assert_hostile("15724 (x) R 1 1 1 1)" HOSTILE_TAIL, "x) R 1 1 1 1");
}

static void
test_proc_stat_parse_buf_newline(void **state)
{
	(void)state;
	assert_hostile("15519 (a\nb)" HOSTILE_TAIL, "a\nb");
}

static void
test_proc_stat_parse_buf_15_chars(void **state)
{
	(void)state;
	assert_hostile("15560 (abcdefghijklmno)" HOSTILE_TAIL,
	    "abcdefghijklmno");
}

static void
test_proc_stat_parse_buf_empty_name(void **state)
{
	(void)state;
	assert_hostile("15898 ()" HOSTILE_TAIL, "");
}

static void
test_proc_stat_parse_buf_spaces(void **state)
{
	(void)state;
	assert_hostile("15683 (  sp ace  )" HOSTILE_TAIL, "  sp ace  ");
}

static void
test_proc_stat_parse_buf_truncated(void **state)
{
	static const char *const lines[] = {
		stat_init,
		stat_kthreadd,
		"15437 (a) Z b)" HOSTILE_TAIL,
		"15724 (x) R 1 1 1 1)" HOSTILE_TAIL,
	};
	struct proc_stat st;
	size_t i, len, cut, full;
	const char *p;
	int f;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		/* Where field 24 (rss) starts: 21 spaces after the last ')'. */
		p = strrchr(lines[i], ')');
		for (f = 3; f <= 24; f++)
			p = strchr(p + 1, ' ');
		full = (size_t)(p + 1 - lines[i]);
		/* Every cut before rss starts is an error, not a crash. */
		for (cut = 0; cut < full; cut++)
			assert_int_not_equal(parse_stat(lines[i], cut, &st), 0);
		/* Any longer cut must not crash either. */
		len = strlen(lines[i]);
		for (cut = full; cut <= len; cut++)
			(void)parse_stat(lines[i], cut, &st);
	}
}

static void
test_proc_stat_parse_buf_no_close_paren(void **state)
{
	static const char *const bad[] = {
		"42 (sleep S 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 99 "
		"1 2 3\n",
		"42 )sleep( S 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 99 "
		"1 2 3\n",
		"42 sleep) S 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 99 1 "
		"2 3\n",
	};
	struct proc_stat st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(parse_stat(bad[i], strlen(bad[i]), &st),
		    0);
}

static void
test_proc_stat_parse_buf_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"garbage",
		"()",
		"1 (a)",
		"1 (a) ",
		"1 (a) S",
		"1 (a) S x y z",
		"1 (a) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 x 1 1\n",
		"1 (a) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 -\n",
		"1 (a) S 1 1 1 1 1 x 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n",
		"1 (a) S 99999999999999999999999 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 "
		"1 1 1 1 1\n",
		"1 (a) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 "
		"99999999999999999999999 1 1\n",
		"\x01\x02(\xff)\x80",
	};
	struct proc_stat st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(parse_stat(bad[i], strlen(bad[i]), &st),
		    0);
}

/* Real /proc/PID/status of init, Uid: line and the lines before it. */
static const char status_root[] =
    "Name:\tprocess_api\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\n"
    "Ngid:\t0\nPid:\t1\nPPid:\t0\nTracerPid:\t0\nUid:\t0\t0\t0\t0\n"
    "Gid:\t0\t0\t0\t0\nFDSize:\t512\nGroups:\t \n";

static void
test_proc_status_uid_parse_buf_root(void **state)
{
	uid_t uid = 42;

	(void)state;
	assert_int_equal(proc_status_uid_parse_buf(status_root,
	                     strlen(status_root), &uid),
	    0);
	assert_int_equal(uid, 0);
}

static void
test_proc_status_uid_parse_buf_real_uid(void **state)
{
	/* setpriv --ruid=1000: real 1000, effective, saved and fs 0. */
	static const char text[] =
	    "Name:\ta) Z b\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t27295\n"
	    "Ngid:\t0\nPid:\t27295\nPPid:\t27292\nTracerPid:\t0\n"
	    "Uid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
	uid_t uid = 42;

	(void)state;
	assert_int_equal(proc_status_uid_parse_buf(text, strlen(text), &uid),
	    0);
	assert_int_equal(uid, 1000);
}

static void
test_proc_status_uid_parse_buf_escaped_name(void **state)
{
	/* The kernel escapes a newline in Name: as "\n" (two bytes). */
	static const char text[] =
	    "Name:\tx\\nUid:\t0\nUmask:\t0022\nUid:\t1000\t1000\t1000\t1000\n";
	uid_t uid = 42;

	(void)state;
	assert_int_equal(proc_status_uid_parse_buf(text, strlen(text), &uid),
	    0);
	assert_int_equal(uid, 1000);
}

static void
test_proc_status_uid_parse_buf_missing(void **state)
{
	static const char *const bad[] = {
		"",
		"Name:\tsh\nPid:\t1\nGid:\t0\t0\t0\t0\n",
		"Name:\tsh\nUid:\n",
		"Name:\tsh\nUid:\tx\t0\t0\t0\n",
		"Uid",
		"uid:\t0\t0\t0\t0\n",
		"Uid:\t99999999999\t0\t0\t0\n",
	};
	uid_t uid = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(proc_status_uid_parse_buf(bad[i],
		                         strlen(bad[i]), &uid),
		    0);
		assert_int_equal(uid, 42);
	}
}

static void
test_proc_status_swap_parse_buf(void **state)
{
	static const char leak[] =
	    "Name:\thog\nUid:\t0\t0\t0\t0\nVmRSS:\t    2048 kB\n"
	    "VmSwap:\t 3145728 kB\nThreads:\t1\n";
	static const char *const bad[] = {
		"VmSwap:\tx kB\n",
		"VmSwap:\t12\n",
		"VmSwap:\t12 MB\n",
		"VmSwap:\t99999999999999999999 kB\n",
	};
	uint64_t kib = 42;
	size_t i;

	(void)state;
	assert_int_equal(proc_status_swap_parse_buf(leak, strlen(leak), &kib),
	    0);
	assert_int_equal(kib, 3145728);
	/* The root of status_root has no VmSwap line: a kernel thread's
	 * status has none, and it has nothing swapped. */
	kib = 42;
	assert_int_equal(proc_status_swap_parse_buf(status_root,
	                     strlen(status_root), &kib),
	    0);
	assert_int_equal(kib, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(proc_status_swap_parse_buf(bad[i],
		                     strlen(bad[i]), &kib),
		    -EINVAL);
}

static void
test_proc_meminfo_swap_parse_buf(void **state)
{
	static const char text[] =
	    "MemTotal:       24598480 kB\nMemFree:         1125260 kB\n"
	    "SwapCached:        12 kB\nSwapTotal:       4194300 kB\n"
	    "SwapFree:        4175996 kB\nZswap:    0 kB\n";
	uint64_t total = 0, free_kib = 0;

	(void)state;
	assert_int_equal(proc_meminfo_swap_parse_buf(text, strlen(text),
	                     &total, &free_kib),
	    0);
	assert_int_equal(total, 4194300);
	assert_int_equal(free_kib, 4175996);
	assert_int_equal(proc_meminfo_swap_parse_buf(text, 60, &total,
	                     &free_kib),
	    -EINVAL);
}

static void
test_proc_int_parse_buf_valid(void **state)
{
	static const struct {
		const char *text;
		int value;
	} ok[] = {
		{ "666\n", 666 },
		{ "0\n", 0 },
		{ "-1000\n", -1000 },
		{ "1000\n", 1000 },
		{ "2000", 2000 },
		{ "100000\n", 100000 },
	};
	size_t i;
	int v;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 12345;
		assert_int_equal(proc_int_parse_buf(ok[i].text,
		                     strlen(ok[i].text), &v),
		    0);
		assert_int_equal(v, ok[i].value);
	}
}

static void
test_proc_int_parse_buf_invalid(void **state)
{
	static const char *const bad[] = {
		"abc",
		"",
		"\n",
		"-",
		"-\n",
		"+5\n",
		"12abc\n",
		"1 2\n",
		"0x10\n",
		"--5\n",
	};
	size_t i;
	int v = 12345;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(proc_int_parse_buf(bad[i], strlen(bad[i]),
		                         &v),
		    0);
		assert_int_equal(v, 12345);
	}
}

static void
test_proc_int_parse_buf_huge(void **state)
{
	static const char *const bad[] = {
		"100001\n",
		"-100001\n",
		"2147483648\n",
		"-2147483649\n",
		"9223372036854775808\n",
		"-9223372036854775808\n",
		"99999999999999999999999999999\n",
	};
	size_t i;
	int v = 12345;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(proc_int_parse_buf(bad[i], strlen(bad[i]),
		                         &v),
		    0);
		assert_int_equal(v, 12345);
	}
}

/* Parse a cgroup text, failing the test if out is overrun. */
static int
parse_cgroup(const char *text, size_t len, char *out, size_t size)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, text, len);
	r = proc_cgroup_parse_buf(copy, len, out, size);
	free(copy);
	return r;
}

static void
test_proc_cgroup_parse_buf_v2(void **state)
{
	static const char text[] = "0::/user.slice/x\n";
	char out[PROC_PATH_MAX];

	(void)state;
	assert_int_equal(parse_cgroup(text, strlen(text), out, sizeof(out)), 0);
	assert_string_equal(out, "/user.slice/x");
	assert_int_equal(parse_cgroup("0::/\n", 5, out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	/* No final newline. */
	assert_int_equal(parse_cgroup("0::/a", 5, out, sizeof(out)), 0);
	assert_string_equal(out, "/a");
}

static void
test_proc_cgroup_parse_buf_hybrid(void **state)
{
	/* /proc/self/cgroup on the test VM (systemd-less hybrid). */
	static const char real[] =
	    "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n"
	    "5:devices:/\n"
	    "4:memory:/process_api/238b00ba444697f341d69ea6259630f2\n"
	    "3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";
	/* A systemd hybrid host. */
	static const char sd[] =
	    "12:cpu,cpuacct:/user.slice\n"
	    "1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n"
	    "0::/user.slice/user-1000.slice/session-2.scope\n";
	char out[PROC_PATH_MAX];

	(void)state;
	assert_int_equal(parse_cgroup(real, strlen(real), out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(parse_cgroup(sd, strlen(sd), out, sizeof(out)), 0);
	assert_string_equal(out, "/user.slice/user-1000.slice/session-2.scope");
}

static void
test_proc_cgroup_parse_buf_v1_only(void **state)
{
	/* cgroup2 never mounted: the kernel prints no 0:: line. */
	static const char text[] =
	    "9:name=systemd:/user.slice\n4:memory:/user.slice\n1:cpu:/\n";
	/* "10:..." and "0::" inside a path are not the v2 line. */
	static const char tricky[] = "10:name=x:/a0::/b\n1:cpu:/0::/c\n";
	char out[PROC_PATH_MAX];

	(void)state;
	assert_int_equal(parse_cgroup(text, strlen(text), out, sizeof(out)),
	    -ENOENT);
	assert_int_equal(parse_cgroup(tricky, strlen(tricky), out, sizeof(out)),
	    -ENOENT);
	assert_int_equal(parse_cgroup("", 0, out, sizeof(out)), -ENOENT);
}

static void
test_proc_cgroup_parse_buf_forged_line(void **state)
{
	/*
	 * The v2 path of a delegated cgroup holding "\n0::/system.slice/
	 * forged": the whole path comes back, newline and all, so a rule
	 * anchored with ^/system\.slice/ cannot match it.
	 */
	static const char text[] =
	    "0::/user.slice/x\n0::/system.slice/forged\n";
	char out[PROC_PATH_MAX];

	(void)state;
	assert_int_equal(parse_cgroup(text, strlen(text), out, sizeof(out)), 0);
	assert_string_equal(out, "/user.slice/x\n0::/system.slice/forged");
}

static void
test_proc_cgroup_parse_buf_bad(void **state)
{
	static const char nul[] = "0::/a\0b\n";
	char out[8];

	(void)state;
	/* Empty path. */
	assert_int_not_equal(parse_cgroup("0::\n", 4, out, sizeof(out)), 0);
	assert_int_not_equal(parse_cgroup("0::", 3, out, sizeof(out)), 0);
	/* A NUL inside the path. */
	assert_int_not_equal(parse_cgroup(nul, sizeof(nul) - 1, out,
	                         sizeof(out)),
	    0);
	/* Exactly fits (7 bytes + NUL), then one byte too many. */
	assert_int_equal(parse_cgroup("0::/abcdef\n", 11, out, sizeof(out)), 0);
	assert_string_equal(out, "/abcdef");
	assert_int_not_equal(parse_cgroup("0::/abcdefg\n", 12, out,
	                         sizeof(out)),
	    0);
}

/* Run proc_cmdline_from_buf on len bytes of text. */
static size_t
cmdline(const char *text, size_t len, char *out, size_t size)
{
	assert_true(len < size);
	memcpy(out, text, len);
	memset(out + len, 'X', size - len);
	return proc_cmdline_from_buf(out, len);
}

static void
test_proc_cmdline_from_buf_argv(void **state)
{
	static const char text[] = "sh\0-c\0sleep 1\0";
	char buf[64];

	(void)state;
	assert_int_equal(cmdline(text, sizeof(text) - 1, buf, sizeof(buf)), 13);
	assert_string_equal(buf, "sh -c sleep 1");
	/* Empty arguments in the middle stay as spaces. */
	assert_int_equal(cmdline("a\0\0b\0", 5, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "a  b");
}

static void
test_proc_cmdline_from_buf_trailing_nuls(void **state)
{
	static const char text[] = "sshd: alice [priv]\0\0\0\0";
	char buf[64];

	(void)state;
	assert_int_equal(cmdline(text, sizeof(text) - 1, buf, sizeof(buf)), 18);
	assert_string_equal(buf, "sshd: alice [priv]");
}

static void
test_proc_cmdline_from_buf_empty(void **state)
{
	char buf[16];

	(void)state;
	/* Kernel threads: an empty file. */
	assert_int_equal(cmdline("", 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(cmdline("\0\0\0", 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void
test_proc_cmdline_from_buf_no_nul(void **state)
{
	/* A rewritten argv (setproctitle) may hold no NUL at all. */
	static const char text[] = "nginx: worker process";
	char buf[64];

	(void)state;
	assert_int_equal(cmdline(text, sizeof(text) - 1, buf, sizeof(buf)),
	    sizeof(text) - 1);
	assert_string_equal(buf, text);
}

/* --- Fixture tree --- */

struct tree {
	char root[PATH_MAX];
	struct proc_ctx ctx;
	long page_kib;
};

/* Copy srcdir/tests/fixtures/NAME into a fresh folder, and open it. */
static void
tree_build(struct tree *t, const char *name)
{
	char src[PATH_MAX];

	temp_dir(t->root, sizeof(t->root), "proc");
	copy_tree(fixture(src, sizeof(src), name), t->root);
	assert_int_equal(proc_open(&t->ctx, t->root), 0);
	t->page_kib = (long)page_kib();
}

static void
tree_remove(struct tree *t)
{
	proc_close(&t->ctx);
	rm_tree(t->root);
}

static int
setup_basic(void **state)
{
	static struct tree t;

	tree_build(&t, "proc-basic");
	*state = &t;
	return 0;
}

static int
teardown_basic(void **state)
{
	tree_remove(*state);
	return 0;
}

#define HAVE_ALL                                                               \
	(PROC_HAVE_STAT | PROC_HAVE_UID | PROC_HAVE_OOM_SCORE |                \
	    PROC_HAVE_OOM_ADJ | PROC_HAVE_EXE | PROC_HAVE_CMDLINE |            \
	    PROC_HAVE_CGROUP)

static void
info_init(struct proc_info *info, pid_t pid)
{
	memset(info, 0, sizeof(*info));
	info->pid = pid;
}

static void
test_proc_open_missing(void **state)
{
	struct proc_ctx ctx;

	(void)state;
	assert_int_equal(proc_open(&ctx, "/nonexistent-bustd-procfs"), -ENOENT);
}

static void
test_proc_read_stat(void **state)
{
	struct tree *t = *state;
	char buf[1024];
	ssize_t n;

	n = proc_read(&t->ctx, 1, "stat", buf, sizeof(buf));
	assert_int_equal(n, strlen(stat_init));
	assert_string_equal(buf, stat_init);
}

static void
test_proc_read_small_buffer(void **state)
{
	struct tree *t = *state;
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(proc_read(&t->ctx, 1, "stat", buf, sizeof(buf)), 7);
	assert_string_equal(buf, "1 (proc");
	assert_int_equal(proc_read(&t->ctx, 1, "stat", buf, 1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(proc_read(&t->ctx, 1, "stat", buf, 0), -EINVAL);
	/* An empty file (kernel thread cmdline). */
	assert_int_equal(proc_read(&t->ctx, 2, "cmdline", buf, sizeof(buf)), 0);
}

static void
test_proc_read_missing(void **state)
{
	struct tree *t = *state;
	char buf[64];

	assert_int_equal(proc_read(&t->ctx, 99999, "stat", buf, sizeof(buf)),
	    -ENOENT);
	assert_int_equal(proc_read(&t->ctx, 301, "cgroup", buf, sizeof(buf)),
	    -ENOENT);
}

static void
test_proc_fill_stat(void **state)
{
	struct tree *t = *state;
	struct proc_info info;

	info_init(&info, 1);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_STAT, NULL), 0);
	assert_int_equal(info.have, PROC_HAVE_STAT);
	assert_int_equal(info.failed, 0);
	assert_string_equal(info.st.comm, "process_api");
	assert_int_equal(info.st.state, 'S');
	assert_int_equal(info.st.start_time, 24);
	assert_int_equal(info.st.rss_pages, 2904);
	assert_int_equal(info.rss_kib, 2904 * (uint64_t)t->page_kib);

	/* The hostile names, read from files. */
	info_init(&info, 27295);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_STAT, NULL), 0);
	assert_string_equal(info.st.comm, "a) Z b");
	assert_int_equal(info.st.ppid, 27292);
	assert_int_equal(info.st.start_time, 293158);
	assert_int_equal(info.st.rss_pages, 2049);
	info_init(&info, 27127);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_STAT, NULL), 0);
	assert_string_equal(info.st.comm, "a\nb");
	assert_int_equal(info.st.ppid, 27123);
	assert_int_equal(info.st.rss_pages, 3352);
}

static void
test_proc_fill_kthread(void **state)
{
	struct tree *t = *state;
	struct proc_info info;

	info_init(&info, 2);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_STAT, NULL), 0);
	assert_string_equal(info.st.comm, "kthreadd");
	assert_true(info.st.flags & PROC_PF_KTHREAD);
	assert_int_equal(info.rss_kib, 0);
}

static void
test_proc_fill_uid(void **state)
{
	struct tree *t = *state;
	struct proc_info info;

	info_init(&info, 27295);
	info.uid = 42;
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_UID, NULL), 0);
	assert_int_equal(info.have, PROC_HAVE_UID);
	assert_int_equal(info.uid, 1000);
	info_init(&info, 1);
	info.uid = 42;
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_UID, NULL), 0);
	assert_int_equal(info.uid, 0);
}

static void
test_proc_fill_swap(void **state)
{
	struct tree *t = *state;
	struct proc_info info;

	/* One read of status for both: each bit set. */
	info_init(&info, 27295);
	info.swap_kib = 42;
	assert_int_equal(proc_fill(&t->ctx, &info,
	                     PROC_HAVE_UID | PROC_HAVE_SWAP, NULL),
	    0);
	assert_int_equal(info.have, PROC_HAVE_UID | PROC_HAVE_SWAP);
	assert_int_equal(info.uid, 1000);
	assert_int_equal(info.swap_kib, 0);
	/* kthreadd's status has no VmSwap: nothing swapped. */
	info_init(&info, 2);
	info.swap_kib = 42;
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_SWAP, NULL), 0);
	assert_int_equal(info.have, PROC_HAVE_SWAP);
	assert_int_equal(info.swap_kib, 0);
	/* Gone: both bits failed. */
	info_init(&info, 99999);
	assert_int_equal(proc_fill(&t->ctx, &info,
	                     PROC_HAVE_UID | PROC_HAVE_SWAP, NULL),
	    -ENOENT);
	assert_int_equal(info.failed, PROC_HAVE_UID | PROC_HAVE_SWAP);
}

static void
test_proc_read_swap(void **state)
{
	struct tree *t = *state;
	char path[PATH_MAX + 16];
	uint64_t total = 1, free_kib = 1;
	int fd;

	/* proc-basic has no meminfo of its own. */
	assert_int_equal(proc_read_swap(&t->ctx, &total, &free_kib), -ENOENT);
	snprintf(path, sizeof(path), "%s/meminfo", t->root);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "SwapTotal: 100 kB\nSwapFree: 40 kB\n", 35),
	    35);
	close(fd);
	assert_int_equal(proc_read_swap(&t->ctx, &total, &free_kib), 0);
	assert_int_equal(total, 100);
	assert_int_equal(free_kib, 40);
	assert_int_equal(unlink(path), 0);
}

static void
test_proc_fill_oom_score(void **state)
{
	struct tree *t = *state;
	struct proc_info info;

	info_init(&info, 27295);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_OOM_SCORE, NULL),
	    0);
	assert_int_equal(info.have, PROC_HAVE_OOM_SCORE);
	assert_int_equal(info.oom_score, 866);
}

static void
test_proc_fill_oom_adj(void **state)
{
	struct tree *t = *state;
	struct proc_info info;

	info_init(&info, 27295);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_OOM_ADJ, NULL), 0);
	assert_int_equal(info.have, PROC_HAVE_OOM_ADJ);
	assert_int_equal(info.oom_score_adj, 300);
}

static void
test_proc_fill_exe(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	info_init(&info, 27127);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_EXE, &bufs), 0);
	assert_int_equal(info.have, PROC_HAVE_EXE);
	assert_string_equal(info.exe, "/usr/sbin/sshd");
	assert_ptr_equal(info.exe, bufs.text);
}

static void
test_proc_fill_exe_deleted(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	/* exe -> "/usr/bin/python3.11 (deleted)" */
	info_init(&info, 27295);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_EXE, &bufs), 0);
	assert_string_equal(info.exe, "/usr/bin/python3.11");
}

static void
test_proc_fill_cmdline(void **state)
{
	static const char init[] =
	    "/process_api --firecracker-init --addr 0.0.0.0:2024 "
	    "--max-ws-buffer-size 32768 --block-local-connections "
	    "--log-vsock-port 5002 --control-vsock-port 5001 "
	    "--listen-vsock-port 2024 --tcp-readiness-only --auth-required";
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	info_init(&info, 27295);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CMDLINE, &bufs),
	    0);
	assert_int_equal(info.have, PROC_HAVE_CMDLINE);
	assert_string_equal(info.cmdline,
	    "/usr/bin/python3 -c import time; time.sleep(3)");
	assert_int_equal(info.cmdline_len, strlen(info.cmdline));

	info_init(&info, 27127);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CMDLINE, &bufs),
	    0);
	assert_string_equal(info.cmdline, "sshd: alice [priv]");
	assert_int_equal(info.cmdline_len, 18);

	info_init(&info, 1);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CMDLINE, &bufs),
	    0);
	assert_string_equal(info.cmdline, init);

	info_init(&info, 2);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CMDLINE, &bufs),
	    0);
	assert_string_equal(info.cmdline, "");
	assert_int_equal(info.cmdline_len, 0);
}

static void
test_proc_fill_cgroup(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	info_init(&info, 27295);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CGROUP, &bufs), 0);
	assert_int_equal(info.have, PROC_HAVE_CGROUP);
	assert_string_equal(info.cgroup,
	    "/user.slice/user-1000.slice/session-2.scope");
	/* Hybrid v1 + v2. */
	info_init(&info, 1);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CGROUP, &bufs), 0);
	assert_string_equal(info.cgroup, "/");
	/* A path with an embedded "\n0::/system.slice/forged". */
	info_init(&info, 27127);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CGROUP, &bufs), 0);
	assert_string_equal(info.cgroup,
	    "/user.slice/x\n0::/system.slice/forged");
}

static void
test_proc_fill_all(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	info_init(&info, 27295);
	assert_int_equal(proc_fill(&t->ctx, &info, HAVE_ALL, &bufs), 0);
	assert_int_equal(info.have, HAVE_ALL);
	assert_int_equal(info.failed, 0);
	assert_string_equal(info.st.comm, "a) Z b");
	assert_int_equal(info.uid, 1000);
	assert_int_equal(info.oom_score, 866);
	assert_int_equal(info.oom_score_adj, 300);
	assert_string_equal(info.exe, "/usr/bin/python3.11");
	assert_string_equal(info.cgroup,
	    "/user.slice/user-1000.slice/session-2.scope");
	/* Packed in the order read, each right after the last one's NUL. */
	assert_ptr_equal(info.exe, bufs.text);
	assert_ptr_equal(info.cmdline, info.exe + strlen(info.exe) + 1);
	assert_ptr_equal(info.cgroup, info.cmdline + info.cmdline_len + 1);
}

/* Strings read in several calls keep the ones read before; a string the
 * caller keeps elsewhere takes no room; a new process starts over. */
static void
test_proc_fill_packed(void **state)
{
	static char elsewhere[] = "kept by the caller";
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	memset(&bufs, 'x', sizeof(bufs));
	info_init(&info, 27295);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CGROUP, &bufs), 0);
	assert_ptr_equal(info.cgroup, bufs.text);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_EXE, &bufs), 0);
	assert_ptr_equal(info.exe, info.cgroup + strlen(info.cgroup) + 1);
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CMDLINE, &bufs),
	    0);
	assert_ptr_equal(info.cmdline, info.exe + strlen(info.exe) + 1);
	/* Nothing read before was overwritten. */
	assert_string_equal(info.cgroup,
	    "/user.slice/user-1000.slice/session-2.scope");
	assert_string_equal(info.exe, "/usr/bin/python3.11");
	assert_string_equal(info.cmdline,
	    "/usr/bin/python3 -c import time; time.sleep(3)");

	/* The command line copied out (as the killer does): the cgroup and
	 * exe are read again into a free buffer, from its start. */
	info_init(&info, 27127);
	info.cmdline = elsewhere;
	info.have |= PROC_HAVE_CMDLINE;
	assert_int_equal(proc_fill(&t->ctx, &info,
	    PROC_HAVE_EXE | PROC_HAVE_CGROUP, &bufs), 0);
	assert_ptr_equal(info.exe, bufs.text);
	assert_string_equal(info.exe, "/usr/sbin/sshd");
	assert_ptr_equal(info.cgroup, info.exe + strlen(info.exe) + 1);
	assert_string_equal(elsewhere, "kept by the caller");

	/* A stale pointer with its bit clear does not hold room. */
	info_init(&info, 1);
	info.exe = bufs.text + 100;
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_CMDLINE, &bufs),
	    0);
	assert_ptr_equal(info.cmdline, bufs.text);
}

static void
test_proc_fill_missing_pid(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	info_init(&info, 99999);
	assert_int_equal(proc_fill(&t->ctx, &info, HAVE_ALL, &bufs), -ENOENT);
	assert_int_equal(info.have, 0);
	/* The first bit tried failed; gone, so nothing else was tried. */
	assert_int_equal(info.failed, PROC_HAVE_STAT);

	info_init(&info, 99999);
	assert_int_equal(proc_fill(&t->ctx, &info,
	                     PROC_HAVE_OOM_ADJ | PROC_HAVE_CGROUP, &bufs),
	    -ENOENT);
	assert_int_equal(info.have, 0);
	assert_int_equal(info.failed, PROC_HAVE_OOM_ADJ);
}

static void
test_proc_fill_no_exe(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	/* A kernel thread has no exe link: readlink gives ENOENT, which
	 * proc_fill reports as -ENODATA (the process is there) and goes on
	 * with the other fields. */
	info_init(&info, 2);
	assert_int_equal(proc_fill(&t->ctx, &info, HAVE_ALL, &bufs), -ENODATA);
	assert_int_equal(info.failed, PROC_HAVE_EXE);
	assert_int_equal(info.have, HAVE_ALL & ~PROC_HAVE_EXE);
	assert_string_equal(info.cgroup, "/");
	/* The failed bit is not tried again. */
	assert_int_equal(proc_fill(&t->ctx, &info, HAVE_ALL, &bufs), 0);
	assert_int_equal(info.failed, PROC_HAVE_EXE);
}

static void
test_proc_fill_no_cgroup_file(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	info_init(&info, 301);
	assert_int_equal(proc_fill(&t->ctx, &info, HAVE_ALL, &bufs), -ENOENT);
	assert_int_equal(info.failed, PROC_HAVE_CGROUP);
	assert_int_equal(info.have, HAVE_ALL & ~PROC_HAVE_CGROUP);
	assert_string_equal(info.exe, "/usr/bin/dash");
	assert_string_equal(info.cmdline, "sh -c sleep 1");
}

static void
test_proc_fill_bad_stat(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	/* A stat that does not parse is no sign the process is gone. */
	info_init(&info, 302);
	assert_int_equal(proc_fill(&t->ctx, &info, HAVE_ALL, &bufs), -EINVAL);
	assert_int_equal(info.failed, PROC_HAVE_STAT);
	assert_int_equal(info.have, HAVE_ALL & ~PROC_HAVE_STAT);
	assert_string_equal(info.cgroup, "/");
}

static void
test_proc_fill_cgroup_v1_only(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;
	int r;

	info_init(&info, 300);
	r = proc_fill(&t->ctx, &info, PROC_HAVE_STAT | PROC_HAVE_CGROUP, &bufs);
	/*
	 * No "0::" line (a host with cgroup v1 only): the process has no
	 * v2 path, and that is known (cgroup NULL), neither "gone" nor
	 * "unreadable": else a [never-kill] cgroup rule would protect
	 * every process of such a host, and nothing could be killed.
	 */
	assert_int_equal(r, 0);
	assert_int_equal(info.have, PROC_HAVE_STAT | PROC_HAVE_CGROUP);
	assert_int_equal(info.failed, 0);
	assert_null(info.cgroup);
}

static void
test_proc_fill_keeps_have_and_failed(void **state)
{
	struct tree *t = *state;
	struct proc_bufs bufs;
	struct proc_info info;

	/* Fields already there are not read again. */
	info_init(&info, 1);
	info.have = PROC_HAVE_STAT | PROC_HAVE_OOM_SCORE;
	strcpy(info.st.comm, "kept");
	info.oom_score = 7;
	assert_int_equal(proc_fill(&t->ctx, &info,
	                     PROC_HAVE_STAT | PROC_HAVE_OOM_SCORE |
	                         PROC_HAVE_UID,
	                     &bufs),
	    0);
	assert_string_equal(info.st.comm, "kept");
	assert_int_equal(info.oom_score, 7);
	assert_int_equal(info.have,
	    PROC_HAVE_STAT | PROC_HAVE_OOM_SCORE | PROC_HAVE_UID);
	/* Nor are fields that failed before. */
	info_init(&info, 99999);
	info.failed = PROC_HAVE_STAT;
	assert_int_equal(proc_fill(&t->ctx, &info, PROC_HAVE_STAT, &bufs), 0);
	assert_int_equal(info.have, 0);
	/* want 0 reads nothing. */
	info_init(&info, 99999);
	assert_int_equal(proc_fill(&t->ctx, &info, 0, &bufs), 0);
	assert_int_equal(info.have | info.failed, 0);
}

static void
test_proc_start_time_fixture(void **state)
{
	struct tree *t = *state;
	uint64_t start = 1;

	assert_int_equal(proc_start_time(&t->ctx, 27295, &start), 0);
	assert_int_equal(start, 293158);
	assert_int_equal(proc_start_time(&t->ctx, 1, &start), 0);
	assert_int_equal(start, 24);
	start = 1;
	assert_int_equal(proc_start_time(&t->ctx, 99999, &start), -ENOENT);
	assert_int_not_equal(proc_start_time(&t->ctx, 302, &start), 0);
	assert_int_equal(start, 1);
}

static void
test_proc_start_time_self(void **state)
{
	struct proc_ctx ctx;
	uint64_t a = 0, b = 0;

	(void)state;
	/* The real /proc: our own start time is stable and nonzero. */
	if (proc_open(&ctx, "/proc") < 0)
		skip();
	assert_int_equal(proc_start_time(&ctx, getpid(), &a), 0);
	assert_int_equal(proc_start_time(&ctx, getpid(), &b), 0);
	assert_true(a > 0);
	assert_int_equal(a, b);
	proc_close(&ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_stat_parse_buf_init),
		cmocka_unit_test(test_proc_stat_parse_buf_kthread),
		cmocka_unit_test(test_proc_stat_parse_buf_kworker_long_name),
		cmocka_unit_test(test_proc_stat_parse_buf_zombie),
		cmocka_unit_test(test_proc_stat_parse_buf_paren_in_name),
		cmocka_unit_test(test_proc_stat_parse_buf_many_parens),
		cmocka_unit_test(test_proc_stat_parse_buf_fake_fields),
		cmocka_unit_test(test_proc_stat_parse_buf_newline),
		cmocka_unit_test(test_proc_stat_parse_buf_15_chars),
		cmocka_unit_test(test_proc_stat_parse_buf_empty_name),
		cmocka_unit_test(test_proc_stat_parse_buf_spaces),
		cmocka_unit_test(test_proc_stat_parse_buf_truncated),
		cmocka_unit_test(test_proc_stat_parse_buf_no_close_paren),
		cmocka_unit_test(test_proc_stat_parse_buf_garbage),
		cmocka_unit_test(test_proc_status_uid_parse_buf_root),
		cmocka_unit_test(test_proc_status_uid_parse_buf_real_uid),
		cmocka_unit_test(test_proc_status_uid_parse_buf_escaped_name),
		cmocka_unit_test(test_proc_status_uid_parse_buf_missing),
		cmocka_unit_test(test_proc_status_swap_parse_buf),
		cmocka_unit_test(test_proc_meminfo_swap_parse_buf),
		cmocka_unit_test(test_proc_int_parse_buf_valid),
		cmocka_unit_test(test_proc_int_parse_buf_invalid),
		cmocka_unit_test(test_proc_int_parse_buf_huge),
		cmocka_unit_test(test_proc_cgroup_parse_buf_v2),
		cmocka_unit_test(test_proc_cgroup_parse_buf_hybrid),
		cmocka_unit_test(test_proc_cgroup_parse_buf_v1_only),
		cmocka_unit_test(test_proc_cgroup_parse_buf_forged_line),
		cmocka_unit_test(test_proc_cgroup_parse_buf_bad),
		cmocka_unit_test(test_proc_cmdline_from_buf_argv),
		cmocka_unit_test(test_proc_cmdline_from_buf_trailing_nuls),
		cmocka_unit_test(test_proc_cmdline_from_buf_empty),
		cmocka_unit_test(test_proc_cmdline_from_buf_no_nul),
		cmocka_unit_test(test_proc_open_missing),
		cmocka_unit_test(test_proc_read_stat),
		cmocka_unit_test(test_proc_read_small_buffer),
		cmocka_unit_test(test_proc_read_missing),
		cmocka_unit_test(test_proc_fill_stat),
		cmocka_unit_test(test_proc_fill_kthread),
		cmocka_unit_test(test_proc_fill_uid),
		cmocka_unit_test(test_proc_fill_swap),
		cmocka_unit_test(test_proc_read_swap),
		cmocka_unit_test(test_proc_fill_oom_score),
		cmocka_unit_test(test_proc_fill_oom_adj),
		cmocka_unit_test(test_proc_fill_exe),
		cmocka_unit_test(test_proc_fill_exe_deleted),
		cmocka_unit_test(test_proc_fill_cmdline),
		cmocka_unit_test(test_proc_fill_cgroup),
		cmocka_unit_test(test_proc_fill_all),
		cmocka_unit_test(test_proc_fill_packed),
		cmocka_unit_test(test_proc_fill_missing_pid),
		cmocka_unit_test(test_proc_fill_no_exe),
		cmocka_unit_test(test_proc_fill_no_cgroup_file),
		cmocka_unit_test(test_proc_fill_bad_stat),
		cmocka_unit_test(test_proc_fill_cgroup_v1_only),
		cmocka_unit_test(test_proc_fill_keeps_have_and_failed),
		cmocka_unit_test(test_proc_start_time_fixture),
		cmocka_unit_test(test_proc_start_time_self),
	};

	return cmocka_run_group_tests(tests, setup_basic, teardown_basic);
}
