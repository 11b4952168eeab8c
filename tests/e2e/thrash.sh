#!/bin/sh
# SPDX-License-Identifier: MIT
# thrash.sh: page-cache thrashing without swap, and a streaming read that
# is not thrashing.  A reader goes over a 700 MiB file again and again
# (program code and data files, as on a desktop) in a memory cgroup of
# 1 GiB; a leak grows in the same cgroup until the file no longer fits,
# and the file cache is read back many times a second.  MemAvailable
# stays high (the limit is the cgroup's) and there is no swap: only the
# refault rate (thrash_cutoff) can tell, and the leak must die, not the
# reader.  Then a streaming read through the same cgroup, with the
# reader at work, must kill nothing.  cgroup v1's memory controller
# (this machine's) or v2's; skipped (77) without one.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init thrash.sh 4096

if [ -n "$(swapon --noheadings --show 2>/dev/null)" ]; then
	echo "# thrash.sh: swap is on; skipped"
	exit 77
fi
CG=
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ -n "$CG2" ] && grep -qw memory "$CG2/cgroup.controllers" 2>/dev/null; then
	echo +memory > "$CG2/cgroup.subtree_control" 2>/dev/null
	CG=$CG2/bustd-e2e-thrash-$$
	mkdir "$CG" && echo 1G > "$CG/memory.max" || exit 99
elif [ -w /sys/fs/cgroup/memory ]; then
	CG=/sys/fs/cgroup/memory/bustd-e2e-thrash-$$
	mkdir "$CG" && echo $((1024 * 1024 * 1024)) \
	    > "$CG/memory.limit_in_bytes" || exit 99
else
	echo "# thrash.sh: no memory cgroup to make; skipped"
	exit 77
fi
th_cleanup() {
	for th_p in $(cat "$CG/cgroup.procs" 2>/dev/null); do
		kill -s KILL "$th_p" 2>/dev/null
	done
	sleep 0.5
	rmdir "$CG" 2>/dev/null
	e2e_cleanup
}
trap th_cleanup EXIT

# The files: blocks allocated, never written (reads need no disk, so the
# test does not wait on one; they fill the page cache all the same).
fallocate -l 700M "$T/data" && fallocate -l 3G "$T/big" || exit 99

# in_cg ADJ CMD...: CMD in the cgroup, with oom_score_adj ADJ.
in_cg() {
	ic_adj=$1
	shift
	sh -c 'echo $$ > "$0/cgroup.procs" && echo "$1" > /proc/self/oom_score_adj && shift && exec "$@"' \
	    "$CG" "$ic_adj" "$@" 9>&- &
	eval "IC_PID=\$!"
	t_pids="$t_pids $IC_PID"
}

write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = 0
mem_kill = 0
psi_metric = off
thrash_cutoff = 20
thrash_duration = 1s
thrash_mem_gate = 100%
[kill]
term_timeout = 2s
cooldown = 5s
[only-kill]
exe = ^$T/bin/
CONF
start_bustd -v

# The reader's working set first, then the leak.
in_cg 0 "$T/bin/innocent" -m "$T/data" -t 60
READER=$IC_PID
sleep 3
in_cg 1000 "$T/bin/hog" -r 150 -c 900 -t 40
LEAK=$IC_PID
wait "$LEAK"
STATUS=$?
t_check "the leak died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd took it for thrashing" \
    wait_log "pid $LEAK \\(hog\\).*sending SIGTERM.*reason: thrashing: [0-9.]+% of the file cache \\([0-9.]+ [MG]iB\\) read back per s >= thrash_cutoff 20" 5
t_check "the reader survived" t_running "$READER"
grep 'reason: thrashing' "$T/bustd.log" | sed 's/.*reason: /# reason: /'
KILLS=$(grep -c 'sending SIG' "$T/bustd.log")
t_check "one victim only ($KILLS)" [ "$KILLS" = 1 ]

# The control: a streaming read of 3 GiB through the cgroup, its pages
# read once, with the reader at work: evictions, but no thrashing.
sleep 6
dd if="$T/big" of=/dev/null bs=1M 2>/dev/null &
DD=$!
t_pids="$t_pids $DD"
echo $DD > "$CG/cgroup.procs"
wait $DD
dd if="$T/big" of=/dev/null bs=1M 2>/dev/null &
DD=$!
t_pids="$t_pids $DD"
echo $DD > "$CG/cgroup.procs"
wait $DD
sleep 2
t_check "no kill for a streaming read" \
    [ "$(grep -c 'sending SIG' "$T/bustd.log")" = "$KILLS" ]
t_check "the reader survived it" t_running "$READER"
status_line | sed 's/^/# /'
e2e_done
