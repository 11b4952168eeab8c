/* SPDX-License-Identifier: MIT */
/* kill.c: signalling the victim through a pidfd, escalating, waiting. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "kill.h"
#include "log.h"

void
kill_init(struct killer *k, const struct sys_ops *ops,
    const struct proc_ctx *pc, pid_t self, const char *cgroup_root)
{
	/* All of it, its buffers too: locked in RAM from the start, the
	 * kill path never waits for a page of its own. */
	memset(k, 0, sizeof(*k));
	k->ops = ops;
	k->pc = pc;
	k->self = self;
	k->pidfd = -1;
	k->cgroup_root = cgroup_root != NULL ? cgroup_root : "";
}

/* snprintf that may truncate, on purpose: log words. */
static void __attribute__((format(printf, 3, 4)))
put(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
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

/*
 * Is pid one a wider kill must never take?  pid 1, bustd, and whatever
 * the policy keeps from being a victim of its own: a [never-kill] match
 * (or a process whose field for one cannot be read), a process outside
 * a non-empty [only-kill], oom_score_adj -1000.  Names it in why if so.
 */
static bool
protected_pid(struct killer *k, const struct policy *p, pid_t pid, char *why,
    size_t size)
{
	struct proc_info info;
	struct verdict v;
	char comm[4 * PROC_COMM_MAX];
	const char *what = NULL;

	if (pid == 1 || pid == k->self) {
		snprintf(why, size, "pid %d (%s)", (int)pid,
		    pid == 1 ? "init" : "bustd itself");
		return true;
	}
	memset(&info, 0, sizeof(info));
	info.pid = pid;
	if (proc_fill(k->pc, &info,
	    PROC_HAVE_STAT | PROC_HAVE_OOM_ADJ | victim_fields(p),
	    &k->scratch) == -ENOENT)
		return false;
	/* Judge only by the rules: ranking does not matter here. */
	info.oom_score = 1;
	info.have |= PROC_HAVE_OOM_SCORE;
	victim_judge(p, &info, 1, &v);
	if (v.excl == EXCL_NEVER_KILL || v.excl == EXCL_UNREADABLE ||
	    v.excl == EXCL_NOT_ONLY_KILL)
		what = victim_exclusion_name(v.excl);
	else if ((info.have & PROC_HAVE_OOM_ADJ) && info.oom_score_adj <= -1000)
		what = "oom_score_adj -1000";
	if (what == NULL)
		return false;
	log_escape(comm, sizeof(comm), info.st.comm, strlen(info.st.comm));
	snprintf(why, size, "pid %d (%s, %s)", (int)pid, comm, what);
	return true;
}

struct group_arg {
	struct killer *k;
	const struct policy *p;
	pid_t pgrp;
	char *why;
	size_t size;
	bool found;
	unsigned int n;
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
	g->n++;
	g->found = protected_pid(g->k, g->p, pid, g->why, g->size);
	return !g->found;
}

/* Does process group pgrp hold a protected process?  Counts its
 * members into k->unit_procs. */
static bool
group_protected(struct killer *k, const struct policy *p, pid_t pgrp, char *why,
    size_t size)
{
	struct group_arg g = { k, p, pgrp, why, size, false, 0 };

	if (pgrp <= 1) {
		snprintf(why, size, "process group %d", (int)pgrp);
		return true;
	}
	if (proc_each_pid(k->pc, k->dents, sizeof(k->dents), pgrp_member,
	    &g) < 0) {
		snprintf(why, size, "/proc unreadable");
		return true;
	}
	k->unit_procs = g.n;
	return g.found;
}

/* path of file name in the victim's cgroup; false if it does not fit. */
static bool
cgroup_file(struct killer *k, const char *name)
{
	return cgroup_path(k->cgroup_root, k->t.cgroup, name, k->path,
	    sizeof(k->path));
}

struct guard_arg {
	struct killer *k;
	const struct policy *p;
	char *why;
	size_t size;
	unsigned int n;
};

static bool
guard_one(pid_t pid, void *arg)
{
	struct guard_arg *g = arg;

	if (pid < 0) {
		snprintf(g->why, g->size, "part of the cgroup tree unreadable");
		return true;
	}
	g->n++;
	return protected_pid(g->k, g->p, pid, g->why, g->size);
}

struct signal_arg {
	struct killer *k;
	int sig;
};

static bool
signal_one(pid_t pid, void *arg)
{
	struct signal_arg *a = arg;

	if (pid > 0 && pid != a->k->t.pid)
		a->k->ops->kill(a->k->ops->ctx, pid, a->sig);
	return false;
}

/*
 * Send sig to the victim, and to its group or cgroup if chosen.  now_is:
 * the victim's stat as just read, or NULL to read it here.
 */
static int
deliver(struct killer *k, int sig, const struct proc_info *now_is)
{
	struct signal_arg sa = { k, sig };
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
		if (sig != SIGKILL || !cgroup_file(k, "cgroup.kill") ||
		    k->ops->write_file(k->ops->ctx, k->path, "1") < 0) {
			if (cgroup_file(k, ""))
				cgroup_each_pid(&k->walk, k->path, signal_one,
				    &sa);
		}
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

/* Why the victim's cgroup may not be killed whole, or NULL if it may.
 * Counts its members into k->unit_procs. */
static const char *
cgroup_refused(struct killer *k, const struct policy *p, bool known, char *why,
    size_t size)
{
	struct guard_arg g = { k, p, why, size, 0 };

	if (k->cgroup_root[0] == '\0')
		return "no cgroup v2 mount";
	if (!known)
		return "its cgroup is unknown";
	if (strcmp(k->t.cgroup, "/") == 0)
		return "it is in the root cgroup";
	if (!cgroup_file(k, ""))
		return "its cgroup path is too long";
	if (cgroup_each_pid(&k->walk, k->path, guard_one, &g))
		return why;
	k->unit_procs = g.n;
	return NULL;
}

/*
 * unit = auto: is the victim's cgroup one application, and which kind?
 * An app-*.scope or app-*.service by its name, or any other cgroup that
 * has memory.oom.group set (systemd's OOMPolicy=kill: its owner asked
 * for whole-unit kills); never a slice, a session, a user's manager,
 * init's scope or the root, whatever their memory.oom.group says.
 * false, with the reason in why, if it is not.  *c: its kind, or
 * CGROUP_INIT (taken alone) if it is unknown.
 */
static bool
cgroup_is_app(struct killer *k, bool known, enum cgroup_kind *c,
    const char **kind, char *why, size_t size)
{
	uint64_t group = 0;
	int fd;

	*c = CGROUP_INIT;
	if (k->cgroup_root[0] == '\0' || !known) {
		snprintf(why, size, "%s", k->cgroup_root[0] == '\0'
		    ? "no cgroup v2 mount" : "its cgroup is unknown");
		return false;
	}
	*c = cgroup_kind(k->t.cgroup);
	if (*c == CGROUP_APP_SCOPE || *c == CGROUP_APP_SERVICE) {
		*kind = cgroup_kind_name(*c);
		return true;
	}
	if (*c < CGROUP_ROOT && cgroup_file(k, "")) {
		fd = open(k->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			if (cgroup_read_u64(fd, "memory.oom.group", &group) < 0)
				group = 0;
			close(fd);
		}
		if (group == 1) {
			*kind = "memory.oom.group = 1";
			return true;
		}
	}
	put(why, size, "cgroup %s is %s", k->cgroup_shown,
	    cgroup_kind_name(*c));
	return false;
}

/* " (a; b)", " (a)" or "" into k->scope after its text. */
static void
scope_add(struct killer *k, const char *a, const char *b)
{
	size_t n = strlen(k->scope);

	if (a == NULL || *a == '\0') {
		a = b;
		b = NULL;
	}
	if (a == NULL || *a == '\0')
		return;
	if (b != NULL && *b != '\0')
		put(k->scope + n, sizeof(k->scope) - n, " (%s; %s)", a, b);
	else
		put(k->scope + n, sizeof(k->scope) - n, " (%s)", a);
}

/* Try the victim's cgroup; true, and the words, if it is taken. */
static bool
take_cgroup(struct killer *k, const struct policy *p, const char *comm,
    bool known, const char *why_app, char *no, size_t size)
{
	char whole[200];
	const char *refused;

	refused = cgroup_refused(k, p, known, whole, sizeof(whole));
	if (refused == NULL) {
		char n[64], mem[LOG_SIZE_MAX];

		k->whole_cgroup = true;
		log_size(mem, sizeof(mem), k->t.unit_mem_kib);
		snprintf(n, sizeof(n), "%u process%s%s%s", k->unit_procs,
		    k->unit_procs == 1 ? "" : "es",
		    k->t.unit_mem_kib ? ", " : "",
		    k->t.unit_mem_kib ? mem : "");
		put(k->scope, sizeof(k->scope), " and its cgroup %s",
		    k->cgroup_shown);
		scope_add(k, why_app, n);
		return true;
	}
	log_info("pid %d (%s): cgroup %s not killed whole: %s", (int)k->t.pid,
	    comm, k->cgroup_shown, refused);
	put(no, size, "cgroup %s %s %s", k->cgroup_shown,
	    refused == whole ? "holds" : "not taken:", refused);
	return false;
}

/* Try the victim's process group; true, and the words, if taken. */
static bool
take_group(struct killer *k, const struct policy *p, const char *comm,
    const char *why_not_cgroup, char *no, size_t size)
{
	char why[160];

	if (!group_protected(k, p, k->t.pgrp, why, sizeof(why))) {
		char n[64];

		k->whole_group = true;
		snprintf(n, sizeof(n), "%u process%s", k->unit_procs,
		    k->unit_procs == 1 ? "" : "es");
		snprintf(k->scope, sizeof(k->scope),
		    " and its process group %d", (int)k->t.pgrp);
		scope_add(k, n, why_not_cgroup);
		return true;
	}
	log_info("pid %d (%s): process group %d not signalled whole: "
	         "it holds %s",
	    (int)k->t.pid, comm, (int)k->t.pgrp, why);
	put(no, size, "process group %d holds %s", (int)k->t.pgrp, why);
	return false;
}

/* How wide choose_scope() may go. */
enum scope_limit {
	SCOPE_ANY,	/* the first signal: what p->unit says */
	SCOPE_CGROUP,	/* before SIGKILL, after a cgroup: it, or less */
	SCOPE_GROUP,	/* before SIGKILL, after a group: it, or less */
};

/*
 * Decide how wide the kill is, by p->unit: wider kills are opt-in, and
 * never take a protected process.  Called at the first signal and again
 * before SIGKILL, limited to what the first took: members may have come
 * in since, and a kill never widens on the way.  Writes the log's words
 * on it to k->scope and returns them.
 */
static const char *
choose_scope(struct killer *k, const struct policy *p, const char *comm,
    bool cgroup_known, enum scope_limit limit)
{
	char no_cgroup[400] = "", no_group[300] = "";
	const char *kind = NULL;
	bool cgroup_ok = limit != SCOPE_GROUP, group_ok = limit != SCOPE_CGROUP;
	enum cgroup_kind c;

	k->whole_cgroup = k->whole_group = false;
	k->unit_procs = 1;
	k->scope[0] = '\0';
	switch (p->unit) {
	case UNIT_CGROUP:
		if (cgroup_ok)
			take_cgroup(k, p, comm, cgroup_known, NULL, no_cgroup,
			    sizeof(no_cgroup));
		break;
	case UNIT_GROUP:
		if (group_ok)
			take_group(k, p, comm, NULL, no_group,
			    sizeof(no_group));
		break;
	case UNIT_AUTO:
		if (k->t.alone) {
			snprintf(k->scope, sizeof(k->scope),
			    " alone (a [prefer] match)");
			break;
		}
		if (cgroup_is_app(k, cgroup_known, &c, &kind, no_cgroup,
		    sizeof(no_cgroup)) && cgroup_ok &&
		    take_cgroup(k, p, comm, cgroup_known, kind, no_cgroup,
		    sizeof(no_cgroup)))
			break;
		/* A service's group is the service: only the victim. */
		if (group_ok && cgroup_kind_group_ok(c) &&
		    take_group(k, p, comm, no_cgroup, no_group,
		    sizeof(no_group)))
			break;
		snprintf(k->scope, sizeof(k->scope), " alone");
		scope_add(k, no_cgroup, no_group);
		break;
	default:
		break;
	}
	return k->scope;
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
	if (proc_dead(&now_is->st))
		return -ESRCH;
	return 0;
}

int
kill_start(struct killer *k, const struct policy *p, const struct victim *v,
    int sig, const char *reason)
{
	struct proc_info info = v->info, now_is;
	char comm[4 * PROC_COMM_MAX], user[64], rss[LOG_SIZE_MAX];
	char swap[LOG_SIZE_MAX + 8];
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
	if ((v->info.have & PROC_HAVE_CGROUP) && v->info.cgroup != NULL) {
		snprintf(k->t.cgroup, sizeof(k->t.cgroup), "%s",
		    v->info.cgroup);
		info.have |= PROC_HAVE_CGROUP;
	}
	proc_fill(k->pc, &info,
	    PROC_HAVE_UID | PROC_HAVE_OOM_ADJ | PROC_HAVE_OOM_SCORE |
	        PROC_HAVE_SWAP | PROC_HAVE_CMDLINE |
	        (p->unit == UNIT_CGROUP || p->unit == UNIT_AUTO
	            ? PROC_HAVE_CGROUP : 0),
	    &k->scratch);
	if (info.cmdline != NULL)
		snprintf(k->t.cmdline, sizeof(k->t.cmdline), "%s",
		    info.cmdline);
	if (info.cgroup != NULL)
		snprintf(k->t.cgroup, sizeof(k->t.cgroup), "%s", info.cgroup);
	k->t.uid = info.uid;
	k->t.pgrp = info.st.pgrp;
	k->t.rss_kib = info.rss_kib;
	k->t.swap_kib = (info.have & PROC_HAVE_SWAP) ? info.swap_kib : 0;
	k->t.unit_mem_kib = v->unit_mem_kib;
	k->t.alone = v->alone;
	k->t.score = v->v.score;
	k->t.oom_score = info.oom_score;
	k->t.oom_score_adj = info.oom_score_adj;
	memcpy(k->t.comm, info.st.comm, sizeof(k->t.comm));
	victim_rule_text(k->t.rule, sizeof(k->t.rule), &v->v);
	snprintf(k->t.reason, sizeof(k->t.reason), "%s", reason);
	log_escape(comm, sizeof(comm), k->t.comm, strlen(k->t.comm));
	if (k->t.cgroup[0] != '\0')
		log_escape(k->cgroup_shown, sizeof(k->cgroup_shown),
		    k->t.cgroup, strlen(k->t.cgroup));
	else
		snprintf(k->cgroup_shown, sizeof(k->cgroup_shown), "?");

	scope = choose_scope(k, p, comm, k->t.cgroup[0] != '\0', SCOPE_ANY);

	k->first_ms = now(k);
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
	if (k->dry_run)
		k->n_dry++;
	else if (sig == SIGKILL)
		k->n_kill++;
	else
		k->n_term++;

	sys_user_name(k->t.uid, user, sizeof(user));
	log_size(rss, sizeof(rss), k->t.rss_kib);
	swap[0] = '\0';
	if (k->t.swap_kib > 0) {
		memcpy(swap, ", swap ", 8);
		log_size(swap + 7, sizeof(swap) - 7, k->t.swap_kib);
	}
	log_kill("pid %d (%s) uid %u (%s): %s%s%s: rss %s%s, score %lld "
	         "(oom_score %d, oom_score_adj %d); reason: %s; rule: %s",
	    (int)k->t.pid, comm, (unsigned int)k->t.uid, user,
	    k->dry_run ? "dry run, would send " : "sending ", sig_name(sig),
	    scope, rss, swap, (long long)k->t.score, k->t.oom_score,
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

bool
kill_gone(struct killer *k)
{
	struct proc_info info;
	int r;

	/* A dry run sent nothing: its victim is let go by time alone. */
	if (k->state != KILL_WAITING || k->dry_run)
		return false;
	r = k->pidfd >= 0 ? k->ops->pidfd_exited(k->ops->ctx, k->pidfd) : -1;
	if (r >= 0)
		return r > 0;
	/* Without an answer from a pidfd, /proc tells: gone when its stat
	 * is gone, names another process, or shows it dead. */
	memset(&info, 0, sizeof(info));
	info.pid = k->t.pid;
	r = proc_fill(k->pc, &info, PROC_HAVE_STAT, NULL);
	if (r == -ENOENT || r == -ESRCH)
		return true;
	if (r < 0)
		return false;
	return info.st.start_time != k->t.start_time || proc_dead(&info.st);
}

void
kill_escalate(struct killer *k, const struct policy *p, bool kill_level,
    const char *why)
{
	char comm[4 * PROC_COMM_MAX];
	const char *because = kill_level ? why : "term_timeout passed";
	int r;

	if (k->state != KILL_WAITING || k->sig != SIGTERM)
		return;
	log_escape(comm, sizeof(comm), k->t.comm, strlen(k->t.comm));
	if (k->dry_run) {
		k->sig = SIGKILL;
		k->kill_ms = now(k);
		log_kill("pid %d (%s): dry run, would send SIGKILL: %s",
		    (int)k->t.pid, comm, because);
		return;
	}
	/* Members may have come in since the first signal: look again. */
	if (k->whole_cgroup || k->whole_group)
		choose_scope(k, p, comm, k->t.cgroup[0] != '\0',
		    k->whole_cgroup ? SCOPE_CGROUP : SCOPE_GROUP);
	r = deliver(k, SIGKILL, NULL);
	k->n_kill++;
	if (kill_level)
		k->n_escalate_level++;
	else
		k->n_escalate_timeout++;
	if (r < 0 && r != -ESRCH)
		log_warn("pid %d (%s): SIGKILL failed: %s", (int)k->t.pid, comm,
		    strerror(-r));
	else
		log_kill("pid %d (%s): sending SIGKILL: %s", (int)k->t.pid,
		    comm, because);
}

void
kill_done(struct killer *k, bool stuck)
{
	char comm[4 * PROC_COMM_MAX];
	uint64_t t = now(k);

	if (k->state != KILL_WAITING)
		return;
	log_escape(comm, sizeof(comm), k->t.comm, strlen(k->t.comm));
	if (k->dry_run) {
		log_info("pid %d (%s): dry run, nothing was sent; deciding "
		         "again",
		    (int)k->t.pid, comm);
	} else if (stuck) {
		k->n_stuck++;
		log_warn("pid %d (%s): still there %llu ms after SIGKILL "
		         "(uninterruptible sleep?); trying the next candidate",
		    (int)k->t.pid, comm, (unsigned long long)(t - k->kill_ms));
	} else {
		k->n_gone++;
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
	}
	finish(k);
}

int
kill_poll_fd(const struct killer *k)
{
	return k->state == KILL_WAITING && !k->dry_run ? k->pidfd : -1;
}

void
kill_clock(const struct killer *k, struct victim_clock *c)
{
	memset(c, 0, sizeof(*c));
	c->active = k->state == KILL_WAITING;
	c->dry_run = k->dry_run;
	c->polled = k->pidfd < 0;
	c->sig = k->sig;
	c->kill_ms = k->kill_ms;
	c->term_deadline_ms = k->term_deadline_ms;
}

void
kill_abandon(struct killer *k)
{
	finish(k);
}
