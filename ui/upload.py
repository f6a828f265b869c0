"""Your own data in the Playground: "Built-in dataset / My CSV", the uploader, sample
files, and the target / feature / plotted-plane choices.

Everything lives in this session's ``st.session_state`` under ``upload.*`` (non-widget
keys, so a page switch keeps the data; never a cache shared between users). Parsing and
checking are ``core.csv_data``'s; every ``CSVError`` is shown translated with
``st.error``. While a CSV dataset is active the config's built-in dataset is swapped for
one of the same task (so the output / loss choices and warnings fit the data) and put
back when the user returns to the built-in data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Set
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from core.config import ConfigError, TrainConfig
from core.csv_data import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_MB,
    CSVError,
    CSVNote,
    Reason,
    build_dataset,
    infer_task,
    load_csv,
    numeric_columns,
)
from core.datasets import DATASETS, Dataset
from core.vocabulary import AUTO, STAND_IN, loss_fits
from ui.config_ui import current_config, set_config
from ui.i18n import t

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
SAMPLES = ("exam_results", "fruit", "plant_growth")  # data/samples/<name>.csv
MODES = ("builtin", "csv")
# Built-in data controls that mean nothing for a CSV (test fraction and seed still apply),
# and the code snippet, which would rebuild built-in data.
CSV_HIDDEN = frozenset({"dataset", "n_classes", "noise", "n_samples", "code"})
PREVIEW_ROWS = 50

MODE, PARSED, CHOICE, SAVED = "upload.mode", "upload.parsed", "upload.choice", "upload.saved"
# ?data=csv marks a Playground URL whose data is this session's CSV. Config fields in the
# URL without it come from a link (a teacher's, say): that link's built-in data wins.
URL_FLAG = "data"
log = logging.getLogger(__name__)


# --- pure helpers (tested without a page) --------------------------------------------------


def error_text(err: Exception) -> str:
    """A CSVError in the current language (its English message if untranslated)."""
    code = getattr(err, "code", "unexpected")
    return _translated(f"upload.error.{code}", getattr(err, "params", {}), str(err))


def note_text(note: CSVNote) -> str:
    return _translated(f"upload.note.{note.code}", note.params, note.message)


def reason_text(reason: Reason) -> str:
    return _translated(f"upload.reason.{reason.code}", reason.params, str(reason))


def _translated(key: str, params: dict, fallback: str) -> str:
    text = t(key, **params)
    return fallback if text == key else text


def default_choice(frame: pd.DataFrame) -> dict:
    """The first guess: the last column that works as a target (columns are usually
    features first, label last) and every other numeric column as a feature."""
    numeric = numeric_columns(frame)
    for target in reversed(list(frame.columns)):
        features = [c for c in numeric if c != target]
        if not features:
            continue
        try:
            infer_task(frame[target])
        except CSVError:
            continue
        return fix_choice(frame, dict(target=target, features=features))
    return fix_choice(frame, dict(target=frame.columns[-1], features=numeric), refill=True)


def fix_choice(frame: pd.DataFrame, choice: dict, *, refill: bool = False) -> dict:
    """The choice made consistent with ``frame``: features numeric, known and not the
    target; the plane two distinct chosen features. ``refill``: no feature left means
    every numeric column (after a target change; a user who empties the list on purpose
    gets an error instead)."""
    target = choice["target"] if choice["target"] in frame.columns else frame.columns[-1]
    numeric = [c for c in numeric_columns(frame) if c != target]
    features = [c for c in choice["features"] if c in numeric]
    if refill and not features:
        features = numeric
    plane = list(dict.fromkeys(p for p in choice.get("plane", ()) if p in features))[:2]
    plane += [f for f in features if f not in plane][: 2 - len(plane)]
    return dict(target=target, features=features, plane=tuple(plane))


def hidden_fields() -> set[str]:
    """Controls the Playground hides while the CSV source is chosen."""
    return set(CSV_HIDDEN) if csv_mode() else set()


def csv_mode() -> bool:
    return st.session_state.get(MODE) == "csv"


# --- loading ---------------------------------------------------------------------------


def use_bytes(data: bytes, name: str, kind: str = "file") -> None:
    """Parse ``data`` and make it this session's CSV (or its error)."""
    frame = None
    error: Exception | None = None
    try:
        frame = load_csv(data)
    except CSVError as err:
        error = err
    except Exception as err:  # an uploaded file must never break the page
        log.exception("unexpected error reading %s", name)
        error = err
    st.session_state[PARSED] = dict(name=name, kind=kind, frame=frame, error=error)
    st.session_state[CHOICE] = default_choice(frame) if frame is not None else None
    for key in ("w.upload.target", "w.upload.features", "w.upload.plane_x", "w.upload.plane_y"):
        st.session_state.pop(key, None)


def _uploader_key() -> str:
    # A new key empties the uploader (its value cannot be set), e.g. when a sample is
    # chosen, so the box never shows a file other than the one in use.
    return f"w.upload.file.{st.session_state.get('upload.uploader', 0)}"


def _on_upload() -> None:
    uploaded = st.session_state.get(_uploader_key())
    if uploaded is not None:
        use_bytes(uploaded.getvalue(), uploaded.name)
    elif (st.session_state.get(PARSED) or {}).get("kind") == "file":
        st.session_state.pop(PARSED, None)  # the user removed the file


def sample_buttons(key_prefix: str, on_click: Callable[[str], None]) -> None:
    """A button per sample CSV; ``on_click(name)`` loads the sample."""
    with st.container(horizontal=True, wrap=True):  # buttons flow onto a second line
        for name in SAMPLES:
            st.button(
                t(f"upload.sample.{name}"),
                key=f"{key_prefix}.sample.{name}",
                on_click=on_click,
                args=(name,),
                icon="📄",
            )


def _load_sample(name: str) -> None:
    st.session_state["upload.uploader"] = st.session_state.get("upload.uploader", 0) + 1
    use_bytes((SAMPLES_DIR / f"{name}.csv").read_bytes(), f"{name}.csv", kind="sample")


def _on_mode() -> None:
    st.session_state[MODE] = st.session_state["w.upload.mode"]
    if st.session_state[MODE] == "builtin":
        _restore_config()  # (the flag leaves the URL in the run; now it would make
    else:  # load_from_url re-read the CSV-time config from the URL)
        st.query_params[URL_FLAG] = "csv"


def _mode_from_url(hidden: Set[str]) -> str:
    """This session's mode; a fresh session opened with ?data=csv starts in CSV mode.
    Leaves CSV mode (keeping the link's config) when the teacher hid the data or a link
    set the config."""
    flagged = st.query_params.get(URL_FLAG) == "csv"
    if MODE not in st.session_state:
        st.session_state[MODE] = "csv" if flagged else "builtin"
    from_link = not flagged and any(k in TrainConfig.__dataclass_fields__ for k in st.query_params)
    if csv_mode() and ("dataset" in hidden or from_link):
        st.session_state[MODE] = "builtin"
        st.session_state.pop(SAVED, None)  # the link's data, not the one before the CSV
    if csv_mode():
        st.query_params[URL_FLAG] = "csv"
    else:
        st.query_params.pop(URL_FLAG, None)
    return st.session_state[MODE]


# --- the config follows the CSV's task ----------------------------------------------------


def _align_config(dataset: Dataset) -> None:
    config = current_config()
    if config.task == dataset.task:
        return
    st.session_state.setdefault(
        SAVED, dict(dataset=config.dataset, n_classes=config.n_classes, noise=config.noise)
    )
    # A built-in dataset of the CSV's task holds the config's place while the CSV is active.
    name = STAND_IN[dataset.task]
    takes_classes = DATASETS[name].n_classes_range is not None
    changes = dict(dataset=name, n_classes=dataset.n_classes if takes_classes else None, noise=None)
    if not loss_fits(dataset.task, config.loss):
        changes["loss"] = AUTO
    set_config(config.replace(**changes))


def _restore_config() -> None:
    saved = st.session_state.pop(SAVED, None)
    if not saved:
        return
    config = current_config()
    try:
        set_config(config.replace(**saved))
    except ConfigError:  # log-loss chosen meanwhile, built-in set is regression
        set_config(config.replace(**saved, loss="auto"))


# --- the widget group ---------------------------------------------------------------------


def _sync(key: str, value):
    st.session_state[key] = value
    return key


def _column_widget(widget, label: str, options, name: str, value, *, field=None, **kwargs):
    """A column picker keyed ``w.upload.<name>``, showing ``value``, that stores the
    choice's ``field`` (default: ``name``) when changed."""
    return widget(
        label,
        options,
        key=_sync(f"w.upload.{name}", value),
        on_change=_store,
        args=(field or name,),
        **kwargs,
    )


def choice_for(names) -> tuple[pd.DataFrame, dict] | None:
    """This session's frame and column choice if it has a usable file holding every column
    in ``names`` (a widget's new value); None otherwise.

    A column widget drawn for an earlier file can still report its value in the rerun that
    loads the next file (seen in a real browser when a file replaces another). Its
    callback must then change nothing: the new file may be unusable (no choice at all) or
    lack those columns (the choice would lose its features).
    """
    parsed, choice = st.session_state.get(PARSED), st.session_state.get(CHOICE)
    frame = parsed["frame"] if parsed else None
    if frame is None or choice is None or not set(names) <= set(frame.columns):
        return None
    return frame, choice


def _store(field: str) -> None:
    value: Any
    if field == "plane":
        value = (st.session_state.get("w.upload.plane_x"), st.session_state.get("w.upload.plane_y"))
    else:
        value = st.session_state.get(f"w.upload.{field}")
    current = choice_for([value] if field == "target" or value is None else value)
    if current is None:
        return
    frame, choice = current
    st.session_state[CHOICE] = fix_choice(
        frame, dict(choice, **{field: value}), refill=field == "target"
    )


def data_source_picker(hidden: Set[str] = frozenset()) -> Dataset | None:
    """Draw the data-source choice; return the CSV ``Dataset`` to train on, or None
    (built-in data, or no usable CSV yet). A teacher who hides the dataset hides this."""
    mode = _mode_from_url(hidden)
    if "dataset" in hidden:
        return None
    labels = {m: t(f"upload.mode.{m}") for m in MODES}  # fixed now: AppTest formats later
    st.radio(
        t("upload.source"),
        MODES,
        key=_sync("w.upload.mode", mode),
        horizontal=True,
        format_func=labels.get,
        on_change=_on_mode,
    )
    if mode != "csv":
        return None
    with st.container(border=True, key="upload"):
        return _csv_panel()


def _csv_panel() -> Dataset | None:
    st.file_uploader(
        t("upload.file"),
        type=["csv", "tsv", "txt"],
        key=_uploader_key(),
        on_change=_on_upload,
        max_upload_size=MAX_UPLOAD_MB,
        help=t(
            "upload.file_help", max_mb=MAX_UPLOAD_MB, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS
        ),
    )
    st.caption(t("upload.try_sample"))
    sample_buttons("upload", _load_sample)

    parsed = st.session_state.get(PARSED)
    if parsed is None:
        st.info(t("upload.waiting", max_mb=MAX_UPLOAD_MB, max_rows=MAX_ROWS))
        return None
    if parsed["error"] is not None:
        st.error(t("upload.file_error", name=parsed["name"], error=error_text(parsed["error"])))
        return None
    frame: pd.DataFrame = parsed["frame"]
    st.caption(t("upload.loaded", name=parsed["name"], rows=len(frame), columns=frame.shape[1]))
    for note in frame.attrs.get("notes", []):
        st.caption("ℹ️ " + note_text(note))
    with st.expander(t("upload.preview")):
        preview = frame.head(PREVIEW_ROWS)
        preview.attrs = {}  # the notes are shown above, not serialised with the table
        st.dataframe(preview, hide_index=True)

    choice = fix_choice(frame, st.session_state.get(CHOICE) or default_choice(frame))
    st.session_state[CHOICE] = choice
    columns = list(frame.columns)
    target_help = t("upload.target_help")
    _column_widget(
        st.selectbox, t("upload.target"), columns, "target", choice["target"], help=target_help
    )
    numeric = [c for c in numeric_columns(frame) if c != choice["target"]]
    if not numeric:
        st.error(error_text(CSVError("no_features", "Choose at least one feature column.")))
        return None
    _column_widget(
        st.multiselect,
        t("upload.features"),
        numeric,
        "features",
        choice["features"],
        help=t("upload.features_help"),
    )
    features = choice["features"]
    if len(features) > 2:
        x, y = choice["plane"]
        cols = st.columns(2)
        _column_widget(
            cols[0].selectbox, t("upload.plane_x"), features, "plane_x", x, field="plane"
        )
        others = [f for f in features if f != x]
        _column_widget(cols[1].selectbox, t("upload.plane_y"), others, "plane_y", y, field="plane")
        st.caption(t("upload.plane_help"))

    config = current_config()
    try:
        task, reason = infer_task(frame[choice["target"]])
        dataset, notes = build_dataset(
            frame,
            target=choice["target"],
            features=features,
            plane=choice["plane"] if len(features) > 1 else None,
            test_fraction=config.test_fraction,
            seed=config.data_seed,
            standardize=config.standardize,
            name=parsed["name"],
        )
    except CSVError as err:
        st.error(error_text(err))
        return None
    except Exception as err:  # never a traceback for a user's file
        log.exception("unexpected error building a dataset from %s", parsed["name"])
        st.error(error_text(err))
        return None
    st.info(t("upload.task_line", task=t(f"common.task.{task}"), reason=reason_text(reason)))
    for note in notes:
        st.caption("ℹ️ " + note_text(note))
    _align_config(dataset)
    return dataset


def share_notice() -> bool:
    """In CSV mode, say that the data cannot travel in a link; True if it did."""
    if not csv_mode():
        return False
    st.info(t("upload.no_share"))
    return True
