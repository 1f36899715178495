#!/usr/bin/env bash
# The moto server (AWS APIs, from this machine's Python 3.11) for the tests: 127.0.0.1 on a
# high port, stopped by its own PID.
#   moto.sh start DIR [PORT]   writes DIR/env (IM_TEST_MOTO_URL)
#   moto.sh stop DIR
set -euo pipefail
cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

stop() {
  [[ -f "$dir/pid" ]] || return 0
  local pid
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null && wait_gone "$pid" 100
  rm -f "$dir/pid"
}

start() {
  local port=${1:-0}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  stop
  command -v moto_server >/dev/null || { echo "moto.sh: moto_server not found (pip package moto[server])" >&2; exit 1; }
  if [[ "$port" == 0 ]]; then
    for port in $(seq 35000 35100); do port_free "$port" && break; done
  fi
  moto_server -H 127.0.0.1 -p "$port" </dev/null >"$dir/moto.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 300); do
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { echo "moto.sh: moto_server exited; see $dir/moto.log" >&2; tail -5 "$dir/moto.log" >&2; exit 1; }
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/data.json" 2>/dev/null; then
      echo "IM_TEST_MOTO_URL=http://127.0.0.1:$port" >"$dir/env"
      echo "moto.sh: ready on 127.0.0.1:$port (pid $(cat "$dir/pid"))"
      return 0
    fi
    sleep 0.1
  done
  echo "moto.sh: not ready after 30 s; see $dir/moto.log" >&2
  stop
  exit 1
}

case "$cmd" in
  start) start "${3:-0}" ;;
  stop) stop; echo "moto.sh: stopped" ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
