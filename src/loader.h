/* SPDX-License-Identifier: MIT */
/* loader.h: the pages only the dynamic linker reads, given back after start-up. */
#ifndef BUSTD_LOADER_H
#define BUSTD_LOADER_H

#include <link.h>
#include <stddef.h>
#include <stdint.h>

/* A page-aligned range of addresses, [lo, hi). */
struct loader_range {
	uintptr_t lo;
	uintptr_t hi;
};

#define LOADER_RANGES_MAX 32

/*
 * The ranges of one loaded object that, once every symbol is bound, only
 * the dynamic linker reads: all of its read-only segments if the object
 * is the dynamic linker itself (is_ldso), else the pages from its ELF
 * header to the end of its symbol and relocation tables, when those sit
 * in a segment of their own, neither writable nor executable.  vdso is
 * the address of the kernel's vDSO (left alone), page the page size.
 * Writes at most max ranges to out; returns how many.
 */
size_t loader_object_ranges(const struct dl_phdr_info *info, int is_ldso,
    uintptr_t vdso, uintptr_t page, struct loader_range *out, size_t max);

/*
 * Give back (munlock, then madvise MADV_DONTNEED) those ranges of every
 * object in this process.  Only sound when every symbol of every object
 * was bound at start (LD_BIND_NOW): then nothing but dlopen() and exit
 * reads them again, and a page read again is paged in like any other.
 * Returns the bytes given back, or -errno of the first failure.
 */
long loader_drop(void);

#endif
