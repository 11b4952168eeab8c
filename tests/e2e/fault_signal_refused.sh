#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_signal_refused.sh: the best candidate cannot be signalled
# (EPERM).  bustd runs as user nobody on the usual /proc: it reads every
# process's cmdline and oom_score, so a root hog matches [only-kill]
# cmdline and, with oom_score_adj 800, outranks everything; the kernel
# refuses bustd's signal to it (an LSM can do the same to a root bustd).
# bustd must say so once, not at every poll, leave that process be, and
# go on to the next candidate: a hog of nobody's past mem_term dies.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_signal_refused.sh 6144

# A command and its options: split on purpose where used.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = 0
psi_metric = off
[kill]
term_timeout = 5s
[only-kill]
cmdline = ^$T/bin/
CONF
chmod 644 "$T/bustd.conf"
# shellcheck disable=SC2086
t_start "$T/bustd.log" $NOBODY "$BUSTD" -n -c "$T/bustd.conf" 9>&-
BUSTD_PID=$t_pid
if ! t_wait_text "$T/bustd.log" "running with" 10; then
	t_not_ok "bustd started" "$(cat "$T/bustd.log")"
	exit 1
fi

# The root hog takes 3 GiB, past mem_term, and stays 30 s.
spawn ROOT "$T/bin/hog" -n hogroot -r 400 -c "$(kill_hog_mib)" -t 30
echo 800 > "/proc/$ROOT/oom_score_adj"
t_check "bustd chose the root hog and could not signal it" \
    wait_log "pid $ROOT \\(hogroot\\).*Operation not permitted" 15
sleep 1
# shellcheck disable=SC2086
spawn MINE $NOBODY "$T/bin/hog" -r 400 -c 2048 -t 12
wait "$MINE"
STATUS=$?
t_check "the hog it can kill died (status $STATUS)" [ "$STATUS" = 143 ]
t_check "the root hog lived" t_running "$ROOT"
N=$(grep -Ec "pid $ROOT |scan failed" "$T/bustd.log")
t_check "one or two lines about the refusal, not one per poll: $N" \
    [ "$N" -le 2 ]
t_check "bustd survived" t_running "$BUSTD_PID"
kill -s KILL "$ROOT"
echo "# $(grep -c "pid $ROOT " "$T/bustd.log") lines name the root hog," \
    "$(grep -c "scan failed" "$T/bustd.log") say 'scan failed'"
e2e_done
