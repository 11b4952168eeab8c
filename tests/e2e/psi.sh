#!/bin/sh
# SPDX-License-Identifier: MIT
# psi.sh: real memory pressure raises PSI and bustd acts on it, once.
# Readers of a file larger than their memory cgroup's limit thrash the
# page cache: their refaults stall, and system-wide "some" PSI climbs.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init psi.sh 4096

if [ ! -r /proc/pressure/memory ]; then
	echo "# psi.sh: no PSI on this kernel; skipped"
	exit 77
fi
if ! e2e_memcg; then
	echo "# psi.sh: no memory cgroup to limit the readers; skipped"
	exit 77
fi

dd if=/dev/urandom of="$T/file" bs=1M count=256 status=none
sync
echo 3 > /proc/sys/vm/drop_caches

write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = 0
mem_kill = 0
psi_metric = some_avg10
psi_cutoff = 25
psi_duration = 2s
psi_mem_gate = 100%
[kill]
process_group = yes
term_timeout = 2s
cooldown = 5s
[only-kill]
exe = ^$T/
CONF
start_bustd -v
grep -q "PSI trigger armed\|PSI trigger refused" "$T/bustd.log"
echo "# $(grep -o 'PSI trigger [a-z]*.*' "$T/bustd.log" | head -1)"

START=$(now_ms)
setsid sh -c "echo \$\$ > \"$E2E_CGROUP/cgroup.procs\" &&
    exec \"$T/bin/hog\" -m \"$T/file\" -k 7 -t 45 -w \"$T/ready\"" &
LEADER=$!
t_pids="$t_pids $LEADER"
wait "$LEADER"
STATUS=$?
END=$(now_ms)
t_check "the readers were killed, their leader too (status $STATUS)" [ "$STATUS" = 143 ]
t_check "for PSI, above the cutoff" \
    wait_log "pid [0-9]+ \\(hog\\).*sending SIGTERM and its process group.*reason: PSI some_avg10 [0-9.]+ >= 25" 5
t_check "within 40 s ($((END - START)) ms)" [ $((END - START)) -lt 40000 ]
sleep 1
t_check "no reader is left" [ -z "$(cat "$E2E_CGROUP/cgroup.procs")" ]
# avg10 stays above the cutoff for seconds after the readers die: no
# second victim may follow from it.
sleep 12
t_check "one pressure episode cost one victim" \
    [ "$(grep -c 'sending SIG' "$T/bustd.log")" = 1 ]
t_check "bustd survived" t_running "$BUSTD_PID"
echo "# $(grep -o 'reason: PSI.*gate [0-9.]* [GM]iB' "$T/bustd.log")"
e2e_done
