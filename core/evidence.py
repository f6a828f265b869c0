"""The evidence sweep: many small trainings that put numbers behind the guidance.

A ``SweepGrid`` crosses hidden activations x initialisations x datasets x depths x
seeds; ``run_sweep`` trains every combination through joblib (local processes by
default, a Dask cluster when one is configured) and returns one row per training.
``summarise`` reduces the rows to one per (dataset, activation, init, depth) cell with
the mean and spread of the test accuracy and the epochs to converge; ``claims`` turns
the summary into one measured statement per guidance claim (G1, G8, G20, G21, G23), and
``noise_verdict`` sets today's activations against ReLU beside the seed noise (M8).

The table the Evidence page opens with is shipped in ``data/evidence.csv``; it was made
with ``python -m core.evidence`` (see ``main``), which anyone can run again.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from core.config import TrainConfig

EVIDENCE_CSV = Path(__file__).resolve().parent.parent / "data" / "evidence.csv"
CLAIMS_FILE = EVIDENCE_CSV.with_name("evidence_claims.yaml")
TARGET_ACCURACY = 0.9  # "epochs to 90%": the first epoch with this test accuracy
CONVERGED_SHARE = 0.9  # "epochs to converge": the epoch by which this share of the
# run's whole drop in training loss had happened

KEYS = ["dataset", "activation", "init", "depth", "seed"]
RUN_COLUMNS = KEYS + [
    "width",
    "n_samples",
    "epochs",
    "learning_rate",
    "test_accuracy",
    "train_accuracy",
    "train_loss",
    "epochs_run",
    "epochs_to_converge",
    "epochs_to_90",
    "stop_reason",
]
SUMMARY_COLUMNS = [
    "dataset",
    "activation",
    "init",
    "depth",
    "runs",
    "test_mean",
    "test_std",
    "test_min",
    "test_max",
    "converge_mean",
    "reached_90",
    "epochs_to_90_median",
]


# The initialisation each activation is matched with beyond the two every activation
# gets (GUIDANCE M1, M3): Glorot for sigmoid (scikit-learn's own scheme shrinks its range
# for logistic units), LeCun normal for SELU. Tanh needs no extra: for tanh, scikit-learn's
# scheme is Glorot uniform itself, so its rows would repeat "auto" weight for weight.
MATCHED_INITS: dict[str, tuple[str, ...]] = {
    "logistic": ("glorot_uniform",),
    "selu": ("lecun_normal",),
}


@dataclass(frozen=True)
class SweepGrid:
    """What to sweep. Every training is ``base`` with one (dataset, activation, init,
    depth, seed) filled in; the seed sets both the data sample and the initial weights.
    Every activation is trained under each of ``inits``, and also under its entries of
    ``extra_inits``. ``auto`` is scikit-learn's own scheme: the claims read those rows."""

    activations: tuple[str, ...] = HIDDEN_ACTIVATIONS
    datasets: tuple[str, ...] = ("circle", "xor", "gauss", "spiral")
    depths: tuple[int, ...] = (1, 3, 6, 10)
    seeds: tuple[int, ...] = (0, 1, 2)
    inits: tuple[str, ...] = ("auto", "he_uniform")
    extra_inits: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(MATCHED_INITS))
    width: int = 8
    # Full epochs, no early stop: a stop on a flat loss would cut off slow starters
    # (sigmoid) and make them look worse than they are.
    base: TrainConfig = field(
        default_factory=lambda: TrainConfig(n_samples=300, epochs=200, stop_when_flat=False)
    )

    def __post_init__(self):
        for name in self.activations:
            if name not in HIDDEN_ACTIVATIONS:
                raise ValueError(
                    f"{name!r} is not a hidden activation ({', '.join(HIDDEN_ACTIVATIONS)})"
                )
        if not (self.activations and self.datasets and self.depths and self.seeds and self.inits):
            raise ValueError("every axis of the grid needs at least one value")
        for d in self.datasets:  # a TrainConfig checks the dataset, depth, width and init
            for depth in self.depths:
                for init in {*self.inits, *(i for v in self.extra_inits.values() for i in v)}:
                    self.config(d, self.activations[0], init, depth, self.seeds[0])

    def inits_for(self, activation: str) -> tuple[str, ...]:
        extra = self.extra_inits.get(activation, ())
        return self.inits + tuple(i for i in extra if i not in self.inits)

    def config(
        self, dataset: str, activation: str, init: str, depth: int, seed: int
    ) -> TrainConfig:
        return self.base.replace(
            dataset=dataset,
            activation=activation,
            init=init,
            hidden_layers=(self.width,) * depth,
            seed=seed,
            data_seed=seed,
        )

    def cells(self) -> list[tuple[str, str, str, int, int]]:
        return [
            (d, a, init, depth, s)
            for d in self.datasets
            for a in self.activations
            for init in self.inits_for(a)
            for depth in self.depths
            for s in self.seeds
        ]

    def configs(self) -> list[TrainConfig]:
        return [self.config(*cell) for cell in self.cells()]

    def replace(self, **changes) -> SweepGrid:
        return dataclasses.replace(self, **changes)

    @property
    def size(self) -> int:
        return len(self.cells())


# 4 datasets x 4 depths x 3 seeds x (11 activations x 2 inits + 2 matched) = 1152 trainings
FULL_GRID = SweepGrid()
# The page's Recompute button: scikit-learn's scheme, depths to 6, two seeds (264 runs).
RECOMPUTE_GRID = SweepGrid(seeds=(0, 1), depths=(1, 3, 6), inits=("auto",), extra_inits={})


# --- one training -> one row -----------------------------------------------------------------


def _first_epoch(mask: np.ndarray, epochs: np.ndarray) -> float:
    hits = np.flatnonzero(mask)
    return float(epochs[hits[0]]) if len(hits) else float("nan")


def run_one(grid_cell: tuple[str, str, str, int, int], config: TrainConfig) -> dict:
    """Train one config and describe the outcome in a row (runs in a worker)."""
    from core.training import train

    dataset, activation, init, depth, seed = grid_cell
    # One BLAS thread: this is what train() already does during fit; the tiny replay
    # grid keeps the (unused) snapshots cheap.
    result = train(config, snapshot_resolution=2)
    h = result.history
    epochs = h.epoch.to_numpy()
    loss = h.train_loss.to_numpy()
    if len(h):
        drop = loss[0] - loss[-1]
        converge = (
            _first_epoch(loss <= loss[-1] + (1 - CONVERGED_SHARE) * drop, epochs)
            if drop > 0
            else float(epochs[-1])
        )
        last = h.iloc[-1]
        test, train_acc, train_loss = (
            float(last.test_score),
            float(last.train_score),
            float(last.train_loss),
        )
    else:
        converge, test, train_acc, train_loss = (
            float("nan"),
            float("nan"),
            float("nan"),
            float("nan"),
        )
    return dict(
        dataset=dataset,
        activation=activation,
        init=init,
        depth=int(depth),
        seed=int(seed),
        width=int(config.hidden_layers[0]),
        n_samples=config.n_samples,
        epochs=config.epochs,
        learning_rate=config.learning_rate,
        test_accuracy=test,
        train_accuracy=train_acc,
        train_loss=train_loss,
        epochs_run=int(len(h)),
        epochs_to_converge=converge,
        epochs_to_90=_first_epoch(h.test_score.to_numpy() >= TARGET_ACCURACY, epochs),
        stop_reason=result.stop_reason,
    )


# --- the sweep -------------------------------------------------------------------------------


def dask_address(scheduler=None):
    """The Dask scheduler to use: the argument, else ``DASK_SCHEDULER_ADDRESS``, else None."""
    return scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def run_sweep(
    grid: SweepGrid = FULL_GRID,
    n_jobs: int | None = None,
    backend: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    scheduler=None,
) -> pd.DataFrame:
    """Train every cell of ``grid``; one row per training (``RUN_COLUMNS``), sorted.

    ``backend``: "loky" (local worker processes) or "dask" (a Dask cluster: ``scheduler``
    is a ``distributed.Client`` or a scheduler address, else ``DASK_SCHEDULER_ADDRESS``).
    Default: "dask" when a scheduler is configured that way, "loky" otherwise.
    ``n_jobs``: local workers (default: every core); with Dask, every worker thread is
    used. ``on_progress(done, total)`` is called as trainings finish. The table is the
    same whatever the backend or ``n_jobs``: each training is seeded on its own.
    """
    import joblib

    address = dask_address(scheduler)
    backend = backend or ("dask" if address is not None else "loky")
    if backend not in ("loky", "dask"):
        raise ValueError(f"backend must be 'loky' or 'dask', got {backend!r}")
    cells = grid.cells()
    tasks = (joblib.delayed(run_one)(cell, grid.config(*cell)) for cell in cells)
    start = time.perf_counter()
    client, own_client = None, False
    if backend == "dask":
        if address is None:
            raise ValueError(
                "the dask backend needs a scheduler: pass scheduler= "
                "(a Client or an address) or set DASK_SCHEDULER_ADDRESS"
            )
        from distributed import Client

        if isinstance(address, Client):
            client = address
        else:
            client, own_client = Client(address, set_as_default=False), True
        settings = dict(backend="dask", client=client)
        n_jobs = -1
    else:
        settings = dict(backend="loky", inner_max_num_threads=1)
        n_jobs = n_jobs or os.cpu_count() or 1
    # One training per task: each takes a second or so, far above the dispatch cost,
    # and batches of several leave one worker idle at the end of a small sweep.
    rows = []
    try:
        with joblib.parallel_config(**settings):
            for row in joblib.Parallel(n_jobs=n_jobs, return_as="generator", batch_size=1)(tasks):
                rows.append(row)
                if on_progress is not None:
                    on_progress(len(rows), len(cells))
    finally:
        if own_client and client is not None:
            client.close()
    table = pd.DataFrame(rows, columns=RUN_COLUMNS).sort_values(KEYS, ignore_index=True)
    table.attrs["seconds"] = time.perf_counter() - start
    return table


# --- reading and summarising ------------------------------------------------------------------


def load_runs(path: str | Path = EVIDENCE_CSV) -> pd.DataFrame:
    """The shipped (or a saved) table of runs; ValueError if it is not one."""
    table = pd.read_csv(path)
    missing = [c for c in RUN_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path} is not an evidence table: missing {', '.join(missing)}")
    return table[RUN_COLUMNS]


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, activation, init, depth): mean, spread and range of the test
    accuracy over seeds, mean epochs to converge, share of seeds reaching 90%."""
    groups = runs.groupby(["dataset", "activation", "init", "depth"], sort=False)
    out = groups.agg(
        runs=("seed", "size"),
        test_mean=("test_accuracy", "mean"),
        test_std=("test_accuracy", "std"),
        test_min=("test_accuracy", "min"),
        test_max=("test_accuracy", "max"),
        converge_mean=("epochs_to_converge", "mean"),
        reached_90=("epochs_to_90", lambda s: float(s.notna().mean())),
        epochs_to_90_median=("epochs_to_90", "median"),
    ).reset_index()
    out["test_std"] = out["test_std"].fillna(0.0)  # one seed: no spread
    return out[SUMMARY_COLUMNS]


MATCHED = "matched"  # the init value of matched_summary's rows


def matched_summary(summary: pd.DataFrame, book=None) -> pd.DataFrame:
    """Each activation's cells under the initialisation the rules file matches to it
    (``RuleBook.init_family``: He for the ReLU family, Glorot for sigmoid and tanh,
    LeCun for SELU), as rows with ``init == MATCHED`` and the scheme used in a column
    ``scheme``. Where the table holds several schemes of the family, the family's first
    listed one wins (Glorot uniform over scikit-learn's ``auto`` for sigmoid); an
    activation with none of them is left out."""
    from core.rules import load_rules  # the rule book is read only for this view

    book = book or load_rules()
    chosen = []
    for activation, rows in summary.groupby("activation", sort=False):
        family = book.init_family(str(activation))
        held = [i for i in family.inits if i in set(rows.init)]
        if held:
            chosen.append(rows[rows.init == held[0]].assign(scheme=held[0], init=MATCHED))
    if not chosen:
        return summary.iloc[:0].assign(scheme=pd.Series(dtype=str))
    return pd.concat(chosen, ignore_index=True)


def with_matched_inits(summary: pd.DataFrame, book=None) -> tuple[pd.DataFrame, list[str]]:
    """The schemes a page can show one at a time: those every activation was trained
    under, then ``MATCHED`` when the table holds every activation's matched scheme (the
    shipped sweep's extra rows make it complete; a small recompute may not). Returns the
    summary with the matched rows appended when they are offered, and the choices."""
    every = summary.activation.nunique()
    choices = [
        i
        for i in dict.fromkeys(summary.init)
        if summary[summary.init == i].activation.nunique() == every
    ]
    matched = matched_summary(summary, book)
    if matched.empty or matched.activation.nunique() < every:
        return summary, choices
    return pd.concat([summary, matched], ignore_index=True), [*choices, MATCHED]


def default_name(kind: str, key: str) -> str:
    """How a claim names an activation or a dataset unless told otherwise: its engine
    name (display names live in the translation files; the page passes its own)."""
    return key


def pct(x: float) -> str:
    return "–" if not np.isfinite(x) else f"{x:.0%}"


@dataclass(frozen=True)
class Claim:
    """One guidance claim measured against the table. ``params`` fill in the page's
    sentence (already formatted); ``values`` are the raw numbers; ``supported`` says
    whether the numbers back the claim; ``datasets`` / ``activations`` is the slice of
    the table that shows it."""

    id: str
    params: dict
    values: dict
    supported: bool
    datasets: tuple[str, ...]
    activations: tuple[str, ...]


def _mean(summary: pd.DataFrame, **where) -> float:
    rows = summary
    for column, value in where.items():
        rows = rows[rows[column].isin(value if isinstance(value, (list, tuple)) else [value])]
    return float(rows.test_mean.mean()) if len(rows) else float("nan")


@lru_cache(maxsize=1)
def claim_thresholds() -> dict[str, dict[str, float]]:
    """What each claim needs (data/evidence_claims.yaml), read once."""
    raw = yaml.safe_load(CLAIMS_FILE.read_text(encoding="utf-8"))
    return {cid: {k: float(v) for k, v in need.items()} for cid, need in raw.items()}


def _ahead_where_different(gap: pd.Series, share: float) -> bool:
    decided = gap[gap.abs() > TEST_POINT]
    return bool(len(decided)) and (decided > 0).mean() >= share and gap.mean() > 0


def claims(summary: pd.DataFrame, name: Callable[[str, str], str] = default_name) -> list[Claim]:
    """The measured statements for G1, G8, G20, G21 and G23 that the table allows (a
    claim whose activations or datasets are not in the table is left out).
    ``name(kind, key)`` ("activation" or "dataset") gives the names put in the text."""
    label = lambda activation: name("activation", activation)  # noqa: E731
    bar = claim_thresholds()
    # The article's claims are about activations under one fixed scheme: scikit-learn's.
    summary = summary[summary["init"] == "auto"]
    acts = list(dict.fromkeys(summary.activation))
    sets = list(dict.fromkeys(summary.dataset))
    depths = sorted(summary.depth.unique())
    out: list[Claim] = []
    nonlinear = [a for a in acts if a != "identity"]

    linear_sets = [d for d in ("circle", "xor") if d in sets]
    if "identity" in acts and nonlinear and linear_sets:
        values, params, ok = {}, {}, True
        for d in linear_sets:
            lin = _mean(summary, dataset=d, activation="identity")
            per_act = {a: _mean(summary, dataset=d, activation=a) for a in nonlinear}
            best = max(per_act, key=per_act.__getitem__)
            values.update({f"linear_{d}": lin, f"best_{d}": per_act[best]})
            params.update(
                {
                    f"linear_{d}": pct(lin),
                    f"best_{d}": pct(per_act[best]),
                    f"best_{d}_act": label(best),
                    f"{d}_name": name("dataset", d),
                }
            )
            need = bar["G1"]
            ok &= lin <= need["linear_at_most"] and per_act[best] >= need["nonlinear_at_least"]
        if len(linear_sets) == 2:
            out.append(Claim("G1", params, values, bool(ok), tuple(linear_sets), tuple(acts)))

    if "logistic" in acts and "relu" in acts and len(depths) > 1:
        lo, hi = depths[0], depths[-1]
        v = {
            f"{a}_{k}": _mean(summary, activation=a, depth=dep)
            for a in ("logistic", "relu")
            for k, dep in (("shallow", lo), ("deep", hi))
        }
        drop_sig = v["logistic_shallow"] - v["logistic_deep"]
        drop_relu = v["relu_shallow"] - v["relu_deep"]
        params = {k.replace("logistic", "sigmoid"): pct(x) for k, x in v.items()}
        params.update(shallow=str(lo), deep=str(hi))
        out.append(
            Claim(
                "G8",
                params,
                v,
                bool(
                    drop_sig >= bar["G8"]["sigmoid_drop_at_least"]
                    and drop_sig > drop_relu + bar["G8"]["more_than_relu_by"]
                ),
                tuple(sets),
                tuple(a for a in ("logistic", "tanh", "relu") if a in acts),
            )
        )

    if "relu" in acts and len(acts) > 1:
        overall = {a: _mean(summary, activation=a) for a in acts}
        ranking = sorted(overall, key=overall.__getitem__, reverse=True)
        best = ranking[0]
        cells = len(summary[summary.activation == "relu"])
        params = dict(
            relu=pct(overall["relu"]),
            rank=str(ranking.index("relu") + 1),
            n=str(len(acts)),
            best=pct(overall[best]),
            best_act=label(best),
            cells=str(cells),
        )
        out.append(
            Claim(
                "G20",
                params,
                dict(overall),
                bool(overall[best] - overall["relu"] <= bar["G20"]["within_best"]),
                tuple(sets),
                tuple(acts),
            )
        )

    for cid, a, b, supported in (
        (
            "G21",
            "leaky_relu",
            "relu",
            lambda gap: float(np.abs(gap).mean()) <= bar["G21"]["mean_abs_gap_at_most"],
        ),
        # Tanh ahead in at least 3 of 4 cells where the two differ at all (by more than
        # one test point): where both reach 100%, a cell cannot tell them apart.
        (
            "G23",
            "tanh",
            "logistic",
            lambda gap: _ahead_where_different(gap, bar["G23"]["ahead_share"]),
        ),
    ):
        if a not in acts or b not in acts:
            continue
        pair = (
            summary[summary.activation == a].set_index(["dataset", "depth"]).test_mean
            - summary[summary.activation == b].set_index(["dataset", "depth"]).test_mean
        ).dropna()
        worst = pair.abs().idxmax()
        values = dict(
            ties=int((pair.abs() <= TEST_POINT).sum()),
            mean_gap=float(pair.mean()),
            mean_abs_gap=float(pair.abs().mean()),
            max_gap=float(pair[worst]),
            wins=int((pair > 0).sum()),
            cells=len(pair),
        )
        params = dict(
            mean_gap=f"{pair.mean():+.0%}",
            mean_abs_gap=pct(pair.abs().mean()),
            max_gap=pct(abs(pair[worst])),
            max_dataset=name("dataset", worst[0]),
            max_depth=str(worst[1]),
            wins=str(values["wins"]),
            cells=str(len(pair)),
            ties=str(values["ties"]),
        )
        out.append(Claim(cid, params, values, bool(supported(pair)), tuple(sets), (a, b)))
    return out


# --- today's activations against ReLU (GUIDANCE M8) --------------------------------------------

# One test point of the sweep's test set (300 samples x 20%): two runs cannot differ by
# less, so a difference of means below it is never past the noise.
TEST_POINT = 1.0 / round(FULL_GRID.base.n_samples * FULL_GRID.base.test_fraction)


def noise_band(spread, baseline_spread, one_point: float = TEST_POINT):
    """What a difference of two cells' mean test accuracies must exceed to count as past
    the seed noise: the larger of their seed ranges (max - min), and never less than one
    test point. Numbers or arrays (element by element). The Evidence page and the modern
    lesson both judge by it."""
    return np.maximum(np.maximum(spread, baseline_spread), one_point)


def noise_verdict(
    summary: pd.DataFrame, activation: str, baseline: str = "relu", init: str = "auto"
) -> pd.DataFrame:
    """Per (dataset, depth): ``activation``'s mean test accuracy minus ``baseline``'s, both
    under ``init``, and whether that difference is past the seed noise.

    The criterion, fixed before looking at the new activations: the noise is the larger
    of the two cells' seed ranges (max - min over seeds) and one test point; a difference
    of means larger than it is "better" or "worse", anything else "within". With three
    seeds a range is the honest spread to quote; it is wider than a standard error, so
    "better" here means better on every reading of this table, not a significance test.
    """
    missing = {activation, baseline} - set(summary.activation)
    if missing:
        raise ValueError(f"no rows for {', '.join(sorted(missing))} in the evidence table")
    rows = summary[summary["init"] == init]
    if rows.empty:
        raise ValueError(f"no rows with init {init!r} in the evidence table")
    cols = ["dataset", "depth", "test_mean", "test_min", "test_max"]
    both = pd.merge(
        rows[rows.activation == activation][cols],
        rows[rows.activation == baseline][cols],
        on=["dataset", "depth"],
        suffixes=("", "_base"),
    )
    diff = both.test_mean - both.test_mean_base
    noise = noise_band(both.test_max - both.test_min, both.test_max_base - both.test_min_base)
    verdict = np.where(diff > noise, "better", np.where(diff < -noise, "worse", "within"))
    return pd.DataFrame(
        dict(
            dataset=both.dataset,
            depth=both.depth,
            mean=both.test_mean,
            spread=both.test_max - both.test_min,
            baseline_mean=both.test_mean_base,
            difference=diff,
            noise=noise,
            verdict=verdict,
        )
    )


def modern_activations(summary: pd.DataFrame) -> list[str]:
    """The table's activations from today's practice (GUIDANCE M-ids), in table order."""
    present = set(summary.activation)
    return [
        a
        for a in HIDDEN_ACTIVATIONS
        if a in present and any(g.startswith("M") for g in ACTIVATIONS[a].guidance)
    ]


def modern_against_relu(summary: pd.DataFrame, init: str = "auto") -> pd.DataFrame:
    """``noise_verdict`` for every activation of today's practice, stacked (a column
    ``activation``); empty when the table has no ReLU or none of them."""
    if "relu" not in set(summary.activation):
        return pd.DataFrame()
    frames = [
        noise_verdict(summary, a, init=init).assign(activation=a)
        for a in modern_activations(summary)
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# --- regenerate the shipped table -------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m core.evidence",
        description="Run the evidence sweep and write the table the Evidence page shows.",
    )
    parser.add_argument("--out", default=str(EVIDENCE_CSV))
    parser.add_argument("--n-jobs", type=int, default=None, help="local worker processes")
    parser.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address (default: $DASK_SCHEDULER_ADDRESS)",
    )
    parser.add_argument("--seeds", type=int, default=len(FULL_GRID.seeds))
    args = parser.parse_args(argv)
    grid = SweepGrid(seeds=tuple(range(args.seeds)))

    def report(done, total):
        if done % 20 == 0 or done == total:
            print(f"{done}/{total} trainings", file=sys.stderr, flush=True)

    table = run_sweep(grid, n_jobs=args.n_jobs, scheduler=args.scheduler, on_progress=report)
    table.to_csv(args.out, index=False, float_format="%.6g")
    print(
        f"wrote {len(table)} runs to {args.out} in {table.attrs['seconds']:.0f} s", file=sys.stderr
    )


if __name__ == "__main__":
    main()
