#!/bin/sh
# SPDX-License-Identifier: MIT
# stack.sh: the loop's deepest call chain fits in the stack bustd touches
# before it locks itself in RAM (DAEMON_STACK_KIB in src/daemon.h).
#
# The compiler writes each function's frame size and its calls
# (-fcallgraph-info=su: src/*.ci, one per object).  From daemon_poll(),
# which runs every pass, choosing and killing included, this finds the
# deepest chain of bustd's own frames plus what the C library function
# at its end may take (LIBC below), and fails if that is more than
# DAEMON_STACK_KIB: the first kill would then fault stack pages in while
# memory is short.  Calls through pointers go to the functions listed
# for each caller below; a caller with such calls that is not listed
# fails the test, so that a new callback is accounted for.
. "${srcdir:-.}/tests/lib.sh"

ROOT=daemon_poll

# Stack the C library may take below a call, in bytes, as glibc 2.36
# measured with a painted stack: regexec() builds a DFA state's table
# with alloca() the first time a match reaches it (19.3 KiB here, at any
# scan: states are built as new names are matched); printf's family
# 3.1 KiB for bustd's longest line; anything else less than 2 KiB.
LIBC='
regexec 20480
snprintf 4096
vsnprintf 4096
vasprintf 4096
fprintf 4096
vfprintf 4096
printf 4096
'
LIBC_DEFAULT=2048
build=${top_builddir:-.}

set -- "$build"/src/*.ci
if [ ! -f "$1" ]; then
	echo "# stack.sh: no src/*.ci (the compiler lacks -fcallgraph-info," \
	    "or a sanitizer build): skipped"
	exit 77
fi
kib=$(sed -n 's/^#define DAEMON_STACK_KIB \([0-9]*\).*/\1/p' \
    "${srcdir:-.}/src/daemon.h")

# What each call through a pointer can reach: the caller, then its
# possible callees.  sys_ops: the real_* functions of sys.c.
CALLBACKS='
now			OPS
kill_start		OPS
kill_gone		OPS
kill_escalate		OPS
kill_done		OPS
kill_abandon		OPS
finish			OPS
deliver			OPS
signal_one		OPS
daemon_poll		OPS
sample_memory		OPS
totals			OPS
hook_after_kill		OPS
start			OPS
notify_desktop		OPS
hook_reap		OPS
hook_next_ms		OPS
proc_each_pid		collect_one pgrp_member
text_each_line		passwd_line mount_line procs_line
procs_line		guard_one signal_one unit_pid
cgroup_each_procs_pid	guard_one signal_one unit_pid
cgroup_walk		each_pid_visit find_visit
each_pid_visit		guard_one signal_one
'

out=$(awk -v root="$ROOT" -v callbacks="$CALLBACKS" -v libc="$LIBC" \
    -v libc_default="$LIBC_DEFAULT" '
# Node lines: title "file.c:name[.suffix]", label "name\nwhere\nN bytes".
/^node:/ {
	if (match($0, /title: "[^"]*"/) == 0)
		next
	title = substr($0, RSTART + 8, RLENGTH - 9)
	if (match($0, /\\n[0-9]+ bytes/) == 0)
		next
	n = substr($0, RSTART + 2, RLENGTH - 2)
	sub(/ bytes/, "", n)
	frame[title] = n + 0
	plain = title
	sub(/^[^:]*:/, "", plain)
	sub(/\..*$/, "", plain)
	if (!(plain in def))
		def[plain] = title
	name[title] = plain
	next
}
/^edge:/ {
	match($0, /sourcename: "[^"]*"/)
	src = substr($0, RSTART + 13, RLENGTH - 14)
	match($0, /targetname: "[^"]*"/)
	dst = substr($0, RSTART + 13, RLENGTH - 14)
	ncall[src]++
	call[src, ncall[src]] = dst
	next
}
function resolve(t) {
	if (t in frame)
		return t
	if (t in def)
		return def[t]
	return ""
}
# The deepest chain from node t, in bytes; chain[t] says which way.
function depth(t,    i, c, d, best, via, vialib, k, n, list, j) {
	if (t in memo)
		return memo[t]
	if (t in onpath) {
		printf "recursion through %s: its depth has no bound\n", name[t]
		bad = 1
		return 0
	}
	onpath[t] = 1
	best = 0
	via = vialib = ""
	for (i = 1; i <= ncall[t]; i++) {
		c = call[t, i]
		if (c == "__indirect_call") {
			if (!(name[t] in cb)) {
				printf "%s calls through a pointer: list what " \
				    "it reaches in tests/stack.sh\n", name[t]
				bad = 1
				continue
			}
			n = split(cb[name[t]], list, " ")
			for (j = 1; j <= n; j++) {
				if (list[j] == "OPS") {
					for (k in frame)
						if (name[k] ~ /^real_/) {
							d = depth(k)
							if (d > best) {
								best = d
								via = k
							}
						}
					continue
				}
				k = resolve(list[j])
				if (k == "") {
					printf "%s: callback %s not found\n", \
					    name[t], list[j]
					bad = 1
					continue
				}
				d = depth(k)
				if (d > best) {
					best = d
					via = k
				}
			}
			continue
		}
		k = resolve(c)
		if (k == "") {
			# The C library: what it may take below the call.
			d = c in lib ? lib[c] : libc_default
			if (d > best) {
				best = d
				via = ""
				vialib = c
			}
			continue
		}
		d = depth(k)
		if (d > best) {
			best = d
			via = k
		}
	}
	delete onpath[t]
	chain[t] = via
	if (via == "" && vialib != "")
		leaf[t] = vialib
	memo[t] = frame[t] + best
	return memo[t]
}
END {
	n = split(libc, lines, "\n")
	for (i = 1; i <= n; i++)
		if (split(lines[i], f, " ") == 2)
			lib[f[1]] = f[2] + 0
	n = split(callbacks, lines, "\n")
	for (i = 1; i <= n; i++) {
		if (split(lines[i], f, /[ \t]+/) < 2)
			continue
		cb[f[1]] = ""
		for (j = 2; j in f; j++)
			cb[f[1]] = cb[f[1]] " " f[j]
	}
	t = resolve(root)
	if (t == "") {
		print "no " root " in the call graph"
		exit 1
	}
	total = depth(t)
	printf "depth %d\n", total
	for (; t != ""; t = chain[t]) {
		printf "  %6d %s\n", frame[t], name[t]
		if (t in leaf)
			printf "  %6d %s (C library)\n", \
			    leaf[t] in lib ? lib[leaf[t]] : libc_default, \
			    leaf[t]
	}
	exit bad
}' "$@")
status=$?
echo "$out" | sed 's/^/# /'
bytes=$(echo "$out" | sed -n 's/^depth //p')

t_check "the call graph of $ROOT is complete (status $status)" \
    [ "$status" = 0 ]
t_check "deepest chain $bytes bytes <= DAEMON_STACK_KIB $kib KiB" \
    [ "${bytes:-999999}" -le $((kib * 1024)) ]
t_summary stack.sh
