"""Download buttons for what a student takes home from a Playground run (see core.report).

Every file is built only when its button is pressed (Streamlit's deferred download
data), so a run that nobody downloads costs nothing; the report's charts are rendered
to PNG in a training worker, never in the server process shared by the class. A
deferred download runs outside the page's script, so everything that reads the session
(language, link, translated texts) is gathered while the page is drawn.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from core import parallel
from core.charts.run import history_chart, surface_chart
from core.config import TrainConfig
from core.report import (
    chart_images,
    comparison_report_html,
    history_csv,
    report_html,
    weights_npz,
)
from core.snippet import code_snippet
from core.training import TrainResult
from ui.i18n import current_language, setting_label, t, translate
from ui.results import final_surface, note_text

RENDER_TIMEOUT = 60  # seconds: a worker's first render loads the converter (~0.5 s)


@st.cache_data(show_spinner=False, max_entries=64)
def snippet_of(config: TrainConfig) -> str:
    """The "show code" snippet (``core.snippet``), made in a worker: it reads the
    estimator's own parameters, and the web server never loads scikit-learn."""
    return parallel.submit_quick(code_snippet, config).result(RENDER_TIMEOUT)


def _chart_specs(result: TrainResult) -> dict[str, dict]:
    """The report's charts as Vega-Lite specs: the finished surface (two features) and
    the loss and score curves, as the page draws them. Untitled, and with the curves'
    default Latin words (epoch, train, test) rather than the page's: the report captions
    them in HTML, so a server without CJK fonts still renders a Chinese report's
    pictures."""
    specs = {}
    values, grid = final_surface(result)
    if grid.ys is not None:
        specs["surface"] = surface_chart(values, result.dataset, model=result.model).to_dict()
    h = result.history
    specs["loss"] = history_chart(h, "loss", "", log_scale=True).to_dict()
    specs["score"] = history_chart(h, "score", "").to_dict()
    return specs


def _settings_rows(result: TrainResult) -> list[tuple[str, str]]:
    rows = []
    for f in dataclasses.fields(result.config):
        value = getattr(result.config, f.name)
        rows.append((setting_label(f.name), "auto" if value is None else str(value)))
    return rows


def _share_link(result: TrainResult, lang: str) -> str:
    base = (st.context.url or "").rstrip("/")
    return f"{base}?{urlencode({**result.config.to_query(), 'lang': lang})}"


def build_report(result: TrainResult, *, lang: str, context: dict) -> str:
    """The HTML report; ``context`` holds what was read from the session beforehand."""
    tr = partial(translate, lang)
    notes = list(context["notes"])
    try:
        specs = _chart_specs(result)
        images = parallel.submit(chart_images, specs).result(RENDER_TIMEOUT)
    except Exception as err:  # a worker killed or timed out: the report, without pictures
        images = {}
        notes.append(tr("report.render_failed", error=str(err) or type(err).__name__))
    return report_html(
        result,
        tr,
        lang=lang,
        share_link=context["link"],
        code=snippet_of(result.config),
        images=images,
        notes=notes,
        settings=context["settings"],
    )


def download_buttons(result: TrainResult, uploaded: bool = False) -> None:
    """Three buttons in a row: report (HTML), history (CSV), weights (.npz)."""
    if result.history.empty:
        return
    lang = current_language()
    context = {
        "notes": [note_text(note) for note in result.notes],
        "settings": _settings_rows(result),
        "link": None if uploaded else _share_link(result, lang),  # a CSV cannot travel
    }
    data_name = "csv" if uploaded else result.config.dataset
    stem = f"activation-lab-{data_name}-{result.config.activation}"
    files: tuple[tuple[str, str, str, Callable[[], str | bytes]], ...] = (
        ("report", "html", "text/html", lambda: build_report(result, lang=lang, context=context)),
        ("history", "csv", "text/csv", lambda: history_csv(result)),
        ("weights", "npz", "application/octet-stream", lambda: weights_npz(result)),
    )
    _buttons(files, lambda name: f"{stem}-{name}")


def comparison_downloads(result, labels: dict[str, str], table, verdicts: list[str]) -> None:
    """Compare's take-aways: every run (variant x seed) as CSV, and a report with the
    verdict, the table the page shows and the shared settings."""
    lang = current_language()
    runs = result.runs.copy()
    runs.insert(1, "variant_label", runs.variant.map(labels))
    settings = [
        (f.name, str(getattr(result.base, f.name))) for f in dataclasses.fields(result.base)
    ]
    files = (
        (
            "compare_report",
            "html",
            "text/html",
            lambda: comparison_report_html(
                partial(translate, lang),
                lang=lang,
                verdicts=verdicts,
                table=table,
                settings=settings,
            ),
        ),
        ("compare_runs", "csv", "text/csv", lambda: runs.to_csv(index=False).encode("utf-8")),
    )
    _buttons(files, lambda name: f"activation-lab-{name.replace('_', '-')}")


def _buttons(files, file_stem: Callable[[str], str]) -> None:
    """One download button a file, in a row; each file is made only when clicked."""
    for col, (name, ext, mime, make) in zip(st.columns(len(files)), files):
        col.download_button(
            t(f"report.download_{name}"),
            data=make,
            file_name=f"{file_stem(name)}.{ext}",
            mime=mime,
            on_click="ignore",
            key=f"download_{name}",
            help=t("report.weights_help") if name == "weights" else None,
        )
