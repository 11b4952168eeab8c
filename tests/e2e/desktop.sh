#!/bin/sh
# SPDX-License-Identifier: MIT
# desktop.sh: desktop = yes sends "bustd killed NAME (pid N) to free
# memory" to the victim owner's session bus, as that user; and before
# that, at mem_warn, "Memory is low: NAME uses SIZE and will be stopped
# first if memory runs out" to every session, in the words of the log.  The test runs
# a session dbus-daemon for a test user at /run/user/UID/bus and catches
# the org.freedesktop.Notifications.Notify call with dbus-monitor.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init desktop.sh 6144

for tool in dbus-daemon dbus-monitor notify-send setpriv useradd; do
	if ! command -v "$tool" > /dev/null; then
		echo "# desktop.sh: no $tool; skipped"
		exit 77
	fi
done
if [ ! -x "${NOTIFYD:-}" ]; then
	echo "# desktop.sh: no stand-in notification server (libdbus); skipped"
	exit 77
fi
mkdir -p "$T/tools"
cp "$NOTIFYD" "$T/tools/notifyd"

USER_NAME=bustd-e2e
if ! id "$USER_NAME" > /dev/null 2>&1; then
	useradd --system --no-create-home --shell /usr/sbin/nologin \
	    "$USER_NAME" || exit 99
	CREATED_USER=yes
fi
TUID=$(id -u "$USER_NAME")
TGID=$(id -g "$USER_NAME")
RUN=/run/user/$TUID
if [ ! -d "$RUN" ]; then
	mkdir -p "$RUN" && chown "$TUID:$TGID" "$RUN" && chmod 700 "$RUN" ||
	    exit 99
	CREATED_RUN=yes
fi
desktop_cleanup() {
	e2e_cleanup
	rm -f "$RUN/bus"
	[ "${CREATED_RUN:-}" = yes ] && rmdir "$RUN" 2>/dev/null
	[ "${CREATED_USER:-}" = yes ] && userdel "$USER_NAME" 2>/dev/null
}
trap desktop_cleanup EXIT

# setpriv execs the command: the pid the shell gets is the command's.
AS_USER="setpriv --reuid=$TUID --regid=$TGID --init-groups"

rm -f "$RUN/bus"
spawn BUS $AS_USER dbus-daemon --session --nofork --nopidfile \
    --address="unix:path=$RUN/bus"
i=0
while [ ! -S "$RUN/bus" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_check "the test user's session bus is up" [ -S "$RUN/bus" ]
# dbus-monitor records what reaches the bus; the stand-in server answers
# notify-send (a real one needs a display) and prints the caller's uid.
exec 3> "$T/monitor.log"
$AS_USER dbus-monitor --address "unix:path=$RUN/bus" \
    "interface='org.freedesktop.Notifications'" >&3 2>&1 9>&- &
MON=$!
t_pids="$t_pids $MON"
exec 4> "$T/notifyd.log"
$AS_USER "$T/tools/notifyd" "unix:path=$RUN/bus" 60 >&4 2>&1 9>&- &
NOTIFYD_PID=$!
t_pids="$t_pids $NOTIFYD_PID"
i=0
while ! grep -q ready "$T/notifyd.log" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_check "the stand-in notification server is up" grep -q ready "$T/notifyd.log"

AV=$(avail_kib)
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_warn = $((AV - 512 * 1024))K
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[only-kill]
exe = ^$T/bin/
[notify]
desktop = yes
warn_interval = 10m
CONF
start_bustd -v

spawn HOG $AS_USER "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the user's hog died (status $STATUS)" [ "$STATUS" = 143 ]
t_check "bustd ran notify-send for it" \
    wait_log "notify-send: started as pid [0-9]+" 5
i=0
while ! grep -q "bustd killed hog (pid $HOG) to free memory" \
    "$T/monitor.log" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_check "dbus-monitor saw the Notify call" \
    grep -q "member=Notify" "$T/monitor.log"
t_check "with the victim's name and pid" \
    grep -q "string \"bustd killed hog (pid $HOG) to free memory\"" \
    "$T/monitor.log"
t_check "sent as the user, not as root" \
    grep -q "^Notify uid=$TUID app=bustd summary=Out of memory body=bustd killed hog (pid $HOG) to free memory$" \
    "$T/notifyd.log"
grep -A8 "member=Notify" "$T/monitor.log" | sed 's/^/# monitor: /'

# The warning, before the kill, once, in the same words as the log's.
WARN=$(sed -n 's/^warning: \(Memory is low: hog uses .* and will be stopped first if memory runs out\) (.*/\1/p' "$T/bustd.log")
t_check "bustd logged one warning naming the hog" \
    [ "$(echo "$WARN" | grep -c 'Memory is low: hog uses')" = 1 ]
t_check "the warning came before the kill" \
    [ "$(grep -n 'Memory is low' "$T/bustd.log" | cut -d: -f1)" -lt \
      "$(grep -n 'sending SIGTERM' "$T/bustd.log" | cut -d: -f1)" ]
t_check "the session got the warning, in the log's words" \
    grep -q "^Notify uid=$TUID app=bustd summary=Memory is low body=$WARN$" \
    "$T/notifyd.log"
t_check "dbus-monitor saw it" \
    grep -q "string \"$WARN\"" "$T/monitor.log"
echo "# warning: $WARN"
t_check "bustd survived" t_running "$BUSTD_PID"
kill -s TERM "$MON" "$BUS" "$NOTIFYD_PID" 2>/dev/null
e2e_done
