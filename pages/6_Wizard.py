"""Design wizard: the task, the network, what went wrong -> activations and loss to use,
each reason linked to its rule, and a side-by-side check against the tempting alternative."""

from concurrent.futures import BrokenExecutor

import streamlit as st

from core.activations import HIDDEN_ACTIVATIONS
from core.advice import SYMPTOMS, TARGET_RANGES
from core.config import TrainConfig
from core.vocabulary import INITS
from ui import rule_cards as rc
from ui import wizard as wz
from ui.config_ui import activation_label
from ui.frame import page_frame
from ui.i18n import t
from ui.widgets import draw_layers, shown

page_frame("wizard")

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
    wz.show_advice(p, rec)
    wz.offer_comparison(p, rec)
    if st.button(t("wizard.advice.playground"), key="wizard-playground", icon="🧪"):
        wz.open_in_playground(p, rec)
    if p["data"] is not None:
        st.caption(t("wizard.advice.playground_csv"))

wz.navigation(index, ready)
