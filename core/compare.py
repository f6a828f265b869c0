"""Compare: the same data, several activation choices, each trained with several weight
seeds.

A ``Variant`` changes the hidden activation, the output activation + loss pair, or both,
of a base ``TrainConfig``. ``compare(base, variants, seeds)`` trains every variant with
every weight seed (``config.seed``) on one dataset and returns a ``ComparisonResult``:
a tidy table with one row per run and the per-epoch histories. ``summarise``,
``curves``, ``verdict`` and ``table`` reduce it for the page.

The work is a plain loop over ``run_one(config)``, a top-level function whose inputs and
outputs pickle, so the loop can become ``pool.map(run_one, configs)`` unchanged.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.config import TrainConfig
from core.datasets import Dataset
from core.formatting import score_text
from core.training import dataset_for, make_grid, train
from core.vocabulary import AUTO_LOSS, AUTO_OUTPUT

MAX_RUNS = 60  # variants x seeds in one comparison
# Cells per side of each run's final surface: enough for a small multiple (about 220
# pixels, drawn smoothed), and 20 KB a run where 200 would keep 80.
SURFACE_RESOLUTION = 100
MIN_SEEDS, MAX_SEEDS, DEFAULT_SEEDS = 3, 10, 3
TARGET_FACTOR = 1.5  # default target: the best variant's final training loss x this

# Output activation + loss pairs worth comparing, per task; the task's standard pair first.
# Pairs that make no sense for a task (log-loss on regression) are simply not listed.
OUTPUT_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "binary": (
        ("logistic", "log_loss"),
        ("softmax", "log_loss"),
        ("logistic", "squared_error"),
        ("tanh", "squared_error"),
        ("identity", "squared_error"),
        ("identity", "log_loss"),
    ),
    "multiclass": (
        ("softmax", "log_loss"),
        ("logistic", "log_loss"),
        ("softmax", "squared_error"),
        ("identity", "squared_error"),
    ),
    "regression": (
        ("identity", "squared_error"),
        ("tanh", "squared_error"),
        ("relu", "squared_error"),
        ("leaky_relu", "squared_error"),
    ),
}
RUN_COLUMNS = [
    "variant",
    "seed",
    "activation",
    "init",
    "output_activation",
    "loss",
    "train_score",
    "test_score",
    "train_loss",
    "test_loss",
    "epochs",
    "seconds",
    "ms_per_epoch",
    "stop_reason",
    "notes",
]
HISTORY_COLUMNS = [
    "variant",
    "seed",
    "epoch",
    "train_loss",
    "test_loss",
    "train_score",
    "test_score",
]


@dataclass(frozen=True)
class Variant:
    """What one variant changes in the base config; ``None`` keeps the base's value."""

    activation: str | None = None
    output_activation: str | None = None
    loss: str | None = None
    init: str | None = None  # a weight initialisation (the wizard's designs carry one)

    @property
    def id(self) -> str:
        """A stable text key: ``relu|``, ``|logistic+log_loss``, ``tanh|identity+squared_error``,
        and ``@he_normal`` after it when the variant sets the initialisation."""
        pair = f"{self.output_activation}+{self.loss}" if self.output_activation else ""
        return f"{self.activation or ''}|{pair}" + (f"@{self.init}" if self.init else "")

    @classmethod
    def from_id(cls, text: str) -> Variant:
        text, _, init = text.partition("@")
        hidden, _, pair = text.partition("|")
        out, _, loss = pair.partition("+")
        return cls(hidden or None, out or None, loss or None, init or None)

    def apply(self, base: TrainConfig) -> TrainConfig:
        """The base config with this variant's choices (raises ConfigError on a bad mix)."""
        changes = {
            k: v
            for k, v in (
                ("activation", self.activation),
                ("output_activation", self.output_activation),
                ("loss", self.loss),
                ("init", self.init),
            )
            if v is not None
        }
        return base.replace(**changes)


def output_pairs(task: str) -> tuple[tuple[str, str], ...]:
    return OUTPUT_PAIRS[task]


def is_standard_pair(task: str, output_activation: str, loss: str) -> bool:
    return (output_activation, loss) == (AUTO_OUTPUT[task], AUTO_LOSS[task])


def resolved_pair(config: TrainConfig) -> tuple[str, str]:
    """The output activation and loss ``config`` trains with ("auto" resolved)."""
    task = config.task
    return (
        AUTO_OUTPUT[task] if config.output_activation == "auto" else config.output_activation,
        AUTO_LOSS[task] if config.loss == "auto" else config.loss,
    )


def make_variants(
    hidden: Iterable[str] = (),
    pairs: Iterable[tuple[str, str]] = (),
    inits: Iterable[str] = (),
) -> tuple[Variant, ...]:
    """Every chosen hidden activation with every chosen output pair and initialisation
    (an empty choice keeps the base's), in the order given, without repeats; none when
    nothing is chosen."""
    chosen: list[str | None]
    outputs: list[tuple[str | None, str | None]]
    schemes: list[str | None]
    chosen = list(dict.fromkeys(hidden)) or [None]
    outputs = list(dict.fromkeys((out, loss) for out, loss in pairs)) or [(None, None)]
    schemes = list(dict.fromkeys(inits)) or [None]
    if chosen == [None] and outputs == [(None, None)] and schemes == [None]:
        return ()
    return tuple(
        Variant(h, out, loss, init)
        for h, (out, loss), init in itertools.product(chosen, outputs, schemes)
    )


def seed_list(base: TrainConfig, n_seeds: int) -> tuple[int, ...]:
    """``n_seeds`` weight seeds starting at the base's, so the first seed is the run the
    Playground shows for the same settings."""
    return tuple(base.seed + i for i in range(n_seeds))


# --- running ------------------------------------------------------------------------------


def run_one(
    config: TrainConfig, dataset: Dataset | None = None, time_budget: float | None = None
) -> dict:
    """Train one config; return what a comparison keeps (small, picklable): the history,
    the final model and its outputs over the plane, the resolved output/loss, timing,
    stop reason and note kinds."""
    result = train(
        config,
        dataset=dataset,
        time_budget=time_budget,
        snapshot_resolution=2,
        surface_resolution=SURFACE_RESOLUTION,
    )
    return dict(
        config=config,
        history=result.history,
        model=result.model,
        surface=result.surface,
        output_activation=result.model.out_activation_,
        loss=result.model.loss_function_,
        seconds=result.seconds,
        stop_reason=result.stop_reason,
        notes=tuple(n.kind for n in result.notes),
    )


@dataclass
class ComparisonResult:
    base: TrainConfig
    variants: tuple[Variant, ...]
    seeds: tuple[int, ...]
    dataset: Dataset
    runs: pd.DataFrame  # one row per (variant, seed): RUN_COLUMNS
    histories: pd.DataFrame  # one row per (variant, seed, epoch): HISTORY_COLUMNS
    models: dict = field(repr=False)  # (variant id, seed) -> FittedModel
    seconds: float = 0.0
    # (variant id, seed) -> the final outputs on make_grid(dataset, SURFACE_RESOLUTION)
    surfaces: dict = field(default_factory=dict, repr=False)

    @property
    def task(self) -> str:
        return self.dataset.task

    def _key(self, variant: Variant | str, seed: int | None) -> tuple[str, int]:
        vid = variant if isinstance(variant, str) else variant.id
        return vid, self.seeds[0] if seed is None else seed

    def model(self, variant: Variant | str, seed: int | None = None):
        return self.models[self._key(variant, seed)]

    def surface(self, variant: Variant | str, seed: int | None = None):
        """(values, grid, model): the final model's outputs over the plotting grid (the
        worker that trained it computed them)."""
        key = self._key(variant, seed)
        values = self.surfaces[key].astype(float)
        grid = make_grid(self.dataset, values.shape[0])
        return values.reshape(*grid.shape, -1), grid, self.models[key]


def plan(
    base: TrainConfig, variants: Sequence[Variant], seeds: Sequence[int]
) -> list[tuple[Variant, int, TrainConfig]]:
    """Every (variant, seed, config) to train, checked before anything runs."""
    variants = list(dict.fromkeys(variants))
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    if not variants:
        raise ValueError("choose at least one variant to compare")
    if not seeds:
        raise ValueError("choose at least one seed")
    if len(variants) * len(seeds) > MAX_RUNS:
        raise ValueError(
            f"{len(variants)} variants x {len(seeds)} seeds is "
            f"{len(variants) * len(seeds)} trainings; the limit is {MAX_RUNS}"
        )
    return [(v, s, v.apply(base).replace(seed=s)) for v in variants for s in seeds]


def compare(
    base_config: TrainConfig,
    variants: Sequence[Variant],
    seeds: Sequence[int],
    on_progress: Callable[[int, int], None] | None = None,
    *,
    dataset: Dataset | None = None,
    time_budget: float | None = None,
    in_workers: bool = False,
) -> ComparisonResult:
    """Train every variant with every seed on the same data (``dataset``, or the base
    config's). ``on_progress(done, total)`` is called after each training. A bad
    variant raises ``ValueError`` (``ConfigError``) before any training starts.

    ``in_workers=True`` trains in ``core.parallel``'s process pool (the app: every core,
    and the server's other sessions stay responsive); results are the same either way.
    If the caller is interrupted meanwhile, the trainings not yet started are cancelled.
    """
    todo = plan(base_config, variants, seeds)
    start = time.perf_counter()
    if in_workers:
        from core import parallel

        # The data too is made in a worker: the caller (the web server) may not have
        # scikit-learn's generators loaded, and never needs them.
        data = dataset if dataset is not None else parallel.run_quick(dataset_for, base_config)
        pending = [parallel.submit(run_one, config, data, time_budget) for _, _, config in todo]
        results = (future.result() for future in pending)
    else:
        data = dataset if dataset is not None else dataset_for(base_config)
        pending = []
        results = (run_one(config, data, time_budget) for _, _, config in todo)
    outputs = []
    try:
        for done, output in enumerate(results, 1):
            outputs.append(output)
            if on_progress is not None:
                on_progress(done, len(todo))
    finally:
        for future in pending:
            future.cancel()  # no-op for those already done
    return collect(base_config, todo, outputs, data, time.perf_counter() - start)


def collect(
    base: TrainConfig, todo, outputs: Sequence[dict], dataset: Dataset, seconds: float = 0.0
) -> ComparisonResult:
    """Assemble ``run_one`` outputs (in the order of ``plan``) into a result."""
    runs, histories, models, surfaces = [], [], {}, {}
    for (variant, seed, config), out in zip(todo, outputs):
        h = out["history"]
        last = h.iloc[-1] if len(h) else pd.Series(dtype=float)
        epochs = int(len(h))
        runs.append(
            dict(
                variant=variant.id,
                seed=seed,
                activation=config.activation,
                init=config.init,
                output_activation=out["output_activation"],
                loss=out["loss"],
                train_score=float(last.get("train_score", np.nan)),
                test_score=float(last.get("test_score", np.nan)),
                train_loss=float(last.get("train_loss", np.nan)),
                test_loss=float(last.get("test_loss", np.nan)),
                epochs=epochs,
                seconds=out["seconds"],
                ms_per_epoch=1000 * out["seconds"] / max(epochs, 1),
                stop_reason=out["stop_reason"],
                notes=",".join(out["notes"]),
            )
        )
        frame = h[["epoch", "train_loss", "test_loss", "train_score", "test_score"]].copy()
        frame.insert(0, "seed", seed)
        frame.insert(0, "variant", variant.id)
        histories.append(frame)
        models[(variant.id, seed)] = out["model"]
        surfaces[(variant.id, seed)] = out["surface"]
    variants = tuple(dict.fromkeys(v for v, _, _ in todo))
    seeds = tuple(dict.fromkeys(s for _, s, _ in todo))
    return ComparisonResult(
        base,
        variants,
        seeds,
        dataset,
        pd.DataFrame(runs, columns=RUN_COLUMNS),
        pd.concat(histories, ignore_index=True)[HISTORY_COLUMNS],
        models,
        seconds,
        surfaces,
    )


# --- reducing -----------------------------------------------------------------------------


def epochs_to_target(
    history: pd.DataFrame, target: float, column: str = "train_loss"
) -> int | None:
    """The first epoch at which ``column`` is at or below ``target``; None if never."""
    hit = history.loc[history[column] <= target, "epoch"]
    return int(hit.iloc[0]) if len(hit) else None


def default_targets(result: ComparisonResult, factor: float = TARGET_FACTOR) -> dict[str, float]:
    """Per loss function: the lowest mean final training loss of a variant x ``factor``.
    Losses of different kinds are not on one scale, so each kind gets its own target."""
    means = result.runs.groupby(["loss", "variant"]).train_loss.mean()
    return {loss: float(group.min() * factor) for loss, group in means.groupby(level=0)}


def summarise(result: ComparisonResult, target: float | None = None) -> pd.DataFrame:
    """One row per variant (in the order compared): test/train score mean, std, min, max
    over seeds; final losses; epochs to the target training loss (median over the seeds
    that reached it, and how many did); ms per epoch; stop reasons counted."""
    targets = default_targets(result)
    rows = []
    for variant in result.variants:
        runs = result.runs[result.runs.variant == variant.id]
        loss = runs.loss.iloc[0]
        goal = float(target) if target else targets[loss]
        reached = []
        for seed in runs.seed:
            h = result.histories[
                (result.histories.variant == variant.id) & (result.histories.seed == seed)
            ]
            epoch = epochs_to_target(h, goal)
            if epoch is not None:
                reached.append(epoch)
        test, train = runs.test_score.to_numpy(float), runs.train_score.to_numpy(float)
        rows.append(
            dict(
                variant=variant.id,
                output_activation=runs.output_activation.iloc[0],
                loss=loss,
                n_seeds=len(runs),
                test_mean=_nan(np.nanmean, test),
                test_std=_nan(_std, test),
                test_min=_nan(np.nanmin, test),
                test_max=_nan(np.nanmax, test),
                train_mean=_nan(np.nanmean, train),
                train_std=_nan(_std, train),
                train_loss_mean=float(runs.train_loss.mean()),
                test_loss_mean=float(runs.test_loss.mean()),
                test_loss_std=_std(runs.test_loss),
                target=goal,
                reached=len(reached),
                epochs_to_target=float(np.median(reached)) if reached else np.nan,
                ms_per_epoch=float(runs.ms_per_epoch.mean()),
                epochs_mean=float(runs.epochs.mean()),
                stop_reasons=dict(runs.stop_reason.value_counts()),
                diverged=int((runs.stop_reason == "diverged").sum()),
                chance=int(runs.notes.str.contains("chance_level").sum()),
                clipped=int(runs.notes.str.contains("clipped_log_loss").sum()),
            )
        )
    return pd.DataFrame(rows).set_index("variant")


def _std(values) -> float:
    """Sample standard deviation over seeds (0 for a single seed)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def _nan(fn, values) -> float:
    values = np.asarray(values, dtype=float)
    return float(fn(values)) if np.isfinite(values).any() else float("nan")


def curves(result: ComparisonResult) -> pd.DataFrame:
    """Loss curves per variant over seeds, long form: variant, loss, split (train|test),
    epoch, mean, lo, hi (lo/hi: the lowest and highest seed). A run that stopped early
    keeps its last value up to the variant's longest run, as its model does."""
    frames = []
    for variant in result.variants:
        h = result.histories[result.histories.variant == variant.id]
        loss = result.runs.loc[result.runs.variant == variant.id, "loss"].iloc[0]
        for split in ("train", "test"):
            wide = h.pivot(index="epoch", columns="seed", values=f"{split}_loss")
            wide = wide.reindex(range(1, int(h.epoch.max()) + 1)).ffill()
            frames.append(
                pd.DataFrame(
                    {
                        "variant": variant.id,
                        "loss": loss,
                        "split": split,
                        "epoch": wide.index,
                        "mean": wide.mean(axis=1).to_numpy(),
                        "lo": wide.min(axis=1).to_numpy(),
                        "hi": wide.max(axis=1).to_numpy(),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


# --- words --------------------------------------------------------------------------------


def verdict(
    summary: pd.DataFrame, task: str, label: Callable[[str], str]
) -> list[tuple[str, dict]]:
    """Plain-words findings as (message key, params) pairs, best first.

    The best variant has the highest mean test score. Another variant is "clearly
    worse" only when its best seed scored below the best variant's worst seed; when the
    seed ranges overlap the difference is within the spread between seeds and the two
    are "not distinguishable with these seeds"."""
    join = lambda ids: ", ".join(label(v) for v in ids)  # noqa: E731
    out: list[tuple[str, dict]] = []
    ranked = summary.assign(_rank=summary.test_mean.fillna(-np.inf)).sort_values(
        ["_rank", "test_std"], ascending=[False, True]
    )
    best_id = ranked.index[0]
    best = ranked.iloc[0]
    n = int(best.n_seeds)
    headline = dict(
        name=label(best_id),
        score=score_text(best.test_mean, task),
        spread=score_text(best.test_std, task),
        seeds=n,
    )
    out.append(("single" if len(summary) == 1 else "best", headline))
    if len(summary) > 1:
        others = ranked.iloc[1:]
        tied = [
            v
            for v, row in others.iterrows()
            if np.isfinite(row.test_max) and row.test_max >= best.test_min
        ]
        worse = [v for v in others.index if v not in tied]
        if tied and not worse:
            out.append(("all_tied", dict(names=join(tied), best=label(best_id))))
        else:
            if tied:
                out.append(("tied", dict(names=join(tied), best=label(best_id))))
            if worse:
                out.append(("worse", dict(names=join(worse), best=label(best_id))))
    same_loss = summary[summary.loss == best.loss]
    reached = same_loss[same_loss.reached > 0].sort_values("epochs_to_target")
    if len(same_loss) > 1 and len(reached):
        fastest = reached.iloc[0]
        out.append(
            (
                "fastest",
                dict(
                    name=label(reached.index[0]),
                    epoch=int(round(fastest.epochs_to_target)),
                    target=f"{fastest.target:.3g}",
                ),
            )
        )
    never = [v for v, row in summary.iterrows() if row.reached == 0]
    if never:
        out.append(("never", dict(names=join(never))))
    if summary.loss.nunique() > 1:
        out.append(("mixed_losses", {}))
    diverged = [v for v, row in summary.iterrows() if row.diverged]
    if diverged:
        out.append(("diverged", dict(names=join(diverged))))
    chance = [v for v, row in summary.iterrows() if row.chance]
    if chance and task != "regression":
        out.append(("chance", dict(names=join(chance))))
    clipped = [v for v, row in summary.iterrows() if row.clipped]
    if clipped:
        out.append(("clipped", dict(names=join(clipped))))
    return out


def table(
    summary: pd.DataFrame, task: str, label: Callable[[str], str], text: Callable[[str], str]
) -> pd.DataFrame:
    """The final-metrics table for display: text cells, headers from ``text(key)``
    (keys ``col.<name>``, ``never``, ``stop.<reason>``)."""
    rows = []
    for vid, row in summary.iterrows():
        n = int(row.n_seeds)
        if row.reached == 0:
            epochs = text("never")
        else:
            epochs = f"{row.epochs_to_target:.0f}"
            if row.reached < n:
                epochs += f" ({int(row.reached)}/{n})"
        reasons = ", ".join(
            f"{text('stop.' + r)} ×{c}" if c > 1 else text("stop." + r)
            for r, c in row.stop_reasons.items()
        )
        rows.append(
            {
                text("col.variant"): label(vid),
                text("col.test_score"): f"{score_text(row.test_mean, task)} ± "
                f"{score_text(row.test_std, task)}",
                text("col.train_score"): score_text(row.train_mean, task),
                text("col.test_loss"): f"{row.test_loss_mean:.3g}",
                text("col.epochs_to_target"): epochs,
                text("col.ms_per_epoch"): f"{row.ms_per_epoch:.1f}",
                text("col.stop"): reasons,
            }
        )
    return pd.DataFrame(rows)


def variant_label(
    variant: Variant,
    activation: Callable[[str], str],
    loss: Callable[[str], str],
    init: Callable[[str], str] = str,
) -> str:
    """ "ReLU", "Sigmoid + log-loss" or "Tanh · Sigmoid + log-loss", with the caller's
    (translated) names."""
    parts = []
    if variant.activation:
        parts.append(activation(variant.activation))
    if variant.output_activation and variant.loss:  # an output always comes with its loss
        parts.append(f"{activation(variant.output_activation)} + {loss(variant.loss)}")
    if variant.init:
        parts.append(init(variant.init))
    return " · ".join(parts) or "base"
