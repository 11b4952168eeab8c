/* SPDX-License-Identifier: MIT */
/* main.c: bustd's command line, the one-shot modes, and start-up. */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "detach.h"
#include "log.h"
#include "pidfile.h"
#include "policy.h"
#include "proc.h"
#include "sys.h"
#include "victim.h"

#ifndef BUSTD_CONF
#define BUSTD_CONF "/etc/bustd.conf"
#endif

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

	r = pidfile_take(&pf, o->dry_run_arg, o->d.no_daemon);
	if (r != 0) {
		policy_free(p);
		return r;
	}
	if (!o->d.no_daemon)
		up = detach_start();
	daemon_open_log(&o->d, p);
	if ((r = pidfile_write(&pf)) < 0) {
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
	detach_done(up, 0);
	r = daemon_run(d, &signals, &orig);
	daemon_free(d);
	pidfile_release(&pf);
	return r < 0 ? 1 : 0;
fail:
	detach_done(up, 1);
	pidfile_release(&pf);
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
		detach_close_fds();
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
