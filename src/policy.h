/* SPDX-License-Identifier: MIT */
/* policy.h: the effective policy bustd runs with, profiles and defaults. */
#ifndef BUSTD_POLICY_H
#define BUSTD_POLICY_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum profile {
	PROFILE_NONE,
	PROFILE_DESKTOP,
	PROFILE_SERVER,
};

enum log_mode {
	LOG_MODE_AUTO,
	LOG_MODE_STDERR,
	LOG_MODE_SYSLOG,
};

enum psi_metric {
	PSI_SOME_AVG10,
	PSI_SOME_AVG60,
	PSI_FULL_AVG10,
	PSI_FULL_AVG60,
	PSI_OFF,
	PSI_SOME, /* share stalled over psi_window, from the totals */
	PSI_FULL,
};

enum rank_by {
	RANK_OOM_SCORE,
	RANK_RSS,
};

/* What a kill takes with the victim ([kill] unit). */
enum kill_unit {
	UNIT_PROCESS,	/* the victim alone */
	UNIT_GROUP,	/* its process group, if that is safe */
	UNIT_CGROUP,	/* its cgroup v2, if that is safe */
	UNIT_AUTO,	/* its application's cgroup, or its group, or it */
};

/* The four rule sections. */
enum rule_set {
	SET_NEVER_KILL,
	SET_ONLY_KILL,
	SET_PREFER,
	SET_AVOID,
	SET_COUNT,
};

/* What a rule looks at. */
enum rule_field {
	FIELD_NAME, /* comm, at most 15 bytes, chosen by the process */
	FIELD_EXE, /* target of /proc/PID/exe */
	FIELD_CMDLINE, /* argv joined by spaces */
	FIELD_CGROUP, /* cgroup v2 path */
	FIELD_USER, /* real uid */
	FIELD_COUNT,
};

/* A threshold: a share of the total, or an absolute size. */
struct amount {
	bool is_pct;
	uint64_t value; /* hundredths of a percent, or KiB */
};

/*
 * A regular expression that stands for a finite set of strings, each
 * maybe anchored: "^(/usr)?/s?bin/init$" is four exact paths.  Matched
 * with memcmp and memmem instead of regexec(): faster, and without the
 * state cache glibc's regexec() grows, tens of KiB per expression.
 */
struct literal_set {
	size_t n;
	struct literal {
		unsigned char anchors;	/* LITERAL_START | LITERAL_END */
		size_t len;
		const char *s;
	} *v;
};

#define LITERAL_START 1
#define LITERAL_END 2

struct rule {
	enum rule_field field;
	char *text; /* the value as written */
	struct literal_set *lits; /* if the text is a finite set, else NULL */
	regex_t re; /* compiled text, unless lits or FIELD_USER */
	uid_t uid; /* FIELD_USER */
	char *origin; /* "FILE:LINE" or "profile NAME" */
	bool builtin; /* from a profile */
	bool unresolved; /* FIELD_USER: no such user at load; matches nobody */
};

struct rule_list {
	struct rule *rules;
	size_t n;
	size_t cap;
	unsigned int fields; /* bit (1 << field) for each field in use */
};

/* Where a scalar value came from, for error messages. */
struct origin {
	const char *file; /* points into policy->files, or NULL */
	int line;
};

#define POLICY_MAX_FILES 64

struct policy {
	/* [general] */
	int profile; /* enum profile */
	bool dry_run;
	int log_mode; /* enum log_mode */
	uint32_t report_interval_ms;
	char *metrics_file; /* NULL: off */

	/* [thresholds] */
	struct amount mem_term;
	struct amount mem_kill;
	struct amount swap_term;
	struct amount swap_kill;
	int psi_metric; /* enum psi_metric */
	uint32_t psi_cutoff_centi; /* hundredths of a percent */
	uint32_t psi_duration_ms;
	struct amount psi_mem_gate;
	uint32_t psi_window_ms;
	uint32_t thrash_cutoff_centi; /* % of the file cache refaulted per
	                                 second, in hundredths; 0: off */
	uint32_t thrash_duration_ms;
	struct amount thrash_mem_gate;
	struct amount mem_warn; /* 0: no warning on memory */
	struct amount swap_warn;
	uint32_t psi_warn_centi; /* 0: none on PSI */
	uint32_t thrash_warn_centi; /* 0: none on refaults */
	struct amount fill_rate; /* per second; 0: 2 GiB/s per CPU */

	/* [kill] */
	int unit; /* enum kill_unit; process_group, cgroup: aliases */
	uint32_t term_timeout_ms;
	uint32_t cooldown_ms;
	int32_t prefer_score;
	int32_t avoid_score;
	int rank_by; /* enum rank_by */

	/* [never-kill] [only-kill] [prefer] [avoid] */
	struct rule_list sets[SET_COUNT];

	/* [notify] */
	char *notify_exec; /* NULL: off */
	uint32_t exec_timeout_ms;
	bool notify_desktop;
	uint32_t warn_interval_ms;

	/* Bookkeeping filled by the loader. */
	uint64_t set_mask; /* bit per key table index: value set */
	uint64_t bad_mask; /* bit per key: a bad value was given */
	struct origin origins[64]; /* per key table index */
	char *files[POLICY_MAX_FILES]; /* files read, main file first */
	size_t nfiles;
	/* The files had errors: this is the fallback config_load() built
	 * (a profile and the rules that were valid). */
	bool fallback;
	bool fallback_bare; /* ... with nothing of the files: one was
	                        refused for its owner or mode */
};

/* A zeroed policy with every key unset.  Free with policy_free(). */
struct policy *policy_new(void);
void policy_free(struct policy *p);

/*
 * Add a rule to set, compiling text for its field.  Duplicates of a rule
 * already in the set are dropped (return 0).  at_front puts it before the
 * rules of the files (profile rules).  On a bad regex, returns -EINVAL and
 * writes regerror()'s text to err.  Takes its own copies of the strings.
 */
int policy_add_rule(struct policy *p, enum rule_set set, enum rule_field field,
    const char *text, uid_t uid, const char *origin, bool at_front, char *err,
    size_t errsize);

/*
 * Refuse a regular expression that regcomp() would blow up: stacked or
 * large repeats (memory doubles with each): -E2BIG; stacked repeats
 * ("a**", undefined in POSIX): -ENOTSUP; a '+' or {n,m} on something that
 * can match "" (time multiplies with each): -ELOOP;
 * or that regexec() could take exponential time on (back-references):
 * -EINVAL.  0 if none of these.
 */
int policy_regex_check(const char *re);

/*
 * The finite set of strings ERE re stands for, if it is one (literals,
 * groups, '|', '?', '^' and '$' only, at most 32 strings); NULL if not,
 * and then regcomp() decides.  Free with free().
 */
struct literal_set *policy_literals(const char *re);

/* How many rules p holds, in all four sets. */
size_t policy_rule_count(const struct policy *p);

/* Does text match the set? */
bool policy_literals_match(const struct literal_set *ls, const char *text);

/* The text of profile prof in config syntax, or NULL for PROFILE_NONE. */
const char *policy_profile_text(enum profile prof);
/* Built-in defaults in config syntax: they fill what is still unset. */
const char *policy_defaults_text(void);

/*
 * Resolve amount a against total_kib.  Returns KiB.
 */
uint64_t policy_amount_kib(const struct amount *a, uint64_t total_kib);

extern const char *const profile_names[]; /* by enum profile */
extern const char *const unit_names[]; /* by enum kill_unit */
extern const char *const set_names[]; /* section names */
extern const char *const field_names[]; /* key names in sets */

#endif
