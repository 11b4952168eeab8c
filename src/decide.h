/* SPDX-License-Identifier: MIT */
/* decide.h: one pass of the loop, pure: readings and clock in, action out. */
#ifndef BUSTD_DECIDE_H
#define BUSTD_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "monitor.h"

/* After finding nobody to kill, wait this long before scanning again. */
#define DECIDE_RETRY_MS 1000
/* After SIGKILL, how long a victim may take to exit before it is given up
 * as stuck (uninterruptible sleep) and the next one is tried. */
#define DECIDE_STUCK_MS 5000
/* Without a pidfd, the victim's exit shows only by looking this often. */
#define DECIDE_POLL_GONE_MS 20

/* What the loop does in this pass. */
enum action {
	ACTION_NONE,	/* nothing: memory is fine, or nobody may go yet */
	ACTION_HOLD,	/* below mem_term, awaiting the last victim's memory */
	ACTION_TERM,	/* choose a victim and send it SIGTERM */
	ACTION_KILL,	/* choose a victim and send it SIGKILL */
	ACTION_WAIT,	/* a victim is on its way out */
	ACTION_ESCALATE, /* the victim had SIGTERM: SIGKILL it now */
	ACTION_GONE,	/* the victim exited (dry run: its time is up) */
	ACTION_STUCK,	/* it outlived SIGKILL by DECIDE_STUCK_MS */
};

/* The deadlines the next wake-up is the soonest of. */
enum deadline {
	DL_NOW,		/* look again at once: memory has just changed */
	DL_HEADROOM,	/* the fastest fill could reach a level by then */
	DL_PACE,	/* the fill seen lately would cross a level by then */
	DL_HOLD,	/* holding below mem_term: watch closely */
	DL_RETRY,	/* nobody could be killed: the next scan */
	DL_VICTIM,	/* SIGTERM's grace ends, or SIGKILL's wait */
	DL_HOOK,	/* a hook's exec_timeout */
	DL_METRICS,	/* the metrics file is due */
	DL_REPORT,	/* the report line is due */
	DL_COUNT,
};

#define DECIDE_NEVER UINT64_MAX

extern const char *const deadline_names[];

/* The victim being killed, as the killer has it. */
struct victim_clock {
	bool active;		/* signalled, not gone yet */
	bool dry_run;		/* nothing was sent: play the timeline */
	bool polled;		/* no pidfd: its exit shows only in /proc */
	bool gone;		/* seen gone this pass (pidfd or /proc) */
	int sig;		/* the last signal sent: SIGTERM or SIGKILL */
	uint64_t kill_ms;	/* SIGKILL, 0 if not yet */
	uint64_t term_deadline_ms; /* SIGTERM's grace ends */
};

/* Everything one pass is decided on. */
struct readings {
	uint64_t now_ms;
	struct mem_sample mem;
	bool psi_watch;		/* PSI is watched: readable, below the gate */
	bool psi_read;		/* and was read in this pass, into psi */
	struct psi_sample psi;
	bool thrash_watch;	/* vmstat is watched: below thrash_mem_gate */
	bool vm_read;		/* and was read in this pass, into vm */
	struct vmstat_sample vm;
	struct victim_clock victim;
	unsigned int ncpu;
};

/* What the decisions remember from one pass to the next. */
struct decide_state {
	struct psi_state psi;
	struct rate_window psi_win; /* stall totals, psi_metric some, full */
	struct psi_state thrash;
	struct rate_window thrash_win; /* refaults */
	struct rate_window scan_win; /* pages scanned by reclaim */
	struct refill_mark refill;
	struct pace pace;	/* the last exact readings, for the pace */
	bool warn_active;	/* at the warning level (with hysteresis) */
	uint64_t warned_ms;	/* the last warning given; 0: none yet */
	uint64_t retry_at_ms;	/* nobody to kill: not before; 0: none */
	bool hold_told;		/* the refill hold was announced */
};

struct decision {
	enum action action;
	enum level level;	/* of the memory reading */
	enum kill_reason reason; /* ACTION_TERM, _KILL: which reading */
	bool psi_due;		/* PSI says kill */
	bool thrash_due;	/* refaults say kill */
	bool warn;		/* give the warning now */
	bool warn_active;	/* at the warning level */
	enum kill_reason warn_reason; /* which reading: mem_term, psi, thrash */
	uint32_t psi_centi;	/* the PSI figure watched, if read */
	uint32_t thrash_centi;	/* the refault rate, if read */
	bool announce;		/* first pass of a refill hold: say so */
	uint64_t at_ms[DL_COUNT]; /* each deadline, DECIDE_NEVER if none */
};

void decide_init(struct decide_state *st);

/*
 * Should this pass read PSI?  Only when it is on, memory has an exact
 * reading, and MemAvailable is at or below psi_mem_gate.  And vmstat,
 * for the refault rate: thrash_cutoff set, below thrash_mem_gate.  Idle,
 * neither is read.
 */
bool decide_psi_wanted(const struct limits *l, const struct mem_sample *s);
bool decide_thrash_wanted(const struct limits *l, const struct mem_sample *s);

/*
 * Decide one pass.  Pure: reads in, l and st, updates st (PSI hold and
 * cooldown, refill hold, pace) and fills out with the action and the
 * deadlines of the next wake-up it knows of.  The caller carries the
 * action out and reports back with decide_started(), decide_no_candidate()
 * or decide_resample(); it adds its own deadlines (DL_HOOK, DL_METRICS,
 * DL_REPORT) and sleeps until decide_next().
 */
void decide(struct decide_state *st, const struct limits *l,
    const struct readings *in, struct decision *out);

/*
 * The warning level: MemAvailable at or below mem_warn with free swap at
 * or below swap_warn, or (read below their gates) PSI at psi_warn or the
 * refault rate at thrash_warn.  It ends only once memory is a quarter
 * above mem_warn and the figures a quarter below their warn levels
 * (hysteresis), and a new warning needs warn_interval since the last.
 */
#define DECIDE_WARN_SLACK 4	/* the hysteresis: a quarter */

/* A kill began on the reading of in: the refill mark is that reading. */
void decide_started(struct decide_state *st, const struct readings *in);

/*
 * Nobody could be killed (or the scan failed): scan again no sooner than
 * DECIDE_RETRY_MS from now.  Returns true the first time in a row, for
 * the caller to say so once.  out's deadlines move accordingly.
 */
bool decide_no_candidate(struct decide_state *st, const struct readings *in,
    struct decision *out);

/* The victim went before it could be signalled: look again at once. */
void decide_resample(struct decision *out, uint64_t now_ms);

/*
 * The next wake-up: the soonest deadline of out, which it was in *which
 * (if not NULL).  ms from now_ms, 0 if due already; UINT32_MAX if none
 * (no deadline is ever unset in practice: DL_HEADROOM always is).
 */
uint32_t decide_next(const struct decision *out, uint64_t now_ms,
    enum deadline *which);

#endif
