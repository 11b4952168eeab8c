/* SPDX-License-Identifier: MIT */
/* test_loader.c: which pages loader.c gives back, on made-up objects and
 * on this very process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <cmocka.h>

#include "loader.h"

#define PAGE 4096u

/* A made-up object: program headers, and a dynamic section in memory at
 * base + DYN_AT. */
#define DYN_AT 0x40000u

/* Page-aligned, so that the made-up base is too; one object at a time. */
static ElfW(Dyn) dyn_mem[16] __attribute__((aligned(PAGE)));

struct fake {
	ElfW(Phdr) ph[8];
	ElfW(Dyn) *dyn;
	struct dl_phdr_info info;
	size_t nph, ndyn;
};

static void
fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	memset(dyn_mem, 0, sizeof(dyn_mem));
	f->dyn = dyn_mem;
	f->info.dlpi_addr = (ElfW(Addr))((uintptr_t)f->dyn - DYN_AT);
	f->info.dlpi_phdr = f->ph;
}

static void
fake_load(struct fake *f, uint64_t off, uint64_t vaddr, uint64_t size,
    uint32_t flags)
{
	ElfW(Phdr) *p = &f->ph[f->nph++];

	p->p_type = PT_LOAD;
	p->p_offset = off;
	p->p_vaddr = vaddr;
	p->p_filesz = size;
	p->p_memsz = size;
	p->p_flags = flags;
	f->info.dlpi_phnum = (ElfW(Half))f->nph;
}

/* One dynamic entry; the dynamic linker has rewritten addresses when
 * moved is set. */
static void
fake_dyn(struct fake *f, int64_t tag, uint64_t v, int moved)
{
	f->dyn[f->ndyn].d_tag = tag;
	f->dyn[f->ndyn].d_un.d_val = moved ? f->info.dlpi_addr + v : v;
	f->ndyn++;
}

static void
fake_done(struct fake *f)
{
	ElfW(Phdr) *p = &f->ph[f->nph++];

	f->dyn[f->ndyn].d_tag = DT_NULL;
	p->p_type = PT_DYNAMIC;
	p->p_vaddr = DYN_AT;
	p->p_offset = DYN_AT;
	p->p_filesz = p->p_memsz = sizeof(dyn_mem);
	p->p_flags = PF_R | PF_W;
	f->info.dlpi_phnum = (ElfW(Half))f->nph;
}

/* The tables of a GNU ld object with separate code: headers, hash,
 * symbols, strings, versions, relocations, up to end. */
static void
fake_tables(struct fake *f, uint64_t end, int moved)
{
	fake_dyn(f, DT_GNU_HASH, 0x3a0, moved);
	fake_dyn(f, DT_SYMTAB, 0x3e0, moved);
	fake_dyn(f, DT_STRTAB, 0xec0, moved);
	fake_dyn(f, DT_STRSZ, 0x413, 0);
	fake_dyn(f, DT_VERSYM, 0x12d4, moved);
	fake_dyn(f, DT_VERNEED, 0x13c0, moved);
	fake_dyn(f, DT_RELA, 0x1460, moved);
	fake_dyn(f, DT_RELASZ, 0xf0, 0);
	fake_dyn(f, DT_JMPREL, 0x1550, moved);
	fake_dyn(f, DT_PLTRELSZ, end - 0x1550, 0);
}

static size_t
ranges(struct fake *f, int is_ldso, struct loader_range *r)
{
	return loader_object_ranges(&f->info, is_ldso, 0, PAGE, r,
	    LOADER_RANGES_MAX);
}

static void
test_loader_object_ranges_gnu_layout(void **state)
{
	struct loader_range r[LOADER_RANGES_MAX];
	uintptr_t base;
	int moved;

	(void)state;
	/* Whether or not the dynamic linker rewrote the addresses. */
	for (moved = 0; moved <= 1; moved++) {
		struct fake f;

		fake_init(&f);
		base = f.info.dlpi_addr;
		fake_load(&f, 0, 0, 0x1f70, PF_R);
		fake_load(&f, 0x2000, 0x2000, 0xc439, PF_R | PF_X);
		fake_load(&f, 0xf000, 0xf000, 0x37b8, PF_R);
		fake_load(&f, 0x13290, 0x13290, 0x10e8, PF_R | PF_W);
		fake_tables(&f, 0x1f70, moved);
		fake_done(&f);
		assert_int_equal(ranges(&f, 0, r), 1);
		/* The whole first segment: the tables fill it. */
		assert_true(r[0].lo == base && r[0].hi == base + 0x2000);
	}
}

static void
test_loader_object_ranges_tables_then_rodata(void **state)
{
	struct loader_range r[LOADER_RANGES_MAX];
	struct fake f;

	(void)state;
	/* Read-only data after the tables in the same segment (as lld
	 * lays out): the page the tables end in stays, and all after it. */
	fake_init(&f);
	fake_load(&f, 0, 0, 0x5800, PF_R);
	fake_load(&f, 0x6000, 0x6000, 0x3000, PF_R | PF_X);
	fake_tables(&f, 0x2100, 1);
	fake_done(&f);
	assert_int_equal(ranges(&f, 0, r), 1);
	assert_true(r[0].lo == f.info.dlpi_addr);
	assert_true(r[0].hi == f.info.dlpi_addr + 0x2000);
}

static void
test_loader_object_ranges_unknown_layouts(void **state)
{
	struct loader_range r[LOADER_RANGES_MAX];
	struct fake f;

	(void)state;
	/* Code in the first segment (no separate code): nothing. */
	fake_init(&f);
	fake_load(&f, 0, 0, 0x9000, PF_R | PF_X);
	fake_tables(&f, 0x1f70, 1);
	fake_done(&f);
	assert_int_equal(ranges(&f, 0, r), 0);

	/* A table outside the first segment: nothing. */
	fake_init(&f);
	fake_load(&f, 0, 0, 0x1000, PF_R);
	fake_load(&f, 0x1000, 0x1000, 0x2000, PF_R | PF_X);
	fake_tables(&f, 0x1f70, 1);
	fake_done(&f);
	assert_int_equal(ranges(&f, 0, r), 0);

	/* No string table: nothing. */
	fake_init(&f);
	fake_load(&f, 0, 0, 0x1f70, PF_R);
	fake_dyn(&f, DT_RELA, 0x1460, 1);
	fake_dyn(&f, DT_RELASZ, 0xf0, 0);
	fake_done(&f);
	assert_int_equal(ranges(&f, 0, r), 0);

	/* No dynamic section (a static program): nothing. */
	fake_init(&f);
	fake_load(&f, 0, 0, 0x1f70, PF_R);
	assert_int_equal(ranges(&f, 0, r), 0);

	/* The kernel's vDSO: nothing, whatever it holds. */
	fake_init(&f);
	fake_load(&f, 0, 0, 0x1f70, PF_R);
	fake_tables(&f, 0x1f70, 1);
	fake_done(&f);
	assert_int_equal(loader_object_ranges(&f.info, 0, f.info.dlpi_addr,
	    PAGE, r, LOADER_RANGES_MAX), 0);
	/* A page size that is not a power of two, no room: nothing. */
	assert_int_equal(loader_object_ranges(&f.info, 0, 0, 3000, r,
	    LOADER_RANGES_MAX), 0);
	assert_int_equal(loader_object_ranges(&f.info, 0, 0, PAGE, r, 0), 0);
}

static void
test_loader_object_ranges_shared_page_kept(void **state)
{
	struct loader_range r[LOADER_RANGES_MAX];
	struct fake f;

	(void)state;
	/* Writable data begins in the page the tables end in: that page
	 * stays. */
	fake_init(&f);
	fake_load(&f, 0, 0, 0x1f70, PF_R);
	fake_load(&f, 0x1f80, 0x1f80, 0x200, PF_R | PF_W);
	fake_tables(&f, 0x1f70, 1);
	fake_done(&f);
	assert_int_equal(ranges(&f, 0, r), 1);
	assert_true(r[0].hi == f.info.dlpi_addr + 0x1000);

	/* All of it in one shared page: nothing. */
	fake_init(&f);
	fake_load(&f, 0, 0, 0xf70, PF_R);
	fake_load(&f, 0xf80, 0xf80, 0x200, PF_R | PF_W);
	fake_dyn(&f, DT_SYMTAB, 0x100, 1);
	fake_dyn(&f, DT_STRTAB, 0x400, 1);
	fake_dyn(&f, DT_STRSZ, 0x100, 0);
	fake_dyn(&f, DT_RELA, 0x500, 1);
	fake_dyn(&f, DT_RELASZ, 0xa70, 0);
	fake_done(&f);
	assert_int_equal(ranges(&f, 0, r), 0);
}

static void
test_loader_object_ranges_ldso(void **state)
{
	struct loader_range r[LOADER_RANGES_MAX];
	uintptr_t base;
	struct fake f;

	(void)state;
	/* The dynamic linker: every segment but the writable one. */
	fake_init(&f);
	base = f.info.dlpi_addr;
	fake_load(&f, 0, 0, 0xd58, PF_R);
	fake_load(&f, 0x1000, 0x1000, 0x25111, PF_R | PF_X);
	fake_load(&f, 0x27000, 0x27000, 0x9c7c, PF_R);
	fake_load(&f, 0x31900, 0x31900, 0x2810, PF_R | PF_W);
	fake_done(&f);
	assert_int_equal(ranges(&f, 1, r), 3);
	assert_true(r[0].lo == base && r[0].hi == base + 0x1000);
	assert_true(r[1].lo == base + 0x1000 && r[1].hi == base + 0x27000);
	assert_true(r[2].lo == base + 0x27000 && r[2].hi == base + 0x31000);
	/* No more than asked for. */
	assert_int_equal(loader_object_ranges(&f.info, 1, 0, PAGE, r, 2), 2);
}

struct seen {
	size_t objects, main_ranges, ldso_ranges, ldso_code;
	size_t bad;
	int main_separate; /* first segment neither writable nor code */
};

/* Every range of this process: page-aligned, inside a segment of its
 * object that is not writable, and executable only in the linker. */
static int
check_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct loader_range r[LOADER_RANGES_MAX];
	struct seen *s = arg;
	uintptr_t ldso = (uintptr_t)getauxval(AT_BASE);
	int is_ldso = ldso != 0 && info->dlpi_addr == ldso;
	size_t n, i, k;

	(void)size;
	s->objects++;
	n = loader_object_ranges(info, is_ldso,
	    (uintptr_t)getauxval(AT_SYSINFO_EHDR), PAGE, r,
	    LOADER_RANGES_MAX);
	for (i = 0; i < n; i++) {
		int inside = 0;

		if (r[i].lo % PAGE || r[i].hi % PAGE || r[i].lo >= r[i].hi)
			s->bad++;
		for (k = 0; k < info->dlpi_phnum; k++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
			uintptr_t lo = (info->dlpi_addr + ph->p_vaddr) &
			    ~(uintptr_t)(PAGE - 1);
			uintptr_t hi = info->dlpi_addr + ph->p_vaddr +
			    ph->p_memsz;

			if (ph->p_type != PT_LOAD || r[i].lo < lo ||
			    r[i].hi > ((hi + PAGE - 1) & ~(uintptr_t)(PAGE - 1)))
				continue;
			inside = 1;
			if (ph->p_flags & PF_W)
				s->bad++;
			if (ph->p_flags & PF_X) {
				if (is_ldso)
					s->ldso_code++;
				else
					s->bad++;
			}
		}
		if (!inside)
			s->bad++;
	}
	if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0') {
		s->main_ranges += n;
		for (k = 0; k < info->dlpi_phnum; k++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[k];

			if (ph->p_type == PT_LOAD && ph->p_offset == 0)
				s->main_separate =
				    !(ph->p_flags & (PF_W | PF_X));
		}
	}
	if (is_ldso)
		s->ldso_ranges += n;
	return 0;
}

static void
test_loader_object_ranges_this_process(void **state)
{
	struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	dl_iterate_phdr(check_object, &s);
	assert_true(s.objects >= 3);
	assert_int_equal(s.bad, 0);
	/* This program is linked like bustd: one range where its tables
	 * have a segment of their own (-z separate-code, the default on
	 * x86-64), none where they share the code's. */
	assert_int_equal(s.main_ranges, s.main_separate ? 1 : 0);
	if (getauxval(AT_BASE) != 0) {
		assert_true(s.ldso_ranges >= 1);
		assert_int_equal(s.ldso_code, 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_object_ranges_gnu_layout),
		cmocka_unit_test(test_loader_object_ranges_tables_then_rodata),
		cmocka_unit_test(test_loader_object_ranges_unknown_layouts),
		cmocka_unit_test(test_loader_object_ranges_shared_page_kept),
		cmocka_unit_test(test_loader_object_ranges_ldso),
		cmocka_unit_test(test_loader_object_ranges_this_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
