/* SPDX-License-Identifier: MIT */
/* log.h: logging to stderr, syslog or /dev/kmsg, and fatal errors. */
#ifndef BUSTD_LOG_H
#define BUSTD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_SYSLOG,
};

/*
 * Or-ed into a priority: an event bustd brings about, not a fault, such
 * as a kill.  Its priority stands for syslog and the journal, but stderr
 * shows it without the "warning: " word.
 */
#define LOG_EVENT 0x400

/*
 * Send messages to target from now on.  Messages above max_prio (LOG_INFO
 * or LOG_DEBUG) are dropped.  Calling it again switches target.  Each
 * call looks at stderr again: when it is the journal's stream (systemd's
 * JOURNAL_STREAM names its device and inode), lines there start with
 * "<N>", their priority, instead of "error: " and "warning: ".
 *
 * A line syslog does not take (no /dev/log: bustd connects again at most
 * once a second, as lines come) goes to stderr; if stderr is /dev/null,
 * closed or fails, to /dev/kmsg.
 */
void log_open(enum log_target target, int max_prio);
bool log_debug_enabled(void);

/*
 * Start-up of a detached bustd: also write each error and warning, as
 * stderr would show it, to fd (a pipe to the process the admin started,
 * which shows them); -1 stops it.  fd stays the caller's.
 */
void log_tee(int fd);

void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* As log_msg, with ": " and strerror(-r) appended. */
void log_msg_r(int prio, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
/* A signal sent to a victim: journalctl -p warning shows it. */
#define log_kill(...) log_msg(LOG_WARNING | LOG_EVENT, __VA_ARGS__)
#define log_err_r(r, ...) log_msg_r(LOG_ERR, r, __VA_ARGS__)
#define log_warn_r(r, ...) log_msg_r(LOG_WARNING, r, __VA_ARGS__)

/* Log an error and exit(1).  Only before the monitor loop starts. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatal_r(int r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/*
 * Copy len bytes of untrusted text (a process name, a command line) into
 * dst as printable ASCII: bytes outside 0x21..0x7e but space, and the
 * backslash, become \xNN, so that no name can start a new log line or
 * fake a field.  Always NUL-terminates dst (size > 0); truncates with
 * "..." if dst is too small.  Returns dst.
 */
char *log_escape(char *dst, size_t size, const char *src, size_t len);

/*
 * Untrusted text for a line that both the log and a desktop notification
 * show: printable ASCII but '\\', '<', '>' and '&' (notify-send expands
 * backslash escapes, notification servers read markup) as is, every other
 * byte as '?'.  NUL-terminates dst (size > 0), truncating.  Returns dst.
 */
char *log_safe(char *dst, size_t size, const char *src, size_t len);

/*
 * A size as people read it, the one format of every size bustd prints:
 * "1.50 GiB" from 1 GiB up, "512.0 MiB" below.  Returns buf.
 */
#define LOG_SIZE_MAX 32
char *log_size(char *buf, size_t size, uint64_t kib);

#endif
