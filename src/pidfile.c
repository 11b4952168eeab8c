/* SPDX-License-Identifier: MIT */
/* pidfile.c: one killer at a time: the lock and pid file. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"

/*
 * The lock file: $RUNTIME_DIRECTORY/bustd.pid (systemd's RuntimeDirectory=,
 * the first folder it lists) or /run/bustd.pid.
 */
static void
pidfile_path(char *buf, size_t size)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	size_t n;

	if (dir == NULL || dir[0] != '/')
		dir = PIDFILE_RUN_DIR;
	n = strcspn(dir, ":");
	snprintf(buf, size, "%.*s/%s", (int)n, dir, PIDFILE_NAME);
}

/* The pid in a lock file, 0 if it holds none. */
static pid_t
read_pid(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 && pid <= INT32_MAX ? (pid_t)pid : 0;
}

/*
 * Lock path (created if need be) for as long as bustd runs: *fd keeps it.
 * 0; -EEXIST if another bustd holds it (its pid in *other, or 0); -errno.
 */
static int
lock_file(const char *path, int *fd, pid_t *other)
{
	int r;

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (*fd < 0)
		return -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	r = errno == EWOULDBLOCK ? -EEXIST : -errno;
	*other = read_pid(*fd);
	close(*fd);
	*fd = -1;
	return r;
}

/*
 * Does a bustd hold the lock file path?  Opened read-only and never
 * created: the folder may be read-only to this bustd.  -EEXIST if so
 * (its pid in *other, or 0), 0 if not or if there is no such file.
 */
static int
probe_file(const char *path, pid_t *other)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	int r = 0;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		*other = read_pid(fd);
		r = -EEXIST;
	}
	close(fd);
	return r;
}

/* " (pid N)", or "" if the lock file holds no pid.  Returns buf. */
static const char *
running_pid(char *buf, size_t size, pid_t pid)
{
	buf[0] = '\0';
	if (pid > 0)
		snprintf(buf, size, " (pid %d)", (int)pid);
	return buf;
}

int
pidfile_take(struct pidfile *pf, bool probe_only, bool may_fail)
{
	const char *also = NULL;
	pid_t other = 0;
	char who[32];
	int r;

	pf->fd = -1;
	pidfile_path(pf->path, sizeof(pf->path));
	if (strcmp(pf->path, PIDFILE_RUN_DIR "/" PIDFILE_NAME) == 0)
		also = PIDFILE_UNIT_DIR "/" PIDFILE_NAME;
	else if (strcmp(pf->path, PIDFILE_UNIT_DIR "/" PIDFILE_NAME) == 0)
		also = PIDFILE_RUN_DIR "/" PIDFILE_NAME;
	if (probe_only) {
		r = probe_file(pf->path, &other);
		if (r == 0 && also != NULL)
			r = probe_file(also, &other);
		if (r == -EEXIST)
			log_warn("another bustd is running%s; this dry run "
			         "runs beside it",
			    running_pid(who, sizeof(who), other));
		return 0;
	}
	r = lock_file(pf->path, &pf->fd, &other);
	if (r == 0 && also != NULL && probe_file(also, &other) < 0) {
		unlink(pf->path);
		close(pf->fd);
		pf->fd = -1;
		r = -EEXIST;
	}
	if (r == -EEXIST) {
		log_err("another bustd is running%s",
		    running_pid(who, sizeof(who), other));
		return 1;
	}
	if (r < 0 && !may_fail) {
		log_err_r(r, "cannot lock %s", pf->path);
		return 1;
	}
	if (r < 0)
		log_warn_r(r,
		    "cannot lock %s, running on without it (a "
		    "second bustd would not be refused)",
		    pf->path);
	return 0;
}

int
pidfile_write(const struct pidfile *pf)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (pf->fd < 0)
		return 0;
	if (ftruncate(pf->fd, 0) < 0 || pwrite(pf->fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

void
pidfile_release(struct pidfile *pf)
{
	if (pf->fd < 0)
		return;
	unlink(pf->path);
	close(pf->fd);
	pf->fd = -1;
}
