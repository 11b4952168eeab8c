/* SPDX-License-Identifier: MIT */
/* test_metrics.c: unit tests of the metrics file and of sys_notify(). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

#include "metrics.h"
#include "sys.h"

#define GUARD 0xa5
#define TEXT_MAX 16384
#define NAMES_MAX 64

/* --- Helpers --- */

/* The whole file at path into buf; its length. */
static size_t
read_all(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	assert_true(n == 0);
	close(fd);
	buf[len] = '\0';
	return len;
}

/* A machine with every field of struct metrics set to its own value. */
static void
metrics_fill(struct metrics *m)
{
	int r, s;

	memset(m, 0, sizeof(*m));
	m->mem.mem_total_kib = 16ULL * 1024 * 1024;
	m->mem.avail_kib = 1048576;
	m->mem.swap_total_kib = 2097152;
	m->mem.swap_free_kib = 1000;
	m->mem.exact = true;
	m->psi.some.avg10_centi = 2512;
	m->psi.some.avg60_centi = 10000;
	m->psi.full.avg10_centi = 1;
	m->psi.full.avg60_centi = 0;
	m->psi.has_full = true;
	m->psi_valid = true;
	m->lim.mem_term_kib = 838860;
	m->lim.mem_kill_kib = 419430;
	m->lim.swap_term_kib = 209715;
	m->lim.swap_kill_kib = 104857;
	m->lim.psi_gate_kib = 1677721;
	m->lim.psi_on = true;
	m->lim.psi_cutoff_centi = 1500;
	for (r = 0; r < REASON_COUNT; r++)
		for (s = 0; s < 2; s++)
		{
			m->kills[r][s] =
			    100 + 10 * (unsigned long)r + (unsigned long)s;
			m->dry_kills[r][s] =
			    200 + 10 * (unsigned long)r + (unsigned long)s;
		}
	m->escalations_timeout = 7;
	m->escalations_level = 8;
	m->gone = 9;
	m->stuck = 10;
	m->no_candidate = 11;
	m->hooks_started = 12;
	m->hooks_failed = 13;
	m->last_kill = 1700000000;
	m->poll_ms = 1250;
	m->reload_ok = true;
	m->reload_time = 1699999000;
	m->dry_run = false;
	m->version = "1.2.3";
}

static size_t
format_ok(const struct metrics *m, char *buf, size_t size)
{
	int n = metrics_format(buf, size, m);

	assert_true(n > 0);
	assert_true((size_t)n < size);
	assert_int_equal(strlen(buf), (size_t)n);
	return (size_t)n;
}

/* Is line (without its newline) one of the lines of text? */
static bool
has_line(const char *text, const char *line)
{
	size_t ll = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[ll] == '\n')
			return true;
		p++;
	}
	return false;
}

static void
assert_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("no line \"%s\" in:\n%s", line, text);
}

/* How many lines of text start with prefix. */
static size_t
count_prefix(const char *text, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix);
	const char *p = text;

	while (*p != '\0') {
		if (strncmp(p, prefix, pl) == 0)
			n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

/* --- metrics_format --- */

struct family {
	char name[128];
	char type[16];
	size_t samples;
};

/*
 * The exposition format, line by line: each family is "# HELP name ...",
 * then "# TYPE name type" right after it, then its samples (the family
 * name, maybe with labels, a space and a number).  Families are not
 * repeated.  Returns the number of families into fam.
 */
static size_t
parse_families(const char *text, struct family *fam, size_t max)
{
	char line[1024], help_of[128] = "", name[128];
	const char *p = text, *nl;
	size_t nfam = 0, i, len, nlen;
	char *end;

	assert_true(*text != '\0');
	assert_int_equal(text[strlen(text) - 1], '\n');
	while (*p != '\0') {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		len = (size_t)(nl - p);
		assert_true(len > 0 && len < sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (strncmp(line, "# HELP ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%127s", help_of), 1);
			/* Some help text follows the name. */
			assert_true(strlen(line) > 7 + strlen(help_of) + 1);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			struct family *f;

			assert_true(nfam < max);
			f = &fam[nfam];
			memset(f, 0, sizeof(*f));
			assert_int_equal(sscanf(line + 7, "%127s %15s", f->name,
			                     f->type),
			    2);
			/* HELP comes first, for the same name. */
			if (strcmp(help_of, f->name) != 0)
				fail_msg("# TYPE %s without # HELP before it",
				    f->name);
			help_of[0] = '\0';
			for (i = 0; i < nfam; i++)
				if (strcmp(fam[i].name, f->name) == 0)
					fail_msg("%s: two families", f->name);
			assert_true(strcmp(f->type, "gauge") == 0 ||
			            strcmp(f->type, "counter") == 0);
			nfam++;
			continue;
		}
		assert_int_not_equal(line[0], '#');
		/* A sample, of the family declared last. */
		nlen = strcspn(line, "{ ");
		assert_true(nlen > 0 && nlen < sizeof(name));
		memcpy(name, line, nlen);
		name[nlen] = '\0';
		if (nfam == 0 || strcmp(fam[nfam - 1].name, name) != 0)
			fail_msg("sample \"%s\" outside its family", line);
		if (line[nlen] == '{') {
			const char *close = strchr(line, '}');

			assert_non_null(close);
			nlen = (size_t)(close - line) + 1;
		}
		assert_int_equal(line[nlen], ' ');
		errno = 0;
		strtod(line + nlen + 1, &end);
		assert_int_equal(errno, 0);
		if (end == line + nlen + 1 || *end != '\0')
			fail_msg("sample \"%s\": not a number", line);
		fam[nfam - 1].samples++;
	}
	return nfam;
}

static void
test_metrics_format_help_type(void **state)
{
	struct family fam[NAMES_MAX];
	struct metrics m;
	char buf[TEXT_MAX];
	size_t n, i;

	metrics_fill(&m);
	format_ok(&m, buf, sizeof(buf));
	n = parse_families(buf, fam, NAMES_MAX);
	assert_true(n >= 20);
	for (i = 0; i < n; i++)
		if (fam[i].samples == 0)
			fail_msg("%s: no sample", fam[i].name);
	/* Every line is a HELP, a TYPE or a sample of a declared family. */
	assert_int_equal(count_prefix(buf, "# HELP "), n);
	assert_int_equal(count_prefix(buf, "# TYPE "), n);
}

static void
test_metrics_format_counters_total(void **state)
{
	struct family fam[NAMES_MAX];
	struct metrics m;
	char buf[TEXT_MAX];
	size_t n, i, len, counters = 0;

	metrics_fill(&m);
	format_ok(&m, buf, sizeof(buf));
	n = parse_families(buf, fam, NAMES_MAX);
	for (i = 0; i < n; i++) {
		bool total, counter = strcmp(fam[i].type, "counter") == 0;

		len = strlen(fam[i].name);
		total = len > 6 && strcmp(fam[i].name + len - 6, "_total") == 0;
		if (counter != total)
			fail_msg("%s: type %s", fam[i].name, fam[i].type);
		counters += counter;
		/* All bustd's own. */
		assert_int_equal(strncmp(fam[i].name, "bustd_", 6), 0);
	}
	assert_int_equal(counters, 9);
	assert_line(buf, "# TYPE bustd_victims_gone_total counter");
	assert_line(buf, "bustd_victims_gone_total 9");
	assert_line(buf, "bustd_victims_stuck_total 10");
	assert_line(buf, "bustd_no_candidate_total 11");
	assert_line(buf, "bustd_hooks_started_total 12");
	assert_line(buf, "bustd_hooks_failed_total 13");
	assert_line(buf, "bustd_escalations_total{cause=\"term_timeout\"} 7");
	assert_line(buf, "bustd_escalations_total{cause=\"kill_level\"} 8");
	/* Dry-run decisions apart from kills. */
	assert_line(buf, "bustd_dry_run_decisions_total{reason=\"psi\","
	    "signal=\"SIGKILL\"} 221");
	assert_line(buf, "bustd_kills_total{reason=\"psi\",signal=\"SIGKILL\"} "
	    "121");
}

static void
test_metrics_format_bytes(void **state)
{
	struct metrics m;
	char buf[TEXT_MAX];

	metrics_fill(&m);
	format_ok(&m, buf, sizeof(buf));
	assert_line(buf, "bustd_memory_total_bytes 17179869184");
	assert_line(buf, "bustd_memory_available_bytes 1073741824");
	assert_line(buf, "bustd_swap_total_bytes 2147483648");
	assert_line(buf, "bustd_swap_free_bytes 1024000");
	assert_line(buf, "bustd_threshold_bytes{name=\"mem_term\"} 858992640");
	assert_line(buf, "bustd_threshold_bytes{name=\"mem_kill\"} 429496320");
	assert_line(buf, "bustd_threshold_bytes{name=\"swap_term\"} 214748160");
	assert_line(buf, "bustd_threshold_bytes{name=\"swap_kill\"} 107373568");
	assert_line(buf,
	    "bustd_threshold_bytes{name=\"psi_mem_gate\"} 1717986304");
	/* Beyond 32 bits of KiB: 64 bits of bytes, no overflow. */
	m.mem.mem_total_kib = 8ULL << 40; /* 8 PiB */
	m.lim.mem_term_kib = 5000000000ULL;
	format_ok(&m, buf, sizeof(buf));
	assert_line(buf, "bustd_memory_total_bytes 9007199254740992");
	assert_line(buf,
	    "bustd_threshold_bytes{name=\"mem_term\"} 5120000000000");
}

static void
test_metrics_format_psi_ratio(void **state)
{
	struct metrics m;
	char buf[TEXT_MAX];

	metrics_fill(&m);
	format_ok(&m, buf, sizeof(buf));
	assert_line(buf, "# TYPE bustd_psi_memory_ratio gauge");
	assert_line(buf,
	    "bustd_psi_memory_ratio{kind=\"some\",window=\"avg10\"} 0.2512");
	assert_line(buf,
	    "bustd_psi_memory_ratio{kind=\"some\",window=\"avg60\"} 1.0000");
	assert_line(buf,
	    "bustd_psi_memory_ratio{kind=\"full\",window=\"avg10\"} 0.0001");
	assert_line(buf,
	    "bustd_psi_memory_ratio{kind=\"full\",window=\"avg60\"} 0.0000");
	assert_line(buf, "bustd_psi_cutoff_ratio 0.1500");
	assert_line(buf, "bustd_poll_interval_seconds 1.250");

	m.lim.psi_on = false;
	m.poll_ms = 50;
	format_ok(&m, buf, sizeof(buf));
	assert_line(buf, "bustd_psi_cutoff_ratio 0.0000");
	assert_line(buf, "bustd_poll_interval_seconds 0.050");
}

static void
test_metrics_format_psi_absent(void **state)
{
	struct family fam[NAMES_MAX];
	struct metrics m;
	char buf[TEXT_MAX];

	metrics_fill(&m);
	m.psi_valid = false;
	format_ok(&m, buf, sizeof(buf));
	assert_null(strstr(buf, "bustd_psi_memory_ratio"));
	/* The policy's cutoff is not a reading: it stays. */
	assert_line(buf, "bustd_psi_cutoff_ratio 0.1500");
	parse_families(buf, fam, NAMES_MAX);
}

static void
test_metrics_format_kills(void **state)
{
	static const char *const sig[2] = { "SIGTERM", "SIGKILL" };
	struct metrics m;
	char buf[TEXT_MAX], line[256];
	int r, s;

	metrics_fill(&m);
	format_ok(&m, buf, sizeof(buf));
	assert_line(buf, "# TYPE bustd_kills_total counter");
	assert_int_equal(count_prefix(buf, "bustd_kills_total{"),
	    REASON_COUNT * 2);
	assert_int_equal(REASON_COUNT, 4);
	for (r = 0; r < REASON_COUNT; r++)
		for (s = 0; s < 2; s++) {
			snprintf(line, sizeof(line),
			    "bustd_kills_total{reason=\"%s\","
			    "signal=\"%s\"} %lu",
			    kill_reason_names[r], sig[s], m.kills[r][s]);
			assert_line(buf, line);
		}
	assert_string_equal(kill_reason_names[REASON_MEM_TERM], "mem_term");
	assert_string_equal(kill_reason_names[REASON_MEM_KILL], "mem_kill");
	assert_string_equal(kill_reason_names[REASON_PSI], "psi");
}

static void
test_metrics_format_build_info(void **state)
{
	struct metrics m;
	char buf[TEXT_MAX];

	metrics_fill(&m);
	format_ok(&m, buf, sizeof(buf));
	assert_line(buf, "# TYPE bustd_build_info gauge");
	assert_line(buf, "bustd_build_info{version=\"1.2.3\"} 1");
	m.version = "0.9~rc1";
	format_ok(&m, buf, sizeof(buf));
	assert_line(buf, "bustd_build_info{version=\"0.9~rc1\"} 1");
}

static void
test_metrics_format_gauges(void **state)
{
	struct metrics m;
	char buf[TEXT_MAX];

	metrics_fill(&m);
	format_ok(&m, buf, sizeof(buf));
	assert_line(buf, "bustd_last_kill_timestamp_seconds 1700000000");
	assert_line(buf, "bustd_config_last_reload_successful 1");
	assert_line(buf,
	    "bustd_config_last_reload_success_timestamp_seconds 1699999000");
	assert_line(buf, "bustd_dry_run 0");
	m.reload_ok = false;
	m.dry_run = true;
	m.last_kill = 0;
	format_ok(&m, buf, sizeof(buf));
	assert_line(buf, "bustd_config_last_reload_successful 0");
	assert_line(buf, "bustd_dry_run 1");
	assert_line(buf, "bustd_last_kill_timestamp_seconds 0");
}

static void
test_metrics_format_enospc(void **state)
{
	struct metrics m;
	char full[TEXT_MAX];
	unsigned char buf[TEXT_MAX + 64];
	size_t len, sizes[3], i, j;

	metrics_fill(&m);
	len = format_ok(&m, full, sizeof(full));
	assert_true(len > 100);
	sizes[0] = 1;
	sizes[1] = 100;
	sizes[2] = len; /* the text fits, its NUL does not */
	for (i = 0; i < 3; i++) {
		memset(buf, GUARD, sizeof(buf));
		assert_int_equal(metrics_format((char *)buf, sizes[i], &m),
		    -ENOSPC);
		for (j = sizes[i]; j < sizeof(buf); j++)
			if (buf[j] != GUARD)
				fail_msg("size %zu: byte %zu written", sizes[i],
				    j);
	}
}

static void
test_metrics_format_exact_size(void **state)
{
	struct metrics m;
	char full[TEXT_MAX];
	unsigned char buf[TEXT_MAX + 64];
	size_t len, j;

	metrics_fill(&m);
	len = format_ok(&m, full, sizeof(full));
	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(metrics_format((char *)buf, len + 1, &m), (int)len);
	assert_memory_equal(buf, full, len + 1);
	for (j = len + 1; j < sizeof(buf); j++)
		assert_int_equal(buf[j], GUARD);
}

/* Is prog an executable in $PATH? */
static bool
in_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *colon;
	char file[PATH_MAX];

	if (path == NULL)
		return false;
	for (p = path; *p != '\0'; p = colon + 1) {
		colon = strchr(p, ':');
		if (colon == NULL)
			colon = p + strlen(p);
		snprintf(file, sizeof(file), "%.*s/%s", (int)(colon - p), p,
		    prog);
		if (colon > p && access(file, X_OK) == 0)
			return true;
		if (*colon == '\0')
			break;
	}
	return false;
}

/* Prometheus' own linter, when the package "prometheus" is there. */
static void
promtool_check(const struct metrics *m)
{
	char dir[PATH_MAX], file[PATH_MAX + 16], cmd[2 * PATH_MAX];
	char buf[TEXT_MAX];
	size_t len;
	int st;

	len = format_ok(m, buf, sizeof(buf));
	temp_dir(dir, sizeof(dir), "metrics-promtool");
	snprintf(file, sizeof(file), "%s/bustd.prom", dir);
	assert_int_equal(metrics_write(file, buf, len), 0);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s'", file);
	st = system(cmd);
	rm_tree(dir);
	assert_true(st != -1 && WIFEXITED(st));
	if (WEXITSTATUS(st) != 0)
		fail_msg("promtool check metrics: exit %d on:\n%s",
		    WEXITSTATUS(st), buf);
}

static void
test_metrics_format_promtool(void **state)
{
	struct metrics m;

	if (!in_path("promtool"))
		skip();
	metrics_fill(&m);
	promtool_check(&m);
	m.psi_valid = false;
	m.lim.psi_on = false;
	promtool_check(&m);
}

/* --- metrics_write --- */

static void
test_metrics_write_creates(void **state)
{
	char dir[256], path[512], tmp[PATH_MAX];
	char got[TEXT_MAX], text[TEXT_MAX];
	struct metrics m;
	struct stat st;
	size_t len;

	metrics_fill(&m);
	len = format_ok(&m, text, sizeof(text));
	temp_dir(dir, sizeof(dir), "metrics-write");
	snprintf(path, sizeof(path), "%s/bustd.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(metrics_write(path, text, len), 0);
	assert_int_equal(read_all(path, got, sizeof(got)), len);
	assert_memory_equal(got, text, len);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* No PATH.tmp left behind. */
	assert_int_equal(lstat(tmp, &st), -1);
	assert_int_equal(errno, ENOENT);
	rm_tree(dir);
}

static void
test_metrics_write_replaces(void **state)
{
	char dir[256], path[512], tmp[PATH_MAX];
	char got[256];
	struct stat before, after, st;

	temp_dir(dir, sizeof(dir), "metrics-replace");
	snprintf(path, sizeof(path), "%s/bustd.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	write_text(path, "an older and much longer file than the new one\n");
	assert_int_equal(stat(path, &before), 0);
	/* A PATH.tmp left over by a crash is reused. */
	write_text(tmp, "stale leftover of a crash, longer than new\n");
	assert_int_equal(metrics_write(path, "new\n", 4), 0);
	assert_int_equal(read_all(path, got, sizeof(got)), 4);
	assert_string_equal(got, "new\n");
	/* Renamed over, not rewritten in place: readers see old or new. */
	assert_int_equal(stat(path, &after), 0);
	assert_true(after.st_ino != before.st_ino);
	assert_int_equal(lstat(tmp, &st), -1);
	assert_int_equal(errno, ENOENT);
	/* And once more, with nothing in the file. */
	assert_int_equal(metrics_write(path, "", 0), 0);
	assert_int_equal(read_all(path, got, sizeof(got)), 0);
	rm_tree(dir);
}

static void
test_metrics_write_no_folder(void **state)
{
	char dir[256], path[PATH_MAX];
	struct stat st;

	temp_dir(dir, sizeof(dir), "metrics-nofolder");
	snprintf(path, sizeof(path), "%s/missing/bustd.prom", dir);
	assert_int_equal(metrics_write(path, "x 1\n", 4), -ENOENT);
	assert_int_equal(lstat(path, &st), -1);
	rm_tree(dir);
}

static void
test_metrics_write_tmp_symlink(void **state)
{
	char dir[256], path[512], tmp[PATH_MAX];
	char target[PATH_MAX], got[256];
	struct stat st;
	int r;

	temp_dir(dir, sizeof(dir), "metrics-symlink");
	snprintf(path, sizeof(path), "%s/bustd.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(target, sizeof(target), "%s/precious", dir);
	write_text(target, "do not touch\n");
	assert_int_equal(symlink(target, tmp), 0);
	r = metrics_write(path, "x 1\n", 4);
	/* The link is removed, never followed: its target is untouched and
	 * the file holds the new text. */
	assert_int_equal(r, 0);
	read_all(target, got, sizeof(got));
	assert_string_equal(got, "do not touch\n");
	read_all(path, got, sizeof(got));
	assert_string_equal(got, "x 1\n");
	assert_int_equal(lstat(tmp, &st), -1);
	assert_int_equal(errno, ENOENT);

	/* A FIFO there would block open(): it is removed too. */
	assert_int_equal(mkfifo(tmp, 0600), 0);
	assert_int_equal(metrics_write(path, "x 2\n", 4), 0);
	read_all(path, got, sizeof(got));
	assert_string_equal(got, "x 2\n");
	rm_tree(dir);
}

static void
test_metrics_write_name_too_long(void **state)
{
	char path[PATH_MAX + 8];

	/* Too long once ".tmp" is added: PATH_MAX - 4 bytes and a NUL. */
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[PATH_MAX - 4] = '\0';
	assert_int_equal(metrics_write(path, "x 1\n", 4), -ENAMETOOLONG);
	path[PATH_MAX + 7] = '\0';
	memset(path, 'a', PATH_MAX + 7);
	path[0] = '/';
	assert_int_equal(metrics_write(path, "x 1\n", 4), -ENAMETOOLONG);
}

/* --- sys_notify --- */

/* A datagram socket bound to sa (salen bytes), non-blocking. */
static int
bind_dgram(const struct sockaddr_un *sa, socklen_t salen)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (const struct sockaddr *)sa, salen), 0);
	return fd;
}

/* The next datagram on fd, waiting up to 5 s; its length. */
static size_t
recv_one(int fd, char *buf, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	assert_int_equal(poll(&pfd, 1, 5000), 1);
	n = recv(fd, buf, size - 1, MSG_DONTWAIT);
	assert_true(n >= 0);
	buf[n] = '\0';
	return (size_t)n;
}

static void
test_sys_notify_unset(void **state)
{
	assert_int_equal(unsetenv("NOTIFY_SOCKET"), 0);
	assert_int_equal(sys_notify("READY=1"), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", "", 1), 0);
	assert_int_equal(sys_notify("READY=1"), 0);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_sys_notify_path(void **state)
{
	static const char text[] = "READY=1\nSTATUS=x";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[PATH_MAX], got[256];
	int fd, n;

	temp_dir(dir, sizeof(dir), "notify");
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	assert_true(n > 0 && (size_t)n < sizeof(sa.sun_path));
	fd = bind_dgram(&sa, sizeof(sa));
	assert_int_equal(setenv("NOTIFY_SOCKET", sa.sun_path, 1), 0);
	assert_int_equal(sys_notify(text), 0);
	assert_int_equal(recv_one(fd, got, sizeof(got)), strlen(text));
	assert_string_equal(got, text);
	/* One datagram per call. */
	assert_int_equal(sys_notify("STOPPING=1"), 0);
	assert_int_equal(recv_one(fd, got, sizeof(got)), 10);
	assert_string_equal(got, "STOPPING=1");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	rm_tree(dir);
}

static void
test_sys_notify_abstract(void **state)
{
	static const char text[] = "READY=1\nSTATUS=x";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char name[64], got[256];
	size_t nl;
	int fd;

	snprintf(name, sizeof(name), "@bustd-test-notify-%ld-%ld",
	    (long)getpid(), (long)time(NULL));
	nl = strlen(name);
	/* Abstract: a leading NUL, the name without a terminator. */
	memcpy(sa.sun_path, name, nl);
	sa.sun_path[0] = '\0';
	fd = bind_dgram(&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + nl));
	assert_int_equal(setenv("NOTIFY_SOCKET", name, 1), 0);
	assert_int_equal(sys_notify(text), 0);
	assert_int_equal(recv_one(fd, got, sizeof(got)), strlen(text));
	assert_string_equal(got, text);
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}

static void
test_sys_notify_relative(void **state)
{
	assert_int_equal(setenv("NOTIFY_SOCKET", "run/notify", 1), 0);
	assert_int_equal(sys_notify("READY=1"), -EINVAL);
	assert_int_equal(setenv("NOTIFY_SOCKET", "notify", 1), 0);
	assert_int_equal(sys_notify("READY=1"), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_sys_notify_no_listener(void **state)
{
	char dir[256], path[PATH_MAX];

	temp_dir(dir, sizeof(dir), "notify-none");
	snprintf(path, sizeof(path), "%s/notify", dir);
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	assert_int_equal(sys_notify("READY=1"), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
	rm_tree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_format_help_type),
		cmocka_unit_test(test_metrics_format_counters_total),
		cmocka_unit_test(test_metrics_format_bytes),
		cmocka_unit_test(test_metrics_format_psi_ratio),
		cmocka_unit_test(test_metrics_format_psi_absent),
		cmocka_unit_test(test_metrics_format_kills),
		cmocka_unit_test(test_metrics_format_build_info),
		cmocka_unit_test(test_metrics_format_gauges),
		cmocka_unit_test(test_metrics_format_enospc),
		cmocka_unit_test(test_metrics_format_exact_size),
		cmocka_unit_test(test_metrics_format_promtool),
		cmocka_unit_test(test_metrics_write_creates),
		cmocka_unit_test(test_metrics_write_replaces),
		cmocka_unit_test(test_metrics_write_no_folder),
		cmocka_unit_test(test_metrics_write_tmp_symlink),
		cmocka_unit_test(test_metrics_write_name_too_long),
		cmocka_unit_test(test_sys_notify_unset),
		cmocka_unit_test(test_sys_notify_path),
		cmocka_unit_test(test_sys_notify_abstract),
		cmocka_unit_test(test_sys_notify_relative),
		cmocka_unit_test(test_sys_notify_no_listener),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
