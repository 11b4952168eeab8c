/* SPDX-License-Identifier: MIT */
/* idler.c: idle processes for bustd's benchmark. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

/*
 *   idler -n CHILDREN -t SECONDS [-o PID_FILE] [-w READY_FILE]
 *
 * Forks CHILDREN processes that sleep in pause(), writes their pids to
 * PID_FILE (one a line), then creates READY_FILE and sleeps too.  Every
 * process leaves on its own after SECONDS (at most 900, by alarm(2)),
 * and each child is killed by the kernel when the idler dies
 * (PR_SET_PDEATHSIG), so none can outlive the benchmark.  With
 * -n 0 it is a lone sleeper (the benchmark's decoy).
 */

int
main(int argc, char **argv)
{
	const char *pidfile = NULL, *ready = NULL;
	unsigned int limit = 60;
	long n = 0, i;
	pid_t parent = getpid();
	FILE *f = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "n:t:o:w:")) != -1) {
		switch (ch) {
		case 'n':
			n = atol(optarg);
			break;
		case 't':
			limit = (unsigned int)atoi(optarg);
			break;
		case 'o':
			pidfile = optarg;
			break;
		case 'w':
			ready = optarg;
			break;
		default:
			fprintf(stderr, "usage: idler -n CHILDREN -t SECONDS "
			                "[-o PID_FILE] [-w READY_FILE]\n");
			return 2;
		}
	}
	if (limit == 0 || limit > 900)
		limit = 900;
	if (n < 0 || n > 20000) {
		fprintf(stderr, "idler: -n from 0 to 20000\n");
		return 2;
	}
	/* The children are reaped by the kernel. */
	signal(SIGCHLD, SIG_IGN);
	if (pidfile != NULL) {
		f = fopen(pidfile, "w");
		if (f == NULL) {
			perror(pidfile);
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			if (getppid() != parent)
				_exit(0);
			alarm(limit);
			for (;;)
				pause();
		}
		if (f != NULL)
			fprintf(f, "%d\n", (int)pid);
	}
	if (f != NULL && fclose(f) != 0) {
		perror(pidfile);
		return 1;
	}
	if (ready != NULL) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0)
			close(fd);
	}
	alarm(limit);
	for (;;)
		pause();
}
