#!/bin/sh
# SPDX-License-Identifier: MIT
# load_sighup.sh: hundreds of SIGHUPs a second for 10 s, the policy file
# swapped each time (rename, as mv does) between a valid and an invalid
# one, while a hog grows and must die: bustd stays up, kills the hog and
# only the hog, and leaks neither memory (VmRSS flat) nor descriptors.
. "${srcdir:-.}/tests/e2e/attack_lib.sh"
atk_init load_sighup.sh 6144

RATE=${LOAD_SIGHUP_RATE:-500}
SECONDS_=${LOAD_SIGHUP_SECONDS:-10}
RSS_SLACK_KIB=${LOAD_SIGHUP_RSS_SLACK_KIB:-512}
AV=$(avail_kib)
cat > "$T/good.conf" <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[never-kill]
exe = ^$T/protected/
[only-kill]
exe = ^$T/bin/
cmdline = ^$T/bin/(hog|innocent) 
[notify]
exec_timeout = 5s
CONF
# Every kind of error: an unknown section and key, a bad value, a bad
# regex, the kill level above the term level.
cat > "$T/bad.conf" <<CONF
[general]
profile = laptop
[thresholds]
mem_term = 5%
mem_kill = 10%
psi_metric = off
[only-kill]
exe = ^$T/bin/(
[bogus]
key = value
CONF
chmod 600 "$T/good.conf" "$T/bad.conf"
cp -p "$T/good.conf" "$T/bustd.conf"
start_bustd

fds() { ls "/proc/$BUSTD_PID/fd" | wc -l; }
# Warm up: one reload of each kind, so both paths have run once.
kill -s HUP "$BUSTD_PID"
wait_log "^reloaded" 5
cp -p "$T/bad.conf" "$T/bustd.conf"
kill -s HUP "$BUSTD_PID"
wait_log "reload failed" 5
cp -p "$T/good.conf" "$T/bustd.conf"
sleep 1
RSS0=$(status_kib "$BUSTD_PID" VmRSS)
LCK0=$(status_kib "$BUSTD_PID" VmLck)
FD0=$(fds)
ls -l "/proc/$BUSTD_PID/fd" | awk 'NR > 1 { print $NF }' | sort > "$T/fd0"

spawn INNO "$T/bin/innocent" -c 64 -t 40
spawn PROT "$T/protected/hog" -c 16 -t 40
spawn HUPS "$T/bin/atk" hup -p "$BUSTD_PID" -r "$RATE" -t "$SECONDS_" \
    "$T/good.conf" "$T/bad.conf" "$T/bustd.conf" > "$T/hup.out"
sleep 2
spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
RSSMAX=$RSS0
while t_running "$HUPS"; do
	r=$(status_kib "$BUSTD_PID" VmRSS)
	[ -n "$r" ] && [ "$r" -gt "$RSSMAX" ] && RSSMAX=$r
	sleep 0.2
done
wait "$HUPS"
HUPS_STATUS=$?
wait "$HOG"
STATUS=$?
sleep 1
RSS1=$(status_kib "$BUSTD_PID" VmRSS)
LCK1=$(status_kib "$BUSTD_PID" VmLck)
FD1=$(fds)
ls -l "/proc/$BUSTD_PID/fd" | awk 'NR > 1 { print $NF }' | sort > "$T/fd1"

echo "# $(cat "$T/hup.out")"
NR=$(grep -c '^reloading' "$T/bustd.log")
NOK=$(grep -c '^reloaded' "$T/bustd.log")
NBAD=$(grep -c 'reload failed: keeping the previous policy' "$T/bustd.log")
echo "# bustd: $NR reloads begun, $NOK taken, $NBAD refused"
echo "# VmRSS: $RSS0 KiB before, $RSSMAX KiB at most during, $RSS1 KiB after"
echo "# VmLck: $LCK0 KiB before, $LCK1 KiB after; fds: $FD0 before, $FD1 after"
t_check "the SIGHUP sender ran to its end (status $HUPS_STATUS)" \
    [ "$HUPS_STATUS" = 0 ]
SENT=$(sed -n 's/^hup: \([0-9]*\) sent.*/\1/p' "$T/hup.out")
t_check "it sent at least $((RATE * SECONDS_ / 2)) SIGHUPs ($SENT)" \
    [ "${SENT:-0}" -ge $((RATE * SECONDS_ / 2)) ]
t_check "bustd survived" t_running "$BUSTD_PID"
t_check "bustd reloaded many times ($NR)" [ "$NR" -ge 100 ]
t_check "both kinds of file were read ($NOK taken, $NBAD refused)" \
    [ "$NOK" -ge 10 ] && [ "$NBAD" -ge 10 ]
t_check "every reload was taken or refused" [ $((NOK + NBAD)) = "$NR" ]
t_check "the hog died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd logged it" \
    wait_log "^pid $HOG \\(hog\\).*sending SIGTERM.*reason: MemAvailable" 5
t_check "one victim only" [ "$(grep -c 'sending SIG' "$T/bustd.log")" = 1 ]
t_check "the innocent process survived" t_running "$INNO"
t_check "the never-kill process survived" t_running "$PROT"
if [ -n "${BUSTD_SANITIZED:-}" ]; then
	# ASan holds freed blocks in quarantine (256 MiB by default): RSS
	# measures it, not bustd.  Leaks: valgrind.sh and LeakSanitizer.
	t_skipped "VmRSS stayed flat (+$((RSS1 - RSS0)) KiB)" \
	    "sanitizer build: ASan's quarantine grows RSS"
else
	t_check "VmRSS stayed flat (+$((RSS1 - RSS0)) KiB, slack $RSS_SLACK_KIB)" \
	    [ $((RSS1 - RSS0)) -le "$RSS_SLACK_KIB" ]
fi
t_check "no descriptor leaked ($FD0, then $FD1)" [ "$FD1" = "$FD0" ]
if ! cmp -s "$T/fd0" "$T/fd1"; then
	diff "$T/fd0" "$T/fd1" | sed 's/^/# fds: /'
fi
t_check "bustd has no zombie child" \
    sh -c "! ps -o stat= --ppid $BUSTD_PID | grep -q Z"
# And it still answers.
before=$NOK
kill -s HUP "$BUSTD_PID"
sleep 1
t_check "a last SIGHUP still reloads the good file" \
    [ "$(grep -c '^reloaded' "$T/bustd.log")" -gt "$before" ]
show_kills
if [ "$t_fail" -gt 0 ]; then
	# The log is long: keep its kills, errors and last lines only.
	grep -v '^reload\|^error: \|^warning: ' "$T/bustd.log" > "$T/short.log"
	tail -n 20 "$T/bustd.log" >> "$T/short.log"
	mv "$T/short.log" "$T/bustd.log"
fi
e2e_done
