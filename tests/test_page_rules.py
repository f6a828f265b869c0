"""The Rules page under AppTest: every rule of the file is rendered (and only what the file
says), grouped by scope, with its guidance summaries and a Playground link carrying its
demo; "Show me" trains the demo and its contrast inline (cached); ?rule= marks a rule;
both languages."""

import copy
from urllib.parse import parse_qsl

import streamlit as st
import yaml

from core import rules
from tests.apptest_utils import chart_in, keyed_block, mark_types, open_page

PAGE = "pages/5_Rules.py"
BOOK = rules.load_rules()


def texts(block, kind="markdown"):
    return " ".join(e.value for e in block.get(kind))


def test_every_rule_in_the_file_is_on_the_page_grouped_by_scope():
    at = open_page(PAGE)
    assert at.title[0].value == "Rules"
    assert [h.value for h in at.header] == [
        "Hidden layers",
        "Weight initialisation",
        "Output layer",
        "Loss function",
        "Training process",
    ]
    n = len(BOOK.rules)
    assert len(at.subheader) == n
    assert any(c.value == f"{n} rules" for c in at.caption)
    for rule in BOOK.rules:
        card = keyed_block(at, f"rule-{rule.id}")
        assert card.get("subheader")[0].value == rule.title["en"]
        body = texts(card)
        assert rule.why["en"] in body
        for g in rule.guidance:
            assert f"**{g}**" in body
        if rule.demo is None:  # no built-in data shows it: the card says so
            assert "No built-in data set shows this rule" in texts(card, "caption")
            continue
        link = card.get("page_link")[0].proto
        assert link.page == "Playground"
        assert dict(parse_qsl(link.query_string, keep_blank_values=True)) == dict(rule.demo)
    # scope order and file order within a scope
    shown = [s.value for s in at.subheader]
    assert shown == [r.title["en"] for rules_ in BOOK.by_scope().values() for r in rules_]


def test_card_words_come_from_the_file():
    at = open_page(PAGE)
    deep = keyed_block(at, "rule-R-hidden-deep")
    assert "with 5 or more hidden layers" in texts(deep, "caption")
    assert "hidden layers: **ReLU**" in texts(deep)
    assert "Sigmoid networks usually show vanishing gradients" in texts(deep)  # G8 summary
    dead = keyed_block(at, "rule-R-hidden-dead-relu")
    assert "Many units stopped responding" in texts(dead, "caption")
    assert "lower the learning rate" in texts(dead)
    loss = keyed_block(at, "rule-R-loss-matched")
    assert "the one matched to the output" in texts(loss)


def test_the_page_renders_whatever_the_file_holds(monkeypatch):
    with open(rules.RULES_FILE, encoding="utf-8") as fh:
        raw = copy.deepcopy(yaml.safe_load(fh))
    extra = dict(
        raw["rules"][0],
        id="R-hidden-extra",
        title={"en": "An extra rule for the test", "zh": "测试用的额外规则"},
    )
    raw["rules"] = raw["rules"][:2] + [extra]
    book = rules.parse_rules(raw)
    monkeypatch.setattr(rules, "load_rules", lambda: book)
    at = open_page(PAGE)
    assert [s.value for s in at.subheader] == [r.title["en"] for r in book.rules]
    assert any(c.value == "3 rules" for c in at.caption)
    assert [h.value for h in at.header] == [
        "Hidden layers",
        "Weight initialisation",
        "Output layer",
        "Loss function",
        "Training process",
    ]


def test_show_me_trains_demo_and_contrast_inline_and_caches(monkeypatch):
    st.cache_data.clear()
    from core import parallel

    calls = []
    real = parallel.submit  # the demos train in the pool: note each config submitted
    monkeypatch.setattr(parallel, "submit", lambda fn, *a: calls.append(a[0]) or real(fn, *a))
    at = open_page(PAGE)
    at.button(key="show-R-output-regression").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(calls) == 2
    assert {c.output_activation for c in calls} == {"identity", "logistic"}
    card = keyed_block(at, "rule-R-output-regression")
    demo = chart_in(at, "demo-R-output-regression-demo")
    contrast = chart_in(at, "demo-R-output-regression-contrast")
    assert mark_types(demo) == ["circle", "line"]  # sine: a fitted curve over the points
    assert mark_types(contrast) == ["circle", "line"]
    body = texts(card)
    assert "**This rule's choice**" in body and "**The tempting alternative**" in body
    scores = [m.value for m in card.get("markdown") if m.value.startswith("Test R²")]
    assert len(scores) == 2
    identity, sigmoid = (float(s.split("**")[1]) for s in scores)
    assert identity > 0.8 and sigmoid < 0.5  # a sigmoid output cannot reach -1
    captions = texts(card, "caption")
    assert "Output activation: Identity" in captions and "Output activation: Sigmoid" in captions
    assert "Measured:" in captions
    # Other rules stay closed; a rerun and a second click reuse the cached runs.
    assert len(at.get("vega_lite_chart")) == 2
    at.run()
    at.button(key="show-R-output-regression").click().run()
    assert len(calls) == 2 and len(at.get("vega_lite_chart")) == 2


def test_a_link_to_a_rule_marks_it():
    at = open_page(PAGE, query={"rule": "R-output-binary"})
    assert "**Two classes: one sigmoid output**" in at.info[0].value
    assert "(#r-output-binary)" in at.info[0].value
    assert keyed_block(at, "rule-R-output-binary").get("subheader")[0].value.startswith("📌 ")
    assert sum(s.value.startswith("📌") for s in at.subheader) == 1
    at.button(key="show-R-output-binary").click().run()  # still marked after a rerun
    assert "**Two classes: one sigmoid output**" in at.info[0].value
    at = open_page(PAGE, query={"rule": "R-nonsense"}, lang="zh")  # unknown: said, in Chinese
    assert not at.info and not any(s.value.startswith("📌") for s in at.subheader)
    assert "`rule`：R-nonsense 不是可选值之一" in at.warning[0].value


def test_chinese():
    at = open_page(PAGE, lang="zh")
    assert at.title[0].value == "选择规则"
    assert [h.value for h in at.header] == [
        "隐藏层",
        "权重初始化",
        "输出层",
        "损失函数",
        "训练过程",
    ]
    assert [s.value for s in at.subheader] == [
        r.title["zh"] for rules_ in BOOK.by_scope().values() for r in rules_
    ]
    card = keyed_block(at, "rule-R-hidden-relu")
    assert BOOK.rule("R-hidden-relu").why["zh"] in texts(card)
    assert "隐藏层：首选 ReLU" in texts(card)  # G20's summary in Chinese
    assert card.get("button")[0].label == "▶ 演示一下"
