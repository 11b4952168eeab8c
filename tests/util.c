/* SPDX-License-Identifier: MIT */
/* util.c: what the unit tests share: fixtures, folders, the log, policies. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "util.h"

const char *
source_dir(char *buf, size_t size)
{
	const char *env = getenv("srcdir");
	char *slash;
	int i;

	if (env != NULL && *env != '\0')
		return env;
	/* __FILE__ is "[DIR/]tests/util.c". */
	snprintf(buf, size, "%s", __FILE__);
	for (i = 0; i < 2; i++) {
		slash = strrchr(buf, '/');
		if (slash == NULL)
			return ".";
		*slash = '\0';
	}
	return buf[0] != '\0' ? buf : "/";
}

const char *
fixture(char *buf, size_t size, const char *tree)
{
	char sd[PATH_MAX];
	int n;

	n = snprintf(buf, size, "%s/tests/fixtures/%s",
	    source_dir(sd, sizeof(sd)), tree);
	assert_true(n > 0 && (size_t)n < size);
	return buf;
}

/* A new folder under $TMPDIR (or /tmp) into buf. */
char *
temp_dir(char *buf, size_t size, const char *tag)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	n = snprintf(buf, size, "%s/bustd-test-%s.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp", tag);
	assert_true(n > 0 && (size_t)n < size);
	assert_non_null(mkdtemp(buf));
	return buf;
}

uint64_t
page_kib(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (uint64_t)page / 1024 : 4;
}

struct policy *
load_policy(const char *text)
{
	struct config_opts o;
	struct config_diag d;
	struct policy *p = NULL;
	size_t i;
	int r;

	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	o.path = "test.conf";
	o.text = text;
	o.mem_total_kib = MEM_TOTAL_KIB;
	r = config_load(&o, &p, &d);
	for (i = 0; i < d.n; i++)
		fprintf(stderr, "config: %s\n", d.msgs[i]);
	config_diag_free(&d);
	assert_int_equal(r, 0);
	assert_non_null(p);
	return p;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void
rm_tree(const char *path)
{
	assert_int_equal(nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/*
 * Copy folder from into to, making each exe.link an exe symlink: links
 * cannot be shipped in the source tree (see a fixture's README).
 */
void
copy_tree(const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX], buf[8192];
	struct dirent *e;
	struct stat st;
	ssize_t n;
	DIR *d;
	int in, out;

	assert_true(mkdir(to, 0755) == 0 || errno == EEXIST);
	d = opendir(from);
	if (d == NULL)
		fail_msg("%s: %s (set srcdir)", from, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(a, sizeof(a), "%s/%s", from, e->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, e->d_name);
		assert_int_equal(lstat(a, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			copy_tree(a, b);
			continue;
		}
		in = open(a, O_RDONLY | O_CLOEXEC);
		assert_true(in >= 0);
		n = read(in, buf, sizeof(buf) - 1);
		assert_true(n >= 0);
		close(in);
		if (strcmp(e->d_name, "exe.link") == 0) {
			buf[n] = '\0';
			if (n > 0 && buf[n - 1] == '\n')
				buf[n - 1] = '\0';
			snprintf(b, sizeof(b), "%s/exe", to);
			assert_int_equal(symlink(buf, b), 0);
			continue;
		}
		/* The copy is ours to change, even if the source is
		 * read-only (make distcheck). */
		out = open(b, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		assert_true(out >= 0);
		assert_int_equal(write(out, buf, (size_t)n), n);
		close(out);
	}
	closedir(d);
}

void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

void
mkdir_p(const char *path)
{
	char buf[PATH_MAX], *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = buf + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		assert_true(mkdir(buf, 0755) == 0 || errno == EEXIST);
		*s = '/';
	}
	assert_true(mkdir(buf, 0755) == 0 || errno == EEXIST);
}

void
capture_start(struct capture *c)
{
	const char *tmp = getenv("TMPDIR");

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s/bustd-test-log.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	c->fd = mkstemp(c->path);
	assert_true(c->fd >= 0);
	fflush(stderr);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(c->fd, STDERR_FILENO) >= 0);
}

/* Stop capturing; the log so far goes to buf, and to stderr again. */
char *
capture_end(struct capture *c, char *buf, size_t size)
{
	ssize_t n;

	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	n = pread(c->fd, buf, size - 1, 0);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(c->fd);
	unlink(c->path);
	fputs(buf, stderr);
	return buf;
}
