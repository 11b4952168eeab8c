/* SPDX-License-Identifier: MIT */
/* kill.c: signalling the victim through a pidfd, escalating, waiting. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kill.h"
#include "log.h"

void
kill_init(struct killer *k, const struct sys_ops *ops,
    const struct proc_ctx *pc, pid_t self, const char *cgroup_root)
{
	memset(k, 0, offsetof(struct killer, t));
	k->t.pid = 0;
	k->t.comm[0] = '\0';
	k->ops = ops;
	k->pc = pc;
	k->self = self;
	k->pidfd = -1;
	k->cgroup_root = cgroup_root != NULL ? cgroup_root : "";
}

static uint64_t
now(const struct killer *k)
{
	return k->ops->now_ms(k->ops->ctx);
}

static const char *
sig_name(int sig)
{
	return sig == SIGKILL ? "SIGKILL" : sig == SIGTERM ? "SIGTERM" : "?";
}

char *
kill_user_name(uid_t uid, char *buf, size_t size)
{
	char chunk[4096], line[512];
	size_t ll = 0;
	ssize_t n;
	int fd;

	snprintf(buf, size, "%u", (unsigned int)uid);
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++) {
			char *c1, *c2, *end;
			unsigned long u;

			if (chunk[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = chunk[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			/* name:passwd:uid:... */
			c1 = strchr(line, ':');
			c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (c2 == NULL)
				continue;
			u = strtoul(c2 + 1, &end, 10);
			if (end == c2 + 1 || *end != ':' || u != uid)
				continue;
			*c1 = '\0';
			log_escape(buf, size, line, strlen(line));
			close(fd);
			return buf;
		}
	}
	close(fd);
	return buf;
}

/* The mount point if line of mountinfo is a cgroup2 root mount. */
static bool
cgroup2_line(char *line, char *out, size_t size)
{
	char *f[5], *s = line;
	int i;

	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - FSTYPE SRC OPTS" */
	if (strstr(line, " - cgroup2 ") == NULL)
		return false;
	for (i = 0; i < 5; i++)
		if ((f[i] = strsep(&s, " ")) == NULL)
			return false;
	/* Mount points escape space, tab, newline, backslash as octal:
	 * such a root is skipped rather than decoded. */
	if (strcmp(f[3], "/") != 0 || strchr(f[4], '\\') != NULL)
		return false;
	snprintf(out, size, "%s", f[4]);
	return true;
}

int
kill_find_cgroup2(int procfs_fd, char *out, size_t size)
{
	char chunk[4096], line[1024];
	size_t ll = 0;
	bool too_long = false;
	ssize_t n, i;
	int fd, r = -ENOENT;

	fd = openat(procfs_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (r == -ENOENT && (n = read(fd, chunk, sizeof(chunk))) > 0) {
		for (i = 0; i < n && r == -ENOENT; i++) {
			if (chunk[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = chunk[i];
				else
					too_long = true;
				continue;
			}
			line[ll] = '\0';
			if (!too_long && cgroup2_line(line, out, size))
				r = 0;
			ll = 0;
			too_long = false;
		}
	}
	close(fd);
	return r;
}

/* Is pid one we must never signal?  Names it in why if so. */
static bool
protected_pid(struct killer *k, const struct policy *p, pid_t pid, char *why,
    size_t size)
{
	struct proc_bufs bufs;
	struct proc_info info;
	struct verdict v;
	char comm[4 * PROC_COMM_MAX];

	if (pid == 1 || pid == k->self) {
		snprintf(why, size, "pid %d (%s)", (int)pid,
		    pid == 1 ? "init" : "bustd itself");
		return true;
	}
	memset(&info, 0, sizeof(info));
	info.pid = pid;
	if (proc_fill(k->pc, &info, PROC_HAVE_STAT | victim_fields(p), &bufs) ==
	    -ENOENT)
		return false;
	/* Judge only by the rules: ranking does not matter here. */
	info.oom_score = 1;
	info.have |= PROC_HAVE_OOM_SCORE;
	victim_judge(p, &info, 1, &v);
	if (v.excl == EXCL_NEVER_KILL || v.excl == EXCL_UNREADABLE) {
		log_escape(comm, sizeof(comm), info.st.comm,
		    strlen(info.st.comm));
		snprintf(why, size, "pid %d (%s, %s)", (int)pid, comm,
		    victim_exclusion_name(v.excl));
		return true;
	}
	return false;
}

struct group_arg {
	struct killer *k;
	const struct policy *p;
	pid_t pgrp;
	char *why;
	size_t size;
	bool found;
};

static bool
pgrp_member(pid_t pid, void *arg)
{
	struct group_arg *g = arg;
	struct proc_info info;

	memset(&info, 0, sizeof(info));
	info.pid = pid;
	if (proc_fill(g->k->pc, &info, PROC_HAVE_STAT, NULL) < 0 ||
	    info.st.pgrp != g->pgrp)
		return true;
	g->found = protected_pid(g->k, g->p, pid, g->why, g->size);
	return !g->found;
}

/* Does process group pgrp hold a protected process? */
static bool
group_protected(struct killer *k, const struct policy *p, pid_t pgrp, char *why,
    size_t size)
{
	struct group_arg g = { k, p, pgrp, why, size, false };
	char dents[4096];

	if (pgrp <= 1) {
		snprintf(why, size, "process group %d", (int)pgrp);
		return true;
	}
	if (proc_each_pid(k->pc, dents, sizeof(dents), pgrp_member, &g) < 0) {
		snprintf(why, size, "/proc unreadable");
		return true;
	}
	return g.found;
}

/* path of file name in the victim's cgroup; false if it does not fit. */
static bool
cgroup_file(const struct killer *k, const char *name, char *path, size_t size)
{
	size_t a = strlen(k->cgroup_root), b = strlen(k->t.cgroup);
	size_t c = strlen(name);

	if (a + b + 1 + c + 1 > size)
		return false;
	memcpy(path, k->cgroup_root, a);
	memcpy(path + a, k->t.cgroup, b);
	path[a + b] = '/';
	memcpy(path + a + b + 1, name, c + 1);
	return true;
}

/* A cgroup deeper than this below the victim's is not walked: the kill
 * stays with the victim (fail safe). */
#define CGROUP_DEPTH_MAX 16

/* fn on each pid of the cgroup.procs at dirfd; true if fn said stop. */
static bool
each_procs_pid(struct killer *k, int dirfd,
    bool (*fn)(struct killer *, pid_t, void *), void *arg)
{
	char buf[4096];
	long pid = -1;
	ssize_t n, i;
	int fd;

	fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fn(k, -1, arg);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				pid = (pid < 0 ? 0 : pid) * 10 + (buf[i] - '0');
			} else if (pid >= 0) {
				if (fn(k, (pid_t)pid, arg)) {
					close(fd);
					return true;
				}
				pid = -1;
			}
		}
	}
	close(fd);
	if (n < 0)
		return fn(k, -1, arg);
	return pid >= 0 ? fn(k, (pid_t)pid, arg) : false;
}

struct cg_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * fn on each pid of the cgroup at dirfd and of every cgroup below it:
 * cgroup.kill takes the whole subtree, so the guard must see it all.
 * fn(k, -1, arg) reports what could not be read.
 */
static bool
each_subtree_pid(struct killer *k, int dirfd, int depth,
    bool (*fn)(struct killer *, pid_t, void *), void *arg)
{
	char dents[1024];
	long n, off;

	if (each_procs_pid(k, dirfd, fn, arg))
		return true;
	if (depth >= CGROUP_DEPTH_MAX)
		return fn(k, -1, arg);
	while ((n = syscall(SYS_getdents64, dirfd, dents, sizeof(dents))) > 0) {
		for (off = 0; off < n;) {
			struct cg_dirent64 *d = (void *)(dents + off);
			bool stop;
			int sub;

			off += d->d_reclen;
			if (d->d_type != DT_DIR || d->d_name[0] == '.')
				continue;
			sub = openat(dirfd, d->d_name,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub < 0) {
				if (fn(k, -1, arg))
					return true;
				continue;
			}
			stop = each_subtree_pid(k, sub, depth + 1, fn, arg);
			close(sub);
			if (stop)
				return true;
		}
	}
	return n < 0 ? fn(k, -1, arg) : false;
}

/* Call fn on each pid of the victim's cgroup and its descendants.
 * Returns true as soon as fn does. */
static bool
each_cgroup_pid(struct killer *k, bool (*fn)(struct killer *, pid_t, void *),
    void *arg)
{
	char path[2 * PROC_PATH_MAX];
	bool stop;
	int fd = -1;

	if (cgroup_file(k, "", path, sizeof(path)))
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fn(k, -1, arg);
	stop = each_subtree_pid(k, fd, 0, fn, arg);
	close(fd);
	return stop;
}

struct guard_arg {
	const struct policy *p;
	char *why;
	size_t size;
};

static bool
guard_one(struct killer *k, pid_t pid, void *arg)
{
	struct guard_arg *g = arg;

	if (pid < 0) {
		snprintf(g->why, g->size, "part of the cgroup tree unreadable");
		return true;
	}
	return protected_pid(k, g->p, pid, g->why, g->size);
}

static bool
signal_one(struct killer *k, pid_t pid, void *arg)
{
	if (pid > 0 && pid != k->t.pid)
		k->ops->kill(k->ops->ctx, pid, *(int *)arg);
	return false;
}

/*
 * Send sig to the victim, and to its group or cgroup if chosen.  now_is:
 * the victim's stat as just read, or NULL to read it here.
 */
static int
deliver(struct killer *k, int sig, const struct proc_info *now_is)
{
	char path[2 * PROC_PATH_MAX];
	bool group_sent = false;
	uint64_t st;
	int r;

	k->sig = sig;
	if (sig == SIGKILL)
		k->kill_ms = now(k);
	if (k->dry_run)
		return 0;
	/*
	 * The group first, while the victim (pinned by its pidfd) is still
	 * a member: a group id lives as long as one member does, so it can
	 * only be the victim's own group.  If the victim has left it, its
	 * old id may belong to someone else by now: the victim goes alone.
	 */
	if (k->whole_group) {
		struct proc_info now_in;

		if (now_is == NULL) {
			memset(&now_in, 0, sizeof(now_in));
			now_in.pid = k->t.pid;
			if (proc_fill(k->pc, &now_in, PROC_HAVE_STAT, NULL) == 0)
				now_is = &now_in;
		}
		if (now_is != NULL && now_is->st.pgrp == k->t.pgrp &&
		    now_is->st.start_time == k->t.start_time) {
			group_sent =
			    k->ops->kill(k->ops->ctx, -k->t.pgrp, sig) == 0;
		} else {
			log_info("pid %d: no longer in process group %d: "
			    "signalling it alone", (int)k->t.pid,
			    (int)k->t.pgrp);
			k->whole_group = false;
		}
	}
	if (k->pidfd >= 0) {
		r = k->ops->pidfd_send_signal(k->ops->ctx, k->pidfd, sig);
	} else {
		/* No pidfd: check the start time right before kill(2). */
		r = proc_start_time(k->pc, k->t.pid, &st);
		if (r == 0 && st != k->t.start_time)
			r = -ESRCH;
		if (r == 0)
			r = k->ops->kill(k->ops->ctx, k->t.pid, sig);
	}
	/*
	 * The group's signal reached the victim too, and it may have died of
	 * it already: then its pidfd says ESRCH, and that is no failure.
	 */
	if (group_sent && (r == -ESRCH || r == -ENOENT))
		r = 0;
	if (r < 0)
		return r;
	if (k->whole_cgroup) {
		if (sig != SIGKILL ||
		    !cgroup_file(k, "cgroup.kill", path, sizeof(path)) ||
		    k->ops->write_file(k->ops->ctx, path, "1") < 0)
			each_cgroup_pid(k, signal_one, &sig);
	}
	/*
	 * Reap the address space now rather than when the victim gets to
	 * run its exit path.  Works once the victim is exiting: after
	 * SIGKILL, or SIGTERM without a handler.  EINVAL otherwise.
	 */
	if (k->pidfd >= 0) {
		r = k->ops->process_mrelease(k->ops->ctx, k->pidfd);
		if (r < 0 && r != -EINVAL && r != -ESRCH)
			log_debug("pid %d: process_mrelease: %s", (int)k->t.pid,
			    strerror(-r));
	}
	return 0;
}

static void
format_size(char *buf, size_t size, uint64_t kib)
{
	if (kib >= 1024 * 1024)
		snprintf(buf, size, "%.1f GiB", kib / 1048576.0);
	else
		snprintf(buf, size, "%.1f MiB", kib / 1024.0);
}

/* Why the victim's cgroup may not be killed whole, or NULL if it may. */
static const char *
cgroup_refused(struct killer *k, const struct policy *p, bool known, char *why,
    size_t size)
{
	struct guard_arg g = { p, why, size };

	if (k->cgroup_root[0] == '\0')
		return "no cgroup v2 mount";
	if (!known)
		return "its cgroup is unknown";
	if (strcmp(k->t.cgroup, "/") == 0)
		return "it is in the root cgroup";
	if (each_cgroup_pid(k, guard_one, &g))
		return why;
	return NULL;
}

/*
 * Decide how wide the kill is: wider kills are opt-in, and never take a
 * protected process.  Called at the first signal and again before
 * SIGKILL: members may have come in since.  Returns the log's words.
 */
static const char *
choose_scope(struct killer *k, const struct policy *p, const char *comm,
    bool cgroup_known)
{
	char why[160], whole[200];
	const char *no;

	k->whole_cgroup = k->whole_group = false;
	if (p->cgroup) {
		no = cgroup_refused(k, p, cgroup_known, whole, sizeof(whole));
		if (no == NULL) {
			k->whole_cgroup = true;
			return " and its cgroup";
		}
		log_info("pid %d (%s): cgroup %s not killed whole: %s",
		    (int)k->t.pid, comm, k->t.cgroup[0] ? k->t.cgroup : "?",
		    no);
	}
	if (p->process_group) {
		if (!group_protected(k, p, k->t.pgrp, why, sizeof(why))) {
			k->whole_group = true;
			return " and its process group";
		}
		log_info("pid %d (%s): process group %d not signalled whole: "
		         "it holds %s",
		    (int)k->t.pid, comm, (int)k->t.pgrp, why);
	}
	return "";
}

/*
 * Is pid still the process that was judged (start time k->t.start_time),
 * and not already exiting?  0, with its stat in *now_is; -ESRCH if it is
 * gone or a zombie (its memory is on its way back); -ESTALE if the pid
 * names another process.
 */
static int
still_there(const struct killer *k, pid_t pid, struct proc_info *now_is)
{
	int r;

	memset(now_is, 0, sizeof(*now_is));
	now_is->pid = pid;
	r = proc_fill(k->pc, now_is, PROC_HAVE_STAT, NULL);
	if (r < 0)
		return r == -ENOENT || r == -ESRCH ? -ESRCH : -ESTALE;
	if (now_is->st.start_time != k->t.start_time) {
		log_debug("pid %d: started anew since the scan (start time "
		    "%llu, was %llu): not the process judged", (int)pid,
		    (unsigned long long)now_is->st.start_time,
		    (unsigned long long)k->t.start_time);
		return -ESTALE;
	}
	if (now_is->st.state == 'Z' || now_is->st.state == 'X')
		return -ESRCH;
	return 0;
}

int
kill_start(struct killer *k, const struct policy *p, const struct victim *v,
    int sig, const char *reason)
{
	struct proc_bufs bufs;
	struct proc_info info = v->info, now_is;
	char comm[4 * PROC_COMM_MAX], user[64], rss[32];
	const char *scope;
	int r;

	if (k->state != KILL_IDLE)
		return -EBUSY;
	memset(&k->t, 0, sizeof(k->t));
	k->t.pid = info.pid;
	k->t.start_time = info.st.start_time;
	k->dry_run = p->dry_run;
	k->whole_group = k->whole_cgroup = false;
	k->sig = 0;
	k->kill_ms = 0;

	/* Pin the process, then make sure it is the one judged. */
	k->pidfd = -1;
	if (!k->no_pidfd) {
		r = k->ops->pidfd_open(k->ops->ctx, info.pid);
		if (r == -ENOSYS) {
			k->no_pidfd = true;
			log_warn("pidfd_open: not supported by the kernel; "
			         "using kill(2) with a start-time check");
		} else if (r < 0) {
			return r == -ESRCH ? -ESRCH : r;
		} else {
			k->pidfd = r;
		}
	}
	r = still_there(k, info.pid, &now_is);
	if (r < 0) {
		if (k->pidfd >= 0)
			k->ops->close(k->ops->ctx, k->pidfd);
		k->pidfd = -1;
		return r;
	}

	/* What the log and the hook need, copied: /proc may go away. */
	info.exe = info.cgroup = NULL;
	info.have &= ~(PROC_HAVE_EXE | PROC_HAVE_CGROUP | PROC_HAVE_CMDLINE);
	if (v->info.have & PROC_HAVE_CMDLINE) {
		snprintf(k->t.cmdline, sizeof(k->t.cmdline), "%s",
		    v->info.cmdline);
		info.have |= PROC_HAVE_CMDLINE;
	}
	if (v->info.have & PROC_HAVE_CGROUP) {
		snprintf(k->t.cgroup, sizeof(k->t.cgroup), "%s",
		    v->info.cgroup);
		info.have |= PROC_HAVE_CGROUP;
	}
	proc_fill(k->pc, &info,
	    PROC_HAVE_UID | PROC_HAVE_OOM_ADJ | PROC_HAVE_OOM_SCORE |
	        PROC_HAVE_CMDLINE | (p->cgroup ? PROC_HAVE_CGROUP : 0),
	    &bufs);
	if (info.cmdline != NULL)
		snprintf(k->t.cmdline, sizeof(k->t.cmdline), "%s",
		    info.cmdline);
	if (info.cgroup != NULL)
		snprintf(k->t.cgroup, sizeof(k->t.cgroup), "%s", info.cgroup);
	k->t.uid = info.uid;
	k->t.pgrp = info.st.pgrp;
	k->t.rss_kib = info.rss_kib;
	k->t.score = v->v.score;
	k->t.oom_score = info.oom_score;
	k->t.oom_score_adj = info.oom_score_adj;
	memcpy(k->t.comm, info.st.comm, sizeof(k->t.comm));
	victim_rule_text(k->t.rule, sizeof(k->t.rule), &v->v);
	snprintf(k->t.reason, sizeof(k->t.reason), "%s", reason);
	log_escape(comm, sizeof(comm), k->t.comm, strlen(k->t.comm));

	scope = choose_scope(k, p, comm, info.have & PROC_HAVE_CGROUP);

	k->first_ms = now(k);
	k->last_kill_ms = k->first_ms;
	k->term_deadline_ms = k->first_ms + p->term_timeout_ms;
	if (k->dry_run && p->term_timeout_ms < 1000)
		k->term_deadline_ms = k->first_ms + 1000;
	r = deliver(k, sig, &now_is);
	if (r < 0) {
		if (k->pidfd >= 0)
			k->ops->close(k->ops->ctx, k->pidfd);
		k->pidfd = -1;
		log_warn("pid %d (%s): %s failed: %s", (int)k->t.pid, comm,
		    sig_name(sig), strerror(-r));
		return r;
	}
	k->state = KILL_WAITING;
	if (sig == SIGKILL)
		k->n_kill++;
	else
		k->n_term++;

	kill_user_name(k->t.uid, user, sizeof(user));
	format_size(rss, sizeof(rss), k->t.rss_kib);
	log_info("pid %d (%s) uid %u (%s): %s%s%s: rss %s, score %lld "
	         "(oom_score %d, oom_score_adj %d); reason: %s; rule: %s",
	    (int)k->t.pid, comm, (unsigned int)k->t.uid, user,
	    k->dry_run ? "dry run, would send " : "sending ", sig_name(sig),
	    scope, rss, (long long)k->t.score, k->t.oom_score,
	    k->t.oom_score_adj, k->t.reason, k->t.rule);
	return 0;
}

static void
finish(struct killer *k)
{
	if (k->pidfd >= 0)
		k->ops->close(k->ops->ctx, k->pidfd);
	k->pidfd = -1;
	k->state = KILL_IDLE;
}

/* Without a pidfd: gone when stat is gone, reused, or a zombie. */
static bool
gone_by_proc(struct killer *k)
{
	struct proc_info info;
	int r;

	memset(&info, 0, sizeof(info));
	info.pid = k->t.pid;
	r = proc_fill(k->pc, &info, PROC_HAVE_STAT, NULL);
	if (r == -ENOENT || r == -ESRCH)
		return true;
	if (r < 0)
		return false;
	return info.st.start_time != k->t.start_time || info.st.state == 'Z' ||
	       info.st.state == 'X';
}

enum kill_event
kill_check(struct killer *k, const struct policy *p, bool kill_level,
    const char *why)
{
	char comm[4 * PROC_COMM_MAX];
	uint64_t t = now(k);
	bool gone;
	int r;

	if (k->state != KILL_WAITING)
		return KILL_EVENT_NONE;
	log_escape(comm, sizeof(comm), k->t.comm, strlen(k->t.comm));

	if (k->dry_run) {
		/* Nothing was sent: play the timeline, then let go. */
		if (k->sig == SIGTERM &&
		    (kill_level || t >= k->term_deadline_ms)) {
			k->sig = SIGKILL;
			log_info("pid %d (%s): dry run, would send SIGKILL: %s",
			    (int)k->t.pid, comm,
			    kill_level ? why : "term_timeout passed");
		}
		if (t < k->term_deadline_ms)
			return KILL_EVENT_NONE;
		log_info("pid %d (%s): dry run, nothing was sent; deciding "
		         "again",
		    (int)k->t.pid, comm);
		finish(k);
		return KILL_EVENT_GONE;
	}

	r = k->pidfd >= 0 ? k->ops->pidfd_exited(k->ops->ctx, k->pidfd) : -1;
	/* Without an answer from the pidfd, /proc tells. */
	gone = r > 0 || (r < 0 && gone_by_proc(k));
	if (gone) {
		k->n_gone++;
		k->last_gone_ms = t;
		if (k->kill_ms > k->first_ms)
			log_info("pid %d (%s): gone %llu ms after SIGTERM, "
			         "%llu ms after SIGKILL",
			    (int)k->t.pid, comm,
			    (unsigned long long)(t - k->first_ms),
			    (unsigned long long)(t - k->kill_ms));
		else
			log_info("pid %d (%s): gone %llu ms after %s",
			    (int)k->t.pid, comm,
			    (unsigned long long)(t - k->first_ms),
			    k->kill_ms ? "SIGKILL" : "SIGTERM");
		finish(k);
		return KILL_EVENT_GONE;
	}
	if (k->sig == SIGTERM && (kill_level || t >= k->term_deadline_ms)) {
		if (k->whole_cgroup || k->whole_group)
			choose_scope(k, p, comm, k->t.cgroup[0] != '\0');
		r = deliver(k, SIGKILL, NULL);
		k->n_kill++;
		if (kill_level)
			k->n_escalate_level++;
		else
			k->n_escalate_timeout++;
		if (r < 0 && r != -ESRCH)
			log_warn("pid %d (%s): SIGKILL failed: %s",
			    (int)k->t.pid, comm, strerror(-r));
		else
			log_info("pid %d (%s): sending SIGKILL: %s",
			    (int)k->t.pid, comm,
			    kill_level ? why : "term_timeout passed");
		return KILL_EVENT_NONE;
	}
	if (k->sig == SIGKILL && t >= k->kill_ms + KILL_WAIT_MS) {
		k->n_stuck++;
		log_warn("pid %d (%s): still there %d ms after SIGKILL "
		         "(uninterruptible sleep?); trying the next candidate",
		    (int)k->t.pid, comm, KILL_WAIT_MS);
		finish(k);
		return KILL_EVENT_STUCK;
	}
	return KILL_EVENT_NONE;
}

int
kill_poll_fd(const struct killer *k)
{
	return k->state == KILL_WAITING && !k->dry_run ? k->pidfd : -1;
}

uint32_t
kill_next_ms(const struct killer *k)
{
	uint64_t t = now(k), at;

	if (k->state != KILL_WAITING)
		return UINT32_MAX;
	if (k->sig == SIGTERM || k->dry_run)
		at = k->term_deadline_ms;
	else
		at = k->kill_ms + KILL_WAIT_MS;
	/* Without a pidfd, the exit shows only by looking. */
	if (k->pidfd < 0 && !k->dry_run && at > t + 20)
		at = t + 20;
	return at > t ? (uint32_t)(at - t) : 0;
}

void
kill_abandon(struct killer *k)
{
	finish(k);
}
