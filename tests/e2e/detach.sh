#!/bin/sh
# SPDX-License-Identifier: MIT
# detach.sh: a detached bustd's start-up, lock and log, each in a mount
# namespace of its own that fakes what the machine lacks or holds.
# Root only.  No memory pressure: the daemons run a policy that can never
# act (dry run, levels at 0, [only-kill] nowhere), so this test takes no
# lock of the end-to-end tests and runs beside them.  Each daemon is
# stopped by its pid.
srcdir=${srcdir:-.}
BUSTD=${BUSTD:-./src/bustd}
. "$srcdir/tests/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "# detach.sh: needs root; skipped"
	exit 77
fi
if ! unshare -m --propagation private true 2> /dev/null; then
	echo "# detach.sh: cannot make a mount namespace; skipped"
	exit 77
fi
case $BUSTD in
/*) ;;
*) BUSTD=$(t_abs "$(dirname "$BUSTD")")/$(basename "$BUSTD") ;;
esac
t_tmpdir
T=$t_tmp
chmod 755 "$T"
RUNTIME_DIRECTORY=$T/run
export RUNTIME_DIRECTORY
mkdir "$RUNTIME_DIRECTORY"
cat > "$T/bustd.conf" <<CONF
[general]
profile = server
dry_run = yes
[thresholds]
mem_term = 0
mem_kill = 0
psi_metric = off
[only-kill]
exe = ^/nonexistent/
CONF
chmod 600 "$T/bustd.conf"

# in_ns SETUP CMD...: CMD in a new mount namespace, once the shell
# commands SETUP have run there; killed after 20 s.
in_ns() {
	in_setup=$1
	shift
	timeout 20 unshare -m --propagation private \
	    sh -c "set -e; $in_setup; exec \"\$@\"" sh "$@"
}

# wait_gone PID SECONDS: true once PID, not a child of this shell, is gone.
wait_gone() {
	wg_n=$(($2 * t_ticks))
	while [ "$wg_n" -gt 0 ] && t_running "$1"; do
		sleep "$t_tick"
		wg_n=$((wg_n - 1))
	done
	! t_running "$1"
}

# daemon_pid: the pid in the lock file, remembered for the cleanup.
daemon_pid() {
	[ -f "$RUNTIME_DIRECTORY/bustd.pid" ] || return 1
	dp=$(cat "$RUNTIME_DIRECTORY/bustd.pid" 2> /dev/null)
	case $dp in
	'' | *[!0-9]*) return 1 ;;
	esac
	t_pids="$t_pids $dp"
	echo "$dp"
}

# stop PID: SIGTERM, and wait for it to go.
stop() {
	kill -s TERM "$1" 2> /dev/null
	wait_gone "$1" 5
}

# --- 1. A failure once stdio is /dev/null reaches the terminal ---

# /proc without meminfo: the daemon fails in daemon_init, after it has
# detached; the process started says why and exits 1.
t_run "$T/out" "$T/err" in_ns \
    "mount -t tmpfs -o size=16k tmpfs /proc" "$BUSTD" -c "$T/bustd.conf"
if [ "$t_rc" -eq 1 ] &&
    grep -q "^error: /proc/meminfo: No such file or directory$" "$T/err"
then
	t_ok "a start-up failure once detached: exit 1, the error on stderr"
else
	t_not_ok "a start-up failure once detached: exit 1, the error on \
stderr" "exit $t_rc" "$(cat "$T/err")"
	p=$(daemon_pid) && stop "$p"
fi

# --- 2. No /dev/log, stderr /dev/null: the kernel's log ---

# /dev is a tmpfs with only null and kmsg: no syslog daemon.  The daemon
# logs to /dev/kmsg, where dmesg reads it.
dev_setup=": > '$T/null'; : > '$T/kmsg'
    mount --bind /dev/null '$T/null'
    mount --bind /dev/kmsg '$T/kmsg'
    mount -t tmpfs -o size=16k,mode=755 tmpfs /dev
    : > /dev/null; : > /dev/kmsg
    mount --bind '$T/null' /dev/null
    mount --bind '$T/kmsg' /dev/kmsg
    test ! -e /dev/log"
kmsg_ok=
if printf '<15>detach.sh[%d]: can bustd log to /dev/kmsg here?\n' $$ \
    2> /dev/null > /dev/kmsg &&
    dmesg 2> /dev/null | grep -F -q "detach.sh[$$]: can bustd log"; then
	kmsg_ok=yes
fi
t_run "$T/out" "$T/err" in_ns "$dev_setup" "$BUSTD" -c "$T/bustd.conf"
B=$(daemon_pid)
if [ "$t_rc" -eq 0 ] && [ -n "$B" ] && t_running "$B"; then
	t_ok "started detached without /dev/log"
else
	t_not_ok "started detached without /dev/log" "exit $t_rc, pid '$B'" \
	    "$(cat "$T/err")"
fi
WARN="syslog: cannot connect to /dev/log: No such file or directory; \
logging to /dev/kmsg until it can"
t_check "the process started shows the syslog warning" \
    grep -F -q -x "warning: $WARN" "$T/err"
if [ -z "$kmsg_ok" ]; then
	t_skipped "its lines are in the kernel's log" \
	    "cannot write /dev/kmsg, or read it back with dmesg"
	t_skipped "the syslog warning too, at priority warning" \
	    "cannot write /dev/kmsg, or read it back with dmesg"
else
	START="^daemon:info .*bustd\[$B\]: bustd .* running with $T/bustd.conf"
	i=0
	until dmesg -x | grep -E -q "$START" || [ $i -ge 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if dmesg -x | grep -E -q "$START"; then
		t_ok "its lines are in the kernel's log, at priority info"
	else
		t_not_ok "its lines are in the kernel's log, at priority info" \
		    "$(dmesg -x | grep -F "bustd[$B]" | head -n 3)"
	fi
	t_check "the syslog warning too, at priority warning" \
	    sh -c "dmesg -x | grep -F 'bustd[$B]: $WARN' | grep -q '^daemon:warn'"

	# bustd -n with stderr closed: fd 2 is /dev/null from the start,
	# and lines go to the kernel's log.
	RUNTIME_DIRECTORY=$T/run2
	mkdir "$RUNTIME_DIRECTORY"
	"$BUSTD" -n -c "$T/bustd.conf" > /dev/null 2>&- &
	C=$!
	t_pids="$t_pids $C"
	i=0
	until dmesg | grep -F -q "bustd[$C]: bustd " || [ $i -ge 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	t_check "bustd -n with stderr closed logs to the kernel's log" \
	    sh -c "dmesg | grep -F -q 'bustd[$C]: bustd '"
	kill -s TERM "$C"
	t_wait_exit "$C" 5
	RUNTIME_DIRECTORY=$T/run
fi

# --- 3. Then syslog comes: bustd connects to it again ---

spawn_sink() {
	t_start "$T/syslog" nsenter -t "$B" -m "$LOGSINK" /dev/log 60
	SINK=$t_pid
	i=0
	until nsenter -t "$B" -m test -S /dev/log || [ $i -ge 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
if [ -n "$B" ] && [ -x "${LOGSINK:-}" ]; then
	spawn_sink
	# A reconnection is tried at most once a second, as lines come.
	i=0
	until grep -q "bustd\[$B\]: status: " "$T/syslog" || [ $i -ge 10 ]
	do
		kill -s USR1 "$B"
		sleep 0.5
		i=$((i + 1))
	done
	t_check "once /dev/log is there, a status line goes to syslog (<30>)" \
	    grep -E -q "^<30>.* bustd\[$B\]: status: MemAvailable" \
	    "$T/syslog"
	t_check "after a line saying that syslog is back" \
	    grep -E -q "^<30>.* bustd\[$B\]: syslog: connected to /dev/log \
again$" "$T/syslog"

	# A dry run that decides at once, on a sleep(1) of ours: its kill
	# line is a warning (<28>).  Nothing is signalled.
	mkdir -p "$T/bin"
	cp /bin/sleep "$T/bin/sleeper"
	t_start "$T/sleeper.log" "$T/bin/sleeper" 60
	SLEEPER=$t_pid
	cat > "$T/bustd.conf" <<CONF
[general]
profile = none
dry_run = yes
[thresholds]
mem_term = 100%
mem_kill = 0
swap_term = 100%
swap_kill = 0
psi_metric = off
[only-kill]
exe = ^$T/bin/
CONF
	kill -s HUP "$B"
	KILL_LINE="bustd[$B]: pid $SLEEPER (sleeper) uid 0 (root): dry run"
	if t_wait_text "$T/syslog" "$KILL_LINE" 5 &&
	    ! grep -F "$KILL_LINE" "$T/syslog" | grep -v -q '^<28>'; then
		t_ok "a kill line goes to syslog at priority warning (<28>)"
	else
		t_not_ok "a kill line goes to syslog at priority warning (<28>)" \
		    "$(grep -F "(sleeper)" "$T/syslog" | head -n 1)"
	fi
	t_check "the sleeper was not signalled" t_running "$SLEEPER"
	kill -s TERM "$SLEEPER"
	t_wait_exit "$SLEEPER" 5
	kill -s TERM "$SINK"
	t_wait_exit "$SINK" 5
elif [ -n "$B" ]; then
	t_skipped "once /dev/log is there, a status line goes to syslog" \
	    "no LOGSINK"
fi
if [ -n "$B" ]; then
	t_check "the daemon exits on SIGTERM" stop "$B"
fi

# --- 4. The unit's lock and a lock taken by hand see each other ---

# A namespace of its own with an empty /run: the unit's daemon locks
# /run/bustd/bustd.pid (RUNTIME_DIRECTORY), one started by hand
# /run/bustd.pid.
t_start "$T/holder.log" unshare -m --propagation private sh -c \
    "mount -t tmpfs -o size=16k,mode=755 tmpfs /run && mkdir /run/bustd &&
    : > '$T/holder.ready' && exec sleep 60"
H=$t_pid
i=0
while [ ! -e "$T/holder.ready" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
# bustd in that namespace, as the unit starts it and as by hand; exec all
# the way, so that the pid started is bustd's.
printf '#!/bin/sh\nexec nsenter -t %s -m env RUNTIME_DIRECTORY=/run/bustd \
"%s" "$@"\n' "$H" "$BUSTD" > "$T/unit"
printf '#!/bin/sh\nexec nsenter -t %s -m env -u RUNTIME_DIRECTORY "%s" "$@"\n' \
    "$H" "$BUSTD" > "$T/by_hand"
chmod 755 "$T/unit" "$T/by_hand"
t_start "$T/unit.log" "$T/unit" -n -c "$T/bustd.conf"
U=$t_pid
if t_wait_text "$T/unit.log" "running with" 5; then
	t_run "$T/out" "$T/err" timeout 10 "$T/by_hand" -n -c "$T/bustd.conf"
	if [ "$t_rc" -eq 1 ] && grep -F -q -x \
	    "error: another bustd is running (pid $U)" "$T/err"; then
		t_ok "beside the unit's daemon, bustd -n by hand exits 1"
	else
		t_not_ok "beside the unit's daemon, bustd -n by hand exits 1" \
		    "exit $t_rc" "$(cat "$T/err")"
	fi
else
	t_not_ok "the unit's daemon started" "$(cat "$T/unit.log")"
fi
kill -s TERM "$U"
t_wait_exit "$U" 5
t_run "$T/out" "$T/err" timeout 20 "$T/by_hand" -c "$T/bustd.conf"
D=$(nsenter -t "$H" -m cat /run/bustd.pid 2> /dev/null)
t_pids="$t_pids $D"
if [ "$t_rc" -eq 0 ] && [ -n "$D" ]; then
	t_run "$T/out" "$T/err" timeout 10 "$T/unit" -n -c "$T/bustd.conf"
	if [ "$t_rc" -eq 1 ] && grep -F -q -x \
	    "error: another bustd is running (pid $D)" "$T/err"; then
		t_ok "beside a detached bustd started by hand, the unit's exits 1"
	else
		t_not_ok "beside a detached bustd started by hand, the unit's \
exits 1" "exit $t_rc" "$(cat "$T/err")"
	fi
	stop "$D"
else
	t_not_ok "a detached bustd started by hand" "exit $t_rc" \
	    "$(cat "$T/err")"
fi
kill -s TERM "$H"
t_wait_exit "$H" 5

t_summary detach.sh
