# SPDX-License-Identifier: MIT
# lib.sh: helpers for the shell tests: numbered results, a temporary
# folder, and starting, watching and stopping a bustd by its pid.
#
# POSIX sh has no local variables: every helper's variables start with
# its own prefix, and results come back in t_rc, t_tmp and t_pid.
# shellcheck shell=sh disable=SC2034 # t_rc and t_pid are for the caller

t_num=0
t_pass=0
t_fail=0
t_skip=0
t_pids=
t_tmp=

# A tenth of a second where sleep(1) takes fractions (GNU, busybox), else
# a whole one: t_ticks is how many t_tick make a second.
if sleep 0.1 2>/dev/null; then
	t_tick=0.1
	t_ticks=10
else
	t_tick=1
	t_ticks=1
fi

t_ok()
{
	t_num=$((t_num + 1))
	t_pass=$((t_pass + 1))
	echo "ok $t_num - $1"
}

# t_not_ok NAME [DETAIL...]: a failed check, with one comment line per
# detail.
t_not_ok()
{
	t_num=$((t_num + 1))
	t_fail=$((t_fail + 1))
	echo "not ok $t_num - $1"
	shift
	for t_line in "$@"; do
		echo "#   $t_line"
	done
}

t_skipped()
{
	t_num=$((t_num + 1))
	t_skip=$((t_skip + 1))
	echo "ok $t_num - $1 # SKIP $2"
}

# t_check NAME COMMAND...: ok when COMMAND succeeds.
t_check()
{
	t_name=$1
	shift
	if "$@"; then
		t_ok "$t_name"
	else
		t_not_ok "$t_name" "failed: $*"
	fi
}

# t_same NAME EXPECTED ACTUAL: ok when the two files are the same; shows
# the difference otherwise.
t_same()
{
	if cmp -s "$2" "$3"; then
		t_ok "$1"
	else
		t_not_ok "$1" "$2 and $3 differ:"
		diff -u "$2" "$3" | sed 's/^/#   /'
	fi
}

# t_summary NAME: the summary line; fails if any check failed.
t_summary()
{
	if [ "$t_skip" -gt 0 ]; then
		echo "# $1: $t_skip skipped"
	fi
	echo "# $1: $t_pass passed, $t_fail failed"
	[ "$t_fail" -eq 0 ]
}

# t_run OUT ERR COMMAND...: run COMMAND, stdout to OUT, stderr to ERR;
# its exit status goes to t_rc.
t_run()
{
	t_out=$1
	t_err=$2
	shift 2
	"$@" >"$t_out" 2>"$t_err"
	t_rc=$?
}

# t_abs PATH: PATH made absolute (the tests change folder).
t_abs()
{
	case $1 in
	/*) echo "$1" ;;
	*) (cd "$1" && pwd) ;;
	esac
}

# t_running PID: true while PID runs (a zombie has exited).
t_running()
{
	[ -r "/proc/$1/status" ] || return 1
	t_state=$(sed -n 's/^State:[[:space:]]*\([A-Za-z]\).*/\1/p' \
	    "/proc/$1/status" 2>/dev/null)
	[ -n "$t_state" ] && [ "$t_state" != Z ] && [ "$t_state" != X ]
}

# t_start LOG COMMAND...: start COMMAND in the background, stdout and
# stderr to LOG; its pid goes to t_pid and is remembered for the cleanup.
t_start()
{
	t_log=$1
	shift
	"$@" >"$t_log" 2>&1 &
	t_pid=$!
	t_pids="$t_pids $t_pid"
}

# t_wait_text FILE TEXT SECONDS: true once FILE holds TEXT (fixed string).
t_wait_text()
{
	t_n=$(($3 * t_ticks))
	while [ "$t_n" -gt 0 ]; do
		if grep -F -q -e "$2" "$1" 2>/dev/null; then
			return 0
		fi
		sleep "$t_tick"
		t_n=$((t_n - 1))
	done
	grep -F -q -e "$2" "$1" 2>/dev/null
}

# t_wait_exit PID SECONDS: true once PID has exited; then reaps it and
# puts its exit status in t_rc.  If it still runs, kills it by its pid,
# reaps it and returns false.
t_wait_exit()
{
	t_n=$(($2 * t_ticks))
	while [ "$t_n" -gt 0 ] && t_running "$1"; do
		sleep "$t_tick"
		t_n=$((t_n - 1))
	done
	if t_running "$1"; then
		kill -s KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		t_rc=$?
		return 1
	fi
	wait "$1" 2>/dev/null
	t_rc=$?
	return 0
}

t_cleanup()
{
	for t_p in $t_pids; do
		if t_running "$t_p"; then
			kill -s KILL "$t_p" 2>/dev/null
			wait "$t_p" 2>/dev/null
		fi
	done
	if [ -n "$t_tmp" ]; then
		rm -rf "$t_tmp"
	fi
}

# t_tmpdir: a new temporary folder in t_tmp, removed on exit.
t_tmpdir()
{
	t_tmp=$(mktemp -d "${TMPDIR:-/tmp}/bustd-test.XXXXXX") || exit 99
	trap t_cleanup EXIT
	trap 'exit 1' HUP INT TERM
}
