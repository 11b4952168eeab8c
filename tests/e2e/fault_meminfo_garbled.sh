#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_meminfo_garbled.sh: /proc/meminfo turns unparsable while bustd
# runs (no MemTotal, no MemFree).  In bustd's own mount namespace a copy
# of the real file is bound over /proc/meminfo, then overwritten in place
# with junk.  bustd must say so once, not at every poll, and keep
# protecting from what it can still read: sysinfo(2) gives free memory,
# and free memory minus the kernel's reserve never exceeds MemAvailable
# (bustd(8), "Memory readings"), so a hog past mem_term by that measure
# is past it for real.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_meminfo_garbled.sh 6144

AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 3072 * 1024))K
psi_metric = off
[kill]
term_timeout = 5s
[only-kill]
exe = ^$T/
CONF
cat /proc/meminfo > "$T/meminfo"
start_ns "mount --bind '$T/meminfo' /proc/meminfo"
# Far from every threshold bustd reads only sysinfo: the junk is not
# read until the hog comes.
printf 'junk\n' > "$T/meminfo"

spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 15
wait "$HOG"
STATUS=$?
N=$(grep -c "meminfo\|reading memory" "$T/bustd.log")
grep "meminfo\|reading memory" "$T/bustd.log" | sort | uniq -c | sed 's/^/# /'
t_check "bustd said once that it cannot read /proc/meminfo: $N lines" \
    [ "$N" = 1 ]
t_check "the hog died all the same (status $STATUS)" [ "$STATUS" = 143 ] ||
    [ "$STATUS" = 137 ]
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
