/* SPDX-License-Identifier: MIT */
/* log.c: logging to stderr, syslog or /dev/kmsg, formatted on the stack. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 1024
/* While /dev/log is missing, connecting again at most this often. */
#define LOG_RETRY_MS 1000

/* The log state is one of the two kinds of mutable global (STYLE.md). */
static enum log_target log_target = LOG_TARGET_STDERR;
static int log_max_prio = LOG_INFO;
static int log_sock = -1; /* connected to /dev/log */
static uint64_t log_sock_failed_ms; /* the last failed connect, 0: none */
static int log_kmsg = -1; /* /dev/kmsg, opened when first needed */
static int log_tee_fd = -1;
static bool log_journal; /* stderr is the journal's stream */
static bool log_stderr_void; /* stderr is /dev/null, or closed */

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

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
stderr_is_journal(const struct stat *st)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	char *end;

	if (js == NULL)
		return false;
	errno = 0;
	dev = strtoull(js, &end, 10);
	if (errno != 0 || end == js || *end != ':')
		return false;
	js = end + 1;
	ino = strtoull(js, &end, 10);
	if (errno != 0 || end == js || *end != '\0')
		return false;
	return dev == (unsigned long long)st->st_dev &&
	    ino == (unsigned long long)st->st_ino;
}

/* Where stderr goes: the journal, somewhere, or nowhere (/dev/null, as a
 * detached bustd has it, or closed). */
static void
check_stderr(void)
{
	struct stat st;

	log_journal = false;
	log_stderr_void = fstat(STDERR_FILENO, &st) < 0 ||
	    (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
	if (!log_stderr_void)
		log_journal = stderr_is_journal(&st);
}

void
log_open(enum log_target target, int max_prio)
{
	int fd;

	log_max_prio = max_prio;
	check_stderr();
	if (target == LOG_TARGET_SYSLOG && log_sock < 0 &&
	    log_target != LOG_TARGET_SYSLOG) {
		log_target = LOG_TARGET_SYSLOG;
		fd = syslog_connect();
		if (fd < 0) {
			log_sock_failed_ms = mono_ms() | 1;
			log_warn("syslog: cannot connect to /dev/log: %s; "
			    "logging to %s until it can", strerror(-fd),
			    log_stderr_void ? "/dev/kmsg" : "stderr");
			return;
		}
		log_sock = fd;
		log_sock_failed_ms = 0;
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

/* msg as a syslog datagram into line.  Its length, or -1. */
static int
syslog_format(char *line, size_t size, int prio, const char *msg)
{
	char stamp[32];
	struct tm tm;
	time_t t = time(NULL);
	int n;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	n = snprintf(line, size, "<%d>%s bustd[%d]: %s", LOG_DAEMON | prio,
	    stamp, (int)getpid(), msg);
	if (n < 0)
		return -1;
	return (size_t)n >= size ? (int)size - 1 : n;
}

/*
 * Connect to /dev/log again: at once after a send failed on a socket
 * that worked (a restarted syslog daemon), at most every LOG_RETRY_MS
 * while it cannot be reached (bustd started before it, or without it).
 * When it is back, the first line says so: lines in between went to
 * stderr or /dev/kmsg.
 */
static bool
syslog_reconnect(void)
{
	char line[128];
	uint64_t now = mono_ms();
	int fd, n;

	if (log_sock_failed_ms != 0 && now - log_sock_failed_ms < LOG_RETRY_MS)
		return false;
	fd = syslog_connect();
	if (fd < 0) {
		log_sock_failed_ms = now | 1;
		return false;
	}
	log_sock = fd;
	if (log_sock_failed_ms != 0) {
		log_sock_failed_ms = 0;
		n = syslog_format(line, sizeof(line), LOG_INFO,
		    "syslog: connected to /dev/log again");
		if (n > 0)
			send(log_sock, line, (size_t)n,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	return true;
}

static bool
syslog_send(int prio, const char *msg)
{
	char line[LOG_LINE_MAX + 64];
	int n, tries;

	n = syslog_format(line, sizeof(line), prio, msg);
	if (n < 0)
		return false;
	/* A restarted syslog daemon means a new socket: connect again. */
	for (tries = 0; tries < 2; tries++) {
		if (log_sock < 0 && !syslog_reconnect())
			return false;
		/* Never wait on a syslog daemon that is stuck itself (in
		 * reclaim, say): the line goes elsewhere. */
		if (send(log_sock, line, (size_t)n, MSG_NOSIGNAL |
		    MSG_DONTWAIT) >= 0)
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

/*
 * The kernel's log, when there is nowhere else: dmesg and the journal
 * read it.  Each write(2) is one record, "<PRI>bustd[PID]: msg"; the
 * kernel may drop some of a burst (printk_devkmsg=ratelimit).
 */
static void
kmsg_send(int prio, const char *msg)
{
	char line[LOG_LINE_MAX + 32];
	int n;

	if (log_kmsg < 0)
		log_kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY |
		    O_NONBLOCK);
	if (log_kmsg < 0)
		return;
	n = snprintf(line, sizeof(line), "<%d>bustd[%d]: %s\n",
	    LOG_DAEMON | prio, (int)getpid(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	while (write(log_kmsg, line, (size_t)n) < 0 && errno == EINTR)
		;
}

static void
log_emit(int prio, const char *msg)
{
	if (log_tee_fd >= 0 && (prio & LOG_PRIMASK) <= LOG_WARNING &&
	    fd_send(log_tee_fd, prio, false, msg) < 0)
		log_tee_fd = -1;
	/* If syslog fails, the line still goes somewhere: stderr, and
	 * when that is /dev/null (detached) or fails, the kernel's log. */
	if (log_target == LOG_TARGET_SYSLOG &&
	    syslog_send(prio & LOG_PRIMASK, msg))
		return;
	if (!log_stderr_void &&
	    fd_send(STDERR_FILENO, prio, log_journal, msg) == 0)
		return;
	kmsg_send(prio & LOG_PRIMASK, msg);
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
log_safe(char *dst, size_t size, const char *src, size_t len)
{
	size_t i;

	if (size == 0)
		return dst;
	for (i = 0; i < len && i + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c >= 0x20 && c < 0x7f && c != '\\' && c != '<' &&
		    c != '>' && c != '&' ? (char)c : '?';
	}
	dst[i] = '\0';
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
