/* SPDX-License-Identifier: MIT */
/* log.c: logging to stderr or syslog, formatted on the stack. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 1024

/* The log state is one of the two kinds of mutable global (STYLE.md). */
static enum log_target log_target = LOG_TARGET_STDERR;
static int log_max_prio = LOG_INFO;
static int log_sock = -1; /* connected to /dev/log */
static int log_tee_fd = -1;
static bool log_journal; /* stderr is the journal's stream */

/*
 * bustd talks to /dev/log itself rather than through syslog(3): glibc's
 * syslog allocates on the heap, and the monitor loop must not.
 */
static int
syslog_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", "/dev/log");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* Is stderr the stream JOURNAL_STREAM ("DEV:INO") names?  An inherited
 * variable may name another process's stream: compare. */
static bool
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (js == NULL || fstat(STDERR_FILENO, &st) < 0)
		return false;
	errno = 0;
	dev = strtoull(js, &end, 10);
	if (errno != 0 || end == js || *end != ':')
		return false;
	js = end + 1;
	ino = strtoull(js, &end, 10);
	if (errno != 0 || end == js || *end != '\0')
		return false;
	return dev == (unsigned long long)st.st_dev &&
	    ino == (unsigned long long)st.st_ino;
}

void
log_open(enum log_target target, int max_prio)
{
	int fd;

	log_max_prio = max_prio;
	log_journal = stderr_is_journal();
	if (target == LOG_TARGET_SYSLOG && log_sock < 0) {
		fd = syslog_connect();
		if (fd < 0) {
			log_target = LOG_TARGET_STDERR;
			log_msg_r(LOG_WARNING, fd,
			    "syslog: cannot connect to "
			    "/dev/log; logging to stderr");
			return;
		}
		log_sock = fd;
	}
	if (target == LOG_TARGET_STDERR && log_sock >= 0) {
		close(log_sock);
		log_sock = -1;
	}
	log_target = target;
}

void
log_tee(int fd)
{
	log_tee_fd = fd;
}

bool
log_debug_enabled(void)
{
	return log_max_prio >= LOG_DEBUG;
}

static const char *
prio_prefix(int prio)
{
	if (prio <= LOG_ERR)
		return "error: ";
	if (prio == LOG_WARNING)
		return "warning: ";
	return "";
}

static bool
syslog_send(int prio, const char *msg)
{
	char line[LOG_LINE_MAX + 64], stamp[32];
	struct tm tm;
	time_t t = time(NULL);
	int n, tries;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	n = snprintf(line, sizeof(line), "<%d>%s bustd[%d]: %s",
	    LOG_DAEMON | prio, stamp, (int)getpid(), msg);
	if (n < 0)
		return false;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* A restarted syslog daemon means a new socket: connect again. */
	for (tries = 0; tries < 2; tries++) {
		if (log_sock < 0 && (log_sock = syslog_connect()) < 0)
			return false;
		if (send(log_sock, line, (size_t)n, MSG_NOSIGNAL) >= 0)
			return true;
		if (errno != ECONNREFUSED && errno != ENOTCONN &&
		    errno != EDESTADDRREQ)
			return false;
		close(log_sock);
		log_sock = -1;
	}
	return false;
}

/* Write msg to fd as one line, as stderr shows it (journal: its <N>
 * prefix, else words but for events).  0 or -errno. */
static int
fd_send(int fd, int prio, bool journal, const char *msg)
{
	char line[LOG_LINE_MAX + 16], pre[16];
	int n;

	if (journal)
		snprintf(pre, sizeof(pre), "<%d>", prio & LOG_PRIMASK);
	else
		snprintf(pre, sizeof(pre), "%s",
		    prio & LOG_EVENT ? "" : prio_prefix(prio & LOG_PRIMASK));
	/* One write(2) per line so that lines never interleave. */
	n = snprintf(line, sizeof(line), "%s%s\n", pre, msg);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	while (write(fd, line, (size_t)n) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static void
log_emit(int prio, const char *msg)
{
	if (log_tee_fd >= 0 && (prio & LOG_PRIMASK) <= LOG_WARNING &&
	    fd_send(log_tee_fd, prio, false, msg) < 0)
		log_tee_fd = -1;
	/* If syslog fails, the line still goes somewhere. */
	if (log_target == LOG_TARGET_SYSLOG &&
	    syslog_send(prio & LOG_PRIMASK, msg))
		return;
	fd_send(STDERR_FILENO, prio, log_journal, msg);
}

static void __attribute__((format(printf, 3, 0)))
log_vmsg(int prio, int r, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	int saved_errno = errno;
	int n;

	if ((prio & LOG_PRIMASK) > log_max_prio)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n >= 0 && r != 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(-r));
	log_emit(prio, msg);
	errno = saved_errno;
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, 0, fmt, ap);
	va_end(ap);
}

void
log_msg_r(int prio, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, r, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatal_r(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, r, fmt, ap);
	va_end(ap);
	exit(1);
}

char *
log_escape(char *dst, size_t size, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	size_t i;

	if (size == 0)
		return dst;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		bool plain = (c >= 0x20 && c < 0x7f && c != '\\');

		if (o + (plain ? 1 : 4) + 1 > size) {
			/* Mark the truncation if there is room for it. */
			if (size >= 4) {
				o = o > size - 4 ? size - 4 : o;
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (plain) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	dst[o] = '\0';
	return dst;
}

char *
log_size(char *buf, size_t size, uint64_t kib)
{
	if (kib >= 1024 * 1024)
		snprintf(buf, size, "%.2f GiB", kib / 1048576.0);
	else
		snprintf(buf, size, "%.1f MiB", kib / 1024.0);
	return buf;
}
