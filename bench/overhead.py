"""train() against a plain fit() of the same estimator on the same data.

Both fit under one BLAS thread (as train() does). The difference is what train() adds
per epoch: evaluating train and test loss/score for the history, and surface snapshots
for the replay; a third timing with a 2x2 snapshot grid splits the two apart.

The ratio uses the CPU time of this process (single-threaded work, so CPU time is the
work done): on a shared machine wall-clock ratios of sub-second runs swing by +-40%
with the neighbours' load, CPU-time ratios by a few percent. Wall-clock is printed too.
"""

from __future__ import annotations

import time

from threadpoolctl import threadpool_limits

from bench.common import Figure, median
from core.config import TrainConfig
from core.training import build_estimator, dataset_for, train

CONFIGS = {"TrainConfig()": TrainConfig(), "6 layers (16,)*6": TrainConfig(hidden_layers=(16,) * 6)}
REPS = 5


def cpu_timed(fn, *args, **kwargs):
    """(CPU seconds of this process, wall seconds, value)."""
    cpu, wall = time.process_time(), time.perf_counter()
    value = fn(*args, **kwargs)
    return time.process_time() - cpu, time.perf_counter() - wall, value


def measure(config: TrainConfig, reps: int = REPS) -> dict:
    data = dataset_for(config)
    fits: list[float] = []
    trains: list[float] = []
    bare: list[float] = []
    walls: dict[str, list[float]] = {"fit": [], "train": []}
    for _ in range(reps):  # interleaved, so a slow minute hits all three alike
        with threadpool_limits(1):
            cpu, wall, model = cpu_timed(
                build_estimator(config, data.task).fit, data.X_train, data.y_train
            )
        fits.append(cpu)
        walls["fit"].append(wall)
        cpu, wall, result = cpu_timed(train, config, dataset=data)
        trains.append(cpu)
        walls["train"].append(wall)
        bare.append(cpu_timed(train, config, dataset=data, snapshot_resolution=2)[0])
    fit, full, nosnap = median(fits), median(trains), median(bare)
    return dict(
        fit_s=fit,
        train_s=full,
        epochs=int(model.n_iter_),
        same_epochs=int(result.model.n_iter_) == int(model.n_iter_),
        history_eval_s=max(nosnap - fit, 0.0),
        snapshots_s=max(full - nosnap, 0.0),
        snapshots=len(result.snapshot_epochs),
        wall_fit_s=median(walls["fit"]),
        wall_train_s=median(walls["train"]),
    )


def run(out) -> list[Figure]:
    figures = []
    for label, config in CONFIGS.items():
        m = measure(config)
        out(
            f"  {label}: CPU time of a plain fit {m['fit_s']:.2f} s, "
            f"train() {m['train_s']:.2f} s over "
            f"{m['epochs']} epochs (same epochs: {m['same_epochs']}); train() adds "
            f"{m['history_eval_s']:.2f} s of per-epoch evaluation and {m['snapshots_s']:.2f} s "
            f"for {m['snapshots']} snapshots; wall-clock fit {m['wall_fit_s']:.2f} s, "
            f"train() {m['wall_train_s']:.2f} s"
        )
        figures.append(
            Figure(f"train()/fit() {label}", m["train_s"] / m["fit_s"], "x", "<= 1.5", m)
        )
    return figures
