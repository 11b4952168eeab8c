/* SPDX-License-Identifier: MIT */
/* daemon.h: the running daemon: its state, the loop, acting, reloading. */
#ifndef BUSTD_DAEMON_H
#define BUSTD_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "decide.h"
#include "hook.h"
#include "kill.h"
#include "metrics.h"
#include "monitor.h"
#include "policy.h"
#include "proc.h"
#include "sys.h"
#include "victim.h"

/* The metrics file is rewritten this often, and after each event. */
#define DAEMON_METRICS_MS 5000
/* Room for the metrics text: formatted on the daemon's own buffer. */
#define DAEMON_METRICS_MAX 8192

/*
 * The stack the loop may use, touched before bustd locks itself in RAM,
 * so that no kill ever waits for a page of stack.  tests/stack.sh checks
 * it against the deepest call chain of daemon_poll(), from the compiler's
 * own stack figures (-fcallgraph-info=su), plus room for libc.
 */
#define DAEMON_STACK_KIB 40

/* How the daemon was started: outlives every reload. */
struct daemon_opts {
	const char *path;	/* the policy file */
	const char *overrides;	/* config text of the command line, or NULL */
	const char *procfs;	/* "/proc", or a fixture tree (tests) */
	const char *sysfs;	/* "/sys", or a fixture tree (tests) */
	bool no_daemon;		/* -n: in the foreground */
	bool verbose;
};

/* What the signal handlers tell the loop (set only by them). */
struct daemon_signals {
	volatile sig_atomic_t term; /* the signal, 0 if none */
	volatile sig_atomic_t hup;
	volatile sig_atomic_t usr1;
};

/* Everything the loop works with.  One, static: no heap in the loop. */
struct daemon {
	const struct daemon_opts *opt;
	const struct sys_ops *ops;
	struct policy *p;
	struct limits lim;
	struct proc_ctx pc;
	int sysfs_fd;		/* -1 if it cannot be opened */
	struct monitor mon;
	struct selector sel;
	struct hooks hooks;
	struct metrics m;
	struct stuck_list stuck;
	struct decide_state dec;
	struct readings in;	/* of the last pass */
	struct decision out;	/* of the last pass */
	int metrics_err;	/* last error logged, to log each once */
	int meminfo_err;	/* same, for /proc/meminfo */
	bool estimate_logged;
	bool slack_ok;		/* bustd sets its own timer slack */
	uint32_t slack_ms;	/* timer slack set, 0: MONITOR_SLACK_NEAR_NS */
	uint32_t sleep_ms;	/* until the next pass */
	enum deadline woke_for;	/* the deadline that set it */
	pid_t self;
	uint64_t next_metrics_ms;
	uint64_t next_report_ms;
	uint64_t next_reserve_ms;
	uint64_t lim_mem_kib;	/* the totals d->lim was computed for */
	uint64_t lim_swap_kib;
	uint64_t gap_kib;	/* MemAvailable above the sysinfo bound, */
	uint64_t gap_ms;	/* at the last exact reading: 0 = none */
	time_t loaded_at;
	char reason[256];
	char cgroup_root[PROC_PATH_MAX]; /* the cgroup2 mount, "" if none */
	struct killer killer;
	struct kill_target warned; /* who a warning said would go first */
	char metrics_buf[DAEMON_METRICS_MAX];
};

/*
 * Load the policy of o: the file, its drop-ins and o->overrides, checked
 * against this machine's memory and cgroups.  Each error and warning goes
 * to the log (to_log) or to stderr.  On errors, NULL, or with fallback
 * the policy to run on meanwhile (config_load(): policy->fallback set).
 * The caller frees the policy.
 */
struct policy *daemon_load_policy(const struct daemon_opts *o,
    const struct sys_ops *ops, bool to_log, bool fallback);

/* Log to stderr or syslog as p and o say. */
void daemon_open_log(const struct daemon_opts *o, const struct policy *p);

/*
 * Set d up to run p (d owns p from here): open procfs, the monitor, the
 * scan table, find the cgroup2 mount, apply p.  o and ops must outlive d.
 * Returns 0, or -errno with the cause logged.
 */
int daemon_init(struct daemon *d, const struct daemon_opts *o,
    struct policy *p, const struct sys_ops *ops);

/*
 * One pass of the loop: read memory (and PSI below its gate), decide, act
 * on it, and set d->sleep_ms.  What the loop does between two waits.
 */
void daemon_poll(struct daemon *d);

/* SIGHUP: load the policy again; keep the old one if the new is bad. */
void daemon_reload(struct daemon *d);

/* One status line: readings, levels, kills, the policy's source. */
void daemon_status(struct daemon *d, const char *what);

/*
 * Walk every path of the loop once, lock bustd in RAM, log the start and
 * tell the service manager READY=1: from here bustd is up.  Returns 0,
 * or -errno if memory cannot be read at all (then d must not run).
 */
int daemon_start(struct daemon *d);

/*
 * Run the loop, after daemon_start(), until s->term: each pass handles
 * s->hup and s->usr1, calls daemon_poll(), and waits in ppoll() with
 * orig as the signal mask (the caller blocks the signals in between).
 * Returns 0.
 */
int daemon_run(struct daemon *d, struct daemon_signals *s,
    const sigset_t *orig);

/* Let go of everything daemon_init() took. */
void daemon_free(struct daemon *d);

#endif
