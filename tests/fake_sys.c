/* SPDX-License-Identifier: MIT */
/* fake_sys.c: a recording fake of struct sys_ops for the kill tests. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_sys.h"

static struct fake_call *
record(struct fake_sys *f, const char *name, int id, int sig)
{
	struct fake_call *c;

	if (f->hook != NULL)
		f->hook(f, name, f->hook_arg);
	if (f->ncalls == FAKE_CALLS_MAX) {
		f->dropped++;
		return NULL;
	}
	c = &f->calls[f->ncalls++];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->id = id;
	c->sig = sig;
	return c;
}

static int
fake_pidfd_open(void *ctx, pid_t pid)
{
	struct fake_sys *f = ctx;

	record(f, "pidfd_open", (int)pid, 0);
	if (f->pidfd_open_err < 0)
		return f->pidfd_open_err;
	f->open_fds++;
	return f->next_fd++;
}

static int
fake_pidfd_send_signal(void *ctx, int pidfd, int sig)
{
	struct fake_sys *f = ctx;

	record(f, "pidfd_send_signal", pidfd, sig);
	return f->send_signal_err;
}

static int
fake_process_mrelease(void *ctx, int pidfd)
{
	struct fake_sys *f = ctx;

	record(f, "process_mrelease", pidfd, 0);
	return f->mrelease_err;
}

static int
fake_kill(void *ctx, pid_t pid, int sig)
{
	struct fake_sys *f = ctx;

	record(f, "kill", (int)pid, sig);
	return f->kill_err;
}

static int
fake_pidfd_exited(void *ctx, int pidfd)
{
	struct fake_sys *f = ctx;

	record(f, "pidfd_exited", pidfd, 0);
	return f->exited;
}

static int
fake_close(void *ctx, int fd)
{
	struct fake_sys *f = ctx;

	record(f, "close", fd, 0);
	/* Only the fake's own descriptors exist here. */
	if (fd < FAKE_FD_BASE || fd >= f->next_fd)
		return -EBADF;
	f->open_fds--;
	return 0;
}

static int
fake_write_file(void *ctx, const char *path, const char *text)
{
	struct fake_sys *f = ctx;
	struct fake_call *c;

	c = record(f, "write_file", 0, 0);
	if (c != NULL) {
		snprintf(c->path, sizeof(c->path), "%s", path);
		snprintf(c->text, sizeof(c->text), "%s", text);
	}
	return f->write_err;
}

static int
fake_spawn(void *ctx, const char *path, char *const argv[], char *const envp[],
    uid_t uid, pid_t *pid)
{
	struct fake_sys *f = ctx;
	struct fake_call *c;

	c = record(f, "spawn", (int)uid, 0);
	if (c != NULL)
		snprintf(c->path, sizeof(c->path), "%s", path);
	if (f->spawn_pid <= 0)
		return -ENOSYS;
	*pid = f->spawn_pid;
	return 0;
}

static uint64_t
fake_now_ms(void *ctx)
{
	struct fake_sys *f = ctx;

	/* Not recorded: the code under test reads the clock often. */
	if (f->hook != NULL)
		f->hook(f, "now_ms", f->hook_arg);
	return f->now_ms;
}

static int
fake_sysinfo(void *ctx, struct sys_mem *out)
{
	struct fake_sys *f = ctx;

	/* Not recorded either: every pass reads it. */
	if (f->hook != NULL)
		f->hook(f, "sysinfo", f->hook_arg);
	if (f->sysinfo_err < 0)
		return f->sysinfo_err;
	*out = f->mem;
	return 0;
}

void
fake_sys_init(struct fake_sys *f)
{
	memset(f, 0, sizeof(*f));
	f->ops.pidfd_open = fake_pidfd_open;
	f->ops.pidfd_send_signal = fake_pidfd_send_signal;
	f->ops.process_mrelease = fake_process_mrelease;
	f->ops.kill = fake_kill;
	f->ops.pidfd_exited = fake_pidfd_exited;
	f->ops.close = fake_close;
	f->ops.write_file = fake_write_file;
	f->ops.spawn = fake_spawn;
	f->ops.now_ms = fake_now_ms;
	f->ops.sysinfo = fake_sysinfo;
	f->ops.ctx = f;
	f->next_fd = FAKE_FD_BASE;
	/* Not 0: code that takes 0 for "never" must not be fooled. */
	f->now_ms = 1000000;
	/* A 16 GiB machine without swap, nearly idle. */
	f->mem.total_kib = 16 * 1024 * 1024;
	f->mem.free_kib = 12 * 1024 * 1024;
}

void
fake_sys_advance(struct fake_sys *f, uint64_t ms)
{
	f->now_ms += ms;
}

void
fake_sys_clear(struct fake_sys *f)
{
	f->ncalls = 0;
	f->dropped = 0;
}

size_t
fake_sys_count(const struct fake_sys *f, const char *name, int sig)
{
	size_t i, n = 0;

	for (i = 0; i < f->ncalls; i++)
		if (strcmp(f->calls[i].name, name) == 0 &&
		    (sig == 0 || f->calls[i].sig == sig))
			n++;
	return n;
}

const struct fake_call *
fake_sys_nth(const struct fake_sys *f, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < f->ncalls; i++)
		if (strcmp(f->calls[i].name, name) == 0 && n-- == 0)
			return &f->calls[i];
	return NULL;
}

size_t
fake_sys_count_actions(const struct fake_sys *f)
{
	return fake_sys_count(f, "pidfd_send_signal", 0) +
	       fake_sys_count(f, "kill", 0) +
	       fake_sys_count(f, "process_mrelease", 0) +
	       fake_sys_count(f, "write_file", 0) +
	       fake_sys_count(f, "spawn", 0);
}

void
fake_sys_dump(const struct fake_sys *f)
{
	size_t i;

	for (i = 0; i < f->ncalls; i++)
		fprintf(stderr, "  call %zu: %s(%d, %d)%s%s%s%s\n", i,
		    f->calls[i].name, f->calls[i].id, f->calls[i].sig,
		    f->calls[i].path[0] ? " " : "", f->calls[i].path,
		    f->calls[i].text[0] ? " <- " : "", f->calls[i].text);
	if (f->dropped > 0)
		fprintf(stderr, "  (%zu more calls not recorded)\n",
		    f->dropped);
}
