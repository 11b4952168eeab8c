#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_meminfo.sh: a /proc/meminfo without MemAvailable (kernels before
# 3.14).  In bustd's own mount namespace a copy of the real file, minus
# that line, is bound over /proc/meminfo; bustd must estimate MemAvailable
# from MemFree + Buffers + Cached + SReclaimable - Shmem, say once that
# it does, and decide from the estimate.
#
# The copy is static: its values do not follow the hogs.  So each part
# sets them to make the estimate's verdict the opposite of the real
# memory's, and bustd's choice shows which one it used.  bustd reads
# /proc/meminfo only near a threshold (sysinfo(2), which stays real,
# proves the rest): a real hog brings it there.  The file is rewritten in
# place between the parts (the bind mount holds its inode), while bustd
# is far from every threshold and so does not read it.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_meminfo.sh 6144

# fake_meminfo FREE BUFFERS CACHED SRECLAIMABLE SHMEM (KiB): the real
# /proc/meminfo without MemAvailable and with these values, written in
# place over $T/meminfo.
fake_meminfo() {
	awk -v f="$1" -v b="$2" -v c="$3" -v r="$4" -v s="$5" '
	function put(k, v) { printf "%-15s %8d kB\n", k ":", v }
	/^MemAvailable:/ { next }
	/^MemFree:/ { put("MemFree", f); next }
	/^Buffers:/ { put("Buffers", b); next }
	/^Cached:/ { put("Cached", c); next }
	/^SReclaimable:/ { put("SReclaimable", r); next }
	/^Shmem:/ { put("Shmem", s); next }
	{ print }' /proc/meminfo > "$T/meminfo.new" &&
	    rewrite_bound "$T/meminfo"
}

AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = 64M
psi_metric = off
[kill]
term_timeout = 5s
[only-kill]
exe = ^$T/
CONF

# 1. The estimate says plenty (all of today's MemAvailable is free
# memory, caches 0) while the hog takes real memory below mem_term.
HIGH=$AV
fake_meminfo "$HIGH" 0 0 0 0
grep -q '^MemAvailable:' "$T/meminfo" && exit 99
start_ns "mount --bind '$T/meminfo' /proc/meminfo"
t_check "bustd started on the estimate ($(shown "$HIGH"))" \
    grep -q "^start: MemAvailable $(shown "$HIGH") of " "$T/bustd.log"
N=$(grep -Eic 'no MemAvailable|MemAvailable.*(missing|estimat)|estimat.*MemAvailable' \
    "$T/bustd.log")
t_check "bustd said once that it estimates MemAvailable: $N lines" [ "$N" = 1 ]

spawn HOG1 "$T/bin/hog" -r 400 -c 3072 -t 12
i=0
while [ "$(rss_mib "$HOG1")" -lt 3000 ] 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
REAL=$(avail_kib)
kill -s USR1 "$BUSTD_PID"
t_check "near mem_term bustd read the file: the estimate, exact ($(shown "$HIGH"); really $(shown "$REAL"))" \
    wait_log "^status: MemAvailable $(shown "$HIGH") of " 5
wait "$HOG1"
STATUS=$?
t_check "the hog lived: the estimate was above mem_term (status $STATUS)" \
    [ "$STATUS" = 0 ]
t_check "and nothing was signalled" sh -c "! grep -q 'sending SIG' '$T/bustd.log'"

# 2. The estimate says almost nothing is left: 300000 + 1000 + 20000 +
# 5000 - 2000 KiB.  bustd must act on it once a hog brings it to read
# the file, and name that reading.
sleep 2
LOW=$((300000 + 1000 + 20000 + 5000 - 2000))
fake_meminfo 300000 1000 20000 5000 2000
spawn HOG2 "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG2"
STATUS=$?
t_check "the hog died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "for the estimate, $(shown "$LOW"), below mem_term" \
    wait_log "pid $HOG2 \\(hog\\).*sending SIGTERM.*reason: MemAvailable $(shown "$LOW") <= mem_term" 5
t_check "bustd saw it gone" wait_log "pid $HOG2 \\(hog\\): gone" 5
t_check "one victim only" [ "$(grep -c 'sending SIG' "$T/bustd.log")" = 1 ]
t_check "no error logged" sh -c "! grep -q '^error:' '$T/bustd.log'"
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
