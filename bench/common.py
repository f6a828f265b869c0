"""Timing helpers and the record each section returns."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


def timed(fn: Callable[..., T], *args, **kwargs) -> tuple[float, T]:
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
        value = (
            f"{self.value:.2f}{self.unit}" if self.unit == "x" else f"{self.value:,.1f} {self.unit}"
        )
        if self.goal is None:
            return f"  {self.name}: {value}"
        unit = "x" if self.unit == "x" else f" {self.unit}"
        verdict = "MET" if self.met else "NOT MET"
        return f"  {self.name}: {value}   goal {self.goal}{unit}   {verdict}"

    def to_json(self) -> dict:
        return dict(
            name=self.name,
            value=round(self.value, 4),
            unit=self.unit,
            goal=self.goal,
            met=self.met,
            **self.detail,
        )


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds used so far) for every process (Linux /proc). The
    CPU of a process includes that of its children that have ended and been reaped, so a
    tree's total never drops when a process in it exits (a browser tab's renderer, a
    replaced worker)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry))
        except OSError:
            continue
        # fields[0] is the state (stat field 3); ppid is field 4; utime, stime, cutime,
        # cstime (the reaped children's) are fields 14-17.
        table[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    return table


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): field 3 on."""
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()


def tree_cpu_seconds(root: int | None = None) -> float:
    """CPU seconds used by a process and all its living descendants (pool workers,
    the fork server's children). With ``cores_used`` it tells how much of the machine
    a timed section really got."""
    import os

    root = root or os.getpid()
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += table.get(pid, (0, 0.0))[1]
        stack.extend(children.get(pid, []))
    return total


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds used by one process alone (its threads, not its children)."""
    import os

    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def timed_cpu(fn: Callable[..., T], *args, **kwargs) -> tuple[float, float, T]:
    """(wall seconds, CPU seconds of this process tree, value)."""
    cpu = tree_cpu_seconds()
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    wall = time.perf_counter() - start
    return wall, tree_cpu_seconds() - cpu, value


def descendants(root: int) -> list[int]:
    """Pids of the living descendants of ``root`` (not root itself)."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in _proc_table().items():
        children.setdefault(ppid, []).append(pid)
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def pin(pids, cpus: set[int]) -> None:
    """Run every thread of these processes on ``cpus`` only (Linux). Threads and
    processes they start later inherit it."""
    import contextlib
    import os

    for pid in pids:
        with contextlib.suppress(OSError):  # a process or thread may end meanwhile
            for tid in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(int(tid), cpus)
