#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_proc_unreadable.sh: /proc/PID files that bustd cannot read.
# Root with CAP_SYS_PTRACE reads them all, so:
#  1. --list as root without CAP_SYS_PTRACE (setpriv): another user's
#     /proc/PID/exe is then unreadable (ptrace access mode, see proc(5)),
#     and a [never-kill] exe rule must protect that process (fail safe),
#     and say why; a process whose exe it can read is listed.
#  2. The daemon as user nobody, on a procfs of its own mounted with
#     hidepid=invisible (a private mount namespace): root's processes do
#     not exist for it.  A root hog past mem_term is never chosen nor
#     signalled and costs one line ("no process may be killed"), not one
#     per poll; a hog of nobody's past mem_term dies.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_proc_unreadable.sh 6144

# A command and its options: split on purpose where used.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

# --- 1. --list, unit-style ---
AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
[thresholds]
psi_metric = off
[never-kill]
exe = ^$T/protected/
[only-kill]
cmdline = ^$T/bin/
CONF
# shellcheck disable=SC2086
spawn OTHER $NOBODY "$T/bin/hog" -n other -c 64 -r 0 -t 30
spawn PEER setpriv --bounding-set=-sys_ptrace "$T/bin/hog" -n peer -c 32 -r 0 -t 30
sleep 1
t_run "$T/list" "$T/list.err" setpriv --inh-caps=-sys_ptrace \
    --bounding-set=-sys_ptrace "$BUSTD" --list -v -c "$T/bustd.conf"
sed 's/^/# list: /' "$T/list" | grep -E "PID|peer|other|not candidates"
t_check "--list without CAP_SYS_PTRACE works (status $t_rc)" \
    [ "$t_rc" = 0 ] && [ ! -s "$T/list.err" ]
t_check "a process whose exe it reads is a candidate" \
    grep -Eq "^ *$PEER +root .* peer " "$T/list"
t_check "another user's process, exe unreadable, is not" \
    sh -c "! grep -Eq '^ *$OTHER ' '$T/list'"
t_check "the summary counts it as protected by an unreadable field" \
    grep -Eq "^# not candidates:.* [0-9]+ unreadable field of a \\[never-kill\\] rule;" \
    "$T/list"
t_check "its row says the field was unreadable, not that the rule matched" \
    grep -Eq "^# +$OTHER other .*unreadable" "$T/list"
kill -s KILL "$OTHER" "$PEER"
wait "$OTHER" "$PEER" 2>/dev/null

# --- 2. The daemon as nobody, with hidepid ---
# Before Linux 5.8 all procfs mounts of a pid namespace share their
# options: hidepid would reach the machine's own /proc.
KV=$(uname -r | awk -F. '{ print $1 * 1000 + $2 }')
if [ "$KV" -lt 5008 ]; then
	t_skipped "the daemon as nobody with hidepid" "Linux before 5.8"
	e2e_done
	exit
fi
AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[kill]
term_timeout = 5s
[only-kill]
exe = ^$T/
CONF
chmod 644 "$T/bustd.conf"
t_start "$T/bustd.log" unshare -m --propagation private sh -c \
    "set -e; mount -t proc -o hidepid=invisible proc /proc
    exec $NOBODY \"\$0\" -n -c \"\$1\"" "$BUSTD" "$T/bustd.conf" 9>&-
BUSTD_PID=$t_pid
if ! t_wait_text "$T/bustd.log" "running with" 10; then
	t_not_ok "bustd started" "$(cat "$T/bustd.log")"
	exit 1
fi
t_check "the daemon runs as nobody" \
    [ "$(awk '/^Uid:/ { print $2 }' "/proc/$BUSTD_PID/status")" = 65534 ]

spawn ROOT "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 10
t_check "a root hog past mem_term: bustd sees nobody to kill" \
    wait_log "MemAvailable .* <= mem_term .*, but no process may be killed" 15
wait "$ROOT"
STATUS=$?
t_check "the root hog lived (status $STATUS)" [ "$STATUS" = 0 ]
t_check "bustd never named it" sh -c "! grep -q 'pid $ROOT ' '$T/bustd.log'"
N=$(grep -c "no process may be killed" "$T/bustd.log")
t_check "one line for the whole episode: $N" [ "$N" = 1 ]

sleep 1
# shellcheck disable=SC2086
spawn MINE $NOBODY "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$MINE"
STATUS=$?
t_check "a hog of nobody's died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "for MemAvailable below mem_term" \
    wait_log "pid $MINE \\(hog\\) uid 65534 \\(nobody\\): sending SIGTERM.*reason: MemAvailable .* <= mem_term" 5
t_check "bustd saw it gone" wait_log "pid $MINE \\(hog\\): gone" 5
t_check "no line names any other process" \
    sh -c "! grep '^pid ' '$T/bustd.log' | grep -vq '^pid $MINE '"
t_check "no error logged" sh -c "! grep -q '^error:' '$T/bustd.log'"
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
