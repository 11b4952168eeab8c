#!/bin/sh
# SPDX-License-Identifier: MIT
# attack_impersonate.sh: a user cannot make bustd kill another user's
# process by running the same program under the same name: the other
# user's bigger process is spared (by [never-kill] user, then by an
# [only-kill] user rule), the impostor dies.
. "${srcdir:-.}/tests/e2e/attack_lib.sh"
atk_init attack_impersonate.sh 8192
atk_user A bustd-atk
atk_user B bustd-vic

# The other user's process: the same program, the same name, and more
# memory than the impostor will have at the crossing.
spawn WORKER $AS_B "$T/bin/atk" hog -n dbworker -c 1536 -r 0 -t 40 \
    -w "$T/B_dir/ready"
wait_file "$T/B_dir/ready" 5
i=0
while [ "$(status_kib "$WORKER" VmRSS)" -lt $((1536 * 1024 - 4096)) ] &&
    [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
AV=$(avail_kib)
conf() {
	write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
$1
CONF
}
conf "[never-kill]
user = bustd-vic
[only-kill]
exe = ^$T/bin/"
start_bustd

# impostor N: the user's hog, named like the worker, must die alone.
impostor() {
	rm -f "$T/A_dir/ready"
	spawn HOG $AS_A "$T/bin/atk" hog -N dbworker -r 400 -c 4096 -t 30 \
	    -w "$T/A_dir/ready"
	wait_file "$T/A_dir/ready" 5
	t_check "$1: the same name" [ "$(cat "/proc/$HOG/comm")" = \
	    "$(cat "/proc/$WORKER/comm")" ]
	t_check "$1: the same program" [ "$(readlink "/proc/$HOG/exe")" = \
	    "$(readlink "/proc/$WORKER/exe")" ]
	"$BUSTD" --list -v -c "$T/bustd.conf" > "$T/list.$1" 2>&1
	grep -E "^ *($HOG|$WORKER) |^# +($HOG|$WORKER) " "$T/list.$1" |
	    sed "s/^/# $1: list: /"
	t_check "$1: --list: the other user's worker is no candidate" \
	    sh -c "! grep -Eq '^ *$WORKER ' '$T/list.$1'"
	wait "$HOG"
	STATUS=$?
	t_check "$1: the impostor died of SIGTERM (status $STATUS)" \
	    [ "$STATUS" = 143 ]
	t_check "$1: bustd logged it under the user's uid" \
	    wait_log "^pid $HOG \\(dbworker\\) uid $A_UID \\(bustd-atk\\): sending SIGTERM" 5
	wait_log "^pid $HOG \\(dbworker\\): gone" 5
	t_check "$1: the other user's worker survived" t_running "$WORKER"
	t_check "$1: bustd never signalled it" [ "$(sent_to "$WORKER")" = 0 ]
}
impostor never-kill

conf "[only-kill]
user = bustd-atk"
kill -s HUP "$BUSTD_PID"
wait_log "^reloaded" 5
sleep 1
impostor only-kill
t_check "one victim per impostor" \
    [ "$(grep -c 'sending SIG' "$T/bustd.log")" = 2 ]
show_kills
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
