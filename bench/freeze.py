#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""freeze.py: how long an interactive program freezes under memory
pressure, with swap, zram and page-cache thrashing, with bustd (its
desktop and server profiles), earlyoom, nohang or the kernel alone.

    python3 bench/freeze.py --bustd BUILD/src/bustd [--out DIR]
    BENCH_QUICK=1: one trial per cell.  BENCH_SCENARIOS=a,d and
    BENCH_DAEMONS=bustd-desktop,earlyoom pick a subset.

Root only.  "make bench-freeze" from a build folder builds src/bustd and
runs this.  bench/README ("The freeze benchmark") says what runs and what
each figure means; in short:

The machine is made smaller: ballast processes lock all but USABLE_MIB of
what is available (1 GiB each, so that none stands out as the process to
kill), for the whole run.  In each trial one daemon (or none) runs with
its packaged defaults, a probe stands for the program someone is using
(anonymous memory and, in most scenarios, a 3 GiB file mapped like
program code, every page read every 100 ms), and a workload (a leak, a
fan-out, a streaming read, a build) starts.  The probe's rounds over
500 ms are the freeze.

Safety.  Every process the harness starts caps its size and its time,
dies with the harness (PR_SET_PDEATHSIG) and is killed by pid on every
exit path; the harness is a child subreaper.  The workloads run as the
unprivileged bench user with oom_score_adj 1000, so that the kernel's
OOM killer and every daemon ranking by oom_score take them first; bustd
is fenced to the bench's own programs ([only-kill] exe = ^BENCHDIR/);
earlyoom and nohang cannot be fenced, so before each trial the harness
checks that no other process comes near the workloads' oom_score.  meter
(mlocked, SCHED_FIFO) kills a workload through a pidfd if it outlives its
limit.  Swap is switched on only by the harness (a swap file in BENCHDIR,
or /dev/zram0), and switched off, zram reset and the file removed at the
end, on error and on SIGINT/SIGTERM/SIGHUP; the run refuses to start if
any swap is on already.  /tmp/bustd-e2e.lock is held for the whole run.
"""

import argparse
import datetime
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (bench/run.py: the side-by-side benchmark)
from run import (BenchError, Interrupted, log, now_ns, read_text,  # noqa
                 meminfo, median, fmt)

MIB_KIB = 1024
GIB_KIB = 1024 * 1024
USABLE_MIB = 5632            # what the ballast leaves available
BALLAST_PIECE_MIB = 1024
BALLAST_SLACK_MIB = 384      # re-balanced between trials beyond this
CODE_MIB = 3072              # the probe's file, mapped like program code
SWAP_MIB = 4096              # swap file or zram disk size
LEAK_MIB_S = 300
SLOW_MIB_S = 20
FROZEN_NS = 500_000_000      # a round longer than this is a freeze
PERIOD_MS = 100              # the probe's period
WARM_ROUNDS = 5              # rounds under WARM_NS in a row: warm
WARM_NS = 100_000_000
WARM_MAX_S = 90
RECOVERY_S = 3               # the probe keeps going after the workload
SETTLE_MIB = 32              # MemAvailable steady: moved less than this
SETTLE_S = 2                 # over this long
METER_MS = 50
METER_RT_PRIO = 10
FOREIGN_SCORE_MAX = 1000     # no one else may come this near the workloads
ZRAM = "/sys/block/zram0"
DAEMONS = ("bustd-desktop", "bustd-server", "earlyoom", "nohang", "none")
NOHANG_CONF = "/etc/nohang/nohang-desktop.conf"
EARLYOOM_DEFAULTS = "/etc/default/earlyoom"
CULPRITS = ("leak", "fan", "job", "stream")


class Scenario:
    """One row group of the table: memory set-up, probe and workload."""

    def __init__(self, key, title, swap, code, workload, limit_s,
                 control=False, drop_caches=False, **kw):
        self.key = key
        self.title = title
        self.swap = swap              # None, "file", "zram"
        self.code = code              # the probe maps the 3 GiB file
        self.anon_mib = 256 if code else 512
        self.workload = workload      # "leak", "fan", "stream"
        self.limit_s = limit_s
        self.control = control        # nobody may be killed
        self.drop_caches = drop_caches
        self.kw = kw


SCENARIOS = [
    Scenario("a", "no swap, 3 GiB file working set, leak 300 MiB/s",
             None, True, "leak", 60, rate=LEAK_MIB_S),
    Scenario("b", "swap file 4 GiB, 3 GiB file working set, leak "
             "300 MiB/s", "file", True, "leak", 90, rate=LEAK_MIB_S),
    Scenario("c", "zram 4 GiB, leak of data compressing 2:1, 300 MiB/s",
             "zram", False, "leak", 90, rate=LEAK_MIB_S),
    Scenario("d", "zram 4 GiB, leak of incompressible data, 300 MiB/s",
             "zram", False, "leak", 90, rate=LEAK_MIB_S, data="random"),
    Scenario("e", "no swap, 3 GiB file working set, slow leak 20 MiB/s",
             None, True, "leak", 90, rate=SLOW_MIB_S, slow=True),
    Scenario("f", "no swap, 3 GiB file working set, leak flat out",
             None, True, "leak", 60, rate=0),
    Scenario("g", "no swap, 3 GiB file working set, fan-out: 16 jobs "
             "growing 20 MiB/s each", None, True, "fan", 60, jobs=16,
             rate=SLOW_MIB_S, hold=3),
    Scenario("h", "control: no swap, 3 GiB file working set, streaming "
             "read of a file twice the RAM left", None, True, "stream",
             120, control=True, drop_caches=True),
    Scenario("i", "control: no swap, 3 GiB file working set, build-like "
             "fan-out under the thresholds", None, True, "fan", 60,
             control=True, jobs=4, workers=48, rate=256, cap=256, hold=1,
             busy=True),
]


def env_list(name, allowed):
    v = os.environ.get(name, "")
    if not v:
        return list(allowed)
    out = [x.strip() for x in v.split(",") if x.strip()]
    bad = [x for x in out if x not in allowed]
    if bad:
        raise BenchError("%s: unknown %s (known: %s)"
                         % (name, ",".join(bad), ",".join(allowed)))
    return out


def write_sys(path, text):
    with open(path, "w") as f:
        f.write(text)


class Swap:
    """The only swap there is: the harness's, or none."""

    def __init__(self, bench):
        self.bench = bench
        self.mode = None
        self.file = None
        self.zram_on = False

    @staticmethod
    def active():
        return [line.split()[0] for line in
                read_text("/proc/swaps").splitlines()[1:] if line.strip()]

    def check_clean(self):
        on = self.active()
        if on:
            raise BenchError("swap is on already (%s): the freeze "
                             "benchmark makes its own; swapoff first"
                             % ", ".join(on))
        if os.path.isdir(ZRAM):
            size = int(read_text(ZRAM + "/disksize").strip() or "0")
            if size != 0:
                raise BenchError("/dev/zram0 is set up (disksize %d) but "
                                 "not ours: echo 1 > %s/reset if it is "
                                 "free" % (size, ZRAM))

    def set(self, mode):
        if mode == self.mode:
            return
        self.off()
        if mode == "file":
            self.on_file()
        elif mode == "zram":
            self.on_zram()
        self.mode = mode

    def on_file(self):
        path = os.path.join(self.bench.benchdir, "swapfile")
        st = os.statvfs(self.bench.benchdir)
        if st.f_bavail * st.f_frsize < (SWAP_MIB + 2048) << 20:
            raise BenchError("no room for a %d MiB swap file in %s"
                             % (SWAP_MIB, self.bench.benchdir))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.file = path
        try:
            os.posix_fallocate(fd, 0, SWAP_MIB << 20)
        finally:
            os.close(fd)
        self.run(["mkswap", path])
        self.run(["swapon", path])
        log("swap file %s on (%d MiB)" % (path, SWAP_MIB))

    def on_zram(self):
        if not os.path.isdir(ZRAM):
            raise BenchError("no /dev/zram0 (modprobe zram)")
        algs = read_text(ZRAM + "/comp_algorithm").replace("[", "").replace(
            "]", "").split()
        alg = "lz4" if "lz4" in algs else algs[0]
        self.zram_on = True
        write_sys(ZRAM + "/comp_algorithm", alg)
        write_sys(ZRAM + "/disksize", "%dM" % SWAP_MIB)
        self.run(["mkswap", "/dev/zram0"])
        self.run(["swapon", "-p", "100", "/dev/zram0"])
        self.alg = alg
        log("zram0 on (%d MiB, %s)" % (SWAP_MIB, alg))

    def run(self, argv):
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("%s: %s" % (" ".join(argv),
                                         (r.stderr or r.stdout).strip()))

    def off(self):
        """Every path: swapoff, reset, remove; say what failed."""
        ok = True
        on = self.active()
        if self.file:
            if self.file in on:
                r = subprocess.run(["swapoff", self.file],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    log("swapoff %s: %s" % (self.file, r.stderr.strip()))
                    ok = False
            if ok:
                try:
                    os.unlink(self.file)
                except OSError as e:
                    log("removing %s: %s" % (self.file, e))
                self.file = None
        if self.zram_on:
            if "/dev/zram0" in on:
                r = subprocess.run(["swapoff", "/dev/zram0"],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    log("swapoff /dev/zram0: %s" % r.stderr.strip())
                    ok = False
            if ok:
                try:
                    write_sys(ZRAM + "/reset", "1")
                    self.zram_on = False
                except OSError as e:
                    log("resetting zram0: %s" % e)
                    ok = False
        if ok:
            self.mode = None
        return ok


class Probe:
    """The probe's rounds, read as they come (a thread)."""

    def __init__(self, bench, argv):
        self.p = bench.spawn(argv, user=True, stdout=subprocess.PIPE)
        self.pid = self.p.pid
        self.rounds = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in iter(self.p.stdout.readline, b""):
            w = raw.split()
            if len(w) == 4 and w[0] == b"r":
                with self.cond:
                    self.rounds.append((int(w[1]), int(w[2]), int(w[3])))
                    self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_warm(self, timeout):
        """True once WARM_ROUNDS rounds in a row took under WARM_NS."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                r = self.rounds[1:]
                if len(r) >= WARM_ROUNDS and all(
                        d < WARM_NS for _, d, _ in r[-WARM_ROUNDS:]):
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    return False
                self.cond.wait(min(left, 0.5))

    def stop(self):
        """SIGTERM: the round under way ends and is written first."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.thread.join(5)


class FreezeBench(run.Bench):
    def __init__(self, args):
        super().__init__(args)
        self.trials = int(os.environ.get("BENCH_TRIALS",
                                         "1" if self.quick else "3"))
        self.budget_s = float(os.environ.get(
            "BENCH_BUDGET_S", "7200" if self.quick else "14400"))
        self.usable_mib = int(os.environ.get("BENCH_USABLE_MIB",
                                             USABLE_MIB))
        keys = [s.key for s in SCENARIOS]
        self.scenarios = [s for s in SCENARIOS if s.key in
                          env_list("BENCH_SCENARIOS", keys)]
        self.daemons = env_list("BENCH_DAEMONS", DAEMONS)
        self.swap = Swap(self)
        self.ballast = []         # [Popen, MiB]
        self.data = None
        self.code_file = self.stream_file = None
        self.results = {"trials": []}
        self.interrupted = False

    # -- set-up and clean-up --

    def compile(self):
        cc = shlex.split(os.environ.get("CC") or "cc")
        here = os.path.dirname(os.path.abspath(__file__))
        srcdir = self.args.srcdir or os.path.dirname(here)
        for name in ("probe", "leak", "ballast", "meter"):
            src = os.path.join(here, name + ".c")
            r = subprocess.run(cc + ["-O2", "-Wall", "-o",
                                     os.path.join(self.bin, name), src],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise BenchError("cannot compile %s:\n%s" % (src, r.stderr))
            os.chmod(os.path.join(self.bin, name), 0o755)
        self.shipped_conf = os.path.join(srcdir, "etc/bustd.conf")

    def setup(self):
        if os.geteuid() != 0:
            raise BenchError("needs root (ballast, swap, zram, tracefs)")
        for tool in ("mkswap", "swapon", "swapoff"):
            if shutil.which(tool) is None:
                raise BenchError("%s not found (util-linux)" % tool)
        if "nohang" in self.daemons and not os.access(self.args.nohang,
                                                      os.X_OK):
            raise BenchError("%s not found (apt-get install nohang), or "
                             "leave nohang out of BENCH_DAEMONS"
                             % self.args.nohang)
        if not os.path.exists("/proc/pressure/memory"):
            raise BenchError("no /proc/pressure/memory (PSI)")
        self.swap.check_clean()
        # The whole run, ballast and all, holds the end-to-end lock.
        run.LOCK_WAIT_S = int(os.environ.get("BENCH_LOCK_WAIT_S", "3600"))
        self.lock()
        self.swap.check_clean()
        super().setup()
        if not self.trace.on:
            raise BenchError("tracefs is needed: who signalled whom, and "
                             "the kernel's OOM victims")
        inst = self.trace.inst
        # Also who sends the harness SIGINT, SIGHUP or SIGTERM: an
        # interrupted run's trace says (logs/interrupted.trace).
        write_sys(os.path.join(inst, "events/signal/signal_generate/"
                               "filter"),
                  "sig == 9 || sig == 15 || ((sig == 1 || sig == 2 || "
                  "sig == 17) && pid == %d)" % self.harness_pid)
        write_sys(os.path.join(inst, "events/sched/sched_process_exit/"
                               "filter"),
                  " || ".join('comm == "%s"' % c for c in
                              CULPRITS + ("probe", "ballast", "meter")))
        write_sys(os.path.join(inst, "events/sched/sched_process_exit/"
                               "enable"), "1")
        write_sys(os.path.join(inst, "events/oom/mark_victim/enable"), "1")
        self.nohang_version = "nohang (version unknown)"
        if shutil.which("dpkg-query"):
            # Debian's nohang says "nohang unknown version".
            r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}",
                                "nohang"], capture_output=True, text=True)
            if r.returncode == 0 and r.stdout.strip():
                self.nohang_version = "nohang %s (Debian package)" % (
                    r.stdout.strip())
        self.earlyoom_args = self.read_earlyoom_defaults()
        self.adj0 = int(read_text("/proc/self/oom_score_adj"))
        self.data = os.path.join(self.benchdir, "data")
        os.mkdir(self.data, 0o755)
        self.make_files()
        self.ballast_up()

    def read_earlyoom_defaults(self):
        """EARLYOOM_ARGS from Debian's /etc/default/earlyoom."""
        try:
            for line in read_text(EARLYOOM_DEFAULTS).splitlines():
                m = re.match(r'^\s*EARLYOOM_ARGS=(.*)$', line)
                if m:
                    return shlex.split(shlex.split(m[1])[0]) if m[1] else []
        except OSError:
            pass
        return ["-r", "3600"]

    def write_file(self, path, mib):
        """mib of random bytes (one 64 MiB block, repeated), kept out of
        the page cache."""
        block = os.urandom(64 << 20)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            for i in range(mib // 64):
                os.write(fd, block)
                if i % 16 == 15:
                    os.fdatasync(fd)
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)

    def make_files(self):
        need = CODE_MIB
        stream = any(s.workload == "stream" for s in self.scenarios)
        if stream:
            need += 2 * self.usable_mib
        if any(s.swap == "file" for s in self.scenarios):
            need += SWAP_MIB
        st = os.statvfs(self.data)
        if st.f_bavail * st.f_frsize < (need + 4096) << 20:
            raise BenchError("%s: %d MiB free, the files need %d MiB + 4 GiB"
                             % (self.data, st.f_bavail * st.f_frsize >> 20,
                                need))
        t0 = time.monotonic()
        self.code_file = os.path.join(self.data, "code.bin")
        self.write_file(self.code_file, CODE_MIB)
        if stream:
            self.stream_file = os.path.join(self.data, "stream.bin")
            self.write_file(self.stream_file, 2 * self.usable_mib)
        log("files written in %.0f s" % (time.monotonic() - t0))

    def settle(self, max_s=30):
        """Wait until MemAvailable moved less than SETTLE_MIB over the
        last SETTLE_S (max_s at most): memory freed by the last trial or
        by the ballast comes back to the free lists over seconds here,
        and a slow leak must not race it."""
        deadline = time.monotonic() + max_s
        hist = []
        while True:
            hist.append((time.monotonic(), meminfo()["MemAvailable"]))
            old = [h for h in hist if h[0] <= hist[-1][0] - SETTLE_S]
            if old and abs(hist[-1][1] - old[-1][1]) < SETTLE_MIB * MIB_KIB:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.25)

    def ballast_total(self):
        return sum(m for p, m in self.ballast if p.poll() is None)

    def ballast_add(self, mib):
        ps = []
        while mib > 0:
            n = min(mib, BALLAST_PIECE_MIB)
            p = self.spawn([os.path.join(self.bin, "ballast"), "-m",
                            str(n), "-t", str(int(self.budget_s + 3600))],
                           stdout=subprocess.PIPE)
            ps.append((p, n))
            mib -= n
        for p, n in ps:
            r, _, _ = select.select([p.stdout], [], [], 300)
            line = p.stdout.readline() if r else b""
            if not line.startswith(b"locked"):
                raise BenchError("ballast did not lock %d MiB" % n)
            self.ballast.append((p, n))

    def ballast_drop(self, mib):
        """Release at least mib, last pieces first."""
        while mib > 0 and self.ballast:
            p, n = self.ballast.pop()
            if p.poll() is None:
                p.kill()
            p.wait()
            mib -= n
        return -mib

    def ballast_up(self):
        self.settle()
        avail = meminfo()["MemAvailable"] // MIB_KIB
        if avail < self.usable_mib + 1024:
            raise BenchError("MemAvailable %d MiB: the benchmark needs "
                             "%d MiB + 1 GiB" % (avail, self.usable_mib))
        t0 = time.monotonic()
        self.ballast_add(avail - self.usable_mib)
        self.settle()
        log("ballast: %d MiB locked in %.0f s, %d MiB left available"
            % (self.ballast_total(), time.monotonic() - t0,
               meminfo()["MemAvailable"] // MIB_KIB))

    def ballast_balance(self):
        """Keep MemAvailable near usable_mib whatever else the machine
        runs meanwhile; returns MemAvailable in MiB."""
        self.ballast = [(p, n) for p, n in self.ballast if p.poll() is None]
        self.settle()
        avail = meminfo()["MemAvailable"] // MIB_KIB
        diff = avail - self.usable_mib
        if diff < -BALLAST_SLACK_MIB and self.ballast:
            extra = self.ballast_drop(-diff)
            if extra > BALLAST_SLACK_MIB:
                self.ballast_add(extra)
        elif diff > BALLAST_SLACK_MIB:
            self.ballast_add(diff)
        else:
            return avail
        self.settle()
        avail = meminfo()["MemAvailable"] // MIB_KIB
        log("ballast now %d MiB, %d MiB available"
            % (self.ballast_total(), avail))
        return avail

    def cleanup(self):
        # Processes first: what they hold in swap goes with them, so that
        # swapoff has nothing to read back.
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    p.kill()
                except OSError:
                    pass
        for p in self.procs:
            try:
                p.wait(10)
            except Exception:
                pass
        self.ballast = []
        if self.trace and self.trace.on and self.interrupted:
            try:
                self.trace.events(os.path.join(self.out, "logs",
                                               "interrupted.trace"))
            except OSError:
                pass
        if not self.swap.off():
            log("SWAP LEFT ON: see swapon --show")
        super().cleanup()

    def reap_strays(self):
        """Orphans (a fan-out's workers whose parent died) come to us as
        the subreaper: reap them, but no child a Popen still waits for."""
        ours = {p.pid: p for p in self.procs}
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG |
                                 os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None:
                return
            if info.si_pid in ours:
                ours[info.si_pid].poll()
                del ours[info.si_pid]
                continue
            try:
                os.waitpid(info.si_pid, 0)
            except ChildProcessError:
                pass

    # -- daemons --

    def bustd_conf_profile(self, profile):
        """The shipped policy with its profile, fenced, log on stderr."""
        text = read_text(self.shipped_conf)
        text, n = re.subn(r"(?m)^profile = \w+$", "profile = " + profile,
                          text)
        if n != 1:
            raise BenchError("%s: no 'profile = ' line" % self.shipped_conf)
        text += ("\n; Added by the benchmark: only its own processes may "
                 "die.\n[only-kill]\nexe = %s\n" % self.fence)
        return self.write_conf("shipped-%s.conf" % profile, text)

    def start_daemon(self, kind, tag):
        logpath = os.path.join(self.out, "logs", "%s-%s.log" % (tag, kind))
        if kind.startswith("bustd-"):
            argv = [self.args.bustd, "-n", "-c",
                    self.bustd_conf_profile(kind.split("-", 1)[1])]
            return run.Daemon(self, "bustd", argv, logpath)
        if kind == "earlyoom":
            return run.Daemon(self, "earlyoom", [self.args.earlyoom] +
                              self.earlyoom_args, logpath)
        if kind == "nohang":
            # Python buffers a pipe: unbuffered, the log lines come on time.
            return run.Daemon(self, "nohang",
                              ["env", "PYTHONUNBUFFERED=1", self.args.nohang,
                               "--monitor", "-c", NOHANG_CONF], logpath,
                              ready=r"Monitoring has started")
        return None

    def preflight(self):
        """earlyoom, nohang and the kernel cannot be fenced: no process
        but ours may come near the workloads' oom_score (1333 and up with
        oom_score_adj 1000)."""
        ours = {p.pid for p in self.procs}
        for d in os.listdir("/proc"):
            if not d.isdigit() or int(d) in ours or d == "1":
                continue
            try:
                score = int(read_text("/proc/%s/oom_score" % d))
                comm = read_text("/proc/%s/comm" % d).rstrip("\n")
            except (OSError, ValueError):
                continue
            if score >= FOREIGN_SCORE_MAX:
                raise BenchError("pid %s (%s) has oom_score %d: a daemon "
                                 "or the kernel could take it for the "
                                 "workload; not running" % (d, comm, score))

    # -- a trial --

    def workload_argv(self, sc, avail_mib):
        leak = os.path.join(self.bin, "leak")
        t = str(sc.limit_s)
        kw = sc.kw
        data = kw.get("data", "half")
        # Caps: past what RAM and swap can hold, so that with no daemon
        # the kernel's OOM killer ends it (or its time limit does).
        room = self.usable_mib + (SWAP_MIB if sc.swap else 0) + 1024
        if sc.workload == "stream":
            return [leak, "-s", self.stream_file, "-t", t]
        if sc.workload == "fan":
            jobs = kw["jobs"]
            cap = kw.get("cap") or -(-room // jobs)
            argv = [leak, "-j", str(jobs), "-n", str(kw.get("workers",
                                                              jobs)),
                    "-r", str(kw["rate"]), "-c", str(cap), "-H",
                    str(kw.get("hold", 1)), "-d", data, "-t", t]
            return argv + (["-b"] if kw.get("busy") else [])
        argv = [leak, "-r", str(kw["rate"]), "-c", str(room), "-d", data,
                "-t", t]
        if kw.get("slow"):
            # Flat out to just short of where the probe's file no longer
            # fits, then slowly into the thrashing.
            fast = avail_mib - (CODE_MIB if sc.code else 0) - 128
            argv += ["-f", str(max(0, fast))]
        return argv

    def daemon_tids(self, d):
        if d is None:
            return set()
        try:
            return {int(t) for t in os.listdir("/proc/%d/task" % d.pid)} | {
                d.pid}
        except OSError:
            return {d.pid}

    def trial(self, sc, kind, idx):
        """One cell's trial.  On an error or an interrupt the processes
        are left to cleanup(), which kills them all at once."""
        tag = "%s-%d" % (sc.key, idx)
        rec = {"scenario": sc.key, "daemon": kind, "trial": idx}
        if sc.drop_caches:
            # A cold start: the streamed file comes from the disk.
            os.sync()
            write_sys("/proc/sys/vm/drop_caches", "1")
        avail0 = self.ballast_balance()
        rec["avail0_mib"] = avail0
        if avail0 < self.usable_mib - 2 * BALLAST_SLACK_MIB:
            rec["skipped"] = ("MemAvailable %d MiB with no ballast left"
                              % avail0)
            log("%s %s #%d: skipped: %s" % (sc.key, kind, idx,
                                           rec["skipped"]))
            return rec
        self.preflight()
        oom0 = self.vmstat_oom()
        d = self.start_daemon(kind, tag)
        meter = self.spawn([os.path.join(self.bin, "meter"), "-i",
                            str(METER_MS), "-t",
                            str(WARM_MAX_S + sc.limit_s + 60), "-R",
                            str(METER_RT_PRIO)] +
                           (["-z", ZRAM + "/mm_stat"]
                            if sc.swap == "zram" else []),
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        probe_argv = [os.path.join(self.bin, "probe"), "-a",
                      str(sc.anon_mib), "-p", str(PERIOD_MS), "-t",
                      str(WARM_MAX_S + sc.limit_s + 40)]
        if sc.code:
            probe_argv += ["-f", self.code_file]
        probe = Probe(self, probe_argv)
        meter.stdin.write(b"w %d 100000\n" % probe.pid)
        meter.stdin.flush()
        w = None
        if not probe.wait_warm(WARM_MAX_S):
            rec["skipped"] = "the probe did not warm up in %d s" % WARM_MAX_S
        else:
            avail_w = meminfo()["MemAvailable"] // MIB_KIB
            rec["avail_warm_mib"] = avail_w
            argv = self.workload_argv(sc, avail_w)
            rec["workload"] = " ".join(argv[1:])
            tids = self.daemon_tids(d)
            wlog = open(os.path.join(self.out, "logs", "%s-%s.workload"
                                     % (tag, kind)), "w")
            t_start = now_ns()
            # A process group of its own, as a shell gives each job.
            w = self.spawn(argv, user=True, adj=1000, stdout=wlog,
                           stderr=wlog, process_group=0)
            wlog.close()
            meter.stdin.write(b"w %d %d\n" % (w.pid, sc.limit_s + 10))
            meter.stdin.flush()
            pidfd = os.pidfd_open(w.pid)
            try:
                pl = select.poll()
                pl.register(pidfd, select.POLLIN)
                got = pl.poll((sc.limit_s + 20) * 1000)
            finally:
                os.close(pidfd)
            t_gone = now_ns()
            if not got:
                w.kill()
                rec["harness_killed_workload"] = True
            rec["workload_status"] = w.wait()
            tids |= self.daemon_tids(d)
            time.sleep(RECOVERY_S)
        probe.stop()
        if d is not None and not d.stop():
            self.helpers_lost.append("%s died in %s" % (kind, tag))
            rec["daemon_died"] = True
        try:
            mout, _ = meter.communicate(b"q\n", timeout=30)
        except subprocess.TimeoutExpired:
            meter.kill()
            mout, _ = meter.communicate()
        self.reap_strays()
        if w is None:
            log("%s %s #%d: skipped: %s" % (sc.key, kind, idx,
                                           rec["skipped"]))
            return rec
        oom1 = self.vmstat_oom()
        events = self.trace.events(os.path.join(
            self.out, "logs", "%s-%s.trace" % (tag, kind)))
        self.trace.clear()
        logs = os.path.join(self.out, "logs")
        with open(os.path.join(logs, "%s-%s.probe" % (tag, kind)), "w") as f:
            for r in probe.rounds:
                f.write("%d %d %d\n" % r)
        with open(os.path.join(logs, "%s-%s.meter" % (tag, kind)), "wb") as f:
            f.write(mout)
        rec["oom_kills"] = oom1 - oom0
        self.analyze(rec, sc, probe, w, d, tids, t_start, t_gone,
                     mout.decode(), events)
        log("%s %-13s #%d: frozen %s s, worst %s s, psi %s/%s s, death %s s"
            ", swap %s MiB, killed: %s, kernel OOM %d" % (
                sc.key, kind, idx, fmt(rec.get("frozen_s"), 1),
                fmt(rec.get("worst_s"), 2), fmt(rec.get("psi_some_s"), 2),
                fmt(rec.get("psi_full_s"), 2), fmt(rec.get("death_s"), 1),
                fmt(rec.get("swap_used_mib"), 0), rec.get("died"),
                rec["oom_kills"]))
        return rec

    def analyze(self, rec, sc, probe, w, d, tids, t_start, t_gone, mout,
                events):
        rows, exits_m = [], {}
        for line in mout.splitlines():
            f = line.split()
            if f and f[0] == "m" and len(f) == 17:
                rows.append([int(x) for x in f[1:]])
            elif f and f[0] in ("x", "k") and len(f) == 3:
                exits_m.setdefault(int(f[1]), (int(f[2]), f[0]))
        # Exits (sched_process_exit of a group leader), kills, OOM victims.
        exits, sigs, ooms = {}, [], []
        for e in events:
            if e["event"] == "sched_process_exit":
                m = re.search(r"pid=(\d+)", e.get("rest", ""))
                pid = int(m[1]) if m else e["tid"]
                if "group_dead=false" not in e.get("rest", ""):
                    exits.setdefault(pid, e["t"])
            elif e["event"] == "signal_generate" and e.get("sig") in (9, 15):
                sigs.append(e)
            elif e["event"] == "mark_victim":
                m = re.match(r"pid=(\d+) comm=(\S*)", e.get("rest", ""))
                if m:
                    ooms.append((e["t"], int(m[1]), m[2]))
        t_end = exits_m.get(w.pid, (None,))[0] or exits.get(w.pid) or t_gone
        win_end = t_end + RECOVERY_S * 10**9
        rec["t"] = {"start": t_start, "end": t_end, "window_end": win_end}
        rec["workload_s"] = (t_end - t_start) / 1e9
        # The probe.
        rs = [r for r in probe.rounds if t_start <= r[0] <= win_end]
        rec["rounds"] = len(rs)
        rec["frozen_s"] = sum(r[1] for r in rs if r[1] > FROZEN_NS) / 1e9
        rec["worst_s"] = max((r[1] for r in rs), default=0) / 1e9
        rec["majflt"] = sum(r[2] for r in rs)
        # PSI and the rest, from meter's rows.
        def row_at(t, after=False):
            best = None
            for r in rows:
                if r[0] <= t:
                    best = r
                elif after:
                    return r
                else:
                    break
            return best
        r0, r1 = row_at(t_start), row_at(win_end, after=True)
        if r0 and r1:
            rec["psi_some_s"] = (r1[5] - r0[5]) / 1e6
            rec["psi_full_s"] = (r1[6] - r0[6]) / 1e6
            rec["refault_file"] = r1[9] - r0[9]
            rec["refault_anon"] = r1[8] - r0[8]
            rec["pswpout"] = r1[11] - r0[11]
        ep = [r for r in rows if t_start <= r[0] <= win_end]
        if ep:
            rec["min_avail_mib"] = min(r[1] for r in ep) // MIB_KIB
            rec["max_swap_used_mib"] = max(r[3] - r[4] for r in ep) // MIB_KIB
        # Who was killed, by whom.
        oom_pids = {p for _, p, _ in ooms}
        roles = {probe.pid: "probe", w.pid: "leak"}
        for p, n in self.ballast:
            roles[p.pid] = "ballast"
        for p in self.procs:
            roles.setdefault(p.pid, "bench")
        kills = []
        seen = set()
        for e in sigs:
            if e["t"] < t_start or e["pid"] in seen:
                continue
            by = None
            if e["tid"] in tids and e["pid"] not in oom_pids:
                by = "daemon"
            if by is None:
                continue
            seen.add(e["pid"])
            kills.append((e["t"], e["pid"], e["comm"], by,
                          "SIGKILL" if e["sig"] == 9 else "SIGTERM"))
        for t, pid, comm in ooms:
            if pid not in seen:
                seen.add(pid)
                kills.append((t, pid, comm, "kernel", "OOM"))
        kills.sort()
        rec["kills"] = []
        for t, pid, comm, by, how in kills:
            role = roles.get(pid)
            if role is None:
                role = "leak" if comm in CULPRITS else "OTHER"
            rec["kills"].append({"t": t, "pid": pid, "comm": comm, "by": by,
                                 "how": how, "role": role,
                                 "exit": exits.get(pid)})
        culprit = [k for k in rec["kills"] if k["role"] == "leak"]
        innocent = [k for k in rec["kills"] if k["role"] != "leak"]
        rec["innocent"] = len(innocent)
        rec["culprits_killed"] = len(culprit)
        if culprit:
            k = culprit[0]
            dead = k["exit"] or (t_end if k["pid"] == w.pid else None)
            if dead:
                rec["death_s"] = (dead - t_start) / 1e9
                back = [x for x in rows if dead - 10**9 <= x[0] <= dead]
                if back:
                    rec["swap_used_mib"] = max(x[3] - x[4] for x in back) \
                        // MIB_KIB
                    if sc.swap == "zram":
                        rec["zram_used_mib"] = max(x[15] for x in back) >> 20
                        rec["zram_orig_mib"] = max(x[13] for x in back) >> 20
            rec["signal_s"] = (k["t"] - t_start) / 1e9
        counts = {}
        for k in rec["kills"]:
            lab = self.kill_label(k)
            counts[lab] = counts.get(lab, 0) + 1
        rec["died"] = ", ".join("%s x%d" % kv for kv in counts.items()) \
            if counts else "nobody"
        # bustd says why it acted.
        if d is not None and d.kind == "bustd":
            rec["reasons"] = [m[1] for _, line in d.lines for m in
                              [re.search(r"reason: (.*?); rule:", line)] if m]
        elif d is not None:
            rec["log_kills"] = [line for _, line in d.lines if re.search(
                r"(?i)sending|kill|SIGTERM|SIGKILL", line)][:6]

    # -- the whole run --

    def main(self):
        self.setup()
        log("out: %s; temp: %s; %d trial(s); scenarios %s; daemons %s"
            % (self.out, self.benchdir, self.trials,
               ",".join(s.key for s in self.scenarios),
               ",".join(self.daemons)))
        order = sorted(self.scenarios, key=lambda s: (
            {None: 0, "file": 1, "zram": 2}[s.swap], s.key))
        cells = [(sc, i, kind) for sc in order for i in range(self.trials)
                 # Take turns, so that drift over the run spreads evenly.
                 for kind in (self.daemons[i % len(self.daemons):] +
                              self.daemons[:i % len(self.daemons)])]
        for n, (sc, i, kind) in enumerate(cells):
            if self.time_left() < 0:
                self.notes.append("time budget spent: %d trial(s) not run"
                                  % (len(cells) - n))
                break
            self.swap.set(sc.swap)
            log("trial %d of %d: (%s) %s #%d" % (n + 1, len(cells), sc.key,
                                                 kind, i))
            self.results["trials"].append(self.trial(sc, kind, i))
            # Kept as it goes: an interrupted run keeps its trials, and
            # --report makes the tables from one or more such files.
            self.save()
        self.swap.set(None)
        self.save()
        self.headers = [self.header]
        self.finish()

    def make_header(self):
        mi = meminfo()
        cmd = os.environ.get("BENCH_COMMAND") or " ".join(
            shlex.quote(a) for a in [sys.executable] + sys.argv)
        self.header = {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y-%m-%d %H:%M:%S UTC"),
            "kernel": os.uname().release, "cpus": os.cpu_count(),
            "mem_total_mib": mi["MemTotal"] // MIB_KIB, "command": cmd,
            "bustd": self.bustd_version, "earlyoom": self.earlyoom_version,
            "nohang": self.nohang_version, "trials": self.trials,
            "usable_mib": self.usable_mib,
            "earlyoom_args": self.earlyoom_args,
            "probe_oom_score_adj": self.adj0,
            "elapsed_s": round(time.monotonic() - self.t_start),
            "lock_wait_s": round(self.lock_waited)}

    def save(self):
        self.make_header()
        path = os.path.join(self.out, "results.json")
        with open(path + ".new", "w") as f:
            json.dump({"header": self.header, "trials":
                       self.results["trials"], "notes": self.notes,
                       "helpers_lost": self.helpers_lost,
                       "oom_kill_delta": self.vmstat_oom() - self.oom_kill0},
                      f, indent=1, default=str)
        os.replace(path + ".new", path)

    def finish(self):
        """The tables: on standard output, and in results.md."""
        report = self.report()
        if self.out:
            with open(os.path.join(self.out, "results.md"), "w") as f:
                f.write(report)
        print(report, end="", flush=True)

    def load(self, paths):
        """--report: the trials of earlier runs' results.json files."""
        self.headers = []
        for p in paths:
            with open(p) as f:
                d = json.load(f)
            self.headers.append(d["header"])
            # BENCH_SCENARIOS and BENCH_DAEMONS pick trials here too.
            keys = {sc.key for sc in self.scenarios}
            self.results["trials"] += [r for r in d["trials"]
                                       if r["scenario"] in keys and
                                       r["daemon"] in self.daemons]
            self.notes += d.get("notes", [])
            self.helpers_lost += d.get("helpers_lost", [])
        have = {(r["scenario"], r["daemon"]) for r in self.results["trials"]}
        self.scenarios = [s for s in self.scenarios
                          if any(k[0] == s.key for k in have)]
        self.daemons = [c for c in self.daemons
                        if any(k[1] == c for k in have)]
        self.out = None

    # -- the report --

    def cell(self, recs, key, digits):
        """median (min-max); [k of n] when only k trials have a value."""
        v = [r[key] for r in recs if r.get(key) is not None]
        if not v:
            return "n/a"
        if len(v) == 1:
            txt = fmt(v[0], digits)
        else:
            txt = "%s (%s-%s)" % (fmt(median(v), digits),
                                  fmt(min(v), digits), fmt(max(v), digits))
        if len(v) < len(recs):
            txt += " [%d of %d]" % (len(v), len(recs))
        return txt

    @staticmethod
    def kill_label(k):
        if k["role"] == "leak":
            return "workload" + (" (kernel OOM)" if k["by"] == "kernel"
                                 else "")
        return k["role"].upper() + (" (kernel OOM)" if k["by"] == "kernel"
                                    else "")

    def died_cell(self, recs):
        """Processes killed over all trials of a cell, by kind; trials
        where nobody was."""
        if not recs:
            return "n/a"
        counts = {}
        for r in recs:
            for k in r.get("kills", []):
                lab = self.kill_label(k)
                counts[lab] = counts.get(lab, 0) + 1
        parts = ["%s %d" % (k, counts[k]) for k in sorted(
            counts, key=lambda x: (not x.startswith("workload"), x))]
        none = sum(1 for r in recs if not r.get("kills"))
        if none:
            parts.append("none in %d of %d" % (none, len(recs)))
        return ", ".join(parts)

    def checks(self, trials, kind):
        """Kernel OOM kills, innocent deaths, kills in the controls."""
        rs = [r for r in trials if r["daemon"] == kind]
        ctl = {s.key for s in SCENARIOS if s.control}
        return (sum(r["oom_kills"] for r in rs),
                sum(r["innocent"] for r in rs),
                sum(r["culprits_killed"] for r in rs
                    if r["scenario"] in ctl))

    def report(self):
        hs = self.headers
        h = hs[-1]
        trials = [r for r in self.results["trials"] if "skipped" not in r]
        per_cell = {}
        for r in trials:
            k = (r["scenario"], r["daemon"])
            per_cell[k] = per_cell.get(k, 0) + 1
        n_trials = max(per_cell.values(), default=0)
        adj = h.get("probe_oom_score_adj", 0)
        L = ["## Freezes: bustd, earlyoom, nohang, the kernel alone\n\n"]
        L.append("- date: %s; kernel: %s; CPUs: %d; RAM: %d MiB, of which "
                 "%d MiB left available by the ballast\n"
                 % (h["date"], h["kernel"], h["cpus"], h["mem_total_mib"],
                    h["usable_mib"]))
        L.append("- command%s: %s\n" % (
            "s" if len(hs) > 1 else "",
            "; ".join("`%s`" % x["command"] for x in hs)))
        L.append("- %s; %s; %s; bustd with etc/bustd.conf as shipped "
                 "(profile desktop, or profile server), fenced; earlyoom "
                 "%s (%s); nohang --monitor -c %s\n"
                 % (h["bustd"], h["earlyoom"], h["nohang"],
                    " ".join(h["earlyoom_args"]), EARLYOOM_DEFAULTS,
                    NOHANG_CONF))
        L.append("- %d trial(s) per cell, daemons taking turns; medians, "
                 "(min-max) with more than one trial; %d s elapsed, %d s "
                 "of them waiting for %s%s\n"
                 % (n_trials, sum(x["elapsed_s"] for x in hs),
                    sum(x["lock_wait_s"] for x in hs), run.LOCK_PATH,
                    " (%d runs)" % len(hs) if len(hs) > 1 else ""))
        L.append("- probe: %d ms period, oom_score_adj %d; workloads as "
                 "an unprivileged user, oom_score_adj 1000, leaks capped "
                 "at RAM left + swap + 1 GiB; a round over %d ms is "
                 "frozen; figures from the workload's start to %d s "
                 "after its end\n\n"
                 % (PERIOD_MS, adj, FROZEN_NS // 10**6, RECOVERY_S))
        cols = self.daemons
        names = {"bustd-desktop": "bustd desktop",
                 "bustd-server": "bustd server", "earlyoom": "earlyoom",
                 "nohang": "nohang", "none": "kernel only"}
        # Summary: frozen seconds.
        L.append("Probe frozen (s), median:\n\n")
        L.append("| scenario | " + " | ".join(names[c] for c in cols) +
                 " |\n")
        L.append("|---|" + "---:|" * len(cols) + "\n")
        for sc in self.scenarios:
            cells = []
            for c in cols:
                v = median([r.get("frozen_s") for r in trials
                            if r["scenario"] == sc.key and r["daemon"] == c])
                cells.append(fmt(v, 1))
            L.append("| (%s) %s | %s |\n" % (sc.key, sc.title,
                                              " | ".join(cells)))
        L.append("\n")
        for sc in self.scenarios:
            recs = {c: [r for r in trials if r["scenario"] == sc.key and
                        r["daemon"] == c] for c in cols}
            if not any(recs.values()):
                continue
            L.append("### (%s) %s\n\n" % (sc.key, sc.title))
            L.append("| measure | " + " | ".join(names[c] for c in cols) +
                     " |\n")
            L.append("|---|" + "---:|" * len(cols) + "\n")

            def row(label, fn):
                L.append("| %s | %s |\n" % (label, " | ".join(
                    fn(recs[c]) for c in cols)))
            row("probe frozen (s)", lambda rs: self.cell(rs, "frozen_s", 1))
            row("worst round (s)", lambda rs: self.cell(rs, "worst_s", 2))
            row("PSI some (s)", lambda rs: self.cell(rs, "psi_some_s", 2))
            row("PSI full (s)", lambda rs: self.cell(rs, "psi_full_s", 2))
            if sc.workload == "fan" and not sc.control:
                row("start -> first job killed, gone (s)",
                    lambda rs: self.cell(rs, "death_s", 1))
            elif not sc.control:
                row("leak start -> death (s)",
                    lambda rs: self.cell(rs, "death_s", 1))
            if sc.swap:
                row("swap used at the kill (MiB)",
                    lambda rs: self.cell(rs, "swap_used_mib", 0))
            if sc.swap == "zram":
                row("zram's RAM at the kill (MiB)",
                    lambda rs: self.cell(rs, "zram_used_mib", 0))
            row("workload time (s)", lambda rs: self.cell(rs, "workload_s",
                                                          1))
            row("who was killed (all trials)", self.died_cell)
            row("kernel OOM kills (whole machine)", lambda rs: str(
                sum(r["oom_kills"] for r in rs)) if rs else "n/a")
            L.append("\n")
        # The checks, per daemon, and the goals set for bustd.
        L.append("| check, over all trials | " + " | ".join(
            names[c] for c in cols) + " |\n")
        L.append("|---|" + "---:|" * len(cols) + "\n")
        chk = {c: self.checks(trials, c) for c in cols}
        for i, label in enumerate(("kernel OOM kills (whole machine)",
                                   "innocent deaths (probe, ballast, "
                                   "others)", "kills in the controls")):
            L.append("| %s | %s |\n" % (label, " | ".join(
                str(chk[c][i]) for c in cols)))
        L.append("\n")
        bad = [c for c in cols if c.startswith("bustd-") and any(chk[c])]
        self.ok = not self.helpers_lost and not bad
        L.append("%s: bustd %s; bench processes lost %d%s\n\n" % (
            "OK" if self.ok else "FAILED",
            "caused no kernel OOM kill, no innocent death and no kill in a "
            "control" if not bad else "failed a check (%s)" % ", ".join(
                names[c] for c in bad),
            len(self.helpers_lost),
            (" (" + "; ".join(self.helpers_lost) + ")")
            if self.helpers_lost else ""))
        for b in [c for c in cols if c.startswith("bustd-")]:
            L.append(self.goals(b, trials, cols, names))
        skipped = [r for r in self.results["trials"] if "skipped" in r]
        for r in skipped:
            self.notes.append("%s %s #%d skipped: %s" % (
                r["scenario"], r["daemon"], r["trial"], r["skipped"]))
        for n in self.notes:
            L.append("\nNote: %s.\n" % n)
        if self.out:
            L.append("\nPer-trial figures: %s/results.json; logs, probe "
                     "rounds, meter rows and traces: %s/logs/.  "
                     "bench/README explains every row.\n"
                     % (self.out, self.out))
        else:
            L.append("\nPer-trial figures: the runs' results.json; "
                     "bench/README explains every row.\n")
        return "".join(L)

    def goals(self, b, trials, cols, names):
        """bustd's frozen seconds at most half the best peer's, and at
        most 0.5 s where a peer freezes over 1 s; no kill in a control."""
        peers = [c for c in cols if not c.startswith("bustd-")]
        if not peers:
            return ""
        fails = []
        for sc in self.scenarios:
            def med(c):
                return median([r.get("frozen_s") for r in trials
                               if r["scenario"] == sc.key and
                               r["daemon"] == c])
            mb = med(b)
            mp = [x for x in (med(c) for c in peers) if x is not None]
            if mb is None or not mp:
                continue
            if mb > 0.5 * min(mp) + 1e-9:
                fails.append("(%s) %.1f s > 0.5 x %.1f" % (sc.key, mb,
                                                          min(mp)))
            elif max(mp) > 1 and mb > 0.5:
                fails.append("(%s) %.1f s > 0.5 s" % (sc.key, mb))
        return "Goals for %s (frozen <= 0.5 x the best peer's, <= 0.5 s " \
            "where a peer is over 1 s): %s\n\n" % (
                names[b], "met" if not fails else "not met: " +
                "; ".join(fails))


def main():
    ap = argparse.ArgumentParser(
        description="freezes under swap, zram and page-cache thrashing: "
        "bustd, earlyoom, nohang, the kernel (root only; bench/README)")
    ap.add_argument("--bustd", default=os.environ.get("BUSTD"))
    ap.add_argument("--earlyoom", default=os.environ.get(
        "EARLYOOM", "/usr/bin/earlyoom"))
    ap.add_argument("--nohang", default=os.environ.get(
        "NOHANG", "/usr/sbin/nohang"))
    ap.add_argument("--srcdir", help="bustd's source tree (etc/bustd.conf); "
                    "default: the parent of this script's folder")
    ap.add_argument("--out", default="bench-out-freeze",
                    help="folder for results.md, results.json and logs/")
    ap.add_argument("--report", nargs="+", metavar="RESULTS_JSON",
                    help="run nothing: print the tables of these runs' "
                    "results.json, their trials together")
    args = ap.parse_args()
    if args.report:
        b = FreezeBench(args)
        b.load(args.report)
        b.finish()
        return 0 if b.ok else 1
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
    b = None
    rc = 0
    try:
        b = FreezeBench(args)
        b.main()
        rc = 0 if b.ok else 1
    except (BenchError, Interrupted) as e:
        log("stopped: %s" % e)
        if b is not None:
            b.interrupted = True
        rc = 2
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        if b is not None:
            b.cleanup()
    return rc


if __name__ == "__main__":
    sys.exit(main())
