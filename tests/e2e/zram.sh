#!/bin/sh
# SPDX-License-Identifier: MIT
# zram.sh: swap on zram with data that does not compress.  A page
# swapped there still takes a page of RAM, so SwapFree says swap is left
# while RAM runs out.  An mlocked ballast leaves the machine about
# 3.5 GiB; a leak of random data grows into 2 GiB of zram; bustd, with
# PSI off, must take the leak on the swap it can really still use
# (usable ... (zram) in the kill line) while SwapFree is still above
# swap_term, and before the kernel's OOM killer.  Real zram (/dev/zram0),
# switched off and reset however the test ends; skipped (77) where there
# is none, or where swap is on already.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init zram.sh 6144

Z=/sys/block/zram0
if [ ! -w "$Z/disksize" ] || [ "$(cat "$Z/initstate" 2>/dev/null)" != 0 ]; then
	echo "# zram.sh: no free /dev/zram0; skipped"
	exit 77
fi
if [ -n "$(swapon --noheadings --show 2>/dev/null)" ]; then
	echo "# zram.sh: swap is on already; skipped"
	exit 77
fi
zr_cleanup() {
	[ -n "${LEAK:-}" ] && kill -s KILL "$LEAK" 2>/dev/null
	[ -n "${BALLAST:-}" ] && kill -s KILL "$BALLAST" 2>/dev/null
	sleep 1
	swapoff /dev/zram0 2>/dev/null
	echo 1 > "$Z/reset" 2>/dev/null
	e2e_cleanup
}
trap zr_cleanup EXIT
for alg in lz4 lzo-rle lzo; do
	grep -qw "$alg" "$Z/comp_algorithm" && echo "$alg" > "$Z/comp_algorithm" &&
	    break
done
if ! { echo 2G > "$Z/disksize" && mkswap /dev/zram0 >/dev/null 2>&1 &&
    swapon -p 100 /dev/zram0; }; then
	echo "# zram.sh: cannot switch swap on /dev/zram0 on; skipped"
	exit 77
fi

# The ballast: the machine down to about 3.5 GiB available, for 60 s at
# most; oom_score_adj 1000 all the same, so that even the kernel's OOM
# killer takes it before anyone else's.
settle
AV=$(avail_kib)
B_MIB=$(((AV - 3584 * 1024) / 1024))
spawn BALLAST choom -n 1000 -- "$T/bin/innocent" -l -c "$B_MIB" -r 0 -t 60
i=0
while [ "$(rss_mib "$BALLAST")" -lt $((B_MIB - 64)) ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_check "the ballast holds $B_MIB MiB" [ "$(rss_mib "$BALLAST")" -ge $((B_MIB - 64)) ]
settle
AV=$(avail_kib)
echo "# MemAvailable $((AV / 1024)) MiB with the ballast"

# swap_term 50%: SwapFree must fall below 1 GiB before bustd would act
# on it; the usable swap falls with the RAM left.
write_conf <<CONF
[general]
profile = none
report_interval = 1s
[thresholds]
mem_term = 2G
mem_kill = 256M
swap_term = 50%
swap_kill = 10%
psi_metric = off
[kill]
term_timeout = 2s
[only-kill]
exe = ^$T/bin/hog$
CONF
start_bustd -v
OOM0=$(awk '/^oom_kill / { print $2 }' /proc/vmstat)
spawn LEAK choom -n 1000 -- "$T/bin/hog" -u -r 300 -c $((AV / 1024 + 1024)) -t 40
wait "$LEAK"
STATUS=$?
OOM1=$(awk '/^oom_kill / { print $2 }' /proc/vmstat)
t_check "the leak died of bustd's SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "no kernel OOM kill ($((OOM1 - OOM0)))" [ "$OOM1" = "$OOM0" ]
t_check "bustd acted on the swap zram can still hold" \
    wait_log "pid $LEAK \\(hog\\).*sending SIG.*reason: MemAvailable .* <= mem_term 2.00 GiB, SwapFree [0-9.]+ [MG]iB, usable [0-9.]+ [MG]iB \\(zram\\) <= swap_term" 5
LINE=$(grep "pid $LEAK (hog).*sending SIG" "$T/bustd.log" | head -n 1)
FREE=$(echo "$LINE" | sed -n 's/.*SwapFree \([0-9.]*\) \([MG]\)iB.*/\1 \2/p' |
    awk '{ print int($1 * ($2 == "G" ? 1024 : 1)) }')
echo "# ${LINE#*reason: }"
t_check "while SwapFree ($FREE MiB) was still above swap_term (1024 MiB)" \
    [ "${FREE:-0}" -gt 1024 ]
t_check "the ballast survived" t_running "$BALLAST"
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
