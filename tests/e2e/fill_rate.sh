#!/bin/sh
# SPDX-License-Identifier: MIT
# fill_rate.sh: bustd sleeps, between two readings, the time a fill at the
# assumed rate needs to reach mem_term: 2 GiB/s per CPU by default, or
# fill_rate from the policy, a size or a percentage of RAM per second, on
# reload too; and the timer slack bustd sets for each sleep.  Nothing
# here fills memory: mem_term sits 2 GiB below MemAvailable, and each
# sleep is read from the status line.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fill_rate.sh 4096

NCPU=$(getconf _NPROCESSORS_ONLN)
TOTAL=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
TERM=$(($(avail_kib) - 2 * 1024 * 1024))

# conf RATE: the policy with fill_rate = RATE.
conf() {
	write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = ${TERM}K
mem_kill = $((TERM / 2))K
psi_metric = off
fill_rate = $1
[only-kill]
exe = ^$T/
CONF
}

# check_poll LABEL KIB_PER_MS: the status line's poll is the headroom it
# shows (MemAvailable, or the bound, above mem_term) over the rate, within
# a tenth (the figure is rounded to 0.01 GiB, the clock to a ms).
check_poll() {
	S=$(status_line)
	echo "# $S"
	A=$(echo "$S" | sed -n \
	    's/.*status: MemAvailable >*=*\([0-9.]*\) \([GM]iB\) of.*/\1 \2/p')
	P=$(echo "$S" | sed -n 's/.*; poll \([0-9]*\) ms.*/\1/p')
	# shellcheck disable=SC2086
	W=$(echo $A | awk -v t="$TERM" -v r="$2" '{
		k = $1 * ($2 == "GiB" ? 1048576 : 1024)
		w = (k - t) / r
		if (w > 10000) w = 10000
		if (w < 10) w = 10
		printf "%d\n", w }')
	t_check "$1: poll ${P:-?} ms, headroom over the rate ${W:-?} ms" \
	    awk -v p="${P:-0}" -v w="${W:-0}" \
	    'BEGIN { exit !(p > 0 && p >= w * 0.9 - 2 && p <= w * 1.1 + 2) }'
}

# check_slack LABEL: bustd's timer slack, read from /proc, fits the poll
# check_poll saw (P): the kernel's 50 us below 256 ms; above, a power of
# two ms no more than an eighth of the poll and more than a sixteenth
# (or 1024 ms), since bustd wakes at most that much early.  A tenth of
# give either way: the poll may have moved since the status line.
check_slack() {
	SL=$(cat "/proc/$BUSTD_PID/timerslack_ns")
	t_check "$1: timer slack ${SL:-?} ns for a poll of ${P:-?} ms" \
	    awk -v s="${SL:-0}" -v p="${P:-0}" 'BEGIN {
		if (p * 1.1 + 2 < 256) exit !(s == 50000)
		if (p * 0.9 - 2 < 256 && s == 50000) exit 0
		ms = s / 1000000
		if (ms != int(ms)) exit 1
		for (x = ms; x > 1; x /= 2) if (x != int(x)) exit 1
		exit !(ms * 8 <= p * 1.1 + 2 &&
		    (ms * 16 > p * 0.9 - 2 || ms == 1024)) }'
}

conf 0
start_bustd
sleep 1
check_poll "fill_rate 0, $NCPU CPUs at 2 GiB/s" $((2097 * NCPU))
check_slack "fill_rate 0, $NCPU CPUs at 2 GiB/s"

# 512 MiB a second, whatever the CPUs: 2 GiB of headroom is about 4 s.
conf 512M
reload_bustd
sleep 1
check_poll "fill_rate 512M" 524
check_slack "fill_rate 512M"
t_check "--print-config shows it" \
    eval '"$BUSTD" --print-config -c "$T/bustd.conf" |
    grep -qx "fill_rate = 512M"'

# A percentage is of RAM: 4% a second.
conf 4%
reload_bustd
sleep 1
check_poll "fill_rate 4% of $((TOTAL / 1024)) MiB" $((TOTAL * 4 / 100 / 1000))
check_slack "fill_rate 4% of $((TOTAL / 1024)) MiB"

# Back to the rule on reload.
conf 0
reload_bustd
sleep 1
check_poll "fill_rate 0 again" $((2097 * NCPU))
check_slack "fill_rate 0 again"
t_check "bustd survived" t_running "$BUSTD_PID"
t_check "nothing was killed" \
    eval '! grep -q "sending SIG" "$T/bustd.log"'
e2e_done
