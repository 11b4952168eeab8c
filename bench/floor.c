/* SPDX-License-Identifier: MIT */
/* floor.c: the least any OOM killer can spend, for bustd's benchmark. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

/*
 *   floor wake PERIOD_MS SECONDS
 *   floor scan PASSES
 *
 * wake: sleeps PERIOD_MS in ppoll(2) and calls sysinfo(2) after each
 * wake-up, for SECONDS (at most 600), then prints "wake NS_PER_WAKE
 * WAKEUPS" from its own CPU clock: what a daemon that does nothing but
 * wake up and look at memory costs per wake-up.  It lets the kernel
 * wake it up to an eighth of the period early, as bustd does (from
 * 256 ms, a power of two ms, at most 1024: PR_SET_TIMERSLACK), since
 * such a wake-up costs less when it joins another.
 *
 * scan: PASSES times (at most 50), lists /proc with getdents and reads
 * /proc/PID/oom_score of every process with openat(2) on the /proc
 * directory, read(2) and close(2) (one read per process, no stdio, no
 * ranking), and prints "scan PROCESSES US_FIRST US_MEDIAN": CPU time
 * of the first pass and the median pass, in microseconds.  What choosing
 * a victim by oom_score cannot go below.
 */

static void
usage(void)
{
	fprintf(stderr, "usage: floor wake PERIOD_MS SECONDS | "
	                "floor scan PASSES\n");
	exit(2);
}

static long long
cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int
wake(long period_ms, long seconds)
{
	struct timespec ts, t0, t;
	struct sysinfo si;
	long long c0;
	long n = 0, slack = 1024;

	if (period_ms < 1)
		usage();
	if (seconds > 600)
		seconds = 600;
	if (period_ms < 256)
		slack = 0;
	while (slack > period_ms / 8)
		slack /= 2;
	if (slack > 0 &&
	    prctl(PR_SET_TIMERSLACK, (unsigned long)slack * 1000000, 0, 0, 0) < 0)
		slack = 0;
	ts.tv_sec = (period_ms - slack) / 1000;
	ts.tv_nsec = (period_ms - slack) % 1000 * 1000000;
	/* Start counting after a first sleep: start-up is not a wake-up. */
	ppoll(NULL, 0, &ts, NULL);
	c0 = cpu_ns();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		ppoll(NULL, 0, &ts, NULL);
		sysinfo(&si);
		n++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	printf("wake %lld %ld\n", (cpu_ns() - c0) / n, n);
	return 0;
}

/* One pass: the number of processes read. */
static long
scan_once(int proc, char *dents, size_t size)
{
	long n = 0;
	ssize_t len;

	lseek(proc, 0, SEEK_SET);
	while ((len = getdents64(proc, dents, size)) > 0) {
		ssize_t off = 0;

		while (off < len) {
			struct dirent64 *d = (struct dirent64 *)(dents + off);
			char path[300], buf[32];
			int fd;

			off += d->d_reclen;
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "%s/oom_score", d->d_name);
			fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (read(fd, buf, sizeof(buf)) > 0)
				n++;
			close(fd);
		}
	}
	return n;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int
scan(long passes)
{
	static char dents[32768];
	long long us[50];
	long i, n = 0;
	int proc;

	if (passes < 1 || passes > 50)
		usage();
	proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc < 0)
		return 1;
	for (i = 0; i < passes; i++) {
		long long t0 = cpu_ns();

		n = scan_once(proc, dents, sizeof(dents));
		us[i] = (cpu_ns() - t0) / 1000;
	}
	printf("scan %ld %lld", n, us[0]);
	qsort(us, (size_t)passes, sizeof(us[0]), cmp_ll);
	printf(" %lld\n", us[passes / 2]);
	close(proc);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "wake") == 0)
		return wake(atol(argv[2]), atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "scan") == 0)
		return scan(atol(argv[2]));
	usage();
	return 2;
}
