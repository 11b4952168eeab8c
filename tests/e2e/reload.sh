#!/bin/sh
# SPDX-License-Identifier: MIT
# reload.sh: a bad reload keeps the old policy (the hog still dies); a good
# one takes effect (dry run: the next hog lives).
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init reload.sh 6144

AV=$(avail_kib)
cat > "$T/good" <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[only-kill]
exe = ^$T/
CONF
cp "$T/good" "$T/bustd.conf"
chmod 600 "$T/bustd.conf"
start_bustd

printf '[general]\nprofile = laptop\n[thresholds\nmem_term = 1%%\n' \
    > "$T/bustd.conf"
kill -HUP "$BUSTD_PID"
t_check "the bad reload was refused" \
    wait_log "reload failed: keeping the previous policy" 5
t_check "with every error named" \
    grep -q "bustd.conf:2: profile: unknown value 'laptop'" "$T/bustd.log"
t_check "and its line" \
    grep -q "bustd.conf:3: missing ']'" "$T/bustd.log"

spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the old policy still killed the hog (status $STATUS)" \
    [ "$STATUS" = 143 ]
wait_log "pid $HOG \\(hog\\): gone" 5

# MemAvailable drifts on a shared machine: aim the new policy at the
# memory there is now, so the second hog surely crosses it.
settle
AV=$(avail_kib)
sed -e 's/^profile = none$/profile = none\ndry_run = yes/' \
    -e "s/^mem_term = .*/mem_term = $((AV - 1024 * 1024))K/" \
    -e "s/^mem_kill = .*/mem_kill = $((AV - 2048 * 1024))K/" \
    "$T/good" > "$T/bustd.conf"
kill -HUP "$BUSTD_PID"
t_check "the good reload took" wait_log "reloaded .*dry run" 5
# Grows until bustd has decided (room for memory coming back), then the
# test ends it.
spawn HOG2 "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 25
t_check "bustd logged what it would have done" \
    wait_log "pid $HOG2 \\(hog\\).*dry run, would send SIGTERM" 20
t_check "under the new dry-run policy the hog lives on" t_running "$HOG2"
kill "$HOG2"
wait "$HOG2"
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
