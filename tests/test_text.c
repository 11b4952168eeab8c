/* SPDX-License-Identifier: MIT */
/* test_text.c: unit tests of the shared decimal and line readers. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "text.h"

static int
u64(const char *s, uint64_t *out, size_t *used)
{
	const char *p = s;
	int r = text_u64(&p, s + strlen(s), out);

	*used = (size_t)(p - s);
	return r;
}

static void
test_text_u64(void **state)
{
	uint64_t v = 7;
	size_t used;

	assert_int_equal(u64("0", &v, &used), 0);
	assert_int_equal(v, 0);
	assert_int_equal(u64("4194304 rest", &v, &used), 0);
	assert_int_equal(v, 4194304);
	assert_int_equal(used, 7);
	assert_int_equal(u64("18446744073709551615", &v, &used), 0);
	assert_true(v == UINT64_MAX);
	/* One more does not fit: refused, the digits are passed over. */
	v = 7;
	assert_int_equal(u64("18446744073709551616", &v, &used), -ERANGE);
	assert_int_equal(v, 7);
	assert_int_equal(used, 20);
	assert_int_equal(u64("99999999999999999999999", &v, &used), -ERANGE);
	/* Nothing is skipped: no sign, no blank. */
	assert_int_equal(u64("", &v, &used), -EINVAL);
	assert_int_equal(u64(" 1", &v, &used), -EINVAL);
	assert_int_equal(u64("-1", &v, &used), -EINVAL);
	assert_int_equal(u64("+1", &v, &used), -EINVAL);
	assert_int_equal(used, 0);
}

static void
test_text_u64_bounded(void **state)
{
	const char buf[] = "12345";
	const char *p = buf;
	uint64_t v;

	/* Never past end, even inside a number. */
	assert_int_equal(text_u64(&p, buf + 3, &v), 0);
	assert_int_equal(v, 123);
	assert_ptr_equal(p, buf + 3);
	assert_int_equal(text_u64(&p, buf + 3, &v), -EINVAL);
}

static void
test_text_line(void **state)
{
	const char buf[] = "one\n\nthree";
	const char *p = buf, *end = buf + strlen(buf), *l;
	size_t len;

	l = text_line(&p, end, &len);
	assert_ptr_equal(l, buf);
	assert_int_equal(len, 3);
	l = text_line(&p, end, &len);
	assert_ptr_equal(l, buf + 4);
	assert_int_equal(len, 0);
	/* The last line needs no newline. */
	l = text_line(&p, end, &len);
	assert_ptr_equal(l, buf + 5);
	assert_int_equal(len, 5);
	assert_null(text_line(&p, end, &len));
	assert_null(text_line(&p, end, &len));
}

/* What text_each_line() passed: lines joined by '|'. */
struct seen {
	char text[4096];
	int stop_after;
	int n;
};

static bool
take(char *line, size_t len, void *arg)
{
	struct seen *s = arg;

	assert_int_equal(strlen(line), len);
	if (s->n++ > 0)
		strcat(s->text, "|");
	strcat(s->text, line);
	return s->n != s->stop_after;
}

/* text_each_line() over a pipe holding text, with a buffer of size. */
static int
each_line(const char *text, size_t size, struct seen *s)
{
	char buf[256];
	int fds[2], r;

	assert_true(size <= sizeof(buf));
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, strlen(text)),
	    (ssize_t)strlen(text));
	close(fds[1]);
	r = text_each_line(fds[0], buf, size, take, s);
	close(fds[0]);
	return r;
}

static void
test_text_each_line(void **state)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(each_line("a\nbb\n\nccc", 8, &s), 0);
	assert_string_equal(s.text, "a|bb||ccc");
	assert_int_equal(s.n, 4);
}

static void
test_text_each_line_too_long(void **state)
{
	struct seen s;

	/* A buffer of 8 takes lines of 6 bytes; a longer one is never
	 * passed, whole or in part, and the rest goes on. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(each_line("123456\n1234567\nok\n", 8, &s), -EFBIG);
	assert_string_equal(s.text, "123456|ok");
	memset(&s, 0, sizeof(s));
	assert_int_equal(each_line("x\n12345678901234567890\ny", 8, &s),
	    -EFBIG);
	assert_string_equal(s.text, "x|y");
	/* The last line too long, without a newline: dropped as well. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(each_line("x\n12345678901234567890", 8, &s), -EFBIG);
	assert_string_equal(s.text, "x");
}

static void
test_text_each_line_stops(void **state)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(each_line("a\nb\nc\nd\n", 64, &s), 0);
	assert_string_equal(s.text, "a|b");
	/* A line cut before the stop is still told of. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(each_line("a\n12345678901234567890\nb\nc\n", 8, &s),
	    -EFBIG);
	assert_string_equal(s.text, "a|b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_u64),
		cmocka_unit_test(test_text_u64_bounded),
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_text_each_line),
		cmocka_unit_test(test_text_each_line_too_long),
		cmocka_unit_test(test_text_each_line_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
