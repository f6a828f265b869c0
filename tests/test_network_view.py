"""The neuron view's core (core.network_view, core.charts.network): pictures equal the
network's own activations, link widths scale per layer, wide layers are summarised by
their strongest units, dead/saturated agree with the diagnostics, and every activation
and task gives a drawable frame within the issue's data budget."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pytest

from core.activations import HIDDEN_ACTIVATIONS, get_activation
from core.charts.network import LINKS, network_data, network_spec
from core.config import TrainConfig
from core.datasets import make_dataset
from core.diagnostics import layer_table, weight_gradients
from core.gradient_flow import FlowSettings
from core.network_view import (
    LINK_WIDTH_MAX,
    MAX_SHOWN,
    SHADES,
    TILE,
    link_widths,
    net_frame,
    shown_units,
    unit_details,
    unit_pictures,
)
from core.training import make_grid, model_outputs, train
from ui.network_view import chart_words

WORDS = chart_words("en")  # the real English words of the chart


def frame_of(result, epoch=1):
    data = result.dataset
    grid = make_grid(data, TILE)
    outputs = model_outputs(result.model.estimator(), grid.points, check_input=False)
    value_range = (float(data.y.min()), float(data.y.max())) if data.task == "regression" else None
    return net_frame(
        result.model.estimator(),
        epoch,
        grid.points,
        outputs,
        data.X_train,
        task=data.task,
        value_range=value_range,
    )


def quick(**changes):
    return train(TrainConfig(n_samples=200, epochs=30, **changes))


def test_pictures_are_the_hidden_activations_at_the_grid_points():
    result = quick(activation="tanh", hidden_layers=(5, 3))
    frame = frame_of(result)
    data, model = result.dataset, result.model.estimator()
    # The first hidden layer computed here by hand from the weights, on the tile grid.
    xs = np.linspace(data.extent[0], data.extent[1], TILE)
    ys = np.linspace(data.extent[2], data.extent[3], TILE)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    hidden = np.tanh(points @ model.coefs_[0] + model.intercepts_[0])  # (TILE*TILE, 5)
    expected = np.round((np.clip(hidden / frame.layers[1].scale, -1, 1) + 1) * SHADES)
    tiles = unit_pictures(frame, 1)  # (5, TILE, TILE), image rows from the top
    assert tiles.shape == (5, TILE, TILE)
    for u in range(5):
        grid_values = expected[:, u].reshape(TILE, TILE)[::-1]  # lowest y at the bottom
        np.testing.assert_array_equal(tiles[u], grid_values)
    assert (frame.layers[1].scale == 1.0).all()  # tanh's bound: comparable across units
    assert frame.hidden_bound == 1.0


def test_an_unbounded_activation_draws_each_unit_at_its_own_largest_value():
    result = quick(activation="relu", hidden_layers=(8,))
    frame = frame_of(result)
    grid = make_grid(result.dataset, TILE)
    hidden = np.maximum(grid.points @ result.model.coefs_[0] + result.model.intercepts_[0], 0)
    peak = hidden.max(axis=0)
    np.testing.assert_allclose(frame.layers[1].scale, np.where(peak > 0, peak, 1.0), rtol=1e-6)
    assert frame.hidden_bound is None
    # Each live unit reaches full blue somewhere: its shape shows whatever its size.
    tiles = unit_pictures(frame, 1)
    for u in np.flatnonzero(peak > 0):
        assert tiles[u].max() == 2 * SHADES


def test_link_widths_have_one_scale_per_layer():
    small = np.array([[0.1, -0.05], [0.02, 0.0]])
    widths = link_widths(small)
    np.testing.assert_allclose(widths, np.abs(small) / 0.1 * LINK_WIDTH_MAX)
    # A layer of weights 1000x larger draws the same: each layer has its own scale.
    np.testing.assert_allclose(link_widths(small * 1000), widths)
    assert not link_widths(np.zeros((2, 2))).any()


def test_the_chart_data_scales_each_weight_layer_to_its_own_largest_weight():
    result = quick(hidden_layers=(6, 4))
    frame = frame_of(result)
    links = network_data(frame, WORDS)[LINKS]
    for c, weights in enumerate(frame.links):
        rows = links[links.c == c]
        assert len(rows) == weights.size
        assert rows.w.max() == round(LINK_WIDTH_MAX * 10)  # tenths of a pixel
        assert set(rows.sign) <= {"positive", "negative"}
        assert (rows.sign == "negative").sum() == (weights < 0).sum()


def test_wide_layers_show_the_units_with_the_largest_outgoing_weights():
    rng = np.random.default_rng(0)
    outgoing = rng.normal(size=(40, 3)) * 0.01
    strong = [3, 7, 11, 19, 23, 29, 31, 33, 35, 36, 37, 38, 39, 0, 1, 2]
    outgoing[strong] *= 100
    np.testing.assert_array_equal(shown_units(outgoing, 40), sorted(strong))
    np.testing.assert_array_equal(shown_units(outgoing[:10], 10), np.arange(10))

    # Dead units keep places in proportion to their share: 20 of 40 dead -> 8 of 16,
    # the strongest dead ones; the other 8 are the strongest live ones.
    marked = np.zeros(40, dtype=bool)
    marked[20:] = True
    shown = shown_units(outgoing, 40, marked=marked)
    assert len(shown) == MAX_SHOWN and marked[shown].sum() == 8
    norms = np.linalg.norm(outgoing, axis=1)
    live, dead = np.arange(20), np.arange(20, 40)
    assert set(shown[~marked[shown]]) == set(live[np.argsort(-norms[live])[:8]])
    assert set(shown[marked[shown]]) == set(dead[np.argsort(-norms[dead])[:8]])
    one = np.zeros(40, dtype=bool)
    one[5] = True  # a single dead unit still shows
    assert 5 in shown_units(outgoing, 40, marked=one)

    result = quick(hidden_layers=(40, 5))
    frame = frame_of(result)
    layer = frame.layers[1]
    assert layer.units == 40 and len(layer.shown) == MAX_SHOWN
    norms = np.linalg.norm(result.model.coefs_[1], axis=1)
    marked = layer.dead | layer.saturated
    np.testing.assert_array_equal(
        layer.shown, shown_units(result.model.coefs_[1], 40, marked=marked)
    )
    unmarked_shown = [u for u in layer.shown if not marked[u]]
    unmarked = np.flatnonzero(~marked)
    strongest = unmarked[np.argsort(-norms[unmarked])[: len(unmarked_shown)]]
    assert set(unmarked_shown) == set(strongest)
    assert frame.links[1].shape == (MAX_SHOWN, 5)  # links only between drawn units
    assert len(layer.dead) == 40  # the counts cover every unit, drawn or not
    headers = network_data(frame, WORDS)["net_headers"]
    assert "16 of 40 shown" in set(headers.line)


def test_dead_units_match_the_diagnostics_on_the_dead_relu_preset():
    config = FlowSettings().dead_relu_preset().config("relu")
    result = train(config)
    frame = frame_of(result)
    data = result.dataset
    table = layer_table(result.model.estimator(), data.X_train, data.y_train)
    hidden = [layer for layer in frame.layers if layer.kind == "hidden"]
    dead = [int(layer.dead.sum()) for layer in hidden]
    assert dead == [round(f * 16) for f in table.dead_fraction[:-1]]
    assert sum(dead) > len(hidden) * 16 / 2  # the preset kills most units
    assert not any(layer.saturated.any() for layer in hidden)  # ReLU does not saturate


def test_saturated_units_only_for_saturating_activations():
    # A large learning rate pushes sigmoid units to their flat edges.
    result = train(
        TrainConfig(activation="logistic", hidden_layers=(16, 16), learning_rate=0.3, epochs=60)
    )
    frame = frame_of(result)
    hidden = [layer for layer in frame.layers if layer.kind == "hidden"]
    assert sum(int(layer.saturated.sum()) for layer in hidden) > 0
    for layer in hidden:
        assert not (layer.saturated & layer.dead).any()
    leaky = frame_of(quick(activation="leaky_relu"))
    assert not any(layer.dead.any() or layer.saturated.any() for layer in leaky.layers)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("dataset", ["moons", "blobs", "sine", "plane"])
def test_every_activation_and_task_gives_a_drawable_frame(activation, dataset):
    result = train(
        TrainConfig(dataset=dataset, activation=activation, n_samples=120, epochs=5),
        network_view=True,
    )
    assert [f.epoch for f in result.network_frames] == list(result.snapshot_epochs)
    frame = result.network_frames[-1]
    n_out = result.model.coefs_[-1].shape[1]
    assert [layer.kind for layer in frame.layers] == ["input", "hidden", "hidden", "output"]
    assert len(frame.layers[-1].shown) == n_out
    assert frame.one_feature == (result.dataset.n_features == 1)
    assert unit_pictures(frame, 3).shape == (n_out, TILE, TILE)
    spec = network_spec(frame, WORDS)
    assert spec["datasets"]["net_image"].url[0].startswith("data:image/png;base64,")


def test_data_per_redraw_stays_under_120_kb_at_ten_layers_of_sixteen():
    result = train(
        TrainConfig(hidden_layers=(16,) * 10, n_samples=200, epochs=5), network_view=True
    )
    spec = network_spec(result.network_frames[-1], WORDS)
    sent = 0
    for frame in spec["datasets"].values():  # what Streamlit sends: Arrow IPC streams
        sink = io.BytesIO()
        table = pa.Table.from_pandas(frame)
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        sent += len(sink.getvalue())
    assert sent < 120_000, sent


def test_a_csv_with_more_features_holds_the_others_at_their_mean():
    data = make_dataset("moons", n_samples=200)
    rng = np.random.default_rng(1)
    extra = rng.normal(3.0, 1.0, size=(len(data.X_train), 2))
    from dataclasses import replace

    wide = replace(
        data,
        X_train=np.column_stack([data.X_train, extra]),
        X_test=np.column_stack([data.X_test, rng.normal(3, 1, size=(len(data.X_test), 2))]),
        feature_names=("a", "b", "c", "d"),
    )
    result = train(TrainConfig(epochs=5), dataset=wide, network_view=True)
    frame = result.network_frames[-1]
    assert frame.layers[0].units == 4
    tiles = unit_pictures(frame, 0)
    # Inputs c and d are constant over the plane (their mean), a and b vary.
    assert len(np.unique(tiles[0])) > 3 and len(np.unique(tiles[1])) > 3
    assert len(np.unique(tiles[2])) == 1 and len(np.unique(tiles[3])) == 1


def test_unit_details_use_the_frames_weights_and_the_real_gradient():
    result = train(TrainConfig(n_samples=200, epochs=40), network_view=True)
    data = result.dataset
    first, last = result.network_frames[0], result.network_frames[-1]
    early = unit_details(result.model.estimator(), first, data.X_train, data.y_train, 1, 2)
    final = unit_details(result.model.estimator(), last, data.X_train, data.y_train, 1, 2)
    np.testing.assert_allclose(final.weights, result.model.coefs_[0][:, 2], rtol=1e-6)
    assert not np.allclose(early.weights, final.weights)
    grads = weight_gradients(result.model.estimator(), data.X_train, data.y_train)
    assert final.gradient == pytest.approx(np.linalg.norm(grads[0][:, 2]), rel=1e-4)
    assert final.hist_counts.sum() == len(data.X_train)
    relu = get_activation("relu")
    z = data.X_train @ result.model.coefs_[0][:, 2] + result.model.intercepts_[0][2]
    assert final.dead == bool((relu.derivative(z) == 0).all())
    with pytest.raises(ValueError):
        unit_details(result.model.estimator(), last, data.X_train, data.y_train, 1, 99)


def test_a_run_kept_in_the_history_keeps_only_the_final_view():
    from core.run_history import nbytes, slim

    result = train(TrainConfig(n_samples=200, epochs=30), network_view=True)
    kept = slim(result)
    assert [f.epoch for f in kept.network_frames] == [result.network_frames[-1].epoch]
    assert nbytes(kept) < nbytes(result)
