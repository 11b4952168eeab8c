/* SPDX-License-Identifier: MIT */
/* test_victim.c: unit tests of judging, ranking and choosing the victim. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

#include "config.h"
#include "log.h"
#include "policy.h"
#include "proc.h"
#include "victim.h"

/*
 * The fixture trees under tests/fixtures/ (one folder per pid, as in
 * /proc; oom_score, RSS in pages of stat field 24):
 *
 * victim-mixed: every kind of process that must not be chosen.
 *   1 systemd (oom_score 999), 2 kthreadd (PF_KTHREAD, 998),
 *   310 cron-job (zombie, 996), 320 postgres (oom_score_adj -1000,
 *   oom_score 0, the most RSS: 900000 pages), 330 sshd (exe
 *   /usr/sbin/sshd, 995, 800000 pages), 4242 bustd (997, the selector
 *   itself when self = 4242), 1500 hog (300, 400000 pages),
 *   1600 bash (50, 1500 pages).  Kernel threads and zombies read
 *   oom_score 0 on a real kernel: here they do not, so that only the
 *   stat checks can keep them out.
 * victim-ties: seven processes at oom_score 666 and one at 200.
 *   2001 "a) Z b" 10000 pages, 2002 "line\nbreak" 30000,
 *   2003 "Isolated Web Co" (firefox -contentproc) 20000,
 *   2004 "sshd" with exe /home/mallory/sshd 50000 (uid 1001),
 *   2005 gnome-shell 60000, 2006 make (200) 5000,
 *   2007 and 2008 cc1 8000 each.
 * victim-garbage: 3001 good (100); 3002 only a status file; 3003 stat
 *   "garbage" (900); 3004 oom_score "abc"; 3005 no oom_score; 3006
 *   stat cut short (800); 3007 oom_score out of range; 3008 exe is a
 *   regular file, not a link (950); 3009 no cmdline file (700); and
 *   entries that are not processes: meminfo, sys/, self/.
 * victim-bound: 5001 winner (900, 1600000 pages) and 39 small ones
 *   5002..5040 with oom_score 10..200.
 *
 * Each PID/exe.link holds the target of exe: tree_open() copies a tree
 * to a mkdtemp folder and makes the links there (see a tree's README).
 */


/* $srcdir, or the source tree this file was compiled from. */
/* A fixture tree, copied where its exe links can be made. */
struct tree {
	char root[PATH_MAX];
	struct proc_ctx pc;
};

static void
tree_open(struct tree *t, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char src[PATH_MAX];

	snprintf(t->root, sizeof(t->root), "%s/bustd-test-victim.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(t->root));
	copy_tree(fixture(src, sizeof(src), name), t->root);
	assert_int_equal(proc_open(&t->pc, t->root), 0);
}

static void
tree_close(struct tree *t)
{
	proc_close(&t->pc);
	rm_tree(t->root);
}

/* A process as proc_fill() would leave it with every field read. */
static struct proc_info
proc_make(pid_t pid, const char *comm, int oom_score, uint64_t rss_kib)
{
	struct proc_info i;

	memset(&i, 0, sizeof(i));
	i.pid = pid;
	i.have = PROC_HAVE_STAT | PROC_HAVE_UID | PROC_HAVE_OOM_SCORE |
	         PROC_HAVE_OOM_ADJ | PROC_HAVE_EXE | PROC_HAVE_CMDLINE |
	         PROC_HAVE_CGROUP;
	snprintf(i.st.comm, sizeof(i.st.comm), "%s", comm);
	i.st.state = 'S';
	i.st.ppid = 1;
	i.st.pgrp = pid;
	i.st.flags = 0x00400100;
	i.st.start_time = 100000 + (uint64_t)pid;
	i.st.rss_pages = rss_kib / 4;
	i.rss_kib = rss_kib;
	i.uid = 1000;
	i.oom_score = oom_score;
	i.oom_score_adj = 0;
	i.exe = "/usr/bin/worker";
	i.cmdline = "worker --jobs 4";
	i.cmdline_len = strlen(i.cmdline);
	i.cgroup = "/user.slice/user-1000.slice/session-2.scope";
	return i;
}

/* The outcome of one victim_select() over a fixture tree. */
struct pick {
	int r;
	pid_t pid;
	int64_t score;
	char comm[PROC_COMM_MAX];
	char exe[PROC_PATH_MAX];
	char cmdline[PROC_CMDLINE_MAX + 1];
	char rule[VICTIM_RULE_TEXT_MAX];
	size_t scanned;
	size_t judged;
	size_t swap_reads;
	uint64_t swap_kib;
};

static struct pick
pick_with(const char *tree, struct policy *p, pid_t self,
    const struct stuck_list *stuck)
{
	struct selector s;
	struct tree tr;
	struct victim v;
	struct pick k;

	memset(&k, 0, sizeof(k));
	tree_open(&tr, tree);
	assert_int_equal(victim_selector_init(&s, 4096, self), 0);
	s.mem_total_kib = MEM_TOTAL_KIB;
	memset(&v, 0, sizeof(v));
	k.r = victim_select(&s, &tr.pc, p, stuck, &v);
	k.scanned = s.scanned;
	k.judged = s.judged;
	k.swap_reads = s.swap_reads;
	if (k.r == 0) {
		k.pid = v.info.pid;
		k.score = v.v.score;
		k.swap_kib = v.info.swap_kib;
		memcpy(k.comm, v.info.st.comm, sizeof(k.comm));
		if (v.info.exe != NULL)
			snprintf(k.exe, sizeof(k.exe), "%s", v.info.exe);
		if (v.info.cmdline != NULL)
			snprintf(k.cmdline, sizeof(k.cmdline), "%s",
			    v.info.cmdline);
		victim_rule_text(k.rule, sizeof(k.rule), &v.v);
	}
	victim_selector_free(&s);
	tree_close(&tr);
	return k;
}

static struct pick
pick_in(const char *tree, const char *conf, pid_t self,
    const struct stuck_list *stuck)
{
	struct policy *p = load_policy(conf);
	struct pick k = pick_with(tree, p, self, stuck);

	policy_free(p);
	return k;
}

/* victim_list() of a fixture tree, into a string the caller frees. */
static char *
list_of(const char *tree, const char *conf, pid_t self, int *r)
{
	struct policy *p = load_policy(conf);
	struct tree tr;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	tree_open(&tr, tree);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	*r = victim_list(f, &tr.pc, p, self, MEM_TOTAL_KIB);
	assert_int_equal(fclose(f), 0);
	tree_close(&tr);
	policy_free(p);
	return out;
}

/* The pids of the candidate rows of a victim_list() output, in order. */
static size_t
list_pids(const char *out, pid_t *pids, size_t max)
{
	const char *line = strchr(out, '\n');
	size_t n = 0;

	assert_non_null(line); /* the header */
	for (line++; *line != '\0' && *line != '#' && n < max;) {
		const char *nl = strchr(line, '\n');

		pids[n++] = (pid_t)strtol(line, NULL, 10);
		assert_non_null(nl);
		line = nl + 1;
	}
	return n;
}

/* No rule of any set matched. */
static void
assert_no_rule(const struct verdict *v)
{
	int set;

	for (set = 0; set < SET_COUNT; set++)
		assert_null(v->rules[set]);
}

static void
judge(const struct policy *p, const struct proc_info *i, struct verdict *v)
{
	victim_judge(p, i, MEM_TOTAL_KIB, v);
}

/* --- victim_judge --- */

static void
test_victim_judge_plain_candidate(void **state)
{
	struct policy *p = load_policy("");
	struct proc_info i = proc_make(100, "worker", 420, 65536);
	struct verdict v;

	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.base, 420);
	assert_int_equal(v.score, 420);
	assert_no_rule(&v);
	policy_free(p);
}

static void
test_victim_judge_kthread(void **state)
{
	struct policy *p = load_policy("");
	struct proc_info i = proc_make(2, "kthreadd", 500, 0);
	struct verdict v;

	i.st.flags |= PROC_PF_KTHREAD;
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_KTHREAD);
	policy_free(p);
}

static void
test_victim_judge_zombie(void **state)
{
	struct policy *p = load_policy("");
	struct proc_info i = proc_make(300, "defunct", 500, 4096);
	struct verdict v;

	i.st.state = 'Z';
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_ZOMBIE);
	i.st.state = 'X';
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_ZOMBIE);
	policy_free(p);
}

static void
test_victim_judge_oom_score_zero(void **state)
{
	struct policy *p = load_policy("");
	struct proc_info i = proc_make(320, "postgres", 0, 3600000);
	struct verdict v;

	i.oom_score_adj = -1000;
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_ADJ_MIN);
	/* 0 with an ordinary oom_score_adj: on its way out. */
	i.oom_score_adj = 0;
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_OOM_ZERO);
	/* oom_score_adj unread: it may be -1000, and is said to be. */
	i.have &= ~PROC_HAVE_OOM_ADJ;
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_ADJ_MIN);
	policy_free(p);
}

/* One never-kill rule on field, a process that matches, one that does
 * not. */
static void
check_never_kill(const char *conf, const struct proc_info *hit,
    const struct proc_info *miss)
{
	struct policy *p = load_policy(conf);
	struct verdict v;

	assert_int_equal(p->sets[SET_NEVER_KILL].n, 1);
	judge(p, hit, &v);
	assert_int_equal(v.excl, EXCL_NEVER_KILL);
	assert_ptr_equal(v.rules[SET_NEVER_KILL], &p->sets[SET_NEVER_KILL].rules[0]);
	judge(p, miss, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_no_rule(&v);
	policy_free(p);
}

static void
test_victim_judge_never_kill_name(void **state)
{
	struct proc_info hit = proc_make(10, "postgres", 600, 1024);
	struct proc_info miss = proc_make(11, "postgresql", 600, 1024);

	check_never_kill("[never-kill]\nname = ^postgres$\n", &hit, &miss);
}

static void
test_victim_judge_never_kill_exe(void **state)
{
	struct proc_info hit = proc_make(10, "whatever", 600, 1024);
	struct proc_info miss = proc_make(11, "sshd", 600, 1024);

	hit.exe = "/usr/sbin/sshd";
	miss.exe = "/usr/sbin/sshd.evil";
	check_never_kill("[never-kill]\nexe = ^/usr/sbin/sshd$\n", &hit, &miss);
}

static void
test_victim_judge_never_kill_cmdline(void **state)
{
	struct proc_info hit = proc_make(10, "java", 600, 1024);
	struct proc_info miss = proc_make(11, "java", 600, 1024);

	hit.cmdline = "/usr/bin/java -jar /opt/critical/app.jar";
	miss.cmdline = "/usr/bin/java -jar /home/u/toy.jar";
	check_never_kill("[never-kill]\ncmdline = ^/usr/bin/java .*/opt/"
	                 "critical/\n",
	    &hit, &miss);
}

static void
test_victim_judge_never_kill_cgroup(void **state)
{
	struct proc_info hit = proc_make(10, "nginx", 600, 1024);
	struct proc_info miss = proc_make(11, "nginx", 600, 1024);

	hit.cgroup = "/system.slice/nginx.service";
	miss.cgroup = "/user.slice/user-1000.slice/session-2.scope";
	check_never_kill("[never-kill]\ncgroup = ^/system\\.slice/\n", &hit,
	    &miss);
}

/*
 * A host with cgroup v1 only: no process has a v2 path (proc_fill gives
 * cgroup NULL).  A [never-kill] cgroup rule then protects nobody, and
 * every process stays a candidate; a cgroup rule in [only-kill] or
 * [prefer] takes nobody in either.
 */
static void
test_victim_judge_cgroup_rule_without_cgroup2(void **state)
{
	struct policy *p;
	struct proc_info i = proc_make(10, "nginx", 600, 1024);
	struct verdict v;

	i.cgroup = NULL;
	p = load_policy("[never-kill]\ncgroup = ^/system\\.slice/\n"
	    "cgroup = .*\n");
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	policy_free(p);
	p = load_policy("[only-kill]\ncgroup = .*\n");
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NOT_ONLY_KILL);
	policy_free(p);
	p = load_policy("[prefer]\ncgroup = .*\n");
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.score, 600);
	policy_free(p);
}

/*
 * Both profiles avoid the package managers; those that are Python
 * scripts show as the interpreter in exe, so they are known by cmdline.
 */
static void
test_victim_judge_profiles_avoid_package_managers(void **state)
{
	static const char *const conf[] = { "[general]\nprofile = desktop\n",
		"[general]\nprofile = server\n" };
	static const struct {
		const char *exe;
		const char *cmdline;
		bool avoided;
	} cases[] = {
		{ "/usr/bin/python3.11", "/usr/bin/python3 /usr/bin/unattended-upgrade",
		    true },
		{ "/usr/bin/python3.11",
		    "/usr/bin/python3.11 -u -E /usr/bin/dnf install -y x", true },
		{ "/usr/bin/python3.11", "/usr/bin/python3 /usr/bin/yum", true },
		{ "/usr/bin/python3.11", "/usr/bin/python3 /home/u/dnf", false },
		{ "/usr/bin/python3.11", "/usr/bin/python3 /usr/bin/dnfx", false },
		{ "/usr/bin/apt-get", "apt-get upgrade", true },
		{ "/usr/bin/dpkg", "/usr/bin/dpkg --configure -a", true },
		{ "/usr/bin/python3.11", "python3 server.py", false },
	};
	size_t c, i;

	for (c = 0; c < 2; c++) {
		struct policy *p = load_policy(conf[c]);

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct proc_info pi = proc_make(10, "x", 600, 1024);
			struct verdict v;

			pi.exe = cases[i].exe;
			pi.cmdline = cases[i].cmdline;
			pi.cmdline_len = strlen(pi.cmdline);
			judge(p, &pi, &v);
			if ((v.score < 600) != cases[i].avoided)
				fail_msg("%s: '%s' avoided: %d", conf[c],
				    cases[i].cmdline, v.score < 600);
		}
		policy_free(p);
	}
}

static void
test_victim_judge_never_kill_user(void **state)
{
	struct proc_info hit = proc_make(10, "backup", 600, 1024);
	struct proc_info miss = proc_make(11, "backup", 600, 1024);

	hit.uid = 1001;
	miss.uid = 1000;
	check_never_kill("[never-kill]\nuser = 1001\n", &hit, &miss);
	hit.uid = 0;
	check_never_kill("[never-kill]\nuser = root\n", &hit, &miss);
}

static void
test_victim_judge_unreadable_fails_safe(void **state)
{
	static const struct {
		const char *conf;
		unsigned int bit;
	} cases[] = {
		{ "[never-kill]\nname = ^sshd$\n", PROC_HAVE_STAT },
		{ "[never-kill]\nexe = ^/usr/sbin/sshd$\n", PROC_HAVE_EXE },
		{ "[never-kill]\ncmdline = ^sshd\n", PROC_HAVE_CMDLINE },
		{ "[never-kill]\ncgroup = ^/system\\.slice/\n",
		    PROC_HAVE_CGROUP },
		{ "[never-kill]\nuser = 0\n", PROC_HAVE_UID },
	};
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct policy *p = load_policy(cases[c].conf);
		struct proc_info i = proc_make(10, "hog", 700, 1024);
		struct verdict v;

		/* Readable and not matching: a candidate. */
		judge(p, &i, &v);
		assert_int_equal(v.excl, EXCL_NONE);
		/* The field the rule needs could not be read. */
		i.have &= ~cases[c].bit;
		i.failed |= cases[c].bit;
		judge(p, &i, &v);
		assert_int_equal(v.excl, EXCL_UNREADABLE);
		assert_ptr_equal(v.rules[SET_NEVER_KILL], &p->sets[SET_NEVER_KILL].rules[0]);
		policy_free(p);
	}
}

static void
test_victim_judge_unreadable_prefer_field(void **state)
{
	struct policy *p = load_policy("[prefer]\nexe = ^/usr/bin/hog$\n"
	                               "[avoid]\ncmdline = hog\n");
	struct proc_info i = proc_make(10, "hog", 700, 1024);
	struct verdict v;

	/* Only [never-kill] fails safe: other sets just do not match. */
	i.have &= ~(PROC_HAVE_EXE | PROC_HAVE_CMDLINE);
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.score, 700);
	assert_no_rule(&v);
	policy_free(p);
}

static void
test_victim_judge_only_kill(void **state)
{
	struct policy *p = load_policy("[only-kill]\nuser = 1000\n"
	                               "cgroup = ^/user\\.slice/\n");
	struct proc_info mine = proc_make(10, "hog", 300, 1024);
	struct proc_info other = proc_make(11, "hog", 900, 1024);
	struct verdict v;

	other.uid = 33;
	other.cgroup = "/system.slice/apache2.service";
	judge(p, &other, &v);
	assert_int_equal(v.excl, EXCL_NOT_ONLY_KILL);
	judge(p, &mine, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.score, 300);
	assert_ptr_equal(v.rules[SET_ONLY_KILL], &p->sets[SET_ONLY_KILL].rules[0]);
	/* Any line of the section is enough. */
	mine.uid = 33;
	judge(p, &mine, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_ptr_equal(v.rules[SET_ONLY_KILL], &p->sets[SET_ONLY_KILL].rules[1]);
	policy_free(p);
}

static void
test_victim_judge_prefer(void **state)
{
	struct policy *p = load_policy("[kill]\nprefer_score = 250\n"
	                               "[prefer]\nname = ^Web Content$\n");
	struct proc_info i = proc_make(10, "Web Content", 400, 1024);
	struct proc_info j = proc_make(11, "firefox", 400, 1024);
	struct verdict v;

	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.base, 400);
	assert_int_equal(v.score, 650);
	assert_ptr_equal(v.rules[SET_PREFER], &p->sets[SET_PREFER].rules[0]);
	judge(p, &j, &v);
	assert_int_equal(v.score, 400);
	assert_no_rule(&v);
	policy_free(p);
}

static void
test_victim_judge_avoid(void **state)
{
	struct policy *p =
	    load_policy("[kill]\navoid_score = 300\n"
	                "[avoid]\nexe = ^/usr/bin/gnome-shell$\n");
	struct proc_info i = proc_make(10, "gnome-shell", 100, 1024);
	struct verdict v;

	i.exe = "/usr/bin/gnome-shell";
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.base, 100);
	/* Below zero is fine: still a candidate, of last resort. */
	assert_int_equal(v.score, -200);
	assert_ptr_equal(v.rules[SET_AVOID], &p->sets[SET_AVOID].rules[0]);
	policy_free(p);
}

static void
test_victim_judge_prefer_and_avoid(void **state)
{
	struct policy *p =
	    load_policy("[kill]\nprefer_score = 200\n"
	                "avoid_score = 50\n[prefer]\nuser = 1000\n"
	                "[avoid]\nname = ^backup$\n");
	struct proc_info i = proc_make(10, "backup", 500, 1024);
	struct verdict v;
	char buf[256];

	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.score, 500 + 200 - 50);
	/* Both moved the score: the log and --list name both. */
	assert_ptr_equal(v.rules[SET_PREFER], &p->sets[SET_PREFER].rules[0]);
	assert_ptr_equal(v.rules[SET_AVOID], &p->sets[SET_AVOID].rules[0]);
	assert_string_equal(victim_rule_text(buf, sizeof(buf), &v),
	    "[prefer] user = 1000 (test.conf:5), [avoid] name = ^backup$ "
	    "(test.conf:7)");
	policy_free(p);
}

static void
test_victim_judge_rank_rss(void **state)
{
	struct policy *p = load_policy("[kill]\nrank_by = rss\n");
	struct proc_info i = proc_make(10, "hog", 5, 1024 * 1024);
	struct proc_info j = proc_make(11, "tiny", 900, 1000);
	struct verdict v;

	/* 1 GiB of 16 GiB: 62.5 permille, rounded down. */
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.base, 62);
	assert_int_equal(v.score, 62);
	/* oom_score plays no part. */
	judge(p, &j, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.base, 0);
	/* Nor does an oom_score of 0 that oom_score_adj did not cause. */
	i.oom_score = 0;
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.base, 62);
	/* The whole of RAM is 1000. */
	i.rss_kib = MEM_TOTAL_KIB;
	judge(p, &i, &v);
	assert_int_equal(v.base, 1000);
	/* Swap counts as memory: 1 GiB resident and 1 GiB swapped. */
	i.rss_kib = 1024 * 1024;
	i.swap_kib = 1024 * 1024;
	i.have |= PROC_HAVE_SWAP;
	judge(p, &i, &v);
	assert_int_equal(v.base, 125);
	assert_int_equal(v.mem_kib, 2 * 1024 * 1024);
	/* Unread, it counts nothing. */
	i.have &= ~PROC_HAVE_SWAP;
	judge(p, &i, &v);
	assert_int_equal(v.base, 62);
	policy_free(p);
}

static void
test_victim_judge_rank_rss_adj_min(void **state)
{
	struct policy *p = load_policy("[kill]\nrank_by = rss\n");
	struct proc_info i = proc_make(320, "postgres", 0, 3600000);
	struct verdict v;

	i.oom_score_adj = -1000;
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_ADJ_MIN);
	i.oom_score_adj = -999;
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(v.base, 3600000ULL * 1000 / MEM_TOTAL_KIB);
	policy_free(p);
}

static void
test_victim_judge_rule_points_at_match(void **state)
{
	struct policy *p = load_policy(
	    "[never-kill]\nname = ^a$\n"
	    "exe = ^/usr/sbin/b$\ncmdline = ^c \n[prefer]\nname = ^x\n"
	    "name = ^xy\n");
	struct proc_info i = proc_make(10, "b", 600, 1024);
	struct proc_info j = proc_make(11, "xyz", 600, 1024);
	struct verdict v;

	i.exe = "/usr/sbin/b";
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NEVER_KILL);
	assert_ptr_equal(v.rules[SET_NEVER_KILL], &p->sets[SET_NEVER_KILL].rules[1]);
	assert_string_equal(v.rules[SET_NEVER_KILL]->text, "^/usr/sbin/b$");
	/* Both prefer rules match: the first one is named. */
	judge(p, &j, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_ptr_equal(v.rules[SET_PREFER], &p->sets[SET_PREFER].rules[0]);
	assert_int_equal(v.score, 600 + p->prefer_score);
	policy_free(p);
}

static void
test_victim_judge_renamed_sshd_not_protected(void **state)
{
	struct policy *p = load_policy("[general]\nprofile = server\n");
	struct proc_info fake = proc_make(2004, "sshd", 666, 200000);
	struct proc_info real = proc_make(330, "sshd", 10, 8000);
	struct verdict v;

	/* Anyone can call a process "sshd" (prctl PR_SET_NAME). */
	fake.exe = "/home/mallory/sshd";
	fake.cmdline = "/usr/sbin/sshd -D";
	fake.uid = 1001;
	judge(p, &fake, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	/* The real one is protected whatever it calls itself. */
	real.exe = "/usr/sbin/sshd";
	real.uid = 0;
	judge(p, &real, &v);
	assert_int_equal(v.excl, EXCL_NEVER_KILL);
	assert_string_equal(v.rules[SET_NEVER_KILL]->text, "^/usr/sbin/sshd$");
	assert_string_equal(v.rules[SET_NEVER_KILL]->origin, "profile server");
	snprintf(real.st.comm, sizeof(real.st.comm), "%s", "innocent");
	judge(p, &real, &v);
	assert_int_equal(v.excl, EXCL_NEVER_KILL);
	policy_free(p);
}

static void
test_victim_judge_hostile_names(void **state)
{
	struct policy *p = load_policy("[never-kill]\nname = ^Z b$\n"
	                               "name = ^sshd$\n");
	struct proc_info a = proc_make(10, "a) Z b", 600, 1024);
	struct proc_info b = proc_make(11, "sshd\nx", 600, 1024);
	struct proc_info c = proc_make(12, "123456789012345", 600, 1024);
	struct verdict v;

	/* Rules see the whole name, parentheses and newlines included. */
	judge(p, &a, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	judge(p, &b, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	judge(p, &c, &v);
	assert_int_equal(v.excl, EXCL_NONE);
	assert_int_equal(strlen(c.st.comm), 15);
	policy_free(p);
}

/* --- victim_better --- */

struct ranked {
	int64_t score;
	uint64_t rss_kib;
	pid_t pid;
};

static void
make_ranked(const struct ranked *r, struct verdict *v, struct proc_info *i)
{
	memset(v, 0, sizeof(*v));
	*i = proc_make(r->pid, "x", 500, r->rss_kib);
	v->score = r->score;
	v->base = r->score;
	v->mem_kib = r->rss_kib; /* as victim_judge() sets it */
}

static void
test_victim_better_score(void **state)
{
	struct ranked a = { 700, 100, 10 }, b = { 600, 900000, 20 };
	struct verdict va, vb;
	struct proc_info ia, ib;

	make_ranked(&a, &va, &ia);
	make_ranked(&b, &vb, &ib);
	assert_true(victim_better(&va, &ia, &vb, &ib));
	assert_false(victim_better(&vb, &ib, &va, &ia));
}

static void
test_victim_better_rss(void **state)
{
	struct ranked a = { 666, 9000, 10 }, b = { 666, 8000, 20 };
	struct verdict va, vb;
	struct proc_info ia, ib;

	make_ranked(&a, &va, &ia);
	make_ranked(&b, &vb, &ib);
	assert_true(victim_better(&va, &ia, &vb, &ib));
	assert_false(victim_better(&vb, &ib, &va, &ia));
}

static void
test_victim_better_pid(void **state)
{
	struct ranked a = { 666, 8000, 2008 }, b = { 666, 8000, 2007 };
	struct verdict va, vb;
	struct proc_info ia, ib;

	/* Same score and RSS: the newer pid goes first. */
	make_ranked(&a, &va, &ia);
	make_ranked(&b, &vb, &ib);
	assert_true(victim_better(&va, &ia, &vb, &ib));
	assert_false(victim_better(&vb, &ib, &va, &ia));
	/* Nothing is better than itself. */
	assert_false(victim_better(&va, &ia, &va, &ia));
}

static void
test_victim_better_every_pair(void **state)
{
	/* Smallest to largest. */
	static const struct ranked list[] = {
		{ -200, 999999, 99 }, /* avoided below zero */
		{ 0, 0, 1000 },
		{ 100, 500, 50 },
		{ 100, 500, 60 },
		{ 100, 900, 10 },
		{ 200, 100, 5 },
		{ 200, 100, 7 },
		{ 200, 800, 1 },
		{ 666, 1, 2 },
		{ 666, 2000, 3 },
		{ 666, 2000, 30000 },
		{ 966, 0, 4 },
		{ INT32_MAX, 0, 3 },
	};
	const size_t n = sizeof(list) / sizeof(list[0]);
	struct verdict vi, vj;
	struct proc_info ii, ij;
	size_t i, j;

	for (i = 0; i < n; i++) {
		make_ranked(&list[i], &vi, &ii);
		assert_false(victim_better(&vi, &ii, &vi, &ii));
		for (j = 0; j < i; j++) {
			make_ranked(&list[j], &vj, &ij);
			if (!victim_better(&vi, &ii, &vj, &ij) ||
			    victim_better(&vj, &ij, &vi, &ii))
				fail_msg("list[%zu] should beat list[%zu]", i,
				    j);
		}
	}
}

static void
test_victim_better_every_pair_judged(void **state)
{
	/* victim-ties under the desktop profile, smallest to largest. */
	static const pid_t order[] = { 2006, 2005, 2007, 2008, 2001, 2002, 2004,
		2003 };
	const size_t n = sizeof(order) / sizeof(order[0]);
	struct policy *p = load_policy("[general]\nprofile = desktop\n");
	struct proc_bufs *bufs = calloc(n, sizeof(*bufs));
	struct proc_info info[8];
	struct verdict v[8];
	struct tree tr;
	size_t i, j;

	assert_non_null(bufs);
	tree_open(&tr, "victim-ties");
	for (i = 0; i < n; i++) {
		memset(&info[i], 0, sizeof(info[i]));
		info[i].pid = order[i];
		assert_int_equal(proc_fill(&tr.pc, &info[i],
		                     PROC_HAVE_STAT | PROC_HAVE_OOM_SCORE |
		                         victim_fields(p),
		                     &bufs[i]),
		    0);
		judge(p, &info[i], &v[i]);
		assert_int_equal(v[i].excl, EXCL_NONE);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!victim_better(&v[i], &info[i], &v[j], &info[j]) ||
			    victim_better(&v[j], &info[j], &v[i], &info[i]))
				fail_msg("pid %d should beat pid %d",
				    (int)order[i], (int)order[j]);
	tree_close(&tr);
	free(bufs);
	policy_free(p);
}

/* --- victim_select --- */

static void
test_victim_select_highest_score(void **state)
{
	struct pick k = pick_in("victim-bound", "", 0, NULL);

	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 5001);
	assert_int_equal(k.score, 900);
	assert_string_equal(k.comm, "winner");
}

/* bustd's own children (hooks) are never candidates. */
static void
test_victim_select_skips_own_children(void **state)
{
	struct policy *p = load_policy("");
	pid_t skip[1] = { 5001 };
	struct selector s;
	struct tree tr;
	struct victim v;

	tree_open(&tr, "victim-bound");
	assert_int_equal(victim_selector_init(&s, 4096, 0), 0);
	s.mem_total_kib = MEM_TOTAL_KIB;
	s.skip = skip;
	s.nskip = 1;
	memset(&v, 0, sizeof(v));
	assert_int_equal(victim_select(&s, &tr.pc, p, NULL, &v), 0);
	assert_int_not_equal(v.info.pid, 5001);
	victim_selector_free(&s);
	tree_close(&tr);
	policy_free(p);
}

/* Nor is anything in their process groups: what a hook starts. */
static void
test_victim_select_skips_own_children_groups(void **state)
{
	struct policy *p = load_policy("");
	pid_t skip[1] = { 6000 };
	struct selector s;
	struct tree tr;
	struct victim v;

	tree_open(&tr, "victim-hook");
	assert_int_equal(victim_selector_init(&s, 4096, 0), 0);
	s.mem_total_kib = MEM_TOTAL_KIB;
	memset(&v, 0, sizeof(v));
	assert_int_equal(victim_select(&s, &tr.pc, p, NULL, &v), 0);
	assert_int_equal(v.info.pid, 6001);
	s.skip = skip;
	s.nskip = 1;
	memset(&v, 0, sizeof(v));
	assert_int_equal(victim_select(&s, &tr.pc, p, NULL, &v), 0);
	assert_int_equal(v.info.pid, 6002);
	victim_selector_free(&s);
	tree_close(&tr);
	policy_free(p);
}

static void
test_victim_select_ties_by_rss(void **state)
{
	struct pick k = pick_in("victim-ties", "", 0, NULL);

	/* Seven processes at 666: gnome-shell holds the most. */
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2005);
	assert_int_equal(k.score, 666);
	/* Every process that ties with the best is judged. */
	assert_true(k.judged >= 7);
}

static void
test_victim_select_ties_by_pid(void **state)
{
	struct pick k =
	    pick_in("victim-ties", "[only-kill]\nname = ^cc1$\n", 0, NULL);

	/* 2007 and 2008: same score, same RSS. */
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2008);
}

static void
test_victim_select_not_pid1(void **state)
{
	struct pick k = pick_in("victim-mixed", "", 4242, NULL);

	/*
	 * pid 1 (999), kthreadd (998), bustd (997) and the zombie (996)
	 * all outscore sshd (995).
	 */
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 330);
	assert_int_equal(k.score, 995);
}

static void
test_victim_select_not_self(void **state)
{
	struct pick k;

	k = pick_in("victim-mixed", "[general]\nprofile = server\n", 4242,
	    NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 1500);
	/* Without a self pid, bustd's own entry would have been chosen. */
	k = pick_in("victim-mixed", "[general]\nprofile = server\n", 0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 4242);
}

static void
test_victim_select_not_kthread_zombie(void **state)
{
	struct pick k;

	/* Root's processes only: pid 1, kthreadd, the zombie, sshd, bustd. */
	k = pick_in("victim-mixed", "[only-kill]\nuser = 0\n", 4242, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 330);
	k = pick_in("victim-mixed",
	    "[only-kill]\nuser = 0\n"
	    "[never-kill]\nexe = ^/usr/sbin/sshd$\n",
	    4242, NULL);
	assert_int_equal(k.r, -ESRCH);
}

static void
test_victim_select_not_adj_min(void **state)
{
	struct pick k;

	k = pick_in("victim-mixed", "[only-kill]\nname = ^postgres$\n", 4242,
	    NULL);
	assert_int_equal(k.r, -ESRCH);
	/* By RSS postgres is the biggest, and oom_score_adj still rules. */
	k = pick_in("victim-mixed", "[kill]\nrank_by = rss\n", 4242, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 330);
	assert_int_equal(k.score,
	    800000ULL * page_kib() * 1000 / MEM_TOTAL_KIB);
}

static void
test_victim_select_never_kill_biggest(void **state)
{
	struct pick k;

	k = pick_in("victim-mixed",
	    "[general]\nprofile = server\n"
	    "[kill]\nrank_by = rss\n",
	    4242, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 1500);
	k = pick_in("victim-mixed", "[never-kill]\nexe = ^/usr/sbin/sshd$\n",
	    4242, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 1500);
}

static void
test_victim_select_only_kill(void **state)
{
	struct pick k;

	/* make has the lowest score of the tree. */
	k = pick_in("victim-ties", "[only-kill]\nname = ^make$\n", 0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2006);
	assert_int_equal(k.score, 200);
	assert_string_equal(k.rule, "[only-kill] name = ^make$ (test.conf:2)");
	k = pick_in("victim-ties", "[only-kill]\nuser = 1001\n", 0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2004);
}

static void
test_victim_select_prefer_lifts_small(void **state)
{
	struct pick k;

	k = pick_in("victim-ties",
	    "[prefer]\ncmdline = (^| )-contentproc( |$)"
	    "\n",
	    0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2003);
	assert_int_equal(k.score, 966);
	assert_true(strncmp(k.rule, "[prefer] cmdline", 16) == 0);
	/* The desktop profile prefers it, and avoids gnome-shell. */
	k = pick_in("victim-ties", "[general]\nprofile = desktop\n", 0, NULL);
	assert_int_equal(k.pid, 2003);
	assert_string_equal(k.rule, "[prefer] cmdline = (^| )-contentproc"
	                            "( |$) (profile desktop)");
}

static void
test_victim_select_avoid_drops_big(void **state)
{
	struct pick k;

	k = pick_in("victim-ties", "[avoid]\nexe = ^/usr/bin/gnome-shell$\n", 0,
	    NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2004);
	/* Avoided, not excluded: it is still chosen when alone. */
	k = pick_in("victim-ties",
	    "[avoid]\nexe = ^/usr/bin/gnome-shell$\n"
	    "[only-kill]\nname = ^gnome-shell$\n",
	    0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2005);
	assert_int_equal(k.score, 366);
	/* Both rules that matched: the one that moved the score first. */
	assert_string_equal(k.rule, "[avoid] exe = ^/usr/bin/gnome-shell$ "
	                            "(test.conf:2), [only-kill] name = "
	                            "^gnome-shell$ (test.conf:4)");
}

static void
test_victim_select_renamed_sshd(void **state)
{
	struct pick k;

	/* The server profile protects sshd by exe: mallory's is fair game. */
	k = pick_in("victim-ties",
	    "[general]\nprofile = server\n"
	    "[avoid]\nexe = ^/usr/bin/gnome-shell$\n",
	    0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2004);
	assert_string_equal(k.comm, "sshd");
	/* A rule by name is fooled, which is why profiles do not use it. */
	k = pick_in("victim-ties",
	    "[never-kill]\nname = ^sshd$\n"
	    "[avoid]\nexe = ^/usr/bin/gnome-shell$\n",
	    0, NULL);
	assert_int_equal(k.pid, 2002);
}

static void
test_victim_select_rank_rss(void **state)
{
	struct pick k;

	k = pick_in("victim-ties", "[kill]\nrank_by = rss\n", 0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2005);
	/* RSS wins over oom_score: hog has 300, bash 50. */
	k = pick_in("victim-mixed",
	    "[kill]\nrank_by = rss\n"
	    "[only-kill]\nuser = 1000\n",
	    4242, NULL);
	assert_int_equal(k.pid, 1500);
}

static void
test_victim_select_rank_rss_counts_swap(void **state)
{
	struct pick k;

	/*
	 * leak has 10 MiB resident and 3 GiB swapped out: with rss ranking
	 * it outranks big's 1 GiB in RAM, (10 MiB + 3 GiB) / 16 GiB.
	 */
	k = pick_in("victim-swap", "[kill]\nrank_by = rss\n", 0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 6001);
	assert_int_equal(k.score, 188);
	assert_int_equal(k.swap_kib, 3145728);
	/* oom_score ranking takes the kernel's figure as it is. */
	k = pick_in("victim-swap", "", 0, NULL);
	assert_int_equal(k.pid, 6002);
	assert_int_equal(k.swap_reads, 0);
}

/* victim_select() over victim-swap, with meminfo saying swap_used. */
static struct pick
pick_swap_used(uint64_t swap_used_kib)
{
	struct policy *p = load_policy("[kill]\nrank_by = rss\n");
	char path[PATH_MAX + 16], text[128];
	struct selector s;
	struct tree tr;
	struct victim v;
	struct pick k;

	memset(&k, 0, sizeof(k));
	tree_open(&tr, "victim-swap");
	snprintf(path, sizeof(path), "%s/meminfo", tr.root);
	snprintf(text, sizeof(text), "SwapTotal: 4194304 kB\nSwapFree: %llu kB\n",
	    (unsigned long long)(4194304 - swap_used_kib));
	write_text(path, text);
	assert_int_equal(victim_selector_init(&s, 4096, 0), 0);
	s.mem_total_kib = MEM_TOTAL_KIB;
	k.r = victim_select(&s, &tr.pc, p, NULL, &v);
	k.pid = v.info.pid;
	k.judged = s.judged;
	k.swap_reads = s.swap_reads;
	k.scanned = s.scanned;
	victim_selector_free(&s);
	tree_close(&tr);
	policy_free(p);
	return k;
}

static void
test_victim_select_swap_bound(void **state)
{
	struct pick k;

	/*
	 * The swap in use bounds what any process can have swapped: with
	 * 3 GiB in use (188 permille) anyone may be the leak, and status
	 * is read for each whose resident set is within reach.
	 */
	k = pick_swap_used(3145728 + 8192);
	assert_int_equal(k.pid, 6001);
	assert_int_equal(k.scanned, 10);
	assert_int_equal(k.swap_reads, k.judged);
	assert_true(k.judged > 2);
	/*
	 * With 64 MiB in use (4 permille), big's 62 permille is out of
	 * reach of the rest: only big's status is read.  (meminfo says
	 * less than leak's VmSwap here: the bound is meminfo's word.)
	 */
	k = pick_swap_used(65536);
	assert_int_equal(k.pid, 6002);
	assert_int_equal(k.judged, 1);
	assert_int_equal(k.swap_reads, 1);
	/* No swap in use: no status read at all. */
	k = pick_swap_used(0);
	assert_int_equal(k.pid, 6002);
	assert_int_equal(k.swap_reads, 0);
}

static void
test_victim_select_none(void **state)
{
	struct policy *p;
	struct selector s;
	struct victim v;
	struct tree tr;
	struct pick k;

	k = pick_in("victim-ties", "[only-kill]\nname = ^nothing-here$\n", 0,
	    NULL);
	assert_int_equal(k.r, -ESRCH);
	/* A procfs with no process at all. */
	tree_open(&tr, "victim-garbage/sys");
	p = load_policy("");
	assert_int_equal(victim_selector_init(&s, 64, 0), 0);
	assert_int_equal(victim_select(&s, &tr.pc, p, NULL, &v), -ESRCH);
	assert_int_equal(s.scanned, 0);
	victim_selector_free(&s);
	tree_close(&tr);
	policy_free(p);
}

static void
test_victim_select_stuck_skipped(void **state)
{
	struct stuck_list stuck;
	struct pick k;

	memset(&stuck, 0, sizeof(stuck));
	stuck.e[0].pid = 2005;
	stuck.e[0].start_time = 51005; /* as in its stat */
	stuck.n = 1;
	k = pick_in("victim-ties", "", 0, &stuck);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2004);
	/* Two stuck ones. */
	stuck.e[1].pid = 2004;
	stuck.e[1].start_time = 51004;
	stuck.n = 2;
	k = pick_in("victim-ties", "", 0, &stuck);
	assert_int_equal(k.pid, 2002);
}

static void
test_victim_select_stuck_pid_reused(void **state)
{
	struct stuck_list stuck;
	struct pick k;

	/* The stuck process had pid 2005 before: this 2005 is new. */
	memset(&stuck, 0, sizeof(stuck));
	stuck.e[0].pid = 2005;
	stuck.e[0].start_time = 777;
	stuck.n = 1;
	k = pick_in("victim-ties", "", 0, &stuck);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 2005);
}

static void
test_victim_select_garbage_skipped(void **state)
{
	struct pick k;

	/* The exe is not needed: 3008 may win, its oddity unseen. */
	k = pick_in("victim-garbage", "", 0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 3008);
	assert_int_equal(k.scanned, 9);
	/* An exe rule cannot be checked on 3008: fail safe. */
	k = pick_in("victim-garbage", "[never-kill]\nexe = ^/usr/sbin/sshd$\n",
	    0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 3009);
	/* 3009's cmdline cannot be read: never chosen. */
	k = pick_in("victim-garbage",
	    "[never-kill]\nexe = ^/usr/sbin/sshd$\n"
	    "cmdline = ^/usr/sbin/sshd\n",
	    0, NULL);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 3001);
	k = pick_in("victim-garbage",
	    "[kill]\nrank_by = rss\n"
	    "[never-kill]\nexe = ^/usr/sbin/sshd$\ncmdline = ^/usr/sbin/sshd\n",
	    0, NULL);
	/* By RSS, a bad oom_score does not matter: three tie, by pid. */
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 3007);
}

static void
test_victim_select_branch_and_bound(void **state)
{
	struct pick k;

	k = pick_in("victim-bound", "", 0, NULL);
	assert_int_equal(k.pid, 5001);
	assert_int_equal(k.scanned, 40);
	assert_int_equal(k.judged, 1);
	/* A prefer rule could lift anyone by 300: still out of reach. */
	k = pick_in("victim-bound", "[prefer]\nname = ^small-\n", 0, NULL);
	assert_int_equal(k.pid, 5001);
	assert_int_equal(k.judged, 1);
	k = pick_in("victim-bound", "[kill]\nrank_by = rss\n", 0, NULL);
	assert_int_equal(k.pid, 5001);
	assert_int_equal(k.judged, 1);
	/* With a bonus that could reach the winner, more are judged. */
	k = pick_in("victim-bound",
	    "[kill]\nprefer_score = 800\n"
	    "[prefer]\nname = ^small-40$\n",
	    0, NULL);
	assert_int_equal(k.pid, 5040);
	assert_int_equal(k.score, 1000);
	assert_true(k.judged > 1);
	assert_true(k.judged < k.scanned);
}

static void
test_victim_select_strings_kept(void **state)
{
	struct pick k;

	/*
	 * The winner is judged among its ties, and those judged after it
	 * must not overwrite its exe and cmdline.
	 */
	k = pick_in("victim-ties", "[general]\nprofile = desktop\n", 0, NULL);
	assert_int_equal(k.pid, 2003);
	assert_string_equal(k.comm, "Isolated Web Co");
	assert_string_equal(k.exe, "/usr/lib/firefox/firefox");
	assert_string_equal(k.cmdline, "/usr/lib/firefox/firefox -contentproc "
	                               "-childID 3 -isForBrowser tab");
	k = pick_in("victim-ties", "[prefer]\ncmdline = ^python3 \n", 0, NULL);
	assert_int_equal(k.pid, 2001);
	assert_string_equal(k.comm, "a) Z b");
	assert_string_equal(k.cmdline, "python3 a) Z b.py");
}

/* --- victim_list --- */

static void
test_victim_list_header(void **state)
{
	int r;
	char *out = list_of("victim-ties", "", 0, &r);

	assert_int_equal(r, 0);
	assert_true(strncmp(out, "    PID USER", 12) == 0);
	assert_non_null(strstr(out, " SCORE "));
	assert_non_null(strstr(out, " OOM_SCORE "));
	assert_non_null(strstr(out, " OOM_SCORE_ADJ "));
	assert_non_null(strstr(out, " RSS "));
	assert_non_null(strstr(out, " SWAP "));
	assert_non_null(strstr(out, " NAME "));
	assert_non_null(strstr(out, " RULE\n"));
	free(out);
}

static void
test_victim_list_rank_order(void **state)
{
	static const pid_t plain[] = { 2005, 2004, 2002, 2003, 2001, 2008, 2007,
		2006 };
	static const pid_t desktop[] = { 2003, 2004, 2002, 2001, 2008, 2007,
		2005, 2006 };
	pid_t pids[16];
	size_t i, n;
	char *out;
	int r;

	out = list_of("victim-ties", "", 0, &r);
	assert_int_equal(r, 0);
	n = list_pids(out, pids, 16);
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++)
		assert_int_equal(pids[i], plain[i]);
	free(out);

	out = list_of("victim-ties", "[general]\nprofile = desktop\n", 0, &r);
	assert_int_equal(r, 0);
	n = list_pids(out, pids, 16);
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++)
		assert_int_equal(pids[i], desktop[i]);
	assert_non_null(strstr(out, "[prefer] cmdline = (^| )-contentproc"
	                            "( |$) (profile desktop)\n"));
	assert_non_null(strstr(out, "[avoid] exe = ^/usr/bin/(gnome-shell"));
	free(out);
}

static void
test_victim_list_hostile_names(void **state)
{
	const char *p;
	size_t lines = 0;
	char *out;
	int r;

	out = list_of("victim-ties", "", 0, &r);
	assert_int_equal(r, 0);
	/* A header and eight rows: no name started a line of its own. */
	for (p = out; *p != '\0'; p++)
		if (*p == '\n')
			lines++;
	assert_int_equal(lines, 9);
	assert_non_null(strstr(out, " line\\x0abreak "));
	assert_non_null(strstr(out, " a) Z b "));
	assert_non_null(strstr(out, " Isolated Web Co "));
	for (p = out; *p != '\0'; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	free(out);
}

static void
test_victim_list_not_candidates(void **state)
{
	pid_t pids[16];
	char *out;
	int r;

	out = list_of("victim-mixed", "", 4242, &r);
	assert_int_equal(r, 0);
	assert_int_equal(list_pids(out, pids, 16), 3);
	assert_int_equal(pids[0], 330);
	assert_int_equal(pids[1], 1500);
	assert_int_equal(pids[2], 1600);
	assert_non_null(strstr(out, "\n# not candidates: 1 pid 1; 1 bustd "
	                            "itself; 1 kernel thread; 1 zombie; 1 "
	                            "oom_score_adj -1000;\n"));
	free(out);

	out =
	    list_of("victim-mixed", "[general]\nprofile = server\n", 4242, &r);
	assert_int_equal(r, 0);
	assert_int_equal(list_pids(out, pids, 16), 2);
	assert_int_equal(pids[0], 1500);
	assert_int_equal(pids[1], 1600);
	/* kthreadd and the zombie have no exe, and are counted all the same. */
	assert_non_null(strstr(out, "\n# not candidates: 1 pid 1; 1 bustd "
	                            "itself; 1 kernel thread; 1 zombie; 1 "
	                            "oom_score_adj -1000; 1 [never-kill];\n"));
	free(out);
}

static void
test_victim_list_verbose(void **state)
{
	static const char *const why[] = {
		"#       1 systemd          pid 1\n",
		"#    4242 bustd            bustd itself\n",
		"#       2 kthreadd         kernel thread\n",
		"#     310 cron-job         zombie\n",
		"#     320 postgres         oom_score_adj -1000\n",
		"#     330 sshd             [never-kill] exe = ^/usr/sbin/sshd$ "
		"(profile server)\n",
	};
	char *out;
	size_t i;
	int r;

	/* -v: each process that is not a candidate, and why. */
	log_open(LOG_TARGET_STDERR, LOG_DEBUG);
	out =
	    list_of("victim-mixed", "[general]\nprofile = server\n", 4242, &r);
	log_open(LOG_TARGET_STDERR, LOG_INFO);
	assert_int_equal(r, 0);
	for (i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strstr(out, why[i]) == NULL)
			fail_msg("no line %s in:\n%s", why[i], out);
	free(out);
	/* Without -v, the count alone. */
	out =
	    list_of("victim-mixed", "[general]\nprofile = server\n", 4242, &r);
	assert_null(strstr(out, "#       1 systemd"));
	free(out);
}

static void
test_victim_list_swap(void **state)
{
	pid_t pids[16];
	char *out;
	int r;

	out = list_of("victim-swap", "[kill]\nrank_by = rss\n", 0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(list_pids(out, pids, 16), 10);
	assert_int_equal(pids[0], 6001);
	assert_int_equal(pids[1], 6002);
	assert_non_null(strstr(out, "   10.0 MiB   3.00 GiB  leak "));
	assert_non_null(strstr(out, " 1.00 GiB    0.0 MiB  big "));
	free(out);
}

static void
test_victim_list_garbage(void **state)
{
	pid_t pids[16];
	char *out;
	int r;

	out = list_of("victim-garbage", "", 0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(list_pids(out, pids, 16), 3);
	assert_int_equal(pids[0], 3008);
	assert_int_equal(pids[1], 3009);
	assert_int_equal(pids[2], 3001);
	free(out);
}


/* --- unit = auto: applications ranked whole --- */

#define APPS "/user.slice/user-1000.slice/user@1000.service/app.slice"

/* Write ROOT/CGROUP/cgroup.procs (and the folders). */
static void
write_procs(const char *root, const char *cgroup, const char *pids)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s%s", root, cgroup);
	mkdir_p(dir);
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	write_text(path, pids);
}

/* The cgroup tree of victim-units under root; with memcg, the memory
 * controller on v2 and memory.oom.group set for db.service. */
static void
units_tree(const char *root, bool memcg)
{
	char pids[512], path[PATH_MAX + 64];
	size_t n = 0;
	int i;

	for (i = 7001; i <= 7030; i++)
		n += (size_t)snprintf(pids + n, sizeof(pids) - n, "%d\n", i);
	write_procs(root, APPS "/app-foo.scope", pids);
	write_procs(root, "/user.slice/user-1000.slice/session-1.scope",
	    "7100\n7101\n7102\n7103\n");
	write_procs(root, APPS "/app-guarded.scope", "7200\n7201\n");
	write_procs(root, "/system.slice/db.service", "7300\n7301\n");
	write_procs(root, "", "1\n");
	if (memcg) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
		write_text(path, "cpuset cpu io memory pids\n");
		snprintf(path, sizeof(path),
		    "%s/system.slice/db.service/memory.oom.group", root);
		write_text(path, "1\n");
		snprintf(path, sizeof(path),
		    "%s/user.slice/user-1000.slice/session-1.scope/"
		    "memory.oom.group", root);
		write_text(path, "1\n"); /* never a session, whatever it says */
	}
}

struct upick {
	int r;
	pid_t pid;
	int64_t score;
	bool alone;
	char unit[PATH_MAX];
	size_t procs;
	uint64_t mem_kib;
	size_t judged;
	char rule[VICTIM_RULE_TEXT_MAX];
};

static struct upick
pick_units(const char *conf, bool memcg, pid_t self)
{
	struct policy *p = load_policy(conf);
	struct selector s;
	struct tree tr;
	struct victim v;
	struct upick k;
	char cg[PATH_MAX];

	memset(&k, 0, sizeof(k));
	tree_open(&tr, "victim-units");
	temp_dir(cg, sizeof(cg), "victim-cgroup");
	units_tree(cg, memcg);
	assert_int_equal(victim_selector_init(&s, 4096, self), 0);
	s.mem_total_kib = MEM_TOTAL_KIB;
	snprintf(s.cgroup_root, sizeof(s.cgroup_root), "%s", cg);
	s.cgroup_root_known = true;
	k.r = victim_select(&s, &tr.pc, p, NULL, &v);
	if (k.r == 0) {
		k.pid = v.info.pid;
		k.score = v.v.score;
		k.alone = v.alone;
		if (v.unit_cgroup != NULL)
			snprintf(k.unit, sizeof(k.unit), "%s", v.unit_cgroup);
		k.procs = v.unit_procs;
		k.mem_kib = v.unit_mem_kib;
		victim_rule_text(k.rule, sizeof(k.rule), &v.v);
	}
	k.judged = s.judged;
	victim_selector_free(&s);
	rm_tree(cg);
	tree_close(&tr);
	policy_free(p);
	return k;
}

static void
test_victim_select_unit_outranks_process(void **state)
{
	struct upick k;

	/*
	 * Thirty 300 MiB processes of app-foo.scope against one 1 GiB
	 * process: alone each scores 678 to bigone's 707; whole, the
	 * application scores its top member's 678 plus the rest of its
	 * memory as oom_score counts memory, 2/3 x 29 x 300 MiB / 16 GiB
	 * in permille: 354.  Its newest member stands for it.
	 */
	k = pick_units("[kill]\nunit = auto\n", false, 0);
	assert_int_equal(k.r, 0);
	assert_int_equal(k.pid, 7030);
	assert_int_equal(k.score, 678 + 354);
	assert_false(k.alone);
	assert_true(strstr(k.unit, APPS "/app-foo.scope") != NULL);
	assert_int_equal(k.procs, 30);
	assert_int_equal(k.mem_kib, 30 * 300 * 1024);
	/* Only the application was judged: bigone could not reach it. */
	assert_int_equal(k.judged, 30);
	/* Under unit = process each is a process, and bigone wins. */
	k = pick_units("[kill]\nunit = process\n", false, 0);
	assert_int_equal(k.pid, 7100);
	assert_int_equal(k.score, 707);
	assert_string_equal(k.unit, "");
	assert_int_equal(k.judged, 1);
	/* Ranked by memory: 8.79 GiB of 16 GiB is 549 permille. */
	k = pick_units("[kill]\nunit = auto\nrank_by = rss\n", false, 0);
	assert_int_equal(k.pid, 7030);
	assert_int_equal(k.score, 549);
}

static void
test_victim_select_unit_rules(void **state)
{
	struct upick k;

	/* [avoid] on a member lowers the application. */
	k = pick_units("[kill]\nunit = auto\n[avoid]\nname = ^foo-worker$\n",
	    false, 0);
	assert_int_equal(k.pid, 7030);
	assert_int_equal(k.score, 1032 - 300);
	assert_string_equal(k.rule, "[avoid] name = ^foo-worker$ "
	                            "(test.conf:4)");
	k = pick_units("[kill]\nunit = auto\navoid_score = 400\n"
	               "[avoid]\nname = ^foo-worker$\n",
	    false, 0);
	assert_int_equal(k.pid, 7100);
	/*
	 * A [prefer] match is cheap to lose on its own (a browser's
	 * tab): it is a candidate alone, and dies alone.
	 */
	k = pick_units("[kill]\nunit = auto\nprefer_score = 800\n"
	               "[prefer]\nname = ^foo-worker$\n",
	    false, 0);
	assert_int_equal(k.pid, 7030);
	assert_int_equal(k.score, 678 + 800);
	assert_true(k.alone);
	assert_string_equal(k.unit, "");
	/* With the default prefer_score, the whole still outranks it. */
	k = pick_units("[kill]\nunit = auto\n[prefer]\nname = ^foo-worker$\n",
	    false, 0);
	assert_int_equal(k.score, 1032);
	assert_false(k.alone);
	/* [only-kill] leaves bigone out; app-foo matches all through. */
	k = pick_units("[kill]\nunit = auto\n[only-kill]\ncgroup = app-foo\n",
	    false, 0);
	assert_int_equal(k.procs, 30);
}

static void
test_victim_select_unit_protected_member(void **state)
{
	struct upick k;

	/* app-guarded whole, its top member standing for it... */
	k = pick_units("[kill]\nunit = auto\n"
	               "[only-kill]\ncgroup = app-guarded\n",
	    false, 0);
	assert_int_equal(k.pid, 7200);
	assert_int_equal(k.procs, 2);
	/* ...but with keeper protected, guarded is a process alone. */
	k = pick_units("[kill]\nunit = auto\n"
	               "[only-kill]\ncgroup = app-guarded\n"
	               "[never-kill]\nexe = ^/usr/bin/keeper$\n",
	    false, 0);
	assert_int_equal(k.pid, 7200);
	assert_string_equal(k.unit, "");
	assert_int_equal(k.score, 700);
	/* A member outside [only-kill] keeps it whole too. */
	k = pick_units("[kill]\nunit = auto\n[only-kill]\nname = ^guarded$\n",
	    false, 0);
	assert_int_equal(k.pid, 7200);
	assert_string_equal(k.unit, "");
	/* bustd itself in app-foo: app-foo is never killed whole. */
	k = pick_units("[kill]\nunit = auto\n", false, 7005);
	assert_int_equal(k.pid, 7100);
	assert_string_equal(k.unit, "");
}

static void
test_victim_select_unit_oom_group(void **state)
{
	struct upick k;
	const char *conf = "[kill]\nunit = auto\navoid_score = 400\n"
	                   "[only-kill]\ncgroup = ^/(system|user)\\.slice/\n"
	                   "[avoid]\ncgroup = app-foo\n";

	/*
	 * memory.oom.group = 1 makes db.service one unit, where the memory
	 * controller is on v2: 690 and 128 MiB more, 2/3 x 7.8 permille.
	 */
	k = pick_units("[kill]\nunit = auto\n[only-kill]\n"
	               "cgroup = ^/system\\.slice/\n",
	    true, 0);
	assert_int_equal(k.pid, 7300);
	assert_int_equal(k.procs, 2);
	assert_int_equal(k.score, 695);
	/* Without it, db is a process like any. */
	k = pick_units("[kill]\nunit = auto\n[only-kill]\n"
	               "cgroup = ^/system\\.slice/\n",
	    false, 0);
	assert_int_equal(k.pid, 7300);
	assert_int_equal(k.procs, 0);
	assert_int_equal(k.score, 690);
	/* Indivisible: a [prefer] member lifts it whole, not alone (it
	 * stands for the unit, as the member that would go first). */
	k = pick_units("[kill]\nunit = auto\n[only-kill]\n"
	               "cgroup = ^/system\\.slice/\n"
	               "[prefer]\nname = ^db-worker$\n",
	    true, 0);
	assert_int_equal(k.pid, 7301);
	assert_int_equal(k.score, 995);
	assert_false(k.alone);
	assert_int_equal(k.procs, 2);
	/* A session is never one, whatever its memory.oom.group says:
	 * bigone (707) goes alone, and before db's 695. */
	k = pick_units(conf, true, 0);
	assert_int_equal(k.pid, 7100);
	assert_string_equal(k.unit, "");
}

/* victim_list() of victim-units under auto, -v if verbose. */
static char *
list_units(const char *conf, bool verbose)
{
	struct policy *p = load_policy(conf);
	char cg[PATH_MAX], mount[PATH_MAX + 256], dir[PATH_MAX + 32];
	struct tree tr;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	tree_open(&tr, "victim-units");
	temp_dir(cg, sizeof(cg), "victim-cgroup");
	units_tree(cg, false);
	/* victim_list() finds the cgroup2 mount in mountinfo. */
	snprintf(dir, sizeof(dir), "%s/self", tr.root);
	mkdir_p(dir);
	snprintf(mount, sizeof(mount),
	    "30 22 0:26 / %s rw,relatime shared:9 - cgroup2 cgroup2 rw\n", cg);
	snprintf(dir, sizeof(dir), "%s/self/mountinfo", tr.root);
	write_text(dir, mount);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	if (verbose)
		log_open(LOG_TARGET_STDERR, LOG_DEBUG);
	assert_int_equal(victim_list(f, &tr.pc, p, 0, MEM_TOTAL_KIB), 0);
	log_open(LOG_TARGET_STDERR, LOG_INFO);
	assert_int_equal(fclose(f), 0);
	rm_tree(cg);
	tree_close(&tr);
	policy_free(p);
	return out;
}

/* The row of pid in a --list output, or NULL; into buf. */
static const char *
row_of(const char *out, pid_t pid, char *buf, size_t size)
{
	const char *line = out;
	char head[16];

	snprintf(head, sizeof(head), "%7d ", (int)pid);
	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (strncmp(line, head, strlen(head)) == 0) {
			snprintf(buf, size, "%.*s", (int)n, line);
			return buf;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void
test_victim_list_units(void **state)
{
	char row[512];
	pid_t pids[64];
	size_t n;
	char *out;

	out = list_units("[kill]\nunit = auto\n", false);
	assert_non_null(strstr(out, " NAME             UNIT "));
	n = list_pids(out, pids, 64);
	/* app-foo as one row, bigone, guarded's app, db and db-worker,
	 * three shells. */
	assert_int_equal(n, 8);
	assert_int_equal(pids[0], 7030);
	assert_int_equal(pids[1], 7100);
	assert_non_null(row_of(out, 7030, row, sizeof(row)));
	assert_non_null(strstr(row, " 1032 "));
	assert_non_null(strstr(row, " app-foo.scope (30, 8.79 GiB) "));
	assert_non_null(row_of(out, 7100, row, sizeof(row)));
	assert_non_null(strstr(row, " pgrp 7100 "));
	assert_null(row_of(out, 7001, row, sizeof(row)));
	/* db.service is a service: db would die alone. */
	assert_non_null(row_of(out, 7300, row, sizeof(row)));
	assert_non_null(strstr(row, " process "));
	free(out);

	/* With keeper protected, guarded is ranked alone: its group is
	 * its own, so the group is what a kill would take. */
	out = list_units("[kill]\nunit = auto\n"
	                 "[never-kill]\nexe = ^/usr/bin/keeper$\n",
	    false);
	assert_non_null(row_of(out, 7200, row, sizeof(row)));
	assert_non_null(strstr(row, " pgrp 7200 "));
	assert_null(strstr(out, "app-guarded.scope ("));
	free(out);

	/* -v: each member of an application, and where it is ranked,
	 * before the processes that are no candidates. */
	out = list_units("[kill]\nunit = auto\n"
	                 "[never-kill]\nexe = ^/usr/bin/keeper$\n",
	    true);
	assert_non_null(strstr(out, "#    7001 foo-worker       ranked with "
	                            "its application "
	                            APPS "/app-foo.scope\n"));
	assert_non_null(strstr(out, "\n# not candidates: 1 [never-kill];\n"));
	assert_non_null(strstr(out, "#    7201 keeper           [never-kill] "
	                            "exe = ^/usr/bin/keeper$ (test.conf:4)\n"));
	assert_true(strstr(out, "ranked with its application") <
	            strstr(out, "# not candidates"));
	free(out);

	/* Under unit = process the column says so. */
	out = list_units("[kill]\nunit = process\n", false);
	assert_non_null(row_of(out, 7001, row, sizeof(row)));
	assert_non_null(strstr(row, " process "));
	assert_int_equal(list_pids(out, pids, 64), 38);
	free(out);
}

/* --- victim_rule_text --- */

static void
test_victim_rule_text_format(void **state)
{
	struct policy *p = load_policy("[general]\nprofile = desktop\n"
	                               "[prefer]\nname = ^chrom\n");
	struct proc_info i = proc_make(10, "chromium", 300, 1024);
	struct verdict v;
	char buf[512];

	judge(p, &i, &v);
	assert_string_equal(victim_rule_text(buf, sizeof(buf), &v),
	    "[prefer] name = ^chrom (test.conf:4)");
	i.exe = "/usr/bin/dbus-daemon";
	judge(p, &i, &v);
	assert_int_equal(v.excl, EXCL_NEVER_KILL);
	assert_string_equal(victim_rule_text(buf, sizeof(buf), &v),
	    "[never-kill] exe = ^/usr/bin/dbus-(daemon|broker|broker-launch)$ "
	    "(profile desktop)");
	policy_free(p);
}

static void
test_victim_rule_text_no_rule(void **state)
{
	struct verdict v;
	char buf[16];

	memset(&v, 0, sizeof(v));
	assert_ptr_equal(victim_rule_text(buf, sizeof(buf), &v), buf);
	assert_string_equal(buf, "-");
}

static void
test_victim_rule_text_truncated(void **state)
{
	struct policy *p = load_policy("[avoid]\ncmdline = ^/opt/a-very-long-"
	                               "path/to/some/program --with-options\n");
	struct proc_info i = proc_make(10, "x", 300, 1024);
	struct verdict v;
	char buf[24];

	i.cmdline = "/opt/a-very-long-path/to/some/program --with-options";
	judge(p, &i, &v);
	assert_non_null(v.rules[SET_AVOID]);
	memset(buf, 'Z', sizeof(buf));
	victim_rule_text(buf, sizeof(buf), &v);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_true(strncmp(buf, "[avoid] cmdline = ^/opt", 23) == 0);
	policy_free(p);
}

/* --- victim_fields --- */

static void
test_victim_fields_per_rule(void **state)
{
	struct policy *p;

	p = load_policy("");
	assert_int_equal(victim_fields(p), 0);
	policy_free(p);
	p = load_policy("[never-kill]\nuser = 0\n[prefer]\nname = ^x$\n");
	assert_int_equal(victim_fields(p), PROC_HAVE_UID | PROC_HAVE_STAT);
	policy_free(p);
	p = load_policy("[avoid]\nexe = ^/x$\n[only-kill]\ncgroup = ^/u\n"
	                "cmdline = y\n");
	assert_int_equal(victim_fields(p),
	    PROC_HAVE_EXE | PROC_HAVE_CGROUP | PROC_HAVE_CMDLINE);
	policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_victim_judge_plain_candidate),
		cmocka_unit_test(test_victim_judge_kthread),
		cmocka_unit_test(test_victim_judge_zombie),
		cmocka_unit_test(test_victim_judge_oom_score_zero),
		cmocka_unit_test(test_victim_judge_never_kill_name),
		cmocka_unit_test(test_victim_judge_never_kill_exe),
		cmocka_unit_test(test_victim_judge_never_kill_cmdline),
		cmocka_unit_test(test_victim_judge_never_kill_cgroup),
		cmocka_unit_test(test_victim_judge_never_kill_user),
		cmocka_unit_test(test_victim_judge_unreadable_fails_safe),
		cmocka_unit_test(test_victim_judge_cgroup_rule_without_cgroup2),
		cmocka_unit_test(
		    test_victim_judge_profiles_avoid_package_managers),
		cmocka_unit_test(test_victim_judge_unreadable_prefer_field),
		cmocka_unit_test(test_victim_judge_only_kill),
		cmocka_unit_test(test_victim_judge_prefer),
		cmocka_unit_test(test_victim_judge_avoid),
		cmocka_unit_test(test_victim_judge_prefer_and_avoid),
		cmocka_unit_test(test_victim_judge_rank_rss),
		cmocka_unit_test(test_victim_judge_rank_rss_adj_min),
		cmocka_unit_test(test_victim_judge_rule_points_at_match),
		cmocka_unit_test(test_victim_judge_renamed_sshd_not_protected),
		cmocka_unit_test(test_victim_judge_hostile_names),
		cmocka_unit_test(test_victim_better_score),
		cmocka_unit_test(test_victim_better_rss),
		cmocka_unit_test(test_victim_better_pid),
		cmocka_unit_test(test_victim_better_every_pair),
		cmocka_unit_test(test_victim_better_every_pair_judged),
		cmocka_unit_test(test_victim_select_highest_score),
	    cmocka_unit_test(test_victim_select_skips_own_children),
	    cmocka_unit_test(test_victim_select_skips_own_children_groups),
		cmocka_unit_test(test_victim_select_ties_by_rss),
		cmocka_unit_test(test_victim_select_ties_by_pid),
		cmocka_unit_test(test_victim_select_not_pid1),
		cmocka_unit_test(test_victim_select_not_self),
		cmocka_unit_test(test_victim_select_not_kthread_zombie),
		cmocka_unit_test(test_victim_select_not_adj_min),
		cmocka_unit_test(test_victim_select_never_kill_biggest),
		cmocka_unit_test(test_victim_select_only_kill),
		cmocka_unit_test(test_victim_select_prefer_lifts_small),
		cmocka_unit_test(test_victim_select_avoid_drops_big),
		cmocka_unit_test(test_victim_select_renamed_sshd),
		cmocka_unit_test(test_victim_select_rank_rss),
		cmocka_unit_test(test_victim_select_rank_rss_counts_swap),
		cmocka_unit_test(test_victim_select_swap_bound),
		cmocka_unit_test(test_victim_select_none),
		cmocka_unit_test(test_victim_select_stuck_skipped),
		cmocka_unit_test(test_victim_select_stuck_pid_reused),
		cmocka_unit_test(test_victim_select_garbage_skipped),
		cmocka_unit_test(test_victim_select_branch_and_bound),
		cmocka_unit_test(test_victim_select_strings_kept),
		cmocka_unit_test(test_victim_list_header),
		cmocka_unit_test(test_victim_list_rank_order),
		cmocka_unit_test(test_victim_list_hostile_names),
		cmocka_unit_test(test_victim_list_not_candidates),
		cmocka_unit_test(test_victim_list_verbose),
		cmocka_unit_test(test_victim_list_swap),
		cmocka_unit_test(test_victim_list_garbage),
		cmocka_unit_test(test_victim_select_unit_outranks_process),
		cmocka_unit_test(test_victim_select_unit_rules),
		cmocka_unit_test(test_victim_select_unit_protected_member),
		cmocka_unit_test(test_victim_select_unit_oom_group),
		cmocka_unit_test(test_victim_list_units),
		cmocka_unit_test(test_victim_rule_text_format),
		cmocka_unit_test(test_victim_rule_text_no_rule),
		cmocka_unit_test(test_victim_rule_text_truncated),
		cmocka_unit_test(test_victim_fields_per_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
