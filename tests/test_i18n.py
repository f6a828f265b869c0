"""Both languages carry every key, and every placeholder of a key in both; every
activation, dataset, task, loss, solver and initialisation has its display name there."""

import dataclasses
import re

import pytest

from core.activations import ACTIVATIONS
from core.datasets import DATASETS
from core.mlp import INITS
from core.vocabulary import AUTO, LOSSES, SOLVERS, TASKS
from ui.i18n import LANGUAGES, strings

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
