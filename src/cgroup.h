/* SPDX-License-Identifier: MIT */
/* cgroup.h: the cgroup v2 tree: where it is mounted, who is in a subtree. */
#ifndef BUSTD_CGROUP_H
#define BUSTD_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A cgroup deeper than this below the one walked is not walked: the
 * caller hears of it as a part it could not read (fail safe). */
#define CGROUP_DEPTH_MAX 16
#define CGROUP_PATH_MAX 4096

/*
 * The mount point of the cgroup2 hierarchy's root, from
 * procfs/self/mountinfo, into out.  0, -ENOENT if there is none (a
 * v1-only host), or -errno.
 */
int cgroup_find_mount(int procfs_fd, char *out, size_t size);

/*
 * "ROOT CGROUP/NAME" into out: the file NAME ("" for the folder itself)
 * of cgroup CGROUP (a v2 path, "/..." as /proc/PID/cgroup has it) under
 * the mount point ROOT.  false if it does not fit.
 */
bool cgroup_path(const char *root, const char *cgroup, const char *name,
    char *out, size_t size);

/*
 * What a cgroup is, by the name systemd gives it (the last part of its
 * path): the one fact bustd's unit = auto reads from a name.  An
 * application is what a desktop starts in app-*.scope or app-*.service
 * (systemd's XDG naming, app[-LAUNCHER]-ID[@RANDOM].service,
 * app[-LAUNCHER]-ID-RANDOM.scope); the kinds after CGROUP_ROOT are
 * never killed whole.
 */
enum cgroup_kind {
	CGROUP_OTHER,		/* no systemd name: a container, by hand */
	CGROUP_APP_SCOPE,	/* app-*.scope */
	CGROUP_APP_SERVICE,	/* app-*.service */
	CGROUP_SCOPE,		/* any other *.scope: a terminal's tab */
	CGROUP_SERVICE,		/* any other *.service: a daemon */
	CGROUP_ROOT,		/* "/" */
	CGROUP_SLICE,		/* *.slice */
	CGROUP_SESSION,		/* session-*.scope: a login session */
	CGROUP_USER_MANAGER,	/* user@*.service: all of a user's units */
	CGROUP_INIT,		/* init.scope: pid 1 */
};

/* The kind of the cgroup at path ("/a/b.scope").  Pure. */
enum cgroup_kind cgroup_kind(const char *path);
/* "an application scope", "a login session", ... for the log. */
const char *cgroup_kind_name(enum cgroup_kind k);

/*
 * unit = auto, for a victim not killed with its cgroup: may its process
 * group go instead?  Yes where a group is a job of a shell or of an
 * application (a session, a scope, the root cgroup, an application whose
 * cgroup holds a protected process); no in a service, whose main process
 * leads the group and restarts the workers it would have lost, nor in
 * init's scope, a user's manager or a slice.
 */
bool cgroup_kind_group_ok(enum cgroup_kind k);

/*
 * Read file name of the cgroup folder dirfd as a number: memory.current,
 * memory.swap.current, memory.oom.group.  0, -ENOENT where the file is
 * not there (its controller is not enabled for the cgroup), -EINVAL if
 * it holds no number ("max"), or -errno.
 */
int cgroup_read_u64(int dirfd, const char *name, uint64_t *out);

/* One folder being read in a walk: its own getdents64 batch. */
struct cgroup_level {
	int fd;
	long n;		/* bytes in buf */
	long off;	/* the next entry */
	size_t path_len; /* of the walk's path, for this folder */
	char buf[512];
};

/* The state of a walk of the tree, the caller's: no recursion, no heap,
 * no large frame (the kill path walks). */
struct cgroup_walk {
	struct cgroup_level lv[CGROUP_DEPTH_MAX + 1];
	/* The cgroup being visited, relative to the folder walked: "" for
	 * that folder itself, then "/child", "/child/grandchild". */
	char path[CGROUP_PATH_MAX];
};

/*
 * Visit the cgroup folder at path and every cgroup below it, depth
 * first, CGROUP_DEPTH_MAX levels down at most: visit(dirfd, arg) with
 * w->path naming it, or visit(-1, arg) for each part that cannot be read
 * or is deeper than that (w->path then names the part, if it fits).
 * Stops as soon as visit returns true, and returns true then.
 */
bool cgroup_walk(struct cgroup_walk *w, const char *path,
    bool (*visit)(struct cgroup_walk *w, int dirfd, void *arg), void *arg);

/*
 * Call fn(pid, arg) for each process of the cgroup folder at path and of
 * every cgroup below it (cgroup_walk()), and fn(-1, arg) for each part
 * that cannot be read: cgroup.kill takes the whole subtree, so a guard
 * must see it all.  Stops as soon as fn returns true, and returns true
 * then.
 */
bool cgroup_each_pid(struct cgroup_walk *w, const char *path,
    bool (*fn)(pid_t pid, void *arg), void *arg);

/* fn(pid, arg) for each line of cgroup.procs in the folder dirfd, and
 * fn(-1, arg) if it cannot be read; true if fn stopped it. */
bool cgroup_each_procs_pid(int dirfd, bool (*fn)(pid_t pid, void *arg),
    void *arg);

#endif
