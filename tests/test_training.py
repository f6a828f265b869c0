"""train(): history, snapshots, notes, hooks, and the diagnostics built on it."""

import numpy as np
import pytest

from core.config import TrainConfig
from core.diagnostics import (
    at_initialisation,
    gradient_norms,
    histograms,
    layer_table,
    run_diagnostics,
)
from core.snippet import code_snippet
from core.training import (
    SNAPSHOT_COUNT,
    SNAPSHOT_RESOLUTION,
    build_estimator,
    dataset_for,
    make_grid,
    model_outputs,
    train,
)

FAST = dict(n_samples=200, epochs=60)


def test_default_run_learns_moons_and_records_everything():
    seen = []
    result = train(TrainConfig(), on_epoch=seen.append)
    h = result.history
    assert list(h.columns) == [
        "epoch",
        "train_loss",
        "test_loss",
        "train_score",
        "test_score",
        "objective",
    ]
    assert len(h) == result.model.n_iter_ == len(seen)
    assert h.epoch.tolist() == list(range(1, len(h) + 1))
    assert np.isfinite(h[["train_loss", "test_loss"]].to_numpy()).all()
    assert h.test_score.iloc[-1] > 0.9  # moons is easy for two ReLU layers
    assert h.train_loss.iloc[-1] < h.train_loss.iloc[0] / 3
    # It stopped early: frames every few epochs, at the stride planned for 300 epochs.
    gaps = np.diff(result.snapshot_epochs[1:-1])
    assert len(set(gaps)) == 1 and len(result.snapshots) >= len(h) // gaps[0]
    assert result.snapshots.shape[1:] == (SNAPSHOT_RESOLUTION, SNAPSHOT_RESOLUTION, 1)
    assert result.snapshot_epochs[-1] == h.epoch.iloc[-1]
    frames = [p.frame for p in seen if p.frame is not None]
    assert len(frames) == len(result.snapshots) - 1  # all but the final frame went live
    # The replay moves: the first frame is not the last one.
    assert (
        np.abs(result.snapshots[0].astype(float) - result.snapshots[-1].astype(float)).max() > 0.2
    )
    assert result.seconds > 0


@pytest.mark.parametrize("epochs", [40, 300, 1000])
def test_a_run_of_its_planned_length_keeps_a_bounded_evenly_spaced_replay(epochs):
    result = train(
        TrainConfig(n_samples=100, epochs=epochs, stop_when_flat=False, hidden_layers=(4,))
    )
    frames = result.snapshot_epochs
    assert SNAPSHOT_COUNT <= len(frames) <= 2 * SNAPSHOT_COUNT + 1
    assert frames[0] == 1 and frames[-1] == epochs
    assert len(set(np.diff(frames[1:-1]))) == 1


def test_history_matches_an_independent_evaluation_of_the_final_model():
    result = train(TrainConfig(**FAST, stop_when_flat=False))
    data, model = result.dataset, result.model.estimator()
    assert result.history.test_score.iloc[-1] == pytest.approx(
        model.score(data.X_test, data.y_test)
    )


def test_train_is_deterministic_and_matches_a_plain_fit():
    config = TrainConfig(**FAST)
    a, b = train(config), train(config)
    for wa, wb in zip(a.model.coefs_, b.model.coefs_):
        np.testing.assert_array_equal(wa, wb)
    data = dataset_for(config)
    plain = build_estimator(config, data.task).fit(data.X_train, data.y_train)
    for wa, wp in zip(a.model.coefs_, plain.coefs_):
        np.testing.assert_array_equal(wa, wp)  # the hook observes, it does not change


def test_snippet_reproduces_the_run():
    for config in (
        TrainConfig(**FAST),
        TrainConfig(
            **FAST, activation="leaky_relu", output_activation="tanh", loss="squared_error"
        ),
        TrainConfig(**FAST, activation="selu", init="lecun_normal"),
        TrainConfig(**FAST, activation="relu", init="he_uniform"),  # ours: init is not stock
    ):
        namespace = {}
        exec(code_snippet(config), namespace)
        ours = train(config).model
        for a, b in zip(ours.coefs_, namespace["model"].coefs_):
            np.testing.assert_array_equal(a, b)


def test_divergence_stops_with_a_note_and_finite_weights():
    config = TrainConfig(
        dataset="sine",
        solver="sgd",
        learning_rate=1.0,
        hidden_layers=(64, 64),
        activation="identity",
        epochs=200,
        batch_size=1,
        n_samples=200,
    )
    result = train(config)
    assert result.stop_reason == "diverged"
    assert [n.kind for n in result.notes][0] == "diverged"
    assert all(np.isfinite(w).all() for w in result.model.coefs_)
    assert np.isfinite(result.history[["train_loss", "test_loss"]].to_numpy()).all()


def test_time_budget_stops_cleanly():
    result = train(TrainConfig(epochs=3000, stop_when_flat=False), time_budget=0.05)
    assert result.stop_reason == "time_budget"
    assert 1 <= len(result.history) < 3000
    assert "time_budget" in [n.kind for n in result.notes]


def test_early_stop_and_non_canonical_notes():
    converged = train(TrainConfig(dataset="gauss", **FAST, learning_rate=0.1))
    assert converged.stop_reason == "converged"
    assert converged.notes[0].kind == "converged"
    odd = train(TrainConfig(**FAST, output_activation="identity", loss="log_loss"))
    kinds = {n.kind for n in odd.notes}
    assert {"non_canonical", "clipped_log_loss"} <= kinds


def test_notes_carry_numbers_and_take_their_text_from_the_translation_files():
    from ui.i18n import strings, translate

    odd = train(TrainConfig(**FAST, output_activation="identity", loss="log_loss"))
    english = strings("en")
    for note in odd.notes:
        assert all(not isinstance(v, str) or " " not in v for v in note.params.values())
        assert note.message == english[f"notes.{note.kind}"].format(**note.params)
        chinese = translate("zh", f"notes.{note.kind}", **note.params)
        assert chinese != note.message and all(str(v) in chinese for v in note.params.values())
    epoch = next(n for n in odd.notes if "epoch" in n.params).params["epoch"]
    assert epoch == len(odd.history)


@pytest.mark.parametrize("dataset", ["blobs", "sine", "plane"])
def test_other_tasks_train(dataset):
    result = train(TrainConfig(dataset=dataset, **FAST))
    assert result.dataset.task in ("multiclass", "regression")
    assert np.isfinite(result.history.test_loss).all()
    if dataset == "sine":
        assert result.snapshots.shape[1:] == (SNAPSHOT_RESOLUTION, 1)


def test_lbfgs_records_loss_evaluations():
    result = train(TrainConfig(solver="lbfgs", **FAST))
    assert len(result.history) >= 10
    assert result.history.test_score.iloc[-1] > 0.85


def test_gradient_norms_match_backprop():
    config = TrainConfig(**FAST, alpha=0.0)
    data = dataset_for(config)
    model = at_initialisation(build_estimator(config, data.task), data.X_train, data.y_train)
    norms = gradient_norms(model, data.X_train, data.y_train)
    Xv = data.X_train
    yv = model._label_binarizer.transform(data.y_train).astype(float)
    units = [Xv.shape[1], *config.hidden_layers, 1]
    grads = model._backprop(
        Xv,
        yv,
        None,
        [Xv] + [None] * 3,
        [None] * 3,
        [np.empty((a, b)) for a, b in zip(units, units[1:])],
        [np.empty(b) for b in units[1:]],
    )[1]
    np.testing.assert_allclose(norms, [np.linalg.norm(g) for g in grads], rtol=1e-10)


def test_at_initialisation_holds_the_weights_fit_starts_from():
    config = TrainConfig(**FAST)
    data = dataset_for(config)
    estimator = build_estimator(config, data.task)
    initial = at_initialisation(estimator, data.X_train, data.y_train)
    one_step = build_estimator(
        config.replace(epochs=1, solver="sgd", learning_rate=1e-5), data.task
    ).fit(data.X_train, data.y_train)
    for a, b in zip(initial.coefs_, one_step.coefs_):
        np.testing.assert_allclose(a, b, atol=1e-3)


@pytest.mark.parametrize("depth", [5, 8])
def test_sigmoid_gradients_vanish_with_depth_and_relu_ones_do_not(depth):
    """G8 as a measurement, at scikit-learn's initialisation."""
    ratios = {}
    for activation in ("logistic", "relu"):
        config = TrainConfig(hidden_layers=(16,) * depth, activation=activation)
        data = dataset_for(config)
        model = at_initialisation(build_estimator(config, data.task), data.X_train, data.y_train)
        norms = gradient_norms(model, data.X_train, data.y_train)
        ratios[activation] = norms[0] / norms[-1]
    assert ratios["logistic"] < 1e-3
    assert ratios["relu"] > 1e-1


def test_dead_relu_units_are_counted_and_leaky_relu_has_none():
    # A large learning rate kills ReLUs; the same run with Leaky ReLU keeps them alive.
    base = TrainConfig(
        hidden_layers=(32, 32, 32),
        learning_rate=0.3,
        epochs=80,
        n_samples=300,
        stop_when_flat=False,
    )
    relu = run_diagnostics(train(base))["final"]
    leaky = run_diagnostics(train(base.replace(activation="leaky_relu")))["final"]
    hidden = relu.kind == "hidden"
    assert relu[hidden].dead_fraction.max() > 0.2
    assert leaky[leaky.kind == "hidden"].dead_fraction.max() == 0.0


def test_layer_table_and_histograms_shapes():
    result = train(TrainConfig(**FAST, activation="tanh"))
    data = result.dataset
    table = layer_table(result.model.estimator(), data.X_train, data.y_train)
    assert table.kind.tolist() == ["hidden", "hidden", "output"]
    assert table.flat_fraction.iloc[:2].between(0, 1).all()
    hist = histograms(result.model.estimator(), data.X_train)
    assert set(hist.quantity) == {"pre-activation", "activation"}
    assert hist.groupby(["layer", "quantity"])["count"].sum().eq(len(data.X_train) * 16).all()
    # tanh activations stay in (-1, 1)
    acts = hist[hist.quantity == "activation"]
    assert acts.start.min() >= -1 and acts.end.max() <= 1


def test_on_epoch_can_stop_the_run_cleanly():
    from core.training import StopRequested

    def stop_at_7(p):
        if p.epoch == 7:
            raise StopRequested

    result = train(TrainConfig(**FAST, stop_when_flat=False), on_epoch=stop_at_7)
    assert result.stop_reason == "stopped" and len(result.history) == 7
    assert [n.kind for n in result.notes][0] == "stopped"
    assert result.model.n_iter_ == 7


def test_replay_frames_and_surface_keep_large_regression_values():
    """An uploaded target may reach millions: the replay frames and the finished surface
    must hold the model's outputs, not overflow (float16 ends at 65504)."""
    import pandas as pd

    from core.csv_data import dataset_from_frame

    x = np.linspace(-2, 2, 200)
    frame = pd.DataFrame({"x": x, "y": 3e6 * x + 5e6})
    data = dataset_from_frame(frame, target="y", features=["x"])
    config = TrainConfig(dataset="sine", solver="lbfgs", epochs=200, hidden_layers=(8,))
    result = train(config, dataset=data, surface_resolution=50)
    final = model_outputs(result.model.estimator(), result.grid.points).reshape(
        result.snapshots[-1].shape
    )
    assert np.abs(final).max() > 1e6  # the fit reaches the target's scale
    np.testing.assert_allclose(result.snapshots[-1], final, rtol=1e-5)
    fine = model_outputs(result.model.estimator(), make_grid(data, 50).points).reshape(
        result.surface.shape
    )
    np.testing.assert_allclose(result.surface, fine, rtol=1e-5)
