"""A class pressing Train together: 8 default trainings one after another, at once
through core.parallel's process pool (2 workers), and at once in 8 threads (what
Streamlit's one-process-many-threads model gives without the pool)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from bench.common import Figure, median, timed_cpu
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
    return all(
        np.array_equal(x, y)
        for r, s in zip(a, b)
        for x, y in zip(r.model.coefs_ + r.model.intercepts_, s.model.coefs_ + s.model.intercepts_)
    )


def run(out) -> list[Figure]:
    cs = configs()
    parallel.shutdown()
    start_s = parallel.warm_up(WORKERS)
    serial: list[float] = []
    pooled: list[float] = []
    threaded: list[float] = []
    cpu: dict[str, list[float]] = {"serial": [], "pool": [], "threads": []}
    for _ in range(REPS):
        seconds, used, reference = timed_cpu(one_after_another, cs)
        serial.append(seconds)
        cpu["serial"].append(used)
        seconds, used, from_pool = timed_cpu(parallel.train_many, cs)
        pooled.append(seconds)
        cpu["pool"].append(used)
        seconds, used, _ = timed_cpu(in_threads, cs)
        threaded.append(seconds)
        cpu["threads"].append(used)
    parallel.shutdown()
    s, p, th = median(serial), median(pooled), median(threaded)
    # Ratios of back-to-back pairs, so each compares runs that met about the same load.
    pool_ratio = median([a / b for a, b in zip(serial, pooled)])
    thread_ratio = median([a / b for a, b in zip(serial, threaded)])
    identical = same_weights(reference, from_pool)
    # How much of the machine each phase got: CPU seconds of this process and its
    # workers over wall seconds. Below the worker count, other processes took the rest.
    cores = {k: sum(v) / sum(w) for (k, v), w in zip(cpu.items(), (serial, pooled, threaded))}
    per_training = {k: median(v) / STUDENTS for k, v in cpu.items()}
    out(
        f"  {STUDENTS} trainings one after another: {s:.2f} s; at once in the pool "
        f"({WORKERS} worker processes, started beforehand in {start_s:.2f} s): {p:.2f} s; "
        f"at once in {STUDENTS} threads: {th:.2f} s"
    )
    out(
        f"  cores actually used: one after another {cores['serial']:.2f}, pool {cores['pool']:.2f} "
        f"(of {WORKERS}), threads {cores['threads']:.2f}; CPU per training: in-process "
        f"{per_training['serial']:.2f} s, in a worker {per_training['pool']:.2f} s"
    )
    out(
        f"  pool results identical to in-process train(): {identical}; best possible "
        f"speed-up on {WORKERS} cores: {WORKERS:.1f}x"
    )
    detail = dict(
        serial_s=s,
        pool_s=p,
        threads_s=th,
        pool_start_s=start_s,
        cores_used=cores,
        cpu_per_training_s=per_training,
        identical_weights=identical,
    )
    return [
        Figure(
            "classroom throughput, pool vs one after another", pool_ratio, "x", ">= 1.6", detail
        ),
        Figure(
            "classroom throughput, 8 threads vs one after another (contrast)",
            thread_ratio,
            "x",
            None,
            {},
        ),
    ]
