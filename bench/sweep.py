"""The same small evidence sweep with 1 and with 2 joblib (loky) workers."""

from __future__ import annotations

import joblib

from bench.common import Figure, median, timed
from core.evidence import SweepGrid, run_sweep

GRID = SweepGrid(activations=("relu", "tanh"), datasets=("moons", "xor"), depths=(1, 3),
                 seeds=(0, 1))
REPS = 2


def run(out) -> list[Figure]:
    # Start the loky workers first: a server's pool is already up when a sweep starts.
    joblib.Parallel(n_jobs=2)(joblib.delayed(abs)(i) for i in range(4))
    ones, twos = [], []
    for _ in range(REPS):
        seconds, one = timed(run_sweep, GRID, n_jobs=1)
        ones.append(seconds)
        seconds, two = timed(run_sweep, GRID, n_jobs=2)
        twos.append(seconds)
    t1, t2 = median(ones), median(twos)
    identical = one.equals(two)
    out(f"  {GRID.size} trainings: 1 worker {t1:.2f} s, 2 workers {t2:.2f} s; "
        f"identical tables: {identical}")
    return [Figure("evidence sweep, 2 workers vs 1", t1 / t2, "x", ">= 1.8",
                   dict(one_worker_s=t1, two_workers_s=t2, trainings=GRID.size,
                        identical_tables=identical))]
