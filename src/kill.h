/* SPDX-License-Identifier: MIT */
/* kill.h: taking a victim down: identity check, TERM -> KILL, waiting. */
#ifndef BUSTD_KILL_H
#define BUSTD_KILL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "decide.h"
#include "policy.h"
#include "proc.h"
#include "sys.h"
#include "victim.h"

/* What was known of the victim when it was chosen; owned by the killer
 * so that no later read of /proc can change it. */
struct kill_target {
	pid_t pid;
	uint64_t start_time;
	uid_t uid;
	pid_t pgrp;
	uint64_t rss_kib;
	uint64_t swap_kib;
	uint64_t unit_mem_kib; /* its application's memory, 0 if none */
	bool alone; /* unit = auto: to die alone (a [prefer] match) */
	int64_t score;
	int oom_score;
	int oom_score_adj;
	char comm[PROC_COMM_MAX];
	char cmdline[PROC_CMDLINE_MAX + 1];
	char cgroup[PROC_PATH_MAX];
	char rule[VICTIM_RULE_TEXT_MAX];
	char reason[256];
};

enum kill_state {
	KILL_IDLE,
	KILL_WAITING, /* signalled, not gone yet */
};

struct killer {
	const struct sys_ops *ops;
	const struct proc_ctx *pc;
	pid_t self;

	enum kill_state state;
	int pidfd; /* -1 without pidfd support */
	bool no_pidfd; /* ENOSYS seen: use kill(2) */
	bool dry_run;
	bool whole_group; /* signalling the process group */
	bool whole_cgroup; /* killing the cgroup */
	unsigned int unit_procs; /* processes in the group or cgroup */
	int sig; /* last signal sent, 0 if none */
	uint64_t first_ms; /* first signal */
	uint64_t kill_ms; /* SIGKILL, 0 if not yet */
	uint64_t term_deadline_ms;

	/* Totals, for the status line and metrics. */
	unsigned long n_term;
	unsigned long n_kill;
	unsigned long n_gone;
	unsigned long n_stuck;
	unsigned long n_escalate_timeout;
	unsigned long n_escalate_level;
	unsigned long n_dry; /* victims chosen in a dry run, not counted
	                        with the kills above */
	const char *cgroup_root; /* cgroup2 mount, "" if none; not ours */

	/* The victim, and scratch space for the guards of wider kills:
	 * preallocated, so that the kill path needs no deep stack. */
	struct kill_target t;
	struct proc_bufs scratch;
	char dents[4096] __attribute__((aligned(8))); /* getdents64 records */
	char path[PROC_PATH_MAX + 256];
	struct cgroup_walk walk;
	char scope[640]; /* the kill line's words on the unit */
	char cgroup_shown[640]; /* t.cgroup escaped, for the log */
};

/* cgroup_root: the cgroup2 mount point from mountinfo, or NULL.  The
 * string is the caller's and must outlive the killer. */
void kill_init(struct killer *k, const struct sys_ops *ops,
    const struct proc_ctx *pc, pid_t self, const char *cgroup_root);

/*
 * Start killing v with sig (SIGTERM or SIGKILL).  Checks
 * that the pid still names the process that was judged (start time),
 * takes the unit of p ([kill] unit) with its guards, sends the signal
 * (not in a dry run) and logs the kill line, which names the unit, why,
 * and how many processes it held.
 * Returns 0 (now waiting), -ESRCH if the process has gone, -ESTALE if
 * its pid was reused: rescan then.  Other -errno: the signal failed.
 */
int kill_start(struct killer *k, const struct policy *p, const struct victim *v,
    int sig, const char *reason);

/*
 * Has the victim exited?  Its pidfd says so, or without one /proc does.
 * Always false in a dry run (nothing was sent: time lets it go) and when
 * no kill is under way.
 */
bool kill_gone(struct killer *k);

/*
 * SIGKILL to a victim that had SIGTERM: memory reached the kill level
 * (kill_level, why says which reading) or term_timeout passed.  p is the
 * policy now (it may have been reloaded): a process-group or cgroup kill
 * is checked again under it (never widened).  In a dry run, only logs
 * what it would do.
 */
void kill_escalate(struct killer *k, const struct policy *p, bool kill_level,
    const char *why);

/* The kill is over: the victim is gone, or stuck (it outlived SIGKILL
 * by DECIDE_STUCK_MS).  Logs it, counts it, lets go of the pidfd. */
void kill_done(struct killer *k, bool stuck);

/* The timeline of the kill under way, for decide(). */
void kill_clock(const struct killer *k, struct victim_clock *c);

/* fd to poll for the victim's exit, or -1. */
int kill_poll_fd(const struct killer *k);
/* Drop a kill in progress (at exit). */
void kill_abandon(struct killer *k);

#endif
