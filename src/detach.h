/* SPDX-License-Identifier: MIT */
/* detach.h: a daemon's start in the background, and its start-up status. */
#ifndef BUSTD_DETACH_H
#define BUSTD_DETACH_H

/*
 * Close every descriptor but 0, 1 and 2: a detached daemon keeps nothing
 * of its caller's.  Called before bustd opens anything of its own.
 */
void detach_close_fds(void);
/*
 * Fork, a new session, fork again, / and /dev/null.  The process the
 * admin started waits for the daemon's start-up and exits with its
 * status; the daemon gets the write end of a pipe to give to
 * detach_done(), and its errors and warnings go there until then.
 * Fatal on failure.
 */
int detach_start(void);
/* The start-up's exit status to the waiting first process (fd from
 * detach_start(), -1 if none), which exits with it. */
void detach_done(int fd, int status);

#endif
