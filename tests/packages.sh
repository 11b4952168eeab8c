#!/bin/sh
# SPDX-License-Identifier: MIT
# packages.sh: build the Arch package (packaging/arch/PKGBUILD, with
# makepkg) and the RPM (packaging/rpm/bustd.spec, with rpmbuild) from the
# make dist tarball of a copy of this tree, check what each holds, and
# lint them.
#
# For a Debian 12 machine, as root, with Debian's makepkg,
# pacman-package-manager (makepkg stops without pacman, even with
# --nodeps), libarchive-tools, rpm and rpmlint: makepkg refuses root, so
# both build as a user made for the purpose and removed after.  Neither
# tool knows Debian's packages, so both skip their dependency checks
# (makepkg --nodeps, rpmbuild --nodeps); the build dependencies are the
# README's (inih, cmocka, pkg-config).  Not part of make check: .ci/run
# runs it after tests/deb.sh.  Skipped (77) without root, or without
# makepkg and rpmbuild.

cd "$(dirname "$0")/.." || exit 99
top=$(pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "# packages.sh: skipped: needs root (a build user)"
	exit 77
fi
have_makepkg=no
have_rpm=no
command -v makepkg >/dev/null 2>&1 && command -v bsdtar >/dev/null 2>&1 &&
    command -v pacman >/dev/null 2>&1 && have_makepkg=yes
command -v rpmbuild >/dev/null 2>&1 && have_rpm=yes
if [ "$have_makepkg$have_rpm" = nono ]; then
	echo "# packages.sh: skipped: no makepkg (packages makepkg," \
	    "pacman-package-manager, libarchive-tools) and no rpmbuild" \
	    "(package rpm)"
	exit 77
fi

builder=
pk_cleanup()
{
	if [ -n "$builder" ] && id "$builder" >/dev/null 2>&1; then
		userdel "$builder" 2>/dev/null
		getent group "$builder" >/dev/null 2>&1 &&
		    groupdel "$builder" 2>/dev/null
	fi
	t_cleanup
}
t_tmpdir
trap pk_cleanup EXIT
# The build user must reach its folders in here.
chmod 711 "$t_tmp"

# pk_show [FILE]: FILE (or stdin) as comment lines.
pk_show()
{
	sed 's/^/#   /' "$@"
}

# pk_stop NAME: nothing after this can run: summary, fail.
pk_stop()
{
	echo "# packages.sh: stopped: $1"
	t_summary packages.sh
	exit 1
}

# pk_has LIST PATH: true when the file list LIST has the line PATH.
pk_has()
{
	grep -q -x -F -e "$2" "$1"
}

# as_builder DIR COMMAND...: COMMAND as the build user, in DIR, with DIR
# as its home.
as_builder()
{
	ab_dir=$1
	shift
	(cd "$ab_dir" && setpriv --reuid="$builder" --regid="$builder" \
	    --init-groups env -i PATH=/usr/bin:/bin HOME="$ab_dir" \
	    LC_ALL=C.UTF-8 "$@")
}

# --- The tarball ---

src=$t_tmp/src
mkdir "$src" || exit 99
# The tree as it is, without what the build made (as tests/deb.sh).
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z -c -o --exclude-standard |
	    tar -c --null --ignore-failed-read -T - -f -) |
	    tar -x -f - -C "$src"
else
	cp -a "$top/." "$src/"
fi
(cd "$src" && ./autogen.sh && ./configure && make dist) \
    > "$t_tmp/dist.log" 2>&1
rc=$?
tarball=$(ls "$src"/bustd-*.tar.gz 2>/dev/null | head -n 1)
if [ "$rc" -eq 0 ] && [ -f "$tarball" ]; then
	t_ok "make dist builds $(basename "$tarball")"
else
	t_not_ok "make dist builds the tarball" "exit status $rc"
	tail -n 30 "$t_tmp/dist.log" | pk_show
	pk_stop "no tarball"
fi
version=$(basename "$tarball" .tar.gz)
version=${version#bustd-}
for f in packaging/arch/PKGBUILD packaging/rpm/bustd.spec \
    packaging/rpm/rpmlint.toml; do
	t_check "the tarball holds $f" \
	    sh -c "tar -tzf '$tarball' | grep -q -x 'bustd-$version/$f'"
done
pkgver=$(sed -n 's/^pkgver=//p' packaging/arch/PKGBUILD)
t_check "PKGBUILD's pkgver is the tarball's version ($pkgver)" \
    [ "$pkgver" = "$version" ]
specver=$(sed -n 's/^Version: *//p' packaging/rpm/bustd.spec)
t_check "bustd.spec's Version is the tarball's version ($specver)" \
    [ "$specver" = "$version" ]

builder=bustd-build-$$
if useradd --system --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --user-group "$builder"; then
	t_ok "build user $builder created"
else
	builder=
	pk_stop "no build user"
fi

# --- Arch Linux: makepkg ---

arch_check()
{
	a=$t_tmp/arch
	mkdir "$a" || exit 99
	cp packaging/arch/PKGBUILD "$tarball" "$a/"
	# The checksum of this tarball (updpkgsums would write the same).
	sum=$(sha256sum "$tarball" | cut -d' ' -f1)
	sed -i "s/^sha256sums=('SKIP')\$/sha256sums=('$sum')/" "$a/PKGBUILD"
	chown -R "$builder:$builder" "$a"
	# Debian's makepkg.conf makes .pkg.tar.gz; Arch's own, .zst.
	as_builder "$a" PKGEXT=.pkg.tar.zst makepkg --nodeps \
	    > "$t_tmp/makepkg.log" 2>&1
	rc=$?
	pkg=$a/bustd-$version-1-$(uname -m).pkg.tar.zst
	if [ "$rc" -eq 0 ] && [ -f "$pkg" ]; then
		t_ok "makepkg --nodeps builds $(basename "$pkg")"
	else
		t_not_ok "makepkg --nodeps builds the package" \
		    "exit status $rc; the end of the log:"
		tail -n 40 "$t_tmp/makepkg.log" | pk_show
		return
	fi
	grep -E '^(PASS|FAIL|SKIP|ERROR): |^# (TOTAL|PASS|FAIL):' \
	    "$t_tmp/makepkg.log" | pk_show
	t_check "its check() ran the tests, none failed" \
	    grep -q '^# FAIL: *0$' "$t_tmp/makepkg.log"

	echo "# bsdtar -tf $(basename "$pkg"):"
	bsdtar -tf "$pkg" | grep -v '^\.' | grep -v '/$' | sort \
	    > "$t_tmp/arch.files"
	pk_show "$t_tmp/arch.files"
	for f in usr/bin/bustd etc/bustd.conf \
	    usr/lib/systemd/system/bustd.service \
	    usr/share/man/man8/bustd.8.gz usr/share/man/man5/bustd.conf.5.gz \
	    usr/share/doc/bustd/examples/bustd.rules.yml \
	    usr/share/licenses/bustd/LICENSE; do
		t_check "the package holds /$f" pk_has "$t_tmp/arch.files" "$f"
	done
	t_check "the package holds the folder /etc/bustd.d" \
	    sh -c "bsdtar -tf '$pkg' | grep -q -x 'etc/bustd.d/'"
	bsdtar -xOf "$pkg" .PKGINFO > "$t_tmp/PKGINFO"
	t_check "/etc/bustd.conf is a backup file (kept when changed)" \
	    grep -q -x 'backup = etc/bustd.conf' "$t_tmp/PKGINFO"
	grep '^depend' "$t_tmp/PKGINFO" | pk_show
	bsdtar -xOf "$pkg" usr/lib/systemd/system/bustd.service \
	    > "$t_tmp/arch.unit"
	t_check "the unit runs /usr/bin/bustd" \
	    grep -q '^ExecStart=/usr/bin/bustd -n$' "$t_tmp/arch.unit"
	t_check "the package holds no test file" \
	    sh -c "! grep -q 'tests/\\|/hog\$' '$t_tmp/arch.files'"

	if command -v namcap >/dev/null 2>&1; then
		namcap "$a/PKGBUILD" "$pkg" > "$t_tmp/namcap" 2>&1
		pk_show "$t_tmp/namcap"
		t_check "namcap finds no error" \
		    sh -c "! grep -q ' E: ' '$t_tmp/namcap'"
	else
		t_skipped "namcap lints the PKGBUILD and the package" \
		    "no namcap (Debian 12 has no such package)"
	fi
}

if [ "$have_makepkg" = yes ]; then
	arch_check
else
	why="no makepkg, pacman or bsdtar (packages makepkg,"
	t_skipped "makepkg builds the Arch package" \
	    "$why pacman-package-manager, libarchive-tools)"
fi

# --- RPM: rpmbuild ---

rpm_check()
{
	r=$t_tmp/rpm
	mkdir -p "$r/SOURCES" "$r/SPECS" || exit 99
	cp "$tarball" "$r/SOURCES/"
	cp packaging/rpm/bustd.spec "$r/SPECS/"
	chown -R "$builder:$builder" "$r"
	as_builder "$r" rpmbuild -bb --nodeps --define "_topdir $r" \
	    SPECS/bustd.spec > "$t_tmp/rpmbuild.log" 2>&1
	rc=$?
	rpm=$(ls "$r"/RPMS/*/bustd-"$version"-1*.rpm 2>/dev/null | head -n 1)
	if [ "$rc" -eq 0 ] && [ -f "$rpm" ]; then
		t_ok "rpmbuild -bb --nodeps builds $(basename "$rpm")"
	else
		t_not_ok "rpmbuild -bb --nodeps builds the package" \
		    "exit status $rc; the end of the log:"
		tail -n 40 "$t_tmp/rpmbuild.log" | pk_show
		return
	fi
	grep -E '^(PASS|FAIL|SKIP|ERROR): |^# (TOTAL|PASS|FAIL):' \
	    "$t_tmp/rpmbuild.log" | pk_show
	t_check "its %check ran the tests, none failed" \
	    grep -q '^# FAIL: *0$' "$t_tmp/rpmbuild.log"

	echo "# rpm -qlp $(basename "$rpm"):"
	rpm -qlp "$rpm" > "$t_tmp/rpm.files" 2>&1
	pk_show "$t_tmp/rpm.files"
	# Debian's rpm leaves the man pages uncompressed (its brp-compress
	# fails under dash); Fedora's gzips them.
	for f in /usr/sbin/bustd /etc/bustd.conf /etc/bustd.d \
	    /usr/lib/systemd/system/bustd.service \
	    /usr/share/doc/bustd/examples/bustd.rules.yml; do
		t_check "the package holds $f" pk_has "$t_tmp/rpm.files" "$f"
	done
	for f in /usr/share/man/man8/bustd.8 /usr/share/man/man5/bustd.conf.5; do
		t_check "the package holds $f" \
		    sh -c "grep -q -x -e '$f' -e '$f.gz' '$t_tmp/rpm.files'"
	done
	rpm -qp --queryformat '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm" \
	    > "$t_tmp/rpm.flags"
	t_check "/etc/bustd.conf is %config(noreplace)" \
	    grep -q -x 'cn /etc/bustd.conf' "$t_tmp/rpm.flags"
	rpm -qp --requires "$rpm" | grep -v '^rpmlib(' | pk_show
	rpm -qp --scripts "$rpm" > "$t_tmp/rpm.scripts"
	t_check "its scriptlets enable and stop the unit with systemctl" \
	    sh -c "grep -q 'systemctl .*preset bustd.service' '$t_tmp/rpm.scripts' &&
	    grep -q 'systemctl .*disable --now bustd.service' '$t_tmp/rpm.scripts'"
	rpm2cpio "$rpm" | (mkdir "$r/x" && cd "$r/x" && cpio -i -d --quiet \
	    ./usr/lib/systemd/system/bustd.service)
	t_check "the unit runs /usr/sbin/bustd" \
	    grep -q '^ExecStart=/usr/sbin/bustd -n$' \
	    "$r/x/usr/lib/systemd/system/bustd.service"
	t_check "the package holds no test file" \
	    sh -c "! grep -q 'tests/\\|/hog\$' '$t_tmp/rpm.files'"

	if command -v rpmlint >/dev/null 2>&1; then
		rpmlint -c packaging/rpm/rpmlint.toml \
		    packaging/rpm/bustd.spec "$rpm" > "$t_tmp/rpmlint" 2>&1
		rc=$?
		sed -n '/checks:/,$p' "$t_tmp/rpmlint" | pk_show
		t_check "rpmlint finds no error and no warning (exit status $rc)" \
		    grep -q ' 0 errors, 0 warnings' "$t_tmp/rpmlint"
	else
		t_skipped "rpmlint lints the spec and the package" \
		    "no rpmlint (package rpmlint)"
	fi
}

if [ "$have_rpm" = yes ]; then
	rpm_check
else
	t_skipped "rpmbuild builds the RPM" "no rpmbuild (package rpm)"
fi

userdel "$builder" 2>/dev/null
getent group "$builder" >/dev/null 2>&1 && groupdel "$builder"
t_check "build user $builder removed" sh -c "! id '$builder' >/dev/null 2>&1"
builder=

t_summary packages.sh
