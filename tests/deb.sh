#!/bin/sh
# SPDX-License-Identifier: MIT
# deb.sh: build the Debian package of bustd from a copy of this tree,
# check it with lintian, install it, check what it installed, then remove
# and purge it.
#
# For a Debian 12 machine, as root: it installs the build dependencies
# with apt-get and the package with dpkg, so it is not part of make check.
# .ci/run runs it after the test suite.  Without root it is skipped (77).
# It refuses to run where a bustd package is installed already, and purges
# the one it installed however it ends.

cd "$(dirname "$0")/.." || exit 99
top=$(pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "# deb.sh: skipped: needs root (apt-get, dpkg -i)"
	exit 77
fi

installed=no
dropin=
dropin_bad=
dropdir_made=no
deb_cleanup()
{
	if [ "$installed" = yes ]; then
		# A daemon the package or this test started, which prerm may
		# not stop (policy-rc.d).
		if [ -x /etc/init.d/bustd ]; then
			/etc/init.d/bustd stop >/dev/null 2>&1
		fi
		dc_pid=$(cat /run/bustd.pid 2>/dev/null)
		case $(readlink "/proc/${dc_pid:-0}/exe" 2>/dev/null) in
		/usr/sbin/bustd*) kill -s TERM "$dc_pid" ;;
		esac
	fi
	if [ "$installed" = yes ] && dpkg-query -W bustd >/dev/null 2>&1; then
		dpkg -P bustd >/dev/null 2>&1
	fi
	rm -f ${dropin:+"$dropin"} ${dropin_bad:+"$dropin_bad"}
	if [ "$dropdir_made" = yes ] && [ -d /etc/bustd.d ] && deb_unknown; then
		rmdir /etc/bustd.d 2>/dev/null
	fi
	t_cleanup
}
t_tmpdir
trap deb_cleanup EXIT

# deb_show [FILE]: FILE (or stdin) as comment lines.
deb_show()
{
	sed 's/^/#   /' "$@"
}

# deb_gone PATH: true when PATH does not exist, not even as a dangling link.
deb_gone()
{
	[ ! -e "$1" ] && [ ! -L "$1" ]
}

# deb_lacks RE FILE: true when no line of FILE matches RE.
deb_lacks()
{
	! grep -q -e "$1" "$2"
}

# deb_unknown: true when dpkg has no bustd installed, not even its
# conffiles (it may remember a wish to install it: "install ok
# not-installed" after a failed dpkg -i).
deb_unknown()
{
	case $(dpkg-query -W -f='${Status}' bustd 2>/dev/null) in
	"" | *" not-installed") return 0 ;;
	*) return 1 ;;
	esac
}

# deb_stop NAME: nothing after this can run: summary, fail.
deb_stop()
{
	echo "# deb.sh: stopped: $1"
	t_summary deb.sh
	exit 1
}

if ! deb_unknown; then
	t_not_ok "no bustd package on this machine before the test" \
	    "$(dpkg-query -W -f='${Package} ${Version} ${Status}' bustd)" \
	    "purge it first: dpkg -P bustd"
	deb_stop "a bustd package is installed already"
fi

# --- The tools and the build dependencies ---

src=$t_tmp/bustd
mkdir "$src" || exit 99
# The tree as it is, without what the build made: tracked and new files
# (debian/ included), not the ignored ones.
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z -c -o --exclude-standard |
	    tar -c --null --ignore-failed-read -T - -f -) |
	    tar -x -f - -C "$src"
else
	cp -a "$top/." "$src/"
fi
t_check "the tree is copied to $src" [ -f "$src/debian/control" ]

# The build dependencies come from debian/control; then the tools to check
# the result, and the package's own run-time dependencies.
export DEBIAN_FRONTEND=noninteractive
{
	apt-get update &&
	    apt-get install -y --no-install-recommends build-essential \
	    dpkg-dev lintian &&
	    apt-get build-dep -y "$src" &&
	    apt-get install -y --no-install-recommends systemd man-db \
	    procps libinih1
} > "$t_tmp/apt.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
	t_ok "apt-get installs the build dependencies and the tools"
else
	t_not_ok "apt-get installs the build dependencies and the tools" \
	    "exit status $rc"
	tail -n 30 "$t_tmp/apt.log" | deb_show
	deb_stop "no build dependencies"
fi

# --- Build ---

(cd "$src" && dpkg-buildpackage -us -uc -b) > "$t_tmp/build.log" 2>&1
rc=$?
arch=$(dpkg --print-architecture)
version=$(cd "$src" && dpkg-parsechangelog -S Version)
deb=$t_tmp/bustd_${version}_$arch.deb
changes=$t_tmp/bustd_${version}_$arch.changes
if [ "$rc" -eq 0 ] && [ -f "$deb" ] && [ -f "$changes" ]; then
	t_ok "dpkg-buildpackage -us -uc -b builds $(basename "$deb")"
else
	t_not_ok "dpkg-buildpackage -us -uc -b builds bustd_${version}_$arch.deb" \
	    "exit status $rc; the end of the log:"
	tail -n 60 "$t_tmp/build.log" | deb_show
	deb_stop "no package"
fi

# dh_auto_test: the unit, CLI and docs tests, never the end-to-end ones
# (real memory pressure, and this build ran as root).
case " ${DEB_BUILD_OPTIONS:-} ${DEB_BUILD_PROFILES:-} " in
*" nocheck "*)
	t_skipped "the build ran the unit and CLI tests only" nocheck
	;;
*)
	sed -n '/^# TOTAL:/,/^# ERROR:/p' "$t_tmp/build.log" > "$t_tmp/tests"
	deb_show "$t_tmp/tests"
	if grep -q '^PASS: tests/cli\.sh$' "$t_tmp/build.log" &&
	    grep -q '^PASS: tests/test_' "$t_tmp/build.log" &&
	    grep -q '^# FAIL: *0$' "$t_tmp/build.log" &&
	    ! grep -q '^[A-Z]*: tests/e2e/' "$t_tmp/build.log"; then
		t_ok "the build ran the unit and CLI tests, no end-to-end test"
	else
		t_not_ok "the build ran the unit and CLI tests, no end-to-end test"
		grep -E '^[A-Z]+: tests/' "$t_tmp/build.log" | deb_show
	fi
	;;
esac

# --- lintian ---

lintian --fail-on error --display-info "$changes" > "$t_tmp/lintian" 2>&1
rc=$?
# lintian warns about running as root; that is not about the package.
grep -v 'running with root privileges is not recommended' "$t_tmp/lintian" \
    > "$t_tmp/lintian.tags"
echo "# lintian $(basename "$changes"):"
if [ -s "$t_tmp/lintian.tags" ]; then
	deb_show "$t_tmp/lintian.tags"
else
	echo "#   (no tags)"
fi
if [ "$rc" -eq 0 ] && ! grep -q '^E: ' "$t_tmp/lintian.tags"; then
	t_ok "lintian finds no error"
else
	t_not_ok "lintian finds no error" "exit status $rc"
fi
t_check "lintian no longer asks for an init script" deb_lacks \
    'package-supports-alternative-init-but-no-init.d-script' \
    "$t_tmp/lintian.tags"

# --- What the package holds ---

echo "# dpkg -c $(basename "$deb"):"
dpkg -c "$deb" > "$t_tmp/contents"
deb_show "$t_tmp/contents"
for f in ./usr/sbin/bustd ./etc/bustd.conf ./etc/init.d/bustd ./etc/bustd.d/ \
    ./lib/systemd/system/bustd.service ./usr/share/man/man8/bustd.8.gz \
    ./usr/share/man/man5/bustd.conf.5.gz \
    ./usr/share/doc/bustd/examples/bustd.rules.yml; do
	t_check "the package holds $f" \
	    grep -q " $f\$" "$t_tmp/contents"
done
t_check "the package holds no test file" \
    deb_lacks 'tests/\|/hog$' "$t_tmp/contents"

# libinih is linked in (libinih.a): no dependency on libinih1.
dpkg-deb -f "$deb" Depends > "$t_tmp/depends"
deb_show "$t_tmp/depends"
t_check "the package does not depend on libinih1" \
    deb_lacks 'libinih' "$t_tmp/depends"

# --- Install ---

# postinst starts bustd (bustd.service under systemd, /etc/init.d/bustd
# without it) with the shipped policy, which kills for real.  A drop-in
# laid before the package makes that daemon a dry run that signals
# nothing, whatever happens on this machine meanwhile, and has it write
# its metrics here (the reload check reads them).
if [ ! -d /etc/bustd.d ]; then
	mkdir -m 755 /etc/bustd.d || exit 99
	dropdir_made=yes
fi
dropin=/etc/bustd.d/zz-deb-test-$$.conf
mkdir -m 700 "$t_tmp/metrics" || exit 99
metrics=$t_tmp/metrics/bustd.prom
printf '[general]\ndry_run = yes\nmetrics_file = %s\n' "$metrics" > "$dropin"
chmod 600 "$dropin"

# invoke-rc.d asks /usr/sbin/policy-rc.d first; container images have
# one that denies every action (exit 101): then postinst starts nothing
# and prerm stops nothing.
rc_denied=no
if [ -x /usr/sbin/policy-rc.d ]; then
	/usr/sbin/policy-rc.d bustd start >/dev/null 2>&1
	[ $? -eq 101 ] && rc_denied=yes
fi
if [ "$rc_denied" = yes ]; then
	echo "# /usr/sbin/policy-rc.d denies starting services here:" \
	    "postinst only enables bustd"
elif [ -d /run/systemd/system ]; then
	echo "# systemd runs this machine: postinst starts bustd.service"
else
	echo "# systemd is not PID 1 here: postinst starts /etc/init.d/bustd"
fi
dpkg -i "$deb" > "$t_tmp/install" 2>&1
rc=$?
installed=yes
deb_show "$t_tmp/install"
t_check "dpkg -i installs the package (exit status $rc)" [ "$rc" -eq 0 ]
status=$(dpkg-query -W -f='${Status}' bustd 2>/dev/null)
t_check "bustd is installed and configured ($status)" \
    [ "$status" = "install ok installed" ]
if [ "$rc" -ne 0 ]; then
	deb_stop "not installed"
fi

t_check "/usr/sbin/bustd is an executable" [ -x /usr/sbin/bustd ]
t_check "/lib/systemd/system/bustd.service is installed" \
    [ -f /lib/systemd/system/bustd.service ]
t_check "the unit runs /usr/sbin/bustd" \
    grep -q '^ExecStart=/usr/sbin/bustd ' /lib/systemd/system/bustd.service
t_check "the unit names /etc/bustd.conf" \
    grep -q '/etc/bustd\.conf' /lib/systemd/system/bustd.service
t_check "postinst enables bustd.service" \
    [ -L /etc/systemd/system/multi-user.target.wants/bustd.service ]
t_check "its copyright file carries libinih's notice, linked in" \
    grep -q 'Redistributions in binary form must reproduce' \
    /usr/share/doc/bustd/copyright
for m in /usr/share/man/man8/bustd.8.gz /usr/share/man/man5/bustd.conf.5.gz; do
	t_check "$m is installed" [ -f "$m" ]
done
t_check "man finds bustd(8) and bustd.conf(5)" \
    sh -c '{ man -w 8 bustd && man -w 5 bustd.conf; } >/dev/null 2>&1'

t_check "/etc/init.d/bustd is installed, executable" [ -x /etc/init.d/bustd ]
perm=$(stat -c '%F %U:%G %a' /etc/bustd.d 2>&1)
t_check "/etc/bustd.d is a folder of root's, mode 0755 ($perm)" \
    [ "$perm" = "directory root:root 755" ]
perm=$(stat -c '%U:%G %a' /etc/bustd.conf 2>&1)
t_check "/etc/bustd.conf belongs to root, mode 0644 ($perm)" \
    [ "$perm" = "root:root 644" ]
dpkg-query -W -f='${Conffiles}\n' bustd > "$t_tmp/conffiles"
t_check "/etc/bustd.conf is a conffile" \
    grep -q '^ /etc/bustd\.conf ' "$t_tmp/conffiles"
t_check "/etc/init.d/bustd is a conffile" \
    grep -q '^ /etc/init\.d/bustd ' "$t_tmp/conffiles"

got=$(/usr/sbin/bustd --version 2>&1)
t_check "bustd --version is the package's version ($got)" \
    [ "$got" = "bustd ${version%%-*}" ]
t_run "$t_tmp/out" "$t_tmp/err" /usr/sbin/bustd --check-config
if [ "$t_rc" -eq 0 ]; then
	t_ok "bustd --check-config accepts /etc/bustd.conf"
else
	t_not_ok "bustd --check-config accepts /etc/bustd.conf" \
	    "exit status $t_rc"
	deb_show "$t_tmp/err"
fi

if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify /lib/systemd/system/bustd.service \
	    > "$t_tmp/verify" 2>&1
	rc=$?
	deb_show "$t_tmp/verify"
	t_check "systemd-analyze verify passes the unit" [ "$rc" -eq 0 ]
else
	t_not_ok "systemd-analyze verify passes the unit" "no systemd-analyze"
fi

# --- The init script, for real (without systemd as PID 1) ---

# deb_pid: the pid in /run/bustd.pid if that process is
# /usr/sbin/bustd, else nothing.
deb_pid()
{
	dp_pid=$(cat /run/bustd.pid 2>/dev/null)
	[ -n "$dp_pid" ] &&
	    [ "$(readlink "/proc/$dp_pid/exe" 2>/dev/null)" = /usr/sbin/bustd ] &&
	    echo "$dp_pid"
}

# deb_metric NAME: its value in the daemon's metrics file.
deb_metric()
{
	awk -v n="$1" '$1 == n { print $2 }' "$metrics" 2>/dev/null
}

# deb_until SECONDS COMMAND...: true once COMMAND succeeds.
deb_until()
{
	du_n=$(($1 * t_ticks))
	shift
	while [ "$du_n" -gt 0 ]; do
		"$@" && return 0
		sleep "$t_tick"
		du_n=$((du_n - 1))
	done
	"$@"
}

# deb_newer OLD: true once the last good load is later than OLD.
deb_newer()
{
	dn_t=$(deb_metric bustd_config_last_reload_success_timestamp_seconds)
	[ -n "$dn_t" ] && [ "$dn_t" -gt "$1" ]
}

# deb_init ACTION: /etc/init.d/bustd ACTION, its output shown, its exit
# status in t_rc.
deb_init()
{
	/etc/init.d/bustd "$1" > "$t_tmp/init" 2>&1
	t_rc=$?
	echo "# /etc/init.d/bustd $1 (exit status $t_rc):"
	deb_show "$t_tmp/init"
}

if [ -d /run/systemd/system ]; then
	t_skipped "the init script starts, reloads and stops bustd" \
	    "systemd runs this machine: bustd.service is used instead"
else
	t_check "postinst registered the init script (/etc/rc2.d)" \
	    sh -c 'ls /etc/rc2.d/S*bustd >/dev/null 2>&1'
	if [ "$rc_denied" = yes ]; then
		t_skipped "postinst started bustd through it" \
		    "policy-rc.d denies it here"
		deb_init start
	fi
	pid=$(deb_pid)
	t_check "bustd runs, started by /etc/init.d/bustd (pid ${pid:-none})" \
	    [ -n "$pid" ]
	# Without a daemon, the rest would only fail again.
	if [ -z "$pid" ]; then
		deb_show /var/log/syslog 2>/dev/null
	else
		t_check "the daemon runs the dry run of the test's drop-in" \
		    deb_until 10 sh -c "grep -q -x 'bustd_dry_run 1' '$metrics'"
		deb_init status
		t_check "status says it runs" [ "$t_rc" -eq 0 ]

		before=$(deb_metric bustd_config_last_reload_success_timestamp_seconds)
		sleep 1.1
		deb_init reload
		t_check "reload succeeds" [ "$t_rc" -eq 0 ]
		t_check "bustd reloaded its policy (SIGHUP)" \
		    deb_until 5 deb_newer "${before:-0}"
		t_check "the same daemon runs on" [ "$(deb_pid)" = "$pid" ]

		dropin_bad=/etc/bustd.d/zz-deb-test-$$-bad.conf
		(umask 077 && printf '[general]\nno_such_key = 1\n' > "$dropin_bad")
		deb_init reload
		t_check "reload refuses a broken policy, with its error" \
		    sh -c "[ $t_rc -ne 0 ] && grep -q 'zz-deb-test-$$-bad.conf:2: ' '$t_tmp/init'"
		deb_init restart
		t_check "restart refuses it too, and bustd runs on" \
		    sh -c "[ $t_rc -ne 0 ] && [ \"\$(cat /run/bustd.pid)\" = $pid ]"
		rm -f "$dropin_bad"

		deb_init stop
		t_check "stop succeeds" [ "$t_rc" -eq 0 ]
		t_check "bustd is gone, and its pid file" \
		    deb_until 5 sh -c "! kill -0 $pid 2>/dev/null && [ ! -e /run/bustd.pid ]"
		deb_init status
		t_check "status says it is not running (exit status 3)" [ "$t_rc" -eq 3 ]
		deb_init start
		pid2=$(deb_pid)
		t_check "start starts it again (pid ${pid2:-none})" \
		    sh -c "[ $t_rc -eq 0 ] && [ -n '$pid2' ] && [ '$pid2' != $pid ]"
		deb_init restart
		pid3=$(deb_pid)
		t_check "restart starts a new one (pid ${pid3:-none})" \
		    sh -c "[ $t_rc -eq 0 ] && [ -n '$pid3' ] && [ '$pid3' != '$pid2' ]"
	fi
fi
# The package removes /etc/bustd.d when it is empty.
rm -f "$dropin"
if [ "$rc_denied" = yes ] && [ -n "$(deb_pid)" ]; then
	echo "# policy-rc.d would keep prerm from stopping bustd: stopped here"
	deb_init stop
	pid3=
fi

# --- Remove, purge ---

dpkg -r bustd > "$t_tmp/remove" 2>&1
rc=$?
deb_show "$t_tmp/remove"
t_check "dpkg -r bustd removes it (exit status $rc)" [ "$rc" -eq 0 ]
status=$(dpkg-query -W -f='${Status}' bustd 2>/dev/null)
t_check "only its conffiles are left ($status)" \
    [ "$status" = "deinstall ok config-files" ]
t_check "/usr/sbin/bustd is gone" deb_gone /usr/sbin/bustd
if [ -n "${pid3:-}" ]; then
	t_check "prerm stopped the daemon" sh -c "! kill -0 $pid3 2>/dev/null"
fi
t_check "/etc/init.d/bustd is kept (a conffile)" [ -f /etc/init.d/bustd ]
t_check "the unit is gone" deb_gone /lib/systemd/system/bustd.service
t_check "/etc/bustd.conf is kept" [ -f /etc/bustd.conf ]

dpkg -P bustd > "$t_tmp/purge" 2>&1
rc=$?
deb_show "$t_tmp/purge"
t_check "dpkg -P bustd purges it (exit status $rc)" [ "$rc" -eq 0 ]
t_check "dpkg knows bustd no more" deb_unknown
t_check "/etc/bustd.conf is gone" deb_gone /etc/bustd.conf
t_check "/etc/init.d/bustd is gone" deb_gone /etc/init.d/bustd
t_check "its rc.d links are gone" \
    sh -c '! ls /etc/rc?.d/[SK]*bustd >/dev/null 2>&1'
t_check "/etc/bustd.d is gone" deb_gone /etc/bustd.d
t_check "the unit is disabled" \
    deb_gone /etc/systemd/system/multi-user.target.wants/bustd.service
installed=no

t_summary deb.sh
