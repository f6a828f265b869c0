"""Memory of a class of 30: three fresh servers, each with 30 browser sessions that
trained once; the total PSS over the server and its workers in every run, the worst
against the goal, and whether the server process imported scikit-learn or SciPy (see
bench/server_memory.py)."""

from __future__ import annotations

from bench import server_memory
from bench.common import Figure

SESSIONS = 30
RUNS = 3


def run(out) -> list[Figure]:
    return server_memory.run(out, sessions=SESSIONS, runs=RUNS)
