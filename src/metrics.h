/* SPDX-License-Identifier: MIT */
/* metrics.h: the Prometheus text file: readings, thresholds and kills. */
#ifndef BUSTD_METRICS_H
#define BUSTD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "monitor.h"

/* Everything the file shows; main fills it, metrics_format prints it. */
struct metrics {
	struct mem_sample mem;
	struct psi_sample psi;
	bool psi_valid;
	bool thrash_valid;
	uint32_t thrash_centi; /* monitor_window_thrash_centi() */
	struct limits lim;
	unsigned long kills[REASON_COUNT][2];	/* [reason][SIGKILL?] */
	unsigned long dry_kills[REASON_COUNT][2]; /* decided in a dry run */
	unsigned long escalations_timeout;
	unsigned long escalations_level;
	unsigned long gone;
	unsigned long stuck;
	unsigned long no_candidate;
	unsigned long warnings[REASON_COUNT]; /* by reading; mem_term: memory */
	bool warning_active;
	unsigned long hooks_started;
	unsigned long hooks_failed;
	time_t last_kill;		/* 0: none yet */
	uint32_t poll_ms;
	bool reload_ok;			/* the last load or reload */
	time_t reload_time;		/* of the last good one */
	bool dry_run;
	const char *version;
};

/*
 * Print m in the Prometheus text exposition format into buf.  Returns the
 * length, or -ENOSPC if size is too small.  No heap.
 */
int metrics_format(char *buf, size_t size, const struct metrics *m);

/*
 * Replace path with len bytes of buf, atomically: written to "PATH.tmp"
 * in the same folder, then renamed over it.  Returns 0 or -errno.
 */
int metrics_write(const char *path, const char *buf, size_t len);

#endif
