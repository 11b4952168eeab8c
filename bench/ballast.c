/* SPDX-License-Identifier: MIT */
/* ballast.c: memory locked away, for bustd's freeze benchmark. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/*
 *   ballast -m MIB [-t SECONDS]
 *
 * Locks MIB of anonymous memory (at most 4096: the benchmark starts
 * several, so that none looks like the one process to kill), prints
 * "locked MIB" once every page is in, and sleeps until SIGTERM, SIGKILL,
 * its parent's death (PR_SET_PDEATHSIG) or SECONDS (default 3600, at
 * most 21600) have passed, by alarm(2): then the kernel takes it all
 * back.  Locked pages are never reclaimed nor swapped: what is left to
 * the rest of the machine is what a smaller machine would have.
 * Needs CAP_IPC_LOCK (root) or a large enough RLIMIT_MEMLOCK.
 */

int
main(int argc, char **argv)
{
	long mib = 0;
	unsigned int limit = 3600;
	size_t len;
	void *p;
	int ch;

	while ((ch = getopt(argc, argv, "m:t:")) != -1) {
		switch (ch) {
		case 'm':
			mib = atol(optarg);
			break;
		case 't':
			limit = (unsigned int)atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: ballast -m MIB [-t SECONDS]\n");
			return 2;
		}
	}
	if (mib <= 0 || mib > 4096) {
		fprintf(stderr, "ballast: -m 1-4096\n");
		return 2;
	}
	if (limit == 0 || limit > 21600)
		limit = 21600;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	alarm(limit);
	len = (size_t)mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("ballast: mmap");
		return 1;
	}
	/* mlock(2) faults every page in before it returns. */
	if (mlock(p, len) < 0) {
		perror("ballast: mlock");
		return 1;
	}
	printf("locked %ld\n", mib);
	fflush(stdout);
	for (;;)
		pause();
}
