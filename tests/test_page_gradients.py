"""The gradient-flow page under AppTest: default render with every chart and its measured
caption, depth and activation changes, the "make ReLUs die" preset, histograms, both
languages. Trained networks are cached by config, so later tests reuse earlier runs."""

from core.activations import ACTIVATIONS
from tests.apptest_utils import chart_in, layer_rows, mark_types, open_page

PAGE = "pages/4_Gradient_flow.py"


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def labels_in(spec, layer=0):
    return {row["label"] for row in layer_rows(spec, layer)}


def test_default_render_shows_vanishing_sigmoid_and_every_chart():
    at = open_page(PAGE)
    for key in ("grad-init", "grad-trained"):
        assert mark_types(chart_in(at, key)) == ["line", "point"]
    init = chart_in(at, "grad-init")
    assert chart_in(at, "grad-init")["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert labels_in(init) == {"Sigmoid", "Tanh", "ReLU", "Leaky ReLU"}
    assert {row["position"] for row in layer_rows(init)} == {*map(str, range(1, 9)), "out"}
    assert mark_types(chart_in(at, "grad-depth"))[:2] == ["line", "point"]
    for key in ("dead", "flat"):
        assert mark_types(chart_in(at, key)) == ["bar", "tick"]
    hist = chart_in(at, "hist")
    assert hist["spec"]["mark"]["type"] == "bar" and set(hist["facet"]) == {"row", "column"}
    text = captions(at)
    assert "**Sigmoid**: first-layer gradient is" in text and "at depth 8 (vanishing)" in text
    assert "orders of magnitude below ReLU's" in text
    table = at.table[0].value
    assert list(table.index) == ["Sigmoid", "Tanh", "ReLU", "Leaky ReLU"]
    assert float(table.loc["Sigmoid", "Ratio at init"]) < 1e-4
    assert float(table.loc["ReLU", "Ratio at init"]) > 0.01


def test_depth_and_activation_changes_redraw():
    at = open_page(PAGE)
    at.slider(key="g.depth").set_value(3)
    at.multiselect(key="g.acts").set_value(["logistic", "relu"]).run()
    assert not at.exception
    init = chart_in(at, "grad-init")
    assert labels_in(init) == {"Sigmoid", "ReLU"}
    assert {row["position"] for row in layer_rows(init)} == {"1", "2", "3", "out"}
    assert "at depth 3" in captions(at)
    assert list(at.table[0].value.index) == ["Sigmoid", "ReLU"]
    dead = layer_rows(chart_in(at, "dead"))
    assert {row["layer"] for row in dead} == {1, 2, 3}


def test_make_relus_die_preset_kills_relus_but_not_leaky_ones():
    at = open_page(PAGE)
    at.slider(key="g.depth").set_value(3)
    at.multiselect(key="g.acts").set_value(["tanh"]).run()
    at.button(key="g.preset").click().run()
    assert not at.exception
    assert at.session_state["g.lr"] == 0.3 and at.session_state["g.depth"] == 3
    assert set(at.multiselect(key="g.acts").value) == {"tanh", "relu", "leaky_relu"}
    table = at.table[0].value
    assert float(table.loc["ReLU", "Dead units"].rstrip("%")) > 30
    assert table.loc["Leaky ReLU", "Dead units"] == "0%"
    assert "**Leaky ReLU**: 0% of hidden units dead" in captions(at)


def test_settings_and_a_preset_survive_switching_pages():
    """Streamlit drops a widget's state on pages not shown: the page keeps its own copy."""
    at = open_page(PAGE)
    at.slider(key="g.depth").set_value(3)
    at.multiselect(key="g.acts").set_value(["tanh"]).run()
    at.button(key="g.preset").click().run()  # sets the learning rate from code
    at.switch_page("app.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.slider(key="g.depth").value == 3
    assert at.select_slider(key="g.lr").value == 0.3
    assert set(at.multiselect(key="g.acts").value) == {"tanh", "relu", "leaky_relu"}


def test_histogram_follows_the_chosen_activation_and_stage():
    at = open_page(PAGE)
    at.selectbox(key="g.hist_act").select("relu")
    at.radio(key="g.hist_stage").set_value("init").run()
    hist = chart_in(at, "hist")
    assert hist["spec"]["mark"]["color"] == ACTIVATIONS["relu"].colour  # one palette: the table
    assert "ReLU, at initialisation" in hist["title"]
    rows = layer_rows(hist)
    assert {row["layer"] for row in rows} == set(range(1, 9))
    # ReLU activations at init: the first bin holds the zeros (about half the values).
    first_layer = [r for r in rows if r["layer"] == 1 and r["quantity"] == "activation"]
    assert min(first_layer, key=lambda r: r["start"])["count"] > 0.3 * sum(
        r["count"] for r in first_layer
    )


def test_no_activation_asks_for_one():
    at = open_page(PAGE)
    at.multiselect(key="g.acts").set_value([]).run()
    assert not at.exception and not at.get("vega_lite_chart")
    assert any("at least one" in i.value for i in at.info)


def test_chinese_page_renders():
    at = open_page(PAGE, lang="zh")
    assert at.title[0].value == "梯度流"
    assert mark_types(chart_in(at, "grad-trained")) == ["line", "point"]
    assert "梯度消失" in captions(at)


def test_a_link_opens_its_settings_and_the_url_follows_the_controls():
    query = {"depth": "3", "learning_rate": "0.3", "activations": "relu,leaky_relu"}
    at = open_page(PAGE, query=query)
    assert not at.warning
    assert at.slider(key="g.depth").value == 3
    assert at.select_slider(key="g.lr").value == 0.3
    assert at.multiselect(key="g.acts").value == ["relu", "leaky_relu"]
    assert labels_in(chart_in(at, "grad-init")) == {"ReLU", "Leaky ReLU"}
    at.select_slider(key="g.width").set_value(8).run()
    params = {k: at.query_params[k] for k in at.query_params}
    flat = {k: v[0] if isinstance(v, list) else v for k, v in params.items()}
    assert flat == {**query, "width": "8"}


def test_a_link_with_unusable_values_falls_back_with_a_warning():
    at = open_page(
        PAGE,
        query={
            "depth": "99",
            "width": "3.5",
            "activations": "swish",
            "dataset": "<script>",
            "learning_rate": "1e400",
        },
    )
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    for key in ("depth", "width", "activations", "dataset", "learning_rate"):
        assert key in text
    assert at.slider(key="g.depth").value == 8
    assert at.multiselect(key="g.acts").value == ["logistic", "tanh", "relu", "leaky_relu"]


def test_a_link_key_of_another_page_is_pointed_out_in_chinese_too():
    at = open_page(PAGE, query={"depht": "3", "hidden_layers": "8,8"}, lang="zh")
    texts = [w.value for w in at.warning]
    assert any("`depht`" in w and "`depth`" in w and "不是本页的设置" in w for w in texts), texts
    assert any("`hidden_layers`" in w for w in texts), texts
    assert at.slider(key="g.depth").value == 8  # the default: nothing was applied


def test_a_training_worker_that_dies_gives_a_message(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    import core.gradient_flow as gf

    def broken(*args, **kwargs):
        raise BrokenProcessPool("a worker was killed")

    monkeypatch.setattr(gf, "sweep", broken)  # the page's cached call reaches it: unusual settings
    at = open_page(PAGE, query={"dataset": "xor", "depth": "5", "width": "4"})
    assert not at.exception
    assert any("stopped unexpectedly" in e.value and "killed" in e.value for e in at.error)
    monkeypatch.undo()
    at.run()  # the next run works again: nothing broken was cached
    assert not at.error and chart_in(at, "grad-trained")


def test_a_link_with_unusable_values_is_explained_in_chinese():
    at = open_page(
        PAGE,
        query={"depth": "99", "width": "3.5", "activations": "swish", "learning_rate": "1e400"},
        lang="zh",
    )
    texts = [w.value for w in at.warning]
    assert len(texts) == 4, texts
    for text in texts:
        assert "已改用默认值" in text
        assert not any(english in text for english in ("is not", "cannot", "outside", "using"))
    joined = "\n".join(texts)
    assert "超出允许范围 1 至 10" in joined and "无法读取 3.5" in joined
    assert "swish 不是可选值之一" in joined


def _panel_rows(at, index: int) -> list[dict]:
    """The rows of panel ``index`` of the side-by-side init-profile chart."""
    spec = chart_in(at, "init-profile")
    panel = spec["hconcat"][index]
    data = panel["layer"][0].get("data") or panel.get("data")
    return spec["datasets"][data["name"]]


def test_init_view_shows_each_initialisation_and_follows_the_controls():
    """Activation x initialisation before training: one line per chosen scheme in each
    of the three panels, the facts in words, and the page's init control in the link."""
    at = open_page(PAGE, query={"depth": "10", "width": "16", "init": "he_normal"})
    assert at.selectbox(key="g.init").value == "he_normal"
    assert at.session_state["g.iv_act"] == "relu"
    assert len(chart_in(at, "init-profile")["hconcat"]) == 3
    names = {"Glorot / Xavier uniform", "He / Kaiming normal", "LeCun normal"}
    for panel in range(3):
        assert {r["label"] for r in _panel_rows(at, panel)} == names
    facts = " ".join(c.value for c in at.caption)
    assert "Glorot / Xavier uniform: spread" in facts and "layer 10" in facts
    at.selectbox(key="g.iv_act").set_value("selu").run()
    at.multiselect(key="g.iv_inits").set_value(["lecun_normal", "he_normal"]).run()
    assert not at.exception
    spread = _panel_rows(at, 0)
    lecun = [r["signal_std"] for r in spread if r["label"] == "LeCun normal"]
    he = [r["signal_std"] for r in spread if r["label"] == "He / Kaiming normal"]
    assert len(lecun) == 10 and all(0.7 < s < 1.4 for s in lecun)  # held near 1
    assert max(he) > 1.5 * max(lecun)  # He's larger range lets SELU's spread grow
    at.multiselect(key="g.iv_inits").set_value([]).run()
    assert any("at least one initialisation" in i.value for i in at.info)


def test_init_view_in_chinese():
    at = open_page(PAGE, lang="zh")
    assert any("初始化时" in h.value for h in at.header)
    assert "第 1 层标准差" in " ".join(c.value for c in at.caption)
