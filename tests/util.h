/* SPDX-License-Identifier: MIT */
/* util.h: what the unit tests share: fixtures, folders, the log, policies. */
#ifndef BUSTD_TEST_UTIL_H
#define BUSTD_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* The memory total the tests' policies are loaded for: 16 GiB. */
#define MEM_TOTAL_KIB (16ULL * 1024 * 1024)

/* $srcdir, or the source tree this file was compiled from. */
const char *source_dir(char *buf, size_t size);
/* tests/fixtures/TREE in the source tree, into buf. */
const char *fixture(char *buf, size_t size, const char *tree);
/* A new folder under $TMPDIR (or /tmp) into buf. */
char *temp_dir(char *buf, size_t size, const char *tag);
/* Remove a folder and all it holds. */
void rm_tree(const char *path);
/*
 * Copy folder from into to, making each exe.link an exe symlink: links
 * cannot be shipped in the source tree (see a fixture's README).  The
 * copy is writable, even if the source is not (make distcheck).
 */
void copy_tree(const char *from, const char *to);
void write_text(const char *path, const char *text);
void mkdir_p(const char *path);
/* Fixture RSS is in pages: what a page is depends on the machine. */
uint64_t page_kib(void);

/* The log (stderr) of the code under test, captured. */
struct capture {
	int saved;
	int fd;
	char path[4096];
};

void capture_start(struct capture *c);
/* Stop capturing; the log so far goes to buf, and to stderr again. */
char *capture_end(struct capture *c, char *buf, size_t size);

/* text as a config file "test.conf" for a machine of MEM_TOTAL_KIB;
 * fails the test if it does not load. */
struct policy *load_policy(const char *text);

#endif
