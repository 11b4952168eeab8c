/* SPDX-License-Identifier: MIT */
/* text.h: the parsing steps every reader shares: decimals and lines. */
#ifndef BUSTD_TEXT_H
#define BUSTD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The decimal number at *p (digits only, nothing skipped), not reading
 * past end.  Returns 0 with *out set and *p past the digits; -EINVAL if
 * *p is not a digit; -ERANGE if the number does not fit in 64 bits
 * (then *p is past the digits and *out is unchanged).
 */
int text_u64(const char **p, const char *end, uint64_t *out);

/*
 * The line at *p, not reading past end: returns its start and sets *len
 * to its length without the newline, and moves *p past the newline.
 * NULL when *p is at end.  The last line need not end in a newline.
 */
const char *text_line(const char **p, const char *end, size_t *len);

/*
 * Read fd from where it is to its end, a line at a time, into buf (size
 * bytes): fn gets each line without its newline, NUL-terminated in buf
 * (it may write into it).  The one rule for a line longer than size - 2
 * bytes: it is never passed, in part or whole; the reading goes on with
 * the next line, and the call returns -EFBIG at the end.  Stops early
 * when fn returns false.  Returns 0, -EFBIG, or -errno of a failed read.
 */
int text_each_line(int fd, char *buf, size_t size,
    bool (*fn)(char *line, size_t len, void *arg), void *arg);

#endif
