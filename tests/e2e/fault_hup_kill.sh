#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_hup_kill.sh: SIGHUPs rain on bustd while it waits for a victim
# that ignores SIGTERM.  The reloads happen (valid and broken files in
# turn), the kill goes on: SIGKILL at term_timeout, counted from the
# SIGTERM, neither later nor sooner; one victim; and the policy then
# still kills the next hog.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_hup_kill.sh 6144

AV=$(settled_avail)
C=$T/bustd.conf
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = 0
psi_metric = off
[kill]
term_timeout = 3s
[only-kill]
exe = ^$T/
CONF
cp -p "$C" "$T/good"
printf '[thresholds\nmem_term = 1%%\n' > "$T/bad"
chmod 600 "$T/bad"
start_bustd

spawn HOG "$T/bin/hog" -i -r 400 -c "$(kill_hog_mib)" -t 30
if ! wait_log "pid $HOG \\(hog\\).*sending SIGTERM" 20; then
	t_not_ok "bustd sent SIGTERM to the hog"
	e2e_done
	exit 1
fi
# 16 SIGHUPs, one every 0.25 s: past term_timeout.
i=0
while [ $i -lt 16 ]; do
	if [ $((i % 2)) = 0 ]; then
		cp "$T/good" "$C"
	else
		cp "$T/bad" "$C"
	fi
	kill -s HUP "$BUSTD_PID"
	sleep 0.25
	i=$((i + 1))
done
cp "$T/good" "$C"
wait "$HOG"
STATUS=$?
wait_log "pid $HOG \\(hog\\): gone" 5

t_check "the hog died of SIGKILL (status $STATUS)" [ "$STATUS" = 137 ]
t_check "SIGKILL because term_timeout passed" \
    grep -q "pid $HOG (hog): sending SIGKILL: term_timeout passed" "$T/bustd.log"
# Log order: reloads between the SIGTERM and the SIGKILL lines.
awk -v pid="$HOG" '
	index($0, "pid " pid " (hog)") && /sending SIGTERM/ { w = 1 }
	w && /^reloaded / { ok++ }
	w && /^error: reload failed/ { bad++ }
	index($0, "pid " pid " (hog): sending SIGKILL") { w = 0 }
	END { printf "%d %d\n", ok, bad }' "$T/bustd.log" > "$T/during"
read -r OK BAD < "$T/during"
t_check "good reloads took during the wait ($OK)" [ "$OK" -ge 2 ]
t_check "bad ones were refused during the wait ($BAD)" [ "$BAD" -ge 2 ]
GONE=$(sed -n "s/^pid $HOG (hog): gone \\([0-9]*\\) ms after SIGTERM, \\([0-9]*\\) ms after SIGKILL$/\\1 \\2/p" \
    "$T/bustd.log")
t_check "bustd saw it gone after SIGKILL ($GONE)" [ -n "$GONE" ]
# shellcheck disable=SC2086 # two numbers, split on purpose
set -- $GONE 0 0
t_check "SIGKILL came at term_timeout: $(($1 - $2)) ms after SIGTERM" \
    [ $(($1 - $2)) -ge 2950 ] && [ $(($1 - $2)) -le 3500 ]
t_check "one SIGTERM" [ "$(grep -c 'sending SIGTERM' "$T/bustd.log")" = 1 ]
t_check "one SIGKILL" [ "$(grep -c 'sending SIGKILL' "$T/bustd.log")" = 1 ]
t_check "no other error logged" \
    sh -c "! grep '^error:' '$T/bustd.log' | grep -v -e 'reload failed' -e \"^error: $C:\" | grep -q ."

sleep 1
spawn HOG2 "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG2"
STATUS=$?
t_check "the policy still kills the next hog (status $STATUS)" \
    [ "$STATUS" = 143 ]
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
