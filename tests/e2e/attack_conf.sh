#!/bin/sh
# SPDX-License-Identifier: MIT
# attack_conf.sh: bustd as root refuses a policy file or drop-in that an
# unprivileged user could have written (the user's own, or writable by
# group or others), and a drop-in folder the user can write: at start it
# runs on the bare fallback (the desktop profile, nothing of the files);
# at reload it keeps the old policy, which then kills the next hog, and
# the program the user's file names never runs.
. "${srcdir:-.}/tests/e2e/attack_lib.sh"
atk_init attack_conf.sh 6144
atk_user A bustd-atk

DROP=$T/bustd.d
AV=$(avail_kib)
GOOD_TERM=$((AV - 1024 * 1024))
EVIL_TERM=$((AV - 512 * 1024))
cat > "$T/good.conf" <<CONF
[general]
profile = none
[thresholds]
mem_term = ${GOOD_TERM}K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[only-kill]
user = bustd-atk
CONF
# What the user would like: a dry run (nothing dies) and a program of
# their choice run as root at each kill (here a marker, owned by root).
printf '#!/bin/sh\ntouch %s/pwned\n' "$T" > "$T/marker"
chmod 755 "$T/marker"
cat > "$T/evil.conf" <<CONF
[general]
dry_run = yes
[thresholds]
mem_term = ${EVIL_TERM}K
[notify]
exec = $T/marker
CONF

# good: the main file root's and 0600, no drop-in folder.
good() {
	rm -rf "$DROP"
	cp "$T/good.conf" "$T/bustd.conf"
	chown 0:0 "$T/bustd.conf"
	chmod 600 "$T/bustd.conf"
}
# dropin OWNER MODE DIR_OWNER DIR_MODE: the user's wishes in a drop-in.
dropin() {
	mkdir -p "$DROP"
	cp "$T/evil.conf" "$DROP/50-evil.conf"
	chown "$1" "$DROP/50-evil.conf"
	chmod "$2" "$DROP/50-evil.conf"
	chown "$3" "$DROP"
	chmod "$4" "$DROP"
}

# The cases: a name, how to make it, what bustd must say.
F=$T/bustd.conf
D=$DROP/50-evil.conf
case_1() { good; cat "$T/evil.conf" >> "$F"; chown "$A_UID" "$F"; }
msg_1="$F: refusing file owned by uid $A_UID"
case_2() { good; chgrp "$A_GID" "$F"; chmod 620 "$F"; }
msg_2="$F: refusing file writable by group or others (mode 0620)"
case_3() { good; chmod 602 "$F"; }
msg_3="$F: refusing file writable by group or others (mode 0602)"
case_4() { good; dropin "$A_UID:$A_GID" 644 0:0 755; }
msg_4="$D: refusing file owned by uid $A_UID"
case_5() { good; dropin 0:0 666 0:0 755; }
msg_5="$D: refusing file writable by group or others (mode 0666)"
case_6() { good; dropin 0:0 644 "$A_UID:$A_GID" 755; }
msg_6="$DROP: refusing folder owned by uid $A_UID"
case_7() { good; dropin 0:0 644 0:0 777; }
msg_7="$DROP: refusing folder writable by group or others (mode 0777)"
case_8() { good; dropin 0:0 644 0:0 1777; }
msg_8="$DROP: refusing folder writable by group or others (mode 1777)"
case_9() { good; dropin 0:0 644 "0:$A_GID" 775; }
msg_9="$DROP: refusing folder writable by group or others (mode 0775)"
name_1="main file owned by the user"
name_2="main file writable by the user's group"
name_3="main file writable by others"
name_4="drop-in owned by the user"
name_5="drop-in writable by others"
name_6="drop-in folder owned by the user"
name_7="drop-in folder writable by others"
name_8="drop-in folder writable by others, sticky"
name_9="drop-in folder writable by the user's group"
CASES="1 2 3 4 5 6 7 8 9"

# 1. At start: the reason, and a daemon on the fallback that takes
# nothing of the files (not their dry run, not their program); the
# one-shot modes exit 2.
FB="running on the fallback policy (profile desktop, nothing of the files: one was refused)"
for c in $CASES; do
	eval "case_$c; msg=\$msg_$c; name=\$name_$c"
	"$BUSTD" -n -c "$F" > "$T/start.$c" 2>&1 9>&- &
	pid=$!
	i=0
	while ! grep -q '^bustd .* running with' "$T/start.$c" &&
	    kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill "$pid" 2>/dev/null
	wait "$pid"
	if grep -qF "$msg" "$T/start.$c" && grep -qF "$FB" "$T/start.$c" &&
	    grep -q "^bustd .* running with $F (profile desktop)\$" \
	    "$T/start.$c"; then
		t_ok "start on the bare fallback, not a dry run: $name"
	else
		t_not_ok "start on the bare fallback, not a dry run: $name" \
		    "wanted: $msg" "and: $FB" "$(cat "$T/start.$c")"
	fi
	timeout 5 "$BUSTD" --check-config -c "$F" > "$T/check.$c" 2>&1 9>&-
	rc=$?
	t_check "--check-config as root exits 2 and says so: $name" \
	    sh -c "[ $rc = 2 ] && grep -qF '$msg' '$T/check.$c'"
done

# 2. At reload: refused each time, with the reason; the old policy stays.
good
start_bustd
for c in $CASES; do
	eval "case_$c; msg=\$msg_$c; name=\$name_$c"
	before=$(grep -c "reload failed: keeping the previous policy" \
	    "$T/bustd.log")
	kill -s HUP "$BUSTD_PID"
	i=0
	while [ "$(grep -c "reload failed: keeping the previous policy" \
	    "$T/bustd.log")" = "$before" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ $i -lt 50 ] && grep -qF "$msg" "$T/bustd.log"; then
		t_ok "reload refused: $name"
	else
		t_not_ok "reload refused: $name" "wanted: $msg"
	fi
done
t_check "no reload took" sh -c "! grep -q '^reloaded' '$T/bustd.log'"
good
kill -s USR1 "$BUSTD_PID"
t_check "the policy in force is the old one (mem_term $GOOD_TERM KiB)" \
    wait_log "^status: .*mem_term $(awk -v k="$GOOD_TERM" \
	'BEGIN { printf "%.2f GiB", k / 1048576 }')" 5
grep '^status:' "$T/bustd.log" | sed 's/^/# /'

# 3. The user's drop-in is still there at the crossing: the old policy
# kills the hog (no dry run), and the user's program does not run.
case_4
spawn HOG $AS_A "$T/bin/atk" hog -r 400 -c 4096 -t 30
wait "$HOG"
STATUS=$?
t_check "the old policy killed the hog (status $STATUS)" [ "$STATUS" = 143 ]
wait_log "^pid $HOG \\(atk\\): gone" 5
sleep 1
t_check "the program named by the user's drop-in never ran" \
    [ ! -e "$T/pwned" ]
show_kills

# 4. Control: a root-owned drop-in with the same text is taken.
good
dropin 0:0 644 0:0 755
kill -s HUP "$BUSTD_PID"
t_check "control: the same drop-in, root's and 0644, is taken" \
    wait_log "^reloaded .*dry run" 5
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
