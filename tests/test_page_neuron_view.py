"""The Playground's neuron view under AppTest (container key ``neuron_view``): drawn
after Train, following the replay slider, marking the dead ReLUs of the Gradient flow
page's "Make ReLUs die" settings, and showing one unit's details."""

from core.config import TrainConfig
from core.diagnostics import layer_table
from core.gradient_flow import FlowSettings
from core.training import train
from tests.apptest_utils import chart_in, keyed_block, mark_types, open_page

PAGE = "pages/1_Playground.py"
QUICK = {"n_samples": "200", "epochs": "40"}


def trained(query: dict, lang: str | None = None):
    at = open_page(PAGE, query=query, lang=lang)
    at.button(key="train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def marked(spec: dict, state: str) -> int:
    return sum(row["state"] == state for row in spec["datasets"]["net_units"])


def view_text(at) -> str:
    return " ".join(m.value for m in keyed_block(at, "neuron_view").get("markdown"))


def test_the_view_appears_after_train_with_a_column_per_layer():
    at = open_page(PAGE, query=QUICK)
    assert not keyed_block(at, "neuron_view").get("vega_lite_chart")  # nothing before Train
    at.button(key="train").click().run()
    spec = chart_in(at, "neuron_view")
    assert mark_types(spec)[:2] == ["rule", "image"]  # links under one picture atlas
    assert spec["datasets"]["net_image"][0]["url"].startswith("data:image/png;base64,")
    headers = [h["title"] for h in spec["datasets"]["net_headers"]]
    assert headers == ["Inputs", "Layer 1", "Layer 2", "Output"]
    assert len(spec["datasets"]["net_units"]) == 2 + 16 + 16 + 1
    assert len(spec["datasets"]["net_links"]) == 2 * 16 + 16 * 16 + 16
    assert "Layer 1" in view_text(at) and "units dead" in view_text(at)
    result = at.session_state["result"]
    layer1 = [u for u in spec["datasets"]["net_units"] if u["unit"].startswith("Layer 1")]
    assert [u["bias"] for u in layer1] == [
        round(float(b), 3) for b in result.model.intercepts_[0].astype("float32")
    ]


def test_the_view_follows_the_replay_slider():
    at = trained(QUICK)
    final = chart_in(at, "neuron_view")
    first_epoch = at.select_slider(key="replay").options[0]
    at.select_slider(key="replay").set_value(int(first_epoch)).run()
    early = chart_in(at, "neuron_view")
    assert early["datasets"]["net_image"] != final["datasets"]["net_image"]
    assert early["datasets"]["net_links"] != final["datasets"]["net_links"]


def test_make_relus_die_settings_mark_dead_units_in_words_and_colour():
    config = FlowSettings().dead_relu_preset().config("relu")
    at = trained(config.to_query())
    spec = chart_in(at, "neuron_view")
    dead = marked(spec, "dead")
    assert dead > 8 * 16 / 2  # most of the 128 units
    assert "Dead (black frame)" in view_text(at)
    assert "Layer 2**: 16 of 16 units dead" in view_text(at)


def test_a_healthy_run_marks_what_the_diagnostics_count_and_no_more():
    # The default ReLU run: the diagnostics count a few of its 32 units dead (3 for
    # seed 0, one of them already at initialisation); the view marks exactly those.
    result = train(TrainConfig())
    data = result.dataset
    table = layer_table(result.model.estimator(), data.X_train, data.y_train)
    expected = round(sum(table.dead_fraction[:-1] * 16))
    spec = chart_in(trained({}), "neuron_view")
    assert marked(spec, "dead") == expected <= 4
    assert marked(spec, "saturated") == 0
    # Leaky ReLU units always pass some gradient: nothing marked, nothing said.
    at = trained({"activation": "leaky_relu"})
    spec = chart_in(at, "neuron_view")
    assert marked(spec, "dead") == 0 and marked(spec, "saturated") == 0
    assert "Dead (black frame)" not in view_text(at)


def test_picking_a_unit_shows_its_weights_bias_gradient_and_state():
    at = trained(QUICK)
    at.selectbox(key="neuron_unit").select("2/3").run()
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert {"Bias", "Gradient size", "State"} <= set(labels)
    assert labels["State"] in ("active", "dead", "saturated")
    spec = chart_in(at, "neuron_unit_chart")
    bars = spec["hconcat"][0]
    rows = spec["datasets"][bars["data"]["name"]]
    assert len(rows) == 16  # one incoming weight per unit of layer 1


def test_one_feature_regression_multiclass_and_chinese_words():
    sine = trained({"dataset": "sine", **QUICK})
    assert "along x" in view_text(sine)
    blobs = chart_in(trained({"dataset": "blobs", **QUICK}), "neuron_view")
    assert len([u for u in blobs["datasets"]["net_units"] if u["unit"].startswith("Output")]) == 3
    # Chinese: the chart's own words (AppTest cannot press Train on a Chinese page: its
    # select boxes' translated labels trip its widget-state bookkeeping).
    from core.charts.network import network_spec
    from ui.i18n import strings
    from ui.network_view import _CHART_WORDS

    zh = {k: strings("zh")[f"neuron.{k}"] for k in _CHART_WORDS}
    frame = train(TrainConfig(**{k: int(v) for k, v in QUICK.items()}), network_view=True)
    spec = network_spec(frame.network_frames[-1], zh)
    headers = [h for h in spec["datasets"]["net_headers"].title]
    assert headers == ["输入", "第 1 层", "第 2 层", "输出"]


def test_a_wide_network_says_how_it_is_summarised():
    config = TrainConfig(hidden_layers=(40, 40), n_samples=200, epochs=20)
    at = trained(config.to_query())
    lines = [h["line"] for h in chart_in(at, "neuron_view")["datasets"]["net_headers"]]
    assert lines[1] == "16 of 40 shown"
    assert "largest outgoing weights" in view_text(at)


def test_a_teacher_can_hide_the_view():
    at = trained({**QUICK, "hide": "neurons"})
    assert at.get("vega_lite_chart")  # the surface and curves are there
    try:
        keyed_block(at, "neuron_view")
    except AssertionError:
        return
    raise AssertionError("the neuron view is drawn although hidden")


def test_an_uploaded_csv_with_four_features_says_the_others_are_held_at_their_mean():
    from tests.test_upload_ui import open_csv

    at = open_csv("fruit")
    at.selectbox(key="w.upload.plane_x").select("sweetness").run()
    at.selectbox(key="w.upload.plane_y").select("acidity_ph").run()
    at.button(key="train").click().run()
    assert not at.exception
    spec = chart_in(at, "neuron_view")
    inputs = [u for u in spec["datasets"]["net_units"] if u["unit"].startswith("Inputs")]
    assert len(inputs) == 4  # every feature is an input of the diagram
    text = view_text(at)
    assert "two plotted features (sweetness, acidity_ph)" in text
    assert "the other 2 features are held at their training mean" in text
