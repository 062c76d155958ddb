"""Report to DCL-ENAS from a trial (trial protocol v1, docs/trials.md).

One file, Python 3 standard library only: copy it next to your training code.

    import enas_trial

    a = enas_trial.arch()                 # arch.json as a dict: a["arch"], a["graph"], a["choices"], a["params"], ...
    for epoch in range(epochs):
        ...
        enas_trial.metric(epoch, accuracy=val_acc, loss=val_loss)   # intermediate value
    enas_trial.report(accuracy=val_acc, params=n_params)            # the result

The helper is optional: printing the lines yourself is the same protocol.
"""
import json
import os
import sys

PROTOCOL = 1

__all__ = ["PROTOCOL", "arch", "metric", "report", "trial_dir"]


def trial_dir():
    """The trial's directory ($ENAS_TRIAL_DIR), or None when not run by DCL-ENAS."""
    return os.environ.get("ENAS_TRIAL_DIR") or None


def arch():
    """The contents of $ENAS_TRIAL_DIR/arch.json as a dict."""
    d = trial_dir()
    if d is None:
        raise RuntimeError("ENAS_TRIAL_DIR is not set: this program runs as a DCL-ENAS trial (docs/trials.md)")
    with open(os.path.join(d, "arch.json"), encoding="utf-8") as f:
        data = json.load(f)
    if data.get("protocol") != PROTOCOL:
        raise RuntimeError("arch.json has trial protocol %r; this helper speaks protocol %d" % (data.get("protocol"), PROTOCOL))
    return data


def _numbers(values, what):
    out = {}
    for name, value in values.items():
        if isinstance(value, bool) or isinstance(value, (str, bytes)) or value is None:
            raise TypeError("%s %r must be a number, got %s" % (what, name, type(value).__name__))
        if isinstance(value, int):
            out[name] = value
            continue
        try:
            out[name] = float(value)  # numpy and torch scalars too
        except (TypeError, ValueError):
            raise TypeError("%s %r must be a number, got %s" % (what, name, type(value).__name__)) from None
    return out


def metric(step, **values):
    """An intermediate value: prints `enas-metric {"step": step, ...}` on stdout (flushed)."""
    line = json.dumps({"step": _numbers({"step": step}, "step")["step"], **_numbers(values, "metric")})
    sys.stdout.write("enas-metric " + line + "\n")
    sys.stdout.flush()


def report(**metrics):
    """The result: writes $ENAS_TRIAL_DIR/result.json; without ENAS_TRIAL_DIR prints an enas-result line.

    Written in place, not renamed over: in a Kubernetes Job result.json is a file the kubelet
    mounts (the termination message), which a rename cannot replace. The runner reads it only
    after the process has exited.
    """
    text = json.dumps(_numbers(metrics, "result"))
    d = trial_dir()
    if d is None:
        sys.stdout.write("enas-result " + text + "\n")
        sys.stdout.flush()
        return
    with open(os.path.join(d, "result.json"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
