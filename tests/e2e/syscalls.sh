#!/bin/sh
# SPDX-License-Identifier: MIT
# syscalls.sh: every system call bustd makes, under strace, through a
# start, a kill (fenced as kill.sh is), its hook, a status line, a reload
# and an exit, is one that the unit's SystemCallFilter= allows, as this
# machine's systemd-analyze expands it.  A call outside the filter would
# fail with EPERM under systemd (SystemCallErrorNumber=), where no test
# runs: this one finds it first.  Skipped (77) without root, strace or
# systemd-analyze, and under the sanitizers (the unit never runs them).
. "${srcdir:-.}/tests/e2e/lib.sh"
if [ "${BUSTD_SANITIZED:-}" = yes ]; then
	echo "# syscalls.sh: sanitizers make their own system calls; skipped"
	exit 77
fi
for b in strace systemd-analyze; do
	if ! command -v "$b" >/dev/null 2>&1; then
		echo "# syscalls.sh: no $b; skipped"
		exit 77
	fi
done
UNIT=${top_builddir:-.}/etc/bustd.service
if [ ! -f "$UNIT" ]; then
	echo "# syscalls.sh: $UNIT not built"
	exit 99
fi
e2e_init syscalls.sh 6144

# expand GROUP_OR_CALL...: the system calls they name, one a line; groups
# (@name) through systemd-analyze syscall-filter, nested ones too.
expand() {
	for ex_w in "$@"; do
		case $ex_w in
		@*)
			systemd-analyze syscall-filter "$ex_w" 2>/dev/null |
			    sed -e 's/#.*//' -e '1d' | tr -s ' \t' '\n\n' |
			    grep -v '^$' > "$T/group.$$"
			# The first line names the group itself.
			for ex_m in $(cat "$T/group.$$"); do
				case $ex_m in
				"$ex_w") ;;
				@*) expand "$ex_m" ;;
				*) echo "$ex_m" ;;
				esac
			done
			;;
		*) echo "$ex_w" ;;
		esac
	done
}

# The unit's filter: the first line allows, each ~ line takes away.
: > "$T/allowed"
sed -n 's/^SystemCallFilter=//p' "$UNIT" > "$T/filters"
while IFS= read -r line; do
	case $line in
	"~"*)
		# shellcheck disable=SC2086 # a list of words
		expand ${line#\~} | sort -u > "$T/denied"
		sort -u "$T/allowed" | comm -23 - "$T/denied" > "$T/allowed.new"
		mv "$T/allowed.new" "$T/allowed"
		;;
	*)
		# shellcheck disable=SC2086
		expand $line >> "$T/allowed"
		;;
	esac
done < "$T/filters"
sort -u -o "$T/allowed" "$T/allowed"
t_check "the unit's filter allows $(wc -l < "$T/allowed") system calls" \
    [ -s "$T/allowed" ]
t_check "process_mrelease among them" grep -q -x process_mrelease "$T/allowed"
t_check "mlockall among them" grep -q -x mlockall "$T/allowed"

printf '#!/bin/sh\necho "hook: $BUSTD_NAME $BUSTD_RESULT"\n' > "$T/hook"
chmod 755 "$T/hook"
AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
metrics_file = $T/bustd.prom
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = some_avg10
psi_cutoff = 90
[kill]
term_timeout = 5s
[only-kill]
exe = ^$T/
[notify]
exec = $T/hook
CONF
# NOTIFY_SOCKET as under systemd: bustd's sd_notify datagrams are
# traced too (nothing listens there; they fail, and bustd carries on).
t_start "$T/bustd.log" env NOTIFY_SOCKET="$T/notify" \
    strace -f -qq -o "$T/trace" "$BUSTD" -n -c "$T/bustd.conf" 9>&-
STRACE=$t_pid
if ! t_wait_text "$T/bustd.log" "running with" 20; then
	t_not_ok "bustd started under strace" "$(cat "$T/bustd.log")"
	exit 1
fi
BUSTD_PID=$(cat "/proc/$STRACE/task/$STRACE/children" 2>/dev/null |
    tr -d ' ')
t_check "bustd started under strace (pid $BUSTD_PID)" t_running "$BUSTD_PID"

spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the hog died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
t_check "the hook ran" wait_log "^hook: hog gone" 10
SL=$(status_line)
t_check "a status line (SIGUSR1)" [ -n "$SL" ]
t_check "a reload (SIGHUP)" reload_bustd
kill -s TERM "$BUSTD_PID"
t_check "bustd exits on SIGTERM" t_wait_exit "$STRACE" 10
BUSTD_PID=

sed -n 's/^[0-9][0-9]* *\([a-z_0-9]*\)(.*/\1/p' "$T/trace" | sort -u \
    > "$T/made"
echo "# system calls made ($(wc -l < "$T/made")):" $(cat "$T/made")
t_check "strace saw bustd's system calls" [ -s "$T/made" ]
comm -23 "$T/made" "$T/allowed" > "$T/outside"
if [ -s "$T/outside" ]; then
	t_not_ok "every one is allowed by the unit's SystemCallFilter=" \
	    "outside it: $(tr '\n' ' ' < "$T/outside")"
	for c in $(cat "$T/outside"); do
		grep -m 3 "^[0-9]* *$c(" "$T/trace" | sed 's/^/#   /'
	done
else
	t_ok "every one is allowed by the unit's SystemCallFilter="
fi
for c in pidfd_open pidfd_send_signal process_mrelease mlockall prctl \
    ppoll socket; do
	t_check "$c was made (the trace saw the kill path)" \
	    grep -q -x "$c" "$T/made"
done
e2e_done
