#!/bin/sh
# SPDX-License-Identifier: MIT
# attack_pid_reuse.sh: PID reuse cannot turn bustd against another user.
# The race, end to end: bustd has judged the user's hog and is about to
# open it by pid (gdb holds it at the pidfd_open system call, the one
# moment a pid alone stands for the victim); the hog dies, the user forks
# short-lived children until the pid comes round again, and another
# user's process, outside [only-kill], gets it.  bustd must see the start
# time changed, refuse it, and choose again: nobody is signalled.
. "${srcdir:-.}/tests/e2e/attack_lib.sh"
atk_init attack_pid_reuse.sh 6144
if ! command -v gdb > /dev/null; then
	echo "# attack_pid_reuse.sh: no gdb; skipped"
	exit 77
fi
atk_user A bustd-atk
atk_user B bustd-vic

AV=$(avail_kib)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[only-kill]
user = bustd-atk
CONF
start_bustd -v

# gdb stops bustd on entry to pidfd_open (434 on x86_64 and most
# others), tells us, and waits for our go; gdb.after may then change the
# call (to abort it) before bustd goes on.
mkfifo "$T/gdb.go"
: > "$T/gdb.after"
spawn GDB gdb -q -batch -nx -p "$BUSTD_PID" \
    -ex 'set pagination off' \
    -ex 'catch syscall 434' \
    -ex "shell touch $T/gdb.ready" \
    -ex continue \
    -ex 'printf "pidfd_open pid %d\n", $rdi' \
    -ex "shell touch $T/gdb.hit; read go < $T/gdb.go" \
    -ex "source $T/gdb.after" \
    -ex continue \
    -ex 'printf "pidfd_open returned %d\n", $rax' \
    -ex detach > "$T/gdb.log" 2>&1

# end_gdb: before bustd is stopped on a way out, gdb must go: it would
# stop at bustd's SIGTERM, then wait for a go that never comes, and bustd,
# traced, could not be reaped.
end_gdb() {
	kill -s KILL "$GDB" 2> /dev/null
	wait "$GDB" 2> /dev/null
}

# gdb prints "Catchpoint" a moment before it creates gdb.ready.
if ! wait_file "$T/gdb.log" 20 || ! t_wait_text "$T/gdb.log" Catchpoint 20 ||
    ! wait_exists "$T/gdb.ready" 10; then
	sed 's/^/# gdb: /' "$T/gdb.log"
	end_gdb
	t_skipped "gdb holds bustd at pidfd_open" "gdb cannot attach"
	e2e_done
	exit $?
fi

spawn HOG $AS_A "$T/bin/atk" hog -r 400 -c 4096 -t 30
if ! t_wait_text "$T/gdb.log" "pidfd_open pid" 20; then
	t_not_ok "bustd chose a victim" "$(cat "$T/gdb.log")"
	end_gdb
	e2e_done
	exit 1
fi
sleep 0.2
P=$(sed -n 's/^pidfd_open pid \([0-9]*\)$/\1/p' "$T/gdb.log")
t_check "bustd, about to open pid $P, is held there" \
    wait_exists "$T/gdb.hit" 5
t_check "pid $P is the user's hog" [ "$P" = "$HOG" ]
HOG_START=$(stat_field "$HOG" 22)

# The hog dies and is reaped: its pid is free.  The user cycles pids.
kill -s KILL "$HOG"
wait "$HOG" 2> /dev/null
V=
for try in 1 2 3; do
	$AS_A "$T/bin/atk" cycle -p "$P" -t 20 > "$T/cycle.$try" 2>&1 9>&-
	rc=$?
	# The very next fork is the other user's process.
	spawn V $AS_B "$T/bin/atk" hog -n other -c 64 -r 0 -t 40
	sed "s/^/# try $try: /" "$T/cycle.$try"
	[ "$rc" = 0 ] && [ "$V" = "$P" ] && break
	echo "# try $try: the other user's process got pid $V, not $P"
	kill -s KILL "$V"
	wait "$V" 2> /dev/null
	V=
	grep -q "in use" "$T/cycle.$try" && break
done
if [ "$V" != "$P" ]; then
	# Someone else's process may hold the pid now: bustd must not go on
	# with it.  pidfd_open(-1) fails, and bustd chooses again.
	echo 'set $rdi = -1' > "$T/gdb.after"
	echo go > "$T/gdb.go"
	t_skipped "the other user's process took pid $P" \
	    "a fork elsewhere on the machine took it first"
	e2e_done
	exit $?
fi
sleep 0.1
V_START=$(stat_field "$V" 22)
t_check "pid $P is now the other user's process" \
    [ "$(stat -c %u "/proc/$V")" = "$B_UID" ]
t_check "with another start time ($HOG_START, now $V_START)" \
    [ "$HOG_START" != "$V_START" ]

# bustd goes on: pidfd_open(P) opens the other user's process.
echo go > "$T/gdb.go"
t_wait_exit "$GDB" 10
sed 's/^/# gdb: /' "$T/gdb.log" | grep -v '^# gdb: \[' | tail -n 6
FD=$(sed -n 's/^pidfd_open returned \(-*[0-9]*\)$/\1/p' "$T/gdb.log")
t_check "bustd's pidfd_open($P) opened the other user's process (fd $FD)" \
    [ "${FD:--1}" -ge 0 ]
# The pid names another process: bustd sends nothing and samples memory
# again before choosing anyone (the hog's memory may be free already).
t_check "bustd saw that pid $P is another process now" \
    wait_log "pid $P: started anew since the scan" 5
sleep 1
t_check "the other user's process at pid $P survived" t_running "$V"
t_check "bustd sent it no signal" [ "$(sent_to "$P")" = 0 ]
t_check "nobody was signalled" [ "$(grep -c 'sending SIG' "$T/bustd.log")" = 0 ]
grep -E 'no process may be killed|scan:|started anew' "$T/bustd.log" |
    tail -n 4 |
    sed 's/^/# log: /'
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
