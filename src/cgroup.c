/* SPDX-License-Identifier: MIT */
/* cgroup.c: finding the cgroup2 mount, walking a subtree's processes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "text.h"

struct mount_arg {
	char *out;
	size_t size;
	bool found;
};

/* Take line of mountinfo if it is the root of a cgroup2 mount. */
static bool
mount_line(char *line, size_t len, void *arg)
{
	struct mount_arg *a = arg;
	char *f[5], *s = line;
	int i;

	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - FSTYPE SRC OPTS" */
	if (strstr(line, " - cgroup2 ") == NULL)
		return true;
	for (i = 0; i < 5; i++)
		if ((f[i] = strsep(&s, " ")) == NULL)
			return true;
	/* Mount points escape space, tab, newline, backslash as octal:
	 * such a root is skipped rather than decoded. */
	if (strcmp(f[3], "/") != 0 || strchr(f[4], '\\') != NULL)
		return true;
	if (snprintf(a->out, a->size, "%s", f[4]) >= (int)a->size)
		return true;
	a->found = true;
	return false;
}

int
cgroup_find_mount(int procfs_fd, char *out, size_t size)
{
	struct mount_arg a = { out, size, false };
	char line[1024];
	int fd, r;

	fd = openat(procfs_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = text_each_line(fd, line, sizeof(line), mount_line, &a);
	close(fd);
	if (a.found)
		return 0;
	/* A line too long to read is a mount point too long to use. */
	return r < 0 && r != -EFBIG ? r : -ENOENT;
}

bool
cgroup_path(const char *root, const char *cgroup, const char *name, char *out,
    size_t size)
{
	size_t a = strlen(root), b = strlen(cgroup), c = strlen(name);

	if (a + b + 1 + c + 1 > size)
		return false;
	memcpy(out, root, a);
	memcpy(out + a, cgroup, b);
	out[a + b] = '/';
	memcpy(out + a + b + 1, name, c + 1);
	return true;
}

struct procs_arg {
	bool (*fn)(pid_t pid, void *arg);
	void *arg;
	bool stop;
};

static bool
procs_line(char *line, size_t len, void *arg)
{
	struct procs_arg *a = arg;
	const char *p = line, *end = line + len;
	uint64_t pid;

	if (len == 0)
		return true;
	if (text_u64(&p, end, &pid) < 0 || p != end || pid == 0 ||
	    pid > 4194304)
		a->stop = a->fn(-1, a->arg);
	else
		a->stop = a->fn((pid_t)pid, a->arg);
	return !a->stop;
}

/* fn on each pid of cgroup.procs in the folder at dirfd. */
static bool
each_procs_pid(int dirfd, bool (*fn)(pid_t pid, void *arg), void *arg)
{
	struct procs_arg a = { fn, arg, false };
	char line[32];
	int fd, r;

	fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fn(-1, arg);
	r = text_each_line(fd, line, sizeof(line), procs_line, &a);
	close(fd);
	if (!a.stop && r < 0)
		a.stop = fn(-1, arg);
	return a.stop;
}

/* One folder being read, in the walk below: its own getdents64 batch. */
struct walk_level {
	int fd;
	long n;		/* bytes in buf */
	long off;	/* the next entry */
	char buf[512];
};

bool
cgroup_each_pid(const char *path, bool (*fn)(pid_t pid, void *arg), void *arg)
{
	/* Depth first, without recursion: a fixed stack frame. */
	struct walk_level lv[CGROUP_DEPTH_MAX + 1];
	struct dirent64 *d;
	bool stop;
	int depth = 0, fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fn(-1, arg);
	lv[0].fd = fd;
	lv[0].n = lv[0].off = 0;
	stop = each_procs_pid(fd, fn, arg);
	while (!stop && depth >= 0) {
		struct walk_level *l = &lv[depth];

		if (l->off >= l->n) {
			l->n = getdents64(l->fd, l->buf, sizeof(l->buf));
			l->off = 0;
			if (l->n <= 0) {
				if (l->n < 0)
					stop = fn(-1, arg);
				close(l->fd);
				depth--;
				continue;
			}
		}
		d = (void *)(l->buf + l->off);
		l->off += d->d_reclen;
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		if (depth == CGROUP_DEPTH_MAX) {
			stop = fn(-1, arg);
			continue;
		}
		fd = openat(l->fd, d->d_name,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			stop = fn(-1, arg);
			continue;
		}
		depth++;
		lv[depth].fd = fd;
		lv[depth].n = lv[depth].off = 0;
		stop = each_procs_pid(fd, fn, arg);
	}
	while (depth >= 0)
		close(lv[depth--].fd);
	return stop;
}
