/* SPDX-License-Identifier: MIT */
/* fill.c: how fast one thread can take memory, for bustd's benchmark. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/*
 *   fill MIB ROUNDS 4k|thp
 *
 * ROUNDS times (at most 5): maps MIB of fresh anonymous memory (at most
 * 2048), writes one byte in each 4 KiB page, unmaps it.  4k forbids
 * transparent huge pages on the mapping (MADV_NOHUGEPAGE), thp asks for
 * them (MADV_HUGEPAGE).  Prints "fill MODE R1 R2 ..." in MiB/s, one
 * figure per round.  The first round may take memory the machine has
 * not touched for a while (on a virtual machine, memory the host must
 * supply); the later ones take back what the round before gave up.
 * Everything is given back before the next round and at exit: the most
 * it holds is MIB.
 */

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	long mib, rounds, page = sysconf(_SC_PAGESIZE);
	int advice, i;

	if (argc != 4 || (strcmp(argv[3], "4k") != 0 &&
	    strcmp(argv[3], "thp") != 0)) {
		fprintf(stderr, "usage: fill MIB ROUNDS 4k|thp\n");
		return 2;
	}
	mib = atol(argv[1]);
	rounds = atol(argv[2]);
	if (mib < 1 || mib > 2048 || rounds < 1 || rounds > 5 || page <= 0) {
		fprintf(stderr, "fill: MIB 1-2048, ROUNDS 1-5\n");
		return 2;
	}
	advice = strcmp(argv[3], "thp") == 0 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
	printf("fill %s", argv[3]);
	for (i = 0; i < rounds; i++) {
		size_t size = (size_t)mib << 20, off;
		double t;
		char *p;

		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("fill: mmap");
			return 1;
		}
		/* Without THP in the kernel the advice fails: 4 KiB pages. */
		(void)madvise(p, size, advice);
		t = now();
		for (off = 0; off < size; off += (size_t)page)
			p[off] = 1;
		t = now() - t;
		munmap(p, size);
		printf(" %.0f", t > 0 ? (double)mib / t : 0.0);
	}
	printf("\n");
	return 0;
}
