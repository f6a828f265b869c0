"""Every hidden activation at the default size: its training cost relative to ReLU, and
train() against a plain fit() of the same run (issue 11: both at most 1.5x).

The run is ``TrainConfig()`` with only the activation changed, for its full default
number of epochs (no stop on a flat loss): otherwise an activation that converges sooner would
look cheaper per run for a reason that is not its cost. CPU time of this process, one
BLAS thread (as train() does), medians of interleaved repeats: see bench/overhead.py.
"""

from __future__ import annotations

import warnings

from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from bench.common import Figure, median
from bench.overhead import cpu_timed
from core.activations import HIDDEN_ACTIVATIONS
from core.config import TrainConfig
from core.training import build_estimator, dataset_for, train

EPOCHS = TrainConfig().epochs
REPS = 3


def measure(reps: int = REPS) -> dict[str, dict[str, float]]:
    configs = {
        name: TrainConfig(activation=name, epochs=EPOCHS, stop_when_flat=False)
        for name in HIDDEN_ACTIVATIONS
    }
    data = dataset_for(TrainConfig())
    times: dict[str, dict[str, list]] = {n: {"fit": [], "train": []} for n in configs}
    # A fixed-length run ends before it converges, as intended here.
    warnings.simplefilter("ignore", ConvergenceWarning)
    for _ in range(reps):  # interleaved: a slow moment hits every activation alike
        for name, config in configs.items():
            with threadpool_limits(1):
                estimator = build_estimator(config, data.task)
                times[name]["fit"].append(cpu_timed(estimator.fit, data.X_train, data.y_train)[0])
            times[name]["train"].append(cpu_timed(train, config, dataset=data)[0])
    return {n: {k: median(v) for k, v in t.items()} for n, t in times.items()}


def run(out) -> list[Figure]:
    m = measure()
    relu = m["relu"]["fit"]
    figures = []
    out(f"  TrainConfig() with each hidden activation, {EPOCHS} epochs, CPU seconds:")
    for name, t in m.items():
        out(
            f"  {name:>10}: fit {t['fit']:.3f} s ({t['fit'] / relu:.2f}x ReLU), "
            f"train() {t['train']:.3f} s ({t['train'] / m['relu']['train']:.2f}x ReLU's, "
            f"{t['train'] / t['fit']:.2f}x its fit)"
        )
    for name, t in m.items():
        if name != "relu":
            figures.append(Figure(f"fit with {name} / ReLU", t["fit"] / relu, "x", "<= 1.5", t))
            figures.append(
                Figure(
                    f"train() with {name} / ReLU",
                    t["train"] / m["relu"]["train"],
                    "x",
                    "<= 1.5",
                    t,
                )
            )
    for name, t in m.items():
        figures.append(
            Figure(f"train()/fit() with {name}", t["train"] / t["fit"], "x", "<= 1.5", t)
        )
    return figures
