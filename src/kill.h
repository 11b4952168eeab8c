/* SPDX-License-Identifier: MIT */
/* kill.h: taking a victim down: identity check, TERM -> KILL, waiting. */
#ifndef BUSTD_KILL_H
#define BUSTD_KILL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"
#include "proc.h"
#include "sys.h"
#include "victim.h"

/* After SIGKILL, how long a victim may take to exit before it is
 * reported as stuck (uninterruptible sleep) and the next one is tried. */
#define KILL_WAIT_MS 5000

/* What was known of the victim when it was chosen; owned by the killer
 * so that no later read of /proc can change it. */
struct kill_target {
	pid_t pid;
	uint64_t start_time;
	uid_t uid;
	pid_t pgrp;
	uint64_t rss_kib;
	int64_t score;
	int oom_score;
	int oom_score_adj;
	char comm[PROC_COMM_MAX];
	char cmdline[PROC_CMDLINE_MAX + 1];
	char cgroup[PROC_PATH_MAX];
	char rule[512];
	char reason[256];
};

enum kill_state {
	KILL_IDLE,
	KILL_WAITING, /* signalled, not gone yet */
};

enum kill_event {
	KILL_EVENT_NONE,
	KILL_EVENT_GONE, /* the victim exited */
	KILL_EVENT_STUCK, /* survived SIGKILL for KILL_WAIT_MS */
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
	uint64_t last_gone_ms;
	uint64_t last_kill_ms; /* time of the last first signal */
	const char *cgroup_root; /* cgroup2 mount, "" if none; not ours */

	/* Large and seldom used: kept last, and not cleared by kill_init()
	 * (pages of a fresh mapping stay unused until a kill). */
	struct kill_target t;
};

/* cgroup_root: the cgroup2 mount point from mountinfo, or NULL.  The
 * string is the caller's and must outlive the killer. */
void kill_init(struct killer *k, const struct sys_ops *ops,
    const struct proc_ctx *pc, pid_t self, const char *cgroup_root);

/*
 * Start killing v with sig (SIGTERM or SIGKILL).  Checks
 * that the pid still names the process that was judged (start time),
 * applies the process-group and cgroup options with their guards, sends
 * the signal (not in a dry run) and logs the kill line.
 * Returns 0 (now waiting), -ESRCH if the process has gone, -ESTALE if
 * its pid was reused: rescan then.  Other -errno: the signal failed.
 */
int kill_start(struct killer *k, const struct policy *p, const struct victim *v,
    int sig, const char *reason);

/*
 * Advance a kill in progress: notice the exit, escalate to SIGKILL when
 * term_timeout has passed or memory is at the kill level (kill_level,
 * why says which reading), give up after KILL_WAIT_MS.  p is the policy
 * now (it may have been reloaded): a process-group or cgroup kill is
 * checked again under it before SIGKILL.
 */
enum kill_event kill_check(struct killer *k, const struct policy *p,
    bool kill_level, const char *why);

/* fd to poll for the victim's exit, or -1. */
int kill_poll_fd(const struct killer *k);
/* ms until kill_check has something to do by time alone. */
uint32_t kill_next_ms(const struct killer *k);
/* Drop a kill in progress (exit, reload is fine to keep it). */
void kill_abandon(struct killer *k);

/* Find the cgroup2 mount in procfs/self/mountinfo. 0 or -errno. */
int kill_find_cgroup2(int procfs_fd, char *out, size_t size);

/* User name of uid from /etc/passwd, without NSS and without heap;
 * the number if not found.  Returns buf. */
char *kill_user_name(uid_t uid, char *buf, size_t size);

#endif
