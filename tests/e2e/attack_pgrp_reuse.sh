#!/bin/sh
# SPDX-License-Identifier: MIT
# attack_pgrp_reuse.sh: with process_group = yes, the SIGKILL that follows
# an unheeded SIGTERM must not reach another user's process group.
# The user's hog is in a group whose leader is the user's too.  On
# SIGTERM the hog moves to a group of its own and carries on; the leader
# exits; the user forks short-lived children until the group's id comes
# round as a pid, which another user's process, outside [only-kill],
# gets and makes its own group (setsid).  At term_timeout bustd sends the
# hog SIGKILL through its pidfd, and, by number, to the group it noted at
# SIGTERM: that number is the other user's group now.
. "${srcdir:-.}/tests/e2e/attack_lib.sh"
atk_init attack_pgrp_reuse.sh 6144
atk_user A bustd-atk
atk_user B bustd-vic

AV=$(avail_kib)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 6144 * 1024))K
psi_metric = off
[kill]
process_group = yes
term_timeout = 10s
[only-kill]
user = bustd-atk
CONF
start_bustd -v

# The leader (pid G, group G) and its hog, which leaves G on SIGTERM.
spawn TOP $AS_A "$T/bin/atk" group -w "$T/A_dir/group" -P -r 400 -c 4096 \
    -t 40
wait_file "$T/A_dir/group" 5
read -r G HOG < "$T/A_dir/group"
# The leader and the hog are not our children: at exit, end them by pid
# only while their start times say they are still ours.
G_START=$(stat_field "$G" 22)
HOG_START=$(stat_field "$HOG" 22)
pgrp_cleanup() {
	for p in "$G:$G_START" "$HOG:$HOG_START"; do
		if [ -n "${p#*:}" ] && [ "$(stat_field "${p%:*}" 22)" = "${p#*:}" ]; then
			kill -s KILL "${p%:*}" 2> /dev/null
		fi
	done
	atk_cleanup
}
trap pgrp_cleanup EXIT
t_check "the hog ($HOG) is in the leader's group $G" \
    [ "$(stat_field "$HOG" 5)" = "$G" ]
t_check "bustd sent the hog and its group SIGTERM" \
    wait_log "^pid $HOG \\(atk\\) uid $A_UID \\(bustd-atk\\): sending SIGTERM and its process group" 25
i=0
while [ "$(stat_field "$HOG" 5)" = "$G" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_check "the hog left group $G and lives on" \
    [ "$(stat_field "$HOG" 5)" = "$HOG" ]

# The leader is gone (the SIGTERM to the group was its end; or we end
# it): G is free.  The user cycles pids; the next fork is the other
# user's, which makes its own session and group, G.
[ "$(stat_field "$G" 22)" = "$G_START" ] && kill -s KILL "$G" 2> /dev/null
i=0
while [ -e "/proc/$G" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
V=
for try in 1 2 3; do
	$AS_A "$T/bin/atk" cycle -p "$G" -t 5 > "$T/cycle.$try" 2>&1 9>&-
	rc=$?
	spawn V $AS_B "$T/bin/atk" hog -s -n other -c 64 -r 0 -t 40
	sed "s/^/# try $try: /" "$T/cycle.$try"
	[ "$rc" = 0 ] && [ "$V" = "$G" ] && break
	echo "# try $try: the other user's process got pid $V, not $G"
	kill -s KILL "$V"
	wait "$V" 2> /dev/null
	V=
	grep -q "in use" "$T/cycle.$try" && break
done
if [ "$V" != "$G" ]; then
	# Someone else may own group G now: end the hog before SIGKILL.
	[ "$(stat_field "$HOG" 22)" = "$HOG_START" ] && kill -s KILL "$HOG"
	t_skipped "the other user's process took pid $G" \
	    "a fork elsewhere on the machine took it first"
	e2e_done
	exit $?
fi
i=0
while [ "$(stat_field "$V" 5)" != "$G" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_check "group $G is now the other user's process $V" \
    [ "$(stat_field "$V" 5):$(stat -c %u "/proc/$V")" = "$G:$B_UID" ]
t_check "which is no candidate (not in [only-kill])" \
    sh -c "! '$BUSTD' --list -c '$T/bustd.conf' | grep -Eq '^ *$V '"

t_check "at term_timeout, bustd sent the hog SIGKILL" \
    wait_log "^pid $HOG \\(atk\\): sending SIGKILL: term_timeout passed" 15
sleep 1
t_check "the hog is gone" sh -c "! kill -0 $HOG 2> /dev/null || \
    [ \"\$(stat_field $HOG 3 2> /dev/null)\" = Z ]"
if t_running "$V"; then
	t_ok "the other user's process in group $G survived"
else
	wait "$V" 2> /dev/null
	t_not_ok "the other user's process in group $G survived" \
	    "it died (wait status $?: 137 is SIGKILL)." \
	    "bustd's SIGKILL to the group noted at SIGTERM (kill(-$G)) reached" \
	    "another user's process group: the hog had left it, and its id" \
	    "had been reused"
fi
grep -E "^pid $HOG " "$T/bustd.log" | sed 's/^/# log: /'
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
