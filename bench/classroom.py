"""A class pressing Train together: 8 default trainings one after another, at once
through core.parallel's process pool (2 workers), and at once in 8 threads (what
Streamlit's one-process-many-threads model gives without the pool)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from bench.common import Figure, median, timed
from core import parallel
from core.config import TrainConfig
from core.training import train

STUDENTS = 8
WORKERS = 2
REPS = 2


def configs() -> list[TrainConfig]:
    # Eight students, the default experiment, each with their own seed.
    return [TrainConfig(seed=i) for i in range(STUDENTS)]


def one_after_another(cs):
    return [train(c) for c in cs]


def in_threads(cs):
    with ThreadPoolExecutor(len(cs)) as pool:
        return list(pool.map(train, cs))


def same_weights(a, b) -> bool:
    return all(np.array_equal(x, y) for r, s in zip(a, b)
               for x, y in zip(r.model.coefs_ + r.model.intercepts_,
                               s.model.coefs_ + s.model.intercepts_))


def run(out) -> list[Figure]:
    cs = configs()
    parallel.shutdown()
    start_s = parallel.warm_up(WORKERS)
    serial, pooled, threaded = [], [], []
    for _ in range(REPS):
        seconds, reference = timed(one_after_another, cs)
        serial.append(seconds)
        seconds, from_pool = timed(parallel.train_many, cs)
        pooled.append(seconds)
        threaded.append(timed(in_threads, cs)[0])
    parallel.shutdown()
    s, p, th = median(serial), median(pooled), median(threaded)
    identical = same_weights(reference, from_pool)
    out(f"  {STUDENTS} trainings one after another: {s:.2f} s; at once in the pool "
        f"({WORKERS} worker processes, started beforehand in {start_s:.2f} s): {p:.2f} s; "
        f"at once in {STUDENTS} threads: {th:.2f} s")
    out(f"  pool results identical to in-process train(): {identical}; best possible "
        f"speed-up on {WORKERS} cores: {WORKERS:.1f}x")
    detail = dict(serial_s=s, pool_s=p, threads_s=th, pool_start_s=start_s,
                  identical_weights=identical)
    return [Figure("classroom throughput, pool vs one after another", s / p, "x", ">= 1.6", detail),
            Figure("classroom throughput, 8 threads vs one after another (contrast)", s / th, "x",
                   None, {})]
