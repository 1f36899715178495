#!/usr/bin/env bash
# A private MariaDB server for the tests (Debian's mariadb-server): its own data directory,
# 127.0.0.1 on a high port, a TCP user, stopped by its own PID. Never touches a system server.
#
#   mariadb.sh start DIR [PORT]   initializes DIR if needed, starts the server, waits until a
#                                 real query answers, writes DIR/env (IM_TEST_MYSQL_URL, ...)
#   mariadb.sh stop DIR           stops the server started in DIR (by the PID in DIR/pid)
set -euo pipefail
# mariadbd and mariadb-install-db live in /usr/sbin, which a CI user's PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }
user=im_test
password=im_test_pw
database=infra_monitor_test

# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

start() {
  local port=${1:-0}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # A server left running in this folder by an interrupted run holds its files: stop it.
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "mariadb.sh: stopping the server left running in $dir" >&2
    stop
  fi
  local auto=0 first=33306
  [[ "$port" == 0 ]] && auto=1
  if [[ ! -d "$dir/data/mysql" ]]; then
    # FLUSH PRIVILEGES first: without it CREATE USER fails during bootstrap.
    cat >"$dir/init.sql" <<SQL
FLUSH PRIVILEGES;
CREATE DATABASE IF NOT EXISTS $database CHARACTER SET utf8mb4;
CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1';
SQL
    mariadb-install-db --no-defaults --user=root --datadir="$dir/data" --skip-test-db \
      --auth-root-authentication-method=socket --innodb-log-file-size=16M \
      --extra-file="$dir/init.sql" >"$dir/install.log" 2>&1 ||
      { cat "$dir/install.log" >&2; exit 1; }
  fi
  # A port nothing listens on can still be taken as the local port of some outgoing
  # connection (our high ports are in Linux's ephemeral range): then bind fails, and with an
  # automatic port the next one is tried.
  local pid
  for _try in 1 2 3 4 5; do
    if [[ $auto == 1 ]]; then
      for port in $(seq "$first" 33406); do port_free "$port" && break; done
      first=$((port + 1))
    fi
    port_free "$port" || { echo "mariadb.sh: port $port is in use" >&2; exit 1; }
    : >"$dir/error.log"
    mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/mysqld.sock" \
      --port="$port" --bind-address=127.0.0.1 --skip-name-resolve --innodb-log-file-size=16M \
      --event-scheduler=ON --log-error="$dir/error.log" --pid-file="$dir/mysqld.pid" </dev/null >/dev/null 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    # Ready means a real query as the TCP user answers (mariadb-admin ping says yes even on
    # access denied); give up if the server dies or after 30 s.
    for _ in $(seq 1 300); do
      if ! kill -0 "$pid" 2>/dev/null; then
        if [[ $auto == 1 ]] && grep -q "Address already in use" "$dir/error.log"; then
          echo "mariadb.sh: port $port was taken meanwhile; trying another" >&2
          continue 2
        fi
        echo "mariadb.sh: server exited; see $dir/error.log" >&2; tail -5 "$dir/error.log" >&2; exit 1
      fi
      if mariadb --no-defaults -h 127.0.0.1 -P "$port" -u "$user" -p"$password" -e 'SELECT 1' "$database" >/dev/null 2>&1; then
        cat >"$dir/env" <<ENV
IM_TEST_MYSQL_URL=mysql://$user@127.0.0.1:$port/$database
IM_TEST_MYSQL_PASSWORD=$password
IM_TEST_MYSQL_PORT=$port
ENV
        echo "mariadb.sh: ready on 127.0.0.1:$port (pid $pid)"
        return 0
      fi
      sleep 0.1
    done
    break
  done
  echo "mariadb.sh: no server ready on 127.0.0.1:$port; see $dir/error.log" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

stop() {
  [[ -f "$dir/pid" ]] || { echo "mariadb.sh: no server recorded in $dir" >&2; return 0; }
  local pid
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null && wait_gone "$pid"
  rm -f "$dir/pid"
  echo "mariadb.sh: stopped (pid $pid)"
}

case "$cmd" in
  start) start "${3:-0}" ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
