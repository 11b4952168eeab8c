#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_psi_missing.sh: a kernel without PSI (an empty tmpfs over
# /proc/pressure in bustd's own mount namespace): bustd warns once, on
# start and never again (not on reload, not under pressure), and its
# memory thresholds still kill the hog.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_psi_missing.sh 6144

AV=$(settled_avail)
# PSI is on, and its gate is above mem_term: the loop runs the PSI path
# at every poll near the threshold.
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = some_avg10
psi_cutoff = 25
psi_duration = 1s
psi_mem_gate = $((AV - 512 * 1024))K
[kill]
term_timeout = 5s
[only-kill]
exe = ^$T/
CONF
start_ns 'mount -t tmpfs -o size=4k,mode=555 tmpfs /proc/pressure'

t_check "bustd warned that there is no PSI" \
    grep -q "warning: no PSI (/proc/pressure/memory)" "$T/bustd.log"
kill -s HUP "$BUSTD_PID"
t_check "a reload works without PSI" wait_log "reloaded $T/bustd.conf" 5

spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the hog died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "for MemAvailable below mem_term" \
    wait_log "pid $HOG \\(hog\\).*sending SIGTERM.*reason: MemAvailable .* <= mem_term" 5
t_check "bustd saw it gone" wait_log "pid $HOG \\(hog\\): gone" 5
kill -s USR1 "$BUSTD_PID"
wait_log "^status: " 5
N=$(grep -c "no PSI" "$T/bustd.log")
t_check "one warning about PSI in all (start, reload, pressure): $N" \
    [ "$N" = 1 ]
t_check "no error logged" sh -c "! grep -q '^error:' '$T/bustd.log'"
t_check "one victim only" [ "$(grep -c 'sending SIG' "$T/bustd.log")" = 1 ]
t_check "bustd survived" t_running "$BUSTD_PID"
sed -n 's/^\(status: .*PSI [^;]*\);.*/# \1/p' "$T/bustd.log"
e2e_done
