/* SPDX-License-Identifier: MIT */
/* config.c: the key table, the inih handler and the loader of bustd.conf. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sys.h"
#include "text.h"

static const char *const log_names[] = { "auto", "stderr", "syslog", NULL };
static const char *const psi_names[] = { "some_avg10", "some_avg60",
	"full_avg10", "full_avg60", "off", "some", "full", NULL };
static const char *const rank_names[] = { "oom_score", "rss", NULL };

#define OFF(field) offsetof(struct policy, field)
#define SEC(n) ((int64_t)(n)*1000)
#define PCT(n) ((int64_t)(n)*100)

/*
 * Every scalar key.  The order is the order of --print-config and of
 * bustd.conf(5); a test checks the man page against this table.
 */
const struct config_key config_keys[] = {
	{ "general", "profile", TYPE_ENUM, OFF(profile), 0, 0, profile_names,
	    "built-in profile applied first: desktop, server or none" },
	{ "general", "dry_run", TYPE_BOOL, OFF(dry_run), 0, 1, NULL,
	    "decide and log, but signal nothing" },
	{ "general", "log", TYPE_ENUM, OFF(log_mode), 0, 0, log_names,
	    "auto (stderr with -n, else syslog), stderr or syslog" },
	{ "general", "report_interval", TYPE_DURATION, OFF(report_interval_ms),
	    0, SEC(86400), NULL,
	    "seconds between memory report lines, 0 = off" },
	{ "general", "metrics_file", TYPE_PATH, OFF(metrics_file), 0, 0, NULL,
	    "Prometheus textfile, empty = off" },

	{ "thresholds", "mem_term", TYPE_AMOUNT, OFF(mem_term), 0, PCT(100),
	    NULL, "SIGTERM when MemAvailable is at or below this" },
	{ "thresholds", "mem_kill", TYPE_AMOUNT, OFF(mem_kill), 0, PCT(100),
	    NULL, "SIGKILL when MemAvailable is at or below this" },
	{ "thresholds", "swap_term", TYPE_AMOUNT, OFF(swap_term), 0, PCT(100),
	    NULL, "free swap must also be at or below this to act" },
	{ "thresholds", "swap_kill", TYPE_AMOUNT, OFF(swap_kill), 0, PCT(100),
	    NULL, "free swap condition for SIGKILL" },
	{ "thresholds", "psi_metric", TYPE_ENUM, OFF(psi_metric), 0, 0,
	    psi_names, "memory PSI figure to watch, or off" },
	{ "thresholds", "psi_cutoff", TYPE_PERCENT, OFF(psi_cutoff_centi), 0,
	    PCT(100), NULL, "percent of time stalled that counts as pressure" },
	{ "thresholds", "psi_duration", TYPE_DURATION, OFF(psi_duration_ms), 0,
	    SEC(600), NULL, "how long the cutoff must hold" },
	{ "thresholds", "psi_mem_gate", TYPE_AMOUNT, OFF(psi_mem_gate), 0,
	    PCT(100), NULL, "a PSI kill also needs MemAvailable at or below" },
	{ "thresholds", "psi_window", TYPE_DURATION, OFF(psi_window_ms), 100,
	    SEC(60), NULL,
	    "psi_metric some and full: the share stalled over this" },
	{ "thresholds", "thrash_cutoff", TYPE_PERCENT, OFF(thrash_cutoff_centi),
	    0, PCT(100), NULL,
	    "percent of the file cache read back per second; 0 = off" },
	{ "thresholds", "thrash_duration", TYPE_DURATION,
	    OFF(thrash_duration_ms), 0, SEC(600), NULL,
	    "how long the thrash cutoff must hold" },
	{ "thresholds", "thrash_mem_gate", TYPE_AMOUNT, OFF(thrash_mem_gate), 0,
	    PCT(100), NULL,
	    "a thrash kill also needs MemAvailable at or below" },
	{ "thresholds", "mem_warn", TYPE_AMOUNT, OFF(mem_warn), 0, PCT(100),
	    NULL, "warn when MemAvailable is at or below this; 0 = off" },
	{ "thresholds", "swap_warn", TYPE_AMOUNT, OFF(swap_warn), 0, PCT(100),
	    NULL, "and free swap at or below this" },
	{ "thresholds", "psi_warn", TYPE_PERCENT, OFF(psi_warn_centi), 0,
	    PCT(100), NULL, "warn at this PSI figure (below the gate); 0 = off" },
	{ "thresholds", "thrash_warn", TYPE_PERCENT, OFF(thrash_warn_centi), 0,
	    PCT(100), NULL, "warn at this refault rate (below the gate); 0 = off" },
	{ "thresholds", "fill_rate", TYPE_AMOUNT, OFF(fill_rate), 0, PCT(100),
	    NULL, "memory assumed to fill per second; 0 = 2G per CPU" },

	{ "kill", "unit", TYPE_ENUM, OFF(unit), 0, 0, unit_names,
	    "what dies with the victim: process, group, cgroup or auto" },
	{ "kill", "term_timeout", TYPE_DURATION, OFF(term_timeout_ms), 0,
	    SEC(600), NULL, "SIGTERM grace before SIGKILL" },
	{ "kill", "cooldown", TYPE_DURATION, OFF(cooldown_ms), 0, SEC(3600),
	    NULL, "after a victim is gone: PSI waits, mem_term waits for its memory" },
	{ "kill", "prefer_score", TYPE_INT, OFF(prefer_score), 0, 2000, NULL,
	    "added to the score of [prefer] matches" },
	{ "kill", "avoid_score", TYPE_INT, OFF(avoid_score), 0, 2000, NULL,
	    "subtracted from the score of [avoid] matches" },
	{ "kill", "rank_by", TYPE_ENUM, OFF(rank_by), 0, 0, rank_names,
	    "oom_score or rss" },

	{ "notify", "exec", TYPE_PATH, OFF(notify_exec), 0, 0, NULL,
	    "program run after each kill (absolute path), empty = off" },
	{ "notify", "exec_timeout", TYPE_DURATION, OFF(exec_timeout_ms), 100,
	    SEC(3600), NULL, "the program is killed after this" },
	{ "notify", "warn_interval", TYPE_DURATION, OFF(warn_interval_ms), 0,
	    SEC(86400), NULL, "no second warning within this" },
	{ "notify", "desktop", TYPE_BOOL, OFF(notify_desktop), 0, 1, NULL,
	    "notify the victim's owner on the desktop" },
};

const size_t config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

/* Origins of the values the profiles set, by enum profile. */
static const char profile_origins[][16] = { "defaults", "profile desktop",
	"profile server" };

static const char *const sections[] = { "general", "thresholds", "kill",
	"never-kill", "only-kill", "prefer", "avoid", "notify", NULL };

/* How a layer of configuration text is applied. */
enum layer {
	LAYER_FILE, /* admin's files and the command line: set */
	LAYER_FILL, /* profile and defaults: fill what is unset */
};

/*
 * State of one text being parsed: the policy it goes into, and the line
 * reader inih pulls lines from (ini_parse_stream()), which counts them:
 * a handler call is about the line the reader handed out last.
 */
struct parse_ctx {
	struct policy *p;
	struct config_diag *d;
	const char *file; /* name in messages; owned by p->files */
	enum layer layer;
	const char *builtin; /* "profile desktop", or NULL */
	bool strict_perms;
	bool no_cgroup2; /* cgroup rules can never match here */
	bool refused; /* a file was refused for its owner or mode */
	size_t rules_over; /* rule lines past CONFIG_RULES_MAX */
	/* The reader's. */
	const char *pos; /* the text still to read */
	const char *end;
	int cur_line; /* the line last handed to inih */
	int bad_lines; /* lines with NUL or control bytes so far */
	bool want_key; /* that line is neither blank, comment nor header */
	bool got_key; /* and inih called the handler for it */
	char shown_line[64]; /* that line as a message shows it */
};

/* --- Diagnostics --- */

/*
 * Text of the admin's file as shown in a message: control bytes and
 * bytes above ASCII (a stray byte order mark, say) as \xNN, the rest as
 * written, so that "\." reads "\.".  Truncated to size.
 */
static char *
shown(char *dst, size_t size, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c >= 0x7f) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		} else {
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
	return dst;
}

static void __attribute__((format(printf, 3, 0)))
diag_vadd(struct config_diag *d, bool warn, const char *fmt, va_list ap)
{
	char *m;

	/* Counted even if it cannot be kept: an error fails the load. */
	if (!warn)
		d->nerr++;
	if (vasprintf(&m, fmt, ap) < 0)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		char **nm = realloc(d->msgs, cap * sizeof(*nm));
		bool *nw;

		if (nm == NULL) {
			free(m);
			return;
		}
		d->msgs = nm;
		nw = realloc(d->warn, cap * sizeof(*nw));
		if (nw == NULL) {
			free(m);
			return;
		}
		d->warn = nw;
		d->cap = cap;
	}
	d->warn[d->n] = warn;
	d->msgs[d->n++] = m;
}

void
config_diag_add(struct config_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, false, fmt, ap);
	va_end(ap);
}

void
config_diag_warn(struct config_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, true, fmt, ap);
	va_end(ap);
}

void
config_diag_free(struct config_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	free(d->warn);
	memset(d, 0, sizeof(*d));
}

/* --- Value parsers --- */

static bool
streq_nocase(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

int
config_parse_bool(const char *s, bool *out)
{
	/* Arrays of chars, not of pointers: no relocation, no page of
	 * RELRO for them (bustd(8), "Footprint"). */
	static const char yes[][6] = { "yes", "true", "on", "1" };
	static const char no[][6] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (streq_nocase(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (streq_nocase(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * Parse a decimal number with at most `scale_digits` fractional digits
 * into an integer scaled by 10^scale_digits.  Sets *end past the number.
 */
static int
parse_fixed(const char *s, unsigned int scale_digits, uint64_t *out,
    const char **end)
{
	uint64_t v = 0;
	unsigned int frac = 0;
	bool any = false;

	while (isdigit((unsigned char)*s)) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s++ - '0');
		any = true;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (frac == scale_digits) {
				if (*s != '0')
					return -EINVAL;
				s++;
				continue;
			}
			if (v > (UINT64_MAX - 9) / 10)
				return -ERANGE;
			v = v * 10 + (uint64_t)(*s++ - '0');
			frac++;
			any = true;
		}
	}
	if (!any)
		return -EINVAL;
	for (; frac < scale_digits; frac++) {
		if (v > UINT64_MAX / 10)
			return -ERANGE;
		v *= 10;
	}
	*out = v;
	*end = s;
	return 0;
}

/*
 * A time span as systemd.time(7) writes one: values with units, one
 * after the other, blanks allowed ("1m30s", "2 min", "1h 30min",
 * "500ms"); units in any case.  A bare number is seconds.  The sum must
 * be whole milliseconds.
 */
int
config_parse_duration_ms(const char *s, uint32_t *out)
{
	static const struct {
		char unit[8];
		uint64_t ms;
	} units[] = { { "ms", 1 }, { "msec", 1 }, { "s", 1000 },
		{ "sec", 1000 }, { "second", 1000 }, { "seconds", 1000 },
		{ "m", 60000 }, { "min", 60000 }, { "minute", 60000 },
		{ "minutes", 60000 }, { "h", 3600000 }, { "hr", 3600000 },
		{ "hour", 3600000 }, { "hours", 3600000 }, { "d", 86400000 },
		{ "day", 86400000 }, { "days", 86400000 }, { "w", 604800000 },
		{ "week", 604800000 }, { "weeks", 604800000 } };
	uint64_t total = 0, v, ms;	/* in thousandths of a ms */
	const char *end, *u;
	size_t i, len;
	bool any = false;
	int r;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		r = parse_fixed(s, 3, &v, &end);
		if (r < 0)
			return r;
		for (u = end; *u == ' ' || *u == '\t'; u++)
			;
		for (len = 0; isalpha((unsigned char)u[len]); len++)
			;
		if (len == 0) {
			/* A bare number, alone: seconds. */
			if (any || *u != '\0')
				return -EINVAL;
			ms = 1000;
		} else {
			for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
				if (strlen(units[i].unit) == len &&
				    strncasecmp(u, units[i].unit, len) == 0)
					break;
			if (i == sizeof(units) / sizeof(units[0]))
				return -EINVAL;
			ms = units[i].ms;
		}
		if (v > (UINT64_MAX - total) / ms)
			return -ERANGE;
		total += v * ms;
		any = true;
		s = u + len;
	}
	if (!any || total % 1000 != 0)
		return -EINVAL;
	if (total / 1000 > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)(total / 1000);
	return 0;
}

int
config_parse_amount(const char *s, struct amount *out)
{
	static const struct {
		char unit;
		unsigned int shift;
	} units[] = { { 'K', 0 }, { 'M', 10 }, { 'G', 20 }, { 'T', 30 } };
	const char *end;
	uint64_t v;
	size_t i;
	int r;

	r = parse_fixed(s, 2, &v, &end);
	if (r < 0)
		return r;
	if (strcmp(end, "%") == 0) {
		if (v > 10000)
			return -ERANGE;
		out->is_pct = true;
		out->value = v;
		return 0;
	}
	/* A bare 0 is unambiguous; any other size needs a unit. */
	if (*end == '\0' && v == 0) {
		out->is_pct = false;
		out->value = 0;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (toupper((unsigned char)*end) != units[i].unit)
			continue;
		if (end[1] != '\0' && !streq_nocase(end + 1, "B") &&
		    !streq_nocase(end + 1, "iB"))
			return -EINVAL;
		if (v > (UINT64_MAX / 100) >> units[i].shift)
			return -ERANGE;
		/* v is in hundredths of the unit. */
		out->is_pct = false;
		out->value = (v << units[i].shift) / 100;
		return 0;
	}
	return -EINVAL;
}

int
config_parse_percent_centi(const char *s, uint32_t *out)
{
	const char *end;
	uint64_t v;
	int r;

	r = parse_fixed(s, 2, &v, &end);
	if (r < 0)
		return r;
	if (*end != '\0' && strcmp(end, "%") != 0)
		return -EINVAL;
	if (v > 10000)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0' || isspace((unsigned char)*s))
		return -EINVAL;
	*out = v;
	return 0;
}

static int
enum_index(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int
config_key_index(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* --- Formatting, shared by messages and --print-config --- */

static void
format_centi(char *buf, size_t size, uint64_t v)
{
	if (v % 100 == 0)
		snprintf(buf, size, "%llu", (unsigned long long)(v / 100));
	else if (v % 10 == 0)
		snprintf(buf, size, "%llu.%llu", (unsigned long long)(v / 100),
		    (unsigned long long)(v % 100 / 10));
	else
		snprintf(buf, size, "%llu.%02llu",
		    (unsigned long long)(v / 100),
		    (unsigned long long)(v % 100));
}

static void
format_amount(char *buf, size_t size, const struct amount *a)
{
	static const char units[] = "KMGT";
	uint64_t v = a->value;
	int u = 0;

	if (a->is_pct) {
		format_centi(buf, size, v);
		strncat(buf, "%", size - strlen(buf) - 1);
		return;
	}
	if (v == 0) {
		snprintf(buf, size, "0");
		return;
	}
	while (u < 3 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%llu%c", (unsigned long long)v, units[u]);
}

static void
format_duration(char *buf, size_t size, uint32_t ms)
{
	if (ms == 0)
		snprintf(buf, size, "0");
	else if (ms % 3600000 == 0)
		snprintf(buf, size, "%uh", ms / 3600000);
	else if (ms % 60000 == 0)
		snprintf(buf, size, "%um", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, size, "%us", ms / 1000);
	else
		snprintf(buf, size, "%ums", ms);
}

static void
format_value(char *buf, size_t size, const struct config_key *k,
    const struct policy *p)
{
	const char *base = (const char *)p + k->offset;
	const char *s;

	switch (k->type) {
	case TYPE_ENUM:
		snprintf(buf, size, "%s", k->names[*(const int *)base]);
		break;
	case TYPE_BOOL:
		snprintf(buf, size, "%s", *(const bool *)base ? "yes" : "no");
		break;
	case TYPE_DURATION:
		format_duration(buf, size, *(const uint32_t *)base);
		break;
	case TYPE_AMOUNT:
		format_amount(buf, size, (const struct amount *)base);
		break;
	case TYPE_PERCENT:
		format_centi(buf, size, *(const uint32_t *)base);
		break;
	case TYPE_INT:
		snprintf(buf, size, "%d", *(const int32_t *)base);
		break;
	case TYPE_PATH:
		s = *(char *const *)base;
		snprintf(buf, size, "%s", s ? s : "");
		break;
	}
}

/* --- The handler --- */

static const char *
type_hint(const struct config_key *k)
{
	switch (k->type) {
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
		break;
	}
	return "";
}

static void
range_text(char *buf, size_t size, const struct config_key *k)
{
	char lo[32], hi[32];
	struct amount a = { true, 0 };

	switch (k->type) {
	case TYPE_DURATION:
		format_duration(lo, sizeof(lo), (uint32_t)k->min);
		format_duration(hi, sizeof(hi), (uint32_t)k->max);
		break;
	case TYPE_AMOUNT:
		a.value = (uint64_t)k->min;
		format_amount(lo, sizeof(lo), &a);
		a.value = (uint64_t)k->max;
		format_amount(hi, sizeof(hi), &a);
		break;
	case TYPE_PERCENT:
		format_centi(lo, sizeof(lo), (uint64_t)k->min);
		format_centi(hi, sizeof(hi), (uint64_t)k->max);
		break;
	default:
		snprintf(lo, sizeof(lo), "%lld", (long long)k->min);
		snprintf(hi, sizeof(hi), "%lld", (long long)k->max);
		break;
	}
	snprintf(buf, size, "from %s to %s", lo, hi);
}

/* Where messages point: "FILE:LINE" or "profile NAME". */
static void
where(char *buf, size_t size, const struct parse_ctx *c, int line)
{
	if (c->builtin != NULL)
		snprintf(buf, size, "%s", c->builtin);
	else if (line > 0)
		snprintf(buf, size, "%s:%d", c->file, line);
	else
		snprintf(buf, size, "%s", c->file);
}

/* Check the program named by exec: absolute, and safe to run as root. */
static int
check_exec(struct parse_ctx *c, const char *at, const char *path)
{
	struct stat st;
	char esc[256];

	shown(esc, sizeof(esc), path, strlen(path));
	if (stat(path, &st) < 0) {
		config_diag_add(c->d, "%s: exec: %s: %s", at, esc,
		    strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
		config_diag_add(c->d, "%s: exec: %s: not an executable file",
		    at, esc);
		return -EINVAL;
	}
	if (c->strict_perms && (st.st_uid != 0 || (st.st_mode & 022))) {
		config_diag_add(c->d, "%s: exec: %s: must be owned by root and "
		    "not writable by group or others (it runs as root)",
		    at, esc);
		return -EINVAL;
	}
	return 0;
}

/*
 * "key =;x" gives the value ";x", but "key = ;x", as --print-config
 * writes it, reads as an empty value and a comment: such a value could
 * not be printed back, so it is refused.  Says so and returns true.
 */
static bool
comment_like(struct parse_ctx *c, const char *at, const char *name,
    const char *value)
{
	if (*value != ';')
		return false;
	config_diag_add(c->d, "%s: %s: a value cannot start with ';' "
	    "(after a space it starts a comment)", at, name);
	return true;
}

static void
set_scalar(struct parse_ctx *c, int idx, const char *value, int line)
{
	const struct config_key *k = &config_keys[idx];
	char *base = (char *)c->p + k->offset;
	char at[PATH_MAX + 32], esc[128], range[96];
	struct amount a;
	uint32_t u32;
	int64_t i64;
	bool b;
	int r = 0, e;
	char *dup;

	where(at, sizeof(at), c, line);
	shown(esc, sizeof(esc), value, strlen(value));
	/* Cleared below once the value is taken. */
	if (c->layer == LAYER_FILE)
		c->p->bad_mask |= UINT64_C(1) << idx;

	if (*value == '\0' && k->type != TYPE_PATH) {
		config_diag_add(c->d, "%s: %s: empty value (%s)", at,
		    k->name,
		    k->type == TYPE_ENUM ? "see bustd.conf(5)" : type_hint(k));
		return;
	}
	if (comment_like(c, at, k->name, value))
		return;

	switch (k->type) {
	case TYPE_ENUM:
		e = enum_index(k->names, value);
		if (e < 0) {
			char list[128] = "";
			size_t i;

			for (i = 0; k->names[i] != NULL; i++) {
				strncat(list, i ? ", " : "",
				    sizeof(list) - strlen(list) - 1);
				strncat(list, k->names[i],
				    sizeof(list) - strlen(list) - 1);
			}
			config_diag_add(c->d, "%s: %s: unknown value '%s' "
			    "(one of: %s)",
			    at, k->name, esc, list);
			return;
		}
		*(int *)base = e;
		break;
	case TYPE_BOOL:
		if (config_parse_bool(value, &b) < 0)
			goto bad;
		*(bool *)base = b;
		break;
	case TYPE_DURATION:
		r = config_parse_duration_ms(value, &u32);
		if (r == -EINVAL)
			goto bad;
		if (r < 0 || u32 < k->min || u32 > k->max)
			goto range;
		*(uint32_t *)base = u32;
		break;
	case TYPE_AMOUNT:
		r = config_parse_amount(value, &a);
		if (r == -EINVAL)
			goto bad;
		if (r < 0 || (a.is_pct && (int64_t)a.value > k->max))
			goto range;
		*(struct amount *)base = a;
		break;
	case TYPE_PERCENT:
		r = config_parse_percent_centi(value, &u32);
		if (r == -EINVAL)
			goto bad;
		if (r < 0 || u32 < k->min || u32 > k->max)
			goto range;
		*(uint32_t *)base = u32;
		break;
	case TYPE_INT:
		r = parse_int(value, &i64);
		if (r == -EINVAL)
			goto bad;
		if (r < 0 || i64 < k->min || i64 > k->max)
			goto range;
		*(int32_t *)base = (int32_t)i64;
		break;
	case TYPE_PATH:
		if (*value != '\0' && *value != '/') {
			config_diag_add(c->d, "%s: %s: '%s' is not an absolute "
			    "path",
			    at, k->name, esc);
			return;
		}
		if (*value != '\0' && strcmp(k->name, "exec") == 0 &&
		    check_exec(c, at, value) < 0)
			return;
		dup = NULL;
		if (*value != '\0' && (dup = strdup(value)) == NULL) {
			config_diag_add(c->d, "%s: out of memory", at);
			return;
		}
		free(*(char **)base);
		*(char **)base = dup;
		break;
	}
	c->p->set_mask |= UINT64_C(1) << idx;
	if (c->layer == LAYER_FILE)
		c->p->bad_mask &= ~(UINT64_C(1) << idx);
	c->p->origins[idx].file = c->builtin ? c->builtin : c->file;
	c->p->origins[idx].line = c->builtin ? 0 : line;
	return;

bad:
	config_diag_add(c->d, "%s: %s: bad value '%s' (%s)", at, k->name,
	    esc, type_hint(k));
	return;
range:
	range_text(range, sizeof(range), k);
	config_diag_add(c->d, "%s: %s: value '%s' out of range (%s)", at,
	    k->name, esc, range);
}

static void
add_rule(struct parse_ctx *c, enum rule_set set, const char *name,
    const char *value, int line)
{
	char at[PATH_MAX + 32], esc[256], err[256];
	int field = enum_index(field_names, name);
	bool unresolved = false;
	uid_t uid = 0;
	size_t before;
	int r;

	where(at, sizeof(at), c, line);
	shown(esc, sizeof(esc), value, strlen(value));
	if (field < 0) {
		shown(esc, sizeof(esc), name, strlen(name));
		config_diag_add(c->d, "%s: unknown key '%s' in [%s] (one of: "
		    "name, exe, cmdline, cgroup, user)",
		    at, esc, set_names[set]);
		return;
	}
	if (*value == '\0') {
		config_diag_add(c->d, "%s: %s: empty value", at, name);
		return;
	}
	if (comment_like(c, at, name, value))
		return;
	if (field == FIELD_USER) {
		int64_t n;

		if (parse_int(value, &n) == 0) {
			if (n < 0 || n >= UINT32_MAX) {
				config_diag_add(c->d, "%s: user: uid '%s' out "
				    "of range",
				    at, esc);
				return;
			}
			uid = (uid_t)n;
		} else {
			r = sys_user_uid(value, &uid);
			if (r == -ENOENT) {
				/* A package may add the user later: looked
				 * up again at each reload. */
				config_diag_warn(c->d, "%s: user: unknown user "
				    "'%s': the rule matches nobody until a "
				    "reload finds the user",
				    at, esc);
				unresolved = true;
				uid = (uid_t)-1;
			} else if (r < 0) {
				config_diag_add(c->d, "%s: user: cannot look "
				    "up '%s': %s", at, esc, strerror(-r));
				return;
			}
		}
	}
	if (field == FIELD_CGROUP && c->no_cgroup2 && c->builtin == NULL)
		config_diag_warn(c->d, "%s: cgroup: this host has no cgroup v2 "
		    "hierarchy (no \"0::\" line in /proc/self/cgroup): the "
		    "rule can never match", at);
	if (policy_rule_count(c->p) >= CONFIG_RULES_MAX) {
		/* Said once, with the count at the end of the load. */
		if (c->rules_over++ == 0)
			config_diag_add(c->d,
			    "%s: too many rules (the limit is %d in all, the "
			    "profile's included)",
			    at, CONFIG_RULES_MAX);
		return;
	}
	before = c->p->sets[set].n;
	r = policy_add_rule(c->p, set, (enum rule_field)field, value, uid, at,
	    c->layer == LAYER_FILL, err, sizeof(err));
	if (r == 0 && unresolved && c->p->sets[set].n > before)
		c->p->sets[set].rules[c->p->sets[set].n - 1].unresolved = true;
	if (r == -EINVAL)
		config_diag_add(c->d, "%s: %s: bad regular expression '%s': %s",
		    at, name, esc, err);
	else if (r < 0)
		config_diag_add(c->d, "%s: %s", at, err);
}

/*
 * [kill] process_group and cgroup, the keys of old: each line of them is
 * a line of unit.  yes sets unit to the key's own (group, cgroup); no
 * sets it to process if unit is that, or not set yet (so that no keeps
 * the profile from widening kills), and does nothing otherwise.  So the
 * line read last wins, as for every scalar key.  true if name is one.
 */
static bool
unit_alias(struct parse_ctx *c, const char *name, const char *value, int line)
{
	int idx = config_key_index("kill", "unit");
	enum kill_unit mine;
	char at[PATH_MAX + 32], esc[128];
	bool b;

	if (strcmp(name, "process_group") == 0)
		mine = UNIT_GROUP;
	else if (strcmp(name, "cgroup") == 0)
		mine = UNIT_CGROUP;
	else
		return false;
	if (config_parse_bool(value, &b) < 0) {
		where(at, sizeof(at), c, line);
		shown(esc, sizeof(esc), value, strlen(value));
		config_diag_add(c->d, "%s: %s: bad value '%s' (expected yes or "
		    "no)", at, name, esc);
		c->p->bad_mask |= UINT64_C(1) << idx;
		return true;
	}
	if (b)
		set_scalar(c, idx, unit_names[mine], line);
	else if (!(c->p->set_mask & (UINT64_C(1) << idx)) ||
	    c->p->unit == (int)mine)
		set_scalar(c, idx, unit_names[UNIT_PROCESS], line);
	return true;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	char at[PATH_MAX + 32], esc[128];
	int line = c->cur_line, idx, set;

	c->got_key = true;
	where(at, sizeof(at), c, line);
	shown(esc, sizeof(esc), name, strlen(name));

	if (*section == '\0') {
		config_diag_add(c->d, "%s: key '%s' before any [section]",
		    at, esc);
		return 1;
	}
	/* Unknown sections were reported once, at their header. */
	if (enum_index(sections, section) < 0)
		return 1;
	if (*name == '\0') {
		config_diag_add(c->d, "%s: missing key name before '='",
		    at);
		return 1;
	}

	set = enum_index(set_names, section);
	if (set >= 0) {
		add_rule(c, (enum rule_set)set, name, value, line);
		return 1;
	}
	if (strcmp(section, "kill") == 0 && c->layer == LAYER_FILE &&
	    unit_alias(c, name, value, line))
		return 1;
	idx = config_key_index(section, name);
	if (idx < 0) {
		config_diag_add(c->d, "%s: unknown key '%s' in [%s]", at,
		    esc, section);
		return 1;
	}
	if (c->layer == LAYER_FILL && (c->p->set_mask & (UINT64_C(1) << idx)))
		return 1;
	set_scalar(c, idx, value, line);
	return 1;
}

/* --- The line reader inih pulls from --- */

/* After this many lines with NUL or control bytes, a file is binary. */
#define CONFIG_BAD_LINES_MAX 3

static const char *
skip_blanks(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* The NUL or control byte that makes line unreadable, or -1. */
static int
bad_byte(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		/* Tabs, and the '\r' of a CRLF line end, are blanks. */
		if ((ch < 0x20 && ch != '\t' &&
		    !(ch == '\r' && i == len - 1)) || ch == 0x7f)
			return ch;
	}
	return -1;
}

/* Check a section header (line from '[', len bytes, blanks stripped). */
static bool
check_header(struct parse_ctx *c, const char *at, const char *line,
    size_t len)
{
	const char *close = NULL, *rest, *end = line + len, *q;
	char esc[128];

	/* As inih reads it: up to ']', unless a ';' after a blank, which
	 * starts a comment, comes first. */
	for (q = line + 1; q < end && close == NULL; q++) {
		if (*q == ']')
			close = q;
		else if (*q == ';' && (q[-1] == ' ' || q[-1] == '\t'))
			break;
	}
	if (close == NULL) {
		config_diag_add(c->d, "%s: missing ']' in section header", at);
		return false;
	}
	shown(esc, sizeof(esc), line + 1, (size_t)(close - line - 1));
	rest = skip_blanks(close + 1, line + len);
	if (rest < line + len && *rest != ';' && *rest != '#')
		config_diag_add(c->d, "%s: text after section header [%s]", at,
		    esc);
	if ((size_t)(close - line - 1) >= sizeof(esc) - 1 ||
	    enum_index(sections, esc) < 0)
		config_diag_add(c->d, "%s: unknown section [%s]", at, esc);
	return true;
}

/*
 * The reader given to ini_parse_stream(): hands inih one line of the text
 * per call, and counts them, so that a handler call knows its line.  It
 * keeps from inih what inih cannot report or would misread: lines too
 * long for it (it would split them), NUL and control bytes, binary data,
 * unterminated section headers; and it strips leading blanks, so that
 * inih never takes an indented line for the continuation of a value.
 * Lines that inih parses but calls no handler for ('key' without '=')
 * are reported when the next line is asked for.
 */
static char *
read_line(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	const char *line, *start;
	char at[PATH_MAX + 32];
	size_t len;
	int bad;

	if (c->want_key && !c->got_key) {
		where(at, sizeof(at), c, c->cur_line);
		config_diag_add(c->d, "%s: expected 'key = value', got '%s'",
		    at, c->shown_line);
	}
	c->want_key = c->got_key = false;
	line = text_line(&c->pos, c->end, &len);
	if (line == NULL)
		return NULL;
	c->cur_line++;
	where(at, sizeof(at), c, c->cur_line);
	/* A UTF-8 byte order mark may open the file. */
	if (c->cur_line == 1 && len >= 3 &&
	    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	str[0] = '\n';
	str[1] = '\0';
	/* inih's buffer takes the line, its newline and a NUL. */
	if (len > CONFIG_LINE_MAX || len + 2 > (size_t)num) {
		config_diag_add(c->d, "%s: line too long (%zu bytes; the limit "
		    "is %d)", at, len, CONFIG_LINE_MAX);
		return str;
	}
	bad = bad_byte(line, len);
	if (bad >= 0) {
		if (++c->bad_lines > CONFIG_BAD_LINES_MAX) {
			config_diag_add(c->d, "%s: binary data, not a config "
			    "file: not read further", at);
			return NULL;
		}
		if (bad == 0)
			config_diag_add(c->d, "%s: NUL byte in line", at);
		else
			config_diag_add(c->d, "%s: control character 0x%02x in "
			    "line", at, bad);
		return str;
	}
	/* The '\r' of a CRLF line end is no part of the line. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	start = skip_blanks(line, line + len);
	len -= (size_t)(start - line);
	if (len > 0 && *start == '[') {
		if (!check_header(c, at, start, len))
			return str;
	} else if (len > 0 && *start != ';' && *start != '#') {
		c->want_key = true;
		while (len > 0 && (start[len - 1] == ' ' ||
		    start[len - 1] == '\t'))
			len--;
		shown(c->shown_line, sizeof(c->shown_line), start, len);
	}
	memcpy(str, start, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/* Parse text as one layer into c->p. */
static void
parse_layer(struct parse_ctx *c, const char *text, size_t len)
{
	c->pos = text;
	c->end = text + len;
	c->cur_line = 0;
	c->bad_lines = 0;
	c->want_key = c->got_key = false;
	/* The reader reports every syntax error; inih's first-error line
	 * adds nothing. */
	(void)ini_parse_stream(read_line, c, handler, c);
}

/* --- Files --- */

static int
check_owner(const struct stat *st, const char *path, bool dir,
    struct config_diag *d)
{
	if (st->st_uid != 0) {
		config_diag_add(d,
		    "%s: refusing %s owned by uid %u, not root "
		    "(it can name a program that runs as root)",
		    path, dir ? "folder" : "file", (unsigned int)st->st_uid);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		config_diag_add(d,
		    "%s: refusing %s writable by group or "
		    "others (mode %04o)",
		    path, dir ? "folder" : "file",
		    (unsigned int)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* Read path whole into a new buffer.  Reports its own errors. */
static int
read_file(const char *path, bool strict, char **out, size_t *outlen,
    struct config_diag *d)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		config_diag_add(d, "%s: cannot open: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		config_diag_add(d, "%s: cannot stat: %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		config_diag_add(d, "%s: not a regular file", path);
		r = -EINVAL;
		goto out;
	}
	if (strict && (r = check_owner(&st, path, false, d)) < 0)
		goto out;
	if (st.st_size > CONFIG_FILE_MAX) {
		config_diag_add(d,
		    "%s: file too large (%lld bytes; the limit "
		    "is %d)",
		    path, (long long)st.st_size, CONFIG_FILE_MAX);
		r = -EFBIG;
		goto out;
	}
	buf = malloc(CONFIG_FILE_MAX + 1);
	if (buf == NULL) {
		r = -ENOMEM;
		config_diag_add(d, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		n = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			config_diag_add(d, "%s: cannot read: %s", path,
			    strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONFIG_FILE_MAX) {
			config_diag_add(d,
			    "%s: file too large (the limit is "
			    "%d bytes)",
			    path, CONFIG_FILE_MAX);
			r = -EFBIG;
			goto out;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

/*
 * Keep a copy of path in p->files, where origins point: the caller's path
 * may not outlive the policy.  Returns the copy, or NULL.
 */
static const char *
remember_file(struct policy *p, const char *path)
{
	char *dup;

	if (p->nfiles == POLICY_MAX_FILES || (dup = strdup(path)) == NULL)
		return NULL;
	p->files[p->nfiles++] = dup;
	return dup;
}

static void
load_file(struct parse_ctx *c, const char *path)
{
	const char *name;
	char *buf = NULL;
	size_t len = 0;

	name = remember_file(c->p, path);
	if (name == NULL) {
		config_diag_add(c->d, "%s: out of memory", path);
		return;
	}
	c->file = name;
	if (read_file(path, c->strict_perms, &buf, &len, c->d) == -EPERM)
		c->refused = true;
	if (buf == NULL)
		return;
	parse_layer(c, buf, len);
	free(buf);
}

char *
config_dropin_dir(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path);
	int w;

	if (n > 5 && strcmp(path + n - 5, ".conf") == 0)
		n -= 5;
	w = snprintf(buf, size, "%.*s.d", (int)n, path);
	if (w < 0 || (size_t)w >= size)
		return NULL;
	return buf;
}

static int
dropin_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 &&
	       strcmp(e->d_name + n - 5, ".conf") == 0;
}

static int
dropin_compare(const struct dirent **a, const struct dirent **b)
{
	/* Lexical by bytes, whatever the locale. */
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
load_dropins(struct parse_ctx *c, const char *path)
{
	char dir[PATH_MAX], file[PATH_MAX];
	struct dirent **list;
	struct stat st;
	size_t room;
	int n, i;

	if (config_dropin_dir(path, dir, sizeof(dir)) == NULL)
		return;
	if (stat(dir, &st) < 0) {
		if (errno != ENOENT)
			config_diag_add(c->d, "%s: %s", dir, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		config_diag_add(c->d, "%s: not a folder", dir);
		return;
	}
	if (c->strict_perms && check_owner(&st, dir, true, c->d) < 0) {
		c->refused = true;
		return;
	}
	n = scandir(dir, &list, dropin_filter, dropin_compare);
	if (n < 0) {
		config_diag_add(c->d, "%s: %s", dir, strerror(errno));
		return;
	}
	room = POLICY_MAX_FILES - c->p->nfiles;
	if ((size_t)n > room)
		config_diag_add(c->d,
		    "%s: too many drop-in files (%d; the "
		    "limit is %zu)",
		    dir, n, room);
	for (i = 0; i < n; i++) {
		if ((size_t)n <= room &&
		    snprintf(file, sizeof(file), "%s/%s", dir,
		        list[i]->d_name) < (int)sizeof(file))
			load_file(c, file);
		free(list[i]);
	}
	free(list);
}

/* --- Validation across keys --- */

static const char *
key_where(char *buf, size_t size, const struct policy *p, int idx)
{
	const struct origin *o = &p->origins[idx];

	if (o->line == 0)
		snprintf(buf, size, "%s", o->file ? o->file : "defaults");
	else
		snprintf(buf, size, "%s:%d", o->file, o->line);
	return buf;
}

/*
 * How late the files set the value of origin o: later files, then later
 * lines, rank higher; -1 for a value the files did not set.
 */
static int64_t
origin_rank(const struct policy *p, const struct origin *o)
{
	size_t i;

	if (o->line == 0)
		return -1;
	for (i = 0; i < p->nfiles; i++)
		if (p->files[i] == o->file)
			return (int64_t)i << 32 | (uint32_t)o->line;
	return -1;
}

static void
check_pair(const struct policy *p, const char *term_name, const char *kill_name,
    uint64_t total_kib, struct config_diag *d)
{
	int ti = config_key_index("thresholds", term_name);
	int ki = config_key_index("thresholds", kill_name);
	const struct amount *t =
	    (const void *)((const char *)p + config_keys[ti].offset);
	const struct amount *k =
	    (const void *)((const char *)p + config_keys[ki].offset);
	char at[PATH_MAX + 32], tv[32], kv[32];
	bool above;

	/* A bad value was reported already; its stand-in proves nothing. */
	if (p->bad_mask & ((UINT64_C(1) << ti) | (UINT64_C(1) << ki)))
		return;
	if (t->is_pct == k->is_pct)
		above = k->value > t->value;
	else if (total_kib > 0)
		above = policy_amount_kib(k, total_kib) >
		        policy_amount_kib(t, total_kib);
	else
		return;
	if (!above)
		return;
	/* Point at whichever of the two the files set last. */
	if (origin_rank(p, &p->origins[ti]) > origin_rank(p, &p->origins[ki]))
		key_where(at, sizeof(at), p, ti);
	else
		key_where(at, sizeof(at), p, ki);
	format_amount(tv, sizeof(tv), t);
	format_amount(kv, sizeof(kv), k);
	config_diag_add(d,
	    "%s: %s (%s) is above %s (%s): the kill level "
	    "must be at or below the term level",
	    at, kill_name, kv, term_name, tv);
}

/*
 * A warning level below its term level (0 is off): the kill always comes
 * first and the warning never.  Not fatal, the kills are as configured.
 */
static void
check_warn(const struct policy *p, const char *warn_name,
    const char *term_name, uint64_t total_kib, struct config_diag *d)
{
	int wi = config_key_index("thresholds", warn_name);
	int ti = config_key_index("thresholds", term_name);
	const struct amount *w =
	    (const void *)((const char *)p + config_keys[wi].offset);
	const struct amount *t =
	    (const void *)((const char *)p + config_keys[ti].offset);
	char at[PATH_MAX + 32], wv[32], tv[32];
	bool below;

	if (w->value == 0 ||
	    (p->bad_mask & ((UINT64_C(1) << wi) | (UINT64_C(1) << ti))))
		return;
	if (w->is_pct == t->is_pct)
		below = w->value < t->value;
	else if (total_kib > 0)
		below = policy_amount_kib(w, total_kib) <
		        policy_amount_kib(t, total_kib);
	else
		return;
	if (!below)
		return;
	if (origin_rank(p, &p->origins[wi]) > origin_rank(p, &p->origins[ti]))
		key_where(at, sizeof(at), p, wi);
	else
		key_where(at, sizeof(at), p, ti);
	format_amount(wv, sizeof(wv), w);
	format_amount(tv, sizeof(tv), t);
	config_diag_warn(d,
	    "%s: %s (%s) is below %s (%s): the kill comes first and the "
	    "warning never; set %s at or above %s, or 0 to turn it off",
	    at, warn_name, wv, term_name, tv, warn_name, term_name);
}

/*
 * A level given as a size that this machine cannot go below sensibly:
 * memory at or above MemTotal always holds, so every poll would kill; a
 * swap level above SwapTotal, where there is swap, always holds too.  A
 * policy written for a bigger machine must fail here, not kill.
 */
static void
check_size(const struct policy *p, const char *name, uint64_t total_kib,
    bool swap, struct config_diag *d)
{
	int i = config_key_index("thresholds", name);
	const struct amount *a =
	    (const void *)((const char *)p + config_keys[i].offset);
	char at[PATH_MAX + 32], v[32], t[LOG_SIZE_MAX];

	if (a->is_pct || total_kib == 0 || (p->bad_mask & (UINT64_C(1) << i)))
		return;
	if (swap ? a->value <= total_kib : a->value < total_kib)
		return;
	key_where(at, sizeof(at), p, i);
	format_amount(v, sizeof(v), a);
	log_size(t, sizeof(t), total_kib);
	config_diag_add(d, "%s: %s (%s) is %s this machine's %s (%s): it "
	    "would always hold, and bustd would kill at every poll",
	    at, name, v, swap ? "above" : "at or above",
	    swap ? "swap" : "memory", t);
}

static void
validate(const struct policy *p, const struct config_opts *o,
    struct config_diag *d)
{
	check_size(p, "mem_term", o->mem_total_kib, false, d);
	check_size(p, "mem_kill", o->mem_total_kib, false, d);
	check_size(p, "swap_term", o->swap_total_kib, true, d);
	check_size(p, "swap_kill", o->swap_total_kib, true, d);
	check_pair(p, "mem_term", "mem_kill", o->mem_total_kib, d);
	check_pair(p, "swap_term", "swap_kill", o->swap_total_kib, d);
	check_warn(p, "mem_warn", "mem_term", o->mem_total_kib, d);
	check_warn(p, "swap_warn", "swap_term", o->swap_total_kib, d);
}

/* Apply the command line, the profile and the defaults to c->p. */
static void
finish_layers(struct parse_ctx *c, const struct config_opts *o)
{
	const char *text;

	c->layer = LAYER_FILE;
	if (o->overrides != NULL) {
		c->builtin = "command line";
		parse_layer(c, o->overrides, strlen(o->overrides));
	}
	c->layer = LAYER_FILL;
	text = policy_profile_text((enum profile)c->p->profile);
	if (text != NULL) {
		c->builtin = profile_origins[c->p->profile];
		parse_layer(c, text, strlen(text));
	}
	c->builtin = "defaults";
	text = policy_defaults_text();
	parse_layer(c, text, strlen(text));
}

/* Copy the value of key k from src to dst (dst takes its own copy). */
static int
copy_value(struct policy *dst, const struct policy *src,
    const struct config_key *k)
{
	const char *from = (const char *)src + k->offset;
	char *to = (char *)dst + k->offset;
	char *dup;

	switch (k->type) {
	case TYPE_ENUM:
		memcpy(to, from, sizeof(int));
		break;
	case TYPE_BOOL:
		memcpy(to, from, sizeof(bool));
		break;
	case TYPE_DURATION:
	case TYPE_PERCENT:
		memcpy(to, from, sizeof(uint32_t));
		break;
	case TYPE_INT:
		memcpy(to, from, sizeof(int32_t));
		break;
	case TYPE_AMOUNT:
		memcpy(to, from, sizeof(struct amount));
		break;
	case TYPE_PATH:
		dup = NULL;
		if (*(char *const *)from != NULL &&
		    (dup = strdup(*(char *const *)from)) == NULL)
			return -ENOMEM;
		free(*(char **)to);
		*(char **)to = dup;
		break;
	}
	return 0;
}

/*
 * The policy to run on when the files have errors (config_load()): a
 * machine must not go without an OOM killer for a typo.  failed is what
 * the files gave: every value and rule of theirs that was valid carries
 * over (dry_run = yes stays a dry run), unless a file was refused for its
 * owner or mode; the rest comes from the profile the files named, or
 * desktop.  If the files' levels are what fails (above the machine, kill
 * above term), the profile's levels stand instead.
 */
static struct policy *
fallback(const struct parse_ctx *failed, const struct config_opts *o,
    bool own_levels)
{
	static const char levels[][10] = { "mem_term", "mem_kill",
		"swap_term", "swap_kill" };
	int idx = config_key_index("general", "profile");
	const struct policy *fp = failed->p;
	struct config_diag d = { 0 };
	struct parse_ctx c;
	char err[256];
	size_t i, j;
	int s;

	memset(&c, 0, sizeof(c));
	c.p = policy_new();
	if (c.p == NULL)
		return NULL;
	c.d = &d;
	c.p->profile = PROFILE_DESKTOP;
	c.p->set_mask |= UINT64_C(1) << idx;
	c.p->origins[idx].file = "fallback";
	/* Its own copies of the file names, where origins point. */
	for (i = 0; i < fp->nfiles; i++)
		if (remember_file(c.p, fp->files[i]) == NULL)
			goto fail;
	for (i = 0; i < config_nkeys && !failed->refused; i++) {
		bool level = false;

		/* Only what the files set, and set well. */
		if (origin_rank(fp, &fp->origins[i]) < 0 ||
		    (fp->bad_mask & (UINT64_C(1) << i)))
			continue;
		for (j = 0; j < sizeof(levels) / sizeof(levels[0]); j++)
			if (strcmp(config_keys[i].section, "thresholds") == 0 &&
			    strcmp(config_keys[i].name, levels[j]) == 0)
				level = true;
		if (level && !own_levels)
			continue;
		if (copy_value(c.p, fp, &config_keys[i]) < 0)
			goto fail;
		c.p->set_mask |= UINT64_C(1) << i;
		c.p->origins[i].line = fp->origins[i].line;
		for (j = 0; j < fp->nfiles; j++)
			if (fp->origins[i].file == fp->files[j])
				c.p->origins[i].file = c.p->files[j];
	}
	for (s = 0; s < SET_COUNT && !failed->refused; s++) {
		const struct rule_list *l = &fp->sets[s];

		for (i = 0; i < l->n; i++) {
			const struct rule *r = &l->rules[i];

			if (r->builtin ||
			    policy_add_rule(c.p, (enum rule_set)s, r->field,
			    r->text, r->uid, r->origin, false, err,
			    sizeof(err)) < 0)
				continue;
			c.p->sets[s].rules[c.p->sets[s].n - 1].unresolved =
			    r->unresolved;
		}
	}
	finish_layers(&c, o);
	validate(c.p, o, &d);
	if (d.nerr > 0)
		goto fail;
	config_diag_free(&d);
	c.p->fallback = true;
	c.p->fallback_bare = failed->refused;
	return c.p;
fail:
	config_diag_free(&d);
	policy_free(c.p);
	/* The files' levels are what failed: the profile's instead. */
	return own_levels ? fallback(failed, o, false) : NULL;
}

int
config_load(const struct config_opts *o, struct policy **out,
    struct config_diag *d)
{
	struct parse_ctx c;
	size_t before = d->nerr;

	memset(&c, 0, sizeof(c));
	c.p = policy_new();
	if (c.p == NULL) {
		config_diag_add(d, "%s: out of memory", o->path);
		return -EINVAL;
	}
	c.d = d;
	c.strict_perms = o->strict_perms;
	c.no_cgroup2 = o->no_cgroup2;
	c.layer = LAYER_FILE;

	if (o->text != NULL) {
		c.file = remember_file(c.p, o->path);
		if (c.file == NULL) {
			/* The load fails: no origin outlives o->path. */
			config_diag_add(d, "%s: out of memory", o->path);
			c.file = o->path;
		}
		parse_layer(&c, o->text,
		    o->text_len ? o->text_len : strlen(o->text));
	} else {
		load_file(&c, o->path);
		load_dropins(&c, o->path);
	}
	finish_layers(&c, o);
	if (c.rules_over > 1)
		config_diag_add(d,
		    "%s: %zu rule lines in all past the limit of %d", o->path,
		    c.rules_over, CONFIG_RULES_MAX);
	validate(c.p, o, d);
	if (d->nerr > before) {
		if (o->fallback)
			*out = fallback(&c, o, true);
		policy_free(c.p);
		return -EINVAL;
	}
	*out = c.p;
	return 0;
}

/* --- --print-config --- */

static void
print_line(FILE *f, const char *key, const char *value)
{
	/* Keep every line readable back within the line limit. */
	if (strlen(key) + strlen(value) + 3 > CONFIG_LINE_MAX)
		fprintf(f, "%s=%s\n", key, value);
	else if (*value == '\0')
		fprintf(f, "%s =\n", key);
	else
		fprintf(f, "%s = %s\n", key, value);
}

void
config_print(FILE *f, const struct policy *p)
{
	const char *section = "";
	char value[PATH_MAX + 64];
	size_t i, j;
	int s;

	for (i = 0; sections[i] != NULL; i++) {
		fprintf(f, "%s[%s]\n", i ? "\n" : "", sections[i]);
		section = sections[i];
		for (j = 0; j < config_nkeys; j++) {
			if (strcmp(config_keys[j].section, section) != 0)
				continue;
			format_value(value, sizeof(value), &config_keys[j], p);
			print_line(f, config_keys[j].name, value);
		}
		s = enum_index(set_names, section);
		if (s < 0)
			continue;
		for (j = 0; j < p->sets[s].n; j++) {
			const struct rule *r = &p->sets[s].rules[j];

			print_line(f, field_names[r->field], r->text);
		}
	}
}
