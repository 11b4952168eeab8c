/* SPDX-License-Identifier: MIT */
/* cgroup.h: the cgroup v2 tree: where it is mounted, who is in a subtree. */
#ifndef BUSTD_CGROUP_H
#define BUSTD_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A cgroup deeper than this below the one walked is not walked: the
 * caller hears of it as a part it could not read (fail safe). */
#define CGROUP_DEPTH_MAX 16

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
 * Call fn(pid, arg) for each process of the cgroup folder at path and of
 * every cgroup below it, CGROUP_DEPTH_MAX levels down at most, and
 * fn(-1, arg) for each part that cannot be read or is deeper than that:
 * cgroup.kill takes the whole subtree, so a guard must see it all.
 * Stops as soon as fn returns true, and returns true then.  No heap; a
 * fixed stack whatever the depth (the kill path runs it).
 */
bool cgroup_each_pid(const char *path, bool (*fn)(pid_t pid, void *arg),
    void *arg);

#endif
