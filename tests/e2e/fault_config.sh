#!/bin/sh
# SPDX-License-Identifier: MIT
# fault_config.sh: the policy file goes away or turns unreadable before a
# SIGHUP: deleted, a folder in its place, a dangling symbolic link, a
# file owned by another user; then the drop-in folder turns into a file.
# (chmod 000 stops no root: these are what a root bustd cannot load.)
# Each SIGHUP logs the cause and "reload failed: keeping the previous
# policy", once; bustd stays up, a hog still dies under the old policy,
# and a good file loads again.
. "${srcdir:-.}/tests/e2e/lib.sh"
e2e_init fault_config.sh 6144

# count ERE: lines of bustd's log that match.
count() {
	grep -Ec -- "$1" "$T/bustd.log"
}

# wait_count ERE N SECONDS: true once N lines match.
wait_count() {
	wc_n=$(($3 * t_ticks))
	while [ "$(count "$1")" -lt "$2" ] && [ "$wc_n" -gt 0 ]; do
		sleep "$t_tick"
		wc_n=$((wc_n - 1))
	done
	[ "$(count "$1")" -ge "$2" ]
}

# hup_fails N WHAT ERE: SIGHUP; the Nth failed reload comes, and of the
# lines it adds to the log, one matches ERE (the cause) and one says the
# old policy stays.
hup_fails() {
	hf_from=$(($(wc -l < "$T/bustd.log") + 1))
	kill -s HUP "$BUSTD_PID"
	wait_count "reload failed: keeping the previous policy" "$1" 5
	tail -n "+$hf_from" "$T/bustd.log" > "$T/new"
	hf_cause=$(grep -Ec -- "$3" "$T/new")
	hf_kept=$(grep -c "^error: reload failed: keeping the previous policy$" \
	    "$T/new")
	if [ "$hf_cause" = 1 ] && [ "$hf_kept" = 1 ]; then
		t_ok "$2: reload refused, the cause logged once"
	else
		t_not_ok "$2: reload refused, the cause logged once" \
		    "$hf_cause lines match '$3', $hf_kept say the policy stays"
	fi
}

AV=$(settled_avail)
C=$T/bustd.conf
write_conf <<CONF
[general]
profile = none
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[kill]
term_timeout = 5s
[only-kill]
exe = ^$T/
CONF
cp -p "$C" "$T/good"
start_bustd

rm "$C"
hup_fails 1 "deleted" "^error: $C: cannot open: No such file or directory$"
mkdir "$C"
hup_fails 2 "a folder" "^error: $C: not a regular file$"
rmdir "$C"
ln -s "$T/nowhere" "$C"
hup_fails 3 "a dangling link" \
    "^error: $C: cannot open: No such file or directory$"
rm "$C"
cp -p "$T/good" "$C"
chown 65534 "$C"
hup_fails 4 "owned by uid 65534" \
    "^error: $C: refusing file owned by uid 65534, not root"
chown 0 "$C"
printf '[thresholds]\nmem_term = 1%%\n' > "$T/bustd.d"
hup_fails 5 "the drop-in folder a file" "^error: $T/bustd.d: not a folder$"
rm "$T/bustd.d"

# Nothing more comes of it: the errors were per reload, not per poll.
LINES=$(wc -l < "$T/bustd.log")
sleep 3
t_check "no line after the failed reloads" \
    [ "$(wc -l < "$T/bustd.log")" = "$LINES" ]
t_check "five failed reloads, five lines" \
    [ "$(count "reload failed")" = 5 ]
kill -s USR1 "$BUSTD_PID"
t_check "the status still shows the first load's thresholds" \
    wait_log "^status: .*mem_term $(awk -v k=$((AV - 1024 * 1024)) 'BEGIN { printf "%.2f GiB", k / 1048576 }')," 5

spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the old policy killed the hog (status $STATUS)" [ "$STATUS" = 143 ]
t_check "for MemAvailable below mem_term" \
    wait_log "pid $HOG \\(hog\\).*sending SIGTERM.*reason: MemAvailable .* <= mem_term" 5
t_check "bustd saw it gone" wait_log "pid $HOG \\(hog\\): gone" 5

# The file back, with dry_run on to see it take.
sed 's/^profile = none$/profile = none\ndry_run = yes/' "$T/good" > "$C"
kill -s HUP "$BUSTD_PID"
t_check "a good file loads again" wait_log "reloaded $C \\(profile none\\), dry run" 5
t_check "one victim only" [ "$(count 'sending SIG')" = 1 ]
t_check "bustd survived" t_running "$BUSTD_PID"
e2e_done
