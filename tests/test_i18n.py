"""Both languages carry every key, and every placeholder of a key in both; every
activation, dataset, task, loss, solver and initialisation has its display name there."""

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from core.activations import ACTIVATIONS
from core.datasets import DATASETS
from core.vocabulary import AUTO, INITS, LOSSES, SOLVERS, TASKS
from ui.i18n import LANGUAGES, strings

ROOT = Path(__file__).resolve().parent.parent

PLACEHOLDER = re.compile(r"{(\w+)}")


def test_every_key_exists_in_every_language():
    keys = {lang: set(strings(lang)) for lang in LANGUAGES}
    english = keys["en"]
    assert english, "no strings loaded"
    for lang, found in keys.items():
        assert not english - found, f"missing in {lang}: {sorted(english - found)}"
        assert not found - english, f"only in {lang}: {sorted(found - english)}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_placeholders_match(lang):
    en, other = strings("en"), strings(lang)
    for key, text in en.items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(other[key])), key


def test_chinese_is_really_translated():
    zh = strings("zh")
    assert zh["common.app_title"] != strings("en")["common.app_title"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["playground.intro"])


# Where each table's or vocabulary list's display names live, and the names they need.
DISPLAY_NAMES = {
    "common.activation": tuple(ACTIVATIONS),
    "common.dataset": tuple(DATASETS),
    "common.task": TASKS,
    "config.loss_name": (AUTO,) + LOSSES,
    "config.solver_name": SOLVERS,
    "config.init_name": INITS,
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_activation_dataset_task_loss_and_solver_has_a_display_name(lang):
    table = strings(lang)
    for prefix, names in DISPLAY_NAMES.items():
        wanted = {f"{prefix}.{name}" for name in names}
        present = {key for key in table if key.startswith(prefix + ".")}
        assert not wanted - present, f"missing in {lang}: {sorted(wanted - present)}"
        assert not present - wanted, f"names of nothing in {lang}: {sorted(present - wanted)}"
        assert all(table[key].strip() for key in wanted)


@pytest.mark.parametrize(
    ("prefix", "table"), [("common.activation", ACTIVATIONS), ("common.dataset", DATASETS)]
)
def test_the_tables_hold_no_display_name_of_their_own(prefix, table):
    """Display names come from the translation files only: no field of an entry repeats
    its English name (a copy would drift from the one the interface shows)."""
    english = strings("en")
    for name, entry in table.items():
        shown = english[f"{prefix}.{name}"]
        own = [f.name for f in dataclasses.fields(entry) if getattr(entry, f.name) == shown]
        assert not own, f"{name}: {own} repeat the display name {shown!r}"


ASCII_BETWEEN_CJK = re.compile(r"[\u4e00-\u9fff][ ]?[,:;()][ ]?[\u4e00-\u9fff]")


def _strings(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, str(i)))
    elif isinstance(node, str):
        yield ".".join(path), node


def _chinese_texts():
    """Every Chinese string: the zh translation files and the zh halves of the rules
    and lessons files."""
    for file in sorted((ROOT / "data" / "i18n" / "zh").glob("*.yaml")):
        yield from _strings(yaml.safe_load(file.read_text(encoding="utf-8")), (file.stem,))
    for name in ("rules.yaml", "lessons.yaml"):
        data = yaml.safe_load((ROOT / "data" / name).read_text(encoding="utf-8"))
        yield from ((k, v) for k, v in _strings(data, (name,)) if k.endswith(".zh"))


def test_chinese_sentences_use_full_width_punctuation():
    found = [
        (key, text[max(0, m.start() - 6) : m.end() + 6])
        for key, text in _chinese_texts()
        for m in ASCII_BETWEEN_CJK.finditer(text)
    ]
    assert not found, found
    assert ASCII_BETWEEN_CJK.search("梯度,消失") and not ASCII_BETWEEN_CJK.search("梯度，消失")


def test_a_weight_seed_is_never_a_bare_seed_in_chinese():
    bare = [
        k for k, text in _chinese_texts() if re.search(r"(?<!随机)(?<!权重)(?<!数据)种子", text)
    ]
    assert not bare, bare
