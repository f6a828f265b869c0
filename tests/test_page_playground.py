"""The Playground page under AppTest: default render, training, URL round trip,
bad URL values, non-standard pairings, replay, and settings surviving page switches."""

import dataclasses

import pytest

from core.config import MAX_HIDDEN_LAYERS, MAX_UNITS, ConfigError, TrainConfig, _format
from core.snippet import code_snippet
from tests.apptest_utils import chart_in, layer_rows, mark_types, open_page, shown_code

PAGE = "pages/1_Playground.py"
QUICK = {"n_samples": "200", "epochs": "40"}


def test_default_render_asks_for_training():
    at = open_page(PAGE)
    assert at.button(key="train")
    assert not at.get("vega_lite_chart")
    assert any("Train" in i.value for i in at.info)


def test_training_draws_surface_curves_and_metrics():
    at = open_page(PAGE, query=QUICK)
    at.button(key="train").click().run()
    assert not at.exception
    surface = chart_in(at, "surface")
    assert mark_types(surface)[0] == "image"  # one image layer, not a rect per cell
    assert layer_rows(surface)[0]["url"].startswith("data:image/png;base64,")
    assert mark_types(chart_in(at, "loss-chart")) == ["line"]
    assert at.metric[0].label == "Test accuracy"
    assert float(at.metric[0].value.rstrip("%")) > 70


def test_url_config_is_applied_and_written_back():
    query = {"dataset": "xor", "activation": "tanh", "hidden_layers": "8,4", "epochs": "30"}
    at = open_page(PAGE, query=query)
    config = at.session_state["config"]
    assert config == TrainConfig(dataset="xor", activation="tanh", hidden_layers=(8, 4), epochs=30)
    assert {
        k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
        for k in query
    } == query
    assert at.selectbox(key="w.activation").value == "tanh"


def test_selu_with_lecun_init_from_a_link_trains_and_shows_in_code():
    query = {**QUICK, "activation": "selu", "init": "lecun_normal"}
    at = open_page(PAGE, query=query)
    assert at.selectbox(key="w.activation").value == "selu"
    assert at.selectbox(key="w.init").value == "lecun_normal"
    assert "LeCun normal" in at.selectbox(key="w.init").options
    assert not [c for c in at.code if c.language == "python"]  # closed: not written
    assert "init='lecun_normal'" in " ".join(shown_code(at))
    at.selectbox(key="w.init").set_value("he_normal").run()
    assert at.session_state["config"].init == "he_normal"
    assert at.query_params["init"] in ("he_normal", ["he_normal"])
    at.button(key="train").click().run()
    assert not at.exception
    assert at.session_state["config"].init == "he_normal"
    assert float(at.metric[0].value.rstrip("%")) > 60


def test_bad_url_value_falls_back_with_a_warning():
    at = open_page(PAGE, query={"epochs": "999999", "activation": "swish"})
    config = at.session_state["config"]
    assert config.epochs == TrainConfig().epochs and config.activation == "relu"
    texts = " ".join(w.value for w in at.warning)
    assert "epochs" in texts and "activation" in texts


def test_a_mistyped_link_key_is_named_with_the_setting_meant():
    at = open_page(
        PAGE,
        query={
            "layers": "24,24,24",
            "activaton": "tanh",
            "utm_source": "lms",
            "lang": "en",
            "hide": "code",
        },
    )
    texts = [w.value for w in at.warning]
    assert any("`layers`" in w and "`hidden_layers`" in w for w in texts), texts
    assert any("`activaton`" in w and "`activation`" in w for w in texts), texts
    assert not any("utm_source" in w or "`lang`" in w or "`hide`" in w for w in texts), texts
    assert at.session_state["config"] == TrainConfig()  # ignored, as the warning says
    at.button(key="train").click().run()  # shown once per link, not on every rerun
    assert not any("`layers`" in w.value for w in at.warning)


def _written(at) -> dict[str, str]:
    return {
        k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
        for k in at.query_params
    }


def test_every_key_the_app_writes_into_a_link_reads_back_without_a_warning():
    """The link the Playground writes, after a student changed settings of every group,
    reopens the same settings in a fresh session with no 'unknown key' or 'bad value'
    warning, and names nothing but settings and the link keys ui/url.py knows."""
    from ui.url import LINK_KEYS

    at = open_page(PAGE)
    for key, value in [
        ("w.dataset", "xor"),
        ("w.activation", "leaky_relu"),
        ("w.init", "he_normal"),
        ("w.solver", "sgd"),
    ]:
        at.selectbox(key=key).set_value(value).run()
    at.number_input(key="w.epochs").set_value(77).run()
    written = _written(at)
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert {"dataset", "activation", "init", "solver", "epochs"} <= set(written)
    assert set(written) <= fields | set(LINK_KEYS), set(written) - fields - set(LINK_KEYS)
    again = open_page(PAGE, query=written)
    assert not at.warning and not again.warning, [w.value for w in again.warning]
    assert again.session_state["config"] == at.session_state["config"]
    assert _written(again) == written


def test_pages_read_and_write_their_urls_only_through_the_one_helper():
    """ui/url.py reads every page's settings (validated, warnings translated); a page
    that touched st.query_params itself would bypass both."""
    from pathlib import Path

    for page in Path(__file__).resolve().parent.parent.glob("pages/*.py"):
        assert "st.query_params" not in page.read_text(encoding="utf-8"), page.name


def test_widget_change_updates_config_and_url():
    at = open_page(PAGE)
    at.selectbox(key="w.activation").select("leaky_relu").run()
    assert at.session_state["config"].activation == "leaky_relu"
    assert at.query_params["activation"] in ("leaky_relu", ["leaky_relu"])
    assert at.select_slider(key="w.leaky_slope")  # the slope control appears


def test_non_standard_pairing_is_flagged_and_trains():
    at = open_page(PAGE, query={**QUICK, "output_activation": "tanh", "loss": "log_loss"})
    assert any("Non-standard" in w.value for w in at.warning)
    at.button(key="train").click().run()
    assert not at.exception
    assert any("clipped" in i.value for i in at.info)


def test_replay_slider_shows_an_earlier_frame():
    at = open_page(PAGE, query=QUICK)
    at.button(key="train").click().run()
    final_url = layer_rows(chart_in(at, "surface"))[0]["url"]
    first_epoch = at.select_slider(key="replay").options[0]
    at.select_slider(key="replay").set_value(int(first_epoch)).run()
    assert layer_rows(chart_in(at, "surface"))[0]["url"] != final_url


def test_multiclass_shows_a_confusion_matrix_and_regression_r2():
    at = open_page(PAGE, query={**QUICK, "dataset": "blobs", "n_classes": "4"})
    at.button(key="train").click().run()
    assert mark_types(chart_in(at, "confusion")) == ["rect", "text"]
    at = open_page(PAGE, query={**QUICK, "dataset": "sine"})
    at.button(key="train").click().run()
    assert at.metric[0].label == "Test R²"
    assert mark_types(chart_in(at, "surface")) == ["circle", "line"]


def test_settings_survive_switching_pages():
    at = open_page(PAGE)
    at.selectbox(key="w.dataset").select("circle").run()
    at.switch_page("app.py").run()
    at.switch_page(PAGE).run()
    assert at.session_state["config"].dataset == "circle"
    assert at.selectbox(key="w.dataset").value == "circle"


def test_chinese_page_renders():
    at = open_page(PAGE, lang="zh")
    assert at.title[0].value == "训练场"
    assert at.number_input(key="w.seed").label == "权重随机种子"  # labels from config.<field>
    assert at.selectbox(key="w.dataset").label == "数据集"


def test_the_curves_speak_chinese_in_the_chinese_interface():
    at = open_page(PAGE, query=QUICK, lang="zh")
    at.button(key="train").click().run()
    loss = chart_in(at, "loss-chart")
    assert loss["encoding"]["x"]["title"] == "轮次"
    assert loss["encoding"]["color"]["scale"]["domain"] == ["训练集", "测试集"]
    assert {row["split"] for row in loss["datasets"]["history"]} == {"训练集", "测试集"}


def test_a_bad_link_value_is_explained_in_chinese():
    at = open_page(PAGE, query={"epochs": "999999", "activation": "swish"}, lang="zh")
    texts = [w.value for w in at.warning]
    assert any("`epochs`：999999 超出允许范围 1 至 3000" in w for w in texts), texts
    assert any("`activation`：swish 不是可选值之一" in w for w in texts), texts


def test_a_changed_setting_marks_the_run_out_of_date_until_trained_again():
    stale = "The settings or the data changed since this run"
    at = open_page(PAGE, query=QUICK)
    at.button(key="train").click().run()
    assert not any(stale in c.value for c in at.caption)
    at.selectbox(key="w.activation").select("tanh").run()
    assert any(stale in c.value for c in at.caption)
    at.button(key="train").click().run()
    assert not any(stale in c.value for c in at.caption)


def test_a_worker_killed_mid_run_gives_a_message_and_the_next_run_works():
    """A training worker dying (out of memory, an operator) must not show a traceback or
    stop the Playground: the student gets a message, and Train works again."""
    import contextlib
    import multiprocessing
    import os
    import signal
    import threading
    import time

    import psutil

    from core import parallel

    def kill_workers_once_training():
        # The workers are this process's multiprocessing children, warmed up before the
        # click; one that then burns half a second of CPU is training.
        workers = [psutil.Process(p.pid) for p in multiprocessing.active_children()]
        start = {w.pid: sum(w.cpu_times()[:2]) for w in workers}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(sum(w.cpu_times()[:2]) - start[w.pid] > 0.5 for w in workers):
                for worker in workers:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(worker.pid, signal.SIGKILL)
                return
            time.sleep(0.05)

    long_run = {
        "dataset": "spiral",
        "n_samples": "2000",
        "epochs": "3000",
        "hidden_layers": "64,64,64",
        "learning_rate": "0.0001",
    }
    at = open_page(PAGE, query=long_run)
    parallel.warm_up()
    killer = threading.Thread(target=kill_workers_once_training)
    killer.start()
    at.button(key="train").click().run()
    killer.join()
    assert not at.exception
    assert "Training stopped unexpectedly" in at.error[0].value
    assert "result" not in at.session_state
    assert not at.get("vega_lite_chart")  # no half-drawn run left on the page

    at.number_input(key="w.epochs").set_value(20).run()
    at.button(key="train").click().run()  # the same session, a new pool
    assert not at.exception and not at.error
    assert at.session_state["result"].history.epoch.iloc[-1] > 0 and at.metric


# --- every numeric field: a link at its limits opens with the control showing the value --
def _numeric_fields():
    return [
        f
        for f in dataclasses.fields(TrainConfig)
        if f.metadata["kind"] in (int, float) and f.metadata["choices"] is None
    ]


def _link_for(name: str, value) -> dict:
    """A link setting ``name`` to ``value`` plus whatever makes its control shown (the
    slope needs Leaky ReLU, the class count a dataset with a class range)."""
    show = TrainConfig.__dataclass_fields__[name].metadata["show"]
    query = {name: _format(value)}
    for other, allowed in (show.when or {}).items():
        for candidate in allowed:  # the first value under which ``value`` is valid
            try:
                TrainConfig(**{other: candidate, name: value})
            except ConfigError:
                continue
            query[other] = _format(candidate)
            break
    return query


def _limit_cases():
    cases = []
    for f in _numeric_fields():
        lo, hi = f.metadata["lo"], f.metadata["hi"]
        cases += [(f.name, lo), (f.name, hi)]
        ladder = f.metadata["show"].ladder
        if ladder:  # and a value between two stops, as a hand-written link may carry
            cases.append(
                (
                    f.name,
                    (ladder[-2] + ladder[-1]) / 2
                    if f.metadata["kind"] is float
                    else ladder[-2] + 1,
                )
            )
    return cases


def _shown_value(at, key):
    for kind in ("number_input", "slider", "select_slider"):
        try:
            return getattr(at, kind)(key=key).value
        except KeyError:
            continue
    raise AssertionError(f"no control with key {key}")


@pytest.mark.parametrize("name,value", _limit_cases(), ids=lambda v: str(v))
def test_a_link_at_a_fields_limit_shows_that_value_and_the_code_agrees(name, value):
    """The rule: a control shows exactly the value a link carries. Number inputs and
    sliders span the declared range; a ladder (select slider) gains a linked value that
    is not one of its stops. (A weight seed of 20,000,000 once showed 0 while the code
    said random_state=20000000.)"""
    query = _link_for(name, value)
    at = open_page(PAGE, query=query)
    assert not at.warning, [w.value for w in at.warning]
    expected = TrainConfig.from_query(query, strict=True)[0]
    assert at.session_state["config"] == expected
    assert _shown_value(at, f"w.{name}") == value
    assert shown_code(at) == [code_snippet(expected).strip()]


def test_a_link_at_the_layer_limits_shows_depth_and_width():
    for layers in ((1,), (MAX_UNITS,) * MAX_HIDDEN_LAYERS, (10, 10)):
        query = {"hidden_layers": _format(layers)}
        at = open_page(PAGE, query=query)
        assert at.slider(key="w.depth").value == len(layers)
        assert at.select_slider(key="w.width").value == max(layers)
        expected = TrainConfig(hidden_layers=layers)
        assert shown_code(at) == [code_snippet(expected).strip()]


def test_a_crowded_server_draws_a_run_only_at_its_start_and_end(monkeypatch):
    """With more runs waiting than workers (a class pressing Train), the live loop
    redraws nothing but the progress bar: the surface is drawn blank at the click and
    once when the run ends, however long it takes."""
    import ui.results
    from core import parallel

    drawn = []
    real = ui.results.show_outputs
    monkeypatch.setattr(
        ui.results, "show_outputs", lambda *a, **k: drawn.append(1) or real(*a, **k)
    )
    monkeypatch.setattr(parallel, "crowded", lambda: True)
    long = {"n_samples": "1000", "epochs": "150", "stop_when_flat": "false"}
    at = open_page(PAGE, query=long)
    at.button(key="train").click().run()
    assert not at.exception
    assert len(at.session_state["result"].history) == 150  # long enough to animate
    assert len(drawn) == 2
