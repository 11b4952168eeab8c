#!/bin/sh
# SPDX-License-Identifier: MIT
# attack_rename.sh: an unprivileged user's hogs that call themselves
# "systemd" (written to /proc/self/comm) and "sshd" (prctl PR_SET_NAME)
# gain nothing where the rules are by exe (the server profile, and
# exe = ^/usr/sbin/sshd$) or by user: both die.  A rule by name is
# fooled, as bustd(8) SECURITY warns: --list shows it.
. "${srcdir:-.}/tests/e2e/attack_lib.sh"
atk_init attack_rename.sh 6144
atk_user A bustd-atk

AV=$(avail_kib)
write_conf <<CONF
[general]
profile = server
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[kill]
term_timeout = 3s
[never-kill]
exe = ^/usr/sbin/sshd\$
user = root
[only-kill]
user = bustd-atk
CONF
# The same, protecting by name: what the attack is made for.
sed 's|^exe = ^/usr/sbin/sshd\$$|name = ^(sshd\|systemd)$|' "$T/bustd.conf" \
    > "$T/byname.conf"
chmod 600 "$T/byname.conf"
start_bustd

# renamed HOW NAME: the user's hog calls itself NAME (-N: by writing
# /proc/self/comm, -n: by prctl) and must die all the same.
renamed() {
	rm -f "$T/A_dir/ready"
	spawn HOG $AS_A "$T/bin/atk" hog "$1" "$2" -r 400 -c 4096 -t 30 \
	    -w "$T/A_dir/ready"
	wait_file "$T/A_dir/ready" 5
	t_check "$2: the hog calls itself $2" \
	    [ "$(cat "/proc/$HOG/comm")" = "$2" ]
	"$BUSTD" --list -c "$T/bustd.conf" > "$T/list" 2>&1
	"$BUSTD" --list -v -c "$T/byname.conf" > "$T/list.byname" 2>&1
	grep -E "^ *$HOG " "$T/list" | sed "s/^/# $2: list: /"
	t_check "$2: --list: it is a candidate all the same" \
	    grep -Eq "^ *$HOG +bustd-atk .* $2 +process +\\[only-kill\\] user" \
	    "$T/list"
	t_check "$2: --list by name: a name rule is fooled (bustd(8) says so)" \
	    grep -Eq "^# +$HOG $2 +\\[never-kill\\] name" "$T/list.byname"
	wait "$HOG"
	STATUS=$?
	t_check "$2: the hog died of SIGTERM (status $STATUS)" \
	    [ "$STATUS" = 143 ]
	t_check "$2: bustd logged its kill, by the user's uid" \
	    wait_log "^pid $HOG \\($2\\) uid $A_UID \\(bustd-atk\\): sending SIGTERM" 5
	wait_log "^pid $HOG \\($2\\): gone" 5
	eval "PID_$2=$HOG"
	sleep 1
}
renamed -N systemd
renamed -n sshd
t_check "no process of anyone else was signalled" \
    [ "$(grep -c 'sending SIG' "$T/bustd.log")" = \
      "$(grep -Ec "^pid ($PID_systemd|$PID_sshd) .*sending SIG" "$T/bustd.log")" ]
show_kills
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
