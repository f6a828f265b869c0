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
