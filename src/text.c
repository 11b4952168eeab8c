/* SPDX-License-Identifier: MIT */
/* text.c: decimals and lines, for the readers of /proc, /sys and /etc. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "text.h"

int
text_u64(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	bool over = false;

	if (s == end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			over = true;
		else
			v = v * 10 + d;
	}
	*p = s;
	if (over)
		return -ERANGE;
	*out = v;
	return 0;
}

const char *
text_line(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	*len = (size_t)((nl != NULL ? nl : end) - s);
	*p = nl != NULL ? nl + 1 : end;
	return s;
}

int
text_each_line(int fd, char *buf, size_t size,
    bool (*fn)(char *line, size_t len, void *arg), void *arg)
{
	size_t have = 0;	/* bytes of an unfinished line at buf */
	bool skipping = false;	/* inside a line too long for buf */
	bool cut = false;
	ssize_t n;

	if (size < 2)
		return -EINVAL;
	for (;;) {
		char *s, *nl;
		size_t left;

		n = read(fd, buf + have, size - 1 - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		s = buf;
		left = have + (size_t)n;
		while ((nl = memchr(s, '\n', left)) != NULL) {
			size_t len = (size_t)(nl - s);

			left -= len + 1;
			if (skipping) {
				skipping = false;
			} else {
				*nl = '\0';
				if (!fn(s, len, arg))
					return cut ? -EFBIG : 0;
			}
			s = nl + 1;
		}
		if (left == size - 1) {
			/* A whole buffer and no end of line: too long. */
			skipping = cut = true;
			left = 0;
		} else if (skipping) {
			left = 0;
		}
		memmove(buf, s, left);
		have = left;
	}
	/* The last line need not end in a newline. */
	if (have > 0 && !skipping) {
		buf[have] = '\0';
		fn(buf, have, arg);
	}
	return cut ? -EFBIG : 0;
}
