"""Proof that the product's "add one entry" promises hold.

Each test copies the repository to a temporary directory, adds a throw-away entry the
way a newcomer would (one table entry plus its translation lines, nothing else), and runs
the tests that walk that table in a fresh interpreter: they only pass if every consumer
(select boxes, explorer, gradient checks, palette, translations, evidence grid, widgets,
link, snippet) picked the entry up by itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _copy_repository(dest: Path) -> Path:
    """The product's files (tracked or not), without the venv and caches."""
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", ".pytest_cache", "test-artifacts", ".mypy_cache"
    )
    for item in ROOT.iterdir():
        if item.name in {".venv", ".git", "test-artifacts"}:
            continue
        target = dest / item.name
        if item.is_dir():
            shutil.copytree(item, target, ignore=ignore)
        else:
            shutil.copy2(item, target)
    return dest


def _insert_before(path: Path, anchor: str, text: str) -> None:
    source = path.read_text(encoding="utf-8")
    assert source.count(anchor) == 1, f"{anchor!r} not found once in {path.name}"
    path.write_text(source.replace(anchor, text + anchor), encoding="utf-8")


def _add_translation(repo: Path, area: str, path: tuple[str, ...], texts: dict) -> None:
    """Add one translation line per language (a YAML load and dump of that file)."""
    for lang, text in texts.items():
        file = repo / "data" / "i18n" / lang / f"{area}.yaml"
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = text
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def _run(repo: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin", "HOME": str(repo)},
    )


SOFTSIGN = """        Activation(
            "softsign",
            lambda z: np.divide(z, 1.0 + np.abs(z), out=z),
            lambda z, a, delta: np.divide(delta, (1.0 + np.abs(z)) ** 2, out=delta),
            output_range=(-1.0, 1.0),
            zero_centred=True,
            saturates_beyond=None,
            flat_below_zero=False,
            guidance=(),
            output=False,
            formula=r"f(x) = \\frac{x}{1 + |x|}",
            colour="#ff9da6",
        ),
"""

SOFTSIGN_CHECK = """
import numpy as np
from core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from core.config import TrainConfig
from core.training import train

assert "softsign" in HIDDEN_ACTIVATIONS
z = np.linspace(-5, 5, 11)
assert np.allclose(ACTIVATIONS["softsign"].fn(z), z / (1 + np.abs(z)))
result = train(TrainConfig(dataset="circle", activation="softsign", epochs=150))
score = result.history["test_score"].iloc[-1]
assert score > 0.9, score
"""


def test_a_new_activation_is_one_table_entry_and_two_translation_lines(tmp_path):
    repo = _copy_repository(tmp_path)
    _insert_before(
        repo / "core" / "activations.py", '        Activation(\n            "softmax",', SOFTSIGN
    )
    _add_translation(
        repo, "common", ("activation", "softsign"), {"en": "Softsign", "zh": "Softsign（软符号）"}
    )
    # The table walk (select boxes, explorer, gradient checks for every pairing, palette,
    # translations, evidence grid) and the explorer's measured claims, with softsign in.
    walk = _run(
        repo,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "tests/test_activations.py",
        "tests/test_explorer.py",
    )
    assert walk.returncode == 0, walk.stdout[-3000:] + walk.stderr[-3000:]
    trained = _run(repo, "-c", SOFTSIGN_CHECK)
    assert trained.returncode == 0, trained.stdout[-2000:] + trained.stderr[-3000:]
    # The gradient checks ran on softsign: the parametrised ids name it.
    ids = _run(
        repo,
        "-m",
        "pytest",
        "-q",
        "--collect-only",
        "-p",
        "no:cacheprovider",
        "tests/test_activations.py",
    )
    assert "softsign" in ids.stdout, ids.stdout[-2000:]


MOMENTUM = """    momentum: float = _spec(
        0.9, lo=0.0, hi=1.0, show=Show(widget="slider", step=0.05, half=True), param="momentum"
    )
"""

MOMENTUM_CHECK = """
from core.config import TrainConfig
from core.snippet import code_snippet
from core.training import build_estimator, train
from tests.apptest_utils import open_page

config, problems = TrainConfig.from_query({"momentum": "0.5", "solver": "sgd"})
assert not problems and config.momentum == 0.5, problems
assert build_estimator(config, config.task).momentum == 0.5
assert "momentum=0.5" in code_snippet(config)
assert TrainConfig.from_query({"momentum": "1.5"})[1]  # out of range: refused

at = open_page("pages/1_Playground.py", query={"momentum": "0.5", "solver": "sgd", "epochs": "30"})
assert at.slider(key="w.momentum").value == 0.5
assert at.slider(key="w.momentum").label == "Momentum"
at.slider(key="w.momentum").set_value(0.25).run()
assert at.session_state["config"].momentum == 0.25
assert at.query_params["momentum"] in ("0.25", ["0.25"])
assert any("momentum=0.25" in c.value for c in at.code)
at.button(key="train").click().run()
assert not at.exception
result = train(at.session_state["config"])
assert result.model.momentum == 0.25
zh = open_page("pages/1_Playground.py", query={"momentum": "0.5"}, lang="zh")
assert zh.slider(key="w.momentum").label == "动量"
"""


def test_a_new_config_field_is_one_declaration_and_two_translation_lines(tmp_path):
    repo = _copy_repository(tmp_path)
    _insert_before(repo / "core" / "config.py", "    epochs: int = _spec(", MOMENTUM)
    _add_translation(repo, "config", ("momentum",), {"en": "Momentum", "zh": "动量"})
    # The declaration walks: every control can show its value and has both labels, links
    # round-trip every field, every refusal is translated.
    walk = _run(repo, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "tests/test_config.py")
    assert walk.returncode == 0, walk.stdout[-3000:] + walk.stderr[-3000:]
    used = _run(repo, "-c", MOMENTUM_CHECK)
    assert used.returncode == 0, used.stdout[-2000:] + used.stderr[-3000:]
