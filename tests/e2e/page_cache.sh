#!/bin/sh
# SPDX-License-Identifier: MIT
# page_cache.sh: with much page cache, the sysinfo(2) bound (free memory
# minus the kernel's reserve) is far below MemAvailable, and polling on it
# would wake bustd many times more often than needed.  bustd then reads
# /proc/meminfo instead; once the cache is gone, it goes back to the bound.
# Nothing here fills memory: the cache is a file on disk, at most 2 GiB.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init page_cache.sh 6144

# A folder on a disk: tmpfs pages are shared memory, not page cache.
CD=
for d in "$T" /var/tmp; do
	case $(stat -f -c %T "$d" 2>/dev/null) in
	tmpfs | ramfs | "") ;;
	*) CD=$d; break ;;
	esac
done
if [ -z "$CD" ]; then
	echo "# page_cache.sh: no folder on a disk for the cache file; skipped"
	exit 77
fi
CD=$(mktemp -d "$CD/bustd-cache.XXXXXX") || exit 99
trap 'rm -rf "$CD"; e2e_cleanup' EXIT

NCPU=$(getconf _NPROCESSORS_ONLN)
# The bound's headroom: about 90 ms of the fill bustd assumes (2 GiB/s
# per CPU).  The cache must be at least twice that for the exact reading
# to pay.
H=$((192 * 1024 * NCPU))
SIZE=$(($(avail_kib) / 8 / 1024))
[ "$SIZE" -gt 2048 ] && SIZE=2048
if [ "$SIZE" -lt $((2 * H / 1024 + 256)) ]; then
	echo "# page_cache.sh: $NCPU CPUs want more than $SIZE MiB of cache; skipped"
	exit 77
fi
# The gap there is without the file (other cache, reclaimable slab),
# with room for the kernel's reserve.
G0=$(awk '/^MemFree:/ { f = $2 } /^MemAvailable:/ { a = $2 }
    END { print a - f + 524288 }' /proc/meminfo)
C0=$(awk '/^Cached:/ { print $2 }' /proc/meminfo)
dd if=/dev/zero of="$CD/cache" bs=1M count="$SIZE" conv=fsync \
    status=none || exit 99
C1=$(awk '/^Cached:/ { print $2 }' /proc/meminfo)
if [ $((C1 - C0)) -lt $((SIZE * 1024 * 3 / 4)) ]; then
	echo "# page_cache.sh: the page cache grew $(((C1 - C0) / 1024)) MiB" \
	    "for a $SIZE MiB file; skipped"
	exit 77
fi
echo "# $SIZE MiB file: Cached $((C0 / 1024)) -> $((C1 / 1024)) MiB; $NCPU CPUs"

# says ERE: the last status line, S, matches ERE.
says() {
	echo "$S" | grep -Eq -- "$1"
}

# kib_of "23.04 GiB" / "512.0 MiB": KiB.
kib_of() {
	awk -v v="$1" -v u="$2" 'BEGIN {
		printf "%d\n", v * (u == "GiB" ? 1048576 : 1024) }'
}

# First far from any level: the bound is enough, and is what bustd uses.
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = 1G
mem_kill = 512M
psi_metric = off
[only-kill]
exe = ^$T/
CONF
start_bustd
sleep 1
S=$(status_line)
echo "# $S"
t_check "far from mem_term, bustd polls on the sysinfo bound" \
    says 'MemAvailable >='
B=$(echo "$S" | sed -n 's/.*MemAvailable >=\([0-9.]*\) \([GM]iB\).*/\1 \2/p')
if [ -z "$B" ]; then
	t_not_ok "the status line gives the bound" "$S"
	e2e_done
	exit 1
fi
# shellcheck disable=SC2086
BK=$(kib_of $B)

# mem_term H below the bound: the bound alone would wake bustd every
# ~90 ms, MemAvailable (the cache above it) allows far longer.
TERM=$((BK - H))
sed -i -e "s/^mem_term = .*/mem_term = ${TERM}K/" \
    -e "s/^mem_kill = .*/mem_kill = $((TERM / 2))K/" "$T/bustd.conf"
reload_bustd
sleep 1
S=$(status_line)
echo "# mem_term $((TERM / 1024)) MiB, $((H / 1024)) MiB below the bound: $S"
t_check "with the cache, bustd reads MemAvailable instead" \
    says 'status: MemAvailable [0-9]'
P=$(echo "$S" | sed -n 's/.*; poll \([0-9]*\) ms.*/\1/p')
Q=$((H / (2097 * NCPU)))
t_check "and sleeps ${P:-?} ms, at least twice the bound's $Q ms" \
    [ "${P:-0}" -ge $((2 * Q)) ]

# The cache gone (its file removed), MemFree holds what it held: the
# bound is again as good, and cheaper.  Unless this machine has much
# cache besides the file: then MemAvailable still pays.
rm -f "$CD/cache"
if [ "$G0" -ge $(((H + SIZE * 1024) / 2)) ]; then
	t_skipped "without it, bustd is back on the bound" \
	    "$((G0 / 1024)) MiB of other cache"
	t_check "bustd survived" t_running "$BUSTD_PID"
	e2e_done
	exit
fi
ok=no
i=0
while [ "$i" -lt 20 ]; do
	sleep 0.5
	S=$(status_line)
	if says 'MemAvailable >='; then
		ok=yes
		break
	fi
	i=$((i + 1))
done
echo "# cache removed: $S"
t_check "without it, bustd is back on the bound" [ "$ok" = yes ]
t_check "bustd survived" t_running "$BUSTD_PID"
t_check "nothing was killed" \
    eval '! grep -q "sending SIG" "$T/bustd.log"'
e2e_done
