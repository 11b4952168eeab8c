#!/bin/sh
# SPDX-License-Identifier: MIT
# loader.sh: bustd binds every symbol at start (it runs itself again with
# LD_BIND_NOW=1), then gives back the dynamic linker's pages and the
# symbol tables of bustd and libc; a kill, its hook, a status line and a
# reload do not bring them back.  Run through the dynamic linker
# (ld.so bustd), it binds lazily and keeps them.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init loader.sh 6144
unset LD_BIND_NOW

EXE=$(readlink -f "$BUSTD")
INTERP=$(readelf -lW "$EXE" |
    sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
# The flags of bustd's first segment: "R" alone where its headers and
# tables have a segment of their own (-z separate-code, the default on
# x86-64); elsewhere bustd gives back only the dynamic linker's pages,
# which this test does not single out.
FIRST=$(readelf -lW "$EXE" |
    awk '$1 == "LOAD" { print ($8 ~ /^0x/) ? $7 : $7 $8; exit }')
if [ -z "$INTERP" ] || [ "$FIRST" != R ]; then
	t_skipped "bustd gives back the dynamic linker's pages" \
	    "interpreter '$INTERP', first segment '$FIRST'"
	e2e_done
	exit
fi
LDSO=$(readlink -f "$INTERP")
# The page the dynamic linker's first writable segment (its data, kept)
# starts in.
LDSO_DATA=$(readelf -lW "$LDSO" | awk '$1 == "LOAD" && / RW / { print $2; exit }')
PAGE=$(getconf PAGESIZE)
LDSO_DATA=$((${LDSO_DATA:-0} / PAGE * PAGE))

# given_kib PID: resident KiB, in PID, of what bustd gives back: the
# dynamic linker below its data, and the mapping at offset 0 of bustd and
# of libc.  "missing" unless all three are mapped.
given_kib() {
	awk -v exe="$EXE" -v ldso="$LDSO" -v data="$LDSO_DATA" '
	function hex(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	/^[0-9a-f]+-[0-9a-f]+ / {
		want = 0
		n = split($6, p, "/")
		if ($6 == ldso && hex($3) < data) { want = 1; l++ }
		else if ($6 == exe && hex($3) == 0 && $2 == "r--p") { want = 1; e++ }
		else if (p[n] ~ /^libc[.-]/ && hex($3) == 0 && $2 == "r--p") {
			want = 1; c++
		}
		next
	}
	/^Rss:/ { if (want) kib += $2 }
	END {
		if (l < 2 || e < 1 || c < 1) print "missing"
		else print kib + 0
	}' "/proc/$1/smaps"
}

cat > "$T/hook" <<'HOOK'
#!/bin/sh
touch "$(dirname "$0")/hook.ran"
HOOK
chmod 755 "$T/hook"
AV=$(avail_kib)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[only-kill]
exe = ^$T/
[notify]
exec = $T/hook
CONF
start_bustd -v
t_check "bustd ran itself again with LD_BIND_NOW=1" \
    sh -c "tr '\\0' '\\n' < /proc/$BUSTD_PID/environ | grep -qx LD_BIND_NOW=1"
t_check "bustd binds every symbol itself (-z now)" \
    sh -c "readelf -dW '$EXE' | grep -q BIND_NOW"
t_check "it says it gave the dynamic linker's pages back" \
    wait_log "gave back [1-9][0-9]* KiB of dynamic linker pages" 5
G=$(given_kib "$BUSTD_PID")
t_check "none of them is resident ($G KiB)" [ "$G" = 0 ]

spawn HOG "$T/bin/hog" -r 400 -c 3000 -t 30
wait "$HOG"
STATUS=$?
t_check "the hog died (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd saw it gone" wait_log "pid $HOG \\(hog\\): gone" 5
t_check "the hook ran" sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -e '$T/hook.ran' ] && exit 0; sleep 0.5; done; exit 1"
status_line > /dev/null
G=$(given_kib "$BUSTD_PID")
t_check "after a kill, its hook and a status line: none came back ($G KiB)" \
    [ "$G" = 0 ]
reload_bustd
G=$(given_kib "$BUSTD_PID")
t_check "after a reload: none ($G KiB)" [ "$G" = 0 ]
t_check "bustd survived" t_running "$BUSTD_PID"
kill -s TERM "$BUSTD_PID"
t_wait_exit "$BUSTD_PID" 5

# Through the dynamic linker, /proc/self/exe is the linker: no second
# run, lazy binding, and the pages stay (the measure sees them).
t_start "$T/bustd.log" "$LDSO" "$EXE" -n -v -c "$T/bustd.conf" 9>&-
e2e_started
t_check "run as ld.so bustd, it says it keeps the dynamic linker" \
    wait_log "symbols bound lazily: dynamic linker kept" 5
t_check "and has no LD_BIND_NOW" \
    sh -c "! tr '\\0' '\\n' < /proc/$BUSTD_PID/environ | grep -q LD_BIND_NOW"
G=$(given_kib "$BUSTD_PID")
t_check "those pages are resident ($G KiB)" \
    sh -c "[ '$G' != missing ] && [ '$G' -gt 0 ]"
e2e_done
