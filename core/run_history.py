"""A session's recent runs: what a student trained, kept small enough that a class of
30 can each keep ten.

A finished run holds up to 64 replay frames; only the newest run needs them (the replay
slider). A kept run is slimmed to its final frame, its finished surface, its history,
model and data: measured 0.17 MB for a two-class run at the default size and 0.6 MB
for six classes, where 64 frames alone would add 0.5 and 3 MB. Ten kept runs stay
within a few MB per session. Pure Python: a notebook can keep its runs the same way.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.config import TrainConfig
from core.report import run_metrics
from core.training import TrainResult

MAX_RUNS = 10


@dataclass(frozen=True)
class RunRecord:
    number: int  # 1, 2, ... in the order the session trained them
    result: TrainResult  # slimmed: the final replay frame only
    data_key: str | None  # which uploaded data it used (None: the built-in dataset)

    @property
    def config(self) -> TrainConfig:
        return self.result.config


def slim(result: TrainResult) -> TrainResult:
    """The run without its replay frames (the last one stays, as the surface's fallback)."""
    if len(result.snapshot_epochs) <= 1:
        return result
    return dataclasses.replace(
        result,
        snapshot_epochs=result.snapshot_epochs[-1:].copy(),
        snapshots=result.snapshots[-1:].copy(),
        network_frames=result.network_frames[-1:],  # the neuron view's final frame
    )


def nbytes(result: TrainResult) -> int:
    """Bytes of the arrays a kept run holds (what grows with its size), the model's
    weights and pickled estimator included."""
    arrays = [result.snapshots, result.surface, result.grid.points]
    arrays += [result.dataset.X_train, result.dataset.X_test]
    own = sum(a.nbytes for a in arrays if isinstance(a, np.ndarray)) + result.model.nbytes
    own += sum(frame.nbytes for frame in result.network_frames)
    return own + int(result.history.memory_usage(deep=True).sum())


class RunHistory:
    """The last ``MAX_RUNS`` runs of one session, newest last."""

    def __init__(self, capacity: int = MAX_RUNS):
        self._runs: deque[RunRecord] = deque(maxlen=capacity)
        self._count = 0

    def add(self, result: TrainResult, data_key: str | None = None) -> RunRecord:
        self._count += 1
        record = RunRecord(self._count, slim(result), data_key)
        self._runs.append(record)
        return record

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self):
        return iter(self._runs)

    @property
    def capacity(self) -> int:
        return self._runs.maxlen or 0

    def get(self, number: int) -> RunRecord:
        for record in self._runs:
            if record.number == number:
                return record
        raise KeyError(f"run {number} is not among the last {self.capacity} runs")

    def varying_fields(self, records=None) -> list[str]:
        """Settings whose values are not the same in every run of ``records`` (default:
        all kept runs), in the config's own order."""
        records = list(self._runs if records is None else records)
        if len(records) < 2:
            return []
        names = [f.name for f in dataclasses.fields(TrainConfig)]
        return [n for n in names if len({getattr(r.config, n) for r in records}) > 1]

    def table(self) -> pd.DataFrame:
        """One row per kept run, newest first: its number, the settings that vary across
        the kept runs, and its headline metrics (as the page shows them)."""
        fields = self.varying_fields()
        rows = []
        for record in reversed(self._runs):
            row: dict = {"run": record.number}
            row.update({f: _shown(getattr(record.config, f)) for f in fields})
            row.update(dict(run_metrics(record.result)[:1]))  # the test score
            rows.append(row)
        return pd.DataFrame(rows)


def _shown(value) -> str:
    if value is None:
        return "auto"
    if isinstance(value, tuple):
        return "×".join(map(str, value)) if value else "-"
    return str(value)
