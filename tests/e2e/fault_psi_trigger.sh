#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_psi_trigger.sh: the kernel refuses every PSI trigger.  In bustd's
# own mount namespace /proc/pressure is bound read-only over itself: the
# real, live PSI text reads as usual, but opening it for writing (which
# arming a trigger needs) fails with EROFS.  bustd says once that it
# polls PSI instead; its memory thresholds still kill a hog, and PSI read
# by polling still kills thrashing readers.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_psi_trigger.sh 6144

if [ ! -r /proc/pressure/memory ]; then
	echo "# fault_psi_trigger.sh: no PSI on this kernel; skipped"
	exit 77
fi

# The readers of part 2 thrash the page cache of a memory cgroup, as in
# psi.sh; without one, part 2 is skipped.
e2e_memcg || true

AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
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
start_ns 'mount --bind /proc/pressure /proc/pressure
    mount -o remount,bind,ro /proc/pressure'

t_check "bustd said the trigger was refused, and why" \
    grep -q "^PSI trigger refused (Read-only file system): polling PSI instead$" \
    "$T/bustd.log"

# 1. The memory thresholds.  setsid: process_group must not take ours.
spawn HOG setsid "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the hog died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "for MemAvailable below mem_term" \
    wait_log "pid $HOG \\(hog\\).*sending SIGTERM.*reason: MemAvailable .* <= mem_term" 5
t_check "bustd saw it gone" wait_log "pid $HOG \\(hog\\): gone" 5
kill -s USR1 "$BUSTD_PID"
t_check "bustd reads PSI by polling (status line)" \
    wait_log "^status: .*PSI some_avg10 [0-9]+\\.[0-9]+[,;]" 5

# 2. PSI alone, read by polling, finds the thrashing readers.
if [ -n "${E2E_CGROUP:-}" ]; then
	dd if=/dev/urandom of="$T/file" bs=1M count=256 status=none
	sync
	echo 3 > /proc/sys/vm/drop_caches
	START=$(now_ms)
	setsid sh -c "echo \$\$ > \"$E2E_CGROUP/cgroup.procs\" &&
	    exec \"$T/bin/hog\" -m \"$T/file\" -k 7 -t 45" 9>&- &
	LEADER=$!
	t_pids="$t_pids $LEADER"
	# The leader and its 7 children: they hold about the same memory,
	# so bustd may pick any of them (and signal the group).
	i=0
	while [ "$(wc -l < "$E2E_CGROUP/cgroup.procs")" -lt 8 ] &&
	    [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	READERS=" $(tr '\n' ' ' < "$E2E_CGROUP/cgroup.procs")"
	wait "$LEADER"
	STATUS=$?
	END=$(now_ms)
	t_check "the readers were killed (status $STATUS)" [ "$STATUS" = 143 ]
	t_check "for PSI read by polling" \
	    wait_log "pid [0-9]+ \\(hog\\).*sending SIGTERM and its process group.*reason: PSI some_avg10 [0-9.]+ >= 25" 5
	VICTIM=$(sed -n 's/^pid \([0-9]*\) (hog) .*sending SIGTERM.*reason: PSI.*/\1/p' \
	    "$T/bustd.log" | head -n 1)
	case $READERS in
	*" $VICTIM "*)
		t_ok "the victim, pid $VICTIM, was a reader (of$READERS)" ;;
	*)
		t_not_ok "the victim was a reader" \
		    "pid '$VICTIM', readers:$READERS" ;;
	esac
	t_check "within 40 s ($((END - START)) ms)" [ $((END - START)) -lt 40000 ]
	sleep 1
	t_check "no reader is left" [ -z "$(cat "$E2E_CGROUP/cgroup.procs")" ]
	echo "# $(grep -o 'reason: PSI.* for [0-9.]* s' "$T/bustd.log")"
else
	t_skipped "the readers were killed" "no memory cgroup"
	t_skipped "for PSI read by polling" "no memory cgroup"
	t_skipped "the victim was a reader" "no memory cgroup"
	t_skipped "within 40 s" "no memory cgroup"
	t_skipped "no reader is left" "no memory cgroup"
fi

N=$(grep -c "PSI trigger" "$T/bustd.log")
t_check "one line about the trigger in all: $N" [ "$N" = 1 ]
kill -s HUP "$BUSTD_PID"
wait_log "reloaded $T/bustd.conf" 5
sleep 1
N=$(grep -c "PSI trigger" "$T/bustd.log")
t_check "at most one more on a reload (a new attempt): $N" [ "$N" -le 2 ]
t_check "no error logged" sh -c "! grep -q '^error:' '$T/bustd.log'"
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
