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
# The hog grows until bustd has decided both levels (memory freed by
# earlier tests may come back meanwhile: the cap leaves room for it),
# then the test ends it.
spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 25
t_check "bustd decided on SIGTERM" \
    wait_log "pid $HOG \\(hog\\).*dry run, would send SIGTERM" 20
t_check "and on SIGKILL at the kill level" \
    wait_log "pid $HOG \\(hog\\): dry run, would send SIGKILL" 20
t_check "the hog lives on: nothing was sent" t_running "$HOG"
kill "$HOG"
wait "$HOG"
# The status line counts the decisions apart from the kills.
kill -s USR1 "$BUSTD_PID"
t_check "the status line: no kills, the dry run's decisions apart" \
    wait_log "kills: 0 SIGTERM, 0 SIGKILL, 0 gone, 0 stuck; dry-run decisions: [1-9]" 5
grep "dry-run decisions: [1-9]" "$T/bustd.log" | sed 's/^/# status: /'
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
