/* SPDX-License-Identifier: MIT */
/* proc.h: reading /proc/PID files into struct proc_info (reads only). */
#ifndef BUSTD_PROC_H
#define BUSTD_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_COMM_MAX 16 /* TASK_COMM_LEN, NUL included */
#define PROC_CMDLINE_MAX 4096 /* what rules and hooks see of argv */
#define PROC_PATH_MAX 4096

/* Bits of struct proc_info.have: which fields hold data. */
enum {
	PROC_HAVE_STAT = 1 << 0, /* comm state ppid pgrp flags start rss */
	PROC_HAVE_UID = 1 << 1,
	PROC_HAVE_OOM_SCORE = 1 << 2,
	PROC_HAVE_OOM_ADJ = 1 << 3,
	PROC_HAVE_EXE = 1 << 4,
	PROC_HAVE_CMDLINE = 1 << 5,
	PROC_HAVE_CGROUP = 1 << 6,
	PROC_HAVE_SWAP = 1 << 7, /* VmSwap, from status as the uid is */
};

/* The fields of /proc/PID/stat bustd uses. */
struct proc_stat {
	char comm[PROC_COMM_MAX]; /* as the kernel has it: any bytes */
	char state;
	pid_t ppid;
	pid_t pgrp;
	unsigned int flags; /* PF_* */
	uint64_t start_time; /* clock ticks after boot (field 22) */
	uint64_t rss_pages; /* field 24 */
};

#define PROC_PF_KTHREAD 0x00200000u /* include/linux/sched.h */

struct proc_info {
	pid_t pid;
	unsigned int have; /* PROC_HAVE_* */
	unsigned int failed; /* PROC_HAVE_* that could not be read */
	struct proc_stat st;
	uint64_t rss_kib;
	uint64_t swap_kib; /* VmSwap: 0 where status has none (kthreads) */
	uid_t uid; /* real uid */
	int oom_score;
	int oom_score_adj;
	/* The three strings point into buffers of the caller (struct
	 * proc_bufs), valid until the next process is read. */
	const char *exe; /* " (deleted)" stripped */
	const char *cmdline; /* NULs turned to spaces */
	size_t cmdline_len;
	const char *cgroup; /* v2 path, "/" for the root; NULL: no v2 path
	                       (a host with cgroup v1 only) */
};

/*
 * Scratch space for one process's strings; preallocated, no heap.  They
 * are packed one after the other in the order read, each given the most
 * it may need: short strings share a page rather than dirtying one each.
 */
struct proc_bufs {
	char text[PROC_PATH_MAX + PROC_CMDLINE_MAX + 1 + PROC_PATH_MAX];
};

/* An open /proc: every path is relative to its fd. */
struct proc_ctx {
	int dirfd;
	long page_kib;
};

/* Open procfs (e.g. "/proc", or a fixture tree).  Returns 0 or -errno. */
int proc_open(struct proc_ctx *ctx, const char *procfs);
void proc_close(struct proc_ctx *ctx);

/*
 * Read /proc/PID/NAME (name may be "stat", "oom_score", ...) into buf,
 * NUL-terminated.  Returns the length, or -errno: -ENOENT or -ESRCH mean
 * the process is gone.
 */
ssize_t proc_read(const struct proc_ctx *ctx, pid_t pid, const char *name,
    char *buf, size_t size);

/* Pure parsers: the comm in stat may hold ')', spaces, newlines. */
int proc_stat_parse_buf(const char *buf, size_t len, struct proc_stat *out);
int proc_status_uid_parse_buf(const char *buf, size_t len, uid_t *uid);
/* VmSwap of status in KiB; 0 if status has no such line (a kernel
 * thread has no memory of its own), -EINVAL if the line is garbled. */
int proc_status_swap_parse_buf(const char *buf, size_t len, uint64_t *kib);
int proc_int_parse_buf(const char *buf, size_t len, int *out);
/* cgroup v2 line "0::PATH"; -ENOENT if there is none (v1 only). */
int proc_cgroup_parse_buf(const char *buf, size_t len, char *out, size_t size);
/* argv as one string: NULs to spaces, trailing NULs dropped. */
size_t proc_cmdline_from_buf(char *buf, size_t len);

/*
 * Fill the fields of want (PROC_HAVE_*) that info lacks.  Strings go to
 * bufs (NULL when want has none: then no string is read).  Returns 0,
 * or -errno of the first failure: -ENOENT/-ESRCH when
 * the process is gone; the bits that failed are set in info->failed.
 */
int proc_fill(const struct proc_ctx *ctx, struct proc_info *info,
    unsigned int want, struct proc_bufs *bufs);

/*
 * Call fn(pid, arg) for each process in procfs, reading the folder with
 * getdents64 into dents (size bytes, the caller's: no heap).  Stops when
 * fn returns false.  Returns 0, or -errno if procfs cannot be read.
 */
int proc_each_pid(const struct proc_ctx *ctx, char *dents, size_t size,
    bool (*fn)(pid_t pid, void *arg), void *arg);

/*
 * Is the process of st dead or dying, its memory on the way back: a
 * zombie ('Z') or dead ('X', 'x' on kernels before 4.14)?
 */
bool proc_dead(const struct proc_stat *st);

/*
 * SwapTotal and SwapFree of procfs/meminfo, in KiB: what swap can add to
 * any process's memory.  0 or -errno.
 */
int proc_meminfo_swap_parse_buf(const char *buf, size_t len,
    uint64_t *total_kib, uint64_t *free_kib);
int proc_read_swap(const struct proc_ctx *ctx, uint64_t *total_kib,
    uint64_t *free_kib);

/* Start time of pid from stat, for identity checks.  0 or -errno. */
int proc_start_time(const struct proc_ctx *ctx, pid_t pid, uint64_t *out);

#endif
