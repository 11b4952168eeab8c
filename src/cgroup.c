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

/* The last part of path, and its length. */
static const char *
last_part(const char *path, size_t *len)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash != NULL ? slash + 1 : path;

	*len = strlen(name);
	return name;
}

static bool
has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool
has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

enum cgroup_kind
cgroup_kind(const char *path)
{
	size_t len;
	const char *name = last_part(path, &len);

	if (len == 0)
		return CGROUP_ROOT;
	if (has_suffix(name, len, ".slice"))
		return CGROUP_SLICE;
	if (len == 10 && memcmp(name, "init.scope", 10) == 0)
		return CGROUP_INIT;
	if (has_prefix(name, len, "session-") &&
	    has_suffix(name, len, ".scope"))
		return CGROUP_SESSION;
	if (has_prefix(name, len, "user@") &&
	    has_suffix(name, len, ".service"))
		return CGROUP_USER_MANAGER;
	/* "app-" and something before the suffix: "app-.scope" is no
	 * name systemd gives. */
	if (has_prefix(name, len, "app-") && len > 4 + 6 &&
	    has_suffix(name, len, ".scope"))
		return CGROUP_APP_SCOPE;
	if (has_prefix(name, len, "app-") && len > 4 + 8 &&
	    has_suffix(name, len, ".service"))
		return CGROUP_APP_SERVICE;
	if (has_suffix(name, len, ".scope"))
		return CGROUP_SCOPE;
	if (has_suffix(name, len, ".service"))
		return CGROUP_SERVICE;
	return CGROUP_OTHER;
}

bool
cgroup_kind_group_ok(enum cgroup_kind k)
{
	switch (k) {
	case CGROUP_OTHER:
	case CGROUP_APP_SCOPE:
	case CGROUP_APP_SERVICE:
	case CGROUP_SCOPE:
	case CGROUP_ROOT:
	case CGROUP_SESSION:
		return true;
	default:
		return false;
	}
}

const char *
cgroup_kind_name(enum cgroup_kind k)
{
	switch (k) {
	case CGROUP_APP_SCOPE:
		return "an application scope";
	case CGROUP_APP_SERVICE:
		return "an application service";
	case CGROUP_SCOPE:
		return "a scope, not an application";
	case CGROUP_SERVICE:
		return "a service";
	case CGROUP_ROOT:
		return "the root cgroup";
	case CGROUP_SLICE:
		return "a slice";
	case CGROUP_SESSION:
		return "a login session";
	case CGROUP_USER_MANAGER:
		return "a user's service manager";
	case CGROUP_INIT:
		return "init's scope";
	case CGROUP_OTHER:
		break;
	}
	return "not an application";
}

int
cgroup_read_u64(int dirfd, const char *name, uint64_t *out)
{
	char buf[32];
	const char *p = buf;
	ssize_t n;
	int fd, r;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	if (text_u64(&p, buf + n, out) < 0 ||
	    (p < buf + n && *p != '\n'))
		return -EINVAL;
	return 0;
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

bool
cgroup_each_procs_pid(int dirfd, bool (*fn)(pid_t pid, void *arg), void *arg)
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

/* Enter folder fd as the walk's level depth, its path so long. */
static void
enter(struct cgroup_walk *w, int depth, int fd, size_t path_len)
{
	w->lv[depth].fd = fd;
	w->lv[depth].n = w->lv[depth].off = 0;
	w->lv[depth].path_len = path_len;
	w->path[path_len] = '\0';
}

bool
cgroup_walk(struct cgroup_walk *w, const char *path,
    bool (*visit)(struct cgroup_walk *w, int dirfd, void *arg), void *arg)
{
	struct dirent64 *d;
	bool stop;
	int depth = 0, fd;

	w->path[0] = '\0';
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return visit(w, -1, arg);
	enter(w, 0, fd, 0);
	stop = visit(w, fd, arg);
	while (!stop && depth >= 0) {
		struct cgroup_level *l = &w->lv[depth];
		size_t len, nl;

		if (l->off >= l->n) {
			l->n = getdents64(l->fd, l->buf, sizeof(l->buf));
			l->off = 0;
			if (l->n <= 0) {
				w->path[l->path_len] = '\0';
				if (l->n < 0)
					stop = visit(w, -1, arg);
				close(l->fd);
				depth--;
				continue;
			}
		}
		d = (void *)(l->buf + l->off);
		l->off += d->d_reclen;
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		/* The child's path, as far as it fits. */
		len = l->path_len;
		nl = strlen(d->d_name);
		if (len + 1 + nl < sizeof(w->path)) {
			w->path[len] = '/';
			memcpy(w->path + len + 1, d->d_name, nl + 1);
		} else {
			w->path[len] = '\0';
			stop = visit(w, -1, arg);
			continue;
		}
		if (depth == CGROUP_DEPTH_MAX) {
			stop = visit(w, -1, arg);
			w->path[len] = '\0';
			continue;
		}
		fd = openat(l->fd, d->d_name,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			stop = visit(w, -1, arg);
			w->path[len] = '\0';
			continue;
		}
		depth++;
		enter(w, depth, fd, len + 1 + nl);
		stop = visit(w, fd, arg);
	}
	while (depth >= 0)
		close(w->lv[depth--].fd);
	return stop;
}

struct each_pid_arg {
	bool (*fn)(pid_t pid, void *arg);
	void *arg;
};

static bool
each_pid_visit(struct cgroup_walk *w, int dirfd, void *arg)
{
	struct each_pid_arg *a = arg;

	(void)w;
	if (dirfd < 0)
		return a->fn(-1, a->arg);
	return cgroup_each_procs_pid(dirfd, a->fn, a->arg);
}

bool
cgroup_each_pid(struct cgroup_walk *w, const char *path,
    bool (*fn)(pid_t pid, void *arg), void *arg)
{
	struct each_pid_arg a = { fn, arg };

	return cgroup_walk(w, path, each_pid_visit, &a);
}
