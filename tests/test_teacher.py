"""Teacher mode: every ready-made link is a valid experiment, and hiding works."""

import pytest

from core.config import TrainConfig, unknown_query_keys
from tests.apptest_utils import open_page
from ui.config_ui import GROUPS
from ui.teacher import teacher_links
from ui.url import LINK_KEYS

LINKS = teacher_links()


@pytest.mark.parametrize("link", LINKS, ids=[link["id"] for link in LINKS])
def test_link_is_a_valid_experiment_with_titles_in_both_languages(link):
    query = {k: v for k, v in link["query"].items() if k != "hide"}
    TrainConfig.from_query(query, strict=True)
    assert not unknown_query_keys(link["query"], [*TrainConfig.__dataclass_fields__, *LINK_KEYS])
    assert link["title"]["en"] and link["title"]["zh"]
    for name in filter(None, link["query"].get("hide", "").split(",")):
        assert (
            name in GROUPS or name in TrainConfig.__dataclass_fields__ or name in ("code", "share")
        )


def test_hidden_controls_are_not_drawn_but_still_apply():
    at = open_page(
        "pages/1_Playground.py",
        query={"dataset": "xor", "activation": "identity", "hide": "data,activation,code"},
    )
    keys = {w.key for w in at.selectbox}
    assert "w.dataset" not in keys and "w.activation" not in keys
    assert "w.output_activation" in keys
    assert at.session_state["config"].activation == "identity"
    assert not any(e.label == "Show code" for e in at.expander)


@pytest.mark.parametrize("link", LINKS, ids=[link["id"] for link in LINKS])
def test_link_opens_its_experiment_without_a_warning(link):
    at = open_page("pages/1_Playground.py", query=dict(link["query"]))
    assert not at.warning or all("Non-standard" in w.value for w in at.warning)
    expected, _ = TrainConfig.from_query(link["query"], strict=True)
    assert at.session_state["config"] == expected
    hidden = hidden_names(link["query"].get("hide", ""))
    keys = {
        w.key
        for kind in ("selectbox", "slider", "select_slider", "number_input")
        for w in getattr(at, kind)
    }
    for name in ("dataset", "activation", "epochs", "learning_rate"):
        assert (f"w.{name}" in keys) == (name not in hidden), name


def hidden_names(hide: str) -> set[str]:
    names: set[str] = set()
    for part in filter(None, hide.split(",")):
        names.update(GROUPS.get(part, (part,)))
    return names
