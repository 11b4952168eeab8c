/* SPDX-License-Identifier: MIT */
/* meter.c: the freeze benchmark's readings of memory, swap and PSI. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 *   meter [-i INTERVAL_MS] [-t SECONDS] [-R RT_PRIORITY] [-z MM_STAT]
 *
 * Every INTERVAL_MS (default 50) reads /proc/meminfo, /proc/pressure/
 * memory, /proc/vmstat and, with -z, zram's mm_stat, and keeps one row
 * in memory (locked, as the whole program is: mlockall), until SIGTERM,
 * end of file on standard input, "q" on it, or SECONDS (default 300,
 * at most 600).  Then it prints, CLOCK_MONOTONIC nanoseconds first:
 *
 *   m T AVAIL_KIB FREE_KIB SWAP_TOTAL_KIB SWAP_FREE_KIB PSI_SOME_US
 *     PSI_FULL_US OOM_KILL REFAULT_ANON REFAULT_FILE PSWPIN PSWPOUT
 *     PGMAJFAULT ZRAM_ORIG ZRAM_COMPR ZRAM_USED
 *   x PID T        PID exited at T (its pidfd became readable)
 *   k PID T        PID was killed at T, by the watchdog below
 *
 * The PSI and vmstat figures are the kernel's running totals; zram's
 * are bytes.  "w PID SECONDS" on standard input watches PID: its exit
 * time is kept, and if it still runs SECONDS later it gets SIGKILL
 * through its pidfd (no pid reuse can redirect it).  This is the
 * benchmark's last line of defence: it runs at SCHED_FIFO with -R and
 * never waits for a page to come back from disk, when the harness, a
 * Python program, may.
 */

#define ROWS_MAX 12000
#define WATCH_MAX 64
#define NCOL 16

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The whole file in buf (NUL-terminated), or -1. */
static ssize_t
slurp(int fd, char *buf, size_t size)
{
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, size - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The number after "key" (which ends in ':' or ' ' or '='), or 0. */
static long long
field(const char *buf, const char *key)
{
	const char *p = buf;
	size_t len = strlen(key);

	while ((p = strstr(p, key)) != NULL) {
		if (p == buf || p[-1] == '\n' || p[-1] == ' ')
			return strtoll(p + len, NULL, 10);
		p += len;
	}
	return 0;
}

struct watch {
	int pid, fd;
	uint64_t kill_at;
};

int
main(int argc, char **argv)
{
	static long long rows[ROWS_MAX][NCOL];
	static char buf[16384];
	static char deaths[WATCH_MAX * 2][64];
	struct watch w[WATCH_MAX];
	struct pollfd pfd[WATCH_MAX + 1];
	long interval_ms = 50;
	double limit = 300;
	const char *zpath = NULL;
	int fmem, fpsi, fvm, fz = -1, rt = 0, ch, nw = 0, nd = 0, i;
	size_t nrows = 0, r;
	uint64_t next, deadline, t;
	char in[256];
	size_t inlen = 0;
	struct sigaction sa;

	while ((ch = getopt(argc, argv, "i:t:R:z:")) != -1) {
		switch (ch) {
		case 'i':
			interval_ms = atol(optarg);
			break;
		case 't':
			limit = atof(optarg);
			break;
		case 'R':
			rt = atoi(optarg);
			break;
		case 'z':
			zpath = optarg;
			break;
		default:
			fprintf(stderr, "usage: meter [-i INTERVAL_MS] "
			                "[-t SECONDS] [-R RT_PRIORITY] "
			                "[-z MM_STAT]\n");
			return 2;
		}
	}
	if (interval_ms < 5 || interval_ms > 10000) {
		fprintf(stderr, "meter: -i 5-10000\n");
		return 2;
	}
	if (limit <= 0 || limit > 600)
		limit = 600;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		perror("meter: mlockall");
	if (rt > 0) {
		struct sched_param sp = { .sched_priority = rt };

		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			perror("meter: SCHED_FIFO");
	}
	fmem = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	fpsi = open("/proc/pressure/memory", O_RDONLY | O_CLOEXEC);
	fvm = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	if (zpath != NULL)
		fz = open(zpath, O_RDONLY | O_CLOEXEC);
	if (fmem < 0 || fvm < 0) {
		perror("meter: /proc");
		return 1;
	}

	next = now_ns();
	deadline = next + (uint64_t)(limit * 1e9);
	while (!stop) {
		long long *row = rows[nrows < ROWS_MAX ? nrows : ROWS_MAX - 1];
		int timeout_ms, n;

		t = now_ns();
		if (t >= next) {
			memset(row, 0, sizeof(rows[0]));
			row[0] = (long long)t;
			if (slurp(fmem, buf, sizeof(buf)) > 0) {
				row[1] = field(buf, "MemAvailable:");
				row[2] = field(buf, "MemFree:");
				row[3] = field(buf, "SwapTotal:");
				row[4] = field(buf, "SwapFree:");
			}
			if (slurp(fpsi, buf, sizeof(buf)) > 0) {
				char *full = strstr(buf, "full ");

				row[5] = field(buf, "total=");
				if (full != NULL)
					row[6] = field(full, "total=");
			}
			if (slurp(fvm, buf, sizeof(buf)) > 0) {
				row[7] = field(buf, "oom_kill ");
				row[8] = field(buf, "workingset_refault_anon ");
				row[9] = field(buf, "workingset_refault_file ");
				row[10] = field(buf, "pswpin ");
				row[11] = field(buf, "pswpout ");
				row[12] = field(buf, "pgmajfault ");
			}
			if (slurp(fz, buf, sizeof(buf)) > 0)
				sscanf(buf, "%lld %lld %lld", &row[13],
				    &row[14], &row[15]);
			if (nrows < ROWS_MAX)
				nrows++;
			next += (uint64_t)interval_ms * 1000000u;
			if (next < t)
				next = t;
			if (t >= deadline)
				break;
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		for (i = 0; i < nw; i++) {
			pfd[i + 1].fd = w[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		t = now_ns();
		timeout_ms = next > t ? (int)((next - t + 999999) / 1000000) : 0;
		for (i = 0; i < nw; i++)
			if (w[i].kill_at <= t)
				timeout_ms = 0;
			else if ((w[i].kill_at - t) / 1000000 <
			    (uint64_t)timeout_ms)
				timeout_ms = (int)((w[i].kill_at - t) / 1000000);
		n = poll(pfd, (nfds_t)nw + 1, timeout_ms);
		if (n < 0 && errno != EINTR)
			break;
		t = now_ns();
		for (i = nw - 1; i >= 0; i--) {
			int gone = n > 0 && (pfd[i + 1].revents & POLLIN);

			if (!gone && w[i].kill_at <= t) {
				syscall(SYS_pidfd_send_signal, w[i].fd, SIGKILL,
				    NULL, 0);
				if (nd < WATCH_MAX * 2)
					snprintf(deaths[nd++], sizeof(deaths[0]),
					    "k %d %llu", w[i].pid,
					    (unsigned long long)t);
				w[i].kill_at = UINT64_MAX;
				continue;
			}
			if (!gone)
				continue;
			if (nd < WATCH_MAX * 2)
				snprintf(deaths[nd++], sizeof(deaths[0]),
				    "x %d %llu", w[i].pid,
				    (unsigned long long)t);
			close(w[i].fd);
			w[i] = w[--nw];
		}
		if (n > 0 && (pfd[0].revents & (POLLIN | POLLHUP))) {
			ssize_t got = read(STDIN_FILENO, in + inlen,
			    sizeof(in) - 1 - inlen);
			char *nl;

			if (got <= 0)
				break;
			inlen += (size_t)got;
			in[inlen] = '\0';
			while ((nl = strchr(in, '\n')) != NULL) {
				int pid;
				double s;

				*nl = '\0';
				if (in[0] == 'q')
					stop = 1;
				else if (sscanf(in, "w %d %lf", &pid, &s) == 2 &&
				    nw < WATCH_MAX) {
					int fd = (int)syscall(SYS_pidfd_open,
					    pid, 0);

					if (fd >= 0) {
						w[nw].pid = pid;
						w[nw].fd = fd;
						w[nw].kill_at = now_ns() +
						    (uint64_t)(s * 1e9);
						nw++;
					} else {
						perror("meter: pidfd_open");
					}
				}
				inlen -= (size_t)(nl + 1 - in);
				memmove(in, nl + 1, inlen + 1);
			}
			if (inlen >= sizeof(in) - 1)
				inlen = 0;
		}
	}

	for (r = 0; r < nrows; r++) {
		printf("m");
		for (i = 0; i < NCOL; i++)
			printf(" %lld", rows[r][i]);
		printf("\n");
	}
	for (i = 0; i < nd; i++)
		printf("%s\n", deaths[i]);
	return fflush(stdout) == 0 ? 0 : 1;
}
