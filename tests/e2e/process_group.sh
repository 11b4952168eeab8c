#!/bin/sh
# SPDX-License-Identifier: MIT
# process_group.sh: process_group = yes takes the hog's whole group; a
# group holding a never-kill process loses only the victim.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init process_group.sh 6144

AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[kill]
process_group = yes
term_timeout = 3s
[never-kill]
exe = ^$T/protected/
[only-kill]
exe = ^$T/
CONF
start_bustd

# 1. A hog with three children in a group of its own.
spawn LEADER setsid "$T/bin/hog" -k 3 -r 400 -c "$(kill_hog_mib)" -t 30 -w "$T/ready1"
i=0
while [ ! -f "$T/ready1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
KIDS=$(pgrep -P "$LEADER" | tr '\n' ' ')
wait "$LEADER"
STATUS=$?
t_check "the hog died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "three children were there" [ "$(echo $KIDS | wc -w)" = 3 ]
sleep 0.5
LEFT=""
for k in $KIDS; do t_running "$k" && LEFT="$LEFT $k"; done
t_check "its children died with it (left:$LEFT)" [ -z "$LEFT" ]
t_check "bustd signalled the group" \
    wait_log "pid $LEADER \\(hog\\).*SIGTERM and its process group" 5
wait_log "pid $LEADER \\(hog\\): gone" 5

# 2. The same, but the group holds a never-kill process.
reaim
setsid sh -c "\"$T/protected/hog\" -c 16 -t 30 & echo \$! > \"$T/prot.pid\";
    exec \"$T/bin/hog\" -r 400 -c $(kill_hog_mib) -t 30" &
LEADER2=$!
t_pids="$t_pids $LEADER2"
i=0
while [ ! -s "$T/prot.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PROT=$(cat "$T/prot.pid")
t_pids="$t_pids $PROT"
wait "$LEADER2"
STATUS=$?
t_check "the second hog died (status $STATUS)" [ "$STATUS" = 143 ]
t_check "the never-kill member of its group survived" t_running "$PROT"
t_check "bustd said why it spared the group" \
    wait_log "pid $LEADER2 \\(hog\\): process group .* not signalled whole" 5
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
