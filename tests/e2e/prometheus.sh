#!/bin/sh
# SPDX-License-Identifier: MIT
# prometheus.sh: the fleet's chain, for real.  bustd writes its metrics
# file into a folder that Debian's node_exporter serves with its textfile
# collector alone, and a Prometheus server scrapes that every second and
# evaluates the shipped alert rules; both listen on free loopback ports
# and run as nobody, as their packages run them as a user of their own.
# After a real kill (fenced as kill.sh is), Prometheus's HTTP API has
# bustd_kills_total at 1, node_textfile_scrape_error at 0, and the
# BustdKilledProcess alert firing.  Skipped (77) without root, or
# without the packages prometheus and prometheus-node-exporter.
. "${srcdir:-.}/tests/e2e/lib.sh"
for b in /usr/bin/prometheus /usr/bin/prometheus-node-exporter \
    /usr/bin/promtool; do
	if [ ! -x "$b" ]; then
		echo "# prometheus.sh: no $b (packages prometheus," \
		    "prometheus-node-exporter); skipped"
		exit 77
	fi
done
e2e_init prometheus.sh 6144

NOBODY=65534

# port_taken PORT: true when a TCP socket on this machine has PORT as
# its local port, listening or not (/proc/net/tcp and tcp6, as ss reads
# them).
port_taken() {
	pt_hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
	    awk -v p="$pt_hex" 'NR > 1 { split($2, a, ":");
	    if (a[length(a)] == p) found = 1 } END { exit !found }'
}

# free_port: a port below the ephemeral range that no socket uses now.
# Another program may still take it before the server binds it: the
# callers try again with another port when the server cannot listen.
free_port() {
	fp_i=0
	while [ "$fp_i" -lt 100 ]; do
		fp_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		fp_p=$((20000 + fp_r % 12000))
		if ! port_taken "$fp_p"; then
			echo "$fp_p"
			return 0
		fi
		fp_i=$((fp_i + 1))
	done
	return 1
}

# serve VAR_PID VAR_PORT LOG READY COMMAND...: start COMMAND as nobody
# with @PORT@ in its arguments replaced by a free port, until one binds:
# READY (fixed text) in LOG means it listens; its exit before that means
# the port was taken (or it failed: the log says).  Five ports at most.
serve() {
	sv_vpid=$1
	sv_vport=$2
	sv_log=$3
	sv_ready=$4
	shift 4
	sv_try=0
	while [ "$sv_try" -lt 5 ]; do
		sv_try=$((sv_try + 1))
		sv_port=$(free_port) || return 1
		sv_args=
		for sv_a in "$@"; do
			sv_a=$(printf '%s' "$sv_a" | sed "s/@PORT@/$sv_port/g")
			sv_args="$sv_args '$sv_a'"
		done
		: > "$sv_log"
		eval "spawn sv_pid setpriv --reuid=$NOBODY --regid=$NOBODY \
		    --clear-groups $sv_args" >> "$sv_log" 2>&1
		sv_n=$((30 * t_ticks))
		while [ "$sv_n" -gt 0 ] && t_running "$sv_pid"; do
			if grep -F -q -e "$sv_ready" "$sv_log"; then
				eval "$sv_vpid=\$sv_pid; $sv_vport=\$sv_port"
				return 0
			fi
			sleep "$t_tick"
			sv_n=$((sv_n - 1))
		done
		if t_running "$sv_pid"; then
			kill -s KILL "$sv_pid"
			wait "$sv_pid" 2>/dev/null
			return 1
		fi
		wait "$sv_pid" 2>/dev/null
		echo "# $1 gave up on port $sv_port:"
		tail -n 3 "$sv_log" | sed 's/^/#   /'
	done
	return 1
}

# query EXPR: Prometheus's answer to an instant query, one line a series
# ("NAME{LABELS} => VALUE @[TIME]"), in $T/query; false if none.
query() {
	promtool query instant "http://127.0.0.1:$PROM_PORT" "$1" \
	    > "$T/query" 2> "$T/query.err" && [ -s "$T/query" ]
}

# value EXPR: the value of the first series EXPR returns, or nothing.
value() {
	query "$1" && sed -n '1s/.* => \([^ ]*\) @.*/\1/p' "$T/query"
}

# wait_value EXPR VALUE SECONDS: true once EXPR's first series is VALUE.
wait_value() {
	wv_n=$(($3 * t_ticks))
	while [ "$wv_n" -gt 0 ]; do
		[ "$(value "$1")" = "$2" ] && return 0
		sleep "$t_tick"
		wv_n=$((wv_n - 1))
	done
	[ "$(value "$1")" = "$2" ]
}

# show: the last answer as comment lines.
show() {
	sed 's/^/#   /' "$T/query" "$T/query.err"
}

# stop PID NAME: SIGTERM, and its exit within 10 s (else SIGKILL).
stop() {
	kill -s TERM "$1" 2>/dev/null
	t_check "$2 stops on SIGTERM" t_wait_exit "$1" 10
}

mkdir "$T/textfile" "$T/tsdb" || exit 99
chown "$NOBODY" "$T/tsdb" || exit 99
cp "$srcdir/etc/prometheus/bustd.rules.yml" "$T/bustd.rules.yml" || exit 99
chmod 644 "$T/bustd.rules.yml"

if serve NE_PID NE_PORT "$T/node_exporter.log" "Listening on" \
    /usr/bin/prometheus-node-exporter --collector.disable-defaults \
    --collector.textfile --collector.textfile.directory="$T/textfile" \
    --web.listen-address=127.0.0.1:@PORT@; then
	t_ok "node_exporter listens on 127.0.0.1:$NE_PORT (textfile only)"
else
	t_not_ok "node_exporter listens on 127.0.0.1" \
	    "$(cat "$T/node_exporter.log")"
	e2e_done
	exit 1
fi

cat > "$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $T/bustd.rules.yml
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NE_PORT']
YML
chmod 644 "$T/prometheus.yml"
if serve PROM_PID PROM_PORT "$T/prometheus.log" \
    "Server is ready to receive web requests" \
    /usr/bin/prometheus --config.file="$T/prometheus.yml" \
    --storage.tsdb.path="$T/tsdb" --web.listen-address=127.0.0.1:@PORT@; then
	t_ok "prometheus listens on 127.0.0.1:$PROM_PORT"
else
	t_not_ok "prometheus listens on 127.0.0.1" \
	    "$(tail -n 20 "$T/prometheus.log")"
	e2e_done
	exit 1
fi

# The servers take memory as they start: thresholds from after that.
AV=$(settled_avail)
write_conf <<CONF
[general]
profile = none
metrics_file = $T/textfile/bustd.prom
[thresholds]
mem_term = $((AV - 1024 * 1024))K
mem_kill = $((AV - 2048 * 1024))K
psi_metric = off
[kill]
term_timeout = 5s
[only-kill]
exe = ^$T/
CONF
start_bustd

KILLS='bustd_kills_total{reason="mem_term",signal="SIGTERM"}'
t_check "before the kill, Prometheus has scraped $KILLS = 0" \
    wait_value "$KILLS" 0 30
show
t_check "node_exporter reads bustd's file, as nobody" \
    [ "$(value 'node_textfile_scrape_error')" = 0 ]

spawn HOG "$T/bin/hog" -r 400 -c "$(kill_hog_mib)" -t 30
wait "$HOG"
STATUS=$?
t_check "the hog died of SIGTERM (status $STATUS)" [ "$STATUS" = 143 ]
if [ "$STATUS" != 143 ]; then
	# What bustd saw meanwhile, as Prometheus recorded it.
	for q in 'min_over_time(bustd_memory_available_bytes[2m])' \
	    'max_over_time(bustd_memory_available_bytes[2m])' \
	    'bustd_threshold_bytes' \
	    'max_over_time(bustd_poll_interval_seconds[2m])'; do
		echo "# promtool query instant http://127.0.0.1:$PROM_PORT '$q':"
		query "$q"; show
	done
fi
t_check "bustd logged the kill of the hog" \
    wait_log "pid $HOG \\(hog\\).*sending SIGTERM.*reason: MemAvailable" 5

# bustd rewrites its file right after the kill, Prometheus scrapes it
# within a second.
t_check "Prometheus's API has $KILLS = 1" wait_value "$KILLS" 1 20
echo "# promtool query instant http://127.0.0.1:$PROM_PORT 'bustd_kills_total':"
query 'bustd_kills_total'
show
t_check "one kill in all" [ "$(value 'sum(bustd_kills_total)')" = 1 ]
echo "# promtool query instant http://127.0.0.1:$PROM_PORT 'node_textfile_scrape_error':"
t_check "node_textfile_scrape_error is 0" \
    [ "$(value 'node_textfile_scrape_error')" = 0 ]
show
t_check "the scrape target is up" [ "$(value 'up{job="node"}')" = 1 ]
# The shipped rules, evaluated every second on what was scraped.
ALERT='ALERTS{alertname="BustdKilledProcess",alertstate="firing",reason="mem_term"}'
t_check "the shipped rule BustdKilledProcess fires" wait_value "$ALERT" 1 20
show

stop "$PROM_PID" prometheus
stop "$NE_PID" node_exporter
if [ "$t_fail" -gt 0 ]; then
	for f in node_exporter prometheus; do
		echo "# $f.log:"
		tail -n 20 "$T/$f.log" | sed 's/^/#   /'
	done
fi
e2e_done
