#!/usr/bin/env bash
# How the whole refresh grows with the lake: bin/flywheel local-run at several table counts (default
# 100, 600 and 2,000), each with every local check on (IAM, Lambda deadlines, Step Functions quotas),
# read back from its summary.json. Ratios are against the smallest run of the same invocation.
# Usage: bench/scale.sh [TABLES ...]     Writes bench/results/scale.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[ -d "$HOME/.pyenv/shims" ] && export PATH="$HOME/.pyenv/shims:$PATH"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 600 2000)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for n in "${sizes[@]}"; do
  echo "bench scale: local-run --tables $n ..." >&2
  if ! bin/flywheel local-run --tables "$n" --out "$work/$n" > "$work/$n.log" 2>&1; then
    echo "bench scale: local-run --tables $n failed; its output:" >&2
    tail -40 "$work/$n.log" >&2
    exit 1
  fi
done
mkdir -p bench/results
python3 - "$work" "${sizes[@]}" <<'PY'
import json, sys
work, sizes = sys.argv[1], sys.argv[2:]
rows = []
for n in sizes:
    s = json.load(open(f"{work}/{n}/summary.json"))
    calls = s["pipelineAwsCalls"]
    rows.append({"tablesAsked": int(n), "tables": s.get("tables"), "status": s["status"],
                 "elapsedSeconds": s["executions"][0]["seconds"], "localRunSeconds": s["elapsedSeconds"],
                 "awsCalls": calls, "awsCallsIncludingLakeGeneration": sum(s["awsCalls"].values()),
                 "awsCallsByPrincipal": s["iamCheckedCalls"],
                 "awsCallsPerTable": round(calls / s["tables"], 2),
                 "maxStatePayloadBytes": s["maxStatePayloadBytes"], "maxStatePayloadAt": s.get("maxStatePayloadAt"),
                 "historyEvents": s.get("historyEvents"), "accessDenied": s["accessDenied"],
                 "glueJobRunsStarted": s["glueJobRunsStarted"]})
base = rows[0]
print("wall s: the db-refresh execution, start to end; calls: the functions' and the state machine's own AWS calls")
print(f"{'tables':>7} {'status':>10} {'wall s':>8} {'x':>6} {'calls':>7} {'calls/table':>11} {'x':>6} "
      f"{'max state B':>11} {'x':>6} {'history':>7} {'denied':>6}")
for r in rows:
    print(f"{r['tables']:>7} {r['status']:>10} {r['elapsedSeconds']:>8.1f} {r['elapsedSeconds']/base['elapsedSeconds']:>6.2f} "
          f"{r['awsCalls']:>7} {r['awsCallsPerTable']:>11.2f} {r['awsCallsPerTable']/base['awsCallsPerTable']:>6.2f} "
          f"{r['maxStatePayloadBytes']:>11} {r['maxStatePayloadBytes']/base['maxStatePayloadBytes']:>6.2f} "
          f"{r['historyEvents']:>7} {r['accessDenied']:>6}")
print(f"largest state at: {[r['maxStatePayloadAt'] for r in rows]}")
json.dump({"benchmark": "scale", "baseline": f"the {base['tables']}-table run of the same invocation",
           "runs": rows}, open("bench/results/scale.json", "w"), indent=2)
PY
