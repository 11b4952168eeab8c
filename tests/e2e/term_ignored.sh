#!/bin/sh
# SPDX-License-Identifier: MIT
# term_ignored.sh: a hog that ignores SIGTERM gets SIGKILL after
# term_timeout, though memory never reaches mem_kill.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init term_ignored.sh 6144

AV=$(avail_kib)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = 0
psi_metric = off
[kill]
term_timeout = 2s
[only-kill]
exe = ^$T/
CONF
start_bustd
spawn HOG "$T/bin/hog" -i -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?

t_check "the hog died of SIGKILL (status $STATUS)" [ "$STATUS" = 137 ]
t_check "SIGTERM came first" \
    wait_log "pid $HOG \\(hog\\).*sending SIGTERM" 5
t_check "SIGKILL because term_timeout passed" \
    wait_log "pid $HOG \\(hog\\): sending SIGKILL: term_timeout passed" 5
t_check "bustd saw it gone after SIGKILL" \
    wait_log "pid $HOG \\(hog\\): gone [0-9]+ ms after SIGTERM, [0-9]+ ms after SIGKILL" 5
t_check "bustd survived" t_running "$BUSTD_PID"
echo "# $(grep -o 'gone [0-9]* ms after SIG[A-Z]*' "$T/bustd.log")"
e2e_done
