#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_syslog.sh: log = syslog and no syslog daemon.  In bustd's own
# mount namespace /dev is an empty tmpfs (but for /dev/null): no
# /dev/log.  bustd says so once on stderr and logs there instead (and
# tries /dev/log again, quietly, as lines come): the kill of a hog shows
# on stderr.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_syslog.sh 6144

AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
log = syslog
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[kill]
term_timeout = 5s
[only-kill]
exe = ^$T/
CONF
: > "$T/null"
start_ns "mount --bind /dev/null '$T/null'
    mount -t tmpfs -o size=16k,mode=755 tmpfs /dev
    : > /dev/null
    mount --bind '$T/null' /dev/null
    test ! -e /dev/log"

WARN="^warning: syslog: cannot connect to /dev/log: No such file or directory; logging to stderr until it can$"
t_check "bustd said on stderr that syslog is not there" \
    grep -q "$WARN" "$T/bustd.log"

spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the hog died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "the kill shows on stderr" \
    wait_log "^pid $HOG \\(hog\\).*sending SIGTERM.*reason: MemAvailable .* <= mem_term" 5
t_check "and the victim gone" wait_log "^pid $HOG \\(hog\\): gone" 5
kill -s USR1 "$BUSTD_PID"
t_check "so does the status line" wait_log "^status: MemAvailable" 5
N=$(grep -c "syslog" "$T/bustd.log")
t_check "one line about syslog in all: $N" [ "$N" = 1 ]

kill -s HUP "$BUSTD_PID"
t_check "a reload works, logged on stderr" wait_log "^reloaded $T/bustd.conf" 5
N=$(grep -c "syslog" "$T/bustd.log")
t_check "at most one more line about syslog on a reload (a new attempt): $N" \
    [ "$N" -le 2 ]
t_check "no error logged" sh -c "! grep -q '^error:' '$T/bustd.log'"
t_check "one victim only" [ "$(grep -c 'sending SIG' "$T/bustd.log")" = 1 ]
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
