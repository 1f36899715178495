#!/usr/bin/env bash
# make bench: end-to-end pipeline runs at three scales on the simulated fleet, with per-step
# wall time (from the pipeline log) and the process's peak memory (GNU time), then the
# micro-benchmarks. Figures go to docs/performance.md by hand, with the machine and date.
set -euo pipefail
build=${1:-build/release}
bin="$build/infra-monitor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
yesterday=$(date -u -d yesterday +%F)

steps_of_last_run() {  # $1 = database
  sqlite3 -separator ' ' "$1" "
    SELECT printf('  step %2d %-26s %-8s %8d rows %8.3f s', step_num, step_name, status, rows_affected, duration_seconds)
    FROM infra_monitoring_pipeline_log
    WHERE run_id = (SELECT run_id FROM infra_monitoring_pipeline_log ORDER BY id DESC LIMIT 1)
    ORDER BY step_num"
}

measure() {  # $1 = label, $2 = database, rest = command
  local label=$1 db=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
    cat "$work/stderr" >&2; echo "bench: '$label' failed" >&2; exit 1; }
  read -r secs kb <"$work/time"
  printf '\n%s: %s s wall, peak RSS %d MiB\n' "$label" "$secs" $((kb / 1024))
}

scale() {  # $1 = label, $2 redis, $3 rds, $4 ec2, $5 history days
  local db="$work/$1.db"
  export IM_SIMULATE_REDIS_INSTANCES=$2 IM_SIMULATE_RDS_INSTANCES=$3 IM_SIMULATE_EC2_INSTANCES=$4 ENABLE_EC2=true
  if [[ $5 -gt 0 ]]; then
    "$bin" --storage-url "sqlite://$db" --log-level warning run \
      --start-date "$(date -u -d "$yesterday - $5 days" +%F)" --end-date "$(date -u -d "$yesterday - 1 day" +%F)" >/dev/null
  fi
  measure "one day at $(( $2 + $3 + $4 )) instances ($2 Redis, $3 RDS, $4 EC2; $5 days of history)" "$db" \
    "$bin" --storage-url "sqlite://$db" --log-level warning run --target-date "$yesterday"
  steps_of_last_run "$db"
  unset IM_SIMULATE_REDIS_INSTANCES IM_SIMULATE_RDS_INSTANCES IM_SIMULATE_EC2_INSTANCES ENABLE_EC2
}

echo "infra-monitor benchmarks on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%F)"
measure "demo: 30-day backfill + yesterday, guide's current scale (76 Redis, 62 RDS)" "$work/demo.db" \
  "$bin" --storage-url "sqlite://$work/demo.db" --log-level warning demo
grep -h 'backfill done' "$work/stderr" | sed 's/^/  /'
steps_of_last_run "$work/demo.db"

scale 1k 400 300 300 "${HISTORY_1K:-28}"
scale 10k 4000 3000 3000 "${HISTORY_10K:-7}"

echo
"$build/bench/micro_bench" --benchmark_min_time=0.2
