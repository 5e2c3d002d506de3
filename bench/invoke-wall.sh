#!/usr/bin/env bash
# Wall time of one `bin/flywheel invoke` (fresh JVM, init + first request against moto) next to a
# bare `java -version`, measured in the same run; and each function's deployment artifact size.
# Usage: bench/invoke-wall.sh [RUNS]   (default 7; prints medians)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-7}"
cd "$ROOT"
. local/scripts/moto.sh

mvn -B -q package -DskipTests >&2
start_moto
moto_create_glue_job etl-omc-flywheel-dev-addressable-split-and-part 100

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

java_ms=$(for _ in $(seq "$RUNS"); do time_ms java -version; done | median)
start_ms=$(for _ in $(seq "$RUNS"); do time_ms bin/flywheel invoke start-glue-job events/start-glue-job.json; done | median)
check_ms=$(for _ in $(seq "$RUNS"); do time_ms bin/flywheel invoke check-status events/check-status-invalid-both.json; done | median)

printf '%-44s %8s %8s\n' "measure (median of $RUNS)" "ms" "x java"
printf '%-44s %8d %8s\n' "java -version" "$java_ms" "1.0"
printf '%-44s %8d %8.1f\n' "invoke start-glue-job (GetJobRuns..StartJobRun)" "$start_ms" "$(echo "$start_ms/$java_ms" | bc -l)"
printf '%-44s %8d %8.1f\n' "invoke check-status (invalid event, no AWS)" "$check_ms" "$(echo "$check_ms/$java_ms" | bc -l)"
echo
printf '%-24s %12s\n' "artifact" "bytes"
for z in functions/*/target/*-lambda.zip; do printf '%-24s %12d\n' "$(basename "$z")" "$(stat -c %s "$z")"; done
