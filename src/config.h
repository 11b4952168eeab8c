/* SPDX-License-Identifier: MIT */
/* config.h: reading bustd.conf and its drop-ins into a struct policy. */
#ifndef BUSTD_CONFIG_H
#define BUSTD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"

/*
 * Debian's libinih reads at most 200 bytes a line, end of line and NUL
 * included: longer lines are split without a word.  bustd refuses them.
 */
#define CONFIG_LINE_MAX 198

/* The longest file bustd reads. */
#define CONFIG_FILE_MAX (1024 * 1024)

/*
 * The most rules a policy may hold, the profile's included: each is
 * compiled, kept and locked in RAM, and tried on processes at every
 * scan (bustd.conf(5) has the measured cost).
 */
#define CONFIG_RULES_MAX 1024

/*
 * Messages collected by a load, "FILE:LINE: message" each: errors, which
 * make the load fail, and warnings (warn[i]), which do not.
 */
struct config_diag {
	char **msgs;
	bool *warn;
	size_t n;
	size_t cap;
	size_t nerr; /* errors among them */
};

void config_diag_add(struct config_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void config_diag_warn(struct config_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void config_diag_free(struct config_diag *d);

struct config_opts {
	const char *path; /* main file; drop-ins from its .d folder */
	const char *text; /* if set, the main file's contents (tests,
	                     fuzzing): path only names it, no drop-ins */
	size_t text_len; /* bytes of text (may hold NULs); 0: strlen */
	const char *overrides; /* config text from the command line */
	bool strict_perms; /* refuse files root does not own, or that
	                      group or others can write */
	uint64_t mem_total_kib; /* the machine's memory and swap: sizes */
	uint64_t swap_total_kib; /* are checked against them; 0: not */
	bool no_cgroup2; /* no cgroup v2 here: cgroup rules never match */
	bool fallback; /* on errors, return a fallback policy too */
};

/*
 * Read the main file, then FILE.d/ *.conf in lexical order, then apply
 * overrides, the profile and the defaults, and validate.  On success
 * returns 0 and a new policy in *out (the caller frees it); d may hold
 * warnings.  Otherwise returns -EINVAL, and d holds every error found;
 * *out is left alone, unless o->fallback: then it is the policy to run
 * on until the files are fixed (policy->fallback): the profile the main
 * file names (desktop if it names none that is valid) and every rule of
 * the files that was valid, or no rule of theirs if a file was refused
 * for its owner or mode; the command line's overrides apply.
 */
int config_load(const struct config_opts *o, struct policy **out,
    struct config_diag *d);

/*
 * The drop-in folder of path: "/etc/bustd.conf" -> "/etc/bustd.d".
 * Writes into buf; returns buf, or NULL if it does not fit.
 */
char *config_dropin_dir(const char *path, char *buf, size_t size);

/* Write p in config syntax, every key; the output reads back the same. */
void config_print(FILE *f, const struct policy *p);

/* Value parsers, exposed for the command line and the tests. */
int config_parse_bool(const char *s, bool *out);
int config_parse_duration_ms(const char *s, uint32_t *out);
int config_parse_amount(const char *s, struct amount *out);
int config_parse_percent_centi(const char *s, uint32_t *out);

/* The key table, for the tests and the documentation check. */
enum config_type {
	TYPE_ENUM,
	TYPE_BOOL,
	TYPE_DURATION,
	TYPE_AMOUNT,
	TYPE_PERCENT,
	TYPE_INT,
	TYPE_PATH,
};

struct config_key {
	const char *section;
	const char *name;
	enum config_type type;
	size_t offset;
	int64_t min; /* ms, hundredths of %, or plain */
	int64_t max;
	const char *const *names; /* TYPE_ENUM */
	const char *help;
};

extern const struct config_key config_keys[];
extern const size_t config_nkeys;

/* Index of section.name in config_keys, or -1. */
int config_key_index(const char *section, const char *name);

#endif
