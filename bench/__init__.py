"""``make bench``: the performance figures of Activation Lab, each against its goal.

Run with ``python -m bench`` (``--only NAME`` for one section; ``--list`` for names).
Every figure is a *ratio* measured in one run (median of a few repetitions), because
absolute times on a shared 2-core machine move by 2x from one minute to the next.
Results are printed and written to ``bench/results/latest.json`` (git-ignored).

Sections (modules of this package):
  overhead   train() against a plain fit() of the same estimator          goal <= 1.5x
  surface    200x200 decision-surface evaluation; the chart's JSON size    goal <= 60 KB
  classroom  8 trainings one after another vs at once in core.parallel    goal >= 1.6x
  memory     RSS of a process holding 20 TrainResults; what grows          (report)
  coldstart  import time of the app's modules vs streamlit+sklearn+altair goal <= 1.5x
  sweep      the same evidence sweep with 1 vs 2 joblib workers            goal >= 1.8x

Not measured here (other harnesses, later): click-to-chart latency in a real browser
(hook: tests/e2e drives Chromium; time from the Train click to the surface's <canvas>
update) and the memory of a real server holding 20 sessions (hook:
``bench.memory.probe(n_results)`` is the per-process part; run it inside the server or
read the server's RSS with ``bench.memory.rss_mb(pid)``).
"""
