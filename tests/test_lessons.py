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
from core.evidence import noise_band
from core.lessons import (
    base,
    chain_rule,
    depth,
    leaky,
    linear,
    modern,
    output,
    relu,
    relu_init,
    selu,
    sigmoid,
    sigmoid_init,
    tanh,
)
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
    assert len(specs) == 13
    for lesson_id, spec in specs.items():
        for field in ("title", "claim", "look_for"):
            assert spec[field]["en"].strip(), (lesson_id, field)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in spec[field]["zh"]), (lesson_id, field)
        for gid in spec["guidance"]:
            assert re.fullmatch(r"G([1-9]|[12]\d|30)|M([1-9]|1[0-2])", gid), gid


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
    assert L.combine(["nuance", "nuance"]) == "nuance"  # none holds, none fails
    with pytest.raises(ValueError, match="unknown verdicts"):
        L.combine(["holds", "maybe"])
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
    assert leaky.alive_verdict(87, 0) == "holds"  # negative everywhere, still a gradient
    assert leaky.alive_verdict(0, 0) == "nuance"  # no unit to test the claim on
    assert leaky.alive_verdict(87, 3) == "fails"  # some got no gradient at all
    assert base.gain_verdict(0.05, 0.02) == "holds"
    assert base.gain_verdict(-0.01, 0.02) == "nuance"
    assert base.gain_verdict(-0.05, 0.02) == "fails"
    assert output.stall_verdict(1.0, 0.5, 0.97, 0.5, 0.1) == "holds"
    assert output.stall_verdict(0.2, 0.9, 0.97, 0.5, 0.1) == "nuance"
    assert output.stall_verdict(0.2, 0.98, 0.97, 0.5, 0.1) == "fails"
    assert output.stall_verdict(1.0, 0.5, 0.97, 0.5, 0.6) == "nuance"  # the data's margin
    assert base.equal_verdict(0.25, 0.25, 1e-9) == "holds"
    assert base.equal_verdict(0.2501, 0.25, 1e-9) == "fails"


def test_the_new_and_fixed_verdict_rules_can_fail():
    # Flat edge against the article's number, either way.
    assert sigmoid.edge_verdict(5.99, 6.0, 0.05, 0.25) == "holds"
    assert sigmoid.edge_verdict(4.6, 6.0, 0.05, 0.25) == "nuance"
    assert sigmoid.edge_verdict(2.0, 6.0, 0.05, 0.25) == "fails"
    assert sigmoid.edge_verdict(float("nan"), 6.0, 0.05, 0.25) == "fails"
    # Tanh centred, the cause of its speed, G13.
    assert tanh.centred_verdict(0.02, 0.45, 0.1) == "holds"
    assert tanh.centred_verdict(0.02, 0.05, 0.1) == "nuance"
    assert tanh.centred_verdict(0.3, 0.45, 0.1) == "fails"
    assert tanh.cause_verdict(np.array([20, 25]), np.array([90, 110])) == "nuance"
    assert tanh.cause_verdict(np.array([20, 25]), np.array([18, 19])) == "fails"
    assert tanh.reaches_verdict(0.95, 0.9) == "holds"
    assert tanh.reaches_verdict(0.85, 0.9) == "nuance"
    assert tanh.reaches_verdict(0.6, 0.9) == "fails"
    # Depth: the other activations, and "100 times more slowly" per optimiser.
    assert depth.others_verdict([0.3, 0.1], 0.01) == "holds"
    assert depth.others_verdict([0.3, 0.001], 0.01) == "nuance"
    assert depth.others_verdict([0.003, 0.001], 0.01) == "fails"
    assert depth.slower_verdict({"sgd": 3e-4, "adam": 2e-3}, 0.01) == "holds"
    assert depth.slower_verdict({"sgd": 3e-4, "adam": 4.5}, 0.01) == "nuance"
    assert depth.slower_verdict({"sgd": 0.5, "adam": 4.5}, 0.01) == "fails"
    # Initialisation and sigmoid depth.
    assert sigmoid_init.decides_verdict([4, 5, 8], 10, 2) == "holds"
    assert sigmoid_init.decides_verdict([4, 5, 5], 10, 2) == "nuance"
    assert sigmoid_init.decides_verdict([5, 5, 5], 10, 2) == "fails"
    assert sigmoid_init.decides_verdict([4, None], 10, 2) == "holds"  # None: past 10
    assert sigmoid_init.article_verdict([4, 5], 5) == "holds"
    assert sigmoid_init.article_verdict([4, 5, 8], 5) == "nuance"
    assert sigmoid_init.article_verdict([7, None], 5) == "fails"
    assert sigmoid_init.crossing_depth([2, 3, 4], np.array([0.1, 0.02, 0.003]), 0.01) == 4
    assert sigmoid_init.crossing_depth([2, 3], np.array([0.1, 0.02]), 0.01) is None
    # ReLU at depth: He against Glorot.
    assert relu_init.signal_verdict(1.1, 0.5, 0.5) == "holds"
    assert relu_init.signal_verdict(0.4, 0.2, 0.5) == "nuance"
    assert relu_init.signal_verdict(0.4, 0.6, 0.5) == "fails"
    assert relu_init.larger_verdict((0.09, 0.16), (0.008, 0.11), 0.01) == "holds"
    assert relu_init.larger_verdict((0.09, 0.005), (0.008, 0.11), 0.01) == "nuance"
    assert relu_init.larger_verdict((0.005, 0.16), (0.008, 0.11), 0.01) == "fails"
    assert relu_init.trains_verdict(4, 1, 2) == "holds"
    assert relu_init.trains_verdict(4, 3, 2) == "nuance"
    assert relu_init.trains_verdict(1, 4, 2) == "fails"
    # SELU.
    assert selu.layers_outside([0.0, 0.3], [1.0, 1.0], 0.25, (0.75, 1.33)) == 1
    assert selu.layers_outside([0.0, 0.1], [0.5, 2.0], 0.25, (0.75, 1.33)) == 2
    assert selu.normalises_verdict(0, [3, 10]) == "holds"
    assert selu.normalises_verdict(0, [0, 10]) == "nuance"
    assert selu.normalises_verdict(2, [3, 10]) == "fails"
    # Newer activations against ReLU.
    assert noise_band(np.ptp([0.9, 0.95]), np.ptp([0.9, 0.9]), 0.01) == pytest.approx(0.05)
    assert noise_band(np.ptp([0.9, 0.9]), np.ptp([0.9, 0.9]), 0.025) == 0.025
    assert modern.noise_verdict(0, 12) == "holds"
    assert modern.noise_verdict(2, 12) == "nuance"
    assert modern.noise_verdict(6, 12) == "fails"


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
    assert len(table) == 9 and set(table.seed) == {0, 1, 2}
    at_default = table[table.init == "auto"]
    epochs = {
        a: g.epochs_to_target.fillna(10**6).to_numpy() for a, g in at_default.groupby("activation")
    }
    assert check(r, "faster").verdict == tanh.faster_verdict(epochs["tanh"], epochs["logistic"])
    same_range = table[table.init == "glorot_uniform"].epochs_to_target.fillna(10**6)
    assert check(r, "cause").verdict == tanh.cause_verdict(epochs["tanh"], same_range.to_numpy())
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
    from core.rules import vanished_gradient_ratio

    # One definition for the whole app: the lessons, Gradient flow and the advice.
    assert depth.vanished() == vanished_gradient_ratio() == 0.01
    below = r.table.depth[sig < depth.vanished()]
    crossing = int(below.iloc[0]) if len(below) else None
    assert r.measurements["crossing_depth"] == crossing
    assert check(r, "vanish").verdict == depth.depth_verdict(crossing, spec["article_depth"])
    assert r.measurements["decades_per_layer"] < 0
    # Under SGD the first layer moves far less than the last; Adam evens the steps out.
    m = r.measurements
    assert m["update_ratio.sgd"] < 0.01 < m["update_ratio.adam"]
    assert check(r, "slower").verdict == depth.slower_verdict(
        {"sgd": m["update_ratio.sgd"], "adam": m["update_ratio.adam"]}, 0.01
    )


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
    # The masked write is what ReLU's backward pass pays for: a multiply is cheaper.
    assert m["relu_backward_multiply_ms"] < m["backward_ms.relu"]
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
    # ReLU units negative on every sample get nothing; Leaky ones still get a gradient.
    assert m["silent_units_relu"] == m["negative_units_relu"] > 0
    assert m["negative_units_leaky"] > 0 and m["silent_units_leaky"] == 0
    assert m["negative_gradient_share"] > 0
    assert check(r, "alive").verdict == leaky.alive_verdict(
        int(m["negative_units_leaky"]), int(m["silent_units_leaky"])
    )
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


# --- the lessons on initialisation, newer activations and the chain rule --------------------


def test_initialisation_decides_how_deep_sigmoid_goes(lesson):
    r = lesson("sigmoid_init")
    m = r.measurements
    # scikit-learn's narrower range vanishes first, four times Glorot's range last.
    assert m["crossing.auto"] < m["crossing.glorot"] < m["crossing.wide"]
    assert m["crossing.auto"] <= 5 < m["crossing.wide"]
    for name in ("auto", "glorot", "wide"):
        assert r.table[name].iloc[-1] < r.table[name].iloc[0]
    crossings = [
        None if np.isnan(m[f"crossing.{n}"]) else int(m[f"crossing.{n}"])
        for n in ("auto", "glorot", "wide")
    ]
    assert check(r, "decides").verdict == sigmoid_init.decides_verdict(crossings, 10, 2)
    assert check(r, "article").verdict == sigmoid_init.article_verdict(crossings, 5)


def test_relu_at_depth_he_keeps_signal_and_gradient(lesson):
    r = lesson("relu_init")
    m = r.measurements
    assert m["first_grad.he_uniform"] > m["first_grad.glorot_uniform"]
    assert m["kept.he_uniform"] > m["kept.glorot_uniform"]
    assert m["kept.glorot_uniform"] < 0.6  # Glorot halves ReLU's signal over 10 layers
    assert set(r.table.layer) == set(range(1, 12))  # 10 hidden layers and the output
    spec = L.lesson_specs()["relu_init"]["experiment"]
    assert check(r, "trains").verdict == relu_init.trains_verdict(
        int(m["successes.he_uniform"]), int(m["successes.glorot_uniform"]), spec["more_by"]
    )


def test_selu_stays_normalised_only_with_lecun(lesson):
    r = lesson("selu")
    m = r.measurements
    spec = L.lesson_specs()["selu"]["experiment"]
    lecun = r.table[r.table.init == "lecun_normal"]
    assert (lecun["mean"].abs() <= spec["mean_tol"]).all()
    assert lecun.variance.between(*spec["variance_band"]).all()
    assert m["outside.lecun_normal"] == 0
    assert m["outside.glorot_normal"] > 0  # the 2-input first layer starts too narrow
    assert m["variance.he_normal.layer10"] > 2  # He's variance 2/fan_in blows it up
    assert check(r, "normalises").verdict == "holds"


def test_newer_activations_against_relu_within_the_seed_noise(lesson):
    r = lesson("modern")
    t = r.table
    compared = t[t.activation != "relu"]
    assert len(compared) == 4 * 3
    assert (compared.noise > 0).all()
    past = int((compared.difference.abs() > compared.noise).sum())
    assert r.measurements["past_noise"] == past
    assert check(r, "noise").verdict == modern.noise_verdict(past, len(compared))
    assert len(r.chart_data["runs"]) == 5 * 3 * 3


def test_chain_rule_by_hand_equals_the_engine(lesson):
    r = lesson("chain_rule")
    m = r.measurements
    assert m["engine_gap"] <= 1e-12 and m["numeric_gap"] < 1e-7
    assert check(r, "engine").verdict == "holds" and check(r, "numeric").verdict == "holds"
    assert len(r.table) == 3


def test_the_hand_computation_would_catch_a_wrong_derivative():
    from core.diagnostics import at_initialisation
    from core.mlp import target_matrix
    from core.training import build_estimator, dataset_for

    spec = L.lesson_specs()["chain_rule"]["experiment"]
    config = base.config_of(spec["base"])
    data = dataset_for(config)
    X = data.X_train[:1]

    def gaps(activation):
        model = at_initialisation(
            build_estimator(config.replace(activation=activation), data.task),
            data.X_train,
            data.y_train,
        )
        Y = target_matrix(model, data.y_train[:1])
        engine = chain_rule.engine_gradients(model, X, Y)
        _, hand, _ = chain_rule.by_hand(model.coefs_, model.intercepts_, X[0], float(Y[0, 0]))
        return max(np.abs(h - e).max() for h, e in zip(hand, engine))

    assert gaps("tanh") < 1e-12
    # With ReLU hidden layers the hand's tanh' is the wrong derivative: it must show.
    assert gaps("relu") > 1e-6


def test_tanh_sigmoid_output_and_the_same_range_run(lesson):
    r = lesson("tanh")
    m = r.measurements
    assert set(r.table.init) == {"auto", "glorot_uniform"}
    assert m["tanh_test_score"] >= 0.9
    assert check(r, "cause").verdict in ("nuance", "fails")
    assert check(r, "sigmoid_output").verdict == tanh.reaches_verdict(m["tanh_test_score"], 0.9)
