/* SPDX-License-Identifier: MIT */
/* test_config.c: unit tests of the config loader, its parsers and printer. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "policy.h"
#include "victim.h"

/* The name every in-memory test file goes by. */
#define TEST_FILE "t.conf"

/* Most messages a test expects from one load. */
#define MAX_EXPECTED 16

/* A temporary folder per test, removed by its teardown. */
struct tmp {
	char dir[PATH_MAX];
};

/* --- Helpers --- */

static void
dump_diag(const struct config_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_message("diag[%zu]: %s\n", i, d->msgs[i]);
}

/* Load o and assert success; returns the policy (the caller frees it). */
static struct policy *
load_ok_opts(const struct config_opts *o)
{
	struct config_diag d = { 0 };
	struct policy *p = NULL;
	int rc;

	rc = config_load(o, &p, &d);
	if (rc != 0 || d.n != 0)
		dump_diag(&d);
	assert_int_equal(rc, 0);
	assert_int_equal(d.n, 0);
	assert_non_null(p);
	config_diag_free(&d);
	return p;
}

/* Load text as TEST_FILE and assert success. */
static struct policy *
load_ok(const char *text)
{
	struct config_opts o;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = text;
	return load_ok_opts(&o);
}

/*
 * Load o and assert that it fails with exactly the messages in want
 * (NULL-terminated), in that order.
 */
static void
check_errors(const struct config_opts *o, const char *const *want)
{
	struct config_diag d = { 0 };
	struct policy *p = NULL;
	size_t n = 0, i;
	int rc;

	while (want[n] != NULL)
		n++;
	rc = config_load(o, &p, &d);
	if (d.n != n)
		dump_diag(&d);
	assert_int_equal(rc, -EINVAL);
	assert_null(p);
	assert_int_equal(d.n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(d.msgs[i], want[i]);
	config_diag_free(&d);
}

static void
check_errors_va(const struct config_opts *o, va_list ap)
{
	const char *want[MAX_EXPECTED + 1];
	size_t n = 0;
	const char *s;

	while ((s = va_arg(ap, const char *)) != NULL) {
		assert_true(n < MAX_EXPECTED);
		want[n++] = s;
	}
	want[n] = NULL;
	check_errors(o, want);
}

/* Load text as TEST_FILE: it must fail with exactly the messages given. */
static void __attribute__((sentinel)) expect_errors(const char *text, ...)
{
	struct config_opts o;
	va_list ap;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = text;
	va_start(ap, text);
	check_errors_va(&o, ap);
	va_end(ap);
}

/* As expect_errors, for options o. */
static void __attribute__((sentinel))
expect_errors_opts(const struct config_opts *o, ...)
{
	va_list ap;

	va_start(ap, o);
	check_errors_va(o, ap);
	va_end(ap);
}

/* Load the file at path (drop-ins included) and expect these messages. */
static void __attribute__((sentinel))
expect_errors_path(const char *path, bool strict, ...)
{
	struct config_opts o;
	va_list ap;

	memset(&o, 0, sizeof(o));
	o.path = path;
	o.strict_perms = strict;
	va_start(ap, strict);
	check_errors_va(&o, ap);
	va_end(ap);
}

static struct policy *
load_path_ok(const char *path, bool strict)
{
	struct config_opts o;

	memset(&o, 0, sizeof(o));
	o.path = path;
	o.strict_perms = strict;
	return load_ok_opts(&o);
}

/* --print-config of p, as a new string. */
static char *
print_policy(const struct policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	config_print(f, p);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

/* Print text's policy, load that, print again: the two prints agree. */
static char *
round_trip(const char *text)
{
	struct policy *p1, *p2;
	char *t1, *t2;

	p1 = load_ok(text);
	t1 = print_policy(p1);
	p2 = load_ok(t1);
	t2 = print_policy(p2);
	assert_string_equal(t1, t2);
	policy_free(p1);
	policy_free(p2);
	free(t2);
	return t1;
}

static const void *
field_of(const struct policy *p, const struct config_key *k)
{
	return (const char *)p + k->offset;
}

static char *
tpath(char *buf, const struct tmp *t, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", t->dir, name);

	assert_true(n > 0 && n < PATH_MAX);
	return buf;
}

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	const char *s = data;
	ssize_t w;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	while (len > 0) {
		w = write(fd, s, len);
		assert_true(w > 0);
		s += w;
		len -= (size_t)w;
	}
	/* fchmod, not open's mode: the umask must not change the mode. */
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void
write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text), 0600);
}

static void
make_dir(const char *path, mode_t mode)
{
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* A line of exactly len bytes: "name = ^aaa...$" (the newline apart). */
static char *
rule_line(size_t len)
{
	char *s = malloc(len + 1);

	assert_non_null(s);
	assert_true(len > 9);
	memcpy(s, "name = ^", 8);
	memset(s + 8, 'a', len - 9);
	s[len - 1] = '$';
	s[len] = '\0';
	return s;
}

/* Deterministic pseudo-random bytes (xorshift32), the same on every host. */
static uint32_t
next_random(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* --- Fixtures --- */

static int
tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	if (t == NULL)
		return -1;
	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(t->dir, sizeof(t->dir), "%s/bustd-test.XXXXXX", base);
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path) == 0 ? 0 : -1;
}

static int
tmp_teardown(void **state)
{
	struct tmp *t = *state;
	int r;

	r = nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return r == 0 ? 0 : -1;
}

/* --- Value parsers --- */

static void
test_config_parse_bool_words(void **state)
{
	static const char *const yes[] = { "yes", "YES", "Yes", "true", "TRUE",
		"tRuE", "on", "ON", "oN", "1" };
	static const char *const no[] = { "no", "NO", "No", "false", "FALSE",
		"fAlSe", "off", "OFF", "oFf", "0" };
	size_t i;
	bool b;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		assert_int_equal(config_parse_bool(yes[i], &b), 0);
		assert_true(b);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = true;
		assert_int_equal(config_parse_bool(no[i], &b), 0);
		assert_false(b);
	}
}

static void
test_config_parse_bool_invalid(void **state)
{
	static const char *const bad[] = { "", "y", "n", "2", "-1", "yess",
		" yes", "yes ", "enable", "t", "01" };
	size_t i;
	bool b = true;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(config_parse_bool(bad[i], &b), -EINVAL);
		assert_true(b);
	}
}

static void
test_config_parse_duration_ms_units(void **state)
{
	static const struct {
		const char *s;
		uint32_t ms;
	} ok[] = {
		{ "0", 0 },
		{ "0s", 0 },
		{ "0ms", 0 },
		{ "7", 7000 },
		{ "500ms", 500 },
		{ "1ms", 1 },
		{ "5s", 5000 },
		{ "1.5s", 1500 },
		{ "0.25s", 250 },
		{ "0.001s", 1 },
		{ "2m", 120000 },
		{ "0.5m", 30000 },
		{ "1h", 3600000 },
		{ "1.5h", 5400000 },
		{ "2.5", 2500 },
		{ "10.000s", 10000 },
		{ "4294967295ms", UINT32_MAX },
		/* systemd.time(7)'s spans. */
		{ "5 s", 5000 },
		{ "5S", 5000 },
		{ "500MS", 500 },
		{ "5sec", 5000 },
		{ "1m30s", 90000 },
		{ "2min", 120000 },
		{ "2 minutes", 120000 },
		{ "1h 30min", 5400000 },
		{ "1 hour 1 second", 3601000 },
		{ "1d", 86400000 },
		{ "1w", 604800000 },
		{ " 3s ", 3000 },
	};
	size_t i;
	uint32_t ms;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ms = 12345;
		if (config_parse_duration_ms(ok[i].s, &ms) != 0)
			fail_msg("'%s' refused", ok[i].s);
		assert_int_equal(ms, ok[i].ms);
	}
}

static void
test_config_parse_duration_ms_invalid(void **state)
{
	static const char *const bad[] = { "", "s", "ms", "5x", "1.5ms",
		"1.0001s", "-1s", "+1s", "s5", ".", "5s5", "0x10", "1m 30",
		"30 1m", "5e3s", "5 fortnights", "1us", "5,5s" };
	size_t i;
	uint32_t ms = 42;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (config_parse_duration_ms(bad[i], &ms) != -EINVAL)
			fail_msg("'%s' not refused as malformed", bad[i]);
		assert_int_equal(ms, 42);
	}
}

static void
test_config_parse_duration_ms_overflow(void **state)
{
	uint32_t ms = 42;

	assert_int_equal(config_parse_duration_ms("4294967296ms", &ms),
	    -ERANGE);
	assert_int_equal(config_parse_duration_ms("4294968s", &ms), -ERANGE);
	assert_int_equal(config_parse_duration_ms("1194h", &ms), -ERANGE);
	assert_int_equal(config_parse_duration_ms("99999999999999999999999999s",
	                     &ms),
	    -ERANGE);
	assert_int_equal(ms, 42);
	assert_int_equal(config_parse_duration_ms("1193h", &ms), 0);
	assert_int_equal(ms, 1193u * 3600000u);
}

static void
test_config_parse_amount_percent(void **state)
{
	static const struct {
		const char *s;
		uint64_t centi;
	} ok[] = {
		{ "0%", 0 },
		{ "10%", 1000 },
		{ "0.5%", 50 },
		{ ".5%", 50 },
		{ "12.34%", 1234 },
		{ "12.340%", 1234 },
		{ "99.99%", 9999 },
		{ "100%", 10000 },
		{ "100.00%", 10000 },
		{ "0.01%", 1 },
	};
	struct amount a;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memset(&a, 0, sizeof(a));
		if (config_parse_amount(ok[i].s, &a) != 0)
			fail_msg("'%s' refused", ok[i].s);
		assert_true(a.is_pct);
		assert_int_equal(a.value, ok[i].centi);
	}
}

static void
test_config_parse_amount_sizes(void **state)
{
	static const struct {
		const char *s;
		uint64_t kib;
	} ok[] = {
		{ "0", 0 },
		{ "0.0", 0 },
		{ "0K", 0 },
		{ "1K", 1 },
		{ "1KB", 1 },
		{ "1KiB", 1 },
		{ "1k", 1 },
		{ "1kib", 1 },
		{ "512M", 524288 },
		{ "512MB", 524288 },
		{ "512MiB", 524288 },
		{ "512m", 524288 },
		{ "2G", 2097152 },
		{ "2GB", 2097152 },
		{ "2GiB", 2097152 },
		{ "2g", 2097152 },
		{ "1.5G", 1572864 },
		{ "0.5M", 512 },
		{ "1T", 1073741824 },
		{ "1TiB", 1073741824 },
		{ "1t", 1073741824 },
	};
	struct amount a;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		a.is_pct = true;
		a.value = 99;
		if (config_parse_amount(ok[i].s, &a) != 0)
			fail_msg("'%s' refused", ok[i].s);
		assert_false(a.is_pct);
		assert_int_equal(a.value, ok[i].kib);
	}
}

static void
test_config_parse_amount_invalid(void **state)
{
	static const char *const bad[] = { "", "5", "1.5", "%", "M", "5X",
		"5KX", "5KBB", "5MBi", "5 M", "5 %", "-5%", "+5%", "10.123%",
		"5%%", "1e3K", "ten%", "5P" };
	struct amount a = { true, 42 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (config_parse_amount(bad[i], &a) != -EINVAL)
			fail_msg("'%s' not refused as malformed", bad[i]);
		assert_true(a.is_pct);
		assert_int_equal(a.value, 42);
	}
}

static void
test_config_parse_amount_range(void **state)
{
	struct amount a = { true, 42 };

	assert_int_equal(config_parse_amount("100.01%", &a), -ERANGE);
	assert_int_equal(config_parse_amount("101%", &a), -ERANGE);
	assert_int_equal(config_parse_amount("2000000T", &a), -ERANGE);
	assert_int_equal(config_parse_amount("99999999999999999999999999K", &a),
	    -ERANGE);
	assert_true(a.is_pct);
	assert_int_equal(a.value, 42);
}

static void
test_config_parse_percent_centi_values(void **state)
{
	static const struct {
		const char *s;
		uint32_t centi;
	} ok[] = {
		{ "0", 0 },
		{ "0%", 0 },
		{ "25", 2500 },
		{ "25%", 2500 },
		{ "25.5", 2550 },
		{ "25.55%", 2555 },
		{ "0.01", 1 },
		{ "100", 10000 },
		{ "100.0", 10000 },
		{ "33.30", 3330 },
	};
	size_t i;
	uint32_t v;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 42;
		if (config_parse_percent_centi(ok[i].s, &v) != 0)
			fail_msg("'%s' refused", ok[i].s);
		assert_int_equal(v, ok[i].centi);
	}
}

static void
test_config_parse_percent_centi_invalid(void **state)
{
	static const char *const bad[] = { "", "x", "25.555", "25 %", "-1",
		"25%%", "25M", "%" };
	uint32_t v = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (config_parse_percent_centi(bad[i], &v) != -EINVAL)
			fail_msg("'%s' not refused as malformed", bad[i]);
	}
	assert_int_equal(config_parse_percent_centi("100.01", &v), -ERANGE);
	assert_int_equal(config_parse_percent_centi("101%", &v), -ERANGE);
	assert_int_equal(v, 42);
}

static void
test_policy_amount_kib_values(void **state)
{
	struct amount pct = { true, 1000 }; /* 10% */
	struct amount size = { false, 524288 };
	struct amount all = { true, 10000 };

	assert_int_equal(policy_amount_kib(&pct, 4194304), 419430);
	assert_int_equal(policy_amount_kib(&pct, 0), 0);
	assert_int_equal(policy_amount_kib(&size, 4194304), 524288);
	assert_int_equal(policy_amount_kib(&size, 0), 524288);
	assert_int_equal(policy_amount_kib(&all, 12345), 12345);
	/* A huge total must not overflow. */
	assert_int_equal(policy_amount_kib(&all, UINT64_MAX / 2),
	    UINT64_MAX / 2);
	pct.value = 1; /* 0.01% */
	assert_int_equal(policy_amount_kib(&pct, 10000), 1);
}

static void
test_config_dropin_dir_names(void **state)
{
	char buf[64];

	assert_string_equal(config_dropin_dir("/etc/bustd.conf", buf,
	                        sizeof(buf)),
	    "/etc/bustd.d");
	assert_string_equal(config_dropin_dir("x.conf", buf, sizeof(buf)),
	    "x.d");
	assert_string_equal(config_dropin_dir("x", buf, sizeof(buf)), "x.d");
	assert_string_equal(config_dropin_dir("a.cfg", buf, sizeof(buf)),
	    "a.cfg.d");
	assert_null(config_dropin_dir("/etc/bustd.conf", buf, 12));
	assert_non_null(config_dropin_dir("/etc/bustd.conf", buf, 13));
}

static void
test_config_key_index_lookup(void **state)
{
	size_t i;

	for (i = 0; i < config_nkeys; i++)
		assert_int_equal(config_key_index(config_keys[i].section,
		                     config_keys[i].name),
		    (int)i);
	assert_int_equal(config_key_index("general", "nope"), -1);
	assert_int_equal(config_key_index("kill", "profile"), -1);
	assert_int_equal(config_key_index("never-kill", "name"), -1);
	assert_int_equal(config_key_index("", ""), -1);
}

/* --- The key table, every scalar key --- */

/*
 * Thresholds that no value of one key can conflict with: the key under
 * test follows on line TABLE_LINE and overrides its own line here.
 */
static const char table_prefix[] = "[thresholds]\n"
                                   "mem_term = 100%\n"
                                   "mem_kill = 0\n"
                                   "swap_term = 100%\n"
                                   "swap_kill = 0\n"
                                   "mem_warn = 100%\n"
                                   "swap_warn = 100%\n";
#define TABLE_LINE 9

static char *
table_text(const struct config_key *k, const char *value)
{
	char *s;

	assert_true(asprintf(&s, "%s[%s]\n%s = %s\n", table_prefix, k->section,
	                k->name, value) > 0);
	return s;
}

static const char *
hint_of(enum config_type t)
{
	switch (t) {
	case TYPE_BOOL:
		return "expected yes or no";
	case TYPE_DURATION:
		return "expected a duration such as 500ms, 5s, 2min or 1h 30m; "
		       "units ms, s, m or min, h, d, w";
	case TYPE_AMOUNT:
		return "expected a percentage (10%) or a size (512M, 2G)";
	case TYPE_PERCENT:
		return "expected a percentage from 0 to 100";
	case TYPE_INT:
		return "expected a whole number";
	case TYPE_PATH:
		return "expected an absolute path";
	case TYPE_ENUM:
		return "see bustd.conf(5)";
	}
	return "";
}

/* Load k = value and assert the stored value is want (an int64). */
static void
table_expect_int(const struct config_key *k, const char *value, int64_t want)
{
	char *text = table_text(k, value);
	struct policy *p = load_ok(text);
	const void *f = field_of(p, k);
	int64_t got = 0;

	switch (k->type) {
	case TYPE_ENUM:
		got = *(const int *)f;
		break;
	case TYPE_BOOL:
		got = *(const bool *)f;
		break;
	case TYPE_DURATION:
	case TYPE_PERCENT:
		got = *(const uint32_t *)f;
		break;
	case TYPE_INT:
		got = *(const int32_t *)f;
		break;
	default:
		fail();
	}
	if (got != want)
		fail_msg("%s.%s = %s: got %lld, want %lld", k->section, k->name,
		    value, (long long)got, (long long)want);
	policy_free(p);
	free(text);
}

static void
table_expect_amount(const struct config_key *k, const char *value, bool is_pct,
    uint64_t want)
{
	char *text = table_text(k, value);
	struct policy *p = load_ok(text);
	const struct amount *a = field_of(p, k);

	assert_int_equal(a->is_pct, is_pct);
	assert_int_equal(a->value, want);
	policy_free(p);
	free(text);
}

static void
table_expect_path(const struct config_key *k, const char *value)
{
	char *text = table_text(k, value);
	struct policy *p = load_ok(text);
	char *const *s = field_of(p, k);

	if (*value == '\0')
		assert_null(*s);
	else
		assert_string_equal(*s, value);
	policy_free(p);
	free(text);
}

/* Load k = value: exactly one error, "t.conf:TABLE_LINE: " + rest. */
static void
table_expect_error(const struct config_key *k, const char *value,
    const char *rest)
{
	char *text = table_text(k, value), *want;

	assert_true(asprintf(&want, TEST_FILE ":%d: %s", TABLE_LINE, rest) > 0);
	expect_errors(text, want, NULL);
	free(want);
	free(text);
}

/* Load k = value: exactly one error, starting with the key's line and
 * "NAME: value 'VALUE' out of range (from ". */
static void
table_expect_range(const struct config_key *k, const char *value)
{
	struct config_diag d = { 0 };
	struct config_opts o;
	struct policy *p = NULL;
	char *text = table_text(k, value), *want;

	assert_true(asprintf(&want,
	                TEST_FILE ":%d: %s: value '%s' out of "
	                          "range (from ",
	                TABLE_LINE, k->name, value) > 0);
	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = text;
	assert_int_equal(config_load(&o, &p, &d), -EINVAL);
	if (d.n != 1)
		dump_diag(&d);
	assert_int_equal(d.n, 1);
	if (strncmp(d.msgs[0], want, strlen(want)) != 0)
		fail_msg("got '%s', want '%s...'", d.msgs[0], want);
	config_diag_free(&d);
	free(want);
	free(text);
}

static void
test_config_load_key_table_valid(void **state)
{
	char v[64];
	size_t i;
	int e;

	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		switch (k->type) {
		case TYPE_ENUM:
			for (e = 0; k->names[e] != NULL; e++)
				table_expect_int(k, k->names[e], e);
			break;
		case TYPE_BOOL:
			table_expect_int(k, "yes", 1);
			table_expect_int(k, "no", 0);
			break;
		case TYPE_DURATION:
			snprintf(v, sizeof(v), "%lldms", (long long)k->min);
			table_expect_int(k, v, k->min);
			snprintf(v, sizeof(v), "%lldms", (long long)k->max);
			table_expect_int(k, v, k->max);
			break;
		case TYPE_AMOUNT:
			table_expect_amount(k, "0%", true, 0);
			table_expect_amount(k, "100%", true, 10000);
			table_expect_amount(k, "0", false, 0);
			table_expect_amount(k, "512M", false, 524288);
			break;
		case TYPE_PERCENT:
			snprintf(v, sizeof(v), "%lld.%02lld",
			    (long long)(k->min / 100),
			    (long long)(k->min % 100));
			table_expect_int(k, v, k->min);
			snprintf(v, sizeof(v), "%lld.%02lld",
			    (long long)(k->max / 100),
			    (long long)(k->max % 100));
			table_expect_int(k, v, k->max);
			break;
		case TYPE_INT:
			snprintf(v, sizeof(v), "%lld", (long long)k->min);
			table_expect_int(k, v, k->min);
			snprintf(v, sizeof(v), "%lld", (long long)k->max);
			table_expect_int(k, v, k->max);
			break;
		case TYPE_PATH:
			table_expect_path(k, "");
			table_expect_path(k, "/bin/true");
			break;
		}
	}
}

static void
test_config_load_key_table_range(void **state)
{
	char v[64];
	size_t i, tested = 0;

	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		switch (k->type) {
		case TYPE_DURATION:
			snprintf(v, sizeof(v), "%lldms", (long long)k->max + 1);
			table_expect_range(k, v);
			if (k->min > 0) {
				snprintf(v, sizeof(v), "%lldms",
				    (long long)k->min - 1);
				table_expect_range(k, v);
			}
			break;
		case TYPE_AMOUNT:
			table_expect_range(k, "100.01%");
			break;
		case TYPE_PERCENT:
			snprintf(v, sizeof(v), "%lld.%02lld",
			    (long long)((k->max + 1) / 100),
			    (long long)((k->max + 1) % 100));
			table_expect_range(k, v);
			break;
		case TYPE_INT:
			snprintf(v, sizeof(v), "%lld", (long long)k->min - 1);
			table_expect_range(k, v);
			snprintf(v, sizeof(v), "%lld", (long long)k->max + 1);
			table_expect_range(k, v);
			break;
		default:
			continue;
		}
		tested++;
	}
	assert_true(tested > 10);
}

static void
test_config_load_key_table_invalid(void **state)
{
	static const struct {
		enum config_type type;
		const char *value;
	} bad[] = {
		{ TYPE_BOOL, "maybe" },
		{ TYPE_DURATION, "5 parsecs" },
		{ TYPE_AMOUNT, "lots" },
		{ TYPE_PERCENT, "half" },
		{ TYPE_INT, "many" },
	};
	char rest[512], list[256], upper[64];
	size_t i, j;
	int e;

	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		switch (k->type) {
		case TYPE_ENUM:
			list[0] = '\0';
			for (e = 0; k->names[e] != NULL; e++) {
				if (e > 0)
					strcat(list, ", ");
				strcat(list, k->names[e]);
			}
			snprintf(rest, sizeof(rest),
			    "%s: unknown value "
			    "'bogus' (one of: %s)",
			    k->name, list);
			table_expect_error(k, "bogus", rest);
			/* Enum values are exact words. */
			snprintf(upper, sizeof(upper), "%c%s",
			    toupper((unsigned char)k->names[0][0]),
			    k->names[0] + 1);
			snprintf(rest, sizeof(rest),
			    "%s: unknown value "
			    "'%s' (one of: %s)",
			    k->name, upper, list);
			table_expect_error(k, upper, rest);
			break;
		case TYPE_PATH:
			snprintf(rest, sizeof(rest),
			    "%s: 'relative/path' is "
			    "not an absolute path",
			    k->name);
			table_expect_error(k, "relative/path", rest);
			break;
		default:
			for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
				if (bad[j].type != k->type)
					continue;
				snprintf(rest, sizeof(rest),
				    "%s: bad value "
				    "'%s' (%s)",
				    k->name, bad[j].value, hint_of(k->type));
				table_expect_error(k, bad[j].value, rest);
			}
			break;
		}
	}
}

static void
test_config_load_key_table_empty(void **state)
{
	char rest[256];
	size_t i;

	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->type == TYPE_PATH)
			continue; /* empty turns it off */
		snprintf(rest, sizeof(rest), "%s: empty value (%s)", k->name,
		    hint_of(k->type));
		table_expect_error(k, "", rest);
	}
}

/* --- Explicit values --- */

static void
test_config_load_defaults(void **state)
{
	struct policy *p = load_ok("");
	size_t i;

	assert_int_equal(p->profile, PROFILE_NONE);
	assert_false(p->dry_run);
	assert_int_equal(p->log_mode, LOG_MODE_AUTO);
	assert_int_equal(p->report_interval_ms, 0);
	assert_null(p->metrics_file);
	assert_true(p->mem_term.is_pct);
	assert_int_equal(p->mem_term.value, 1000);
	assert_int_equal(p->mem_kill.value, 500);
	assert_int_equal(p->swap_term.value, 1000);
	assert_int_equal(p->swap_kill.value, 500);
	assert_int_equal(p->psi_metric, PSI_SOME_AVG10);
	assert_int_equal(p->psi_cutoff_centi, 2500);
	assert_int_equal(p->psi_duration_ms, 5000);
	assert_int_equal(p->psi_mem_gate.value, 1500);
	assert_false(p->fill_rate.is_pct);
	assert_int_equal(p->fill_rate.value, 0);
	assert_int_equal(p->unit, UNIT_PROCESS);
	assert_int_equal(p->term_timeout_ms, 5000);
	assert_int_equal(p->cooldown_ms, 5000);
	assert_int_equal(p->prefer_score, 300);
	assert_int_equal(p->avoid_score, 300);
	assert_int_equal(p->rank_by, RANK_OOM_SCORE);
	assert_null(p->notify_exec);
	assert_int_equal(p->exec_timeout_ms, 10000);
	assert_false(p->notify_desktop);
	for (i = 0; i < SET_COUNT; i++)
		assert_int_equal(p->sets[i].n, 0);
	/* Every key has a value. */
	for (i = 0; i < config_nkeys; i++)
		assert_true(p->set_mask & (UINT64_C(1) << i));
	policy_free(p);
}

static void
test_config_load_psi_cutoff_boundaries(void **state)
{
	struct policy *p;

	p = load_ok("[thresholds]\npsi_cutoff = 0\n");
	assert_int_equal(p->psi_cutoff_centi, 0);
	policy_free(p);
	p = load_ok("[thresholds]\npsi_cutoff = 100\n");
	assert_int_equal(p->psi_cutoff_centi, 10000);
	policy_free(p);
	p = load_ok("[thresholds]\npsi_cutoff = 99.99%\n");
	assert_int_equal(p->psi_cutoff_centi, 9999);
	policy_free(p);
	expect_errors("[thresholds]\npsi_cutoff = 100.01\n",
	    "t.conf:2: psi_cutoff: value '100.01' out of range (from 0 to "
	    "100)",
	    NULL);
	expect_errors("[thresholds]\npsi_cutoff = -1\n",
	    "t.conf:2: psi_cutoff: bad value '-1' (expected a percentage "
	    "from 0 to 100)",
	    NULL);
}

static void
test_config_load_exec_timeout_boundaries(void **state)
{
	struct policy *p;

	p = load_ok("[notify]\nexec_timeout = 100ms\n");
	assert_int_equal(p->exec_timeout_ms, 100);
	policy_free(p);
	p = load_ok("[notify]\nexec_timeout = 0.1s\n");
	assert_int_equal(p->exec_timeout_ms, 100);
	policy_free(p);
	p = load_ok("[notify]\nexec_timeout = 1h\n");
	assert_int_equal(p->exec_timeout_ms, 3600000);
	policy_free(p);
	expect_errors("[notify]\nexec_timeout = 99ms\n",
	    "t.conf:2: exec_timeout: value '99ms' out of range (from 100ms "
	    "to 1h)",
	    NULL);
	expect_errors("[notify]\nexec_timeout = 0\n",
	    "t.conf:2: exec_timeout: value '0' out of range (from 100ms to "
	    "1h)",
	    NULL);
	expect_errors("[notify]\nexec_timeout = 3601s\n",
	    "t.conf:2: exec_timeout: value '3601s' out of range (from 100ms "
	    "to 1h)",
	    NULL);
}

static void
test_config_load_score_boundaries(void **state)
{
	struct policy *p;

	p = load_ok("[kill]\nprefer_score = 0\navoid_score = 2000\n");
	assert_int_equal(p->prefer_score, 0);
	assert_int_equal(p->avoid_score, 2000);
	policy_free(p);
	expect_errors("[kill]\nprefer_score = -1\navoid_score = 2001\n",
	    "t.conf:2: prefer_score: value '-1' out of range (from 0 to "
	    "2000)",
	    "t.conf:3: avoid_score: value '2001' out of range (from 0 to "
	    "2000)",
	    NULL);
	expect_errors("[kill]\nprefer_score = 1.5\n",
	    "t.conf:2: prefer_score: bad value '1.5' (expected a whole "
	    "number)",
	    NULL);
	expect_errors("[kill]\nprefer_score = 99999999999999999999\n",
	    "t.conf:2: prefer_score: value '99999999999999999999' out of "
	    "range (from 0 to 2000)",
	    NULL);
}

static void
test_config_load_duration_boundaries(void **state)
{
	struct policy *p;

	p = load_ok("[general]\nreport_interval = 24h\n"
	            "[thresholds]\npsi_duration = 10m\n"
	            "[kill]\nterm_timeout = 600\ncooldown = 60m\n");
	assert_int_equal(p->report_interval_ms, 86400000);
	assert_int_equal(p->psi_duration_ms, 600000);
	assert_int_equal(p->term_timeout_ms, 600000);
	assert_int_equal(p->cooldown_ms, 3600000);
	policy_free(p);
	expect_errors("[general]\nreport_interval = 86401\n"
	              "[thresholds]\npsi_duration = 600001ms\n"
	              "[kill]\nterm_timeout = 11m\ncooldown = 2h\n",
	    "t.conf:2: report_interval: value '86401' out of range (from 0 "
	    "to 24h)",
	    "t.conf:4: psi_duration: value '600001ms' out of range (from 0 "
	    "to 10m)",
	    "t.conf:6: term_timeout: value '11m' out of range (from 0 to "
	    "10m)",
	    "t.conf:7: cooldown: value '2h' out of range (from 0 to 1h)", NULL);
}

static void
test_config_load_amount_boundaries(void **state)
{
	struct policy *p;

	p = load_ok("[thresholds]\nmem_term = 100%\nmem_kill = 0%\n"
	            "swap_term = 0\nswap_kill = 0\n");
	assert_int_equal(p->mem_term.value, 10000);
	assert_true(p->mem_kill.is_pct);
	assert_int_equal(p->mem_kill.value, 0);
	assert_false(p->swap_term.is_pct);
	assert_int_equal(p->swap_term.value, 0);
	policy_free(p);
	expect_errors("[thresholds]\nmem_term = 100.01%\n",
	    "t.conf:2: mem_term: value '100.01%' out of range (from 0% to "
	    "100%)",
	    NULL);
	expect_errors("[thresholds]\npsi_mem_gate = 512\n",
	    "t.conf:2: psi_mem_gate: bad value '512' (expected a percentage "
	    "(10%) or a size (512M, 2G))",
	    NULL);
}

static void
test_config_load_percent_decimals(void **state)
{
	struct policy *p;

	p = load_ok("[thresholds]\nmem_term = 12.5%\nmem_kill = 0.01%\n"
	            "psi_cutoff = 33.33\npsi_mem_gate = 7.25%\n");
	assert_true(p->mem_term.is_pct);
	assert_int_equal(p->mem_term.value, 1250);
	assert_int_equal(p->mem_kill.value, 1);
	assert_int_equal(p->psi_cutoff_centi, 3333);
	assert_int_equal(p->psi_mem_gate.value, 725);
	policy_free(p);
	expect_errors("[thresholds]\nmem_term = 12.345%\n",
	    "t.conf:2: mem_term: bad value '12.345%' (expected a percentage "
	    "(10%) or a size (512M, 2G))",
	    NULL);
}

static void
test_config_load_size_units(void **state)
{
	struct policy *p;

	p = load_ok(
	    "[thresholds]\nmem_term = 2G\nmem_kill = 512MiB\n"
	    "swap_term = 1.5GB\nswap_kill = 1024k\npsi_mem_gate = 1T\n");
	assert_false(p->mem_term.is_pct);
	assert_int_equal(p->mem_term.value, 2097152);
	assert_int_equal(p->mem_kill.value, 524288);
	assert_int_equal(p->swap_term.value, 1572864);
	assert_int_equal(p->swap_kill.value, 1024);
	assert_int_equal(p->psi_mem_gate.value, 1073741824);
	policy_free(p);
}

static void
test_config_load_fill_rate(void **state)
{
	struct policy *p;

	p = load_ok("[thresholds]\nfill_rate = 16G\n");
	assert_false(p->fill_rate.is_pct);
	assert_int_equal(p->fill_rate.value, 16777216);
	policy_free(p);
	p = load_ok("[thresholds]\nfill_rate = 25%\n");
	assert_true(p->fill_rate.is_pct);
	assert_int_equal(p->fill_rate.value, 2500);
	policy_free(p);
	/* Each profile leaves it to the per-CPU rule. */
	p = load_ok("[general]\nprofile = desktop\n");
	assert_int_equal(p->fill_rate.value, 0);
	policy_free(p);
	p = load_ok("[general]\nprofile = server\n[thresholds]\n"
	            "fill_rate = 0\n");
	assert_int_equal(p->fill_rate.value, 0);
	policy_free(p);
	expect_errors("[thresholds]\nfill_rate = fast\n",
	    "t.conf:2: fill_rate: bad value 'fast' (expected a percentage "
	    "(10%) or a size (512M, 2G))",
	    NULL);
	expect_errors("[thresholds]\nfill_rate = 150%\n",
	    "t.conf:2: fill_rate: value '150%' out of range (from 0% to "
	    "100%)",
	    NULL);
}

static void
test_config_load_duration_units(void **state)
{
	struct policy *p;

	p = load_ok("[general]\nreport_interval = 30\n"
	            "[thresholds]\npsi_duration = 1500ms\n"
	            "[kill]\nterm_timeout = 0.5m\ncooldown = 1h\n"
	            "[notify]\nexec_timeout = 2.5s\n");
	assert_int_equal(p->report_interval_ms, 30000);
	assert_int_equal(p->psi_duration_ms, 1500);
	assert_int_equal(p->term_timeout_ms, 30000);
	assert_int_equal(p->cooldown_ms, 3600000);
	assert_int_equal(p->exec_timeout_ms, 2500);
	policy_free(p);
	p = load_ok("[kill]\nterm_timeout = 0\ncooldown = 0s\n");
	assert_int_equal(p->term_timeout_ms, 0);
	assert_int_equal(p->cooldown_ms, 0);
	policy_free(p);
}

/* unit, and process_group and cgroup, its aliases: the later line wins. */
static void
test_config_load_unit_aliases(void **state)
{
	static const struct {
		const char *text;
		enum kill_unit want;
	} cases[] = {
		{ "", UNIT_PROCESS },
		{ "[general]\nprofile = desktop\n", UNIT_AUTO },
		{ "[general]\nprofile = server\n", UNIT_PROCESS },
		{ "[kill]\nunit = group\n", UNIT_GROUP },
		{ "[kill]\nprocess_group = yes\n", UNIT_GROUP },
		{ "[kill]\ncgroup = yes\n", UNIT_CGROUP },
		{ "[kill]\nprocess_group = yes\ncgroup = yes\n", UNIT_CGROUP },
		{ "[kill]\ncgroup = yes\nprocess_group = yes\n", UNIT_GROUP },
		{ "[kill]\nunit = auto\nprocess_group = yes\n", UNIT_GROUP },
		{ "[kill]\nprocess_group = yes\nunit = auto\n", UNIT_AUTO },
		/* no turns off the alias's own unit, and nothing else. */
		{ "[kill]\nprocess_group = yes\nprocess_group = no\n",
		    UNIT_PROCESS },
		{ "[kill]\ncgroup = yes\nprocess_group = no\n", UNIT_CGROUP },
		{ "[kill]\nunit = auto\ncgroup = no\n", UNIT_AUTO },
		/* Before anything set unit, no keeps the profile's auto off. */
		{ "[general]\nprofile = desktop\n[kill]\nprocess_group = no\n",
		    UNIT_PROCESS },
		{ "[general]\nprofile = desktop\n[kill]\ncgroup = off\n",
		    UNIT_PROCESS },
	};
	struct policy *p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = load_ok(cases[i].text);
		if (p->unit != (int)cases[i].want)
			fail_msg("'%s': unit %d, want %d", cases[i].text,
			    p->unit, (int)cases[i].want);
		policy_free(p);
	}
	expect_errors("[kill]\nprocess_group = maybe\n",
	    TEST_FILE ":2: process_group: bad value 'maybe' (expected yes or "
	    "no)",
	    NULL);
	expect_errors("[kill]\nunit = session\n",
	    TEST_FILE ":2: unit: unknown value 'session' (one of: process, "
	    "group, cgroup, auto)",
	    NULL);
	/* An alias in another section is no key there. */
	expect_errors("[general]\ncgroup = yes\n",
	    TEST_FILE ":2: unknown key 'cgroup' in [general]", NULL);
}

static void
test_config_print_unit_not_aliases(void **state)
{
	char *out = NULL;
	size_t len = 0;
	struct policy *p = load_ok("[kill]\nprocess_group = yes\n");
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	config_print(f, p);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "\nunit = group\n"));
	assert_null(strstr(out, "process_group"));
	assert_null(strstr(out, "\ncgroup ="));
	free(out);
	policy_free(p);
}

static void
test_config_load_bool_words(void **state)
{
	struct policy *p;

	p = load_ok("[general]\ndry_run = TRUE\n[kill]\nprocess_group = On\n"
	            "cgroup = 1\n[notify]\ndesktop = YeS\n");
	assert_true(p->dry_run);
	/* The aliases of unit: the later line wins. */
	assert_int_equal(p->unit, UNIT_CGROUP);
	assert_true(p->notify_desktop);
	policy_free(p);
	p = load_ok(
	    "[general]\nprofile = desktop\ndry_run = fAlSe\n"
	    "[kill]\nprocess_group = OFF\ncgroup = 0\n[notify]\ndesktop = No\n");
	assert_false(p->dry_run);
	assert_int_equal(p->unit, UNIT_PROCESS);
	assert_false(p->notify_desktop);
	policy_free(p);
}

static void
test_config_load_repeat_last_wins(void **state)
{
	struct policy *p;
	int idx = config_key_index("thresholds", "mem_term");

	p = load_ok("[thresholds]\nmem_term = 20%\n[kill]\ncooldown = 1s\n"
	            "[thresholds]\nmem_term = 30%\n");
	assert_int_equal(p->mem_term.value, 3000);
	assert_string_equal(p->origins[idx].file, TEST_FILE);
	assert_int_equal(p->origins[idx].line, 6);
	policy_free(p);
}

static void
test_config_load_rules_every_field(void **state)
{
	struct policy *p;
	const struct rule_list *l;

	p = load_ok("[never-kill]\nname = ^(systemd|sshd)$\n"
	            "exe = ^/usr/sbin/sshd$\ncmdline = ^/usr/bin/foo\n"
	            "cgroup = ^/system\\.slice/\nuser = root\nuser = 65534\n"
	            "name = ^(systemd|sshd)$\n");
	l = &p->sets[SET_NEVER_KILL];
	assert_int_equal(l->n, 6); /* the repeated name is dropped */
	assert_int_equal(l->rules[0].field, FIELD_NAME);
	assert_int_equal(l->rules[1].field, FIELD_EXE);
	assert_int_equal(l->rules[2].field, FIELD_CMDLINE);
	assert_int_equal(l->rules[3].field, FIELD_CGROUP);
	assert_int_equal(l->rules[4].field, FIELD_USER);
	assert_int_equal(l->rules[4].uid, 0);
	assert_string_equal(l->rules[4].text, "root");
	assert_int_equal(l->rules[5].uid, 65534);
	assert_string_equal(l->rules[2].origin, "t.conf:4");
	assert_false(l->rules[0].builtin);
	assert_int_equal(l->fields,
	    (1u << FIELD_NAME) | (1u << FIELD_EXE) | (1u << FIELD_CMDLINE) |
	        (1u << FIELD_CGROUP) | (1u << FIELD_USER));
	/* "^sshd$" is a finite set: matched without regexec(). */
	assert_non_null(l->rules[0].lits);
	assert_true(policy_literals_match(l->rules[0].lits, "sshd"));
	assert_false(policy_literals_match(l->rules[0].lits, "sshd2"));
	assert_int_equal(p->sets[SET_ONLY_KILL].n, 0);
	policy_free(p);
}

/* --- Each kind of error, with its line --- */

static void
test_config_load_error_unknown_section(void **state)
{
	/* Keys under it are not reported again; the next section works. */
	expect_errors("[general]\ndry_run = yes\n[bogus]\nfoo = 1\n"
	              "[General]\n[kill]\ncooldown = 1s\n",
	    "t.conf:3: unknown section [bogus]",
	    "t.conf:5: unknown section [General]", NULL);
}

static void
test_config_load_error_unknown_key(void **state)
{
	expect_errors("[general]\ndry_run = yes\ncolour = blue\n"
	              "[kill]\nprofile = desktop\n",
	    "t.conf:3: unknown key 'colour' in [general]",
	    "t.conf:5: unknown key 'profile' in [kill]", NULL);
	expect_errors("\n[never-kill]\npid = 1\n",
	    "t.conf:3: unknown key 'pid' in [never-kill] (one of: name, exe, "
	    "cmdline, cgroup, user)",
	    NULL);
}

static void
test_config_load_error_key_before_section(void **state)
{
	expect_errors("; a comment\ndry_run = yes\n[general]\n",
	    "t.conf:2: key 'dry_run' before any [section]", NULL);
}

static void
test_config_load_error_empty_value(void **state)
{
	expect_errors("[general]\ndry_run =\nlog = ; nothing\n"
	              "[prefer]\nname =\n",
	    "t.conf:2: dry_run: empty value (expected yes or no)",
	    "t.conf:3: log: empty value (see bustd.conf(5))",
	    "t.conf:5: name: empty value", NULL);
}

static void
test_config_load_error_malformed_value(void **state)
{
	expect_errors("[general]\ndry_run = sure\n[thresholds]\n"
	              "mem_term = ten%\npsi_duration = 5 z\n",
	    "t.conf:2: dry_run: bad value 'sure' (expected yes or no)",
	    "t.conf:4: mem_term: bad value 'ten%' (expected a percentage "
	    "(10%) or a size (512M, 2G))",
	    "t.conf:5: psi_duration: bad value '5 z' (expected a duration "
	    "such as 500ms, 5s, 2min or 1h 30m; units ms, s, m or min, h, d, "
	    "w)",
	    NULL);
}

static void
test_config_load_error_out_of_range(void **state)
{
	expect_errors("[thresholds]\n\nmem_kill = 101%\n",
	    "t.conf:3: mem_kill: value '101%' out of range (from 0% to 100%)",
	    NULL);
	expect_errors("[thresholds]\npsi_duration = 1000h\n",
	    "t.conf:2: psi_duration: value '1000h' out of range (from 0 to "
	    "10m)",
	    NULL);
}

static void
test_config_load_error_bad_regex(void **state)
{
	static const char *const bad[] = { "(", "a{2,1}", "[z-a]", "*x" };
	struct config_diag d = { 0 };
	struct config_opts o;
	struct policy *p = NULL;
	char text[256], want[512], err[256];
	regex_t re;
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = text;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = regcomp(&re, bad[i], REG_EXTENDED | REG_NOSUB);
		if (rc == 0) {
			/* This libc takes it: nothing to test. */
			regfree(&re);
			continue;
		}
		regerror(rc, &re, err, sizeof(err));
		snprintf(text, sizeof(text),
		    "[avoid]\nexe = ^/ok$\n"
		    "cmdline = %s\n",
		    bad[i]);
		snprintf(want, sizeof(want),
		    "t.conf:3: cmdline: bad regular "
		    "expression '%s': ",
		    bad[i]);
		assert_int_equal(config_load(&o, &p, &d), -EINVAL);
		assert_null(p);
		if (d.n != 1)
			dump_diag(&d);
		assert_int_equal(d.n, 1);
		if (strncmp(d.msgs[0], want, strlen(want)) != 0)
			fail_msg("got '%s', want '%s...'", d.msgs[0], want);
		assert_non_null(strstr(d.msgs[0], err));
		config_diag_free(&d);
	}
	/* "(" fails everywhere. */
	expect_errors("[never-kill]\nname = (\n",
	    "t.conf:2: name: bad regular "
	    "expression '(': Unmatched ( or \\(",
	    NULL);
}

static void
test_config_load_error_mem_kill_above_term(void **state)
{
	struct policy *p;

	expect_errors("[thresholds]\nmem_term = 5%\nmem_kill = 6%\n",
	    "t.conf:3: mem_kill (6%) is above mem_term (5%): the kill level "
	    "must be at or below the term level",
	    NULL);
	expect_errors("[thresholds]\nmem_term = 1G\nmem_kill = 1025M\n",
	    "t.conf:3: mem_kill (1025M) is above mem_term (1G): the kill "
	    "level must be at or below the term level",
	    NULL);
	/* Equal is fine. */
	p = load_ok("[thresholds]\nmem_term = 1G\nmem_kill = 1024M\n");
	policy_free(p);
	/* The file sets only the term: point at it. */
	expect_errors("[general]\n[thresholds]\nmem_term = 3%\n",
	    "t.conf:3: mem_kill (5%) is above mem_term (3%): the kill level "
	    "must be at or below the term level",
	    NULL);
	/* ... also when the kill level comes from the profile. */
	expect_errors("[thresholds]\nmem_term = 1%\n[general]\n"
	              "profile = server\n",
	    "t.conf:2: mem_kill (2%) is above mem_term (1%): the kill level "
	    "must be at or below the term level",
	    NULL);
}

static void
test_config_load_error_swap_kill_above_term(void **state)
{
	expect_errors("[thresholds]\nswap_term = 10%\nswap_kill = 10.01%\n",
	    "t.conf:3: swap_kill (10.01%) is above swap_term (10%): the kill "
	    "level must be at or below the term level",
	    NULL);
	expect_errors("[thresholds]\nswap_term = 0\n\nswap_kill = 1K\n",
	    "t.conf:4: swap_kill (1K) is above swap_term (0): the kill level "
	    "must be at or below the term level",
	    NULL);
	/* Both pairs wrong: both reported. */
	expect_errors("[thresholds]\nmem_term = 1%\nmem_kill = 2%\n"
	              "swap_term = 1%\nswap_kill = 2%\n",
	    "t.conf:3: mem_kill (2%) is above mem_term (1%): the kill level "
	    "must be at or below the term level",
	    "t.conf:5: swap_kill (2%) is above swap_term (1%): the kill level "
	    "must be at or below the term level",
	    NULL);
}

static void
test_config_load_error_kill_above_term_set_last(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], f[PATH_MAX], want[PATH_MAX + 128];

	/* The level set last made the pair wrong: point at it. */
	expect_errors("[thresholds]\nmem_kill = 6%\nswap_kill = 1%\n"
	              "mem_term = 5%\n",
	    "t.conf:4: mem_kill (6%) is above mem_term (5%): the kill level "
	    "must be at or below the term level",
	    NULL);

	/* Across files: the drop-in that lowered the term. */
	tpath(path, t, "x.conf");
	write_text(path, "[thresholds]\nmem_term = 20%\nmem_kill = 8%\n");
	make_dir(tpath(f, t, "x.d"), 0755);
	write_text(tpath(f, t, "x.d/10-a.conf"), "[thresholds]\n"
	                                         "mem_term = 5%\n");
	snprintf(want, sizeof(want),
	    "%s:2: mem_kill (8%%) is above mem_term "
	    "(5%%): the kill level must be at or below the term level",
	    f);
	expect_errors_path(path, false, want, NULL);

	/* ... or the drop-in that raised the kill level. */
	write_text(path, "[thresholds]\nmem_term = 5%\n\n\n\n"
	                 "mem_kill = 1%\n");
	write_text(f, "[thresholds]\nmem_kill = 8%\n");
	snprintf(want, sizeof(want),
	    "%s:2: mem_kill (8%%) is above mem_term "
	    "(5%%): the kill level must be at or below the term level",
	    f);
	expect_errors_path(path, false, want, NULL);
}

static void
test_config_load_error_kill_above_term_mixed_units(void **state)
{
	static const char mem[] = "[thresholds]\nmem_term = 512M\n"
	                          "mem_kill = 20%\n";
	static const char swap[] = "[thresholds]\nswap_term = 10%\n"
	                           "swap_kill = 200M\n";
	struct config_opts o;
	struct policy *p;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	/* Without totals, a size and a percentage are not compared. */
	p = load_ok(mem);
	policy_free(p);
	p = load_ok(swap);
	policy_free(p);

	o.mem_total_kib = 4194304; /* 4G: 20% is 819M, above 512M */
	o.swap_total_kib = 1048576; /* 1G: 10% is 102M, below 200M */
	o.text = mem;
	expect_errors_opts(&o,
	    "t.conf:3: mem_kill (20%) is above mem_term "
	    "(512M): the kill level must be at or below the term level",
	    NULL);
	o.text = swap;
	expect_errors_opts(&o,
	    "t.conf:3: swap_kill (200M) is above "
	    "swap_term (10%): the kill level must be at or below the term "
	    "level",
	    NULL);

	/* 4G: 10% is 409M, below 512M. */
	o.text = "[thresholds]\nmem_term = 512M\nmem_kill = 10%\n";
	p = load_ok_opts(&o);
	policy_free(p);
	/* No swap at all: a size against a percentage of nothing. */
	o.swap_total_kib = 0;
	o.text = swap;
	p = load_ok_opts(&o);
	policy_free(p);
}

static void
test_config_load_error_relative_exec(void **state)
{
	expect_errors("[notify]\nexec = bin/on-kill\n",
	    "t.conf:2: exec: 'bin/on-kill' is not an absolute path", NULL);
	expect_errors("[general]\nmetrics_file = bustd.prom\n",
	    "t.conf:2: metrics_file: 'bustd.prom' is not an absolute path",
	    NULL);
}

static void
test_config_load_error_exec_missing(void **state)
{
	expect_errors("[notify]\nexec = /nonexistent/bustd-hook\n",
	    "t.conf:2: exec: /nonexistent/bustd-hook: No such file or "
	    "directory",
	    NULL);
	expect_errors("[notify]\n\nexec = /\n",
	    "t.conf:3: exec: /: not an executable file", NULL);
}

/* Load o, expecting success with exactly the warnings in want. */
static struct policy * __attribute__((sentinel))
load_warn(const struct config_opts *o, ...)
{
	struct config_diag d = { 0 };
	struct policy *p = NULL;
	const char *w;
	size_t i = 0;
	va_list ap;

	assert_int_equal(config_load(o, &p, &d), 0);
	dump_diag(&d);
	va_start(ap, o);
	while ((w = va_arg(ap, const char *)) != NULL) {
		assert_true(i < d.n);
		assert_true(d.warn[i]);
		assert_string_equal(d.msgs[i], w);
		i++;
	}
	va_end(ap);
	assert_int_equal(d.n, i);
	assert_int_equal(d.nerr, 0);
	config_diag_free(&d);
	return p;
}

/*
 * A warning level below its term level is a warning: the kills work as
 * set, but the warning would never come.  0 (off) and equal are fine.
 */
static void
test_config_load_warn_below_term(void **state)
{
	struct config_opts o;
	struct policy *p;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = "[general]\nprofile = desktop\n[thresholds]\n"
	         "mem_term = 20%\n";
	p = load_warn(&o,
	    "t.conf:4: mem_warn (15%) is below mem_term (20%): the kill "
	    "comes first and the warning never; set mem_warn at or above "
	    "mem_term, or 0 to turn it off",
	    NULL);
	policy_free(p);
	o.text = "[thresholds]\nswap_term = 10%\nswap_warn = 5%\n"
	         "mem_warn = 10%\n";
	p = load_warn(&o,
	    "t.conf:3: swap_warn (5%) is below swap_term (10%): the kill "
	    "comes first and the warning never; set swap_warn at or above "
	    "swap_term, or 0 to turn it off",
	    NULL);
	policy_free(p);
	/* Sizes against a percentage: only with the machine's total. */
	o.text = "[thresholds]\nmem_term = 10%\nmem_warn = 1G\n";
	p = load_warn(&o, NULL);
	policy_free(p);
	o.mem_total_kib = 4194304; /* 4G: 10% is 410M, below 1G */
	p = load_warn(&o, NULL);
	policy_free(p);
	o.mem_total_kib = 16777216; /* 16G: 10% is 1.6G */
	p = load_warn(&o,
	    "t.conf:3: mem_warn (1G) is below mem_term (10%): the kill "
	    "comes first and the warning never; set mem_warn at or above "
	    "mem_term, or 0 to turn it off",
	    NULL);
	policy_free(p);
	/* Off, or at the term level. */
	o.mem_total_kib = 0;
	o.text = "[general]\nprofile = desktop\n[thresholds]\n"
	         "mem_term = 20%\nmem_warn = 0\n";
	p = load_warn(&o, NULL);
	policy_free(p);
	o.text = "[thresholds]\nmem_term = 5%\nmem_warn = 5%\n";
	p = load_warn(&o, NULL);
	policy_free(p);
}

/*
 * A user that does not exist yet (the package that adds it comes later)
 * is a warning, not an error: the rule matches nobody until a reload
 * finds the user, and bustd still starts.
 */
static void
test_config_load_unknown_user_warns(void **state)
{
	struct config_opts o;
	struct proc_info info;
	struct policy *p;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = "[never-kill]\nuser = root\nuser = no-such-user-bustd\n";
	p = load_warn(&o, "t.conf:3: user: unknown user 'no-such-user-bustd': "
	    "the rule matches nobody until a reload finds the user", NULL);
	assert_int_equal(p->sets[SET_NEVER_KILL].n, 2);
	assert_false(p->sets[SET_NEVER_KILL].rules[0].unresolved);
	assert_true(p->sets[SET_NEVER_KILL].rules[1].unresolved);
	/* Not even a process of uid (uid_t)-1 matches it. */
	memset(&info, 0, sizeof(info));
	info.have = PROC_HAVE_UID;
	info.uid = (uid_t)-1;
	assert_false(victim_rule_matches(&p->sets[SET_NEVER_KILL].rules[1],
	    &info));
	info.uid = 0;
	assert_true(victim_rule_matches(&p->sets[SET_NEVER_KILL].rules[0],
	    &info));
	policy_free(p);
}

/* A size level the machine cannot go below: refused, with its size. */
static void
test_config_load_error_size_above_machine(void **state)
{
	struct config_opts o;
	struct policy *p;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.mem_total_kib = 24 * 1048576ULL;
	o.text = "[thresholds]\nmem_term = 64G\nmem_kill = 32G\n";
	expect_errors_opts(&o,
	    "t.conf:2: mem_term (64G) is at or above this machine's memory "
	    "(24.00 GiB): it would always hold, and bustd would kill at every "
	    "poll",
	    "t.conf:3: mem_kill (32G) is at or above this machine's memory "
	    "(24.00 GiB): it would always hold, and bustd would kill at every "
	    "poll",
	    NULL);
	o.text = "[thresholds]\nmem_term = 24G\nmem_kill = 1G\n";
	expect_errors_opts(&o,
	    "t.conf:2: mem_term (24G) is at or above this machine's memory "
	    "(24.00 GiB): it would always hold, and bustd would kill at every "
	    "poll",
	    NULL);
	o.text = "[thresholds]\nmem_term = 24575M\nmem_kill = 1G\n";
	p = load_ok_opts(&o);
	policy_free(p);
	/* Percentages always fit; swap only counts where there is swap. */
	o.text = "[thresholds]\nmem_term = 100%\nswap_term = 8G\n";
	p = load_ok_opts(&o);
	policy_free(p);
	o.swap_total_kib = 4 * 1048576ULL;
	o.text = "[thresholds]\nswap_term = 4G\nswap_kill = 4G\n";
	p = load_ok_opts(&o);
	policy_free(p);
	o.text = "[thresholds]\nswap_term = 8G\nswap_kill = 5G\n";
	expect_errors_opts(&o,
	    "t.conf:2: swap_term (8G) is above this machine's swap "
	    "(4.00 GiB): it would always hold, and bustd would kill at every "
	    "poll",
	    "t.conf:3: swap_kill (5G) is above this machine's swap "
	    "(4.00 GiB): it would always hold, and bustd would kill at every "
	    "poll",
	    NULL);
}

/* No cgroup v2 hierarchy: a cgroup rule can never match; said so. */
static void
test_config_load_cgroup_rule_without_cgroup2(void **state)
{
	struct config_opts o;
	struct policy *p;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = "[never-kill]\ncgroup = ^/system\\.slice/\n";
	p = load_ok_opts(&o);
	policy_free(p);
	o.no_cgroup2 = true;
	p = load_warn(&o, "t.conf:2: cgroup: this host has no cgroup v2 "
	    "hierarchy (no \"0::\" line in /proc/self/cgroup): the rule can "
	    "never match", NULL);
	assert_int_equal(p->sets[SET_NEVER_KILL].n, 1);
	policy_free(p);
}

/* At most CONFIG_RULES_MAX rules; past it, one error and a count. */
static void
test_config_load_error_too_many_rules(void **state)
{
	struct config_opts o;
	struct policy *p;
	char *text, *at;
	size_t i, size = 64 + (CONFIG_RULES_MAX + 10) * 32;

	text = malloc(size);
	assert_non_null(text);
	at = text + sprintf(text, "[general]\nprofile = none\n[avoid]\n");
	for (i = 0; i < CONFIG_RULES_MAX; i++)
		at += sprintf(at, "cmdline = ^/x%zu/[a-z]+$\n", i);
	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = text;
	p = load_ok_opts(&o);
	assert_int_equal(policy_rule_count(p), CONFIG_RULES_MAX);
	policy_free(p);
	for (; i < CONFIG_RULES_MAX + 3; i++)
		at += sprintf(at, "cmdline = ^/x%zu/[a-z]+$\n", i);
	expect_errors_opts(&o,
	    "t.conf:1028: too many rules (the limit is 1024 in all, the "
	    "profile's included)",
	    "t.conf: 3 rule lines in all past the limit of 1024", NULL);
	free(text);
}

/* A broken file at start: the profile it names, and its valid rules. */
static void
test_config_load_fallback(void **state)
{
	struct config_diag d = { 0 };
	struct config_opts o;
	struct policy *p = NULL;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.mem_total_kib = 16 * 1048576ULL;
	o.text = "[general]\nprofile = server\n[thresholds]\nmem_term = 64G\n"
	    "[never-kill]\nname = ^postgres$\nname = (x)\\1\n"
	    "[kill]\ncooldown = soon\nprefer_score = 123\n";
	/* Without asking for one, none. */
	assert_int_equal(config_load(&o, &p, &d), -EINVAL);
	assert_null(p);
	assert_int_equal(d.nerr, 3);
	config_diag_free(&d);

	o.fallback = true;
	o.overrides = "[general]\ndry_run = yes\n";
	assert_int_equal(config_load(&o, &p, &d), -EINVAL);
	assert_int_equal(d.nerr, 3);
	config_diag_free(&d);
	assert_non_null(p);
	assert_true(p->fallback);
	assert_false(p->fallback_bare);
	assert_int_equal(p->profile, PROFILE_SERVER);
	/* The server profile's levels, not the file's. */
	assert_true(p->mem_term.is_pct);
	assert_int_equal(p->mem_term.value, 500);
	assert_int_equal(p->term_timeout_ms, 10000);
	/* The file's valid rule, after the profile's; not the bad one. */
	assert_string_equal(
	    p->sets[SET_NEVER_KILL].rules[p->sets[SET_NEVER_KILL].n - 1].text,
	    "^postgres$");
	assert_true(p->sets[SET_NEVER_KILL].n > 1);
	assert_true(p->dry_run);
	/* The file's valid values stand; its bad ones are the profile's. */
	assert_int_equal(p->prefer_score, 123);
	assert_int_equal(p->cooldown_ms, 5000);
	policy_free(p);

	/* Its own levels stand when they are not what failed; so does its
	 * dry run. */
	o.overrides = NULL;
	o.text = "[general]\ndry_run = yes\n[thresholds]\nmem_term = 0\n"
	    "mem_kill = 0\n[kill]\nrank_by = size\n";
	p = NULL;
	assert_int_equal(config_load(&o, &p, &d), -EINVAL);
	config_diag_free(&d);
	assert_non_null(p);
	assert_int_equal(p->profile, PROFILE_DESKTOP);
	assert_true(p->dry_run);
	assert_int_equal(p->mem_term.value, 0);
	assert_false(p->mem_term.is_pct);
	policy_free(p);

	/* No valid profile line: desktop. */
	o.text = "[general]\nprofile = laptop\n";
	p = NULL;
	assert_int_equal(config_load(&o, &p, &d), -EINVAL);
	config_diag_free(&d);
	assert_non_null(p);
	assert_int_equal(p->profile, PROFILE_DESKTOP);
	policy_free(p);
}

static void
test_config_load_error_unknown_user(void **state)
{
	struct policy *p;

	expect_errors("[prefer]\nuser = 4294967295\nuser = -1\n",
	    "t.conf:2: user: uid '4294967295' out of range",
	    "t.conf:3: user: uid '-1' out of range", NULL);
	p = load_ok("[prefer]\nuser = 4294967294\n");
	assert_int_equal(p->sets[SET_PREFER].rules[0].uid, 4294967294u);
	policy_free(p);
}

static void
test_config_load_error_unknown_profile(void **state)
{
	expect_errors("[general]\nprofile = laptop\n",
	    "t.conf:2: profile: unknown value 'laptop' (one of: none, "
	    "desktop, server)",
	    NULL);
}

static void
test_config_load_error_line_too_long(void **state)
{
	char *line, *text;
	struct policy *p;

	/* 198 bytes pass, and the value is whole. */
	line = rule_line(CONFIG_LINE_MAX);
	assert_int_equal(strlen(line), 198);
	assert_true(asprintf(&text, "[never-kill]\n%s\n", line) > 0);
	p = load_ok(text);
	assert_int_equal(p->sets[SET_NEVER_KILL].n, 1);
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[0].text, line + 7);
	policy_free(p);
	free(text);
	free(line);

	/* 199 bytes fail, comment or not, with or without a newline. */
	line = rule_line(CONFIG_LINE_MAX + 1);
	assert_true(asprintf(&text, "[never-kill]\n%s\n", line) > 0);
	expect_errors(text,
	    "t.conf:2: line too long (199 bytes; the limit "
	    "is 198)",
	    NULL);
	free(text);
	assert_true(asprintf(&text, "[never-kill]\nname = x\n%s", line) > 0);
	expect_errors(text,
	    "t.conf:3: line too long (199 bytes; the limit "
	    "is 198)",
	    NULL);
	free(text);
	line[0] = ';';
	assert_true(asprintf(&text, "[never-kill]\n%s\n", line) > 0);
	expect_errors(text,
	    "t.conf:2: line too long (199 bytes; the limit "
	    "is 198)",
	    NULL);
	free(text);
	free(line);

	/* Much longer. */
	line = rule_line(5000);
	assert_true(asprintf(&text, "[never-kill]\n%s\n", line) > 0);
	expect_errors(text,
	    "t.conf:2: line too long (5000 bytes; the limit "
	    "is 198)",
	    NULL);
	free(text);
	free(line);
}

static void
test_config_load_error_nul_byte(void **state)
{
	static const char data[] = "[general]\ndry_run = y\0s\nlog = auto\n";
	struct tmp *t = *state;
	char path[PATH_MAX], want[PATH_MAX + 64];

	tpath(path, t, "nul.conf");
	write_file(path, data, sizeof(data) - 1, 0600);
	snprintf(want, sizeof(want), "%s:2: NUL byte in line", path);
	expect_errors_path(path, false, want, NULL);
}

static void
test_config_load_error_control_byte(void **state)
{
	expect_errors("[general]\ndry_run = y\001s\n",
	    "t.conf:2: control character 0x01 in line", NULL);
	expect_errors("[general]\n\033[31mdry_run = yes\n",
	    "t.conf:2: control character 0x1b in line", NULL);
	expect_errors("[general]\ndry_run = yes\177\n",
	    "t.conf:2: control character 0x7f in line", NULL);
	/* A carriage return anywhere but at the end of the line. */
	expect_errors("[general]\r\ndry_run = y\res\r\n",
	    "t.conf:2: control character 0x0d in line", NULL);
	expect_errors("[general]\ndry_run = yes\f\n",
	    "t.conf:2: control character 0x0c in line", NULL);
}

static void
test_config_load_error_missing_bracket(void **state)
{
	/* The key that follows has no section then. */
	expect_errors("[general\ndry_run = yes\n",
	    "t.conf:1: missing ']' in section header",
	    "t.conf:2: key 'dry_run' before any [section]", NULL);
	expect_errors("[kill]\ncooldown = 1s\n[general ; x]\n",
	    "t.conf:3: missing ']' in section header", NULL);
}

static void
test_config_load_error_no_equals(void **state)
{
	expect_errors("[general]\ndry_run yes\n",
	    "t.conf:2: expected 'key = value', got 'dry_run yes'", NULL);
	expect_errors("[never-kill]\nname ; = sshd\n",
	    "t.conf:2: expected 'key = value', got 'name ; = sshd'", NULL);
}

static void
test_config_load_error_missing_key_name(void **state)
{
	expect_errors("[general]\n= yes\n",
	    "t.conf:2: missing key name before '='", NULL);
}

static void
test_config_load_error_text_after_section(void **state)
{
	expect_errors("[general] dry_run = yes\n",
	    "t.conf:1: text after section header [general]", NULL);
	expect_errors("[general]x\n[kill]\n[bogus] y\n",
	    "t.conf:1: text after section header [general]",
	    "t.conf:3: text after section header [bogus]",
	    "t.conf:3: unknown section [bogus]", NULL);
}

static void
test_config_load_error_missing_file(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], want[PATH_MAX + 64];

	tpath(path, t, "nope.conf");
	snprintf(want, sizeof(want),
	    "%s: cannot open: No such file or "
	    "directory",
	    path);
	expect_errors_path(path, false, want, NULL);
}

static void
test_config_load_error_folder(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], want[PATH_MAX + 64];

	tpath(path, t, "sub.conf");
	make_dir(path, 0700);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	expect_errors_path(path, false, want, NULL);
}

static void
test_config_load_error_file_too_large(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], want[PATH_MAX + 128];
	char *big;

	big = malloc(CONFIG_FILE_MAX + 1);
	assert_non_null(big);
	memset(big, '\n', CONFIG_FILE_MAX + 1);
	tpath(path, t, "big.conf");
	write_file(path, big, CONFIG_FILE_MAX + 1, 0600);
	snprintf(want, sizeof(want),
	    "%s: file too large (%d bytes; the "
	    "limit is %d)",
	    path, CONFIG_FILE_MAX + 1, CONFIG_FILE_MAX);
	expect_errors_path(path, false, want, NULL);
	/* The limit itself is fine. */
	write_file(path, big, CONFIG_FILE_MAX, 0600);
	policy_free(load_path_ok(path, false));
	free(big);
}

static void
test_config_load_error_many_in_line_order(void **state)
{
	char *line = rule_line(CONFIG_LINE_MAX + 1), *text;

	assert_true(asprintf(&text,
	                "[general]\n" /* 1 */
	                "dry_run = maybe\n" /* 2: handler */
	                "no equals here\n" /* 3: scan */
	                "[thresholds]\n" /* 4 */
	                "psi_cutoff = 101\n" /* 5: handler */
	                "[bogus\n" /* 6: scan */
	                "[kill]\n" /* 7 */
	                "colour = blue\n" /* 8: handler */
	                "%s\n" /* 9: scan */
	                "prefer_score = -5\n" /* 10: handler */
	                "cooldown = 1s\x01\n" /* 11: scan */
	                "[avoid]\n" /* 12 */
	                "name = (\n", /* 13: handler */
	                line) > 0);
	expect_errors(text,
	    "t.conf:2: dry_run: bad value 'maybe' (expected yes or no)",
	    "t.conf:3: expected 'key = value', got 'no equals here'",
	    "t.conf:5: psi_cutoff: value '101' out of range (from 0 to 100)",
	    "t.conf:6: missing ']' in section header",
	    "t.conf:8: unknown key 'colour' in [kill]",
	    "t.conf:9: line too long (199 bytes; the limit is 198)",
	    "t.conf:10: prefer_score: value '-5' out of range (from 0 to "
	    "2000)",
	    "t.conf:11: control character 0x01 in line",
	    "t.conf:13: name: bad regular expression '(': Unmatched ( or \\(",
	    NULL);
	free(text);
	free(line);
}

/* --- Accepted syntax --- */

static void
test_config_load_crlf(void **state)
{
	struct policy *p;

	p = load_ok("[general]\r\ndry_run = yes\r\n\r\n; comment\r\n"
	            "[never-kill]\r\nname = ^sshd$\r\n[kill]\r\ncooldown = 2s");
	assert_true(p->dry_run);
	assert_int_equal(p->cooldown_ms, 2000);
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[0].text, "^sshd$");
	policy_free(p);
	expect_errors("[general]\r\n\r\ndry_run = perhaps\r\n",
	    "t.conf:3: dry_run: bad value 'perhaps' (expected yes or no)",
	    NULL);
}

static void
test_config_load_bom(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], want[PATH_MAX + 64], *line, *text;
	struct policy *p;

	p = load_ok("\xef\xbb\xbf[general]\ndry_run = yes\n");
	assert_true(p->dry_run);
	policy_free(p);

	/* From a file, with CRLF; the line numbers still count. */
	tpath(path, t, "bom.conf");
	write_text(path, "\xef\xbb\xbf[kill]\r\ncooldown = 3s\r\n"
	                 "rank_by = size\r\n");
	snprintf(want, sizeof(want),
	    "%s:3: rank_by: unknown value 'size' "
	    "(one of: oom_score, rss)",
	    path);
	expect_errors_path(path, false, want, NULL);
	write_text(path, "\xef\xbb\xbf[kill]\r\ncooldown = 3s\r\n");
	p = load_path_ok(path, false);
	assert_int_equal(p->cooldown_ms, 3000);
	policy_free(p);

	/* The mark does not count towards the first line's length. */
	line = rule_line(CONFIG_LINE_MAX);
	memcpy(line, "; comment", 9);
	assert_true(asprintf(&text, "\xef\xbb\xbf%s\n", line) > 0);
	policy_free(load_ok(text));
	free(text);
	free(line);

	/* A mark anywhere else is not one. */
	expect_errors("[kill]\n\xef\xbb\xbf"
	              "cooldown = 3s\n",
	    "t.conf:2: unknown key '\\xef\\xbb\\xbfcooldown' in [kill]", NULL);
}

static void
test_config_load_indented_lines(void **state)
{
	struct policy *p;

	/* inih would read an indented line as the continuation of the
	 * value above; bustd reads it as a key of its own. */
	p = load_ok("  [general]\n\tdry_run = yes\n    log = stderr\n"
	            "[never-kill]\nname = ^a$\n\tname = ^b$\n  exe = ^/c$\n");
	assert_true(p->dry_run);
	assert_int_equal(p->log_mode, LOG_MODE_STDERR);
	assert_int_equal(p->sets[SET_NEVER_KILL].n, 3);
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[0].text, "^a$");
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[1].text, "^b$");
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[2].text, "^/c$");
	policy_free(p);
	expect_errors("[general]\ndry_run = yes\n   bogus = 1\n",
	    "t.conf:3: unknown key 'bogus' in [general]", NULL);
}

static void
test_config_load_inline_comments(void **state)
{
	struct policy *p;

	p = load_ok("; leading comment\n# hash comment\n"
	            "[general] ; the general section\n"
	            "dry_run = yes ; a comment\n"
	            "log = stderr\t; after a tab\n"
	            "metrics_file = ; off\n"
	            "[thresholds]\nmem_term = 20% ; twenty\n"
	            "[never-kill]\nname = a;b\ncmdline = x #y\n");
	assert_true(p->dry_run);
	assert_int_equal(p->log_mode, LOG_MODE_STDERR);
	assert_null(p->metrics_file);
	assert_int_equal(p->mem_term.value, 2000);
	/* ';' not after a blank, and '#' inside a value, are kept. */
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[0].text, "a;b");
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[1].text, "x #y");
	policy_free(p);
}

static void
test_config_load_blanks_around_values(void **state)
{
	struct policy *p;

	p = load_ok("[general]\ndry_run=yes\nlog   =   stderr   \n"
	            "[kill]\ncooldown\t=\t7s\t\n");
	assert_true(p->dry_run);
	assert_int_equal(p->log_mode, LOG_MODE_STDERR);
	assert_int_equal(p->cooldown_ms, 7000);
	policy_free(p);
}

/* --- Drop-ins --- */

static void
test_config_load_dropin_order(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], dir[PATH_MAX], f[PATH_MAX];
	int idx = config_key_index("kill", "cooldown");
	struct policy *p;

	tpath(path, t, "x.conf");
	tpath(dir, t, "x.d");
	write_text(path, "[kill]\ncooldown = 1s\n[never-kill]\nname = ^a$\n");
	make_dir(dir, 0755);
	/* Created out of order on purpose: readdir order must not count. */
	write_text(tpath(f, t, "x.d/20-b.conf"),
	    "[never-kill]\nname = ^c$\n[kill]\ncooldown = 3s\n");
	write_text(tpath(f, t, "x.d/10-a.conf"),
	    "[kill]\ncooldown = 2s\nterm_timeout = 9s\n"
	    "[never-kill]\nname = ^b$\n");
	p = load_path_ok(path, false);
	assert_int_equal(p->cooldown_ms, 3000);
	assert_int_equal(p->term_timeout_ms, 9000);
	assert_int_equal(p->origins[idx].line, 4);
	assert_string_equal(p->origins[idx].file, tpath(f, t, "x.d/20-b.conf"));
	assert_int_equal(p->nfiles, 3);
	assert_string_equal(p->files[0], path);
	assert_string_equal(p->files[1], tpath(f, t, "x.d/10-a.conf"));
	assert_string_equal(p->files[2], tpath(f, t, "x.d/20-b.conf"));
	/* List lines append, in the same order. */
	assert_int_equal(p->sets[SET_NEVER_KILL].n, 3);
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[0].text, "^a$");
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[1].text, "^b$");
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[2].text, "^c$");
	policy_free(p);
}

static void
test_config_load_dropin_ignored_names(void **state)
{
	static const char *const ignored[] = { "x.d/.hidden.conf", "x.d/.conf",
		"x.d/30-c.conf.disabled", "x.d/40-d.conf~", "x.d/README",
		"x.d/conf", "x.d/50-e.cfg" };
	struct tmp *t = *state;
	char path[PATH_MAX], f[PATH_MAX];
	struct policy *p;
	size_t i;

	tpath(path, t, "x.conf");
	write_text(path, "[kill]\ncooldown = 1s\n");
	make_dir(tpath(f, t, "x.d"), 0755);
	write_text(tpath(f, t, "x.d/10-a.conf"), "[kill]\ncooldown = 2s\n");
	/* Each would be an error, and would change the value. */
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		write_text(tpath(f, t, ignored[i]), "[kill]\ncooldown = 9s\n"
		                                    "bogus\n");
	p = load_path_ok(path, false);
	assert_int_equal(p->cooldown_ms, 2000);
	assert_int_equal(p->nfiles, 2);
	policy_free(p);
}

static void
test_config_load_dropin_error_names_file(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], f[PATH_MAX], w1[PATH_MAX + 128];
	char w2[PATH_MAX + 256], w3[PATH_MAX + 128], w4[PATH_MAX + 128];

	tpath(path, t, "x.conf");
	write_text(path, "[kill]\ncooldown = 1s\nrank_by = size\n");
	make_dir(tpath(f, t, "x.d"), 0755);
	write_text(tpath(f, t, "x.d/10-a.conf"), "[kill]\n\ncooldown = soon\n");
	write_text(tpath(f, t, "x.d/20-b.conf"), "[kill]\ncooldown = 1s\n");
	write_text(tpath(f, t, "x.d/30-c.conf"), "[thresholds]\n"
	                                         "mem_kill = 50%\n[bogus]\n");
	snprintf(w1, sizeof(w1),
	    "%s:3: rank_by: unknown value 'size' (one "
	    "of: oom_score, rss)",
	    path);
	snprintf(w2, sizeof(w2),
	    "%s/x.d/10-a.conf:3: cooldown: bad value "
	    "'soon' (expected a duration such as 500ms, 5s, 2min or 1h 30m; "
	    "units ms, s, m or min, h, d, w)",
	    t->dir);
	snprintf(w3, sizeof(w3),
	    "%s/x.d/30-c.conf:3: unknown section "
	    "[bogus]",
	    t->dir);
	snprintf(w4, sizeof(w4),
	    "%s/x.d/30-c.conf:2: mem_kill (50%%) is "
	    "above mem_term (10%%): the kill level must be at or below the "
	    "term level",
	    t->dir);
	expect_errors_path(path, false, w1, w2, w3, w4, NULL);
}

static void
test_config_load_dropin_not_folder(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], f[PATH_MAX], want[PATH_MAX + 64];

	tpath(path, t, "x.conf");
	write_text(path, "[kill]\ncooldown = 1s\n");
	write_text(tpath(f, t, "x.d"), "[kill]\ncooldown = 2s\n");
	snprintf(want, sizeof(want), "%s: not a folder", f);
	expect_errors_path(path, false, want, NULL);
}

static void
test_config_load_dropin_missing_folder(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX];
	struct policy *p;

	tpath(path, t, "x.conf");
	write_text(path, "[kill]\ncooldown = 1s\n");
	p = load_path_ok(path, false);
	assert_int_equal(p->cooldown_ms, 1000);
	assert_int_equal(p->nfiles, 1);
	policy_free(p);
}

static void
test_config_load_dropin_without_main_file(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], f[PATH_MAX], want[PATH_MAX + 64];

	tpath(path, t, "x.conf");
	make_dir(tpath(f, t, "x.d"), 0755);
	write_text(tpath(f, t, "x.d/10-a.conf"), "[kill]\ncooldown = 2s\n");
	snprintf(want, sizeof(want),
	    "%s: cannot open: No such file or "
	    "directory",
	    path);
	expect_errors_path(path, false, want, NULL);
}

static void
test_config_load_dropin_many(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], dir[PATH_MAX], f[PATH_MAX], name[32];
	char text[128], want[PATH_MAX + 128];
	struct policy *p;
	int i, most = POLICY_MAX_FILES - 1;

	/* As many drop-ins as policy->files has room for. */
	tpath(path, t, "x.conf");
	write_text(path, "[kill]\ncooldown = 1s\n");
	make_dir(tpath(dir, t, "x.d"), 0755);
	for (i = 1; i <= most; i++) {
		snprintf(name, sizeof(name), "x.d/%02d.conf", i);
		snprintf(text, sizeof(text), "[kill]\ncooldown = %ds\n", i);
		write_text(tpath(f, t, name), text);
	}
	p = load_path_ok(path, false);
	assert_int_equal(p->cooldown_ms, most * 1000);
	assert_int_equal(p->nfiles, POLICY_MAX_FILES);
	policy_free(p);

	/* The last file's error names the last file, after the load. */
	snprintf(name, sizeof(name), "x.d/%02d.conf", most);
	write_text(tpath(f, t, name),
	    "[kill]\ncooldown = 80s\n[thresholds]\nmem_kill = 50%\n");
	snprintf(want, sizeof(want),
	    "%s:4: mem_kill (50%%) is above "
	    "mem_term (10%%): the kill level must be at or below the term "
	    "level",
	    f);
	expect_errors_path(path, false, want, NULL);

	/* One more is refused, whole and in one message. */
	write_text(tpath(f, t, name), "[kill]\n");
	snprintf(name, sizeof(name), "x.d/%02d.conf", most + 1);
	write_text(tpath(f, t, name), "[kill]\n");
	snprintf(want, sizeof(want),
	    "%s: too many drop-in files (%d; the "
	    "limit is %d)",
	    dir, most + 1, most);
	expect_errors_path(path, false, want, NULL);
}

/* --- Profiles --- */

static void
test_config_load_profile_last_line(void **state)
{
	struct policy *p, *ref;
	size_t i;

	ref = load_ok("[general]\nprofile = desktop\n");
	p = load_ok("[thresholds]\nmem_term = 7%\n[kill]\nterm_timeout = 4s\n"
	            "[general]\nprofile = desktop\n");
	assert_int_equal(p->profile, PROFILE_DESKTOP);
	/* File values win wherever profile stands... */
	assert_int_equal(p->mem_term.value, 700);
	assert_int_equal(p->term_timeout_ms, 4000);
	/* ... and the profile fills the rest. */
	assert_int_equal(p->psi_duration_ms, 1000);
	assert_int_equal(p->psi_mem_gate.value, 2000);
	assert_true(p->notify_desktop);
	for (i = 0; i < SET_COUNT; i++)
		assert_int_equal(p->sets[i].n, ref->sets[i].n);
	assert_true(p->sets[SET_NEVER_KILL].n > 0);
	policy_free(p);
	policy_free(ref);
}

static void
test_config_load_profile_desktop_values(void **state)
{
	struct policy *p = load_ok("[general]\nprofile = desktop\n");
	int idx = config_key_index("thresholds", "psi_duration");

	assert_int_equal(p->mem_term.value, 1000);
	assert_int_equal(p->mem_kill.value, 500);
	assert_int_equal(p->swap_term.value, 1000);
	assert_int_equal(p->swap_kill.value, 500);
	assert_int_equal(p->psi_metric, PSI_SOME);
	assert_int_equal(p->psi_window_ms, 1000);
	assert_int_equal(p->psi_cutoff_centi, 3000);
	assert_int_equal(p->psi_duration_ms, 1000);
	assert_int_equal(p->psi_mem_gate.value, 2000);
	assert_int_equal(p->thrash_cutoff_centi, 2000);
	assert_int_equal(p->mem_warn.value, 1500);
	assert_int_equal(p->term_timeout_ms, 2000);
	assert_true(p->notify_desktop);
	assert_true(p->sets[SET_NEVER_KILL].n > 0);
	assert_true(p->sets[SET_AVOID].n > 0);
	assert_true(p->sets[SET_PREFER].n > 0);
	assert_int_equal(p->sets[SET_ONLY_KILL].n, 0);
	assert_true(p->sets[SET_NEVER_KILL].rules[0].builtin);
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[0].origin,
	    "profile desktop");
	assert_int_equal(p->origins[idx].line, 0);
	assert_string_equal(p->origins[idx].file, "profile desktop");
	policy_free(p);
}

static void
test_config_load_profile_server_values(void **state)
{
	struct policy *p = load_ok("[general]\nprofile = server\n");

	assert_int_equal(p->mem_term.value, 500);
	assert_int_equal(p->mem_kill.value, 200);
	assert_int_equal(p->swap_term.value, 1000);
	assert_int_equal(p->swap_kill.value, 500);
	assert_int_equal(p->psi_metric, PSI_FULL);
	assert_int_equal(p->psi_cutoff_centi, 4000);
	assert_int_equal(p->psi_duration_ms, 3000);
	assert_int_equal(p->psi_mem_gate.value, 2000);
	assert_int_equal(p->thrash_mem_gate.value, 2000);
	assert_int_equal(p->term_timeout_ms, 10000);
	assert_false(p->notify_desktop);
	assert_true(p->sets[SET_NEVER_KILL].n > 0);
	assert_true(p->sets[SET_AVOID].n > 0);
	assert_int_equal(p->sets[SET_PREFER].n, 0);
	assert_int_equal(p->sets[SET_ONLY_KILL].n, 0);
	policy_free(p);
}

static void
test_config_load_profile_none_no_rules(void **state)
{
	struct policy *p;
	size_t i;

	p = load_ok("[general]\nprofile = none\n[never-kill]\nname = ^x$\n");
	assert_int_equal(p->profile, PROFILE_NONE);
	assert_int_equal(p->sets[SET_NEVER_KILL].n, 1);
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[0].text, "^x$");
	for (i = 0; i < SET_COUNT; i++)
		if (i != SET_NEVER_KILL)
			assert_int_equal(p->sets[i].n, 0);
	policy_free(p);
	/* A later none replaces an earlier profile. */
	p = load_ok("[general]\nprofile = server\nprofile = none\n");
	assert_int_equal(p->profile, PROFILE_NONE);
	for (i = 0; i < SET_COUNT; i++)
		assert_int_equal(p->sets[i].n, 0);
	policy_free(p);
}

/* Assert that list l is the profile's rules (ref), then the texts given. */
static void
check_merged(const struct rule_list *l, const struct rule_list *ref,
    const char *const *added, size_t nadded)
{
	size_t i;

	assert_int_equal(l->n, ref->n + nadded);
	for (i = 0; i < ref->n; i++) {
		assert_string_equal(l->rules[i].text, ref->rules[i].text);
		assert_true(l->rules[i].builtin);
	}
	for (i = 0; i < nadded; i++) {
		assert_string_equal(l->rules[ref->n + i].text, added[i]);
		assert_false(l->rules[ref->n + i].builtin);
	}
}

static void
test_config_load_profile_list_merge(void **state)
{
	static const char *const never[] = { "^/opt/app/bin/keeper$",
		"^keeper$" };
	static const char *const avoid[] = { "^/opt/db$" };
	struct policy *ref, *p;
	const struct rule_list *rn, *ra;
	char *text;

	ref = load_ok("[general]\nprofile = server\n");
	rn = &ref->sets[SET_NEVER_KILL];
	ra = &ref->sets[SET_AVOID];
	assert_true(rn->n >= 2);
	assert_true(ra->n >= 1);
	/* The file repeats a profile rule, before and after its own. */
	assert_true(asprintf(&text,
	                "[never-kill]\n"
	                "exe = %s\n"
	                "exe = ^/opt/app/bin/keeper$\n"
	                "exe = %s\n"
	                "name = ^keeper$\n"
	                "exe = ^/opt/app/bin/keeper$\n"
	                "[avoid]\n"
	                "exe = ^/opt/db$\n"
	                "exe = %s\n"
	                "[general]\n"
	                "profile = server\n",
	                rn->rules[rn->n - 1].text, rn->rules[0].text,
	                ra->rules[0].text) > 0);
	p = load_ok(text);
	check_merged(&p->sets[SET_NEVER_KILL], rn, never, 2);
	check_merged(&p->sets[SET_AVOID], ra, avoid, 1);
	assert_int_equal(p->sets[SET_PREFER].n, 0);
	assert_string_equal(p->sets[SET_NEVER_KILL].rules[rn->n].origin,
	    "t.conf:3");
	/* The same text under another field is another rule. */
	policy_free(p);
	free(text);
	p = load_ok("[general]\nprofile = server\n[never-kill]\n"
	            "cmdline = ^/usr/sbin/sshd$\n");
	assert_int_equal(p->sets[SET_NEVER_KILL].n, rn->n + 1);
	policy_free(p);
	policy_free(ref);
}

static void
test_config_load_profile_in_dropin(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], f[PATH_MAX];
	struct policy *p;

	tpath(path, t, "x.conf");
	write_text(path, "[general]\nprofile = desktop\n[kill]\n"
	                 "term_timeout = 7s\n");
	make_dir(tpath(f, t, "x.d"), 0755);
	write_text(tpath(f, t, "x.d/10-a.conf"), "[general]\n"
	                                         "profile = server\n");
	p = load_path_ok(path, false);
	assert_int_equal(p->profile, PROFILE_SERVER);
	assert_int_equal(p->term_timeout_ms, 7000);
	assert_int_equal(p->psi_metric, PSI_FULL);
	policy_free(p);
}

/* --- --print-config --- */

static void
test_config_print_round_trip_none(void **state)
{
	char *out = round_trip("");

	assert_non_null(strstr(out, "\nprofile = none\n"));
	assert_non_null(strstr(out, "\nmetrics_file =\n"));
	free(out);
}

static void
test_config_print_round_trip_desktop(void **state)
{
	char *out = round_trip("[general]\nprofile = desktop\n");

	assert_non_null(strstr(out, "\nprofile = desktop\n"));
	assert_non_null(strstr(out, "\npsi_duration = 1s\n"));
	free(out);
}

static void
test_config_print_round_trip_server(void **state)
{
	char *out = round_trip("[general]\nprofile = server\n"
	                       "[never-kill]\nexe = ^/opt/x$\n");

	assert_non_null(strstr(out, "\nprofile = server\n"));
	assert_non_null(strstr(out, "\npsi_metric = full\n"));
	assert_non_null(strstr(out, "\nexe = ^/opt/x$\n"));
	free(out);
}

/* Every key set away from its default, in --print-config's own form. */
static const char every_key[] =
    "[general]\n"
    "profile = none\n"
    "dry_run = yes\n"
    "log = stderr\n"
    "report_interval = 1m\n"
    "metrics_file = /var/lib/prometheus/node-exporter/bustd.prom\n"
    "\n"
    "[thresholds]\n"
    "mem_term = 12.5%\n"
    "mem_kill = 6.25%\n"
    "swap_term = 2G\n"
    "swap_kill = 512M\n"
    "psi_metric = full_avg60\n"
    "psi_cutoff = 33.3\n"
    "psi_duration = 1500ms\n"
    "psi_mem_gate = 1536K\n"
    "psi_window = 1500ms\n"
    "thrash_cutoff = 12.5\n"
    "thrash_duration = 3s\n"
    "thrash_mem_gate = 30%\n"
    "mem_warn = 20%\n"
    "swap_warn = 3G\n"
    "psi_warn = 12\n"
    "thrash_warn = 7.5\n"
    "fill_rate = 12800M\n"
    "\n"
    "[kill]\n"
    "unit = auto\n"
    "term_timeout = 90s\n"
    "cooldown = 2m\n"
    "prefer_score = 500\n"
    "avoid_score = 0\n"
    "rank_by = rss\n"
    "\n"
    "[never-kill]\n"
    "name = ^(systemd|sshd)$\n"
    "exe = ^/usr/sbin/sshd$\n"
    "cmdline = ^/usr/bin/foo( |$)\n"
    "cgroup = ^/system\\.slice/\n"
    "user = root\n"
    "\n"
    "[only-kill]\n"
    "cgroup = ^/user\\.slice/\n"
    "user = 1000\n"
    "\n"
    "[prefer]\n"
    "name = ^(Web Content|Isolated Web Co)$\n"
    "cmdline = (^| )--type=renderer( |$)\n"
    "\n"
    "[avoid]\n"
    "exe = ^/usr/lib/postgresql/[0-9.]+/bin/postgres$\n"
    "name = a;b #c\n"
    "\n"
    "[notify]\n"
    "exec = /bin/true\n"
    "exec_timeout = 1h\n"
    "warn_interval = 10m\n"
    "desktop = yes\n";

static void
test_config_print_round_trip_every_key(void **state)
{
	char *out = round_trip(every_key);

	assert_string_equal(out, every_key);
	free(out);
}

static void
test_config_print_every_key_listed(void **state)
{
	struct policy *p = load_ok("");
	char *out = print_policy(p), *line, *save = NULL;
	char section[64] = "";
	size_t next = 0;

	/* Each key once, in table order, under its own section. */
	for (line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const struct config_key *k;
		size_t n;

		if (line[0] == '[') {
			snprintf(section, sizeof(section), "%.*s",
			    (int)(strlen(line) - 2), line + 1);
			continue;
		}
		assert_true(next < config_nkeys);
		k = &config_keys[next++];
		n = strlen(k->name);
		assert_string_equal(section, k->section);
		if (strncmp(line, k->name, n) != 0 ||
		    (strncmp(line + n, " = ", 3) != 0 &&
		        strcmp(line + n, " =") != 0))
			fail_msg("line '%s', want key %s", line, k->name);
	}
	assert_int_equal(next, config_nkeys);
	free(out);
	policy_free(p);
}

static void
test_config_print_long_rule(void **state)
{
	char *a = rule_line(CONFIG_LINE_MAX), *b, *text, *out, *l;

	/* "name = V" of 198 bytes, and "name=V" of 198 bytes. */
	b = rule_line(CONFIG_LINE_MAX + 2);
	memmove(b + 4, b + 6, strlen(b + 6) + 1);
	b[4] = '=';
	b[CONFIG_LINE_MAX - 2] = 'b';
	assert_int_equal(strlen(b), CONFIG_LINE_MAX);
	assert_true(asprintf(&text, "[prefer]\n%s\n%s\n", a, b) > 0);
	out = round_trip(text);
	for (l = out; *l != '\0'; l = strchr(l, '\n') + 1)
		assert_true(strcspn(l, "\n") <= CONFIG_LINE_MAX);
	assert_non_null(strstr(out, a));
	free(out);
	free(text);
	free(a);
	free(b);
}

/* --- Command-line overrides --- */

static void
test_config_load_overrides_win(void **state)
{
	struct config_opts o;
	struct policy *p;
	int idx = config_key_index("thresholds", "psi_cutoff");

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = "[general]\ndry_run = no\nprofile = server\n"
	         "[thresholds]\npsi_cutoff = 50\n[kill]\nprocess_group = no\n"
	         "cooldown = 9s\n";
	o.overrides = "[general]\ndry_run = yes\n[kill]\nprocess_group = yes\n"
	              "[thresholds]\npsi_cutoff = 30.00\n";
	p = load_ok_opts(&o);
	assert_true(p->dry_run);
	assert_int_equal(p->unit, UNIT_GROUP);
	assert_int_equal(p->psi_cutoff_centi, 3000);
	assert_string_equal(p->origins[idx].file, "command line");
	/* The rest stays as the file and its profile say. */
	assert_int_equal(p->cooldown_ms, 9000);
	assert_int_equal(p->profile, PROFILE_SERVER);
	assert_int_equal(p->psi_metric, PSI_FULL);
	policy_free(p);
}

static void
test_config_load_overrides_error(void **state)
{
	struct config_opts o;

	memset(&o, 0, sizeof(o));
	o.path = TEST_FILE;
	o.text = "[thresholds]\npsi_cutoff = 50\n";
	o.overrides = "[thresholds]\npsi_cutoff = 300\n";
	expect_errors_opts(&o,
	    "command line: psi_cutoff: value '300' out of "
	    "range (from 0 to 100)",
	    NULL);
}

/* --- Ownership and modes (root only) --- */

static bool
need_root(void)
{
	return geteuid() == 0;
}

static void
test_config_load_perms_ok(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], f[PATH_MAX];
	struct policy *p;

	if (!need_root())
		skip();
	tpath(path, t, "x.conf");
	write_file(path, "[kill]\ncooldown = 1s\n", 21, 0644);
	make_dir(tpath(f, t, "x.d"), 0755);
	write_file(tpath(f, t, "x.d/10-a.conf"), "[kill]\ncooldown = 2s\n", 21,
	    0600);
	p = load_path_ok(path, true);
	assert_int_equal(p->cooldown_ms, 2000);
	policy_free(p);
}

static void
test_config_load_perms_foreign_owner(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], f[PATH_MAX], want[PATH_MAX + 128];

	if (!need_root())
		skip();
	tpath(path, t, "x.conf");
	write_text(path, "[kill]\ncooldown = 1s\n");
	assert_int_equal(chown(path, 65534, 65534), 0);
	snprintf(want, sizeof(want),
	    "%s: refusing file owned by uid 65534, "
	    "not root (it can name a program that runs as root)",
	    path);
	expect_errors_path(path, true, want, NULL);
	/* Not checked unless asked to. */
	policy_free(load_path_ok(path, false));

	/* The same for a drop-in. */
	assert_int_equal(chown(path, 0, 0), 0);
	make_dir(tpath(f, t, "x.d"), 0755);
	write_text(tpath(f, t, "x.d/10-a.conf"), "[kill]\ncooldown = 2s\n");
	assert_int_equal(chown(f, 65534, 0), 0);
	snprintf(want, sizeof(want),
	    "%s: refusing file owned by uid 65534, "
	    "not root (it can name a program that runs as root)",
	    f);
	expect_errors_path(path, true, want, NULL);

	/* The fallback takes nothing of the files: not the main file's
	 * cooldown either. */
	{
		struct config_diag d = { 0 };
		struct config_opts o;
		struct policy *fb = NULL;

		memset(&o, 0, sizeof(o));
		o.path = path;
		o.strict_perms = true;
		o.fallback = true;
		write_text(path, "[general]\nprofile = server\n"
		                 "[kill]\ncooldown = 1s\n");
		assert_int_equal(config_load(&o, &fb, &d), -EINVAL);
		config_diag_free(&d);
		assert_non_null(fb);
		assert_true(fb->fallback);
		assert_true(fb->fallback_bare);
		assert_int_equal(fb->profile, PROFILE_DESKTOP);
		assert_int_equal(fb->cooldown_ms, 5000);
		policy_free(fb);
	}
}

static void
test_config_load_perms_group_writable(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], want[PATH_MAX + 128];

	if (!need_root())
		skip();
	tpath(path, t, "x.conf");
	write_file(path, "[kill]\n", 7, 0664);
	snprintf(want, sizeof(want),
	    "%s: refusing file writable by group or "
	    "others (mode 0664)",
	    path);
	expect_errors_path(path, true, want, NULL);
}

static void
test_config_load_perms_other_writable(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], f[PATH_MAX], want[PATH_MAX + 128];

	if (!need_root())
		skip();
	tpath(path, t, "x.conf");
	write_file(path, "[kill]\n", 7, 0646);
	snprintf(want, sizeof(want),
	    "%s: refusing file writable by group or "
	    "others (mode 0646)",
	    path);
	expect_errors_path(path, true, want, NULL);

	/* A drop-in: the main file is fine, the drop-in is named. */
	assert_int_equal(chmod(path, 0600), 0);
	make_dir(tpath(f, t, "x.d"), 0700);
	write_file(tpath(f, t, "x.d/10-a.conf"), "[kill]\n", 7, 0646);
	snprintf(want, sizeof(want),
	    "%s: refusing file writable by group or "
	    "others (mode 0646)",
	    f);
	expect_errors_path(path, true, want, NULL);
}

static void
test_config_load_perms_exec(void **state)
{
	static const unsigned int bad[] = { 0720, 0770, 0730, 0702, 0777 };
	struct tmp *t = *state;
	char path[PATH_MAX], prog[PATH_MAX], text[PATH_MAX + 32];
	char want[2 * PATH_MAX + 128];
	struct policy *p;
	size_t i;

	if (!need_root())
		skip();
	tpath(path, t, "x.conf");
	tpath(prog, t, "on-kill");
	snprintf(text, sizeof(text), "[notify]\nexec = %s\n", prog);
	write_file(path, text, strlen(text), 0600);
	write_file(prog, "#!/bin/sh\n", 10, 0755);
	p = load_path_ok(path, true);
	assert_string_equal(p->notify_exec, prog);
	policy_free(p);
	/* It runs as root: whoever may write it must be root alone. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(chmod(prog, bad[i]), 0);
		snprintf(want, sizeof(want),
		    "%s:2: exec: %s: must be owned by root and not writable "
		    "by group or others (it runs as root)",
		    path, prog);
		expect_errors_path(path, true, want, NULL);
	}
	assert_int_equal(chmod(prog, 0755), 0);
	assert_int_equal(chown(prog, 65534, 0), 0);
	expect_errors_path(path, true, want, NULL);
	/* Not executable at all: refused for that first. */
	assert_int_equal(chown(prog, 0, 0), 0);
	assert_int_equal(chmod(prog, 0620), 0);
	snprintf(want, sizeof(want), "%s:2: exec: %s: not an executable file",
	    path, prog);
	expect_errors_path(path, true, want, NULL);
	assert_int_equal(chmod(prog, 0660), 0);
	expect_errors_path(path, true, want, NULL);
}

static void
test_config_load_perms_dropin_folder_writable(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], dir[PATH_MAX], f[PATH_MAX];
	char want[PATH_MAX + 128];

	if (!need_root())
		skip();
	tpath(path, t, "x.conf");
	write_text(path, "[kill]\ncooldown = 1s\n");
	make_dir(tpath(dir, t, "x.d"), 0777);
	write_text(tpath(f, t, "x.d/10-a.conf"), "[kill]\ncooldown = 2s\n");
	snprintf(want, sizeof(want),
	    "%s: refusing folder writable by group "
	    "or others (mode 0777)",
	    dir);
	expect_errors_path(path, true, want, NULL);

	/* Owned by someone else. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chown(dir, 65534, 0), 0);
	snprintf(want, sizeof(want),
	    "%s: refusing folder owned by uid 65534, "
	    "not root (it can name a program that runs as root)",
	    dir);
	expect_errors_path(path, true, want, NULL);
}

/* --- Garbage in --- */

/* Load the file at path: no crash, and rc and messages agree. */
static void
load_garbage(const char *path, bool want_error)
{
	struct config_diag d = { 0 };
	struct config_opts o;
	struct policy *p = NULL;
	size_t i, n = strlen(path);
	int rc;

	memset(&o, 0, sizeof(o));
	o.path = path;
	rc = config_load(&o, &p, &d);
	if (want_error) {
		assert_int_equal(rc, -EINVAL);
		assert_true(d.n > 0);
		assert_null(p);
	}
	if (rc == 0) {
		assert_int_equal(d.n, 0);
		assert_non_null(p);
		free(print_policy(p));
		policy_free(p);
	}
	for (i = 0; i < d.n; i++) {
		/* Every message names the file. */
		assert_int_equal(strncmp(d.msgs[i], path, n), 0);
		assert_true(d.msgs[i][n] == ':');
		assert_null(strchr(d.msgs[i], '\n'));
	}
	config_diag_free(&d);
}

static void
test_config_load_garbage_random(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], *buf;
	uint32_t seed = 0x5eed1234;
	size_t len, i;
	int round;

	tpath(path, t, "garbage.conf");
	buf = malloc(65536);
	assert_non_null(buf);
	for (round = 0; round < 200; round++) {
		len = 64 + next_random(&seed) % 8192;
		for (i = 0; i < len; i++)
			buf[i] = (char)(next_random(&seed) & 0xff);
		write_file(path, buf, len, 0600);
		load_garbage(path, true);
	}
	/* Random lines of config-like bytes: errors or not, no crash. */
	for (round = 0; round < 200; round++) {
		static const char alphabet[] =
		    "[]=;# \t\r\n%.:-_/\\()*"
		    "abcdeghiklmnoprstuvxyz0123456789KMGTs";

		len = 1 + next_random(&seed) % 4096;
		for (i = 0; i < len; i++)
			buf[i] = alphabet[next_random(&seed) %
			                  (sizeof(alphabet) - 1)];
		write_file(path, buf, len, 0600);
		load_garbage(path, false);
	}
	free(buf);
}

static void
test_config_load_garbage_all_bytes(void **state)
{
	struct tmp *t = *state;
	char path[PATH_MAX], w1[PATH_MAX + 64], w2[PATH_MAX + 64];
	unsigned char buf[256];
	int i;

	tpath(path, t, "bytes.conf");
	for (i = 0; i < 256; i++)
		buf[i] = (unsigned char)i;
	write_file(path, buf, sizeof(buf), 0600);
	snprintf(w1, sizeof(w1), "%s:1: NUL byte in line", path);
	snprintf(w2, sizeof(w2),
	    "%s:2: line too long (245 bytes; the limit "
	    "is 198)",
	    path);
	expect_errors_path(path, false, w1, w2, NULL);
	load_garbage(path, true);

	for (i = 0; i < 256; i++)
		buf[i] = (unsigned char)(255 - i);
	write_file(path, buf, sizeof(buf), 0600);
	snprintf(w1, sizeof(w1),
	    "%s:1: line too long (245 bytes; the limit "
	    "is 198)",
	    path);
	snprintf(w2, sizeof(w2), "%s:2: control character 0x08 in line", path);
	expect_errors_path(path, false, w1, w2, NULL);
}

static void
test_config_load_garbage_each_byte(void **state)
{
	struct tmp *t = *state;
	struct config_diag d = { 0 };
	struct config_opts o;
	struct policy *p;
	char path[PATH_MAX], buf[64], want[PATH_MAX + 8];
	size_t len;
	int b, rc;

	tpath(path, t, "byte.conf");
	snprintf(want, sizeof(want), "%s:2: ", path);
	memset(&o, 0, sizeof(o));
	o.path = path;
	/* Only "yes" in any case is right; every other byte is an error on
	 * line 2, whatever it does to the line. */
	for (b = 0; b < 256; b++) {
		len = (size_t)snprintf(buf, sizeof(buf),
		    "[general]\n"
		    "dry_run = y_s\n");
		buf[len - 3] = (char)b;
		write_file(path, buf, len, 0600);
		p = NULL;
		rc = config_load(&o, &p, &d);
		if (b == 'e' || b == 'E') {
			assert_int_equal(rc, 0);
			assert_true(p->dry_run);
			policy_free(p);
		} else {
			if (rc != -EINVAL || d.n == 0)
				fail_msg("byte 0x%02x accepted", b);
			assert_null(p);
			assert_int_equal(strncmp(d.msgs[0], want, strlen(want)),
			    0);
		}
		config_diag_free(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_parse_bool_words),
		cmocka_unit_test(test_config_parse_bool_invalid),
		cmocka_unit_test(test_config_parse_duration_ms_units),
		cmocka_unit_test(test_config_parse_duration_ms_invalid),
		cmocka_unit_test(test_config_parse_duration_ms_overflow),
		cmocka_unit_test(test_config_parse_amount_percent),
		cmocka_unit_test(test_config_parse_amount_sizes),
		cmocka_unit_test(test_config_parse_amount_invalid),
		cmocka_unit_test(test_config_parse_amount_range),
		cmocka_unit_test(test_config_parse_percent_centi_values),
		cmocka_unit_test(test_config_parse_percent_centi_invalid),
		cmocka_unit_test(test_policy_amount_kib_values),
		cmocka_unit_test(test_config_dropin_dir_names),
		cmocka_unit_test(test_config_key_index_lookup),

		cmocka_unit_test(test_config_load_key_table_valid),
		cmocka_unit_test(test_config_load_key_table_range),
		cmocka_unit_test(test_config_load_key_table_invalid),
		cmocka_unit_test(test_config_load_key_table_empty),

		cmocka_unit_test(test_config_load_defaults),
		cmocka_unit_test(test_config_load_psi_cutoff_boundaries),
		cmocka_unit_test(test_config_load_exec_timeout_boundaries),
		cmocka_unit_test(test_config_load_score_boundaries),
		cmocka_unit_test(test_config_load_duration_boundaries),
		cmocka_unit_test(test_config_load_amount_boundaries),
		cmocka_unit_test(test_config_load_percent_decimals),
		cmocka_unit_test(test_config_load_size_units),
		cmocka_unit_test(test_config_load_fill_rate),
		cmocka_unit_test(test_config_load_duration_units),
		cmocka_unit_test(test_config_load_bool_words),
		cmocka_unit_test(test_config_load_unit_aliases),
		cmocka_unit_test(test_config_print_unit_not_aliases),
		cmocka_unit_test(test_config_load_repeat_last_wins),
		cmocka_unit_test(test_config_load_rules_every_field),

		cmocka_unit_test(test_config_load_error_unknown_section),
		cmocka_unit_test(test_config_load_error_unknown_key),
		cmocka_unit_test(test_config_load_error_key_before_section),
		cmocka_unit_test(test_config_load_error_empty_value),
		cmocka_unit_test(test_config_load_error_malformed_value),
		cmocka_unit_test(test_config_load_error_out_of_range),
		cmocka_unit_test(test_config_load_error_bad_regex),
		cmocka_unit_test(test_config_load_error_mem_kill_above_term),
		cmocka_unit_test(test_config_load_error_swap_kill_above_term),
		cmocka_unit_test_setup_teardown(
		    test_config_load_error_kill_above_term_set_last, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test(
		    test_config_load_error_kill_above_term_mixed_units),
		cmocka_unit_test(test_config_load_error_relative_exec),
		cmocka_unit_test(test_config_load_error_exec_missing),
		cmocka_unit_test(test_config_load_error_unknown_user),
		cmocka_unit_test(test_config_load_warn_below_term),
		cmocka_unit_test(test_config_load_unknown_user_warns),
		cmocka_unit_test(test_config_load_error_size_above_machine),
		cmocka_unit_test(test_config_load_cgroup_rule_without_cgroup2),
		cmocka_unit_test(test_config_load_fallback),
		cmocka_unit_test(test_config_load_error_too_many_rules),
		cmocka_unit_test(test_config_load_error_unknown_profile),
		cmocka_unit_test(test_config_load_error_line_too_long),
		cmocka_unit_test_setup_teardown(test_config_load_error_nul_byte,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test(test_config_load_error_control_byte),
		cmocka_unit_test(test_config_load_error_missing_bracket),
		cmocka_unit_test(test_config_load_error_no_equals),
		cmocka_unit_test(test_config_load_error_missing_key_name),
		cmocka_unit_test(test_config_load_error_text_after_section),
		cmocka_unit_test_setup_teardown(
		    test_config_load_error_missing_file, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_config_load_error_folder,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_error_file_too_large, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test(test_config_load_error_many_in_line_order),

		cmocka_unit_test(test_config_load_crlf),
		cmocka_unit_test_setup_teardown(test_config_load_bom, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test(test_config_load_indented_lines),
		cmocka_unit_test(test_config_load_inline_comments),
		cmocka_unit_test(test_config_load_blanks_around_values),

		cmocka_unit_test_setup_teardown(test_config_load_dropin_order,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_dropin_ignored_names, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_dropin_error_names_file, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_dropin_not_folder, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_dropin_missing_folder, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_dropin_without_main_file, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_config_load_dropin_many,
		    tmp_setup, tmp_teardown),

		cmocka_unit_test(test_config_load_profile_last_line),
		cmocka_unit_test(test_config_load_profile_desktop_values),
		cmocka_unit_test(test_config_load_profile_server_values),
		cmocka_unit_test(test_config_load_profile_none_no_rules),
		cmocka_unit_test(test_config_load_profile_list_merge),
		cmocka_unit_test_setup_teardown(
		    test_config_load_profile_in_dropin, tmp_setup,
		    tmp_teardown),

		cmocka_unit_test(test_config_print_round_trip_none),
		cmocka_unit_test(test_config_print_round_trip_desktop),
		cmocka_unit_test(test_config_print_round_trip_server),
		cmocka_unit_test(test_config_print_round_trip_every_key),
		cmocka_unit_test(test_config_print_every_key_listed),
		cmocka_unit_test(test_config_print_long_rule),

		cmocka_unit_test(test_config_load_overrides_win),
		cmocka_unit_test(test_config_load_overrides_error),

		cmocka_unit_test_setup_teardown(test_config_load_perms_ok,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_perms_foreign_owner, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_perms_group_writable, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_perms_other_writable, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_perms_dropin_folder_writable, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_config_load_perms_exec,
		    tmp_setup, tmp_teardown),

		cmocka_unit_test_setup_teardown(test_config_load_garbage_random,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_garbage_all_bytes, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_load_garbage_each_byte, tmp_setup,
		    tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
