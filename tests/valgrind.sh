#!/bin/sh
# SPDX-License-Identifier: MIT
# valgrind.sh: the daemon under valgrind memcheck through a good reload, a
# bad reload and a kill: no error, no definitely lost byte.  Root only;
# run after make check (it needs src/bustd and tests/e2e/hog built).
srcdir=${srcdir:-.}
BUSTD=${BUSTD:-./src/bustd}
HOG=${HOG:-./tests/e2e/hog}
. "$srcdir/tests/e2e/lib.sh"
if ! command -v valgrind > /dev/null; then
	echo "# valgrind.sh: no valgrind; skipped"
	exit 77
fi
e2e_init valgrind.sh 6144

AV=$(avail_kib)
cat > "$T/good" <<CONF
[general]
profile = desktop
metrics_file = $T/bustd.prom
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
[kill]
process_group = yes
[only-kill]
exe = ^$T/
[notify]
exec = /bin/true
CONF
cp "$T/good" "$T/bustd.conf"
chmod 600 "$T/bustd.conf"
# LD_BIND_NOW set: bustd would otherwise run itself again, out of
# valgrind's sight.
t_start "$T/bustd.log" env LD_BIND_NOW=1 valgrind --tool=memcheck --leak-check=full \
    --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --log-file="$T/valgrind.log" "$BUSTD" -n -c "$T/bustd.conf" 9>&-
BUSTD_PID=$t_pid
t_check "bustd started under valgrind" \
    t_wait_text "$T/bustd.log" "running with" 60

# A good reload, then a bad one.
kill -s HUP "$BUSTD_PID"
t_check "a good reload" t_wait_text "$T/bustd.log" "reloaded" 30
printf '[general]\nprofile = laptop\n' > "$T/bustd.conf"
kill -s HUP "$BUSTD_PID"
t_check "a bad reload, refused" \
    t_wait_text "$T/bustd.log" "keeping the previous policy" 30
cp "$T/good" "$T/bustd.conf"
chmod 600 "$T/bustd.conf"
kill -s HUP "$BUSTD_PID"
t_wait_text "$T/bustd.log" "reloaded" 30
sleep 2

# A kill, and its hook.
spawn HOG "$T/bin/hog" -r 200 -c 3000 -t 40
wait "$HOG"
STATUS=$?
t_check "the hog died (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd saw it gone" wait_log "pid $HOG \\(hog\\): gone" 20
kill -s USR1 "$BUSTD_PID"
t_wait_text "$T/bustd.log" "status:" 20

kill -s TERM "$BUSTD_PID"
t_wait_exit "$BUSTD_PID" 60
t_check "bustd exited 0 (status $t_rc)" [ "$t_rc" = 0 ]
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|in use at exit" \
    "$T/valgrind.log" | sed 's/^==[0-9]*== */# valgrind: /'
t_check "valgrind: no error" \
    grep -q "ERROR SUMMARY: 0 errors" "$T/valgrind.log"
if grep -q "definitely lost:" "$T/valgrind.log"; then
	t_check "valgrind: nothing definitely lost" \
	    grep -q "definitely lost: 0 bytes" "$T/valgrind.log"
else
	t_check "valgrind: nothing definitely lost" \
	    grep -q "All heap blocks were freed\|no leaks are possible" \
	    "$T/valgrind.log"
fi
if [ "$t_fail" -gt 0 ]; then
	sed 's/^/#   /' "$T/valgrind.log"
fi
t_summary valgrind.sh
