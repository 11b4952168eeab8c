#!/bin/sh
# SPDX-License-Identifier: MIT
# attack_self.sh: bustd never picks pid 1, itself, or its [notify] exec
# hook, even when each matches [only-kill] and [prefer] and holds more
# memory than the hog, and the thresholds stay crossed while the hook
# runs.  It all runs in a pid namespace of its own, where pid 1 is a
# test program of ours (holding 1 GiB) and bustd a copy under the test's
# folder: the fence takes them in, so only bustd's own exclusions stand
# between them and a signal (and init ignores what it has no handler
# for).  Then the same with a hook that runs the memory taker as a
# child (a shell script hook would).
. "${srcdir:-.}/tests/e2e/attack_lib.sh"
atk_init attack_self.sh 8192
if ! unshare --pid --fork --mount-proc --kill-child true 9>&- 2> /dev/null; then
	echo "# attack_self.sh: cannot make a pid namespace; skipped"
	exit 77
fi
mkdir -p "$T/sbin" "$T/hooks"
cp "$BUSTD" "$T/sbin/bustd"
cp "$ATTACKER" "$T/sbin/init"
cp "$ATTACKER" "$T/bin/memhook"
echo "1536 12" > "$T/bin/memhook.args"
printf '#!/bin/sh\n%s/bin/memhook\n' "$T" > "$T/hookwrap"
chmod 755 "$T/hookwrap"

# Runs as pid 2 of the namespace, under our init.
cat > "$T/inner.sh" <<INNER
#!/bin/sh
T=$T
INNER
cat >> "$T/inner.sh" <<'INNER'
exec > "$T/inner.log" 2>&1
avail() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
# conf EXEC MEM_TERM_KIB MEM_KILL_KIB
conf() {
	cat > "$T/bustd.conf" <<CONF
[general]
profile = none
[thresholds]
mem_term = ${2}K
mem_kill = ${3}K
psi_metric = off
[kill]
prefer_score = 2000
term_timeout = 3s
[only-kill]
exe = ^$T/
[prefer]
exe = ^$T/sbin/
exe = ^$T/bin/memhook\$
[notify]
exec = $1
exec_timeout = 60s
CONF
	chmod 600 "$T/bustd.conf"
}
reloads=0
# reload EXEC MEM_TERM_KIB MEM_KILL_KIB
reload() {
	conf "$@"
	reloads=$((reloads + 1))
	kill -HUP $B
	n=50
	while [ "$(grep -c '^reloaded' "$T/bustd.log")" -lt $reloads ] &&
	    [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
}
waitfor() { # FILE TEXT SECONDS
	n=$(($3 * 10))
	while ! grep -q -e "$2" "$1" 2> /dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
}
# hog N ARGS: run a hog to its end, note its pid and exit status.
hog() {
	n=$1
	shift
	"$T/bin/hog" "$@" &
	echo $! > "$T/hog$n.pid"
	wait $!
	echo $? > "$T/hog$n.status"
}
# hook_for VICTIM: the pid of the memhook run for VICTIM's kill, once
# it has read its args; then the next ones take nothing; then wait until
# it holds its memory (or is gone).
hook_for() {
	i=0
	while ! grep -q "victim=$1\$" "$T/hooks/memhook.log" 2> /dev/null &&
	    [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "0 0" > "$T/bin/memhook.args"
	k=$(sed -n "s/^pid=\([0-9]*\) .* victim=$1\$/\1/p" \
	    "$T/hooks/memhook.log")
	i=0
	while [ ! -e "$T/hooks/ready.$k" ] && [ -e "/proc/$k" ] &&
	    [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "hook for $1: pid $k"
}

echo "init: pid $(cut -d' ' -f1 /proc/1/stat) $(cat /proc/1/comm)"
AV=$(avail)
conf "$T/bin/memhook" $((AV - 1024 * 1024)) $((AV - 3072 * 1024))
"$T/sbin/bustd" -n -v -c "$T/bustd.conf" > "$T/bustd.log" 2>&1 &
B=$!
echo $B > "$T/bustd.pid"
waitfor "$T/bustd.log" "running with" 10
cat "/proc/$B/oom_score_adj" > "$T/bustd.adj"

# 1. A hog grows past mem_term: bustd must take it, not pid 1 or itself.
echo "1536 12" > "$T/bin/memhook.args"
hog 1 -r 400 -c 4096 -t 30
hook_for "$(cat "$T/hog1.pid")"
# Whatever bustd could do for itself, only its exclusion protects it now.
echo 0 > "/proc/$B/oom_score_adj"
# 2. The hook holds 1.5 GiB; mem_term is put above what is left, so
# that the thresholds stay crossed.  A small hog comes.
AV=$(avail)
reload "$T/bin/memhook" $((AV + 512 * 1024)) $((AV - 2048 * 1024))
sleep 1.5
hog 2 -c 256 -r 0 -t 8
while [ -n "$(pgrep -f "^$T/bin/memhook")" ]; do sleep 0.2; done

# 3. Again, with a hook whose child takes the memory.
AV=$(avail)
reload "$T/hookwrap" $((AV - 1024 * 1024)) $((AV - 3072 * 1024))
echo "1536 12" > "$T/bin/memhook.args"
hog 3 -r 400 -c 4096 -t 30
hook_for "$(cat "$T/hog3.pid")"
AV=$(avail)
reload "$T/hookwrap" $((AV + 512 * 1024)) $((AV - 2048 * 1024))
sleep 1.5
hog 4 -c 256 -r 0 -t 8
sleep 1
kill -0 $B && echo yes > "$T/bustd.alive"
kill -TERM $B
wait $B
echo done > "$T/inner.done"
INNER

spawn NS unshare --pid --fork --mount-proc --kill-child \
    "$T/sbin/init" init -c 1024 -t 110 /bin/sh "$T/inner.sh"
wait "$NS"
NS_STATUS=$?
t_check "the namespace ran to its end (status $NS_STATUS)" \
    [ -e "$T/inner.done" ]
sed 's/^/# inner: /' "$T/inner.log" 2> /dev/null
if [ ! -e "$T/bustd.pid" ]; then
	e2e_done
	exit 1
fi
B=$(cat "$T/bustd.pid")
t_check "bustd (pid $B there) started" grep -q "running with" "$T/bustd.log"
t_check "bustd survived" [ -e "$T/bustd.alive" ]
sed 's/^/# memhook: /' "$T/hooks/memhook.log"
for n in 1 2 3 4; do
	eval "H$n=\$(cat \"$T/hog$n.pid\")"
	eval "S$n=\$(cat \"$T/hog$n.status\")"
done
K1=$(sed -n "s/^pid=\([0-9]*\) .* victim=$H1\$/\1/p" "$T/hooks/memhook.log")
K2=$(sed -n "s/^pid=\([0-9]*\) .* victim=$H3\$/\1/p" "$T/hooks/memhook.log")
t_check "hog 1 (pid $H1) died of SIGTERM (status $S1)" [ "$S1" = 143 ]
t_check "the hook ran after it (pid $K1)" [ -n "$K1" ]
t_check "hog 2 (pid $H2), while the hook held memory, died (status $S2)" \
    [ "$S2" = 143 ]
t_check "the hook (pid $K1) was never a victim" [ "$(sent_to "$K1")" = 0 ]
t_check "and was not killed" \
    sh -c "! grep -q 'hook .*(pid $K1): killed' '$T/bustd.log'"
t_check "hog 3 (pid $H3) died of SIGTERM (status $S3)" [ "$S3" = 143 ]
t_check "the hook's child ran after it (pid $K2)" [ -n "$K2" ]
if [ "$(sent_to "$K2")" = 0 ]; then
	t_ok "the hook's child (pid $K2) was never a victim"
	t_check "hog 4 (pid $H4), while the hook's child held memory, died (status $S4)" \
	    [ "$S4" = 143 ]
else
	t_not_ok "the hook's child (pid $K2) was never a victim" \
	    "bustd excludes its own children (the hooks), not theirs:" \
	    "$(grep "^pid $K2 " "$T/bustd.log" | head -n 1)"
	echo "# hog 4 (pid $H4): status $S4"
fi
t_check "pid 1 was never signalled" [ "$(sent_to 1)" = 0 ]
t_check "bustd never signalled itself" [ "$(sent_to "$B")" = 0 ]
NV=$(grep -c 'sending SIG' "$T/bustd.log")
NH=$(grep -Ec "^pid ($H1|$H2|$H3|$H4) .*sending SIG" "$T/bustd.log")
t_check "every victim was a hog ($NH of $NV)" [ "$NV" = "$NH" ]
# bustd lowers its oom_score_adj to -1000 where it may: its hooks must
# not inherit that (they would be beyond any OOM killer's reach).
if [ "$(cat "$T/bustd.adj")" = -1000 ]; then
	t_check "the hook did not inherit bustd's oom_score_adj -1000" \
	    sh -c "! grep -q '^pid=$K1 adj0=-1000 ' '$T/hooks/memhook.log'"
else
	t_skipped "the hook did not inherit bustd's oom_score_adj -1000" \
	    "bustd could not lower its own ($(cat "$T/bustd.adj"))"
fi
grep -E 'sending SIG|no process may be killed|hook ' "$T/bustd.log" |
    sed 's/^/# log: /'
e2e_done
