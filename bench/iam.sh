#!/usr/bin/env bash
# Least privilege, measured: the IAM usage of the runs that take the pipeline's paths, merged by
# bin/flywheel iam-report. Runs bin/flywheel local-run plain, with every step failed in turn and
# resumed (--fail-step S1,...,S7 --resume), with --months 2, with --shadow (the dry runs: msck-repair's plan, associate-tables' plan, the
# reports under shadow/) and with production's parameters (--param LakeFormationGrants=true and a
# ReportKmsKeyArn); each leaves iam-usage.jsonl beside its summary.json; then the state machine
# tests (statemachine/target/iam-usage/<pid>.jsonl: the topic orchestrator INLINE and DISTRIBUTED, the
# historical rebuilder, the shadow machine, the fault, throttling and ceiling tests). The functions'
# own tests are not run: they call their handlers in-process, without the IAM check's mark, so their
# usage files hold no use. Writes bench/results/iam-report.json (the --json report) and the per-role
# size table between the bench/run iam markers of docs/security.md. BENCH_MVN_OPTS: extra Maven
# options for the tests (e.g. -o).
# Usage: bench/iam.sh [--no-tests]   (--no-tests: the local-runs only). Exit: 1 when a run failed (its
# usage still counts), else iam-report's (0: every unused grant has a written reason; 1: one has none;
# 2: the files could not be read).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[ -d "$HOME/.pyenv/shims" ] && export PATH="$HOME/.pyenv/shims:$PATH"
tests=1
[ "${1:-}" = "--no-tests" ] && tests=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
runs=("plain:")
# Every step failed in turn and resumed each time (a failure's calls, the resumed steps' calls), in one run.
runs+=("fail-each-step:--fail-step ResolveNewestSnapshot,SplitInputs,RegisterTables,RepairPartitions,BuildErTable,\
AssociateTables,Reports --resume")
runs+=("months-2:--months 2" "shadow:--shadow")
# Brownfield adoption (issue 22): the refresh meets the collaboration today's scripts left in production,
# so associate-tables reads the configured tables, associations and rules that exist (production's tables).
runs+=("todays-clean-rooms:--todays-clean-rooms --buckets 2")
# The parameters production deploys with: the report key's and the Lake Formation grants' statements.
runs+=("production-params:--param LakeFormationGrants=true --param ReportKmsKeyArn=arn:aws:kms:us-east-1:123456789012:key/5f0c1f9e-2d3b-4c6a-9e8f-7a1b2c3d4e5f")
files=()
failed=()
for run in "${runs[@]}"; do
  name="${run%%:*}" args="${run#*:}"
  echo "bench iam: local-run $args ..." >&2
  # shellcheck disable=SC2086
  if ! bin/flywheel local-run $args --out "$work/$name" > "$work/$name.log" 2>&1; then
    # Its calls were still made and authorized: its usage counts; the bench fails at the end.
    failed+=("local-run $args")
    echo "bench iam: local-run $args failed (its usage still counts); its problems:" >&2
    grep -E '^!!|^== local-run|local-run failed' "$work/$name.log" >&2 || tail -20 "$work/$name.log" >&2
  fi
  [ -f "$work/$name/iam-usage.jsonl" ] && files+=("$work/$name/iam-usage.jsonl")
done
if [ "$tests" = 1 ]; then
  echo "bench iam: the state machine tests (mvn -pl statemachine test) ..." >&2
  rm -rf statemachine/target/iam-usage
  # A failing test's calls were authorized all the same: its usage counts; the bench fails at the end.
  # shellcheck disable=SC2086
  mvn -B -q ${BENCH_MVN_OPTS:-} -pl statemachine test >&2 || failed+=("the state machine tests")
  [ -d statemachine/target/iam-usage ] && files+=(statemachine/target/iam-usage)
fi
mkdir -p bench/results
set +e
# --calls: the calls each role made, which doctor's iam.role checks a deployed stack's roles against
# (RoleCallsMapTest fails when template.yaml changes under them: this bench writes them again); only
# from every path (not with --no-tests, which leaves the topic machines' calls out).
calls=()
[ "$tests" = 1 ] && calls=(--calls ops/src/main/resources/com/omc/flywheel/ops/doctor/role-calls.json)
bin/flywheel iam-report "${files[@]}" --json "${calls[@]}" > bench/results/iam-report.json
code=$?
set -e
[ "$code" -le 1 ] || { echo "bench iam: iam-report could not read the usage files" >&2; exit "$code"; }
python3 - "$tests" <<'PY'
import json, re, sys
r = json.load(open("bench/results/iam-report.json"))
source = ("the local-runs and the state machine tests" if sys.argv[1] == "1"
          else "the local-runs only (bench/run iam --no-tests)")
rows = ["| role | calls | template: statements / grants / chars | generated: statements / grants / chars "
        "| unused grants (no reason) | wider than used |", "|---|---:|---|---|---:|---:|"]
for role, v in r["roles"].items():
    t, g = v["templateSize"], v["generatedSize"]
    bare = sum(1 for u in v["unused"] if u.get("reason") is None)
    rows.append(f"| {role} | {v['calls']} | {t['statements']} / {t['grants']} / {t['characters']} "
                f"| {g['statements']} / {g['grants']} / {g['characters']} | {len(v['unused'])} ({bare}) "
                f"| {len(v['widerThanUsed'])} |")
table = (f"From {source}: {r['calls']} allowed calls ({r['distinctUses']} distinct), {r['unusedGrants']} unused "
         f"grants, {r['unusedWithoutReason']} without a written reason.\n\n" + "\n".join(rows))
doc = open("docs/security.md").read()
begin, end = "<!-- bench/run iam: begin -->", "<!-- bench/run iam: end -->"
if begin not in doc or end not in doc:
    sys.exit("bench iam: docs/security.md has no bench/run iam markers")
doc = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: f"{begin}\n{table}\n{end}", doc, flags=re.S)
open("docs/security.md", "w").write(doc)
print(table)
PY
if [ ${#failed[@]} -gt 0 ]; then
  printf 'bench iam: these runs failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
exit "$code"
