#!/bin/sh
# SPDX-License-Identifier: MIT
# hook.sh: after a kill, [notify] exec runs with the victim in its
# environment (verbatim, whatever its name), is reaped, is killed at
# exec_timeout; the metrics file counts the kill and passes promtool.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init hook.sh 6144

mkdir -p "$T/out" "$T/metrics"
cat > "$T/hook" <<'HOOK'
#!/bin/sh
out=$(dirname "$0")/out
for v in PID NAME UID USER RSS_KIB SIGNAL REASON RESULT DRY_RUN CMDLINE; do
	eval "printf '%s' \"\$BUSTD_$v\"" > "$out/$v"
done
cat /proc/$$/timerslack_ns > "$out/SLACK"
sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status > "$out/SIGIGN"
exit 3
HOOK
printf '#!/bin/sh\nexec sleep 60\n' > "$T/slow"
chmod 755 "$T/hook" "$T/slow"

AV=$(avail_kib)
conf() {
	write_conf <<CONF
[general]
profile = none
metrics_file = $T/metrics/bustd.prom
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[only-kill]
exe = ^$T/
[notify]
exec = $1
exec_timeout = 1s
CONF
}
conf "$T/hook"
# bustd sets its own timer slack; what it runs gets back the one bustd
# was started with.
echo 123456 > /proc/$$/timerslack_ns
start_bustd
echo 0 > /proc/$$/timerslack_ns

# A name with a newline, a format directive, shell syntax: 12 bytes.
NAME=$(printf 'h)\n%%n$(x)`;')
spawn HOG "$T/bin/hog" -n "$NAME" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the hog died (status $STATUS)" [ "$STATUS" = 143 ]
t_check "the hook ran and failed, and bustd said so" \
    wait_log "hook $T/hook \\(pid [0-9]+\\): exit status 3" 5
printf '%s' "$NAME" > "$T/want.name"
t_check "BUSTD_NAME holds the name byte for byte" cmp -s "$T/want.name" "$T/out/NAME"
t_check "BUSTD_PID is the victim" [ "$(cat "$T/out/PID")" = "$HOG" ]
t_check "BUSTD_UID and BUSTD_USER" [ "$(cat "$T/out/UID"):$(cat "$T/out/USER")" = 0:root ]
t_check "BUSTD_SIGNAL" [ "$(cat "$T/out/SIGNAL")" = SIGTERM ]
t_check "BUSTD_RESULT" [ "$(cat "$T/out/RESULT")" = gone ]
t_check "BUSTD_DRY_RUN" [ "$(cat "$T/out/DRY_RUN")" = 0 ]
t_check "BUSTD_RSS_KIB is the victim's size" [ "$(cat "$T/out/RSS_KIB")" -gt 100000 ]
t_check "BUSTD_REASON names the threshold" grep -q '^MemAvailable .* <= mem_term' "$T/out/REASON"
t_check "bustd sleeps with its own timer slack" \
    [ "$(cat "/proc/$BUSTD_PID/timerslack_ns")" != 123456 ]
t_check "the hook runs with the slack bustd started with" \
    [ "$(cat "$T/out/SLACK")" = 123456 ]
# SIGPIPE is signal 13: bit 12 of SigIgn, 0x1000.
t_check "the hook does not inherit bustd's ignored SIGPIPE (SigIgn $(cat "$T/out/SIGIGN"))" \
    [ $((0x$(cat "$T/out/SIGIGN") & 0x1000)) = 0 ]
t_check "BUSTD_CMDLINE is its command line" grep -q "^$T/bin/hog -n " "$T/out/CMDLINE"
t_check "the log line escapes the name" \
    grep -qF "pid $HOG (h)\\x0a%n\$(x)\`;) uid 0 (root): sending SIGTERM" "$T/bustd.log"
t_check "no log line starts with the name's second half" \
    sh -c "! grep -q '^%n' '$T/bustd.log'"

PROM=$T/metrics/bustd.prom
t_check "the metrics file exists" [ -s "$PROM" ]
t_check "it counts the kill" \
    grep -q '^bustd_kills_total{reason="mem_term",signal="SIGTERM"} 1$' "$PROM"
t_check "and the victim gone" grep -q '^bustd_victims_gone_total 1$' "$PROM"
t_check "and the failed hook" grep -q '^bustd_hooks_failed_total 1$' "$PROM"
t_check "no temporary file is left" [ ! -e "$PROM.tmp" ]
if command -v promtool > /dev/null; then
	if promtool check metrics < "$PROM" > "$T/promtool" 2>&1; then
		t_ok "promtool check metrics accepts it"
	else
		t_not_ok "promtool check metrics accepts it" "$(cat "$T/promtool")"
	fi
	sed 's/^/# promtool: /' "$T/promtool"
else
	t_skipped "promtool check metrics accepts it" "no promtool"
fi

# A hook that hangs is killed at exec_timeout, and reaped.
conf "$T/slow"
kill -s HUP "$BUSTD_PID"
wait_log "reloaded" 5
sleep 1
spawn HOG2 "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG2"
t_check "the slow hook was killed at its timeout" \
    wait_log "hook $T/slow \\(pid [0-9]+\\): still running at its timeout: killed" 5
sleep 1
t_check "and reaped: bustd has no zombie child" \
    sh -c "! ps -o stat= --ppid $BUSTD_PID | grep -q Z"
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
