#!/bin/sh
# SPDX-License-Identifier: MIT
# docs.sh: the man pages, the shipped bustd.conf and the unit file agree
# with the program: every key documented with its real default and profile
# values, pages render without warnings, the unit verifies.
srcdir=${srcdir:-.}
BUSTD=${BUSTD:-./src/bustd}
. "$srcdir/tests/lib.sh"
srcdir=$(t_abs "$srcdir")
t_tmpdir

page=$srcdir/doc/bustd.conf.5

# Effective scalar values of each profile, as --print-config prints them.
for prof in none desktop server; do
	printf '[general]\nprofile = %s\n' "$prof" > "$t_tmp/$prof.conf"
	chmod 600 "$t_tmp/$prof.conf"
	"$BUSTD" --print-config -c "$t_tmp/$prof.conf" |
	    awk '/^\[/ { s = $0 } s !~ /kill\]|prefer|avoid/ || s == "[kill]"' |
	    grep -E '^[a-z_]+ =' > "$t_tmp/$prof.keys"
done

# Each key: a ".B key" entry, then "Default: V; desktop: V; server: V."
while IFS= read -r line; do
	key=${line%% =*}
	want=""
	for prof in none desktop server; do
		v=$(sed -n "s/^$key = \{0,1\}//p" "$t_tmp/$prof.keys")
		if [ -z "$v" ]; then v=empty; else v="\\fB$v\\fR"; fi
		case $prof in
		none) want="Default: $v" ;;
		*) want="$want; $prof: $v" ;;
		esac
	done
	want="$want."
	got=$(awk -v k=".B $key" '/^\.SH SECTIONS AND KEYS/ { s = 1 }
	    s && $0 == k { f = 1 } f && /^Default:/ { print; exit }' "$page")
	if [ "$got" = "$want" ]; then
		t_ok "bustd.conf(5) documents $key with its values"
	else
		t_not_ok "bustd.conf(5) documents $key with its values" \
		    "want: $want" "got:  $got"
	fi
done < "$t_tmp/none.keys"

# No key documented that the program does not know.
sed -n '/^\.SH SECTIONS AND KEYS/,$p' "$page" | grep -A1 '^\.TP$' | sed -n 's/^\.B \([a-z_]*\)$/\1/p' | sort -u \
    > "$t_tmp/doc.keys"
cut -d' ' -f1 "$t_tmp/none.keys" | sort -u > "$t_tmp/prog.keys"
comm -23 "$t_tmp/doc.keys" "$t_tmp/prog.keys" |
    grep -v -x -e name -e exe -e cmdline -e cgroup -e user > "$t_tmp/extra"
t_check "bustd.conf(5) documents no unknown key" [ ! -s "$t_tmp/extra" ]

# The shipped file: every key present; uncommented, the values are the
# desktop profile's own (so the comments tell the truth).
conf=$srcdir/etc/bustd.conf
missing=""
for key in $(cut -d' ' -f1 "$t_tmp/prog.keys"); do
	grep -Eq "^;?$key =" "$conf" || missing="$missing $key"
done
t_check "etc/bustd.conf mentions every key (missing:$missing)" \
    [ -z "$missing" ]
sed -E '/^;(exec|metrics_file) =/!s/^;([a-z_]+ = [^ ]+)$/\1/' "$conf" |
    awk '/^\[/ { s = $0 } s ~ /never-kill|only-kill|prefer|avoid/ && /^[a-z]/ { next } { print }' \
    > "$t_tmp/uncommented.conf"
chmod 600 "$t_tmp/uncommented.conf"
cp "$conf" "$t_tmp/shipped.conf"
chmod 600 "$t_tmp/shipped.conf"
"$BUSTD" --print-config -c "$t_tmp/shipped.conf" > "$t_tmp/a" 2>&1
"$BUSTD" --print-config -c "$t_tmp/uncommented.conf" > "$t_tmp/b" 2>&1
t_same "etc/bustd.conf's commented values are the effective ones" \
    "$t_tmp/a" "$t_tmp/b"

# The pages render without a warning.
for m in bustd.8 bustd.conf.5; do
	if ! command -v man >/dev/null; then
		t_skipped "$m renders cleanly" "no man"
		continue
	fi
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
	    "$srcdir/doc/$m" > /dev/null 2> "$t_tmp/warn"
	if [ ! -s "$t_tmp/warn" ]; then
		t_ok "$m renders cleanly"
	else
		t_not_ok "$m renders cleanly" "$(cat "$t_tmp/warn")"
	fi
done

# --list runs on this machine and prints its header.
"$BUSTD" --list -c "$t_tmp/none.conf" > "$t_tmp/list" 2>&1
t_check "--list prints the candidates' table" \
    grep -q '^ *PID USER  *SCORE OOM_SCORE OOM_SCORE_ADJ  *RSS  *SWAP  NAME  *UNIT  *RULE$' \
    "$t_tmp/list"

# The unit file verifies (systemd reads it; man finds its pages).
unit=${top_builddir:-.}/etc/bustd.service
if ! command -v systemd-analyze > /dev/null; then
	t_skipped "systemd-analyze verify passes" "no systemd-analyze"
elif [ ! -f "$unit" ]; then
	t_not_ok "systemd-analyze verify passes" "$unit not built"
else
	mkdir -p "$t_tmp/man/man5" "$t_tmp/man/man8"
	cp "$srcdir/doc/bustd.conf.5" "$t_tmp/man/man5/"
	cp "$srcdir/doc/bustd.8" "$t_tmp/man/man8/"
	bustd_abs=$(t_abs "$(dirname "$BUSTD")")/$(basename "$BUSTD")
	sed "s|^ExecStart=[^ ]*|ExecStart=$bustd_abs|" "$unit" \
	    > "$t_tmp/bustd.service"
	if MANPATH=$t_tmp/man systemd-analyze verify "$t_tmp/bustd.service" \
	    > "$t_tmp/verify" 2>&1 && [ ! -s "$t_tmp/verify" ]; then
		t_ok "systemd-analyze verify passes"
	else
		t_not_ok "systemd-analyze verify passes" "$(cat "$t_tmp/verify")"
	fi
fi

# The README's policy at a glance shows the desktop profile's values, each
# on its own key's line.
readme=$srcdir/README
sed -n '/^The policy at a glance$/,/^[A-Z]/p' "$readme" > "$t_tmp/glance.txt"
awk '/^    \[/ { s = $1 } s !~ /never-kill|only-kill|prefer|avoid/' \
    "$t_tmp/glance.txt" |
    sed -n 's/^    \([a-z_]*\) = \([^ ;]*\).*$/\1 \2/p' > "$t_tmp/glance"
bad=""
while read -r key v; do
	want=$(sed -n "s/^$key = \{0,1\}//p" "$t_tmp/desktop.keys")
	[ "$v" = "$want" ] || bad="$bad $key=$v (desktop: $want)"
done < "$t_tmp/glance"
t_check "the README's policy at a glance has the desktop profile's values \
($(wc -l < "$t_tmp/glance") keys;$bad)" \
    eval '[ -s "$t_tmp/glance" ] && [ -z "$bad" ]'
# Each level's comment is its own: MemAvailable on a mem_ line, swap on a
# swap_ line (they were once shifted by a line).
shifted=$(awk '/^    (mem|swap)_(term|kill) = / {
	c = $0; sub(/^[^;]*;/, "", c)
	if ($1 ~ /^mem_/ && c !~ /MemAvailable/ ||
	    $1 ~ /^swap_/ && c !~ /swap/) printf " %s", $1 }' "$t_tmp/glance.txt")
t_check "there, each level's comment speaks of its own reading:$shifted" \
    [ -z "$shifted" ]
t_check "and no [never-kill] line there that the desktop profile lacks" \
    eval '! grep -q "sshd" "$t_tmp/glance.txt"'

# The README's set-up: root without sudo or a user with it, a dry run
# first; the Debian package's line installs debhelper.
setup=$(grep '^    S=.*bustd -n' "$readme")
t_check "the README's set-up works as root and with sudo" \
    eval 'echo "$setup" | grep -F -q "S=\$([ \"\$(id -u)\" = 0 ] || echo sudo); \$S apt-get update"'
t_check "it starts bustd in a dry run, and says how to go live" \
    eval 'echo "$setup" | grep -q " bustd -n --dry-run$" &&
    grep -q "without .--dry-run." "$readme"'
t_check "the Debian package's line installs debhelper" \
    eval 'grep "dpkg-buildpackage" "$readme" | grep -q " debhelper "'

# A source install puts the unit under PREFIX/lib/systemd/system, as
# bustd(8) says; the unit does not restart bustd on exit 2, a bad command
# line, which a restart cannot mend.
t_check "bustd(8) names the unit's folder of a source install" \
    eval 'grep -q "^\.I PREFIX/lib/systemd/system$" "$srcdir/doc/bustd.8" &&
    grep -F -q "( /usr/local/lib/systemd/system ," "$srcdir/doc/bustd.8" &&
    grep -F -q "with_systemdsystemunitdir='"'"'\${prefix}/lib/systemd/system'"'"'" \
    "$srcdir/configure.ac"'
"$BUSTD" --no-such-option > /dev/null 2>&1
rc=$?
t_check "a bad command line exits 2 ($rc), and the unit does not restart it" \
    eval '[ "$rc" = 2 ] &&
    grep -q "^RestartPreventExitStatus=2$" "$srcdir/etc/bustd.service.in" &&
    grep -q "^Restart=always$" "$srcdir/etc/bustd.service.in"'

t_summary docs.sh
