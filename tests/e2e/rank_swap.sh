#!/bin/sh
# SPDX-License-Identifier: MIT
# rank_swap.sh: rank_by = rss counts swap.  A leak held to 64 MiB of RAM
# by a memory cgroup, the rest pushed to a swap file the test adds, ranks
# above a bigger resident process, in --list and when bustd kills.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init rank_swap.sh 6144

for tool in fallocate mkswap swapon swapoff; do
	if ! command -v "$tool" > /dev/null; then
		echo "# rank_swap.sh: no $tool; skipped"
		exit 77
	fi
done
# The swap file: outside $T, which the cleanup removes while it may
# still be in use.
SWAPFILE=/var/tmp/bustd-e2e-swap-$$
swap_cleanup() {
	e2e_cleanup
	if [ -f "$SWAPFILE" ]; then
		swapoff "$SWAPFILE" 2>/dev/null
		rm -f "$SWAPFILE"
	fi
}
trap swap_cleanup EXIT
if ! fallocate -l 1G "$SWAPFILE" || ! chmod 600 "$SWAPFILE" ||
    ! mkswap "$SWAPFILE" > /dev/null 2>&1 ||
    ! swapon "$SWAPFILE" 2> "$T/swapon.err"; then
	echo "# rank_swap.sh: swapon: $(cat "$T/swapon.err" 2>/dev/null);" \
	    "skipped"
	exit 77
fi
if ! e2e_memcg; then
	echo "# rank_swap.sh: no memory cgroup to make; skipped"
	exit 77
fi
if [ -f "$E2E_CGROUP/memory.max" ]; then
	echo 64M > "$E2E_CGROUP/memory.max" || exit 99
else
	echo $((64 * 1024 * 1024)) > "$E2E_CGROUP/memory.limit_in_bytes" ||
	    exit 99
fi

# vm_kib PID FIELD: VmRSS or VmSwap of PID in KiB.
vm_kib() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

cp "$HOG" "$T/bin/leak"
cp "$HOG" "$T/bin/big"
# The leak: 640 MiB, of which the cgroup lets 64 stay in RAM.
spawn LEAK sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$E2E_CGROUP" \
    "$T/bin/leak" -r 200 -c 640 -t 90
spawn BIG "$T/bin/big" -r 200 -c 400 -t 90
i=0
while [ "$(vm_kib "$LEAK" VmSwap)" -lt $((500 * 1024)) ] 2>/dev/null &&
    [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
LEAK_SWAP=$(vm_kib "$LEAK" VmSwap)
LEAK_RSS=$(vm_kib "$LEAK" VmRSS)
BIG_RSS=$(vm_kib "$BIG" VmRSS)
echo "# leak: rss $LEAK_RSS KiB, swap $LEAK_SWAP KiB; big: rss $BIG_RSS KiB"
if [ "${LEAK_SWAP:-0}" -lt $((500 * 1024)) ]; then
	t_not_ok "the leak was pushed to swap" "VmSwap ${LEAK_SWAP:-?} KiB"
	e2e_done
	exit 1
fi
t_check "the leak holds less RAM than big" [ "$LEAK_RSS" -lt "$BIG_RSS" ]

# Memory freed before the test can come back over seconds here: settle
# twice, and leave the kill level 3 GiB down, past the filler's reach.
settle
AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 3072 * 1024))K
swap_term = 100%
swap_kill = 100%
psi_metric = off
[kill]
rank_by = rss
term_timeout = 3s
[never-kill]
exe = ^$T/protected/
[only-kill]
exe = ^$T/
CONF

"$BUSTD" --list -c "$T/bustd.conf" > "$T/list" 2>&1
sed -n '1p; / leak \| big /p' "$T/list" | sed 's/^/# list: /'
t_check "--list ranks the leak first" \
    eval 'sed -n 2p "$T/list" | grep -Eq "^ *$LEAK .* [0-9.]+ MiB +[0-9.]+ MiB  leak "'

# A protected filler brings memory to mem_term (the swap levels hold
# whatever swap is free): bustd must take the leak.
start_bustd -v
spawn FILL "$T/protected/hog" -r 300 -c 2400 -t 40
wait "$LEAK"
STATUS=$?
t_check "the leak died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd chose it for its swap, and said how much" \
    wait_log "pid $LEAK \\(leak\\).*sending SIGTERM: rss [0-9.]+ MiB, swap [0-9.]+ MiB" 5
grep "pid $LEAK (leak).*sending" "$T/bustd.log" | sed 's/^/# kill line: /'
kill "$FILL" "$BIG" 2>/dev/null
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
