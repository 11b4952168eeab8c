#!/bin/sh
# SPDX-License-Identifier: MIT
# unit.sh: the systemd unit as built (etc/bustd.service) verifies
# cleanly, "systemd-analyze security --offline=yes" rates its exposure
# 3.0 or less, and every exposure left is one the unit's comments give a
# reason for: a setting dropped by mistake shows up here by name.
# Skipped (77) without systemd-analyze, or one too old for --offline.
srcdir=${srcdir:-.}
BUSTD=${BUSTD:-./src/bustd}
. "$srcdir/tests/lib.sh"
srcdir=$(t_abs "$srcdir")

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "# unit.sh: no systemd-analyze (package systemd); skipped"
	exit 77
fi
t_tmpdir
unit=${top_builddir:-.}/etc/bustd.service
if [ ! -f "$unit" ]; then
	t_not_ok "etc/bustd.service is built" "$unit: no such file"
	t_summary unit.sh
	exit 1
fi

# The unit as installed, but running the bustd just built (verify wants
# the program to exist), and finding the man pages of the tree.
mkdir -p "$t_tmp/man/man5" "$t_tmp/man/man8"
cp "$srcdir/doc/bustd.conf.5" "$t_tmp/man/man5/"
cp "$srcdir/doc/bustd.8" "$t_tmp/man/man8/"
bustd_abs=$(t_abs "$(dirname "$BUSTD")")/$(basename "$BUSTD")
sed "s|^ExecStart=[^ ]*|ExecStart=$bustd_abs|" "$unit" > "$t_tmp/bustd.service"

MANPATH=$t_tmp/man systemd-analyze verify "$t_tmp/bustd.service" \
    > "$t_tmp/verify" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$t_tmp/verify" ]; then
	t_ok "systemd-analyze verify says nothing"
else
	t_not_ok "systemd-analyze verify says nothing" "exit status $rc" \
	    "$(cat "$t_tmp/verify")"
fi

# A UTF-8 locale: systemd-analyze marks each exposure with a glyph then.
LC_ALL=C.UTF-8 systemd-analyze security --offline=yes --no-pager \
    "$t_tmp/bustd.service" > "$t_tmp/security" 2>&1
rc=$?
if grep -q -e 'unrecognized option' -e 'Unknown option' "$t_tmp/security"; then
	echo "# unit.sh: this systemd-analyze has no --offline; skipped"
	exit 77
fi
score=$(sed -n 's/^.*Overall exposure level for [^:]*: \([0-9.]*\) .*$/\1/p' \
    "$t_tmp/security")
echo "# systemd-analyze security --offline=yes etc/bustd.service:"
grep -e '✗' -e 'Overall' "$t_tmp/security" | sed 's/^/#   /'
t_check "systemd-analyze security rates it (exit status $rc)" \
    [ -n "$score" ]
t_check "the exposure is 3.0 or less (${score:-none})" \
    awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }'

# The exposures the unit keeps, each for a reason its comments give.
cat > "$t_tmp/reasoned" <<'EOF'
CapabilityBoundingSet=~CAP_IPC_LOCK
CapabilityBoundingSet=~CAP_KILL
CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)
CapabilityBoundingSet=~CAP_SYS_(NICE|RESOURCE)
CapabilityBoundingSet=~CAP_SYS_PTRACE
DeviceAllow=
PrivateNetwork=
PrivateUsers=
ProcSubset=
ProtectControlGroups=
ProtectHome=
RestrictAddressFamilies=~AF_UNIX
RootDirectory=/RootImage=
SystemCallFilter=~@privileged
UMask=
User=/DynamicUser=
EOF
sed -n 's/^✗ \([^ ]*\) .*/\1/p' "$t_tmp/security" | sort -u > "$t_tmp/exposed"
comm -23 "$t_tmp/exposed" "$t_tmp/reasoned" > "$t_tmp/unreasoned"
t_check "every exposure left is one the unit gives a reason for" \
    [ ! -s "$t_tmp/unreasoned" ]
if [ -s "$t_tmp/unreasoned" ]; then
	sed 's/^/#   not reasoned: /' "$t_tmp/unreasoned"
fi

t_summary unit.sh
