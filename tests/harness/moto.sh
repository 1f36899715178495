#!/usr/bin/env bash
# The moto server (AWS APIs, from this machine's Python 3.11) for the tests: 127.0.0.1 on a
# high port, stopped by its own PID.
#   moto.sh start [--keep-alive] DIR [PORT]   writes DIR/env (IM_TEST_MOTO_URL)
#   moto.sh stop DIR
# --keep-alive serves moto's application over persistent connections, as AWS does
# (moto_keepalive.py); moto_server closes every connection.
set -euo pipefail
usage="usage: $0 start [--keep-alive] DIR [PORT] | stop DIR"
cmd=${1:-}
shift || true
keep_alive=0
[[ "${1:-}" == --keep-alive && "$cmd" == start ]] && { keep_alive=1; shift; }
dir=${1:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "$usage" >&2; exit 2; }
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
  # As in mariadb.sh: a free-looking port may be some connection's local port, and then the
  # bind fails; with an automatic port the next one is tried.
  local auto=0 first=35000
  [[ "$port" == 0 ]] && auto=1
  for _try in 1 2 3 4 5; do
    if [[ $auto == 1 ]]; then
      for port in $(seq "$first" 35100); do port_free "$port" && break; done
      first=$((port + 1))
    fi
    if [[ $keep_alive == 1 ]]; then
      python3 "$(dirname "$0")/moto_keepalive.py" 127.0.0.1 "$port" </dev/null >"$dir/moto.log" 2>&1 &
    else
      moto_server -H 127.0.0.1 -p "$port" </dev/null >"$dir/moto.log" 2>&1 &
    fi
    echo $! >"$dir/pid"
    for _ in $(seq 1 300); do
      if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
        if [[ $auto == 1 ]] && grep -q "Address already in use" "$dir/moto.log"; then
          echo "moto.sh: port $port was taken meanwhile; trying another" >&2
          continue 2
        fi
        echo "moto.sh: moto_server exited; see $dir/moto.log" >&2; tail -5 "$dir/moto.log" >&2; exit 1
      fi
      if curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/data.json" 2>/dev/null; then
        echo "IM_TEST_MOTO_URL=http://127.0.0.1:$port" >"$dir/env"
        echo "moto.sh: ready on 127.0.0.1:$port (pid $(cat "$dir/pid"))"
        return 0
      fi
      sleep 0.1
    done
    break
  done
  echo "moto.sh: no moto_server ready on 127.0.0.1:$port; see $dir/moto.log" >&2
  stop
  exit 1
}

case "$cmd" in
  start) start "${2:-0}" ;;
  stop) stop; echo "moto.sh: stopped" ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
