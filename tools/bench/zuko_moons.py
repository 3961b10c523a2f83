#!/usr/bin/env python3
"""zuko's side of `npm run bench -- moons`: the two-moons recipe of
../shared/reference/data/moons_zuko.json (NSF features 2, transforms 3, hidden (64, 64),
Adam lr 1e-3, batch 256, 60 epochs reshuffled each epoch, loss -mean log_prob), timed the
way tools/bench/moons.mjs times Eddy: the whole loop, with the held-out mean
log-likelihood evaluated after every epoch. Run it with Debian's python3 and zuko's source
on PYTHONPATH (. ../shared/reference/zuko_env.sh); writes JSON shaped like moons_zuko.json.

    python3 tools/bench/zuko_moons.py --out bench-results/zuko-moons.json [--threads 1]
"""
import argparse, json, os, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "reference", "data"))
ap.add_argument("--epochs", type=int, default=60)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
ap.add_argument("--out", required=True)
args = ap.parse_args()
os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import zuko  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)


def read(name):
    return np.loadtxt(os.path.join(args.data, name), delimiter=",", skiprows=1)


results = {}
for dtype in args.dtypes:
    dt = torch.float32 if dtype == "float32" else torch.float64
    train = torch.tensor(read("moons_train.csv"), dtype=dt)
    test = torch.tensor(read("moons_test.csv"), dtype=dt)
    torch.manual_seed(0)
    flow = zuko.flows.NSF(features=2, context=0, transforms=3, hidden_features=(64, 64)).to(dt)
    opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
    curve = []
    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        perm = torch.randperm(len(train))
        for i in range(0, len(train), 256):
            x = train[perm[i : i + 256]]
            loss = -flow().log_prob(x).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            curve.append(flow().log_prob(test).mean().item())
        print(f"{dtype} epoch {epoch + 1:2d} held-out {curve[-1]:.4f}", file=sys.stderr)
    seconds = time.perf_counter() - t0
    results[dtype] = {"heldout_mean_loglik_final": curve[-1], "heldout_mean_loglik_best": max(curve), "train_seconds": seconds, "curve": curve}
    print(f"{dtype}: held-out {curve[-1]:.4f} (best {max(curve):.4f}), {seconds:.1f} s", file=sys.stderr)

doc = {
    "recipe": "NSF(features=2, transforms=3, hidden_features=(64, 64)), Adam lr 1e-3, batch 256, reshuffled, held-out eval each epoch (timed)",
    "epochs": args.epochs,
    "threads": args.threads,
    "zuko": getattr(zuko, "__version__", "?"),
    "torch": torch.__version__,
    "results": results,
}
os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
with open(args.out, "w") as f:
    json.dump(doc, f, indent=1)
print(f"written: {args.out}")
