/* SPDX-License-Identifier: MIT */
/* hog.c: a bounded memory hog for bustd's end-to-end tests and benchmark. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Every hog caps itself and exits on its own: it can never take the
 * machine down, whatever bustd does.
 *
 *   hog [-r MIB_PER_S] [-c CAP_MIB] [-t SECONDS] [-i] [-k CHILDREN]
 *       [-m FILE] [-w READY_FILE]
 *
 * -r  fill rate, 0 (default) = as fast as it can
 * -c  stop growing at this many MiB (default 1024)
 * -t  exit after this many seconds whatever happens (default 30)
 * -i  ignore SIGTERM
 * -k  fork this many children in the same process group: they sleep,
 *     or with -m read FILE too
 * -m  instead of allocating, read random pages of FILE (mmap) until -t
 * -w  create this file once started (children forked, handler set)
 * -n  call itself NAME (prctl PR_SET_NAME: any bytes, 15 at most)
 * -u  fill with data that does not compress (zram gains nothing on it)
 * -l  lock what it takes in RAM (mlock: a ballast that shrinks the
 *     machine; give it the cap it should hold and -r 0)
 */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The MemAvailable line of /proc/meminfo, or a note that it is unread. */
static const char *
mem_available(void)
{
	static char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "MemAvailable:", 13) == 0) {
				fclose(f);
				return line;
			}
		}
		fclose(f);
	}
	return "MemAvailable unread\n";
}

static void
touch_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0)
		close(fd);
}

static int
thrash(const char *path, double deadline)
{
	struct stat st;
	volatile unsigned char sink = 0;
	unsigned long pages, seed = (unsigned long)getpid();
	unsigned char *map;
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		return 1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	pages = (unsigned long)st.st_size / (unsigned long)page;
	while (now_s() < deadline) {
		int i;

		for (i = 0; i < 256; i++) {
			seed = seed * 6364136223846793005UL +
			       1442695040888963407UL;
			sink ^= map[(seed >> 17) % pages * (unsigned long)page];
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	double rate = 0, limit = 30, start, deadline;
	size_t cap_mib = 1024, chunk = 4, done = 0;
	const char *ready = NULL, *file = NULL;
	int children = 0, ch, i;
	bool random_fill = false, lock = false;
	uint64_t x = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL + 1;

	while ((ch = getopt(argc, argv, "r:c:t:ik:m:w:n:ul")) != -1) {
		switch (ch) {
		case 'r':
			rate = atof(optarg);
			break;
		case 'c':
			cap_mib = (size_t)atol(optarg);
			break;
		case 't':
			limit = atof(optarg);
			break;
		case 'i':
			signal(SIGTERM, SIG_IGN);
			break;
		case 'k':
			children = atoi(optarg);
			break;
		case 'm':
			file = optarg;
			break;
		case 'w':
			ready = optarg;
			break;
		case 'n':
			prctl(PR_SET_NAME, optarg, 0, 0, 0);
			break;
		case 'u':
			random_fill = true;
			break;
		case 'l':
			lock = true;
			break;
		default:
			fprintf(stderr,
			    "usage: hog [-r MIB_PER_S] [-c CAP_MIB] "
			    "[-t SECONDS] [-i] [-k N] [-m FILE] [-w FILE] "
			    "[-n NAME] [-u] [-l]\n");
			return 2;
		}
	}
	if (limit > 120)
		limit = 120;
	start = now_s();
	deadline = start + limit;
	for (i = 0; i < children; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (file != NULL)
				_exit(thrash(file, deadline));
			/* Children sleep, then leave on their own. */
			while (now_s() < deadline)
				usleep(100000);
			_exit(0);
		}
	}
	if (ready != NULL)
		touch_file(ready);
	if (file != NULL)
		return thrash(file, deadline);

	while (now_s() < deadline) {
		if (done < cap_mib) {
			size_t n = chunk * 1024 * 1024;
			char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED) {
				usleep(10000);
				continue;
			}
			if (lock && mlock(p, n) < 0) {
				perror("mlock");
				return 1;
			}
			if (random_fill) {
				uint64_t *w = (uint64_t *)(void *)p;
				size_t k;

				/* xorshift64: as good as random to lz4. */
				for (k = 0; k < n / sizeof(*w); k++) {
					x ^= x << 13;
					x ^= x >> 7;
					x ^= x << 17;
					w[k] = x;
				}
			} else {
				memset(p, 0x5a, n);
			}
			done += chunk;
		}
		if (done >= cap_mib) {
			usleep(20000);
		} else if (rate > 0) {
			/* Keep to the rate: sleep until done/rate is due. */
			double due = start + (double)done / rate;
			double t = now_s();

			if (due > t)
				usleep((useconds_t)((due - t) * 1e6));
		}
	}
	/* Not stopped by a signal: say how far it got, for the test log. */
	fprintf(stderr, "# hog %ld: time limit (%.0f s) with %zu MiB; %s",
	    (long)getpid(), limit, done, mem_available());
	return 0;
}
