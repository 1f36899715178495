#!/usr/bin/env bash
# Prometheus for the tests, from Debian packages, on 127.0.0.1 high ports, each process
# stopped by its own PID:
#   live:    two redis-server (one with maxmemory, one without), a prometheus-redis-exporter
#            for each, and a Prometheus scraping them every second as job "redis" (plus a
#            target where nothing listens: always down);
#   history: a second Prometheus on a TSDB backfilled with `promtool tsdb create-blocks-from
#            openmetrics` from HISTORY_FILE (written by the tests' generator), when given.
#
#   prometheus.sh start DIR [HISTORY_FILE]   writes DIR/env (IM_TEST_PROM_URL, ...)
#   prometheus.sh stop DIR
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR [HISTORY_FILE]" >&2; exit 2; }

# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
next_port=0
port=0
free_port() {  # sets $port to a free port at or after $1 not handed out before (no subshell)
  port=$(( $1 > next_port ? $1 : next_port ))
  while ! port_free "$port"; do port=$((port + 1)); done
  next_port=$((port + 1))
}

# Starts a server in the background, records its PID in DIR/pids; $1 = log name.
launch() {
  local name=$1; shift
  "$@" </dev/null >"$dir/$name.log" 2>&1 &
  echo "$! $name" >>"$dir/pids"
}

wait_http() {  # $1 = URL, $2 = what; returns 1 when it does not answer within 30 s
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "prometheus.sh: $2 not ready at $1; see $dir/*.log" >&2
  return 1
}

# True when every process started so far is still running.
all_running() {
  local pid name
  while read -r pid name; do
    kill -0 "$pid" 2>/dev/null || { echo "prometheus.sh: $name exited; see $dir/$name.log" >&2; return 1; }
  done <"$dir/pids"
}

stop() {
  [[ -f "$dir/pids" ]] || return 0
  while read -r pid name; do
    kill "$pid" 2>/dev/null || true
  done <"$dir/pids"
  while read -r pid name; do wait_gone "$pid" 100; done <"$dir/pids"
  rm -f "$dir/pids"
}

# A port nothing listens on can still be the local port of an outgoing connection (see
# common.sh): when a server then fails to bind, everything is stopped and started again on
# later ports.
start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  for _try in 1 2 3; do
    start_once "$@" && return 0
    if grep -qi "address already in use" "$dir"/*.log 2>/dev/null; then
      echo "prometheus.sh: a port was taken meanwhile; starting again on other ports" >&2
      stop
      continue
    fi
    stop
    exit 1
  done
  exit 1
}

start_once() {
  local history=${1:-}
  stop  # anything left by an interrupted run or attempt
  rm -rf "$dir/live-data" "$dir/history-data" "$dir"/*.log

  local r1 r2 e1 e2 down p1 p2
  free_port 36379; r1=$port; free_port 36379; r2=$port
  launch redis1 redis-server --bind 127.0.0.1 --port "$r1" --save '' --appendonly no --daemonize no --maxmemory 64mb
  launch redis2 redis-server --bind 127.0.0.1 --port "$r2" --save '' --appendonly no --daemonize no
  free_port 39121; e1=$port; free_port 39121; e2=$port
  # The target of an exporter that is not running (always down), from a range of its own so
  # no exporter of this or another harness lands on it.
  free_port 39421; down=$port
  launch exporter1 prometheus-redis-exporter -redis.addr "redis://127.0.0.1:$r1" -web.listen-address "127.0.0.1:$e1"
  launch exporter2 prometheus-redis-exporter -redis.addr "redis://127.0.0.1:$r2" -web.listen-address "127.0.0.1:$e2"
  wait_http "http://127.0.0.1:$e1/metrics" exporter1 || return 1
  wait_http "http://127.0.0.1:$e2/metrics" exporter2 || return 1
  all_running || return 1  # the Redis servers too

  cat >"$dir/live.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: redis
    static_configs:
      - targets: ["127.0.0.1:$e1", "127.0.0.1:$e2", "127.0.0.1:$down"]
YML
  free_port 39090; p1=$port
  launch prometheus-live prometheus --config.file="$dir/live.yml" --storage.tsdb.path="$dir/live-data" \
    --web.listen-address="127.0.0.1:$p1"
  wait_http "http://127.0.0.1:$p1/-/ready" "the live Prometheus" || return 1
  # Ready once both exporters have been scraped.
  for _ in $(seq 1 100); do
    [[ $(curl -fsS "http://127.0.0.1:$p1/api/v1/query?query=count(redis_up)" | grep -o '"value":\[[^]]*,"2"\]' || true) ]] && break
    sleep 0.1
  done

  {
    echo "IM_TEST_PROM_URL=http://127.0.0.1:$p1"
    echo "IM_TEST_PROM_LIVE_TARGETS=127.0.0.1:$e1,127.0.0.1:$e2"
    echo "IM_TEST_PROM_DOWN_TARGET=127.0.0.1:$down"
    echo "IM_TEST_REDIS_PORTS=$r1,$r2"
  } >"$dir/env"

  if [[ -n "$history" ]]; then
    # Blocks of up to 31 days (the default 2 h blocks take 60 times longer), written before
    # the server starts (a running server picks new blocks up only after a minute), and a
    # retention long enough to keep them (it counts from the newest block).
    promtool tsdb create-blocks-from openmetrics --max-block-duration=744h "$history" \
      "$dir/history-data" >"$dir/promtool.log" 2>&1 || { cat "$dir/promtool.log" >&2; return 1; }
    free_port 39190; p2=$port
    launch prometheus-history prometheus --config.file=/dev/null --storage.tsdb.path="$dir/history-data" \
      --storage.tsdb.retention.time=4000d --web.listen-address="127.0.0.1:$p2"
    wait_http "http://127.0.0.1:$p2/-/ready" "the history Prometheus" || return 1
    echo "IM_TEST_PROM_HISTORY_URL=http://127.0.0.1:$p2" >>"$dir/env"
  fi
  all_running || return 1
  echo "prometheus.sh: ready ($(wc -l <"$dir/pids") processes)"
}

case "$cmd" in
  start) start "${3:-}" ;;
  stop) stop; echo "prometheus.sh: stopped" ;;
  *) echo "usage: $0 start|stop DIR [HISTORY_FILE]" >&2; exit 2 ;;
esac
