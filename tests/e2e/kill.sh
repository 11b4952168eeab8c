#!/bin/sh
# SPDX-License-Identifier: MIT
# kill.sh: a hog grows past mem_term and dies; an innocent process, a
# never-kill process holding more memory, and bustd survive.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init kill.sh 8192

# The protected process takes 1.5 GiB first: it holds more than the hog
# will at the crossing, and only [never-kill] saves it.
spawn PROT "$T/protected/hog" -c 1536 -t 30 -r 0
spawn INNO "$T/bin/innocent" -c 64 -t 30
sleep 5
settle
AV=$(avail_kib)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[kill]
term_timeout = 5s
[never-kill]
exe = ^$T/protected/
[only-kill]
exe = ^$T/
CONF
start_bustd
START=$(now_ms)
spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
END=$(now_ms)

t_check "the hog died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd logged the kill of the hog" \
    wait_log "pid $HOG \\(hog\\).*sending SIGTERM.*reason: MemAvailable" 5
t_check "bustd saw it gone" wait_log "pid $HOG \\(hog\\): gone" 5
t_check "the never-kill process survived" t_running "$PROT"
t_check "the innocent process survived" t_running "$INNO"
t_check "bustd survived" t_running "$BUSTD_PID"
t_check "one victim only" [ "$(grep -c 'sending SIG' "$T/bustd.log")" = 1 ]
echo "# hog lived $((END - START)) ms; $(grep -o 'gone [0-9]* ms after SIG[A-Z]*' "$T/bustd.log")"
e2e_done
