#!/bin/sh
# SPDX-License-Identifier: MIT
# thrash.sh: page-cache thrashing without swap, and a streaming read that
# is not thrashing.  An mlocked ballast leaves the machine about 3 GiB;
# a reader goes over a 2 GiB file again and again (program code and data
# files, as on a desktop); a leak grows until the file no longer fits,
# and the file cache is read back many times a second while MemAvailable
# (which counts the cache) is still well above any memory level, and
# there is no swap.  The refault rate (thrash_cutoff) must take the leak,
# not the reader.  Then a streaming read of a 4 GiB file, with the reader
# at work, must kill nothing.  Everything is bounded (60 s; the leak
# leaves 1 GiB, 4 GiB at most); the ballast and the leak have
# oom_score_adj 1000.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init thrash.sh 6144

if [ -n "$(swapon --noheadings --show 2>/dev/null)" ]; then
	echo "# thrash.sh: swap is on; skipped"
	exit 77
fi
th_cleanup() {
	[ -n "${LEAK:-}" ] && kill -s KILL "$LEAK" 2>/dev/null
	[ -n "${BALLAST:-}" ] && kill -s KILL "$BALLAST" 2>/dev/null
	e2e_cleanup
}
trap th_cleanup EXIT

# The files: blocks allocated, never written (reads need no disk, so the
# test does not wait on one; they fill the page cache all the same).
fallocate -l 2G "$T/data" && fallocate -l 4G "$T/big" || exit 99

settle
AV=$(avail_kib)
B_MIB=$(((AV - 3072 * 1024) / 1024))
spawn BALLAST choom -n 1000 -- "$T/bin/innocent" -l -c "$B_MIB" -r 0 -t 90
i=0
while [ "$(rss_mib "$BALLAST")" -lt $((B_MIB - 64)) ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_check "the ballast holds $B_MIB MiB" \
    [ "$(rss_mib "$BALLAST")" -ge $((B_MIB - 64)) ]

write_conf <<CONF
[general]
profile = none
report_interval = 1s
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
exe = ^$T/bin/hog$
CONF
start_bustd -v

# The reader's working set first, then the leak.
spawn READER "$T/bin/innocent" -m "$T/data" -t 70
sleep 4
# The leak leaves 1 GiB, half the file, of what is available now: the
# ballast aims at 3 GiB, but MemAvailable may have moved since.
L_MIB=$(($(avail_kib) / 1024 - 1024))
[ "$L_MIB" -gt 4096 ] && L_MIB=4096
[ "$L_MIB" -lt 512 ] && L_MIB=512
echo "# MemAvailable $(($(avail_kib) / 1024)) MiB, the reader's file" \
    "cached; the leak: $L_MIB MiB"
spawn LEAK choom -n 1000 -- "$T/bin/hog" -r 150 -c "$L_MIB" -t 40
wait "$LEAK"
STATUS=$?
t_check "the leak died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd took it for thrashing" \
    wait_log "pid $LEAK \\(hog\\).*sending SIGTERM.*reason: thrashing: [0-9.]+% of the file cache \\([0-9.]+ [MG]iB\\) read back per s >= thrash_cutoff 20" 5
t_check "the reader survived" t_running "$READER"
grep 'reason: thrashing' "$T/bustd.log" | sed 's/.*reason: /# reason: /'
KILLS=$(grep -c 'sending SIG' "$T/bustd.log")
t_check "one victim only ($KILLS)" [ "$KILLS" = 1 ]

# The control: a streaming read of 4 GiB, its pages read once, with the
# reader at work: evictions, but no thrashing.
sleep 6
dd if="$T/big" of=/dev/null bs=1M 2>/dev/null &
DD=$!
t_pids="$t_pids $DD"
wait $DD
sleep 2
t_check "no kill for a streaming read" \
    [ "$(grep -c 'sending SIG' "$T/bustd.log")" = "$KILLS" ]
t_check "the reader survived it" t_running "$READER"
# The rate as the reports saw it, for the record.
grep -o 'thrash [0-9.]*%/s' "$T/bustd.log" | sort -t' ' -k2 -n | tail -n 3 |
    sed 's/^/# highest: /'
e2e_done
