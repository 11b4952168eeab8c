#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_metrics.sh: the metrics folder is missing, then comes, then its
# file system (a 16 KiB tmpfs in bustd's own mount namespace) is full,
# then has room again.  Each failure is logged once, not at every
# rewrite (every 5 s), each recovery once; the file is never left half
# written; bustd carries on and kills a hog meanwhile; the file counts
# the kill once there is room.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_metrics.sh 6144

# count ERE: lines of bustd's log that match.
count() {
	grep -Ec -- "$1" "$T/bustd.log"
}

# wait_count ERE N SECONDS: true once N lines match.
wait_count() {
	wc_n=$(($3 * t_ticks))
	while [ "$(count "$1")" -lt "$2" ] && [ "$wc_n" -gt 0 ]; do
		sleep "$t_tick"
		wc_n=$((wc_n - 1))
	done
	[ "$(count "$1")" -ge "$2" ]
}

AV=$(settled_avail)
M=$T/mnt/m
PROM=$M/bustd.prom
write_conf <<CONF
[general]
profile = none
metrics_file = $PROM
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[kill]
term_timeout = 5s
[only-kill]
exe = ^$T/
CONF
mkdir "$T/mnt"
start_ns "mount -t tmpfs -o size=16k,mode=755 tmpfs '$T/mnt'"
# The daemon's view of its file system: the tmpfs is in its namespace.
NS=/proc/$BUSTD_PID/root$T/mnt
t_check "the daemon's tmpfs is reachable through /proc/PID/root" \
    [ "$(stat -f -c %T "$NS")" = tmpfs ]

MISSING="^warning: metrics: cannot write $PROM: No such file or directory$"
FULL="^warning: metrics: cannot write $PROM: No space left on device$"
AGAIN="^metrics: writing $PROM again$"

# 1. The folder is missing.
t_check "bustd said it cannot write the metrics: no folder" \
    wait_count "$MISSING" 1 6
sleep 6
t_check "once, not at each rewrite" [ "$(count "$MISSING")" = 1 ]

# 2. It comes.
mkdir "$NS/m"
t_check "bustd said it writes the metrics again" wait_count "$AGAIN" 1 6
t_check "and it did" grep -q '^bustd_dry_run 0$' "$NS/m/bustd.prom"

# 3. Its file system is full.
dd if=/dev/zero of="$NS/fill" bs=4k 2>/dev/null
t_check "bustd said it cannot write the metrics: full" wait_count "$FULL" 1 6
spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the hog died meanwhile (status $STATUS)" [ "$STATUS" = 143 ]
t_check "for MemAvailable below mem_term" \
    wait_log "pid $HOG \\(hog\\).*sending SIGTERM.*reason: MemAvailable .* <= mem_term" 5
t_check "bustd saw it gone" wait_log "pid $HOG \\(hog\\): gone" 5
sleep 6
t_check "once, not at each rewrite nor after the kill" \
    [ "$(count "$FULL")" = 1 ]
t_check "the old file is whole" grep -q '^bustd_dry_run 0$' "$NS/m/bustd.prom"
t_check "no temporary file is left" [ ! -e "$NS/m/bustd.prom.tmp" ]

# 4. Room again.
rm "$NS/fill"
t_check "bustd said it writes the metrics again" wait_count "$AGAIN" 2 6
t_check "the file counts the kill" \
    grep -q '^bustd_kills_total{reason="mem_term",signal="SIGTERM"} 1$' \
    "$NS/m/bustd.prom"
t_check "and the victim gone" \
    grep -q '^bustd_victims_gone_total 1$' "$NS/m/bustd.prom"
t_check "four lines about metrics in all" [ "$(count "metrics")" = 4 ]
t_check "no error logged" sh -c "! grep -q '^error:' '$T/bustd.log'"
t_check "one victim only" [ "$(count 'sending SIG')" = 1 ]
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
