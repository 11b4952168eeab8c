/* SPDX-License-Identifier: MIT */
/* monitor.h: memory and PSI readings, and the decisions made from them. */
#ifndef BUSTD_MONITOR_H
#define BUSTD_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/*
 * The rate at which memory is assumed to fill: the sleep between two
 * polls never exceeds headroom / rate, so no crossing at that rate falls
 * between them.  2 GiB/s per CPU is about what one thread faulting in
 * 4 KiB pages reaches (bench/fill.c on the test VM: 2.6 GiB/s taking back
 * memory just freed, 0.5 GiB/s from its host); transparent huge pages go
 * 4x faster, and such a fill can cross a level while bustd sleeps:
 * bustd(8), "Sleep".  fill_rate in bustd.conf replaces the rule.
 */
#define MONITOR_FILL_KIB_PER_MS_PER_CPU 2097 /* 2 GiB/s */
#define MONITOR_SLEEP_MIN_MS 10
#define MONITOR_SLEEP_MAX_MS 10000
#define MONITOR_PSI_POLL_MS 250 /* PSI and vmstat sampling below a gate */

struct mem_sample {
	uint64_t mem_total_kib;
	uint64_t avail_kib; /* exact, or a lower bound (!exact) */
	uint64_t free_kib; /* MemFree */
	uint64_t swap_total_kib;
	uint64_t swap_free_kib;
	/* The swap that can still be used: SwapFree, less what zram
	 * cannot hold in the RAM left (monitor_swap_usable_kib()).  The
	 * swap levels compare this. */
	uint64_t swap_usable_kib;
	bool zram; /* some swap is zram, and swap_usable_kib says so */
	bool exact; /* from /proc/meminfo */
	bool estimated; /* no MemAvailable: computed from parts */
};

/*
 * What /proc/vmstat tells of thrashing: pages read back soon after they
 * were evicted (the kernel's workingset refaults), against the file
 * cache they come back to.
 */
struct vmstat_sample {
	uint64_t refaults; /* workingset_refault_file + _anon, or, before
	                      Linux 5.9, workingset_refault */
	uint64_t file_lru_pages; /* nr_active_file + nr_inactive_file */
	uint64_t scanned; /* pgscan_kswapd + pgscan_direct: reclaim at work */
};

/* One swap device of /proc/swaps, and for zram its mm_stat. */
#define MONITOR_SWAPS_MAX 8
struct swap_dev {
	uint64_t size_kib;
	uint64_t used_kib;
	int zram; /* N of /dev/zramN, -1 if not zram */
	uint64_t orig_bytes; /* zram: data stored, uncompressed */
	uint64_t mem_used_bytes; /* zram: RAM it takes for them */
	uint64_t mem_limit_bytes; /* zram: its limit, 0 if none */
};

/*
 * Counters sampled over time, for a rate over a window: the last
 * MONITOR_WINDOW_N readings of a counter that only grows.
 */
#define MONITOR_WINDOW_N 64
struct rate_window {
	uint64_t ms[MONITOR_WINDOW_N];
	uint64_t v[MONITOR_WINDOW_N];
	unsigned int n;
	unsigned int next;
};

/* One line of /proc/pressure/memory. */
struct psi_line {
	uint32_t avg10_centi; /* hundredths of a percent */
	uint32_t avg60_centi;
	uint32_t avg300_centi;
	uint64_t total_us;
};

struct psi_sample {
	struct psi_line some;
	struct psi_line full;
	bool has_full;
};

/* Thresholds of a policy resolved in KiB for this machine. */
struct limits {
	uint32_t psi_window_ms; /* psi_metric some or full */
	uint32_t thrash_cutoff_centi; /* % of the file LRU refaulted per s;
	                                 0: off */
	uint32_t thrash_duration_ms;
	uint64_t thrash_gate_kib;
	uint64_t mem_warn_kib; /* 0: no warning on memory */
	uint64_t swap_warn_kib;
	uint32_t psi_warn_centi;
	uint32_t thrash_warn_centi;
	uint32_t warn_interval_ms;
	uint64_t mem_term_kib;
	uint64_t mem_kill_kib;
	uint64_t swap_term_kib;
	uint64_t swap_kill_kib;
	uint64_t psi_gate_kib;
	bool psi_on;
	int psi_metric;
	uint32_t psi_cutoff_centi;
	uint32_t psi_duration_ms;
	uint32_t cooldown_ms;
	uint64_t fill_kib_per_ms; /* 0: MONITOR_FILL_KIB_PER_MS_PER_CPU each */
};

enum level {
	LEVEL_NONE,
	LEVEL_TERM,
	LEVEL_KILL,
};

/* Why a victim is taken: the reading that crossed its level. */
enum kill_reason {
	REASON_MEM_TERM,
	REASON_MEM_KILL,
	REASON_PSI,
	REASON_THRASH,
	REASON_COUNT,
};

/* "mem_term", "mem_kill", "psi", "thrash": the keys of the levels. */
extern const char *const kill_reason_names[];

/* Pure parsers. */
int monitor_vmstat_parse_buf(const char *buf, size_t len,
    struct vmstat_sample *out);
/*
 * /proc/swaps into out (at most max devices; *n set).  Only the size and
 * use of each, and which are /dev/zramN.  0 or -EINVAL.
 */
int monitor_swaps_parse_buf(const char *buf, size_t len, struct swap_dev *out,
    size_t max, size_t *n);
/* /sys/block/zramN/mm_stat into dev's zram fields.  0 or -EINVAL. */
int monitor_mm_stat_parse_buf(const char *buf, size_t len,
    struct swap_dev *dev);

/*
 * The swap that can still be used, avail_kib being MemAvailable: every
 * disk device's free space, and for zram what the RAM left can hold at
 * its compression ratio so far (orig / mem_used; 1:1 while it is empty,
 * since nothing is known yet), within its free space and its mem_limit.
 * zram's free space costs RAM that SwapFree does not show: with data
 * that does not compress, a full MemAvailable fills with zram pages and
 * the machine freezes with swap "free".
 */
uint64_t monitor_swap_usable_kib(const struct swap_dev *devs, size_t n,
    uint64_t avail_kib);

void monitor_window_reset(struct rate_window *w);
void monitor_window_add(struct rate_window *w, uint64_t ms, uint64_t v);
/*
 * How much the counter rose over the last span_ms: from the newest
 * reading at least span_ms older than the last one (or the oldest kept)
 * to the last.  false with fewer than two readings, or if the counter
 * went down (then the window is stale: reset it).
 */
bool monitor_window_rise(const struct rate_window *w, uint32_t span_ms,
    uint64_t *dv, uint64_t *dt_ms);
/*
 * The share of time stalled over the last span_ms, from PSI totals in
 * µs: hundredths of a percent, at most 10000.  0 without a span.
 */
uint32_t monitor_window_stall_centi(const struct rate_window *w,
    uint32_t span_ms);
/*
 * Thrashing: pages refaulted per second over the last span_ms, as
 * hundredths of a percent of file_lru_pages (10000: the whole file cache
 * read back once a second).  0 without a span; capped at 10000000.
 */
uint32_t monitor_window_thrash_centi(const struct rate_window *w,
    uint32_t span_ms, uint64_t file_lru_pages);
int monitor_meminfo_parse_buf(const char *buf, size_t len,
    struct mem_sample *out);
int monitor_psi_parse_buf(const char *buf, size_t len, struct psi_sample *out);
/*
 * totalreserve_pages as the kernel computes it (calculate_totalreserve_pages
 * in mm/page_alloc.c): per zone, min(high watermark + largest protection,
 * managed).  Returns pages, or -EINVAL if nothing was parsed.
 */
int monitor_zoneinfo_reserve_parse_buf(const char *buf, size_t len,
    uint64_t *pages);

void monitor_limits(const struct policy *p, uint64_t mem_total_kib,
    uint64_t swap_total_kib, struct limits *out);

/* The swap left of s the swap levels compare: usable, or free. */
uint64_t monitor_swap_left(const struct mem_sample *s);

/* The memory level of s: both MemAvailable and free swap at or below. */
enum level monitor_mem_level(const struct limits *l,
    const struct mem_sample *s);

/*
 * The fast-path rule.  The kernel computes MemAvailable as MemFree minus
 * totalreserve plus parts of the page cache and of reclaimable slab that
 * are never negative (si_mem_available() in mm/show_mem.c), so
 * MemAvailable >= MemFree - totalreserve.  When that bound, from
 * sysinfo(2)'s freeram, is above every level that can matter, no
 * threshold can have been crossed and /proc/meminfo need not be read.
 * Returns true if meminfo may be skipped.
 */
bool monitor_fast_path_safe(const struct limits *l, uint64_t free_kib,
    uint64_t reserve_kib);

/* The bound itself, MemFree - reserve (0 below the reserve). */
uint64_t monitor_bound_kib(uint64_t free_kib, uint64_t reserve_kib);

/* The highest MemAvailable at which anything can happen under l. */
uint64_t monitor_watch_kib(const struct limits *l);

/*
 * Is reading /proc/meminfo worth it when the sysinfo(2) bound (fast, a
 * sample with exact false) is safe to use?  The bound leaves out the page
 * cache and reclaimable slab; with much of them it makes bustd wake far
 * more often than MemAvailable would.  gap_kib is what the last exact
 * reading was above its own bound.  An exact reading costs about half a
 * wake-up more (the file is formatted on each read): it pays when, with
 * the same gap, bustd could sleep at least twice as long.  It is always
 * safe: an exact reading is the one bustd uses when the bound is not.
 */
bool monitor_exact_pays(const struct limits *l, const struct mem_sample *fast,
    uint64_t gap_kib, unsigned int ncpu);
/* The gap is learned again at least this often, when it can matter. */
#define MONITOR_GAP_MS 30000

/*
 * Should this poll read /proc/meminfo although the bound is safe?  When
 * the gap is worth it, or is stale (gap_stale: older than MONITOR_GAP_MS,
 * or never learned).  Never when the bound alone allows half the longest
 * sleep or more: no reading can double that.
 */
bool monitor_exact_due(const struct limits *l, const struct mem_sample *fast,
    uint64_t gap_kib, bool gap_stale, unsigned int ncpu);

/*
 * How long to sleep before the next poll: the time a fill at the assumed
 * rate needs to reach the nearest level below s, clamped to [MIN, MAX].
 * The rate is l->fill_kib_per_ms (fill_rate), or when that is 0,
 * MONITOR_FILL_KIB_PER_MS_PER_CPU times ncpu.  psi_watch: PSI is being
 * sampled (below the gate).
 */
uint32_t monitor_sleep_ms(const struct limits *l, const struct mem_sample *s,
    unsigned int ncpu, bool psi_watch);

/*
 * Timer slack for a sleep of sleep_ms: how much earlier than sleep_ms
 * bustd lets the kernel wake it, so that its wake-up can join one the
 * machine has anyway (prctl(PR_SET_TIMERSLACK)).  The loop sleeps
 * sleep_ms - slack with that slack, so it never wakes later than
 * monitor_sleep_ms() allows.  0 below MONITOR_SLACK_FROM_MS, where bustd
 * keeps MONITOR_SLACK_NEAR_NS; above it the largest power of two ms not
 * over an eighth of the sleep, at most MONITOR_SLACK_MAX_MS.  Powers of
 * two: the slack changes, and costs a prctl, only when the sleep doubles
 * or halves.
 */
#define MONITOR_SLACK_FROM_MS 256
#define MONITOR_SLACK_MAX_MS 1024
#define MONITOR_SLACK_NEAR_NS 50000 /* the kernel's default */
uint32_t monitor_slack_ms(uint32_t sleep_ms);

/*
 * The last exact readings, for the pace of a fill: a fill that comes in
 * steps (a program touching its memory a few MiB at a time) looks fast or
 * still over 10 ms, steady over 50.
 */
#define MONITOR_PACE_N 8
#define MONITOR_PACE_BASE_MS 50	/* the longer base, at least */
#define MONITOR_PACE_MAX_MS 1000	/* no base older than this */
struct pace {
	uint64_t avail_kib[MONITOR_PACE_N];
	uint64_t ms[MONITOR_PACE_N];
	unsigned int n;		/* readings kept, up to MONITOR_PACE_N */
	unsigned int next;	/* where the next one goes */
};

void monitor_pace_reset(struct pace *p);
void monitor_pace_add(struct pace *p, uint64_t avail_kib, uint64_t now_ms);
/*
 * When to wake for the crossing the kept readings foretell, s being the
 * exact reading of now_ms (not yet added): the soonest of three
 * forecasts by monitor_predict_ms(), at the pace from the last reading to
 * s, from the newest at least MONITOR_PACE_BASE_MS old (or the oldest
 * kept) to s, and the fastest between two kept readings at least
 * MONITOR_SLEEP_MIN_MS apart (the pace of a fill's last step); then
 * three quarters of that, plus 1 ms, so that bustd wakes a little early
 * and looks again rather than late.
 * UINT32_MAX: no fall to go by.
 */
uint32_t monitor_pace_wake_ms(const struct limits *l, const struct pace *p,
    const struct mem_sample *s, uint64_t now_ms);

/*
 * If memory keeps falling as it did between two exact samples (fall_kib
 * in elapsed_ms), the ms until MemAvailable reaches the nearest level
 * still above it; UINT32_MAX if it is not falling.  Near a level the
 * loop wakes then (monitor_pace_wake_ms) rather than after
 * MONITOR_SLEEP_MIN_MS: a crossing is seen a millisecond or two after it
 * happens.
 */
uint32_t monitor_predict_ms(const struct limits *l, const struct mem_sample *s,
    uint64_t fall_kib, uint64_t elapsed_ms);

/*
 * PSI decision.  A kill needs, for psi_duration without a break: the metric
 * at or above the cutoff and MemAvailable at or below the gate; and over
 * that same span the stall time counted by the kernel (total=) must be at
 * least cutoff percent of it.  The second part stops a decaying average
 * (avg10 takes ~10 s to fall) from costing a second victim after the
 * pressure has gone.  After a kill nothing fires during the cooldown.
 */
struct psi_state {
	bool holding;
	uint64_t since_ms;
	uint64_t total_at_since_us;
	uint64_t cooldown_until_ms;
};

uint32_t monitor_psi_value(const struct limits *l, const struct psi_sample *s);
uint64_t monitor_psi_total(const struct limits *l, const struct psi_sample *s);

/* Feed one reading; true when a kill is due now. */
bool monitor_psi_update(struct psi_state *st, const struct limits *l,
    const struct psi_sample *s, uint64_t avail_kib, uint64_t now_ms);
/* The same, for a value found otherwise (a windowed metric: some, full)
 * and the stall total it came from. */
bool monitor_psi_hold(struct psi_state *st, const struct limits *l,
    uint32_t value, uint64_t total, uint64_t avail_kib, uint64_t now_ms);
/* Does l watch the full line, and is its metric a window of totals? */
bool monitor_psi_full(const struct limits *l);
bool monitor_psi_windowed(const struct limits *l);
/*
 * Thrashing: value (monitor_window_thrash_centi()) at or above
 * thrash_cutoff, with MemAvailable at or below thrash_mem_gate, held for
 * thrash_duration without a break; nothing within the cooldown after a
 * kill.  st is its own state (since, cooldown).  true when a kill is due.
 */
bool monitor_thrash_hold(struct psi_state *st, const struct limits *l,
    uint32_t value, uint64_t avail_kib, uint64_t now_ms);
/* The window the thrash rate is measured over. */
#define MONITOR_THRASH_WINDOW_MS 1000

/* Record a kill: start the cooldown, forget the current hold. */
void monitor_psi_killed(struct psi_state *st, const struct limits *l,
    uint64_t now_ms);

/*
 * After a victim is gone, its memory can take seconds to show up in
 * MemAvailable (on virtual machines that hand freed pages back to the
 * host it comes back at a few hundred MiB/s), and a reading still at or
 * below mem_term then would cost a second victim for the same shortage.
 * So for cooldown after a victim is gone, the SIGTERM level acts again
 * only once MemAvailable (or free swap) has fallen more than
 * MONITOR_REFILL_SLACK_KIB below the reading that last kill was decided
 * on: something else is taking memory.  The SIGKILL level always acts.
 */
#define MONITOR_REFILL_SLACK_KIB (32 * 1024)

struct refill_mark {
	bool set;
	uint64_t gone_ms; /* when the victim was seen gone */
	uint64_t avail_kib; /* the reading its kill was decided on */
	uint64_t swap_free_kib;
};

/* true while a kill at the SIGTERM level must wait (see above). */
bool monitor_refill_hold(const struct limits *l, const struct refill_mark *m,
    const struct mem_sample *s, enum level level, uint64_t now_ms);

/* --- Readers: thin wrappers over the parsers, fds kept open. --- */

struct monitor {
	int procfs_fd; /* the caller's */
	int sysfs_fd; /* the caller's, -1 if none */
	int meminfo_fd;
	int vmstat_fd; /* -1 without */
	int swaps_fd; /* -1 without */
	/* The swap devices as last read, and the mm_stat of each zram. */
	struct swap_dev swaps[MONITOR_SWAPS_MAX];
	size_t nswaps;
	int zram_fd[MONITOR_SWAPS_MAX]; /* by index in swaps, or -1 */
	size_t nzram;
	int psi_fd; /* for reading; -1 without PSI */
	int trigger_fd; /* PSI trigger (POLLPRI), or -1 */
	int zoneinfo_fd; /* -1 without */
	char *zoneinfo_buf; /* allocated by monitor_open() */
	size_t zoneinfo_size;
	uint32_t trigger_window_ms;
	uint64_t reserve_kib; /* 0: unknown, no fast path */
	bool psi_missing_warned;
};

/* How often the reserve is read again from zoneinfo. */
#define MONITOR_RESERVE_MS 30000
/* The smallest buffer zoneinfo is read into. */
#define MONITOR_ZONEINFO_MIN 16384

/*
 * Open procfs/meminfo, procfs/pressure/memory and procfs/zoneinfo, and
 * allocate the buffer zoneinfo is read into.  A missing or disabled PSI
 * is not an error (psi_fd stays -1), nor is a missing zoneinfo.
 * procfs_fd must outlive m.  Returns 0 or -errno.  Free with
 * monitor_close().
 */
int monitor_open(struct monitor *m, int procfs_fd, int sysfs_fd);
void monitor_close(struct monitor *m);

int monitor_read_meminfo(struct monitor *m, struct mem_sample *s);
int monitor_read_psi(struct monitor *m, struct psi_sample *s);
int monitor_read_vmstat(struct monitor *m, struct vmstat_sample *s);
/*
 * Read procfs/swaps and open the mm_stat of each zram device in it
 * (sysfs_fd: block/zramN/mm_stat): at start, and when SwapTotal changes.
 * Returns how many are zram, or -errno.
 */
int monitor_scan_swaps(struct monitor *m);
/*
 * With zram among the swap devices: read their use and mm_stat again,
 * and set s->swap_usable_kib (monitor_swap_usable_kib()) and s->zram.
 * Without: swap_usable_kib is swap_free_kib.  0 or -errno (then as
 * without).
 */
int monitor_read_swap(struct monitor *m, struct mem_sample *s);
/*
 * Compute reserve_kib from zoneinfo (monitor_zoneinfo_reserve_parse_buf),
 * plus a quarter for its growth between two reads.  0 or -errno: then
 * reserve_kib is 0, and every sample reads meminfo.
 */
int monitor_read_reserve(struct monitor *m);
/* Raise reserve_kib if an exact sample shows it too small. */
void monitor_check_reserve(struct monitor *m, const struct mem_sample *s);

/*
 * (Re)arm the PSI trigger for l: "some|full STALL WINDOW" written to
 * pressure/memory, 1 s window; on EINVAL (no CAP_SYS_RESOURCE: windows
 * must be multiples of 2 s) a 2 s window; failing that, no trigger and
 * the loop polls.  Returns 0 with m->trigger_fd set, or -errno.
 */
int monitor_arm_trigger(struct monitor *m, const struct limits *l);
/* The trigger line for l and window_ms, e.g. "some 150000 1000000". */
void monitor_trigger_text(char *buf, size_t size, const struct limits *l,
    uint32_t window_ms);

#endif
