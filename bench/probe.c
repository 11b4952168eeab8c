/* SPDX-License-Identifier: MIT */
/* probe.c: an interactive program's memory, for bustd's freeze benchmark. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 *   probe -a ANON_MIB [-f FILE] [-p PERIOD_MS] [-t SECONDS]
 *
 * Stands for a program someone is using: ANON_MIB of anonymous memory
 * (its heap, half random bytes and half zeros in each page, so that
 * zram compresses it about 2:1) and, with -f, all of FILE mapped
 * read-only and executable, privately, the way the dynamic loader maps
 * program code.  Every PERIOD_MS (default 100) it reads one byte of
 * every page of both, which takes a few milliseconds when they are in
 * memory and seconds when the kernel evicted them: a page of code read
 * back from disk, a page of heap read back from swap.
 *
 * One line on standard output per round, written after the round:
 *
 *   r START_NS DURATION_NS MAJOR_FAULTS
 *
 * START_NS (CLOCK_MONOTONIC) is when the round was due: its period's
 * tick, or the end of the round before if that ran past the tick.  So
 * the durations tile time and a round that waited for the CPU counts
 * the wait, as a person at the keyboard would.  MAJOR_FAULTS is the
 * round's count of page faults that needed I/O (getrusage).
 *
 * It leaves on its own after SECONDS (default 60, at most 300), on
 * SIGTERM or SIGINT, and when its parent dies (PR_SET_PDEATHSIG).
 */

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

static long
major_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return ru.ru_majflt;
}

/* Half of each page pseudo-random, half zeros: about 2:1 for lz4. */
static void
fill_half(unsigned char *p, size_t len, long page)
{
	uint64_t x = 0x9e3779b97f4a7c15u ^ (uint64_t)getpid();
	size_t off, i;

	for (off = 0; off < len; off += (size_t)page) {
		for (i = 0; i < (size_t)page / 2; i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(p + off + i, &x, 8);
		}
		memset(p + off + page / 2, 0, (size_t)page / 2);
	}
}

static void
sleep_until(uint64_t t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(t / 1000000000u);
	ts.tv_nsec = (long)(t % 1000000000u);
	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
	                    NULL) == EINTR)
		;
}

int
main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), anon_mib = -1, period_ms = 100;
	double limit = 60;
	const char *file = NULL;
	unsigned char *anon = NULL, *code = NULL;
	size_t anon_len = 0, code_len = 0, off;
	volatile unsigned char sink = 0;
	uint64_t start, deadline, due, end, period;
	struct sigaction sa;
	struct stat st;
	char line[96];
	long faults;
	int ch, fd, n;

	while ((ch = getopt(argc, argv, "a:f:p:t:")) != -1) {
		switch (ch) {
		case 'a':
			anon_mib = atol(optarg);
			break;
		case 'f':
			file = optarg;
			break;
		case 'p':
			period_ms = atol(optarg);
			break;
		case 't':
			limit = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: probe -a ANON_MIB [-f FILE] "
			                "[-p PERIOD_MS] [-t SECONDS]\n");
			return 2;
		}
	}
	if (anon_mib < 0 || anon_mib > 4096 || period_ms < 10 ||
	    period_ms > 10000) {
		fprintf(stderr, "probe: -a 0-4096 MiB, -p 10-10000 ms\n");
		return 2;
	}
	if (limit <= 0 || limit > 300)
		limit = 300;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (anon_mib > 0) {
		anon_len = (size_t)anon_mib << 20;
		anon = mmap(NULL, anon_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (anon == MAP_FAILED) {
			perror("probe: mmap");
			return 1;
		}
		fill_half(anon, anon_len, page);
	}
	if (file != NULL) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
			perror(file);
			return 1;
		}
		code_len = (size_t)st.st_size;
		code = mmap(NULL, code_len, PROT_READ | PROT_EXEC, MAP_PRIVATE,
		    fd, 0);
		if (code == MAP_FAILED) {
			perror("probe: mmap FILE");
			return 1;
		}
		close(fd);
	}

	period = (uint64_t)period_ms * 1000000u;
	start = due = now_ns();
	deadline = start + (uint64_t)(limit * 1e9);
	while (!stop && due < deadline) {
		faults = major_faults();
		for (off = 0; off < anon_len; off += (size_t)page)
			sink ^= anon[off];
		for (off = 0; off < code_len; off += (size_t)page)
			sink ^= code[off];
		end = now_ns();
		n = snprintf(line, sizeof(line), "r %llu %llu %ld\n",
		    (unsigned long long)due, (unsigned long long)(end - due),
		    major_faults() - faults);
		if (write(STDOUT_FILENO, line, (size_t)n) != n)
			return 1;
		/* The next tick after the end; a long round shifts none. */
		due += period;
		if (due < end)
			due = end;
		sleep_until(due);
	}
	return 0;
}
