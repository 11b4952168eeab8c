#!/bin/sh
# SPDX-License-Identifier: MIT
# prometheus_rules.sh: the shipped alert rules (etc/prometheus/
# bustd.rules.yml) pass "promtool check rules", and each alert fires, or
# stays quiet, as its series fixtures in tests/prometheus/ say ("promtool
# test rules").  Skipped (77) without promtool (Debian: prometheus).
srcdir=${srcdir:-.}
. "$srcdir/tests/lib.sh"
srcdir=$(t_abs "$srcdir")

if ! command -v promtool >/dev/null 2>&1; then
	echo "# prometheus_rules.sh: no promtool (package prometheus); skipped"
	exit 77
fi
t_tmpdir
rules=$srcdir/etc/prometheus/bustd.rules.yml

# t_promtool NAME COMMAND...: ok when promtool succeeds; its output as
# comment lines either way.
t_promtool()
{
	pt_name=$1
	shift
	"$@" > "$t_tmp/out" 2>&1
	pt_rc=$?
	sed 's/^/#   /' "$t_tmp/out"
	if [ "$pt_rc" -eq 0 ]; then
		t_ok "$pt_name"
	else
		t_not_ok "$pt_name" "exit status $pt_rc: $*"
	fi
}

t_promtool "promtool check rules accepts bustd.rules.yml" \
    promtool check rules "$rules"

# Every alert of the file has a fixture, and every fixture names a rule
# of the file.
sed -n 's/^ *- alert: *\([A-Za-z]*\) *$/\1/p' "$rules" | sort -u \
    > "$t_tmp/alerts"
cat "$srcdir"/tests/prometheus/*.yml |
    sed -n 's/^ *alertname: *\([A-Za-z]*\) *$/\1/p' | sort -u \
    > "$t_tmp/tested"
t_check "the file has alerts ($(wc -l < "$t_tmp/alerts"))" \
    [ -s "$t_tmp/alerts" ]
t_same "each alert has a test, and each test an alert" \
    "$t_tmp/alerts" "$t_tmp/tested"
# Each alert is seen firing in some fixture: a test of silence alone
# would pass against a rule that never fires.
for a in $(cat "$t_tmp/alerts"); do
	t_check "$a is seen firing in a fixture" awk -v a="$a" '
	    $1 == "alertname:" { cur = $2 }
	    $1 == "-" && $2 == "exp_labels:" && cur == a { found = 1 }
	    END { exit !found }' "$srcdir"/tests/prometheus/*.yml
done

# Every bustd metric the rules use is one bustd writes (src/metrics.c).
# bustd_warning_active and bustd_dry_run_decisions_total come with the
# warning level and the dry-run counter: until src/metrics.c has them,
# they are reported as skipped, never failed; any other name must be
# there.
pending=" bustd_warning_active bustd_dry_run_decisions_total "
grep -o 'bustd_[a-z_]*' "$rules" | sort -u > "$t_tmp/used"
for m in $(cat "$t_tmp/used"); do
	if grep -q "\"$m[\"{ ]" "$srcdir/src/metrics.c"; then
		t_ok "src/metrics.c writes $m"
	else
		case $pending in
		*" $m "*) t_skipped "src/metrics.c writes $m" "not yet" ;;
		*) t_not_ok "src/metrics.c writes $m" \
		    "the rules use a metric bustd does not write" ;;
		esac
	fi
done

# promtool resolves rule_files from each test file's folder.
t_promtool "promtool test rules passes tests/prometheus/*.yml" \
    promtool test rules "$srcdir"/tests/prometheus/*.yml

t_summary prometheus_rules.sh
