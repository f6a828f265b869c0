"""The Rules page's rule cards, with their "Show me" runs, and the words both the Rules page
and the Design wizard use to describe rules, runs and symptoms.

All rule text comes from ``data/rules.yaml`` (``core.rules``); this module only lays it
out. Demonstration runs train in the server's process pool and are cached per query
string for every session.
"""

from __future__ import annotations

import math
from concurrent.futures import BrokenExecutor

import streamlit as st

from core import parallel
from core.advice import train_and_measure
from core.charts.compare import small_multiple
from core.charts.run import output_chart
from core.config import MAX_TRAIN_SECONDS, TrainConfig
from core.rules import Rule
from ui.config_ui import activation_label
from ui.i18n import pick, t
from ui.results import final_surface, show_notes

RULES_PAGE = "pages/5_Rules.py"
PLAYGROUND = "pages/1_Playground.py"
SURFACE_SIZE = 260  # pixels
SURFACE_RESOLUTION = 100  # cells per side of the surfaces the worker computes

# --- words -----------------------------------------------------------------------------------


def task_label(task: str) -> str:
    return t(f"rules.task.{task}")


def symptom_label(symptom: str) -> str:
    return t(f"rules.symptom.{symptom}")


def loss_label(loss: str) -> str:
    return t(f"rules.loss_name.{loss}")


def init_label(init: str) -> str:
    return t(f"config.init_name.{init}")


def hidden_label(name: str | None) -> str:
    """An activation's name; None (no hidden layer) says so."""
    return activation_label(name) if name else t("rules.no_hidden")


def anchor(rule_id: str) -> str:
    return rule_id.lower()


def when_text(rule: Rule) -> str:
    w, parts, joiner = rule.when, [], t("rules.or")
    if "tasks" in w:
        parts.append(t("rules.when.tasks", tasks=joiner.join(task_label(x) for x in w["tasks"])))
    if "current_hidden" in w:
        names = [activation_label(n) if n else t("rules.when.unknown") for n in w["current_hidden"]]
        parts.append(t("rules.when.current_hidden", names=joiner.join(names)))
    if "init_matched" in w:
        parts.append(t(f"rules.when.init_matched_{str(w['init_matched']).lower()}"))
    if "target_ranges" in w:
        ranges = joiner.join(t(f"rules.target_range.{x}") for x in w["target_ranges"])
        parts.append(t("rules.when.target_ranges", ranges=ranges))
    for key in ("min_layers", "max_layers", "min_classes", "max_classes"):
        if key in w:
            parts.append(t(f"rules.when.{key}", n=w[key]))
    if rule.evidence_beats:
        parts.append(t("rules.when.evidence", name=activation_label(rule.evidence_beats)))
    if "symptoms" in w:
        parts.append(
            t("rules.when.symptoms", symptoms=joiner.join(symptom_label(s) for s in w["symptoms"]))
        )
    return t("rules.when.joiner").join(parts) if parts else t("rules.when.always")


def recommend_text(rule: Rule) -> str:
    r, parts = rule.recommend, []
    if "hidden" in r:
        parts.append(
            t("rules.slot.hidden", name=activation_label(r["hidden"]))
            if r["hidden"]
            else t("rules.slot.hidden_none")
        )
    if "init" in r:
        parts.append(
            t("rules.slot.init_matched")
            if r["init"] == "matched"
            else t("rules.slot.init", name=init_label(r["init"]))
        )
    if "output" in r:
        parts.append(
            t(
                "rules.slot.output",
                name=activation_label(r["output"]),
                units=t(f"rules.units.{r['units']}"),
            )
        )
    if "loss" in r:
        parts.append(
            t("rules.slot.loss_canonical")
            if r["loss"] == "canonical"
            else t("rules.slot.loss", name=loss_label(r["loss"]))
        )
    parts += [t(f"rules.action.{a}") for a in r.get("actions", ())]
    return "; ".join(parts)


def _value_label(field: str, value: str) -> str:
    if field in ("activation", "output_activation"):
        return activation_label(value)
    if field == "loss":
        return t(f"config.loss_name.{value}")
    if field == "init":
        return init_label(value)
    return value


def _field_label(field: str) -> str:
    return t("rules.layers") if field == "hidden_layers" else t(f"config.{field}")


def differences(mine: dict, other: dict) -> str:
    """The settings where two demo query strings differ, in ``mine``'s values."""
    fields = [f for f in dict.fromkeys([*mine, *other]) if mine.get(f) != other.get(f)]
    defaults = TrainConfig().to_query(only_changed=False)
    return ", ".join(
        f"{_field_label(f)}: {_value_label(f, mine.get(f, defaults[f]))}" for f in fields
    )


# --- runs ------------------------------------------------------------------------------------


def measured_run(config: TrainConfig, dataset=None) -> dict:
    """Train ``config`` in the server's process pool, as every training the app runs for
    a student (in the server's own threads it would stall every other session), and
    measure it there: ``core.advice.train_and_measure``'s run, measurements, symptoms."""
    return parallel.submit(
        train_and_measure, config, dataset, MAX_TRAIN_SECONDS, SURFACE_RESOLUTION
    ).result()


@st.cache_data(show_spinner=False, max_entries=64)
def run_query(items: tuple[tuple[str, str], ...]) -> dict:
    """Train the experiment a query string describes; keep the result and its diagnosis.
    Cached per query string for every session (the result is small: no replay frames)."""
    config, _ = TrainConfig.from_query(dict(items), strict=True)
    return measured_run(config)


def score_text(task: str, score: float) -> str:
    if not math.isfinite(score):
        return "–"
    return f"{score:.3f}" if task == "regression" else f"{score:.1%}"


def facts_text(m) -> str:
    facts = [t("rules.fact.dead", value=f"{m.dead_fraction:.0%}")]
    if math.isfinite(m.gradient_ratio):
        facts.append(t("rules.fact.ratio", value=f"{m.gradient_ratio:.1e}"))
    if m.saturating:
        facts.append(t("rules.fact.flat", value=f"{m.flat_fraction:.0%}"))
    if math.isfinite(m.loss_ratio):
        facts.append(t("rules.fact.loss_ratio", value=f"{m.loss_ratio:.2f}"))
    return ", ".join(facts)


def symptoms_text(symptoms) -> str:
    return "; ".join(symptom_label(s) for s in symptoms) or t("rules.no_symptoms")


def show_run(run: dict, key: str, title: str) -> None:
    result = run["result"]
    values, grid = final_surface(result)
    with st.container(key=key):
        st.altair_chart(
            small_multiple(
                output_chart(
                    values, result.dataset, grid, model=result.model, title=title, size=SURFACE_SIZE
                )
            ),
            theme=None,
            width="content",
        )
    h = result.history
    score = float(h.test_score.iloc[-1]) if len(h) else math.nan
    metric = "r2" if result.dataset.task == "regression" else "accuracy"
    st.markdown(
        t(
            "rules.test_score",
            metric=t(f"rules.metric.{metric}"),
            score=score_text(result.dataset.task, score),
        )
    )
    st.caption(t("rules.measured", facts=facts_text(run["measurements"])))
    st.caption(t("rules.symptoms_found", symptoms=symptoms_text(run["symptoms"])))
    show_notes(result)


# --- the Rules page's cards --------------------------------------------------------------------

SHOWN = "rules.shown"


def rule_card(rule: Rule, highlighted: bool = False) -> None:
    with st.container(border=True, key=f"rule-{rule.id}"):
        st.subheader(("📌 " if highlighted else "") + pick(rule.title), anchor=anchor(rule.id))
        st.caption(f"`{rule.id}` · {t('rules.applies')}: {when_text(rule)}")
        st.markdown(f"**{t('rules.recommends')}:** {recommend_text(rule)}")
        st.markdown(f"**{t('rules.why')}:** {pick(rule.why)}")
        st.markdown(
            f"**{t('rules.guidance_title')}:**\n"
            + "\n".join(f"- **{g}** {t(f'rules.guidance.{g}')}" for g in rule.guidance)
        )
        if rule.alternatives:
            st.caption(
                f"{t('rules.tempting')}: " + " · ".join(pick(a.why) for a in rule.alternatives)
            )
        if rule.demo is None:
            st.caption(t("rules.no_demo"))
            return
        left, right = st.columns([1, 2], vertical_alignment="center")
        shown = st.session_state.setdefault(SHOWN, set())
        if left.button(t("rules.show_me"), key=f"show-{rule.id}", help=t("rules.show_me_help")):
            shown.add(rule.id)
        right.page_link(
            PLAYGROUND, label=t("rules.playground"), icon="🧪", query_params=dict(rule.demo)
        )
        if rule.id in shown:
            _show_demo(rule)


def _show_demo(rule: Rule) -> None:
    if rule.demo is None:  # the card says no built-in data set shows it
        return
    runs = [("demo", dict(rule.demo), dict(rule.contrast or {}))]
    if rule.contrast is not None:
        runs.append(("contrast", dict(rule.contrast), dict(rule.demo)))
    try:
        with st.spinner(t("rules.running")):
            done = [
                (kind, query, other, run_query(tuple(sorted(query.items()))))
                for kind, query, other in runs
            ]
    except (ValueError, BrokenExecutor) as err:  # BrokenExecutor: a worker died
        st.error(t("rules.failed", error=str(err)))
        return
    cols = st.columns(len(done))
    for col, (kind, query, other, run) in zip(cols, done):
        with col:
            st.markdown(f"**{t(f'rules.{kind}_label')}**")
            if other:
                st.caption(differences(query, other))
            show_run(run, f"demo-{rule.id}-{kind}", "")
