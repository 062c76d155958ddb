"""PyTorch half of tools/bench/predictor-speed.ts: the same bidirectional GIN, heads, losses
and Adam settings, on the batches the TypeScript side wrote. Prints one JSON line of timings."""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

NEG = -1e9


def load(d, meta, name, size):
    n, k = meta["maxNodes"], meta["opCount"]
    f = lambda part: np.fromfile(os.path.join(d, f"{name}.{part}.f32"), dtype=np.float32)
    paths_file = os.path.join(d, f"{name}.paths.f32")
    paths = torch.from_numpy(np.fromfile(paths_file, dtype=np.float32).reshape(size // 2, -1)) if os.path.exists(paths_file) else None
    return {
        "paths": paths,
        "size": size,
        "features": torch.from_numpy(f("features").reshape(size * n, k)),
        "forward": torch.from_numpy(f("forward").reshape(size, n, n)),
        "reverse": torch.from_numpy(f("reverse").reshape(size, n, n)),
        "mask": torch.from_numpy(f("mask").reshape(size * n, 1)),
    }


class Model(torch.nn.Module):
    def __init__(self, cfg, op_count, path_vocab):
        super().__init__()
        h, layers = cfg["encoder"]["hidden"], cfg["encoder"]["layers"]
        self.h = h
        self.embed = torch.nn.Linear(op_count, h, bias=False)
        self.w1 = torch.nn.ModuleList([torch.nn.Linear(2 * h, h) for _ in range(layers)])
        self.w2 = torch.nn.ModuleList([torch.nn.Linear(h, h) for _ in range(layers)])
        emb = h * layers
        self.proj = torch.nn.Sequential(torch.nn.Linear(emb, h), torch.nn.ReLU(), torch.nn.Linear(h, cfg["pretrain"]["projection"]))
        self.path = torch.nn.Sequential(torch.nn.Linear(path_vocab, h), torch.nn.ReLU(), torch.nn.Linear(h, cfg["pretrain"]["projection"]))
        hh = cfg["finetune"]["headHidden"]
        self.score = torch.nn.Sequential(torch.nn.Linear(emb, hh), torch.nn.ReLU(), torch.nn.Linear(hh, 1))

    def encode(self, b):
        size, n = b["size"], b["forward"].shape[1]
        h = self.embed(b["features"])
        outs = []
        for w1, w2 in zip(self.w1, self.w2):
            h3 = h.reshape(size, n, self.h)
            both = torch.cat([torch.bmm(b["forward"], h3), torch.bmm(b["reverse"], h3)], 2).reshape(size * n, 2 * self.h)
            h = F.relu(w2(F.relu(w1(both)))) * b["mask"]
            outs.append(h.reshape(size, n, self.h).sum(1))
        return torch.cat(outs, 1)


def nt_xent(a, b, t):
    z = torch.cat([a, b], 0)
    z = z / (z.norm(dim=1, keepdim=True) + 1e-8)
    sim = z @ z.t() / t + torch.eye(z.shape[0]) * NEG
    half = a.shape[0]
    pos = (z[:half] * z[half:]).sum(1) / t
    return (torch.logsumexp(sim, 1) - torch.cat([pos, pos])).mean()


def listwise(s, y, t):
    worse = (y.unsqueeze(0) < y.unsqueeze(1)).float()
    anchors = (worse.sum(1) > 0).float()
    mask = worse + torch.eye(len(y))
    logits = s / t
    rows = logits.unsqueeze(0) + (1 - mask) * NEG
    per = torch.logsumexp(rows, 1) - logits
    return (per * anchors).sum() / anchors.sum().clamp(min=1)


def main():
    d = sys.argv[1]
    meta = json.load(open(os.path.join(d, "meta.json")))
    cfg = meta["config"]
    torch.manual_seed(0)
    model = Model(cfg, meta["opCount"], meta["pathVocab"])
    s1 = [load(d, meta, b["name"], b["size"]) for b in meta["stage1Batches"]]
    enc_params = list(model.embed.parameters()) + list(model.w1.parameters()) + list(model.w2.parameters())
    opt1 = torch.optim.Adam(enc_params + list(model.proj.parameters()) + list(model.path.parameters()), lr=cfg["pretrain"]["learningRate"])
    objective = cfg["pretrain"]["objective"]
    temp1 = cfg["pretrain"]["temperature"]

    def step1(b):
        opt1.zero_grad()
        z = model.proj(model.encode(b))
        a, c = z.chunk(2, 0)
        if objective == "augment" or b["paths"] is None:
            loss = nt_xent(a, c, temp1)
        else:
            p = model.path(b["paths"])
            cross = nt_xent(a, p, temp1)
            loss = cross if objective == "path" else nt_xent(a, c, temp1) + 0.5 * (cross + nt_xent(c, p, temp1))
        loss.backward()
        opt1.step()
        return loss.item()

    step1(s1[0])  # warm-up
    t = time.perf_counter()
    for b in s1:
        step1(b)
    stage1 = time.perf_counter() - t

    s2 = meta["stage2"]
    train = load(d, meta, s2["train"]["name"], s2["train"]["size"])
    # the held-out slice exists only when the preset early-stops (finetune.holdout > 0)
    held = load(d, meta, s2["held"]["name"], s2["held"]["size"]) if s2["held"]["size"] > 0 else None
    y = torch.from_numpy(np.fromfile(os.path.join(d, "s2_targets.f32"), dtype=np.float32))
    ft = cfg["finetune"]
    opt_enc = torch.optim.Adam(enc_params, lr=ft["learningRate"] * ft["encoderLrScale"])
    opt_head = torch.optim.Adam(model.score.parameters(), lr=ft["learningRate"])

    def step2():
        opt_enc.zero_grad()
        opt_head.zero_grad()
        loss = listwise(model.score(model.encode(train)).reshape(-1), y, ft["temperature"])
        loss.backward()
        opt_enc.step()
        opt_head.step()

    step2()
    t = time.perf_counter()
    for _ in range(s2["epochs"]):
        step2()
        if held is not None:
            with torch.no_grad():
                model.score(model.encode(held)).reshape(-1).numpy()
    stage2 = time.perf_counter() - t
    print(json.dumps({
        "torchVersion": torch.__version__,
        "torchThreads": torch.get_num_threads(),
        "torchStage1EpochSeconds": stage1,
        "torchStage2Seconds100Epochs": stage2,
    }))


if __name__ == "__main__":
    main()
