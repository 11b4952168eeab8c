/* SPDX-License-Identifier: MIT */
/* detach.c: a daemon's start in the background, and its start-up status. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detach.h"
#include "log.h"

/*
 * A detached daemon keeps nothing of its caller's but 0, 1 and 2 (which
 * it points at /dev/null): an inherited pipe would hold the caller's
 * reader open, an inherited lock would outlive the caller.  Called
 * before bustd opens anything of its own.
 */
void
detach_close_fds(void)
{
	struct dirent *e;
	DIR *dir;
	long fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	/* Before Linux 5.9: what /proc/self/fd lists, but the folder's own. */
	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		fd = strtol(e->d_name, NULL, 10);
		if (fd > STDERR_FILENO && fd != dirfd(dir))
			close((int)fd);
	}
	closedir(dir);
}

/*
 * The first process of a detached start: copy what the daemon sends on
 * fd to stderr (its errors and warnings) up to a NUL and its start-up
 * status, or to the end if it died first.  child is the middle process,
 * reaped here.  Returns the exit status for the admin's shell.
 */
static int
wait_startup(int fd, pid_t child)
{
	char buf[1024];
	bool said = false, want_status = false;
	int status = -1, ws = 0;
	ssize_t n, i, len;

	while (status < 0 && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (i = 0, len = -1; i < n; i++) {
			if (want_status) {
				status = (unsigned char)buf[i];
				break;
			}
			if (buf[i] == '\0') {
				want_status = true;
				len = i;
			}
		}
		if (len < 0)
			len = want_status && status >= 0 ? 0 : n;
		if (len > 0 && write(STDERR_FILENO, buf, (size_t)len) > 0)
			said = true;
	}
	while (waitpid(child, &ws, 0) < 0 && errno == EINTR)
		;
	if (status >= 0)
		return status <= 2 ? status : 1;
	/* The middle process failed (and said why), or the daemon died. */
	if (WIFEXITED(ws) && WEXITSTATUS(ws) != 0)
		return WEXITSTATUS(ws);
	if (!said)
		fprintf(stderr, "bustd: the daemon ended during start-up; "
		                "see the log\n");
	return 1;
}

/*
 * Detach: fork, a new session, fork again, / and /dev/null.  The process
 * the admin started waits for the daemon's start-up and exits with its
 * status (wait_startup()); the daemon gets the pipe's write end, to
 * give to startup_done(), and its errors and warnings go there too.
 */
int
detach_start(void)
{
	struct sigaction sa;
	int fds[2], fd;
	pid_t pid;

	/* If the admin stops waiting (^C), the daemon's next line to the
	 * pipe must fail, not kill it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	if (pipe2(fds, O_CLOEXEC) < 0)
		fatal_r(-errno, "pipe");
	pid = fork();
	if (pid < 0)
		fatal_r(-errno, "fork");
	if (pid > 0) {
		close(fds[1]);
		_exit(wait_startup(fds[0], pid));
	}
	close(fds[0]);
	if (setsid() < 0)
		fatal_r(-errno, "setsid");
	pid = fork();
	if (pid < 0)
		fatal_r(-errno, "fork");
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		fatal_r(-errno, "chdir /");
	umask(022);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* Until the loop: what goes wrong reaches the admin's terminal. */
	log_tee(fds[1]);
	return fds[1];
}

/* Tell the first process (fd from detach_start(), -1 if none) the start-up's
 * exit status, and let it go. */
void
detach_done(int fd, int status)
{
	char msg[2] = { '\0', (char)status };

	if (fd < 0)
		return;
	log_tee(-1);
	while (write(fd, msg, sizeof(msg)) < 0 && errno == EINTR)
		;
	close(fd);
}
