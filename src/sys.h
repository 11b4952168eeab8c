/* SPDX-License-Identifier: MIT */
/* sys.h: the OS actions bustd takes, behind a table tests can replace. */
#ifndef BUSTD_SYS_H
#define BUSTD_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What sysinfo(2) says of memory, in KiB. */
struct sys_mem {
	uint64_t total_kib;
	uint64_t free_kib; /* MemFree: a lower bound of MemAvailable */
	uint64_t swap_total_kib;
	uint64_t swap_free_kib;
};

/*
 * Every action that changes the world goes through here.  All return 0
 * (or an fd) on success and -errno on failure; none logs.
 */
struct sys_ops {
	int (*pidfd_open)(void *ctx, pid_t pid);
	int (*pidfd_send_signal)(void *ctx, int pidfd, int sig);
	int (*process_mrelease)(void *ctx, int pidfd);
	int (*kill)(void *ctx, pid_t pid, int sig);
	/* Has the process behind pidfd exited?  1 yes, 0 no, -errno. */
	int (*pidfd_exited)(void *ctx, int pidfd);
	int (*close)(void *ctx, int fd);
	/* Write text to an existing file (cgroup.kill). */
	int (*write_file)(void *ctx, const char *path, const char *text);
	/*
	 * Start path with argv and envp, stdin from /dev/null, signals
	 * unblocked, oom_score_adj 0, in a process group of its own (its
	 * id is *pid); as uid with its groups, unless uid is (uid_t)-1.
	 */
	int (*spawn)(void *ctx, const char *path, char *const argv[],
	    char *const envp[], uid_t uid, pid_t *pid);
	uint64_t (*now_ms)(void *ctx);
	/* sysinfo(2): the cheap reading of memory. */
	int (*sysinfo)(void *ctx, struct sys_mem *out);
	void *ctx;
};

extern const struct sys_ops sys_real;

/*
 * The name of uid from /etc/passwd, escaped as log_escape() does (a name
 * is the admin's, but shown in log lines); the number if there is none.
 * No NSS and no heap: safe in the monitor loop.  Returns buf.
 */
char *sys_user_name(uid_t uid, char *buf, size_t size);

/*
 * The uid of user name (NSS: getpwnam_r).  0; -ENOENT if there is no
 * such user; -errno if the lookup failed.
 */
int sys_user_uid(const char *name, uid_t *uid);

/* CLOCK_MONOTONIC in ms. */
uint64_t sys_now_ms(void);

/*
 * Set this thread's timer slack (prctl(PR_SET_TIMERSLACK)) to ns.  The
 * first call keeps the slack bustd started with: programs spawned later
 * get that one back, not bustd's.  Returns 0 or -errno.
 */
int sys_timer_slack(uint64_t ns);

/*
 * Tell the service manager (sd_notify(3) protocol): text such as
 * "READY=1" or "STATUS=...", sent as one datagram to $NOTIFY_SOCKET.
 * Returns 0 (also when there is no $NOTIFY_SOCKET) or -errno.
 */
int sys_notify(const char *text);

#endif
