"""What a session's results cost the server: the RSS of a fresh process before and
after it holds 20 TrainResults (the default experiment, 20 seeds), and what inside a
result grows with the run versus what is bounded.

Runs in a child process (``python -m bench.memory``) so the bench's own allocations do
not blur it. ``probe(n)`` is the hook for a server-side harness: call it in the server
process, or read a running server's RSS with ``rss_mb(pid)``.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench.common import Figure

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int | None = None) -> float:
    """Resident set size of a process (this one by default), in MB (Linux /proc)."""
    with open(f"/proc/{pid or os.getpid()}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def parts(result) -> dict:
    """Bytes of each part of one TrainResult."""
    m, d = result.model, result.dataset
    arrays = [d.X_train, d.X_test, d.y_train, d.y_test]
    return dict(
        snapshots=result.snapshots.nbytes,
        history=int(result.history.memory_usage(deep=True).sum()),
        dataset=sum(a.nbytes for a in arrays),
        grid=result.grid.points.nbytes,
        model_weights=sum(w.nbytes for w in m.coefs_ + m.intercepts_),
        model_pickle=len(pickle.dumps(m)),
        loss_curve=len(m.loss_curve_) * 8 if hasattr(m, "loss_curve_") else 0,
        pickled_total=len(pickle.dumps(result)),
    )


def probe(n_results: int = 20) -> dict:
    from core import parallel
    from core.config import MAX_EPOCHS, TrainConfig
    from core.datasets import MAX_CLASSES, MAX_SAMPLES
    from core.training import SNAPSHOT_COUNT, SNAPSHOT_RESOLUTION, train

    train(TrainConfig(epochs=20))  # warm: imports, allocator pools
    gc.collect()
    before = rss_mb()
    results = parallel.train_many([TrainConfig(seed=i) for i in range(n_results)])
    pool = parallel.get_pool()
    workers = [rss_mb(pid) for pid in list(pool._processes)]
    gc.collect()
    after = rss_mb()
    per = [parts(r) for r in results]
    mean = {k: float(np.mean([p[k] for p in per])) for k in per[0]}
    frames = 2 * SNAPSHOT_COUNT + 1
    bound = dict(
        snapshots_max=frames * SNAPSHOT_RESOLUTION**2 * MAX_CLASSES * 2,
        history_max=MAX_EPOCHS * 6 * 8,
        dataset_max=MAX_SAMPLES * (2 * 8 + 8),
        grid=SNAPSHOT_RESOLUTION**2 * 2 * 8,
    )
    parallel.shutdown()
    return dict(
        n_results=n_results,
        rss_before_mb=before,
        rss_after_mb=after,
        per_result_mb=(after - before) / n_results,
        mean_parts=mean,
        bounds=bound,
        epochs=[int(len(r.history)) for r in results],
        snapshot_frames=[int(len(r.snapshot_epochs)) for r in results],
        worker_rss_mb=workers,
    )


def run(out) -> list[Figure]:
    from core.training import SNAPSHOT_RESOLUTION

    proc = subprocess.run(
        [sys.executable, "-m", "bench.memory"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    mp, b = m["mean_parts"], m["bounds"]
    kb = lambda x: f"{x / 1000:,.0f} KB"  # noqa: E731
    out(
        f"  fresh process after one warm-up training: {m['rss_before_mb']:.0f} MB; holding "
        f"{m['n_results']} results: {m['rss_after_mb']:.0f} MB "
        f"(+{m['per_result_mb']:.2f} MB per result); each pool worker: "
        + ", ".join(f"{w:.0f} MB" for w in m["worker_rss_mb"])
    )
    out(
        f"  one default result ({np.mean(m['epochs']):.0f} epochs, "
        f"{np.mean(m['snapshot_frames']):.0f} frames): snapshots {kb(mp['snapshots'])}, "
        f"history {kb(mp['history'])}, dataset {kb(mp['dataset'])}, grid {kb(mp['grid'])}, "
        f"model {kb(mp['model_pickle'])} pickled; whole result {kb(mp['pickled_total'])} pickled"
    )
    out(
        f"  bounded: snapshots (at most {2 * 32 + 1} frames of "
        f"{SNAPSHOT_RESOLUTION}x{SNAPSHOT_RESOLUTION}: worst "
        f"{b['snapshots_max'] / 1e6:.1f} MB with 6 classes), grid ({kb(b['grid'])}); "
        f"grows: history and model.loss_curve_ with epochs (<= {kb(b['history_max'])} at "
        f"3000 epochs), dataset with n_samples (<= {kb(b['dataset_max'])} at 5000)"
    )
    return [Figure("RSS per held TrainResult", m["per_result_mb"], "MB", None, m)]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(probe(int(sys.argv[1]) if len(sys.argv) > 1 else 20)))
