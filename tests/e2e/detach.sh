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

t_summary detach.sh
