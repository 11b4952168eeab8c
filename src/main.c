/* SPDX-License-Identifier: MIT */
/* main.c: bustd's command line, the one-shot modes, and start-up. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "policy.h"
#include "proc.h"
#include "sys.h"
#include "victim.h"

#ifndef BUSTD_CONF
#define BUSTD_CONF "/etc/bustd.conf"
#endif
/* The lock and pid file, in $RUNTIME_DIRECTORY if set, else in /run. */
#define BUSTD_PIDFILE_NAME "bustd.pid"
#define BUSTD_RUN_DIR "/run"
/* $RUNTIME_DIRECTORY of the unit (RuntimeDirectory=bustd). */
#define BUSTD_UNIT_DIR "/run/bustd"

enum mode {
	MODE_RUN,
	MODE_CHECK,
	MODE_PRINT,
	MODE_LIST,
};

/* The option of each mode, for messages (MODE_RUN has none). */
static const char mode_opts[][15] = { "", "--check-config",
	"--print-config", "--list" };

struct options {
	enum mode mode;
	struct daemon_opts d;
	bool dry_run_arg; /* --dry-run: no kill whatever the file says */
	char overrides[256]; /* config text from -g, -p, --dry-run */
	char path[PATH_MAX]; /* -c FILE made absolute */
};

struct pidfile {
	char path[PATH_MAX];
	int fd; /* holds the lock; -1 if none */
};

/* The signal flags: with the log state, bustd's only mutable globals. */
static struct daemon_signals signals;

/* The daemon's state: static, its pages touched only as it runs. */
static struct daemon daemon_state;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGHUP:
		signals.hup = 1;
		break;
	case SIGUSR1:
		signals.usr1 = 1;
		break;
	case SIGCHLD:
		/* A hook ended: ppoll() returns, the pass reaps it. */
		break;
	default:
		signals.term = sig;
		break;
	}
}

static void
usage(FILE *f)
{
	char dir[256];

	if (config_dropin_dir(BUSTD_CONF, dir, sizeof(dir)) == NULL)
		snprintf(dir, sizeof(dir), "FILE.d");
	fprintf(f,
	    "usage: bustd [-c FILE] [-n] [--dry-run] [-v] [-g] [-p CUTOFF]\n"
	    "       bustd --check-config [-c FILE]\n"
	    "       bustd --print-config [-c FILE]\n"
	    "       bustd --list [-c FILE] [-v]\n"
	    "       bustd --version | --help\n"
	    "\n"
	    "  -c, --config FILE   policy file (default " BUSTD_CONF "),\n"
	    "                      drop-ins: FILE.d/*.conf, with FILE's .conf\n"
	    "                      dropped: %s/*.conf\n"
	    "  -n, --no-daemon     stay in the foreground, log to stderr\n"
	    "      --dry-run       decide and log kills, signal nothing\n"
	    "  -v, -V, --verbose   log debug messages\n"
	    "  -g, --process-group kill the victim's process group\n"
	    "  -p, --psi CUTOFF    PSI cutoff in percent (psi_cutoff)\n"
	    "      --check-config  check the policy, print only errors\n"
	    "      --print-config  print the effective policy\n"
	    "      --list          print the ranked kill candidates\n"
	    "      --version       print the version\n"
	    "  -h, --help          print this help\n"
	    "\n"
	    "Exit status: 0 ok, 1 runtime failure, 2 usage or config error.\n",
	    dir);
}

static void
add_override(struct options *o, const char *text)
{
	size_t n = strlen(o->overrides);

	snprintf(o->overrides + n, sizeof(o->overrides) - n, "%s", text);
}

/* Set the one-shot mode m; a second, different one exits 2. */
static void
set_mode(struct options *o, enum mode m)
{
	if (o->mode != MODE_RUN && o->mode != m) {
		fprintf(stderr, "bustd: %s and %s cannot be used together\n",
		    mode_opts[o->mode], mode_opts[m]);
		exit(2);
	}
	o->mode = m;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_DRY_RUN = 256,
		OPT_CHECK,
		OPT_PRINT,
		OPT_LIST,
		OPT_VERSION,
	};
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "no-daemon", no_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "verbose", no_argument, NULL, 'v' },
		{ "process-group", no_argument, NULL, 'g' },
		{ "psi", required_argument, NULL, 'p' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "print-config", no_argument, NULL, OPT_PRINT },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char line[64];
	uint32_t centi;
	int ch;

	memset(o, 0, sizeof(*o));
	o->d.path = BUSTD_CONF;
	o->d.procfs = "/proc";
	o->d.sysfs = "/sys";
	while (
	    (ch = getopt_long(argc, argv, "c:nvVgp:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->d.path = optarg;
			break;
		case 'n':
			o->d.no_daemon = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run_arg = true;
			add_override(o, "[general]\ndry_run = yes\n");
			break;
		case 'v':
		case 'V':
			o->d.verbose = true;
			break;
		case 'g':
			add_override(o, "[kill]\nprocess_group = yes\n");
			break;
		case 'p':
			if (config_parse_percent_centi(optarg, &centi) < 0) {
				fprintf(stderr,
				    "bustd: -p: bad cutoff '%s' "
				    "(a percentage from 0 to 100)\n",
				    optarg);
				exit(2);
			}
			snprintf(line, sizeof(line),
			    "[thresholds]\npsi_cutoff = %u.%02u\n", centi / 100,
			    centi % 100);
			add_override(o, line);
			break;
		case OPT_CHECK:
			set_mode(o, MODE_CHECK);
			break;
		case OPT_PRINT:
			set_mode(o, MODE_PRINT);
			break;
		case OPT_LIST:
			set_mode(o, MODE_LIST);
			break;
		case OPT_VERSION:
			printf("bustd %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bustd: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		exit(2);
	}
	o->d.overrides = o->overrides[0] ? o->overrides : NULL;
}

/*
 * The daemon's -c FILE as an absolute path: a detached bustd works in /,
 * and the daemon reads FILE again at each reload.  FILE's folder is
 * resolved (realpath), its name is kept (it may be a link the admin
 * moves).  If the folder cannot be resolved, FILE stays as it is, and
 * loading it says what is wrong.
 */
static void
absolute_config(struct options *o)
{
	const char *path = o->d.path, *slash = strrchr(path, '/');
	char dir[PATH_MAX], real[PATH_MAX];
	int n;

	if (path[0] == '/')
		return;
	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		n = snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path),
		    path);
		if (n < 0 || (size_t)n >= sizeof(dir))
			return;
	}
	if (realpath(dir, real) == NULL)
		return;
	n = snprintf(o->path, sizeof(o->path), "%s/%s",
	    strcmp(real, "/") == 0 ? "" : real, slash ? slash + 1 : path);
	if (n > 0 && (size_t)n < sizeof(o->path))
		o->d.path = o->path;
}

/*
 * Have 0, 1 and 2 open, on /dev/null if they were closed: else the first
 * file bustd opens would be one of them, and log lines would go there.
 */
static void
open_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO)
		;
	if (fd > STDERR_FILENO)
		close(fd);
}

static int
list(const struct options *o, const struct policy *p)
{
	struct proc_ctx pc;
	struct sys_mem m;
	int r;

	r = proc_open(&pc, o->d.procfs);
	if (r < 0) {
		fprintf(stderr, "bustd: %s: %s\n", o->d.procfs, strerror(-r));
		return 1;
	}
	if (sys_real.sysinfo(NULL, &m) < 0)
		m.total_kib = 0;
	r = victim_list(stdout, &pc, p, getpid(), m.total_kib);
	proc_close(&pc);
	if (r < 0) {
		fprintf(stderr, "bustd: --list: %s\n", strerror(-r));
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/*
 * The lock file: $RUNTIME_DIRECTORY/bustd.pid (systemd's RuntimeDirectory=,
 * the first folder it lists) or /run/bustd.pid.
 */
static void
pidfile_path(char *buf, size_t size)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	size_t n;

	if (dir == NULL || dir[0] != '/')
		dir = BUSTD_RUN_DIR;
	n = strcspn(dir, ":");
	snprintf(buf, size, "%.*s/%s", (int)n, dir, BUSTD_PIDFILE_NAME);
}

/* The pid in a lock file, 0 if it holds none. */
static pid_t
read_pid(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 && pid <= INT32_MAX ? (pid_t)pid : 0;
}

/*
 * Lock path (created if need be) for as long as bustd runs: *fd keeps it.
 * 0; -EEXIST if another bustd holds it (its pid in *other, or 0); -errno.
 */
static int
pidfile_lock(const char *path, int *fd, pid_t *other)
{
	int r;

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (*fd < 0)
		return -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	r = errno == EWOULDBLOCK ? -EEXIST : -errno;
	*other = read_pid(*fd);
	close(*fd);
	*fd = -1;
	return r;
}

/*
 * Does a bustd hold the lock file path?  Opened read-only and never
 * created: the folder may be read-only to this bustd.  -EEXIST if so
 * (its pid in *other, or 0), 0 if not or if there is no such file.
 */
static int
pidfile_probe(const char *path, pid_t *other)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	int r = 0;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		*other = read_pid(fd);
		r = -EEXIST;
	}
	close(fd);
	return r;
}

/* Write this process's pid into the locked file fd.  0 or -errno. */
static int
pidfile_write(int fd)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

/* " (pid N)", or "" if the lock file holds no pid.  Returns buf. */
static const char *
running_pid(char *buf, size_t size, pid_t pid)
{
	buf[0] = '\0';
	if (pid > 0)
		snprintf(buf, size, " (pid %d)", (int)pid);
	return buf;
}

/*
 * One killer at a time: take the lock, in both modes, before anything
 * else (so that a refusal reaches the terminal).  The unit's daemon
 * (RuntimeDirectory=bustd) and one started by hand lock different files:
 * each also checks the other's.  A --dry-run from the command line kills
 * nothing, ever: it takes no lock and only says if another bustd runs.
 * With -n, a lock that cannot be taken for want of a writable folder is
 * a warning.  The exit status to return now, or 0 to go on.
 */
static int
take_lock(const struct options *o, struct pidfile *pf)
{
	const char *also = NULL;
	pid_t other = 0;
	char who[32];
	int r;

	pf->fd = -1;
	pidfile_path(pf->path, sizeof(pf->path));
	if (strcmp(pf->path, BUSTD_RUN_DIR "/" BUSTD_PIDFILE_NAME) == 0)
		also = BUSTD_UNIT_DIR "/" BUSTD_PIDFILE_NAME;
	else if (strcmp(pf->path, BUSTD_UNIT_DIR "/" BUSTD_PIDFILE_NAME) == 0)
		also = BUSTD_RUN_DIR "/" BUSTD_PIDFILE_NAME;
	if (o->dry_run_arg) {
		r = pidfile_probe(pf->path, &other);
		if (r == 0 && also != NULL)
			r = pidfile_probe(also, &other);
		if (r == -EEXIST)
			log_warn("another bustd is running%s; this dry run "
			    "runs beside it", running_pid(who, sizeof(who), other));
		return 0;
	}
	r = pidfile_lock(pf->path, &pf->fd, &other);
	if (r == 0 && also != NULL && pidfile_probe(also, &other) < 0) {
		unlink(pf->path);
		close(pf->fd);
		pf->fd = -1;
		r = -EEXIST;
	}
	if (r == -EEXIST) {
		log_err("another bustd is running%s",
		    running_pid(who, sizeof(who), other));
		return 1;
	}
	if (r < 0 && !o->d.no_daemon) {
		log_err_r(r, "cannot lock %s", pf->path);
		return 1;
	}
	if (r < 0)
		log_warn_r(r, "cannot lock %s, running on without it (a "
		    "second bustd would not be refused)", pf->path);
	return 0;
}

/* Let go of the lock: the file goes first, while it is still ours. */
static void
release_lock(struct pidfile *pf)
{
	if (pf->fd < 0)
		return;
	unlink(pf->path);
	close(pf->fd);
	pf->fd = -1;
}

/*
 * A detached daemon keeps nothing of its caller's but 0, 1 and 2 (which
 * it points at /dev/null): an inherited pipe would hold the caller's
 * reader open, an inherited lock would outlive the caller.  Called
 * before bustd opens anything of its own.
 */
static void
close_inherited_fds(void)
{
	struct dirent *e;
	DIR *dir;
	long fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	/* Before Linux 5.9: what /proc/self/fd lists, but the folder's own. */
	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		fd = strtol(e->d_name, NULL, 10);
		if (fd > STDERR_FILENO && fd != dirfd(dir))
			close((int)fd);
	}
	closedir(dir);
}

/*
 * The first process of a detached start: copy what the daemon sends on
 * fd to stderr (its errors and warnings) up to a NUL and its start-up
 * status, or to the end if it died first.  child is the middle process,
 * reaped here.  Returns the exit status for the admin's shell.
 */
static int
wait_startup(int fd, pid_t child)
{
	char buf[1024];
	bool said = false, want_status = false;
	int status = -1, ws = 0;
	ssize_t n, i, len;

	while (status < 0 && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (i = 0, len = -1; i < n; i++) {
			if (want_status) {
				status = (unsigned char)buf[i];
				break;
			}
			if (buf[i] == '\0') {
				want_status = true;
				len = i;
			}
		}
		if (len < 0)
			len = want_status && status >= 0 ? 0 : n;
		if (len > 0 && write(STDERR_FILENO, buf, (size_t)len) > 0)
			said = true;
	}
	while (waitpid(child, &ws, 0) < 0 && errno == EINTR)
		;
	if (status >= 0)
		return status <= 2 ? status : 1;
	/* The middle process failed (and said why), or the daemon died. */
	if (WIFEXITED(ws) && WEXITSTATUS(ws) != 0)
		return WEXITSTATUS(ws);
	if (!said)
		fprintf(stderr, "bustd: the daemon ended during start-up; "
		    "see the log\n");
	return 1;
}

/*
 * Detach: fork, a new session, fork again, / and /dev/null.  The process
 * the admin started waits for the daemon's start-up and exits with its
 * status (wait_startup()); the daemon gets the pipe's write end, to
 * give to startup_done(), and its errors and warnings go there too.
 */
static int
daemonize(void)
{
	struct sigaction sa;
	int fds[2], fd;
	pid_t pid;

	/* If the admin stops waiting (^C), the daemon's next line to the
	 * pipe must fail, not kill it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	if (pipe2(fds, O_CLOEXEC) < 0)
		fatal_r(-errno, "pipe");
	pid = fork();
	if (pid < 0)
		fatal_r(-errno, "fork");
	if (pid > 0) {
		close(fds[1]);
		_exit(wait_startup(fds[0], pid));
	}
	close(fds[0]);
	if (setsid() < 0)
		fatal_r(-errno, "setsid");
	pid = fork();
	if (pid < 0)
		fatal_r(-errno, "fork");
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		fatal_r(-errno, "chdir /");
	umask(022);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* Until the loop: what goes wrong reaches the admin's terminal. */
	log_tee(fds[1]);
	return fds[1];
}

/* Tell the first process (fd from daemonize(), -1 if none) the start-up's
 * exit status, and let it go. */
static void
startup_done(int fd, int status)
{
	char msg[2] = { '\0', (char)status };

	if (fd < 0)
		return;
	log_tee(-1);
	while (write(fd, msg, sizeof(msg)) < 0 && errno == EINTR)
		;
	close(fd);
}

static void
setup_signals(sigset_t *orig)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1, SIGCHLD };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* Delivered only inside ppoll(): no check-then-sleep race. */
	sigprocmask(SIG_BLOCK, &block, orig);
}

/* Run the daemon on p (it takes p).  The exit status. */
static int
run(const struct options *o, struct policy *p)
{
	struct daemon *d = &daemon_state;
	struct pidfile pf;
	sigset_t orig;
	int up = -1, r;

	r = take_lock(o, &pf);
	if (r != 0) {
		policy_free(p);
		return r;
	}
	if (!o->d.no_daemon)
		up = daemonize();
	daemon_open_log(&o->d, p);
	if (pf.fd >= 0 && (r = pidfile_write(pf.fd)) < 0) {
		log_err_r(r, "cannot write %s", pf.path);
		policy_free(p);
		goto fail;
	}
	if (daemon_init(d, &o->d, p, &sys_real) < 0)
		goto fail;
	setup_signals(&orig);
	if (daemon_start(d) < 0) {
		daemon_free(d);
		goto fail;
	}
	startup_done(up, 0);
	r = daemon_run(d, &signals, &orig);
	daemon_free(d);
	release_lock(&pf);
	return r < 0 ? 1 : 0;
fail:
	startup_done(up, 1);
	release_lock(&pf);
	return 1;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct policy *p;
	int rc;

	/*
	 * Buffers of 64 KiB and more get pages of their own, given back
	 * when freed.  glibc would otherwise raise this threshold after the
	 * first such free, and carve later big buffers out of heap pages
	 * that loading the policy has dirtied: locked RAM for nothing.
	 */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	open_std_fds();
	parse_options(argc, argv, &o);
	if (o.mode == MODE_RUN && !o.d.no_daemon)
		close_inherited_fds();
	log_open(LOG_TARGET_STDERR, o.d.verbose ? LOG_DEBUG : LOG_INFO);

	/* The daemon runs on a fallback rather than not at all: a typo must
	 * not leave the machine without an OOM killer. */
	p = daemon_load_policy(&o.d, &sys_real, false, o.mode == MODE_RUN);
	if (p == NULL)
		return 2;
	switch (o.mode) {
	case MODE_CHECK:
		rc = 0;
		break;
	case MODE_PRINT:
		config_print(stdout, p);
		rc = fflush(stdout) == 0 ? 0 : 1;
		break;
	case MODE_LIST:
		rc = list(&o, p);
		break;
	default:
		/* run() owns p from here on. */
		absolute_config(&o);
		return run(&o, p);
	}
	policy_free(p);
	return rc;
}
