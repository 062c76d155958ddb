"""Conformance fixture (trial protocol v1) in Python 3: `python3 trial.py <mode>`. See conformance.test-helper.ts."""
import json
import os
import signal
import subprocess
import sys
import time

mode = sys.argv[1]
d = os.environ["ENAS_TRIAL_DIR"]


def write(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


if mode == "file":
    print("training", os.environ["ENAS_ARCH"])
    write("result.json", json.dumps({"accuracy": 0.91, "params": 12345, "latency_ms": 3.5}))
elif mode == "stdout":
    print("training", os.environ["ENAS_ARCH"])
    print("enas-result", json.dumps({"accuracy": 0.92, "params": 12345}))
elif mode == "both":
    write("result.json", json.dumps({"accuracy": 0.5}))
    print("enas-result", json.dumps({"accuracy": 0.7}))
elif mode == "missing":
    print("enas-result", json.dumps({"loss": 0.3, "params": 10}))
elif mode == "malformed":
    write("result.json", '{"accuracy": 0.9,')
elif mode == "nan":
    # json.dumps writes NaN as the bare token NaN
    print("enas-result", json.dumps({"accuracy": float("nan"), "loss": 0.1}))
elif mode == "exit":
    print("loading data")
    print("error: out of memory on purpose", file=sys.stderr)
    sys.exit(3)
elif mode == "crash":
    print("enas-metric", json.dumps({"step": 1, "accuracy": 0.1}))
    print("about to crash", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(5)
elif mode == "hang":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with open(os.path.join(d, "pids"), "a") as f:
        f.write("%d\n" % os.getpid())
    child = (
        "import os, signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "open(os.path.join(os.environ['ENAS_TRIAL_DIR'], 'pids'), 'a').write('%d\\n' % os.getpid())\n"
        "if len(sys.argv) > 1: subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)'], start_new_session=False)\n"
        "while True: time.sleep(0.05)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", child, "grandchild"]), subprocess.Popen([sys.executable, "-c", child])]
    print("started children")
    while True:
        time.sleep(0.05)
elif mode == "flood":
    line = "x" * 99 + "\n"
    sys.stdout.write(line * 101010)
    sys.stderr.write("err line\n" * 200000)
    print("enas-result", json.dumps({"accuracy": 0.93}))
elif mode == "curve":
    for step in range(1, 101):
        print("enas-metric", json.dumps({"step": step, "accuracy": step / 1000, "loss": 1.5}))
        time.sleep(0.03)
    print("enas-result", json.dumps({"accuracy": 0.99}))
elif mode == "env":
    with open(os.path.join(d, "arch.json")) as f:
        arch = json.load(f)
    write("seen-arch.json", json.dumps(arch))
    names = ["ENAS_TRIAL_DIR", "ENAS_TRIAL_ID", "ENAS_EXPERIMENT_ID", "ENAS_ARCH", "CUDA_VISIBLE_DEVICES", "ENAS_TEST_VAR"]
    lines = ["%s=%s" % (n, os.environ.get(n, "")) for n in names] + ["CWD=" + os.getcwd()]
    write("seen-env.txt", "\n".join(lines) + "\n")
    print("enas-result", json.dumps({"accuracy": 1}))
else:
    print("unknown mode", mode, file=sys.stderr)
    sys.exit(64)
