"""The same small evidence sweep with 1 and with 2 joblib (loky) workers."""

from __future__ import annotations

from bench.common import Figure, median, timed_cpu
from core.config import TrainConfig
from core.evidence import SweepGrid, run_sweep

# 16 trainings of the page's kind, at half the epochs to keep `make bench` short.
GRID = SweepGrid(
    activations=("relu", "tanh"),
    datasets=("moons", "xor"),
    depths=(1, 3),
    seeds=(0, 1),
    inits=("auto",),  # 16 trainings, as the figures in the README were measured
    extra_inits={},
    base=TrainConfig(n_samples=300, epochs=100, stop_when_flat=False),
)
REPS = 5  # back-to-back pairs: the median of five rides out a burst of load on a shared machine


def run(out) -> list[Figure]:
    # Start the loky workers first, with run_sweep's own settings (other settings would
    # make loky start new workers) and through one training each, so both have
    # imported scikit-learn: a server's workers are already up when a sweep starts.
    run_sweep(GRID.replace(datasets=("moons",), depths=(1,), seeds=(0,)), n_jobs=2)
    ones, twos, cpu1, cpu2 = [], [], [], []
    for _ in range(REPS):  # back to back, so each pair meets about the same load
        seconds, used, one = timed_cpu(run_sweep, GRID, n_jobs=1)
        ones.append(seconds)
        cpu1.append(used)
        seconds, used, two = timed_cpu(run_sweep, GRID, n_jobs=2)
        twos.append(seconds)
        cpu2.append(used)
    t1, t2 = median(ones), median(twos)
    ratio = median([a / b for a, b in zip(ones, twos)])
    identical = one.equals(two)
    cores1, cores2 = sum(cpu1) / sum(ones), sum(cpu2) / sum(twos)
    out(
        f"  {GRID.size} trainings: 1 worker {t1:.2f} s, 2 workers {t2:.2f} s (medians; the "
        f"ratio is the median of {REPS} back-to-back pairs); identical tables: {identical}"
    )
    out(
        f"  cores actually used: 1 worker {cores1:.2f}, 2 workers {cores2:.2f}; CPU per sweep "
        f"{median(cpu1):.1f} s vs {median(cpu2):.1f} s"
    )
    return [
        Figure(
            "evidence sweep, 2 workers vs 1",
            ratio,
            "x",
            ">= 1.8",
            dict(
                one_worker_s=t1,
                two_workers_s=t2,
                trainings=GRID.size,
                cores_used_1=cores1,
                cores_used_2=cores2,
                identical_tables=identical,
            ),
        )
    ]
