#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_victim_race.sh: the victim dies between the scan and the kill.
# The window is microseconds wide; strace widens it: attached to the
# running daemon, it holds bustd's first pidfd_open(2) for 4 s
# (inject=...:delay_enter).  Meanwhile the test kills the chosen hog:
#  1. and reaps it: the pid has vanished when bustd opens it (ESRCH);
#  2. and leaves it unreaped (its parent does not wait): bustd opens a
#     zombie.
# Either way bustd stays up, logs no error and at most a line or two
# about it, and signals no other process: the victim's death has given
# its memory back, so the reading that chose it is stale (an innocent
# process in [only-kill] waits to be taken by mistake).  Then a hog
# still dies.  test_kill.c covers the same paths with a fake OS; this is
# the real one.  Without strace (not in .ci/run's packages) it is skipped.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_victim_race.sh 6144

if ! command -v strace > /dev/null; then
	echo "# fault_victim_race.sh: no strace; skipped"
	exit 77
fi
NR_PIDFD_OPEN=434

# hold_pidfd_open: strace bustd; its next pidfd_open waits 4 s.
hold_pidfd_open() {
	strace -qq -p "$BUSTD_PID" -o "$T/strace.$1" -e trace=pidfd_open \
	    -e inject=pidfd_open:delay_enter=4000000:when=1 9>&- &
	STRACE=$!
	t_pids="$t_pids $STRACE"
	hp_n=50
	while [ "$(awk '/^TracerPid:/ { print $2 }' \
	    "/proc/$BUSTD_PID/status")" != "$STRACE" ] && [ $hp_n -gt 0 ]; do
		sleep 0.1
		hp_n=$((hp_n - 1))
	done
}

# held PID: true once bustd waits in pidfd_open(PID).
held() {
	hd_want="$NR_PIDFD_OPEN $(printf '0x%x' "$1")"
	hd_n=200
	while [ $hd_n -gt 0 ]; do
		case $(cat "/proc/$BUSTD_PID/syscall" 2>/dev/null) in
		"$hd_want "*) return 0 ;;
		esac
		sleep 0.1
		hd_n=$((hd_n - 1))
	done
	return 1
}

# release: let the held call go on, and strace go.
release() {
	sleep 5
	kill -s TERM "$STRACE" 2>/dev/null
	wait "$STRACE" 2>/dev/null
	sed "s/^/# strace: /" "$T/strace.$1"
}

# nothing_sent: bustd has signalled no process yet.
nothing_sent() {
	! grep -q '^pid .*: sending ' "$T/bustd.log"
}

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
exe = ^$T/bin/
CONF
start_bustd
spawn INNO "$T/bin/innocent" -c 64 -r 0 -t 60

# 1. The pid vanishes.
hold_pidfd_open vanished
spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
if held "$HOG"; then
	t_ok "bustd chose the hog and is held in pidfd_open($HOG)"
	kill -s KILL "$HOG"
	wait "$HOG" 2>/dev/null
	t_check "the hog is gone and reaped before bustd opens it" \
	    [ ! -e "/proc/$HOG" ]
	release vanished
	t_check "bustd's pidfd_open found no such process" \
	    grep -q "^pidfd_open($HOG, 0) .*= -1 ESRCH" "$T/strace.vanished"
	t_check "and it sent nothing to that pid" \
	    sh -c "! grep -q 'pid $HOG .*sending' '$T/bustd.log'"
	t_check "nor to any other process: memory was back" nothing_sent
	t_check "the innocent lives" t_running "$INNO"
	grep -v "own oom_score_adj" "$T/bustd.log" |
	    grep "^warning: \|^error: " > "$T/warn"
	sed 's/^/# /' "$T/warn"
	t_check "at most one warning for it: $(wc -l < "$T/warn")" \
	    [ "$(wc -l < "$T/warn")" -le 1 ]
	t_check "no error" sh -c "! grep -q '^error: ' '$T/warn'"
else
	t_not_ok "bustd chose the hog and is held in pidfd_open($HOG)" \
	    "$(cat "/proc/$BUSTD_PID/syscall")"
	kill -s KILL "$HOG"
	release vanished
fi
t_check "bustd survived" t_running "$BUSTD_PID"
sleep 2

# 2. A zombie: the hog's parent execs sleep(1), which never waits.
if ! t_running "$INNO"; then
	wait "$INNO" 2>/dev/null
	spawn INNO "$T/bin/innocent" -c 64 -r 0 -t 60
fi
LINES=$(wc -l < "$T/bustd.log")
hold_pidfd_open zombie
rm -f "$T/zpid"
spawn PARENT sh -c "\"$T/bin/hog\" -r 400 -c $(kill_hog_mib) -t 30 &
    echo \$! > \"$T/zpid\"; exec sleep 40"
i=0
while [ ! -s "$T/zpid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ZOMBIE=$(cat "$T/zpid")
if held "$ZOMBIE"; then
	t_ok "bustd chose the hog and is held in pidfd_open($ZOMBIE)"
	kill -s KILL "$ZOMBIE"
	i=0
	while t_running "$ZOMBIE" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	t_check "the hog is a zombie before bustd opens it" \
	    grep -q '^State:[[:space:]]*Z' "/proc/$ZOMBIE/status"
	release zombie
	tail -n "+$((LINES + 1))" "$T/bustd.log" > "$T/new"
	sed 's/^/# new: /' "$T/new"
	t_check "no error, no warning" sh -c "! grep -q '^error: \|^warning: ' '$T/new'"
	N=$(grep -c "^pid $ZOMBIE " "$T/new")
	t_check "at most two lines on it (say, sent and gone): $N" [ "$N" -le 2 ]
	t_check "no line on any other process" \
	    sh -c "! grep '^pid ' '$T/new' | grep -vq '^pid $ZOMBIE '"
else
	t_not_ok "bustd chose the hog and is held in pidfd_open($ZOMBIE)" \
	    "$(cat "/proc/$BUSTD_PID/syscall")"
	kill -s KILL "$ZOMBIE"
	release zombie
fi
kill -s KILL "$PARENT"
wait "$PARENT" 2>/dev/null
t_check "the innocent process survived" t_running "$INNO"
t_check "bustd survived" t_running "$BUSTD_PID"
sleep 2

# 3. Still protecting.
spawn HOG3 "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG3"
STATUS=$?
t_check "then a hog still dies (status $STATUS)" [ "$STATUS" = 143 ]
t_check "for MemAvailable below mem_term" \
    wait_log "pid $HOG3 \\(hog\\).*sending SIGTERM.*reason: MemAvailable .* <= mem_term" 5
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
