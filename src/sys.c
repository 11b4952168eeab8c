/* SPDX-License-Identifier: MIT */
/* sys.c: the real OS actions behind struct sys_ops. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

static int
real_pidfd_open(void *ctx, pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
}

static int
real_pidfd_send_signal(void *ctx, int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno
	                                                               : 0;
}

static int
real_process_mrelease(void *ctx, int pidfd)
{
	return syscall(SYS_process_mrelease, pidfd, 0) < 0 ? -errno : 0;
}

static int
real_kill(void *ctx, pid_t pid, int sig)
{
	return kill(pid, sig) < 0 ? -errno : 0;
}

static int
real_pidfd_exited(void *ctx, int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int n;

	/* A pidfd polls readable once the process has exited. */
	n = poll(&pfd, 1, 0);
	if (n < 0)
		return -errno;
	return n > 0 && (pfd.revents & (POLLIN | POLLHUP)) ? 1 : 0;
}

static int
real_close(void *ctx, int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

static int
real_write_file(void *ctx, const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	close(fd);
	return r;
}

static int
real_spawn(void *ctx, const char *path, char *const argv[], char *const envp[],
    uid_t uid, gid_t gid, pid_t *pid)
{
	sigset_t all;
	pid_t child;
	int fd;

	child = fork();
	if (child < 0)
		return -errno;
	if (child > 0) {
		*pid = child;
		return 0;
	}
	/* Child: async-signal-safe calls only until execve. */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	if (uid != (uid_t)-1) {
		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 ||
		    setuid(uid) < 0)
			_exit(126);
	}
	execve(path, argv, envp);
	_exit(127);
}

uint64_t
sys_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
real_now_ms(void *ctx)
{
	return sys_now_ms();
}

const struct sys_ops sys_real = {
	.pidfd_open = real_pidfd_open,
	.pidfd_send_signal = real_pidfd_send_signal,
	.process_mrelease = real_process_mrelease,
	.kill = real_kill,
	.pidfd_exited = real_pidfd_exited,
	.close = real_close,
	.write_file = real_write_file,
	.spawn = real_spawn,
	.now_ms = real_now_ms,
	.ctx = NULL,
};
