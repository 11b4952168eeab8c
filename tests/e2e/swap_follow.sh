#!/bin/sh
# SPDX-License-Identifier: MIT
# swap_follow.sh: swap switched on after bustd started (a swap file, as
# zram set up late in boot would be) moves the percentage swap levels,
# and switching it off moves them back.  Real swapon(8); no memory
# pressure; the swap file is switched off and removed however it ends.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init swap_follow.sh 1024

if [ -n "$(swapon --noheadings --show 2>/dev/null)" ]; then
	echo "# swap_follow.sh: swap is on already; skipped"
	exit 77
fi
SWAP=$T/swapfile
sf_cleanup() {
	swapoff "$SWAP" 2>/dev/null
	rm -f "$SWAP"
	e2e_cleanup
}
trap sf_cleanup EXIT
if ! { fallocate -l 512M "$SWAP" && chmod 600 "$SWAP" &&
    mkswap "$SWAP" >/dev/null 2>&1; }; then
	echo "# swap_follow.sh: cannot make a swap file in $T; skipped"
	exit 77
fi

# mem_term 0: bustd can never act here, whatever swap does.
write_conf <<CONF
[general]
profile = none
dry_run = yes
[thresholds]
mem_term = 0
mem_kill = 0
swap_term = 50%
swap_kill = 25%
psi_metric = off
[only-kill]
exe = ^$T/
CONF
start_bustd
status_line | grep -q "swap_term 0.0 MiB, swap_kill 0.0 MiB" &&
    t_ok "status: swap_term 0, swap_kill 0 without swap" ||
    t_not_ok "status: swap_term 0, swap_kill 0 without swap" \
        "$(grep 'status: ' "$T/bustd.log" | tail -n 1)"

if ! swapon "$SWAP" 2>"$T/swapon.err"; then
	echo "# swap_follow.sh: swapon refused: $(cat "$T/swapon.err"); skipped"
	exit 77
fi
TOTAL=$(awk '/^SwapTotal:/ { print $2 }' /proc/meminfo)
# The next pass sees it: a status request starts one.
kill -s USR1 "$BUSTD_PID"
t_check "bustd saw the swap come ($TOTAL kB)" \
    wait_log "memory totals changed: .*SwapTotal $(shown "$TOTAL"); swap_term $(shown $((TOTAL / 2))), swap_kill $(shown $((TOTAL / 4))) now" 15
status_line | grep -q "swap_term $(shown $((TOTAL / 2))), swap_kill $(shown $((TOTAL / 4)))" &&
    t_ok "status: swap_term is half the swap now" ||
    t_not_ok "status: swap_term is half the swap now" \
        "$(grep 'status: ' "$T/bustd.log" | tail -n 1)"

swapoff "$SWAP"
kill -s USR1 "$BUSTD_PID"
t_check "bustd saw it go" \
    wait_log "memory totals changed: .*SwapTotal 0.0 MiB; swap_term 0.0 MiB" 15
t_check "bustd survived" t_running "$BUSTD_PID"
t_check "nothing was signalled" \
    [ "$(grep -c 'would send\|sending SIG' "$T/bustd.log")" = 0 ]
e2e_done
