"""Chart specs the Playground redraws: built once per layout, the same picture as the
Altair charts, and the same spec from one drawing to the next (so the browser updates
the chart it has)."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import altair as alt
import numpy as np
import pytest

from core.charts.run import (
    HISTORY_DATA,
    SURFACE_IMAGE,
    SURFACE_POINTS,
    history_chart,
    history_spec,
    surface_chart,
    surface_spec,
)
from core.charts.templates import built_once
from core.config import TrainConfig
from core.training import make_grid, model_outputs, train


@pytest.fixture(scope="module")
def run():
    return train(TrainConfig(n_samples=200, epochs=30))


def _without_data(spec: dict) -> str:
    spec = {k: v for k, v in spec.items() if k != "datasets"}
    return json.dumps(spec, sort_keys=True)


def _inline(spec: dict) -> dict:
    """A spec from surface_spec/history_spec with its DataFrames as records, so Altair
    can read it back and check it against the Vega-Lite schema."""
    return {
        **spec,
        "datasets": {
            name: json.loads(frame.to_json(orient="records"))
            for name, frame in spec["datasets"].items()
        },
    }


def test_surface_spec_is_a_valid_chart_of_the_same_data_as_surface_chart(run):
    values = model_outputs(run.model.estimator(), make_grid(run.dataset, 50).points).reshape(
        50, 50, -1
    )
    spec = surface_spec(values, run.dataset, model=run.model, title="t")
    alt.LayerChart.from_dict(_inline(spec))  # raises if the spec breaks the schema
    image, points = spec["datasets"][SURFACE_IMAGE], spec["datasets"][SURFACE_POINTS]
    chart = surface_chart(values, run.dataset, model=run.model, title="t").to_dict()
    datasets = list(chart["datasets"].values())
    assert image.url[0] in {row.get("url") for rows in datasets for row in rows}
    chart_points = max(datasets, key=len)
    assert len(points) == len(chart_points) == len(run.dataset.y)
    assert points.wrong.sum() == sum(row["wrong"] for row in chart_points) > 0
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert (
        marks
        == [layer["mark"]["type"] for layer in chart["layer"]]
        == ["image", "circle", "point", "point"]
    )


def test_the_surface_spec_is_the_same_while_training_and_when_finished(run):
    """A blank surface, a live frame without a model and the finished surface with its
    misclassified points ringed: one spec, new data each time."""
    grid = make_grid(run.dataset, 64)
    blank = surface_spec(np.full((64, 64, 1), 0.5), run.dataset, value_range=(0.0, 1.0))
    frame = surface_spec(run.snapshots[0].astype(float), run.dataset)
    final = surface_spec(
        model_outputs(run.model.estimator(), grid.points).reshape(64, 64, -1),
        run.dataset,
        model=run.model,
    )
    assert _without_data(blank) == _without_data(frame) == _without_data(final)
    assert blank["datasets"][SURFACE_IMAGE].url[0] != final["datasets"][SURFACE_IMAGE].url[0]
    assert not frame["datasets"][SURFACE_POINTS].wrong.any()
    assert final["datasets"][SURFACE_POINTS].wrong.any()
    # A change of layout is a new spec.
    assert _without_data(
        surface_spec(run.snapshots[0].astype(float), run.dataset, size=200)
    ) != _without_data(frame)


def test_each_call_gets_its_own_spec(run):
    """The spec is cached as text: a page (or Streamlit) changing one must not change
    the next."""
    first = surface_spec(run.snapshots[0].astype(float), run.dataset)
    first["layer"][0]["encoding"]["x"]["title"] = "changed"
    second = surface_spec(run.snapshots[0].astype(float), run.dataset)
    assert second["layer"][0]["encoding"]["x"]["title"] == run.dataset.feature_names[0]


def test_history_spec_matches_history_chart(run):
    spec = history_spec(run.history, "loss", "Loss", log_scale=True)
    alt.Chart.from_dict(_inline(spec))
    rows = spec["datasets"][HISTORY_DATA]
    chart = history_chart(run.history, "loss", "Loss", log_scale=True).to_dict()
    assert len(rows) == len(next(iter(chart["datasets"].values()))) == 2 * len(run.history)
    assert spec["encoding"] == chart["encoding"]
    assert _without_data(
        history_spec(run.history.iloc[:3], "loss", "Loss", log_scale=True)
    ) == _without_data(spec)


def test_train_returns_the_fine_surface_when_asked():
    config = TrainConfig(n_samples=200, epochs=20)
    result = train(config, surface_resolution=40)
    expected = model_outputs(result.model.estimator(), make_grid(result.dataset, 40).points)
    assert result.surface.shape == (40, 40, 1)
    np.testing.assert_allclose(result.surface.reshape(-1, 1), expected, atol=1e-3)
    assert result.surface.dtype == np.float16
    assert train(config).surface is None
    # Regression values keep float32: a target in the hundreds of thousands stays finite.
    big = train(TrainConfig(dataset="sine", n_samples=100, epochs=5), surface_resolution=20)
    assert big.surface.dtype == np.float32


def _together(fn, n: int = 8) -> list:
    """``fn()`` in ``n`` threads released at the same moment (a class pressing Train)."""
    start = threading.Barrier(n)

    def call():
        start.wait()
        return fn()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: call(), range(n)))


def test_a_template_asked_for_by_many_threads_at_once_is_built_once():
    builds = []

    @built_once(maxsize=4)
    def template(layout: str) -> str:
        builds.append(layout)
        time.sleep(0.05)  # long enough for every other thread to ask meanwhile
        return f"spec of {layout}"

    assert _together(lambda: template("moons")) == ["spec of moons"] * 8
    assert builds == ["moons"]
    assert template("xor") == "spec of xor" and builds == ["moons", "xor"]


def test_the_surface_and_network_templates_are_built_once_for_a_class(run):
    from core.charts import network
    from core.charts.run import _surface_template
    from ui.network_view import chart_words

    _surface_template.cache_clear()
    _together(lambda: surface_spec(np.full((20, 20, 1), 0.5), run.dataset, title="class"))
    assert _surface_template.cache_info().misses == 1

    frame = train(TrainConfig(n_samples=200, epochs=5), network_view=True).network_frames[-1]
    network._template.cache_clear()
    _together(lambda: network.network_spec(frame, chart_words("en")))
    assert network._template.cache_info().misses == 1
