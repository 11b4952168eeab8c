/* SPDX-License-Identifier: MIT */
/* sys.c: the real OS actions behind struct sys_ops. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sys.h"
#include "text.h"

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

/* In the child: become uid, with the groups the user has. */
static int
drop_to(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t gid = (gid_t)uid;

	/* The parent is single-threaded: NSS is safe after fork here. */
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL) {
		gid = pw.pw_gid;
		if (initgroups(pw.pw_name, gid) < 0)
			return -1;
	} else if (setgroups(0, NULL) < 0) {
		return -1;
	}
	if (setgid(gid) < 0 || setuid(uid) < 0)
		return -1;
	return 0;
}

/* The timer slack bustd started with; 0 until sys_timer_slack() runs. */
static unsigned long start_slack_ns;

int
sys_timer_slack(uint64_t ns)
{
	int r;

	if (start_slack_ns == 0) {
		r = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
		if (r > 0)
			start_slack_ns = (unsigned long)r;
	}
	if (prctl(PR_SET_TIMERSLACK, (unsigned long)ns, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

static int
real_spawn(void *ctx, const char *path, char *const argv[],
    char *const envp[], uid_t uid, pid_t *pid)
{
	struct sigaction dfl;
	sigset_t none;
	pid_t child;
	int fd;

	child = fork();
	if (child < 0)
		return -errno;
	if (child > 0) {
		*pid = child;
		return 0;
	}
	/* The child runs no code of bustd's but this, then execve.  An
	 * ignored signal stays ignored across execve: bustd's SIGPIPE must
	 * not be the program's (a pipeline in a hook script would run on
	 * after its reader is gone). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	/* A group of its own: the timeout kills what it starts too, and
	 * bustd never takes any of it for a victim. */
	setpgid(0, 0);
	/* bustd's oom_score_adj -1000 is not for the programs it runs. */
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0", 1) < 0) {
			/* Raising it needs no privilege; nothing to do. */
		}
		close(fd);
	}
	/* Nor is the timer slack it sleeps with. */
	if (start_slack_ns > 0)
		prctl(PR_SET_TIMERSLACK, start_slack_ns, 0, 0, 0);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	if (uid != (uid_t)-1 && drop_to(uid) < 0)
		_exit(126);
	execve(path, argv, envp);
	_exit(127);
}

struct passwd_arg {
	uid_t uid;
	char *buf;
	size_t size;
	bool found;
};

static bool
passwd_line(char *line, size_t len, void *arg)
{
	struct passwd_arg *a = arg;
	char *c1, *c2;
	const char *p, *end = line + len;
	uint64_t u;

	/* name:password:uid:... */
	c1 = memchr(line, ':', len);
	c2 = c1 != NULL ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
	if (c2 == NULL)
		return true;
	p = c2 + 1;
	if (text_u64(&p, end, &u) < 0 || p == end || *p != ':' || u != a->uid)
		return true;
	log_escape(a->buf, a->size, line, (size_t)(c1 - line));
	a->found = true;
	return false;
}

char *
sys_user_name(uid_t uid, char *buf, size_t size)
{
	struct passwd_arg a = { uid, buf, size, false };
	char line[512];
	int fd;

	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		text_each_line(fd, line, sizeof(line), passwd_line, &a);
		close(fd);
	}
	if (!a.found)
		snprintf(buf, size, "%u", (unsigned int)uid);
	return buf;
}

int
sys_user_uid(const char *name, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int r;

	r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (r != 0)
		return -r;
	if (res == NULL)
		return -ENOENT;
	*uid = pw.pw_uid;
	return 0;
}

uint64_t
sys_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
sys_notify(const char *text)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	size_t len;
	socklen_t salen;
	int fd, r = 0;

	if (path == NULL || *path == '\0')
		return 0;
	len = strlen(path);
	/* An abstract name needs no terminator: it may fill sun_path. */
	if ((path[0] != '/' && path[0] != '@') || len > sizeof(sa.sun_path) ||
	    (path[0] == '/' && len == sizeof(sa.sun_path)))
		return -EINVAL;
	memcpy(sa.sun_path, path, len);
	/* "@name" is an abstract socket: a leading NUL, no terminator. */
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	    (path[0] == '@' ? 0 : 1));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, text, strlen(text), MSG_NOSIGNAL,
	    (struct sockaddr *)&sa, salen) < 0)
		r = -errno;
	close(fd);
	return r;
}

static uint64_t
real_now_ms(void *ctx)
{
	return sys_now_ms();
}

static int
real_sysinfo(void *ctx, struct sys_mem *out)
{
	struct sysinfo si;
	uint64_t unit;

	if (sysinfo(&si) < 0)
		return -errno;
	unit = si.mem_unit ? si.mem_unit : 1;
	out->total_kib = (uint64_t)si.totalram * unit / 1024;
	out->free_kib = (uint64_t)si.freeram * unit / 1024;
	out->swap_total_kib = (uint64_t)si.totalswap * unit / 1024;
	out->swap_free_kib = (uint64_t)si.freeswap * unit / 1024;
	return 0;
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
	.sysinfo = real_sysinfo,
	.ctx = NULL,
};
