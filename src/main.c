/* SPDX-License-Identifier: MIT */
/* main.c: bustd's command line, start-up and the monitor loop. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hook.h"
#include "kill.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "monitor.h"
#include "policy.h"
#include "proc.h"
#include "sys.h"
#include "victim.h"

#ifndef BUSTD_CONF
#define BUSTD_CONF "/etc/bustd.conf"
#endif
#define BUSTD_PIDFILE "/run/bustd.pid"

/* After finding nobody to kill, wait this long before scanning again. */
#define NO_CANDIDATE_RETRY_MS 1000
/* The metrics file is rewritten this often, and after each event. */
#define METRICS_INTERVAL_MS 5000
/* Room for the metrics text: formatted on the daemon's own buffer. */
#define METRICS_MAX 8192

enum mode {
	MODE_RUN,
	MODE_CHECK,
	MODE_PRINT,
	MODE_LIST,
};

/* Options that outlive a reload: they are applied over every load. */
struct options {
	enum mode mode;
	const char *path;
	bool no_daemon;
	bool verbose;
	bool bound_now;	/* every symbol bound at start (bind_now()) */
	char overrides[256]; /* config text from -g, -p, --dry-run */
};

/* The signal flags: with the log state, bustd's only mutable globals. */
static volatile sig_atomic_t got_term;
static volatile sig_atomic_t got_hup;
static volatile sig_atomic_t got_usr1;
static volatile sig_atomic_t got_chld;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGUSR1:
		got_usr1 = 1;
		break;
	case SIGCHLD:
		got_chld = 1;
		break;
	default:
		got_term = sig;
		break;
	}
}

/* Everything the loop works with, set up once. */
struct daemon {
	struct options *opt;
	struct policy *p;
	struct limits lim;
	struct proc_ctx pc;
	struct monitor mon;
	struct selector sel;
	struct hooks hooks;
	struct metrics m;
	int metrics_err;	/* last error logged, to log each once */
	int meminfo_err;	/* same, for /proc/meminfo */
	bool estimate_logged;
	uint64_t next_metrics_ms;
	enum kill_reason reason_kind;
	struct stuck_list stuck;
	struct psi_state psi;
	struct mem_sample mem;
	struct psi_sample psi_last;
	bool psi_valid;
	unsigned int ncpu;
	pid_t self;
	uint32_t sleep_ms;
	uint32_t slack_ms;	/* the timer slack set, 0: MONITOR_SLACK_NEAR_NS */
	bool slack_ok;		/* bustd sets its own timer slack */
	uint64_t retry_at_ms; /* no candidate: next scan not before */
	struct refill_mark refill; /* the last victim's memory coming back */
	bool refill_logged;
	uint64_t next_report_ms;
	uint64_t next_reserve_ms;
	struct pace pace;	/* the last exact readings, for the fill rate */
	uint64_t fast_polls;
	uint64_t meminfo_polls;
	uint64_t gap_kib;	/* MemAvailable above the sysinfo bound, */
	uint64_t gap_ms;	/* at the last exact reading: 0 = none */
	time_t loaded_at;
	char reason[256];
	char *cgroup_root; /* the cgroup2 mount point, NULL if none */
	/* The killer's own fields share the first page with the above; its
	 * victim's details, and the large buffers after it, are touched only
	 * when used. */
	struct killer killer;
	char metrics_buf[METRICS_MAX];
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bustd [-c FILE] [-n] [--dry-run] [-v] [-g] [-p CUTOFF]\n"
	    "       bustd --check-config [-c FILE]\n"
	    "       bustd --print-config [-c FILE]\n"
	    "       bustd --list [-c FILE] [-v]\n"
	    "       bustd --version | --help\n"
	    "\n"
	    "  -c, --config FILE   policy file (default " BUSTD_CONF "),\n"
	    "                      then FILE.d/*.conf minus .conf (bustd.d/)\n"
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
	    "Exit status: 0 ok, 1 runtime failure, 2 usage or config error.\n");
}

static void
add_override(struct options *o, const char *text)
{
	size_t n = strlen(o->overrides);

	snprintf(o->overrides + n, sizeof(o->overrides) - n, "%s", text);
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
	o->path = BUSTD_CONF;
	while (
	    (ch = getopt_long(argc, argv, "c:nvVgp:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->path = optarg;
			break;
		case 'n':
			o->no_daemon = true;
			break;
		case OPT_DRY_RUN:
			add_override(o, "[general]\ndry_run = yes\n");
			break;
		case 'v':
		case 'V':
			o->verbose = true;
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
			o->mode = MODE_CHECK;
			break;
		case OPT_PRINT:
			o->mode = MODE_PRINT;
			break;
		case OPT_LIST:
			o->mode = MODE_LIST;
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
}

static void
totals(uint64_t *mem_kib, uint64_t *swap_kib)
{
	struct sysinfo si;

	*mem_kib = *swap_kib = 0;
	if (sysinfo(&si) == 0) {
		*mem_kib = (uint64_t)si.totalram * si.mem_unit / 1024;
		*swap_kib = (uint64_t)si.totalswap * si.mem_unit / 1024;
	}
}

/* Load the policy, or report every error and return NULL. */
static struct policy *
load_policy(const struct options *o, bool to_log)
{
	struct config_opts co;
	struct config_diag d = { 0 };
	struct policy *p = NULL;
	size_t i;

	memset(&co, 0, sizeof(co));
	co.path = o->path;
	co.overrides = o->overrides[0] ? o->overrides : NULL;
	co.strict_perms = geteuid() == 0;
	totals(&co.mem_total_kib, &co.swap_total_kib);
	if (config_load(&co, &p, &d) < 0) {
		for (i = 0; i < d.n; i++) {
			if (to_log)
				log_err("%s", d.msgs[i]);
			else
				fprintf(stderr, "%s\n", d.msgs[i]);
		}
		p = NULL;
	}
	config_diag_free(&d);
	return p;
}

static void
open_log(const struct options *o, const struct policy *p)
{
	enum log_target t = LOG_TARGET_STDERR;

	if (p->log_mode == LOG_MODE_SYSLOG ||
	    (p->log_mode == LOG_MODE_AUTO && !o->no_daemon))
		t = LOG_TARGET_SYSLOG;
	log_open(t, o->verbose ? LOG_DEBUG : LOG_INFO);
}

/* --- Readings --- */

static void
fmt_kib(char *buf, size_t size, uint64_t kib)
{
	if (kib >= 1024 * 1024)
		snprintf(buf, size, "%.2f GiB", kib / 1048576.0);
	else
		snprintf(buf, size, "%.1f MiB", kib / 1024.0);
}

static void
fmt_centi(char *buf, size_t size, uint32_t v)
{
	snprintf(buf, size, "%u.%02u", v / 100, v % 100);
}

static const char metric_names[][11] = { "some_avg10", "some_avg60",
	"full_avg10", "full_avg60", "off" };

/* The sysinfo(2) reading as a sample: MemAvailable's lower bound. */
static void
sample_from_sysinfo(struct daemon *d, const struct sysinfo *si)
{
	uint64_t unit = si->mem_unit ? si->mem_unit : 1;
	uint64_t free_kib = (uint64_t)si->freeram * unit / 1024;

	d->mem.mem_total_kib = (uint64_t)si->totalram * unit / 1024;
	d->mem.free_kib = free_kib;
	d->mem.avail_kib = monitor_bound_kib(free_kib, d->mon.reserve_kib);
	d->mem.swap_total_kib = (uint64_t)si->totalswap * unit / 1024;
	d->mem.swap_free_kib = (uint64_t)si->freeswap * unit / 1024;
	d->mem.exact = false;
	d->mem.estimated = false;
}

/*
 * Read /proc/meminfo into d->mem, saying once each when it cannot be read
 * and when it has no MemAvailable, and note the gap above the sysinfo
 * bound as of now_ms.  0 or -errno.
 */
static int
read_meminfo(struct daemon *d, uint64_t now_ms)
{
	int r = monitor_read_meminfo(&d->mon, &d->mem);
	uint64_t bound;

	if (r < 0) {
		if (r != d->meminfo_err)
			log_err_r(r, "/proc/meminfo: cannot read it; using free "
			    "memory from sysinfo(2) minus the kernel's reserve");
		d->meminfo_err = r;
		/* Try it again with the gap's next learning, not each poll
		 * the sysinfo bound suffices for. */
		d->gap_kib = 0;
		d->gap_ms = now_ms;
		return r;
	}
	if (d->meminfo_err != 0)
		log_info("/proc/meminfo: reading it again");
	d->meminfo_err = 0;
	if (d->mem.estimated && !d->estimate_logged)
		log_warn("/proc/meminfo has no MemAvailable (kernel before "
		    "3.14?): estimating it from MemFree, Buffers, Cached, "
		    "SReclaimable and Shmem");
	d->estimate_logged = d->mem.estimated;
	monitor_check_reserve(&d->mon, &d->mem);
	/* What sysinfo(2) would have said, for monitor_exact_pays(). */
	bound = monitor_bound_kib(d->mem.free_kib, d->mon.reserve_kib);
	d->meminfo_polls++;
	d->gap_kib = d->mem.avail_kib > bound ? d->mem.avail_kib - bound : 0;
	d->gap_ms = now_ms;
	return 0;
}

/*
 * Take a memory sample: sysinfo(2) when it proves that no level can have
 * been crossed, /proc/meminfo otherwise (monitor_fast_path_safe()) or when
 * the page cache makes it worth reading (monitor_exact_due()).  If
 * /proc/meminfo cannot be read or parsed, the sysinfo bound stands in
 * for MemAvailable: lower than the truth, so bustd acts early rather
 * than late.
 */
static int
sample_memory(struct daemon *d, uint64_t now_ms)
{
	struct sysinfo si;
	bool have_si = sysinfo(&si) == 0;
	int r;

	if (have_si && monitor_fast_path_safe(&d->lim,
	    (uint64_t)si.freeram * (si.mem_unit ? si.mem_unit : 1) / 1024,
	    d->mon.reserve_kib)) {
		sample_from_sysinfo(d, &si);
		/* Unless much page cache makes the exact reading worth it
		 * (the gap learned again every MONITOR_GAP_MS). */
		if (!monitor_exact_due(&d->lim, &d->mem, d->gap_kib,
		    d->gap_ms == 0 || now_ms - d->gap_ms >= MONITOR_GAP_MS,
		    d->ncpu)) {
			d->fast_polls++;
			return 0;
		}
	}
	r = read_meminfo(d, now_ms);
	if (r < 0) {
		if (!have_si)
			return r;
		sample_from_sysinfo(d, &si);
	}
	return 0;
}

static void
mem_reason(struct daemon *d, char *buf, size_t size, bool kill_level)
{
	char av[32], lv[32], sf[32], sl[32];
	uint64_t mem_level =
	    kill_level ? d->lim.mem_kill_kib : d->lim.mem_term_kib;
	uint64_t swap_level =
	    kill_level ? d->lim.swap_kill_kib : d->lim.swap_term_kib;

	fmt_kib(av, sizeof(av), d->mem.avail_kib);
	fmt_kib(lv, sizeof(lv), mem_level);
	if (d->mem.swap_total_kib == 0) {
		snprintf(buf, size, "MemAvailable %s <= %s %s, no swap", av,
		    kill_level ? "mem_kill" : "mem_term", lv);
		return;
	}
	fmt_kib(sf, sizeof(sf), d->mem.swap_free_kib);
	fmt_kib(sl, sizeof(sl), swap_level);
	snprintf(buf, size, "MemAvailable %s <= %s %s, SwapFree %s <= %s %s",
	    av, kill_level ? "mem_kill" : "mem_term", lv, sf,
	    kill_level ? "swap_kill" : "swap_term", sl);
}

static void
psi_reason(struct daemon *d, char *buf, size_t size, uint64_t now_ms)
{
	char val[16], cut[16], av[32], gate[32];

	fmt_centi(val, sizeof(val), monitor_psi_value(&d->lim, &d->psi_last));
	/* The cutoff as the admin wrote it: 25, not 25.00. */
	if (d->lim.psi_cutoff_centi % 100 == 0)
		snprintf(cut, sizeof(cut), "%u", d->lim.psi_cutoff_centi / 100);
	else
		fmt_centi(cut, sizeof(cut), d->lim.psi_cutoff_centi);
	fmt_kib(av, sizeof(av), d->mem.avail_kib);
	fmt_kib(gate, sizeof(gate), d->lim.psi_gate_kib);
	snprintf(buf, size,
	    "PSI %s %s >= %s for %.1f s, MemAvailable %s <= "
	    "psi_mem_gate %s",
	    metric_names[d->lim.psi_metric], val, cut,
	    (now_ms - d->psi.since_ms) / 1000.0, av, gate);
}

static void
log_status(struct daemon *d, const char *what)
{
	char av[32], tot[32], sf[32], st[32], term[32], kill[32], gate[32];
	char psi[48] = "off", stamp[32];
	struct tm tm;

	fmt_kib(av, sizeof(av), d->mem.avail_kib);
	fmt_kib(tot, sizeof(tot), d->mem.mem_total_kib);
	fmt_kib(sf, sizeof(sf), d->mem.swap_free_kib);
	fmt_kib(st, sizeof(st), d->mem.swap_total_kib);
	fmt_kib(term, sizeof(term), d->lim.mem_term_kib);
	fmt_kib(kill, sizeof(kill), d->lim.mem_kill_kib);
	fmt_kib(gate, sizeof(gate), d->lim.psi_gate_kib);
	if (d->lim.psi_on && d->psi_valid) {
		char v[16];

		fmt_centi(v, sizeof(v),
		    monitor_psi_value(&d->lim, &d->psi_last));
		snprintf(psi, sizeof(psi), "%s %s",
		    metric_names[d->lim.psi_metric], v);
	} else if (d->lim.psi_on && d->mon.psi_fd < 0) {
		snprintf(psi, sizeof(psi), "unavailable");
	} else if (d->lim.psi_on) {
		snprintf(psi, sizeof(psi), "%s unread: above psi_mem_gate",
		    metric_names[d->lim.psi_metric]);
	}
	localtime_r(&d->loaded_at, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	log_info(
	    "%s: MemAvailable %s%s of %s, SwapFree %s of %s, PSI %s; "
	    "mem_term %s, mem_kill %s, psi_mem_gate %s; kills: %lu SIGTERM, "
	    "%lu SIGKILL, %lu gone, %lu stuck; poll %u ms; config %s "
	    "(profile %s) loaded %s",
	    what, d->mem.exact ? "" : ">=", av, tot, sf, st, psi, term, kill,
	    gate, d->killer.n_term, d->killer.n_kill, d->killer.n_gone,
	    d->killer.n_stuck, d->sleep_ms, d->opt->path,
	    profile_names[d->p->profile], stamp);
}

/* Rewrite the metrics file, if there is one.  Errors are logged once
 * each, until a write succeeds again. */
static void
write_metrics(struct daemon *d, uint64_t now_ms)
{
	struct metrics *m = &d->m;
	int n, r;

	if (d->p->metrics_file == NULL)
		return;
	m->mem = d->mem;
	m->psi = d->psi_last;
	m->psi_valid = d->psi_valid;
	m->lim = d->lim;
	m->escalations_timeout = d->killer.n_escalate_timeout;
	m->escalations_level = d->killer.n_escalate_level;
	m->gone = d->killer.n_gone;
	m->stuck = d->killer.n_stuck;
	m->hooks_started = d->hooks.n_started;
	m->hooks_failed = d->hooks.n_failed;
	m->poll_ms = d->sleep_ms;
	m->dry_run = d->p->dry_run;
	n = metrics_format(d->metrics_buf, sizeof(d->metrics_buf), m);
	r = n < 0 ? n : metrics_write(d->p->metrics_file, d->metrics_buf,
	    (size_t)n);
	if (r < 0 && r != d->metrics_err)
		log_warn_r(r, "metrics: cannot write %s", d->p->metrics_file);
	else if (r == 0 && d->metrics_err != 0)
		log_info("metrics: writing %s again", d->p->metrics_file);
	d->metrics_err = r;
	d->next_metrics_ms = now_ms + METRICS_INTERVAL_MS;
}

/* The service manager's status line: the last thing bustd did. */
static void
notify_status(struct daemon *d, const char *what)
{
	char text[256], comm[4 * PROC_COMM_MAX];

	log_escape(comm, sizeof(comm), d->killer.t.comm,
	    strlen(d->killer.t.comm));
	snprintf(text, sizeof(text), "STATUS=%s %s (pid %d); %lu kills so far",
	    what, comm, (int)d->killer.t.pid,
	    d->killer.n_term + d->killer.n_kill - d->killer.n_escalate_level -
		d->killer.n_escalate_timeout);
	sys_notify(text);
}

/* --- Start-up --- */

static void
apply_policy(struct daemon *d)
{
	uint64_t mem, swap;
	char text[64];
	int r;

	totals(&mem, &swap);
	monitor_limits(d->p, mem, swap, &d->lim);
	d->sel.mem_total_kib = mem;
	r = monitor_read_reserve(&d->mon, d->pc.dirfd);
	if (r < 0)
		log_debug("zoneinfo: %s: reading /proc/meminfo at every poll",
		    strerror(-r));
	if (!d->lim.psi_on) {
		monitor_arm_trigger(&d->mon, d->pc.dirfd, &d->lim);
		return;
	}
	if (d->mon.psi_fd < 0) {
		if (!d->mon.psi_missing_warned)
			log_warn(
			    "no PSI (/proc/pressure/memory): the memory "
			    "thresholds keep working, psi_metric does not");
		d->mon.psi_missing_warned = true;
		return;
	}
	r = monitor_arm_trigger(&d->mon, d->pc.dirfd, &d->lim);
	if (r < 0) {
		log_info("PSI trigger refused (%s): polling PSI instead",
		    strerror(-r));
	} else {
		monitor_trigger_text(text, sizeof(text), &d->lim,
		    d->mon.trigger_window_ms);
		log_debug("PSI trigger armed: %s", text);
	}
}

/*
 * Give back the pages only the dynamic linker reads (loader.c): after
 * start-up and after each reload, which may have loaded a library.
 */
static void
drop_loader(const struct options *o)
{
	long r;

	if (!o->bound_now) {
		log_debug("symbols bound lazily: dynamic linker kept");
		return;
	}
	r = loader_drop();
	if (r < 0)
		log_warn_r((int)r, "giving back the dynamic linker's pages");
	else
		log_debug("gave back %ld KiB of dynamic linker pages",
		    r / 1024);
}

static void
reload(struct daemon *d)
{
	struct policy *np;

	log_info("reloading %s", d->opt->path);
	sys_notify("RELOADING=1");
	np = load_policy(d->opt, true);
	d->m.reload_ok = np != NULL;
	if (np == NULL) {
		log_err("reload failed: keeping the previous policy");
		sys_notify("READY=1\nSTATUS=reload failed: keeping the "
		    "previous policy");
		write_metrics(d, sys_now_ms());
		return;
	}
	policy_free(d->p);
	d->p = np;
	d->loaded_at = time(NULL);
	open_log(d->opt, d->p);
	apply_policy(d);
	d->m.reload_time = d->loaded_at;
	drop_loader(d->opt);
	log_info("reloaded %s (profile %s)%s", d->opt->path,
	    profile_names[d->p->profile], d->p->dry_run ? ", dry run" : "");
	sys_notify("READY=1\nSTATUS=policy reloaded");
	write_metrics(d, sys_now_ms());
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

/*
 * Start-up (parsing the policy, finding the cgroup2 mount, the warm-up)
 * runs deeper in the stack than the loop does.  Give back the stack pages
 * below this frame, so that they are not locked with the rest: nothing
 * lives below the stack pointer, and a page touched again comes back
 * zeroed (the loop's own, at its first turn).
 */
static void
trim_stack(void)
{
	volatile char here = 0;
	unsigned long lo, hi;
	uintptr_t cut;
	long page = sysconf(_SC_PAGESIZE);
	char line[256];
	bool start = true;
	FILE *f;

	if (page <= 0)
		return;
	/* This frame's page and the one below stay: the calls made from
	 * here use them. */
	cut = ((uintptr_t)&here & ~((uintptr_t)page - 1)) - (uintptr_t)page;
	f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line);
		bool whole = start;

		/* Only a whole line is looked at (long paths come in parts). */
		start = n > 0 && line[n - 1] == '\n';
		if (!whole || !start || n < 9 ||
		    strcmp(line + n - 8, "[stack]\n") != 0 ||
		    sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		if (lo < cut && cut <= hi)
			madvise((void *)lo, cut - lo, MADV_DONTNEED);
		break;
	}
	fclose(f);
	(void)here;
}

static void
protect_self(void)
{
	int fd, r = 0;

	trim_stack();
	/* Give back what loading the policy used and freed: it would be
	 * locked in with the rest. */
	malloc_trim(0);

	/*
	 * Lock code and data in RAM, so bustd never waits on a page-in
	 * when memory is short.  MCL_ONFAULT: pages are locked as they are
	 * touched, not all at once (the pid table is large and sparse).
	 */
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
		log_warn_r(-errno, "mlockall: bustd may be paged out");
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "-1000", 5) != 5)
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (r < 0)
		log_warn_r(r,
		    "cannot lower own oom_score_adj to -1000 (give "
		    "bustd CAP_SYS_RESOURCE, or OOMScoreAdjust=-1000 in its "
		    "unit)");
}

/* --- The loop --- */

/*
 * The ms ppoll() is given: the sleep less the timer slack, so the kernel
 * may wake bustd up to slack early, with something else, but never
 * later than d->sleep_ms (bustd(8), "Sleep").  The slack changes only
 * when the sleep doubles or halves.
 */
static uint32_t
sleep_less_slack(struct daemon *d)
{
	uint32_t slack = monitor_slack_ms(d->sleep_ms);

	if (d->slack_ok && slack != d->slack_ms) {
		int r = sys_timer_slack(slack > 0 ?
		    (uint64_t)slack * 1000000 : MONITOR_SLACK_NEAR_NS);

		if (r == 0) {
			d->slack_ms = slack;
		} else {
			/* Short of a seccomp filter, cannot happen: the
			 * kernel keeps the slack it had, and so do we. */
			log_warn_r(r, "timer slack");
			d->slack_ok = false;
		}
	}
	return d->sleep_ms > d->slack_ms ? d->sleep_ms - d->slack_ms : 0;
}

/* Leave this very process (pid and start time) out of every scan. */
static void
add_stuck(struct daemon *d, pid_t pid, uint64_t start_time)
{
	struct stuck_list *s = &d->stuck;

	/* When full, the oldest entry makes room. */
	if (s->n == VICTIM_STUCK_MAX) {
		memmove(&s->e[0], &s->e[1],
		    (VICTIM_STUCK_MAX - 1) * sizeof(s->e[0]));
		s->n--;
	}
	s->e[s->n].pid = pid;
	s->e[s->n].start_time = start_time;
	s->n++;
}

/* What act() did. */
enum act_result {
	ACT_STARTED,	/* a kill is under way */
	ACT_NOBODY,	/* no process may die */
	ACT_RESAMPLE,	/* the victim went first: look at memory again */
	ACT_FAILED,
};

/*
 * Pick a victim and start on it.  If the chosen process is gone by the
 * time bustd pins it (or its pid was reused), the memory it held may be
 * free already: the caller samples memory again before choosing anyone
 * else.  If its signal is refused (an LSM, a bustd without CAP_KILL), it
 * is left out from then on and the next candidate is taken.
 */
static enum act_result
act(struct daemon *d, int sig, uint64_t now_ms)
{
	enum act_result res = ACT_FAILED;
	pid_t kids[HOOK_MAX];
	struct victim v;
	size_t i;
	int tries, r;

	/* bustd's own children are never victims: a hook that takes memory
	 * is bounded by exec_timeout instead. */
	for (i = 0; i < d->hooks.n; i++)
		kids[i] = d->hooks.kids[i].pid;
	d->sel.skip = kids;
	d->sel.nskip = d->hooks.n;
	for (tries = 0; tries < 8; tries++) {
		r = victim_select(&d->sel, &d->pc, d->p, &d->stuck, &v);
		if (r == -ESRCH) {
			res = ACT_NOBODY;
			break;
		}
		if (r < 0) {
			log_err_r(r, "scan failed");
			break;
		}
		log_debug("scan: %zu processes, %zu judged", d->sel.scanned,
		    d->sel.judged);
		r = kill_start(&d->killer, d->p, &v, sig, d->reason);
		if (r == 0) {
			res = ACT_STARTED;
			break;
		}
		if (r == -ESRCH || r == -ESTALE) {
			res = ACT_RESAMPLE;
			break;
		}
		log_warn("pid %d: left out from now on", (int)v.info.pid);
		add_stuck(d, v.info.pid, v.info.st.start_time);
	}
	d->sel.skip = NULL;
	d->sel.nskip = 0;

	switch (res) {
	case ACT_NOBODY:
		if (d->retry_at_ms == 0)
			log_warn("%s, but no process may be killed (see "
			         "bustd --list)",
			    d->reason);
		d->retry_at_ms = now_ms + NO_CANDIDATE_RETRY_MS;
		d->m.no_candidate++;
		break;
	case ACT_FAILED:
		d->retry_at_ms = now_ms + NO_CANDIDATE_RETRY_MS;
		break;
	case ACT_RESAMPLE:
		break;
	case ACT_STARTED:
		d->retry_at_ms = 0;
		/* The reading this kill was decided on, for the refill hold;
		 * the mark holds once the victim is gone. */
		d->refill.set = false;
		d->refill.avail_kib = d->mem.avail_kib;
		d->refill.swap_free_kib = d->mem.swap_free_kib;
		d->m.kills[d->reason_kind][sig == SIGKILL]++;
		d->m.last_kill = time(NULL);
		notify_status(d, d->p->dry_run ? "dry run: would kill" :
		    sig == SIGKILL ? "sent SIGKILL to" : "sent SIGTERM to");
		write_metrics(d, now_ms);
		break;
	}
	return res;
}

static void
poll_once(struct daemon *d)
{
	uint64_t now_ms = sys_now_ms();
	enum level level;
	enum kill_event ev;
	bool psi_due = false, psi_watch = false, hold = false;
	int r;

	if (now_ms >= d->next_reserve_ms) {
		monitor_read_reserve(&d->mon, d->pc.dirfd);
		d->next_reserve_ms = now_ms + MONITOR_RESERVE_MS;
	}
	r = sample_memory(d, now_ms);
	if (r < 0) {
		log_err_r(r, "reading memory");
		d->sleep_ms = 1000;
		return;
	}
	level = monitor_mem_level(&d->lim, &d->mem);

	/* PSI only matters at or below the gate. */
	if (d->lim.psi_on && d->mem.exact &&
	    d->mem.avail_kib <= d->lim.psi_gate_kib && d->mon.psi_fd >= 0) {
		psi_watch = true;
		if (monitor_read_psi(&d->mon, &d->psi_last) == 0) {
			d->psi_valid = true;
			psi_due = monitor_psi_update(&d->psi, &d->lim,
			    &d->psi_last, d->mem.avail_kib, now_ms);
		}
	} else {
		d->psi.holding = false;
	}

	if (d->killer.state == KILL_WAITING) {
		char why[256];

		mem_reason(d, why, sizeof(why), true);
		ev = kill_check(&d->killer, d->p, level == LEVEL_KILL, why);
		if (ev == KILL_EVENT_STUCK)
			add_stuck(d, d->killer.t.pid, d->killer.t.start_time);
		if (ev != KILL_EVENT_NONE) {
			const char *result = ev == KILL_EVENT_STUCK ? "stuck" :
			    d->killer.dry_run ? "dry-run" : "gone";

			hook_after_kill(&d->hooks, d->p, &d->killer.t,
			    d->killer.sig == SIGKILL ? "SIGKILL" : "SIGTERM",
			    result);
			if (ev == KILL_EVENT_GONE && !d->killer.dry_run) {
				d->refill.set = true;
				d->refill.gone_ms = now_ms;
				d->refill_logged = false;
			}
			notify_status(d, ev == KILL_EVENT_STUCK ? "stuck:" :
			    d->killer.dry_run ? "dry run done:" : "killed");
			write_metrics(d, now_ms);
			monitor_psi_killed(&d->psi, &d->lim, now_ms);
			/* Memory has changed: look again before acting. */
			d->sleep_ms = 0;
			return;
		}
	}

	if (d->killer.state == KILL_IDLE && !psi_due &&
	    monitor_refill_hold(&d->lim, &d->refill, &d->mem, level, now_ms)) {
		/* The last victim's memory may still be on its way back. */
		hold = true;
		if (!d->refill_logged) {
			char av[32], at[32], comm[4 * PROC_COMM_MAX];

			fmt_kib(av, sizeof(av), d->mem.avail_kib);
			fmt_kib(at, sizeof(at), d->refill.avail_kib);
			log_escape(comm, sizeof(comm), d->killer.t.comm,
			    strlen(d->killer.t.comm));
			log_info("pid %d (%s): gone, MemAvailable %s still at "
			         "or below mem_term (%s when it was chosen): "
			         "waiting up to cooldown for its memory to come "
			         "back, unless memory falls further or reaches "
			         "mem_kill",
			    (int)d->killer.t.pid, comm, av, at);
			d->refill_logged = true;
		}
	} else if (d->killer.state == KILL_IDLE &&
	    (level != LEVEL_NONE || psi_due) && now_ms >= d->retry_at_ms) {
		if (level != LEVEL_NONE) {
			mem_reason(d, d->reason, sizeof(d->reason),
			    level == LEVEL_KILL);
			d->reason_kind = level == LEVEL_KILL ? REASON_MEM_KILL :
			    REASON_MEM_TERM;
		} else {
			psi_reason(d, d->reason, sizeof(d->reason), now_ms);
			d->reason_kind = REASON_PSI;
		}
		if (act(d, level == LEVEL_KILL ? SIGKILL : SIGTERM, now_ms) ==
		    ACT_RESAMPLE) {
			d->sleep_ms = 0;
			return;
		}
	} else if (level == LEVEL_NONE && !psi_due) {
		d->retry_at_ms = 0;
	}

	d->sleep_ms = monitor_sleep_ms(&d->lim, &d->mem, d->ncpu, psi_watch);
	/* Holding below mem_term: watch closely for a further fall. */
	if (hold)
		d->sleep_ms = MONITOR_SLEEP_MIN_MS;
	if (d->mem.exact) {
		/* Near a level, wake when the fill seen now would cross it. */
		uint32_t t = monitor_pace_wake_ms(&d->lim, &d->pace, &d->mem,
		    now_ms);

		if (t < d->sleep_ms)
			d->sleep_ms = t;
		monitor_pace_add(&d->pace, d->mem.avail_kib, now_ms);
	} else {
		monitor_pace_reset(&d->pace);
	}
	if (d->killer.state == KILL_WAITING) {
		uint32_t k = kill_next_ms(&d->killer);

		/* Watch for the kill level while the victim exits. */
		if (k < d->sleep_ms)
			d->sleep_ms = k;
	} else if (d->retry_at_ms > now_ms &&
	           d->retry_at_ms - now_ms > d->sleep_ms) {
		d->sleep_ms = (uint32_t)(d->retry_at_ms - now_ms);
	}
	if (d->hooks.n > 0) {
		unsigned long failed = d->hooks.n_failed;

		hook_reap(&d->hooks);
		if (d->hooks.n_failed != failed)
			write_metrics(d, now_ms);
		if (hook_next_ms(&d->hooks) < d->sleep_ms)
			d->sleep_ms = hook_next_ms(&d->hooks);
	}
	if (d->p->metrics_file != NULL) {
		if (now_ms >= d->next_metrics_ms)
			write_metrics(d, now_ms);
		if (d->next_metrics_ms - now_ms < d->sleep_ms)
			d->sleep_ms = (uint32_t)(d->next_metrics_ms - now_ms);
	}
	if (d->p->report_interval_ms > 0) {
		if (now_ms >= d->next_report_ms) {
			log_status(d, "report");
			d->next_report_ms = now_ms + d->p->report_interval_ms;
		}
		if (d->next_report_ms - now_ms < d->sleep_ms)
			d->sleep_ms = (uint32_t)(d->next_report_ms - now_ms);
	}
}

/* The cgroup2 mount point, on the heap (its buffer is large, the path
 * short), or NULL if there is none. */
static char *
find_cgroup2(int procfs_fd)
{
	char *buf, *path = NULL;

	buf = malloc(PROC_PATH_MAX);
	if (buf != NULL && kill_find_cgroup2(procfs_fd, buf, PROC_PATH_MAX) == 0)
		path = strdup(buf);
	free(buf);
	return path;
}

static int
run(struct options *o, struct policy *p)
{
	struct daemon *d;
	struct pollfd fds[2];
	struct timespec ts;
	sigset_t orig;
	uint32_t wait_ms;
	int r, n;

	/*
	 * The daemon's state lives in a fresh mapping rather than on the
	 * stack: its large buffers (the victim's command line, the metrics
	 * text) cost RAM only once used.
	 */
	d = mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d == MAP_FAILED)
		fatal_r(-errno, "allocating the daemon's state");
	d->opt = o;
	d->p = p;
	d->loaded_at = time(NULL);
	open_log(o, p);
	if (!o->no_daemon)
		daemonize();
	d->self = getpid();
	n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	d->ncpu = n > 0 ? (unsigned int)n : 1;

	r = proc_open(&d->pc, "/proc");
	if (r < 0)
		fatal_r(r, "/proc");
	r = monitor_open(&d->mon, d->pc.dirfd);
	if (r < 0)
		fatal_r(r, "/proc/meminfo");
	r = victim_selector_init(&d->sel, 0, d->self);
	if (r < 0)
		fatal_r(r, "allocating the scan table");
	d->cgroup_root = find_cgroup2(d->pc.dirfd);
	kill_init(&d->killer, &sys_real, &d->pc, d->self, d->cgroup_root);
	hook_init(&d->hooks, &sys_real);
	d->m.version = PACKAGE_VERSION;
	d->m.reload_ok = true;
	d->m.reload_time = d->loaded_at;
	setup_signals(&orig);
	apply_policy(d);

	/* Warm-up: walk every path of the loop once, then lock it all. */
	{
		struct victim v;

		if (sample_memory(d, sys_now_ms()) < 0)
			fatal("cannot read memory: no sysinfo(2), no "
			    "/proc/meminfo");
		read_meminfo(d, sys_now_ms());
		if (d->mon.psi_fd >= 0)
			monitor_read_psi(&d->mon, &d->psi_last);
		victim_select(&d->sel, &d->pc, d->p, &d->stuck, &v);
	}
	protect_self();
	drop_loader(o);
	/* The timer slack is bustd's own from here (sleep_less_slack()). */
	r = sys_timer_slack(MONITOR_SLACK_NEAR_NS);
	d->slack_ok = r == 0;
	if (r < 0)
		log_warn_r(r, "timer slack");

	log_info("bustd %s running with %s (profile %s)%s", PACKAGE_VERSION,
	    o->path, profile_names[p->profile], p->dry_run ? ", dry run" : "");
	log_status(d, "start");
	sys_notify("READY=1\nSTATUS=watching memory; no kill yet");

	while (!got_term) {
		if (got_hup) {
			got_hup = 0;
			reload(d);
		}
		if (got_usr1) {
			got_usr1 = 0;
			log_status(d, "status");
		}
		/* Children are reaped in poll_once(). */
		got_chld = 0;
		poll_once(d);

		n = 0;
		if (d->mon.trigger_fd >= 0) {
			fds[n].fd = d->mon.trigger_fd;
			fds[n].events = POLLPRI;
			n++;
		}
		if (kill_poll_fd(&d->killer) >= 0) {
			fds[n].fd = kill_poll_fd(&d->killer);
			fds[n].events = POLLIN;
			n++;
		}
		wait_ms = sleep_less_slack(d);
		ts.tv_sec = wait_ms / 1000;
		ts.tv_nsec = (long)(wait_ms % 1000) * 1000000;
		r = ppoll(fds, (nfds_t)n, &ts, &orig);
		if (r < 0 && errno != EINTR)
			log_err_r(-errno, "ppoll");
		if (r > 0 && d->mon.trigger_fd >= 0 &&
		    (fds[0].revents & (POLLERR | POLLNVAL))) {
			log_warn("PSI trigger failed: polling PSI instead");
			close(d->mon.trigger_fd);
			d->mon.trigger_fd = -1;
		}
	}
	log_info("exiting on signal %d", (int)got_term);
	sys_notify("STOPPING=1");
	kill_abandon(&d->killer);
	victim_selector_free(&d->sel);
	monitor_close(&d->mon);
	proc_close(&d->pc);
	policy_free(d->p);
	free(d->cgroup_root);
	if (!o->no_daemon)
		unlink(BUSTD_PIDFILE);
	munmap(d, sizeof(*d));
	return 0;
}

static int
list(const struct options *o, const struct policy *p)
{
	struct proc_ctx pc;
	uint64_t mem, swap;
	int r;

	r = proc_open(&pc, "/proc");
	if (r < 0) {
		fprintf(stderr, "bustd: /proc: %s\n", strerror(-r));
		return 1;
	}
	totals(&mem, &swap);
	r = victim_list(stdout, &pc, p, getpid(), mem);
	proc_close(&pc);
	if (r < 0) {
		fprintf(stderr, "bustd: --list: %s\n", strerror(-r));
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/*
 * Bind every symbol of every library at start: run again, once, with
 * LD_BIND_NOW set (the dynamic linker honours it in every object, where
 * -z now binds only bustd's own).  Then neither the loop nor the kill
 * path ever enters the dynamic linker, and drop_loader() can give back
 * its pages.  Returns whether binding is eager; the programs bustd runs
 * do not inherit the variable.
 */
static bool
bind_now(char **argv)
{
	const char *v = getenv("LD_BIND_NOW");
	bool eager = v != NULL && *v != '\0';

	/* AT_BASE is 0 when the dynamic linker was run as the program
	 * (ld.so bustd): /proc/self/exe is then not bustd. */
	if (!eager && getauxval(AT_BASE) != 0 &&
	    setenv("LD_BIND_NOW", "1", 1) == 0)
		execv("/proc/self/exe", argv);
	/* If the exec failed, bustd runs on, bound lazily. */
	unsetenv("LD_BIND_NOW");
	return eager;
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
	if (o.mode == MODE_RUN)
		o.bound_now = bind_now(argv);
	log_open(LOG_TARGET_STDERR, o.verbose ? LOG_DEBUG : LOG_INFO);

	p = load_policy(&o, false);
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
