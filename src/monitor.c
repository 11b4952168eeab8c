/* SPDX-License-Identifier: MIT */
/* monitor.c: /proc/meminfo and PSI readings; thresholds, sleep and PSI. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "text.h"

const char *const kill_reason_names[] = { "mem_term", "mem_kill", "psi",
	"thrash" };

/* --- Parsers --- */

/* Value of "Key:   N kB" lines. */
static bool
meminfo_value(const char *line, size_t len, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	const char *p = line + kl + 1, *end = line + len;

	if (len <= kl || memcmp(line, key, kl) != 0 || line[kl] != ':')
		return false;
	while (p < end && *p == ' ')
		p++;
	return text_u64(&p, end, out) == 0;
}

int
monitor_meminfo_parse_buf(const char *buf, size_t len, struct mem_sample *out)
{
	enum {
		TOTAL,
		FREE,
		AVAIL,
		BUFFERS,
		CACHED,
		SRECL,
		SHMEM,
		STOTAL,
		SFREE,
		NKEYS
	};
	static const char keys[NKEYS][13] = { "MemTotal", "MemFree",
		"MemAvailable", "Buffers", "Cached", "SReclaimable", "Shmem",
		"SwapTotal", "SwapFree" };
	uint64_t v[NKEYS] = { 0 };
	unsigned int seen = 0;
	const char *p = buf, *end = buf + len, *line;
	size_t ll;
	int k;

	while ((line = text_line(&p, end, &ll)) != NULL) {
		for (k = 0; k < NKEYS; k++) {
			if (!(seen & (1u << k)) &&
			    meminfo_value(line, ll, keys[k], &v[k])) {
				seen |= 1u << k;
				break;
			}
		}
	}
	if (!(seen & (1u << TOTAL)) || !(seen & (1u << FREE)))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->mem_total_kib = v[TOTAL];
	out->free_kib = v[FREE];
	out->swap_total_kib = v[STOTAL];
	out->swap_free_kib = v[SFREE];
	out->swap_usable_kib = v[SFREE];
	out->exact = true;
	if (seen & (1u << AVAIL)) {
		out->avail_kib = v[AVAIL];
	} else {
		/* Kernels before 3.14: free, plus caches that can be
		 * dropped, minus shared memory that cannot. */
		uint64_t a = v[FREE] + v[BUFFERS] + v[CACHED] + v[SRECL];

		out->avail_kib = a > v[SHMEM] ? a - v[SHMEM] : 0;
		out->estimated = true;
	}
	return 0;
}

static int
psi_line_parse(const char *p, const char *end, struct psi_line *out)
{
	static const char keys[][8] = { "avg10=", "avg60=", "avg300=",
		"total=" };
	int k;

	for (k = 0; k < 4; k++) {
		size_t kl = strlen(keys[k]);
		uint64_t ip = 0, fp = 0;
		int fd = 0;

		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) < kl || memcmp(p, keys[k], kl) != 0)
			return -EINVAL;
		p += kl;
		if (text_u64(&p, end, &ip) < 0)
			return -EINVAL;
		if (k < 3) {
			if (p < end && *p == '.') {
				p++;
				while (p < end && *p >= '0' && *p <= '9') {
					if (fd < 2) {
						fp = fp * 10 +
						     (uint64_t)(*p - '0');
						fd++;
					}
					p++;
				}
			}
			for (; fd < 2; fd++)
				fp *= 10;
			if (ip > 100)
				return -EINVAL;
			ip = ip * 100 + fp;
			if (ip > 10000)
				ip = 10000; /* rounding at 100% */
		}
		switch (k) {
		case 0:
			out->avg10_centi = (uint32_t)ip;
			break;
		case 1:
			out->avg60_centi = (uint32_t)ip;
			break;
		case 2:
			out->avg300_centi = (uint32_t)ip;
			break;
		default:
			out->total_us = ip;
			break;
		}
	}
	return 0;
}

int
monitor_psi_parse_buf(const char *buf, size_t len, struct psi_sample *out)
{
	const char *p = buf, *end = buf + len, *line;
	bool some = false;
	size_t ll;

	memset(out, 0, sizeof(*out));
	while ((line = text_line(&p, end, &ll)) != NULL) {
		if (ll >= 5 && memcmp(line, "some ", 5) == 0) {
			if (psi_line_parse(line + 5, line + ll, &out->some) < 0)
				return -EINVAL;
			some = true;
		} else if (ll >= 5 && memcmp(line, "full ", 5) == 0) {
			if (psi_line_parse(line + 5, line + ll, &out->full) < 0)
				return -EINVAL;
			out->has_full = true;
		}
	}
	return some ? 0 : -EINVAL;
}

int
monitor_vmstat_parse_buf(const char *buf, size_t len,
    struct vmstat_sample *out)
{
	enum { RF_FILE, RF_ANON, RF_OLD, ACT, INACT, SCAN_K, SCAN_D, NKEYS };
	static const char keys[NKEYS][24] = { "workingset_refault_file",
		"workingset_refault_anon", "workingset_refault",
		"nr_active_file", "nr_inactive_file", "pgscan_kswapd",
		"pgscan_direct" };
	const char *p = buf, *end = buf + len, *line, *q;
	uint64_t v[NKEYS] = { 0 };
	unsigned int seen = 0;
	size_t ll, kl;
	int k;

	while ((line = text_line(&p, end, &ll)) != NULL) {
		for (k = 0; k < NKEYS; k++) {
			kl = strlen(keys[k]);
			if (ll <= kl || memcmp(line, keys[k], kl) != 0 ||
			    line[kl] != ' ')
				continue;
			q = line + kl + 1;
			if (text_u64(&q, line + ll, &v[k]) == 0)
				seen |= 1u << k;
			break;
		}
	}
	if (!(seen & (1u << ACT)) || !(seen & (1u << INACT)))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (seen & (1u << RF_FILE))
		out->refaults = v[RF_FILE] + v[RF_ANON];
	else if (seen & (1u << RF_OLD))
		out->refaults = v[RF_OLD];
	else
		return -EINVAL;
	out->file_lru_pages = v[ACT] + v[INACT];
	out->scanned = v[SCAN_K] + v[SCAN_D];
	return 0;
}

/* One field of a blank-separated line, as a number; false if none. */
static bool
field_u64(const char **p, const char *end, uint64_t *out)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	return text_u64(p, end, out) == 0;
}

int
monitor_swaps_parse_buf(const char *buf, size_t len, struct swap_dev *out,
    size_t max, size_t *n)
{
	const char *p = buf, *end = buf + len, *line, *q, *e;
	size_t ll;
	bool header = true;

	*n = 0;
	while ((line = text_line(&p, end, &ll)) != NULL) {
		struct swap_dev d;
		uint64_t zn;

		e = line + ll;
		if (header) {
			/* "Filename Type Size Used Priority" */
			header = false;
			continue;
		}
		if (ll == 0)
			continue;
		memset(&d, 0, sizeof(d));
		d.zram = -1;
		/* The name, escaped by the kernel: no blank in it. */
		for (q = line; q < e && *q != ' ' && *q != '\t'; q++)
			;
		if ((size_t)(q - line) >= 10 &&
		    memcmp(line, "/dev/zram", 9) == 0) {
			const char *z = line + 9;

			if (text_u64(&z, q, &zn) == 0 && z == q && zn < 1024)
				d.zram = (int)zn;
		}
		/* The type: partition or file. */
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		while (q < e && *q != ' ' && *q != '\t')
			q++;
		if (!field_u64(&q, e, &d.size_kib) ||
		    !field_u64(&q, e, &d.used_kib))
			return -EINVAL;
		if (*n < max)
			out[(*n)++] = d;
	}
	return header ? -EINVAL : 0;
}

int
monitor_mm_stat_parse_buf(const char *buf, size_t len, struct swap_dev *dev)
{
	const char *p = buf, *end = buf + len;
	uint64_t compr;

	/* orig_data_size compr_data_size mem_used_total mem_limit ...
	 * (Documentation/admin-guide/blockdev/zram.rst) */
	if (!field_u64(&p, end, &dev->orig_bytes) ||
	    !field_u64(&p, end, &compr) ||
	    !field_u64(&p, end, &dev->mem_used_bytes) ||
	    !field_u64(&p, end, &dev->mem_limit_bytes))
		return -EINVAL;
	return 0;
}

/* a * b / c, saturating, without overflow for any 64-bit a, b. */
static uint64_t
mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 r = (unsigned __int128)a * b / c;

	return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

uint64_t
monitor_swap_usable_kib(const struct swap_dev *devs, size_t n,
    uint64_t avail_kib)
{
	uint64_t disk = 0, zram = 0, orig = 0, used = 0, room, free_kib;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct swap_dev *d = &devs[i];

		free_kib = d->size_kib > d->used_kib ?
		    d->size_kib - d->used_kib : 0;
		if (d->zram < 0) {
			disk += free_kib;
			continue;
		}
		/* Within its own mem_limit, at its own ratio. */
		if (d->mem_limit_bytes > 0) {
			room = d->mem_limit_bytes > d->mem_used_bytes ?
			    (d->mem_limit_bytes - d->mem_used_bytes) / 1024 : 0;
			if (d->orig_bytes > 0 && d->mem_used_bytes > 0)
				room = mul_div(room, d->orig_bytes,
				    d->mem_used_bytes);
			if (room < free_kib)
				free_kib = room;
		}
		zram += free_kib;
		orig += d->orig_bytes;
		used += d->mem_used_bytes;
	}
	/* All zram devices share the RAM left: at their ratio so far. */
	room = orig > 0 && used > 0 ? mul_div(avail_kib, orig, used) :
	    avail_kib;
	if (room < zram)
		zram = room;
	return disk + zram;
}

void
monitor_window_reset(struct rate_window *w)
{
	w->n = 0;
	w->next = 0;
}

void
monitor_window_add(struct rate_window *w, uint64_t ms, uint64_t v)
{
	w->ms[w->next] = ms;
	w->v[w->next] = v;
	w->next = (w->next + 1) % MONITOR_WINDOW_N;
	if (w->n < MONITOR_WINDOW_N)
		w->n++;
}

bool
monitor_window_rise(const struct rate_window *w, uint32_t span_ms,
    uint64_t *dv, uint64_t *dt_ms)
{
	unsigned int last, base, k, i;

	if (w->n < 2)
		return false;
	last = (w->next + MONITOR_WINDOW_N - 1) % MONITOR_WINDOW_N;
	/* Newest to oldest: the first at least span_ms older, else the
	 * oldest kept. */
	base = last;
	for (k = 1; k < w->n; k++) {
		i = (w->next + MONITOR_WINDOW_N - 1 - k) % MONITOR_WINDOW_N;
		base = i;
		if (w->ms[last] - w->ms[i] >= span_ms)
			break;
	}
	if (w->ms[last] <= w->ms[base] || w->v[last] < w->v[base])
		return false;
	*dv = w->v[last] - w->v[base];
	*dt_ms = w->ms[last] - w->ms[base];
	return true;
}

uint32_t
monitor_window_stall_centi(const struct rate_window *w, uint32_t span_ms)
{
	uint64_t dv, dt, c;

	if (!monitor_window_rise(w, span_ms, &dv, &dt))
		return 0;
	/* µs stalled per ms elapsed, in hundredths of a percent. */
	c = mul_div(dv, 10, dt);
	return c > 10000 ? 10000 : (uint32_t)c;
}

uint32_t
monitor_window_thrash_centi(const struct rate_window *w, uint32_t span_ms,
    uint64_t file_lru_pages)
{
	uint64_t dv, dt, c;

	if (!monitor_window_rise(w, span_ms, &dv, &dt))
		return 0;
	if (file_lru_pages == 0)
		file_lru_pages = 1;
	/* Pages per second, as hundredths of a percent of the LRU. */
	c = mul_div(mul_div(dv, 1000 * 10000, dt), 1, file_lru_pages);
	return c > 10000000 ? 10000000 : (uint32_t)c;
}

static bool
zone_number(const char *p, const char *le, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);

	while (p < le && *p == ' ')
		p++;
	if ((size_t)(le - p) <= kl || memcmp(p, key, kl) != 0 || p[kl] != ' ')
		return false;
	p += kl;
	while (p < le && *p == ' ')
		p++;
	return text_u64(&p, le, out) == 0;
}

/* One zone of /proc/zoneinfo being read. */
struct zone_acc {
	bool open;
	bool have_high;
	uint64_t high;
	uint64_t managed;
	uint64_t prot;
	uint64_t total;
	bool any;
};

static void
zone_flush(struct zone_acc *z)
{
	if (z->open && z->have_high) {
		uint64_t r = z->high + z->prot;

		z->total += r < z->managed ? r : z->managed;
		z->any = true;
	}
	z->high = z->managed = z->prot = 0;
	z->have_high = false;
}

/* Largest number in "protection: (0, 3019, 4811)". */
static uint64_t
zone_protection(const char *q, const char *le)
{
	uint64_t max = 0;

	while (q < le) {
		uint64_t n;

		while (q < le && (*q < '0' || *q > '9'))
			q++;
		if (q == le)
			break;
		/* Too large to be pages: a bound no zone can reach. */
		if (text_u64(&q, le, &n) < 0)
			n = UINT64_MAX / 2;
		if (n > max)
			max = n;
	}
	return max;
}

/* Take one line of zoneinfo (p up to le, no newline). */
static void
zone_line(struct zone_acc *z, const char *p, const char *le)
{
	const char *q;
	uint64_t v;

	for (q = p; q < le && *q == ' '; q++)
		;
	if (le - p >= 5 && memcmp(p, "Node ", 5) == 0) {
		zone_flush(z);
		z->open = true;
	} else if (z->open && zone_number(p, le, "high", &v)) {
		/* The first "high" of a zone is its watermark; later ones
		 * belong to per-cpu page lists. */
		if (!z->have_high) {
			z->high = v;
			z->have_high = true;
		}
	} else if (z->open && zone_number(p, le, "managed", &v)) {
		z->managed = v;
	} else if (z->open && le - q > 11 && memcmp(q, "protection:", 11) == 0) {
		z->prot = zone_protection(q + 11, le);
	}
}

int
monitor_zoneinfo_reserve_parse_buf(const char *buf, size_t len,
    uint64_t *pages)
{
	const char *p = buf, *end = buf + len, *line;
	struct zone_acc z;
	size_t ll;

	memset(&z, 0, sizeof(z));
	while ((line = text_line(&p, end, &ll)) != NULL)
		zone_line(&z, line, line + ll);
	zone_flush(&z);
	if (!z.any)
		return -EINVAL;
	*pages = z.total;
	return 0;
}

/* --- Decisions --- */

void
monitor_limits(const struct policy *p, uint64_t mem_total_kib,
    uint64_t swap_total_kib, struct limits *out)
{
	uint64_t fill;

	memset(out, 0, sizeof(*out));
	out->mem_term_kib = policy_amount_kib(&p->mem_term, mem_total_kib);
	out->mem_kill_kib = policy_amount_kib(&p->mem_kill, mem_total_kib);
	out->swap_term_kib = policy_amount_kib(&p->swap_term, swap_total_kib);
	out->swap_kill_kib = policy_amount_kib(&p->swap_kill, swap_total_kib);
	out->psi_gate_kib = policy_amount_kib(&p->psi_mem_gate, mem_total_kib);
	out->psi_on = p->psi_metric != PSI_OFF;
	out->psi_metric = p->psi_metric;
	out->psi_window_ms = p->psi_window_ms;
	out->thrash_cutoff_centi = p->thrash_cutoff_centi;
	out->thrash_duration_ms = p->thrash_duration_ms;
	out->thrash_gate_kib = policy_amount_kib(&p->thrash_mem_gate,
	    mem_total_kib);
	out->mem_warn_kib = policy_amount_kib(&p->mem_warn, mem_total_kib);
	out->swap_warn_kib = policy_amount_kib(&p->swap_warn, swap_total_kib);
	out->psi_warn_centi = p->psi_warn_centi;
	out->thrash_warn_centi = p->thrash_warn_centi;
	out->warn_interval_ms = p->warn_interval_ms;
	out->psi_cutoff_centi = p->psi_cutoff_centi;
	out->psi_duration_ms = p->psi_duration_ms;
	out->cooldown_ms = p->cooldown_ms;
	/* KiB per second to KiB per ms; a rate set stays a rate set. */
	fill = policy_amount_kib(&p->fill_rate, mem_total_kib);
	out->fill_kib_per_ms = fill > 0 && fill < 1000 ? 1 : fill / 1000;
}

/* Swap condition: holds when no swap is configured at all. */
static bool
swap_low(const struct mem_sample *s, uint64_t level_kib)
{
	return s->swap_total_kib == 0 || monitor_swap_left(s) <= level_kib;
}

uint64_t
monitor_swap_left(const struct mem_sample *s)
{
	return s->zram ? s->swap_usable_kib : s->swap_free_kib;
}

enum level
monitor_mem_level(const struct limits *l, const struct mem_sample *s)
{
	if (s->avail_kib <= l->mem_kill_kib && swap_low(s, l->swap_kill_kib))
		return LEVEL_KILL;
	if (s->avail_kib <= l->mem_term_kib && swap_low(s, l->swap_term_kib))
		return LEVEL_TERM;
	return LEVEL_NONE;
}

uint64_t
monitor_watch_kib(const struct limits *l)
{
	uint64_t w = l->mem_term_kib;

	if (l->mem_kill_kib > w)
		w = l->mem_kill_kib;
	if (l->psi_on && l->psi_gate_kib > w)
		w = l->psi_gate_kib;
	if (l->thrash_cutoff_centi > 0 && l->thrash_gate_kib > w)
		w = l->thrash_gate_kib;
	if (l->mem_warn_kib > w)
		w = l->mem_warn_kib;
	return w;
}

uint64_t
monitor_bound_kib(uint64_t free_kib, uint64_t reserve_kib)
{
	return free_kib > reserve_kib ? free_kib - reserve_kib : 0;
}

bool
monitor_fast_path_safe(const struct limits *l, uint64_t free_kib,
    uint64_t reserve_kib)
{
	/* Without a reserve read, there is no bound. */
	if (reserve_kib == 0)
		return false;
	return monitor_bound_kib(free_kib, reserve_kib) > monitor_watch_kib(l);
}

/* Would fast plus the gap let bustd sleep twice fast_ms, fast's sleep? */
static bool
gap_pays(const struct limits *l, const struct mem_sample *fast,
    uint64_t gap_kib, unsigned int ncpu, uint32_t fast_ms)
{
	struct mem_sample guess = *fast;

	if (gap_kib == 0)
		return false;
	guess.avail_kib = fast->avail_kib + gap_kib;
	return monitor_sleep_ms(l, &guess, ncpu, false) >= 2 * (uint64_t)fast_ms;
}

bool
monitor_exact_pays(const struct limits *l, const struct mem_sample *fast,
    uint64_t gap_kib, unsigned int ncpu)
{
	return gap_pays(l, fast, gap_kib, ncpu,
	    monitor_sleep_ms(l, fast, ncpu, false));
}

bool
monitor_exact_due(const struct limits *l, const struct mem_sample *fast,
    uint64_t gap_kib, bool gap_stale, unsigned int ncpu)
{
	uint32_t t = monitor_sleep_ms(l, fast, ncpu, false);

	if (t > MONITOR_SLEEP_MAX_MS / 2)
		return false;
	return gap_stale || gap_pays(l, fast, gap_kib, ncpu, t);
}

/* ms for the fastest fill to bring have down to level: 0 only if there
 * already, at least 1 above it. */
static uint64_t
time_to(uint64_t have_kib, uint64_t level_kib, uint64_t rate)
{
	uint64_t t;

	if (have_kib <= level_kib)
		return 0;
	t = (have_kib - level_kib) / rate;
	return t > 0 ? t : 1;
}

/* ms until memory and swap can both be at or below a level pair. */
static uint64_t
time_to_pair(const struct mem_sample *s, uint64_t mem_kib, uint64_t swap_kib,
    uint64_t rate)
{
	uint64_t t = time_to(s->avail_kib, mem_kib, rate);

	/* Both must hold: the later of the two crossings bounds it.
	 * Swap is assumed to fill as fast as memory (zram). */
	if (s->swap_total_kib > 0) {
		uint64_t ts = time_to(monitor_swap_left(s), swap_kib, rate);

		if (ts > t)
			t = ts;
	}
	return t;
}

uint32_t
monitor_sleep_ms(const struct limits *l, const struct mem_sample *s,
    unsigned int ncpu, bool psi_watch)
{
	uint64_t rate = l->fill_kib_per_ms ? l->fill_kib_per_ms :
	    (uint64_t)MONITOR_FILL_KIB_PER_MS_PER_CPU * (ncpu ? ncpu : 1);
	uint64_t t, tk;

	/* The nearest level still above us decides; levels we are already
	 * below add nothing (the caller acts on them). */
	t = time_to_pair(s, l->mem_term_kib, l->swap_term_kib, rate);
	tk = time_to_pair(s, l->mem_kill_kib, l->swap_kill_kib, rate);
	if (t == 0 || (tk > 0 && tk < t))
		t = tk;
	if (l->psi_on && s->avail_kib > l->psi_gate_kib) {
		uint64_t tp = time_to(s->avail_kib, l->psi_gate_kib, rate);

		if (t == 0 || tp < t)
			t = tp;
	}
	if (l->thrash_cutoff_centi > 0 && s->avail_kib > l->thrash_gate_kib) {
		uint64_t tt = time_to(s->avail_kib, l->thrash_gate_kib, rate);

		if (t == 0 || tt < t)
			t = tt;
	}
	if (l->mem_warn_kib > 0 && s->avail_kib > l->mem_warn_kib) {
		uint64_t tw = time_to(s->avail_kib, l->mem_warn_kib, rate);

		if (t == 0 || tw < t)
			t = tw;
	}
	if (psi_watch && (t == 0 || t > MONITOR_PSI_POLL_MS))
		t = MONITOR_PSI_POLL_MS;
	if (t < MONITOR_SLEEP_MIN_MS)
		t = MONITOR_SLEEP_MIN_MS;
	if (t > MONITOR_SLEEP_MAX_MS)
		t = MONITOR_SLEEP_MAX_MS;
	return (uint32_t)t;
}

uint32_t
monitor_slack_ms(uint32_t sleep_ms)
{
	uint32_t slack = MONITOR_SLACK_MAX_MS;

	if (sleep_ms < MONITOR_SLACK_FROM_MS)
		return 0;
	while (slack > sleep_ms / 8)
		slack /= 2;
	return slack;
}

uint32_t
monitor_predict_ms(const struct limits *l, const struct mem_sample *s,
    uint64_t fall_kib, uint64_t elapsed_ms)
{
	uint64_t levels[4] = { l->mem_term_kib, l->mem_kill_kib,
		l->psi_on ? l->psi_gate_kib : 0,
		l->thrash_cutoff_centi > 0 ? l->thrash_gate_kib : 0 };
	uint64_t gap = UINT64_MAX, t;
	size_t i;

	if (fall_kib == 0 || elapsed_ms == 0)
		return UINT32_MAX;
	/* A level of 0 is one memory never goes below: not a level. */
	for (i = 0; i < 4; i++)
		if (levels[i] > 0 && levels[i] < s->avail_kib &&
		    s->avail_kib - levels[i] < gap)
			gap = s->avail_kib - levels[i];
	if (gap == UINT64_MAX)
		return UINT32_MAX;
	t = gap * elapsed_ms / fall_kib;
	return t < UINT32_MAX ? (uint32_t)t : UINT32_MAX;
}

void
monitor_pace_reset(struct pace *p)
{
	p->n = 0;
	p->next = 0;
}

void
monitor_pace_add(struct pace *p, uint64_t avail_kib, uint64_t now_ms)
{
	p->avail_kib[p->next] = avail_kib;
	p->ms[p->next] = now_ms;
	p->next = (p->next + 1) % MONITOR_PACE_N;
	if (p->n < MONITOR_PACE_N)
		p->n++;
}

/*
 * Keep in *fall / *dt the faster of itself and the fall from (from_kib,
 * from_ms) to (to_kib, to_ms), if that fall is no older than
 * MONITOR_PACE_MAX_MS at now_ms.
 */
static void
keep_faster(uint64_t *fall, uint64_t *dt, uint64_t from_kib,
    uint64_t from_ms, uint64_t to_kib, uint64_t to_ms, uint64_t now_ms)
{
	uint64_t f, e;

	if (to_ms <= from_ms || now_ms < from_ms ||
	    now_ms - from_ms > MONITOR_PACE_MAX_MS || from_kib <= to_kib)
		return;
	f = from_kib - to_kib;
	e = to_ms - from_ms;
	/* f / e > fall / dt, without dividing. */
	if (f > UINT64_MAX / *dt || *fall > UINT64_MAX / e)
		return;
	if (f * *dt > *fall * e) {
		*fall = f;
		*dt = e;
	}
}

uint32_t
monitor_pace_wake_ms(const struct limits *l, const struct pace *p,
    const struct mem_sample *s, uint64_t now_ms)
{
	uint64_t fall = 0, dt = 1;
	unsigned int k, i, j, last, base;
	uint32_t t;

	if (p->n == 0)
		return UINT32_MAX;
	last = (p->next + MONITOR_PACE_N - 1) % MONITOR_PACE_N;
	/* Newest to oldest: the first old enough, else the oldest. */
	base = last;
	for (k = 0; k < p->n; k++) {
		i = (p->next + MONITOR_PACE_N - 1 - k) % MONITOR_PACE_N;
		base = i;
		if (now_ms >= p->ms[i] &&
		    now_ms - p->ms[i] >= MONITOR_PACE_BASE_MS)
			break;
	}
	/* The soonest forecast is the one at the fastest pace: from the
	 * last reading to now, from the base to now, and between two
	 * kept readings at least MONITOR_SLEEP_MIN_MS apart (a fill that
	 * comes in steps may be between two of them now, and its next step
	 * comes at the pace of the last). */
	keep_faster(&fall, &dt, p->avail_kib[last], p->ms[last], s->avail_kib,
	    now_ms, now_ms);
	keep_faster(&fall, &dt, p->avail_kib[base], p->ms[base], s->avail_kib,
	    now_ms, now_ms);
	for (i = 0; i < p->n; i++)
		for (j = 0; j < p->n; j++)
			if (p->ms[j] >= p->ms[i] + MONITOR_SLEEP_MIN_MS)
				keep_faster(&fall, &dt, p->avail_kib[i],
				    p->ms[i], p->avail_kib[j], p->ms[j],
				    now_ms);
	if (fall == 0)
		return UINT32_MAX;
	t = monitor_predict_ms(l, s, fall, dt);
	if (t == UINT32_MAX)
		return t;
	return t - t / 4 + 1;
}

uint32_t
monitor_psi_value(const struct limits *l, const struct psi_sample *s)
{
	switch (l->psi_metric) {
	case PSI_SOME_AVG10:
		return s->some.avg10_centi;
	case PSI_SOME_AVG60:
		return s->some.avg60_centi;
	case PSI_FULL_AVG10:
		return s->full.avg10_centi;
	case PSI_FULL_AVG60:
		return s->full.avg60_centi;
	default:
		return 0;
	}
}

uint64_t
monitor_psi_total(const struct limits *l, const struct psi_sample *s)
{
	if (monitor_psi_full(l))
		return s->full.total_us;
	return s->some.total_us;
}

bool
monitor_psi_full(const struct limits *l)
{
	return l->psi_metric == PSI_FULL_AVG10 ||
	       l->psi_metric == PSI_FULL_AVG60 || l->psi_metric == PSI_FULL;
}

bool
monitor_psi_windowed(const struct limits *l)
{
	return l->psi_metric == PSI_SOME || l->psi_metric == PSI_FULL;
}

bool
monitor_psi_update(struct psi_state *st, const struct limits *l,
    const struct psi_sample *s, uint64_t avail_kib, uint64_t now_ms)
{
	return monitor_psi_hold(st, l, monitor_psi_value(l, s),
	    monitor_psi_total(l, s), avail_kib, now_ms);
}

bool
monitor_psi_hold(struct psi_state *st, const struct limits *l,
    uint32_t value, uint64_t total, uint64_t avail_kib, uint64_t now_ms)
{
	uint64_t held_ms, stalled_us;

	if (!l->psi_on || value < l->psi_cutoff_centi ||
	    avail_kib > l->psi_gate_kib) {
		st->holding = false;
		return false;
	}
	if (!st->holding) {
		st->holding = true;
		st->since_ms = now_ms;
		st->total_at_since_us = total;
	}
	if (now_ms < st->cooldown_until_ms)
		return false;
	held_ms = now_ms - st->since_ms;
	if (held_ms < l->psi_duration_ms)
		return false;
	/* Stalled time during the hold, against cutoff% of its length.
	 * A zero duration has no span to measure: the average decides. */
	if (held_ms == 0)
		return true;
	stalled_us =
	    total >= st->total_at_since_us ? total - st->total_at_since_us : 0;
	return stalled_us * 100 * 100 >=
	       (uint64_t)l->psi_cutoff_centi * held_ms * 1000;
}

bool
monitor_thrash_hold(struct psi_state *st, const struct limits *l,
    uint32_t value, uint64_t avail_kib, uint64_t now_ms)
{
	if (l->thrash_cutoff_centi == 0 || value < l->thrash_cutoff_centi ||
	    avail_kib > l->thrash_gate_kib) {
		st->holding = false;
		return false;
	}
	if (!st->holding) {
		st->holding = true;
		st->since_ms = now_ms;
	}
	if (now_ms < st->cooldown_until_ms)
		return false;
	return now_ms - st->since_ms >= l->thrash_duration_ms;
}

void
monitor_psi_killed(struct psi_state *st, const struct limits *l,
    uint64_t now_ms)
{
	st->holding = false;
	st->cooldown_until_ms = now_ms + l->cooldown_ms;
}

bool
monitor_refill_hold(const struct limits *l, const struct refill_mark *m,
    const struct mem_sample *s, enum level level, uint64_t now_ms)
{
	if (!m->set || level != LEVEL_TERM || now_ms < m->gone_ms ||
	    now_ms - m->gone_ms >= l->cooldown_ms)
		return false;
	if (s->avail_kib + MONITOR_REFILL_SLACK_KIB < m->avail_kib)
		return false;
	if (s->swap_total_kib > 0 &&
	    monitor_swap_left(s) + MONITOR_REFILL_SLACK_KIB < m->swap_free_kib)
		return false;
	return true;
}

/* --- Readers --- */

static ssize_t
pread_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	/* seq_file regenerates the text when read from offset 0. */
	while (len < size - 1) {
		n = pread(fd, buf + len, size - 1 - len, (off_t)len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static void
close_zram(struct monitor *m)
{
	size_t i;

	for (i = 0; i < MONITOR_SWAPS_MAX; i++) {
		if (m->zram_fd[i] >= 0)
			close(m->zram_fd[i]);
		m->zram_fd[i] = -1;
	}
	m->nzram = 0;
}

/*
 * The buffer zoneinfo is read into: twice its size now, at least
 * MONITOR_ZONEINFO_MIN.  It grows with CPUs and nodes, which hotplug
 * can add; if it outgrows the buffer, the reserve is unknown and every
 * poll reads /proc/meminfo (monitor_read_reserve()).
 */
static int
zoneinfo_alloc(struct monitor *m)
{
	char chunk[4096];
	size_t size = 0;
	ssize_t n;

	while ((n = pread(m->zoneinfo_fd, chunk, sizeof(chunk),
	    (off_t)size)) > 0)
		size += (size_t)n;
	size = 2 * size + 1;
	if (size < MONITOR_ZONEINFO_MIN)
		size = MONITOR_ZONEINFO_MIN;
	m->zoneinfo_buf = malloc(size);
	if (m->zoneinfo_buf == NULL)
		return -ENOMEM;
	m->zoneinfo_size = size;
	return 0;
}

int
monitor_open(struct monitor *m, int procfs_fd, int sysfs_fd)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->psi_fd = -1;
	m->trigger_fd = -1;
	m->zoneinfo_fd = -1;
	m->procfs_fd = procfs_fd;
	m->sysfs_fd = sysfs_fd;
	for (i = 0; i < MONITOR_SWAPS_MAX; i++)
		m->zram_fd[i] = -1;
	m->vmstat_fd = openat(procfs_fd, "vmstat", O_RDONLY | O_CLOEXEC);
	m->swaps_fd = openat(procfs_fd, "swaps", O_RDONLY | O_CLOEXEC);
	m->meminfo_fd = openat(procfs_fd, "meminfo", O_RDONLY | O_CLOEXEC);
	if (m->meminfo_fd < 0)
		return -errno;
	m->psi_fd = openat(procfs_fd, "pressure/memory", O_RDONLY | O_CLOEXEC);
	/* Without zoneinfo there is no reserve, and no fast path. */
	m->zoneinfo_fd = openat(procfs_fd, "zoneinfo", O_RDONLY | O_CLOEXEC);
	if (m->zoneinfo_fd >= 0 && zoneinfo_alloc(m) < 0) {
		close(m->zoneinfo_fd);
		m->zoneinfo_fd = -1;
	}
	return 0;
}

void
monitor_close(struct monitor *m)
{
	if (m->meminfo_fd >= 0)
		close(m->meminfo_fd);
	if (m->psi_fd >= 0)
		close(m->psi_fd);
	if (m->trigger_fd >= 0)
		close(m->trigger_fd);
	if (m->zoneinfo_fd >= 0)
		close(m->zoneinfo_fd);
	if (m->vmstat_fd >= 0)
		close(m->vmstat_fd);
	if (m->swaps_fd >= 0)
		close(m->swaps_fd);
	close_zram(m);
	m->vmstat_fd = m->swaps_fd = -1;
	free(m->zoneinfo_buf);
	m->zoneinfo_buf = NULL;
	m->meminfo_fd = m->psi_fd = m->trigger_fd = m->zoneinfo_fd = -1;
}

static int
read_swaps(struct monitor *m, struct swap_dev *devs, size_t *n)
{
	char buf[2048];
	ssize_t len;

	if (m->swaps_fd < 0)
		return -ENOENT;
	len = pread_all(m->swaps_fd, buf, sizeof(buf));
	if (len < 0)
		return (int)len;
	return monitor_swaps_parse_buf(buf, (size_t)len, devs,
	    MONITOR_SWAPS_MAX, n);
}

int
monitor_scan_swaps(struct monitor *m)
{
	char path[64];
	size_t i;
	int r;

	close_zram(m);
	m->nswaps = 0;
	r = read_swaps(m, m->swaps, &m->nswaps);
	if (r < 0)
		return r;
	for (i = 0; i < m->nswaps && m->sysfs_fd >= 0; i++) {
		if (m->swaps[i].zram < 0)
			continue;
		snprintf(path, sizeof(path), "block/zram%d/mm_stat",
		    m->swaps[i].zram);
		m->zram_fd[i] = openat(m->sysfs_fd, path, O_RDONLY | O_CLOEXEC);
		if (m->zram_fd[i] >= 0)
			m->nzram++;
	}
	return (int)m->nzram;
}

int
monitor_read_swap(struct monitor *m, struct mem_sample *s)
{
	struct swap_dev devs[MONITOR_SWAPS_MAX];
	char buf[256];
	size_t n = 0, i, j;
	ssize_t len;
	int r;

	s->swap_usable_kib = s->swap_free_kib;
	s->zram = false;
	if (m->nzram == 0 || s->swap_total_kib == 0)
		return 0;
	r = read_swaps(m, devs, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		if (devs[i].zram < 0)
			continue;
		/* Its mm_stat, by the device number seen at the scan. */
		for (j = 0; j < m->nswaps; j++)
			if (m->swaps[j].zram == devs[i].zram &&
			    m->zram_fd[j] >= 0)
				break;
		if (j == m->nswaps)
			continue;
		len = pread_all(m->zram_fd[j], buf, sizeof(buf));
		if (len < 0)
			return (int)len;
		r = monitor_mm_stat_parse_buf(buf, (size_t)len, &devs[i]);
		if (r < 0)
			return r;
	}
	s->swap_usable_kib = monitor_swap_usable_kib(devs, n, s->avail_kib);
	if (s->swap_usable_kib > s->swap_free_kib)
		s->swap_usable_kib = s->swap_free_kib;
	s->zram = true;
	return 0;
}

int
monitor_read_vmstat(struct monitor *m, struct vmstat_sample *s)
{
	char buf[8192];
	ssize_t n;

	if (m->vmstat_fd < 0)
		return -ENOENT;
	n = pread_all(m->vmstat_fd, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return monitor_vmstat_parse_buf(buf, (size_t)n, s);
}

int
monitor_read_meminfo(struct monitor *m, struct mem_sample *s)
{
	char buf[8192];
	ssize_t n;

	n = pread_all(m->meminfo_fd, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return monitor_meminfo_parse_buf(buf, (size_t)n, s);
}

int
monitor_read_psi(struct monitor *m, struct psi_sample *s)
{
	char buf[256];
	ssize_t n;

	if (m->psi_fd < 0)
		return -ENOENT;
	n = pread_all(m->psi_fd, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return monitor_psi_parse_buf(buf, (size_t)n, s);
}

int
monitor_read_reserve(struct monitor *m)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t pages, kib;
	ssize_t n;
	int r;

	m->reserve_kib = 0;
	if (m->zoneinfo_fd < 0)
		return -ENOENT;
	n = pread_all(m->zoneinfo_fd, m->zoneinfo_buf, m->zoneinfo_size);
	if (n < 0)
		return (int)n;
	/* A full buffer may have cut a zone's reserve off. */
	if ((size_t)n == m->zoneinfo_size - 1)
		return -EFBIG;
	r = monitor_zoneinfo_reserve_parse_buf(m->zoneinfo_buf, (size_t)n,
	    &pages);
	if (r < 0)
		return r;
	/*
	 * The reserve moves when zones grow (deferred struct page init,
	 * memory hotplug) or watermarks are tuned; it is read again every
	 * MONITOR_RESERVE_MS.  A quarter more covers the growth between two
	 * reads.
	 */
	kib = pages * (uint64_t)(page > 0 ? page / 1024 : 4);
	m->reserve_kib = kib + kib / 4;
	return 0;
}

void
monitor_check_reserve(struct monitor *m, const struct mem_sample *s)
{
	/* MemFree - MemAvailable never exceeds the reserve: if it does,
	 * ours is stale, and the truth is at least that. */
	if (s->exact && !s->estimated && m->reserve_kib > 0 &&
	    s->free_kib > s->avail_kib &&
	    s->free_kib - s->avail_kib > m->reserve_kib)
		m->reserve_kib = s->free_kib - s->avail_kib;
}

void
monitor_trigger_text(char *buf, size_t size, const struct limits *l,
    uint32_t window_ms)
{
	uint32_t pct = l->psi_cutoff_centi;
	uint64_t stall_us;

	/* Wake when stalls reach the cutoff, or 15% of the window if the
	 * cutoff is higher: an average cannot reach the cutoff without
	 * such a window first.  The kernel wants a nonzero stall. */
	if (pct > 1500)
		pct = 1500;
	stall_us = (uint64_t)window_ms * 1000 * pct / 10000;
	if (stall_us < 1000)
		stall_us = 1000;
	snprintf(buf, size, "%s %llu %llu",
	    monitor_psi_full(l) ? "full" : "some",
	    (unsigned long long)stall_us, (unsigned long long)window_ms * 1000);
}

int
monitor_arm_trigger(struct monitor *m, const struct limits *l)
{
	static const uint32_t windows[] = { 1000, 2000 };
	char text[64];
	size_t i;
	int fd, r = -EINVAL;

	if (m->trigger_fd >= 0) {
		close(m->trigger_fd);
		m->trigger_fd = -1;
	}
	if (!l->psi_on)
		return 0;
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		fd = openat(m->procfs_fd, "pressure/memory",
		    O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		monitor_trigger_text(text, sizeof(text), l, windows[i]);
		/* The kernel takes the text with its NUL (psi.rst). */
		if (write(fd, text, strlen(text) + 1) >= 0) {
			m->trigger_fd = fd;
			m->trigger_window_ms = windows[i];
			return 0;
		}
		r = -errno;
		close(fd);
		if (r != -EINVAL)
			break;
	}
	return r;
}
