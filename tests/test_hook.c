/* SPDX-License-Identifier: MIT */
/* test_hook.c: unit tests of the [notify] programs, run and reaped. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_sys.h"
#include "util.h"
#include "hook.h"
#include "kill.h"
#include "policy.h"
#include "sys.h"

#define ENV_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define NO_SUCH_UID 3999999u /* in no /etc/passwd */
#define FAKE_PID 4194000 /* never a child of ours */
#define GUARD 0xa5

/* --- Helpers --- */

static void
target_init(struct kill_target *t, pid_t pid, uid_t uid, const char *comm)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->uid = uid;
	t->rss_kib = 123456;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
	snprintf(t->cmdline, sizeof(t->cmdline), "%s --flag", comm);
	snprintf(t->reason, sizeof(t->reason), "%s",
	    "MemAvailable 2.0% <= 5.0%");
}

/* The value of NAME in envp (NULL-terminated), or NULL. */
static const char *
env_get(char *const *envp, const char *name)
{
	size_t nl = strlen(name);

	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, nl) == 0 && (*envp)[nl] == '=')
			return *envp + nl + 1;
	return NULL;
}

static void
assert_env(char *const *envp, const char *name, const char *want)
{
	const char *got = env_get(envp, name);

	if (got == NULL)
		fail_msg("%s: not in the environment", name);
	assert_string_equal(got, want);
}

static size_t
count_str(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* --- hook_env --- */

static void
test_hook_env_all_variables(void **state)
{
	struct kill_target t;
	char buf[PROC_CMDLINE_MAX + 1024], *envp[16];
	size_t n;

	target_init(&t, 4242, NO_SUCH_UID, "hog");
	n = hook_env(&t, "kill", "SIGKILL", "gone", false, buf, sizeof(buf), envp, 16);
	assert_int_equal(n, 12);
	assert_null(envp[n]);
	assert_env(envp, "BUSTD_EVENT", "kill");
	assert_env(envp, "BUSTD_PID", "4242");
	assert_env(envp, "BUSTD_NAME", "hog");
	assert_env(envp, "BUSTD_UID", "3999999");
	assert_env(envp, "BUSTD_USER", "3999999");
	assert_env(envp, "BUSTD_RSS_KIB", "123456");
	assert_env(envp, "BUSTD_SIGNAL", "SIGKILL");
	assert_env(envp, "BUSTD_REASON", "MemAvailable 2.0% <= 5.0%");
	assert_env(envp, "BUSTD_RESULT", "gone");
	assert_env(envp, "BUSTD_DRY_RUN", "0");
	assert_env(envp, "BUSTD_CMDLINE", "hog --flag");
	assert_env(envp, "PATH", ENV_PATH);
}

static void
test_hook_env_user_name(void **state)
{
	struct kill_target t;
	char buf[PROC_CMDLINE_MAX + 1024], *envp[16];

	target_init(&t, 1, 0, "x");
	assert_int_equal(hook_env(&t, "kill", "SIGTERM", "gone", false, buf,
	                     sizeof(buf), envp, 16),
	    12);
	assert_env(envp, "BUSTD_UID", "0");
	assert_env(envp, "BUSTD_USER", "root");
}

static void
test_hook_env_dry_run(void **state)
{
	struct kill_target t;
	char buf[PROC_CMDLINE_MAX + 1024], *envp[16];

	target_init(&t, 77, NO_SUCH_UID, "hog");
	assert_int_equal(hook_env(&t, "kill", "SIGTERM", "dry-run", true, buf,
	                     sizeof(buf), envp, 16),
	    12);
	assert_env(envp, "BUSTD_DRY_RUN", "1");
	assert_env(envp, "BUSTD_RESULT", "dry-run");
	assert_env(envp, "BUSTD_SIGNAL", "SIGTERM");

	assert_int_equal(hook_env(&t, "kill", "SIGKILL", "stuck", false, buf,
	                     sizeof(buf), envp, 16),
	    12);
	assert_env(envp, "BUSTD_DRY_RUN", "0");
	assert_env(envp, "BUSTD_RESULT", "stuck");
}

static void
test_hook_env_hostile_comm(void **state)
{
	static const char *const names[] = {
		"a\nb",
		"%n%s%s%s%n",
		"$(id)",
		"`id`;rm -rf",
		"back\\slash\\",
		"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e",
		"\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff",
		"a) Z b\n\r\t\x1b[0m",
	};
	struct kill_target t;
	char buf[PROC_CMDLINE_MAX + 1024], *envp[16];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_true(strlen(names[i]) < PROC_COMM_MAX);
		target_init(&t, 100, NO_SUCH_UID, names[i]);
		snprintf(t.reason, sizeof(t.reason), "rule %s", names[i]);
		assert_int_equal(hook_env(&t, "kill", "SIGKILL", "gone", false, buf,
		                     sizeof(buf), envp, 16),
		    12);
		assert_env(envp, "BUSTD_NAME", names[i]);
		assert_env(envp, "BUSTD_REASON", t.reason);
		assert_env(envp, "BUSTD_CMDLINE", t.cmdline);
	}
}

static void
test_hook_env_cmdline_4096(void **state)
{
	struct kill_target t;
	char buf[PROC_CMDLINE_MAX + 1024], *envp[16];
	const char *v;
	size_t i;

	target_init(&t, 100, NO_SUCH_UID, "hog");
	/* Every byte value but NUL, 0x80-0xff included. */
	for (i = 0; i < PROC_CMDLINE_MAX; i++)
		t.cmdline[i] = (char)(1 + i % 255);
	t.cmdline[PROC_CMDLINE_MAX] = '\0';
	assert_int_equal(hook_env(&t, "kill", "SIGKILL", "gone", false, buf,
	                     sizeof(buf), envp, 16),
	    12);
	v = env_get(envp, "BUSTD_CMDLINE");
	assert_non_null(v);
	assert_int_equal(strlen(v), PROC_CMDLINE_MAX);
	assert_memory_equal(v, t.cmdline, PROC_CMDLINE_MAX);
	assert_env(envp, "PATH", ENV_PATH);
}

/* Each entry lies inside buf and ends there. */
static void
assert_inside(char *const *envp, size_t n, const char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++) {
		assert_true(envp[i] >= buf && envp[i] < buf + size);
		assert_non_null(
		    memchr(envp[i], '\0', (size_t)(buf + size - envp[i])));
		assert_non_null(strchr(envp[i], '='));
	}
}

static void
test_hook_env_small_buf(void **state)
{
	static const size_t sizes[] = { 0, 1, 10, 15, 40, 100, 200 };
	struct kill_target t;
	unsigned char mem[256 + 64];
	char *envp[16];
	size_t i, j, n;

	target_init(&t, 4242, NO_SUCH_UID, "hog");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(mem, GUARD, sizeof(mem));
		n = hook_env(&t, "kill", "SIGKILL", "gone", false, (char *)mem,
		    sizes[i], envp, 16);
		assert_true(n <= 12);
		assert_null(envp[n]);
		assert_inside(envp, n, (char *)mem, sizes[i]);
		for (j = sizes[i]; j < sizeof(mem); j++)
			if (mem[j] != GUARD)
				fail_msg("size %zu: byte %zu written", sizes[i],
				    j);
		/* "BUSTD_PID=4242" and its NUL need 15 bytes. */
		if (sizes[i] < 15)
			assert_int_equal(n, 0);
		else
			assert_string_equal(envp[0], "BUSTD_PID=4242");
	}
}

static void
test_hook_env_small_n(void **state)
{
	struct kill_target t;
	char buf[PROC_CMDLINE_MAX + 1024], *envp[8 + 4];
	size_t n, i, k;

	target_init(&t, 4242, NO_SUCH_UID, "hog");
	for (k = 1; k <= 8; k++) {
		for (i = 0; i < sizeof(envp) / sizeof(envp[0]); i++)
			envp[i] = (char *)&envp; /* a guard value */
		n = hook_env(&t, "kill", "SIGKILL", "gone", false, buf, sizeof(buf),
		    envp, k);
		/* Up to k - 1 pointers and a NULL. */
		assert_int_equal(n, k - 1);
		assert_null(envp[n]);
		for (i = k; i < sizeof(envp) / sizeof(envp[0]); i++)
			assert_ptr_equal(envp[i], (char *)&envp);
	}
	/* The first ones come in their documented order. */
	assert_string_equal(envp[0], "BUSTD_PID=4242");
	assert_string_equal(envp[1], "BUSTD_NAME=hog");
}

/* --- hook_after_kill, with the fake OS --- */

struct hkit {
	struct fake_sys f;
	struct hooks h;
	struct policy p;
	struct kill_target t;
	char exec[64];
	char tmp[256]; /* the fake run_user_dir, "" if none */
};

static struct hkit *
hkit_open(void)
{
	struct hkit *k = calloc(1, sizeof(*k));

	assert_non_null(k);
	fake_sys_init(&k->f);
	k->f.spawn_pid = FAKE_PID;
	hook_init(&k->h, &k->f.ops);
	k->p.exec_timeout_ms = 2000;
	target_init(&k->t, 4242, 1000, "hog");
	return k;
}

static void
hkit_close(struct hkit *k)
{
	if (k->tmp[0] != '\0')
		rm_tree(k->tmp);
	free(k);
}

static int
hkit_setup(void **state)
{
	*state = hkit_open();
	return 0;
}

/* Also after a failed assertion: no temporary folder left. */
static int
hkit_teardown(void **state)
{
	hkit_close(*state);
	return 0;
}

/*
 * A fake run_user_dir with UID/bus, a real unix socket owned by uid.
 * kind: 's' the socket, 'f' a regular file, 'n' nothing, 'o' a socket
 * owned by another uid.
 */
static void
hkit_bus(struct hkit *k, uid_t uid, char kind)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[PATH_MAX];
	FILE *f;
	int fd, n;

	temp_dir(k->tmp, sizeof(k->tmp), "hook-run");
	k->h.run_user_dir = k->tmp;
	snprintf(dir, sizeof(dir), "%s/%u", k->tmp, (unsigned int)uid);
	assert_int_equal(mkdir(dir, 0700), 0);
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/bus", dir);
	assert_true(n > 0 && (size_t)n < sizeof(sa.sun_path));
	if (kind == 'n')
		return;
	if (kind == 'f') {
		f = fopen(sa.sun_path, "w");
		assert_non_null(f);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(chown(sa.sun_path, uid, (gid_t)-1), 0);
		return;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	if (kind == 'o')
		assert_int_equal(chown(sa.sun_path, uid + 1, (gid_t)-1), 0);
	else
		assert_int_equal(chown(sa.sun_path, uid, (gid_t)-1), 0);
}

/*
 * The uid to notify: ours if we are not root, else 1000 (chown works
 * as root only).
 */
static uid_t
desktop_uid(void)
{
	return getuid() != 0 ? getuid() : 1000;
}

static void
skip_unless_root_for_other(char kind)
{
	/* A socket owned by someone else needs root to make. */
	if (kind == 'o' && getuid() != 0)
		skip();
}

static void
test_hook_after_kill_exec(void **state)
{
	struct hkit *k = *state;
	const struct fake_call *c;

	snprintf(k->exec, sizeof(k->exec), "%s", "/usr/local/sbin/on-kill");
	k->p.notify_exec = k->exec;
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	assert_int_equal(fake_sys_count(&k->f, "spawn", 0), 1);
	c = fake_sys_nth(&k->f, "spawn", 0);
	assert_string_equal(c->path, "/usr/local/sbin/on-kill");
	/* The hook runs as bustd: uid (uid_t)-1 means "do not change". */
	assert_int_equal(c->id, (int)(uid_t)-1);
	assert_int_equal(k->h.n, 1);
	assert_int_equal(k->h.n_started, 1);
	assert_int_equal(k->h.n_failed, 0);
	assert_int_equal(k->h.kids[0].pid, FAKE_PID);
	assert_int_equal(k->h.kids[0].deadline_ms, k->f.now_ms + 2000);
}

static void
test_hook_after_kill_exec_dry_run(void **state)
{
	struct hkit *k = *state;

	snprintf(k->exec, sizeof(k->exec), "%s", "/usr/local/sbin/on-kill");
	k->p.notify_exec = k->exec;
	k->p.dry_run = true;
	k->p.notify_desktop = true;
	hkit_bus(k, desktop_uid(), 's');
	k->t.uid = desktop_uid();
	k->h.notify_send = "/bin/true";
	/* The hook still runs in a dry run; the desktop hears nothing. */
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "dry-run");
	assert_int_equal(fake_sys_count(&k->f, "spawn", 0), 1);
	assert_string_equal(fake_sys_nth(&k->f, "spawn", 0)->path,
	    "/usr/local/sbin/on-kill");
}

static void
test_hook_after_kill_no_exec(void **state)
{
	struct hkit *k = *state;

	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "stuck");
	assert_int_equal(fake_sys_count(&k->f, "spawn", 0), 0);
	assert_int_equal(k->h.n, 0);
	assert_int_equal(k->h.n_started, 0);
	assert_int_equal(k->h.n_failed, 0);
}

static void
test_hook_after_kill_spawn_fails(void **state)
{
	struct hkit *k = *state;

	k->f.spawn_pid = 0; /* spawn returns -ENOSYS */
	snprintf(k->exec, sizeof(k->exec), "%s", "/usr/local/sbin/on-kill");
	k->p.notify_exec = k->exec;
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	assert_int_equal(fake_sys_count(&k->f, "spawn", 0), 1);
	assert_int_equal(k->h.n, 0);
	assert_int_equal(k->h.n_started, 0);
	assert_int_equal(k->h.n_failed, 1);
}

static void
test_hook_after_kill_desktop(void **state)
{
	struct hkit *k = *state;
	const struct fake_call *c;
	uid_t uid = desktop_uid();

	hkit_bus(k, uid, 's');
	k->t.uid = uid;
	k->p.notify_desktop = true;
	k->h.notify_send = "/bin/true";
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	assert_int_equal(fake_sys_count(&k->f, "spawn", 0), 1);
	c = fake_sys_nth(&k->f, "spawn", 0);
	assert_string_equal(c->path, "/bin/true");
	assert_int_equal(c->id, (int)uid);
	assert_int_equal(k->h.n, 1);
	assert_int_equal(k->h.kids[0].deadline_ms,
	    k->f.now_ms + HOOK_NOTIFY_TIMEOUT_MS);
	assert_int_equal(k->h.n_started, 1);
}

static void
test_hook_after_kill_desktop_and_exec(void **state)
{
	struct hkit *k = *state;
	uid_t uid = desktop_uid();

	hkit_bus(k, uid, 's');
	k->t.uid = uid;
	k->p.notify_desktop = true;
	k->h.notify_send = "/bin/true";
	snprintf(k->exec, sizeof(k->exec), "%s", "/usr/local/sbin/on-kill");
	k->p.notify_exec = k->exec;
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	assert_int_equal(fake_sys_count(&k->f, "spawn", 0), 2);
	assert_string_equal(fake_sys_nth(&k->f, "spawn", 0)->path,
	    "/usr/local/sbin/on-kill");
	assert_int_equal(fake_sys_nth(&k->f, "spawn", 0)->id, (int)(uid_t)-1);
	assert_string_equal(fake_sys_nth(&k->f, "spawn", 1)->path, "/bin/true");
	assert_int_equal(fake_sys_nth(&k->f, "spawn", 1)->id, (int)uid);
	assert_int_equal(k->h.n, 2);
}

/* Desktop on, notify-send there, but no notification: why. */
static void
no_desktop(uid_t uid, char bus, const char *result, bool dry_run)
{
	struct hkit *k;
	size_t spawned, n;
	unsigned long failed;

	skip_unless_root_for_other(bus);
	k = hkit_open();
	hkit_bus(k, uid, bus);
	k->t.uid = uid;
	k->p.notify_desktop = true;
	k->p.dry_run = dry_run;
	k->h.notify_send = "/bin/true";
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", result);
	spawned = fake_sys_count(&k->f, "spawn", 0);
	if (spawned != 0)
		fake_sys_dump(&k->f);
	n = k->h.n;
	failed = k->h.n_failed;
	hkit_close(k);
	assert_int_equal(spawned, 0);
	assert_int_equal(n, 0);
	assert_int_equal(failed, 0);
}

static void
test_hook_after_kill_desktop_not_root(void **state)
{
	/* A bus owned by root under /run/user/0: still not notified. */
	if (getuid() != 0)
		skip();
	no_desktop(0, 's', "gone", false);
}

static void
test_hook_after_kill_desktop_not_dry_run(void **state)
{
	no_desktop(desktop_uid(), 's', "gone", true);
	no_desktop(desktop_uid(), 's', "dry-run", true);
}

static void
test_hook_after_kill_desktop_not_stuck(void **state)
{
	no_desktop(desktop_uid(), 's', "stuck", false);
}

static void
test_hook_after_kill_desktop_no_bus(void **state)
{
	no_desktop(desktop_uid(), 'n', "gone", false);
}

static void
test_hook_after_kill_desktop_bus_not_socket(void **state)
{
	no_desktop(desktop_uid(), 'f', "gone", false);
}

static void
test_hook_after_kill_desktop_bus_other_uid(void **state)
{
	no_desktop(desktop_uid(), 'o', "gone", false);
}

static void
test_hook_after_kill_desktop_no_notify_send(void **state)
{
	struct hkit *k = *state;
	struct capture cap;
	char log[4096], missing[PATH_MAX + 32];
	uid_t uid = desktop_uid();

	hkit_bus(k, uid, 's');
	snprintf(missing, sizeof(missing), "%s/no-notify-send", k->tmp);
	k->t.uid = uid;
	k->p.notify_desktop = true;
	k->h.notify_send = missing;
	capture_start(&cap);
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	capture_end(&cap, log, sizeof(log));
	assert_int_equal(fake_sys_count(&k->f, "spawn", 0), 0);
	assert_int_equal(k->h.n, 0);
	/* Said once, not at every kill. */
	assert_int_equal(count_str(log, "no-notify-send"), 1);
	assert_true(k->h.notify_missing_logged);
}

/* --- The desktop notification's arguments --- */

/* An ops table whose spawn keeps its arguments, for the notify-send tests. */
struct argrec {
	struct sys_ops ops;
	uint64_t now_ms;
	int nspawn;
	uid_t uid;
	char path[256];
	char argv[8][256];
	size_t argc;
	char envp[8][512];
	size_t envc;
};

static int
argrec_spawn(void *ctx, const char *path, char *const argv[],
    char *const envp[], uid_t uid, pid_t *pid)
{
	struct argrec *a = ctx;
	size_t i;

	a->nspawn++;
	a->uid = uid;
	snprintf(a->path, sizeof(a->path), "%s", path);
	for (i = 0; argv[i] != NULL; i++) {
		assert_true(i < 8);
		snprintf(a->argv[i], sizeof(a->argv[i]), "%s", argv[i]);
	}
	a->argc = i;
	for (i = 0; envp[i] != NULL; i++) {
		assert_true(i < 8);
		snprintf(a->envp[i], sizeof(a->envp[i]), "%s", envp[i]);
	}
	a->envc = i;
	*pid = FAKE_PID;
	return 0;
}

static uint64_t
argrec_now(void *ctx)
{
	return ((struct argrec *)ctx)->now_ms;
}

/* Notify uid about comm through a, with a bus in a fake run_user_dir. */
static void
argrec_notify(struct argrec *a, struct hkit *k, const char *comm)
{
	memset(a, 0, sizeof(*a));
	a->ops = k->f.ops;
	a->ops.spawn = argrec_spawn;
	a->ops.now_ms = argrec_now;
	a->ops.ctx = a;
	a->now_ms = 1000000;
	k->h.ops = &a->ops;
	hkit_bus(k, desktop_uid(), 's');
	k->t.uid = desktop_uid();
	memset(k->t.comm, 0, sizeof(k->t.comm));
	memcpy(k->t.comm, comm, strnlen(comm, PROC_COMM_MAX - 1));
	k->p.notify_desktop = true;
	k->h.notify_send = "/bin/true";
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
}

/*
 * A warning goes to every session bus there is, with the daemon's text as
 * its body; the hook gets BUSTD_EVENT=warning.  Root's bus is left out.
 */
static void
test_hook_warning(void **state)
{
	struct hkit *k = hkit_open();
	struct argrec a;
	char dir[PATH_MAX + 32];

	memset(&a, 0, sizeof(a));
	a.ops = k->f.ops;
	a.ops.spawn = argrec_spawn;
	a.ops.now_ms = argrec_now;
	a.ops.ctx = &a;
	a.now_ms = 1000000;
	k->h.ops = &a.ops;
	hkit_bus(k, desktop_uid(), 's');
	/* Root's folder, and a stray name: neither is notified. */
	snprintf(dir, sizeof(dir), "%s/0", k->tmp);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/x1", k->tmp);
	assert_int_equal(mkdir(dir, 0700), 0);
	k->p.notify_desktop = true;
	k->h.notify_send = "/bin/true";
	hook_warning(&k->h, &k->p, &k->t, "Memory is low: hog uses 1.0 GiB "
	    "and will be stopped first if memory runs out");
	assert_int_equal(a.nspawn, 1);
	assert_int_equal(a.uid, desktop_uid());
	assert_string_equal(a.argv[2], "--urgency=normal");
	assert_string_equal(a.argv[4], "Memory is low");
	assert_string_equal(a.argv[5], "Memory is low: hog uses 1.0 GiB and "
	    "will be stopped first if memory runs out");

	/* The hook runs too. */
	k->h.ops = &k->f.ops;
	k->p.notify_desktop = false;
	snprintf(k->exec, sizeof(k->exec), "/bin/true");
	k->p.notify_exec = k->exec;
	hook_warning(&k->h, &k->p, &k->t, "x");
	assert_int_equal(fake_sys_count(&k->f, "spawn", 0), 1);
	assert_string_equal(fake_sys_nth(&k->f, "spawn", 0)->path, "/bin/true");
	hkit_close(k);
}

/* What a warning's hook is told: the event, and no signal or result. */
static void
test_hook_env_warning(void **state)
{
	struct kill_target t;
	char buf[PROC_CMDLINE_MAX + 1024], *envp[16];

	target_init(&t, 4242, NO_SUCH_UID, "hog");
	assert_int_equal(hook_env(&t, "warning", "", "", false, buf,
	    sizeof(buf), envp, 16), 12);
	assert_env(envp, "BUSTD_EVENT", "warning");
	assert_env(envp, "BUSTD_SIGNAL", "");
	assert_env(envp, "BUSTD_RESULT", "");
	assert_env(envp, "BUSTD_PID", "4242");
}

/* The body of the notification for a process named comm (cut to 15). */
static char *
notify_body(const char *comm, char *body, size_t size)
{
	struct hkit *k = hkit_open();
	struct argrec a;

	argrec_notify(&a, k, comm);
	hkit_close(k);
	assert_int_equal(a.nspawn, 1);
	assert_int_equal(a.argc, 6);
	snprintf(body, size, "%s", a.argv[5]);
	return body;
}

/* Is s valid UTF-8 (RFC 3629: no overlongs, surrogates, > U+10FFFF)? */
static bool
utf8_valid(const char *s)
{
	static const uint32_t min[4] = { 0, 0x80, 0x800, 0x10000 };
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	int more, n;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			more = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			more = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			more = 3;
		} else {
			return false;
		}
		for (n = more, p++; n > 0; n--, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3f);
		}
		if (cp < min[more] || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp > 0x10ffff)
			return false;
	}
	return true;
}

/* Fail, showing s with its bytes >= 0x80 as \xNN, unless it is UTF-8. */
static void
assert_utf8(const char *s)
{
	char shown[1024];
	size_t o = 0;

	if (utf8_valid(s))
		return;
	for (; *s != '\0' && o + 5 < sizeof(shown); s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 0x80)
			o += (size_t)snprintf(shown + o, sizeof(shown) - o,
			    "\\x%02x", ch);
		else
			shown[o++] = (char)ch;
	}
	shown[o] = '\0';
	fail_msg("not UTF-8: \"%s\"", shown);
}

/*
 * The body as notify-send shows it: notify-send (libnotify 0.8) expands
 * C escapes in its BODY argument (\n, \t, \\, \NNN octal, ...).
 */
static void
notify_send_unescape(char *dst, size_t size, const char *src)
{
	size_t o = 0;
	int i, v;

	while (*src != '\0' && o + 1 < size) {
		if (*src != '\\') {
			dst[o++] = *src++;
			continue;
		}
		src++;
		switch (*src) {
		case '\0':
			break;
		case 'b':
			dst[o++] = '\b';
			src++;
			break;
		case 'f':
			dst[o++] = '\f';
			src++;
			break;
		case 'n':
			dst[o++] = '\n';
			src++;
			break;
		case 'r':
			dst[o++] = '\r';
			src++;
			break;
		case 't':
			dst[o++] = '\t';
			src++;
			break;
		case 'v':
			dst[o++] = '\v';
			src++;
			break;
		default:
			if (*src >= '0' && *src <= '7') {
				for (v = 0, i = 0;
				     i < 3 && *src >= '0' && *src <= '7'; i++)
					v = v * 8 + (*src++ - '0');
				dst[o++] = (char)v;
			} else {
				dst[o++] = *src++;
			}
			break;
		}
	}
	dst[o] = '\0';
}

/* No markup and no control byte in what the desktop shows. */
static void
assert_shown_plain(const char *body)
{
	char shown[512];
	const unsigned char *p;

	notify_send_unescape(shown, sizeof(shown), body);
	for (p = (const unsigned char *)shown; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>' ||
		    *p == '&')
			fail_msg("body \"%s\" shows as \"%s\": byte 0x%02x",
			    body, shown, *p);
}

static void
test_hook_after_kill_desktop_arguments(void **state)
{
	struct hkit *k = *state;
	char want[512];
	struct argrec a;
	size_t i;
	bool bus = false, runtime = false, path = false;

	argrec_notify(&a, k, "hog");
	assert_int_equal(a.nspawn, 1);
	assert_int_equal(a.argc, 6);
	assert_string_equal(a.path, "/bin/true");
	assert_int_equal(a.uid, desktop_uid());
	assert_string_equal(a.argv[0], "notify-send");
	assert_string_equal(a.argv[4], "Out of memory");
	assert_string_equal(a.argv[5],
	    "bustd killed hog (pid 4242) to free memory");
	for (i = 0; i < a.envc; i++) {
		snprintf(want, sizeof(want),
		    "DBUS_SESSION_BUS_ADDRESS=unix:path=%s/%u/bus", k->tmp,
		    (unsigned int)desktop_uid());
		bus |= strcmp(a.envp[i], want) == 0;
		snprintf(want, sizeof(want), "XDG_RUNTIME_DIR=%s/%u", k->tmp,
		    (unsigned int)desktop_uid());
		runtime |= strcmp(a.envp[i], want) == 0;
		path |= strncmp(a.envp[i], "PATH=", 5) == 0;
	}
	assert_true(bus);
	assert_true(runtime);
	assert_true(path);
}

static void
test_hook_after_kill_desktop_markup(void **state)
{
	char body[512];

	notify_body("<b>a&b\n\x1b[0m\x7f", body, sizeof(body));
	assert_string_equal(body,
	    "bustd killed ?b?a?b??[0m? (pid 4242) to free memory");
	assert_shown_plain(body);
}

static void
test_hook_after_kill_desktop_utf8(void **state)
{
	char body[512];

	/* Valid UTF-8 goes through. */
	notify_body("caf\xc3\xa9", body, sizeof(body));
	assert_string_equal(body,
	    "bustd killed caf\xc3\xa9 (pid 4242) to free memory");

	/*
	 * The kernel cuts comm at 15 bytes, in the middle of a character:
	 * "Приложение" (2 bytes a letter) becomes 7 letters and a half.
	 * D-Bus strings must be UTF-8: notify-send aborts on anything else.
	 */
	assert_utf8(notify_body("Приложение", body, sizeof(body)));
	assert_utf8(notify_body("\x80\x81\xfe\xff", body, sizeof(body)));
}

static void
test_hook_after_kill_desktop_backslash(void **state)
{
	static const char *const names[] = {
		"\\074b\\076x", /* "<b>x" once notify-send expands it */
		"a\\nb", /* a new line */
		"\\046amp;", /* "&amp;" */
		"\\033[31m", /* an escape sequence */
	};
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_shown_plain(notify_body(names[i], body, sizeof(body)));
}

static void
test_hook_after_kill_max_children(void **state)
{
	struct hkit *k = *state;
	struct capture cap;
	char log[4096];
	int i;

	snprintf(k->exec, sizeof(k->exec), "%s", "/usr/local/sbin/on-kill");
	k->p.notify_exec = k->exec;
	for (i = 0; i < HOOK_MAX; i++)
		hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	assert_int_equal(k->h.n, HOOK_MAX);
	assert_int_equal(k->h.n_failed, 0);
	capture_start(&cap);
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	capture_end(&cap, log, sizeof(log));
	/* The ninth is refused before spawn, and counted. */
	assert_int_equal(fake_sys_count(&k->f, "spawn", 0), HOOK_MAX);
	assert_int_equal(k->h.n, HOOK_MAX);
	assert_int_equal(k->h.n_started, HOOK_MAX);
	assert_int_equal(k->h.n_failed, 1);
	assert_non_null(strstr(log, "not started"));
}

/* --- hook_next_ms, with the fake OS --- */

static void
test_hook_next_ms_none(void **state)
{
	struct hkit *k = *state;

	assert_int_equal(hook_next_ms(&k->h), UINT32_MAX);
}

static void
test_hook_next_ms_nearest(void **state)
{
	struct hkit *k = *state;

	snprintf(k->exec, sizeof(k->exec), "%s", "/usr/local/sbin/on-kill");
	k->p.notify_exec = k->exec;
	k->p.exec_timeout_ms = 9000;
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	assert_int_equal(hook_next_ms(&k->h), 9000);
	fake_sys_advance(&k->f, 1000);
	k->p.exec_timeout_ms = 3000;
	hook_after_kill(&k->h, &k->p, &k->t, "SIGKILL", "gone");
	assert_int_equal(hook_next_ms(&k->h), 3000);
	fake_sys_advance(&k->f, 2500);
	assert_int_equal(hook_next_ms(&k->h), 500);
	/* Past a deadline: at once. */
	fake_sys_advance(&k->f, 600);
	assert_int_equal(hook_next_ms(&k->h), 0);
}

/* --- hook_reap and hook_next_ms, with real children --- */

/* The real OS but a clock the test moves. */
struct rkit {
	struct sys_ops ops;
	uint64_t now_ms;
	struct hooks h;
};

static uint64_t
rkit_now(void *ctx)
{
	return ((struct rkit *)ctx)->now_ms;
}

static void
rkit_init(struct rkit *k)
{
	memset(k, 0, sizeof(*k));
	k->ops = sys_real;
	k->ops.now_ms = rkit_now;
	k->ops.ctx = k;
	k->now_ms = 5000000;
	hook_init(&k->h, &k->ops);
}

static int
rkit_setup(void **state)
{
	struct rkit *k = calloc(1, sizeof(*k));

	assert_non_null(k);
	rkit_init(k);
	*state = k;
	return 0;
}

/* Also after a failed assertion: no child of the test left behind. */
static int
rkit_teardown(void **state)
{
	struct rkit *k = *state;
	size_t i;

	for (i = 0; i < k->h.n; i++) {
		kill(k->h.kids[i].pid, SIGKILL);
		waitpid(k->h.kids[i].pid, NULL, 0);
	}
	free(k);
	return 0;
}

static pid_t
rkit_start(struct rkit *k, const char *exec, uint32_t timeout_ms)
{
	struct policy p;
	struct kill_target t;
	char path[64];

	memset(&p, 0, sizeof(p));
	snprintf(path, sizeof(path), "%s", exec);
	p.notify_exec = path;
	p.exec_timeout_ms = timeout_ms;
	target_init(&t, 4242, NO_SUCH_UID, "hog");
	hook_after_kill(&k->h, &p, &t, "SIGKILL", "gone");
	assert_int_equal(k->h.n_started, 1);
	assert_true(k->h.n >= 1);
	return k->h.kids[k->h.n - 1].pid;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Reap until no child is left, in real time up to 10 s. */
static void
rkit_drain(struct rkit *k)
{
	int i;

	for (i = 0; i < 1000 && k->h.n > 0; i++) {
		hook_reap(&k->h);
		if (k->h.n > 0)
			sleep_ms(10);
	}
	assert_int_equal(k->h.n, 0);
}

/* pid is no child of ours any more, and no zombie. */
static void
assert_gone(pid_t pid)
{
	char path[64];
	struct stat st;
	int status;

	assert_int_equal(waitpid(pid, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	/* The pid could be reused by now, but not as our child. */
	if (stat(path, &st) == 0) {
		char stat_path[80], buf[512], *p;
		FILE *f;

		snprintf(stat_path, sizeof(stat_path), "%s/stat", path);
		f = fopen(stat_path, "r");
		if (f == NULL)
			return;
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL)
			assert_false(p[1] == ' ' && p[2] == 'Z' &&
			             (pid_t)atol(p + 4) == getpid());
		fclose(f);
	}
}

/*
 * Start argv as hook_after_kill starts a hook (through ops->spawn, as
 * bustd, with a deadline), but with arguments, which a [notify] exec
 * program never gets.
 */
static pid_t
rkit_spawn(struct rkit *k, char *const *argv, uint32_t timeout_ms)
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	struct hook_child *c;
	pid_t pid = -1;

	assert_true(k->h.n < HOOK_MAX);
	assert_int_equal(k->ops.spawn(k->ops.ctx, argv[0], argv, envp,
	                     (uid_t)-1, &pid),
	    0);
	assert_true(pid > 0);
	c = &k->h.kids[k->h.n++];
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->deadline_ms = k->now_ms + timeout_ms;
	snprintf(c->what, sizeof(c->what), "%s", argv[0]);
	k->h.n_started++;
	return pid;
}

static void
test_hook_reap_exit_3(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct rkit *k = *state;
	pid_t pid;

	pid = rkit_spawn(k, argv, 10000);
	rkit_drain(k);
	assert_int_equal(k->h.n_failed, 1);
	assert_gone(pid);
}

static void
test_hook_reap_false(void **state)
{
	struct rkit *k = *state;
	pid_t pid;

	pid = rkit_start(k, "/bin/false", 10000);
	rkit_drain(k);
	assert_int_equal(k->h.n_failed, 1);
	assert_gone(pid);
}

static void
test_hook_reap_success(void **state)
{
	struct rkit *k = *state;
	pid_t pid;

	pid = rkit_start(k, "/bin/true", 10000);
	rkit_drain(k);
	assert_int_equal(k->h.n_failed, 0);
	assert_int_equal(k->h.n_started, 1);
	assert_gone(pid);
}

static void
test_hook_reap_exec_missing(void **state)
{
	struct rkit *k = *state;
	pid_t pid;

	/* The child cannot execve: it exits 127, a failure. */
	pid = rkit_start(k, "/nonexistent/bustd-hook", 10000);
	rkit_drain(k);
	assert_int_equal(k->h.n_failed, 1);
	assert_gone(pid);
}

static void
test_hook_reap_killed_by_signal(void **state)
{
	char *argv[] = { "/bin/sleep", "30", NULL };
	struct rkit *k = *state;
	pid_t pid;

	pid = rkit_spawn(k, argv, 10000);
	/* Killed by someone else before its deadline: a failure. */
	assert_int_equal(kill(pid, SIGTERM), 0);
	rkit_drain(k);
	assert_int_equal(k->h.n_failed, 1);
	assert_gone(pid);
}

static void
test_hook_reap_timeout(void **state)
{
	char *argv[] = { "/bin/sleep", "30", NULL };
	struct rkit *k = *state;
	pid_t pid;

	pid = rkit_spawn(k, argv, 2000);
	assert_int_equal(hook_next_ms(&k->h), 2000);

	/* Before its deadline it is left alone. */
	k->now_ms += 1999;
	hook_reap(&k->h);
	assert_int_equal(k->h.n, 1);
	assert_false(k->h.kids[0].killed);
	assert_int_equal(k->h.n_failed, 0);
	assert_int_equal(hook_next_ms(&k->h), 1);
	assert_int_equal(kill(pid, 0), 0);

	/* At it, SIGKILL, counted once as a failure. */
	k->now_ms += 1;
	hook_reap(&k->h);
	assert_int_equal(k->h.n_failed, 1);
	assert_int_equal(k->h.n, 1);
	assert_true(k->h.kids[0].killed);
	/* A killed child has no deadline left. */
	assert_int_equal(hook_next_ms(&k->h), UINT32_MAX);
	rkit_drain(k);
	/* Its death by SIGKILL is not a second failure. */
	assert_int_equal(k->h.n_failed, 1);
	assert_gone(pid);
}

/* Is pid there and not dead? */
static bool
running(pid_t pid)
{
	char path[64], buf[512], *p;
	bool alive = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ')
		alive = p[2] != 'Z' && p[2] != 'X';
	fclose(f);
	return alive;
}

static void
test_hook_reap_timeout_kills_its_group(void **state)
{
	char dir[PATH_MAX], file[PATH_MAX + 16], script[PATH_MAX + 64];
	char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct rkit *k = *state;
	char buf[32];
	pid_t pid, grandchild = 0;
	FILE *f;
	int i;

	/* A hook that started a program of its own, and waits for it. */
	temp_dir(dir, sizeof(dir), "hook-group");
	snprintf(file, sizeof(file), "%s/pid", dir);
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s; wait",
	    file);
	pid = rkit_spawn(k, argv, 1000);
	for (i = 0; i < 500 && grandchild <= 0; i++) {
		f = fopen(file, "r");
		if (f != NULL) {
			if (fgets(buf, sizeof(buf), f) != NULL)
				grandchild = (pid_t)atol(buf);
			fclose(f);
		}
		if (grandchild <= 0)
			sleep_ms(10);
	}
	assert_true(grandchild > 0);
	assert_int_equal(getpgid(grandchild), pid);

	/* At the timeout, what it started dies with it. */
	k->now_ms += 1000;
	hook_reap(&k->h);
	rkit_drain(k);
	assert_gone(pid);
	/* Gone, or a zombie its new parent has yet to reap. */
	for (i = 0; i < 500 && running(grandchild); i++)
		sleep_ms(10);
	assert_false(running(grandchild));
	rm_tree(dir);
}

static void
test_hook_reap_mixed(void **state)
{
	char *sleep30[] = { "/bin/sleep", "30", NULL };
	char *exit3[] = { "/bin/sh", "-c", "exit 3", NULL };
	char *ok[] = { "/bin/true", NULL };
	struct rkit *k = *state;
	pid_t p1, p2, p3;
	int i;

	p1 = rkit_spawn(k, ok, 10000);
	p2 = rkit_spawn(k, sleep30, 4000);
	p3 = rkit_spawn(k, exit3, 6000);
	assert_int_equal(k->h.n, 3);
	assert_int_equal(hook_next_ms(&k->h), 4000);

	/* Wait for the two quick ones; the sleeper stays. */
	for (i = 0; i < 1000 && k->h.n > 1; i++) {
		hook_reap(&k->h);
		if (k->h.n > 1)
			sleep_ms(10);
	}
	assert_int_equal(k->h.n, 1);
	assert_int_equal(k->h.kids[0].pid, p2);
	assert_int_equal(k->h.n_failed, 1);
	assert_int_equal(hook_next_ms(&k->h), 4000);

	k->now_ms += 5000;
	assert_int_equal(hook_next_ms(&k->h), 0);
	hook_reap(&k->h);
	rkit_drain(k);
	assert_int_equal(k->h.n_failed, 2);
	assert_int_equal(hook_next_ms(&k->h), UINT32_MAX);
	assert_gone(p1);
	assert_gone(p2);
	assert_gone(p3);
}

static void
test_hook_reap_none(void **state)
{
	struct rkit *k = *state;

	hook_reap(&k->h);
	assert_int_equal(k->h.n, 0);
	assert_int_equal(k->h.n_failed, 0);
	assert_int_equal(hook_next_ms(&k->h), UINT32_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hook_warning),
		cmocka_unit_test(test_hook_env_warning),
		cmocka_unit_test(test_hook_env_all_variables),
		cmocka_unit_test(test_hook_env_user_name),
		cmocka_unit_test(test_hook_env_dry_run),
		cmocka_unit_test(test_hook_env_hostile_comm),
		cmocka_unit_test(test_hook_env_cmdline_4096),
		cmocka_unit_test(test_hook_env_small_buf),
		cmocka_unit_test(test_hook_env_small_n),
		cmocka_unit_test_setup_teardown(test_hook_after_kill_exec,
		    hkit_setup, hkit_teardown),
		cmocka_unit_test_setup_teardown(
		    test_hook_after_kill_exec_dry_run, hkit_setup,
		    hkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_after_kill_no_exec,
		    hkit_setup, hkit_teardown),
		cmocka_unit_test_setup_teardown(
		    test_hook_after_kill_spawn_fails, hkit_setup,
		    hkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_after_kill_desktop,
		    hkit_setup, hkit_teardown),
		cmocka_unit_test_setup_teardown(
		    test_hook_after_kill_desktop_and_exec, hkit_setup,
		    hkit_teardown),
		cmocka_unit_test(test_hook_after_kill_desktop_not_root),
		cmocka_unit_test(test_hook_after_kill_desktop_not_dry_run),
		cmocka_unit_test(test_hook_after_kill_desktop_not_stuck),
		cmocka_unit_test(test_hook_after_kill_desktop_no_bus),
		cmocka_unit_test(test_hook_after_kill_desktop_bus_not_socket),
		cmocka_unit_test(test_hook_after_kill_desktop_bus_other_uid),
		cmocka_unit_test_setup_teardown(
		    test_hook_after_kill_desktop_no_notify_send, hkit_setup,
		    hkit_teardown),
		cmocka_unit_test_setup_teardown(
		    test_hook_after_kill_desktop_arguments, hkit_setup,
		    hkit_teardown),
		cmocka_unit_test(test_hook_after_kill_desktop_markup),
		cmocka_unit_test(test_hook_after_kill_desktop_utf8),
		cmocka_unit_test(test_hook_after_kill_desktop_backslash),
		cmocka_unit_test_setup_teardown(
		    test_hook_after_kill_max_children, hkit_setup,
		    hkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_next_ms_none,
		    hkit_setup, hkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_next_ms_nearest,
		    hkit_setup, hkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_reap_exit_3,
		    rkit_setup, rkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_reap_false,
		    rkit_setup, rkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_reap_success,
		    rkit_setup, rkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_reap_exec_missing,
		    rkit_setup, rkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_reap_killed_by_signal,
		    rkit_setup, rkit_teardown),
		cmocka_unit_test_setup_teardown(
		    test_hook_reap_timeout_kills_its_group, rkit_setup,
		    rkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_reap_timeout,
		    rkit_setup, rkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_reap_mixed,
		    rkit_setup, rkit_teardown),
		cmocka_unit_test_setup_teardown(test_hook_reap_none, rkit_setup,
		    rkit_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
