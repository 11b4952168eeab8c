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
    grep -q -x 'psi_duration = 3s' "$out"
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

# A bad config stops the daemon before it starts.
t_start "$t_tmp/daemon-bad.log" "$BUSTD" -n -c "$conf/bad-values.conf"
if t_wait_exit "$t_pid" 5 && [ "$t_rc" -eq 2 ]; then
	t_ok "bustd -n with a bad config exits 2"
else
	t_not_ok "bustd -n with a bad config exits 2" "exit $t_rc"
fi

t_summary cli.sh
