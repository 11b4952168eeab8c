#!/bin/sh
# SPDX-License-Identifier: MIT
# cli.sh: tests of bustd's command line, --check-config and --print-config.
#
# Run by make check with BUSTD, srcdir and top_srcdir in the environment.
# Config files come from $srcdir/tests/conf and are copied into a
# temporary folder with mode 600 first: as root, bustd refuses files that
# group or others can write, and a source tree may be read-only.

srcdir=${srcdir:-.}
top_srcdir=${top_srcdir:-$srcdir}
BUSTD=${BUSTD:-./src/bustd}

. "$srcdir/tests/lib.sh"

srcdir=$(t_abs "$srcdir")
top_srcdir=$(t_abs "$top_srcdir")
case $BUSTD in
/*) ;;
*) BUSTD=$(t_abs "$(dirname "$BUSTD")")/$(basename "$BUSTD") ;;
esac
confdir=$srcdir/tests/conf

if [ ! -x "$BUSTD" ]; then
	echo "cli.sh: $BUSTD: not an executable" >&2
	exit 99
fi

t_tmpdir
# The daemons started here lock $RUNTIME_DIRECTORY/bustd.pid: the test's
# own, never /run/bustd.pid of a bustd that runs on this machine.
RUNTIME_DIRECTORY=$t_tmp/run
export RUNTIME_DIRECTORY
mkdir "$RUNTIME_DIRECTORY" || exit 99
cp -R "$confdir" "$t_tmp/conf" || exit 99
find "$t_tmp/conf" -type d -exec chmod 700 {} + || exit 99
find "$t_tmp/conf" -type f -exec chmod 600 {} + || exit 99
conf=$t_tmp/conf
out=$t_tmp/out
err=$t_tmp/err
empty=$t_tmp/empty
: >"$empty"

# bustd run from the config folder, so that messages name "FILE:LINE".
bustd_in_conf()
{
	(cd "$conf" && exec "$BUSTD" "$@")
}

# --- --version and --help ---

version=$(sed -n 's/^AC_INIT(\[bustd\], *\[\([^]]*\)\].*/\1/p' \
    "$top_srcdir/configure.ac")
t_run "$out" "$err" "$BUSTD" --version
echo "bustd $version" >"$t_tmp/want"
if [ "$t_rc" -eq 0 ] && [ -n "$version" ] && cmp -s "$t_tmp/want" "$out"
then
	t_ok "--version prints 'bustd $version'"
else
	t_not_ok "--version prints 'bustd $version'" "exit $t_rc, got: \
$(cat "$out")"
fi

# Every long option in main.c's table must be in --help.
longopts=$(sed -n 's/^[[:space:]]*{ *"\([a-z][a-z-]*\)", *[a-z_]*_argument,.*/\1/p' \
    "$top_srcdir/src/main.c")
t_run "$out" "$err" "$BUSTD" --help
nopts=0
missing=
for opt in $longopts; do
	nopts=$((nopts + 1))
	if ! grep -E -q -e "--$opt([^a-z-]|\$)" "$out"; then
		missing="$missing --$opt"
	fi
done
if [ "$t_rc" -eq 0 ] && [ "$nopts" -ge 5 ] && [ -z "$missing" ]; then
	t_ok "--help lists all $nopts long options of main.c"
else
	t_not_ok "--help lists all long options of main.c" \
	    "exit $t_rc, $nopts options found, missing:$missing"
fi
t_run "$t_tmp/out2" "$err" "$BUSTD" -h
if [ "$t_rc" -eq 0 ] && cmp -s "$out" "$t_tmp/out2"; then
	t_ok "-h prints the same as --help"
else
	t_not_ok "-h prints the same as --help" "exit $t_rc"
fi

# --- Usage errors ---

for args in "--bogus" "-x" "--check-config stray" "-c"; do
	# shellcheck disable=SC2086 # split on purpose
	t_run "$out" "$err" "$BUSTD" $args
	if [ "$t_rc" -eq 2 ] && [ -s "$err" ] && [ ! -s "$out" ]; then
		t_ok "'bustd $args' exits 2 with a message"
	else
		t_not_ok "'bustd $args' exits 2 with a message" "exit $t_rc"
	fi
done
t_start "$t_tmp/stray.log" "$BUSTD" -n "$conf/daemon.conf"
if t_wait_exit "$t_pid" 5 && [ "$t_rc" -eq 2 ]; then
	t_ok "a stray argument to the daemon exits 2 at once"
else
	t_not_ok "a stray argument to the daemon exits 2 at once" "exit $t_rc"
fi
# Two one-shot modes at once: which one ran was the last one's choice.
for pair in "--check-config --list" "--list --print-config" \
    "--print-config --check-config"; do
	# shellcheck disable=SC2086 # split on purpose
	t_run "$out" "$err" "$BUSTD" $pair -c "$conf/good-minimal.conf"
	first=${pair% *}
	second=${pair#* }
	if [ "$t_rc" -eq 2 ] && [ ! -s "$out" ] &&
	    grep -F -q -e "$first" "$err" && grep -F -q -e "$second" "$err"
	then
		t_ok "'bustd $pair' exits 2, naming both"
	else
		t_not_ok "'bustd $pair' exits 2, naming both" "exit $t_rc" \
		    "$(cat "$err")" "stdout: $(head -n 1 "$out")"
	fi
done
t_run "$out" "$err" "$BUSTD" --check-config --check-config \
    -c "$conf/good-minimal.conf"
t_check "the same mode twice is no conflict" [ "$t_rc" -eq 0 ]

# --help says in plain words where the drop-ins are.
t_run "$out" "$err" "$BUSTD" --help
default=$(sed -n 's/.*(default \([^)]*\)).*/\1/p' "$out" | head -n 1)
dropins=${default%.conf}.d/*.conf
if [ -n "$default" ] && grep -F -q "drop-ins: FILE.d/*.conf" "$out" &&
    grep -F -q "$dropins" "$out"; then
	t_ok "--help names the drop-ins, $dropins"
else
	t_not_ok "--help names the drop-ins, $dropins" \
	    "$(grep -A2 -e '-c, ' "$out" | tr -s '\n ' ' ')"
fi

t_run "$out" "$err" "$BUSTD" --check-config -p 101 -c "$conf/good-minimal.conf"
t_check "-p 101 exits 2" [ "$t_rc" -eq 2 ]
t_run "$out" "$err" "$BUSTD" --check-config -p half \
    -c "$conf/good-minimal.conf"
t_check "-p half exits 2" [ "$t_rc" -eq 2 ]

t_run "$out" "$err" "$BUSTD" --check-config -c "$t_tmp/missing.conf"
if [ "$t_rc" -eq 2 ] && grep -F -q "$t_tmp/missing.conf" "$err"; then
	t_ok "a missing -c file exits 2 and is named"
else
	t_not_ok "a missing -c file exits 2 and is named" "exit $t_rc: \
$(cat "$err")"
fi
t_run "$out" "$err" "$BUSTD" --check-config -c "$conf/good-dropins.d"
t_check "a folder as -c file exits 2" [ "$t_rc" -eq 2 ]

# --- --check-config ---

for f in "$conf"/good-*.conf; do
	name=$(basename "$f")
	t_run "$out" "$err" "$BUSTD" --check-config -c "$f"
	if [ "$t_rc" -eq 0 ] && [ ! -s "$out" ] && [ ! -s "$err" ]; then
		t_ok "--check-config $name: silent, exit 0"
	else
		t_not_ok "--check-config $name: silent, exit 0" "exit $t_rc" \
		    "$(cat "$out" "$err")"
	fi
done

# CRLF line ends and a byte order mark, made here so no tool converts them.
printf '\357\273\277' >"$conf/crlf.conf"
awk '{ printf "%s\r\n", $0 }' "$conf/good-full.conf" >>"$conf/crlf.conf"
chmod 600 "$conf/crlf.conf"
t_run "$out" "$err" "$BUSTD" --check-config -c "$conf/crlf.conf"
if [ "$t_rc" -eq 0 ] && [ ! -s "$err" ]; then
	t_ok "--check-config takes CRLF and a byte order mark"
else
	t_not_ok "--check-config takes CRLF and a byte order mark" \
	    "exit $t_rc" "$(cat "$err")"
fi
t_run "$out" "$err" "$BUSTD" --print-config -c "$conf/crlf.conf"
t_run "$t_tmp/out2" "$err" "$BUSTD" --print-config -c "$conf/good-full.conf"
t_same "CRLF and LF files give the same policy" "$out" "$t_tmp/out2"

for want in "$conf"/bad-*.err; do
	name=$(basename "$want" .err).conf
	t_run "$out" "$err" bustd_in_conf --check-config -c "$name"
	if [ "$t_rc" -eq 2 ] && [ ! -s "$out" ]; then
		t_same "--check-config $name: exit 2, the expected errors" \
		    "$want" "$err"
	else
		t_not_ok "--check-config $name: exit 2, the expected errors" \
		    "exit $t_rc" "$(cat "$out" "$err")"
	fi
	t_run "$out" "$t_tmp/err2" bustd_in_conf --print-config -c "$name"
	if [ "$t_rc" -eq 2 ] && [ ! -s "$out" ] && cmp -s "$err" "$t_tmp/err2"
	then
		t_ok "--print-config $name: exit 2, nothing printed"
	else
		t_not_ok "--print-config $name: exit 2, nothing printed" \
		    "exit $t_rc"
	fi
done

# The text of a regex error is the C library's: check the rest.
t_run "$out" "$err" bustd_in_conf --check-config -c bad-regex.conf
if [ "$t_rc" -eq 2 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
    grep -F -q "bad-regex.conf:4: exe: bad regular expression \
'^/usr/(s?bin/foo\$': " "$err"; then
	t_ok "--check-config bad-regex.conf: exit 2, line 4 named"
else
	t_not_ok "--check-config bad-regex.conf: exit 2, line 4 named" \
	    "exit $t_rc" "$(cat "$err")"
fi

# --- --print-config ---

for f in "$conf"/good-*.conf; do
	name=$(basename "$f")
	t_run "$out" "$err" "$BUSTD" --print-config -c "$f"
	if [ "$t_rc" -ne 0 ] || [ -s "$err" ] || [ ! -s "$out" ]; then
		t_not_ok "--print-config $name" "exit $t_rc" "$(cat "$err")"
		continue
	fi
	cp "$out" "$t_tmp/printed.conf" && chmod 600 "$t_tmp/printed.conf"
	t_run "$t_tmp/out2" "$err" "$BUSTD" --print-config \
	    -c "$t_tmp/printed.conf"
	if [ "$t_rc" -eq 0 ]; then
		t_same "--print-config $name reads back the same" \
		    "$out" "$t_tmp/out2"
	else
		t_not_ok "--print-config $name reads back the same" \
		    "exit $t_rc" "$(cat "$err")"
	fi
done

# Drop-ins, the profile and the file, merged.
t_run "$out" "$err" "$BUSTD" --print-config -c "$conf/good-dropins.conf"
t_check "--print-config: drop-ins win over the file, last one last" \
    grep -q -x 'cooldown = 30s' "$out"
t_check "--print-config: a drop-in wins over the profile" \
    grep -q -x 'mem_term = 8%' "$out"
t_check "--print-config: the profile fills the rest" \
    grep -q -x 'thrash_cutoff = 20' "$out"
t_check "--print-config: drop-in rules add to the profile's" \
    grep -F -q -x 'exe = ^/usr/local/sbin/keeper$' "$out"

# Command-line values override the file.
t_run "$out" "$err" "$BUSTD" --print-config -c "$conf/good-override.conf"
if grep -q -x 'psi_cutoff = 50' "$out" &&
    grep -q -x 'unit = process' "$out" &&
    grep -q -x 'dry_run = no' "$out"; then
	t_ok "--print-config shows the file's values"
else
	t_not_ok "--print-config shows the file's values"
fi
for args in "-p 30 -g --dry-run" "--psi=30 --process-group --dry-run" \
    "--dry-run --psi 30.00 -g"; do
	# shellcheck disable=SC2086 # split on purpose
	t_run "$out" "$err" "$BUSTD" --print-config $args \
	    -c "$conf/good-override.conf"
	if [ "$t_rc" -eq 0 ] && grep -q -x 'psi_cutoff = 30' "$out" &&
	    grep -q -x 'unit = group' "$out" &&
	    grep -q -x 'dry_run = yes' "$out"; then
		t_ok "'$args' override the file in --print-config"
	else
		t_not_ok "'$args' override the file in --print-config" \
		    "exit $t_rc" "$(grep -E \
		    '^(psi_cutoff|unit|dry_run) ' "$out")"
	fi
done
t_run "$out" "$err" "$BUSTD" --print-config -p 12.5 \
    -c "$conf/good-override.conf"
t_check "-p takes decimals" grep -q -x 'psi_cutoff = 12.5' "$out"

# --- --list ---

# A sleeper that both [prefer] and [avoid] match: +300 and -300 cancel,
# and its row names both rules that moved the score.
cp /bin/sleep "$t_tmp/list-sleeper" || exit 99
t_start "$t_tmp/sleeper.log" "$t_tmp/list-sleeper" 60
sleeper=$t_pid
cat >"$t_tmp/list.conf" <<LIST
[general]
profile = none
[prefer]
name = ^list-sleeper$
[avoid]
exe = /list-sleeper$
LIST
chmod 600 "$t_tmp/list.conf"
t_run "$out" "$err" "$BUSTD" --list -c "$t_tmp/list.conf"
row=$(awk -v p="$sleeper" '$1 == p' "$out")
want="[prefer] name = ^list-sleeper\$ ($t_tmp/list.conf:4), [avoid] exe = \
/list-sleeper\$ ($t_tmp/list.conf:6)"
case $row in
*"$want")
	t_ok "--list names every rule that moved a score" ;;
*)
	t_not_ok "--list names every rule that moved a score" \
	    "exit $t_rc, row: $row" ;;
esac
score=$(echo "$row" | awk '{ print $3 }')
oom=$(echo "$row" | awk '{ print $4 }')
t_check "+300 and -300 cancel (score $score, oom_score $oom)" \
    [ "${score:-none}" = "${oom:-unknown}" ]
t_check "--list without -v counts what is not a candidate" \
    grep -q '^# not candidates: 1 pid 1; 1 bustd itself;' "$out"
t_check "--list without -v names none of them" \
    [ -z "$(grep '^# *1 ' "$out")" ]
t_run "$out" "$err" "$BUSTD" --list -v -c "$t_tmp/list.conf"
t_check "--list -v says why pid 1 is not a candidate" \
    grep -E -q '^# +1 .* pid 1$' "$out"
t_check "--list -v says bustd itself is not a candidate" \
    grep -E -q '^# +[0-9]+ bustd +bustd itself$' "$out"
if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
	t_check "--list -v says why kthreadd is not a candidate" \
	    grep -E -q '^# +2 kthreadd +kernel thread$' "$out"
else
	t_skipped "--list -v says why kthreadd is not a candidate" \
	    "no kthreadd in this pid namespace"
fi
kill "$sleeper" 2>/dev/null

# --- Ownership and modes: only root is that strict ---

if [ "$(id -u)" -eq 0 ]; then
	cp "$conf/good-minimal.conf" "$t_tmp/open.conf"
	chmod 666 "$t_tmp/open.conf"
	t_run "$out" "$err" "$BUSTD" --check-config -c "$t_tmp/open.conf"
	if [ "$t_rc" -eq 2 ] && grep -F -q "$t_tmp/open.conf: " "$err"; then
		t_ok "as root, a file with mode 0666 is refused and named"
	else
		t_not_ok "as root, a file with mode 0666 is refused and named" \
		    "exit $t_rc" "$(cat "$err")"
	fi
	cp "$conf/good-minimal.conf" "$t_tmp/nobody.conf"
	chmod 600 "$t_tmp/nobody.conf"
	chown 65534 "$t_tmp/nobody.conf"
	t_run "$out" "$err" "$BUSTD" --check-config -c "$t_tmp/nobody.conf"
	if [ "$t_rc" -eq 2 ] && grep -F -q "$t_tmp/nobody.conf: " "$err"; then
		t_ok "as root, a file owned by uid 65534 is refused and named"
	else
		t_not_ok "as root, a file owned by uid 65534 is refused and \
named" "exit $t_rc" "$(cat "$err")"
	fi
	mkdir "$t_tmp/open.d"
	chmod 777 "$t_tmp/open.d"
	chmod 600 "$t_tmp/open.conf"
	t_run "$out" "$err" "$BUSTD" --check-config -c "$t_tmp/open.conf"
	if [ "$t_rc" -eq 2 ] && grep -F -q "$t_tmp/open.d: " "$err"; then
		t_ok "as root, a drop-in folder with mode 0777 is refused"
	else
		t_not_ok "as root, a drop-in folder with mode 0777 is refused" \
		    "exit $t_rc" "$(cat "$err")"
	fi
else
	t_skipped "as root, a file with mode 0666 is refused" "not root"
	t_skipped "as root, a file owned by another uid is refused" "not root"
	t_skipped "as root, a drop-in folder with mode 0777 is refused" \
	    "not root"
fi

# --- The daemon in the foreground ---

# daemon.conf can never act: no memory level is ever at or below 0, PSI
# is off, and only a process whose exe is under /nonexistent/ could be a
# victim.  Only the start-up line and a clean exit are checked.
daemon_stops_on()
{
	d_sig=$1
	d_log=$t_tmp/daemon-$d_sig.log
	d_line="running with $conf/daemon.conf (profile server)"

	t_start "$d_log" "$BUSTD" -n -c "$conf/daemon.conf"
	d_pid=$t_pid
	if t_wait_text "$d_log" "$d_line" 5; then
		t_ok "bustd -n logs 'running with FILE (profile server)' \
(SIG$d_sig run)"
	else
		t_not_ok "bustd -n logs 'running with FILE (profile server)' \
(SIG$d_sig run)" "$(cat "$d_log")"
	fi
	# Named bustd, as pgrep -x, ps -C, top and the kernel's OOM
	# report look for it (not "exe", as a re-run through
	# /proc/self/exe would name it).
	d_comm=$(cat "/proc/$d_pid/comm" 2>/dev/null)
	if [ "$d_comm" = bustd ] &&
	    pgrep -x bustd | grep -qx "$d_pid"; then
		t_ok "the running daemon is named bustd (SIG$d_sig run)"
	else
		t_not_ok "the running daemon is named bustd (SIG$d_sig run)" \
		    "comm '$d_comm'; pgrep -x bustd: $(pgrep -x bustd | tr '\n' ' ')"
	fi
	kill -s "$d_sig" "$d_pid" 2>/dev/null
	if t_wait_exit "$d_pid" 5 && [ "$t_rc" -eq 0 ]; then
		t_ok "bustd -n exits 0 on SIG$d_sig"
	else
		t_not_ok "bustd -n exits 0 on SIG$d_sig" "exit $t_rc" \
		    "$(cat "$d_log")"
	fi
}

daemon_stops_on TERM
daemon_stops_on INT

# --- One bustd at a time ---

lock=$RUNTIME_DIRECTORY/bustd.pid

# detached_pid: the daemon a detached start left running, if any, from
# the lock file; remembered for the cleanup, which kills it by its pid.
detached_pid()
{
	[ -f "$lock" ] || return 1
	dp_pid=$(cat "$lock" 2>/dev/null)
	case $dp_pid in
	'' | *[!0-9]*) return 1 ;;
	esac
	t_pids="$t_pids $dp_pid"
	echo "$dp_pid"
}

t_start "$t_tmp/first.log" "$BUSTD" -n -c "$conf/daemon.conf"
first=$t_pid
if t_wait_text "$t_tmp/first.log" "running with" 5 &&
    [ "$(cat "$lock" 2>/dev/null)" = "$first" ]; then
	t_ok "bustd -n locks \$RUNTIME_DIRECTORY/bustd.pid, its pid in it"
else
	t_not_ok "bustd -n locks \$RUNTIME_DIRECTORY/bustd.pid, its pid in it" \
	    "pid $first, $lock: $(cat "$lock" 2>&1)"
fi
t_start "$t_tmp/second.log" "$BUSTD" -n -c "$conf/daemon.conf"
if t_wait_exit "$t_pid" 5 && [ "$t_rc" -eq 1 ] && grep -F -q \
    "another bustd is running (pid $first)" "$t_tmp/second.log"; then
	t_ok "a second bustd -n exits 1: another bustd is running (pid N)"
else
	t_not_ok "a second bustd -n exits 1: another bustd is running (pid N)" \
	    "exit $t_rc" "$(cat "$t_tmp/second.log")"
fi
t_run "$out" "$err" timeout 20 "$BUSTD" -c "$conf/daemon.conf"
if [ "$t_rc" -eq 1 ] &&
    grep -F -q "another bustd is running (pid $first)" "$err"; then
	t_ok "a detached one beside it exits 1, and says why on stderr"
else
	t_not_ok "a detached one beside it exits 1, and says why on stderr" \
	    "exit $t_rc" "$(cat "$err")"
fi
t_start "$t_tmp/dry.log" "$BUSTD" -n --dry-run -c "$conf/daemon.conf"
dry=$t_pid
if t_wait_text "$t_tmp/dry.log" "running with" 5 &&
    grep -F -q "another bustd is running (pid $first)" "$t_tmp/dry.log" &&
    [ "$(cat "$lock" 2>/dev/null)" = "$first" ]; then
	t_ok "--dry-run runs beside it, says so, and leaves the lock alone"
else
	t_not_ok "--dry-run runs beside it, says so, and leaves the lock alone" \
	    "$lock: $(cat "$lock" 2>&1)" "$(cat "$t_tmp/dry.log")"
fi
kill -s TERM "$dry" 2>/dev/null
t_wait_exit "$dry" 5
kill -s TERM "$first" 2>/dev/null
if t_wait_exit "$first" 5 && [ "$t_rc" -eq 0 ] && [ ! -e "$lock" ]; then
	t_ok "bustd -n removes its lock file when it exits"
else
	t_not_ok "bustd -n removes its lock file when it exits" "exit $t_rc" \
	    "$(ls -l "$lock" 2>&1)"
fi

# systemd's RUNTIME_DIRECTORY may list several folders: the first is ours.
mkdir "$t_tmp/run2"
t_start "$t_tmp/run2.log" env RUNTIME_DIRECTORY="$t_tmp/run2:$t_tmp/run3" \
    "$BUSTD" -n -c "$conf/daemon.conf"
if t_wait_text "$t_tmp/run2.log" "running with" 5 &&
    [ "$(cat "$t_tmp/run2/bustd.pid" 2>/dev/null)" = "$t_pid" ]; then
	t_ok "RUNTIME_DIRECTORY=A:B: the lock is A/bustd.pid"
else
	t_not_ok "RUNTIME_DIRECTORY=A:B: the lock is A/bustd.pid" \
	    "$(cat "$t_tmp/run2.log")"
fi
kill -s TERM "$t_pid" 2>/dev/null
t_wait_exit "$t_pid" 5

# No folder to lock in: -n warns and runs on; a detached start fails.
t_start "$t_tmp/nolock.log" env RUNTIME_DIRECTORY="$t_tmp/none" \
    "$BUSTD" -n -c "$conf/daemon.conf"
if t_wait_text "$t_tmp/nolock.log" "running with" 5 &&
    grep -F -q "warning: cannot lock $t_tmp/none/bustd.pid" \
    "$t_tmp/nolock.log"; then
	t_ok "bustd -n with no folder for its lock warns and runs on"
else
	t_not_ok "bustd -n with no folder for its lock warns and runs on" \
	    "$(cat "$t_tmp/nolock.log")"
fi
kill -s TERM "$t_pid" 2>/dev/null
t_wait_exit "$t_pid" 5
t_run "$out" "$err" timeout 20 env RUNTIME_DIRECTORY="$t_tmp/none" \
    "$BUSTD" -c "$conf/daemon.conf"
if [ "$t_rc" -eq 1 ] && grep -F -q "$t_tmp/none/bustd.pid" "$err"; then
	t_ok "a detached bustd with no folder for its lock exits 1, naming it"
else
	t_not_ok "a detached bustd with no folder for its lock exits 1, \
naming it" "exit $t_rc" "$(cat "$err")"
	detached_pid > /dev/null
fi

# A config with errors at start: every error is said, and the daemon runs
# on the fallback (the profile the file names, its valid rules) rather
# than leave the machine without an OOM killer.  --dry-run as well: the
# fallback keeps the command line.
cp "$conf/fallback.conf" "$t_tmp/fallback.conf"
chmod 600 "$t_tmp/fallback.conf"
t_start "$t_tmp/daemon-bad.log" "$BUSTD" -n --dry-run -c "$t_tmp/fallback.conf"
fb_pid=$t_pid
if t_wait_text "$t_tmp/daemon-bad.log" "running with" 5 &&
    grep -q "fallback.conf:9: mem_term: bad value 'lots'" \
    "$t_tmp/daemon-bad.log" &&
    grep -q "fallback.conf:12: exe: bad regular expression" \
    "$t_tmp/daemon-bad.log" &&
    grep -q "fallback.conf has errors: running on the fallback policy (profile server" \
    "$t_tmp/daemon-bad.log" &&
    grep -q "profile server, fallback: the file has errors" \
    "$t_tmp/daemon-bad.log"; then
	t_ok "bustd -n with a bad config runs on its fallback, saying why"
else
	t_not_ok "bustd -n with a bad config runs on its fallback, saying why" \
	    "$(cat "$t_tmp/daemon-bad.log")"
fi
kill -s TERM "$fb_pid" 2>/dev/null
if t_wait_exit "$fb_pid" 5 && [ "$t_rc" -eq 0 ]; then
	t_ok "the fallback daemon exits 0 on SIGTERM"
else
	t_not_ok "the fallback daemon exits 0 on SIGTERM" "exit $t_rc"
fi
# --check-config still fails on it.
"$BUSTD" --check-config -c "$t_tmp/fallback.conf" >/dev/null 2>&1
t_check "--check-config exits 2 on the same file" [ $? -eq 2 ]

# A user that does not exist yet: a warning, and the file is good.
printf '[never-kill]\nuser = no-such-user-bustd\n' > "$t_tmp/user.conf"
chmod 600 "$t_tmp/user.conf"
uw=$("$BUSTD" --check-config -c "$t_tmp/user.conf" 2>&1)
uw_rc=$?
if [ "$uw_rc" -eq 0 ] && [ "$uw" = "warning: $t_tmp/user.conf:2: user: unknown user 'no-such-user-bustd': the rule matches nobody until a reload finds the user" ]; then
	t_ok "--check-config warns of an unknown user and exits 0"
else
	t_not_ok "--check-config warns of an unknown user and exits 0" \
	    "exit $uw_rc" "$uw"
fi

# The fallback's metrics say that the file failed, until a good reload;
# a reload to a level above the machine is refused with its line.
sed '/^log = stderr$/a metrics_file = '"$t_tmp"'/fb.prom' \
    "$conf/fallback.conf" > "$t_tmp/fb.conf"
chmod 600 "$t_tmp/fb.conf"
t_start "$t_tmp/fb.log" "$BUSTD" -n --dry-run -c "$t_tmp/fb.conf"
fb_pid=$t_pid
t_check "a fallback start exports bustd_config_last_reload_successful 0" \
    t_wait_text "$t_tmp/fb.prom" "bustd_config_last_reload_successful 0" 8
grep -v -e '^mem_term = lots$' -e '^exe = (x)' "$t_tmp/fb.conf" \
    > "$t_tmp/fb.new" && cat "$t_tmp/fb.new" > "$t_tmp/fb.conf"
kill -s HUP "$fb_pid"
t_check "a good reload then sets it to 1" \
    t_wait_text "$t_tmp/fb.prom" "bustd_config_last_reload_successful 1" 8
sed -i 's/^\[thresholds\]$/[thresholds]\nmem_term = 100000G/' "$t_tmp/fb.conf"
line=$(grep -n '^mem_term = 100000G$' "$t_tmp/fb.conf" | cut -d: -f1)
kill -s HUP "$fb_pid"
if t_wait_text "$t_tmp/fb.log" "reload failed: keeping the previous policy" 5 &&
    grep -q "fb.conf:$line: mem_term (100000G) is at or above this machine's memory" \
    "$t_tmp/fb.log"; then
	t_ok "a reload with mem_term above the machine is refused, with its line"
else
	t_not_ok "a reload with mem_term above the machine is refused, with \
its line" "$(cat "$t_tmp/fb.log")"
fi
kill -s TERM "$fb_pid"
t_wait_exit "$fb_pid" 5

# The unknown user is looked up again at a reload: once it exists, the
# rule loads without the warning.
if [ "$(id -u)" -ne 0 ] || ! command -v useradd > /dev/null; then
	t_skipped "a reload finds a user created since the start" \
	    "not root, or no useradd"
else
	nu=bustd-t$$
	sed "s/no-such-user-bustd/$nu/" "$t_tmp/user.conf" > "$t_tmp/user2.conf"
	chmod 600 "$t_tmp/user2.conf"
	t_start "$t_tmp/user.log" "$BUSTD" -n --dry-run -c "$t_tmp/user2.conf"
	u_pid=$t_pid
	t_wait_text "$t_tmp/user.log" "running with" 5
	useradd --system --no-create-home --shell /usr/sbin/nologin "$nu"
	kill -s HUP "$u_pid"
	t_wait_text "$t_tmp/user.log" "reloaded $t_tmp/user2.conf" 5
	n=$(grep -c "unknown user '$nu'" "$t_tmp/user.log")
	userdel "$nu"
	t_check "a reload finds a user created since the start ($n warning)" \
	    [ "$n" = 1 ]
	kill -s TERM "$u_pid"
	t_wait_exit "$u_pid" 5
fi

# The rule limit bounds what a policy costs: a megabyte of the longest
# regular expressions a line can hold is refused at once, with one error
# and a count; 1024 of them, the most allowed, load in 128 MiB of
# address space (bustd.conf(5) gives the figures).
awk 'BEGIN { print "[general]\nprofile = none\n[avoid]"
	for (i = 0; i < 5800; i++) {
		l = "cmdline = ^" i
		for (j = 0; j < 18; j++) l = l "[a-z" j % 10 "]+q" i % 10
		print substr(l, 1, 190) "$" } }' > "$t_tmp/rules.conf"
chmod 600 "$t_tmp/rules.conf"
"$BUSTD" --check-config -c "$t_tmp/rules.conf" > "$t_tmp/rules.out" 2>&1
rc=$?
t_check "a megabyte of rules ($(wc -c < "$t_tmp/rules.conf") bytes) is refused: \
exit $rc, $(wc -l < "$t_tmp/rules.out") lines" eval '[ "$rc" = 2 ] &&
    [ "$(wc -l < "$t_tmp/rules.out")" = 2 ] &&
    grep -q "rules.conf:1028: too many rules (the limit is 1024" "$t_tmp/rules.out" &&
    grep -q "rules.conf: 4776 rule lines in all past the limit of 1024" "$t_tmp/rules.out"'
head -n 1027 "$t_tmp/rules.conf" > "$t_tmp/rules1024.conf"
chmod 600 "$t_tmp/rules1024.conf"
if [ "${BUSTD_SANITIZED:-}" = yes ] || ! command -v prlimit > /dev/null; then
	t_skipped "1024 of the longest rules load in 128 MiB of address space" \
	    "a sanitizer build, or no prlimit"
else
	prlimit --as=$((128 << 20)) "$BUSTD" --check-config \
	    -c "$t_tmp/rules1024.conf" > "$t_tmp/rules.out" 2>&1
	t_check "1024 of the longest rules load in 128 MiB of address space \
(exit $?)" [ ! -s "$t_tmp/rules.out" ]
fi

# --- Priorities ---

# A dry run that decides at once: mem_term is all of RAM, and the only
# candidate is a sleep(1) of the test's own.  Nothing is signalled.
mkdir "$t_tmp/bin"
cp /bin/sleep "$t_tmp/bin/sleeper"
t_start "$t_tmp/sleeper.log" "$t_tmp/bin/sleeper" 60
sleeper=$t_pid
cat > "$conf/decide.conf" <<CONF
[general]
profile = none
dry_run = yes
[thresholds]
mem_term = 100%
mem_kill = 0
swap_term = 100%
swap_kill = 0
psi_metric = off
[only-kill]
exe = ^$t_tmp/bin/
CONF
chmod 600 "$conf/decide.conf"
kill_line="pid $sleeper (sleeper) uid $(id -u) ($(id -un)): dry run, would send SIG"

# With stderr the journal's stream (JOURNAL_STREAM names its device and
# inode), each line starts with its priority, as sd-daemon(3) says.
: > "$t_tmp/journal.log"
js=$(stat -c '%d:%i' "$t_tmp/journal.log")
t_start "$t_tmp/journal.log" env JOURNAL_STREAM="$js" \
    "$BUSTD" -n --dry-run -c "$conf/decide.conf"
jpid=$t_pid
if t_wait_text "$t_tmp/journal.log" "$kill_line" 5; then
	t_ok "a dry-run kill line in the journal's stream"
else
	t_not_ok "a dry-run kill line in the journal's stream" \
	    "$(cat "$t_tmp/journal.log")"
fi
t_check "the kill line is <4> (warning)" \
    grep -F -q "<4>$kill_line" "$t_tmp/journal.log"
t_check "the start line is <6> (info)" \
    grep -q "^<6>bustd $version running with" "$t_tmp/journal.log"
printf '[thresholds]\nmem_term = lots\n' >> "$conf/decide.conf"
kill -s HUP "$jpid"
t_check "a failed reload is <3> (error)" t_wait_text "$t_tmp/journal.log" \
    "<3>reload failed: keeping the previous policy" 5
kill -s TERM "$jpid"
t_wait_exit "$jpid" 5
if grep -v -q '^<[0-7]>' "$t_tmp/journal.log" ||
    grep -E -q '^<[0-7]>(warning|error): ' "$t_tmp/journal.log"; then
	t_not_ok "every line has a <N> prefix, and no warning:/error: word" \
	    "$(grep -v '^<[0-7]>' "$t_tmp/journal.log" | head -n 1)"
else
	t_ok "every line has a <N> prefix, and no warning:/error: word"
fi

# JOURNAL_STREAM of another stream (inherited, say): plain lines.
sed -i '$d' "$conf/decide.conf"
sed -i '$d' "$conf/decide.conf"
t_start "$t_tmp/plain.log" env JOURNAL_STREAM=1:1 \
    "$BUSTD" -n --dry-run -c "$conf/decide.conf"
if t_wait_text "$t_tmp/plain.log" "$kill_line" 5 &&
    grep -q "^$kill_line" "$t_tmp/plain.log" &&
    ! grep -q '^<[0-7]>' "$t_tmp/plain.log"; then
	t_ok "not the journal's stream: the kill line plain, no <N>"
else
	t_not_ok "not the journal's stream: the kill line plain, no <N>" \
	    "$(cat "$t_tmp/plain.log")"
fi
kill -s TERM "$t_pid"
t_wait_exit "$t_pid" 5
kill -s TERM "$sleeper"
t_wait_exit "$sleeper" 5

# The status line says in words why PSI was not read.
if [ -r /proc/pressure/memory ]; then
	sed -e 's/^psi_metric = off$/psi_metric = some_avg10/' \
	    -e 's/^mem_term = 0$/mem_term = 0\npsi_mem_gate = 0/' \
	    "$conf/daemon.conf" > "$conf/psi.conf"
	chmod 600 "$conf/psi.conf"
	t_start "$t_tmp/psi.log" "$BUSTD" -n -c "$conf/psi.conf"
	if t_wait_text "$t_tmp/psi.log" "start: " 5 && grep -F -q \
	    "PSI not read (MemAvailable above psi_mem_gate)," "$t_tmp/psi.log"
	then
		t_ok "status: 'PSI not read (MemAvailable above psi_mem_gate)'"
	else
		t_not_ok "status: 'PSI not read (MemAvailable above \
psi_mem_gate)'" "$(grep 'start: ' "$t_tmp/psi.log")"
	fi
	kill -s TERM "$t_pid"
	t_wait_exit "$t_pid" 5
else
	t_skipped "status: 'PSI not read (MemAvailable above psi_mem_gate)'" \
	    "no /proc/pressure/memory"
fi

# --- Detaching ---

# wait_gone PID SECONDS: true once PID, not a child of this shell, is gone.
wait_gone()
{
	wg_n=$(($2 * t_ticks))
	while [ "$wg_n" -gt 0 ] && t_running "$1"; do
		sleep "$t_tick"
		wg_n=$((wg_n - 1))
	done
	! t_running "$1"
}

# The process started exits 0 only once the daemon is up: its pid in the
# lock file, in /, locked in RAM.  A file of the caller's is open on fd 7.
: > "$t_tmp/inherited"
t_run "$out" "$err" timeout 20 "$BUSTD" -c "$conf/daemon.conf" \
    7>> "$t_tmp/inherited"
bg=$(detached_pid)
if [ "$t_rc" -eq 0 ] && [ -n "$bg" ] && t_running "$bg" &&
    [ "$(readlink "/proc/$bg/cwd")" = / ]; then
	t_ok "a detached start exits 0, the daemon running, its pid locked"
else
	t_not_ok "a detached start exits 0, the daemon running, its pid locked" \
	    "exit $t_rc, pid '$bg'" "$(cat "$err")"
fi
locked=$(sed -n 's/^VmLck:[[:space:]]*\([0-9]*\) kB$/\1/p' \
    "/proc/$bg/status" 2>/dev/null)
if [ "${BUSTD_SANITIZED:-}" = yes ]; then
	t_skipped "it exits once the daemon has locked itself in RAM" \
	    "a sanitizer build (its shadow memory is not locked)"
elif grep -q "mlockall" "$err"; then
	t_skipped "it exits once the daemon has locked itself in RAM" \
	    "mlockall failed here"
else
	t_check "it exits once the daemon has locked itself in RAM \
(VmLck: ${locked:-none} kB)" [ "${locked:-0}" -gt 0 ]
fi
fds=$(for fd in "/proc/$bg/fd"/*; do
	printf '%s -> %s, ' "${fd##*/}" "$(readlink "$fd")"
done)
case $fds in
*"$t_tmp/inherited"*)
	t_not_ok "the daemon keeps no file descriptor it inherited" "$fds" ;;
*) t_ok "the daemon keeps no file descriptor it inherited" ;;
esac
if [ -n "$bg" ]; then
	kill -s TERM "$bg"
	wait_gone "$bg" 5
fi
t_check "the detached daemon exits on SIGTERM and removes its lock file" \
    [ ! -e "$lock" ]

# A relative -c FILE still names FILE at a reload, once the daemon is in
# /: the reloaded policy starts a metrics file.
mkdir "$t_tmp/rel"
cp "$conf/daemon.conf" "$t_tmp/rel/bustd.conf"
t_run "$out" "$err" sh -c 'cd "$1/rel" && exec timeout 20 "$2" -c bustd.conf' \
    sh "$t_tmp" "$BUSTD"
bg=$(detached_pid)
printf '[general]\nmetrics_file = %s/reloaded.prom\n' "$t_tmp" \
    >> "$t_tmp/rel/bustd.conf"
if [ "$t_rc" -eq 0 ] && [ -n "$bg" ] && kill -s HUP "$bg" &&
    t_wait_text "$t_tmp/reloaded.prom" "bustd_config_last_reload_successful 1" 5
then
	t_ok "a detached bustd started with a relative -c FILE reloads FILE"
else
	t_not_ok "a detached bustd started with a relative -c FILE reloads \
FILE" "exit $t_rc, pid '$bg'" "$(cat "$err")"
fi
if [ -n "$bg" ]; then
	kill -s TERM "$bg"
	wait_gone "$bg" 5
fi

# A failure after stdio went to /dev/null reaches the terminal too.
mkfifo "$lock"
t_run "$out" "$err" timeout 20 "$BUSTD" -c "$conf/daemon.conf"
if [ "$t_rc" -eq 1 ] && grep -F -q "error: cannot write $lock" "$err"; then
	t_ok "a failure once detached: exit 1, the error on stderr"
else
	t_not_ok "a failure once detached: exit 1, the error on stderr" \
	    "exit $t_rc" "$(cat "$err")"
	detached_pid > /dev/null
fi
rm -f "$lock"

t_summary cli.sh
