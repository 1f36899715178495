#!/usr/bin/env bash
# make bench: end-to-end pipeline runs at three scales on the simulated fleet, with per-step
# wall time (from the pipeline log) and the process's peak memory (GNU time), on SQLite and
# on a private MariaDB (tests/harness/mariadb.sh); store write throughput on both; then the
# micro-benchmarks. Figures go to docs/performance.md by hand, with the machine and date.
#   run_bench.sh [BUILD_DIR [SECTION...]]   sections: pipeline prometheus aws micro (default all)
# Each section runs alone on the machine: the MariaDB server of `pipeline` is stopped (and the
# disk synced) before the next one.
set -euo pipefail
build=${1:-build/release}
shift || true
sections=" ${*:-pipeline prometheus aws micro} "
want() { [[ "$sections" == *" $1 "* ]]; }
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/infra-monitor"
work=$(mktemp -d)
prom_pid=""
cleanup() {
  "$here/../tests/harness/mariadb.sh" stop "$work/mariadb" >/dev/null 2>&1 || true
  "$here/../tests/harness/moto.sh" stop "$work/moto" >/dev/null 2>&1 || true
  [[ -n "$prom_pid" ]] && kill "$prom_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
yesterday=$(date -u -d yesterday +%F)

maria_sql() {  # $1 = database, $2 = SQL
  mariadb --no-defaults -h 127.0.0.1 -P "$IM_TEST_MYSQL_PORT" -u im_test -p"$IM_TEST_MYSQL_PASSWORD" \
    -N -B "$1" -e "$2"
}
maria_db() {  # $1 = name: a fresh database, prints its URL
  maria_sql mysql "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1" >/dev/null
  echo "mysql://im_test@127.0.0.1:$IM_TEST_MYSQL_PORT/$1"
}

steps_of_last_run() {  # $1 = storage URL
  local q="SELECT step_num, step_name, status, rows_affected, duration_seconds
    FROM infra_monitoring_pipeline_log
    WHERE run_id = (SELECT run_id FROM infra_monitoring_pipeline_log ORDER BY id DESC LIMIT 1)
    ORDER BY step_num"
  if [[ $1 == mysql://* ]]; then
    maria_sql "${1##*/}" "$q"
  else
    sqlite3 -separator $'\t' "${1#sqlite://}" "$q"
  fi | awk -F'\t' '{ printf "  step %2d %-26s %-8s %8d rows %8.3f s\n", $1, $2, $3, $4, $5 }'
}

measure() {  # $1 = label, rest = command
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
    cat "$work/stderr" >&2; echo "bench: '$label' failed" >&2; exit 1; }
  read -r secs kb <"$work/time"
  printf '\n%s: %s s wall, peak RSS %d MiB\n' "$label" "$secs" $((kb / 1024))
}

demo() {  # $1 = storage URL
  measure "demo on ${1%%:*}: 30-day backfill + yesterday, guide's current scale (76 Redis, 62 RDS)" \
    "$bin" --storage-url "$1" --log-level warning demo
  grep -h 'backfill done' "$work/stderr" | sed 's/^/  /'
  steps_of_last_run "$1"
}

scale() {  # $1 = storage URL, $2 redis, $3 rds, $4 ec2, $5 history days
  local url=$1
  export IM_SIMULATE_REDIS_INSTANCES=$2 IM_SIMULATE_RDS_INSTANCES=$3 IM_SIMULATE_EC2_INSTANCES=$4 ENABLE_EC2=true
  if [[ $5 -gt 0 ]]; then
    "$bin" --storage-url "$url" --log-level warning run \
      --start-date "$(date -u -d "$yesterday - $5 days" +%F)" --end-date "$(date -u -d "$yesterday - 1 day" +%F)" >/dev/null
  fi
  local label="one day at $(( $2 + $3 + $4 )) instances ($2 Redis, $3 RDS, $4 EC2; $5 days of history) on ${url%%:*}"
  measure "$label" "$bin" --storage-url "$url" --log-level warning run --target-date "$yesterday"
  steps_of_last_run "$url"
  measure "the same day again (re-run: every row an update) on ${url%%:*}" \
    "$bin" --storage-url "$url" --log-level warning run --target-date "$yesterday"
  steps_of_last_run "$url"
  unset IM_SIMULATE_REDIS_INSTANCES IM_SIMULATE_RDS_INSTANCES IM_SIMULATE_EC2_INSTANCES ENABLE_EC2
}

echo "infra-monitor benchmarks on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%F)"

if want pipeline; then
  "$here/../tests/harness/mariadb.sh" start "$work/mariadb" >/dev/null
  # shellcheck disable=SC1091
  source "$work/mariadb/env"
  export DB_PASSWORD=$IM_TEST_MYSQL_PASSWORD
  echo "MariaDB $(maria_sql mysql 'SELECT VERSION()') (private server, default settings)"

  echo
  echo "store write throughput: 140,000 daily-metric rows (10,000 instances x 14 metrics)"
  "$build/bench/store_bench" "sqlite://$work/store.db" 140000
  "$build/bench/store_bench" "$(maria_db im_bench_store)" 140000

  demo "sqlite://$work/demo.db"
  demo "$(maria_db im_bench_demo)"

  scale "sqlite://$work/1k.db" 400 300 300 "${HISTORY_1K:-28}"
  scale "sqlite://$work/10k.db" 4000 3000 3000 "${HISTORY_10K:-7}"
  scale "$(maria_db im_bench_10k)" 4000 3000 3000 "${HISTORY_10K:-7}"
  # MariaDB flushes and purges for minutes after the 10k run: it would share the cores with
  # what follows.
  "$here/../tests/harness/mariadb.sh" stop "$work/mariadb" >/dev/null
  rm -f "$work"/*.db*
  sync
fi

prometheus_day() {  # $1 = Redis instances: one day of exporter history, then one collection
  local n=$1 port
  for port in $(seq 39590 39690); do ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; done
  rm -rf "$work/tsdb"
  "$build/bench/bench_history_gen" "$work/history.om" "$n" 1
  promtool tsdb create-blocks-from openmetrics --max-block-duration=744h "$work/history.om" "$work/tsdb" >/dev/null
  rm -f "$work/history.om"
  prometheus --config.file=/dev/null --storage.tsdb.path="$work/tsdb" --storage.tsdb.retention.time=4000d \
    --web.listen-address="127.0.0.1:$port" </dev/null >"$work/prometheus.log" 2>&1 &
  prom_pid=$!
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && break; sleep 0.1; done
  "$build/bench/prom_bench" "http://127.0.0.1:$port" 2026-10-30
  kill "$prom_pid"; wait "$prom_pid" 2>/dev/null || true; prom_pid=""
}

if want prometheus; then
  echo
  echo "Prometheus: collecting one day (2026-10-30) of prometheus-redis-exporter history (5-minute samples)"
  for n in 100 1000 2000; do prometheus_day "$n"; done
fi

aws_day() {  # $@ = moto.sh start options: seed one day of 1,000 RDS instances, collect it
  "$here/../tests/harness/moto.sh" start "$@" "$work/moto" >/dev/null
  # shellcheck disable=SC1091
  source "$work/moto/env"
  local day=2026-11-20 seed_secs
  seed_secs=$( { /usr/bin/time -f '%e' python3 "$here/../tests/harness/seed_moto.py" "$IM_TEST_MOTO_URL" us-east-1 inventory 998 0 >/dev/null; } 2>&1 )
  python3 "$here/../tests/harness/seed_moto.py" "$IM_TEST_MOTO_URL" us-east-1 metrics "$(date -u -d "$day" +%s)" 3 6
  echo "  (seeding 1,000 instances into moto took $seed_secs s)"
  "$build/bench/aws_bench" "$IM_TEST_MOTO_URL" us-east-1 "$day"
  "$here/../tests/harness/moto.sh" stop "$work/moto" >/dev/null
}
if want aws; then
  echo
  echo "AWS: one day of 1,000 RDS instances against moto (datapoints every 30 minutes for 3 of them)"
  echo " moto's application over persistent connections, as AWS endpoints keep them (moto.sh --keep-alive):"
  aws_day --keep-alive
  echo " moto_server, which closes every connection (a TCP setup and teardown per request):"
  aws_day
fi

if want micro; then
  echo
  "$build/bench/micro_bench" --benchmark_min_time=0.2
fi
