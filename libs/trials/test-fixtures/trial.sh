#!/usr/bin/env bash
# Conformance fixture (trial protocol v1) in bash: `bash trial.sh <mode>`. See conformance.test-helper.ts.
set -u
dir="$ENAS_TRIAL_DIR"
case "$1" in
  file)
    echo "training $ENAS_ARCH"
    echo '{"accuracy": 0.91, "params": 12345, "latency_ms": 3.5}' > "$dir/result.json"
    ;;
  stdout)
    echo "training $ENAS_ARCH"
    echo 'enas-result {"accuracy": 0.92, "params": 12345}'
    ;;
  both)
    echo '{"accuracy": 0.5}' > "$dir/result.json"
    echo 'enas-result {"accuracy": 0.7}'
    ;;
  missing)
    echo 'enas-result {"loss": 0.3, "params": 10}'
    ;;
  malformed)
    echo '{"accuracy": 0.9,' > "$dir/result.json"
    ;;
  nan)
    echo 'enas-result {"accuracy": NaN, "loss": 0.1}'
    ;;
  exit)
    echo "loading data"
    echo "error: out of memory on purpose" >&2
    exit 3
    ;;
  crash)
    echo 'enas-metric {"step": 1, "accuracy": 0.1}'
    echo "about to crash" >&2
    kill -SEGV $$
    sleep 5
    ;;
  hang)
    trap '' TERM
    echo $$ >> "$dir/pids"
    bash -c 'trap "" TERM; echo $$ >> "$ENAS_TRIAL_DIR/pids"; while :; do sleep 0.05; done' &
    ( trap '' TERM; echo "$BASHPID" >> "$dir/pids"; sleep 1000 & echo $! >> "$dir/pids"; wait ) &
    echo "started children"
    while :; do sleep 0.05; done
    ;;
  flood)
    head -c 10000000 /dev/zero | tr '\0' 'x'
    echo
    yes 'err line' | head -n 200000 >&2
    echo 'enas-result {"accuracy": 0.93}'
    ;;
  curve)
    for step in $(seq 1 100); do
      echo "enas-metric {\"step\": $step, \"accuracy\": 0.$(printf %03d "$step"), \"loss\": 1.5}"
      sleep 0.03
    done
    echo 'enas-result {"accuracy": 0.99}'
    ;;
  env)
    cp "$dir/arch.json" "$dir/seen-arch.json"
    {
      echo "ENAS_TRIAL_DIR=$ENAS_TRIAL_DIR"
      echo "ENAS_TRIAL_ID=$ENAS_TRIAL_ID"
      echo "ENAS_EXPERIMENT_ID=$ENAS_EXPERIMENT_ID"
      echo "ENAS_ARCH=$ENAS_ARCH"
      echo "CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES-}"
      echo "ENAS_TEST_VAR=${ENAS_TEST_VAR-}"
      echo "CWD=$(pwd)"
    } > "$dir/seen-env.txt"
    echo 'enas-result {"accuracy": 1}'
    ;;
  *)
    echo "unknown mode $1" >&2
    exit 64
    ;;
esac
