/* SPDX-License-Identifier: MIT */
/* daemon.c: the running daemon: readings, the loop, acting, reloading. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"
#include "daemon.h"
#include "log.h"

static const char metric_names[][11] = { "some_avg10", "some_avg60",
	"full_avg10", "full_avg60", "off", "some", "full" };

static void
totals(const struct sys_ops *ops, uint64_t *mem_kib, uint64_t *swap_kib)
{
	struct sys_mem m;

	*mem_kib = *swap_kib = 0;
	if (ops->sysinfo(ops->ctx, &m) == 0) {
		*mem_kib = m.total_kib;
		*swap_kib = m.swap_total_kib;
	}
}

/* Does this host have a cgroup v2 hierarchy?  Its "0::" line tells. */
static bool
has_cgroup2(const char *procfs)
{
	char path[PROC_PATH_MAX], buf[4096], out[PROC_PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/self/cgroup", procfs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;	/* unknown: no warning */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return true;
	return proc_cgroup_parse_buf(buf, (size_t)n, out, sizeof(out)) !=
	    -ENOENT;
}

struct policy *
daemon_load_policy(const struct daemon_opts *o, const struct sys_ops *ops,
    bool to_log, bool fallback)
{
	struct config_opts co;
	struct config_diag d = { 0 };
	struct policy *p = NULL;
	size_t i;
	int r;

	memset(&co, 0, sizeof(co));
	co.path = o->path;
	co.overrides = o->overrides;
	co.strict_perms = geteuid() == 0;
	co.no_cgroup2 = !has_cgroup2(o->procfs);
	co.fallback = fallback;
	totals(ops, &co.mem_total_kib, &co.swap_total_kib);
	r = config_load(&co, &p, &d);
	for (i = 0; i < d.n; i++) {
		if (to_log && d.warn[i])
			log_warn("%s", d.msgs[i]);
		else if (to_log)
			log_err("%s", d.msgs[i]);
		else
			fprintf(stderr, "%s%s\n", d.warn[i] ? "warning: " : "",
			    d.msgs[i]);
	}
	config_diag_free(&d);
	if (r < 0 && p != NULL) {
		const char *what = p->fallback_bare ?
		    "nothing of the files: one was refused" :
		    "and the rules that were valid";

		if (to_log)
			log_err("%s has errors: running on the fallback policy "
			    "(profile %s, %s) until it is fixed and reloaded",
			    o->path, profile_names[p->profile], what);
		else
			fprintf(stderr, "bustd: %s has errors: running on the "
			    "fallback policy (profile %s, %s) until it is "
			    "fixed and reloaded\n",
			    o->path, profile_names[p->profile], what);
	}
	return p;
}

void
daemon_open_log(const struct daemon_opts *o, const struct policy *p)
{
	enum log_target t = LOG_TARGET_STDERR;

	if (p->log_mode == LOG_MODE_SYSLOG ||
	    (p->log_mode == LOG_MODE_AUTO && !o->no_daemon))
		t = LOG_TARGET_SYSLOG;
	log_open(t, o->verbose ? LOG_DEBUG : LOG_INFO);
}

/* --- Readings --- */

static void
fmt_centi(char *buf, size_t size, uint32_t v)
{
	snprintf(buf, size, "%u.%02u", v / 100, v % 100);
}

/* The sysinfo(2) reading as a sample: MemAvailable's lower bound. */
static void
sample_from_sysinfo(struct daemon *d, const struct sys_mem *si)
{
	struct mem_sample *s = &d->in.mem;

	s->mem_total_kib = si->total_kib;
	s->free_kib = si->free_kib;
	s->avail_kib = monitor_bound_kib(si->free_kib, d->mon.reserve_kib);
	s->swap_total_kib = si->swap_total_kib;
	s->swap_free_kib = si->swap_free_kib;
	s->swap_usable_kib = si->swap_free_kib;
	s->zram = false;
	s->exact = false;
	s->estimated = false;
}

/*
 * Read /proc/meminfo into the pass's sample, saying once each when it
 * cannot be read and when it has no MemAvailable, and note the gap above
 * the sysinfo bound as of now_ms.  0 or -errno.
 */
static int
read_meminfo(struct daemon *d, uint64_t now_ms)
{
	struct mem_sample *s = &d->in.mem;
	int r = monitor_read_meminfo(&d->mon, s);
	uint64_t bound;

	if (r < 0) {
		if (r != d->meminfo_err)
			log_err_r(r, "/proc/meminfo: cannot read it; using "
			    "free memory from sysinfo(2) minus the kernel's "
			    "reserve");
		d->meminfo_err = r;
		/* Try it again with the gap's next learning, not each poll
		 * the sysinfo bound suffices for. */
		d->gap_kib = 0;
		d->gap_ms = now_ms;
		return r;
	}
	if (d->meminfo_err != 0)
		log_info("/proc/meminfo: reading it again");
	d->meminfo_err = 0;
	if (s->estimated && !d->estimate_logged)
		log_warn("/proc/meminfo has no MemAvailable (kernel before "
		    "3.14?): estimating it from MemFree, Buffers, Cached, "
		    "SReclaimable and Shmem");
	d->estimate_logged = s->estimated;
	monitor_check_reserve(&d->mon, s);
	/* What sysinfo(2) would have said, for monitor_exact_pays(). */
	bound = monitor_bound_kib(s->free_kib, d->mon.reserve_kib);
	d->gap_kib = s->avail_kib > bound ? s->avail_kib - bound : 0;
	d->gap_ms = now_ms;
	return 0;
}

/*
 * Take the pass's memory sample: sysinfo(2) when it proves that no level
 * can have been crossed, /proc/meminfo otherwise (monitor_fast_path_safe())
 * or when the page cache makes it worth reading (monitor_exact_due()).
 * If /proc/meminfo cannot be read or parsed, the sysinfo bound stands in
 * for MemAvailable: lower than the truth, so bustd acts early rather
 * than late.
 */
static int
sample_memory(struct daemon *d, uint64_t now_ms)
{
	struct sys_mem si;
	bool have_si = d->ops->sysinfo(d->ops->ctx, &si) == 0;
	int r;

	if (have_si &&
	    monitor_fast_path_safe(&d->lim, si.free_kib, d->mon.reserve_kib)) {
		sample_from_sysinfo(d, &si);
		/* Unless much page cache makes the exact reading worth it
		 * (the gap learned again every MONITOR_GAP_MS). */
		if (!monitor_exact_due(&d->lim, &d->in.mem, d->gap_kib,
		    d->gap_ms == 0 || now_ms - d->gap_ms >= MONITOR_GAP_MS,
		    d->in.ncpu))
			return 0;
	}
	r = read_meminfo(d, now_ms);
	if (r < 0) {
		if (!have_si)
			return r;
		sample_from_sysinfo(d, &si);
	}
	return 0;
}

/* --- What the log says --- */

static void
mem_reason(const struct daemon *d, char *buf, size_t size, bool kill_level)
{
	const struct mem_sample *s = &d->in.mem;
	char av[LOG_SIZE_MAX], lv[LOG_SIZE_MAX], sf[LOG_SIZE_MAX];
	char sl[LOG_SIZE_MAX];
	uint64_t mem_level =
	    kill_level ? d->lim.mem_kill_kib : d->lim.mem_term_kib;
	uint64_t swap_level =
	    kill_level ? d->lim.swap_kill_kib : d->lim.swap_term_kib;

	log_size(av, sizeof(av), s->avail_kib);
	log_size(lv, sizeof(lv), mem_level);
	if (s->swap_total_kib == 0) {
		snprintf(buf, size, "MemAvailable %s <= %s %s, no swap", av,
		    kill_level ? "mem_kill" : "mem_term", lv);
		return;
	}
	log_size(sf, sizeof(sf), s->swap_free_kib);
	log_size(sl, sizeof(sl), swap_level);
	if (s->zram) {
		char us[LOG_SIZE_MAX];

		/* zram: the swap compared is what the RAM left can hold. */
		log_size(us, sizeof(us), s->swap_usable_kib);
		snprintf(buf, size, "MemAvailable %s <= %s %s, SwapFree %s, "
		    "usable %s (zram) <= %s %s",
		    av, kill_level ? "mem_kill" : "mem_term", lv, sf, us,
		    kill_level ? "swap_kill" : "swap_term", sl);
		return;
	}
	snprintf(buf, size, "MemAvailable %s <= %s %s, SwapFree %s <= %s %s",
	    av, kill_level ? "mem_kill" : "mem_term", lv, sf,
	    kill_level ? "swap_kill" : "swap_term", sl);
}

/* A cutoff as the admin wrote it: 25, not 25.00. */
static void
fmt_cutoff(char *buf, size_t size, uint32_t centi)
{
	if (centi % 100 == 0)
		snprintf(buf, size, "%u", centi / 100);
	else
		fmt_centi(buf, size, centi);
}

static void
psi_reason(const struct daemon *d, char *buf, size_t size)
{
	char val[16], cut[16], av[LOG_SIZE_MAX], gate[LOG_SIZE_MAX];
	char over[32] = "";

	fmt_centi(val, sizeof(val), d->out.psi_centi);
	fmt_cutoff(cut, sizeof(cut), d->lim.psi_cutoff_centi);
	log_size(av, sizeof(av), d->in.mem.avail_kib);
	log_size(gate, sizeof(gate), d->lim.psi_gate_kib);
	if (monitor_psi_windowed(&d->lim))
		snprintf(over, sizeof(over), "%% over %.1f s",
		    d->lim.psi_window_ms / 1000.0);
	snprintf(buf, size,
	    "PSI %s %s%s >= %s for %.1f s, MemAvailable %s <= "
	    "psi_mem_gate %s",
	    metric_names[d->lim.psi_metric], val, over, cut,
	    (d->in.now_ms - d->dec.psi.since_ms) / 1000.0, av, gate);
}

static void
thrash_reason(const struct daemon *d, char *buf, size_t size)
{
	char val[16], cut[16], lru[LOG_SIZE_MAX], av[LOG_SIZE_MAX];
	char gate[LOG_SIZE_MAX];

	fmt_centi(val, sizeof(val), d->out.thrash_centi);
	fmt_cutoff(cut, sizeof(cut), d->lim.thrash_cutoff_centi);
	log_size(lru, sizeof(lru), d->in.vm.file_lru_pages * d->pc.page_kib);
	log_size(av, sizeof(av), d->in.mem.avail_kib);
	log_size(gate, sizeof(gate), d->lim.thrash_gate_kib);
	snprintf(buf, size,
	    "thrashing: %s%% of the file cache (%s) read back per s >= "
	    "thrash_cutoff %s for %.1f s, MemAvailable %s <= "
	    "thrash_mem_gate %s",
	    val, lru, cut, (d->in.now_ms - d->dec.thrash.since_ms) / 1000.0,
	    av, gate);
}

void
daemon_status(struct daemon *d, const char *what)
{
	const struct mem_sample *s = &d->in.mem;
	char av[LOG_SIZE_MAX], tot[LOG_SIZE_MAX], sf[LOG_SIZE_MAX];
	char st[LOG_SIZE_MAX], term[LOG_SIZE_MAX], kill[LOG_SIZE_MAX];
	char gate[LOG_SIZE_MAX], sterm[LOG_SIZE_MAX], skill[LOG_SIZE_MAX];
	char psi[48] = "off", stamp[32], usable[48] = "", thr[48] = "off";
	char u[LOG_SIZE_MAX];
	struct tm tm;

	log_size(av, sizeof(av), s->avail_kib);
	log_size(tot, sizeof(tot), s->mem_total_kib);
	log_size(sf, sizeof(sf), s->swap_free_kib);
	log_size(st, sizeof(st), s->swap_total_kib);
	log_size(term, sizeof(term), d->lim.mem_term_kib);
	log_size(kill, sizeof(kill), d->lim.mem_kill_kib);
	log_size(gate, sizeof(gate), d->lim.psi_gate_kib);
	log_size(sterm, sizeof(sterm), d->lim.swap_term_kib);
	log_size(skill, sizeof(skill), d->lim.swap_kill_kib);
	if (d->lim.psi_on && d->m.psi_valid) {
		char v[16];

		fmt_centi(v, sizeof(v), monitor_psi_windowed(&d->lim) ?
		    d->out.psi_centi : monitor_psi_value(&d->lim, &d->m.psi));
		snprintf(psi, sizeof(psi), "%s %s",
		    metric_names[d->lim.psi_metric], v);
	} else if (d->lim.psi_on && d->mon.psi_fd < 0) {
		snprintf(psi, sizeof(psi), "unavailable");
	} else if (d->lim.psi_on) {
		snprintf(psi, sizeof(psi),
		    "not read (MemAvailable above psi_mem_gate)");
	}
	if (s->zram) {
		log_size(u, sizeof(u), s->swap_usable_kib);
		snprintf(usable, sizeof(usable), " (usable %s: zram)", u);
	}
	if (d->lim.thrash_cutoff_centi > 0 && d->m.thrash_valid) {
		fmt_centi(u, sizeof(u), d->m.thrash_centi);
		snprintf(thr, sizeof(thr), "%s%%/s", u);
	} else if (d->lim.thrash_cutoff_centi > 0) {
		snprintf(thr, sizeof(thr), "not read");
	}
	localtime_r(&d->loaded_at, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	log_info(
	    "%s: MemAvailable %s%s of %s, SwapFree %s of %s%s, PSI %s, "
	    "thrash %s; "
	    "mem_term %s, mem_kill %s, swap_term %s, swap_kill %s, "
	    "psi_mem_gate %s; kills: %lu SIGTERM, "
	    "%lu SIGKILL, %lu gone, %lu stuck; dry-run decisions: %lu; "
	    "poll %u ms; config %s "
	    "(profile %s%s) loaded %s",
	    what, s->exact ? "" : ">=", av, tot, sf, st, usable, psi, thr,
	    term, kill, sterm, skill, gate, d->killer.n_term,
	    d->killer.n_kill, d->killer.n_gone, d->killer.n_stuck,
	    d->killer.n_dry, d->sleep_ms, d->opt->path,
	    profile_names[d->p->profile],
	    d->p->fallback ? ", fallback: the file has errors" : "", stamp);
}

/* Rewrite the metrics file, if there is one.  Errors are logged once
 * each, until a write succeeds again. */
static void
write_metrics(struct daemon *d, uint64_t now_ms)
{
	struct metrics *m = &d->m;
	int n, r;

	if (d->p->metrics_file == NULL)
		return;
	m->mem = d->in.mem;
	m->lim = d->lim;
	m->escalations_timeout = d->killer.n_escalate_timeout;
	m->escalations_level = d->killer.n_escalate_level;
	m->gone = d->killer.n_gone;
	m->stuck = d->killer.n_stuck;
	m->hooks_started = d->hooks.n_started;
	m->hooks_failed = d->hooks.n_failed;
	m->poll_ms = d->sleep_ms;
	m->dry_run = d->p->dry_run;
	n = metrics_format(d->metrics_buf, sizeof(d->metrics_buf), m);
	r = n < 0 ? n : metrics_write(d->p->metrics_file, d->metrics_buf,
	    (size_t)n);
	if (r < 0 && r != d->metrics_err)
		log_warn_r(r, "metrics: cannot write %s", d->p->metrics_file);
	else if (r == 0 && d->metrics_err != 0)
		log_info("metrics: writing %s again", d->p->metrics_file);
	d->metrics_err = r;
	d->next_metrics_ms = now_ms + DAEMON_METRICS_MS;
}

/* The service manager's status line: the last thing bustd did. */
static void
notify_status(struct daemon *d, const char *what)
{
	const struct killer *k = &d->killer;
	char text[256], comm[4 * PROC_COMM_MAX];

	log_escape(comm, sizeof(comm), k->t.comm, strlen(k->t.comm));
	snprintf(text, sizeof(text), "STATUS=%s %s (pid %d); %lu kills so far",
	    what, comm, (int)k->t.pid,
	    k->n_term + k->n_kill - k->n_escalate_level -
		k->n_escalate_timeout);
	sys_notify(text);
}

/* --- Policy --- */

/* The levels of d->p for these totals. */
static void
set_limits(struct daemon *d, uint64_t mem_kib, uint64_t swap_kib)
{
	monitor_limits(d->p, mem_kib, swap_kib, &d->lim);
	d->sel.mem_total_kib = mem_kib;
	d->lim_mem_kib = mem_kib;
	d->lim_swap_kib = swap_kib;
}

/*
 * Levels follow the machine: swap switched on after bustd started (zram
 * set up late in boot, a swap file added under pressure) or off, memory
 * hot-added.  Percentages are of the totals each reading shows.
 */
static void
follow_totals(struct daemon *d)
{
	const struct mem_sample *s = &d->in.mem;
	char mt[LOG_SIZE_MAX], st[LOG_SIZE_MAX], term[LOG_SIZE_MAX];
	char kill[LOG_SIZE_MAX];

	if (s->mem_total_kib == d->lim_mem_kib &&
	    s->swap_total_kib == d->lim_swap_kib)
		return;
	if (s->swap_total_kib != d->lim_swap_kib)
		monitor_scan_swaps(&d->mon);
	set_limits(d, s->mem_total_kib, s->swap_total_kib);
	log_size(mt, sizeof(mt), s->mem_total_kib);
	log_size(st, sizeof(st), s->swap_total_kib);
	log_size(term, sizeof(term), d->lim.swap_term_kib);
	log_size(kill, sizeof(kill), d->lim.swap_kill_kib);
	log_info("memory totals changed: MemTotal %s, SwapTotal %s; "
	    "swap_term %s, swap_kill %s now", mt, st, term, kill);
}

/* Apply d->p to this machine: levels, the reserve, the PSI trigger. */
static void
apply_policy(struct daemon *d)
{
	uint64_t mem, swap;
	char text[64];
	int r;

	totals(d->ops, &mem, &swap);
	set_limits(d, mem, swap);
	r = monitor_read_reserve(&d->mon);
	if (r < 0)
		log_debug("zoneinfo: %s: reading /proc/meminfo at every poll",
		    strerror(-r));
	if (!d->lim.psi_on) {
		monitor_arm_trigger(&d->mon, &d->lim);
		return;
	}
	if (d->mon.psi_fd < 0) {
		if (!d->mon.psi_missing_warned)
			log_warn(
			    "no PSI (/proc/pressure/memory): the memory "
			    "thresholds keep working, psi_metric does not");
		d->mon.psi_missing_warned = true;
		return;
	}
	r = monitor_arm_trigger(&d->mon, &d->lim);
	if (r < 0) {
		log_info("PSI trigger refused (%s): polling PSI instead",
		    strerror(-r));
	} else {
		monitor_trigger_text(text, sizeof(text), &d->lim,
		    d->mon.trigger_window_ms);
		log_debug("PSI trigger armed: %s", text);
	}
}

void
daemon_reload(struct daemon *d)
{
	struct policy *np;

	log_info("reloading %s", d->opt->path);
	sys_notify("RELOADING=1");
	np = daemon_load_policy(d->opt, d->ops, true, false);
	d->m.reload_ok = np != NULL;
	if (np == NULL) {
		log_err("reload failed: keeping the previous policy");
		sys_notify("READY=1\nSTATUS=reload failed: keeping the "
		    "previous policy");
		write_metrics(d, d->ops->now_ms(d->ops->ctx));
		return;
	}
	policy_free(d->p);
	d->p = np;
	d->loaded_at = time(NULL);
	daemon_open_log(d->opt, d->p);
	apply_policy(d);
	d->m.reload_time = d->loaded_at;
	log_info("reloaded %s (profile %s)%s", d->opt->path,
	    profile_names[d->p->profile], d->p->dry_run ? ", dry run" : "");
	sys_notify("READY=1\nSTATUS=policy reloaded");
	write_metrics(d, d->ops->now_ms(d->ops->ctx));
}

int
daemon_init(struct daemon *d, const struct daemon_opts *o, struct policy *p,
    const struct sys_ops *ops)
{
	long n;
	int r;

	/*
	 * All of it, its buffers too (the victim's details, the metrics
	 * text): touched now, locked in RAM with the rest by daemon_run().
	 */
	memset(d, 0, sizeof(*d));
	d->opt = o;
	d->ops = ops;
	d->p = p;
	d->loaded_at = time(NULL);
	d->self = getpid();
	n = sysconf(_SC_NPROCESSORS_ONLN);
	d->in.ncpu = n > 0 ? (unsigned int)n : 1;
	d->pc.dirfd = -1;
	d->sysfs_fd = -1;
	d->mon.meminfo_fd = d->mon.psi_fd = d->mon.trigger_fd = -1;
	d->mon.zoneinfo_fd = -1;
	decide_init(&d->dec);

	r = proc_open(&d->pc, o->procfs);
	if (r < 0) {
		log_err_r(r, "%s", o->procfs);
		return r;
	}
	d->sysfs_fd = open(o->sysfs != NULL ? o->sysfs : "/sys",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = monitor_open(&d->mon, d->pc.dirfd, d->sysfs_fd);
	if (r < 0) {
		log_err_r(r, "%s/meminfo", o->procfs);
		return r;
	}
	r = victim_selector_init(&d->sel, 0, d->self);
	if (r < 0) {
		log_err_r(r, "allocating the scan table");
		return r;
	}
	/* zram among the swap devices changes what free swap is worth;
	 * looked at again whenever SwapTotal changes. */
	monitor_scan_swaps(&d->mon);
	if (cgroup_find_mount(d->pc.dirfd, d->cgroup_root,
	    sizeof(d->cgroup_root)) < 0)
		d->cgroup_root[0] = '\0';
	kill_init(&d->killer, ops, &d->pc, d->self, d->cgroup_root);
	hook_init(&d->hooks, ops);
	d->m.version = PACKAGE_VERSION;
	d->m.reload_ok = !p->fallback;
	d->m.reload_time = d->loaded_at;
	apply_policy(d);
	return 0;
}

void
daemon_free(struct daemon *d)
{
	kill_abandon(&d->killer);
	victim_selector_free(&d->sel);
	monitor_close(&d->mon);
	if (d->sysfs_fd >= 0)
		close(d->sysfs_fd);
	d->sysfs_fd = -1;
	proc_close(&d->pc);
	policy_free(d->p);
	d->p = NULL;
}

/* --- Acting --- */

/* Leave this very process (pid and start time) out of every scan. */
static void
add_stuck(struct daemon *d, pid_t pid, uint64_t start_time)
{
	struct stuck_list *s = &d->stuck;

	/* When full, the oldest entry makes room. */
	if (s->n == VICTIM_STUCK_MAX) {
		memmove(&s->e[0], &s->e[1],
		    (VICTIM_STUCK_MAX - 1) * sizeof(s->e[0]));
		s->n--;
	}
	s->e[s->n].pid = pid;
	s->e[s->n].start_time = start_time;
	s->n++;
}

/*
 * victim_select() with bustd's own children left out: they are never
 * victims (a hook that takes memory is bounded by exec_timeout instead).
 */
static int
select_victim(struct daemon *d, struct victim *v)
{
	pid_t kids[HOOK_MAX];
	size_t i;
	int r;

	for (i = 0; i < d->hooks.n; i++)
		kids[i] = d->hooks.kids[i].pid;
	d->sel.skip = kids;
	d->sel.nskip = d->hooks.n;
	r = victim_select(&d->sel, &d->pc, d->p, &d->stuck, v);
	d->sel.skip = NULL;
	d->sel.nskip = 0;
	return r;
}

/* What act() did. */
enum act_result {
	ACT_STARTED,	/* a kill is under way */
	ACT_NOBODY,	/* no process may die */
	ACT_RESAMPLE,	/* the victim went first: look at memory again */
	ACT_FAILED,
};

/*
 * Pick a victim and start on it.  If the chosen process is gone by the
 * time bustd pins it (or its pid was reused), the memory it held may be
 * free already: the caller samples memory again before choosing anyone
 * else.  If its signal is refused (an LSM, a bustd without CAP_KILL), it
 * is left out from then on and the next candidate is taken.
 */
static enum act_result
act(struct daemon *d, int sig)
{
	enum act_result res = ACT_FAILED;
	struct victim v;
	int tries, r;

	for (tries = 0; tries < 8; tries++) {
		r = select_victim(d, &v);
		if (r == -ESRCH) {
			res = ACT_NOBODY;
			break;
		}
		if (r < 0) {
			log_err_r(r, "scan failed");
			break;
		}
		log_debug("scan: %zu processes, %zu judged", d->sel.scanned,
		    d->sel.judged);
		r = kill_start(&d->killer, d->p, &v, sig, d->reason);
		if (r == 0) {
			res = ACT_STARTED;
			break;
		}
		if (r == -ESRCH || r == -ESTALE) {
			res = ACT_RESAMPLE;
			break;
		}
		log_warn("pid %d: left out from now on", (int)v.info.pid);
		add_stuck(d, v.info.pid, v.info.st.start_time);
	}
	return res;
}

/* What a warning says of the reading that gave it. */
static void
warn_reason(const struct daemon *d, const struct decision *out, char *buf,
    size_t size)
{
	char a[LOG_SIZE_MAX], b[LOG_SIZE_MAX], v[16], c[16];

	switch (out->warn_reason) {
	case REASON_PSI:
		fmt_centi(v, sizeof(v), out->psi_centi);
		fmt_cutoff(c, sizeof(c), d->lim.psi_warn_centi);
		snprintf(buf, size, "PSI %s %s >= psi_warn %s",
		    metric_names[d->lim.psi_metric], v, c);
		break;
	case REASON_THRASH:
		fmt_centi(v, sizeof(v), out->thrash_centi);
		fmt_cutoff(c, sizeof(c), d->lim.thrash_warn_centi);
		snprintf(buf, size, "thrashing: %s%% of the file cache read "
		    "back per s >= thrash_warn %s", v, c);
		break;
	default:
		log_size(a, sizeof(a), d->in.mem.avail_kib);
		log_size(b, sizeof(b), d->lim.mem_warn_kib);
		snprintf(buf, size, "MemAvailable %s <= mem_warn %s", a, b);
		break;
	}
}

/*
 * The warning level was reached: say who would go first and how much it
 * holds, in the log (LOG_WARNING), to the hook (BUSTD_EVENT=warning) and,
 * with [notify] desktop, to every graphical session, in the same words.
 * A scan, but no signal: it never delays a kill (decide() gives no
 * warning in a pass that acts).
 */
static void
give_warning(struct daemon *d, const struct decision *out)
{
	struct kill_target *t = &d->warned;
	char text[256], why[160], name[PROC_COMM_MAX], size[LOG_SIZE_MAX];
	char user[64];
	struct victim v;
	int r;

	memset(t, 0, sizeof(*t));
	warn_reason(d, out, why, sizeof(why));
	r = select_victim(d, &v);
	if (r == 0) {
		proc_fill(&d->pc, &v.info, PROC_HAVE_UID | PROC_HAVE_CMDLINE,
		    &d->killer.scratch);
		t->pid = v.info.pid;
		t->uid = v.info.uid;
		t->rss_kib = v.info.rss_kib;
		memcpy(t->comm, v.info.st.comm, sizeof(t->comm));
		if (v.info.cmdline != NULL)
			snprintf(t->cmdline, sizeof(t->cmdline), "%s",
			    v.info.cmdline);
		log_safe(name, sizeof(name), t->comm, strlen(t->comm));
		log_size(size, sizeof(size), t->rss_kib);
		snprintf(text, sizeof(text), "Memory is low: %s uses %s and "
		    "will be stopped first if memory runs out", name, size);
		sys_user_name(t->uid, user, sizeof(user));
		log_warn("%s (%s; pid %d, uid %u (%s))", text, why,
		    (int)t->pid, (unsigned int)t->uid, user);
	} else {
		snprintf(text, sizeof(text), "Memory is low, and no process "
		    "may be stopped (see bustd --list)");
		log_warn("%s (%s)", text, why);
	}
	snprintf(t->reason, sizeof(t->reason), "%s", why);
	hook_warning(&d->hooks, d->p, t, text);
	d->m.warnings[out->warn_reason]++;
}

/* Carry out out->action: choose and signal, escalate, or finish a kill. */
static void
carry_out(struct daemon *d, struct decision *out)
{
	uint64_t now = d->in.now_ms;
	bool stuck;
	int sig;

	switch (out->action) {
	case ACTION_NONE:
	case ACTION_WAIT:
		break;
	case ACTION_HOLD:
		if (out->announce) {
			char av[LOG_SIZE_MAX], at[LOG_SIZE_MAX];
			char comm[4 * PROC_COMM_MAX];

			log_size(av, sizeof(av), d->in.mem.avail_kib);
			log_size(at, sizeof(at), d->dec.refill.avail_kib);
			log_escape(comm, sizeof(comm), d->killer.t.comm,
			    strlen(d->killer.t.comm));
			log_info("pid %d (%s): gone, MemAvailable %s still at "
			         "or below mem_term (%s when it was chosen): "
			         "waiting up to cooldown for its memory to come "
			         "back, unless memory falls further or reaches "
			         "mem_kill",
			    (int)d->killer.t.pid, comm, av, at);
		}
		break;
	case ACTION_ESCALATE:
		mem_reason(d, d->reason, sizeof(d->reason), true);
		kill_escalate(&d->killer, d->p, out->level == LEVEL_KILL,
		    d->reason);
		break;
	case ACTION_GONE:
	case ACTION_STUCK:
		stuck = out->action == ACTION_STUCK;
		kill_done(&d->killer, stuck);
		if (stuck)
			add_stuck(d, d->killer.t.pid, d->killer.t.start_time);
		hook_after_kill(&d->hooks, d->p, &d->killer.t,
		    d->killer.sig == SIGKILL ? "SIGKILL" : "SIGTERM",
		    stuck ? "stuck" : d->killer.dry_run ? "dry-run" : "gone");
		notify_status(d, stuck ? "stuck:" :
		    d->killer.dry_run ? "dry run done:" : "killed");
		write_metrics(d, now);
		break;
	case ACTION_TERM:
	case ACTION_KILL:
		sig = out->action == ACTION_KILL ? SIGKILL : SIGTERM;
		if (out->reason == REASON_PSI)
			psi_reason(d, d->reason, sizeof(d->reason));
		else if (out->reason == REASON_THRASH)
			thrash_reason(d, d->reason, sizeof(d->reason));
		else
			mem_reason(d, d->reason, sizeof(d->reason),
			    out->action == ACTION_KILL);
		switch (act(d, sig)) {
		case ACT_STARTED:
			decide_started(&d->dec, &d->in);
			/* A dry run's decisions are counted apart: an
			 * alert on kills must not fire where none died. */
			if (d->p->dry_run)
				d->m.dry_kills[out->reason][sig == SIGKILL]++;
			else
				d->m.kills[out->reason][sig == SIGKILL]++;
			d->m.last_kill = time(NULL);
			notify_status(d, d->p->dry_run ? "dry run: would kill" :
			    sig == SIGKILL ? "sent SIGKILL to" :
			    "sent SIGTERM to");
			write_metrics(d, now);
			break;
		case ACT_NOBODY:
			if (decide_no_candidate(&d->dec, &d->in, out))
				log_warn("%s, but no process may be killed "
				         "(see bustd --list)",
				    d->reason);
			d->m.no_candidate++;
			break;
		case ACT_FAILED:
			decide_no_candidate(&d->dec, &d->in, out);
			break;
		case ACT_RESAMPLE:
			decide_resample(out, now);
			break;
		}
		break;
	}
}

/*
 * The readings beyond memory, each only where it can matter: zram's use
 * on an exact reading (it changes what free swap is worth), PSI below
 * psi_mem_gate, vmstat's refaults below thrash_mem_gate.
 */
static void
read_pressure(struct daemon *d)
{
	if (d->in.mem.exact && d->mon.nzram > 0)
		monitor_read_swap(&d->mon, &d->in.mem);
	d->in.psi_watch = decide_psi_wanted(&d->lim, &d->in.mem) &&
	    d->mon.psi_fd >= 0;
	d->in.psi_read = d->in.psi_watch &&
	    monitor_read_psi(&d->mon, &d->in.psi) == 0;
	if (d->in.psi_read) {
		d->m.psi = d->in.psi;
		d->m.psi_valid = true;
	}
	d->in.thrash_watch = decide_thrash_wanted(&d->lim, &d->in.mem) &&
	    d->mon.vmstat_fd >= 0;
	d->in.vm_read = d->in.thrash_watch &&
	    monitor_read_vmstat(&d->mon, &d->in.vm) == 0;
}

/* What the status line and the metrics show of the pass just decided. */
static void
note_readings(struct daemon *d)
{
	d->m.thrash_valid = d->in.vm_read;
	if (d->in.vm_read)
		d->m.thrash_centi = d->out.thrash_centi;
}

/* Housekeeping after the decision: hooks, metrics, the report line. */
static void
housekeep(struct daemon *d, struct decision *out)
{
	uint64_t now = d->in.now_ms;

	if (d->hooks.n > 0) {
		unsigned long failed = d->hooks.n_failed;
		uint32_t h;

		hook_reap(&d->hooks);
		if (d->hooks.n_failed != failed)
			write_metrics(d, now);
		h = hook_next_ms(&d->hooks);
		if (h != UINT32_MAX)
			out->at_ms[DL_HOOK] = now + h;
	}
	if (d->p->metrics_file != NULL) {
		if (now >= d->next_metrics_ms)
			write_metrics(d, now);
		out->at_ms[DL_METRICS] = d->next_metrics_ms;
	}
	if (d->p->report_interval_ms > 0) {
		if (now >= d->next_report_ms) {
			daemon_status(d, "report");
			d->next_report_ms = now + d->p->report_interval_ms;
		}
		out->at_ms[DL_REPORT] = d->next_report_ms;
	}
}

void
daemon_poll(struct daemon *d)
{
	struct decision *out = &d->out;
	uint64_t now = d->ops->now_ms(d->ops->ctx);
	int r;

	d->in.now_ms = now;
	if (now >= d->next_reserve_ms) {
		monitor_read_reserve(&d->mon);
		d->next_reserve_ms = now + MONITOR_RESERVE_MS;
	}
	r = sample_memory(d, now);
	if (r < 0) {
		log_err_r(r, "reading memory");
		d->sleep_ms = 1000;
		d->woke_for = DL_HEADROOM;
		return;
	}
	follow_totals(d);
	read_pressure(d);
	kill_clock(&d->killer, &d->in.victim);
	d->in.victim.gone = kill_gone(&d->killer);

	decide(&d->dec, &d->lim, &d->in, out);
	note_readings(d);
	if (out->warn)
		give_warning(d, out);
	d->m.warning_active = out->warn_active;
	carry_out(d, out);
	/* After an event memory has changed: look again before anything
	 * else. */
	if (out->at_ms[DL_NOW] == DECIDE_NEVER)
		housekeep(d, out);
	d->sleep_ms = decide_next(out, now, &d->woke_for);
}

/* --- Start-up and the loop --- */

/*
 * Touch DAEMON_STACK_KIB of stack below this frame, so that mlockall()
 * locks it: the loop below never faults a page of stack in, not even
 * when a kill goes its deepest way (a cgroup kill's guard).
 */
static void __attribute__((noinline))
prefault_stack(void)
{
	volatile char stack[DAEMON_STACK_KIB * 1024];
	size_t i;

	for (i = 0; i < sizeof(stack); i += 512)
		stack[i] = 0;
	stack[sizeof(stack) - 1] = 0;
}

static void
protect_self(void)
{
	int fd, r = 0;

	/* Give back what loading the policy used and freed: it would be
	 * locked in with the rest. */
	malloc_trim(0);
	prefault_stack();

	/*
	 * Lock code and data in RAM, so bustd never waits on a page-in
	 * when memory is short.  MCL_ONFAULT: pages are locked as they are
	 * touched, not all at once (the pid table is large and sparse).
	 */
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
		log_warn_r(-errno, "mlockall: bustd may be paged out");
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "-1000", 5) != 5)
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (r < 0)
		log_warn_r(r,
		    "cannot lower own oom_score_adj to -1000 (give "
		    "bustd CAP_SYS_RESOURCE, or OOMScoreAdjust=-1000 in its "
		    "unit)");
}

/*
 * The ms ppoll() is given: the sleep less the timer slack, so the kernel
 * may wake bustd up to slack early, with something else, but never
 * later than d->sleep_ms (bustd(8), "Sleep").  The slack changes only
 * when the sleep doubles or halves.
 */
static uint32_t
sleep_less_slack(struct daemon *d)
{
	uint32_t slack = monitor_slack_ms(d->sleep_ms);

	if (d->slack_ok && slack != d->slack_ms) {
		int r = sys_timer_slack(slack > 0 ?
		    (uint64_t)slack * 1000000 : MONITOR_SLACK_NEAR_NS);

		if (r == 0) {
			d->slack_ms = slack;
		} else {
			/* Short of a seccomp filter, cannot happen: the
			 * kernel keeps the slack it had, and so do we. */
			log_warn_r(r, "timer slack");
			d->slack_ok = false;
		}
	}
	return d->sleep_ms > d->slack_ms ? d->sleep_ms - d->slack_ms : 0;
}

/* Warm-up: walk every path of the loop once, before it is all locked.
 * 0, or -errno if memory cannot be read at all. */
static int
warm_up(struct daemon *d)
{
	struct victim v;
	int r;

	r = sample_memory(d, d->ops->now_ms(d->ops->ctx));
	if (r < 0) {
		log_err_r(r, "cannot read memory: no sysinfo(2), no "
		    "/proc/meminfo");
		return r;
	}
	read_meminfo(d, d->ops->now_ms(d->ops->ctx));
	if (d->mon.psi_fd >= 0)
		monitor_read_psi(&d->mon, &d->in.psi);
	victim_select(&d->sel, &d->pc, d->p, &d->stuck, &v);
	return 0;
}

/* Wait for the next pass: a deadline, the PSI trigger, the victim's
 * exit, or a signal. */
static void
wait_pass(struct daemon *d, const sigset_t *orig)
{
	struct pollfd fds[2];
	struct timespec ts;
	uint32_t wait_ms;
	int n = 0, r;

	if (d->mon.trigger_fd >= 0) {
		fds[n].fd = d->mon.trigger_fd;
		fds[n].events = POLLPRI;
		n++;
	}
	if (kill_poll_fd(&d->killer) >= 0) {
		fds[n].fd = kill_poll_fd(&d->killer);
		fds[n].events = POLLIN;
		n++;
	}
	wait_ms = sleep_less_slack(d);
	ts.tv_sec = wait_ms / 1000;
	ts.tv_nsec = (long)(wait_ms % 1000) * 1000000;
	r = ppoll(fds, (nfds_t)n, &ts, orig);
	if (r < 0 && errno != EINTR)
		log_err_r(-errno, "ppoll");
	if (r > 0 && d->mon.trigger_fd >= 0 &&
	    (fds[0].revents & (POLLERR | POLLNVAL))) {
		log_warn("PSI trigger failed: polling PSI instead");
		close(d->mon.trigger_fd);
		d->mon.trigger_fd = -1;
	}
}

int
daemon_start(struct daemon *d)
{
	int r;

	r = warm_up(d);
	if (r < 0)
		return r;
	protect_self();
	/* The timer slack is bustd's own from here (sleep_less_slack()). */
	r = sys_timer_slack(MONITOR_SLACK_NEAR_NS);
	d->slack_ok = r == 0;
	if (r < 0)
		log_warn_r(r, "timer slack");

	log_info("bustd %s running with %s (profile %s)%s", PACKAGE_VERSION,
	    d->opt->path, profile_names[d->p->profile],
	    d->p->dry_run ? ", dry run" : "");
	daemon_status(d, "start");
	sys_notify("READY=1\nSTATUS=watching memory; no kill yet");
	return 0;
}

int
daemon_run(struct daemon *d, struct daemon_signals *s, const sigset_t *orig)
{
	while (!s->term) {
		if (s->hup) {
			s->hup = 0;
			daemon_reload(d);
		}
		if (s->usr1) {
			s->usr1 = 0;
			daemon_status(d, "status");
		}
		daemon_poll(d);
		wait_pass(d, orig);
	}
	log_info("exiting on signal %d", (int)s->term);
	sys_notify("STOPPING=1");
	return 0;
}
