/* SPDX-License-Identifier: MIT */
/* test_pidfile.c: unit tests of the lock and pid file. */
#include <errno.h>
#include <fcntl.h>
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

#include "util.h"

#include "log.h"
#include "pidfile.h"

struct fixture {
	char dir[PATH_MAX];
	char file[PATH_MAX + 16];
};

static int
setup(void **state)
{
	static struct fixture f;

	temp_dir(f.dir, sizeof(f.dir), "pidfile");
	snprintf(f.file, sizeof(f.file), "%s/%s", f.dir, PIDFILE_NAME);
	assert_int_equal(setenv("RUNTIME_DIRECTORY", f.dir, 1), 0);
	log_open(LOG_TARGET_STDERR, LOG_INFO);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	unsetenv("RUNTIME_DIRECTORY");
	rm_tree(f->dir);
	return 0;
}

/* take, with the log captured into log. */
static int
take(struct pidfile *pf, bool probe_only, bool may_fail, char *log, size_t size)
{
	struct capture cap;
	int r;

	capture_start(&cap);
	r = pidfile_take(pf, probe_only, may_fail);
	capture_end(&cap, log, size);
	return r;
}

static void
test_pidfile_take_write_release(void **state)
{
	struct fixture *f = *state;
	struct pidfile pf;
	char log[1024], buf[32], want[32];
	int fd;
	ssize_t n;

	assert_int_equal(take(&pf, false, false, log, sizeof(log)), 0);
	assert_string_equal(log, "");
	assert_string_equal(pf.path, f->file);
	assert_true(pf.fd >= 0);
	assert_int_equal(pidfile_write(&pf), 0);
	fd = open(f->file, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	assert_string_equal(buf, want);
	pidfile_release(&pf);
	assert_int_equal(pf.fd, -1);
	assert_int_equal(access(f->file, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	/* Twice is harmless. */
	pidfile_release(&pf);
}

/* A second bustd is refused, and told who holds the lock. */
static void
test_pidfile_second_refused(void **state)
{
	struct fixture *f = *state;
	struct pidfile a, b;
	char log[1024], want[128];

	assert_int_equal(take(&a, false, false, log, sizeof(log)), 0);
	assert_int_equal(pidfile_write(&a), 0);
	/* flock(2) locks belong to the open file: a second open in this
	 * process is refused as another process would be. */
	assert_int_equal(take(&b, false, false, log, sizeof(log)), 1);
	assert_int_equal(b.fd, -1);
	snprintf(want, sizeof(want), "another bustd is running (pid %d)",
	    (int)getpid());
	assert_non_null(strstr(log, want));
	/* -n changes nothing: a running bustd is no missing folder. */
	assert_int_equal(take(&b, false, true, log, sizeof(log)), 1);
	assert_non_null(strstr(log, want));
	/* The refused one left the holder's file alone. */
	assert_int_equal(access(f->file, F_OK), 0);
	pidfile_release(&a);
}

/* A --dry-run takes no lock: it runs beside, with a warning. */
static void
test_pidfile_dry_run_beside(void **state)
{
	struct fixture *f = *state;
	struct pidfile a, b;
	char log[1024];

	/* Nobody runs: no word, no file made. */
	assert_int_equal(take(&b, true, false, log, sizeof(log)), 0);
	assert_string_equal(log, "");
	assert_int_equal(b.fd, -1);
	assert_int_equal(access(f->file, F_OK), -1);
	assert_int_equal(pidfile_write(&b), 0);

	assert_int_equal(take(&a, false, false, log, sizeof(log)), 0);
	assert_int_equal(pidfile_write(&a), 0);
	assert_int_equal(take(&b, true, false, log, sizeof(log)), 0);
	assert_int_equal(b.fd, -1);
	assert_non_null(strstr(log, "another bustd is running (pid "));
	assert_non_null(strstr(log, "this dry run runs beside it"));
	/* Its release must not take the holder's file away. */
	pidfile_release(&b);
	assert_int_equal(access(f->file, F_OK), 0);
	pidfile_release(&a);
}

/* A file left by a bustd that died holds no lock: taken over. */
static void
test_pidfile_stale_file(void **state)
{
	struct fixture *f = *state;
	struct pidfile pf;
	char log[1024];

	write_text(f->file, "999999\n");
	assert_int_equal(take(&pf, false, false, log, sizeof(log)), 0);
	assert_string_equal(log, "");
	assert_int_equal(pidfile_write(&pf), 0);
	pidfile_release(&pf);
}

/* No folder to lock in: an error, or with -n a warning. */
static void
test_pidfile_no_folder(void **state)
{
	struct fixture *f = *state;
	struct pidfile pf;
	char dir[PATH_MAX + 16], log[1024];

	snprintf(dir, sizeof(dir), "%s/missing", f->dir);
	assert_int_equal(setenv("RUNTIME_DIRECTORY", dir, 1), 0);
	assert_int_equal(take(&pf, false, false, log, sizeof(log)), 1);
	assert_non_null(strstr(log, "cannot lock"));
	assert_non_null(strstr(log, "No such file or directory"));
	assert_int_equal(take(&pf, false, true, log, sizeof(log)), 0);
	assert_non_null(strstr(log, "running on without it"));
	assert_int_equal(pf.fd, -1);
	assert_int_equal(pidfile_write(&pf), 0);
	pidfile_release(&pf);
	assert_int_equal(setenv("RUNTIME_DIRECTORY", f->dir, 1), 0);
}

/* systemd may list several folders; a relative one is not taken. */
static void
test_pidfile_runtime_directory(void **state)
{
	struct fixture *f = *state;
	struct pidfile pf;
	char list[2 * PATH_MAX], log[1024];

	snprintf(list, sizeof(list), "%s:/nonexistent/b", f->dir);
	assert_int_equal(setenv("RUNTIME_DIRECTORY", list, 1), 0);
	assert_int_equal(take(&pf, false, false, log, sizeof(log)), 0);
	assert_string_equal(pf.path, f->file);
	pidfile_release(&pf);
	/* Not absolute: /run, which is not ours to touch here; probe only. */
	assert_int_equal(setenv("RUNTIME_DIRECTORY", "run/bustd", 1), 0);
	assert_int_equal(take(&pf, true, false, log, sizeof(log)), 0);
	assert_string_equal(pf.path, PIDFILE_RUN_DIR "/" PIDFILE_NAME);
	assert_int_equal(setenv("RUNTIME_DIRECTORY", f->dir, 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pidfile_take_write_release,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pidfile_second_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pidfile_dry_run_beside,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pidfile_stale_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pidfile_no_folder, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pidfile_runtime_directory,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
