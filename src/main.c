/* SPDX-License-Identifier: MIT */
/* main.c: bustd's command line, the one-shot modes, and start-up. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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
#define BUSTD_PIDFILE "/run/bustd.pid"

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
	char overrides[256]; /* config text from -g, -p, --dry-run */
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

static int
write_pidfile(void)
{
	char buf[32];
	int fd, n;

	fd = open(BUSTD_PIDFILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -EEXIST;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -EIO;
	}
	/* Kept open: the lock says bustd runs. */
	return 0;
}

static void
daemonize(void)
{
	pid_t pid;
	int fd, r;

	pid = fork();
	if (pid < 0)
		fatal_r(-errno, "fork");
	if (pid > 0)
		_exit(0);
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
	r = write_pidfile();
	if (r == -EEXIST)
		fatal("%s is locked: another bustd is running", BUSTD_PIDFILE);
	if (r < 0)
		fatal_r(r, "%s", BUSTD_PIDFILE);
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
	sigset_t orig;
	int r;

	daemon_open_log(&o->d, p);
	if (!o->d.no_daemon)
		daemonize();
	if (daemon_init(d, &o->d, p, &sys_real) < 0)
		return 1;
	setup_signals(&orig);
	r = daemon_run(d, &signals, &orig);
	daemon_free(d);
	if (!o->d.no_daemon)
		unlink(BUSTD_PIDFILE);
	return r < 0 ? 1 : 0;
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
	parse_options(argc, argv, &o);
	log_open(LOG_TARGET_STDERR, o.d.verbose ? LOG_DEBUG : LOG_INFO);

	p = daemon_load_policy(&o.d, &sys_real, false);
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
		return run(&o, p);
	}
	policy_free(p);
	return rc;
}
