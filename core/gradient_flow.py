"""Gradient flow through deep networks, one activation against another: the numbers the
gradient-flow page draws, as plain functions returning DataFrames (usable in a notebook).

For a ``FlowSettings`` (data, depth, width, learning rate) and each hidden activation,
``run_one`` builds the network, measures it at initialisation (the exact weights fit()
starts from, ``core.diagnostics.at_initialisation``), trains it briefly with
``core.training.train`` and measures it again: per-layer gradient norms, dead and flat
fractions (``core.diagnostics.layer_table``), the spread of activations, and histograms.

The headline number is the *gradient ratio*: the norm of dLoss/dW of the first weight
layer divided by that of the last (output) layer. Near 1, every layer learns at a
similar pace; 1e-5 means the first layer gets a hundred-thousandth of the last one's
signal: the vanishing gradient (G8, G28).

Measured on moons (300 points, width 16, scikit-learn's Glorot-uniform init, seed 0):

- at initialisation, depth 8: sigmoid ~1e-6, tanh ~0.8, ReLU / Leaky ReLU ~0.26.
  Sigmoid loses a factor ~4-6 per layer (its derivative is at most 0.25); tanh does not
  shrink at init, because Glorot's init keeps its inputs in the near-linear region; it
  loses gradient only once training pushes units into saturation (with a high
  learning rate, e.g. 0.3, its ratio after training falls to 1e-7..1e-11).
- Dead ReLUs: some units are already dead at init in deeper layers (8-22% at depth 3-5:
  their input is negative for every sample). Training adds more, and the learning rate
  decides how many: at depth 3-5 after training, ~20% dead at lr 0.01, ~45-60% at 0.1,
  ~70-80% at 0.3 (4 seeds). Leaky ReLU has 0% dead at every setting: its derivative for
  x < 0 is its slope, never 0 (G21). ``DEAD_RELU_PRESET`` is therefore lr 0.3 with at
  least 3 hidden layers.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.activations import DEFAULT_LEAKY_SLOPE, HIDDEN_ACTIVATIONS
from core.config import (
    MAX_HIDDEN_LAYERS,
    ConfigError,
    Show,
    TrainConfig,
    declare,
    parse_fields,
    query_of,
)
from core.diagnostics import (
    at_initialisation,
    forward_layers,
    gradient_norms,
    histograms,
    layer_table,
)
from core.rules import vanished_gradient_ratio
from core.training import build_estimator, dataset_for, train

DEFAULT_ACTIVATIONS = ("logistic", "tanh", "relu", "leaky_relu")
DEPTHS = tuple(range(1, MAX_HIDDEN_LAYERS + 1))
WIDTHS = (4, 8, 16, 32, 64)
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
DEAD_RELU_PRESET = dict(learning_rate=0.3, min_depth=3)
STAGES = ("init", "trained")
RUN_TIME_BUDGET = 10.0  # seconds per training run
MAX_DIAGNOSTIC_SAMPLES = 500
HIST_BINS = 24
# Gradient-ratio verdicts: below vanished_gradient_ratio() (the rules file's one
# definition) the first layer barely learns.
SHRINKING, GROWING = 0.1, 10.0


def _like(name: str, default, **show):
    """A field declared as TrainConfig's ``name`` (same range, choices and labels),
    with this page's default; ``show`` overrides its display hints."""
    meta = dict(TrainConfig.__dataclass_fields__[name].metadata)
    meta["show"] = dataclasses.replace(meta["show"], group=None, **show)
    meta.pop("help", None)
    return declare(default, **meta)


@dataclass(frozen=True)
class FlowSettings:
    """One gradient-flow experiment; ``config(activation)`` is the TrainConfig of one
    of its networks (it validates every value and raises ``ConfigError``). Declared
    like TrainConfig's fields, so the page's controls and its URL come from here."""

    dataset: str = _like("dataset", "moons")
    n_samples: int = _like("n_samples", 300, widget="none")
    depth: int = declare(8, lo=DEPTHS[0], hi=DEPTHS[-1], show=Show(widget="slider"))
    # Narrower than the Playground's: every activation runs at every depth here.
    width: int = declare(16, choices=WIDTHS, show=Show(widget="select_slider"))
    learning_rate: float = _like("learning_rate", 0.01, ladder=LEARNING_RATES)
    epochs: int = _like("epochs", 150, widget="none")
    leaky_slope: float = _like("leaky_slope", DEFAULT_LEAKY_SLOPE, widget="none")
    seed: int = _like("seed", 0, widget="none")
    init: str = _like("init", "auto")
    activations: tuple[str, ...] = declare(
        DEFAULT_ACTIVATIONS,
        kind=tuple,
        choices=HIDDEN_ACTIVATIONS,
        show=Show(widget="multiselect", labels="common.activation"),
    )

    def config(self, activation: str) -> TrainConfig:
        return TrainConfig(
            dataset=self.dataset,
            n_samples=self.n_samples,
            hidden_layers=(self.width,) * self.depth,
            activation=activation,
            learning_rate=self.learning_rate,
            epochs=self.epochs,
            leaky_slope=self.leaky_slope,
            seed=self.seed,
            init=self.init,
        )

    def replace(self, **changes) -> FlowSettings:
        return dataclasses.replace(self, **changes)

    def dead_relu_preset(self) -> FlowSettings:
        """The settings that reliably kill ReLUs on moons (see the module notes)."""
        return self.replace(
            learning_rate=DEAD_RELU_PRESET["learning_rate"],
            depth=max(self.depth, DEAD_RELU_PRESET["min_depth"]),
        )


# The page's settings in a URL (a teacher's link): these fields.
QUERY_KEYS = ("dataset", "depth", "width", "learning_rate", "init", "activations")


def settings_from_query(params: Mapping[str, str]) -> tuple[FlowSettings, list[ConfigError]]:
    """(settings, problems) from a URL's query parameters. A value the page does not
    offer falls back to its default, with a ``ConfigError`` saying which and why; keys
    that are not the page's are ignored."""
    fields = [f for f in dataclasses.fields(FlowSettings) if f.name in QUERY_KEYS]
    values, problems = parse_fields(fields, params)
    return FlowSettings(**values), problems


def settings_to_query(settings: FlowSettings) -> dict[str, str]:
    """The query parameters that reopen these settings (only those not at default)."""
    return {k: v for k, v in query_of(settings).items() if k in QUERY_KEYS}


def gradient_ratio(norms) -> float:
    """First weight layer's gradient norm over the last's; NaN when the last is 0 (no
    gradient reaches the output weights, e.g. every unit of the last hidden layer dead)."""
    norms = np.asarray(norms, dtype=float)
    if len(norms) == 0 or not np.isfinite(norms[[0, -1]]).all() or norms[-1] == 0:
        return float("nan")
    return float(norms[0] / norms[-1])


def verdict(ratio: float) -> str:
    """vanishing | shrinking | kept | growing | none (no gradient at the output)."""
    if not math.isfinite(ratio):
        return "none"
    if ratio < vanished_gradient_ratio():
        return "vanishing"
    if ratio < SHRINKING:
        return "shrinking"
    return "kept" if ratio <= GROWING else "growing"


def _hidden_stats(model, X) -> list[float]:
    """Standard deviation of each hidden layer's activations."""
    return [float(np.std(a)) for _, a in forward_layers(model, X)[:-1]]


def _measure(model, X, y, stage: str, activation: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = layer_table(model, X, y).rename(columns={"activation": "layer_activation"})
    table["act_std"] = _hidden_stats(model, X) + [np.nan]
    table.insert(0, "stage", stage)
    table.insert(0, "activation", activation)
    hist = histograms(model, X, bins=HIST_BINS)
    hist.insert(0, "stage", stage)
    hist.insert(0, "activation", activation)
    return table, hist


def run_one(config: TrainConfig) -> dict[str, pd.DataFrame]:
    """Measure one network at initialisation and after a short training run.

    Returns ``layers`` (activation, stage, layer, kind, units, layer_activation,
    grad_norm, dead_fraction, flat_fraction, act_std), ``histograms`` (activation, stage,
    layer, quantity, start, end, count) and ``summary`` (one row; see ``SUMMARY_COLUMNS``).
    """
    data = dataset_for(config)
    X = data.X_train[:MAX_DIAGNOSTIC_SAMPLES]
    y = data.y_train[:MAX_DIAGNOSTIC_SAMPLES]
    initial = at_initialisation(build_estimator(config, data.task), data.X_train, data.y_train)
    result = train(config, dataset=data, time_budget=RUN_TIME_BUDGET, snapshot_resolution=2)
    name = config.activation
    init_layers, init_hist = _measure(initial, X, y, "init", name)
    final_layers, final_hist = _measure(result.model.estimator(), X, y, "trained", name)
    hidden_init = init_layers[init_layers.kind == "hidden"]
    hidden_final = final_layers[final_layers.kind == "hidden"]
    history = result.history
    summary = pd.DataFrame(
        [
            dict(
                activation=name,
                ratio_init=gradient_ratio(init_layers.grad_norm),
                ratio_trained=gradient_ratio(final_layers.grad_norm),
                # Layers have equal widths, so the mean over layers is the share of all units.
                dead_init=float(hidden_init.dead_fraction.mean()),
                dead_trained=float(hidden_final.dead_fraction.mean()),
                flat_init=float(hidden_init.flat_fraction.mean()),
                flat_trained=float(hidden_final.flat_fraction.mean()),
                test_score=float(history.test_score.iloc[-1]) if len(history) else float("nan"),
                score_name=result.score_name,
                epochs=int(len(history)),
                stop_reason=result.stop_reason,
            )
        ]
    )
    return dict(
        layers=pd.concat([init_layers, final_layers], ignore_index=True),
        histograms=pd.concat([init_hist, final_hist], ignore_index=True),
        summary=summary,
    )


SUMMARY_COLUMNS = (
    "activation",
    "ratio_init",
    "ratio_trained",
    "dead_init",
    "dead_trained",
    "flat_init",
    "flat_trained",
    "test_score",
    "score_name",
    "epochs",
    "stop_reason",
)


def sweep(
    settings: FlowSettings,
    activations: Iterable[str] = DEFAULT_ACTIVATIONS,
    *,
    in_workers: bool = False,
) -> dict[str, pd.DataFrame]:
    """``run_one`` for each activation at these settings, tables stacked.
    ``in_workers=True`` runs them at once in ``core.parallel``'s process pool instead
    (the app: a deep, wide network takes seconds of CPU, which would otherwise stall
    every other session of the server); the tables are the same either way."""
    configs = [settings.config(a) for a in activations]
    if not configs:
        raise ValueError("choose at least one activation")
    if in_workers:
        from core import parallel

        pending = [parallel.submit(run_one, config) for config in configs]
        try:
            runs = [future.result() for future in pending]
        finally:
            for future in pending:
                future.cancel()  # interrupted: drop those not started
    else:
        runs = [run_one(config) for config in configs]
    return {
        key: pd.concat([r[key] for r in runs], ignore_index=True)
        for key in ("layers", "histograms", "summary")
    }


def depth_profile(
    settings: FlowSettings,
    activations: Iterable[str] = DEFAULT_ACTIVATIONS,
    depths: Iterable[int] = DEPTHS,
) -> pd.DataFrame:
    """Gradient ratio at initialisation for every depth (no training: milliseconds).
    Columns: activation, depth, ratio, first, last."""
    rows = []
    data = dataset_for(settings.config(HIDDEN_ACTIVATIONS[0]))
    X, y = data.X_train[:MAX_DIAGNOSTIC_SAMPLES], data.y_train[:MAX_DIAGNOSTIC_SAMPLES]
    for name in activations:
        for depth in depths:
            config = settings.replace(depth=depth).config(name)
            model = at_initialisation(
                build_estimator(config, data.task), data.X_train, data.y_train
            )
            norms = gradient_norms(model, X, y)
            rows.append(
                dict(
                    activation=name,
                    depth=depth,
                    ratio=gradient_ratio(norms),
                    first=float(norms[0]),
                    last=float(norms[-1]),
                )
            )
    return pd.DataFrame(rows, columns=["activation", "depth", "ratio", "first", "last"])


# --- numbers for the captions -------------------------------------------------------------
def init_profile(
    config: TrainConfig, inits: Sequence[str], seeds: Sequence[int] = (0, 1, 2)
) -> pd.DataFrame:
    """What the network starts from under each initialisation, before any training: per
    init, seed and weight layer, the mean and standard deviation of the layer's output
    over the training inputs (``signal_mean``, ``signal_std``; hidden layers only) and
    the norm of the loss gradient reaching its weights (``grad_norm``). ``config`` gives
    the data, the activation and the layers; its own init and seed are replaced.
    Measured on the engine's own estimator, so these are the weights training starts
    from (GUIDANCE M1, M3)."""
    if not config.hidden_layers:
        raise ValueError("an initialisation profile needs at least one hidden layer")
    if not inits or not seeds:
        raise ValueError("init_profile needs at least one init and one seed")
    data = dataset_for(config)
    rows = []
    for init in inits:
        for seed in seeds:
            run = config.replace(init=init, seed=seed)  # ConfigError for an unknown init
            start = at_initialisation(build_estimator(run, data.task), data.X_train, data.y_train)
            hidden = [a for _, a in forward_layers(start, data.X_train)[:-1]]
            norms = gradient_norms(start, data.X_train, data.y_train)
            for layer, norm in enumerate(norms, 1):
                signal = hidden[layer - 1] if layer <= len(hidden) else None
                rows.append(
                    dict(
                        init=init,
                        seed=seed,
                        layer=layer,
                        signal_mean=float(signal.mean()) if signal is not None else np.nan,
                        signal_std=float(signal.std()) if signal is not None else np.nan,
                        grad_norm=float(norm),
                    )
                )
    return pd.DataFrame(rows)


def init_profile_summary(profile: pd.DataFrame) -> pd.DataFrame:
    """``init_profile`` over its seeds: per (init, layer) the mean signal mean and spread,
    and the geometric mean gradient norm (gradients differ by orders of magnitude)."""
    logs = profile.assign(grad_norm=np.log(profile.grad_norm.where(profile.grad_norm > 0)))
    out = (
        logs.groupby(["init", "layer"], sort=False)[["signal_mean", "signal_std", "grad_norm"]]
        .mean()
        .reset_index()
    )
    out["grad_norm"] = np.exp(out["grad_norm"])
    return out


def init_facts(summary: pd.DataFrame) -> list[dict]:
    """Per init: the first and last hidden layer's spread and the last one's mean."""
    facts = []
    for init, rows in summary.groupby("init", sort=False):
        hidden = rows.dropna(subset=["signal_std"]).set_index("layer")
        first, last = hidden.index.min(), hidden.index.max()
        facts.append(
            dict(
                init=init,
                depth=int(last),
                first_std=f"{hidden.signal_std[first]:.2f}",
                last_std=f"{hidden.signal_std[last]:.2f}",
                last_mean=f"{hidden.signal_mean[last]:+.2f}",
            )
        )
    return facts


def fmt_ratio(value: float) -> str:
    """1.2e-5 style for small or large ratios, 0.26 style in between, "—" for NaN."""
    if not math.isfinite(value):
        return "—"
    if value == 0 or 0.01 <= abs(value) < 100:
        return f"{value:.2g}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


def ratio_facts(summary: pd.DataFrame, stage: str) -> list[dict]:
    """Per activation: its gradient ratio at ``stage`` (init | trained), formatted, and
    the verdict."""
    column = f"ratio_{stage}"
    return [
        dict(
            activation=row.activation,
            ratio=fmt_ratio(getattr(row, column)),
            verdict=verdict(getattr(row, column)),
        )
        for row in summary.itertuples()
    ]


def orders_apart(
    summary: pd.DataFrame, stage: str, low: str = "logistic", high: str = "relu"
) -> float | None:
    """How many orders of magnitude ``low``'s gradient ratio is below ``high``'s
    (log10 of their quotient); None unless both ran and both ratios are finite."""
    column = f"ratio_{stage}"
    by_name = summary.set_index("activation")[column]
    if low not in by_name or high not in by_name:
        return None
    a, b = float(by_name[low]), float(by_name[high])
    if not (math.isfinite(a) and math.isfinite(b)) or a <= 0 or b <= 0:
        return None
    return math.log10(b / a)


def fraction_facts(summary: pd.DataFrame, what: str) -> list[dict]:
    """Per activation: the ``what`` (dead | flat) fraction of hidden units at init and
    after training, as percentages."""
    return [
        dict(
            activation=row.activation,
            init=f"{getattr(row, what + '_init'):.0%}",
            trained=f"{getattr(row, what + '_trained'):.0%}",
        )
        for row in summary.itertuples()
    ]


def spread_facts(layers: pd.DataFrame, activation: str, stage: str) -> dict | None:
    """The spread (std) of activations in the first and last hidden layer, and the
    last hidden layer's flat fraction, for the histogram caption."""
    rows = layers[
        (layers.activation == activation) & (layers.stage == stage) & (layers.kind == "hidden")
    ].sort_values("layer")
    if rows.empty:
        return None
    first, last = rows.iloc[0], rows.iloc[-1]
    return dict(
        first_std=f"{first.act_std:.3g}",
        last_std=f"{last.act_std:.3g}",
        last_layer=int(last.layer),
        last_flat=f"{last.flat_fraction:.0%}",
        last_dead=f"{last.dead_fraction:.0%}",
    )


def per_layer_factor(profile: pd.DataFrame, activation: str) -> float | None:
    """The factor the gradient ratio loses per added layer at initialisation: 10 to the
    minus slope of a straight-line fit of log10(ratio) against depth. None when fewer
    than two depths have a finite positive ratio."""
    rows = profile[
        (profile.activation == activation) & np.isfinite(profile.ratio) & (profile.ratio > 0)
    ]
    if len(rows) < 2:
        return None
    slope = np.polyfit(rows.depth.astype(float), np.log10(rows.ratio), 1)[0]
    return float(10**-slope)


def caption_lines(
    flow: dict[str, pd.DataFrame], depth: int, profile: pd.DataFrame | None = None
) -> dict[str, list[tuple[str, dict]]]:
    """The measured sentences under each chart, as (text key, params) pairs per chart
    key. Text keys are relative to ``gradients.caption.``; params hold numbers already
    formatted, plus ``activation`` (a name to label), ``verdict`` and ``reason`` (tokens
    to translate)."""
    summary, layers = flow["summary"], flow["layers"]
    out: dict[str, list[tuple[str, dict]]] = {}
    for stage in STAGES:
        lines = [
            ("ratio" if fact["verdict"] != "none" else "ratio_none", dict(fact, depth=depth))
            for fact in ratio_facts(summary, stage)
        ]
        orders = orders_apart(summary, stage)
        if orders is not None:
            lines.append(
                ("orders" if orders >= 0 else "orders_above", dict(orders=f"{abs(orders):.1f}"))
            )
        if ((layers.stage == stage) & ~(layers.grad_norm > 0)).any():
            lines.append(("zero_layers", {}))
        if stage == "init" and "tanh" in set(summary.activation):
            lines.append(("tanh_note", {}))
        out[f"grad-{stage}"] = lines
    if profile is not None:
        out["grad-depth"] = [
            ("depth", dict(activation=name, factor=f"{factor:.2g}"))
            for name in dict.fromkeys(profile.activation)
            if (factor := per_layer_factor(profile, name)) is not None
        ]
        out["grad-depth"].append(("depth_note", {}))
    for what in ("dead", "flat"):
        out[what] = [(what, fact) for fact in fraction_facts(summary, what)]
        out[what].append((f"{what}_note", {}))
    out["summary"] = [
        ("stopped", dict(activation=row.activation, epochs=row.epochs, reason=row.stop_reason))
        for row in summary.itertuples()
        if row.stop_reason not in ("completed", "converged")
    ]
    return out


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as the page's table shows it: one row per activation, numbers
    formatted (ratios 1.2e-5 style, fractions as percentages, accuracy in % or R²)."""
    percent = "{:.0%}".format
    return pd.DataFrame(
        {
            "activation": summary.activation,
            "ratio_init": summary.ratio_init.map(fmt_ratio),
            "ratio_trained": summary.ratio_trained.map(fmt_ratio),
            "dead": summary.dead_trained.map(percent),
            "flat": summary.flat_trained.map(percent),
            "score": [
                percent(s) if name == "accuracy" else f"{s:.3f}"
                for s, name in zip(summary.test_score, summary.score_name)
            ],
            "epochs": summary.epochs,
        }
    )
