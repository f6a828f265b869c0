"""The decision surface at 200x200: evaluating it, and what the chart weighs."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from bench.common import Figure, median, timed
from core.charts.run import SURFACE_SIZE, surface_chart, surface_spec
from core.config import TrainConfig
from core.training import make_grid, model_outputs, train

REPS = 5


def evaluate(model, data, resolution: int = SURFACE_SIZE):
    grid = make_grid(data, resolution)
    return model_outputs(model, grid.points).reshape(*grid.shape, -1), grid


def rect_chart(values: np.ndarray, grid) -> alt.Chart:
    """The same grid drawn the naive way: one rectangle per cell."""
    gx, gy = np.meshgrid(grid.xs, grid.ys)
    dx, dy = grid.xs[1] - grid.xs[0], grid.ys[1] - grid.ys[0]
    frame = pd.DataFrame(
        {
            "x": gx.ravel(),
            "x2": gx.ravel() + dx,
            "y": gy.ravel(),
            "y2": gy.ravel() + dy,
            "p": values[..., 0].ravel(),
        }
    )
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x="x:Q",
            x2="x2:Q",
            y="y:Q",
            y2="y2:Q",
            color=alt.Color("p:Q", scale=alt.Scale(scheme="blueorange")),
        )
    )


def breakdown(chart) -> dict:
    """Where the bytes are: the image layer, the data points, and what
    st.altair_chart sends instead (the spec as JSON, the datasets as Arrow)."""
    import io
    import json

    import pyarrow as pa

    spec = chart.to_dict()
    datasets = spec.pop("datasets", {})
    sizes = {name: len(json.dumps(rows)) for name, rows in datasets.items()}
    image = max(sizes, key=lambda n: "url" in datasets[n][0])
    arrow = 0
    for rows in datasets.values():
        sink = io.BytesIO()
        table = pa.Table.from_pylist(rows)
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        arrow += len(sink.getvalue())
    rounded = {
        n: [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()} for r in rows]
        for n, rows in datasets.items()
    }
    return dict(
        image_kb=sizes[image] / 1000,
        points_kb=sum(v for n, v in sizes.items() if n != image) / 1000,
        compact_kb=len(json.dumps({**spec, "datasets": datasets})) / 1000,
        rounded_compact_kb=len(json.dumps({**spec, "datasets": rounded})) / 1000,
        streamlit_kb=(len(json.dumps(spec)) + arrow) / 1000,
    )


def _sent_script():

    from core.config import TrainConfig
    from core.training import train
    from ui.results import final_surface, show_outputs

    result = train(TrainConfig())
    values, grid = final_surface(result)
    show_outputs(values, result.dataset, grid, model=result.model)  # as the Playground does


def bytes_sent() -> dict:
    """The chart element as Streamlit itself marshals it for the browser (spec JSON plus
    Arrow datasets in one protobuf message), measured on a real script run drawing the
    Playground's finished surface."""
    import logging

    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # bare-mode chatter
    element = (
        AppTest.from_function(_sent_script, default_timeout=120)
        .run()
        .get("vega_lite_chart")[0]
        .proto
    )
    return dict(
        message_kb=element.ByteSize() / 1000,
        spec_kb=len(element.spec) / 1000,
        datasets_kb=[round(d.data.ByteSize() / 1000, 1) for d in element.datasets],
    )


def run(out) -> list[Figure]:
    result = train(TrainConfig())
    model, data = result.model, result.dataset  # the plain-array model the charts read
    network = model.estimator()  # scikit-learn's, to run on the grid
    evals = [timed(evaluate, network, data)[0] for _ in range(REPS)]
    values, grid = evaluate(network, data)
    builds, sizes = [], []
    for _ in range(REPS):
        seconds, text = timed(lambda: surface_chart(values, data, model=model).to_json())
        builds.append(seconds)
        sizes.append(len(text))
    surface_spec(values, data, model=model)  # its layout's template, built once per server
    spec_builds = [timed(surface_spec, values, data, model=model)[0] for _ in range(REPS)]
    altair_builds = [
        timed(lambda: surface_chart(values, data, model=model).to_dict())[0] for _ in range(REPS)
    ]
    with alt.data_transformers.disable_max_rows():
        rect_s, rect_text = timed(lambda: rect_chart(values, grid).to_json())
    size_kb, rect_kb = sizes[0] / 1000, len(rect_text) / 1000
    parts = breakdown(surface_chart(values, data, model=model))
    out(
        f"  evaluate {SURFACE_SIZE}x{SURFACE_SIZE} = {grid.points.shape[0]:,} points "
        f"(make_grid + model_outputs): {median(evals) * 1000:.1f} ms"
    )
    out(
        f"  surface_chart(...).to_json(): {size_kb:.1f} KB, "
        f"built in {median(builds) * 1000:.0f} ms "
        f"(one PNG image layer + the {len(data.y):,} data points)"
    )
    out(
        f"  of which: image layer {parts['image_kb']:.1f} KB, "
        f"data points {parts['points_kb']:.1f} KB "
        f"(3-decimal coordinates), the rest to_json()'s indentation; compact JSON "
        f"{parts['compact_kb']:.1f} KB"
    )
    out(
        f"  server work per drawing: surface_spec (the page's way: data into a spec built "
        f"once per layout) {median(spec_builds) * 1000:.1f} ms; an Altair chart built and "
        f"validated each time {median(altair_builds) * 1000:.0f} ms"
    )
    sent = bytes_sent()
    out(
        f"  sent to the browser (the Playground's chart message, measured): "
        f"{sent['message_kb']:.1f} KB = spec {sent['spec_kb']:.1f} KB + Arrow datasets "
        + " + ".join(f"{kb} KB" for kb in sent["datasets_kb"])
    )
    out(
        f"  for contrast, a rect-per-cell chart of the same grid: {rect_kb:,.0f} KB "
        f"({rect_kb / size_kb:.0f}x), built in {rect_s * 1000:.0f} ms"
    )
    detail = dict(
        evaluate_ms=median(evals) * 1000,
        chart_build_ms=median(builds) * 1000,
        spec_build_ms=median(spec_builds) * 1000,
        altair_build_validate_ms=median(altair_builds) * 1000,
        rect_chart_kb=rect_kb,
        rect_build_ms=rect_s * 1000,
        to_json_kb=size_kb,
        **parts,
        **sent,
    )
    return [Figure("surface chart sent to the browser", sent["message_kb"], "KB", "<= 60", detail)]
