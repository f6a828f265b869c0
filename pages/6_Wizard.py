"""Design wizard: the task, the network, what went wrong -> activations and loss to use,
each reason linked to its rule, and a side-by-side check against the tempting alternative."""

from concurrent.futures import BrokenExecutor

import streamlit as st

from core.activations import HIDDEN_ACTIVATIONS
from core.advice import SYMPTOMS, TARGET_RANGES
from core.config import TrainConfig
from core.mlp import INITS
from core.rules import get_rule
from ui import rule_cards as rc
from ui import wizard as wz
from ui.config_ui import activation_label
from ui.frame import page_frame
from ui.i18n import current_language, pick, t
from ui.widgets import draw_layers, shown

page_frame("wizard")
st.title(t("wizard.title"))
st.caption(t("wizard.intro"))

a, index = wz.answers(), wz.step()
st.progress(
    (index + 1) / len(wz.STEPS),
    text=t(
        "wizard.step_of",
        n=index + 1,
        total=len(wz.STEPS),
        name=t(f"wizard.steps.{wz.STEPS[index]}"),
    ),
)
ready = True
# Labels are fixed here, not in a lambda: a format function may run after the script.
label = {c: t(f"wizard.task.{c}") for c in wz.TASK_CHOICES}
label |= {"unknown": t("wizard.network.unknown")} | {
    n: activation_label(n) for n in HIDDEN_ACTIVATIONS
}
label |= {s: rc.symptom_label(s) for s in SYMPTOMS}
label |= {i: rc.init_label(i) for i in INITS}
ranges = {r: t(f"rules.target_range.{r}") for r in TARGET_RANGES}

if index == 0:
    st.radio(
        t("wizard.task.question"), wz.TASK_CHOICES, format_func=label.__getitem__, **wz.kept("task")
    )
    if a["task"] == "multiclass":
        st.number_input(
            t("wizard.task.n_classes"),
            2,
            100,
            help=t("wizard.task.n_classes_help"),
            **wz.kept("n_classes"),
        )
    elif a["task"] == "multilabel":
        st.number_input(
            t("wizard.task.n_labels"),
            2,
            100,
            help=t("wizard.task.n_labels_help"),
            **wz.kept("n_labels"),
        )
    elif a["task"] == "regression":
        st.radio(
            t("wizard.task.target_range"),
            TARGET_RANGES,
            format_func=ranges.__getitem__,
            help=t("wizard.task.target_range_help"),
            **wz.kept("target_range"),
        )
    elif a["task"] == "csv":
        ready = wz.csv_step()
        p = wz.problem()
        if ready and p["task"] == "regression":
            st.caption(
                t(
                    "wizard.task.target_range_from_csv",
                    range=ranges[p["target_range"]],
                )
            )

elif index == 1:
    network = TrainConfig(hidden_layers=(int(a["width"]),) * int(a["depth"]))
    draw_layers(
        shown(network, "hidden_layers"),
        depth=wz.kept("depth"),
        width=wz.kept("width"),
        min_depth=1,  # the wizard advises on hidden activations: at least one layer
    )
    st.selectbox(
        t("wizard.network.current"),
        ("unknown",) + shown(network, "activation").options,
        format_func=label.__getitem__,
        help=t("wizard.network.current_help"),
        **wz.kept("current"),
    )
    st.selectbox(
        t("wizard.network.current_init"),
        ("unknown", *INITS),
        format_func=label.__getitem__,
        help=t("wizard.network.current_init_help"),
        **wz.kept("current_init"),
    )

elif index == 2:
    p = wz.problem()
    st.markdown(t("wizard.symptoms.question"))
    if st.button(
        t("wizard.symptoms.check"), key="wizard-check-run", help=t("wizard.symptoms.check_help")
    ):
        try:
            with st.spinner(t("wizard.symptoms.checking")):
                wz.quick_check(p)
        except (ValueError, BrokenExecutor) as err:  # BrokenExecutor: a worker died
            st.error(t("wizard.error", error=str(err)))
    wz.show_check()
    st.multiselect(
        t("wizard.symptoms.observed"),
        SYMPTOMS,
        format_func=label.__getitem__,
        placeholder=t("wizard.symptoms.none"),
        help=t("wizard.symptoms.help"),
        **wz.kept("symptoms"),
    )

else:
    p = wz.problem()
    try:
        rec = wz.advice(p)
    except ValueError as err:
        st.error(t("wizard.error", error=str(err)))
        st.stop()
    st.caption(
        t(
            "wizard.summary",
            task=rc.task_label(p["task"]),
            layers=p["depth"],
            width=p["width"],
            current=activation_label(p["current"])
            if p["current"]
            else t("wizard.network.undecided"),
            symptoms=rc.symptoms_text(p["symptoms"]),
        )
    )
    with st.container(key="wizard-advice", border=True):
        cols = st.columns(4)
        cols[0].metric(t("wizard.advice.hidden"), rc.hidden_label(rec.hidden_activation))
        cols[3].metric(t("wizard.advice.init"), rc.init_label(rec.init))
        cols[1].metric(
            t("wizard.advice.output"),
            activation_label(rec.output_activation),
            help=t(f"rules.units.{rec.output_units}"),
        )
        cols[2].metric(
            t("wizard.advice.loss"), t(f"rules.loss_short.{rec.loss}"), help=rc.loss_label(rec.loss)
        )
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
                rc.RULES_PAGE,
                label=t("wizard.advice.rule_link", id=rule_id),
                icon="📜",
                query_params={"rule": rule_id},
            )

    st.subheader(t("wizard.compare.title"))
    if rec.alternatives:
        options = [
            wz.design_label(x.hidden_activation, x.output_activation, x.loss, x.init)
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
        st.caption(t("wizard.compare.help", seeds=len(wz.SEEDS)))
        if st.button(t("wizard.compare.run"), type="primary", key="wizard-compare"):
            try:
                wz.run_comparison(p, rec, choice)
            except (ValueError, BrokenExecutor) as err:  # BrokenExecutor: a worker died
                st.error(t("wizard.error", error=str(err)))
        wz.show_comparison(p, rec, choice)
    if st.button(t("wizard.advice.playground"), key="wizard-playground", icon="🧪"):
        wz.open_in_playground(p, rec)
    if p["data"] is not None:
        st.caption(t("wizard.advice.playground_csv"))

nav = st.columns([1, 1, 4])
nav[0].button(
    t("wizard.back"),
    key="wizard-back",
    on_click=wz.go,
    args=(-1,),
    disabled=index == 0,
    width="stretch",
)
if index < len(wz.STEPS) - 1:
    nav[1].button(
        t("wizard.next"),
        key="wizard-next",
        on_click=wz.go,
        args=(1,),
        type="primary",
        disabled=not ready,
        width="stretch",
    )
else:
    nav[1].button(t("wizard.restart"), key="wizard-restart", on_click=wz.restart, width="stretch")
