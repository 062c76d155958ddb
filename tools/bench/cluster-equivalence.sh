#!/usr/bin/env bash
# Full-size check of the issue's acceptance claim: a 100-query NB201 dcl-enas experiment
# submitted to the services (default GNN predictor) gives the search `enas search` gives
# with the same seed. Starts its own nats-server and services; writes a report.
#
#   bash tools/bench/cluster-equivalence.sh [SEED] [OUT.md]
set -euo pipefail
cd "$(dirname "$0")/../.."
SEED=${1:-0}
OUT=${2:-docs/results/cluster-equivalence.md}
WORK=$(mktemp -d)
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
NP=$(free_port); AP=$(free_port)
NATS_BIN=${ENAS_NATS_SERVER_BIN:-$(command -v nats-server || echo /usr/sbin/nats-server)}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
"$NATS_BIN" -js -a 127.0.0.1 -p "$NP" -sd "$WORK/js" > "$WORK/nats.log" 2>&1 & PIDS+=($!)
export NATS_URL=nats://127.0.0.1:$NP ENAS_API_URL=http://127.0.0.1:$AP ENAS_REQUEST_TIMEOUT_MS=1800000
enas() { node -r ./tools/register.cjs apps/cli/src/main.ts "$@"; }
for s in orchestrator:$AP encoder:0 predictor:0 predictor:0 trainer:0; do
  # node directly (not the shell function), so that $! is the service and cleanup stops it
  ENAS_HTTP_PORT=${s#*:} node -r ./tools/register.cjs apps/cli/src/main.ts serve "${s%:*}" > "$WORK/${s%:*}-$RANDOM.log" 2>&1 & PIDS+=($!)
done
until curl -sf "$ENAS_API_URL/readyz" > /dev/null; do sleep 1; done
printf 'apiVersion: enas/v1\nkind: Experiment\nspace: nb201\ndataset: cifar10\nstrategy: dcl-enas\nseed: %s\nqueries: 100\nbatchSize: 1\n' "$SEED" > "$WORK/spec.yaml"
T0=$(date +%s)
id=$(enas submit "$WORK/spec.yaml" 2>/dev/null)
enas watch "$id" --json > "$WORK/cluster.json" 2> /dev/null
T1=$(date +%s)
enas search --space nb201 --dataset cifar10 --strategy dcl-enas --queries 100 --seed "$SEED" --json > "$WORK/embedded.json" 2> /dev/null
T2=$(date +%s)
python3 - "$WORK/cluster.json" "$WORK/embedded.json" "$OUT" "$SEED" $((T1 - T0)) $((T2 - T1)) <<'PY'
import json, sys, datetime
c, e = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
out, seed, tc, te = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
same_traj = c['trajectory'] == e['trajectory']
same_best = c['best']['key'] == e['best']['key']
esc = lambda a: a.replace('|', '\\|')  # pipes inside a table cell
first = next((i + 1 for i, (a, b) in enumerate(zip(c['trajectory'], e['trajectory'])) if a != b), None)
lines = [
  '# Cluster mode equals embedded mode (full size)',
  '',
  f'Measured {datetime.date.today().isoformat()} on this development machine (TensorFlow.js wasm backend; 2 cores shared with other jobs and often heavily loaded, so the wall times are indicative only).',
  '',
  '```sh',
  f'bash tools/bench/cluster-equivalence.sh {seed} {out}',
  '```',
  '',
  f'A 100-query NB201 CIFAR-10 `dcl-enas` experiment (seed {seed}, batch size 1, default GNN predictor) submitted to the services (orchestrator, encoder, two predictor replicas, one trainer, each started with `enas serve`), against `enas search --space nb201 --dataset cifar10 --strategy dcl-enas --queries 100 --seed {seed}`.',
  '',
  '| | Selected cell | Validation | Test | Wall time |',
  '| --- | --- | ---: | ---: | ---: |',
  f"| services | `{esc(c['best']['arch'])}` | {c['best']['valAcc']} | {c['best']['testAcc']} | {tc} s |",
  f"| embedded | `{esc(e['best']['arch'])}` | {e['best']['valAcc']} | {e['best']['testAcc']} | {te} s |",
  '',
  f"Same selected architecture: {'yes' if same_best else 'no'}. Same trajectory (best validation and test accuracy after each of the 100 queries): {'yes' if same_traj else f'no, first difference at query {first}'}.",
  '',
  'Stage 1 comes from the shared encoder cache (ENAS_CACHE_DIR) when present, in both modes. The fault-injection version of this check at full size (orchestrator, trainer and nats-server killed mid-search) is tools/bench/cluster-equivalence-faults.ts, below; the test suite runs it with the same fine-tuning schedule but a small encoder and stage 1: apps/orchestrator/test/cluster-faults.test.ts.',
  '',
]
# Keep the fault-run sections (written by tools/bench/cluster-equivalence-faults.ts).
try:
  old = open(out).read()
  keep = old[old.index('<!-- faults seed'):] if '<!-- faults seed' in old else ''
except FileNotFoundError:
  keep = ''
open(out, 'w').write('\n'.join(lines) + keep)
print('\n'.join(lines))
PY
