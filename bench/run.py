#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run.py: bustd against earlyoom, side by side, under bounded memory pressure.

    python3 bench/run.py --bustd BUILD/src/bustd [--earlyoom /usr/bin/earlyoom]
                         [--out DIR]
    BENCH_QUICK=1: one trial per cell and 10 s idle windows (development).

Root only.  "make bench" from a build folder builds src/bustd and runs this.
bench/README says what each figure means; in short:

Safety.  Every hog caps itself at HOG_CAP_MIB and exits on its own within
HOG_LIMIT_S; a trial starts only with MIN_AVAIL_KIB available.  Thresholds
are MemAvailable - 3 GiB at the start of each trial (never the machine's
real limits).  The hog, the idle processes and the decoy run as the
unprivileged BENCH_USER from copies under the bench's temporary folder
BENCHDIR; bustd is fenced with "[only-kill] exe = ^BENCHDIR/".  earlyoom
1.7 cannot be fenced (it has no --ignore-root-user; it is passed when the
installed earlyoom has it): the hog gets --prefer '^hog$' (+300) and
oom_score_adj 1000, so its badness is at least 1300, and before earlyoom
runs the harness checks that no other process comes near 1000.  While
the daemons run outside a trial (the idle windows) a decoy
(oom_score_adj 1000, no memory) is the first victim of either daemon if
anything else fills memory.  Every process the harness starts is a child
of it, killed by pid on every exit path, and dies with it
(PR_SET_PDEATHSIG); the harness is a child subreaper, so nothing is left
as a zombie.  /tmp/bustd-e2e.lock (the end-to-end tests' lock) is held
around every phase that runs a daemon.

Timing.  All times are CLOCK_MONOTONIC.  tracefs (an instance of its own,
trace_clock mono, checked against clock_gettime with trace_marker) records
signal_generate for SIGTERM and SIGKILL (who sent which signal to whom,
and when) and for the SIGCHLD the kernel sends the harness when the hog
exits (after its memory is freed), and, during a trial, sched_stat_runtime
of the daemon: every increment of its sum_exec_runtime (field 1 of
/proc/PID/schedstat) with the instant it was made.  (Not sched_switch: on
the machine this was written on, switches from the idle task of one CPU
are not traced.)  Without tracefs the harness falls back to the arrival
time of the daemon's kill log line, the time its pidfd on the hog became
readable, and /proc/PID/schedstat read by the sampler every 1 ms; the
table says which was used.

Selection cost: detection + selection, isolated from idle polling.  The
window runs from the sampler's last reading above the threshold (just
before the crossing: no poll before it can have seen the crossing) to the
daemon's signal (signal_generate: the end of its choice).  The daemon's
CPU in the window is the overlap of its sched_stat_runtime intervals
[t - runtime, t] with it (exact, where reading schedstat would lag by up
to a tick for a running task).  It still holds the polling the daemon
would have done anyway; that is estimated from the 500 ms before the
window (its CPU there / 0.5 s, when it polls at its near-threshold rate)
and subtracted: cost = cpu(window) - rate * length(window).  What is left
is the poll that saw the crossing, the scan of /proc, the choice and the
signal.  Work after the signal (bustd's process_mrelease) is reported
apart ("daemon CPU from its signal to hog gone").  The per-process cost
is the slope between 100 and 4000 idle processes, which cancels all
that does not grow with the process count.
"""

import argparse
import ctypes
import datetime
import fcntl
import json
import os
import pwd
import re
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

GIB_KIB = 1024 * 1024
HEADROOM_KIB = 3 * GIB_KIB        # thresholds sit this far below MemAvailable
# The hog may grow this far past the thresholds: room for a daemon that
# misses, and for the memory a previous hog freed, which this machine
# (free page reporting) hands back to MemAvailable over tens of seconds
# while the next trial runs.
OVERSHOOT_MIB = 2048
HOG_CAP_MIB = HEADROOM_KIB // 1024 + OVERSHOOT_MIB
SAFETY_KIB = 2 * GIB_KIB          # left available even at the hog's cap
MIN_AVAIL_KIB = HEADROOM_KIB + OVERSHOOT_MIB * 1024 + SAFETY_KIB
HOG_LIMIT_S = 30                  # the hog exits on its own by then
RATES = (256, 0)                  # MiB/s; 0 = as fast as it can
FOOTPRINT_EVERY_S = 10            # idle footprint sampling period
FILL_MIB = 1024                   # bench/fill.c: most per thread
FILL_ROUNDS = 3
BUSTD_FILL_MIB_S = 2097 * 1000 // 1024  # MONITOR_FILL_KIB_PER_MS_PER_CPU
EARLYOOM_FILL_MIB_S = 6000 * 1000 // 1024  # its fill rate, 6000 KiB/ms
IDLE_SETS = (100, 1000, 4000)     # idle processes for the selection rows
APPROACH_NS = 500_000_000         # polling rate measured over this, before
SAMPLER_MARGIN_KIB = 256 * 1024   # sampler logs schedstat from level + this
SAMPLER_RT_PRIO = 10              # SCHED_FIFO: a steady 1 ms on a busy box
FALL_NS = 500_000_000             # fall rate of MemAvailable over this
SETTLE_KIB_S = 64 * 1024          # a trial starts once it climbs slower
NO_CROSSING_RETRIES = 2           # trials run again if nothing crossed
BENCH_USER = "bustd-bench"
LOCK_PATH = "/tmp/bustd-e2e.lock"
LOCK_WAIT_S = 900
FOREIGN_BADNESS_MAX = 1000        # earlyoom refused if anyone else gets here

PR_SET_CHILD_SUBREAPER = 36


class BenchError(Exception):
    pass


class Interrupted(Exception):
    pass


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def now_ns():
    return time.monotonic_ns()


def read_text(path):
    with open(path) as f:
        return f.read()


def meminfo():
    out = {}
    for line in read_text("/proc/meminfo").splitlines():
        k, v = line.split(":", 1)
        out[k] = int(v.split()[0])
    return out


def proc_status(pid):
    out = {}
    for line in read_text("/proc/%d/status" % pid).splitlines():
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def kb(v):
    return int(v.split()[0]) if v else 0


def schedstat(pid):
    """CPU ns and timeslices of all threads of pid."""
    run = slices = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        f = read_text("/proc/%d/task/%s/schedstat" % (pid, tid)).split()
        run += int(f[0])
        slices += int(f[2])
    return run, slices


def footprint(pid):
    st = proc_status(pid)
    pss = 0
    for line in read_text("/proc/%d/smaps_rollup" % pid).splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1])
    return {"VmRSS": kb(st.get("VmRSS")), "Pss": pss,
            "RssAnon": kb(st.get("RssAnon")), "VmLck": kb(st.get("VmLck"))}


def ere_escape(s):
    return re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", s)


def thresholds(level_kib, total_kib):
    """PCT% (a multiple of 0.02, so that PCT/2 is exact in hundredths)
    for both daemons, and the levels in KiB as bustd computes them."""
    centi = level_kib * 10000 // total_kib
    centi = max(2, centi - centi % 2)

    def kib(c):
        return total_kib // 10000 * c + total_kib % 10000 * c // 10000

    return {"term_centi": centi, "kill_centi": centi // 2,
            "term_pct": "%d.%02d" % (centi // 100, centi % 100),
            "kill_pct": "%d.%02d" % (centi // 200, centi // 2 % 100),
            "term_kib": kib(centi), "kill_kib": kib(centi // 2)}


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# --- tracefs ---------------------------------------------------------------

TRACE_LINE = re.compile(
    r"^\s*(?P<comm>.*)-(?P<tid>\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(?P<cpu>\d+)\]"
    r"\s+(?:\S+\s+)?(?P<ts>\d+)\.(?P<us>\d+):\s+(?P<event>\w+):\s?(?P<rest>.*)$")
SIG_REST = re.compile(
    r"sig=(?P<sig>\d+) errno=-?\d+ code=-?\d+ comm=(?P<comm>.*) "
    r"pid=(?P<pid>\d+) grp=\d+ res=(?P<res>\d+)")
RUNTIME_REST = re.compile(r"comm=.* pid=(?P<pid>\d+) runtime=(?P<runtime>\d+)")


class Trace:
    """A tracefs instance of our own: removed, events and all, at close."""

    def __init__(self, harness_pid):
        self.root = None
        self.inst = None
        self.mounted = False
        for d in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
            if os.path.isdir(os.path.join(d, "instances")):
                self.root = d
                break
        if self.root is None and os.path.isdir("/sys/kernel/tracing"):
            r = subprocess.run(["mount", "-t", "tracefs", "nodev",
                                "/sys/kernel/tracing"],
                               stderr=subprocess.DEVNULL)
            if r.returncode == 0 and os.path.isdir(
                    "/sys/kernel/tracing/instances"):
                self.root = "/sys/kernel/tracing"
                self.mounted = True
        if self.root is None:
            return
        ev = os.path.join(self.root, "events")
        for e in ("signal/signal_generate", "sched/sched_stat_runtime"):
            if not os.path.isdir(os.path.join(ev, e)):
                log("tracefs has no %s: falling back" % e)
                self.close()
                return
        if "mono" not in read_text(os.path.join(self.root, "trace_clock")):
            log("tracefs has no mono clock: falling back")
            self.close()
            return
        inst = os.path.join(self.root, "instances",
                            "bustd-bench-%d" % harness_pid)
        try:
            os.mkdir(inst)
        except OSError as e:
            log("tracefs instance: %s: falling back" % e)
            self.close()
            return
        self.inst = inst
        self._w("trace_clock", "mono")
        self._w("buffer_size_kb", "4096")
        # Who sends SIGTERM/SIGKILL to whom; SIGCHLD to the harness is the
        # kernel's exit notification of the hog (after exit_mm).
        self._w("events/signal/signal_generate/filter",
                "sig == 9 || sig == 15 || (sig == 17 && pid == %d)"
                % harness_pid)
        self._w("events/signal/signal_generate/enable", "1")
        self._w("tracing_on", "1")
        self.clear()
        self._check_clock()

    def _w(self, name, text):
        with open(os.path.join(self.inst, name), "w") as f:
            f.write(text)

    def _check_clock(self):
        t0 = now_ns()
        self._w("trace_marker", "bench-clock-check")
        t1 = now_ns()
        for ev in self.events():
            if ev["event"] == "tracing_mark_write":
                if not t0 - 2000 <= ev["t"] <= t1 + 2000:
                    raise BenchError("trace_clock mono is not CLOCK_MONOTONIC "
                                     "(%d not in [%d, %d])"
                                     % (ev["t"], t0, t1))
                self.clear()
                return
        raise BenchError("tracefs: trace_marker line not found")

    @property
    def on(self):
        return self.inst is not None

    def clear(self):
        if self.inst:
            with open(os.path.join(self.inst, "trace"), "w"):
                pass

    def watch_runtime(self, pid):
        """Trace the CPU time accounted to pid, or stop with None."""
        if not self.inst:
            return
        if pid is None:
            self._w("events/sched/sched_stat_runtime/enable", "0")
        else:
            self._w("events/sched/sched_stat_runtime/filter",
                    "pid == %d" % pid)
            self._w("events/sched/sched_stat_runtime/enable", "1")

    def events(self, save=None):
        """Parse the buffer; keep its text in save if given."""
        if not self.inst:
            return []
        out = []
        text = read_text(os.path.join(self.inst, "trace"))
        if save:
            with open(save, "w") as f:
                f.write(text)
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            m = TRACE_LINE.match(line)
            if not m:
                continue
            ev = {"event": m["event"], "tid": int(m["tid"]),
                  "t": int(m["ts"]) * 1000000000 + int(m["us"].ljust(9, "0")[:9]),
                  "rest": m["rest"]}
            if m["event"] == "signal_generate":
                s = SIG_REST.match(m["rest"])
                if not s:
                    continue
                ev.update(sig=int(s["sig"]), pid=int(s["pid"]),
                          comm=s["comm"], res=int(s["res"]))
            elif m["event"] == "sched_stat_runtime":
                s = RUNTIME_REST.match(m["rest"])
                if not s:
                    continue
                ev.update(pid=int(s["pid"]), runtime=int(s["runtime"]))
            out.append(ev)
        out.sort(key=lambda e: e["t"])
        return out

    def close(self):
        if self.inst:
            for name, text in (("events/sched/sched_stat_runtime/enable",
                                "0"),
                               ("events/signal/signal_generate/enable", "0"),
                               ("tracing_on", "0")):
                try:
                    self._w(name, text)
                except OSError:
                    pass
            try:
                os.rmdir(self.inst)
            except OSError as e:
                log("cannot remove %s: %s" % (self.inst, e))
            self.inst = None
        if self.mounted:
            subprocess.run(["umount", self.root], stderr=subprocess.DEVNULL)
            self.mounted = False


def cpu_between(runtimes, pid, a, b):
    """ns pid spent on CPU within [a, b], from sched_stat_runtime events.

    Each event adds RUNTIME to the task's sum_exec_runtime at instant t,
    for the time it ran since its previous accounting or since it was put
    on the CPU, whichever is later: it ran without a break over
    [t - RUNTIME, t] (a switch-out is always accounted).  The overlap of
    these intervals with [a, b] is its time on CPU there.  (RUNTIME may
    leave out interrupt time and time stolen by the hypervisor, so the
    start of an interval can be placed a little late; the sum is the
    kernel's own.)"""
    total = 0
    for ev in runtimes:
        if ev.get("pid") == pid and "runtime" in ev:
            total += max(0, min(ev["t"], b) - max(ev["t"] - ev["runtime"], a))
    return total


# --- processes -------------------------------------------------------------

class Daemon:
    """earlyoom or bustd in the foreground; its output timestamped."""

    def __init__(self, bench, kind, argv, logpath, ready=None):
        """ready: the pattern of the line that says it runs (default:
        bustd's or earlyoom's, by kind)."""
        self.kind = kind
        self.argv = argv
        self.logpath = logpath
        self.lines = []
        self.ready = threading.Event()
        if ready is None:
            ready = r"running with" if kind == "bustd" else r"mem avail:"
        self.ready_re = re.compile(ready)
        self.p = bench.spawn(["setpriv", "--pdeathsig", "TERM", "--"] + argv,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.pid = self.p.pid
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        if not self.ready.wait(10):
            self.stop()
            raise BenchError("%s did not start:\n%s" % (kind, self.text()))

    def _read(self):
        with open(self.logpath, "a") as f:
            for raw in iter(self.p.stdout.readline, b""):
                t = now_ns()
                line = raw.decode(errors="replace").rstrip("\n")
                self.lines.append((t, line))
                f.write("%d.%09d %s\n" % (t // 10**9, t % 10**9, line))
                f.flush()
                if self.ready_re.search(line):
                    self.ready.set()

    def text(self):
        return "\n".join(line for _, line in self.lines)

    def kill_lines(self):
        """(time, pid, signal) of each kill the daemon logged."""
        out = []
        for t, line in self.lines:
            if self.kind == "bustd":
                m = re.search(r"pid (\d+) \(.*\) uid .*: sending (SIG\w+)",
                              line)
            else:
                m = re.search(r"sending (SIG\w+) to process (\d+)", line)
                if m:
                    m = (None, m.group(2), m.group(1))
            if m:
                out.append((t, int(m[1]), m[2]))
        return out

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        """Stop it; True if it was still running (it never dies alone)."""
        was = self.p.poll() is None
        if was:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.thread.join(5)
        return was


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
        self.trials = int(os.environ.get("BENCH_TRIALS",
                                         "1" if self.quick else "5"))
        self.idle_s = float(os.environ.get("BENCH_IDLE_S",
                                           "10" if self.quick else "60"))
        self.budget_s = float(os.environ.get(
            "BENCH_BUDGET_S", "900" if self.quick else "1500"))
        self.procs = []          # every Popen we started
        self.idle_pids = []      # children of the idler, killed by pid
        self.idler = None
        self.benchdir = None
        self.trace = None
        self.lock_fd = None
        self.user_created = False
        self.uid = self.gid = None
        self.harness_pid = os.getpid()
        self.notes = []
        self.results = {"idle": {}, "reaction": [], "phases": []}
        self.innocent = {"earlyoom": [], "bustd": []}
        self.decoy_kills = {"earlyoom": 0, "bustd": 0}
        self.helpers_lost = []
        self.t_start = time.monotonic()
        self.lock_waited = 0.0   # not counted against the budget

    # -- set-up and clean-up --

    def setup(self):
        if os.geteuid() != 0:
            raise BenchError("needs root (real memory pressure, tracefs, "
                             "a bench user)")
        for tool in ("setpriv", "choom", "useradd", "userdel"):
            if shutil.which(tool) is None:
                raise BenchError("%s not found (util-linux, passwd)" % tool)
        libc = ctypes.CDLL(None, use_errno=True)
        # Orphans of ours come back to us, and are reaped at clean-up.
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        self.out = os.path.abspath(self.args.out)
        os.makedirs(os.path.join(self.out, "logs"), exist_ok=True)
        for f in os.listdir(os.path.join(self.out, "logs")):
            os.unlink(os.path.join(self.out, "logs", f))
        self.benchdir = tempfile.mkdtemp(prefix="bustd-bench.", dir="/tmp")
        os.chmod(self.benchdir, 0o755)
        self.bin = os.path.join(self.benchdir, "bin")
        self.run = os.path.join(self.benchdir, "run")
        self.conf = os.path.join(self.benchdir, "conf")
        os.mkdir(self.bin, 0o755)
        os.mkdir(self.conf, 0o700)
        self.fence = "^" + ere_escape(self.benchdir) + "/"
        self.compile()
        self.make_user()
        os.mkdir(self.run, 0o755)
        os.chown(self.run, self.uid, self.gid)
        self.trace = Trace(self.harness_pid)
        self.timing = "tracefs" if self.trace.on else "fallback"
        if not self.trace.on:
            self.notes.append(
                "tracefs unavailable: signal times are the arrival of the "
                "daemon's kill log line, hog exit is the harness's pidfd "
                "wake-up, selection CPU is /proc/PID/schedstat read by "
                "the sampler (stale by up to a tick while the daemon runs)")
        eh = subprocess.run([self.args.earlyoom, "-h"], capture_output=True,
                            text=True)
        self.earlyoom_ignore_root = "--ignore-root-user" in (eh.stdout +
                                                              eh.stderr)
        ev = subprocess.run([self.args.earlyoom, "-v"], capture_output=True,
                            text=True)
        self.earlyoom_version = (ev.stdout + ev.stderr).strip().splitlines()[0]
        bv = subprocess.run([self.args.bustd, "--version"],
                            capture_output=True, text=True)
        self.bustd_version = bv.stdout.strip()
        self.oom_kill0 = self.vmstat_oom()

    def compile(self):
        cc = shlex.split(os.environ.get("CC") or "cc")
        here = os.path.dirname(os.path.abspath(__file__))
        srcdir = self.args.srcdir or os.path.dirname(here)
        for name, src in (("sampler", os.path.join(here, "sampler.c")),
                          ("idler", os.path.join(here, "idler.c")),
                          ("floor", os.path.join(here, "floor.c")),
                          ("fill", os.path.join(here, "fill.c")),
                          ("hog", os.path.join(srcdir, "tests/e2e/hog.c"))):
            r = subprocess.run(cc + ["-O2", "-Wall", "-o",
                                     os.path.join(self.bin, name), src],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise BenchError("cannot compile %s:\n%s" % (src, r.stderr))
        shutil.copy(os.path.join(self.bin, "idler"),
                    os.path.join(self.bin, "decoy"))
        for f in os.listdir(self.bin):
            os.chmod(os.path.join(self.bin, f), 0o755)
        self.shipped_conf = os.path.join(srcdir, "etc/bustd.conf")

    def make_user(self):
        try:
            pw = pwd.getpwnam(BENCH_USER)
        except KeyError:
            r = subprocess.run(["useradd", "--system", "--user-group",
                                "--no-create-home", "--home-dir",
                                "/nonexistent", "--shell",
                                "/usr/sbin/nologin", BENCH_USER],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise BenchError("useradd %s: %s" % (BENCH_USER, r.stderr))
            self.user_created = True
            pw = pwd.getpwnam(BENCH_USER)
        if pw.pw_uid == 0 or pw.pw_uid >= 1000:
            raise BenchError("%s exists and is not a system user"
                             % BENCH_USER)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid

    def cleanup(self):
        try:
            self.kill_idlers()
        except Exception as e:
            log("killing the idle processes: %s" % e)
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    p.kill()
                except OSError:
                    pass
        for p in self.procs:
            try:
                p.wait(5)
            except Exception:
                pass
        self.reap_orphans()
        if self.trace:
            self.trace.close()
        if self.user_created:
            left = self.user_pids()
            if left:
                log("processes of %s still there, not removing it: %s"
                    % (BENCH_USER, left))
            else:
                r = subprocess.run(["userdel", BENCH_USER],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    log("userdel %s: %s" % (BENCH_USER, r.stderr.strip()))
                else:
                    self.user_created = False
        if self.benchdir and os.environ.get("BENCH_KEEP", "") in ("", "0"):
            shutil.rmtree(self.benchdir, ignore_errors=True)
        self.unlock()

    def reap_orphans(self):
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                time.sleep(0.05)

    def user_pids(self):
        out = []
        if self.uid is None:
            return out
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    if os.stat("/proc/" + d).st_uid == self.uid:
                        out.append(int(d))
                except OSError:
                    pass
        return out

    def spawn(self, argv, user=False, adj=None, **kw):
        pre = []
        if user:
            pre = ["setpriv", "--reuid", str(self.uid), "--regid",
                   str(self.gid), "--clear-groups", "--pdeathsig", "KILL",
                   "--"]
        if adj is not None:
            pre += ["choom", "-n", str(adj), "--"]
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
        p = subprocess.Popen(pre + argv, cwd=self.benchdir, env=env, **kw)
        self.procs.append(p)
        return p

    def vmstat_oom(self):
        for line in read_text("/proc/vmstat").splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return None

    # -- the lock --

    def lock(self):
        """Take the end-to-end tests' lock, waiting LOCK_WAIT_S at most.
        A blocking flock(2), not polling: the tests wait in flock(1), and
        a poller loses every race against blocked waiters."""
        self.lock_fd = os.open(LOCK_PATH, os.O_WRONLY | os.O_CREAT |
                               os.O_CLOEXEC, 0o644)
        t0 = time.monotonic()
        try:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        log("waiting for %s (end-to-end tests running)" % LOCK_PATH)

        def expired(sig, frame):
            raise BenchError("%s held for %d s" % (LOCK_PATH, LOCK_WAIT_S))

        old = signal.signal(signal.SIGALRM, expired)
        signal.alarm(LOCK_WAIT_S)
        try:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
            self.lock_waited += time.monotonic() - t0

    def unlock(self):
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None

    def time_left(self):
        """Of the budget; time spent waiting for the lock is not spent."""
        return self.budget_s - (time.monotonic() - self.t_start -
                                self.lock_waited)

    # -- daemons --

    def write_conf(self, name, text):
        path = os.path.join(self.conf, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        r = subprocess.run([self.args.bustd, "--check-config", "-c", path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("bustd refuses %s:\n%s" % (path, r.stderr))
        return path

    def bustd_conf(self, th):
        """profile none, the thresholds, PSI off, fenced."""
        if th is None:
            with open(self.shipped_conf) as f:
                text = f.read()
            text += ("\n; Added by the benchmark: only its own processes "
                     "may die.\n[only-kill]\nexe = %s\n" % self.fence)
            return self.write_conf("shipped.conf", text)
        return self.write_conf("bench.conf", (
            "; bustd benchmark: thresholds MemAvailable - 3 GiB\n"
            "[general]\nprofile = none\nlog = stderr\n"
            "[thresholds]\nmem_term = %s%%\nmem_kill = %s%%\n"
            "psi_metric = off\n"
            "[notify]\ndesktop = no\n"
            "[only-kill]\nexe = %s\n") % (th["term_pct"], th["kill_pct"],
                                          self.fence))

    def earlyoom_argv(self, th):
        argv = [self.args.earlyoom]
        if th is not None:
            argv += ["-m", th["term_pct"]]
        argv += ["-r", "3600", "--prefer", "^hog$"]
        if self.earlyoom_ignore_root:
            argv.append("--ignore-root-user")
        return argv

    def preflight_earlyoom(self):
        """earlyoom cannot be fenced: nobody else may come near the hog."""
        ours = {p.pid for p in self.procs} | set(self.idle_pids)
        for d in os.listdir("/proc"):
            if not d.isdigit() or int(d) in ours or d == "1":
                continue
            try:
                score = int(read_text("/proc/%s/oom_score" % d))
                comm = read_text("/proc/%s/comm" % d).rstrip("\n")
            except (OSError, ValueError):
                continue
            badness = score + (300 if comm == "hog" else 0)
            if badness >= FOREIGN_BADNESS_MAX:
                raise BenchError(
                    "pid %s (%s) has earlyoom badness %d: earlyoom could "
                    "pick it over the hog; not running earlyoom"
                    % (d, comm, badness))

    def start_daemon(self, kind, th, tag):
        logpath = os.path.join(self.out, "logs", "%s-%s.log" % (tag, kind))
        if kind == "earlyoom":
            self.preflight_earlyoom()
            argv = self.earlyoom_argv(th)
        else:
            argv = [self.args.bustd, "-n", "-c", self.bustd_conf(th)]
        return Daemon(self, kind, argv, logpath)

    def decoy(self, seconds):
        """A sleeping lightning rod: oom_score_adj 1000, nothing else."""
        return self.spawn([os.path.join(self.bin, "decoy"), "-n", "0", "-t",
                           str(int(min(900, seconds)))], user=True, adj=1000)

    def stop_proc(self, p):
        if p.poll() is None:
            p.kill()
        p.wait()

    def daemon_signals(self, events, daemon, victims, phase):
        """Signals the daemon sent to anyone but the designated victims."""
        if not self.trace.on:
            sent = [(t, pid, s) for t, pid, s in daemon.kill_lines()]
        else:
            sent = [(e["t"], e["pid"], "SIG%d" % e["sig"]) for e in events
                    if e["event"] == "signal_generate" and
                    e["tid"] == daemon.pid and e["sig"] in (9, 15)]
        bad = [s for s in sent if s[1] not in victims]
        for t, pid, s in bad:
            self.innocent[daemon.kind].append(
                {"phase": phase, "pid": pid, "signal": s})
        return sent

    # -- idle --

    def idle_phase(self, name, headroom):
        self.lock()
        try:
            mi = meminfo()
            th = None
            if headroom:
                if mi["MemAvailable"] < MIN_AVAIL_KIB:
                    self.notes.append("idle (%s) skipped: MemAvailable %d "
                                      "MiB" % (name, mi["MemAvailable"] //
                                               1024))
                    return
                th = thresholds(mi["MemAvailable"] - HEADROOM_KIB,
                                mi["MemTotal"])
            decoy = self.decoy(self.idle_s + 60)
            self.trace.clear()
            ds = {}
            for kind in ("earlyoom", "bustd"):
                ds[kind] = self.start_daemon(kind, th, "idle-" + name)
            # The floor, over the same window: a loop that only wakes up
            # once a second and calls sysinfo.  Its cost per wake-up is
            # what counts (no daemon can wake for less).
            floor = self.spawn([os.path.join(self.bin, "floor"), "wake",
                                "1000", str(int(self.idle_s) + 5)],
                               stdout=subprocess.PIPE, text=True)
            time.sleep(5)
            res = {"thresholds": th, "footprint": {}, "cpu_ns_s": {},
                   "wakeups_s": {}}
            # The footprint is sampled at once for both, 5 s in and then
            # every FOOTPRINT_EVERY_S through the window: Pss moves with
            # whatever else maps the same library pages, one sample is
            # noise.  Reading smaps costs the reader, not the daemon.
            samples = {k: [] for k in ds}
            ss0 = {k: schedstat(d.pid) for k, d in ds.items()}
            t1 = now_ns()
            end = time.monotonic() + self.idle_s
            while True:
                for kind, d in ds.items():
                    try:
                        samples[kind].append(footprint(d.pid))
                    except OSError:
                        pass
                left = end - time.monotonic()
                if left <= 0:
                    break
                time.sleep(min(FOOTPRINT_EVERY_S, left))
            ss1 = {k: schedstat(d.pid) for k, d in ds.items()}
            t2 = now_ns()
            for kind, fps in samples.items():
                if fps:
                    res["footprint"][kind] = {
                        key: median([f[key] for f in fps])
                        for key in fps[0]}
                    res["footprint"][kind]["samples"] = len(fps)
            for kind in ds:
                el = (t2 - t1) / 1e9
                res["cpu_ns_s"][kind] = (ss1[kind][0] - ss0[kind][0]) / el
                res["wakeups_s"][kind] = (ss1[kind][1] - ss0[kind][1]) / el
            res["seconds"] = (t2 - t1) / 1e9
            try:
                fo, _ = floor.communicate(timeout=30)
                w = fo.split()
                if len(w) == 3 and w[0] == "wake":
                    res["floor_ns_per_wake"] = int(w[1])
            except subprocess.TimeoutExpired:
                floor.kill()
                floor.wait()
            for kind, d in ds.items():
                if not d.stop():
                    self.helpers_lost.append("%s died during idle %s"
                                             % (kind, name))
            events = self.trace.events()
            for kind, d in ds.items():
                sent = self.daemon_signals(events, d, {decoy.pid}, "idle")
                n = sum(1 for s in sent if s[1] == decoy.pid)
                if n:
                    self.decoy_kills[kind] += n
                    self.notes.append(
                        "idle (%s): %s killed the decoy: something else "
                        "filled memory; these idle figures are disturbed"
                        % (name, kind))
            if decoy.poll() is not None and not any(
                    self.decoy_kills.values()):
                self.helpers_lost.append("decoy died during idle %s" % name)
            self.stop_proc(decoy)
            self.results["idle"][name] = res
            log("idle (%s): %s" % (name, json.dumps(
                {k: round(v) for k, v in res["cpu_ns_s"].items()})))
        finally:
            self.unlock()

    # -- reaction trials --

    def settle(self):
        """Wait (10 s at most) while MemAvailable still climbs by more than
        SETTLE_KIB_S: the memory the last hog freed coming back."""
        deadline = time.monotonic() + 10
        hist = [(time.monotonic(), meminfo()["MemAvailable"])]
        while time.monotonic() < deadline:
            time.sleep(0.25)
            hist.append((time.monotonic(), meminfo()["MemAvailable"]))
            old = [h for h in hist if h[0] <= hist[-1][0] - 1]
            if old and hist[-1][1] - old[-1][1] < SETTLE_KIB_S * (
                    hist[-1][0] - old[-1][0]):
                return

    def trial(self, kind, rate, nidle, idx, attempt=0):
        self.settle()
        mi = meminfo()
        avail0 = mi["MemAvailable"]
        rec = {"daemon": kind, "rate": rate, "nidle": nidle, "trial": idx,
               "attempt": attempt}
        if avail0 < MIN_AVAIL_KIB:
            rec["skipped"] = "MemAvailable %d MiB < %d MiB" % (
                avail0 // 1024, MIN_AVAIL_KIB // 1024)
            self.results["reaction"].append(rec)
            log("%s: skipped: %s" % (kind, rec["skipped"]))
            return rec
        th = thresholds(avail0 - HEADROOM_KIB, mi["MemTotal"])
        rec["thresholds"] = th
        tag = "r%s-n%d-%d%s" % (rate or "max", nidle, idx,
                                "" if attempt == 0 else "-again%d" % attempt)
        d = self.start_daemon(kind, th, tag)
        rec["daemon_pid"] = d.pid
        self.trace.clear()
        self.trace.watch_runtime(d.pid)
        ready = os.path.join(self.run, "sampler.ready")
        if os.path.exists(ready):
            os.unlink(ready)
        sampler = self.spawn(
            [os.path.join(self.bin, "sampler"), "-l", str(th["term_kib"]),
             "-p", str(d.pid), "-m", str(SAMPLER_MARGIN_KIB), "-t",
             str(HOG_LIMIT_S + 15), "-R", str(SAMPLER_RT_PRIO), "-w", ready],
            stdout=subprocess.PIPE)
        for _ in range(500):
            if os.path.exists(ready) or sampler.poll() is not None:
                break
            time.sleep(0.01)
        if not os.path.exists(ready):
            raise BenchError("the sampler did not start")
        t_hog = now_ns()
        hog = self.spawn([os.path.join(self.bin, "hog"), "-r", str(rate),
                          "-c", str(HOG_CAP_MIB), "-t", str(HOG_LIMIT_S)],
                         user=True, adj=1000)
        rec["hog_pid"] = hog.pid
        pidfd = os.pidfd_open(hog.pid)
        try:
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            got = poller.poll((HOG_LIMIT_S + 10) * 1000)
            t_reap = now_ns()
        finally:
            os.close(pidfd)
        if not got:
            hog.kill()
            rec["harness_killed_hog"] = True
        status = hog.wait()
        time.sleep(0.1)
        sampler.send_signal(signal.SIGTERM)
        out, _ = sampler.communicate(timeout=10)
        try:
            rec["daemon_rss_after_kib"] = footprint(d.pid)["VmRSS"]
        except OSError:
            pass
        if not d.stop():
            self.helpers_lost.append("%s died in trial %s" % (kind, tag))
        self.trace.watch_runtime(None)
        events = self.trace.events(os.path.join(self.out, "logs",
                                                "%s-%s.trace" % (tag, kind)))
        self.analyze(rec, d, out.decode(), events, t_hog, t_reap, status)
        self.results["reaction"].append(rec)
        log("%-8s %-5s n=%-4d #%d: detect %s ms, gone %s ms, low %s MiB, "
            "cpu %s us, %s" % (
                kind, rate or "max", nidle, idx,
                fmt(rec.get("detect_ms"), 1), fmt(rec.get("gone_ms"), 1),
                fmt(rec.get("below_mib"), 0), fmt(rec.get("sel_cpu_us"), 0),
                rec.get("died")))
        return rec

    def analyze(self, rec, d, out, events, t_hog, t_reap, status):
        s = {}
        ss = []
        for line in out.splitlines():
            if line.startswith("ss "):
                ss.append(tuple(int(x) for x in line.split()[1:]))
            elif "=" in line:
                k, v = line.split("=", 1)
                s[k] = int(v)
        rec["sampler"] = {k: v for k, v in s.items()}
        cross = s.get("cross_ns") or None
        before = s.get("before_ns") or cross
        level = s["level_kib"]
        hog = rec["hog_pid"]
        sent = self.daemon_signals(events, d, {hog}, "reaction")
        to_hog = [x for x in sent if x[1] == hog]
        t_sig = to_hog[0][0] if to_hog else None
        rec["signals"] = [[x[0], x[1], x[2]] for x in sent]
        if self.trace.on:
            chld = [e["t"] for e in events if e["event"] == "signal_generate"
                    and e["sig"] == 17 and e["tid"] == hog and
                    e["pid"] == self.harness_pid]
            t_gone = chld[0] if chld else t_reap
        else:
            t_gone = t_reap
        rec["t"] = {"hog_start": t_hog, "cross": cross, "before": before,
                    "signal": t_sig, "gone": t_gone, "reap": t_reap}
        if cross:
            fill_kib = s["start_avail_kib"] - level
            rec["fill_mib_s"] = fill_kib / 1024 / ((cross - t_hog) / 1e9)
            # How fast MemAvailable fell just before the crossing: what
            # the daemon's polling had to keep up with.
            early = [x for x in ss if x[0] >= cross - FALL_NS]
            if early and early[0][0] < cross:
                rec["fall_mib_s"] = ((early[0][3] - s["cross_avail_kib"]) /
                                     1024 / ((cross - early[0][0]) / 1e9))
        rec["below_mib"] = (level - s["min_avail_kib"]) / 1024
        rec["sampler_max_gap_ms"] = s["max_gap_ns"] / 1e6
        # status: the hog's Popen.returncode, -N for signal N.
        if status < 0:
            rec["died"] = "hog (%s)" % signal.Signals(-status).name
            rec["hog_killed"] = bool(to_hog)
        else:
            rec["died"] = "nobody (the hog exited with %d)" % status
            rec["hog_killed"] = False
        if cross and t_sig:
            rec["detect_ms"] = (t_sig - cross) / 1e6
        if cross and rec["hog_killed"]:
            rec["gone_ms"] = (t_gone - cross) / 1e6
        if cross and t_sig and before and t_sig > before:
            win = t_sig - before
            if self.trace.on:
                sw = [e for e in events
                      if e["event"] == "sched_stat_runtime"]
                cpu = cpu_between(sw, d.pid, before, t_sig)
                appr = cpu_between(sw, d.pid, before - APPROACH_NS, before)
            else:
                cpu = appr = None
            # schedstat, as read by the sampler every 1 ms: the last
            # reading at or before each instant.
            def at(t):
                r = None
                for x in ss:
                    if x[0] <= t:
                        r = x[1]
                    else:
                        break
                return r
            a0, a1, b1 = at(before - APPROACH_NS), at(before), at(t_sig)
            if a1 is not None and b1 is not None:
                rec["sel_cpu_schedstat_raw_us"] = (b1 - a1) / 1e3
                if a0 is not None:
                    rate_ss = (a1 - a0) / (APPROACH_NS / 1e9)
                    rec["sel_cpu_schedstat_us"] = (
                        (b1 - a1) - rate_ss * win / 1e9) / 1e3
            if cpu is not None and t_gone > t_sig:
                # What the daemon spends after its signal, until the hog
                # is gone (bustd: process_mrelease reaps on its time).
                rec["after_cpu_ms"] = cpu_between(sw, d.pid, t_sig,
                                                  t_gone) / 1e6
            if cpu is not None and len(ss) > 1 and ss[-1][1] > ss[0][1]:
                # The events against schedstat, over all the sampler saw.
                rec["runtime_vs_schedstat"] = cpu_between(
                    sw, d.pid, ss[0][0], ss[-1][0]) / (ss[-1][1] - ss[0][1])
            if cpu is None:
                rec["sel_cpu_us"] = rec.get("sel_cpu_schedstat_us")
            else:
                rate_ns = appr / (APPROACH_NS / 1e9)
                rec["sel_cpu_raw_us"] = cpu / 1e3
                rec["approach_ns_s"] = rate_ns
                rec["approach_us_s"] = rate_ns / 1e3
                rec["sel_cpu_us"] = (cpu - rate_ns * win / 1e9) / 1e3
            rec["window_ms"] = win / 1e6

    def reaction_phase(self, rate, nidle):
        """Trials at rate, earlyoom and bustd taking turns."""
        for i in range(self.trials):
            order = ("earlyoom", "bustd") if i % 2 == 0 else (
                "bustd", "earlyoom")
            for kind in order:
                for attempt in range(1 + NO_CROSSING_RETRIES):
                    if self.time_left() < 60:
                        self.notes.append("time budget spent: trials "
                                          "skipped")
                        return
                    rec = self.trial(kind, rate, nidle, i, attempt)
                    if "skipped" in rec or rec["t"]["cross"]:
                        break
                    # MemAvailable never reached the threshold (memory
                    # came back faster than the hog took it): nobody had
                    # to die, and nothing was measured.  Again.
                    rec["no_crossing"] = True

    def spawn_idlers(self, n):
        pidfile = os.path.join(self.run, "idle.pids")
        ready = os.path.join(self.run, "idle.ready")
        for f in (pidfile, ready):
            if os.path.exists(f):
                os.unlink(f)
        limit = min(900, 120 + self.trials * 2 * (HOG_LIMIT_S + 15))
        self.idler = self.spawn([os.path.join(self.bin, "idler"), "-n",
                                 str(n), "-t", str(limit), "-o", pidfile,
                                 "-w", ready], user=True)
        for _ in range(1200):
            if os.path.exists(ready) or self.idler.poll() is not None:
                break
            time.sleep(0.05)
        if not os.path.exists(ready):
            raise BenchError("the idler did not start %d processes" % n)
        self.idle_pids = [int(x) for x in read_text(pidfile).split()]
        if len(self.idle_pids) != n:
            raise BenchError("idler: %d pids, wanted %d"
                             % (len(self.idle_pids), n))

    def idle_alive(self):
        """Pids of the idler's children still its children."""
        out = []
        for pid in self.idle_pids:
            try:
                st = read_text("/proc/%d/stat" % pid)
            except OSError:
                continue
            f = st.rsplit(")", 1)[1].split()
            if self.idler and int(f[1]) == self.idler.pid and f[0] != "Z":
                out.append(pid)
        return out

    def kill_idlers(self):
        """By pid: the children first (the idler reaps them), then it."""
        if self.idler is None:
            return
        for pid in self.idle_alive():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.monotonic() + 10
        while self.idle_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.idler.poll() is None:
            self.idler.kill()
        self.idler.wait()
        self.idler = None
        self.idle_pids = []

    def selection_phase(self, n):
        self.lock()
        try:
            if self.time_left() < 120:
                self.notes.append("time budget spent: %d idle processes "
                                  "skipped" % n)
                return
            a0 = meminfo()["MemAvailable"]
            self.spawn_idlers(n)
            a1 = meminfo()["MemAvailable"]
            self.results["phases"].append(
                {"nidle": n, "avail_cost_mib": (a0 - a1) / 1024})
            log("%d idle processes up (%.0f MiB)" % (n, (a0 - a1) / 1024))
            self.reaction_phase(0, n)
            # The floor of the scan among the same processes.
            r = subprocess.run([os.path.join(self.bin, "floor"), "scan",
                                "5"], capture_output=True, text=True,
                               timeout=120)
            w = r.stdout.split()
            if r.returncode == 0 and len(w) == 4 and w[0] == "scan":
                self.results["phases"][-1]["floor_scan"] = {
                    "procs": int(w[1]), "first_us": int(w[2]),
                    "median_us": int(w[3])}
            alive = len(self.idle_alive())
            if alive != n:
                self.helpers_lost.append("%d of %d idle processes died"
                                         % (n - alive, n))
            self.kill_idlers()
        finally:
            self.unlock()

    # -- how fast memory can fill --

    def fill_phase(self):
        """bench/fill.c: one thread, then one per CPU at once, with 4 KiB
        pages, then one thread with transparent huge pages: the rates a
        daemon's sleep must assume, measured beside the rules."""
        self.lock()
        try:
            ncpu = os.cpu_count() or 1
            avail_mib = meminfo()["MemAvailable"] // 1024
            # All instances at once hold at most a quarter of what is
            # available, and never more than 1 GiB each.
            mib = min(FILL_MIB, avail_mib // (4 * ncpu))
            if mib < 64:
                self.notes.append("fill rates skipped: MemAvailable %d MiB"
                                  % avail_mib)
                return
            res = {"mib": mib, "ncpu": ncpu}
            thp = read_text("/sys/kernel/mm/transparent_hugepage/enabled")
            runs = [("one_4k", 1, "4k"), ("all_4k", ncpu, "4k")]
            if thp and "[never]" not in thp:
                runs.append(("one_thp", 1, "thp"))
            for key, n, mode in runs:
                # spawn(): an interrupted run kills them, by pid.
                ps = [self.spawn([os.path.join(self.bin, "fill"), str(mib),
                                  str(FILL_ROUNDS), mode],
                                 stdout=subprocess.PIPE, text=True)
                      for _ in range(n)]
                outs = []
                for p in ps:
                    try:
                        o, _ = p.communicate(timeout=120)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        o, _ = p.communicate()
                    w = o.split()
                    if p.returncode == 0 and len(w) == 2 + FILL_ROUNDS:
                        outs.append([int(x) for x in w[2:]])
                if len(outs) != n:
                    self.notes.append("fill %s: %d of %d runs failed"
                                      % (key, n - len(outs), n))
                    continue
                # Round by round, the instances ran at once: their rates
                # add up.
                sums = [sum(o[i] for o in outs) for i in range(FILL_ROUNDS)]
                res[key] = {"first": sums[0], "again": median(sums[1:])}
            self.results["fill"] = res
            log("fill: %s" % json.dumps(res))
        finally:
            self.unlock()

    # -- the whole run --

    def main(self):
        self.setup()
        log("out: %s; temp: %s; timing: %s; %d trial(s), %g s idle"
            % (self.out, self.benchdir, self.timing, self.trials,
               self.idle_s))
        # BENCH_PHASES: a subset, for development.
        phases = os.environ.get("BENCH_PHASES",
                                "idle,reaction,selection,fill")
        phases = phases.split(",")
        if "idle" in phases:
            self.idle_phase("defaults", headroom=False)
            self.idle_phase("headroom", headroom=True)
        if "reaction" in phases:
            for rate in RATES:
                self.lock()
                try:
                    self.reaction_phase(rate, 0)
                finally:
                    self.unlock()
        if "selection" in phases:
            for n in IDLE_SETS:
                self.selection_phase(n)
        if "fill" in phases:
            self.fill_phase()
        self.oom_kill1 = self.vmstat_oom()
        report = self.report()
        with open(os.path.join(self.out, "results.md"), "w") as f:
            f.write(report)
        with open(os.path.join(self.out, "results.json"), "w") as f:
            json.dump(self.json(), f, indent=1, default=str)
        print(report, end="", flush=True)

    def floor_table(self, L, idle, slope):
        """What no daemon can go below on this machine (bench/floor.c),
        beside what each spent: how close to it a target lies."""
        rows = []
        for name, label in (("defaults", "(a)"), ("headroom", "(b)")):
            r = idle.get(name)
            if not r or not r.get("floor_ns_per_wake"):
                continue
            per = {k: (r["cpu_ns_s"][k] / r["wakeups_s"][k]
                       if r["wakeups_s"][k] else None)
                   for k in ("earlyoom", "bustd")}
            rows.append(("idle CPU %s per wake-up (ns): a loop of ppoll "
                         "(1 s, 64 ms slack) + sysinfo" % label,
                         r["floor_ns_per_wake"], per["earlyoom"],
                         per["bustd"], 0))
        fl = {p["nidle"]: p["floor_scan"] for p in self.results["phases"]
              if "floor_scan" in p}
        lo, hi = IDLE_SETS[0], IDLE_SETS[-1]
        if lo in fl and hi in fl:
            f = (fl[hi]["median_us"] - fl[lo]["median_us"]) / (hi - lo)
            rows.append(("selection CPU per process (us): one openat + read "
                         "+ close of oom_score each", f, slope.get("earlyoom"),
                         slope.get("bustd"), 2))
        if not rows:
            return
        L.append("\nFloors measured in the same run (bench/floor.c): the "
                 "least any daemon can spend here.\n\n")
        L.append("| measure | floor | earlyoom | bustd | earlyoom/floor | "
                 "bustd/floor |\n")
        L.append("|---|---:|---:|---:|---:|---:|\n")
        for label, f, e, b, dg in rows:
            def cell(v):
                return "n/a" if v is None else ("%.*f" % (dg, v))

            def rat(v):
                return "n/a" if v is None or not f else "%.2f" % (v / f)
            L.append("| %s | %s | %s | %s | %s | %s |\n" % (
                label, cell(f), cell(e), cell(b), rat(e), rat(b)))

    def fill_table(self, L):
        """The fill rates measured, beside the rate each daemon's sleep
        assumes: how far a fill can outrun a long sleep."""
        f = self.results.get("fill")
        if not f:
            return
        ncpu = f["ncpu"]
        L.append("\nMemory fill rates measured in the same run (bench/fill.c,"
                 " %d MiB per thread, %d rounds; MiB/s), beside the rate "
                 "each daemon's sleep assumes.\n\n"
                 % (f["mib"], FILL_ROUNDS))
        L.append("| fill | first round | later rounds (median) |\n")
        L.append("|---|---:|---:|\n")
        for key, label in (("one_4k", "one thread, 4 KiB pages"),
                           ("all_4k", "%d threads at once, 4 KiB pages"
                            % ncpu),
                           ("one_thp", "one thread, transparent huge "
                            "pages")):
            if key in f:
                L.append("| %s | %d | %d |\n" % (label, f[key]["first"],
                                                 f[key]["again"]))
        L.append("\nAssumed: bustd 2 GiB/s per CPU, %d MiB/s here; earlyoom "
                 "6000 KiB/ms, %d MiB/s.\n"
                 % (BUSTD_FILL_MIB_S * ncpu, EARLYOOM_FILL_MIB_S))

    def json(self):
        return {"header": self.header, "results": self.results,
                "innocent": self.innocent, "decoy_kills": self.decoy_kills,
                "helpers_lost": self.helpers_lost, "notes": self.notes,
                "oom_kill_delta": self.oom_kill1 - self.oom_kill0}

    # -- the report --

    def report(self):
        mi = meminfo()
        cmd = os.environ.get("BENCH_COMMAND") or " ".join(
            shlex.quote(a) for a in [sys.executable] + sys.argv)
        if self.quick and "BENCH_QUICK" not in cmd:
            cmd = "BENCH_QUICK=1 " + cmd
        self.header = {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y-%m-%d %H:%M:%S UTC"),
            "kernel": os.uname().release, "cpus": os.cpu_count(),
            "mem_total_mib": mi["MemTotal"] // 1024,
            "swap_total_mib": mi["SwapTotal"] // 1024, "command": cmd,
            "bustd": self.bustd_version, "earlyoom": self.earlyoom_version,
            "timing": self.timing, "trials": self.trials,
            "idle_s": self.idle_s,
            "elapsed_s": round(time.monotonic() - self.t_start),
            "lock_wait_s": round(self.lock_waited)}
        h = self.header
        L = []
        L.append("## bustd vs earlyoom\n\n")
        L.append("- date: %s; kernel: %s; CPUs: %d; RAM: %d MiB; swap: %d "
                 "MiB\n" % (h["date"], h["kernel"], h["cpus"],
                            h["mem_total_mib"], h["swap_total_mib"]))
        L.append("- command: `%s`\n" % cmd)
        L.append("- %s (%s), %s (%s); both as root at nice 0, in the "
                 "foreground\n" % (self.bustd_version, self.args.bustd,
                                   self.earlyoom_version, self.args.earlyoom))
        L.append("- %s mode: %d trial(s) per cell, daemons taking turns "
                 "(never both during a trial); %g s idle windows; %d s "
                 "elapsed, %d s of them waiting for %s; medians, "
                 "(min-max) with more than one trial\n"
                 % ("quick" if self.quick else "full", self.trials,
                    self.idle_s, h["elapsed_s"], h["lock_wait_s"],
                    LOCK_PATH))
        L.append("- bounds: each hog stops growing at %d MiB and exits "
                 "within %d s; a trial needs %d MiB available; thresholds "
                 "are MemAvailable - 3 GiB at each trial's start; no "
                 "trial starts after %d s of running (lock waits not "
                 "counted, each at most %d s)\n"
                 % (HOG_CAP_MIB, HOG_LIMIT_S, MIN_AVAIL_KIB // 1024,
                    self.budget_s, LOCK_WAIT_S))
        L.append("- thresholds: earlyoom -m PCT (SIGTERM at PCT%%, SIGKILL "
                 "at PCT/2%%) -r 3600 --prefer '^hog$'%s; bustd profile "
                 "none, mem_term PCT%%, mem_kill PCT/2%%, psi_metric off, "
                 "[only-kill] exe = ^BENCHDIR/\n"
                 % (" --ignore-root-user" if self.earlyoom_ignore_root
                    else ""))
        L.append("- timing: %s\n\n" % (
            "tracefs signal_generate and sched_stat_runtime, trace_clock "
            "mono"
            if self.trace.on else "fallback (no tracefs), see notes"))
        L.append("| measure | earlyoom | bustd | bustd/earlyoom |\n")
        L.append("|---|---:|---:|---:|\n")

        def row(label, e, b, digits=0, ratio=True):
            r = "-"
            if ratio and isinstance(e, (int, float)) and isinstance(
                    b, (int, float)) and e:
                r = "%.2f" % (b / e)
            L.append("| %s | %s | %s | %s |\n" % (
                label, e if isinstance(e, str) else fmt(e, digits),
                b if isinstance(b, str) else fmt(b, digits), r))

        def trow(label, key, recs, digits):
            vals = {k: [r.get(key) for r in recs if r["daemon"] == k]
                    for k in ("earlyoom", "bustd")}
            cells = {}
            for k, v in vals.items():
                v = [x for x in v if x is not None]
                if not v:
                    cells[k] = "n/a"
                elif len(v) == 1:
                    cells[k] = fmt(v[0], digits)
                else:
                    cells[k] = "%s (%s-%s)" % (fmt(median(v), digits),
                                               fmt(min(v), digits),
                                               fmt(max(v), digits))
            me, mb = median(vals["earlyoom"]), median(vals["bustd"])
            r = "-"
            if me is not None and mb is not None and me != 0:
                r = "%.2f" % (mb / me)
            L.append("| %s | %s | %s | %s |\n" % (label, cells["earlyoom"],
                                                  cells["bustd"], r))

        def died(recs, k):
            rs = [r for r in recs if r["daemon"] == k and "skipped" not in r]
            if not rs:
                return "n/a"
            n = sum(1 for r in rs if r.get("hog_killed"))
            inn = sum(1 for r in rs for s in r.get("signals", [])
                      if s[1] != r["hog_pid"])
            txt = "hog %d/%d" % (n, len(rs))
            if inn:
                txt += ", OTHERS %d" % inn
            return txt

        idle = self.results["idle"]
        fp = idle.get("defaults", {}).get("footprint")
        if fp and "earlyoom" in fp and "bustd" in fp:
            n = min(fp["earlyoom"]["samples"], fp["bustd"]["samples"])
            for key in ("VmRSS", "Pss", "RssAnon", "VmLck"):
                row("idle footprint after 5 s, median of %d samples: %s "
                    "(kB)" % (n, key), fp["earlyoom"][key], fp["bustd"][key])
        for name, label in (("defaults", "(a) packaged defaults"),
                            ("headroom", "(b) 3 GiB headroom")):
            r = idle.get(name)
            if not r:
                continue
            row("idle CPU %s: ns on CPU per s" % label,
                r["cpu_ns_s"]["earlyoom"], r["cpu_ns_s"]["bustd"])
            row("idle CPU %s: wake-ups per s" % label,
                r["wakeups_s"]["earlyoom"], r["wakeups_s"]["bustd"], 2)
        rx = [r for r in self.results["reaction"]
              if "skipped" not in r and not r.get("no_crossing")]
        nocross = [r for r in self.results["reaction"]
                   if r.get("no_crossing")]
        if nocross:
            self.notes.append(
                "%d trial(s) saw no crossing (MemAvailable stayed above the "
                "threshold: memory freed earlier came back as fast as the "
                "hog took it) and were run again; %s"
                % (len(nocross), ", ".join(
                    "%s killed nothing" % r["daemon"]
                    if not r.get("signals") else
                    "%s SIGNALLED %s WITHOUT A CROSSING" % (
                        r["daemon"], r["signals"]) for r in nocross)))
        for rate in RATES:
            recs = [r for r in rx if r["rate"] == rate and r["nidle"] == 0]
            if not recs:
                continue
            lab = "hog %d MiB/s" % rate if rate else "hog flat out"
            trow(lab + ": detection, crossing -> signal (ms)", "detect_ms",
                 recs, 1)
            trow(lab + ": crossing -> hog gone (ms)", "gone_ms", recs, 1)
            trow(lab + ": daemon CPU from its signal to hog gone (ms)",
                 "after_cpu_ms", recs, 1)
            trow(lab + ": lowest MemAvailable, MiB below threshold",
                 "below_mib", recs, 0)
            trow(lab + ": MemAvailable fall in the 500 ms before the "
                 "crossing (MiB/s)", "fall_mib_s", recs, 0)
            trow(lab + ": daemon CPU polling in the 500 ms before the "
                 "crossing (us per s)", "approach_us_s", recs, 0)
            row(lab + ": who died", died(recs, "earlyoom"),
                died(recs, "bustd"), ratio=False)
        for n in IDLE_SETS:
            recs = [r for r in rx if r["nidle"] == n]
            if not recs:
                continue
            trow("%d idle processes: CPU crossing -> signal, minus polling "
                 "(us)" % n, "sel_cpu_us", recs, 0)
            trow("%d idle processes: detection (ms)" % n, "detect_ms", recs,
                 1)
            row("%d idle processes: who died" % n, died(recs, "earlyoom"),
                died(recs, "bustd"), ratio=False)
        # The scan's cost per process: the slope between the smallest and
        # the largest set, which cancels what does not depend on it.
        lo, hi = IDLE_SETS[0], IDLE_SETS[-1]
        slope = {}
        for k in ("earlyoom", "bustd"):
            a = median([r.get("sel_cpu_us") for r in rx
                        if r["nidle"] == lo and r["daemon"] == k])
            b = median([r.get("sel_cpu_us") for r in rx
                        if r["nidle"] == hi and r["daemon"] == k])
            slope[k] = (b - a) / (hi - lo) if a is not None and \
                b is not None else None
        if any(v is not None for v in slope.values()):
            row("selection CPU per process, (%d - %d) / %d (us)"
                % (hi, lo, hi - lo), slope["earlyoom"], slope["bustd"], 2)
        last = [r for r in rx if r["nidle"] == IDLE_SETS[-1]]
        if last:
            trow("VmRSS after a kill among %d processes (kB)" % IDLE_SETS[-1],
                 "daemon_rss_after_kib", last, 0)
        oom = self.oom_kill1 - self.oom_kill0
        row("kernel OOM kills during the run (/proc/vmstat oom_kill)",
            "%d (whole machine)" % oom, "%d (whole machine)" % oom,
            ratio=False)
        row("innocent deaths (signalled by the daemon, not the hog)",
            str(len(self.innocent["earlyoom"])),
            str(len(self.innocent["bustd"])), ratio=False)
        self.floor_table(L, idle, slope)
        self.fill_table(L)
        L.append("\n")
        ok = (oom == 0 and not any(self.innocent.values()) and
              not self.helpers_lost)
        L.append("%s: kernel OOM kills %d, innocent deaths %d, bench "
                 "processes lost %d%s\n" % (
                     "OK" if ok else "FAILED", oom,
                     sum(len(v) for v in self.innocent.values()),
                     len(self.helpers_lost),
                     (" (" + "; ".join(self.helpers_lost) + ")")
                     if self.helpers_lost else ""))
        gaps = [r["sampler_max_gap_ms"] for r in rx
                if "sampler_max_gap_ms" in r]
        cgaps = [(r["t"]["cross"] - r["t"]["before"]) / 1e6 for r in rx
                 if r["t"]["cross"] and r["t"]["before"]]
        chk = [r["runtime_vs_schedstat"] for r in rx
               if "runtime_vs_schedstat" in r]
        if chk:
            L.append("\nCPU time check: the sched_stat_runtime events add "
                     "up to %.3f (median; %.3f-%.3f) of the schedstat "
                     "delta over each trial's last approach.\n"
                     % (median(chk), min(chk), max(chk)))
        if gaps and cgaps:
            L.append("\nSampler (SCHED_FIFO, 1 ms period): the crossing is "
                     "known to within %.1f ms (median; at most %.1f ms), "
                     "the gap between the last reading above the threshold "
                     "and the first at or below it; largest gap in any "
                     "trial %.1f ms.\n"
                     % (median(cgaps), max(cgaps), max(gaps)))
        logs = os.path.join(self.out, "logs")
        if any("cannot lower own oom_score_adj" in read_text(
                os.path.join(logs, f)) for f in os.listdir(logs)
                if f.endswith("-bustd.log")):
            self.notes.append(
                "bustd could not set its oom_score_adj to -1000 (no "
                "CAP_SYS_RESOURCE here); earlyoom was not asked to (no -p)")
        for n in self.notes:
            L.append("\nNote: %s.\n" % n)
        L.append("\nPer-trial figures: %s/results.json; daemon logs: "
                 "%s/logs/.  bench/README explains every row.\n"
                 % (self.out, self.out))
        self.ok = ok
        return "".join(L)


def fmt(v, digits):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if digits == 0:
        return "%d" % round(v)
    return "%.*f" % (digits, v)


def main():
    ap = argparse.ArgumentParser(
        description="bustd against earlyoom under bounded memory pressure "
        "(root only; see bench/README)")
    ap.add_argument("--bustd", default=os.environ.get("BUSTD"),
                    help="the bustd binary to measure")
    ap.add_argument("--earlyoom", default=os.environ.get(
        "EARLYOOM", "/usr/bin/earlyoom"), help="default /usr/bin/earlyoom")
    ap.add_argument("--srcdir", help="bustd's source tree (for "
                    "tests/e2e/hog.c and etc/bustd.conf); default: the "
                    "parent of this script's folder")
    ap.add_argument("--out", default="bench-out",
                    help="folder for results.md, results.json and logs/")
    args = ap.parse_args()
    if not args.bustd:
        ap.error("--bustd (or BUSTD) is needed")
    args.bustd = os.path.abspath(args.bustd)
    for p in (args.bustd, args.earlyoom):
        if not os.access(p, os.X_OK):
            ap.error("%s: not an executable" % p)

    def on_signal(sig, frame):
        raise Interrupted("signal %d" % sig)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    b = Bench(args)
    rc = 0
    try:
        b.main()
        rc = 0 if b.ok else 1
    except (BenchError, Interrupted) as e:
        log("stopped: %s" % e)
        rc = 2
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        b.cleanup()
    return rc


if __name__ == "__main__":
    sys.exit(main())
