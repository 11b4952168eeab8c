/* SPDX-License-Identifier: MIT */
/* fuzz_config.c: fuzz target for config_load() and its print round trip. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "policy.h"

/* A 16 GiB machine with 4 GiB of swap, so size/percentage pairs are
 * compared too. */
#define FUZZ_MEM_TOTAL_KIB (16ULL * 1024 * 1024)
#define FUZZ_SWAP_TOTAL_KIB (4ULL * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
opts_init(struct config_opts *o, const char *text, size_t len)
{
	memset(o, 0, sizeof(*o));
	o->path = "fuzz.conf";
	o->text = text;
	o->text_len = len;
	o->strict_perms = false;
	o->mem_total_kib = FUZZ_MEM_TOTAL_KIB;
	o->swap_total_kib = FUZZ_SWAP_TOTAL_KIB;
}

/* p in config syntax, in a new NUL-terminated buffer the caller frees. */
static char *
print_policy(const struct policy *p, size_t *len)
{
	char *buf = NULL;
	FILE *f;

	f = open_memstream(&buf, len);
	if (f == NULL)
		abort();
	config_print(f, p);
	if (fclose(f) != 0)
		abort();
	return buf;
}

static void
dump_diag(const struct config_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "diag[%zu]: %s\n", i, d->msgs[i]);
}

/*
 * Load out1 (the first load's print) again: it must load without an error
 * and print to the same bytes.
 */
static void
check_round_trip(const char *out1, size_t len1)
{
	struct config_diag d = { 0 };
	struct config_opts o;
	struct policy *p = NULL;
	char *out2;
	size_t len2;

	opts_init(&o, out1, len1);
	if (config_load(&o, &p, &d) != 0) {
		fprintf(stderr, "round trip: the print does not load:\n%s",
		    out1);
		dump_diag(&d);
		abort();
	}
	out2 = print_policy(p, &len2);
	if (len2 != len1 || memcmp(out1, out2, len1) != 0) {
		fprintf(stderr, "round trip: the print changed:\n%s---\n%s",
		    out1, out2);
		abort();
	}
	free(out2);
	policy_free(p);
	config_diag_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_diag d = { 0 };
	struct config_opts o;
	struct policy *p = NULL;
	char *text;

	/* The file reader refuses anything longer. */
	if (size > CONFIG_FILE_MAX)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		abort();
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';

	opts_init(&o, text, size);
	if (config_load(&o, &p, &d) == 0) {
		char *out;
		size_t len;

		/* Warnings (an unknown user, cgroup rules without cgroup
		   v2) may come with a loaded policy; errors may not. */
		if (p == NULL || d.nerr != 0)
			abort();
		out = print_policy(p, &len);
		check_round_trip(out, len);
		free(out);
		policy_free(p);
	}
	config_diag_free(&d);
	free(text);
	return 0;
}
