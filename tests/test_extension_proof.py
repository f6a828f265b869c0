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


def _pytest(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(repo, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args)


def _assert_passes(run: subprocess.CompletedProcess) -> None:
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


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
    _assert_passes(_pytest(repo, "-x", "tests/test_activations.py", "tests/test_explorer.py"))
    _assert_passes(_run(repo, "-c", SOFTSIGN_CHECK))
    # The gradient checks ran on softsign: the parametrised ids name it.
    ids = _pytest(repo, "--collect-only", "tests/test_activations.py")
    assert "softsign" in ids.stdout, ids.stdout[-2000:]


MOMENTUM = """    momentum: float = _spec(
        0.9, lo=0.0, hi=1.0, show=Show(widget="slider", step=0.05, half=True), param="momentum"
    )
"""

MOMENTUM_CHECK = """
from core.config import TrainConfig
from core.snippet import code_snippet
from core.training import build_estimator, train
from tests.apptest_utils import open_page, shown_code

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
assert any("momentum=0.25" in code for code in shown_code(at))
at.button(key="train").click().run()
assert not at.exception
result = train(at.session_state["config"])
assert result.model.estimator().momentum == 0.25
zh = open_page("pages/1_Playground.py", query={"momentum": "0.5"}, lang="zh")
assert zh.slider(key="w.momentum").label == "动量"
"""


def test_a_new_config_field_is_one_declaration_and_two_translation_lines(tmp_path):
    repo = _copy_repository(tmp_path)
    _insert_before(repo / "core" / "config.py", "    epochs: int = _spec(", MOMENTUM)
    _add_translation(repo, "config", ("momentum",), {"en": "Momentum", "zh": "动量"})
    # The declaration walks: every control can show its value and has both labels, links
    # round-trip every field, every refusal is translated.
    _assert_passes(_pytest(repo, "-x", "tests/test_config.py"))
    _assert_passes(_run(repo, "-c", MOMENTUM_CHECK))


CUBIC = """        DatasetSpec(
            "cubic",
            "regression",
            "y = x^3 / 9, x uniform on [-3, 3]. " + _Y_NOISE,
            _curve(lambda x: x**3 / 9),
            n_features=1,
            default_noise=0.1,
            default_n_classes=None,
        ),
"""

CUBIC_CHECK = """
from core.config import TrainConfig
from core.snippet import code_snippet
from core.training import train
from tests.apptest_utils import open_page

result = train(TrainConfig(dataset="cubic", activation="tanh", epochs=200))
r2 = result.history["test_score"].iloc[-1]
assert result.dataset.task == "regression" and r2 > 0.8, r2
assert 'make_dataset("cubic"' in code_snippet(TrainConfig(dataset="cubic"))

at = open_page("pages/1_Playground.py", query={"dataset": "cubic", "epochs": "30"})
assert "Regression: cubic" in at.selectbox(key="w.dataset").options
assert at.session_state["config"].dataset == "cubic"
at.button(key="train").click().run()
assert not at.exception and not at.error
zh = open_page("pages/1_Playground.py", lang="zh")
assert "回归：三次曲线" in zh.selectbox(key="w.dataset").options
"""


def test_a_new_dataset_is_one_table_entry_and_two_translation_lines(tmp_path):
    repo = _copy_repository(tmp_path)
    _insert_before(
        repo / "core" / "datasets.py", '        DatasetSpec(\n            "sine",', CUBIC
    )
    _add_translation(
        repo,
        "common",
        ("dataset", "cubic"),
        {"en": "Regression: cubic", "zh": "回归：三次曲线"},
    )
    # The dataset table walk (every dataset generates, is reproducible and refuses bad
    # parameters; every name in both languages) with the new entry in.
    _assert_passes(_pytest(repo, "-x", "tests/test_datasets.py", "tests/test_i18n.py"))
    _assert_passes(_run(repo, "-c", CUBIC_CHECK))
