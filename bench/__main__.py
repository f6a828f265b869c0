"""``python -m bench``: run every section, print each figure with its goal, and write
bench/results/latest.json."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

SECTIONS = {
    "overhead": "train() overhead over a plain fit()",
    "activations": "every hidden activation: cost against ReLU, train() against fit()",
    "surface": "decision surface at 200x200",
    "classroom": "classroom throughput (8 trainings, 2 cores)",
    "memory": "memory of 20 held TrainResults",
    "coldstart": "cold start",
    "sweep": "evidence sweep scaling",
    # These run a real server and Chromium (bench/browser.py; neuron_view partly).
    "latency": "click-to-chart latency in a browser",
    "neuron_view": "the neuron view: data per redraw, worker cost, click-to-chart",
    "server_memory": "memory of a real server with 20 browser sessions",
    "classroom_browser": "a class pressing Train together in browsers",
    "soak": "15 students doing random things for 5 minutes",
    "class_memory": "a class of 30: memory of three fresh servers with 30 trained sessions",
    "class_latency": "a class of 30 pressing Train within one second (protocol clients)",
    "class_latency_browsers": "the same class in 30 Chromium pages on the server's own cores",
}
RESULTS = Path(__file__).resolve().parent / "results"
NOT_HERE: list[str] = []  # what a goal needs but this bench cannot measure


def machine() -> dict:
    import numpy
    import sklearn
    import streamlit

    return dict(
        cpus=os.cpu_count(),
        load_average_1min=os.getloadavg()[0],
        python=platform.python_version(),
        numpy=numpy.__version__,
        sklearn=sklearn.__version__,
        streamlit=streamlit.__version__,
        platform=platform.platform(),
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="*", choices=list(SECTIONS), help="sections to run")
    args = parser.parse_args(argv)
    chosen = args.only or list(SECTIONS)
    report: dict = dict(
        started=time.strftime("%Y-%m-%d %H:%M:%S"),
        machine=machine(),
        sections={},
        not_measured_here=NOT_HERE,
    )
    m = report["machine"]
    print(
        f"Activation Lab bench: {m['cpus']} CPUs, Python {m['python']}, scikit-learn "
        f"{m['sklearn']}, numpy {m['numpy']}. Ratios from one run, medians of repeats.",
        flush=True,
    )
    if m["load_average_1min"] > 0.5 * m["cpus"]:
        print(
            f"Warning: load average {m['load_average_1min']:.1f} on {m['cpus']} CPUs before "
            "starting: other processes compete for the cores, so the parallel speed-ups "
            "below are lower bounds. Re-run on a quiet machine.",
            flush=True,
        )
    start = time.perf_counter()
    figures = []
    for i, name in enumerate(chosen, 1):
        print(f"\n[{i}/{len(chosen)}] {SECTIONS[name]}", flush=True)
        section_start = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        found = module.run(lambda line: print(line, flush=True))
        for figure in found:
            print(figure.line(), flush=True)
        figures += found
        report["sections"][name] = dict(
            seconds=round(time.perf_counter() - section_start, 1),
            figures=[f.to_json() for f in found],
        )
    goals = [f for f in figures if f.goal is not None]
    met = [f for f in goals if f.met]
    print(
        f"\nSummary: {len(met)} of {len(goals)} goals met "
        f"({time.perf_counter() - start:.0f} s in all)"
    )
    for f in goals:
        print(
            f"  {'MET    ' if f.met else 'NOT MET'}  {f.name}: {f.value:.2f}"
            f"{'x' if f.unit == 'x' else ' ' + f.unit} (goal {f.goal})"
        )
    if NOT_HERE:
        print("Not measured here:")
    for note in NOT_HERE:
        print(f"  - {note}")
    report["load_average_1min_end"] = os.getloadavg()[0]
    print(f"Load average at the end: {report['load_average_1min_end']:.1f}")
    report["seconds"] = round(time.perf_counter() - start, 1)
    report["goals_met"], report["goals"] = len(met), len(goals)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, default=float))
    print(f"Written to {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
