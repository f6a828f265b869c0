"""Advice: which activations and loss a network should use, and what a run's numbers say.

``recommend(task, ...)`` walks the rules of ``data/rules.yaml`` in file order; every rule
whose conditions hold *fires*: its reason is kept and its choices override earlier ones
for the same slot (specific rules come after general ones in the file). The result is a
frozen ``Recommendation`` with the engine names to train with, the ids and reasons of the
rules that fired, process advice (``actions``) and the alternatives users are tempted by.

``diagnose(train_result)`` turns a real run into symptoms of the same vocabulary, with
the thresholds from the rules file; ``measure`` gives the numbers behind them.

Decisions:
- A two-class "multi-class" task is treated as binary: one sigmoid unit with log-loss,
  the same model as a two-unit softmax with half the output weights (rule
  R-output-two-classes says so in its reason).
- Multi-label means one sigmoid per label with binary cross-entropy (log-loss on sigmoid
  outputs); ``n_classes`` then counts labels and must be at least 2 (one label is binary).
- The loss is the one that forms a matched (canonical) pair with the recommended output,
  taken from ``core.vocabulary.CANONICAL_PAIRS``.
- With ``current_hidden=None`` (not decided yet) symptom rules that list ``null`` apply.
- The initialisation is the one the rules file's ``matched_init`` derives for the
  recommended hidden activation (He, Glorot or LeCun normal, GUIDANCE M1, M3) unless a
  rule names one; an alternative that swaps the hidden activation gets its own match.
- No hidden layer, no hidden activation (M11): ``hidden_activation`` is None.
- GELU and SiLU are recommended only where the evidence table (``core.evidence``,
  ``data/evidence.csv``) shows them beating ReLU past the seed noise (``evidence_gap``);
  an activation the table does not hold never passes.

Pure Python: nothing here imports Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from core.config import TrainConfig
from core.diagnostics import at_initialisation, forward_layers, run_diagnostics
from core.rules import INITS, SYMPTOMS, TARGET_RANGES, TASKS, Rule, load_rules
from core.vocabulary import CANONICAL_PAIRS

__all__ = [
    "SYMPTOMS",
    "TASKS",
    "TARGET_RANGES",
    "EvidenceGap",
    "evidence_gap",
    "target_range_of",
    "Alternative",
    "Recommendation",
    "Measurements",
    "recommend",
    "measure",
    "diagnose",
    "symptoms_from",
]

_SLOTS = ("hidden", "init", "output", "units", "loss")


@dataclass(frozen=True)
class Alternative:
    """A complete alternative design (engine names) and why people reach for it."""

    hidden_activation: str | None
    output_activation: str
    loss: str
    rule: str  # the rule that names it
    priority: int
    why: str  # English
    why_zh: str
    init: str = "auto"

    def why_in(self, lang: str) -> str:
        return self.why_zh if lang == "zh" else self.why

    def changed(self, rec: Recommendation) -> tuple[str, ...]:
        """Which slots differ from the recommendation: hidden, init, output, loss."""
        pairs = (
            ("hidden", self.hidden_activation, rec.hidden_activation),
            ("init", self.init, rec.init),
            ("output", self.output_activation, rec.output_activation),
            ("loss", self.loss, rec.loss),
        )
        return tuple(name for name, mine, theirs in pairs if mine != theirs)


# --- the evidence gate -----------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceGap:
    """``candidate`` against ``baseline`` in the evidence table, over the (dataset, depth)
    cells both hold: the mean difference of their mean test accuracies (``gap``) and the
    seed noise, the typical spread between weight seeds within a cell (the mean over the
    cells of the root mean square of the two seed standard deviations)."""

    candidate: str
    baseline: str
    gap: float
    noise: float
    cells: int

    @property
    def past_noise(self) -> bool:
        """The candidate leads by more than the seeds alone move a score (M8)."""
        return self.gap > self.noise


def evidence_gap(summary: pd.DataFrame, candidate: str, baseline: str) -> EvidenceGap | None:
    """``candidate`` vs ``baseline`` in a ``core.evidence.summarise`` table; None when the
    table does not hold both (then the candidate is not recommended)."""
    keys = ["dataset", "depth"]
    if "init" in summary:  # both under scikit-learn's own scheme, as the article trained
        summary = summary[summary["init"] == "auto"]
    mine = summary[summary.activation == candidate].set_index(keys)
    theirs = summary[summary.activation == baseline].set_index(keys)
    shared = mine.index.intersection(theirs.index)
    if len(shared) == 0:
        return None
    mine, theirs = mine.loc[shared], theirs.loc[shared]
    gap = float((mine.test_mean - theirs.test_mean).mean())
    noise = float(np.sqrt((mine.test_std**2 + theirs.test_std**2) / 2).mean())
    return EvidenceGap(candidate, baseline, gap, noise, len(shared))


_GAPS: dict[tuple[int, str, str], tuple[pd.DataFrame, EvidenceGap | None]] = {}


def _gate(candidate: str, baseline: str) -> EvidenceGap | None:
    """``evidence_gap`` on the current evidence table, remembered per table (the summary
    is kept with the answer, so its id cannot be reused by another table)."""
    summary = evidence_summary()
    key = (id(summary), candidate, baseline)
    if key not in _GAPS or _GAPS[key][0] is not summary:
        _GAPS[key] = (summary, evidence_gap(summary, candidate, baseline))
    return _GAPS[key][1]


@lru_cache(maxsize=1)
def evidence_summary() -> pd.DataFrame:
    """The shipped evidence table (``data/evidence.csv``), summarised per cell; read once."""
    from core.evidence import load_runs, summarise

    return summarise(load_runs())


@dataclass(frozen=True)
class Recommendation:
    task: str
    n_classes: int | None
    n_hidden_layers: int
    current_hidden: str | None
    symptoms: tuple[str, ...]
    hidden_activation: str | None  # None: no hidden layer, no hidden activation (M11)
    output_activation: str
    output_units: str  # one | per_class | per_label
    loss: str
    actions: tuple[str, ...]  # lower_learning_rate | train_longer | more_capacity
    rules: tuple[str, ...]  # ids of the rules that fired, in file order
    reasons: tuple[str, ...]  # English, one per rule in ``rules``
    reasons_zh: tuple[str, ...]
    alternatives: tuple[Alternative, ...]  # most tempting first
    init: str = "auto"  # an engine name of TrainConfig.init
    target_range: str = "any"  # any | positive | unit_interval (a regression target's)
    current_init: str | None = None
    # The evidence behind every gated rule that was considered (fired or not).
    evidence: tuple[EvidenceGap, ...] = ()

    def reasons_in(self, lang: str) -> tuple[str, ...]:
        return self.reasons_zh if lang == "zh" else self.reasons

    @property
    def tempting(self) -> Alternative | None:
        """The alternative the wizard compares against by default."""
        return self.alternatives[0] if self.alternatives else None

    def apply(self, base: TrainConfig) -> TrainConfig:
        """``base`` with this recommendation's activations, initialisation and loss (no
        hidden activation: ``base``'s is kept, unused without hidden layers)."""
        return base.replace(
            activation=self.hidden_activation or base.activation,
            output_activation=self.output_activation,
            loss=self.loss,
            init=self.init,
        )

    def apply_alternative(self, base: TrainConfig, alternative: Alternative) -> TrainConfig:
        return base.replace(
            activation=alternative.hidden_activation or base.activation,
            output_activation=alternative.output_activation,
            loss=alternative.loss,
            init=alternative.init,
        )


# --- recommend -------------------------------------------------------------------------------


def _check_inputs(
    task, n_classes, n_hidden_layers, current_hidden, symptoms, target_range, current_init
):
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    if target_range not in TARGET_RANGES:
        raise ValueError(
            f"unknown target_range {target_range!r}; expected one of {', '.join(TARGET_RANGES)}"
        )
    if target_range != "any" and task != "regression":
        raise ValueError(
            f"target_range={target_range!r} is for a regression target; a {task} task "
            "allows only 'any'"
        )
    if current_init is not None and current_init not in INITS:
        raise ValueError(
            f"unknown initialisation {current_init!r}; expected one of {', '.join(INITS)} or None"
        )
    if (
        isinstance(n_hidden_layers, bool)
        or not isinstance(n_hidden_layers, int)
        or n_hidden_layers < 0
    ):
        raise ValueError(f"n_hidden_layers must be a whole number >= 0, got {n_hidden_layers!r}")
    if n_classes is not None:
        if isinstance(n_classes, bool) or not isinstance(n_classes, int):
            raise ValueError(f"n_classes must be a whole number or None, got {n_classes!r}")
        allowed = {
            "binary": "2 (or None)",
            "multiclass": "2 or more (or None)",
            "multilabel": "2 or more labels (or None); one label is a binary task",
            "regression": "None (a regression has no classes)",
        }[task]
        fits = {
            "binary": n_classes == 2,
            "multiclass": n_classes >= 2,
            "multilabel": n_classes >= 2,
            "regression": False,
        }[task]
        if not fits:
            raise ValueError(
                f"n_classes={n_classes} does not fit task {task!r}; allowed: {allowed}"
            )
    if current_hidden is not None and current_hidden not in HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"unknown hidden activation {current_hidden!r}; expected one of "
            f"{', '.join(HIDDEN_ACTIVATIONS)} or None"
        )
    if isinstance(symptoms, str):
        symptoms = (symptoms,)
    symptoms = tuple(symptoms)
    for s in symptoms:
        if s not in SYMPTOMS:
            raise ValueError(f"unknown symptom {s!r}; expected any of {', '.join(SYMPTOMS)}")
    return tuple(s for s in SYMPTOMS if s in symptoms)  # vocabulary order, no repeats


def _init_matched(current_hidden, current_init) -> bool:
    """The initialisation in use is known to be the one derived for the activation."""
    if current_hidden is None or current_init is None:
        return False
    return load_rules().init_matches(current_hidden, current_init)


def _fires(rule: Rule, task, n_classes, layers, current_hidden, symptoms, p: dict) -> bool:
    when = rule.when
    if "tasks" in when and task not in when["tasks"]:
        return False
    if "target_ranges" in when and (
        task != "regression" or p["target_range"] not in when["target_ranges"]
    ):
        return False
    if "init_matched" in when and when["init_matched"] != _init_matched(
        current_hidden, p["current_init"]
    ):
        return False
    if "max_layers" in when and layers > when["max_layers"]:
        return False
    if "symptoms" in when and not set(when["symptoms"]) & set(symptoms):
        return False
    if "current_hidden" in when and current_hidden not in when["current_hidden"]:
        return False
    if "min_layers" in when and layers < when["min_layers"]:
        return False
    if "min_classes" in when and n_classes is not None and n_classes < when["min_classes"]:
        return False
    return not ("max_classes" in when and (n_classes is None or n_classes > when["max_classes"]))


def canonical_loss(output_activation: str, task: str | None = None) -> str:
    """The loss forming a matched pair with ``output_activation`` (core.mlp's table); for a
    regression squared error, the only regression loss the app trains (a sigmoid or
    softplus output with it is not a matched pair: the output's slope enters the error)."""
    if task == "regression":
        return "squared_error"
    for out, loss in sorted(CANONICAL_PAIRS):
        if out == output_activation and loss in ("log_loss", "squared_error"):
            return loss
    raise ValueError(f"no matched loss for output {output_activation!r}")


def recommend(
    task: str,
    *,
    n_classes: int | None = None,
    n_hidden_layers: int = 2,
    current_hidden: str | None = None,
    symptoms: Iterable[str] = (),
    target_range: str = "any",
    current_init: str | None = None,
) -> Recommendation:
    """The advice for a network solving ``task`` (binary | multiclass | multilabel |
    regression) with ``n_hidden_layers`` hidden layers, currently using
    ``current_hidden`` (None: not decided) initialised with ``current_init`` (an engine
    name of ``TrainConfig.init``; None: not known), where ``symptoms`` (from
    ``SYMPTOMS``) were observed. ``target_range`` describes a regression target: "any"
    real value, strictly "positive", or within [0, 1] ("unit_interval"). Raises
    ValueError naming the allowed values for any bad input."""
    symptoms = _check_inputs(
        task, n_classes, n_hidden_layers, current_hidden, symptoms, target_range, current_init
    )
    book = load_rules()
    context = dict(target_range=target_range, current_init=current_init)
    chosen: dict[str, str | None] = {}
    actions: list[str] = []
    fired: list[Rule] = []
    gaps: list[EvidenceGap] = []
    for rule in book.rules:
        if not _fires(rule, task, n_classes, n_hidden_layers, current_hidden, symptoms, context):
            continue
        if rule.evidence_beats is not None:
            gap = _gate(rule.recommend["hidden"], rule.evidence_beats)
            if gap is not None:
                gaps.append(gap)
            if gap is None or not gap.past_noise:
                continue
        fired.append(rule)
        for slot in _SLOTS:
            if slot in rule.recommend:
                chosen[slot] = rule.recommend[slot]
        actions.extend(a for a in rule.recommend.get("actions", ()) if a not in actions)
    missing = [s for s in _SLOTS if s not in chosen]
    if missing:
        raise RuntimeError(f"the rules file decides no {', '.join(missing)} for task {task!r}")

    def decided(slot: str) -> str:
        value = chosen[slot]
        if value is None:  # only the hidden activation may be none (no hidden layer)
            raise RuntimeError(f"the rules file leaves {slot} empty for task {task!r}")
        return value

    output, units = decided("output"), decided("units")
    if chosen["loss"] == "canonical":
        chosen["loss"] = canonical_loss(output, task)

    def init_for(hidden: str | None, named: str) -> str:
        if named != "matched":
            return named
        return book.matched_init(hidden) if hidden is not None else "glorot_uniform"

    best = (chosen["hidden"], output, decided("loss"), init_for(chosen["hidden"], decided("init")))

    found: dict[tuple, Alternative] = {}
    for rule in fired:
        for alt in rule.alternatives:
            hidden = alt.changes.get("hidden", best[0])
            named_init = alt.changes.get("init")
            if named_init is not None:
                init = init_for(hidden, named_init)
            else:  # a swapped hidden activation comes with its own matched initialisation
                init = best[3] if hidden == best[0] else init_for(hidden, "matched")
            design = (
                hidden,
                alt.changes.get("output", best[1]),
                alt.changes.get("loss", best[2]),
                init,
            )
            if design == best or (task == "regression" and design[2] == "log_loss"):
                continue
            candidate = Alternative(
                design[0],
                str(design[1]),
                str(design[2]),
                rule=rule.id,
                priority=alt.priority,
                why=alt.why["en"],
                why_zh=alt.why["zh"],
                init=init,
            )
            kept = found.get(design)
            # Keep the higher priority; on a tie the later (more specific) rule's wording.
            if kept is None or candidate.priority >= kept.priority:
                found[design] = candidate
    rule_order = {r.id: i for i, r in enumerate(fired)}
    alternatives = tuple(sorted(found.values(), key=lambda a: (-a.priority, -rule_order[a.rule])))
    return Recommendation(
        task=task,
        n_classes=n_classes,
        n_hidden_layers=n_hidden_layers,
        current_hidden=current_hidden,
        symptoms=tuple(symptoms),
        hidden_activation=best[0],
        output_activation=best[1],
        output_units=units,
        loss=best[2],
        actions=tuple(actions),
        rules=tuple(r.id for r in fired),
        reasons=tuple(r.why["en"] for r in fired),
        reasons_zh=tuple(r.why["zh"] for r in fired),
        alternatives=alternatives,
        init=best[3],
        target_range=target_range,
        current_init=current_init,
        evidence=tuple(gaps),
    )


def target_range_of(values) -> str:
    """The range of a regression target, as ``recommend`` takes it: "unit_interval" when
    every value lies in [0, 1], "positive" when every value is above 0 (and some above
    1), else "any". Raises ValueError for no finite value."""
    y = np.asarray(values, dtype=float)
    y = y[np.isfinite(y)]
    if y.size == 0:
        raise ValueError("the target has no finite value to read a range from")
    if y.min() >= 0.0 and y.max() <= 1.0:
        return "unit_interval"
    return "positive" if y.min() > 0.0 else "any"


# --- diagnose --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurements:
    """The numbers ``diagnose`` compares with the thresholds (NaN: could not measure)."""

    task: str
    activation: str
    stop_reason: str
    epochs: int
    max_epochs: int
    dead_fraction: float  # largest share of dead units in a hidden layer, after training
    dead_layer: int | None  # that layer (1-based)
    gradient_ratio: float  # first / last weight layer gradient norm, min(initial, final)
    flat_fraction: float  # largest flat share in a hidden layer (saturating activations)
    saturating: bool  # the hidden activation has flat zones on both sides
    initial_loss: float  # training loss at initialisation
    final_loss: float
    loss_ratio: float  # final / initial
    late_drop: float  # loss fall over the last quarter / initial loss (0 unless all epochs ran)
    train_score: float  # accuracy or R^2 on the training data


def _ratio(table) -> float:
    norms = table.grad_norm.to_numpy(dtype=float)
    if len(norms) < 2 or not np.isfinite(norms).all() or norms[-1] <= 1e-12:
        return math.nan
    return float(norms[0] / norms[-1])


def _initial_loss(result) -> float:
    from core.mlp import output_loss, target_matrix

    data = result.dataset
    start = at_initialisation(result.model.estimator(), data.X_train, data.y_train)
    output = forward_layers(start, data.X_train)[-1][1]
    loss = output_loss(
        target_matrix(start, data.y_train), output, start.out_activation_, start.loss_function_
    )
    return float(loss)


def _finite_max(values) -> tuple[float, int | None]:
    values = np.asarray(values, dtype=float)
    if not np.isfinite(values).any():
        return 0.0, None
    i = int(np.nanargmax(values))
    return float(values[i]), i


def train_and_measure(
    config: TrainConfig,
    dataset=None,
    time_budget: float | None = None,
    surface_resolution: int | None = None,
) -> dict:
    """Train ``config`` (no replay frames) and measure the run for ``diagnose``: the
    run, its measurements and its symptoms, in one call a pool worker makes, since
    measuring needs the scikit-learn estimator, which the web server never loads."""
    from core.training import train

    result = train(
        config,
        dataset=dataset,
        time_budget=time_budget,
        snapshot_resolution=2,
        surface_resolution=surface_resolution,
    )
    m = measure(result)
    return dict(result=result, measurements=m, symptoms=symptoms_from(m))


def measure(result) -> Measurements:
    """Measure a ``core.training.TrainResult`` for ``diagnose`` (in a worker: it runs
    the network)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's numbers are NaN
        tables = run_diagnostics(result)
    final, initial = tables["final"], tables["initial"]
    hidden = final[final.kind == "hidden"]
    dead, dead_at = _finite_max(hidden.dead_fraction)
    activation = result.config.activation
    saturating = ACTIVATIONS[activation].saturates_beyond is not None
    flat = _finite_max(hidden.flat_fraction)[0] if saturating else 0.0
    ratios = [r for r in (_ratio(initial), _ratio(final)) if math.isfinite(r)]

    h = result.history
    with np.errstate(over="ignore", invalid="ignore"):
        first = _initial_loss(result)
    last = float(h.train_loss.iloc[-1]) if len(h) else math.nan
    ratio = last / first if math.isfinite(last) and first > 0 else math.nan
    late = 0.0
    if result.stop_reason == "completed" and len(h) >= 4 and first > 0:
        quarter = float(h.train_loss.iloc[int(len(h) * 0.75) - 1])
        late = (quarter - last) / first if math.isfinite(quarter) and math.isfinite(last) else 0.0
    score = float(h.train_score.iloc[-1]) if len(h) else math.nan
    return Measurements(
        task=result.dataset.task,
        activation=activation,
        stop_reason=result.stop_reason,
        epochs=len(h),
        max_epochs=result.config.epochs,
        dead_fraction=dead,
        dead_layer=int(hidden.layer.iloc[dead_at]) if dead > 0 else None,
        gradient_ratio=min(ratios) if ratios else math.nan,
        flat_fraction=flat,
        saturating=saturating,
        initial_loss=first,
        final_loss=last,
        loss_ratio=ratio,
        late_drop=late,
        train_score=score,
    )


def symptoms_from(m: Measurements) -> tuple[str, ...]:
    """The symptoms these measurements show, by the rules file's thresholds. NaN never
    counts as a symptom. A diverged run reports ``diverging`` but not the slow or poor fit
    that follows from it (its loss and score say nothing about the activations)."""
    th = load_rules().thresholds
    found = []
    if m.dead_fraction >= th["dead_units"]["min_dead_fraction"]:
        found.append("dead_units")
    if m.gradient_ratio <= th["vanishing_gradients"]["max_gradient_ratio"]:
        found.append("vanishing_gradients")
    if m.saturating and m.flat_fraction >= th["saturation"]["min_flat_fraction"]:
        found.append("saturation")
    diverged = m.stop_reason == th["diverging"]["stop_reason"]
    slow = th["slow_convergence"]
    if not diverged and (
        m.loss_ratio >= slow["min_loss_ratio"] or m.late_drop >= slow["min_late_drop"]
    ):
        found.append("slow_convergence")
    if diverged:
        found.append("diverging")
    under = th["underfitting"]
    floor = under["min_r2"] if m.task == "regression" else under["min_accuracy"]
    if not diverged and m.train_score < floor:
        found.append("underfitting")
    return tuple(found)


def diagnose(train_result) -> tuple[str, ...]:
    """The symptoms a real run shows (a tuple drawn from ``SYMPTOMS``)."""
    return symptoms_from(measure(train_result))
