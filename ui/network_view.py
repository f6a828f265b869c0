"""The Playground's neuron view: the network diagram (``core.charts.network``), the
words that count dead and saturated units, and one unit's details.

The training worker measures every frame (``core.network_view.net_frame``); this module
only puts a frame's data into the cached chart and writes the sentences, so a redraw
while training or on the replay slider costs the server a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import parallel
from core.charts.network import network_spec, unit_chart
from core.formatting import percent_text
from core.network_view import MAX_SHOWN, NetFrame, fitted_unit_details, layer_counts
from ui.chart_alt import chart_alt
from ui.i18n import strings, t

# Words the chart itself shows (legends, column titles, tooltips), unformatted: the
# chart fills in the numbers.
_CHART_WORDS = (
    "positive",
    "negative",
    "dead",
    "saturated",
    "sign_title",
    "state_title",
    "inputs",
    "output",
    "layer",
    "unit",
    "units_line",
    "units_all",
    "unit_one",
    "bias",
    "incoming",
    "histogram",
    "weight_from",
    "count",
    "value",
)
UNIT_KEY = "neuron_unit"  # the unit picker's widget key


def chart_words(lang: str | None = None) -> dict[str, str]:
    """The chart's words in the interface language, or in ``lang`` (tests, benches)."""
    text = t if lang is None else strings(lang).__getitem__
    return {k: text(f"neuron.{k}") for k in _CHART_WORDS}


@dataclass
class NetworkPlaces:
    """Where the view goes, inside ``st.container(key="neuron_view")``."""

    title: DeltaGenerator
    chart: DeltaGenerator
    words: DeltaGenerator
    details: DeltaGenerator

    def clear(self) -> None:
        for place in (self.title, self.chart, self.words, self.details):
            place.empty()


def network_places() -> NetworkPlaces:
    with st.container(key="neuron_view"):
        return NetworkPlaces(st.empty(), st.empty(), st.empty(), st.empty())


def describe(frame: NetFrame, dataset) -> str:
    """The view in words: the legend, each hidden layer's dead and saturated units, and
    what is summarised or held fixed."""
    words = chart_words()
    scale = (
        t("neuron.scale_unit")
        if frame.hidden_bound is None
        else t("neuron.scale_bound", bound=f"{frame.hidden_bound:g}")
    )
    lines = [t("neuron.legend") + " " + scale]
    for row in layer_counts(frame):
        lines.append(
            "- "
            + t(
                "neuron.layer_counts",
                layer=words["layer"].format(n=row["layer"]),
                dead=row["dead"],
                units=row["units"],
                saturated=row["saturated"],
            )
        )
    marked = [(k, sum(r[k] for r in layer_counts(frame))) for k in ("dead", "saturated")]
    lines += [t(f"neuron.{k}_help") for k, n in marked if n]
    if any(len(layer.shown) < layer.units for layer in frame.layers):
        lines.append(t("neuron.summarised", limit=MAX_SHOWN))
    names = dataset.feature_names
    if dataset.n_features > 2:
        lines.append(t("neuron.plane", x=names[0], y=names[1], others=dataset.n_features - 2))
    elif dataset.n_features == 1:
        lines.append(t("neuron.curves", x=names[0]))
    counts = [line for line in lines if line.startswith("- ")]
    notes = [line for line in lines[1:] if not line.startswith("- ")]
    return "\n\n".join([lines[0], "\n".join(counts), *notes])


def show_network(places: NetworkPlaces, frame: NetFrame, dataset) -> None:
    """Draw ``frame`` (while training, or a finished run's replay frame)."""
    places.title.markdown(f"#### {t('neuron.title')}")
    # width="content": the diagram keeps its own size (square tiles), not the column's.
    words = describe(frame, dataset)  # the diagram in words: also its text alternative
    places.chart.vega_lite_chart(
        network_spec(frame, chart_words()), theme=None, width="content", alt=words
    )
    places.words.markdown(words)


def _unit_options(frame: NetFrame) -> list[str]:
    """ "layer/unit" (both from 1) of every hidden and output unit."""
    return [
        f"{c}/{u + 1}"
        for c, layer in enumerate(frame.layers)
        if layer.kind != "input"
        for u in range(layer.units)
    ]


def _unit_label(option: str, frame: NetFrame, words: dict[str, str]) -> str:
    c, u = (int(v) for v in option.split("/"))
    kind = frame.layers[c].kind
    layer = words["output"] if kind == "output" else words["layer"].format(n=c)
    return words["unit"].format(layer=layer, unit=u)


def show_details(places: NetworkPlaces, result, frame: NetFrame) -> None:
    """A picker of one unit and, once chosen, its incoming weights and bias, activation
    histogram, gradient size and state, at ``frame``'s weights when the frame kept
    them."""
    options = _unit_options(frame)
    words = chart_words()  # once: the select box labels every unit of the network
    if st.session_state.get(UNIT_KEY) not in (None, *options):
        del st.session_state[UNIT_KEY]  # a unit of an earlier, larger network
    with places.details.container():
        chosen = st.selectbox(
            t("neuron.pick_unit"),
            options,
            index=None,
            placeholder=t("neuron.pick_placeholder"),
            format_func=lambda o: _unit_label(o, frame, words),
            key=UNIT_KEY,
        )
        if chosen is None:
            return
        layer, unit = (int(v) for v in chosen.split("/"))
        data = result.dataset
        kept = frame.coefs is not None
        # In a worker: the details run the network, which the web server never loads.
        details = parallel.submit_quick(
            fitted_unit_details,
            result.model,
            frame if kept else None,
            data.X_train,
            data.y_train,
            layer,
            unit - 1,
        ).result()
        st.caption(
            t("neuron.frame_weights", epoch=frame.epoch) if kept else t("neuron.final_weights")
        )
        state = "dead" if details.dead else "saturated" if details.saturated else "ok"
        cols = st.columns(4)
        cols[0].metric(t("neuron.bias"), f"{details.bias:.3f}")
        cols[1].metric(
            t("neuron.gradient"), f"{details.gradient:.2e}", help=t("neuron.gradient_help")
        )
        cols[2].metric(t("neuron.state"), t(f"neuron.state_{state}"))
        if details.flat_fraction == details.flat_fraction:  # not NaN: a hidden unit
            cols[3].metric(t("neuron.flat_share"), percent_text(details.flat_fraction))
        with st.container(key="neuron_unit_chart"):
            chart = unit_chart(details, chart_words())
            st.altair_chart(chart, theme=None, alt=chart_alt(chart.to_dict(validate=False)))
