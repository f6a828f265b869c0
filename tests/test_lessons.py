"""The lessons: each runs, measures what it claims to, and its verdict follows the numbers.

Each lesson function runs once per test session (the ``lesson`` fixture caches them); the
verdict rules are also driven with made-up numbers, so a verdict that ignored its
measurement (a hard-coded "holds") would fail here.
"""

import re

import numpy as np
import pytest

from core import lessons as L
from core.config import TrainConfig
from core.lessons import base, depth, leaky, linear, output, relu, tanh
from core.lessons.present import check_text, display_table, lesson_charts
from ui.i18n import strings

_RESULTS: dict = {}


@pytest.fixture
def lesson():
    def run(lesson_id):
        if lesson_id not in _RESULTS:
            _RESULTS[lesson_id] = L.run_lesson(lesson_id)
        return _RESULTS[lesson_id]

    return run


def check(result, key, index=0):
    found = [c for c in result.checks if c.key == key]
    assert found, f"{result.lesson} has no check {key!r}"
    return found[index]


# --- the lesson file ---------------------------------------------------------------------------


def test_lesson_file_matches_the_functions_and_has_both_languages():
    specs = L.lesson_specs()
    assert list(specs) == list(L.registry()) == L.lesson_ids()
    assert len(specs) == 8
    for lesson_id, spec in specs.items():
        for field in ("title", "claim", "look_for"):
            assert spec[field]["en"].strip(), (lesson_id, field)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in spec[field]["zh"]), (lesson_id, field)
        for gid in spec["guidance"]:
            assert re.fullmatch(r"G([1-9]|[12]\d|30)", gid), gid


def test_playground_links_are_valid_configs():
    for lesson_id in L.lesson_ids():
        query = L.playground_query(lesson_id)
        if query is not None:
            config, problems = TrainConfig.from_query(query, strict=True)
            assert not problems and config.to_query() == query
    assert L.playground_query("sigmoid") is None  # a pure maths lesson trains nothing
    assert L.playground_query("depth")["activation"] == "logistic"


def test_a_module_without_an_entry_or_an_entry_without_a_module_is_named(monkeypatch):
    extra = base.Lesson("softsign", lambda: None, lambda r, text: [])
    monkeypatch.setitem(base._REGISTERED, "softsign", extra)
    with pytest.raises(RuntimeError, match=r"no entry for \['softsign'\]"):
        L.registry()
    monkeypatch.delitem(base._REGISTERED, "softsign")
    monkeypatch.delitem(base._REGISTERED, "leaky")
    with pytest.raises(RuntimeError, match=r"no module for \['leaky'\]"):
        L.registry()


def test_registering_an_id_twice_is_an_error():
    with pytest.raises(ValueError, match="registered twice"):
        base.register(L.registry()["linear"])


def test_unknown_lesson_is_a_value_error():
    with pytest.raises(ValueError, match="unknown lesson"):
        L.run_lesson("swish")


# --- verdict rules on made-up numbers -------------------------------------------------------


def test_combine():
    assert L.combine(["holds", "holds"]) == "holds"
    assert L.combine(["holds", "fails"]) == "nuance"
    assert L.combine(["nuance", "holds"]) == "nuance"
    assert L.combine(["fails", "nuance"]) == "fails"
    with pytest.raises(ValueError):
        L.combine([])


def test_verdict_rules_follow_the_numbers():
    assert base.contrast_verdict(0.6, [0.99, 1.0], 0.8, 0.95) == "holds"
    assert base.contrast_verdict(0.85, [0.99, 1.0], 0.8, 0.95) == "nuance"  # linear too good
    assert base.contrast_verdict(0.6, [0.9, 1.0], 0.8, 0.95) == "nuance"  # one non-linear weak
    assert base.contrast_verdict(0.9, [0.7, 0.8], 0.8, 0.95) == "fails"
    assert tanh.faster_verdict(np.array([9, 10]), np.array([80, 90])) == "holds"
    assert tanh.faster_verdict(np.array([9, 100]), np.array([80, 90])) == "nuance"
    assert tanh.faster_verdict(np.array([90, 100]), np.array([80, 90])) == "fails"
    assert depth.depth_verdict(4, 5) == "holds" and depth.depth_verdict(7, 5) == "nuance"
    assert depth.depth_verdict(None, 5) == "fails"
    assert relu.ratios_verdict([2.0, 1.5, 1.2], 1.1) == "holds"
    assert relu.ratios_verdict([9.0, 0.5, 0.9], 1.1) == "nuance"
    assert relu.ratios_verdict([1.0, 0.5, 0.9], 1.1) == "fails"
    assert relu.sparse_verdict(0.5, 0.0, 0.2) == "holds"
    assert relu.sparse_verdict(0.1, 0.0, 0.2) == "nuance"
    assert relu.sparse_verdict(0.0, 0.0, 0.2) == "fails"
    assert relu.dead_verdict(0.5, 0.1, 0.05) == "holds"
    assert relu.dead_verdict(0.01, 0.0, 0.05) == "nuance"
    assert relu.dead_verdict(0.0, 0.0, 0.05) == "fails"
    assert leaky.alive_verdict(0.0, 0.5) == "holds"
    assert leaky.alive_verdict(0.0, 0.0) == "nuance"
    assert leaky.alive_verdict(0.1, 0.5) == "fails"
    assert base.gain_verdict(0.05, 0.02) == "holds"
    assert base.gain_verdict(-0.01, 0.02) == "nuance"
    assert base.gain_verdict(-0.05, 0.02) == "fails"
    assert output.stall_verdict(1.0, 0.5, 0.97) == "holds"
    assert output.stall_verdict(0.2, 0.9, 0.97) == "nuance"
    assert output.stall_verdict(0.2, 0.98, 0.97) == "fails"
    assert base.equal_verdict(0.25, 0.25, 1e-9) == "holds"
    assert base.equal_verdict(0.2501, 0.25, 1e-9) == "fails"


# --- each lesson's measurements -------------------------------------------------------------


def test_linear_networks_cannot_separate_circle_or_xor(lesson):
    r = lesson("linear")
    spec = L.lesson_specs()["linear"]["experiment"]
    m = r.measurements
    for name in ("circle", "xor"):
        assert m[f"{name}.linear_best"] < m[f"{name}.relu"]
        assert m[f"{name}.relu"] > 0.95
        expected = base.contrast_verdict(
            m[f"{name}.linear_best"],
            [m[f"{name}.relu"], m[f"{name}.tanh"]],
            spec["linear_max"],
            spec["nonlinear_min"],
        )
        assert [c for c in r.checks if c.params.get("dataset") == name][0].verdict == expected
    assert m["xor.linear_best"] <= 0.80  # a straight line gets at most ~75% of xor
    assert m["collapse_error"] < 1e-9
    assert set(r.table.activation) == {"identity", "relu", "tanh"}
    assert {s["activation"] for s in r.chart_data["surfaces"]} == {"identity", "relu"}


def test_collapsed_linear_network_equals_the_network():
    config = TrainConfig(
        dataset="xor", n_samples=100, hidden_layers=(5, 4, 3), activation="identity", epochs=5
    )
    model, data = base.fit(config)
    direct = model.predict_proba(data.X_test)[:, 1]
    collapsed = linear.collapsed_linear_outputs(model, data.X_test).ravel()
    assert np.allclose(collapsed, direct, atol=1e-12)
    relu_model, _ = base.fit(config.replace(activation="relu"))
    assert not np.allclose(
        linear.collapsed_linear_outputs(relu_model, data.X_test).ravel(),
        relu_model.predict_proba(data.X_test)[:, 1],
        atol=1e-6,
    )


def test_curves_need_a_non_linearity(lesson):
    r = lesson("curves")
    m = r.measurements
    assert m["r2.identity"] < 0.5 < 0.9 < m["r2.tanh"]
    spec = L.lesson_specs()["curves"]["experiment"]
    assert r.checks[0].verdict == base.contrast_verdict(
        m["r2.identity"], [m["r2.tanh"], m["r2.relu"]], spec["linear_max"], spec["nonlinear_min"]
    )
    assert len(r.chart_data["curves"]) == 3


def test_sigmoid_numbers_from_the_activation_table(lesson):
    r = lesson("sigmoid")
    m = r.measurements
    assert m["max_derivative"] == pytest.approx(0.25, abs=1e-9)
    assert m["peak_at"] == 0.0
    assert 0.005 < m["share_at_saturation"] < 0.02  # ~1% of the peak at x = 6
    assert m["sigmoid_a"] == m["sigmoid_b"] == 1.0  # sigma(100) == sigma(10000) in float64
    assert 30 < m["first_exact_one"] < 40
    assert m["formula_error"] < 1e-6
    assert r.verdict == "holds"
    assert check(r, "same").verdict == "holds"


def test_tanh_is_centred_and_reaches_the_target_sooner(lesson):
    r = lesson("tanh")
    m = r.measurements
    assert m["max_derivative"] == pytest.approx(1.0, abs=1e-9)
    assert abs(m["mean_tanh"]) < 0.1 < 0.3 < m["mean_sigmoid"]
    table = r.table
    assert len(table) == 6 and set(table.seed) == {0, 1, 2}
    epochs = {
        a: g.epochs_to_target.fillna(10**6).to_numpy() for a, g in table.groupby("activation")
    }
    assert check(r, "faster").verdict == tanh.faster_verdict(epochs["tanh"], epochs["logistic"])
    assert m["epochs_tanh"] == pytest.approx(
        table[table.activation == "tanh"].epochs_to_target.mean()
    )
    # Runs stop at the target: the last recorded loss is the first one below it.
    reached = table.dropna(subset=["epochs_to_target"])
    assert (reached.final_loss < r.chart_data["target"]).all()


def test_sigmoid_gradient_ratio_falls_with_depth(lesson):
    r = lesson("depth")
    sig = r.table["logistic"].to_numpy()
    assert np.all(np.diff(sig) < 0), sig  # strictly smaller with every extra layer
    assert sig[-1] < sig[0] * 1e-4
    assert r.table["relu"].min() > 1e-2 and r.table["tanh"].min() > 1e-2
    spec = L.lesson_specs()["depth"]["experiment"]
    below = r.table.depth[sig < spec["threshold"]]
    crossing = int(below.iloc[0]) if len(below) else None
    assert r.measurements["crossing_depth"] == crossing
    assert check(r, "vanish").verdict == depth.depth_verdict(crossing, spec["article_depth"])
    assert r.measurements["decades_per_layer"] < 0


def test_relu_timing_sparsity_and_dead_units(lesson):
    r = lesson("relu")
    m = r.measurements
    for a in ("relu", "logistic", "tanh"):
        assert m[f"ms_per_epoch.{a}"] > 0 and m[f"forward_ms.{a}"] > 0
    spec = L.lesson_specs()["relu"]["experiment"]
    assert check(r, "cheap").verdict == relu.ratios_verdict(
        [m["forward_ratio"], m["backward_ratio"], m["epoch_ratio"]], spec["faster_ratio"]
    )
    assert m["forward_ratio"] > 1.5  # no exponential in ReLU's forward pass
    assert m["zero_share.relu"] > 0.2
    assert m["zero_share.logistic"] == 0 and m["zero_share.tanh"] == 0
    assert m["dead_high"] > m["dead_normal"] and m["dead_high"] > 0.05
    assert check(r, "dead").verdict == relu.dead_verdict(
        m["dead_high"], m["dead_normal"], spec["dead_min"]
    )


def test_leaky_relu_has_no_dead_units(lesson):
    r = lesson("leaky")
    m = r.measurements
    assert m["dead_leaky"] == 0
    assert m["dead_relu"] > 0
    assert check(r, "alive").verdict == "holds"
    gain = m["score_leaky"] - m["score_relu"]
    assert check(r, "accuracy").verdict == base.gain_verdict(
        gain, L.lesson_specs()["leaky"]["experiment"]["better_by"]
    )
    # The very same relu runs as the relu lesson's high-rate runs.
    same = relu.high_rate_runs(["relu"], ("high_rate",))
    assert m["dead_relu"] == pytest.approx(same.dead.mean())


def test_output_pairs(lesson):
    r = lesson("output")
    m, t = r.measurements, r.table
    assert m["binary.identity.log_loss"] < m["binary.logistic.log_loss"] - 0.1  # stalls
    assert m["stalled_clipped"] >= 0.5
    assert m["regression.logistic.squared_error"] < m["regression.identity.squared_error"] - 0.3
    sig = t[(t.task == "regression") & (t.output == "logistic")].iloc[0]
    assert sig.low >= 0 and sig.high <= 1  # a sigmoid output cannot leave (0, 1)
    assert sig.target_low < 0 and sig.target_high > 1
    soft = t[(t.task == "multiclass") & (t.output == "softmax")].iloc[0]
    assert soft.row_sum_error < 1e-9
    assert set(t[t.matched].output) == {"logistic", "softmax", "identity"}
    tie = L.lesson_specs()["output"]["experiment"]["tie"]
    for task in ("binary", "multiclass", "regression"):
        part = t[t.task == task]
        diff = part[part.matched].test_score.iloc[0] - part[~part.matched].test_score.max()
        assert check(r, task).verdict == base.gain_verdict(diff, tie)


# --- presentation: every sentence, chart and table ---------------------------------------------


def english(key, **params):
    return strings("en")[key].format(**params) if params else strings("en")[key]


@pytest.mark.parametrize("lesson_id", list(L.registry()))
def test_sentences_charts_and_tables_render(lesson, lesson_id):
    r = lesson(lesson_id)
    assert r.verdict in L.VERDICTS and r.checks and r.seconds > 0
    for c in r.checks:
        text = check_text(lesson_id, c, english)  # KeyError if a sentence or name is missing
        assert "{" not in text and text.strip()
        assert all(g in r.guidance for g in c.guidance)
    charts = lesson_charts(r, english)
    assert charts
    for key, chart in charts:
        assert key.startswith("lesson-") and chart.to_dict()
    table = display_table(r, english)
    assert len(table) == len(r.table)
    assert not any(str(c).startswith("lessons.") for c in table.columns)
    assert table.map(lambda v: isinstance(v, str)).all().all()  # formatted, "–" for n/a
