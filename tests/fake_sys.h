/* SPDX-License-Identifier: MIT */
/* fake_sys.h: a recording fake of struct sys_ops, scripted by the tests. */
#ifndef BUSTD_FAKE_SYS_H
#define BUSTD_FAKE_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sys.h"

#define FAKE_CALLS_MAX 256
#define FAKE_FD_BASE 100 /* fake pidfds: never a real descriptor */

/* One call made through the ops table. */
struct fake_call {
	const char *name; /* "pidfd_open", "kill", ... */
	int id; /* the pid or fd the call was about */
	int sig; /* the signal, 0 if none */
	char path[512]; /* write_file, spawn */
	char text[16]; /* write_file */
};

/*
 * The fake's whole state.  ops.ctx points back at it, so a test hands
 * &f.ops to the code under test and nothing else is shared.  Scripted
 * errors are 0 (success) or -errno, and stay until the test changes them.
 */
struct fake_sys {
	struct sys_ops ops;

	struct fake_call calls[FAKE_CALLS_MAX];
	size_t ncalls;
	size_t dropped; /* calls past FAKE_CALLS_MAX */

	int pidfd_open_err; /* e.g. -ESRCH, -ENOSYS */
	int send_signal_err;
	int mrelease_err; /* e.g. -EINVAL, -ENOSYS */
	int kill_err;
	int write_err;
	pid_t spawn_pid;	/* spawn succeeds with this pid if > 0 */
	int exited; /* what pidfd_exited returns: 0, 1, -errno */
	struct sys_mem mem; /* what sysinfo returns */
	int sysinfo_err;

	int next_fd;
	int open_fds; /* pidfds opened and not closed */
	uint64_t now_ms; /* the clock; tests move it */

	/*
	 * If set, called at the start of every call, now_ms included (name
	 * "now_ms"), so that a test can change the world between two steps
	 * of the code under test: a pid reused between check and kill.
	 */
	void (*hook)(struct fake_sys *f, const char *name, void *arg);
	void *hook_arg;
};

/* Install the ops, zero the record, start the clock at a non-zero time. */
void fake_sys_init(struct fake_sys *f);

/* Move the fake clock forward. */
void fake_sys_advance(struct fake_sys *f, uint64_t ms);

/* Forget the calls recorded so far (scripted results stay). */
void fake_sys_clear(struct fake_sys *f);

/* How many calls named name were made; with sig != 0, with that signal. */
size_t fake_sys_count(const struct fake_sys *f, const char *name, int sig);

/* The n-th (from 0) call named name, or NULL. */
const struct fake_call *fake_sys_nth(const struct fake_sys *f, const char *name,
    size_t n);

/* Calls that change the world: signals, mrelease, cgroup writes, spawn. */
size_t fake_sys_count_actions(const struct fake_sys *f);

/* The recorded calls, one a line, for a failing test's message. */
void fake_sys_dump(const struct fake_sys *f);

#endif
