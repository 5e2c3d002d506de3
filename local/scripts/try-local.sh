#!/usr/bin/env bash
# Runs start-glue-job then check-status against a moto_server this script starts and stops:
# the README's run command until `bin/flywheel local-run` exists.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
. local/scripts/moto.sh
start_moto
echo "moto_server on $AWS_ENDPOINT_URL"
moto_create_glue_job etl-omc-flywheel-dev-addressable-split-and-part
moto_api /moto-api/state-manager/set-transition '{"model_name":"glue::job_run","transition":{"progression":"manual","times":3}}'

echo "\$ bin/flywheel invoke start-glue-job events/start-glue-job.json"
started=$(bin/flywheel invoke start-glue-job events/start-glue-job.json 2>/dev/null)
echo "$started"
run_id=$(printf '%s' "$started" | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobRunId"])')
event=$(mktemp --suffix=.json)
trap 'kill $MOTO_PID 2>/dev/null || true; rm -f "$event"' EXIT
for poll in 0 1 2 3 4; do
  sed -e "s/jr_0*\"/$run_id\"/" -e "s/\"pollCount\": 0/\"pollCount\": $poll/" events/check-status-glue.json > "$event"
  echo "\$ bin/flywheel invoke check-status (poll $((poll + 1)))"
  answer=$(bin/flywheel invoke check-status "$event" 2>/dev/null)
  echo "$answer"
  case "$answer" in *'"terminal":true'*) break ;; esac
done
