/* SPDX-License-Identifier: MIT */
/* attacker.c: what an unprivileged user throws at bustd, for the attack_*
 * and load_* end-to-end tests. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Every mode is bounded in time, in memory and in the processes it
 * makes, and signals only processes it started (or the pid it is given).
 *
 *   attacker hog [-r MIB_PER_S] [-c CAP_MIB] [-t SECONDS] [-i] [-P] [-s]
 *       [-n NAME] [-N NAME] [-w FILE] [ARG...]
 *	a memory hog like tests/e2e/hog: -n names itself with
 *	prctl(PR_SET_NAME), -N by writing /proc/self/comm; -s calls
 *	setsid() first; -i ignores SIGTERM; -P leaves its process group on
 *	SIGTERM (setpgid(0, 0)) and carries on, growing no more; -w writes
 *	"PID PGID" to FILE
 *	once set up.  ARGs are ignored: they only fill the command line.
 *   attacker group -w FILE -t SECONDS [hog options]
 *	a child subreaper that forks a group leader, which forks the hog
 *	into its new group and stays until killed; FILE gets "LEADER HOG"
 *	(the leader's pid is the group's id).  Waits for all of them.
 *   attacker cycle -p PID [-t SECONDS]
 *	fork children that exit at once until the next pid the kernel
 *	hands out is PID; exit 0 then, 1 at the time limit.
 *   attacker storm [-t SECONDS] [-n MAX] [-j PARALLEL] [-s MAX_USEC]
 *	fork children that exit at once (or after up to MAX_USEC), keeping
 *	PARALLEL of them, until MAX forks or SECONDS; prints the count.
 *   attacker hup -p PID -r PER_SECOND -t SECONDS GOOD BAD TARGET
 *	SIGHUP PID PER_SECOND times a second, each time first renaming a
 *	fresh hard link of GOOD or BAD (in turn) over TARGET, as mv does;
 *	prints the count.  Exits 3 if PID is gone.
 *   attacker init -c MIB -t SECONDS CMD [ARG...]
 *	pid 1 of a pid namespace: holds MIB, runs CMD, reaps everything,
 *	exits with CMD's status (at the latest after SECONDS).
 *
 * Run under the name memhook (a copy named so), it is a [notify] exec
 * hook: it reads "MIB SECONDS" from DIR/memhook.args, then appends
 * "pid=PID adj0=ADJ victim=BUSTD_PID" to DIR/../hooks/memhook.log (ADJ:
 * the oom_score_adj it was started with), resets its oom_score_adj to 0
 * as any program may, takes MIB, creates DIR/../hooks/ready.PID and
 * sleeps SECONDS.
 */

#define MAX_SECONDS 120

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
bounded(const char *s)
{
	double v = atof(s);

	return v > MAX_SECONDS ? MAX_SECONDS : v;
}

static void
write_text(const char *path, const char *text, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);

	if (fd < 0) {
		perror(path);
		return;
	}
	if (write(fd, text, strlen(text)) < 0)
		perror(path);
	close(fd);
}

/* Fill n MiB, 4 MiB at a time; false if mmap fails. */
static bool
grab(size_t mib)
{
	size_t n = mib * 1024 * 1024;
	char *p;

	if (n == 0)
		return true;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return false;
	memset(p, 0x5a, n);
	return true;
}

/* --- hog --- */

static volatile sig_atomic_t stop_growing;

static void
leave_group(int sig)
{
	(void)sig;
	setpgid(0, 0);
	stop_growing = 1;
}

struct hog_opts {
	double rate, limit;
	size_t cap_mib;
	const char *ready;
	bool leave_on_term;
};

static int
hog_parse(int argc, char **argv, struct hog_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->limit = 30;
	o->cap_mib = 1024;
	optind = 1;
	while ((ch = getopt(argc, argv, "+r:c:t:iPsn:N:w:")) != -1) {
		switch (ch) {
		case 'r':
			o->rate = atof(optarg);
			break;
		case 'c':
			o->cap_mib = (size_t)atol(optarg);
			break;
		case 't':
			o->limit = bounded(optarg);
			break;
		case 'i':
			signal(SIGTERM, SIG_IGN);
			break;
		case 'P':
			o->leave_on_term = true;
			break;
		case 's':
			if (setsid() < 0)
				perror("setsid");
			break;
		case 'n':
			prctl(PR_SET_NAME, optarg, 0, 0, 0);
			break;
		case 'N':
			write_text("/proc/self/comm", optarg, O_TRUNC);
			break;
		case 'w':
			o->ready = optarg;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static int
hog_run(const struct hog_opts *o)
{
	double start = now_s(), deadline = start + o->limit;
	size_t chunk = 4, done = 0;

	if (o->leave_on_term) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = leave_group;
		sigaction(SIGTERM, &sa, NULL);
	}
	if (o->ready != NULL) {
		char text[64];

		snprintf(text, sizeof(text), "%d %d\n", (int)getpid(),
		    (int)getpgid(0));
		write_text(o->ready, text, O_TRUNC);
	}
	while (now_s() < deadline) {
		if (done < o->cap_mib && !stop_growing) {
			if (!grab(chunk)) {
				usleep(10000);
				continue;
			}
			done += chunk;
		}
		if (done >= o->cap_mib || stop_growing) {
			usleep(20000);
		} else if (o->rate > 0) {
			double due = start + (double)done / o->rate;
			double t = now_s();

			if (due > t)
				usleep((useconds_t)((due - t) * 1e6));
		}
	}
	return 0;
}

static int
mode_hog(int argc, char **argv)
{
	struct hog_opts o;

	if (hog_parse(argc, argv, &o) < 0)
		return 2;
	return hog_run(&o);
}

/* --- group --- */

static int
mode_group(int argc, char **argv)
{
	struct hog_opts o;
	const char *file;
	char text[64];
	double deadline;
	pid_t leader;

	if (hog_parse(argc, argv, &o) < 0 || o.ready == NULL)
		return 2;
	deadline = now_s() + o.limit + 5;
	file = o.ready;
	/* Orphans come back here, not to pid 1: this process reaps them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	leader = fork();
	if (leader < 0)
		return 1;
	if (leader == 0) {
		pid_t hog;

		setpgid(0, 0);
		hog = fork();
		if (hog == 0) {
			o.ready = NULL;
			_exit(hog_run(&o));
		}
		snprintf(text, sizeof(text), "%d %d\n", (int)getpid(),
		    (int)hog);
		write_text(file, text, O_TRUNC);
		/* The leader only holds the group's id, until killed. */
		while (now_s() < deadline)
			usleep(100000);
		_exit(0);
	}
	while (now_s() < deadline) {
		pid_t r = waitpid(-1, NULL, WNOHANG);

		if (r < 0 && errno == ECHILD)
			return 0;
		if (r <= 0)
			usleep(10000);
	}
	return 1;
}

/* --- cycle --- */

static bool
pid_used(pid_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) == 0;
}

static int
mode_cycle(int argc, char **argv)
{
	double deadline = now_s() + 20;
	unsigned long forks = 0;
	pid_t target = 0, c, q;
	int ch;

	while ((ch = getopt(argc, argv, "p:t:")) != -1) {
		switch (ch) {
		case 'p':
			target = (pid_t)atol(optarg);
			break;
		case 't':
			deadline = now_s() + bounded(optarg);
			break;
		default:
			return 2;
		}
	}
	if (target <= 1)
		return 2;
	if (pid_used(target)) {
		fprintf(stderr, "cycle: pid %d is in use\n", (int)target);
		return 1;
	}
	while (now_s() < deadline) {
		c = vfork();
		if (c == 0)
			_exit(0);
		if (c < 0) {
			usleep(1000);
			continue;
		}
		forks++;
		waitpid(c, NULL, 0);
		if (c >= target || target - c > 64)
			continue;
		/* The kernel hands out the first free pid after c. */
		for (q = c + 1; q < target && pid_used(q); q++)
			;
		if (q == target) {
			printf("cycle: %lu forks, the last got pid %d\n",
			    forks, (int)c);
			return 0;
		}
	}
	printf("cycle: %lu forks, pid %d not reached in time\n", forks,
	    (int)target);
	return 1;
}

/* --- storm --- */

static int
mode_storm(int argc, char **argv)
{
	double deadline = now_s() + 10;
	unsigned long max = 100000, forks = 0, failed = 0;
	unsigned int seed = (unsigned int)getpid();
	long max_usec = 0;
	int parallel = 4, running = 0, ch;

	while ((ch = getopt(argc, argv, "t:n:j:s:")) != -1) {
		switch (ch) {
		case 't':
			deadline = now_s() + bounded(optarg);
			break;
		case 'n':
			max = strtoul(optarg, NULL, 10);
			break;
		case 'j':
			parallel = atoi(optarg);
			break;
		case 's':
			max_usec = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (parallel < 1 || parallel > 64)
		parallel = 4;
	while (now_s() < deadline && forks < max) {
		while (running < parallel && forks < max) {
			long us = max_usec > 0 ? rand_r(&seed) % max_usec : 0;
			pid_t c = fork();

			if (c == 0) {
				/* Half leave at once, half a moment later. */
				if (us > 0 && (us & 1))
					usleep((useconds_t)us);
				_exit(0);
			}
			if (c < 0) {
				failed++;
				break;
			}
			forks++;
			running++;
		}
		if (running > 0 && waitpid(-1, NULL, 0) > 0)
			running--;
		else if (running > 0)
			usleep(1000);
	}
	while (running > 0 && waitpid(-1, NULL, 0) > 0)
		running--;
	printf("storm: %lu forks, %lu failed\n", forks, failed);
	return 0;
}

/* --- hup --- */

static int
mode_hup(int argc, char **argv)
{
	double start = now_s(), deadline = start + 10, rate = 100, next;
	unsigned long sent = 0;
	const char *src[2];
	char tmp[4096];
	pid_t pid = 0;
	int ch;

	while ((ch = getopt(argc, argv, "p:r:t:")) != -1) {
		switch (ch) {
		case 'p':
			pid = (pid_t)atol(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 't':
			deadline = now_s() + bounded(optarg);
			break;
		default:
			return 2;
		}
	}
	if (pid <= 1 || rate <= 0 || argc - optind != 3)
		return 2;
	src[0] = argv[optind];
	src[1] = argv[optind + 1];
	snprintf(tmp, sizeof(tmp), "%s.hup-tmp", argv[optind + 2]);
	next = now_s();
	while (now_s() < deadline) {
		unlink(tmp);
		if (link(src[sent & 1], tmp) < 0 ||
		    rename(tmp, argv[optind + 2]) < 0) {
			perror("link/rename");
			return 1;
		}
		if (kill(pid, SIGHUP) < 0) {
			printf("hup: %lu sent, then pid %d: %s\n", sent,
			    (int)pid, strerror(errno));
			return 3;
		}
		sent++;
		next += 1.0 / rate;
		if (next > now_s())
			usleep((useconds_t)((next - now_s()) * 1e6));
	}
	/* Leave the good file in place. */
	unlink(tmp);
	if (link(src[0], tmp) == 0)
		rename(tmp, argv[optind + 2]);
	printf("hup: %lu sent in %.1f s\n", sent, now_s() - start);
	return 0;
}

/* --- init --- */

static int
mode_init(int argc, char **argv)
{
	double deadline = now_s() + 60;
	size_t mib = 0;
	int ch, status = 0;
	pid_t cmd;

	while ((ch = getopt(argc, argv, "+c:t:")) != -1) {
		switch (ch) {
		case 'c':
			mib = (size_t)atol(optarg);
			break;
		case 't':
			deadline = now_s() + bounded(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc)
		return 2;
	if (!grab(mib))
		return 1;
	cmd = fork();
	if (cmd < 0)
		return 1;
	if (cmd == 0) {
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	while (now_s() < deadline) {
		int st;
		pid_t r = waitpid(-1, &st, WNOHANG);

		if (r == cmd) {
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
			/* The namespace ends with pid 1: nobody is left. */
			return status;
		}
		if (r <= 0)
			usleep(10000);
	}
	return 124;
}

/* --- memhook --- */

static int
mode_memhook(const char *self)
{
	char buf[4096], dir[4096], path[4200], line[256], adj[32] = "?";
	const char *victim = getenv("BUSTD_PID");
	unsigned long mib = 0;
	double seconds = 0, deadline;
	FILE *f;
	ssize_t n;
	int fd;

	snprintf(buf, sizeof(buf), "%s", self);
	snprintf(dir, sizeof(dir), "%s", dirname(buf));
	fd = open("/proc/self/oom_score_adj", O_RDONLY);
	if (fd >= 0) {
		n = read(fd, adj, sizeof(adj) - 1);
		adj[n > 0 ? n : 0] = '\0';
		adj[strcspn(adj, "\n")] = '\0';
		close(fd);
	}
	/* The args first: once the log line is there, they have been read. */
	snprintf(path, sizeof(path), "%s/memhook.args", dir);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%lu %lf", &mib, &seconds) != 2)
			mib = 0, seconds = 0;
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/../hooks/memhook.log", dir);
	snprintf(line, sizeof(line), "pid=%d adj0=%s victim=%s\n",
	    (int)getpid(), adj, victim ? victim : "-");
	write_text(path, line, O_APPEND);
	write_text("/proc/self/oom_score_adj", "0", 0);
	if (mib > 4096)
		mib = 4096;
	if (seconds > 60)
		seconds = 60;
	deadline = now_s() + seconds;
	grab(mib);
	snprintf(path, sizeof(path), "%s/../hooks/ready.%d", dir,
	    (int)getpid());
	write_text(path, "", O_TRUNC);
	while (now_s() < deadline)
		usleep(50000);
	return 0;
}

int
main(int argc, char **argv)
{
	char name[4096];

	snprintf(name, sizeof(name), "%s", argv[0]);
	if (strcmp(basename(name), "memhook") == 0)
		return mode_memhook(argv[0]);
	if (argc < 2)
		goto usage;
	if (strcmp(argv[1], "hog") == 0)
		return mode_hog(argc - 1, argv + 1);
	if (strcmp(argv[1], "group") == 0)
		return mode_group(argc - 1, argv + 1);
	if (strcmp(argv[1], "cycle") == 0)
		return mode_cycle(argc - 1, argv + 1);
	if (strcmp(argv[1], "storm") == 0)
		return mode_storm(argc - 1, argv + 1);
	if (strcmp(argv[1], "hup") == 0)
		return mode_hup(argc - 1, argv + 1);
	if (strcmp(argv[1], "init") == 0)
		return mode_init(argc - 1, argv + 1);
usage:
	fprintf(stderr, "usage: attacker hog|group|cycle|storm|hup|init "
	    "[OPTIONS] (see attacker.c)\n");
	return 2;
}
