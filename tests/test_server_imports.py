"""The web server never loads scikit-learn or SciPy (issue 15: about 80 MB per server).

Workers train and compute; the server keeps plain arrays and draws. This walks every
page and the actions that compute something (train, replay, a unit's details, the code,
continue, the report, an uploaded CSV, Compare, a rule's demo, the wizard's check and
its CSV route, a lesson, the explorer's slider, the Chinese interface) under AppTest in
a fresh interpreter, which is the server's process here, and then looks at what that
interpreter imported. Its workers are other processes and may import what they like.
When a step loads either package, the failure names the step and the import's stack.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHED = ("sklearn", "scipy")


def walk() -> None:
    """Run as ``python -m tests.test_server_imports``: every step, then a JSON report."""
    import traceback

    first: dict[str, str] = {}
    step = ["start"]

    class Spy:  # a meta-path finder that only watches: notes who imports what first
        def find_spec(self, name, path=None, target=None):
            top = name.split(".")[0]
            if top in WATCHED and top not in first:
                ours = [
                    frame
                    for frame in traceback.extract_stack()
                    if frame.filename.startswith(str(ROOT)) and ".venv" not in frame.filename
                ]
                first[top] = f"step {step[0]!r}:\n" + "".join(traceback.format_list(ours))
            return None

    sys.meta_path.insert(0, Spy())
    import streamlit as st

    from core import parallel
    from tests.apptest_utils import open_page, shown_code

    def ok(at):
        assert not at.exception, (step[0], [e.value for e in at.exception])
        return at

    def do(name, action):
        step[0] = name
        return ok(action())

    quick = {"n_samples": "200", "epochs": "20"}
    for page in (
        "app.py",
        "pages/2_Compare.py",
        "pages/3_Activation_explorer.py",
        "pages/4_Gradient_flow.py",
        "pages/5_Rules.py",
        "pages/7_Lessons.py",
        "pages/8_Evidence.py",
    ):
        do(f"open {page}", lambda page=page: open_page(page))

    at = do("open the Playground", lambda: open_page("pages/1_Playground.py", query=quick))
    do("train", lambda: at.button(key="train").click().run())
    first_epoch = at.select_slider(key="replay").options[0]
    do("replay", lambda: at.select_slider(key="replay").set_value(int(first_epoch)).run())
    do("pick a unit", lambda: at.selectbox(key="neuron_unit").select("1/1").run())
    step[0] = "show the code"
    assert shown_code(at)
    epochs = len(at.session_state["result"].history)
    do("continue", lambda: at.button(key="continue").click().run())
    assert len(at.session_state["result"].history) > epochs
    step[0] = "build the report"
    from ui.takeaway import build_report

    report = build_report(
        at.session_state["result"], lang="en", context=dict(notes=[], settings=[], link=None)
    )
    assert "<html" in report
    do("Chinese", lambda: at.radio(key="lang_choice").set_value("zh").run())

    at = do("CSV mode", lambda: open_page("pages/1_Playground.py", query={"epochs": "20"}))
    do("CSV mode", lambda: at.radio(key="w.upload.mode").set_value("csv").run())
    do("a sample CSV", lambda: at.button(key="upload.sample.fruit").click().run())
    do("train on the CSV", lambda: at.button(key="train").click().run())
    assert at.session_state["result"].dataset.name == "fruit.csv"

    at = do("Compare", lambda: open_page("pages/2_Compare.py", query=quick))
    do("variants", lambda: at.multiselect(key="w.compare.hidden").set_value(["relu", "tanh"]).run())
    do("run a comparison", lambda: at.button(key="compare-run").click().run())
    assert len(at.session_state["compare.result"][1].runs) == 6  # two variants, three seeds

    at = do("Explorer", lambda: open_page("pages/3_Activation_explorer.py"))
    do("move x", lambda: at.slider(key="ex.x").set_value(2.5).run())

    at = do("Rules", lambda: open_page("pages/5_Rules.py"))
    do("a rule's demo", lambda: at.button(key="show-R-output-regression").click().run())
    assert at.get("vega_lite_chart")  # the demo's surfaces

    st.cache_data.clear()
    at = do("Wizard", lambda: open_page("pages/6_Wizard.py"))
    do("wizard: next", lambda: at.button(key="wizard-next").click().run())
    do("wizard: next", lambda: at.button(key="wizard-next").click().run())
    do("wizard: the check", lambda: at.button(key="wizard-check-run").click().run())
    assert at.session_state["wizard.check"]["run"]["measurements"]
    do("wizard: next", lambda: at.button(key="wizard-next").click().run())
    at = do("Wizard, CSV", lambda: open_page("pages/6_Wizard.py"))
    do("wizard: CSV route", lambda: at.radio(key="w.wizard.task").set_value("csv").run())
    do("wizard: a sample", lambda: at.button(key="wizard.sample.fruit").click().run())

    at = do("Lessons", lambda: open_page("pages/7_Lessons.py"))
    do("run a lesson", lambda: at.button(key="run").click().run())
    assert at.session_state["lessons.results"]

    parallel.shutdown()
    step[0] = "done"
    loaded = sorted({m.split(".")[0] for m in sys.modules} & set(WATCHED))
    print(json.dumps(dict(loaded=loaded, first=first)))


def test_no_page_or_action_loads_scikit_learn_or_scipy_in_the_server():
    done = subprocess.run(
        [sys.executable, "-m", "tests.test_server_imports"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = [line for line in done.stderr.splitlines() if "ScriptRunContext" not in line]
    assert done.returncode == 0, "\n".join(errors[-40:])
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == [], "\n\n".join(report["first"].values())


if __name__ == "__main__":
    walk()
