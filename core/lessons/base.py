"""What every lesson shares: the result types, how checks combine into a verdict, the
registry, the experiment settings from ``data/lessons.yaml`` and small helpers for
fitting and formatting.

A lesson is one module of this package that calls ``register(Lesson(...))`` with its
run function (measurement and checks) and its chart builder; its text and settings are
its entry in ``data/lessons.yaml`` and its sentences ``lessons.check.<id>.<key>`` in
``data/i18n/*/lessons.yaml``. Nothing here imports Streamlit.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from threadpoolctl import threadpool_limits

from core.config import TrainConfig
from core.datasets import Dataset
from core.training import build_estimator, dataset_for, is_divergence

LESSONS_FILE = Path(__file__).resolve().parents[2] / "data" / "lessons.yaml"
VERDICTS = ("holds", "nuance", "fails")  # holds | holds with a nuance | does not hold here

Text = Callable[..., str]  # translates a key: text("common.activation.relu")


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One claim tested against one measurement. ``key`` names the sentence that reports
    it (``lessons.check.<lesson>.<key>`` in the interface text); ``params`` are the
    numbers for that sentence, already formatted; ``verdict`` is one of VERDICTS."""

    key: str
    guidance: tuple[str, ...]
    verdict: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class LessonResult:
    lesson: str
    guidance: tuple[str, ...]
    measurements: dict[str, float]  # the raw numbers (tests and notebooks read these)
    checks: list[Check]
    table: pd.DataFrame
    chart_data: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        return combine([c.verdict for c in self.checks])


def combine(verdicts: list[str]) -> str:
    """All hold -> holds; none holds and one fails -> fails; anything else -> nuance."""
    if not verdicts:
        raise ValueError("a lesson needs at least one check")
    unknown = set(verdicts) - set(VERDICTS)
    if unknown:
        raise ValueError(f"unknown verdicts {sorted(unknown)}; expected {VERDICTS}")
    if all(v == "holds" for v in verdicts):
        return "holds"
    if "fails" in verdicts and "holds" not in verdicts:
        return "fails"
    return "nuance"


# --- verdict rules several lessons share ------------------------------------------------------


def below_verdict(value: float, limit: float, otherwise: str = "nuance") -> str:
    return "holds" if value < limit else otherwise


def equal_verdict(value: float, expected: float, tol: float) -> str:
    return "holds" if abs(value - expected) <= tol else "fails"


def gain_verdict(gain: float, margin: float) -> str:
    """A score difference: a real gain holds, a tie is a nuance, a real loss fails."""
    if gain >= margin:
        return "holds"
    return "nuance" if gain > -margin else "fails"


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lesson:
    """One lesson: ``run`` measures and checks; ``charts(result, text)`` returns
    ``[(container key, Altair chart), ...]`` in display order. The table shown under
    the charts is ``result.table`` with ``formats`` (column -> value formatter, over the
    shared ones), ``other_columns`` for any column neither names, and ``header`` naming
    a column (default: ``lessons.col.<column>``)."""

    id: str
    run: Callable[[], LessonResult]
    charts: Callable[[LessonResult, Text], list[tuple[str, Any]]]
    formats: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    other_columns: Callable[[Any], str] | None = None
    header: Callable[[str, Text], str] | None = None
    charts_per_row: int = 3


def ratio_by_depth_lesson(
    lesson_id: str,
    run: Callable[[], LessonResult],
    chart: Callable[[LessonResult, Text], Any],
    column_key: str,
) -> Lesson:
    """A lesson whose table is a gradient ratio per depth (rows) and per variant
    (columns, named by the translation key ``column_key.format(variant)``)."""
    return Lesson(
        lesson_id,
        run,
        lambda r, text: [(f"lesson-{lesson_id}", chart(r, text))],
        formats={"depth": "{:d}".format},
        other_columns="{:.1e}".format,
        header=lambda c, text: text("lessons.col.depth" if c == "depth" else column_key.format(c)),
    )


_REGISTERED: dict[str, Lesson] = {}


def register(lesson: Lesson) -> Lesson:
    if lesson.id in _REGISTERED:
        raise ValueError(f"lesson {lesson.id!r} is registered twice")
    _REGISTERED[lesson.id] = lesson
    return lesson


def registry() -> dict[str, Lesson]:
    """Every lesson, in the teaching order of data/lessons.yaml. A lesson with a module
    but no entry there (or the other way round) is a ``RuntimeError``: it would have
    no text, or no experiment."""
    ids = lesson_ids()
    if set(ids) != set(_REGISTERED):
        raise RuntimeError(
            "data/lessons.yaml and the lesson modules disagree: "
            f"no module for {sorted(set(ids) - set(_REGISTERED))}, "
            f"no entry for {sorted(set(_REGISTERED) - set(ids))}"
        )
    return {i: _REGISTERED[i] for i in ids}


def run_lesson(lesson_id: str) -> LessonResult:
    """Run one lesson by id (``ValueError`` for an unknown id), timed."""
    lessons = registry()
    if lesson_id not in lessons:
        raise ValueError(f"unknown lesson {lesson_id!r}; expected one of {list(lessons)}")
    start = time.perf_counter()
    result = lessons[lesson_id].run()
    result.seconds = time.perf_counter() - start
    return result


# --- settings from data/lessons.yaml ------------------------------------------------------


@cache
def load() -> dict:
    with open(LESSONS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def lesson_specs() -> dict[str, dict]:
    """Lesson id -> its entry in data/lessons.yaml, in teaching order."""
    return {lesson["id"]: lesson for lesson in load()["lessons"]}


def lesson_ids() -> list[str]:
    return list(lesson_specs())


def playground_query(lesson_id: str) -> dict[str, str] | None:
    """The query string of a Playground run that shows the lesson's point, or None."""
    block = lesson_specs()[lesson_id].get("playground")
    return config_of(block).to_query() if block else None


def experiment(lesson_id: str) -> dict:
    return lesson_specs()[lesson_id]["experiment"]


def config_of(*blocks: dict, **changes) -> TrainConfig:
    """A TrainConfig from query-string style blocks (later blocks win) plus changes."""
    merged: dict[str, str] = {}
    for block in blocks:
        merged.update({k: str(v) for k, v in (block or {}).items()})
    merged.update({k: str(v) for k, v in changes.items()})
    config, _ = TrainConfig.from_query(merged, strict=True)
    return config


# --- fitting ----------------------------------------------------------------------------------


def _convergence_warning() -> type[Warning]:
    # Imported here: the Lessons page imports this module in the web server, which
    # never trains (lessons run in a worker) and never loads scikit-learn.
    from sklearn.exceptions import ConvergenceWarning

    return ConvergenceWarning


def fit(config: TrainConfig, data: Dataset | None = None):
    """(fitted model, dataset); one thread, no convergence chatter. A run whose weights
    overflow comes back with ``model.diverged_ = True`` instead of raising."""
    data = data if data is not None else dataset_for(config)
    model = build_estimator(config, data.task)
    model.diverged_ = False
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", _convergence_warning())
        try:
            model.fit(data.X_train, data.y_train)
        except ValueError as err:
            if not is_divergence(err):
                raise
            model.diverged_ = True
    return model, data


class _TargetReached(Exception):
    pass


def fit_until(config: TrainConfig, target_loss: float, data: Dataset | None = None):
    """Like ``fit`` but stops after the first epoch whose training loss is below
    ``target_loss`` (through the once-per-epoch hook core.mlp offers); the model keeps
    ``loss_curve_`` up to that epoch."""
    data = data if data is not None else dataset_for(config)
    model = build_estimator(config, data.task)
    model.diverged_ = False

    def hook(fitted, objective):
        if objective < target_loss:
            raise _TargetReached

    model._epoch_hook = hook
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", _convergence_warning())
        try:
            model.fit(data.X_train, data.y_train)
        except _TargetReached:
            pass
        except ValueError as err:
            if not is_divergence(err):
                raise
            model.diverged_ = True
        finally:
            del model._epoch_hook
    return model, data


def score_on_test(model, data: Dataset) -> float:
    if getattr(model, "diverged_", False):
        return float("nan")
    return float(model.score(data.X_test, data.y_test))


# --- formatting the numbers a sentence quotes ---------------------------------------------------


def pct(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "–"


def pct1(x: float) -> str:
    return f"{x:.1%}" if np.isfinite(x) else "–"


def num(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}" if np.isfinite(x) else "–"


def sci(x: float) -> str:
    return f"{x:.1e}" if np.isfinite(x) else "–"


def contrast_verdict(
    baseline: float, others: list[float], baseline_max: float, others_min: float
) -> str:
    """A baseline that should fail (a linear network) against models that should
    succeed: holds when the baseline stays at or under ``baseline_max`` and every other
    model reaches ``others_min``; nuance when the best other model still beats the
    baseline; fails otherwise."""
    if baseline <= baseline_max and min(others) >= others_min:
        return "holds"
    return "nuance" if max(others) > baseline else "fails"
