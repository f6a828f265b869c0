"""Cold start: a fresh interpreter importing streamlit + sklearn + altair, against one
importing every module of the app's own packages (core/, ui/), which pulls those
libraries in too. The ratio is what the app adds on top of its libraries."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

from bench.common import Figure, median

ROOT = Path(__file__).resolve().parent.parent
REPS = 5
LIBRARIES = ["streamlit", "sklearn", "altair"]


def app_modules() -> list[str]:
    found = []
    for package in ("ui", "core"):
        found += [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(ROOT / package)])]
    return found


def import_seconds(modules: list[str]) -> float:
    code = (
        f"import time, sys; sys.path.insert(0, {str(ROOT)!r}); t = time.perf_counter()\n"
        f"for m in {modules!r}: __import__(m)\n"
        "print(time.perf_counter() - t)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return float(proc.stdout.strip().splitlines()[-1])


def slowest_own(modules: list[str], top: int = 3) -> list[tuple[str, float]]:
    """The app modules (and what only they import) with the largest cumulative import
    time, from ``python -X importtime``."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
    code += "".join(f"import {m}\n" for m in LIBRARIES) + "".join(f"import {m}\n" for m in modules)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (p.strip() for p in line[len("import time:") :].split("|"))
        if cumulative.isdigit() and name.split(".")[0] in ("core", "ui"):
            rows.append((name, int(cumulative) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:top]


def run(out) -> list[Figure]:
    modules = app_modules()
    libs, app = [], []
    for _ in range(REPS):
        libs.append(import_seconds(LIBRARIES))
        app.append(import_seconds(modules))
    lib_s, app_s = median(libs), median(app)
    slow = slowest_own(modules)
    out(
        f"  import {' + '.join(LIBRARIES)}: {lib_s:.2f} s; import the app's {len(modules)} "
        f"modules (core.*, ui.*, with their libraries): {app_s:.2f} s"
    )
    if slow:
        out(
            "  slowest app imports after the libraries are loaded: "
            + ", ".join(f"{n} {s:.2f} s" for n, s in slow)
        )
    return [
        Figure(
            "cold start, app modules vs streamlit+sklearn+altair",
            app_s / lib_s,
            "x",
            "<= 1.5",
            dict(
                libraries_s=lib_s,
                app_s=app_s,
                modules=modules,
                slowest=json.loads(json.dumps(slow)),
            ),
        )
    ]
