/* SPDX-License-Identifier: MIT */
/* victim.c: judging processes against the policy and picking the victim. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "sys.h"
#include "text.h"
#include "victim.h"

static const unsigned int field_bits[FIELD_COUNT] = {
	[FIELD_NAME] = PROC_HAVE_STAT,
	[FIELD_EXE] = PROC_HAVE_EXE,
	[FIELD_CMDLINE] = PROC_HAVE_CMDLINE,
	[FIELD_CGROUP] = PROC_HAVE_CGROUP,
	[FIELD_USER] = PROC_HAVE_UID,
};

unsigned int
victim_fields(const struct policy *p)
{
	unsigned int want = 0;
	int s, f;

	for (s = 0; s < SET_COUNT; s++)
		for (f = 0; f < FIELD_COUNT; f++)
			if (p->sets[s].fields & (1u << f))
				want |= field_bits[f];
	return want;
}

static const char *
field_text(enum rule_field field, const struct proc_info *info)
{
	switch (field) {
	case FIELD_NAME:
		return (info->have & PROC_HAVE_STAT) ? info->st.comm : NULL;
	case FIELD_EXE:
		return (info->have & PROC_HAVE_EXE) ? info->exe : NULL;
	case FIELD_CMDLINE:
		return (info->have & PROC_HAVE_CMDLINE) ? info->cmdline : NULL;
	case FIELD_CGROUP:
		return (info->have & PROC_HAVE_CGROUP) ? info->cgroup : NULL;
	default:
		return NULL;
	}
}

static bool
field_known(enum rule_field field, const struct proc_info *info)
{
	return (info->have & field_bits[field]) != 0;
}

bool
victim_rule_matches(const struct rule *r, const struct proc_info *info)
{
	const char *text;

	if (r->field == FIELD_USER)
		return !r->unresolved && (info->have & PROC_HAVE_UID) &&
		       info->uid == r->uid;
	text = field_text(r->field, info);
	if (text == NULL)
		return false;
	if (r->lits != NULL)
		return policy_literals_match(r->lits, text);
	return regexec(&r->re, text, 0, NULL, 0) == 0;
}

static const struct rule *
first_match(const struct rule_list *l, const struct proc_info *info)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (victim_rule_matches(&l->rules[i], info))
			return &l->rules[i];
	return NULL;
}

void
victim_judge(const struct policy *p, const struct proc_info *info,
    uint64_t mem_total_kib, struct verdict *v)
{
	const struct rule_list *never = &p->sets[SET_NEVER_KILL];
	const struct rule *r;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->mem_kib = info->rss_kib;
	if (info->have & PROC_HAVE_STAT) {
		if (info->st.flags & PROC_PF_KTHREAD) {
			v->excl = EXCL_KTHREAD;
			return;
		}
		if (proc_dead(&info->st)) {
			v->excl = EXCL_ZOMBIE;
			return;
		}
	}
	if (p->rank_by == RANK_RSS) {
		if ((info->have & PROC_HAVE_OOM_ADJ) &&
		    info->oom_score_adj <= -1000) {
			v->excl = EXCL_ADJ_MIN;
			return;
		}
		/* Swapped out is still the process's: a leak pushed to swap
		 * ranks as high as one in RAM. */
		if (info->have & PROC_HAVE_SWAP)
			v->mem_kib += info->swap_kib;
		v->base = mem_total_kib
		              ? (int64_t)(v->mem_kib * 1000 / mem_total_kib)
		              : 0;
	} else {
		/*
		 * The kernel reports 0 for what it would never pick itself:
		 * kernel threads, exiting tasks, oom_score_adj -1000 (see
		 * proc_oom_score() in fs/proc/base.c).
		 */
		if (info->oom_score <= 0) {
			v->excl = (info->have & PROC_HAVE_OOM_ADJ) &&
			                  info->oom_score_adj > -1000
			              ? EXCL_OOM_ZERO
			              : EXCL_ADJ_MIN;
			return;
		}
		v->base = info->oom_score;
	}

	/* never-kill fails safe: a field it needs but cannot read
	 * protects the process. */
	for (i = 0; i < never->n; i++) {
		r = &never->rules[i];
		if (!field_known(r->field, info)) {
			v->excl = EXCL_UNREADABLE;
			v->rules[SET_NEVER_KILL] = r;
			return;
		}
		if (victim_rule_matches(r, info)) {
			v->excl = EXCL_NEVER_KILL;
			v->rules[SET_NEVER_KILL] = r;
			return;
		}
	}
	if (p->sets[SET_ONLY_KILL].n > 0) {
		r = first_match(&p->sets[SET_ONLY_KILL], info);
		if (r == NULL) {
			v->excl = EXCL_NOT_ONLY_KILL;
			return;
		}
		v->rules[SET_ONLY_KILL] = r;
	}

	v->score = v->base;
	r = first_match(&p->sets[SET_AVOID], info);
	if (r != NULL) {
		v->score -= p->avoid_score;
		v->rules[SET_AVOID] = r;
	}
	r = first_match(&p->sets[SET_PREFER], info);
	if (r != NULL) {
		v->score += p->prefer_score;
		v->rules[SET_PREFER] = r;
	}
}

bool
victim_better(const struct verdict *va, const struct proc_info *a,
    const struct verdict *vb, const struct proc_info *b)
{
	if (va->score != vb->score)
		return va->score > vb->score;
	if (va->mem_kib != vb->mem_kib)
		return va->mem_kib > vb->mem_kib;
	return a->pid > b->pid;
}

const char *
victim_exclusion_name(enum exclusion e)
{
	switch (e) {
	case EXCL_NONE:
		return "candidate";
	case EXCL_PID1:
		return "pid 1";
	case EXCL_SELF:
		return "bustd itself";
	case EXCL_KTHREAD:
		return "kernel thread";
	case EXCL_ZOMBIE:
		return "zombie";
	case EXCL_OOM_ZERO:
		return "oom_score 0 (exiting)";
	case EXCL_ADJ_MIN:
		return "oom_score_adj -1000";
	case EXCL_NEVER_KILL:
		return "[never-kill]";
	case EXCL_NOT_ONLY_KILL:
		return "not in [only-kill]";
	case EXCL_UNREADABLE:
		return "unreadable field of a [never-kill] rule";
	case EXCL_COUNT:
		break;
	}
	return "?";
}

char *
victim_rule_text(char *buf, size_t size, const struct verdict *v)
{
	/* The order of the log: what excluded, what moved the score,
	 * what let it in. */
	static const enum rule_set order[] = { SET_NEVER_KILL, SET_PREFER,
		SET_AVOID, SET_ONLY_KILL };
	size_t i, used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct rule *r = v->rules[order[i]];
		int n;

		if (r == NULL || used >= size)
			continue;
		/* Rule text is the admin's, checked for control bytes at
		 * load: shown as written. */
		n = snprintf(buf + used, size - used, "%s[%s] %s = %s (%s)",
		    used ? ", " : "", set_names[order[i]],
		    field_names[r->field], r->text, r->origin);
		used = n < 0 ? size : used + (size_t)n;
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "-");
	return buf;
}

/* --- The scan --- */

/* pid_max, or the most it can be (PID_MAX_LIMIT) if unreadable. */
static size_t
read_pid_max(void)
{
	char buf[32];
	const char *p = buf;
	uint64_t v;
	ssize_t n;
	int fd;

	fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 4194304;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || text_u64(&p, buf + n, &v) < 0 || v == 0 || v > 4194304)
		return 4194304;
	return (size_t)v;
}

static size_t
round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

int
victim_selector_init(struct selector *s, size_t cap, pid_t self)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t ps = page > 0 ? (size_t)page : 4096;
	size_t bufs, dents, cands, units, members, index, paths, walk;
	char *m;

	memset(s, 0, sizeof(*s));
	/*
	 * One slot per possible pid: /proc lists at most pid_max processes,
	 * so the scan never needs to grow the array (and one per unit).
	 * All the buffers share one fresh mapping: its pages cost RAM only
	 * once touched (mlockall uses MCL_ONFAULT), and most of it never
	 * is: the units' tables only under unit = auto.
	 */
	s->cap = cap ? cap : read_pid_max();
	s->dents_size = 16384;
	bufs = round_up(3 * sizeof(*s->bufs), ps);
	dents = round_up(s->dents_size, ps);
	cands = round_up((s->cap + VICTIM_UNITS_MAX) * sizeof(*s->cands), ps);
	units = round_up(VICTIM_UNITS_MAX * sizeof(*s->units), ps);
	members = round_up(VICTIM_MEMBERS_MAX * sizeof(*s->members), ps);
	index = round_up(VICTIM_MEMBERS_MAX * sizeof(*s->member_index), ps);
	paths = round_up(VICTIM_UNIT_PATHS, ps);
	walk = round_up(sizeof(*s->walk), ps);
	s->map_size =
	    bufs + dents + cands + units + members + index + paths + walk;
	m = mmap(NULL, s->map_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		memset(s, 0, sizeof(*s));
		return -errno;
	}
	s->map = m;
	s->bufs = (struct proc_bufs *)m;
	m += bufs;
	s->dents = m;
	m += dents;
	s->cands = (struct candidate *)m;
	m += cands;
	s->units = (struct unit *)m;
	m += units;
	s->members = (struct member *)m;
	m += members;
	s->member_index = (uint32_t *)m;
	m += index;
	s->unit_paths = m;
	m += paths;
	s->walk = (struct cgroup_walk *)m;
	s->self = self;
	return 0;
}

void
victim_selector_free(struct selector *s)
{
	if (s->map != NULL)
		munmap(s->map, s->map_size);
	memset(s, 0, sizeof(*s));
}

/* Is pgrp the group of one of bustd's own children? */
static bool
in_skipped_group(const struct selector *s, pid_t pgrp)
{
	size_t i;

	for (i = 0; i < s->nskip; i++)
		if (s->skip[i] == pgrp)
			return true;
	return false;
}

static bool
is_skipped(const struct selector *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->nskip; i++)
		if (s->skip[i] == pid)
			return true;
	return false;
}

/* Did this very process (pid and start time) survive a SIGKILL? */
static bool
is_stuck(const struct stuck_list *stuck, pid_t pid, uint64_t start_time)
{
	size_t i;

	for (i = 0; stuck != NULL && i < stuck->n; i++)
		if (stuck->e[i].pid == pid &&
		    stuck->e[i].start_time == start_time)
			return true;
	return false;
}

/* Permille of total, rounded up: a bound, never below the truth. */
static int64_t
permille_up(uint64_t kib, uint64_t total_kib)
{
	if (total_kib == 0)
		return 0;
	return (int64_t)((kib * 1000 + total_kib - 1) / total_kib);
}

/* What swap can still add to a process's rank_by = rss base. */
static int64_t
swap_bound(const struct selector *s, const struct policy *p)
{
	if (p->rank_by != RANK_RSS)
		return 0;
	return permille_up(s->swap_used_kib, s->mem_total_kib);
}

/* Swap in use, from meminfo: the most any one process has swapped. */
static void
read_swap(struct selector *s, const struct proc_ctx *pc)
{
	uint64_t total = 0, free_kib = 0;

	s->swap_total_kib = s->swap_used_kib = 0;
	if (proc_read_swap(pc, &total, &free_kib) < 0)
		return;
	s->swap_total_kib = total;
	s->swap_used_kib = total > free_kib ? total - free_kib : 0;
}

/* --- unit = auto: applications in the cgroup tree --- */

struct find_arg {
	struct selector *s;
	bool memcg; /* the memory controller is on v2 */
	struct unit *u; /* the unit whose pids are being read */
};

static bool
unit_pid(pid_t pid, void *arg)
{
	struct find_arg *a = arg;
	struct selector *s = a->s;
	struct member *m;

	if (pid < 0 || s->nmembers == VICTIM_MEMBERS_MAX) {
		/* A member bustd cannot know: never killed whole. */
		a->u->incomplete = true;
		return pid >= 0;
	}
	m = &s->members[s->nmembers++];
	memset(m, 0, sizeof(*m));
	m->pid = pid;
	m->unit = (uint16_t)(a->u - s->units);
	a->u->n++;
	return false;
}

/* Take the cgroup being visited as a unit if it is an application. */
static bool
find_visit(struct cgroup_walk *w, int dirfd, void *arg)
{
	struct find_arg *a = arg;
	struct selector *s = a->s;
	enum cgroup_kind kind;
	uint64_t v = 0, sw = 0;
	bool oom_group = false;
	size_t len;
	struct unit *u;

	if (dirfd < 0)
		return false; /* a part unread: its processes rank alone */
	kind = cgroup_kind(w->path);
	if (kind < CGROUP_ROOT && kind != CGROUP_APP_SCOPE &&
	    kind != CGROUP_APP_SERVICE && a->memcg &&
	    cgroup_read_u64(dirfd, "memory.oom.group", &v) == 0 && v == 1)
		oom_group = true;
	if (kind != CGROUP_APP_SCOPE && kind != CGROUP_APP_SERVICE &&
	    !oom_group)
		return false;
	len = strlen(w->path);
	if (s->nunits == VICTIM_UNITS_MAX ||
	    s->paths_used + len + 1 > VICTIM_UNIT_PATHS)
		return false;
	u = &s->units[s->nunits];
	memset(u, 0, sizeof(*u));
	u->kind = (uint8_t)kind;
	u->oom_group = oom_group;
	u->path = (uint32_t)s->paths_used;
	u->first = s->nmembers;
	a->u = u;
	cgroup_each_procs_pid(dirfd, unit_pid, a);
	if (u->n == 0) {
		s->nmembers = u->first;
		return false;
	}
	/* All its memory, where the memory controller counts it. */
	if (cgroup_read_u64(dirfd, "memory.current", &v) == 0) {
		if (cgroup_read_u64(dirfd, "memory.swap.current", &sw) < 0)
			sw = 0;
		u->mem_kib = (v + sw) / 1024;
		u->mem_from_cgroup = true;
	}
	memcpy(s->unit_paths + s->paths_used, w->path, len + 1);
	s->paths_used += len + 1;
	s->nunits++;
	return false;
}

/* Is "memory" among the controllers of the cgroup2 root at root?  Then
 * memory.oom.group is worth trying in each cgroup. */
static bool
memcg_on_v2(const char *root)
{
	char buf[512];
	const char *t;
	ssize_t n = -1;
	int dirfd, fd;

	dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return false;
	fd = openat(dirfd, "cgroup.controllers", O_RDONLY | O_CLOEXEC);
	close(dirfd);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (t = buf; (t = strstr(t, "memory")) != NULL; t += 6)
		if ((t == buf || t[-1] == ' ') &&
		    (t[6] == ' ' || t[6] == '\n' || t[6] == '\0'))
			return true;
	return false;
}

/* Sift for the heap sort of the member index by pid. */
static void
index_sift(const struct member *m, uint32_t *ix, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, top = i;
		uint32_t t;

		if (l < n && m[ix[l]].pid > m[ix[top]].pid)
			top = l;
		if (r < n && m[ix[r]].pid > m[ix[top]].pid)
			top = r;
		if (top == i)
			return;
		t = ix[i];
		ix[i] = ix[top];
		ix[top] = t;
		i = top;
	}
}

/* s->member_index in order of pid: a heap sort, in place, no heap use
 * (qsort() may malloc). */
static void
index_members(struct selector *s)
{
	uint32_t *ix = s->member_index, t;
	size_t i, n = s->nmembers;

	for (i = 0; i < n; i++)
		ix[i] = (uint32_t)i;
	for (i = n / 2; i-- > 0;)
		index_sift(s->members, ix, n, i);
	while (n > 1) {
		t = ix[0];
		ix[0] = ix[--n];
		ix[n] = t;
		index_sift(s->members, ix, n, 0);
	}
}

/*
 * Find the applications of the cgroup tree and their pids, indexed by
 * pid for the scan to look up.  Nothing found without unit = auto, or
 * without a cgroup2 mount.
 */
static void
find_units(struct selector *s, const struct proc_ctx *pc,
    const struct policy *p)
{
	struct find_arg a = { s, false, NULL };

	s->nunits = s->nmembers = s->paths_used = 0;
	if (p->unit != UNIT_AUTO)
		return;
	if (!s->cgroup_root_known) {
		if (cgroup_find_mount(pc->dirfd, s->cgroup_root,
		    sizeof(s->cgroup_root)) < 0)
			s->cgroup_root[0] = '\0';
		s->cgroup_root_known = true;
	}
	if (s->cgroup_root[0] == '\0')
		return;
	a.memcg = memcg_on_v2(s->cgroup_root);
	cgroup_walk(s->walk, s->cgroup_root, find_visit, &a);
	index_members(s);
}

static struct member *
find_member(struct selector *s, pid_t pid)
{
	size_t lo = 0, hi = s->nmembers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct member *m = &s->members[s->member_index[mid]];

		if (m->pid == pid)
			return m;
		if (m->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- Pass one --- */

struct collect_arg {
	struct selector *s;
	const struct proc_ctx *pc;
	const struct policy *p;
	int64_t swap_bound;
};

/* Pass one, for each pid: one read; pid 1 and bustd without a read. */
static bool
collect_one(pid_t pid, void *arg)
{
	struct collect_arg *a = arg;
	struct selector *s = a->s;
	struct member *m = s->nmembers ? find_member(s, pid) : NULL;
	struct proc_info info;
	int64_t base;

	if (pid == 1 || pid == s->self || is_skipped(s, pid)) {
		/* In an application, it keeps the application whole. */
		if (m != NULL) {
			m->seen = m->judged = true;
			m->v.excl = pid == 1 ? EXCL_PID1 : EXCL_SELF;
		}
		return true;
	}
	s->scanned++;
	memset(&info, 0, sizeof(info));
	info.pid = pid;
	if (a->p->rank_by == RANK_RSS) {
		if (proc_fill(a->pc, &info, PROC_HAVE_STAT, NULL) < 0 ||
		    (info.st.flags & PROC_PF_KTHREAD) || proc_dead(&info.st))
			return true;
		base = s->mem_total_kib
		           ? (int64_t)(info.rss_kib * 1000 / s->mem_total_kib)
		           : 0;
		base += a->swap_bound;
	} else {
		/* A process gone or unreadable is skipped, quietly. */
		if (proc_fill(a->pc, &info, PROC_HAVE_OOM_SCORE, NULL) < 0 ||
		    info.oom_score <= 0)
			return true;
		base = info.oom_score;
	}
	if (m != NULL) {
		m->seen = true;
		m->key = (int32_t)base;
		m->oom_score = info.oom_score;
		m->rss_kib = info.rss_kib;
		return true;
	}
	if (s->n < s->cap) {
		s->cands[s->n].id = pid;
		s->cands[s->n].key = (int32_t)base;
		s->n++;
	}
	return true;
}

static int
collect(struct selector *s, const struct proc_ctx *pc, const struct policy *p)
{
	struct collect_arg a = { s, pc, p, swap_bound(s, p) };

	s->n = 0;
	s->scanned = 0;
	return proc_each_pid(pc, s->dents, s->dents_size, collect_one, &a);
}

/* --- Units: their memory and rank --- */

/* A member's resident and swapped memory, read once. */
static void
member_mem(struct selector *s, const struct proc_ctx *pc,
    const struct policy *p, struct member *m)
{
	struct proc_info info;
	unsigned int want = PROC_HAVE_STAT;

	if (m->have_mem)
		return;
	memset(&info, 0, sizeof(info));
	info.pid = m->pid;
	if (p->rank_by == RANK_RSS) {
		info.rss_kib = m->rss_kib;
		want = 0;
	}
	if (s->swap_used_kib > 0)
		want |= PROC_HAVE_SWAP;
	proc_fill(pc, &info, want, NULL);
	m->rss_kib = info.rss_kib;
	m->swap_kib = (info.have & PROC_HAVE_SWAP) ? info.swap_kib : 0;
	m->have_mem = true;
}

/*
 * A unit's base, comparable with a process's.  rank_by = rss: all its
 * memory in permille of RAM, as for a process.  oom_score: the score of
 * its top member, plus the rest of the unit's memory as the kernel
 * counts memory in oom_score (two thirds of its permille of RAM and
 * swap): what the kernel would report for one process that held it all.
 */
static int64_t
unit_base(const struct selector *s, const struct policy *p, uint64_t mem_kib,
    int top_oom_score, uint64_t top_mem_kib)
{
	uint64_t all = s->mem_total_kib + s->swap_total_kib;
	uint64_t rest = mem_kib > top_mem_kib ? mem_kib - top_mem_kib : 0;

	if (p->rank_by == RANK_RSS)
		return s->mem_total_kib
		           ? (int64_t)(mem_kib * 1000 / s->mem_total_kib)
		           : 0;
	if (all == 0)
		return top_oom_score;
	return top_oom_score + (int64_t)(rest * 2000 / (3 * all));
}

/*
 * After pass one: gather each unit's members (those /proc showed), add
 * up its memory, set its base and key, and make it a candidate.  The
 * key bounds its members' own scores too: should it not be killable
 * whole, they are judged as processes when it comes up.
 */
static void
rank_units(struct selector *s, const struct proc_ctx *pc,
    const struct policy *p)
{
	size_t i, j;

	for (i = 0; i < s->nunits; i++) {
		struct unit *u = &s->units[i];
		struct member *top = NULL;
		uint64_t sum = 0;
		size_t seen = 0;
		int32_t key = 0;

		for (j = u->first; j < u->first + u->n; j++) {
			struct member *m = &s->members[j];

			if (!m->seen)
				continue;
			seen++;
			/* pid 1, bustd: not read, and never killed whole */
			if (m->v.excl == EXCL_PID1 || m->v.excl == EXCL_SELF)
				continue;
			if (!u->mem_from_cgroup || p->rank_by == RANK_OOM_SCORE)
				member_mem(s, pc, p, m);
			sum += m->rss_kib + m->swap_kib;
			if (top == NULL || m->oom_score > top->oom_score)
				top = m;
			if (m->key > key)
				key = m->key;
		}
		u->procs = seen;
		if (top == NULL)
			continue; /* none but pid 1 or bustd: no candidate */
		if (!u->mem_from_cgroup)
			u->mem_kib = sum;
		u->base = unit_base(s, p, u->mem_kib, top->oom_score,
		    top->rss_kib + top->swap_kib);
		u->key = u->base > key ? (int32_t)u->base : key;
		if (s->n < s->cap + VICTIM_UNITS_MAX) {
			s->cands[s->n].id = -1 - (int32_t)i;
			s->cands[s->n].key = u->key;
			s->n++;
		}
	}
}

/* A max-heap on key over s->cands[0..n). */
static void
sift_down(struct candidate *c, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct candidate t;

		if (l < n && c[l].key > c[m].key)
			m = l;
		if (r < n && c[r].key > c[m].key)
			m = r;
		if (m == i)
			return;
		t = c[i];
		c[i] = c[m];
		c[m] = t;
		i = m;
	}
}

static void
heapify(struct candidate *c, size_t n)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift_down(c, n, i);
}

static struct candidate
heap_pop(struct candidate *c, size_t *n)
{
	struct candidate top = c[0];

	c[0] = c[--*n];
	sift_down(c, *n, 0);
	return top;
}

/* What judging a process reads: stat, the rules' fields, and with RSS
 * ranking oom_score_adj, and its swap while swap is in use. */
static unsigned int
judge_fields(const struct selector *s, const struct policy *p)
{
	unsigned int want = PROC_HAVE_STAT | victim_fields(p);

	if (p->rank_by == RANK_RSS) {
		want |= PROC_HAVE_OOM_ADJ;
		if (s->swap_used_kib > 0)
			want |= PROC_HAVE_SWAP;
	}
	return want;
}

/* Read what judging pid needs, and judge it.  false if it is gone. */
static bool
judge_one(const struct proc_ctx *pc, const struct policy *p,
    uint64_t mem_total_kib, unsigned int want, pid_t pid, int oom_score,
    struct proc_info *info, struct proc_bufs *bufs, struct verdict *v)
{
	int r;

	memset(info, 0, sizeof(*info));
	info->pid = pid;
	if (p->rank_by == RANK_OOM_SCORE) {
		info->oom_score = oom_score;
		info->have |= PROC_HAVE_OOM_SCORE;
	}
	r = proc_fill(pc, info, want, bufs);
	if (r == -ENOENT || r == -ESRCH || !(info->have & PROC_HAVE_STAT))
		return false;
	victim_judge(p, info, mem_total_kib, v);
	return true;
}

/* Does this verdict keep a unit from being killed whole?  Any process
 * that may not be a victim, but one already dying. */
static bool
keeps_whole(enum exclusion e)
{
	return e != EXCL_NONE && e != EXCL_ZOMBIE && e != EXCL_KTHREAD;
}

/*
 * A unit's verdict from its members' (all judged): excluded if any of
 * them may not die (or cannot be known); its base, minus avoid_score if
 * a member matches [avoid]; plus prefer_score if one matches [prefer]
 * and the unit is indivisible (memory.oom.group), for elsewhere a
 * [prefer] match is a candidate of its own.  *top: its best member.
 */
static void
unit_verdict(const struct selector *s, const struct policy *p,
    const struct unit *u, struct verdict *v, const struct member **top)
{
	size_t j;

	memset(v, 0, sizeof(*v));
	*top = NULL;
	v->base = u->base;
	v->mem_kib = u->mem_kib;
	if (u->incomplete)
		v->excl = EXCL_UNREADABLE;
	for (j = u->first; j < u->first + u->n; j++) {
		const struct member *m = &s->members[j];
		struct proc_info a = { .pid = m->pid }, b = { .pid = 0 };

		if (!m->seen || !m->judged)
			continue;
		if (keeps_whole(m->v.excl)) {
			if (v->excl == EXCL_NONE) {
				v->excl = m->v.excl;
				v->rules[SET_NEVER_KILL] =
				    m->v.rules[SET_NEVER_KILL];
			}
			continue;
		}
		if (m->v.excl != EXCL_NONE)
			continue;
		if (v->rules[SET_AVOID] == NULL)
			v->rules[SET_AVOID] = m->v.rules[SET_AVOID];
		if (v->rules[SET_PREFER] == NULL && u->oom_group)
			v->rules[SET_PREFER] = m->v.rules[SET_PREFER];
		if (*top != NULL)
			b.pid = (*top)->pid;
		if (*top == NULL || victim_better(&m->v, &a, &(*top)->v, &b))
			*top = m;
	}
	if (*top == NULL && v->excl == EXCL_NONE)
		v->excl = EXCL_ZOMBIE; /* nobody left alive in it */
	if (*top != NULL)
		v->rules[SET_ONLY_KILL] = (*top)->v.rules[SET_ONLY_KILL];
	v->score = v->base;
	if (v->rules[SET_AVOID] != NULL)
		v->score -= p->avoid_score;
	if (v->rules[SET_PREFER] != NULL)
		v->score += p->prefer_score;
}

/* --- Pass two --- */

struct pass {
	struct selector *s;
	const struct proc_ctx *pc;
	const struct policy *p;
	const struct stuck_list *stuck;
	unsigned int want;
	struct victim *out;
	bool found;
	int cur; /* s->bufs[cur] is free: the best keeps the other's */
};

/* Is pid as judged (info, v) better than the best?  Keeps it if so. */
static void
offer(struct pass *ps, const struct proc_info *info, const struct verdict *v,
    bool alone, const struct unit *u)
{
	struct victim *out = ps->out;

	if (ps->found && !victim_better(v, info, &out->v, &out->info))
		return;
	out->info = *info;
	out->v = *v;
	out->alone = alone;
	out->unit_cgroup = u != NULL ? ps->s->unit_paths + u->path : NULL;
	out->unit_mem_kib = u != NULL ? u->mem_kib : 0;
	out->unit_procs = u != NULL ? u->procs : 0;
	ps->found = true;
	ps->cur ^= 1; /* keep the winner's strings */
}

/* May this judged process be a victim on its own? */
static bool
eligible(const struct pass *ps, const struct verdict *v, pid_t pid,
    uint64_t start_time, pid_t pgrp)
{
	return v->excl == EXCL_NONE && !is_stuck(ps->stuck, pid, start_time) &&
	       !in_skipped_group(ps->s, pgrp);
}

static void
try_process(struct pass *ps, pid_t pid, int oom_score)
{
	struct proc_info info;
	struct verdict v;

	if (!judge_one(ps->pc, ps->p, ps->s->mem_total_kib, ps->want, pid,
	    oom_score, &info, &ps->s->bufs[ps->cur], &v))
		return;
	ps->s->judged++;
	if (info.have & PROC_HAVE_SWAP)
		ps->s->swap_reads++;
	if (!eligible(ps, &v, pid, info.st.start_time, info.st.pgrp))
		return;
	offer(ps, &info, &v, ps->p->unit == UNIT_AUTO &&
	    v.rules[SET_PREFER] != NULL, NULL);
}

/* Read pid again, its strings in the free buffer, to keep it as the
 * best; false if it has gone meanwhile. */
static bool
reread(struct pass *ps, pid_t pid, int oom_score, struct proc_info *info)
{
	struct verdict v;

	return judge_one(ps->pc, ps->p, ps->s->mem_total_kib, ps->want, pid,
	    oom_score, info, &ps->s->bufs[ps->cur], &v);
}

/*
 * A unit's turn: judge its members.  Killable whole, it is one
 * candidate (its best member stands for it), and, unless indivisible,
 * its [prefer] matches are candidates alone.  If not, each member is a
 * candidate as a process.
 */
static void
try_unit(struct pass *ps, struct unit *u)
{
	struct selector *s = ps->s;
	const struct member *top;
	struct proc_info info;
	struct verdict uv;
	bool whole;
	size_t j;

	for (j = u->first; j < u->first + u->n; j++) {
		struct member *m = &s->members[j];

		if (!m->seen || m->judged)
			continue;
		if (!judge_one(ps->pc, ps->p, s->mem_total_kib, ps->want,
		    m->pid, m->oom_score, &info, &s->bufs[2], &m->v)) {
			m->v.excl = EXCL_ZOMBIE; /* gone: nothing to keep */
		} else {
			s->judged++;
			m->start_time = info.st.start_time;
			m->pgrp = info.st.pgrp;
			if (is_stuck(ps->stuck, m->pid, m->start_time) ||
			    in_skipped_group(s, m->pgrp))
				m->v.excl = EXCL_SELF;
		}
		m->judged = true;
	}
	unit_verdict(s, ps->p, u, &uv, &top);
	whole = uv.excl == EXCL_NONE;
	if (whole) {
		struct proc_info a = { .pid = top->pid };

		if ((!ps->found || victim_better(&uv, &a, &ps->out->v,
		    &ps->out->info)) &&
		    reread(ps, top->pid, top->oom_score, &info))
			offer(ps, &info, &uv, false, u);
		if (u->oom_group)
			return;
	}
	for (j = u->first; j < u->first + u->n; j++) {
		const struct member *m = &s->members[j];
		struct proc_info a = { .pid = m->pid };
		bool alone = m->v.rules[SET_PREFER] != NULL;

		if (!m->seen || m->v.excl != EXCL_NONE || (whole && !alone))
			continue;
		if (ps->found &&
		    !victim_better(&m->v, &a, &ps->out->v, &ps->out->info))
			continue;
		if (reread(ps, m->pid, m->oom_score, &info))
			offer(ps, &info, &m->v, alone, NULL);
	}
}

int
victim_select(struct selector *s, const struct proc_ctx *pc,
    const struct policy *p, const struct stuck_list *stuck, struct victim *out)
{
	struct pass ps = { s, pc, p, stuck, 0, out, false, 0 };
	int64_t bonus = p->sets[SET_PREFER].n ? p->prefer_score : 0;
	int r;

	memset(out, 0, sizeof(*out));
	read_swap(s, pc);
	ps.want = judge_fields(s, p);
	find_units(s, pc, p);
	r = collect(s, pc, p);
	if (r < 0)
		return r;
	s->judged = s->swap_reads = 0;
	rank_units(s, pc, p);
	heapify(s->cands, s->n);
	while (s->n > 0) {
		struct candidate c = s->cands[0];

		/* Nobody left can beat, or tie with, the best. */
		if (ps.found && c.key + bonus < out->v.score)
			break;
		heap_pop(s->cands, &s->n);
		if (c.id > 0)
			try_process(&ps, c.id, c.key);
		else
			try_unit(&ps, &s->units[-1 - c.id]);
	}
	return ps.found ? 0 : -ESRCH;
}

/* --- --list --- */

struct row {
	struct proc_info info;
	struct verdict v;
	bool alone; /* unit = auto: a [prefer] match, to die alone */
	bool in_unit; /* ranked whole with its application's row */
	int unit; /* the unit a unit row stands for, or -1 */
	char comm[4 * PROC_COMM_MAX + 4];
	char rule[VICTIM_RULE_TEXT_MAX];
	char cgroup[CGROUP_PATH_MAX];
	char unit_text[160];
};

/* Order: candidates, then members of applications ranked whole, then
 * by exclusion; each from the one that dies first. */
static int
row_class(const struct row *w)
{
	if (w->v.excl == EXCL_NONE)
		return w->in_unit ? 1 : 0;
	return 1 + (int)w->v.excl;
}

static int
row_compare(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (row_class(a) != row_class(b))
		return row_class(a) - row_class(b);
	if (victim_better(&a->v, &a->info, &b->v, &b->info))
		return -1;
	if (victim_better(&b->v, &b->info, &a->v, &a->info))
		return 1;
	return (a->unit < b->unit) - (a->unit > b->unit);
}

/* Would a wider kill have to spare this process (kill.c's guards)? */
static bool
row_protects(const struct row *w)
{
	switch (w->v.excl) {
	case EXCL_PID1:
	case EXCL_SELF:
	case EXCL_ADJ_MIN:
	case EXCL_NEVER_KILL:
	case EXCL_NOT_ONLY_KILL:
	case EXCL_UNREADABLE:
		return true;
	default:
		return (w->info.have & PROC_HAVE_OOM_ADJ) &&
		       w->info.oom_score_adj <= -1000;
	}
}

/* Can process group pgrp die whole, as far as rows show? */
static bool
group_safe(const struct row *rows, size_t n, pid_t pgrp)
{
	size_t i;

	if (pgrp <= 1)
		return false;
	for (i = 0; i < n; i++)
		if (rows[i].unit < 0 && rows[i].info.st.pgrp == pgrp &&
		    row_protects(&rows[i]))
			return false;
	return true;
}

/* Can cgroup cg die whole (cgroup.kill: its subtree too)? */
static bool
cgroup_safe(const struct row *rows, size_t n, const char *cg)
{
	size_t i, len = strlen(cg);

	if (len == 0 || strcmp(cg, "/") == 0)
		return false;
	for (i = 0; i < n; i++) {
		const char *o = rows[i].cgroup;

		if (rows[i].unit < 0 && strncmp(o, cg, len) == 0 &&
		    (o[len] == '\0' || o[len] == '/') &&
		    row_protects(&rows[i]))
			return false;
	}
	return true;
}

/* The UNIT column: what a kill of this row would take now. */
static void
unit_column(const struct selector *s, const struct policy *p,
    const struct row *rows, size_t n, struct row *w)
{
	char name[96], mem[LOG_SIZE_MAX];
	const char *base;

	if (w->unit >= 0) {
		const struct unit *u = &s->units[w->unit];

		base = strrchr(s->unit_paths + u->path, '/');
		base = base != NULL ? base + 1 : s->unit_paths + u->path;
		log_escape(name, sizeof(name), base, strlen(base));
		log_size(mem, sizeof(mem), u->mem_kib);
		snprintf(w->unit_text, sizeof(w->unit_text), "%s (%zu, %s)",
		    name, u->procs, mem);
		return;
	}
	if (w->alone) {
		snprintf(w->unit_text, sizeof(w->unit_text), "alone");
		return;
	}
	if (p->unit == UNIT_CGROUP && cgroup_safe(rows, n, w->cgroup)) {
		base = strrchr(w->cgroup, '/');
		base = base != NULL && base[1] != '\0' ? base + 1 : w->cgroup;
		log_escape(name, sizeof(name), base, strlen(base));
		snprintf(w->unit_text, sizeof(w->unit_text), "cgroup %s",
		    name);
		return;
	}
	/* unit = auto takes no service's group (kill.c does the same). */
	if ((p->unit == UNIT_GROUP ||
	    (p->unit == UNIT_AUTO && w->cgroup[0] != '\0' &&
	    cgroup_kind_group_ok(cgroup_kind(w->cgroup)))) &&
	    group_safe(rows, n, w->info.st.pgrp)) {
		snprintf(w->unit_text, sizeof(w->unit_text), "pgrp %d",
		    (int)w->info.st.pgrp);
		return;
	}
	snprintf(w->unit_text, sizeof(w->unit_text), "process");
}

struct list_arg {
	struct selector *s;
};

static bool
list_pid(pid_t pid, void *arg)
{
	struct selector *s = ((struct list_arg *)arg)->s;

	if (s->n < s->cap) {
		s->cands[s->n].id = pid;
		s->cands[s->n].key = 0;
		s->n++;
	}
	return true;
}

/* Read and judge pid into w as victim_select() would.  false if gone. */
static bool
list_row(struct selector *s, const struct proc_ctx *pc,
    const struct policy *p, unsigned int want, pid_t pid,
    struct proc_bufs *bufs, struct row *w)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->unit = -1;
	w->info.pid = pid;
	r = proc_fill(pc, &w->info, want, bufs);
	if (r == -ENOENT || r == -ESRCH || !(w->info.have & PROC_HAVE_STAT))
		return false;
	victim_judge(p, &w->info, s->mem_total_kib, &w->v);
	if (pid == 1 || pid == s->self) {
		memset(&w->v, 0, sizeof(w->v));
		w->v.excl = pid == 1 ? EXCL_PID1 : EXCL_SELF;
	}
	log_escape(w->comm, sizeof(w->comm), w->info.st.comm,
	    strlen(w->info.st.comm));
	if (w->info.cgroup != NULL)
		snprintf(w->cgroup, sizeof(w->cgroup), "%s", w->info.cgroup);
	w->info.exe = w->info.cmdline = w->info.cgroup = NULL;
	return true;
}

static void
print_row(FILE *f, const struct row *w)
{
	char user[32], rss[LOG_SIZE_MAX], swap[LOG_SIZE_MAX];

	sys_user_name(w->info.uid, user, sizeof(user));
	log_size(rss, sizeof(rss), w->info.rss_kib);
	log_size(swap, sizeof(swap), w->info.swap_kib);
	fprintf(f, "%7d %-12s %6lld %9d %13d %10s %10s  %-16s %-28s %s\n",
	    (int)w->info.pid, user, (long long)w->v.score, w->info.oom_score,
	    w->info.oom_score_adj, rss, swap, w->comm, w->unit_text, w->rule);
}

int
victim_list(FILE *f, const struct proc_ctx *pc, const struct policy *p,
    pid_t self, uint64_t mem_total_kib)
{
	unsigned int want = PROC_HAVE_STAT | PROC_HAVE_UID |
	                    PROC_HAVE_OOM_SCORE | PROC_HAVE_OOM_ADJ |
	                    PROC_HAVE_SWAP | victim_fields(p);
	size_t i, j, nrows = 0, nprocs, counts[EXCL_COUNT] = { 0 };
	struct list_arg la;
	struct selector s;
	struct proc_bufs *bufs;
	struct row *rows = NULL;
	int r;

	if (p->unit == UNIT_CGROUP || p->unit == UNIT_AUTO)
		want |= PROC_HAVE_CGROUP;
	r = victim_selector_init(&s, 0, self);
	if (r < 0)
		return r;
	la.s = &s;
	s.mem_total_kib = mem_total_kib;
	read_swap(&s, pc);
	find_units(&s, pc, p);
	s.n = 0;
	r = proc_each_pid(pc, s.dents, s.dents_size, list_pid, &la);
	bufs = malloc(sizeof(*bufs));
	rows = calloc(s.n + s.nunits + 1, sizeof(*rows));
	if (r < 0 || bufs == NULL || rows == NULL) {
		r = r < 0 ? r : -ENOMEM;
		goto out;
	}
	for (i = 0; i < s.n; i++) {
		struct row *w = &rows[nrows];
		struct member *m;

		if (!list_row(&s, pc, p, want, s.cands[i].id, bufs, w))
			continue;
		nrows++;
		m = s.nmembers ? find_member(&s, w->info.pid) : NULL;
		if (m == NULL)
			continue;
		m->seen = m->judged = m->have_mem = true;
		m->v = w->v;
		m->oom_score = w->info.oom_score;
		m->rss_kib = w->info.rss_kib;
		m->swap_kib = w->info.swap_kib;
		m->start_time = w->info.st.start_time;
		m->pgrp = w->info.st.pgrp;
	}
	nprocs = nrows;

	/* Applications that may die whole get a row of their own, their
	 * members ranked in it (but [prefer] matches, ranked alone). */
	s.n = 0;
	rank_units(&s, pc, p);
	for (i = 0; i < s.nunits; i++) {
		const struct unit *u = &s.units[i];
		const struct member *top;
		struct verdict uv;

		if (u->procs == 0)
			continue;
		unit_verdict(&s, p, u, &uv, &top);
		if (uv.excl != EXCL_NONE)
			continue;
		for (j = 0; j < nprocs; j++) {
			struct row *w = &rows[j];
			struct member *m = find_member(&s, w->info.pid);

			if (m == NULL || m->unit != i)
				continue;
			if (w->info.pid == top->pid) {
				rows[nrows] = *w;
				rows[nrows].v = uv;
				rows[nrows].unit = (int)i;
				nrows++;
			}
			if (w->v.excl == EXCL_NONE &&
			    (u->oom_group || w->v.rules[SET_PREFER] == NULL))
				w->in_unit = true;
		}
	}
	for (i = 0; i < nrows; i++) {
		struct row *w = &rows[i];

		if (p->unit == UNIT_AUTO && w->unit < 0 && !w->in_unit)
			w->alone = w->v.rules[SET_PREFER] != NULL;
		victim_rule_text(w->rule, sizeof(w->rule), &w->v);
		if (w->v.excl == EXCL_NONE && !w->in_unit)
			unit_column(&s, p, rows, nprocs, w);
		else if (w->v.excl != EXCL_NONE && w->unit < 0)
			counts[w->v.excl]++;
	}
	qsort(rows, nrows, sizeof(*rows), row_compare);

	fprintf(f, "%7s %-12s %6s %9s %13s %10s %10s  %-16s %-28s %s\n",
	    "PID", "USER", "SCORE", "OOM_SCORE", "OOM_SCORE_ADJ", "RSS", "SWAP",
	    "NAME", "UNIT", "RULE");
	for (i = 0; i < nrows && row_class(&rows[i]) == 0; i++)
		print_row(f, &rows[i]);
	if (log_debug_enabled()) {
		for (j = i; j < nrows && rows[j].in_unit; j++) {
			const struct member *m = find_member(&s,
			    rows[j].info.pid);
			const char *path = m != NULL
			    ? s.unit_paths + s.units[m->unit].path : "?";
			char esc[256];

			log_escape(esc, sizeof(esc), path, strlen(path));
			fprintf(f,
			    "# %7d %-16s ranked with its application %s\n",
			    (int)rows[j].info.pid, rows[j].comm, esc);
		}
	}
	for (; i < nrows && rows[i].in_unit; i++)
		;
	/* Rows for units that are not candidates do not exist. */
	if (nrows > i) {
		fprintf(f, "# not candidates:");
		for (r = EXCL_NONE + 1; r < EXCL_COUNT; r++)
			if (counts[r] > 0)
				fprintf(f, " %zu %s;", counts[r],
				    victim_exclusion_name((enum exclusion)r));
		fprintf(f, "\n");
		if (log_debug_enabled()) {
			for (; i < nrows; i++)
				fprintf(f, "# %7d %-16s %s%s\n",
				    (int)rows[i].info.pid, rows[i].comm,
				    rows[i].v.excl == EXCL_UNREADABLE
				        ? "unreadable field for "
				        : "",
				    rows[i].v.rules[SET_NEVER_KILL] != NULL
				        ? rows[i].rule
				        : victim_exclusion_name(
				              rows[i].v.excl));
		}
	}
	r = 0;
out:
	free(rows);
	free(bufs);
	victim_selector_free(&s);
	return r;
}
