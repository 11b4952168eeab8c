#!/bin/sh
# SPDX-License-Identifier: MIT
# units.sh: unit = auto on a cgroup v2 tree the test builds: an app scope
# with several processes dies whole; a session scope never does (the
# hog's group goes); an app scope that holds a never-kill process loses
# only the victim; --list shows the app as one row with its total.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init units.sh 6144

# The cgroup2 mount, as bustd finds it: the root of a cgroup2 mount.
CG2=$(awk '{
	for (i = 7; i <= NF && $i != "-"; i++)
		;
	if ($(i + 1) == "cgroup2" && $4 == "/") { print $5; exit }
}' /proc/self/mountinfo)
if [ -z "$CG2" ] || [ ! -d "$CG2" ]; then
	echo "# units.sh: no cgroup2 mount; skipped"
	exit 77
fi
TOP=/bustd-test-$$
ROOT=$CG2$TOP
APP=$TOP/test.slice/app-foo.scope
SESSION=$TOP/test.slice/session-1.scope
GUARD=$TOP/test.slice/app-guard.scope
if ! mkdir "$ROOT" 2>/dev/null; then
	echo "# units.sh: cannot make a cgroup under $CG2; skipped"
	exit 77
fi
mkdir -p "$CG2$APP" "$CG2$SESSION" "$CG2$GUARD" || exit 99

# The test's processes die with it; then the tree goes, leaves first.
units_cleanup() {
	for u_cg in "$APP" "$SESSION" "$GUARD"; do
		for u_p in $(cat "$CG2$u_cg/cgroup.procs" 2>/dev/null); do
			kill -s KILL "$u_p" 2>/dev/null
		done
	done
	sleep 0.3
	for u_cg in "$APP" "$SESSION" "$GUARD" "$TOP/test.slice" "$TOP"; do
		rmdir "$CG2$u_cg" 2>/dev/null
	done
	e2e_cleanup
}
trap units_cleanup EXIT

# in_cgroup VAR CGROUP CMD...: CMD in CGROUP, its pid in VAR (the shell
# moves itself in, then becomes CMD).
in_cgroup() {
	ic_var=$1
	ic_cg=$2
	shift 2
	spawn "$ic_var" sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' \
	    "$CG2$ic_cg" "$@"
}

# aim: mem_term and mem_kill 1 and 6 GiB below MemAvailable now, in
# $T/bustd.conf: reaim, with the kill level out of the hogs' reach (each
# dies of SIGTERM long before its kill_hog_mib could get there), and
# without the reload (the caller reloads a running bustd).  Memory freed
# before (by the last part, or a run before this one) can come back over
# seconds on this kind of machine: settle twice.
aim() {
	settle
	sleep 1
	settle
	a_av=$(avail_kib)
	sed -i -e "s/^mem_term = .*/mem_term = $((a_av - 1024 * 1024))K/" \
	    -e "s/^mem_kill = .*/mem_kill = $((a_av - 6144 * 1024))K/" \
	    "$T/bustd.conf"
}

# wait_member CGROUP PID: until PID shows in CGROUP's cgroup.procs.
wait_member() {
	wm_i=0
	until grep -qx "$2" "$CG2$1/cgroup.procs" 2>/dev/null; do
		wm_i=$((wm_i + 1))
		[ $wm_i -gt 100 ] && return 1
		sleep 0.05
	done
}

AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[kill]
unit = auto
term_timeout = 3s
[never-kill]
exe = ^$T/protected/
[only-kill]
exe = ^$T/
CONF

# 1. --list under auto: six 150 MiB processes of app-foo.scope outrank
# one 400 MiB process in the session, and show as one row.
for i in 1 2 3 4 5 6; do
	in_cgroup "A$i" "$APP" "$T/bin/hog" -c 150 -t 40
done
in_cgroup BIG "$SESSION" setsid "$T/bin/hog" -c 400 -t 40
for i in 1 2 3 4 5 6; do
	eval "wait_member \"\$APP\" \"\$A$i\""
done
wait_member "$SESSION" "$BIG"
sleep 2
"$BUSTD" --list -c "$T/bustd.conf" > "$T/list" 2>&1
"$BUSTD" --list -v -c "$T/bustd.conf" > "$T/list-v" 2>&1
sed -n '1p; /app-foo\.scope\|hog/p' "$T/list" | sed 's/^/# list: /'
FIRST=$(sed -n 2p "$T/list")
t_check "--list: the application is the first candidate" \
    eval 'echo "$FIRST" | grep -q " app-foo\.scope (6, "'
t_check "--list: its members are in its row, not rows of their own" \
    [ "$(grep -c " hog  *app-foo\.scope" "$T/list")" = 1 ]
t_check "--list: the session's hog would go with its group" \
    eval 'grep -E "^ *$BIG .* pgrp $BIG " "$T/list" > /dev/null'
t_check "--list -v: each member is ranked with its application" \
    [ "$(grep -c "ranked with its application $APP\$" "$T/list-v")" = 6 ]
for i in 1 2 3 4 5 6; do
	eval "kill \$A$i"
done
kill "$BIG"
wait

# 2. An app scope with several processes dies whole.
aim
# Four members of a quarter of kill_hog_mib each: past mem_term should
# MemAvailable rise meanwhile (memory the host gives back), and short of
# mem_kill.
MEMBER=$(($(kill_hog_mib) / 4))
start_bustd
for i in 1 2 3 4; do
	in_cgroup "M$i" "$APP" "$T/bin/hog" -r 100 -c "$MEMBER" -t 40
done
for i in 1 2 3 4; do
	eval "wait \$M$i"
	eval "S$i=\$?"
done
t_check "all four members died of SIGTERM ($S1 $S2 $S3 $S4)" \
    [ "$S1 $S2 $S3 $S4" = "143 143 143 143" ]
t_check "bustd killed the scope whole, and said so" \
    wait_log "sending SIGTERM and its cgroup $APP \\(an application scope; 4 processes, [0-9.]+ [MG]iB\\)" 5
grep "and its cgroup $APP" "$T/bustd.log" | sed 's/^/# kill line: /'
t_check "the scope is empty" [ ! -s "$CG2$APP/cgroup.procs" ]

# 3. A session scope never dies whole: the hog's group goes, the shell
# beside it stays.
wait_log "gone" 5
aim
reload_bustd
in_cgroup SHELL "$SESSION" setsid "$T/bin/innocent" -c 16 -t 40
in_cgroup LEAD "$SESSION" setsid "$T/bin/hog" -k 2 -r 200 -c "$(kill_hog_mib)" -t 40
wait_member "$SESSION" "$SHELL"
wait "$LEAD"
STATUS=$?
t_check "the session's hog died (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd took its group, not the session" \
    wait_log "pid $LEAD \\(hog\\).*sending SIGTERM and its process group $LEAD \\(3 processes; cgroup $SESSION is a login session\\)" 5
t_check "the other process of the session survived" t_running "$SHELL"
t_check "and is still in the session" \
    grep -qx "$SHELL" "$CG2$SESSION/cgroup.procs"
grep "and its process group $LEAD" "$T/bustd.log" | sed 's/^/# kill line: /'
kill "$SHELL"

# 4. An app scope that holds a never-kill process loses only the victim.
wait_log "pid $LEAD \\(hog\\): gone" 5
aim
reload_bustd
in_cgroup PROT "$GUARD" "$T/protected/hog" -c 16 -t 40
in_cgroup VICTIM "$GUARD" setsid "$T/bin/hog" -r 200 -c "$(kill_hog_mib)" -t 40
in_cgroup OTHER "$GUARD" setsid "$T/bin/hog" -r 100 -c 200 -t 40
wait "$VICTIM"
STATUS=$?
t_check "the biggest member died (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd said why the scope was not killed whole" \
    wait_log "pid $VICTIM \\(hog\\): cgroup $GUARD not killed whole: pid $PROT \\(hog, \\[never-kill\\]\\)" 5
t_check "the never-kill member survived" t_running "$PROT"
t_check "the other member survived" t_running "$OTHER"
grep "pid $VICTIM (hog).*sending" "$T/bustd.log" | sed 's/^/# kill line: /'
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
