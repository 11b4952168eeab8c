/* SPDX-License-Identifier: MIT */
/*
 * logsink.c: a syslog socket for the tests.  logsink PATH SECONDS binds
 * PATH (AF_UNIX, datagrams, as /dev/log is), writes each datagram it
 * gets to stdout as one line, and ends after SECONDS (SIGALRM).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	ssize_t n;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path) ||
	    atoi(argv[2]) <= 0) {
		fprintf(stderr, "usage: logsink PATH SECONDS\n");
		return 2;
	}
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || (unlink(argv[1]) < 0 && errno != ENOENT) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(argv[1]);
		return 1;
	}
	alarm((unsigned int)atoi(argv[2]));
	for (;;) {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("recv");
			return 1;
		}
		while (n > 0 && buf[n - 1] == '\n')
			n--;
		buf[n++] = '\n';
		if (write(STDOUT_FILENO, buf, (size_t)n) != n)
			return 1;
	}
}
