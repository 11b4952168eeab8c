/* SPDX-License-Identifier: MIT */
/* test_policy.c: unit tests of the rule matchers and the regex guard. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* Patterns a finite set stands for, and what they must match. */
static const char *const finite_res[] = {
	"^(/usr)?/s?bin/init$",
	"^(/usr)?/lib/systemd/systemd(-journald|-logind)?$",
	"^/usr/bin/dbus-(daemon|broker|broker-launch)$",
	"^/usr/bin/X(org)?$",
	"(^| )--type=(renderer|utility)( |$)",
	"(^| )-contentproc( |$)",
	"^(Web Content|Isolated Web Co|WebExtensions)$",
	"^/usr/sbin/sshd$",
	"sshd",
	"^foo",
	"bar$",
	"^$",
	"^",
	"a|b|",
	"^/user\\.slice/",
	"x(y(z)?)?w",
	"()",
	"a\\|b",
};

/* Patterns that are not finite sets (or that the set does not cover). */
static const char *const infinite_res[] = {
	"^/usr/lib/postgresql/[0-9.]+/bin/postgres$",
	"a*",
	"a+",
	"a{2}",
	".",
	"[ab]",
	"\\w",
	"a^b",
	"(a|b)(c|d)(e|f)(g|h)(i|j)(k|l)(m|n)",
};

static const char *const texts[] = {
	"", "/sbin/init", "/usr/sbin/init", "/bin/init", "/usr/bin/init",
	"/sbin/init2", "x/sbin/init", "/lib/systemd/systemd",
	"/usr/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-udevd",
	"/usr/bin/dbus-broker-launch", "/usr/bin/dbus-brokerX", "/usr/bin/X",
	"/usr/bin/Xorg", "/usr/bin/Xor", "chrome --type=renderer --x",
	"chrome --type=renderer", "--type=utility", "x--type=renderer",
	"firefox -contentproc 12", "Web Content", "Web Content2",
	"/usr/sbin/sshd", "/usr/sbin/sshd -D", "sshd", "foo", "xfoo", "bar",
	"barx", "a", "b", "c", "/user.slice/x", "/userXslice/x", "xw", "xyw",
	"xyzw", "xzw", "a|b", "line\nbreak sshd",
};

static void
test_policy_literals_same_as_regexec(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(finite_res) / sizeof(finite_res[0]); i++) {
		struct literal_set *ls;
		regex_t re;

		assert_int_equal(regcomp(&re, finite_res[i], REG_EXTENDED | REG_NOSUB),
		    0);
		ls = policy_literals(finite_res[i]);
		if (ls == NULL)
			fail_msg("'%s' should be a finite set", finite_res[i]);
		for (j = 0; j < sizeof(texts) / sizeof(texts[0]); j++) {
			bool want = regexec(&re, texts[j], 0, NULL, 0) == 0;

			if (policy_literals_match(ls, texts[j]) != want)
				fail_msg("'%s' on '%s': regexec %d, set %d",
				    finite_res[i], texts[j], want, !want);
		}
		free(ls);
		regfree(&re);
	}
}

static void
test_policy_literals_not_finite(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(infinite_res) / sizeof(infinite_res[0]); i++) {
		struct literal_set *ls = policy_literals(infinite_res[i]);

		if (ls != NULL)
			fail_msg("'%s' is not a finite set of at most 64",
			    infinite_res[i]);
	}
}

static void
test_policy_literals_sizes(void **state)
{
	struct literal_set *ls;

	(void)state;
	ls = policy_literals("^(/usr)?/s?bin/init$");
	assert_non_null(ls);
	assert_int_equal(ls->n, 4);
	assert_int_equal(ls->v[0].anchors, LITERAL_START | LITERAL_END);
	assert_string_equal(ls->v[0].s, "/usr/sbin/init");
	free(ls);
	ls = policy_literals("(^| )x( |$)");
	assert_non_null(ls);
	assert_int_equal(ls->n, 4);
	free(ls);
}

static void
test_policy_regex_check_limits(void **state)
{
	char many[64];
	int i;

	(void)state;
	assert_int_equal(policy_regex_check("^/usr/sbin/sshd$"), 0);
	assert_int_equal(policy_regex_check("^/usr/lib/postgresql/[0-9.]+/"
	    "bin/postgres$"), 0);
	assert_int_equal(policy_regex_check("[0-9]{1,5}"), 0);
	assert_int_equal(policy_regex_check("(ab){1,20}"), 0);
	/* Each '+' doubles what glibc builds: 12 nested are 4096 units. */
	memset(many, '(', 12);
	many[12] = 'a';
	for (i = 0; i < 12; i++)
		memcpy(many + 13 + 2 * i, ")+", 2);
	many[13 + 2 * 12] = '\0';
	assert_int_equal(policy_regex_check(many), 0);
	memmove(many + 1, many, strlen(many) + 1);
	memcpy(many + strlen(many), ")+", 3);
	assert_int_equal(policy_regex_check(many), -E2BIG);
	assert_int_equal(policy_regex_check("(a{1,255}){1,255}"), -E2BIG);
	assert_int_equal(policy_regex_check("((a{1,20}){1,20}){1,20}"), -E2BIG);
	/* Back-references make matching exponential. */
	assert_int_equal(policy_regex_check("(a*)*\\1"), -EINVAL);
	/* Brackets are one atom, whatever they hold. */
	assert_int_equal(policy_regex_check("[]+*{(]"), 0);
	assert_int_equal(policy_regex_check("[[:alpha:]]+"), 0);
	/* Stacked repeats (undefined in POSIX) and a '+' or a bound above
	 * one on what can match "": regcomp's time multiplies with each (a
	 * fuzzer's 70 bytes took 7 s, 20 bytes minutes). */
	assert_int_equal(policy_regex_check("$ * *****+++++++**** +"),
	    -ENOTSUP);
	assert_int_equal(policy_regex_check("a**"), -ENOTSUP);
	assert_int_equal(policy_regex_check("a*+"), -ENOTSUP);
	assert_int_equal(policy_regex_check("a+?"), -ENOTSUP);
	assert_int_equal(policy_regex_check("a{2}{3}"), -ENOTSUP);
	assert_int_equal(policy_regex_check("a?{2}"), -ENOTSUP);
	assert_int_equal(policy_regex_check("(a?){2}"), -ELOOP);
	assert_int_equal(policy_regex_check("(a{0,3})+"), -ELOOP);
	assert_int_equal(policy_regex_check("(a|)+"), -ELOOP);
	assert_int_equal(policy_regex_check("(b|a*)+"), -ELOOP);
	assert_int_equal(policy_regex_check("(a*b*)+"), -ELOOP);
	assert_int_equal(policy_regex_check("(^|/)+"), -ELOOP);
	assert_int_equal(policy_regex_check("x((a*)*)+"), -ELOOP);
	/* ... but what must match something may repeat, anything may be
	 * made optional, and an escaped or bracketed '*' is a character. */
	assert_int_equal(policy_regex_check("(a+)*"), 0);
	assert_int_equal(policy_regex_check("((a*)*)*"), 0);
	assert_int_equal(policy_regex_check("(a?){1}"), 0);
	assert_int_equal(policy_regex_check("(a{1,3})+"), 0);
	assert_int_equal(policy_regex_check("(a*b)+"), 0);
	assert_int_equal(policy_regex_check("((a*)b)+"), 0);
	assert_int_equal(policy_regex_check("(a|b)+"), 0);
	assert_int_equal(policy_regex_check("(a()b)+"), 0);
	assert_int_equal(policy_regex_check("(^|/)x(/|$)"), 0);
	assert_int_equal(policy_regex_check("\\*+"), 0);
	assert_int_equal(policy_regex_check("\\\\*+"), -ENOTSUP);
	assert_int_equal(policy_regex_check("[*]+"), 0);
}

static void
test_policy_add_rule_refuses(void **state)
{
	struct policy *p = policy_new();
	char err[256];

	(void)state;
	assert_int_equal(policy_add_rule(p, SET_AVOID, FIELD_NAME,
	    "(a{1,255}){1,255}", 0, "t", false, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too complex"));
	assert_int_equal(policy_add_rule(p, SET_AVOID, FIELD_NAME,
	    "a++++++++++++++++++++++++++++++", 0, "t", false, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "stacked repeats"));
	assert_int_equal(policy_add_rule(p, SET_AVOID, FIELD_NAME, "(x)\\1", 0,
	    "t", false, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "back-references"));
	assert_int_equal(policy_add_rule(p, SET_AVOID, FIELD_NAME, "(a?)+", 0,
	    "t", false, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty string"));
	assert_int_equal(policy_add_rule(p, SET_AVOID, FIELD_EXE, "^/a(b|c)$",
	    0, "t", false, err, sizeof(err)), 0);
	assert_non_null(p->sets[SET_AVOID].rules[0].lits);
	assert_int_equal(policy_add_rule(p, SET_AVOID, FIELD_EXE, "^/a[bc]$",
	    0, "t", false, err, sizeof(err)), 0);
	assert_null(p->sets[SET_AVOID].rules[1].lits);
	policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_literals_same_as_regexec),
		cmocka_unit_test(test_policy_literals_not_finite),
		cmocka_unit_test(test_policy_literals_sizes),
		cmocka_unit_test(test_policy_regex_check_limits),
		cmocka_unit_test(test_policy_add_rule_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
