# SPDX-License-Identifier: MIT
# lib.sh: set-up for bustd's end-to-end tests under real memory pressure,
# on top of tests/lib.sh.  Root only; every hog caps itself and exits on
# its own, and bustd is fenced with [only-kill] to the test's own folder.
# shellcheck shell=sh disable=SC2034

. "${srcdir:-.}/tests/lib.sh"

avail_kib() {
	awk '/^MemAvailable:/ { print $2 }' /proc/meminfo
}

now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# shown KIB: a size as bustd's log writes it.
shown() {
	awk -v k="$1" 'BEGIN {
		if (k >= 1048576) printf "%.2f GiB\n", k / 1048576
		else printf "%.1f MiB\n", k / 1024 }'
}

# rss_mib PID: resident memory of PID in MiB.
rss_mib() {
	awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$1/status" 2>/dev/null
}

# settle: wait (up to 20 s) until MemAvailable holds still: memory freed
# by whatever ran before comes back over seconds on some machines, and
# thresholds are set from it.
settle() {
	e2e_prev=$(avail_kib)
	e2e_i=0
	while [ "$e2e_i" -lt 40 ]; do
		sleep 0.5
		e2e_now=$(avail_kib)
		e2e_d=$((e2e_now - e2e_prev))
		[ "$e2e_d" -lt 0 ] && e2e_d=$((-e2e_d))
		[ "$e2e_d" -lt 65536 ] && return 0
		e2e_prev=$e2e_now
		e2e_i=$((e2e_i + 1))
	done
}

# kill_hog_mib: the cap, in MiB, for a hog that must take MemAvailable
# down by up to 2 GiB (mem_kill at AV - 2 GiB).  What MemAvailable lacks
# of MemTotal now is added: memory freed before the test can come back
# from the host while the hog grows (by GiB, over seconds: settle cannot
# always see it coming), and a hog that stops short would not be killed.
# At least 4096, at most 8192, and never within 1 GiB of MemAvailable.
kill_hog_mib() {
	awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 }
	    END { m = int((t - a) / 1024) + 3072
		if (m < 4096) m = 4096
		if (m > 8192) m = 8192
		if (m > int(a / 1024) - 1024) m = int(a / 1024) - 1024
		print m }' /proc/meminfo
}

# settled_avail: MemAvailable once it holds still (settle).
settled_avail() {
	settle
	avail_kib
}

# start_ns SETUP [ARGS]: bustd in a private mount namespace, once the
# shell commands SETUP have run there.  exec all the way: BUSTD_PID is
# the daemon's pid.
start_ns() {
	ns_setup=$1
	shift
	t_start "$T/bustd.log" unshare -m --propagation private \
	    sh -c "set -e; $ns_setup; exec \"\$0\" \"\$@\"" \
	    "$BUSTD" -n -c "$T/bustd.conf" "$@" 9>&-
	e2e_started
}

# rewrite_bound FILE: write FILE.new over FILE in place (a bind mount into
# bustd's namespace holds its inode).  Writing is not atomic: a reader can
# find the file empty or half written, so a running bustd is stopped
# meanwhile.
rewrite_bound() {
	if [ -n "${BUSTD_PID:-}" ]; then
		kill -s STOP "$BUSTD_PID" || exit 99
		rb_i=0
		until [ "$(cut -d' ' -f3 "/proc/$BUSTD_PID/stat")" = T ]; do
			rb_i=$((rb_i + 1))
			if [ $rb_i -gt 500 ]; then
				kill -s CONT "$BUSTD_PID"
				exit 99
			fi
			sleep 0.01
		done
	fi
	cat "$1.new" > "$1"
	if [ -n "${BUSTD_PID:-}" ]; then
		kill -s CONT "$BUSTD_PID"
	fi
}

# e2e_started: BUSTD_PID is the daemon t_start just ran; wait for it.
e2e_started() {
	BUSTD_PID=$t_pid
	if ! t_wait_text "$T/bustd.log" "running with" 10; then
		t_not_ok "bustd started" "$(cat "$T/bustd.log")"
		exit 1
	fi
}

# e2e_memcg: E2E_CGROUP, a new memory cgroup limited to 128 MiB (cgroup
# v2 memory.max, or v1 memory.limit_in_bytes), removed by the cleanup.
# 1 if this machine has no memory cgroup to make.
e2e_memcg() {
	e2e_cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	if [ -n "$e2e_cg2" ] &&
	    grep -qw memory "$e2e_cg2/cgroup.controllers" 2>/dev/null; then
		echo +memory > "$e2e_cg2/cgroup.subtree_control" 2>/dev/null
		E2E_CGROUP=$e2e_cg2/bustd-e2e-$$
		mkdir "$E2E_CGROUP" &&
		    echo 128M > "$E2E_CGROUP/memory.max" || exit 99
	elif [ -w /sys/fs/cgroup/memory ]; then
		E2E_CGROUP=/sys/fs/cgroup/memory/bustd-e2e-$$
		mkdir "$E2E_CGROUP" && echo $((128 * 1024 * 1024)) \
		    > "$E2E_CGROUP/memory.limit_in_bytes" || exit 99
	else
		return 1
	fi
}

e2e_cleanup() {
	if [ "$t_fail" -gt 0 ] && [ -f "$t_tmp/bustd.log" ]; then
		echo "# bustd.log:"
		sed 's/^/#   /' "$t_tmp/bustd.log"
	fi
	if [ -n "${E2E_CGROUP:-}" ] && [ -d "$E2E_CGROUP" ]; then
		for e2e_p in $(cat "$E2E_CGROUP/cgroup.procs" 2>/dev/null); do
			kill -s KILL "$e2e_p" 2>/dev/null
		done
		sleep 0.5
		rmdir "$E2E_CGROUP" 2>/dev/null
	fi
	t_cleanup
}

# e2e_init NAME NEED_MIB: skip unless root with NEED_MIB available.
e2e_init() {
	E2E_NAME=$1
	if [ "$(id -u)" != 0 ]; then
		echo "# $E2E_NAME: needs root; skipped"
		exit 77
	fi
	: "${BUSTD:?}" "${HOG:?}"
	# One at a time, whatever make -j says: they share the machine's RAM.
	exec 9> /tmp/bustd-e2e.lock
	flock 9
	settle
	if [ "$(avail_kib)" -lt $(($2 * 1024)) ]; then
		echo "# $E2E_NAME: needs $2 MiB available; skipped"
		exit 77
	fi
	t_tmpdir
	trap e2e_cleanup EXIT
	T=$t_tmp
	chmod 755 "$T"
	# bustd's lock file: the test's own, not that of a bustd running here.
	mkdir -m 755 "$T/run"
	RUNTIME_DIRECTORY=$T/run
	export RUNTIME_DIRECTORY
	mkdir -p "$T/bin" "$T/protected"
	cp "$HOG" "$T/bin/hog"
	cp "$HOG" "$T/bin/innocent"
	cp "$HOG" "$T/protected/hog"
}

# write_conf: the config from stdin, private to root as bustd wants.
write_conf() {
	cat > "$T/bustd.conf"
	chmod 600 "$T/bustd.conf"
}

# start_bustd [ARGS]: run the daemon in the foreground, wait for it.
start_bustd() {
	t_start "$T/bustd.log" "$BUSTD" -n -c "$T/bustd.conf" "$@" 9>&-
	e2e_started
}

# reaim: set mem_term and mem_kill of $T/bustd.conf 1 and 2 GiB below
# MemAvailable as it is now, and reload.  Memory freed by an earlier hog
# can come back for seconds on some machines: thresholds set at the start
# of a test may no longer be within a later hog's reach.
reaim() {
	settle
	e2e_av=$(avail_kib)
	sed -i -e "s/^mem_term = .*/mem_term = $((e2e_av - 1024 * 1024))K/" \
	    -e "s/^mem_kill = .*/mem_kill = $((e2e_av - 2048 * 1024))K/" \
	    "$T/bustd.conf"
	reload_bustd
}

# more_lines ERE N SECONDS: wait until bustd's log has more than N lines
# matching ERE.
more_lines() {
	e2e_n=$(($3 * t_ticks))
	while [ "$e2e_n" -gt 0 ] &&
	    [ "$(grep -Ec -- "$1" "$T/bustd.log")" -le "$2" ]; do
		sleep "$t_tick"
		e2e_n=$((e2e_n - 1))
	done
	[ "$(grep -Ec -- "$1" "$T/bustd.log")" -gt "$2" ]
}

# reload_bustd: SIGHUP, and wait (up to 5 s) for the reload's log line.
reload_bustd() {
	e2e_nr=$(grep -c '^reloaded ' "$T/bustd.log")
	kill -s HUP "$BUSTD_PID"
	more_lines '^reloaded ' "$e2e_nr" 5
}

# status_line: ask bustd for its status line (SIGUSR1), print it.
status_line() {
	e2e_ns=$(grep -c 'status: ' "$T/bustd.log")
	kill -s USR1 "$BUSTD_PID"
	more_lines 'status: ' "$e2e_ns" 5
	grep 'status: ' "$T/bustd.log" | tail -n 1
}

# wait_log ERE SECONDS: wait for a line of bustd's log.
wait_log() {
	e2e_n=$(($2 * t_ticks))
	while [ "$e2e_n" -gt 0 ]; do
		grep -Eq -- "$1" "$T/bustd.log" 2>/dev/null && return 0
		sleep "$t_tick"
		e2e_n=$((e2e_n - 1))
	done
	grep -Eq -- "$1" "$T/bustd.log" 2>/dev/null
}

# spawn VAR CMD...: start CMD in the background, its pid in VAR.  It
# does not inherit the lock (fd 9): a leftover must not block the next test.
spawn() {
	e2e_var=$1
	shift
	"$@" 9>&- &
	eval "$e2e_var=\$!"
	t_pids="$t_pids $!"
}

e2e_done() {
	if [ -n "${BUSTD_PID:-}" ]; then
		kill -s TERM "$BUSTD_PID" 2>/dev/null
		t_wait_exit "$BUSTD_PID" 5
	fi
	t_summary "$E2E_NAME"
}
