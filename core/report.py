"""What a student takes home from a run: a self-contained HTML report, the per-epoch
history as CSV and the trained weights as a NumPy ``.npz`` (never a pickle).

Pure Python, no Streamlit: the page passes the translated texts in. The report's
numbers come from ``run_metrics``, the same function the Playground's metric row reads,
so the page and the report cannot disagree. Charts are the page's own Altair charts,
rendered to PNG by vl-convert (the Vega-Lite project's converter, no browser needed);
``chart_images`` is meant to run in a training worker, so the server process never
loads the converter.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import platform
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from core.formatting import score_text
from core.training import TrainResult

Text = Callable[..., str]

# Metric keys (translated by the caller) and how each value is written. Regression
# shows R² and RMSE (RMSE from the loss 0.5 * mean squared error).
_CLASSIFICATION = ("test_accuracy", "train_accuracy", "test_loss", "epochs_run")
_REGRESSION = ("test_r2", "train_r2", "test_rmse", "epochs_run")
METRIC_KEYS = tuple(dict.fromkeys(_CLASSIFICATION + _REGRESSION))


def run_metrics(result: TrainResult) -> list[tuple[str, str]]:
    """The headline numbers of a finished run as (key, text) pairs, in display order;
    empty when the run recorded no epoch."""
    h = result.history
    if h.empty:
        return []
    last = h.iloc[-1]
    if result.dataset.task == "regression":
        rmse = float(np.sqrt(2 * last.test_loss)) if np.isfinite(last.test_loss) else float("nan")
        error_text = f"{rmse:.3f}"
        keys = _REGRESSION
    else:
        error_text = f"{last.test_loss:.4f}"
        keys = _CLASSIFICATION
    task = result.dataset.task
    values = (score_text(last.test_score, task), score_text(last.train_score, task), error_text)
    return list(zip(keys, (*values, f"{int(last.epoch)}")))


def history_csv(result: TrainResult) -> bytes:
    """The per-epoch history (losses, scores), one row per epoch."""
    return result.history.to_csv(index=False).encode("utf-8")


def weights_npz(result: TrainResult) -> bytes:
    """The trained weights and biases as a NumPy archive that loads with
    ``np.load(..., allow_pickle=False)``: ``coef_<i>`` and ``intercept_<i>`` per layer,
    plus ``config`` (the run's settings as JSON text) and the activations used."""
    model = result.model
    arrays: dict[str, np.ndarray] = {}
    for i, (coef, intercept) in enumerate(zip(model.coefs_, model.intercepts_)):
        arrays[f"coef_{i}"] = np.asarray(coef)
        arrays[f"intercept_{i}"] = np.asarray(intercept)
    arrays["config"] = np.array(json.dumps(dataclasses.asdict(result.config)))
    arrays["hidden_activation"] = np.array(str(model.activation))
    arrays["output_activation"] = np.array(str(model.out_activation_))
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def chart_images(specs: Mapping[str, dict], scale: float = 1.0) -> dict[str, bytes]:
    """PNG bytes of each Vega-Lite spec. Imports vl-convert here, so only the process
    that renders (a training worker) pays for loading it."""
    import vl_convert

    return {name: vl_convert.vegalite_to_png(spec, scale=scale) for name, spec in specs.items()}


def _png_tag(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def versions() -> dict[str, str]:
    # From the installed package's metadata: importing scikit-learn here would load it
    # into the web server, which never trains.
    from importlib.metadata import version

    return {"Python": platform.python_version(), "scikit-learn": version("scikit-learn")}


def report_html(
    result: TrainResult,
    t: Text,
    *,
    lang: str,
    share_link: str | None,
    code: str,
    images: Mapping[str, bytes],
    notes: list[str],
    settings: list[tuple[str, str]],
    now: datetime | None = None,
) -> str:
    """One HTML file that opens offline: settings, link, metrics, notes, charts (PNG
    embedded as data URLs), the code snippet, the date and the library versions.

    ``t`` translates keys (``report.*`` and ``playground.*``); ``images`` maps a chart
    name (surface, loss, score) to PNG bytes; ``settings`` are (label, value) rows."""
    esc = html.escape
    metrics = "".join(
        f'<div class="metric"><div class="label">{esc(t(f"playground.{key}"))}</div>'
        f'<div class="value" data-metric="{key}">{esc(value)}</div></div>'
        for key, value in run_metrics(result)
    )
    charts = "".join(
        f"<figure>{_png_tag(png, t(f'report.alt_{name}'))}"
        f"<figcaption>{esc(t(f'report.alt_{name}'))}</figcaption></figure>"
        for name, png in images.items()
    )
    note_items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    link = (
        f'<p>{esc(t("report.share"))}: <a href="{esc(share_link)}">{esc(share_link)}</a></p>'
        if share_link
        else ""
    )
    sections = {
        "report.results": f'<div class="metrics">{metrics}</div>\n'
        f'<ul class="notes">{note_items}</ul>\n{charts}',
        "report.settings": _settings_table(settings) + link,
        "report.code": f"<pre><code>{esc(code)}</code></pre>",
    }
    return _page(t, lang, now, "report.title", sections)


def comparison_report_html(
    t: Text,
    *,
    lang: str,
    verdicts: list[str],
    table: pd.DataFrame,
    settings: list[tuple[str, str]],
    now: datetime | None = None,
) -> str:
    """The Compare page's outcome as one offline HTML file: the verdict, the table of
    results per variant (mean and spread over seeds) and the shared settings."""
    esc = html.escape
    # Verdicts are Markdown on the page; the report shows their words without the marks.
    plain = (re.sub(r"\*\*|`", "", v) for v in verdicts)
    items = "".join(f"<li>{esc(v)}</li>" for v in plain)
    sections = {
        "report.verdict": f'<ul class="verdict">{items}</ul>',
        "report.results": table.to_html(index=False, border=0, classes="results"),
        "report.settings": _settings_table(settings),
    }
    return _page(t, lang, now, "report.compare_title", sections)


def _made(t: Text, now: datetime | None) -> str:
    """'Made on <date> with <versions>', in the report's language."""
    now = now or datetime.now(UTC)
    version_text = ", ".join(f"{k} {v}" for k, v in versions().items())
    return t("report.made", date=now.strftime("%Y-%m-%d %H:%M UTC"), versions=version_text)


def _settings_table(settings: list[tuple[str, str]]) -> str:
    esc = html.escape
    return "<table>{}</table>".format(
        "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in settings)
    )


def _page(
    t: Text, lang: str, now: datetime | None, title_key: str, sections: Mapping[str, str]
) -> str:
    """The whole HTML file: head and style, the title, when and with what it was made,
    then each section (heading translation key -> HTML) under its heading."""
    esc = html.escape
    title = t(title_key)
    body = "\n".join(f"<h2>{esc(t(key))}</h2>\n{part}" for key, part in sections.items())
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; color: #111; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; }}
table {{ border-collapse: collapse; }} th, td {{ text-align: left; padding: .2rem .8rem .2rem 0; }}
.metrics {{ display: flex; flex-wrap: wrap; gap: 1.5rem; margin: 1rem 0; }}
.metric .label {{ font-size: .85rem; color: #444; }} .metric .value {{ font-size: 1.6rem; }}
figure {{ display: inline-block; margin: 0 1rem 1rem 0; }} img {{ max-width: 100%; }}
pre {{ background: #f4f4f4; padding: 1rem; overflow-x: auto; }}
</style></head><body>
<h1>{esc(title)}</h1>
<p>{esc(_made(t, now))}</p>
{body}
</body></html>
"""
