/* SPDX-License-Identifier: MIT */
/* test_monitor.c: unit tests of the memory and PSI parsers and decisions. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "monitor.h"
#include "policy.h"
#include "util.h"

#define GIB 1048576ull /* KiB */
#define MIB 1024ull
#define RATE1 ((uint64_t)MONITOR_FILL_KIB_PER_MS_PER_CPU)

/* --- Fixtures --- */

/* Read srcdir/tests/fixtures/monitor/NAME; free() the result. */
static char *
read_fixture(const char *name, size_t *len)
{
	char path[PATH_MAX], dir[PATH_MAX];
	size_t cap = 65536;
	char *buf;
	ssize_t n;
	int fd, r;

	r = snprintf(path, sizeof(path), "%s/%s",
	    fixture(dir, sizeof(dir), "monitor"), name);
	assert_true(r > 0 && (size_t)r < sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("%s: %s (set srcdir)", path, strerror(errno));
	buf = malloc(cap);
	assert_non_null(buf);
	*len = 0;
	while ((n = read(fd, buf + *len, cap - 1 - *len)) > 0)
		*len += (size_t)n;
	assert_true(n == 0 && *len < cap - 1);
	buf[*len] = '\0';
	close(fd);
	return buf;
}

/* A file of a temporary procfs folder (mkdtemp'd in dir). */
static void
put(const char *dir, const char *name, const char *text, size_t len)
{
	char path[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
drop(const char *dir, const char *name)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* --- /proc/meminfo --- */

static void
test_monitor_meminfo_parse_buf_real(void **state)
{
	struct mem_sample s;
	size_t len;
	char *buf = read_fixture("meminfo", &len);

	(void)state;
	memset(&s, 0x55, sizeof(s));
	assert_int_equal(monitor_meminfo_parse_buf(buf, len, &s), 0);
	assert_int_equal(s.mem_total_kib, 24684084);
	assert_int_equal(s.free_kib, 21485004);
	assert_int_equal(s.avail_kib, 22550964);
	assert_int_equal(s.swap_total_kib, 0);
	assert_int_equal(s.swap_free_kib, 0);
	assert_true(s.exact);
	assert_false(s.estimated);
	free(buf);
}

static void
test_monitor_meminfo_parse_buf_no_avail(void **state)
{
	struct mem_sample s;
	size_t len;
	char *buf = read_fixture("meminfo-no-avail", &len);

	(void)state;
	assert_int_equal(monitor_meminfo_parse_buf(buf, len, &s), 0);
	assert_true(s.estimated);
	assert_int_equal(s.free_kib, 21485004);
	/*
	 * MemFree + Buffers + Cached + SReclaimable - Shmem
	 * = 21485004 + 3608 + 1275860 + 32204 - 8872 = 22787804
	 * (SwapCached, 0 kB, is not Cached).
	 */
	assert_int_equal(s.avail_kib, 22787804);
	free(buf);
}

static void
test_monitor_meminfo_parse_buf_no_avail_shmem(void **state)
{
	/* More shmem than the parts (tmpfs counted elsewhere): 0, not a
	 * wrapped huge number. */
	static const char text[] =
	    "MemTotal:  1000000 kB\nMemFree:  100 kB\nBuffers:  10 kB\n"
	    "Cached:  1000 kB\nSwapCached:  999999 kB\nSReclaimable:  5 kB\n"
	    "Shmem:  5000 kB\n";
	struct mem_sample s;

	(void)state;
	assert_int_equal(monitor_meminfo_parse_buf(text, strlen(text), &s), 0);
	assert_true(s.estimated);
	assert_int_equal(s.avail_kib, 0);
}

static void
test_monitor_meminfo_parse_buf_swap(void **state)
{
	static const char text[] =
	    "MemTotal:        8000000 kB\nMemFree:          100000 kB\n"
	    "MemAvailable:     200000 kB\nSwapCached:         1234 kB\n"
	    "SwapTotal:       2097148 kB\nSwapFree:        1048572 kB\n";
	static const char noswap[] =
	    "MemTotal:        8000000 kB\nMemFree:          100000 kB\n"
	    "MemAvailable:     200000 kB\n";
	struct mem_sample s;

	(void)state;
	assert_int_equal(monitor_meminfo_parse_buf(text, strlen(text), &s), 0);
	assert_int_equal(s.avail_kib, 200000);
	assert_int_equal(s.swap_total_kib, 2097148);
	assert_int_equal(s.swap_free_kib, 1048572);
	assert_false(s.estimated);
	/* No Swap lines at all: no swap. */
	memset(&s, 0x55, sizeof(s));
	assert_int_equal(monitor_meminfo_parse_buf(noswap, strlen(noswap), &s),
	    0);
	assert_int_equal(s.swap_total_kib, 0);
	assert_int_equal(s.swap_free_kib, 0);
}

static void
test_monitor_meminfo_parse_buf_missing_total(void **state)
{
	size_t len;
	char *buf = read_fixture("meminfo", &len);
	char *p;
	struct mem_sample s;

	(void)state;
	/* Rename MemTotal: in the real file. */
	p = strstr(buf, "MemTotal:");
	assert_non_null(p);
	p[0] = 'X';
	assert_int_equal(monitor_meminfo_parse_buf(buf, len, &s), -EINVAL);
	free(buf);
}

static void
test_monitor_meminfo_parse_buf_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"\n\n",
		"garbage",
		"MemTotal: kB\nMemFree: 5 kB\n",
		"MemTotal 5 kB\nMemFree: 5 kB\n",
		"MemTotalX: 5 kB\nMemFree: 5 kB\n",
		"MemTotal: 5 kB\n",
		"MemTotal: 5 kB\nMemFree: x kB\n",
		"MemTotal: 99999999999999999999999 kB\nMemFree: 5 kB\n",
		"\x01\x02\xff:\n",
	};
	struct mem_sample s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(monitor_meminfo_parse_buf(bad[i],
		                     strlen(bad[i]), &s),
		    -EINVAL);
}

/* --- /proc/pressure/memory --- */

static void
test_monitor_psi_parse_buf_real(void **state)
{
	/* The test VM at rest. */
	static const char text[] =
	    "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
	    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
	struct psi_sample s;

	(void)state;
	memset(&s, 0x55, sizeof(s));
	assert_int_equal(monitor_psi_parse_buf(text, strlen(text), &s), 0);
	assert_int_equal(s.some.avg10_centi, 0);
	assert_int_equal(s.some.avg300_centi, 0);
	assert_int_equal(s.some.total_us, 0);
	assert_int_equal(s.full.avg60_centi, 0);
	assert_true(s.has_full);
}

static void
test_monitor_psi_parse_buf_decimals(void **state)
{
	static const char text[] =
	    "some avg10=12.34 avg60=5.60 avg300=0.07 total=123456789\n"
	    "full avg10=100.00 avg60=1.5 avg300=0.123 total=98765\n";
	struct psi_sample s;

	(void)state;
	assert_int_equal(monitor_psi_parse_buf(text, strlen(text), &s), 0);
	assert_int_equal(s.some.avg10_centi, 1234);
	assert_int_equal(s.some.avg60_centi, 560);
	assert_int_equal(s.some.avg300_centi, 7);
	assert_int_equal(s.some.total_us, 123456789);
	assert_int_equal(s.full.avg10_centi, 10000);
	assert_int_equal(s.full.avg60_centi, 150);
	assert_int_equal(s.full.avg300_centi, 12); /* cut, not rounded */
	assert_int_equal(s.full.total_us, 98765);
	assert_true(s.has_full);
}

static void
test_monitor_psi_parse_buf_some_only(void **state)
{
	/* Kernels before 5.13 print no "full" for the cpu file; be as
	 * lenient for memory.  No final newline either. */
	static const char text[] = "some avg10=1.00 avg60=2.00 avg300=3.00 "
	                           "total=4";
	struct psi_sample s;

	(void)state;
	assert_int_equal(monitor_psi_parse_buf(text, strlen(text), &s), 0);
	assert_int_equal(s.some.avg10_centi, 100);
	assert_int_equal(s.some.avg300_centi, 300);
	assert_int_equal(s.some.total_us, 4);
	assert_false(s.has_full);
}

static void
test_monitor_psi_parse_buf_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage\n",
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=abc avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=.5 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00\n",
		"some avg60=0.00 avg10=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=x avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 "
		"total=99999999999999999999999\n",
	};
	struct psi_sample s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(monitor_psi_parse_buf(bad[i], strlen(bad[i]),
		                     &s),
		    -EINVAL);
}

static void
test_monitor_psi_parse_buf_above_100(void **state)
{
	static const char *const bad[] = {
		"some avg10=101.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=250.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=0.00 avg60=4294967296.00 avg300=0.00 total=0\n",
	};
	static const char top[] =
	    "some avg10=100.00 avg60=100.00 avg300=100.00 total=1\n";
	struct psi_sample s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(monitor_psi_parse_buf(bad[i], strlen(bad[i]),
		                     &s),
		    -EINVAL);
	assert_int_equal(monitor_psi_parse_buf(top, strlen(top), &s), 0);
	assert_int_equal(s.some.avg300_centi, 10000);
}

/* --- /proc/zoneinfo --- */

static void
test_monitor_zoneinfo_reserve_parse_buf_real(void **state)
{
	uint64_t pages = 0;
	size_t len;
	char *buf = read_fixture("zoneinfo", &len);

	(void)state;
	/*
	 * The test VM's zoneinfo, by hand: min(high + max(protection),
	 * managed) per zone.
	 *   DMA      high    49, protection max 7499, managed    3840
	 *            min(   7548,    3840) =  3840
	 *   DMA32    high 10182, protection max 4480, managed  772915
	 *            min(  14662,  772915) = 14662
	 *   Normal   high 15109, protection max    0, managed 1146880
	 *            min(  15109, 1146880) = 15109
	 *   Movable  high    32, managed 0                     ->     0
	 *   Device   high     0, managed 0                     ->     0
	 * Sum: 3840 + 14662 + 15109 = 33611 pages (134444 KiB).
	 * The per-cpu "high:" lines (Normal has 67989 and 49217) are page
	 * list sizes, not watermarks, and must not count.
	 */
	assert_int_equal(monitor_zoneinfo_reserve_parse_buf(buf, len, &pages),
	    0);
	assert_int_equal(pages, 33611);
	free(buf);
}

/* The reader: the parser's figure, a quarter more, and self-correction. */
static void
test_monitor_read_reserve(void **state)
{
	const char *tmp = getenv("TMPDIR");
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE) / 1024, kib;
	char dir[PATH_MAX], *zone, *big;
	struct mem_sample s;
	struct monitor m;
	size_t len, i;
	int fd;

	snprintf(dir, sizeof(dir), "%s/bustd-test-monitor.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	zone = read_fixture("zoneinfo", &len);
	put(dir, "zoneinfo", zone, len);
	put(dir, "meminfo", "MemTotal: 1000 kB\nMemFree: 500 kB\n", 34);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(monitor_open(&m, fd, -1), 0);
	assert_int_equal(monitor_read_reserve(&m), 0);
	/* 33611 pages (the parser's test above), and a quarter more for
	 * the growth between two reads. */
	kib = 33611 * page;
	assert_int_equal(m.reserve_kib, kib + kib / 4);

	/* An exact reading that proves it too small raises it... */
	memset(&s, 0, sizeof(s));
	s.exact = true;
	s.free_kib = 10 * GIB;
	s.avail_kib = s.free_kib - m.reserve_kib - 1;
	monitor_check_reserve(&m, &s);
	assert_int_equal(m.reserve_kib, kib + kib / 4 + 1);
	/* ...one that does not, or an estimate, or a bound, does not. */
	s.avail_kib = s.free_kib - 1000;
	monitor_check_reserve(&m, &s);
	assert_int_equal(m.reserve_kib, kib + kib / 4 + 1);
	s.avail_kib = s.free_kib - 2 * m.reserve_kib;
	s.estimated = true;
	monitor_check_reserve(&m, &s);
	s.estimated = false;
	s.exact = false;
	monitor_check_reserve(&m, &s);
	assert_int_equal(m.reserve_kib, kib + kib / 4 + 1);

	/* Grown past its buffer (hotplug): unknown, never a cut figure. */
	big = malloc(m.zoneinfo_size + len);
	assert_non_null(big);
	for (i = 0; i + len <= m.zoneinfo_size; i += len)
		memcpy(big + i, zone, len);
	memcpy(big + i, zone, len);
	put(dir, "zoneinfo", big, i + len);
	assert_int_equal(monitor_read_reserve(&m), -EFBIG);
	assert_int_equal(m.reserve_kib, 0);
	/* Garbage: unknown too. */
	put(dir, "zoneinfo", "no zones here\n", 14);
	assert_int_equal(monitor_read_reserve(&m), -EINVAL);
	assert_int_equal(m.reserve_kib, 0);
	monitor_close(&m);

	/* No zoneinfo at all: no reserve, no fast path, no error at open. */
	drop(dir, "zoneinfo");
	assert_int_equal(monitor_open(&m, fd, -1), 0);
	assert_int_equal(monitor_read_reserve(&m), -ENOENT);
	assert_int_equal(m.reserve_kib, 0);
	monitor_close(&m);
	drop(dir, "meminfo");
	close(fd);
	assert_int_equal(rmdir(dir), 0);
	free(big);
	free(zone);
}

static void
test_monitor_zoneinfo_reserve_parse_buf_pcp_high(void **state)
{
	static const char text[] = "Node 0, zone   Normal\n"
	                           "  pages free     5000\n"
	                           "        min      60\n"
	                           "        low      80\n"
	                           "        high     100\n"
	                           "        spanned  2000\n"
	                           "        present  2000\n"
	                           "        managed  1000\n"
	                           "        protection: (0, 0, 50, 20)\n"
	                           "  pagesets\n"
	                           "    cpu: 0\n"
	                           "              count: 10\n"
	                           "              high:  99999\n"
	                           "              batch: 63\n"
	                           "              high_min: 5000\n"
	                           "              high_max: 7000\n"
	                           "  node_unreclaimable:  0\n";
	uint64_t pages = 0;

	(void)state;
	assert_int_equal(monitor_zoneinfo_reserve_parse_buf(text, strlen(text),
	                     &pages),
	    0);
	assert_int_equal(pages, 150); /* 100 + max(0, 0, 50, 20) */
}

static void
test_monitor_zoneinfo_reserve_parse_buf_capped(void **state)
{
	/* A small zone whose protection exceeds what it manages. */
	static const char text[] = "Node 0, zone      DMA\n"
	                           "        high     49\n"
	                           "        managed  3840\n"
	                           "        protection: (0, 3019, 7499, 7499)\n"
	                           "Node 0, zone    DMA32\n"
	                           "        high     10\n"
	                           "        managed  1000000\n"
	                           "        protection: (0, 0, 5, 5)\n";
	uint64_t pages = 0;

	(void)state;
	assert_int_equal(monitor_zoneinfo_reserve_parse_buf(text, strlen(text),
	                     &pages),
	    0);
	assert_int_equal(pages, 3840 + 15);
}

static void
test_monitor_zoneinfo_reserve_parse_buf_two_nodes(void **state)
{
	static const char text[] = "Node 0, zone   Normal\n"
	                           "        high     1000\n"
	                           "        managed  500000\n"
	                           "        protection: (0, 0)\n"
	                           "Node 1, zone   Normal\n"
	                           "        high     2000\n"
	                           "        managed  500000\n"
	                           "        protection: (0, 0)\n"
	                           "              high:  77777\n";
	uint64_t pages = 0;

	(void)state;
	assert_int_equal(monitor_zoneinfo_reserve_parse_buf(text, strlen(text),
	                     &pages),
	    0);
	assert_int_equal(pages, 3000);
}

static void
test_monitor_zoneinfo_reserve_parse_buf_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage\n",
		/* No zone header. */
		"        high     1000\n        managed  500000\n",
		/* A zone without a watermark. */
		"Node 0, zone   Normal\n        managed  500000\n",
		/* Only per-cpu lines. */
		"Node 0, zone   Normal\n              high:  99\n",
	};
	uint64_t pages = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(monitor_zoneinfo_reserve_parse_buf(bad[i],
		                     strlen(bad[i]), &pages),
		    -EINVAL);
		assert_int_equal(pages, 42);
	}
}

/* --- Thresholds --- */

static struct amount
pct(uint64_t centi)
{
	struct amount a = { true, centi };

	return a;
}

static struct amount
kib(uint64_t v)
{
	struct amount a = { false, v };

	return a;
}

static void
test_monitor_limits_percent(void **state)
{
	struct policy p;
	struct limits l;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.mem_term = pct(1000);
	p.mem_kill = pct(500);
	p.swap_term = pct(1000);
	p.swap_kill = pct(500);
	p.psi_mem_gate = pct(1500);
	p.psi_metric = PSI_FULL_AVG60;
	p.psi_cutoff_centi = 4000;
	p.psi_duration_ms = 10000;
	p.cooldown_ms = 5000;
	monitor_limits(&p, 24684084, 8 * GIB, &l);
	/* 10%, 5%, 15% of 24684084 KiB, rounded down. */
	assert_int_equal(l.mem_term_kib, 2468408);
	assert_int_equal(l.mem_kill_kib, 1234204);
	assert_int_equal(l.psi_gate_kib, 3702612);
	/* 10% and 5% of 8 GiB of swap. */
	assert_int_equal(l.swap_term_kib, 838860);
	assert_int_equal(l.swap_kill_kib, 419430);
	assert_true(l.psi_on);
	assert_int_equal(l.psi_metric, PSI_FULL_AVG60);
	assert_int_equal(l.psi_cutoff_centi, 4000);
	assert_int_equal(l.psi_duration_ms, 10000);
	assert_int_equal(l.cooldown_ms, 5000);
	/* No swap: the swap levels are 0. */
	monitor_limits(&p, 24684084, 0, &l);
	assert_int_equal(l.swap_term_kib, 0);
	assert_int_equal(l.swap_kill_kib, 0);
}

static void
test_monitor_limits_size(void **state)
{
	struct policy p;
	struct limits l;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.mem_term = kib(512 * MIB);
	p.mem_kill = kib(256 * MIB);
	p.swap_term = kib(GIB);
	p.swap_kill = kib(100);
	p.psi_mem_gate = kib(2 * GIB);
	p.psi_metric = PSI_OFF;
	monitor_limits(&p, 24684084, 0, &l);
	assert_int_equal(l.mem_term_kib, 512 * MIB);
	assert_int_equal(l.mem_kill_kib, 256 * MIB);
	assert_int_equal(l.swap_term_kib, GIB);
	assert_int_equal(l.swap_kill_kib, 100);
	assert_int_equal(l.psi_gate_kib, 2 * GIB);
	assert_false(l.psi_on);
}

static void
test_monitor_limits_fill_rate(void **state)
{
	struct policy p;
	struct limits l;

	(void)state;
	memset(&p, 0, sizeof(p));
	/* 0: the per-CPU rule. */
	monitor_limits(&p, 24684084, 0, &l);
	assert_int_equal(l.fill_kib_per_ms, 0);
	/* 16G a second: 16777216 KiB / 1000 ms. */
	p.fill_rate = kib(16 * GIB);
	monitor_limits(&p, 24684084, 0, &l);
	assert_int_equal(l.fill_kib_per_ms, 16777);
	/* 25% of RAM a second: 6171021 KiB / 1000. */
	p.fill_rate = pct(2500);
	monitor_limits(&p, 24684084, 0, &l);
	assert_int_equal(l.fill_kib_per_ms, 6171);
	/* Under 1 KiB/ms is still a rate set, not the rule. */
	p.fill_rate = kib(512);
	monitor_limits(&p, 24684084, 0, &l);
	assert_int_equal(l.fill_kib_per_ms, 1);
	p.fill_rate = pct(1);
	monitor_limits(&p, 1024, 0, &l);
	assert_int_equal(l.fill_kib_per_ms, 0);
}

/* Limits of a 16 GiB machine, desktop-like: 10%/5%, gate 20%. */
static struct limits
limits_default(void)
{
	struct limits l;

	memset(&l, 0, sizeof(l));
	l.mem_term_kib = 1677721;
	l.mem_kill_kib = 838860;
	l.swap_term_kib = 419430; /* of 4 GiB swap */
	l.swap_kill_kib = 209715;
	l.psi_gate_kib = 3355443;
	l.psi_on = true;
	l.psi_metric = PSI_SOME_AVG10;
	l.psi_cutoff_centi = 2500;
	l.psi_duration_ms = 5000;
	l.cooldown_ms = 5000;
	return l;
}

static struct mem_sample
sample(uint64_t avail, uint64_t swap_total, uint64_t swap_free)
{
	struct mem_sample s;

	memset(&s, 0, sizeof(s));
	s.mem_total_kib = 16 * GIB;
	s.avail_kib = avail;
	s.free_kib = avail;
	s.swap_total_kib = swap_total;
	s.swap_free_kib = swap_free;
	s.exact = true;
	return s;
}

static void
test_monitor_mem_level_no_swap(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	/* No swap configured: the swap condition holds. */
	s = sample(16 * GIB, 0, 0);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_NONE);
	s = sample(l.mem_term_kib + 1, 0, 0);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_NONE);
	s = sample(l.mem_term_kib, 0, 0);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_TERM);
	s = sample(l.mem_kill_kib + 1, 0, 0);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_TERM);
	s = sample(l.mem_kill_kib, 0, 0);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_KILL);
	s = sample(0, 0, 0);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_KILL);
}

static void
test_monitor_mem_level_swap_plenty(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	/* Memory gone, but swap can still take it: no action. */
	s = sample(0, 4 * GIB, 2 * GIB);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_NONE);
	s = sample(l.mem_kill_kib, 4 * GIB, l.swap_term_kib + 1);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_NONE);
	/* Swap low, memory plenty: no action either. */
	s = sample(l.mem_term_kib + 1, 4 * GIB, 0);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_NONE);
}

static void
test_monitor_mem_level_swap_boundaries(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	s = sample(l.mem_term_kib, 4 * GIB, l.swap_term_kib);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_TERM);
	s = sample(l.mem_kill_kib, 4 * GIB, l.swap_kill_kib);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_KILL);
	/* Memory at the kill level, swap only at the term level. */
	s = sample(l.mem_kill_kib, 4 * GIB, l.swap_kill_kib + 1);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_TERM);
	/* Swap at the kill level, memory only at the term level. */
	s = sample(l.mem_kill_kib + 1, 4 * GIB, 0);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_TERM);
	s = sample(l.mem_term_kib + 1, 4 * GIB, 0);
	assert_int_equal(monitor_mem_level(&l, &s), LEVEL_NONE);
}

/* --- Fast path --- */

static void
test_monitor_fast_path_safe_no_reserve(void **state)
{
	struct limits l = limits_default();

	(void)state;
	/* Unknown reserve: no bound, always read meminfo. */
	assert_false(monitor_fast_path_safe(&l, 16 * GIB, 0));
	assert_false(monitor_fast_path_safe(&l, UINT64_MAX / 2, 0));
}

static void
test_monitor_fast_path_safe_boundary(void **state)
{
	struct limits l = limits_default();
	uint64_t w = l.psi_gate_kib, r = 134444;

	(void)state;
	assert_int_equal(monitor_watch_kib(&l), w);
	assert_true(monitor_fast_path_safe(&l, w + r + 1, r));
	assert_false(monitor_fast_path_safe(&l, w + r, r));
	assert_false(monitor_fast_path_safe(&l, w + r - 1, r));
	assert_false(monitor_fast_path_safe(&l, r, r));
	assert_false(monitor_fast_path_safe(&l, r - 1, r));
	assert_false(monitor_fast_path_safe(&l, 0, r));
}

static void
test_monitor_fast_path_safe_watch_level(void **state)
{
	struct limits l = limits_default();
	uint64_t r = 1000;

	(void)state;
	/* PSI on: the gate (20%) is the highest level. */
	assert_int_equal(monitor_watch_kib(&l), l.psi_gate_kib);
	assert_false(monitor_fast_path_safe(&l, l.psi_gate_kib + r, r));
	/* PSI off: the gate no longer matters, mem_term does. */
	l.psi_on = false;
	assert_int_equal(monitor_watch_kib(&l), l.mem_term_kib);
	assert_true(monitor_fast_path_safe(&l, l.mem_term_kib + r + 1, r));
	assert_false(monitor_fast_path_safe(&l, l.mem_term_kib + r, r));
	/* A gate below mem_term changes nothing. */
	l.psi_on = true;
	l.psi_gate_kib = l.mem_kill_kib;
	assert_int_equal(monitor_watch_kib(&l), l.mem_term_kib);
	/* An absolute mem_kill above a relative mem_term. */
	l.mem_kill_kib = l.mem_term_kib + 5000;
	assert_int_equal(monitor_watch_kib(&l), l.mem_term_kib + 5000);
	assert_false(monitor_fast_path_safe(&l, l.mem_term_kib + r + 5000, r));
	assert_true(monitor_fast_path_safe(&l, l.mem_term_kib + r + 5001, r));
}

struct pair {
	uint64_t freeram_kib;
	uint64_t avail_kib;
	uint64_t memfree_kib;
};

static void
test_monitor_fast_path_safe_recorded_pairs(void **state)
{
	struct pair pairs[256];
	size_t n = 0, i, len, far = 0, far_skipped = 0, skipped = 0;
	uint64_t reserve = 0, w, top = 0;
	struct limits l;
	struct mem_sample s;
	char *buf = read_fixture("pairs.txt", &len);
	char *line, *save = NULL;

	(void)state;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long a, b, c;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "reserve_kib %llu", &a) == 1) {
			reserve = a;
			continue;
		}
		assert_int_equal(sscanf(line, "%llu %llu %llu", &a, &b, &c), 3);
		assert_true(n < sizeof(pairs) / sizeof(pairs[0]));
		pairs[n].freeram_kib = a;
		pairs[n].avail_kib = b;
		pairs[n].memfree_kib = c;
		if (b > top)
			top = b;
		n++;
	}
	free(buf);
	assert_true(reserve > 0);
	assert_true(n >= 24);

	for (i = 0; i < n; i++) {
		/* The kernel's own bound, within one read of meminfo. */
		assert_true(
		    pairs[i].avail_kib + reserve >= pairs[i].memfree_kib);
	}

	/* Every watch level from 0 to above the largest MemAvailable. */
	for (w = 0; w <= top + 64 * MIB; w += 4 * MIB) {
		memset(&l, 0, sizeof(l));
		l.mem_term_kib = w;
		l.mem_kill_kib = w / 4;
		l.psi_on = (w / (4 * MIB)) % 2; /* gate, or no PSI */
		l.psi_gate_kib = l.psi_on ? w : 0;
		if (l.psi_on)
			l.mem_term_kib = w / 3;
		assert_int_equal(monitor_watch_kib(&l), w);
		for (i = 0; i < n; i++) {
			bool skip = monitor_fast_path_safe(&l,
			    pairs[i].freeram_kib, reserve);

			if (skip) {
				/* The rule never hides a crossing. */
				if (pairs[i].avail_kib <= w)
					fail_msg("pair %zu (%" PRIu64
					         " %" PRIu64
					         "): skipped at watch %" PRIu64,
					    i, pairs[i].freeram_kib,
					    pairs[i].avail_kib, w);
				s = sample(pairs[i].avail_kib, 0, 0);
				assert_int_equal(monitor_mem_level(&l, &s),
				    LEVEL_NONE);
				skipped++;
			}
			/* Far: 2 GiB or more above the level. */
			if (pairs[i].avail_kib >= w + 2 * GIB) {
				far++;
				far_skipped += skip;
			}
		}
	}
	/* The rule is of use: it skips for most pairs far from the level. */
	assert_true(far > 0);
	assert_true(far_skipped * 10 >= far * 9);
	assert_true(skipped > 0);
}

/* --- Sleep --- */

static void
test_monitor_sleep_ms_far(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s = sample(100 * GIB, 0, 0);

	(void)state;
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false),
	    MONITOR_SLEEP_MAX_MS);
	l.psi_on = false;
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false),
	    MONITOR_SLEEP_MAX_MS);
	/* (100 GiB - mem_term) / (4 * 2097 KiB/ms) = 12301 ms: capped */
	assert_int_equal(monitor_sleep_ms(&l, &s, 4, false),
	    MONITOR_SLEEP_MAX_MS);
	/* With 8 CPUs, 6150.5 ms. */
	assert_int_equal(monitor_sleep_ms(&l, &s, 8, false), 6150);
}

static void
test_monitor_sleep_ms_near(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	l.psi_on = false;
	/* 5 ms of fill above mem_term. */
	s = sample(l.mem_term_kib + 5 * RATE1, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false),
	    MONITOR_SLEEP_MIN_MS);
	/* Below every level. */
	s = sample(0, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false),
	    MONITOR_SLEEP_MIN_MS);
}

static void
test_monitor_sleep_ms_between(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	l.psi_on = false;
	s = sample(l.mem_term_kib + 1234567, 0, 0);
	/* 1234567 / (2097 * 2) = 294.36 */
	assert_int_equal(monitor_sleep_ms(&l, &s, 2, false), 294);
	/* Between mem_term and mem_kill: headroom to mem_kill. */
	s = sample(l.mem_kill_kib + 400000, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 400000 / RATE1);
}

static void
test_monitor_sleep_ms_ncpu(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	l.psi_on = false;
	s = sample(l.mem_term_kib + 1234567, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 588);
	assert_int_equal(monitor_sleep_ms(&l, &s, 0, false), 588);
	assert_int_equal(monitor_sleep_ms(&l, &s, 4, false), 147);
	assert_int_equal(monitor_sleep_ms(&l, &s, 64, false),
	    MONITOR_SLEEP_MIN_MS);
}

static void
test_monitor_sleep_ms_fill_rate(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	l.psi_on = false;
	s = sample(l.mem_term_kib + 1234567, 0, 0);
	/* A rate set wins over the CPUs: 1234567 / 1000 = 1234.6. */
	l.fill_kib_per_ms = 1000;
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 1234);
	assert_int_equal(monitor_sleep_ms(&l, &s, 64, false), 1234);
	/* Faster than the rule: shorter sleeps, still clamped. */
	l.fill_kib_per_ms = 16777;
	assert_int_equal(monitor_sleep_ms(&l, &s, 2, false), 73);
	l.fill_kib_per_ms = 1;
	assert_int_equal(monitor_sleep_ms(&l, &s, 2, false),
	    MONITOR_SLEEP_MAX_MS);
	/* The gap rule asks the same rate: 1234567 KiB more would double
	 * a sleep of 1234 ms. */
	l.fill_kib_per_ms = 1000;
	assert_true(monitor_exact_pays(&l, &s, 1234567, 64));
	assert_false(monitor_exact_pays(&l, &s, 1234567 / 2, 64));
}

static void
test_monitor_slack_ms(void **state)
{
	uint32_t t, prev = 0;

	(void)state;
	/* Near a level, and for short sleeps: no slack of bustd's own. */
	assert_int_equal(monitor_slack_ms(0), 0);
	assert_int_equal(monitor_slack_ms(MONITOR_SLEEP_MIN_MS), 0);
	assert_int_equal(monitor_slack_ms(MONITOR_PSI_POLL_MS - 245), 0);
	assert_int_equal(monitor_slack_ms(MONITOR_SLACK_FROM_MS - 1), 0);
	/* Then an eighth of the sleep, rounded down to a power of two. */
	assert_int_equal(monitor_slack_ms(MONITOR_SLACK_FROM_MS), 32);
	assert_int_equal(monitor_slack_ms(511), 32);
	assert_int_equal(monitor_slack_ms(512), 64);
	assert_int_equal(monitor_slack_ms(750), 64);
	assert_int_equal(monitor_slack_ms(4500), 512);
	assert_int_equal(monitor_slack_ms(8191), 512);
	assert_int_equal(monitor_slack_ms(8192), MONITOR_SLACK_MAX_MS);
	assert_int_equal(monitor_slack_ms(MONITOR_SLEEP_MAX_MS),
	    MONITOR_SLACK_MAX_MS);
	assert_int_equal(monitor_slack_ms(UINT32_MAX), MONITOR_SLACK_MAX_MS);
	/* Never more than an eighth (the loop wakes at 7/8 of the sleep at
	 * the earliest, never after it), never less than a sixteenth or
	 * the cap, and it only grows with the sleep. */
	for (t = 0; t <= MONITOR_SLEEP_MAX_MS; t++) {
		uint32_t sl = monitor_slack_ms(t);

		assert_true(sl <= t / 8);
		assert_true(sl >= prev);
		if (t >= MONITOR_SLACK_FROM_MS)
			assert_true(sl * 16 > t ||
			    sl == MONITOR_SLACK_MAX_MS);
		assert_true((sl & (sl - 1)) == 0);
		prev = sl;
	}
}

static void
test_monitor_sleep_ms_swap_headroom(void **state)
{
	struct limits l = limits_default();
	uint64_t avail = l.mem_term_kib + 20 * RATE1;
	struct mem_sample s;

	(void)state;
	l.psi_on = false;
	/* No swap: memory alone decides, 20 ms. */
	s = sample(avail, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 20);
	/* Swap configured, half free: both must fall, swap takes longer:
	 * (2097152 - 419430) / 2097 = 800.06. */
	s = sample(avail, 4 * GIB, 2 * GIB);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 800);
	/* Swap already at its level: memory decides again. */
	s = sample(avail, 4 * GIB, l.swap_term_kib);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 20);
	/* Memory below mem_term, swap not: the swap headroom counts. */
	s = sample(l.mem_term_kib - 1, 4 * GIB, l.swap_term_kib + 300 * RATE1);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 300);
	/* Same memory, no swap: at the term level, the kill level is
	 * (1677720 - 838860) / 2097 = 400.03 away. */
	s = sample(l.mem_term_kib - 1, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 400);
}

static void
test_monitor_sleep_ms_psi_gate(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s = sample(l.psi_gate_kib + 1000 * RATE1, 0, 0);

	(void)state;
	/* PSI on: the gate is nearest. */
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 1000);
	/* PSI off: mem_term is, (3355443 - 1677721) / 2097 + 1000. */
	l.psi_on = false;
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false),
	    (l.psi_gate_kib - l.mem_term_kib) / RATE1 + 1000);
	/* Below the gate, PSI on: the gate adds nothing. */
	l.psi_on = true;
	s = sample(l.mem_term_kib + 300 * RATE1, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false), 300);
}

/* --- An exact reading when the sysinfo bound is far below it --- */

/* A sample from the sysinfo bound, not exact. */
static struct mem_sample
bound_sample(uint64_t avail, uint64_t swap_total, uint64_t swap_free)
{
	struct mem_sample s = sample(avail, swap_total, swap_free);

	s.exact = false;
	return s;
}

static void
test_monitor_exact_pays(void **state)
{
	struct limits l = limits_default();
	struct mem_sample fast;

	(void)state;
	l.psi_on = false;
	/* The bound 300 ms of fill above mem_term. */
	fast = bound_sample(l.mem_term_kib + 300 * RATE1, 0, 0);
	/* Nothing learned, or no page cache: no. */
	assert_false(monitor_exact_pays(&l, &fast, 0, 1));
	/* A desktop with 6 GiB of page cache: 300 ms against seconds. */
	assert_true(monitor_exact_pays(&l, &fast, 6 * GIB, 1));
	/* Twice the sleep exactly pays; a little less does not. */
	assert_true(monitor_exact_pays(&l, &fast, 300 * RATE1, 1));
	assert_false(monitor_exact_pays(&l, &fast, 299 * RATE1, 1));
	/* A small cache against 3 GiB of headroom (no page cache to
	 * speak of, as in a VM that hands freed pages back): no. */
	fast = bound_sample(l.mem_term_kib + 3 * GIB, 0, 0);
	assert_false(monitor_exact_pays(&l, &fast, 300 * MIB, 2));
	/* Already at the longest sleep: nothing to win. */
	fast = bound_sample(l.mem_term_kib + 30 * GIB, 0, 0);
	assert_false(monitor_exact_pays(&l, &fast, 30 * GIB, 1));
	/* With swap, a level needs both low: the later crossing decides,
	 * here swap's (600 ms), and only a gap that takes memory past
	 * twice that lengthens the sleep enough. */
	fast = bound_sample(l.mem_term_kib + 300 * RATE1, 4 * GIB,
	    l.swap_term_kib + 600 * RATE1);
	assert_int_equal(monitor_sleep_ms(&l, &fast, 1, false), 600);
	assert_false(monitor_exact_pays(&l, &fast, 600 * RATE1, 1));
	assert_true(monitor_exact_pays(&l, &fast, 6 * GIB, 1));
	/* PSI on, the gate nearest: the gap counts against the gate. */
	l.psi_on = true;
	fast = bound_sample(l.psi_gate_kib + 100 * RATE1, 0, 0);
	assert_true(monitor_exact_pays(&l, &fast, 100 * RATE1, 1));
	assert_false(monitor_exact_pays(&l, &fast, 50 * RATE1, 1));
}

static void
test_monitor_exact_due(void **state)
{
	struct limits l = limits_default();
	struct mem_sample fast;

	(void)state;
	l.psi_on = false;
	/* Near mem_term: a stale gap is learned again, a fresh one is
	 * used as monitor_exact_pays() says. */
	fast = bound_sample(l.mem_term_kib + 300 * RATE1, 0, 0);
	assert_true(monitor_exact_due(&l, &fast, 0, true, 1));
	assert_false(monitor_exact_due(&l, &fast, 0, false, 1));
	assert_true(monitor_exact_due(&l, &fast, 6 * GIB, false, 1));
	/* The bound alone allows 5 s or more: never, stale or not. */
	fast = bound_sample(l.mem_term_kib +
	    (MONITOR_SLEEP_MAX_MS / 2 + 1) * RATE1, 0, 0);
	assert_false(monitor_exact_due(&l, &fast, 0, true, 1));
	assert_false(monitor_exact_due(&l, &fast, 60 * GIB, false, 1));
	/* Just at half the longest sleep: a stale gap is learned. */
	fast = bound_sample(l.mem_term_kib + MONITOR_SLEEP_MAX_MS / 2 * RATE1, 0, 0);
	assert_true(monitor_exact_due(&l, &fast, 0, true, 1));
}

static void
test_monitor_sleep_ms_psi_watch(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	s = sample(100 * GIB, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, true),
	    MONITOR_PSI_POLL_MS);
	s = sample(l.mem_term_kib + 200 * RATE1, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, true), 200);
	/* Below every level while watching PSI: poll PSI. */
	s = sample(0, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, true),
	    MONITOR_PSI_POLL_MS);
}

static void
test_monitor_sleep_ms_sub_ms_headroom(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	l.psi_on = false;
	/*
	 * Less than one millisecond of fill above mem_term (here 1 KiB)
	 * still counts as above it: the sleep is the minimum, not the time
	 * to mem_kill ((1677722 - 838860) / 2097 = 400 ms).
	 */
	s = sample(l.mem_term_kib + 1, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false),
	    MONITOR_SLEEP_MIN_MS);
	s = sample(l.mem_term_kib + RATE1 - 1, 0, 0);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false),
	    MONITOR_SLEEP_MIN_MS);
	/* Same with swap: memory 1 KiB and swap 1 KiB above their levels. */
	s = sample(l.mem_term_kib + 1, 4 * GIB, l.swap_term_kib + 1);
	assert_int_equal(monitor_sleep_ms(&l, &s, 1, false),
	    MONITOR_SLEEP_MIN_MS);
}

static uint64_t
rnd(uint64_t *x)
{
	/* xorshift64: fixed seed, same samples every run. */
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Fill time, in KiB, until memory and swap both reach a level pair;
 * 0 if the sample is at or below it already. */
static uint64_t
pair_headroom(const struct mem_sample *s, uint64_t mem, uint64_t swap)
{
	uint64_t h = s->avail_kib > mem ? s->avail_kib - mem : 0;
	uint64_t hs;

	if (s->swap_total_kib == 0)
		return h;
	hs = s->swap_free_kib > swap ? s->swap_free_kib - swap : 0;
	return h > hs ? h : hs;
}

static void
test_monitor_sleep_ms_invariant(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull, total = 64 * GIB;
	struct limits l;
	struct mem_sample s;
	unsigned int i, ncpu;
	uint32_t ms;
	bool watch;

	(void)state;
	for (i = 0; i < 200000; i++) {
		uint64_t h = UINT64_MAX, hp, rate;

		memset(&l, 0, sizeof(l));
		l.mem_term_kib = rnd(&x) % (total / 4);
		l.mem_kill_kib = rnd(&x) % (l.mem_term_kib + 1);
		l.swap_term_kib = rnd(&x) % (8 * GIB);
		l.swap_kill_kib = rnd(&x) % (l.swap_term_kib + 1);
		l.psi_on = rnd(&x) % 2;
		l.psi_gate_kib = rnd(&x) % (total / 3);
		/* Mostly within 2 GiB of mem_term, sometimes anywhere. */
		s = sample(rnd(&x) % total, 0, 0);
		if (rnd(&x) % 4 != 0)
			s.avail_kib = l.mem_term_kib + rnd(&x) % (4 * GIB);
		s.avail_kib = s.avail_kib > 2 * GIB ? s.avail_kib - 2 * GIB : 0;
		if (rnd(&x) % 3 != 0) {
			s.swap_total_kib = 8 * GIB;
			s.swap_free_kib = rnd(&x) % (s.swap_total_kib + 1);
		}
		ncpu = (unsigned int)(rnd(&x) % 64);
		watch = rnd(&x) % 4 == 0;
		rate = RATE1 * (ncpu ? ncpu : 1);

		hp = pair_headroom(&s, l.mem_term_kib, l.swap_term_kib);
		if (hp > 0 && hp < h)
			h = hp;
		hp = pair_headroom(&s, l.mem_kill_kib, l.swap_kill_kib);
		if (hp > 0 && hp < h)
			h = hp;
		if (l.psi_on && s.avail_kib > l.psi_gate_kib &&
		    s.avail_kib - l.psi_gate_kib < h)
			h = s.avail_kib - l.psi_gate_kib;

		ms = monitor_sleep_ms(&l, &s, ncpu, watch);
		assert_in_range(ms, MONITOR_SLEEP_MIN_MS, MONITOR_SLEEP_MAX_MS);
		if (watch)
			assert_true(ms <= MONITOR_PSI_POLL_MS);
		if (h == UINT64_MAX) {
			/* At or below every level. */
			assert_int_equal(ms,
			    watch ? MONITOR_PSI_POLL_MS : MONITOR_SLEEP_MIN_MS);
			continue;
		}
		if (ms > MONITOR_SLEEP_MIN_MS && (uint64_t)ms * rate > h)
			fail_msg("sample %u: sleep %u ms * %" PRIu64
			         " KiB/ms > headroom %" PRIu64
			         " KiB (avail %" PRIu64 ", term %" PRIu64
			         ", kill %" PRIu64 ")",
			    i, ms, rate, h, s.avail_kib, l.mem_term_kib,
			    l.mem_kill_kib);
	}
}

/* --- PSI decision --- */

static struct psi_sample
psi(uint32_t some_centi, uint64_t some_total_us, uint32_t full_centi,
    uint64_t full_total_us)
{
	struct psi_sample s;

	memset(&s, 0, sizeof(s));
	s.some.avg10_centi = s.some.avg60_centi = some_centi;
	s.some.total_us = some_total_us;
	s.full.avg10_centi = s.full.avg60_centi = full_centi;
	s.full.total_us = full_total_us;
	s.has_full = true;
	return s;
}

/*
 * Feed readings every 100 ms from from_ms to to_ms (excluded): the metric
 * at centi, the stall clock advancing stall_pct of real time.  Returns
 * the time of the first "kill due", or UINT64_MAX.  *total carries the
 * stall clock between calls.
 */
static uint64_t
run(struct psi_state *st, const struct limits *l, uint64_t from_ms,
    uint64_t to_ms, uint32_t centi, unsigned int stall_pct, uint64_t avail_kib,
    uint64_t *total)
{
	struct psi_sample s;
	uint64_t t;

	for (t = from_ms; t < to_ms; t += 100) {
		s = psi(centi, *total, centi, *total);
		if (monitor_psi_update(st, l, &s, avail_kib, t))
			return t;
		*total += 100 * 1000 * stall_pct / 100;
	}
	return UINT64_MAX;
}

/* The wake-up predicted from the fill seen between two samples. */
static void
test_monitor_predict_ms_fill(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;

	(void)state;
	l.psi_on = false;
	/* 2560 KiB above mem_term, falling 256 KiB a ms: 10 ms to go. */
	s = sample(l.mem_term_kib + 2560, 0, 0);
	assert_int_equal(monitor_predict_ms(&l, &s, 2560, 10), 10);
	/* Not falling: nothing to predict. */
	assert_int_equal(monitor_predict_ms(&l, &s, 0, 10), UINT32_MAX);
	assert_int_equal(monitor_predict_ms(&l, &s, 100, 0), UINT32_MAX);
	/* Below mem_term, the next level down is mem_kill. */
	s = sample(l.mem_kill_kib + 1000, 0, 0);
	assert_int_equal(monitor_predict_ms(&l, &s, 500, 1), 2);
	/* Below every level: no level left to reach. */
	s = sample(l.mem_kill_kib / 2, 0, 0);
	assert_int_equal(monitor_predict_ms(&l, &s, 500, 1), UINT32_MAX);
	/* With PSI on, the gate is a level too. */
	l.psi_on = true;
	s = sample(l.psi_gate_kib + 300, 0, 0);
	assert_int_equal(monitor_predict_ms(&l, &s, 100, 1), 3);
}

/* When to wake, from the readings kept. */
static void
test_monitor_pace_wake_ms(void **state)
{
	struct limits l = limits_default();
	struct mem_sample s;
	struct pace p;
	uint64_t term;
	int i;

	(void)state;
	l.psi_on = false;
	term = l.mem_term_kib;
	monitor_pace_reset(&p);
	s = sample(term + 2560, 0, 0);
	/* Nothing kept: nothing to go by. */
	assert_int_equal(monitor_pace_wake_ms(&l, &p, &s, 1000), UINT32_MAX);
	/* One reading 10 ms ago, 2560 KiB higher: 10 ms to go, woken at
	 * 10 - 10 / 4 + 1. */
	monitor_pace_add(&p, term + 5120, 990);
	assert_int_equal(monitor_pace_wake_ms(&l, &p, &s, 1000), 9);
	/* Risen since, or the same: no fall. */
	s = sample(term + 5120, 0, 0);
	assert_int_equal(monitor_pace_wake_ms(&l, &p, &s, 1000), UINT32_MAX);
	/* Older than MONITOR_PACE_MAX_MS: not used. */
	s = sample(term + 2560, 0, 0);
	assert_int_equal(monitor_pace_wake_ms(&l, &p, &s, 990 + 1001),
	    UINT32_MAX);
	/* Memory taken 720 KiB every 10 ms, then nothing over the last
	 * poll.  The last reading shows no fall; the newest at least 50 ms
	 * back (950) is 2880 KiB higher: 57.6 KiB/ms, 44 ms to go; the
	 * steps fell 72 KiB/ms: 2560 KiB to go is 35 ms, woken at
	 * 35 - 8 + 1. */
	monitor_pace_reset(&p);
	for (i = 0; i <= 5; i++)
		monitor_pace_add(&p, term + 2560 + 3600 - (uint64_t)i * 720,
		    (uint64_t)(940 + i * 10));
	assert_int_equal(p.n, 6);
	/* The last one kept (990) holds what now holds. */
	monitor_pace_add(&p, term + 2560, 990);
	assert_int_equal(monitor_pace_wake_ms(&l, &p, &s, 1000), 28);
	/* One step of 2048 KiB 50 ms ago, still since: over the longer base
	 * 62 ms to go, at the step's pace (2048 KiB in 10 ms) 12 ms: woken
	 * at 12 - 3 + 1. */
	monitor_pace_reset(&p);
	monitor_pace_add(&p, term + 2560 + 2048, 940);
	for (i = 0; i < 5; i++)
		monitor_pace_add(&p, term + 2560, (uint64_t)(950 + i * 10));
	assert_int_equal(monitor_pace_wake_ms(&l, &p, &s, 1000), 10);
	/* The ring keeps the last MONITOR_PACE_N readings. */
	for (i = 0; i < 20; i++)
		monitor_pace_add(&p, term + 100000 - (uint64_t)i, 2000 + i);
	assert_int_equal(p.n, MONITOR_PACE_N);
	/* None 50 ms old: the oldest kept (2012) is the base.  A fall of
	 * 97 MiB in 1 ms and 2560 KiB to go: the crossing is due now, woken
	 * 1 ms later. */
	s = sample(term + 2560, 0, 0);
	assert_int_equal(monitor_pace_wake_ms(&l, &p, &s, 2020), 1);
	/* A fall seen only over the longer base still counts: the last
	 * reading equal to now. */
	monitor_pace_add(&p, term + 2560, 2020);
	assert_int_equal(monitor_pace_wake_ms(&l, &p, &s, 2021), 1);
}

static void
test_monitor_psi_update_below_cutoff(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	uint64_t total = 0;

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 120000, 2499, 100, 0, &total),
	    UINT64_MAX);
	assert_false(st.holding);
}

static void
test_monitor_psi_update_duration(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	uint64_t total = 0;

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 1000, 0, 0, 0, &total), UINT64_MAX);
	/* At the cutoff from t = 1000 ms, stalled half the time. */
	assert_int_equal(run(&st, &l, 1000, 60000, 2500, 50, 0, &total),
	    1000 + 5000);
}

static void
test_monitor_psi_update_dip_resets(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	uint64_t total = 0;

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 3000, 5000, 50, 0, &total),
	    UINT64_MAX);
	/* One reading under the cutoff breaks the hold. */
	assert_int_equal(run(&st, &l, 3000, 3100, 2000, 50, 0, &total),
	    UINT64_MAX);
	assert_false(st.holding);
	assert_int_equal(run(&st, &l, 3100, 60000, 5000, 50, 0, &total),
	    3100 + 5000);
}

static void
test_monitor_psi_update_gate(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	uint64_t total = 0;

	(void)state;
	memset(&st, 0, sizeof(st));
	/* Plenty of memory: pressure alone never kills. */
	assert_int_equal(run(&st, &l, 0, 60000, 9000, 90, l.psi_gate_kib + 1,
	                     &total),
	    UINT64_MAX);
	assert_false(st.holding);
	/* At the gate it does.  */
	assert_int_equal(run(&st, &l, 60000, 120000, 9000, 90, l.psi_gate_kib,
	                     &total),
	    65000);
	/* Memory rising above the gate for one reading breaks the hold. */
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 4000, 9000, 90, 0, &total),
	    UINT64_MAX);
	assert_int_equal(run(&st, &l, 4000, 4100, 9000, 90, l.psi_gate_kib + 1,
	                     &total),
	    UINT64_MAX);
	assert_int_equal(run(&st, &l, 4100, 60000, 9000, 90, 0, &total), 9100);
}

static void
test_monitor_psi_update_stall_time(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	uint64_t total = 0;

	(void)state;
	/* The average stays high but the kernel counts no new stall: a
	 * decaying avg10 after the pressure stopped. */
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 60000, 8000, 0, 0, &total),
	    UINT64_MAX);
	assert_true(st.holding);
	/* Stalled 24% of the time, cutoff 25%: never. */
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 60000, 8000, 24, 0, &total),
	    UINT64_MAX);
	/* Stalled exactly 25%: at psi_duration. */
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 60000, 8000, 25, 0, &total), 5000);
}

static void
test_monitor_psi_update_decay_after_pressure(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	struct psi_sample s;
	uint64_t total = 40000000, t;
	uint32_t avg = 8000;

	(void)state;
	memset(&st, 0, sizeof(st));
	/* The pressure has just stopped: avg10 falls about 10% a second,
	 * staying above the cutoff for ~12 s; total= no longer moves. */
	for (t = 0; t < 20000 && avg >= l.psi_cutoff_centi; t += 100) {
		s = psi(avg, total, avg, total);
		assert_false(monitor_psi_update(&st, &l, &s, 0, t));
		avg -= avg / 100;
	}
	assert_true(t > l.psi_duration_ms);
}

/* The last victim's memory coming back: the SIGTERM level waits. */
static void
test_monitor_refill_hold(void **state)
{
	struct limits l = limits_default();
	struct refill_mark m;
	struct mem_sample s;
	uint64_t at = l.mem_term_kib - 1024; /* the reading of the kill */

	(void)state;
	memset(&m, 0, sizeof(m));
	s = sample(at, 0, 0);
	/* No victim gone yet: nothing holds. */
	assert_false(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 1000));
	m.set = true;
	m.gone_ms = 1000;
	m.avail_kib = at;
	/* Gone, and memory not lower than at the kill: hold, for cooldown. */
	assert_true(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 1000));
	assert_true(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 5999));
	assert_false(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 6000));
	/* Within the slack of the reading: still the same shortage. */
	s = sample(at - MONITOR_REFILL_SLACK_KIB, 0, 0);
	assert_true(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 2000));
	/* Lower than that: something else takes memory, act. */
	s = sample(at - MONITOR_REFILL_SLACK_KIB - 1, 0, 0);
	assert_false(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 2000));
	/* The SIGKILL level never waits; no level, nothing to hold. */
	s = sample(l.mem_kill_kib, 0, 0);
	assert_false(monitor_refill_hold(&l, &m, &s, LEVEL_KILL, 2000));
	s = sample(at, 0, 0);
	assert_false(monitor_refill_hold(&l, &m, &s, LEVEL_NONE, 2000));
	/* A clock before the mark (it cannot run back): no hold. */
	assert_false(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 999));
	/* With swap: free swap falling further acts too. */
	m.swap_free_kib = l.swap_term_kib;
	s = sample(at, 4 * GIB, l.swap_term_kib);
	assert_true(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 2000));
	s = sample(at, 4 * GIB,
	    l.swap_term_kib - MONITOR_REFILL_SLACK_KIB - 1);
	assert_false(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 2000));
	/* cooldown 0: never holds. */
	l.cooldown_ms = 0;
	s = sample(at, 0, 0);
	assert_false(monitor_refill_hold(&l, &m, &s, LEVEL_TERM, 1000));
}

static void
test_monitor_psi_update_cooldown(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	uint64_t total = 0;

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 60000, 5000, 50, 0, &total), 5000);
	monitor_psi_killed(&st, &l, 5000);
	assert_false(st.holding);
	/* The pressure goes on.  The hold restarts at 5100; the cooldown
	 * ends at 10000, when it is 4.9 s old: due at 10100. */
	assert_int_equal(run(&st, &l, 5100, 60000, 5000, 50, 0, &total), 10100);
	/* A shorter duration: due as soon as the cooldown ends. */
	l.psi_duration_ms = 2000;
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 60000, 5000, 50, 0, &total), 2000);
	monitor_psi_killed(&st, &l, 2000);
	assert_int_equal(run(&st, &l, 2100, 60000, 5000, 50, 0, &total), 7000);
	/* A dip during the cooldown restarts the hold after it. */
	monitor_psi_killed(&st, &l, 7000);
	assert_int_equal(run(&st, &l, 7100, 11000, 5000, 50, 0, &total),
	    UINT64_MAX);
	assert_int_equal(run(&st, &l, 11000, 11100, 0, 0, 0, &total),
	    UINT64_MAX);
	assert_int_equal(run(&st, &l, 11100, 60000, 5000, 50, 0, &total),
	    13100);
}

static void
test_monitor_psi_update_duration_zero(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	uint64_t total = 0;

	(void)state;
	l.psi_duration_ms = 0;
	memset(&st, 0, sizeof(st));
	/* The first reading at the cutoff is enough... */
	assert_int_equal(run(&st, &l, 0, 1000, 2000, 50, 0, &total),
	    UINT64_MAX);
	assert_int_equal(run(&st, &l, 1000, 60000, 2500, 0, 0, &total), 1000);
	/* ...but not during the cooldown. */
	monitor_psi_killed(&st, &l, 1000);
	assert_int_equal(run(&st, &l, 1100, 60000, 2500, 50, 0, &total), 6000);
}

static void
test_monitor_psi_update_off(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	uint64_t total = 0;

	(void)state;
	l.psi_on = false;
	l.psi_metric = PSI_OFF;
	memset(&st, 0, sizeof(st));
	assert_int_equal(run(&st, &l, 0, 60000, 10000, 100, 0, &total),
	    UINT64_MAX);
}

static void
test_monitor_psi_update_full_metric(void **state)
{
	struct limits l = limits_default();
	struct psi_state st;
	struct psi_sample s;
	uint64_t t, some = 0, full = 0;
	bool fired = false;

	(void)state;
	l.psi_metric = PSI_FULL_AVG10;
	memset(&st, 0, sizeof(st));
	/* "some" at 90% and stalling, "full" at 10%: no. */
	for (t = 0; t < 30000; t += 100) {
		s = psi(9000, some, 1000, full);
		assert_false(monitor_psi_update(&st, &l, &s, 0, t));
		some += 90000;
		full += 10000;
	}
	/* "full" at 30% but its clock does not move: no. */
	for (; t < 60000; t += 100) {
		s = psi(9000, some, 3000, full);
		assert_false(monitor_psi_update(&st, &l, &s, 0, t));
		some += 90000;
	}
	/* "full" at 30% and stalling 30%: yes, after the duration. */
	memset(&st, 0, sizeof(st));
	for (t = 60000; t < 120000 && !fired; t += 100) {
		s = psi(0, some, 3000, full);
		fired = monitor_psi_update(&st, &l, &s, 0, t);
		full += 30000;
	}
	assert_true(fired);
	assert_int_equal(t - 100, 65000);
}

static void
test_monitor_psi_value_metrics(void **state)
{
	struct limits l = limits_default();
	struct psi_sample s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.some.avg10_centi = 1;
	s.some.avg60_centi = 2;
	s.full.avg10_centi = 3;
	s.full.avg60_centi = 4;
	s.some.total_us = 100;
	s.full.total_us = 200;
	l.psi_metric = PSI_SOME_AVG10;
	assert_int_equal(monitor_psi_value(&l, &s), 1);
	assert_int_equal(monitor_psi_total(&l, &s), 100);
	l.psi_metric = PSI_SOME_AVG60;
	assert_int_equal(monitor_psi_value(&l, &s), 2);
	assert_int_equal(monitor_psi_total(&l, &s), 100);
	l.psi_metric = PSI_FULL_AVG10;
	assert_int_equal(monitor_psi_value(&l, &s), 3);
	assert_int_equal(monitor_psi_total(&l, &s), 200);
	l.psi_metric = PSI_FULL_AVG60;
	assert_int_equal(monitor_psi_value(&l, &s), 4);
	assert_int_equal(monitor_psi_total(&l, &s), 200);
	l.psi_metric = PSI_OFF;
	assert_int_equal(monitor_psi_value(&l, &s), 0);
}

/* --- PSI trigger --- */

static void
test_monitor_trigger_text_default(void **state)
{
	struct limits l = limits_default();
	char buf[64];

	(void)state;
	/* Cutoff 25% is capped at 15% of the 1 s window. */
	monitor_trigger_text(buf, sizeof(buf), &l, 1000);
	assert_string_equal(buf, "some 150000 1000000");
	monitor_trigger_text(buf, sizeof(buf), &l, 2000);
	assert_string_equal(buf, "some 300000 2000000");
	l.psi_cutoff_centi = 10000;
	monitor_trigger_text(buf, sizeof(buf), &l, 1000);
	assert_string_equal(buf, "some 150000 1000000");
}

static void
test_monitor_trigger_text_below_cap(void **state)
{
	struct limits l = limits_default();
	char buf[64];

	(void)state;
	l.psi_cutoff_centi = 1000;
	monitor_trigger_text(buf, sizeof(buf), &l, 1000);
	assert_string_equal(buf, "some 100000 1000000");
	l.psi_cutoff_centi = 1500;
	monitor_trigger_text(buf, sizeof(buf), &l, 1000);
	assert_string_equal(buf, "some 150000 1000000");
	l.psi_cutoff_centi = 1234;
	monitor_trigger_text(buf, sizeof(buf), &l, 2000);
	assert_string_equal(buf, "some 246800 2000000");
}

static void
test_monitor_trigger_text_full(void **state)
{
	struct limits l = limits_default();
	char buf[64];

	(void)state;
	l.psi_metric = PSI_FULL_AVG10;
	l.psi_cutoff_centi = 4000;
	monitor_trigger_text(buf, sizeof(buf), &l, 1000);
	assert_string_equal(buf, "full 150000 1000000");
	l.psi_metric = PSI_FULL_AVG60;
	monitor_trigger_text(buf, sizeof(buf), &l, 2000);
	assert_string_equal(buf, "full 300000 2000000");
	l.psi_metric = PSI_SOME_AVG60;
	monitor_trigger_text(buf, sizeof(buf), &l, 1000);
	assert_string_equal(buf, "some 150000 1000000");
}

static void
test_monitor_trigger_text_minimum(void **state)
{
	struct limits l = limits_default();
	char buf[64];

	(void)state;
	l.psi_cutoff_centi = 0;
	monitor_trigger_text(buf, sizeof(buf), &l, 1000);
	assert_string_equal(buf, "some 1000 1000000");
	l.psi_cutoff_centi = 5; /* 0.05% of 1 s = 500 us */
	monitor_trigger_text(buf, sizeof(buf), &l, 1000);
	assert_string_equal(buf, "some 1000 1000000");
	l.psi_cutoff_centi = 11; /* 1100 us */
	monitor_trigger_text(buf, sizeof(buf), &l, 1000);
	assert_string_equal(buf, "some 1100 1000000");
	/* A short buffer is cut, not overrun. */
	memset(buf, 'X', sizeof(buf));
	monitor_trigger_text(buf, 6, &l, 1000);
	assert_string_equal(buf, "some ");
	assert_int_equal(buf[6], 'X');
}

/* --- vmstat, swaps, zram --- */

static void
test_monitor_vmstat_parse_buf(void **state)
{
	static const char now[] = "nr_free_pages 100\n"
	    "nr_inactive_file 39131\nnr_active_file 45099\n"
	    "workingset_nodes 194\nworkingset_refault_anon 478328\n"
	    "workingset_refault_file 75391560\n"
	    "workingset_activate_file 27945667\n"
	    "pgscan_kswapd 241682429\npgscan_direct 56897763\n";
	static const char old[] = "nr_inactive_file 10\nnr_active_file 20\n"
	    "workingset_refault 12345\nworkingset_activate 99\n";
	struct vmstat_sample v;

	assert_int_equal(monitor_vmstat_parse_buf(now, strlen(now), &v), 0);
	assert_int_equal(v.refaults, 75391560 + 478328);
	assert_int_equal(v.file_lru_pages, 39131 + 45099);
	assert_int_equal(v.scanned, 241682429 + 56897763);
	/* Before Linux 5.9: one counter. */
	assert_int_equal(monitor_vmstat_parse_buf(old, strlen(old), &v), 0);
	assert_int_equal(v.refaults, 12345);
	assert_int_equal(v.file_lru_pages, 30);
	/* Not vmstat. */
	assert_int_equal(monitor_vmstat_parse_buf("x 1\n", 4, &v), -EINVAL);
	assert_int_equal(monitor_vmstat_parse_buf("nr_inactive_file 1\n"
	    "nr_active_file 2\n", 37, &v), -EINVAL);
}

static void
test_monitor_swaps_parse_buf(void **state)
{
	static const char text[] =
	    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
	    "/dev/zram0                              partition\t4194300\t\t"
	    "1048576\t\t100\n"
	    "/swapfile                               file\t\t2097148\t\t0"
	    "\t\t-2\n"
	    "/dev/zram12 partition 1000 10 5\n"
	    "/dev/zramx partition 1000 10 5\n";
	struct swap_dev d[MONITOR_SWAPS_MAX];
	size_t n;

	assert_int_equal(monitor_swaps_parse_buf(text, strlen(text), d,
	    MONITOR_SWAPS_MAX, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(d[0].zram, 0);
	assert_int_equal(d[0].size_kib, 4194300);
	assert_int_equal(d[0].used_kib, 1048576);
	assert_int_equal(d[1].zram, -1);
	assert_int_equal(d[1].size_kib, 2097148);
	assert_int_equal(d[2].zram, 12);
	assert_int_equal(d[3].zram, -1);
	/* The header alone: no swap. */
	assert_int_equal(monitor_swaps_parse_buf(text,
	    (size_t)(strchr(text, '\n') + 1 - text), d, MONITOR_SWAPS_MAX, &n),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(monitor_swaps_parse_buf("", 0, d, MONITOR_SWAPS_MAX,
	    &n), -EINVAL);
	assert_int_equal(monitor_swaps_parse_buf("F T S U P\n/dev/sda2 x\n",
	    22, d, MONITOR_SWAPS_MAX, &n), -EINVAL);
}

static void
test_monitor_mm_stat_parse_buf(void **state)
{
	static const char text[] = "  2147483648  1073741824  1090519040"
	    "        0  1090519040        0        0        0        0\n";
	struct swap_dev d;

	memset(&d, 0, sizeof(d));
	assert_int_equal(monitor_mm_stat_parse_buf(text, strlen(text), &d), 0);
	assert_int_equal(d.orig_bytes, 2147483648ULL);
	assert_int_equal(d.mem_used_bytes, 1090519040ULL);
	assert_int_equal(d.mem_limit_bytes, 0);
	assert_int_equal(monitor_mm_stat_parse_buf("1 2\n", 4, &d), -EINVAL);
}

static struct swap_dev
zram_dev(uint64_t size_mib, uint64_t used_mib, uint64_t orig_mib,
    uint64_t mem_mib, uint64_t limit_mib)
{
	struct swap_dev d;

	memset(&d, 0, sizeof(d));
	d.zram = 0;
	d.size_kib = size_mib * MIB;
	d.used_kib = used_mib * MIB;
	d.orig_bytes = orig_mib << 20;
	d.mem_used_bytes = mem_mib << 20;
	d.mem_limit_bytes = limit_mib << 20;
	return d;
}

static void
test_monitor_swap_usable_kib(void **state)
{
	struct swap_dev d[2];

	/* A disk: its free space, whatever RAM is left. */
	d[0] = zram_dev(4096, 1024, 0, 0, 0);
	d[0].zram = -1;
	assert_int_equal(monitor_swap_usable_kib(d, 1, 0), 3072 * MIB);
	/* zram at 2:1, 3 GiB free, 1 GiB of RAM left: 2 GiB usable. */
	d[0] = zram_dev(4096, 1024, 1024, 512, 0);
	assert_int_equal(monitor_swap_usable_kib(d, 1, 1024 * MIB),
	    2048 * MIB);
	/* Plenty of RAM: its free space. */
	assert_int_equal(monitor_swap_usable_kib(d, 1, 8192 * MIB),
	    3072 * MIB);
	/* Incompressible (a little worse than 1:1): less than the RAM. */
	d[0] = zram_dev(4096, 2048, 2048, 2100, 0);
	assert_true(monitor_swap_usable_kib(d, 1, 1024 * MIB) < 1024 * MIB);
	assert_true(monitor_swap_usable_kib(d, 1, 1024 * MIB) > 990 * MIB);
	/* Empty: no ratio known yet, 1:1. */
	d[0] = zram_dev(4096, 0, 0, 0, 0);
	assert_int_equal(monitor_swap_usable_kib(d, 1, 700 * MIB), 700 * MIB);
	/* mem_limit: 600 MiB more RAM at most, at 2:1. */
	d[0] = zram_dev(4096, 1024, 1024, 512, 1112);
	assert_int_equal(monitor_swap_usable_kib(d, 1, 8192 * MIB),
	    1200 * MIB);
	/* A limit reached already: nothing more. */
	d[0] = zram_dev(4096, 1024, 1024, 512, 500);
	assert_int_equal(monitor_swap_usable_kib(d, 1, 8192 * MIB), 0);
	/* zram and a disk: the disk counts whole. */
	d[0] = zram_dev(4096, 1024, 1024, 512, 0);
	d[1] = zram_dev(1024, 0, 0, 0, 0);
	d[1].zram = -1;
	assert_int_equal(monitor_swap_usable_kib(d, 2, 100 * MIB),
	    (200 + 1024) * MIB);
}

static void
test_monitor_window(void **state)
{
	struct rate_window w;
	uint64_t dv, dt;
	int i;

	monitor_window_reset(&w);
	assert_false(monitor_window_rise(&w, 1000, &dv, &dt));
	monitor_window_add(&w, 1000, 0);
	assert_false(monitor_window_rise(&w, 1000, &dv, &dt));
	assert_int_equal(monitor_window_stall_centi(&w, 1000), 0);
	/* 400 ms stalled a second: every 250 ms, 100 ms more. */
	for (i = 1; i <= 8; i++)
		monitor_window_add(&w, 1000 + 250 * (uint64_t)i,
		    100000 * (uint64_t)i);
	assert_true(monitor_window_rise(&w, 1000, &dv, &dt));
	assert_int_equal(dt, 1000);
	assert_int_equal(dv, 400000);
	assert_int_equal(monitor_window_stall_centi(&w, 1000), 4000);
	/* A span longer than what is kept: the oldest. */
	assert_true(monitor_window_rise(&w, 60000, &dv, &dt));
	assert_int_equal(dt, 2000);
	/* Refaults: 20000 pages over 1 s against 100000: 20% a second. */
	monitor_window_reset(&w);
	monitor_window_add(&w, 0, 500);
	monitor_window_add(&w, 500, 10500);
	monitor_window_add(&w, 1000, 20500);
	assert_int_equal(monitor_window_thrash_centi(&w, 1000, 100000), 2000);
	assert_int_equal(monitor_window_thrash_centi(&w, 500, 100000), 2000);
	/* A counter that fell (reset): no figure. */
	monitor_window_add(&w, 1500, 5);
	assert_false(monitor_window_rise(&w, 400, &dv, &dt));
	/* Many more readings than kept: the newest stay. */
	monitor_window_reset(&w);
	for (i = 0; i < 3 * MONITOR_WINDOW_N; i++)
		monitor_window_add(&w, 100 * (uint64_t)i, 50 * (uint64_t)i);
	assert_int_equal(w.n, MONITOR_WINDOW_N);
	assert_int_equal(monitor_window_stall_centi(&w, 1000), 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monitor_meminfo_parse_buf_real),
		cmocka_unit_test(test_monitor_meminfo_parse_buf_no_avail),
		cmocka_unit_test(test_monitor_meminfo_parse_buf_no_avail_shmem),
		cmocka_unit_test(test_monitor_meminfo_parse_buf_swap),
		cmocka_unit_test(test_monitor_meminfo_parse_buf_missing_total),
		cmocka_unit_test(test_monitor_meminfo_parse_buf_garbage),
		cmocka_unit_test(test_monitor_psi_parse_buf_real),
		cmocka_unit_test(test_monitor_psi_parse_buf_decimals),
		cmocka_unit_test(test_monitor_psi_parse_buf_some_only),
		cmocka_unit_test(test_monitor_psi_parse_buf_garbage),
		cmocka_unit_test(test_monitor_psi_parse_buf_above_100),
		cmocka_unit_test(test_monitor_zoneinfo_reserve_parse_buf_real),
		cmocka_unit_test(test_monitor_read_reserve),
		cmocka_unit_test(test_monitor_vmstat_parse_buf),
		cmocka_unit_test(test_monitor_swaps_parse_buf),
		cmocka_unit_test(test_monitor_mm_stat_parse_buf),
		cmocka_unit_test(test_monitor_swap_usable_kib),
		cmocka_unit_test(test_monitor_window),
		cmocka_unit_test(
		    test_monitor_zoneinfo_reserve_parse_buf_pcp_high),
		cmocka_unit_test(
		    test_monitor_zoneinfo_reserve_parse_buf_capped),
		cmocka_unit_test(
		    test_monitor_zoneinfo_reserve_parse_buf_two_nodes),
		cmocka_unit_test(
		    test_monitor_zoneinfo_reserve_parse_buf_garbage),
		cmocka_unit_test(test_monitor_limits_percent),
		cmocka_unit_test(test_monitor_limits_size),
		cmocka_unit_test(test_monitor_limits_fill_rate),
		cmocka_unit_test(test_monitor_mem_level_no_swap),
		cmocka_unit_test(test_monitor_mem_level_swap_plenty),
		cmocka_unit_test(test_monitor_mem_level_swap_boundaries),
		cmocka_unit_test(test_monitor_fast_path_safe_no_reserve),
		cmocka_unit_test(test_monitor_fast_path_safe_boundary),
		cmocka_unit_test(test_monitor_fast_path_safe_watch_level),
		cmocka_unit_test(test_monitor_fast_path_safe_recorded_pairs),
		cmocka_unit_test(test_monitor_sleep_ms_far),
		cmocka_unit_test(test_monitor_sleep_ms_near),
		cmocka_unit_test(test_monitor_sleep_ms_between),
		cmocka_unit_test(test_monitor_sleep_ms_ncpu),
		cmocka_unit_test(test_monitor_sleep_ms_fill_rate),
		cmocka_unit_test(test_monitor_slack_ms),
		cmocka_unit_test(test_monitor_sleep_ms_swap_headroom),
		cmocka_unit_test(test_monitor_sleep_ms_psi_gate),
		cmocka_unit_test(test_monitor_sleep_ms_psi_watch),
		cmocka_unit_test(test_monitor_exact_pays),
		cmocka_unit_test(test_monitor_exact_due),
		cmocka_unit_test(test_monitor_sleep_ms_sub_ms_headroom),
		cmocka_unit_test(test_monitor_sleep_ms_invariant),
		cmocka_unit_test(test_monitor_predict_ms_fill),
		cmocka_unit_test(test_monitor_pace_wake_ms),
	    cmocka_unit_test(test_monitor_psi_update_below_cutoff),
		cmocka_unit_test(test_monitor_psi_update_duration),
		cmocka_unit_test(test_monitor_psi_update_dip_resets),
		cmocka_unit_test(test_monitor_psi_update_gate),
		cmocka_unit_test(test_monitor_psi_update_stall_time),
		cmocka_unit_test(test_monitor_psi_update_decay_after_pressure),
		cmocka_unit_test(test_monitor_psi_update_cooldown),
		cmocka_unit_test(test_monitor_refill_hold),
		cmocka_unit_test(test_monitor_psi_update_duration_zero),
		cmocka_unit_test(test_monitor_psi_update_off),
		cmocka_unit_test(test_monitor_psi_update_full_metric),
		cmocka_unit_test(test_monitor_psi_value_metrics),
		cmocka_unit_test(test_monitor_trigger_text_default),
		cmocka_unit_test(test_monitor_trigger_text_below_cap),
		cmocka_unit_test(test_monitor_trigger_text_full),
		cmocka_unit_test(test_monitor_trigger_text_minimum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
