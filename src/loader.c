/* SPDX-License-Identifier: MIT */
/*
 * loader.c: bustd locks every page it touches, and start-up touches the
 * dynamic linker's code and every object's symbol and relocation tables.
 * Once every symbol is bound (LD_BIND_NOW, main.c), nothing reads them
 * again but dlopen() and exit: they are given back, and stay in the page
 * cache for the other programs that map them (bustd(8), "Memory").
 */
#include <errno.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader.h"

static uintptr_t
page_down(uintptr_t a, uintptr_t page)
{
	return a & ~(page - 1);
}

static uintptr_t
page_up(uintptr_t a, uintptr_t page)
{
	return (a + page - 1) & ~(page - 1);
}

/*
 * An address from the dynamic section.  The dynamic linker rewrites some
 * entries as addresses and leaves the others offsets from the base: an
 * object is loaded far above its own size, so the two do not mix up.
 */
static uintptr_t
dyn_addr(ElfW(Addr) v, uintptr_t base)
{
	return v < base ? base + v : v;
}

/* Is ph of the kind given back (a page shared with it may go)? */
static int
same_kind(const ElfW(Phdr) *ph, int is_ldso)
{
	if (is_ldso)
		return !(ph->p_flags & PF_W);
	return !(ph->p_flags & (PF_W | PF_X)) && ph->p_offset == 0;
}

/*
 * Add [lo, hi) to out, less any page it shares with a segment of another
 * kind (code or data the loop may need).  Returns 1 if a range was added.
 */
static size_t
add_range(const struct dl_phdr_info *info, int is_ldso, uintptr_t lo,
    uintptr_t hi, uintptr_t page, struct loader_range *out)
{
	uintptr_t base = info->dlpi_addr;
	size_t i;

	for (i = 0; i < info->dlpi_phnum && lo < hi; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t slo, shi;

		if (ph->p_type != PT_LOAD || same_kind(ph, is_ldso))
			continue;
		slo = page_down(base + ph->p_vaddr, page);
		shi = page_up(base + ph->p_vaddr + ph->p_memsz, page);
		if (shi <= lo || slo >= hi)
			continue;
		if (slo > lo)
			hi = slo;
		else
			lo = shi;
	}
	if (lo >= hi)
		return 0;
	out->lo = lo;
	out->hi = hi;
	return 1;
}

/*
 * The end of the symbol and relocation tables of an object whose first
 * segment spans [lo, hi), or 0 if one of them lies outside it (a layout
 * not known here: nothing is dropped).
 */
static uintptr_t
tables_end(const ElfW(Dyn) *d, uintptr_t base, uintptr_t lo, uintptr_t hi)
{
	uintptr_t strtab = 0, end = lo, a;
	uint64_t strsz = 0, rela = 0, relasz = 0, rel = 0, relsz = 0;
	uint64_t jmprel = 0, pltrelsz = 0, relr = 0, relrsz = 0;

	for (; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB:
		case DT_HASH:
		case DT_GNU_HASH:
		case DT_VERSYM:
		case DT_VERDEF:
		case DT_VERNEED:
			a = dyn_addr(d->d_un.d_ptr, base);
			if (a < lo || a >= hi)
				return 0;
			break;
		case DT_STRTAB:
			strtab = d->d_un.d_ptr;
			break;
		case DT_STRSZ:
			strsz = d->d_un.d_val;
			break;
		case DT_RELA:
			rela = d->d_un.d_ptr;
			break;
		case DT_RELASZ:
			relasz = d->d_un.d_val;
			break;
		case DT_REL:
			rel = d->d_un.d_ptr;
			break;
		case DT_RELSZ:
			relsz = d->d_un.d_val;
			break;
		case DT_JMPREL:
			jmprel = d->d_un.d_ptr;
			break;
		case DT_PLTRELSZ:
			pltrelsz = d->d_un.d_val;
			break;
#ifdef DT_RELR
		case DT_RELR:
			relr = d->d_un.d_ptr;
			break;
		case DT_RELRSZ:
			relrsz = d->d_un.d_val;
			break;
#endif
		default:
			break;
		}
	}
	if (strtab == 0)
		return 0;
	{
		const uint64_t t[][2] = { { strtab, strsz }, { rela, relasz },
		    { rel, relsz }, { jmprel, pltrelsz }, { relr, relrsz } };
		size_t i;

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			if (t[i][0] == 0)
				continue;
			a = dyn_addr((ElfW(Addr))t[i][0], base);
			if (a < lo || a > hi || t[i][1] > hi - a)
				return 0;
			if (a + t[i][1] > end)
				end = (uintptr_t)(a + t[i][1]);
		}
	}
	return end;
}

size_t
loader_object_ranges(const struct dl_phdr_info *info, int is_ldso,
    uintptr_t vdso, uintptr_t page, struct loader_range *out, size_t max)
{
	const ElfW(Phdr) *first = NULL, *dyn = NULL;
	uintptr_t base = info->dlpi_addr, lo, hi, end;
	size_t i, n = 0;

	if (page == 0 || (page & (page - 1)) != 0 || max == 0)
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && ph->p_offset == 0 && first == NULL)
			first = ph;
		else if (ph->p_type == PT_DYNAMIC)
			dyn = ph;
	}
	/* The vDSO is the kernel's: never touched. */
	if (first == NULL || (vdso != 0 && base + first->p_vaddr == vdso))
		return 0;

	if (is_ldso) {
		for (i = 0; i < info->dlpi_phnum && n < max; i++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

			if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
				continue;
			lo = page_down(base + ph->p_vaddr, page);
			hi = page_up(base + ph->p_vaddr + ph->p_memsz, page);
			n += add_range(info, is_ldso, lo, hi, page, out + n);
		}
		return n;
	}

	if (dyn == NULL || (first->p_flags & (PF_W | PF_X)))
		return 0;
	lo = base + first->p_vaddr;
	hi = lo + first->p_filesz;
	end = tables_end((const ElfW(Dyn) *)(base + dyn->p_vaddr), base,
	    lo, hi);
	if (end == 0)
		return 0;
	/* The page the tables end in is kept when something follows. */
	end = end >= hi ? page_up(hi, page) : page_down(end, page);
	return add_range(info, is_ldso, page_down(lo, page), end, page, out);
}

struct collect {
	struct loader_range r[LOADER_RANGES_MAX];
	size_t n;
	uintptr_t ldso;
	uintptr_t vdso;
	uintptr_t page;
};

static int
collect_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct collect *c = arg;

	(void)size;
	c->n += loader_object_ranges(info,
	    c->ldso != 0 && info->dlpi_addr == c->ldso, c->vdso, c->page,
	    c->r + c->n, LOADER_RANGES_MAX - c->n);
	return 0;
}

long
loader_drop(void)
{
	struct collect c;
	long page = sysconf(_SC_PAGESIZE), total = 0;
	size_t i;

	if (page <= 0)
		return -EINVAL;
	c.n = 0;
	c.ldso = (uintptr_t)getauxval(AT_BASE);
	c.vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	c.page = (uintptr_t)page;
	dl_iterate_phdr(collect_object, &c);
	/* After the walk: the program headers read there go too. */
	for (i = 0; i < c.n; i++) {
		void *a = (void *)c.r[i].lo;
		size_t len = c.r[i].hi - c.r[i].lo;

		/* Locked pages cannot be dropped; unlocked, they come back
		 * (unlocked) only if read again. */
		if (munlock(a, len) < 0 || madvise(a, len, MADV_DONTNEED) < 0)
			return -errno;
		total += (long)len;
	}
	return total;
}
