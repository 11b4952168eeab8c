#!/bin/sh
# SPDX-License-Identifier: MIT
# attack_names.sh: an unprivileged user's hogs named with a newline that
# forges a log line, printf directives, shell syntax, ANSI and other
# control bytes, a ')' that forges /proc/PID/stat fields: each dies; the
# log escapes every name (no raw control byte, no forged line); the
# [notify] exec hook gets each name and command line verbatim, and no
# shell runs them (no command in them ran).
. "${srcdir:-.}/tests/e2e/attack_lib.sh"
atk_init attack_names.sh 6144
atk_user A bustd-atk

mkdir -p "$T/out" "$T/cwd"
PWNED=/tmp/bustd-pwned-$$
rm -f "$PWNED"
cat > "$T/hook" <<HOOK
#!/bin/sh
out=$T/out/\$BUSTD_PID
mkdir -p "\$out"
printf '%s' "\$BUSTD_NAME" > "\$out/NAME"
printf '%s' "\$BUSTD_CMDLINE" > "\$out/CMDLINE"
printf '%s' "\$BUSTD_USER" > "\$out/USER"
printf '%s' "\$#" > "\$out/ARGC"
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
user = bustd-atk
[notify]
exec = $T/hook
exec_timeout = 5s
CONF
# The hook runs in bustd's folder: a relative "touch" would land here.
cd "$T/cwd" || exit 99
start_bustd
cd / || exit 99

# The command line goes to the hook too, unbounded by comm's 15 bytes.
EVIL_ARGS="\$(touch $PWNED) \`touch $PWNED\` ; touch $PWNED | touch $PWNED"
# hog HOW NAME: a hog of the user's that names itself NAME, with -n
# (prctl) or -N (/proc/self/comm); it must die, and the hook and the log
# must show NAME as it is.
n=0
hog() {
	n=$((n + 1))
	rm -f "$T/A_dir/ready"
	# shellcheck disable=SC2086 # EVIL_ARGS are words on purpose
	spawn HOG $AS_A "$T/bin/atk" hog "$1" "$2" -r 600 -c 4096 -t 30 \
	    -w "$T/A_dir/ready" -- $EVIL_ARGS
	wait_file "$T/A_dir/ready" 5
	printf '%s' "$2" > "$T/want.$n"
	head -c 15 "$T/want.$n" > "$T/want.comm.$n"
	LIVE=$(od -An -c "/proc/$HOG/comm" | tr -s ' ' | tr -d '\n')
	wait "$HOG"
	STATUS=$?
	SHOWN=$(escaped "$(cat "$T/want.comm.$n")")
	t_check "$n: hog $1 '$SHOWN' died of SIGTERM (status $STATUS)" \
	    [ "$STATUS" = 143 ]
	echo "# $n: /proc/$HOG/comm was:$LIVE"
	if wait_log "^pid $HOG \\(.*\\) uid $A_UID \\(bustd-atk\\): sending SIGTERM" 5 &&
	    grep -qF "pid $HOG ($SHOWN) uid $A_UID (bustd-atk): sending SIGTERM" \
	    "$T/bustd.log"; then
		t_ok "$n: the log shows the name escaped: $SHOWN"
	else
		t_not_ok "$n: the log shows the name escaped: $SHOWN" \
		    "$(grep "^pid $HOG " "$T/bustd.log")"
	fi
	wait_log "^pid $HOG \\(.*\\): gone" 5
	wait_file "$T/out/$HOG/ARGC" 5
	t_check "$n: the hook got BUSTD_NAME byte for byte" \
	    cmp -s "$T/want.comm.$n" "$T/out/$HOG/NAME"
	printf '%s' "$T/bin/atk hog $1 $2 -r 600 -c 4096 -t 30 -w $T/A_dir/ready -- $EVIL_ARGS" \
	    > "$T/want.cmdline.$n"
	t_check "$n: and BUSTD_CMDLINE byte for byte" \
	    cmp -s "$T/want.cmdline.$n" "$T/out/$HOG/CMDLINE"
	t_check "$n: and no argument (argc $(cat "$T/out/$HOG/ARGC"))" \
	    [ "$(cat "$T/out/$HOG/ARGC")" = 0 ]
	t_check "$n: BUSTD_USER is the user" \
	    [ "$(cat "$T/out/$HOG/USER")" = bustd-atk ]
	sleep 0.5
}

# A newline, then what would start a forged line of its own.
hog -n "$(printf 'x\npid 1 (init)')"
hog -n '%n%s%s%n%p%x%n'
hog -n '$(touch pwn1)'
hog -N '`touch pwn2`'
hog -N ';touch pwn3;#'
hog -N "$(printf '\033[2J\033[1;31mRED')"
hog -n "$(printf '\r\033]0;pwn\007\t\177\377\001')"
# What a /proc/PID/stat reader cut at the first ')' would take for a
# zombie: bustd would pass it over.
hog -n 'h) Z 1 1 1 1 1 1'
hog -N 'a\x0a\\b)('

NBAD=$(LC_ALL=C tr -d '\n\040-\176' < "$T/bustd.log" | wc -c)
t_check "no byte of the log is a control byte or non-ASCII ($NBAD are)" \
    [ "$NBAD" = 0 ]
t_check "no log line starts with the forged text" \
    sh -c "! grep -q '^pid 1 (init)' '$T/bustd.log'"
t_check "every log line is bustd's own (none starts with a name's tail)" \
    sh -c "! grep -Evq '^(pid [0-9]+ |hook |bustd |reloading|reloaded|start:|status:|report:|warning: |error: |scan:|PSI |no PSI|mlockall|cannot lower|desktop notif|metrics:|uid [0-9]+:|zoneinfo)' '$T/bustd.log'"
grep -Ev '^(pid [0-9]+ |hook |bustd |reloading|reloaded|start:|status:|report:|warning: |error: |scan:|PSI |no PSI|mlockall|cannot lower|desktop notif|metrics:|uid [0-9]+:|zoneinfo)' \
    "$T/bustd.log" | sed 's/^/# unexpected line: /'
t_check "no command in a name or command line ran (no $PWNED)" \
    [ ! -e "$PWNED" ]
t_check "nothing was created in bustd's folder ($(ls -A "$T/cwd" | tr '\n' ' '))" \
    [ -z "$(ls -A "$T/cwd")" ]
t_check "the hook ran $n times" [ "$(ls "$T/out" | wc -l)" = "$n" ]
t_check "one victim per hog" [ "$(grep -c 'sending SIG' "$T/bustd.log")" = "$n" ]
show_kills
t_check "bustd survived" t_running "$BUSTD_PID"
rm -f "$PWNED"
e2e_done
