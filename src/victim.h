/* SPDX-License-Identifier: MIT */
/* victim.h: who may die, in what order: rules, scores and the scan. */
#ifndef BUSTD_VICTIM_H
#define BUSTD_VICTIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cgroup.h"
#include "policy.h"
#include "proc.h"

/* Why a process is not a candidate. */
enum exclusion {
	EXCL_NONE,
	EXCL_PID1,
	EXCL_SELF, /* bustd itself */
	EXCL_KTHREAD,
	EXCL_ZOMBIE,
	EXCL_OOM_ZERO, /* oom_score 0, oom_score_adj above -1000: exiting */
	EXCL_ADJ_MIN, /* oom_score_adj -1000 */
	EXCL_NEVER_KILL,
	EXCL_NOT_ONLY_KILL,
	EXCL_UNREADABLE, /* a [never-kill] field could not be read */
	EXCL_COUNT,
};

/* The judgement on one process (or unit): pure function of policy and
 * proc_info. */
struct verdict {
	enum exclusion excl;
	int64_t score; /* base + prefer - avoid */
	int64_t base; /* oom_score, or memory in permille of RAM */
	/* The memory the ranking counts, for ties: resident (plus swap
	 * with rank_by = rss); a unit's whole memory. */
	uint64_t mem_kib;
	/* The rule of each set that matched, for the log; NULL where none.
	 * [never-kill]: the one that excluded; [only-kill]: the one that
	 * let it in; [prefer], [avoid]: those that moved the score. */
	const struct rule *rules[SET_COUNT];
};

/* The PROC_HAVE_* fields the rules of p read. */
unsigned int victim_fields(const struct policy *p);

/* Does rule r match info?  false when the field it needs is missing. */
bool victim_rule_matches(const struct rule *r, const struct proc_info *info);

/*
 * Judge info (filled with victim_fields(p) | PROC_HAVE_STAT, and
 * PROC_HAVE_OOM_SCORE, or for RSS ranking the total and maybe
 * PROC_HAVE_SWAP) against p.  Pure.  pid 1 and bustd itself are left to
 * the caller (victim_select() never reads them).
 */
void victim_judge(const struct policy *p, const struct proc_info *info,
    uint64_t mem_total_kib, struct verdict *v);

/* true if a should die before b: higher score, then more memory (the
 * verdict's mem_kib), then the higher pid. */
bool victim_better(const struct verdict *va, const struct proc_info *a,
    const struct verdict *vb, const struct proc_info *b);

/* Excluded processes by pid and start time (survivors of SIGKILL). */
#define VICTIM_STUCK_MAX 16
struct stuck_list {
	struct {
		pid_t pid;
		uint64_t start_time;
	} e[VICTIM_STUCK_MAX];
	size_t n;
};

/*
 * unit = auto: the applications found in the cgroup tree.  More than
 * this many, or members, and the rest are ranked as processes.
 */
#define VICTIM_UNITS_MAX 256
#define VICTIM_MEMBERS_MAX 16384
#define VICTIM_UNIT_PATHS (64 * 1024)

/* An application: a cgroup that unit = auto kills whole. */
struct unit {
	uint32_t path; /* offset of its path in selector.unit_paths */
	uint8_t kind; /* enum cgroup_kind: an app scope or service... */
	bool oom_group; /* ...or memory.oom.group = 1: indivisible */
	bool incomplete; /* a member unknown (unreadable, too many) */
	bool mem_from_cgroup; /* mem_kib from memory.current */
	uint64_t mem_kib; /* all its memory */
	size_t first, n; /* its members in selector.members */
	size_t procs; /* of them, those the scan saw */
	int64_t base; /* its score before rules */
	int32_t key; /* the most it or a member can score, before rules */
};

/* A process of an application, as the scan saw and judged it. */
struct member {
	pid_t pid;
	uint16_t unit;
	bool seen; /* in /proc (pass one) */
	bool judged; /* v holds its verdict */
	int32_t key; /* pass one's bound of its own score */
	int oom_score;
	uint64_t rss_kib, swap_kib;
	bool have_mem; /* rss_kib and swap_kib are read */
	uint64_t start_time;
	pid_t pgrp;
	struct verdict v;
};

struct candidate {
	int32_t id; /* a pid, or -1 - a unit's index */
	int32_t key; /* the most its score can be, before rules */
};

/* State for victim_select(), allocated once: the scan makes no heap use. */
struct selector {
	struct candidate *cands;
	size_t cap;
	size_t n;
	struct proc_bufs *bufs; /* [3]: scratch, best, a unit's members */
	char *dents; /* getdents64 buffer */
	size_t dents_size;
	struct unit *units;
	size_t nunits;
	struct member *members; /* grouped by unit */
	uint32_t *member_index; /* of members, in order of pid */
	size_t nmembers;
	char *unit_paths;
	size_t paths_used;
	struct cgroup_walk *walk;
	void *map; /* one mapping holds them all */
	size_t map_size;
	/* bustd's own children (hooks): each leads a process group of its
	 * own, and neither they nor what they start are ever candidates. */
	const pid_t *skip;
	size_t nskip;
	pid_t self;
	uint64_t mem_total_kib;
	/* From /proc/meminfo at each scan: what swap can add. */
	uint64_t swap_total_kib;
	uint64_t swap_used_kib;
	/* The cgroup2 mount: found in mountinfo at the first scan, unless
	 * set before (tests); "" if there is none. */
	char cgroup_root[CGROUP_PATH_MAX];
	bool cgroup_root_known;
	/* Figures of the last scan, for the log and the benchmark. */
	size_t scanned;
	size_t judged;
	size_t swap_reads; /* status read for VmSwap in pass two */
};

struct victim {
	struct proc_info info; /* strings point into the selector */
	struct verdict v; /* a unit's verdict when it is ranked as one */
	/* unit = auto: a [prefer] match, killed without its application
	 * or group: [prefer] names what is cheap to lose on its own. */
	bool alone;
	/* The application it was ranked as (unit = auto), or NULL; its
	 * memory and processes.  The path points into the selector. */
	const char *unit_cgroup;
	uint64_t unit_mem_kib;
	size_t unit_procs;
};

int victim_selector_init(struct selector *s, size_t cap, pid_t self);
void victim_selector_free(struct selector *s);

/*
 * Scan procfs and pick the process to kill under p.  Reads one file per
 * process (oom_score, or stat for RSS ranking), then judges in order of
 * score only those that can still win: with RSS ranking their swap too
 * (status), as long as the swap in use could lift them to the best.
 * Under unit = auto, first finds the applications in the cgroup tree:
 * each is ranked whole, by all its memory (bustd.conf(5), unit).
 * Returns 0 with *out filled, or -ESRCH when there is no candidate, or
 * -errno if procfs cannot be read.
 */
int victim_select(struct selector *s, const struct proc_ctx *pc,
    const struct policy *p, const struct stuck_list *stuck, struct victim *out);

/*
 * --list: every candidate, judged and ranked as victim_select() does,
 * printed to f; with log_debug_enabled(), every process that is not
 * one too, and why.  Returns 0 or -errno.
 */
int victim_list(FILE *f, const struct proc_ctx *pc, const struct policy *p,
    pid_t self, uint64_t mem_total_kib);

const char *victim_exclusion_name(enum exclusion e);

#define VICTIM_RULE_TEXT_MAX 1024
/*
 * Every rule that matched, for the log and --list: "[prefer] cmdline =
 * ... (profile desktop), [avoid] exe = ... (bustd.conf:12)", or "-".
 * buf returned.
 */
char *victim_rule_text(char *buf, size_t size, const struct verdict *v);

#endif
