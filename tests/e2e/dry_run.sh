#!/bin/sh
# SPDX-License-Identifier: MIT
# dry_run.sh: --dry-run decides and logs like a real run and kills nothing.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init dry_run.sh 6144

AV=$(avail_kib)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 1536 * 1024))K
psi_metric = off
[kill]
term_timeout = 1s
[only-kill]
exe = ^$T/
CONF
start_bustd --dry-run
spawn HOG "$T/bin/hog" -r 400 -c 2560 -t 10
wait "$HOG"
STATUS=$?
t_check "the hog lived to exit by itself (status $STATUS)" [ "$STATUS" = 0 ]
t_check "bustd decided on SIGTERM" \
    wait_log "pid $HOG \\(hog\\).*dry run, would send SIGTERM" 5
t_check "and on SIGKILL at the kill level" \
    wait_log "pid $HOG \\(hog\\): dry run, would send SIGKILL" 5
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
