"""core.gradient_flow: gradient ratios, the depth profile, dead ReLUs under the preset,
and the caption numbers."""

import math

import numpy as np
import pandas as pd
import pytest

import core.gradient_flow as gf
from core.config import ConfigError


def test_ratio_and_verdict():
    assert gf.gradient_ratio([1e-6, 0.5, 1.0]) == pytest.approx(1e-6)
    assert math.isnan(gf.gradient_ratio([0.3, 0.0]))  # no gradient at the output
    assert math.isnan(gf.gradient_ratio([]))
    assert [gf.verdict(r) for r in (1e-5, 0.05, 0.8, 50.0, float("nan"))] == [
        "vanishing",
        "shrinking",
        "kept",
        "growing",
        "none",
    ]
    assert [gf.fmt_ratio(r) for r in (9.56e-7, 0.2616, 4.63, 1234.0, float("nan"))] == [
        "9.6e-7",
        "0.26",
        "4.6",
        "1.2e3",
        "—",
    ]


def test_sigmoid_vanishes_with_depth_and_relu_does_not():
    profile = gf.depth_profile(gf.FlowSettings(), ["logistic", "tanh", "relu"], depths=(2, 8))
    ratio = profile.set_index(["activation", "depth"]).ratio
    assert ratio["logistic", 8] < 1e-4
    # Orders of magnitude below ReLU's at depth 8, and far below its own at depth 2.
    assert ratio["relu", 8] / ratio["logistic", 8] > 1e3
    assert ratio["logistic", 2] / ratio["logistic", 8] > 1e3
    assert ratio["tanh", 8] > 0.05 and ratio["relu", 8] > 0.05
    assert gf.per_layer_factor(profile, "logistic") > 3
    assert gf.per_layer_factor(profile, "relu") < 2


def test_make_relus_die_preset_kills_relus_and_not_leaky_relus():
    settings = gf.FlowSettings(depth=1).dead_relu_preset()
    assert settings.learning_rate == 0.3 and settings.depth == 3
    assert gf.FlowSettings(depth=8).dead_relu_preset().depth == 8
    flow = gf.sweep(settings, ["relu", "leaky_relu"])
    summary = flow["summary"].set_index("activation")
    assert summary.loc["relu", "dead_trained"] > 0.3
    assert summary.loc["leaky_relu", "dead_trained"] == 0.0
    assert summary.loc["leaky_relu", "dead_init"] == 0.0
    # Per layer too: every leaky layer has zero dead units, at init and after training.
    leaky = flow["layers"][
        (flow["layers"].activation == "leaky_relu") & (flow["layers"].kind == "hidden")
    ]
    assert (leaky.dead_fraction == 0).all() and len(leaky) == 2 * 3


def test_run_one_tables():
    settings = gf.FlowSettings(depth=2, width=8, epochs=20)
    out = gf.run_one(settings.config("tanh"))
    layers = out["layers"]
    assert set(layers.stage) == set(gf.STAGES)
    assert len(layers) == 2 * (settings.depth + 1)  # hidden layers + output, twice
    assert list(out["summary"].columns) == list(gf.SUMMARY_COLUMNS)
    hist = out["histograms"]
    assert set(hist.quantity) == {"pre-activation", "activation"}
    assert len(hist) == 2 * 2 * settings.depth * gf.HIST_BINS  # stages x quantities x layers
    assert layers[layers.kind == "hidden"].act_std.notna().all()
    row = out["summary"].iloc[0]
    assert row.ratio_init == pytest.approx(
        layers[layers.stage == "init"].grad_norm.iloc[0]
        / layers[layers.stage == "init"].grad_norm.iloc[-1]
    )
    assert 0 <= row.test_score <= 1 and row.score_name == "accuracy"


def test_a_sweep_in_worker_processes_gives_the_same_tables():
    from core import parallel

    settings = gf.FlowSettings(depth=3, width=8, epochs=15)
    try:
        in_workers = gf.sweep(settings, ("relu", "logistic"), in_workers=True)
    finally:
        parallel.shutdown()
    here = gf.sweep(settings, ("relu", "logistic"))
    for key in ("layers", "histograms", "summary"):
        pd.testing.assert_frame_equal(in_workers[key], here[key])


def test_bad_settings_raise_value_errors():
    with pytest.raises(ConfigError):
        gf.FlowSettings(depth=11).config("relu")
    with pytest.raises(ValueError):
        gf.sweep(gf.FlowSettings(), [])


def fake_summary(**ratios):
    rows = [
        dict(
            activation=a,
            ratio_init=r,
            ratio_trained=r,
            dead_init=0.0,
            dead_trained=0.5,
            flat_init=0.0,
            flat_trained=0.25,
            test_score=0.9,
            score_name="accuracy",
            epochs=10,
            stop_reason="converged",
        )
        for a, r in ratios.items()
    ]
    return pd.DataFrame(rows)


def test_captions_carry_the_measured_numbers():
    summary = fake_summary(logistic=1e-6, relu=0.2, tanh=float("nan"))
    layers = pd.DataFrame(
        dict(
            activation=["relu"] * 2,
            stage=["init", "trained"],
            layer=[1, 1],
            kind=["hidden"] * 2,
            grad_norm=[0.0, 1.0],
        )
    )
    lines = gf.caption_lines(dict(summary=summary, layers=layers), depth=8)
    init = dict((p.get("activation", key), (key, p)) for key, p in lines["grad-init"])
    assert init["logistic"] == (
        "ratio",
        dict(activation="logistic", ratio="1e-6", verdict="vanishing", depth=8),
    )
    assert init["tanh"][0] == "ratio_none"
    orders = [p for key, p in lines["grad-init"] if key == "orders"]
    assert orders == [dict(orders="5.3")]
    assert ("zero_layers", {}) in lines["grad-init"] and ("tanh_note", {}) in lines["grad-init"]
    assert ("zero_layers", {}) not in lines["grad-trained"]
    assert lines["dead"][0] == ("dead", dict(activation="logistic", init="0%", trained="50%"))
    assert lines["summary"] == []


def test_orders_apart_needs_both_finite():
    assert gf.orders_apart(fake_summary(logistic=1e-5, relu=0.1), "init") == pytest.approx(4.0)
    assert gf.orders_apart(fake_summary(relu=0.1), "init") is None
    assert gf.orders_apart(fake_summary(logistic=np.nan, relu=0.1), "init") is None


def test_summary_display_formats():
    shown = gf.summary_display(fake_summary(logistic=2.2e-12, relu=8.55))
    assert shown.ratio_init.tolist() == ["2.2e-12", "8.6"]
    assert shown.dead.tolist() == ["50%", "50%"] and shown.score.tolist() == ["90%", "90%"]


def test_settings_travel_in_a_query_string_and_bad_values_fall_back():
    settings = gf.FlowSettings(
        dataset="xor", depth=3, width=8, learning_rate=0.3, activations=("relu", "tanh")
    )
    query = gf.settings_to_query(settings)
    assert query == {
        "dataset": "xor",
        "depth": "3",
        "width": "8",
        "learning_rate": "0.3",
        "activations": "relu,tanh",
    }
    assert gf.settings_from_query(query) == (settings, [])
    assert gf.settings_to_query(gf.FlowSettings()) == {}
    hostile = {
        "depth": "3.5",
        "width": "nan",
        "learning_rate": "-1",
        "dataset": "x" * 10_000,
        "activations": "relu,<b>",
        "other": "ignored",
    }
    back, problems = gf.settings_from_query(hostile)
    assert back == gf.FlowSettings()
    assert [p.field for p in problems] == [
        "depth",
        "width",
        "learning_rate",
        "dataset",
        "activations",
    ]
    assert all(len(str(p)) < 300 and p.reason for p in problems)
    # The page's fields are the Playground's where they mean the same: one declaration.
    from core.config import TrainConfig

    for name in ("dataset", "learning_rate"):
        ours, theirs = (
            gf.FlowSettings.__dataclass_fields__[name],
            TrainConfig.__dataclass_fields__[name],
        )
        assert all(ours.metadata[k] == theirs.metadata[k] for k in ("kind", "lo", "hi", "choices"))


def test_gradient_flow_calls_vanished_what_the_rules_file_does(monkeypatch):
    from core import rules

    threshold = rules.vanished_gradient_ratio()
    assert gf.verdict(threshold * 0.9) == "vanishing"
    assert gf.verdict(threshold * 1.1) != "vanishing"
    monkeypatch.setattr(rules, "vanished_gradient_ratio", lambda: 1e-6)
    monkeypatch.setattr(gf, "vanished_gradient_ratio", rules.vanished_gradient_ratio)
    assert gf.verdict(threshold * 0.9) != "vanishing"


def test_init_profile_relu_glorot_starts_smaller_than_he_and_selu_holds_only_with_lecun():
    from core.config import TrainConfig

    relu = TrainConfig(dataset="circle", activation="relu", hidden_layers=(32,) * 10)
    start = gf.init_profile_summary(gf.init_profile(relu, ["glorot_uniform", "he_uniform"]))
    std = start.pivot(index="layer", columns="init", values="signal_std")
    grad = start.pivot(index="layer", columns="init", values="grad_norm")
    assert (std.he_uniform.loc[1:10] > 2 * std.glorot_uniform.loc[1:10]).all()
    assert std.glorot_uniform[10] < std.glorot_uniform[1]  # shrinks layer by layer
    assert grad.he_uniform[1] > grad.glorot_uniform[1]

    selu = relu.replace(activation="selu")
    start = gf.init_profile_summary(gf.init_profile(selu, ["lecun_normal", "glorot_uniform"]))
    hidden = start.dropna(subset=["signal_std"])
    lecun = hidden[hidden.init == "lecun_normal"]
    glorot = hidden[hidden.init == "glorot_uniform"]
    assert lecun.signal_std.between(0.8, 1.25).all() and (lecun.signal_mean.abs() < 0.2).all()
    assert not glorot.signal_std.between(0.8, 1.25).all()  # its first layers start low
    facts = {f["init"]: f for f in gf.init_facts(start)}
    assert facts["lecun_normal"]["depth"] == 10


def test_init_profile_refuses_what_it_cannot_measure():
    from core.config import ConfigError, TrainConfig

    with pytest.raises(ValueError, match="hidden layer"):
        gf.init_profile(TrainConfig(hidden_layers=()), ["auto"])
    with pytest.raises(ValueError, match="at least one init"):
        gf.init_profile(TrainConfig(), [])
    with pytest.raises(ConfigError, match="init"):
        gf.init_profile(TrainConfig(), ["xavier"])
