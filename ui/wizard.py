"""Streamlit helpers of the advice layer: the Rules page's rule cards with their "Show me"
runs, and the Design wizard's state, CSV step, quick check and comparison.

All rule text comes from ``data/rules.yaml`` (``core.rules``); the decisions come from
``core.advice``; this module only lays them out. Wizard answers live under non-widget
session keys (``wizard.*``), so they survive a visit to another page.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import BrokenExecutor

import pandas as pd
import streamlit as st

from core import compare as cmp
from core.activations import HIDDEN_ACTIVATIONS
from core.advice import Recommendation, recommend, target_range_of
from core.charts.compare import small_multiple
from core.charts.run import output_chart
from core.config import MAX_TRAIN_SECONDS, TrainConfig
from core.csv_data import CSVError, build_dataset, infer_task
from core.datasets import MAX_CLASSES
from core.formatting import score_text
from core.rules import get_rule
from core.vocabulary import STAND_IN, TASKS
from ui import state, upload
from ui.compare_ui import compare_with_progress
from ui.config_ui import activation_label, set_config
from ui.frame import step_button
from ui.i18n import current_language, pick, t
from ui.rule_cards import (
    PLAYGROUND,
    RULES_PAGE,
    SURFACE_SIZE,
    facts_text,
    hidden_label,
    init_label,
    loss_label,
    measured_run,
    symptoms_text,
    task_label,
)

STEP, ANSWERS, CHECK, COMPARISON = (
    "wizard.step",
    "wizard.answers",
    "wizard.check",
    "wizard.comparison",
)
STEPS = ("task", "network", "symptoms", "advice")
TASK_CHOICES = TASKS + ("csv",)
CURRENT_CHOICES = ("unknown",) + HIDDEN_ACTIVATIONS
DEFAULTS = dict(
    task="binary",
    n_classes=3,
    n_labels=3,
    depth=2,
    width=16,
    current="unknown",
    current_init="unknown",
    target_range="any",
    symptoms=[],
    mode="observed",
)
QUICK = dict(n_samples=300, epochs=150)  # the quick check's and the comparison's runs
SEEDS = (0, 1, 2)


def answers() -> dict:
    stored = st.session_state.setdefault(ANSWERS, {})
    for key, value in DEFAULTS.items():
        stored.setdefault(key, value)
    return stored


def kept(name: str) -> dict:
    """Widget kwargs for an answer: its value lives in the answers, which outlive the
    page (widget state does not)."""
    return state.kept(f"w.wizard.{name}", DEFAULTS[name], store=answers(), name=name)


def step() -> int:
    return st.session_state.setdefault(STEP, 0)


def go(delta: int) -> None:
    st.session_state[STEP] = max(0, min(step() + delta, len(STEPS) - 1))


def restart() -> None:
    for key in (STEP, ANSWERS, CHECK, COMPARISON):
        st.session_state.pop(key, None)


# --- step 1: the user's own data ---------------------------------------------------------------


def _on_file() -> None:
    uploaded = st.session_state.get("w.wizard.file")
    if uploaded is not None:
        upload.use_bytes(uploaded.getvalue(), uploaded.name)


def _on_sample(name: str) -> None:
    upload.use_bytes(
        (upload.SAMPLES_DIR / f"{name}.csv").read_bytes(), f"{name}.csv", kind="sample"
    )


def _on_target() -> None:
    target = st.session_state.get("w.wizard.target")
    current = upload.choice_for([target])  # None: a report from an earlier file's widget
    if current is not None:
        frame, choice = current
        st.session_state[upload.CHOICE] = upload.fix_choice(
            frame, dict(choice, target=target), refill=True
        )


def csv_step() -> bool:
    """The upload, sample buttons and target choice; True when the data are usable. The
    CSV is the session's CSV, shared with the Playground (ui.upload)."""
    st.file_uploader(
        t("wizard.csv.file"),
        type=["csv", "tsv", "txt"],
        key="w.wizard.file",
        on_change=_on_file,
        max_upload_size=upload.MAX_UPLOAD_MB,
    )
    upload.sample_buttons("wizard", _on_sample)
    return csv_data(show=True) is not None


def csv_data(show: bool = False):
    """The session CSV as a ``Dataset`` (None if there is none or it is unusable); with
    ``show``, draw the target choice, the inferred task and any error."""
    parsed = st.session_state.get(upload.PARSED)
    if parsed is None:
        if show:
            st.info(t("wizard.csv.waiting"))
        return None
    if parsed["error"] is not None:
        if show:
            st.error(
                t("wizard.csv.error", name=parsed["name"], error=upload.error_text(parsed["error"]))
            )
        return None
    frame = parsed["frame"]
    choice = upload.fix_choice(
        frame, st.session_state.get(upload.CHOICE) or upload.default_choice(frame)
    )
    st.session_state[upload.CHOICE] = choice
    if show:
        st.caption(
            t("wizard.csv.loaded", name=parsed["name"], rows=len(frame), columns=frame.shape[1])
        )
        st.session_state["w.wizard.target"] = choice["target"]
        st.selectbox(
            t("wizard.csv.target"),
            list(frame.columns),
            key="w.wizard.target",
            on_change=_on_target,
            help=t("wizard.csv.target_help"),
        )
    try:
        task, reason = infer_task(frame[choice["target"]])
        data, _ = build_dataset(
            frame,
            target=choice["target"],
            features=choice["features"],
            plane=choice["plane"] if len(choice["features"]) > 1 else None,
            name=parsed["name"],
        )
    except (CSVError, KeyError) as err:
        if show:
            st.error(upload.error_text(err) if isinstance(err, CSVError) else str(err))
        return None
    if show:
        st.success(
            t(
                "wizard.csv.task",
                task=task_label(task),
                reason=upload.reason_text(reason),
                features=", ".join(choice["features"]),
            )
        )
    return data


def _csv_key(data) -> str:
    digest = hashlib.sha1(pd.util.hash_pandas_object(pd.DataFrame(data.X)).values.tobytes())
    digest.update(repr(data.y.tolist()).encode())
    return f"csv:{data.name}:{digest.hexdigest()[:16]}"


# --- the problem the answers describe ----------------------------------------------------------


def problem() -> dict:
    """task, n_classes, depth, width, current (None: not decided), data (CSV or None)."""
    a = answers()
    data = csv_data() if a["task"] == "csv" else None
    if a["task"] == "csv":
        task = data.task if data is not None else "binary"
        n_classes = data.n_classes if data is not None and task != "regression" else None
    else:
        task = a["task"]
        n_classes = {"binary": 2, "multiclass": a["n_classes"], "multilabel": a["n_labels"]}.get(
            task
        )
    current = None if a["current"] == "unknown" else a["current"]
    current_init = None if a["current_init"] == "unknown" else a["current_init"]
    if task != "regression":
        target_range = "any"
    elif data is not None:
        target_range = target_range_of(data.y_train)
    else:
        target_range = a["target_range"]
    return dict(
        task=task,
        n_classes=n_classes,
        depth=int(a["depth"]),
        width=int(a["width"]),
        current=current,
        current_init=current_init,
        target_range=target_range,
        data=data,
        symptoms=tuple(a["symptoms"]),
    )


def base_config(p: dict, **sizes) -> TrainConfig:
    """A built-in experiment of the problem's task with the user's network (multi-label:
    one label of it, a binary set; more classes than the built-in data have: the most)."""
    name = STAND_IN[p["task"]]
    classes = min(max(p["n_classes"] or 3, 2), MAX_CLASSES) if name == "blobs" else None
    return TrainConfig(
        dataset=name,
        n_classes=classes,
        hidden_layers=(p["width"],) * p["depth"],
        activation=p["current"] or "relu",
        **sizes,
    )


def advice(p: dict) -> Recommendation:
    return recommend(
        p["task"],
        n_classes=p["n_classes"],
        n_hidden_layers=p["depth"],
        current_hidden=p["current"],
        symptoms=p["symptoms"],
        target_range=p["target_range"],
        current_init=p["current_init"],
    )


# --- step 3: the quick check -------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def _check(items: tuple, data_key: str | None, _data) -> dict:
    config, _ = TrainConfig.from_query(dict(items), strict=True)
    return measured_run(config, _data)


def quick_check(p: dict) -> dict:
    config = base_config(p, **QUICK)
    data = p["data"]
    run = _check(tuple(sorted(config.to_query().items())), _csv_key(data) if data else None, data)
    answers()["symptoms"] = list(run["symptoms"])
    st.session_state[CHECK] = dict(config=config, run=run)
    return run


def show_check() -> None:
    check = st.session_state.get(CHECK)
    if check is None:
        return
    config, run = check["config"], check["run"]
    data = (
        t(f"common.dataset.{config.dataset}") if not problem()["data"] else problem()["data"].name
    )
    with st.container(border=True, key="wizard-check"):
        st.markdown(
            t(
                "wizard.check.done",
                data=data,
                epochs=len(run["result"].history),
                layers=len(config.hidden_layers),
                width=config.hidden_layers[0],
                activation=activation_label(config.activation),
            )
        )
        st.caption(t("rules.measured", facts=facts_text(run["measurements"])))
        st.markdown(t("wizard.check.found", symptoms=symptoms_text(run["symptoms"])))


# --- step 4: the comparison --------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _compare(items: tuple, variants: tuple[str, ...], data_key: str | None, _data, _text: str):
    config, _ = TrainConfig.from_query(dict(items), strict=True)
    return compare_with_progress(
        config, variants, SEEDS, _text, time_budget=MAX_TRAIN_SECONDS / 3, dataset=_data
    )


def variant_of(hidden: str | None, output: str, loss: str, init: str = "auto") -> cmp.Variant:
    return cmp.Variant(hidden, output, loss, init)


def _comparison_key(
    p: dict, rec: Recommendation, alt_index: int
) -> tuple[tuple, tuple[str, str], str | None]:
    alt = rec.alternatives[alt_index]
    base = base_config(p, **QUICK)
    variants = (
        variant_of(rec.hidden_activation, rec.output_activation, rec.loss, rec.init).id,
        variant_of(alt.hidden_activation, alt.output_activation, alt.loss, alt.init).id,
    )
    data = p["data"]
    return tuple(sorted(base.to_query().items())), variants, _csv_key(data) if data else None


def run_comparison(p: dict, rec: Recommendation, alt_index: int) -> None:
    key = _comparison_key(p, rec, alt_index)
    result = _compare(*key, p["data"], _text=t("wizard.compare.running"))
    st.session_state[COMPARISON] = dict(key=key, result=result, alt=alt_index)


def open_in_playground(p: dict, rec: Recommendation) -> None:
    """Make the recommendation this session's Playground experiment (with the CSV, if the
    answers used one) and go there."""
    set_config(rec.apply(base_config(p)))
    if p["data"] is not None:
        st.session_state[upload.MODE] = "csv"
    st.switch_page(PLAYGROUND)


def design_label(hidden: str | None, output: str, loss: str, init: str = "auto") -> str:
    return t(
        "wizard.design",
        hidden=hidden_label(hidden),
        output=activation_label(output),
        loss=loss_label(loss),
        init=init_label(init),
    )


def show_comparison(p: dict, rec: Recommendation, alt_index: int) -> None:
    """The last comparison, if it is still the one the current answers ask for."""
    stored = st.session_state.get(COMPARISON)
    if stored is None or stored["key"] != _comparison_key(p, rec, alt_index):
        return
    result = stored["result"]
    summary = cmp.summarise(result)
    alt = rec.alternatives[alt_index]
    titles = (t("wizard.compare.recommended"), t("wizard.compare.alternative"))
    rows = [summary.loc[v.id] for v in result.variants]
    with st.container(key="wizard-comparison", border=True):
        cols = st.columns(len(result.variants))
        for i, (col, variant, row) in enumerate(zip(cols, result.variants, rows)):
            values, grid, model = result.surface(variant)
            with col:
                st.markdown(f"**{titles[i]}**")
                st.caption(
                    design_label(
                        variant.activation,
                        variant.output_activation,
                        variant.loss,
                        variant.init or "auto",
                    )
                )
                with st.container(key=f"wizard-surface-{i}"):
                    st.altair_chart(
                        small_multiple(
                            output_chart(
                                values, result.dataset, grid, model=model, size=SURFACE_SIZE
                            )
                        ),
                        theme=None,
                        width="content",
                    )
                st.markdown(
                    t(
                        "wizard.compare.score",
                        mean=score_text(row.test_mean, result.task),
                        spread=score_text(row.test_std, result.task),
                        low=score_text(row.test_min, result.task),
                        high=score_text(row.test_max, result.task),
                        seeds=len(result.seeds),
                    )
                )
        best, other = rows
        if best.test_min > other.test_max:
            verdict = "better"
        elif best.test_max < other.test_min:
            verdict = "worse"
        else:
            verdict = "tied"
        st.markdown(t(f"wizard.compare.verdict.{verdict}", seeds=len(result.seeds)))
        st.caption(t("wizard.compare.why_alt", why=alt.why_in(current_language())))


# --- step 4: the advice and the comparison on the page ---------------------------------------


def show_advice(p: dict, rec: Recommendation) -> None:
    """The answers in one line, the recommended design with its output units and extra
    actions, the logits note for classification, and each reason linked to its rule."""
    st.caption(
        t(
            "wizard.summary",
            task=task_label(p["task"]),
            layers=p["depth"],
            width=p["width"],
            current=activation_label(p["current"])
            if p["current"]
            else t("wizard.network.undecided"),
            symptoms=symptoms_text(p["symptoms"]),
        )
    )
    with st.container(key="wizard-advice", border=True):
        # Two by two: an initialisation's name ("He / Kaiming normal") is cut short in a
        # quarter of the width.
        top, bottom = st.columns(2), st.columns(2)
        top[0].metric(t("wizard.advice.hidden"), hidden_label(rec.hidden_activation))
        top[1].metric(
            t("wizard.advice.output"),
            activation_label(rec.output_activation),
            help=t(f"rules.units.{rec.output_units}"),
        )
        bottom[0].metric(
            t("wizard.advice.loss"), t(f"rules.loss_short.{rec.loss}"), help=loss_label(rec.loss)
        )
        bottom[1].metric(t("wizard.advice.init"), init_label(rec.init))
        st.caption(t("wizard.advice.units", units=t(f"rules.units.{rec.output_units}")))
        for action in rec.actions:
            st.warning(t("wizard.advice.action", action=t(f"rules.action.{action}")), icon="🛠️")
        if p["task"] != "regression":
            st.info(t("wizard.advice.logits"), icon="🔗")
    st.subheader(t("wizard.advice.reasons"))
    for rule_id, reason in zip(rec.rules, rec.reasons_in(current_language())):
        with st.container(key=f"reason-{rule_id}"):
            st.markdown(f"**{pick(get_rule(rule_id).title)}** — {reason}")
            st.page_link(
                RULES_PAGE,
                label=t("wizard.advice.rule_link", id=rule_id),
                icon="📜",
                query_params={"rule": rule_id},
            )


def offer_comparison(p: dict, rec: Recommendation) -> None:
    """The tempting alternatives to compare against, the button, and the last result."""
    st.subheader(t("wizard.compare.title"))
    if rec.alternatives:
        options = [
            design_label(x.hidden_activation, x.output_activation, x.loss, x.init)
            + " — "
            + x.why_in(current_language())
            for x in rec.alternatives
        ]
        choice = st.selectbox(
            t("wizard.compare.against"),
            range(len(options)),
            format_func=options.__getitem__,
            key="w.wizard.alternative",
        )
        st.caption(t("wizard.compare.help", seeds=len(SEEDS)))
        if st.button(t("wizard.compare.run"), type="primary", key="wizard-compare"):
            try:
                run_comparison(p, rec, choice)
            except (ValueError, BrokenExecutor) as err:  # BrokenExecutor: a worker died
                st.error(t("wizard.error", error=str(err)))
        show_comparison(p, rec, choice)


def navigation(index: int, ready: bool) -> None:
    """Back, and Next (or Start over on the last step); Next waits until ``ready``."""
    nav = st.columns([1, 1, 4])
    step_button(nav[0], t("wizard.back"), "wizard-back", go, -1, disabled=index == 0)
    if index < len(STEPS) - 1:
        next_label = t("wizard.next")
        step_button(nav[1], next_label, "wizard-next", go, 1, type="primary", disabled=not ready)
    else:
        nav[1].button(t("wizard.restart"), key="wizard-restart", on_click=restart, width="stretch")
