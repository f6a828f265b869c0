"""Both languages carry every key, and every placeholder of a key in both."""

import re

import pytest

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
