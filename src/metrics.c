/* SPDX-License-Identifier: MIT */
/* metrics.c: the Prometheus text file, formatted on the stack. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"


struct out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->full = true;
		return;
	}
	o->len += (size_t)n;
}

static void
head(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
gauge(struct out *o, const char *name, const char *help, uint64_t v)
{
	head(o, name, "gauge", help);
	put(o, "%s %llu\n", name, (unsigned long long)v);
}

static void
counter(struct out *o, const char *name, const char *help, unsigned long v)
{
	head(o, name, "counter", help);
	put(o, "%s %lu\n", name, v);
}

/* hundredths of a percent as a ratio: 2512 -> 0.2512 */
static void
put_ratio(struct out *o, const char *labels, uint32_t centi)
{
	put(o, "bustd_psi_memory_ratio{%s} %u.%04u\n", labels, centi / 10000,
	    centi % 10000);
}

int
metrics_format(char *buf, size_t size, const struct metrics *m)
{
	static const char *const sig[2] = { "SIGTERM", "SIGKILL" };
	struct out o = { buf, size, 0, false };
	int r, s;

	head(&o, "bustd_build_info", "gauge", "Version of bustd.");
	put(&o, "bustd_build_info{version=\"%s\"} 1\n", m->version);
	gauge(&o, "bustd_memory_total_bytes", "MemTotal.",
	    m->mem.mem_total_kib * 1024);
	gauge(&o, "bustd_memory_available_bytes",
	    "MemAvailable (a lower bound when bustd read only sysinfo).",
	    m->mem.avail_kib * 1024);
	gauge(&o, "bustd_swap_total_bytes", "SwapTotal.",
	    m->mem.swap_total_kib * 1024);
	gauge(&o, "bustd_swap_free_bytes", "SwapFree.",
	    m->mem.swap_free_kib * 1024);
	gauge(&o, "bustd_swap_usable_bytes",
	    "Swap that can still be used: SwapFree less what zram cannot "
	    "hold in the RAM left.", monitor_swap_left(&m->mem) * 1024);
	if (m->thrash_valid) {
		head(&o, "bustd_thrash_ratio", "gauge",
		    "File cache read back per second (workingset refaults), "
		    "as a share of the file cache, at the last reading.");
		put(&o, "bustd_thrash_ratio %u.%04u\n", m->thrash_centi / 10000,
		    m->thrash_centi % 10000);
	}
	if (m->psi_valid) {
		head(&o, "bustd_psi_memory_ratio", "gauge",
		    "Memory pressure stall information, as a ratio.");
		put_ratio(&o, "kind=\"some\",window=\"avg10\"",
		    m->psi.some.avg10_centi);
		put_ratio(&o, "kind=\"some\",window=\"avg60\"",
		    m->psi.some.avg60_centi);
		put_ratio(&o, "kind=\"full\",window=\"avg10\"",
		    m->psi.full.avg10_centi);
		put_ratio(&o, "kind=\"full\",window=\"avg60\"",
		    m->psi.full.avg60_centi);
	}
	head(&o, "bustd_threshold_bytes", "gauge",
	    "Thresholds of the policy, resolved for this machine.");
	put(&o, "bustd_threshold_bytes{name=\"mem_term\"} %llu\n",
	    (unsigned long long)m->lim.mem_term_kib * 1024);
	put(&o, "bustd_threshold_bytes{name=\"mem_kill\"} %llu\n",
	    (unsigned long long)m->lim.mem_kill_kib * 1024);
	put(&o, "bustd_threshold_bytes{name=\"swap_term\"} %llu\n",
	    (unsigned long long)m->lim.swap_term_kib * 1024);
	put(&o, "bustd_threshold_bytes{name=\"swap_kill\"} %llu\n",
	    (unsigned long long)m->lim.swap_kill_kib * 1024);
	put(&o, "bustd_threshold_bytes{name=\"psi_mem_gate\"} %llu\n",
	    (unsigned long long)m->lim.psi_gate_kib * 1024);
	head(&o, "bustd_psi_cutoff_ratio", "gauge",
	    "PSI cutoff of the policy (0 when PSI is off).");
	put(&o, "bustd_psi_cutoff_ratio %u.%04u\n",
	    m->lim.psi_on ? m->lim.psi_cutoff_centi / 10000 : 0,
	    m->lim.psi_on ? m->lim.psi_cutoff_centi % 10000 : 0);

	head(&o, "bustd_kills_total", "counter",
	    "Victims signalled, by reason and first signal (dry runs apart).");
	for (r = 0; r < REASON_COUNT; r++)
		for (s = 0; s < 2; s++)
			put(&o, "bustd_kills_total{reason=\"%s\",signal=\"%s\"} "
			    "%lu\n", kill_reason_names[r], sig[s],
			    m->kills[r][s]);
	head(&o, "bustd_dry_run_decisions_total", "counter",
	    "Victims chosen in a dry run (nothing was signalled), by reason "
	    "and first signal.");
	for (r = 0; r < REASON_COUNT; r++)
		for (s = 0; s < 2; s++)
			put(&o, "bustd_dry_run_decisions_total{reason=\"%s\","
			    "signal=\"%s\"} %lu\n", kill_reason_names[r],
			    sig[s], m->dry_kills[r][s]);
	head(&o, "bustd_warnings_total", "counter",
	    "Warnings given, by the reading (memory, psi, thrash).");
	for (r = 0; r < REASON_COUNT; r++)
		if (r != REASON_MEM_KILL)
			put(&o, "bustd_warnings_total{reason=\"%s\"} %lu\n",
			    r == REASON_MEM_TERM ? "memory" :
			    kill_reason_names[r], m->warnings[r]);
	gauge(&o, "bustd_warning_active",
	    "1 while memory or pressure is at the warning level.",
	    m->warning_active ? 1 : 0);
	head(&o, "bustd_escalations_total", "counter",
	    "SIGTERM turned to SIGKILL, by cause.");
	put(&o, "bustd_escalations_total{cause=\"term_timeout\"} %lu\n",
	    m->escalations_timeout);
	put(&o, "bustd_escalations_total{cause=\"kill_level\"} %lu\n",
	    m->escalations_level);
	counter(&o, "bustd_victims_gone_total", "Victims seen exiting.",
	    m->gone);
	counter(&o, "bustd_victims_stuck_total",
	    "Victims still there 5 s after SIGKILL.", m->stuck);
	counter(&o, "bustd_no_candidate_total",
	    "Times a threshold was crossed with no process allowed to die.",
	    m->no_candidate);
	counter(&o, "bustd_hooks_started_total", "Programs started by [notify].",
	    m->hooks_started);
	counter(&o, "bustd_hooks_failed_total",
	    "[notify] programs that failed, timed out or did not start.",
	    m->hooks_failed);
	gauge(&o, "bustd_last_kill_timestamp_seconds",
	    "Time of the last kill (0: none yet).", (uint64_t)m->last_kill);
	head(&o, "bustd_poll_interval_seconds", "gauge",
	    "Current sleep between two memory samples.");
	put(&o, "bustd_poll_interval_seconds %u.%03u\n", m->poll_ms / 1000,
	    m->poll_ms % 1000);
	gauge(&o, "bustd_config_last_reload_successful",
	    "1 if the last load of the policy succeeded.", m->reload_ok);
	gauge(&o, "bustd_config_last_reload_success_timestamp_seconds",
	    "Time of the last good load of the policy.",
	    (uint64_t)m->reload_time);
	gauge(&o, "bustd_dry_run", "1 when the policy signals nothing.",
	    m->dry_run);
	return o.full ? -ENOSPC : (int)o.len;
}

int
metrics_write(const char *path, const char *buf, size_t len)
{
	char tmp[PATH_MAX];
	ssize_t n;
	size_t done = 0;
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* A new file every time: whatever sits at the temporary name (a
	 * link, a FIFO that would block) is removed, never opened. */
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd < 0)
		return -errno;
	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	/* No fsync: under memory pressure it can block for seconds, and a
	 * file lost in a crash is rewritten within seconds anyway. */
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}
