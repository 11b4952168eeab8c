/* SPDX-License-Identifier: MIT */
/* pidfile.h: one killer at a time: the lock and pid file. */
#ifndef BUSTD_PIDFILE_H
#define BUSTD_PIDFILE_H

#include <limits.h>
#include <stdbool.h>

/* The lock and pid file, in $RUNTIME_DIRECTORY if set, else in /run. */
#define PIDFILE_NAME "bustd.pid"
#define PIDFILE_RUN_DIR "/run"
/* $RUNTIME_DIRECTORY of the unit (RuntimeDirectory=bustd). */
#define PIDFILE_UNIT_DIR "/run/bustd"

struct pidfile {
	char path[PATH_MAX];
	int fd; /* holds the lock; -1 if none */
};

/*
 * Take the lock, before anything else (so that a refusal reaches the
 * terminal).  The unit's daemon ($RUNTIME_DIRECTORY/bustd.pid) and one
 * started by hand (/run/bustd.pid) lock different files: each also
 * checks the other's.  probe_only (a --dry-run from the command line,
 * which kills nothing, ever) takes no lock and only says if another
 * bustd runs.  With may_fail (-n), a lock that cannot be taken for want
 * of a writable folder is a warning.  Returns the exit status to return
 * now, or 0 to go on; every refusal is logged.
 */
int pidfile_take(struct pidfile *pf, bool probe_only, bool may_fail);
/* Write this process's pid into the locked file, if held.  0 or -errno. */
int pidfile_write(const struct pidfile *pf);
/* Let go of the lock: the file goes first, while it is still ours. */
void pidfile_release(struct pidfile *pf);

#endif
