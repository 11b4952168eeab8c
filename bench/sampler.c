/* SPDX-License-Identifier: MIT */
/* sampler.c: bustd's benchmark's 1 ms MemAvailable sampler. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/*
 *   sampler -l LEVEL_KIB [-p PID] [-m MARGIN_KIB] [-t SECONDS]
 *           [-i INTERVAL_US] [-R RT_PRIORITY] [-w READY_FILE]
 *
 * Reads MemAvailable from /proc/meminfo every INTERVAL_US (default 1000)
 * on an absolute CLOCK_MONOTONIC schedule, until SIGTERM or SIGINT, or
 * SECONDS (default 60, at most 120) have passed.  It records the first
 * sample at or below LEVEL_KIB (the crossing) and the sample before it,
 * and the lowest MemAvailable.  With -p, once MemAvailable is at or below
 * LEVEL_KIB + MARGIN_KIB (default 256 MiB), every sample also reads
 * /proc/PID/schedstat (the daemon's CPU time and timeslices) into a table
 * printed at the end, with MemAvailable.  Times are CLOCK_MONOTONIC
 * nanoseconds, the clock of tracefs' "mono" trace_clock.  With -R it runs
 * SCHED_FIFO at that priority, so that a busy machine does not stretch
 * its 1 ms period (each sample costs tens of microseconds).
 *
 * Output, on exit, one "key=value" per line, then one "ss T_NS RUN_NS
 * SLICES AVAIL_KIB" line per schedstat sample.
 */

#define SS_MAX 120000

struct ss {
	uint64_t t, run, slices;
	long long avail;
};

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

/* MemAvailable in KiB, or -1. */
static long long
mem_available(int fd)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *p;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "MemAvailable:");
	if (p == NULL)
		return -1;
	return strtoll(p + 13, NULL, 10);
}

static int
read_schedstat(int fd, struct ss *s)
{
	char buf[128];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	unsigned long long run, wait, slices;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu %llu", &run, &wait, &slices) != 3)
		return -1;
	s->run = run;
	s->slices = slices;
	return 0;
}

int
main(int argc, char **argv)
{
	long long level = -1, margin = 256 * 1024, avail, min_avail = -1;
	long long start_avail = -1, cross_avail = -1;
	double limit = 60;
	long interval_us = 1000;
	const char *ready = NULL;
	int pid = 0, rt = 0, ch, mfd, sfd = -1;
	uint64_t start, deadline, next, t, prev_t = 0, max_gap = 0;
	uint64_t cross_t = 0, before_t = 0, min_t = 0, samples = 0, late = 0;
	static struct ss table[SS_MAX];
	size_t nss = 0, i;
	struct sigaction sa;
	struct timespec ts;
	char path[64];

	while ((ch = getopt(argc, argv, "l:p:m:t:i:R:w:")) != -1) {
		switch (ch) {
		case 'l':
			level = atoll(optarg);
			break;
		case 'p':
			pid = atoi(optarg);
			break;
		case 'm':
			margin = atoll(optarg);
			break;
		case 't':
			limit = atof(optarg);
			break;
		case 'i':
			interval_us = atol(optarg);
			break;
		case 'R':
			rt = atoi(optarg);
			break;
		case 'w':
			ready = optarg;
			break;
		default:
			fprintf(stderr,
			    "usage: sampler -l LEVEL_KIB [-p PID] "
			    "[-m MARGIN_KIB] [-t SECONDS] [-i INTERVAL_US] "
			    "[-R RT_PRIORITY] [-w READY_FILE]\n");
			return 2;
		}
	}
	if (level < 0 || interval_us < 100) {
		fprintf(stderr, "sampler: -l LEVEL_KIB is needed, -i >= 100\n");
		return 2;
	}
	if (limit > 120 || limit <= 0)
		limit = 120;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Never wait on a page-in; failing is not fatal. */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	if (rt > 0) {
		struct sched_param sp = { .sched_priority = rt };

		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
			perror("sampler: SCHED_FIFO");
			rt = 0;
		}
	}

	mfd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (mfd < 0) {
		perror("/proc/meminfo");
		return 1;
	}
	if (pid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
		sfd = open(path, O_RDONLY | O_CLOEXEC);
		if (sfd < 0) {
			perror(path);
			return 1;
		}
	}
	if (ready != NULL) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0)
			close(fd);
	}

	start = next = now_ns();
	deadline = start + (uint64_t)(limit * 1e9);
	while (!stop) {
		avail = mem_available(mfd);
		t = now_ns();
		if (avail < 0) {
			fprintf(stderr, "sampler: cannot read MemAvailable\n");
			return 1;
		}
		if (prev_t != 0 && t - prev_t > max_gap)
			max_gap = t - prev_t;
		if (start_avail < 0)
			start_avail = avail;
		if (min_avail < 0 || avail < min_avail) {
			min_avail = avail;
			min_t = t;
		}
		if (cross_t == 0 && avail <= level) {
			cross_t = t;
			before_t = prev_t;
			cross_avail = avail;
		}
		if (sfd >= 0 && nss < SS_MAX &&
		    (nss > 0 || avail <= level + margin)) {
			table[nss].t = t;
			table[nss].avail = avail;
			if (read_schedstat(sfd, &table[nss]) == 0)
				nss++;
		}
		prev_t = t;
		samples++;
		if (t >= deadline)
			break;
		next += (uint64_t)interval_us * 1000u;
		if (next < t) {
			/* Overran: count it, and keep to the schedule. */
			late++;
			next = t;
		}
		ts.tv_sec = (time_t)(next / 1000000000u);
		ts.tv_nsec = (long)(next % 1000000000u);
		while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
		                    &ts, NULL) == EINTR)
			;
	}

	printf("level_kib=%lld\n", level);
	printf("start_ns=%llu\n", (unsigned long long)start);
	printf("end_ns=%llu\n", (unsigned long long)prev_t);
	printf("start_avail_kib=%lld\n", start_avail);
	printf("cross_ns=%llu\n", (unsigned long long)cross_t);
	printf("before_ns=%llu\n", (unsigned long long)before_t);
	printf("cross_avail_kib=%lld\n", cross_avail);
	printf("min_avail_kib=%lld\n", min_avail);
	printf("min_ns=%llu\n", (unsigned long long)min_t);
	printf("samples=%llu\n", (unsigned long long)samples);
	printf("late=%llu\n", (unsigned long long)late);
	printf("max_gap_ns=%llu\n", (unsigned long long)max_gap);
	printf("rt_priority=%d\n", rt);
	for (i = 0; i < nss; i++)
		printf("ss %llu %llu %llu %lld\n",
		    (unsigned long long)table[i].t,
		    (unsigned long long)table[i].run,
		    (unsigned long long)table[i].slices, table[i].avail);
	return fflush(stdout) == 0 ? 0 : 1;
}
