/* SPDX-License-Identifier: MIT */
/* leak.c: the memory hogs of bustd's freeze benchmark, each bounded. */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 *   leak [-r MIB_PER_S] [-f FAST_MIB] -c CAP_MIB [-d half|random] [-t S]
 *   leak -j JOBS -n WORKERS [-r MIB_PER_S] -c CAP_MIB [-H HOLD_S] [-b]
 *        [-d half|random] [-t S]
 *   leak -s FILE [-t S]
 *
 * The first form is one leak ("leak"): it grows flat out to FAST_MIB
 * (default 0), then at MIB_PER_S (0, the default, is flat out) until
 * CAP_MIB, and keeps it until SECONDS have passed.  It never touches a
 * page twice, as a leak does not.
 *
 * The second is a fan-out like make -j ("fan"): it keeps JOBS workers
 * ("job") running until WORKERS have run.  Each grows at MIB_PER_S to
 * CAP_MIB, keeps it HOLD_S seconds (default 1), then exits; with -b it
 * also keeps a CPU busy meanwhile, as a compiler does.  As make does,
 * it starts no new worker once one was killed by a signal, and on
 * SIGTERM it sends SIGTERM to its workers (by pid, its own children)
 * and leaves when they have.  Workers die with it (PR_SET_PDEATHSIG).
 * Everything else dies of SIGTERM, as most programs do.
 *
 * The third streams FILE once with read(2) into a 1 MiB buffer, as
 * "cat FILE >/dev/null" does ("stream").
 *
 * Pages are filled with data: -d half (default) makes each page half
 * random bytes and half zeros, which zram's lz4 stores in about half
 * the space; -d random makes it all random, which no compressor can
 * shrink.  (Pages of one repeated byte would cost zram nothing at all.)
 *
 * Every form leaves after SECONDS (default 60, at most 180) whatever
 * happens, and dies with its parent.  Exit status: 0, or 1 on an error,
 * or (fan-out) when a worker was killed.
 */

#define CHUNK_MIB 4

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* Sleep until t, or with busy keep a CPU busy until then. */
static void
wait_until(double t, int busy)
{
	volatile uint64_t spin = 0;

	if (!busy) {
		sleep_s(t - now_s());
		return;
	}
	while (now_s() < t)
		spin++;
}

static uint64_t rng;

static void
fill(unsigned char *p, size_t len, int random_all)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t off, i, n = random_all ? (size_t)page : (size_t)page / 2;
	uint64_t x = rng;

	for (off = 0; off < len; off += (size_t)page) {
		for (i = 0; i < n; i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(p + off + i, &x, 8);
		}
		if (n < (size_t)page)
			memset(p + off + n, 0, (size_t)page - n);
	}
	rng = x;
}

/*
 * Grow to cap_mib: flat out to fast_mib first, then at rate (0 is flat
 * out).  Then keep it until the deadline, or hold_s after the cap if
 * hold_s >= 0.  With busy, spin instead of sleeping.
 */
static int
grow(double rate, size_t fast_mib, size_t cap_mib, int random_all,
    double hold_s, int busy, double deadline)
{
	size_t done = 0, base = 0, n = (size_t)CHUNK_MIB << 20;
	double paced = -1, full = 0, due;

	while (now_s() < deadline) {
		if (done >= cap_mib) {
			if (hold_s >= 0 && now_s() - full >= hold_s)
				break;
			wait_until(now_s() + 0.02, busy);
			continue;
		}
		unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			wait_until(now_s() + 0.01, busy);
			continue;
		}
		fill(p, n, random_all);
		done += CHUNK_MIB;
		if (done >= cap_mib)
			full = now_s();
		if (paced < 0 && done >= fast_mib) {
			/* The paced part starts here. */
			paced = now_s();
			base = done;
		}
		if (rate > 0 && paced >= 0 && done < cap_mib) {
			due = paced + (double)(done - base) / rate;
			wait_until(due < deadline ? due : deadline, busy);
		}
	}
	return 0;
}

static int
stream(const char *path, double deadline)
{
	static char buf[1 << 20];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	while (now_s() < deadline) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("stream: read");
			return 1;
		}
		if (n == 0)
			break;
	}
	return 0;
}

struct fan {
	int jobs, workers;
	double rate, hold_s;
	size_t cap_mib;
	int random_all, busy;
};

static int
fan_out(const struct fan *f, double deadline)
{
	pid_t *pids = calloc((size_t)f->jobs, sizeof(*pids));
	pid_t parent = getpid();
	int started = 0, running = 0, killed = 0, got_term = 0, i, status;
	sigset_t chld, old;

	if (pids == NULL)
		return 1;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigaddset(&chld, SIGTERM);
	sigprocmask(SIG_BLOCK, &chld, &old);
	for (;;) {
		while (!got_term && !killed && running < f->jobs &&
		    started < f->workers && now_s() < deadline) {
			pid_t pid = fork();

			if (pid < 0) {
				perror("fan: fork");
				break;
			}
			if (pid == 0) {
				sigprocmask(SIG_SETMASK, &old, NULL);
				prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
				if (getppid() != parent)
					_exit(1);
				prctl(PR_SET_NAME, "job", 0, 0, 0);
				rng ^= (uint64_t)getpid() * 0x9e3779b97f4a7c15u;
				_exit(grow(f->rate, 0, f->cap_mib,
				    f->random_all, f->hold_s, f->busy,
				    deadline));
			}
			for (i = 0; i < f->jobs; i++)
				if (pids[i] == 0) {
					pids[i] = pid;
					break;
				}
			started++;
			running++;
		}
		if (running == 0)
			break;
		/* Wait for a worker, waking for SIGTERM and the deadline. */
		{
			struct timespec ts = { 0, 100000000 };
			siginfo_t si;

			if (sigtimedwait(&chld, &si, &ts) == SIGTERM)
				got_term = 1;
		}
		if (got_term || now_s() >= deadline + 5)
			for (i = 0; i < f->jobs; i++)
				if (pids[i] > 0)
					kill(pids[i], got_term ? SIGTERM
					                       : SIGKILL);
		for (;;) {
			pid_t pid = waitpid(-1, &status, WNOHANG);

			if (pid <= 0)
				break;
			for (i = 0; i < f->jobs; i++)
				if (pids[i] == pid) {
					pids[i] = 0;
					running--;
				}
			if (WIFSIGNALED(status))
				killed++;
		}
	}
	printf("fan: %d workers started, %d killed\n", started, killed);
	free(pids);
	return killed ? 1 : 0;
}

int
main(int argc, char **argv)
{
	double rate = 0, limit = 60, deadline;
	size_t fast_mib = 0, cap_mib = 0;
	struct fan f = { .hold_s = 1 };
	const char *file = NULL;
	int random_all = 0, busy = 0, ch;

	while ((ch = getopt(argc, argv, "r:f:c:d:t:j:n:H:bs:")) != -1) {
		switch (ch) {
		case 'r':
			rate = atof(optarg);
			break;
		case 'f':
			fast_mib = (size_t)atol(optarg);
			break;
		case 'c':
			cap_mib = (size_t)atol(optarg);
			break;
		case 'd':
			if (strcmp(optarg, "random") == 0)
				random_all = 1;
			else if (strcmp(optarg, "half") != 0)
				goto usage;
			break;
		case 't':
			limit = atof(optarg);
			break;
		case 'j':
			f.jobs = atoi(optarg);
			break;
		case 'n':
			f.workers = atoi(optarg);
			break;
		case 'H':
			f.hold_s = atof(optarg);
			break;
		case 'b':
			busy = 1;
			break;
		case 's':
			file = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (limit <= 0 || limit > 180)
		limit = 180;
	deadline = now_s() + limit;
	/* SIGTERM keeps its default action: it kills, as it kills most
	 * programs (the fan-out blocks it and forwards it, as make does). */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	rng = 0x2545f4914f6cdd1du ^ (uint64_t)getpid();

	if (file != NULL) {
		prctl(PR_SET_NAME, "stream", 0, 0, 0);
		return stream(file, deadline);
	}
	if (cap_mib == 0 || cap_mib > 64 * 1024)
		goto usage;
	if (f.jobs > 0) {
		if (f.jobs > 256 || f.workers < f.jobs || f.workers > 10000)
			goto usage;
		f.rate = rate;
		f.cap_mib = cap_mib;
		f.random_all = random_all;
		f.busy = busy;
		prctl(PR_SET_NAME, "fan", 0, 0, 0);
		setvbuf(stdout, NULL, _IOLBF, 0);
		return fan_out(&f, deadline);
	}
	prctl(PR_SET_NAME, "leak", 0, 0, 0);
	/* Nothing more to do once full: hold until the deadline. */
	return grow(rate, fast_mib, cap_mib, random_all, -1, busy, deadline);

usage:
	fprintf(stderr,
	    "usage: leak [-r MIB_PER_S] [-f FAST_MIB] -c CAP_MIB "
	    "[-d half|random] [-t SECONDS]\n"
	    "       leak -j JOBS -n WORKERS [-r MIB_PER_S] -c CAP_MIB "
	    "[-H HOLD_S] [-b] [-d half|random] [-t SECONDS]\n"
	    "       leak -s FILE [-t SECONDS]\n");
	return 2;
}
