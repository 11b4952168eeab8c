/* SPDX-License-Identifier: MIT */
/* decide.c: what one pass of the loop does, and when the next one runs. */
#include <signal.h>
#include <string.h>

#include "decide.h"

const char *const deadline_names[] = { "now", "headroom", "pace", "hold",
	"retry", "victim", "hook", "metrics", "report" };

void
decide_init(struct decide_state *st)
{
	memset(st, 0, sizeof(*st));
	monitor_pace_reset(&st->pace);
	monitor_window_reset(&st->psi_win);
	monitor_window_reset(&st->thrash_win);
	monitor_window_reset(&st->scan_win);
}

bool
decide_psi_wanted(const struct limits *l, const struct mem_sample *s)
{
	return l->psi_on && s->exact && s->avail_kib <= l->psi_gate_kib;
}

bool
decide_thrash_wanted(const struct limits *l, const struct mem_sample *s)
{
	return l->thrash_cutoff_centi > 0 && s->exact &&
	       s->avail_kib <= l->thrash_gate_kib;
}

/* PSI and the refault rate: each a hold of its own. */
static void
pressure(struct decide_state *st, const struct limits *l,
    const struct readings *in, struct decision *out)
{
	uint64_t now = in->now_ms, total;

	/* Counted only below a gate; leaving it ends a hold. */
	if (!in->psi_watch) {
		st->psi.holding = false;
		monitor_window_reset(&st->psi_win);
	} else if (in->psi_read) {
		total = monitor_psi_total(l, &in->psi);
		monitor_window_add(&st->psi_win, now, total);
		out->psi_centi = monitor_psi_windowed(l) ?
		    monitor_window_stall_centi(&st->psi_win, l->psi_window_ms) :
		    monitor_psi_value(l, &in->psi);
		out->psi_due = monitor_psi_hold(&st->psi, l, out->psi_centi,
		    total, in->mem.avail_kib, now);
	}
	if (!in->thrash_watch) {
		st->thrash.holding = false;
		monitor_window_reset(&st->thrash_win);
		monitor_window_reset(&st->scan_win);
	} else if (in->vm_read) {
		uint64_t scans = 0, dt;

		monitor_window_add(&st->thrash_win, now, in->vm.refaults);
		monitor_window_add(&st->scan_win, now, in->vm.scanned);
		/*
		 * Refaults count only while reclaim runs: after a kill, a
		 * program reads back what it lost, fast, into memory that is
		 * free now, and that is no thrashing (lmkd counts them within
		 * a reclaim cycle for the same reason).
		 */
		monitor_window_rise(&st->scan_win, MONITOR_THRASH_WINDOW_MS,
		    &scans, &dt);
		out->thrash_centi = scans == 0 ? 0 :
		    monitor_window_thrash_centi(&st->thrash_win,
		    MONITOR_THRASH_WINDOW_MS, in->vm.file_lru_pages);
		out->thrash_due = monitor_thrash_hold(&st->thrash, l,
		    out->thrash_centi, in->mem.avail_kib, now);
	}
}

/* The victim under way: gone, stuck, due for SIGKILL, or still waited for. */
static enum action
victim_step(const struct readings *in, bool kill_level)
{
	const struct victim_clock *v = &in->victim;
	uint64_t now = in->now_ms;
	bool term_over = now >= v->term_deadline_ms;

	/* A dry run sent nothing: its timeline is played, then let go. */
	if (v->dry_run) {
		if (v->sig == SIGTERM && (kill_level || term_over))
			return ACTION_ESCALATE;
		return term_over ? ACTION_GONE : ACTION_WAIT;
	}
	if (v->gone)
		return ACTION_GONE;
	if (v->sig == SIGTERM && (kill_level || term_over))
		return ACTION_ESCALATE;
	if (v->sig == SIGKILL && now >= v->kill_ms + DECIDE_STUCK_MS)
		return ACTION_STUCK;
	return ACTION_WAIT;
}

/* When time alone gives the victim's timeline something to do. */
static uint64_t
victim_deadline(const struct readings *in, enum action a)
{
	const struct victim_clock *v = &in->victim;
	uint64_t now = in->now_ms, at;

	if (v->dry_run || (v->sig == SIGTERM && a != ACTION_ESCALATE))
		at = v->term_deadline_ms;
	else if (a == ACTION_ESCALATE)
		at = now + DECIDE_STUCK_MS;
	else
		at = v->kill_ms + DECIDE_STUCK_MS;
	if (v->polled && !v->dry_run && at > now + DECIDE_POLL_GONE_MS)
		at = now + DECIDE_POLL_GONE_MS;
	return at > now ? at : now;
}

/*
 * After nobody could be killed, the next scan is due DECIDE_RETRY_MS
 * later: sampling before it is pointless (nothing can be done until
 * then), and sampling later would put the scan off.  So the sampling
 * deadlines give way to DL_RETRY.
 */
static void
apply_retry(const struct decide_state *st, const struct readings *in,
    struct decision *out)
{
	if (in->victim.active || st->retry_at_ms <= in->now_ms)
		return;
	out->at_ms[DL_HEADROOM] = out->at_ms[DL_PACE] = DECIDE_NEVER;
	out->at_ms[DL_HOLD] = DECIDE_NEVER;
	out->at_ms[DL_RETRY] = st->retry_at_ms;
}

/* Where the warning level stands (see decide.h). */
static void
warning(struct decide_state *st, const struct limits *l,
    const struct readings *in, struct decision *out, uint32_t interval_ms)
{
	const struct mem_sample *s = &in->mem;
	uint64_t w = l->mem_warn_kib;
	bool swap_low = s->swap_total_kib == 0 ||
	    monitor_swap_left(s) <= l->swap_warn_kib;
	bool mem = w > 0 && s->avail_kib <= w && swap_low;
	bool psi = l->psi_warn_centi > 0 && in->psi_read &&
	    out->psi_centi >= l->psi_warn_centi;
	bool thrash = l->thrash_warn_centi > 0 && in->vm_read &&
	    out->thrash_centi >= l->thrash_warn_centi;
	bool clear;

	if (mem || psi || thrash) {
		out->warn_reason = mem ? REASON_MEM_TERM : psi ? REASON_PSI :
		    REASON_THRASH;
		if (!st->warn_active && (st->warned_ms == 0 ||
		    in->now_ms >= st->warned_ms + interval_ms))
			out->warn = true;
		st->warn_active = true;
	} else if (st->warn_active) {
		/* Off only well clear of every warning level. */
		clear = (w == 0 || s->avail_kib > w + w / DECIDE_WARN_SLACK ||
		    !swap_low) &&
		    (!in->psi_read || out->psi_centi < l->psi_warn_centi -
		    l->psi_warn_centi / DECIDE_WARN_SLACK) &&
		    (!in->vm_read || out->thrash_centi < l->thrash_warn_centi -
		    l->thrash_warn_centi / DECIDE_WARN_SLACK);
		if (clear)
			st->warn_active = false;
	}
	out->warn_active = st->warn_active;
}

void
decide(struct decide_state *st, const struct limits *l,
    const struct readings *in, struct decision *out)
{
	uint64_t now = in->now_ms;
	uint32_t t;
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < DL_COUNT; i++)
		out->at_ms[i] = DECIDE_NEVER;
	out->level = monitor_mem_level(l, &in->mem);

	pressure(st, l, in, out);
	warning(st, l, in, out, l->warn_interval_ms);

	if (in->victim.active) {
		out->action = victim_step(in, out->level == LEVEL_KILL);
		if (out->action == ACTION_GONE || out->action == ACTION_STUCK) {
			/* Memory has changed: look again before acting. */
			monitor_psi_killed(&st->psi, l, now);
			monitor_psi_killed(&st->thrash, l, now);
			if (out->action == ACTION_GONE && !in->victim.dry_run) {
				st->refill.set = true;
				st->refill.gone_ms = now;
				st->hold_told = false;
			}
			out->at_ms[DL_NOW] = now;
			out->warn = false;
			return;
		}
		out->at_ms[DL_VICTIM] = victim_deadline(in, out->action);
	} else if (!out->psi_due && !out->thrash_due &&
	    monitor_refill_hold(l, &st->refill, &in->mem, out->level, now)) {
		/* The last victim's memory may still be on its way back. */
		out->action = ACTION_HOLD;
		out->announce = !st->hold_told;
		st->hold_told = true;
	} else if ((out->level != LEVEL_NONE || out->psi_due ||
	    out->thrash_due) && now >= st->retry_at_ms) {
		out->action = out->level == LEVEL_KILL ? ACTION_KILL :
		    ACTION_TERM;
		out->reason = out->level == LEVEL_KILL ? REASON_MEM_KILL :
		    out->level == LEVEL_TERM ? REASON_MEM_TERM :
		    out->psi_due ? REASON_PSI : REASON_THRASH;
	}
	/* A warning never delays a kill: with one, it says nothing more. */
	if (out->action != ACTION_NONE && out->action != ACTION_HOLD)
		out->warn = false;
	if (out->warn)
		st->warned_ms = now;
	/* The shortage is over: a new one may act at once. */
	if (out->level == LEVEL_NONE && !out->psi_due && !out->thrash_due)
		st->retry_at_ms = 0;

	/* Holding below mem_term: watch closely for a further fall. */
	if (out->action == ACTION_HOLD)
		out->at_ms[DL_HOLD] = now + MONITOR_SLEEP_MIN_MS;
	else
		out->at_ms[DL_HEADROOM] = now + monitor_sleep_ms(l, &in->mem,
		    in->ncpu, in->psi_watch || in->thrash_watch);
	if (in->mem.exact) {
		/* Near a level, wake when the fill seen now would cross it. */
		t = monitor_pace_wake_ms(l, &st->pace, &in->mem, now);
		if (t != UINT32_MAX)
			out->at_ms[DL_PACE] = now + t;
		monitor_pace_add(&st->pace, in->mem.avail_kib, now);
	} else {
		monitor_pace_reset(&st->pace);
	}
	apply_retry(st, in, out);
}

void
decide_started(struct decide_state *st, const struct readings *in)
{
	st->retry_at_ms = 0;
	/* The reading this kill was decided on, for the refill hold; the
	 * mark holds once the victim is gone. */
	st->refill.set = false;
	st->refill.avail_kib = in->mem.avail_kib;
	st->refill.swap_free_kib = monitor_swap_left(&in->mem);
}

bool
decide_no_candidate(struct decide_state *st, const struct readings *in,
    struct decision *out)
{
	bool first = st->retry_at_ms == 0;

	st->retry_at_ms = in->now_ms + DECIDE_RETRY_MS;
	apply_retry(st, in, out);
	return first;
}

void
decide_resample(struct decision *out, uint64_t now_ms)
{
	out->at_ms[DL_NOW] = now_ms;
}

uint32_t
decide_next(const struct decision *out, uint64_t now_ms, enum deadline *which)
{
	uint64_t t = DECIDE_NEVER;
	int i, w = DL_HEADROOM;

	for (i = 0; i < DL_COUNT; i++) {
		if (out->at_ms[i] < t) {
			t = out->at_ms[i];
			w = i;
		}
	}
	if (which != NULL)
		*which = (enum deadline)w;
	if (t == DECIDE_NEVER)
		return UINT32_MAX;
	if (t <= now_ms)
		return 0;
	return t - now_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)(t - now_ms);
}
