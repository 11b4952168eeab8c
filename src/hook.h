/* SPDX-License-Identifier: MIT */
/* hook.h: programs run after a kill: the admin's hook, notify-send. */
#ifndef BUSTD_HOOK_H
#define BUSTD_HOOK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kill.h"
#include "policy.h"
#include "sys.h"

/* Children at once; more are refused (and logged) rather than queued. */
#define HOOK_MAX 8
/* notify-send gets this long before it is killed. */
#define HOOK_NOTIFY_TIMEOUT_MS 5000

struct hook_child {
	pid_t pid;
	uint64_t deadline_ms;
	bool killed;		/* SIGKILL sent at the deadline */
	char what[48];		/* "hook /usr/local/sbin/x", "notify-send" */
};

struct hooks {
	const struct sys_ops *ops;
	struct hook_child kids[HOOK_MAX];
	size_t n;
	const char *notify_send;	/* path of notify-send */
	const char *run_user_dir;	/* "/run/user": session buses */
	bool notify_missing_logged;
	unsigned long n_started;
	unsigned long n_failed;
};

void hook_init(struct hooks *h, const struct sys_ops *ops);

/*
 * The environment of the hook for t, in buf (size bytes): BUSTD_EVENT
 * ("kill" or "warning"), BUSTD_PID,
 * BUSTD_NAME, BUSTD_UID, BUSTD_USER, BUSTD_RSS_KIB, BUSTD_SIGNAL,
 * BUSTD_REASON, BUSTD_CMDLINE (values as the kernel has them), plus
 * BUSTD_RESULT, BUSTD_DRY_RUN and a PATH.  envp gets up to n - 1
 * pointers and a NULL.  Returns the number of variables.
 */
size_t hook_env(const struct kill_target *t, const char *event,
    const char *signal, const char *result, bool dry_run, char *buf,
    size_t size, char **envp, size_t n);

/*
 * After a kill ends (result "gone", "stuck" or "dry-run"): start the
 * [notify] exec program and, unless a dry run, the desktop notification
 * of p.  Never waits.  Children are watched by hook_reap().
 */
void hook_after_kill(struct hooks *h, const struct policy *p,
    const struct kill_target *t, const char *signal, const char *result);

/*
 * A warning (decide.h): start the [notify] exec program with
 * BUSTD_EVENT=warning and t the process that would go first (pid 0 if
 * none), and with [notify] desktop = yes a notification of text to each
 * graphical session (every user's session bus under run_user_dir).
 */
void hook_warning(struct hooks *h, const struct policy *p,
    const struct kill_target *t, const char *text);

/* Reap exited children (log failures), kill those past their time. */
void hook_reap(struct hooks *h);
/* ms until a child's deadline, or UINT32_MAX. */
uint32_t hook_next_ms(const struct hooks *h);

#endif
