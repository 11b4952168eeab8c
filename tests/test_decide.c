/* SPDX-License-Identifier: MIT */
/* test_decide.c: unit tests of the loop's decisions, on a fake clock. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decide.h"

#define MIB 1024ULL

/* A machine, its levels, and the decisions' state: all a pass needs. */
struct world {
	struct decide_state st;
	struct limits l;
	struct readings in;
	struct decision out;
};

/*
 * 16 GiB, no swap, 2 CPUs; mem_term 1000 MiB, mem_kill 500 MiB, cooldown
 * 5 s; PSI off unless a test turns it on (some_avg10 >= 25 for 3 s below
 * a 2000 MiB gate).  Memory is fine: 8 GiB available, read exactly.
 */
static void
world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	decide_init(&w->st);
	w->l.mem_term_kib = 1000 * MIB;
	w->l.mem_kill_kib = 500 * MIB;
	w->l.psi_gate_kib = 2000 * MIB;
	w->l.psi_metric = PSI_SOME_AVG10;
	w->l.psi_cutoff_centi = 2500;
	w->l.psi_duration_ms = 3000;
	w->l.cooldown_ms = 5000;
	w->in.now_ms = 1000000;
	w->in.ncpu = 2;
	w->in.mem.mem_total_kib = 16384 * MIB;
	w->in.mem.avail_kib = 8192 * MIB;
	w->in.mem.free_kib = 8192 * MIB;
	w->in.mem.exact = true;
}

static enum action
pass(struct world *w)
{
	decide(&w->st, &w->l, &w->in, &w->out);
	return w->out.action;
}

static void
avail(struct world *w, uint64_t mib)
{
	w->in.mem.avail_kib = mib * MIB;
}

static void
later(struct world *w, uint64_t ms)
{
	w->in.now_ms += ms;
}

/* ms to the next wake-up, and which deadline it is. */
static uint32_t
wake(const struct world *w, enum deadline *which)
{
	return decide_next(&w->out, w->in.now_ms, which);
}

/* A kill under way: sig sent now, SIGTERM's grace term_ms. */
static void
victim_start(struct world *w, int sig, uint64_t term_ms)
{
	memset(&w->in.victim, 0, sizeof(w->in.victim));
	w->in.victim.active = true;
	w->in.victim.sig = sig;
	w->in.victim.kill_ms = sig == SIGKILL ? w->in.now_ms : 0;
	w->in.victim.term_deadline_ms = w->in.now_ms + term_ms;
}

/* What the killer does on ACTION_ESCALATE. */
static void
victim_escalated(struct world *w)
{
	w->in.victim.sig = SIGKILL;
	w->in.victim.kill_ms = w->in.now_ms;
}

static void
victim_over(struct world *w)
{
	memset(&w->in.victim, 0, sizeof(w->in.victim));
}

/* Below mem_term: a TERM decision, the kill started, and its victim
 * seen gone in the next pass. */
static void
kill_one(struct world *w)
{
	assert_int_equal(pass(w), ACTION_TERM);
	decide_started(&w->st, &w->in);
	victim_start(w, SIGTERM, 2000);
	later(w, 100);
	w->in.victim.gone = true;
	assert_int_equal(pass(w), ACTION_GONE);
	victim_over(w);
}

/* PSI on, watched and read in each pass at value (hundredths of a %),
 * stalled for stall_pct of the time since start_ms. */
static void
psi_at(struct world *w, uint32_t value, uint64_t start_ms, unsigned stall_pct)
{
	w->l.psi_on = true;
	w->in.psi_watch = true;
	w->in.psi_read = true;
	w->in.psi.some.avg10_centi = value;
	w->in.psi.some.total_us =
	    (w->in.now_ms - start_ms) * 1000 * stall_pct / 100;
}

/* --- Levels --- */

static void
test_decide_memory_fine(void **state)
{
	struct world w;
	enum deadline which;

	world_init(&w);
	assert_int_equal(pass(&w), ACTION_NONE);
	assert_int_equal(w.out.level, LEVEL_NONE);
	assert_false(w.out.psi_due);
	/* The only reason to wake is the headroom. */
	assert_int_equal(wake(&w, &which),
	    monitor_sleep_ms(&w.l, &w.in.mem, 2, false));
	assert_int_equal(which, DL_HEADROOM);
	assert_int_equal(w.out.at_ms[DL_NOW], DECIDE_NEVER);
	assert_int_equal(w.out.at_ms[DL_VICTIM], DECIDE_NEVER);
}

static void
test_decide_term_and_kill_levels(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 1001);
	assert_int_equal(pass(&w), ACTION_NONE);
	avail(&w, 1000);
	assert_int_equal(pass(&w), ACTION_TERM);
	assert_int_equal(w.out.reason, REASON_MEM_TERM);
	avail(&w, 501);
	assert_int_equal(pass(&w), ACTION_TERM);
	avail(&w, 500);
	assert_int_equal(pass(&w), ACTION_KILL);
	assert_int_equal(w.out.reason, REASON_MEM_KILL);
	assert_int_equal(w.out.level, LEVEL_KILL);
}

/* --- Nobody to kill --- */

static void
test_decide_retry_after_no_candidate(void **state)
{
	struct world w;
	enum deadline which;

	world_init(&w);
	avail(&w, 900);
	assert_int_equal(pass(&w), ACTION_TERM);
	/* The first time in a row is said, later ones are not. */
	assert_true(decide_no_candidate(&w.st, &w.in, &w.out));
	/* Exactly a second: the next scan, and no sampling before it. */
	assert_int_equal(w.st.retry_at_ms, w.in.now_ms + 1000);
	assert_int_equal(wake(&w, &which), 1000);
	assert_int_equal(which, DL_RETRY);
	assert_int_equal(w.out.at_ms[DL_HEADROOM], DECIDE_NEVER);
	assert_int_equal(w.out.at_ms[DL_PACE], DECIDE_NEVER);

	later(&w, 999);
	assert_int_equal(pass(&w), ACTION_NONE);
	assert_int_equal(wake(&w, &which), 1);
	assert_int_equal(which, DL_RETRY);
	later(&w, 1);
	assert_int_equal(pass(&w), ACTION_TERM);
	assert_false(decide_no_candidate(&w.st, &w.in, &w.out));
	/* The kill level waits for the retry too: nobody can die. */
	later(&w, 500);
	avail(&w, 400);
	assert_int_equal(pass(&w), ACTION_NONE);
	later(&w, 500);
	assert_int_equal(pass(&w), ACTION_KILL);
}

static void
test_decide_retry_ends_with_the_shortage(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 900);
	assert_int_equal(pass(&w), ACTION_TERM);
	decide_no_candidate(&w.st, &w.in, &w.out);
	later(&w, 100);
	avail(&w, 4000);
	assert_int_equal(pass(&w), ACTION_NONE);
	assert_int_equal(w.st.retry_at_ms, 0);
	/* A new shortage acts at once, and is said again. */
	later(&w, 100);
	avail(&w, 900);
	assert_int_equal(pass(&w), ACTION_TERM);
	assert_true(decide_no_candidate(&w.st, &w.in, &w.out));
}

static void
test_decide_retry_is_the_next_pass(void **state)
{
	struct world w;
	enum deadline which;

	/* Far from the kill level, the next sample would be seconds away:
	 * the scan is retried after a second all the same. */
	world_init(&w);
	w.l.mem_kill_kib = 0;
	w.l.fill_kib_per_ms = 1;
	avail(&w, 990);
	assert_int_equal(pass(&w), ACTION_TERM);
	assert_true(wake(&w, NULL) > 1000);
	decide_no_candidate(&w.st, &w.in, &w.out);
	assert_int_equal(wake(&w, &which), 1000);
	assert_int_equal(which, DL_RETRY);
}

/* --- After a victim: the refill hold --- */

static void
test_decide_refill_hold(void **state)
{
	struct world w;
	enum deadline which;

	world_init(&w);
	avail(&w, 900);
	kill_one(&w);
	assert_true(w.st.refill.set);
	assert_int_equal(w.st.refill.avail_kib, 900 * MIB);

	/* Still below mem_term, as when it was chosen: its memory may be
	 * on its way back.  Said once; watched closely. */
	later(&w, 10);
	avail(&w, 910);
	assert_int_equal(pass(&w), ACTION_HOLD);
	assert_true(w.out.announce);
	assert_int_equal(wake(&w, &which), MONITOR_SLEEP_MIN_MS);
	assert_int_equal(which, DL_HOLD);
	later(&w, 10);
	assert_int_equal(pass(&w), ACTION_HOLD);
	assert_false(w.out.announce);
	assert_int_equal(wake(&w, &which), MONITOR_SLEEP_MIN_MS);
	assert_int_equal(which, DL_HOLD);

	/* Within the slack below the mark: still holding. */
	avail(&w, 900 - 32);
	assert_int_equal(pass(&w), ACTION_HOLD);
	/* Further: something else takes memory. */
	avail(&w, 900 - 33);
	assert_int_equal(pass(&w), ACTION_TERM);
}

static void
test_decide_refill_hold_kill_level(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 900);
	kill_one(&w);
	later(&w, 10);
	avail(&w, 950);
	assert_int_equal(pass(&w), ACTION_HOLD);
	/* The kill level never waits. */
	avail(&w, 500);
	assert_int_equal(pass(&w), ACTION_KILL);
}

static void
test_decide_refill_hold_ends_after_cooldown(void **state)
{
	struct world w;
	uint64_t gone;

	world_init(&w);
	avail(&w, 900);
	kill_one(&w);
	gone = w.in.now_ms;
	later(&w, 4999);
	assert_int_equal(pass(&w), ACTION_HOLD);
	w.in.now_ms = gone + 5000;
	assert_int_equal(pass(&w), ACTION_TERM);
	/* A hold later on is said again. */
	decide_started(&w.st, &w.in);
	victim_start(&w, SIGTERM, 2000);
	later(&w, 10);
	w.in.victim.gone = true;
	assert_int_equal(pass(&w), ACTION_GONE);
	victim_over(&w);
	later(&w, 10);
	assert_int_equal(pass(&w), ACTION_HOLD);
	assert_true(w.out.announce);
}

/* --- PSI --- */

static void
test_decide_psi_wanted(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 1500);
	assert_false(decide_psi_wanted(&w.l, &w.in.mem));
	w.l.psi_on = true;
	assert_true(decide_psi_wanted(&w.l, &w.in.mem));
	/* Only on an exact reading, and at or below the gate. */
	w.in.mem.exact = false;
	assert_false(decide_psi_wanted(&w.l, &w.in.mem));
	w.in.mem.exact = true;
	avail(&w, 2000);
	assert_true(decide_psi_wanted(&w.l, &w.in.mem));
	avail(&w, 2001);
	assert_false(decide_psi_wanted(&w.l, &w.in.mem));
}

static void
test_decide_psi_duration(void **state)
{
	struct world w;
	uint64_t t0;

	world_init(&w);
	avail(&w, 1500);
	t0 = w.in.now_ms;
	psi_at(&w, 3000, t0, 40);
	assert_int_equal(pass(&w), ACTION_NONE);
	assert_true(w.st.psi.holding);
	later(&w, 2999);
	psi_at(&w, 3000, t0, 40);
	assert_int_equal(pass(&w), ACTION_NONE);
	later(&w, 1);
	psi_at(&w, 3000, t0, 40);
	assert_int_equal(pass(&w), ACTION_TERM);
	assert_true(w.out.psi_due);
	assert_int_equal(w.out.reason, REASON_PSI);
	assert_int_equal(w.out.level, LEVEL_NONE);
}

static void
test_decide_psi_dip_starts_over(void **state)
{
	struct world w;
	uint64_t t0;

	world_init(&w);
	avail(&w, 1500);
	t0 = w.in.now_ms;
	psi_at(&w, 3000, t0, 40);
	pass(&w);
	later(&w, 1500);
	psi_at(&w, 2000, t0, 40);
	assert_int_equal(pass(&w), ACTION_NONE);
	assert_false(w.st.psi.holding);
	later(&w, 100);
	t0 = w.in.now_ms;
	psi_at(&w, 3000, t0, 40);
	pass(&w);
	later(&w, 2999);
	psi_at(&w, 3000, t0, 40);
	assert_int_equal(pass(&w), ACTION_NONE);
	later(&w, 1);
	psi_at(&w, 3000, t0, 40);
	assert_int_equal(pass(&w), ACTION_TERM);
}

static void
test_decide_psi_unwatched_ends_hold(void **state)
{
	struct world w;
	uint64_t t0;

	world_init(&w);
	avail(&w, 1500);
	t0 = w.in.now_ms;
	psi_at(&w, 3000, t0, 40);
	pass(&w);
	assert_true(w.st.psi.holding);
	/* Above the gate again: not watched, the hold is over. */
	later(&w, 1000);
	avail(&w, 2500);
	w.in.psi_watch = w.in.psi_read = false;
	assert_int_equal(pass(&w), ACTION_NONE);
	assert_false(w.st.psi.holding);
	/* Watched but unreadable this pass: the hold goes on. */
	avail(&w, 1500);
	psi_at(&w, 3000, w.in.now_ms, 40);
	pass(&w);
	w.in.psi_read = false;
	later(&w, 500);
	pass(&w);
	assert_true(w.st.psi.holding);
}

static void
test_decide_psi_cooldown(void **state)
{
	struct world w;
	uint64_t t0, gone;

	world_init(&w);
	avail(&w, 1500);
	t0 = w.in.now_ms;
	psi_at(&w, 3000, t0, 40);
	pass(&w);
	later(&w, 3000);
	psi_at(&w, 3000, t0, 40);
	assert_int_equal(pass(&w), ACTION_TERM);
	decide_started(&w.st, &w.in);
	victim_start(&w, SIGTERM, 2000);
	later(&w, 200);
	w.in.victim.gone = true;
	psi_at(&w, 3000, t0, 40);
	assert_int_equal(pass(&w), ACTION_GONE);
	gone = w.in.now_ms;
	assert_int_equal(w.st.psi.cooldown_until_ms, gone + 5000);
	victim_over(&w);

	/* The average is still high: nothing within the cooldown... */
	t0 = w.in.now_ms;
	for (later(&w, 100); w.in.now_ms < gone + 5000; later(&w, 500)) {
		psi_at(&w, 3000, t0, 40);
		assert_int_equal(pass(&w), ACTION_NONE);
	}
	/* ...and after it, the hold has been held long enough. */
	w.in.now_ms = gone + 5000;
	psi_at(&w, 3000, t0, 40);
	assert_int_equal(pass(&w), ACTION_TERM);
	assert_int_equal(w.out.reason, REASON_PSI);
}

static void
test_decide_psi_watch_polls(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 1900);
	psi_at(&w, 0, w.in.now_ms, 0);
	w.l.fill_kib_per_ms = 1;
	pass(&w);
	/* Below the gate, PSI is sampled every MONITOR_PSI_POLL_MS. */
	assert_int_equal(wake(&w, NULL), MONITOR_PSI_POLL_MS);
}

/* The windowed metric: stalled stall_pct of the time since start_ms. */
static void
psi_window_at(struct world *w, uint64_t start_ms, unsigned stall_pct)
{
	w->l.psi_on = true;
	w->l.psi_metric = PSI_SOME;
	w->l.psi_window_ms = 1000;
	w->in.psi_watch = true;
	w->in.psi_read = true;
	/* The averages lag: only the total counts here. */
	w->in.psi.some.avg10_centi = 0;
	w->in.psi.some.total_us =
	    (w->in.now_ms - start_ms) * 1000 * stall_pct / 100;
}

static void
test_decide_psi_window(void **state)
{
	struct world w;
	uint64_t t0;
	int i;

	/* Stalled 40% of the time from t0, PSI read every 250 ms; cutoff
	 * 25% held 1 s over a 1 s window: the first reading has no span
	 * yet, the hold starts at the second (t0 + 250 ms), and is due a
	 * second later. */
	world_init(&w);
	w.l.psi_duration_ms = 1000;
	avail(&w, 1500);
	t0 = w.in.now_ms;
	for (i = 0; i < 4; i++) {
		psi_window_at(&w, t0, 40);
		assert_int_equal(pass(&w), ACTION_NONE);
		later(&w, 250);
	}
	psi_window_at(&w, t0, 40);
	assert_int_equal(pass(&w), ACTION_NONE);
	assert_int_equal(w.out.psi_centi, 4000);
	later(&w, 250);
	psi_window_at(&w, t0, 40);
	assert_int_equal(pass(&w), ACTION_TERM);
	assert_int_equal(w.out.reason, REASON_PSI);
	/* Where the average alone would not have fired at all. */
	assert_int_equal(w.in.psi.some.avg10_centi, 0);
}

static void
test_decide_psi_window_below_cutoff(void **state)
{
	struct world w;
	uint64_t t0;
	int i;

	world_init(&w);
	w.l.psi_duration_ms = 1000;
	avail(&w, 1500);
	t0 = w.in.now_ms;
	for (i = 0; i < 20; i++) {
		psi_window_at(&w, t0, 20);
		assert_int_equal(pass(&w), ACTION_NONE);
		later(&w, 250);
	}
	assert_int_equal(w.out.psi_centi, 2000);
	/* Leaving the gate forgets the window. */
	w.in.psi_watch = w.in.psi_read = false;
	avail(&w, 2500);
	pass(&w);
	assert_int_equal(w.st.psi_win.n, 0);
}

/* Refaults: rate pages a second against a file LRU of lru pages. */
static void
thrash_at(struct world *w, uint64_t start_ms, uint64_t rate, uint64_t lru)
{
	w->l.thrash_cutoff_centi = 2000;
	w->l.thrash_duration_ms = 2000;
	w->l.thrash_gate_kib = 3000 * MIB;
	w->in.thrash_watch = true;
	w->in.vm_read = true;
	w->in.vm.refaults = 1000000 + (w->in.now_ms - start_ms) * rate / 1000;
	w->in.vm.file_lru_pages = lru;
	/* Reclaim at work all along. */
	w->in.vm.scanned = 5000000 + (w->in.now_ms - start_ms) * 4;
}

static void
test_decide_thrash(void **state)
{
	struct world w;
	uint64_t t0;
	int i;

	/* 50000 pages a second into a file cache of 100000: 50% a second,
	 * over thrash_cutoff 20%, for thrash_duration 2 s. */
	world_init(&w);
	avail(&w, 2500);
	t0 = w.in.now_ms;
	thrash_at(&w, t0, 50000, 100000);
	assert_true(decide_thrash_wanted(&w.l, &w.in.mem));
	assert_int_equal(pass(&w), ACTION_NONE);
	for (i = 0; i < 8; i++) {
		later(&w, 250);
		thrash_at(&w, t0, 50000, 100000);
		assert_int_equal(pass(&w), ACTION_NONE);
	}
	assert_int_equal(w.out.thrash_centi, 5000);
	later(&w, 250);
	thrash_at(&w, t0, 50000, 100000);
	assert_int_equal(pass(&w), ACTION_TERM);
	assert_int_equal(w.out.reason, REASON_THRASH);
	assert_true(w.out.thrash_due);

	/* Gone: the cooldown holds the next one off. */
	decide_started(&w.st, &w.in);
	victim_start(&w, SIGTERM, 2000);
	later(&w, 250);
	w.in.victim.gone = true;
	thrash_at(&w, t0, 50000, 100000);
	assert_int_equal(pass(&w), ACTION_GONE);
	victim_over(&w);
	for (i = 0; i < 19; i++) {
		later(&w, 250);
		thrash_at(&w, t0, 50000, 100000);
		assert_int_equal(pass(&w), ACTION_NONE);
	}
	later(&w, 250);
	thrash_at(&w, t0, 50000, 100000);
	assert_int_equal(pass(&w), ACTION_TERM);
}

/* Refaults without reclaim: a program reading back what it lost, into
 * memory that is free now.  No thrashing. */
static void
test_decide_thrash_needs_reclaim(void **state)
{
	struct world w;
	uint64_t t0;
	int i;

	world_init(&w);
	avail(&w, 2500);
	t0 = w.in.now_ms;
	for (i = 0; i < 20; i++) {
		thrash_at(&w, t0, 200000, 100000);
		w.in.vm.scanned = 5000000;
		assert_int_equal(pass(&w), ACTION_NONE);
		assert_int_equal(w.out.thrash_centi, 0);
		later(&w, 250);
	}
}

static void
test_decide_thrash_gate_and_rate(void **state)
{
	struct world w;
	uint64_t t0;
	int i;

	/* 10% a second: under the cutoff, however long. */
	world_init(&w);
	avail(&w, 2500);
	t0 = w.in.now_ms;
	for (i = 0; i < 20; i++) {
		thrash_at(&w, t0, 10000, 100000);
		assert_int_equal(pass(&w), ACTION_NONE);
		later(&w, 250);
	}
	/* Above thrash_mem_gate: not even read. */
	avail(&w, 3001);
	assert_false(decide_thrash_wanted(&w.l, &w.in.mem));
	w.l.thrash_cutoff_centi = 0;
	avail(&w, 100);
	assert_false(decide_thrash_wanted(&w.l, &w.in.mem));
}

/* --- The warning level --- */

static void
warn_levels(struct world *w)
{
	w->l.mem_warn_kib = 2000 * MIB;
	w->l.warn_interval_ms = 60000;
}

static void
test_decide_warning_once_per_interval(void **state)
{
	struct world w;

	world_init(&w);
	warn_levels(&w);
	avail(&w, 2001);
	pass(&w);
	assert_false(w.out.warn);
	assert_false(w.out.warn_active);
	avail(&w, 2000);
	pass(&w);
	assert_true(w.out.warn);
	assert_true(w.out.warn_active);
	assert_int_equal(w.out.warn_reason, REASON_MEM_TERM);
	assert_int_equal(w.out.action, ACTION_NONE);
	/* Said once while it lasts. */
	later(&w, 1000);
	avail(&w, 1800);
	pass(&w);
	assert_false(w.out.warn);
	assert_true(w.out.warn_active);
	/* Hysteresis: a little above mem_warn is still the warning level. */
	avail(&w, 2400);
	pass(&w);
	assert_true(w.out.warn_active);
	avail(&w, 2501);
	pass(&w);
	assert_false(w.out.warn_active);
	/* Back within warn_interval: the level, but no second warning. */
	later(&w, 1000);
	avail(&w, 1900);
	pass(&w);
	assert_true(w.out.warn_active);
	assert_false(w.out.warn);
	avail(&w, 3000);
	pass(&w);
	/* After it, a new warning. */
	w.in.now_ms = 1000000 + 60000;
	avail(&w, 1900);
	pass(&w);
	assert_true(w.out.warn);
}

static void
test_decide_warning_never_delays_a_kill(void **state)
{
	struct world w;

	/* Straight from plenty to mem_term: the kill, no warning. */
	world_init(&w);
	warn_levels(&w);
	avail(&w, 900);
	assert_int_equal(pass(&w), ACTION_TERM);
	assert_false(w.out.warn);
	assert_true(w.out.warn_active);
	/* Nor while a victim is on its way out, nor when it is gone. */
	decide_started(&w.st, &w.in);
	victim_start(&w, SIGTERM, 2000);
	later(&w, 100);
	assert_int_equal(pass(&w), ACTION_WAIT);
	assert_false(w.out.warn);
	w.in.victim.gone = true;
	assert_int_equal(pass(&w), ACTION_GONE);
	assert_false(w.out.warn);
}

static void
test_decide_warning_on_pressure(void **state)
{
	struct world w;
	uint64_t t0;

	world_init(&w);
	w.l.psi_warn_centi = 1500;
	w.l.thrash_warn_centi = 1000;
	w.l.warn_interval_ms = 60000;
	w.l.psi_duration_ms = 60000;
	avail(&w, 1500);
	t0 = w.in.now_ms;
	psi_at(&w, 2000, t0, 20);
	pass(&w);
	assert_true(w.out.warn);
	assert_int_equal(w.out.warn_reason, REASON_PSI);
	/* A quarter below psi_warn ends it. */
	later(&w, 250);
	psi_at(&w, 1200, t0, 20);
	pass(&w);
	assert_true(w.out.warn_active);
	later(&w, 250);
	psi_at(&w, 1100, t0, 20);
	pass(&w);
	assert_false(w.out.warn_active);
	/* Refaults, off the PSI gate. */
	world_init(&w);
	w.l.thrash_warn_centi = 1000;
	avail(&w, 2500);
	t0 = w.in.now_ms;
	thrash_at(&w, t0, 15000, 100000);
	w.l.thrash_duration_ms = 60000;
	pass(&w);
	assert_false(w.out.warn);
	later(&w, 500);
	thrash_at(&w, t0, 15000, 100000);
	pass(&w);
	assert_true(w.out.warn);
	assert_int_equal(w.out.warn_reason, REASON_THRASH);
}

/* --- The victim under way --- */

static void
test_decide_escalation_after_term_timeout(void **state)
{
	struct world w;
	enum deadline which;

	world_init(&w);
	avail(&w, 900);
	victim_start(&w, SIGTERM, 2000);
	assert_int_equal(pass(&w), ACTION_WAIT);
	assert_int_equal(w.out.at_ms[DL_VICTIM], w.in.now_ms + 2000);
	later(&w, 1999);
	assert_int_equal(pass(&w), ACTION_WAIT);
	assert_int_equal(wake(&w, &which), 1);
	assert_int_equal(which, DL_VICTIM);
	later(&w, 1);
	assert_int_equal(pass(&w), ACTION_ESCALATE);
	assert_int_equal(w.out.level, LEVEL_TERM);
	/* After SIGKILL: DECIDE_STUCK_MS to go. */
	assert_int_equal(w.out.at_ms[DL_VICTIM], w.in.now_ms + 5000);
	victim_escalated(&w);
	later(&w, 4999);
	assert_int_equal(pass(&w), ACTION_WAIT);
	later(&w, 1);
	assert_int_equal(pass(&w), ACTION_STUCK);
	assert_int_equal(wake(&w, &which), 0);
	assert_int_equal(which, DL_NOW);
	/* Stuck is not gone: no refill hold. */
	assert_false(w.st.refill.set);
	assert_int_equal(w.st.psi.cooldown_until_ms, w.in.now_ms + 5000);
}

static void
test_decide_escalation_at_kill_level(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 900);
	victim_start(&w, SIGTERM, 10000);
	assert_int_equal(pass(&w), ACTION_WAIT);
	later(&w, 10);
	avail(&w, 500);
	assert_int_equal(pass(&w), ACTION_ESCALATE);
	assert_int_equal(w.out.level, LEVEL_KILL);
	victim_escalated(&w);
	/* Once: SIGKILL has been sent. */
	later(&w, 10);
	assert_int_equal(pass(&w), ACTION_WAIT);
}

static void
test_decide_sigkill_first_never_escalates(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 400);
	victim_start(&w, SIGKILL, 2000);
	later(&w, 3000);
	assert_int_equal(pass(&w), ACTION_WAIT);
	later(&w, 2000);
	assert_int_equal(pass(&w), ACTION_STUCK);
}

static void
test_decide_victim_gone(void **state)
{
	struct world w;
	enum deadline which;

	world_init(&w);
	avail(&w, 900);
	assert_int_equal(pass(&w), ACTION_TERM);
	decide_started(&w.st, &w.in);
	victim_start(&w, SIGTERM, 2000);
	later(&w, 300);
	avail(&w, 3000);
	w.in.victim.gone = true;
	assert_int_equal(pass(&w), ACTION_GONE);
	/* Memory has changed: look again at once. */
	assert_int_equal(wake(&w, &which), 0);
	assert_int_equal(which, DL_NOW);
	assert_true(w.st.refill.set);
	assert_int_equal(w.st.refill.gone_ms, w.in.now_ms);
	assert_int_equal(w.st.psi.cooldown_until_ms, w.in.now_ms + 5000);
}

static void
test_decide_victim_without_pidfd(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 900);
	victim_start(&w, SIGTERM, 2000);
	w.in.victim.polled = true;
	assert_int_equal(pass(&w), ACTION_WAIT);
	/* Its exit shows only by looking at /proc. */
	assert_int_equal(w.out.at_ms[DL_VICTIM], w.in.now_ms + 20);
	later(&w, 1995);
	pass(&w);
	assert_int_equal(w.out.at_ms[DL_VICTIM], w.in.now_ms + 5);
}

static void
test_decide_dry_run(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 900);
	assert_int_equal(pass(&w), ACTION_TERM);
	decide_started(&w.st, &w.in);
	victim_start(&w, SIGTERM, 1000);
	w.in.victim.dry_run = true;
	/* Nothing was sent, so nothing exits: time lets it go. */
	later(&w, 500);
	assert_int_equal(pass(&w), ACTION_WAIT);
	assert_int_equal(w.out.at_ms[DL_VICTIM], w.in.now_ms + 500);
	/* The timeline is played as a real one would go. */
	avail(&w, 400);
	assert_int_equal(pass(&w), ACTION_ESCALATE);
	victim_escalated(&w);
	later(&w, 10);
	assert_int_equal(pass(&w), ACTION_WAIT);
	assert_int_equal(w.out.at_ms[DL_VICTIM], w.in.now_ms + 490);
	later(&w, 490);
	assert_int_equal(pass(&w), ACTION_GONE);
	/* No victim died: no refill hold. */
	assert_false(w.st.refill.set);
	victim_over(&w);
	later(&w, 10);
	assert_int_equal(pass(&w), ACTION_KILL);
}

static void
test_decide_dry_run_timeout(void **state)
{
	struct world w;

	world_init(&w);
	avail(&w, 900);
	victim_start(&w, SIGTERM, 1000);
	w.in.victim.dry_run = true;
	later(&w, 1000);
	assert_int_equal(pass(&w), ACTION_ESCALATE);
	victim_escalated(&w);
	assert_int_equal(pass(&w), ACTION_GONE);
}

static void
test_decide_vanished_victim(void **state)
{
	struct world w;
	enum deadline which;

	world_init(&w);
	avail(&w, 900);
	assert_int_equal(pass(&w), ACTION_TERM);
	/* The chosen one went before it could be signalled. */
	decide_resample(&w.out, w.in.now_ms);
	assert_int_equal(wake(&w, &which), 0);
	assert_int_equal(which, DL_NOW);
	later(&w, 1);
	assert_int_equal(pass(&w), ACTION_TERM);
}

/* --- The next wake-up --- */

static void
test_decide_next_is_the_soonest(void **state)
{
	struct decision out;
	enum deadline which;
	int i;

	memset(&out, 0, sizeof(out));
	for (i = 0; i < DL_COUNT; i++)
		out.at_ms[i] = DECIDE_NEVER;
	assert_int_equal(decide_next(&out, 1000, &which), UINT32_MAX);
	out.at_ms[DL_HEADROOM] = 5000;
	out.at_ms[DL_METRICS] = 3000;
	out.at_ms[DL_HOOK] = 3500;
	assert_int_equal(decide_next(&out, 1000, &which), 2000);
	assert_int_equal(which, DL_METRICS);
	assert_string_equal(deadline_names[which], "metrics");
	out.at_ms[DL_REPORT] = 900;
	assert_int_equal(decide_next(&out, 1000, &which), 0);
	assert_int_equal(which, DL_REPORT);
	assert_int_equal(decide_next(&out, 1000, NULL), 0);
}

static void
test_decide_pace(void **state)
{
	struct world w;
	enum deadline which;

	/* Falling 1 MiB a ms, 100 MiB above mem_term: the pace forecast
	 * wakes bustd before the crossing, sooner than the headroom. */
	world_init(&w);
	w.l.fill_kib_per_ms = 16384 * MIB;
	avail(&w, 1200);
	pass(&w);
	assert_int_equal(w.out.at_ms[DL_PACE], DECIDE_NEVER);
	later(&w, 100);
	avail(&w, 1100);
	pass(&w);
	assert_int_not_equal(w.out.at_ms[DL_PACE], DECIDE_NEVER);
	assert_true(wake(&w, &which) < 100);
	/* A reading that is only a bound tells no pace. */
	later(&w, 10);
	w.in.mem.exact = false;
	pass(&w);
	assert_int_equal(w.out.at_ms[DL_PACE], DECIDE_NEVER);
	later(&w, 10);
	w.in.mem.exact = true;
	pass(&w);
	assert_int_equal(w.out.at_ms[DL_PACE], DECIDE_NEVER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_memory_fine),
		cmocka_unit_test(test_decide_term_and_kill_levels),
		cmocka_unit_test(test_decide_retry_after_no_candidate),
		cmocka_unit_test(test_decide_retry_ends_with_the_shortage),
		cmocka_unit_test(test_decide_retry_is_the_next_pass),
		cmocka_unit_test(test_decide_refill_hold),
		cmocka_unit_test(test_decide_refill_hold_kill_level),
		cmocka_unit_test(test_decide_refill_hold_ends_after_cooldown),
		cmocka_unit_test(test_decide_psi_wanted),
		cmocka_unit_test(test_decide_psi_duration),
		cmocka_unit_test(test_decide_psi_dip_starts_over),
		cmocka_unit_test(test_decide_psi_unwatched_ends_hold),
		cmocka_unit_test(test_decide_psi_cooldown),
		cmocka_unit_test(test_decide_psi_watch_polls),
		cmocka_unit_test(test_decide_psi_window),
		cmocka_unit_test(test_decide_psi_window_below_cutoff),
		cmocka_unit_test(test_decide_thrash),
		cmocka_unit_test(test_decide_thrash_needs_reclaim),
		cmocka_unit_test(test_decide_thrash_gate_and_rate),
		cmocka_unit_test(test_decide_warning_once_per_interval),
		cmocka_unit_test(test_decide_warning_never_delays_a_kill),
		cmocka_unit_test(test_decide_warning_on_pressure),
		cmocka_unit_test(test_decide_escalation_after_term_timeout),
		cmocka_unit_test(test_decide_escalation_at_kill_level),
		cmocka_unit_test(test_decide_sigkill_first_never_escalates),
		cmocka_unit_test(test_decide_victim_gone),
		cmocka_unit_test(test_decide_victim_without_pidfd),
		cmocka_unit_test(test_decide_dry_run),
		cmocka_unit_test(test_decide_dry_run_timeout),
		cmocka_unit_test(test_decide_vanished_victim),
		cmocka_unit_test(test_decide_next_is_the_soonest),
		cmocka_unit_test(test_decide_pace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
