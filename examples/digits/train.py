#!/usr/bin/env python3
"""A user's own training code for the dcl-enas trial protocol (v1).

Trains the MLP that a trial's architecture describes on scikit-learn's handwritten digits
(1,797 8x8 images, 10 classes, shipped inside the package: nothing is downloaded) and
reports its validation accuracy.

Protocol, as this script follows it:
  - reads $ENAS_TRIAL_DIR/arch.json (the current directory when ENAS_TRIAL_DIR is unset);
  - prints one line per epoch:  enas-metric {"step": N, "accuracy": ..., "loss": ...}
  - prints once at the end:     enas-result {"accuracy": ..., "test_accuracy": ..., ...}
  - exits 0 on success, 2 when arch.json is missing or malformed, 1 on any other failure,
    with a one-line reason as the last line of stderr.

Only the standard library, numpy, torch and scikit-learn are used; see README.md.
"""

import json
import os
import sys
import time

ACTIVATIONS = ("relu", "tanh", "gelu")
OPS = ("dense", "skip")
DEFAULT_EPOCHS = 30
DEFAULT_SEED = 0
BATCH_SIZE = 64
LEARNING_RATE = 1e-3


def fail(message, code):
    sys.stdout.flush()
    print(f"train.py: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


class BadArch(Exception):
    pass


def as_int(value, what):
    """A positive whole number; accepts 64, 64.0 and "64", refuses booleans and 0."""
    if isinstance(value, bool):
        raise BadArch(f"{what} must be a positive integer, got {json.dumps(value)}")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or value <= 0:
        raise BadArch(f"{what} must be a positive integer, got {json.dumps(value)}")
    return value


def parse_arch_text(text):
    """The space's text form, e.g. "op=dense,act=relu,width=64 | skip | op=dense,..."."""
    layers = []
    for i, part in enumerate(text.split("|"), start=1):
        part = part.strip()
        if not part:
            raise BadArch(f"layer {i} of arch {text!r} is empty")
        if part == "skip":
            layers.append({"op": "skip"})
            continue
        layer = {}
        for item in part.split(","):
            name, sep, value = item.partition("=")
            if not sep:
                raise BadArch(f"layer {i} of arch {text!r}: {item.strip()!r} is not name=value")
            layer[name.strip()] = value.strip()
        layers.append(layer)
    return layers


def check_layers(raw):
    """The present layers as (activation, width) pairs; skip layers are dropped."""
    if not isinstance(raw, list):
        raise BadArch("choices must be a list of layer objects")
    layers = []
    for i, layer in enumerate(raw, start=1):
        if not isinstance(layer, dict):
            raise BadArch(f"layer {i} must be an object, got {json.dumps(layer)}")
        op = layer.get("op")
        if op not in OPS:
            raise BadArch(f"layer {i}: op {json.dumps(op)} is not one of {', '.join(OPS)}")
        if op == "skip":
            continue
        act = layer.get("act")
        if act not in ACTIVATIONS:
            raise BadArch(f"layer {i}: act {json.dumps(act)} is not one of {', '.join(ACTIVATIONS)}")
        width = as_int(layer.get("width"), f"layer {i}: width")
        layers.append((act, width))
    return layers


def read_trial(trial_dir):
    path = os.path.join(trial_dir, "arch.json")
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        raise BadArch(f"{path} not found (is ENAS_TRIAL_DIR set to the trial's directory?)")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BadArch(f"cannot read {path}: {e}")
    if not isinstance(doc, dict):
        raise BadArch(f"{path} must hold a JSON object")
    protocol = doc.get("protocol", 1)
    if protocol != 1:
        raise BadArch(f"{path}: protocol {json.dumps(protocol)} is not supported (this script speaks 1)")
    if "choices" in doc:
        layers = check_layers(doc["choices"])
    elif isinstance(doc.get("arch"), str):
        layers = check_layers(parse_arch_text(doc["arch"]))
    else:
        raise BadArch(f"{path} has neither 'choices' nor an 'arch' string")
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise BadArch(f"{path}: params must be an object")
    epochs = as_int(params.get("epochs", DEFAULT_EPOCHS), "params.epochs")
    seed = params.get("seed", DEFAULT_SEED)
    if isinstance(seed, bool) or not isinstance(seed, (int, float)) or int(seed) != seed or seed < 0:
        raise BadArch(f"params.seed must be a non-negative integer, got {json.dumps(seed)}")
    return layers, epochs, int(seed)


def import_torch():
    """torch, or a re-run under Debian's /usr/bin/python3 when this interpreter lacks it.

    `apt-get install python3-torch` installs torch for Debian's own Python; a `python3` that
    comes first on PATH (pyenv, a virtualenv) does not see it. Re-executing once under
    /usr/bin/python3 keeps `command: [python3, examples/digits/train.py]` working there.
    """
    try:
        import torch  # noqa: F401
        return torch
    except ImportError as e:
        system = "/usr/bin/python3"
        here = os.path.realpath(sys.executable or "")
        if (not os.environ.get("DIGITS_TRAIN_REEXEC") and os.path.exists(system)
                and os.path.realpath(system) != here):
            os.environ["DIGITS_TRAIN_REEXEC"] = "1"
            sys.stdout.flush()
            sys.stderr.flush()
            os.execv(system, [system, os.path.abspath(__file__)] + sys.argv[1:])
        fail(f"cannot import torch under {sys.executable} ({e}); "
             "install it: apt-get install -y python3-torch python3-sklearn", 1)


def load_splits():
    """Standardised 70/15/15 train/val/test splits, the same on every run."""
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    digits = load_digits()
    x, y = digits.data.astype(np.float32), digits.target.astype(np.int64)
    x_train, x_rest, y_train, y_rest = train_test_split(
        x, y, test_size=0.30, random_state=0, stratify=y)
    x_val, x_test, y_val, y_test = train_test_split(
        x_rest, y_rest, test_size=0.50, random_state=0, stratify=y_rest)
    scaler = StandardScaler().fit(x_train)
    def scale(a):
        return scaler.transform(a).astype(np.float32)
    return (scale(x_train), y_train), (scale(x_val), y_val), (scale(x_test), y_test)


def build_model(torch, layers, in_features=64, classes=10):
    nn = torch.nn
    act = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}
    modules, prev = [], in_features
    for name, width in layers:
        modules += [nn.Linear(prev, width), act[name]()]
        prev = width
    modules.append(nn.Linear(prev, classes))
    return nn.Sequential(*modules)


def accuracy(torch, model, x, y):
    model.eval()
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    model.train()
    return 100.0 * (predicted == y).sum().item() / len(y)


def emit(kind, values):
    print(f"enas-{kind} {json.dumps(values, separators=(', ', ': '))}", flush=True)


def main():
    trial_dir = os.environ.get("ENAS_TRIAL_DIR") or os.getcwd()
    try:
        layers, epochs, seed = read_trial(trial_dir)
    except BadArch as e:
        fail(str(e), 2)

    torch = import_torch()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)

    (x_train, y_train), (x_val, y_val), (x_test, y_test) = load_splits()
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    x_val, y_val = torch.from_numpy(x_val), torch.from_numpy(y_val)
    x_test, y_test = torch.from_numpy(x_test), torch.from_numpy(y_test)

    model = build_model(torch, layers)
    params = sum(p.numel() for p in model.parameters())
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(seed)

    start = time.perf_counter()
    n = len(y_train)
    for epoch in range(1, epochs + 1):
        order = torch.randperm(n, generator=shuffle)
        total = 0.0
        for i in range(0, n, BATCH_SIZE):
            idx = order[i:i + BATCH_SIZE]
            optimiser.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimiser.step()
            total += loss.item() * len(idx)
        loss_value = total / n
        if loss_value != loss_value:  # NaN
            fail(f"training diverged at epoch {epoch} (loss is NaN)", 1)
        emit("metric", {"step": epoch, "accuracy": round(accuracy(torch, model, x_val, y_val), 4),
                        "loss": round(loss_value, 6)})
    train_seconds = time.perf_counter() - start

    emit("result", {
        "accuracy": round(accuracy(torch, model, x_val, y_val), 4),
        "test_accuracy": round(accuracy(torch, model, x_test, y_test), 4),
        "params": params,
        "train_seconds": round(train_seconds, 3),
    })
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as e:  # one line on stderr, as the protocol reads the last lines
        fail(f"{type(e).__name__}: {e}", 1)
