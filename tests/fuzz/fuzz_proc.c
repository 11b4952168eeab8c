/* SPDX-License-Identifier: MIT */
/* fuzz_proc.c: libFuzzer target for the pure /proc parsers of bustd. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "proc.h"

/* A short cgroup buffer, to exercise the size check as well. */
#define FUZZ_CGROUP_SMALL 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A heap block of exactly len + spare bytes holding the len bytes of data,
 * no NUL after them: ASan reports any read past it.  (ASan's malloc(0)
 * returns a block of no bytes, so an empty input is checked too.)
 */
static char *
exact_copy(const uint8_t *data, size_t len, size_t spare)
{
	char *buf;

	buf = malloc(len + spare);
	if (buf == NULL)
		abort();
	if (len > 0)
		memcpy(buf, data, len);
	return buf;
}

static void
check_cgroup(const char *buf, size_t len, size_t size)
{
	char *out;

	out = exact_copy(NULL, 0, size);
	/* A path fits, NUL included, and is not empty. */
	if (proc_cgroup_parse_buf(buf, len, out, size) == 0 &&
	    (memchr(out, '\0', size) == NULL || out[0] == '\0'))
		abort();
	free(out);
}

static void
check_cmdline(const uint8_t *data, size_t size)
{
	char *buf;
	size_t n;

	/* The parser writes the final NUL at buf[len]: one spare byte. */
	buf = exact_copy(data, size, 1);
	n = proc_cmdline_from_buf(buf, size);
	if (n > size || buf[n] != '\0' || memchr(buf, '\0', n) != NULL)
		abort();
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_stat st;
	struct mem_sample ms;
	struct psi_sample ps;
	uint64_t pages;
	uid_t uid;
	char *buf;
	int v;

	buf = exact_copy(data, size, 0);

	if (proc_stat_parse_buf(buf, size, &st) == 0 &&
	    memchr(st.comm, '\0', sizeof(st.comm)) == NULL)
		abort();
	(void)proc_status_uid_parse_buf(buf, size, &uid);
	(void)proc_int_parse_buf(buf, size, &v);
	check_cgroup(buf, size, PROC_PATH_MAX);
	check_cgroup(buf, size, FUZZ_CGROUP_SMALL);
	check_cmdline(data, size);

	(void)monitor_meminfo_parse_buf(buf, size, &ms);
	/* Averages are percentages: at most 100.00. */
	if (monitor_psi_parse_buf(buf, size, &ps) == 0 &&
	    (ps.some.avg10_centi > 10000 || ps.some.avg60_centi > 10000 ||
	        ps.some.avg300_centi > 10000 || ps.full.avg10_centi > 10000 ||
	        ps.full.avg60_centi > 10000 || ps.full.avg300_centi > 10000))
		abort();
	(void)monitor_zoneinfo_reserve_parse_buf(buf, size, &pages);

	free(buf);
	return 0;
}
