#!/bin/sh
# SPDX-License-Identifier: MIT
# load_fork_storm.sh: while thousands of short-lived processes are forked
# and exit (and pids wrap around pid_max), three hogs in turn run memory
# low: every scan copes with processes vanishing under it (no error, no
# crash), each hog dies, and nothing else does: not the fork storm's
# parent, not an innocent process, not a never-kill one.
. "${srcdir:-.}/tests/e2e/attack_lib.sh"
atk_init load_fork_storm.sh 6144

# The storm first: its thousands of processes hold kernel memory (stacks,
# page tables), so the thresholds are set from MemAvailable once it runs.
spawn INNO "$T/bin/innocent" -c 64 -t 60
spawn PROT "$T/protected/hog" -c 16 -t 60
# The storm's children are in [only-kill] too: bustd meets them in its
# scans, as candidates that vanish.
spawn STORM "$T/bin/atk" storm -t 40 -n 3000000 -j 16 -s 2000 \
    > "$T/storm.out"
sleep 2
settle
AV=$(avail_kib)
conf() {
	write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1536 * 1024))K
mem_kill = $((AV - 2560 * 1024))K
psi_metric = off
[kill]
rank_by = $1
[never-kill]
exe = ^$T/protected/
[only-kill]
exe = ^$T/bin/
CONF
}
conf oom_score
start_bustd -v
FD0=$(ls "/proc/$BUSTD_PID/fd" | wc -l)
RSS0=$(status_kib "$BUSTD_PID" VmRSS)
PIDS0=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
n=0
for rank in oom_score rss rss; do
	n=$((n + 1))
	if [ "$n" -gt 1 ]; then
		conf "$rank"
		kill -s HUP "$BUSTD_PID"
		sleep 1
	fi
	spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
	wait "$HOG"
	STATUS=$?
	t_check "hog $n (rank_by $rank) died of SIGTERM (status $STATUS)" \
	    [ "$STATUS" = 143 ]
	t_check "hog $n: bustd logged it" \
	    wait_log "^pid $HOG \\(hog\\).*sending SIGTERM" 5
	t_check "hog $n: the storm was still on" t_running "$STORM"
	eval "HOG$n=$HOG"
	wait_log "^pid $HOG \\(hog\\): gone" 5
	sleep 1
done
# --list walks /proc as the daemon's scan does: 50 times in the storm.
nok=0
for i in $(seq 1 50); do
	"$BUSTD" --list -c "$T/bustd.conf" > /dev/null 2> "$T/list.err" &&
	    [ ! -s "$T/list.err" ] && nok=$((nok + 1))
done
t_check "--list in the storm: $nok of 50 runs clean" [ "$nok" = 50 ]
t_check "and the storm was still on" t_running "$STORM"
wait "$STORM"
STORM_STATUS=$?
echo "# $(cat "$T/storm.out") (pid_max $(cat /proc/sys/kernel/pid_max); $PIDS0 processes at a time)"
FORKS=$(sed -n 's/^storm: \([0-9]*\) forks.*/\1/p' "$T/storm.out")
t_check "the storm's parent lived to its end (status $STORM_STATUS)" \
    [ "$STORM_STATUS" = 0 ]
t_check "it forked thousands ($FORKS)" [ "${FORKS:-0}" -ge 10000 ]
t_check "three victims, the three hogs" \
    [ "$(grep -c 'sending SIG' "$T/bustd.log")" = 3 ] &&
    [ "$(grep -Ec "^pid ($HOG1|$HOG2|$HOG3) \\(hog\\).*sending SIG" \
	"$T/bustd.log")" = 3 ]
t_check "the innocent process survived" t_running "$INNO"
t_check "the never-kill process survived" t_running "$PROT"
t_check "no error in the log" sh -c "! grep -q '^error: ' '$T/bustd.log'"
t_check "no failed scan or signal" \
    sh -c "! grep -Eq 'scan failed|failed:' '$T/bustd.log'"
t_check "bustd survived" t_running "$BUSTD_PID"
FD1=$(ls "/proc/$BUSTD_PID/fd" | wc -l)
RSS1=$(status_kib "$BUSTD_PID" VmRSS)
echo "# bustd: fds $FD0, then $FD1; VmRSS $RSS0 KiB, then $RSS1 KiB"
t_check "no descriptor leaked" [ "$FD1" = "$FD0" ]
grep '^scan:' "$T/bustd.log" | sed 's/^/# log: /'
show_kills
e2e_done
