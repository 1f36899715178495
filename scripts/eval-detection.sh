#!/usr/bin/env bash
# `make eval`: detection measured the way a new user would measure it (issue #15). For each
# seed, the labelled fleet's history (../shared/tools/labelled-fleet) is generated, backfilled
# into a real Prometheus, collected by `run --source live` over every day, then graded by
# `backtest` against the fleet's TRUTH.json.
#   scripts/eval-detection.sh [BUILD_DIR [SEED...]]     (default: build/release, seeds 11 12 13)
# Environment: EVAL_INSTANCES (75), EVAL_DAYS (45), EVAL_INCIDENTS (35), EVAL_END (2026-12-01:
# fixes the weekdays), EVAL_COMPARE (a second configuration for backtest --compare),
# EVAL_FORMAT (text or json), EVAL_KEEP (a directory to keep each seed's database and truth in).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build/release}" && pwd)
shift || true
seeds=("$@")
((${#seeds[@]})) || seeds=(11 12 13)
gen="$here/../../shared/tools/labelled-fleet/gen_labelled_fleet.py"
[[ -f $gen ]] || { echo "eval: the labelled fleet generator is not at $gen" >&2; exit 2; }
for tool in promtool prometheus python3; do
  command -v "$tool" >/dev/null || { echo "eval: $tool is not installed (make deps)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/im-eval.XXXXXX)
: >"$work/empty.env"  # no config/.env of the checkout
prom_pid=""
cleanup() {
  if [[ -n $prom_pid ]]; then kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  for port in $(seq 39700 39800); do
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { echo "$port"; return; }
  done
  echo "eval: no free port in 39700-39800" >&2; exit 1
}

# No AWS: the fleet is Redis only, and no credentials of this machine may be picked up.
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE

for seed in "${seeds[@]}"; do
  echo "== seed $seed"
  t0=$(date +%s%N)
  python3 "$gen" "$work/history.om" "$work/truth.json" --seed "$seed" \
    --instances "${EVAL_INSTANCES:-75}" --days "${EVAL_DAYS:-45}" \
    --incidents "${EVAL_INCIDENTS:-35}" --end "${EVAL_END:-2026-12-01}"
  rm -rf "$work/tsdb"
  promtool tsdb create-blocks-from openmetrics --max-block-duration=744h "$work/history.om" \
    "$work/tsdb" >/dev/null
  rm -f "$work/history.om"
  port=$(free_port)
  prometheus --config.file=/dev/null --storage.tsdb.path="$work/tsdb" \
    --storage.tsdb.retention.time=4000d --web.listen-address="127.0.0.1:$port" \
    </dev/null >"$work/prometheus.log" 2>&1 &
  prom_pid=$!
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && break
    sleep 0.1
  done
  read -r first last < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["days"]; print(d[0], d[-1])' "$work/truth.json")
  rm -f "$work/fleet.db"*
  cat >"$work/eval.yaml" <<YAML
source: live
prometheus:
  url: http://127.0.0.1:$port
storage:
  url: sqlite://$work/fleet.db
YAML
  t1=$(date +%s%N)
  status=0
  "$build/infra-monitor" --config "$work/eval.yaml" --env-file "$work/empty.env" --log-level error \
    run --start-date "$first" --end-date "$last" >"$work/run.log" 2>&1 || status=$?
  t2=$(date +%s%N)
  kill "$prom_pid"; wait "$prom_pid" 2>/dev/null || true; prom_pid=""
  if ((status != 0)); then
    echo "eval: the run over $first .. $last exited $status:" >&2; tail -20 "$work/run.log" >&2; exit 1
  fi
  echo "  generated and backfilled in $(((t1 - t0) / 1000000000)) s; run --source live over" \
    "$first .. $last in $(((t2 - t1) / 1000000)) ms"
  compare=()
  [[ -n ${EVAL_COMPARE:-} ]] && compare=(--compare "$EVAL_COMPARE")
  "$build/infra-monitor" --config "$work/eval.yaml" --env-file "$work/empty.env" --log-level warning \
    backtest --truth "$work/truth.json" --format "${EVAL_FORMAT:-text}" "${compare[@]}"
  if [[ -n ${EVAL_KEEP:-} ]]; then
    mkdir -p "$EVAL_KEEP"
    cp "$work/truth.json" "$EVAL_KEEP/truth-$seed.json"
    sqlite3 "$work/fleet.db" ".backup '$EVAL_KEEP/fleet-$seed.db'"
  fi
done
