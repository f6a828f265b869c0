"""Timing helpers and the record each section returns."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable


def timed(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def median(values) -> float:
    return float(statistics.median(values))


@dataclass
class Figure:
    """One measured figure: ``value`` in ``unit``; with a goal, whether it is met."""

    name: str
    value: float
    unit: str = "x"
    goal: str | None = None  # "<= 1.5" or ">= 1.6"
    detail: dict = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        op, bound = self.goal.split()
        return self.value <= float(bound) if op == "<=" else self.value >= float(bound)

    def line(self) -> str:
        value = f"{self.value:.2f}{self.unit}" if self.unit == "x" else f"{self.value:,.1f} {self.unit}"
        if self.goal is None:
            return f"  {self.name}: {value}"
        unit = "x" if self.unit == "x" else f" {self.unit}"
        verdict = "MET" if self.met else "NOT MET"
        return f"  {self.name}: {value}   goal {self.goal}{unit}   {verdict}"

    def to_json(self) -> dict:
        return dict(name=self.name, value=round(self.value, 4), unit=self.unit, goal=self.goal,
                    met=self.met, **self.detail)
