#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_refill.sh: a victim's memory that comes back slowly.  On some
# machines (virtual machines handing freed pages back to the host)
# MemAvailable still shows the shortage for seconds after the victim is
# gone; bustd must not take a second process for the same shortage, yet
# must act at once when memory falls further, and never wait at mem_kill.
#
# In bustd's own mount namespace a copy of /proc/meminfo is bound over the
# real one, and the test writes its MemAvailable: it stays low after the
# first victim is gone, as if its memory were still on its way back.
# mem_term is set near MemTotal, above anything the real memory can show,
# so that sysinfo(2) (which stays real) never proves bustd safe and every
# poll reads the copy: bustd's decisions follow the test's numbers alone.
# The three processes are small (100-300 MiB) and fenced by [only-kill].
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_refill.sh 2048

# fake_avail KIB: the real /proc/meminfo with MemAvailable set to KIB,
# over $T/meminfo.  Near mem_term bustd reads it every 10 ms: an empty
# read would make it fall back to the sysinfo bound, as it must.
fake_avail() {
	awk -v a="$1" '/^MemAvailable:/ { printf "%-15s %8d kB\n",
	    "MemAvailable:", a; next } { print }' /proc/meminfo \
	    > "$T/meminfo.new" && rewrite_bound "$T/meminfo"
}

# grown PID MIB: wait (up to 10 s) until PID holds MIB MiB.
grown() {
	g_i=0
	while [ "$(rss_mib "$1")" -lt "$2" ] 2>/dev/null && [ $g_i -lt 100 ]
	do
		sleep 0.1
		g_i=$((g_i + 1))
	done
	[ "$(rss_mib "$1")" -ge "$2" ] 2>/dev/null
}

# victim_at KIB PID NAME SIG LEVEL STATUS WHO: with MemAvailable at KIB,
# bustd sends SIG to PID (NAME) for LEVEL, and PID dies with STATUS.
victim_at() {
	fake_avail "$1"
	t_check "at $(shown "$1") $7 got $4" \
	    wait_log "pid $2 \\($3\\).*sending $4.*reason: MemAvailable $(shown "$1") <= $5" 5
	wait "$2"
	v_status=$?
	t_check "it died of it (status $v_status)" [ "$v_status" = "$6" ]
}

# signals: how many signals bustd has logged sending.
signals() {
	grep -c 'sending SIG' "$T/bustd.log"
}

TOTAL=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
TERM_KIB=$((TOTAL - 64 * 1024))
KILL_KIB=$((TERM_KIB - 1024 * 1024))
if [ "$(avail_kib)" -ge "$TERM_KIB" ]; then
	echo "# fault_refill.sh: MemAvailable is within 64 MiB of MemTotal;" \
	    "nothing to fence with; skipped"
	exit 77
fi
cp "$HOG" "$T/bin/third"
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = ${TERM_KIB}K
mem_kill = ${KILL_KIB}K
psi_metric = off
[kill]
term_timeout = 5s
cooldown = 60s
[only-kill]
exe = ^$T/bin/
CONF

# 0. Above mem_term: nobody is touched.
HIGH=$((TERM_KIB + 32 * 1024))
fake_avail "$HIGH"
start_ns "mount --bind '$T/meminfo' /proc/meminfo"
t_check "bustd started on the copy ($(shown "$HIGH"))" \
    grep -q "^start: MemAvailable $(shown "$HIGH") of " "$T/bustd.log"
spawn HOG "$T/bin/hog" -r 400 -c 300 -t 40
spawn INNOCENT "$T/bin/innocent" -r 400 -c 200 -t 40
spawn THIRD "$T/bin/third" -r 400 -c 100 -t 40
if grown "$HOG" 290 && grown "$INNOCENT" 190 && grown "$THIRD" 90; then
	t_ok "the three processes hold 300, 200 and 100 MiB"
else
	t_not_ok "the three processes hold 300, 200 and 100 MiB" \
	    "$(rss_mib "$HOG") $(rss_mib "$INNOCENT") $(rss_mib "$THIRD") MiB"
fi
sleep 1
t_check "above mem_term, nothing signalled" [ "$(signals)" = 0 ]

# 1. Below mem_term: the largest process gets SIGTERM.
LOW1=$((TERM_KIB - 200 * 1024))
victim_at "$LOW1" "$HOG" hog SIGTERM mem_term 143 "the hog"
t_check "bustd saw it gone and holds: its memory may still come back" \
    wait_log "pid $HOG \\(hog\\): gone, MemAvailable $(shown "$LOW1") still at or below mem_term \\($(shown "$LOW1") when it was chosen\\)" 5

# 2. The reading stays where it was: no second victim for one shortage.
sleep 3
t_check "3 s later, still one victim ($(signals) signals)" [ "$(signals)" = 1 ]
t_check "the next in line is alive" t_running "$INNOCENT"
t_check "and the one after it" t_running "$THIRD"

# 3. Memory falls further (more than 32 MiB below the reading the kill
# was decided on): the shortage is a new one, bustd acts within cooldown.
LOW2=$((KILL_KIB + 8 * 1024))
victim_at "$LOW2" "$INNOCENT" innocent SIGTERM mem_term 143 "the next process"
t_check "bustd saw it gone" wait_log "pid $INNOCENT \\(innocent\\): gone" 5

# 4. mem_kill never waits: 16 MiB below the last reading (inside the
# 32 MiB a SIGTERM-level decision would wait for) but below mem_kill.
LOW3=$((KILL_KIB - 8 * 1024))
victim_at "$LOW3" "$THIRD" third SIGKILL mem_kill 137 \
    "below mem_kill, the last one (at once)"
t_check "three signals in all" [ "$(signals)" = 3 ]
t_check "no error logged" sh -c "! grep -q '^error:' '$T/bustd.log'"
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
