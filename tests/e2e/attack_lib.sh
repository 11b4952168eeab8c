# SPDX-License-Identifier: MIT
# attack_lib.sh: for the attack_* and load_* tests, on top of
# tests/e2e/lib.sh: unprivileged test users (made as desktop.sh makes its
# one, removed if made here), commands run as them, the attacker helper.
# shellcheck shell=sh disable=SC2034

. "${srcdir:-.}/tests/e2e/lib.sh"

ATK_USERS_MADE=

# atk_init NAME NEED_MIB: e2e_init, then the helper in $T/bin/atk.
atk_init() {
	e2e_init "$1" "$2"
	: "${ATTACKER:?}"
	cp "$ATTACKER" "$T/bin/atk"
	trap atk_cleanup EXIT
	settle
}

atk_cleanup() {
	e2e_cleanup
	for atk_u in $ATK_USERS_MADE; do
		# The passwd lock may be taken a moment by someone else.
		atk_i=0
		until userdel "$atk_u" 2> "$T.userdel" || [ $atk_i -ge 10 ]; do
			sleep 0.5
			atk_i=$((atk_i + 1))
		done
		if id "$atk_u" > /dev/null 2>&1; then
			echo "# could not remove user $atk_u: $(cat "$T.userdel")"
		fi
		rm -f "$T.userdel"
	done
}

# atk_user VAR NAME: make user NAME unless it exists; VAR_UID, VAR_GID
# and AS_VAR (setpriv, which execs: the pid the shell gets is the
# command's) are set; $T/VAR_dir is the user's own writable folder.
atk_user() {
	for atk_tool in setpriv useradd userdel; do
		if ! command -v "$atk_tool" > /dev/null; then
			echo "# $E2E_NAME: no $atk_tool; skipped"
			exit 77
		fi
	done
	if ! id "$2" > /dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin \
		    "$2" || exit 99
		ATK_USERS_MADE="$ATK_USERS_MADE $2"
	else
		echo "# user $2 was there already: kept"
	fi
	atk_uid=$(id -u "$2")
	atk_gid=$(id -g "$2")
	eval "${1}_UID=$atk_uid ${1}_GID=$atk_gid ${1}_NAME=$2"
	eval "AS_$1=\"setpriv --reuid=$atk_uid --regid=$atk_gid --init-groups\""
	mkdir -p "$T/${1}_dir"
	chown "$atk_uid:$atk_gid" "$T/${1}_dir"
}

# wait_test OP FILE SECONDS: true once test OP FILE holds (-s, -e).
wait_test() {
	atk_n=$(($3 * t_ticks))
	while ! test "$1" "$2" && [ "$atk_n" -gt 0 ]; do
		sleep "$t_tick"
		atk_n=$((atk_n - 1))
	done
	test "$1" "$2"
}

# wait_file FILE SECONDS: true once FILE exists and is not empty.
wait_file() {
	wait_test -s "$1" "$2"
}

# wait_exists FILE SECONDS: true once FILE exists, empty or not.
wait_exists() {
	wait_test -e "$1" "$2"
}

# stat_field PID N: field N of /proc/PID/stat as proc(5) numbers them
# (3 state, 5 pgrp, 22 starttime), read past the name, whatever it holds.
stat_field() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f$(($2 - 2))
}

# status_kib PID FIELD: a "FIELD: N kB" line of /proc/PID/status.
status_kib() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# sent_to PID: how many signals bustd's log says it sent PID.
sent_to() {
	grep -c "^pid $1 (.*: sending SIG" "$T/bustd.log"
}

# show_kills: bustd's kill lines, as comments.
show_kills() {
	grep -E 'sending SIG|gone [0-9]+ ms' "$T/bustd.log" | sed 's/^/# log: /'
}

# escaped TEXT: TEXT as bustd's log shows it: bytes other than printable
# ASCII, and the backslash, become \xHH.
escaped() {
	printf '%s' "$1" | od -An -v -tu1 | tr -s ' ' '\n' | awk '
	NF { if ($1 >= 32 && $1 < 127 && $1 != 92) printf "%c", $1
	     else printf "\\x%02x", $1 }'
}
