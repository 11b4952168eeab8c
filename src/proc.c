/* SPDX-License-Identifier: MIT */
/* proc.c: /proc/PID readers, each a thin read around a pure parser. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "text.h"

int
proc_open(struct proc_ctx *ctx, const char *procfs)
{
	long page = sysconf(_SC_PAGESIZE);

	ctx->dirfd = open(procfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctx->dirfd < 0)
		return -errno;
	ctx->page_kib = page > 0 ? page / 1024 : 4;
	return 0;
}

void
proc_close(struct proc_ctx *ctx)
{
	if (ctx->dirfd >= 0)
		close(ctx->dirfd);
	ctx->dirfd = -1;
}

/* "PID/name" into path (64 bytes), without the cost of printf. */
static void
pid_path(char *path, pid_t pid, const char *name)
{
	char digits[16];
	size_t n = 0, i = 0;
	unsigned int v = (unsigned int)pid;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n < sizeof(digits));
	while (n > 0)
		path[i++] = digits[--n];
	path[i++] = '/';
	while (*name && i < 63)
		path[i++] = *name++;
	path[i] = '\0';
}

ssize_t
proc_read(const struct proc_ctx *ctx, pid_t pid, const char *name, char *buf,
    size_t size)
{
	char path[64];
	size_t len = 0;
	ssize_t n;
	int fd, r;

	if (size == 0)
		return -EINVAL;
	pid_path(path, pid, name);
	fd = openat(ctx->dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		size_t want = size - 1 - len;

		n = read(fd, buf + len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		len += (size_t)n;
		/*
		 * The files read here (seq_file single records, cmdline)
		 * return all they have, up to the count asked: a short read
		 * is the end, and the read of 0 that would say so again is
		 * a syscall per process saved in every scan.
		 */
		if ((size_t)n < want)
			break;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* A cursor over a buffer that need not be NUL-terminated. */
struct cur {
	const char *p;
	const char *end;
};

static int
cur_u64(struct cur *c, uint64_t *out)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
	return text_u64(&c->p, c->end, out);
}

static int
cur_i64(struct cur *c, int64_t *out)
{
	bool neg = false;
	uint64_t v;
	int r;

	while (c->p < c->end && *c->p == ' ')
		c->p++;
	if (c->p < c->end && *c->p == '-') {
		neg = true;
		c->p++;
	}
	r = cur_u64(c, &v);
	if (r < 0)
		return r;
	if (v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* Skip one space-separated field. */
static int
cur_skip(struct cur *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
	if (c->p == c->end)
		return -EINVAL;
	while (c->p < c->end && *c->p != ' ')
		c->p++;
	return 0;
}

int
proc_stat_parse_buf(const char *buf, size_t len, struct proc_stat *out)
{
	const char *open_paren, *close_paren;
	struct cur c;
	uint64_t u;
	int64_t i;
	size_t n;
	int f;

	/*
	 * "PID (COMM) S PPID ...": COMM is up to 15 bytes the process chose,
	 * ')' and newlines included, so it ends at the last ')' (proc(5)).
	 */
	open_paren = memchr(buf, '(', len);
	if (open_paren == NULL)
		return -EINVAL;
	close_paren = NULL;
	for (n = len; n > 0; n--) {
		if (buf[n - 1] == ')') {
			close_paren = buf + n - 1;
			break;
		}
	}
	if (close_paren == NULL || close_paren < open_paren)
		return -EINVAL;
	n = (size_t)(close_paren - open_paren - 1);
	if (n >= PROC_COMM_MAX)
		n = PROC_COMM_MAX - 1;
	memcpy(out->comm, open_paren + 1, n);
	out->comm[n] = '\0';

	c.p = close_paren + 1;
	c.end = buf + len;
	while (c.p < c.end && *c.p == ' ')
		c.p++;
	if (c.p == c.end)
		return -EINVAL;
	out->state = *c.p++;
	/* Fields 4 (ppid) to 24 (rss). */
	for (f = 4; f <= 24; f++) {
		switch (f) {
		case 4:
		case 5:
			if (cur_i64(&c, &i) < 0)
				return -EINVAL;
			if (f == 4)
				out->ppid = (pid_t)i;
			else
				out->pgrp = (pid_t)i;
			break;
		case 9:
			if (cur_u64(&c, &u) < 0)
				return -EINVAL;
			out->flags = (unsigned int)u;
			break;
		case 22:
			if (cur_u64(&c, &out->start_time) < 0)
				return -EINVAL;
			break;
		case 24:
			if (cur_i64(&c, &i) < 0)
				return -EINVAL;
			out->rss_pages = i > 0 ? (uint64_t)i : 0;
			break;
		default:
			if (cur_skip(&c) < 0)
				return -EINVAL;
			break;
		}
	}
	return 0;
}

int
proc_status_uid_parse_buf(const char *buf, size_t len, uid_t *uid)
{
	const char *p = buf, *end = buf + len, *line;
	struct cur c;
	uint64_t u;
	size_t ll;

	while ((line = text_line(&p, end, &ll)) != NULL) {
		if (ll > 4 && memcmp(line, "Uid:", 4) == 0) {
			c.p = line + 4;
			c.end = line + ll;
			while (c.p < c.end && *c.p == '\t')
				c.p++;
			if (cur_u64(&c, &u) < 0 || u > UINT32_MAX)
				return -EINVAL;
			*uid = (uid_t)u;
			return 0;
		}
	}
	return -EINVAL;
}

int
proc_status_swap_parse_buf(const char *buf, size_t len, uint64_t *kib)
{
	const char *p = buf, *end = buf + len, *line;
	struct cur c;
	uint64_t u;
	size_t ll;

	while ((line = text_line(&p, end, &ll)) != NULL) {
		if (ll > 7 && memcmp(line, "VmSwap:", 7) == 0) {
			c.p = line + 7;
			c.end = line + ll;
			while (c.p < c.end && (*c.p == '\t' || *c.p == ' '))
				c.p++;
			if (cur_u64(&c, &u) < 0 || c.end - c.p != 3 ||
			    memcmp(c.p, " kB", 3) != 0)
				return -EINVAL;
			*kib = u;
			return 0;
		}
	}
	*kib = 0;
	return 0;
}

int
proc_int_parse_buf(const char *buf, size_t len, int *out)
{
	struct cur c = { buf, buf + len };
	int64_t v;

	if (cur_i64(&c, &v) < 0 || v < -100000 || v > 100000)
		return -EINVAL;
	if (c.p < c.end && *c.p != '\n')
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int
proc_cgroup_parse_buf(const char *buf, size_t len, char *out, size_t size)
{
	size_t i, n;

	/*
	 * The v2 line "0::PATH" comes last, its PATH printed raw.  Kernels
	 * since 2019 refuse '\n' in cgroup names; on older ones a name could
	 * hold "\n0::/forged", which then follows the real line: so take the
	 * first "0::" at a line start and the rest of the file, minus the
	 * final newline.
	 */
	for (i = 0; i + 3 <= len; i++) {
		if ((i == 0 || buf[i - 1] == '\n') &&
		    memcmp(buf + i, "0::", 3) == 0)
			break;
	}
	if (i + 3 > len)
		return -ENOENT;
	i += 3;
	n = len - i;
	if (n > 0 && buf[len - 1] == '\n')
		n--;
	if (n == 0 || n >= size || memchr(buf + i, '\0', n) != NULL)
		return -EINVAL;
	memcpy(out, buf + i, n);
	out[n] = '\0';
	return 0;
}

size_t
proc_cmdline_from_buf(char *buf, size_t len)
{
	size_t i;

	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[len] = '\0';
	return len;
}

static int
read_stat(const struct proc_ctx *ctx, struct proc_info *info)
{
	char buf[1024];
	ssize_t n;

	n = proc_read(ctx, info->pid, "stat", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (proc_stat_parse_buf(buf, (size_t)n, &info->st) < 0)
		return -EINVAL;
	info->rss_kib = info->st.rss_pages * (uint64_t)ctx->page_kib;
	return 0;
}

/*
 * status, once for both of its fields want asks for (PROC_HAVE_UID,
 * PROC_HAVE_SWAP): sets the bits of those it parsed.  0 or -errno; a
 * field that does not parse is an -EINVAL, the other may still be set.
 */
static int
read_status(const struct proc_ctx *ctx, struct proc_info *info,
    unsigned int want)
{
	char buf[4096];
	ssize_t n;
	int r = 0;

	n = proc_read(ctx, info->pid, "status", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (want & PROC_HAVE_UID) {
		if (proc_status_uid_parse_buf(buf, (size_t)n, &info->uid) == 0)
			info->have |= PROC_HAVE_UID;
		else
			r = -EINVAL;
	}
	if (want & PROC_HAVE_SWAP) {
		if (proc_status_swap_parse_buf(buf, (size_t)n,
		    &info->swap_kib) == 0)
			info->have |= PROC_HAVE_SWAP;
		else
			r = -EINVAL;
	}
	return r;
}

static int
read_int(const struct proc_ctx *ctx, pid_t pid, const char *name, int *out)
{
	char buf[32];
	ssize_t n;

	n = proc_read(ctx, pid, name, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return proc_int_parse_buf(buf, (size_t)n, out);
}

static int
read_exe(const struct proc_ctx *ctx, struct proc_info *info, char *buf,
    size_t size)
{
	static const char deleted[] = " (deleted)";
	const size_t dl = sizeof(deleted) - 1;
	char path[64];
	ssize_t n;

	pid_path(path, info->pid, "exe");
	n = readlinkat(ctx->dirfd, path, buf, size - 1);
	/* Kernel threads and zombies have no exe: ENOENT, though they are
	 * there.  A process really gone fails its other reads too. */
	if (n < 0)
		return errno == ENOENT ? -ENODATA : -errno;
	buf[n] = '\0';
	/*
	 * After an upgrade, a running daemon's exe reads "/usr/sbin/sshd
	 * (deleted)".  Strip the mark so protection holds: to forge it one
	 * needs write access to the protected folder.
	 */
	if ((size_t)n > dl && memcmp(buf + n - dl, deleted, dl) == 0)
		buf[n - dl] = '\0';
	info->exe = buf;
	return 0;
}

static int
read_cmdline(const struct proc_ctx *ctx, struct proc_info *info, char *buf,
    size_t size)
{
	ssize_t n;

	n = proc_read(ctx, info->pid, "cmdline", buf, size);
	if (n < 0)
		return (int)n;
	info->cmdline_len = proc_cmdline_from_buf(buf, (size_t)n);
	info->cmdline = buf;
	return 0;
}

static int
read_cgroup(const struct proc_ctx *ctx, struct proc_info *info, char *buf,
    size_t size)
{
	char raw[PROC_PATH_MAX + 256];
	ssize_t n;
	int r;

	n = proc_read(ctx, info->pid, "cgroup", raw, sizeof(raw));
	if (n < 0)
		return (int)n;
	r = proc_cgroup_parse_buf(raw, (size_t)n, buf, size);
	/*
	 * No v2 line: a host with cgroup v1 only.  The process has no v2
	 * path, and that is known, not unreadable: a cgroup rule does not
	 * match it (cgroup NULL), and a [never-kill] cgroup rule does not
	 * protect every process of such a host.
	 */
	if (r == -ENOENT) {
		buf[0] = '\0';
		info->cgroup = NULL;
		return 0;
	}
	if (r < 0)
		return r;
	info->cgroup = buf;
	return 0;
}

/* Where the strings info already has in bufs end: the next one goes
 * there.  Strings kept elsewhere (a caller's copy) take no room. */
static size_t
text_used(const struct proc_info *info, const struct proc_bufs *bufs)
{
	const char *s[3] = { info->exe, info->cmdline, info->cgroup };
	const unsigned int bits[3] = { PROC_HAVE_EXE, PROC_HAVE_CMDLINE,
		PROC_HAVE_CGROUP };
	uintptr_t lo = (uintptr_t)bufs->text, hi = lo + sizeof(bufs->text);
	size_t used = 0, end;
	int i;

	for (i = 0; i < 3; i++) {
		uintptr_t a = (uintptr_t)s[i];

		if (!(info->have & bits[i]) || s[i] == NULL || a < lo ||
		    a >= hi)
			continue;
		end = (size_t)(a - lo) + strnlen(s[i], hi - a) + 1;
		if (end > used)
			used = end;
	}
	return used < sizeof(bufs->text) ? used : sizeof(bufs->text);
}

int
proc_fill(const struct proc_ctx *ctx, struct proc_info *info, unsigned int want,
    struct proc_bufs *bufs)
{
	const unsigned int strings =
	    PROC_HAVE_EXE | PROC_HAVE_CMDLINE | PROC_HAVE_CGROUP;
	unsigned int todo = want & ~info->have & ~info->failed;
	size_t used = 0;
	int first = 0;
	unsigned int bit;

	/* Without bufs, no string can be read (the caller wants none). */
	if (bufs == NULL)
		todo &= ~strings;
	else if (todo & strings)
		used = text_used(info, bufs);
	for (bit = 1; bit <= PROC_HAVE_SWAP; bit <<= 1) {
		char *at = bufs != NULL ? bufs->text + used : NULL;
		size_t left = bufs != NULL ? sizeof(bufs->text) - used : 0;
		int r = 0;

		if (!(todo & bit))
			continue;
		switch (bit) {
		case PROC_HAVE_STAT:
			r = read_stat(ctx, info);
			break;
		case PROC_HAVE_UID:
		case PROC_HAVE_SWAP:
			/* One read of status for both; the other bit, if
			 * asked for, is done with it. */
			r = read_status(ctx, info,
			    todo & (PROC_HAVE_UID | PROC_HAVE_SWAP));
			todo &= ~(PROC_HAVE_UID | PROC_HAVE_SWAP);
			if (r < 0) {
				info->failed |= want & ~info->have &
				    (PROC_HAVE_UID | PROC_HAVE_SWAP);
				if (first == 0)
					first = r;
				if (r == -ENOENT || r == -ESRCH)
					return first;
			}
			continue;
		case PROC_HAVE_OOM_SCORE:
			r = read_int(ctx, info->pid, "oom_score",
			    &info->oom_score);
			break;
		case PROC_HAVE_OOM_ADJ:
			r = read_int(ctx, info->pid, "oom_score_adj",
			    &info->oom_score_adj);
			break;
		/* Each string is read once per process at most, so its
		 * full size is always left (text is the sum of the three). */
		case PROC_HAVE_EXE:
			r = left < PROC_PATH_MAX ? -ENOBUFS :
			    read_exe(ctx, info, at, PROC_PATH_MAX);
			break;
		case PROC_HAVE_CMDLINE:
			r = left < PROC_CMDLINE_MAX + 1 ? -ENOBUFS :
			    read_cmdline(ctx, info, at, PROC_CMDLINE_MAX + 1);
			break;
		case PROC_HAVE_CGROUP:
			r = left < PROC_PATH_MAX ? -ENOBUFS :
			    read_cgroup(ctx, info, at, PROC_PATH_MAX);
			break;
		}
		if (r == 0) {
			info->have |= bit;
			if (bit & strings)
				used += strlen(at) + 1;
		} else {
			info->failed |= bit;
			if (first == 0)
				first = r;
			/* Gone: nothing else will read. */
			if (r == -ENOENT || r == -ESRCH)
				break;
		}
	}
	return first;
}

/* A /proc entry named by a pid: digits only, at most PID_MAX_LIMIT. */
static bool
parse_pid(const char *name, pid_t *pid)
{
	const char *p = name, *end = name + strlen(name);
	uint64_t v;

	if (text_u64(&p, end, &v) < 0 || p != end || v == 0 || v > 4194304)
		return false;
	*pid = (pid_t)v;
	return true;
}

int
proc_each_pid(const struct proc_ctx *ctx, char *dents, size_t size,
    bool (*fn)(pid_t pid, void *arg), void *arg)
{
	long n, off;
	pid_t pid;

	/* opendir() would allocate: getdents64 reads into our buffer. */
	if (lseek(ctx->dirfd, 0, SEEK_SET) < 0)
		return -errno;
	while ((n = getdents64(ctx->dirfd, dents, size)) > 0) {
		for (off = 0; off < n;) {
			struct dirent64 *d = (void *)(dents + off);

			off += d->d_reclen;
			if (parse_pid(d->d_name, &pid) && !fn(pid, arg))
				return 0;
		}
	}
	return n < 0 ? -errno : 0;
}

bool
proc_dead(const struct proc_stat *st)
{
	return st->state == 'Z' || st->state == 'X' || st->state == 'x';
}

int
proc_meminfo_swap_parse_buf(const char *buf, size_t len, uint64_t *total_kib,
    uint64_t *free_kib)
{
	const char *p = buf, *end = buf + len, *line;
	unsigned int found = 0;
	struct cur c;
	uint64_t u;
	size_t ll;

	while ((line = text_line(&p, end, &ll)) != NULL && found != 3) {
		uint64_t *to;
		size_t kl;

		if (ll > 10 && memcmp(line, "SwapTotal:", 10) == 0) {
			to = total_kib;
			kl = 10;
			found |= 1;
		} else if (ll > 9 && memcmp(line, "SwapFree:", 9) == 0) {
			to = free_kib;
			kl = 9;
			found |= 2;
		} else {
			continue;
		}
		c.p = line + kl;
		c.end = line + ll;
		if (cur_u64(&c, &u) < 0)
			return -EINVAL;
		*to = u;
	}
	return found == 3 ? 0 : -EINVAL;
}

int
proc_read_swap(const struct proc_ctx *ctx, uint64_t *total_kib,
    uint64_t *free_kib)
{
	char buf[4096];
	ssize_t n = 0;
	int fd, r;

	fd = openat(ctx->dirfd, "meminfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	return proc_meminfo_swap_parse_buf(buf, (size_t)n, total_kib,
	    free_kib);
}

int
proc_start_time(const struct proc_ctx *ctx, pid_t pid, uint64_t *out)
{
	struct proc_info info;
	int r;

	memset(&info, 0, sizeof(info));
	info.pid = pid;
	r = read_stat(ctx, &info);
	if (r < 0)
		return r;
	*out = info.st.start_time;
	return 0;
}
