"""Streamlit helpers of the advice layer: the Rules page's rule cards with their "Show me"
runs, and the Design wizard's state, CSV step, quick check and comparison.

All rule text comes from ``data/rules.yaml`` (``core.rules``); the decisions come from
``core.advice``; this module only lays them out. Wizard answers live under non-widget
session keys (``wizard.*``), so they survive a visit to another page.
"""

from __future__ import annotations

import hashlib
import math
from concurrent.futures import BrokenExecutor

import pandas as pd
import streamlit as st

from core import compare as cmp
from core import parallel
from core.activations import HIDDEN_ACTIVATIONS
from core.advice import Recommendation, measure, recommend, symptoms_from
from core.charts.compare import small_multiple
from core.charts.run import output_chart
from core.config import MAX_TRAIN_SECONDS, TrainConfig
from core.csv_data import CSVError, build_dataset, infer_task
from core.datasets import MAX_CLASSES
from core.rules import Rule
from core.vocabulary import STAND_IN, TASKS
from ui import state, upload
from ui.config_ui import activation_label, set_config
from ui.i18n import current_language, pick, t
from ui.results import final_surface, show_notes

RULES_PAGE = "pages/5_Rules.py"
PLAYGROUND = "pages/1_Playground.py"
SURFACE_SIZE = 260

# --- words -----------------------------------------------------------------------------------


def task_label(task: str) -> str:
    return t(f"rules.task.{task}")


def symptom_label(symptom: str) -> str:
    return t(f"rules.symptom.{symptom}")


def loss_label(loss: str) -> str:
    return t(f"rules.loss_name.{loss}")


def anchor(rule_id: str) -> str:
    return rule_id.lower()


def when_text(rule: Rule) -> str:
    w, parts, joiner = rule.when, [], t("rules.or")
    if "tasks" in w:
        parts.append(t("rules.when.tasks", tasks=joiner.join(task_label(x) for x in w["tasks"])))
    if "current_hidden" in w:
        names = [activation_label(n) if n else t("rules.when.unknown") for n in w["current_hidden"]]
        parts.append(t("rules.when.current_hidden", names=joiner.join(names)))
    for key in ("min_layers", "min_classes", "max_classes"):
        if key in w:
            parts.append(t(f"rules.when.{key}", n=w[key]))
    if "symptoms" in w:
        parts.append(
            t("rules.when.symptoms", symptoms=joiner.join(symptom_label(s) for s in w["symptoms"]))
        )
    return t("rules.when.joiner").join(parts) if parts else t("rules.when.always")


def recommend_text(rule: Rule) -> str:
    r, parts = rule.recommend, []
    if "hidden" in r:
        parts.append(t("rules.slot.hidden", name=activation_label(r["hidden"])))
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


def _train_in_worker(config: TrainConfig, dataset=None):
    """One training in the server's process pool, as every training the app runs for a
    student: in the server's own threads it would stall every other session meanwhile."""
    # No replay here: two-pixel frames keep each cached result small.
    return parallel.submit_training(
        config, dataset, time_budget=MAX_TRAIN_SECONDS, snapshot_resolution=2
    ).result()


@st.cache_data(show_spinner=False, max_entries=64)
def run_query(items: tuple[tuple[str, str], ...]) -> dict:
    """Train the experiment a query string describes; keep the result and its diagnosis.
    Cached per query string for every session (the result is small: no replay frames)."""
    config, _ = TrainConfig.from_query(dict(items), strict=True)
    result = _train_in_worker(config)
    m = measure(result)
    return dict(result=result, measurements=m, symptoms=symptoms_from(m))


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


# --- the wizard's state ------------------------------------------------------------------------

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
    with st.container(horizontal=True, wrap=True):
        for name in upload.SAMPLES:
            st.button(
                t(f"upload.sample.{name}"),
                key=f"wizard.sample.{name}",
                on_click=_on_sample,
                args=(name,),
                icon="📄",
            )
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
    return dict(
        task=task,
        n_classes=n_classes,
        depth=int(a["depth"]),
        width=int(a["width"]),
        current=current,
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
    )


# --- step 3: the quick check -------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def _check(items: tuple, data_key: str | None, _data) -> dict:
    config, _ = TrainConfig.from_query(dict(items), strict=True)
    result = _train_in_worker(config, _data)
    m = measure(result)
    return dict(result=result, measurements=m, symptoms=symptoms_from(m))


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
    bar = st.progress(0.0, text=_text)
    try:
        return cmp.compare(
            config,
            [cmp.Variant.from_id(v) for v in variants],
            SEEDS,
            lambda done, n: bar.progress(done / n, _text),
            dataset=_data,
            time_budget=MAX_TRAIN_SECONDS / 3,
            in_workers=True,
        )
    finally:
        bar.empty()


def variant_of(hidden: str, output: str, loss: str) -> cmp.Variant:
    return cmp.Variant(hidden, output, loss)


def _comparison_key(p: dict, rec: Recommendation, alt_index: int) -> tuple:
    alt = rec.alternatives[alt_index]
    base = base_config(p, **QUICK)
    variants = (
        variant_of(rec.hidden_activation, rec.output_activation, rec.loss).id,
        variant_of(alt.hidden_activation, alt.output_activation, alt.loss).id,
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


def design_label(hidden: str, output: str, loss: str) -> str:
    return t(
        "wizard.design",
        hidden=activation_label(hidden),
        output=activation_label(output),
        loss=loss_label(loss),
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
                    design_label(variant.activation, variant.output_activation, variant.loss)
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
                        mean=cmp.format_score(row.test_mean, result.task),
                        spread=cmp.format_spread(row.test_std, result.task),
                        low=cmp.format_score(row.test_min, result.task),
                        high=cmp.format_score(row.test_max, result.task),
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
