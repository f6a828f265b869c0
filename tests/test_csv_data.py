"""core/csv_data.py: the shipped samples load, infer their task and train; every bad
input gets its own CSVError code (with a translation that fills in); and for any
bytes, any text and any frame the loader returns data or a CSVError, nothing else."""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import pandas as hpd

from core import datasets
from core.config import TrainConfig
from core.csv_data import (
    ERROR_CODES,
    MAX_BYTES,
    MAX_CLASSES,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_MB,
    MIN_ROWS,
    NOTE_CODES,
    REASON_CODES,
    CSVError,
    build_dataset,
    dataset_from_frame,
    infer_task,
    load_csv,
    numeric_columns,
)
from core.training import make_grid, train
from ui.i18n import LANGUAGES, strings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
PROPERTY = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.csv").read_bytes()


def table(rows: int = 12, extra: str = "", **columns) -> bytes:
    """A small valid CSV: x, y numeric and a binary label; ``columns`` add/replace."""
    cols = {
        "x": [str(i) for i in range(rows)],
        "y": [str(i * i % 7) for i in range(rows)],
        "label": ["a" if i % 2 else "b" for i in range(rows)],
        **columns,
    }
    lines = [",".join(cols)] + [",".join(v[i] for v in cols.values()) for i in range(rows)]
    return ("\n".join(lines) + "\n" + extra).encode()


def error_of(call, *args, **kwargs) -> CSVError:
    with pytest.raises(CSVError) as info:
        call(*args, **kwargs)
    err = info.value
    # Every error's translated text fills in with the params it carries, in both languages.
    for lang in LANGUAGES:
        strings(lang)[f"upload.error.{err.code}"].format(**err.params)
    assert str(err)  # a plain English message too
    return err


# --- caps ---------------------------------------------------------------------------------


def test_caps_agree_with_the_rest_of_the_app():
    with open(ROOT / ".streamlit" / "config.toml", "rb") as fh:
        assert tomllib.load(fh)["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert MAX_BYTES == MAX_UPLOAD_MB * 1024 * 1024
    assert MAX_ROWS == datasets.MAX_SAMPLES and MIN_ROWS == datasets.MIN_SAMPLES
    assert MAX_CLASSES == datasets.MAX_CLASSES


def test_every_code_has_text_in_every_language():
    for lang in LANGUAGES:
        texts = strings(lang)
        for code in ERROR_CODES + ("unexpected",):
            assert f"upload.error.{code}" in texts, (lang, code)
        for code in NOTE_CODES:
            assert f"upload.note.{code}" in texts, (lang, code)
        for code in REASON_CODES:
            assert f"upload.reason.{code}" in texts, (lang, code)


# --- happy paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, target, task, reason, classes",
    [
        ("exam_results", "result", "binary", "text_labels", ("fail", "pass")),
        ("fruit", "fruit", "multiclass", "text_labels", ("apple", "lemon", "orange")),
        ("plant_growth", "growth_cm", "regression", "decimals", ()),
    ],
)
def test_samples_load_infer_and_train(name, target, task, reason, classes):
    frame = load_csv(sample(name))
    assert frame.columns[-1] == target
    features = [c for c in numeric_columns(frame) if c != target]
    assert len(features) >= 2
    inferred, why = infer_task(frame[target])
    assert (inferred, why.code) == (task, reason) and "->" in why
    ds = dataset_from_frame(frame, target=target, features=features)
    assert ds.task == task and ds.class_names == classes
    assert ds.feature_names == tuple(features)
    assert len(ds.X_train) + len(ds.X_test) == len(frame)
    assert abs(len(ds.X_test) - 0.2 * len(frame)) <= max(2, len(classes))
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0, atol=1e-9)  # train-only scaling
    if task == "regression":
        assert ds.y_train.dtype == np.float64
        np.testing.assert_allclose(np.sort(ds.y), np.sort(frame[target].to_numpy()))
    else:
        assert ds.y_train.dtype == np.int64
        assert set(ds.y_train) == set(ds.y_test) == set(range(len(classes)))
        original = frame[target].to_numpy()
        assert sorted(np.array(classes)[ds.y]) == sorted(original)
    x0, x1, y0, y1 = ds.extent
    assert x0 < ds.X[:, 0].min() and ds.X[:, 0].max() < x1
    assert y0 < ds.X[:, 1].min() and ds.X[:, 1].max() < y1
    result = train(TrainConfig(epochs=15, hidden_layers=(8,)), dataset=ds, snapshot_resolution=20)
    assert result.dataset is ds and len(result.history) == 15
    assert np.isfinite(result.history.test_loss).all()


def test_a_clear_sample_is_learnt():
    frame = load_csv(sample("exam_results"))
    ds = dataset_from_frame(frame, target="result", features=["hours_studied", "hours_slept"])
    result = train(TrainConfig(epochs=150), dataset=ds, snapshot_resolution=20)
    assert result.history.test_score.iloc[-1] >= 0.85


def test_the_plane_features_come_first_and_the_rest_sit_at_their_mean():
    frame = load_csv(sample("fruit"))
    ds = dataset_from_frame(
        frame,
        target="fruit",
        features=["weight_g", "diameter_cm", "sweetness", "acidity_ph"],
        plane=("sweetness", "acidity_ph"),
    )
    assert ds.feature_names == ("sweetness", "acidity_ph", "weight_g", "diameter_cm")
    np.testing.assert_allclose(ds.X[:, 0].std(), 1, atol=0.2)
    grid = make_grid(ds, 5)
    assert np.ptp(grid.points[:, 0]) > 0 and np.ptp(grid.points[:, 1]) > 0
    np.testing.assert_allclose(grid.points[:, 2:], np.tile(ds.X_train[:, 2:].mean(axis=0), (25, 1)))


def test_the_split_follows_seed_and_fraction():
    frame = load_csv(sample("plant_growth"))
    kw = dict(target="growth_cm", features=["sunlight_hours", "water_ml"])
    a = dataset_from_frame(frame, seed=1, **kw)
    np.testing.assert_array_equal(a.y_test, dataset_from_frame(frame, seed=1, **kw).y_test)
    assert not np.array_equal(a.y_test, dataset_from_frame(frame, seed=2, **kw).y_test)
    assert len(dataset_from_frame(frame, test_fraction=0.5, **kw).y_test) == 125
    raw = dataset_from_frame(frame, standardize=False, **kw)
    assert raw.X[:, 1].max() == frame.water_ml.max()


def test_one_feature_gives_a_one_dimensional_dataset():
    frame = load_csv(sample("plant_growth"))
    ds = dataset_from_frame(frame, target="growth_cm", features=["sunlight_hours"])
    assert ds.n_features == 1 and ds.feature_names == ("sunlight_hours",)
    assert make_grid(ds, 7).ys is None


@pytest.mark.parametrize(
    "values, task, code",
    [
        (["yes", "no"] * 6, "binary", "text_labels"),
        (["a", "b", "c"] * 4, "multiclass", "text_labels"),
        ([0.5, 2.5] * 6, "binary", "two_values"),
        ([1, 2, 3, 4] * 3, "multiclass", "whole_numbers"),
        ([1.0, 2.0, 3.0] * 4, "multiclass", "whole_numbers"),
        (list(range(12)), "regression", "many_whole_numbers"),
        ([0.1 * i for i in range(12)], "regression", "decimals"),
        ([True, False] * 6, "binary", "two_values"),
    ],
)
def test_infer_task_rules(values, task, code):
    inferred, reason = infer_task(pd.Series(values, name="t"))
    assert (inferred, reason.code) == (task, code)
    for lang in LANGUAGES:
        strings(lang)[f"upload.reason.{code}"].format(**reason.params)


def test_numeric_labels_keep_their_original_names_in_numeric_order():
    csv = table(label=[str([2, 10, -1][i % 3]) for i in range(12)])
    ds = dataset_from_frame(load_csv(csv), target="label", features=["x", "y"])
    assert ds.class_names == ("-1", "2", "10") and ds.task == "multiclass"


def test_other_delimiters_and_decimal_commas_are_read():
    text = sample("fruit").decode()
    reference = load_csv(sample("fruit"))
    for delimiter, name in ((";", ";"), ("\t", "TAB"), ("|", "|")):
        frame = load_csv(text.replace(",", delimiter).encode())
        pd.testing.assert_frame_equal(frame, reference)
        assert [n.params for n in frame.attrs["notes"]] == [dict(delimiter=name)]
    european = text.replace(",", ";").replace(".", ",").encode()
    frame = load_csv(european)
    pd.testing.assert_frame_equal(frame, reference)
    assert [n.code for n in frame.attrs["notes"]] == ["delimiter", "decimal_comma"]


def test_bom_quotes_crlf_blank_lines_and_blank_names_are_fine():
    body = table().decode().replace("\n", "\r\n")
    frame = load_csv(b"\xef\xbb\xbf" + body.replace("x,y,label", '"x",y,').encode() + b"\r\n\r\n")
    assert list(frame.columns) == ["x", "y", "column_3"]
    assert [n.code for n in frame.attrs["notes"]] == ["blank_header"]
    assert frame.x.dtype == np.float64 and len(frame) == 12


def test_missing_values_drop_rows_with_a_note():
    xs = [str(i) for i in range(14)]
    xs[3], xs[5] = "", "NA"
    frame = load_csv(table(14, x=xs, y=[str(i % 5) for i in range(13)] + ["?"]))
    assert frame.x.isna().sum() == 2
    ds, notes = build_dataset(frame, target="label", features=["x", "y"])
    assert len(ds.y) == 11
    assert [(n.code, n.params["rows"], n.params["columns"]) for n in notes] == [
        ("dropped_missing", 3, "x, y")
    ]
    ds, notes = build_dataset(frame, target="label", features=["y"])  # x unused: kept
    assert len(ds.y) == 13


def test_constant_feature_and_large_target_get_notes():
    csv = table(c=["7"] * 12, t=[str(1000 * i) for i in range(12)])
    _, notes = build_dataset(load_csv(csv), target="t", features=["x", "c"])
    assert [n.code for n in notes] == ["target_scale", "constant_feature"]


# --- one test per bad input ----------------------------------------------------------------

BAD_FILES = {
    "empty file": (b"", "empty"),
    "whitespace only": (b" \n\r\n\t\n", "empty"),
    "header only": (b"a,b,c\n", "header_only"),
    "one row": (b"a,b\n1,2\n", "too_few_rows"),
    "nine rows": (table(9), "too_few_rows"),
    "latin-1 text": (table().replace(b"label", b"caf\xe9"), "encoding"),
    "utf-16 text": (table().decode().encode("utf-16"), "encoding"),
    "binary (png)": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    "binary (control bytes)": (bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 100, "binary"),
    "ragged row": (table(extra="1,2\n"), "ragged"),
    "too many fields": (table(extra="1,2,a,9\n"), "ragged"),
    "duplicate headers": (table().replace(b"x,y,", b"x,x,", 1), "duplicate_header"),
    "one column": (b"value\n" + b"\n".join(b"%d" % i for i in range(20)), "one_column"),
    "no header": (b"1,2,0\n" * 12, "no_header"),
    "no numeric column": (b"name,colour\n" + b"a,red\nb,blue\n" * 6, "no_numeric"),
    "too many rows": (table(MAX_ROWS + 1), "too_many_rows"),
    "too many columns": (
        (
            ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
            + "\n"
            + ",".join("1" * (MAX_COLUMNS + 1))
            + "\n"
        ).encode(),
        "too_many_columns",
    ),
    "over the upload cap": (b"a,b\n" + b"1,2\n" * (MAX_BYTES // 4), "too_large"),
    "a field over csv's limit": (b"a,b\n1," + b"x" * 200_000 + b"\n", "malformed"),
}


@pytest.mark.parametrize("data, code", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file(data, code):
    assert error_of(load_csv, data).code == code


def test_bad_file_details():
    assert error_of(load_csv, table(extra="1,2\n")).params == dict(line=14, found=2, expected=3)
    assert error_of(load_csv, b"a,b\n" * 10, max_bytes=20).params["max_mb"] == 0.0
    assert error_of(load_csv, b"a,b", max_bytes=2).code == "too_large"
    assert error_of(load_csv, "not bytes").code == "bad_argument"


def _frame(**columns) -> pd.DataFrame:
    return load_csv(table(**columns))


BAD_CHOICES = {
    "target with one value": (dict(label=["same"] * 12), dict(target="label"), "one_value"),
    "target all missing": (dict(label=[""] * 12), dict(target="label"), "one_value"),
    "too many classes": (dict(label=list("abcdefg") * 2), dict(target="label"), "too_many_classes"),
    "a class with one row": (
        dict(label=["a"] * 11 + ["b"]),
        dict(target="label"),
        "class_too_small",
    ),
    "infinite feature": (dict(x=["inf"] + ["1"] * 11), dict(), "infinite"),
    "overflowing feature (1e999)": (dict(x=["1e999"] + ["1"] * 11), dict(), "infinite"),
    "huge feature (1e308)": (
        dict(x=["1e308"] + [str(i) for i in range(11)]),
        dict(),
        "too_big_value",
    ),
    "infinite regression target": (
        dict(t=["-inf"] + [str(i / 3) for i in range(11)]),
        dict(target="t"),
        "infinite",
    ),
    "huge regression target": (
        dict(t=["1e308"] + [str(i / 3) for i in range(11)]),
        dict(target="t"),
        "too_big_value",
    ),
    "too few rows after dropping missing": (dict(x=[""] * 4 + ["1"] * 8), dict(), "too_few_rows"),
    "text feature": (dict(), dict(features=["x", "label"], target="y"), "not_numeric"),
    "unknown column": (dict(), dict(features=["nope"]), "unknown_column"),
    "target as a feature": (dict(), dict(features=["x", "label"]), "target_is_feature"),
    "no features": (dict(), dict(features=[]), "no_features"),
    "plane not among features": (dict(), dict(plane=("x", "label")), "bad_plane"),
    "plane twice the same": (dict(), dict(plane=("x", "x")), "bad_plane"),
    "test fraction out of range": (dict(), dict(test_fraction=0.9), "bad_argument"),
    "seed not an integer": (dict(), dict(seed=1.5), "bad_argument"),
}


@pytest.mark.parametrize("columns, choice, code", BAD_CHOICES.values(), ids=BAD_CHOICES.keys())
def test_bad_choice(columns, choice, code):
    frame = _frame(**columns)
    kwargs = {"target": "label", "features": ["x", "y"], **choice}
    assert error_of(dataset_from_frame, frame, **kwargs).code == code


def test_duplicate_names_in_a_frame_are_refused():
    frame = pd.DataFrame(np.arange(24).reshape(12, 2), columns=["a", "a"])
    frame["t"] = [0, 1] * 6
    err = error_of(dataset_from_frame, frame, target="t", features=["a"])
    assert err.code == "duplicate_header"
    assert error_of(dataset_from_frame, "frame", target="t", features=["a"]).code == "bad_argument"


def test_every_error_code_is_reachable():
    seen = {code for _, code in BAD_FILES.values()} | {code for *_, code in BAD_CHOICES.values()}
    seen |= {"duplicate_header", "bad_argument"}
    assert seen == set(ERROR_CODES)


# --- properties: data or CSVError, never anything else -----------------------------------------


def _load_or_error(data: bytes):
    try:
        frame = load_csv(data)
    except CSVError as err:
        assert err.code in ERROR_CODES
        return None
    assert isinstance(frame, pd.DataFrame) and 2 <= frame.shape[1] <= MAX_COLUMNS
    assert MIN_ROWS <= len(frame) <= MAX_ROWS and numeric_columns(frame)
    return frame


def _dataset_or_error(frame, target, features, plane=None):
    try:
        ds, notes = build_dataset(frame, target=target, features=features, plane=plane)
    except CSVError as err:
        assert err.code in ERROR_CODES
        return None
    assert np.isfinite(ds.X_train).all() and np.isfinite(ds.X_test).all()
    assert ds.feature_names[: len(plane or ())] == tuple(plane or ())
    assert sorted(ds.feature_names) == sorted(features)
    assert all(n.code in NOTE_CODES for n in notes)
    if ds.task == "regression":
        assert np.isfinite(ds.y).all() and ds.class_names == ()
    else:
        k = len(ds.class_names)
        assert 2 <= k <= MAX_CLASSES and ds.task == ("binary" if k == 2 else "multiclass")
        assert set(ds.y_train) == set(ds.y_test) == set(range(k))
    return ds


@PROPERTY
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_frame_or_a_csv_error(data):
    _load_or_error(data)


@PROPERTY
@given(st.text(max_size=1000))
def test_any_text_gives_a_frame_or_a_csv_error(text):
    _load_or_error(text.encode("utf-8"))


CELLS = st.one_of(
    st.integers(-5, 5).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "",
            "NA",
            "nan",
            "?",
            "inf",
            "1e999",
            "-1e308",
            "1,5",
            "a",
            "b",
            "c",
            '"q,uoted"',
            '"',
            "yes",
            " 2 ",
            "0x1",
            "1_0",
        ]
    ),
    st.text(alphabet=string.printable, max_size=4),
)


@st.composite
def csv_texts(draw):
    width = draw(st.integers(1, 5))
    header = draw(
        st.lists(
            st.sampled_from(["a", "b", "c", "d", "", "1", "a"]), min_size=width, max_size=width
        )
    )
    ragged = draw(st.booleans())
    rows = draw(
        st.lists(
            st.lists(
                CELLS,
                min_size=width if not ragged else 1,
                max_size=width if not ragged else width + 1,
            ),
            min_size=0,
            max_size=30,
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(delimiter.join(r) for r in [header, *rows]) + draw(
        st.sampled_from(["", newline])
    )


@PROPERTY
@given(csv_texts(), st.data())
def test_any_csv_like_text_gives_a_dataset_or_a_csv_error(text, data):
    frame = _load_or_error(text.encode())
    if frame is None:
        return
    columns = list(frame.columns)
    target = data.draw(st.sampled_from(columns))
    features = data.draw(st.lists(st.sampled_from(columns), max_size=4, unique=True))
    plane = data.draw(st.none() | st.tuples(st.sampled_from(columns), st.sampled_from(columns)))
    _dataset_or_error(frame, target, features, plane)


@st.composite
def frames(draw):
    n = draw(st.integers(0, 40))
    kinds = [
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(-1e6, 1e6),
        st.integers(-3, 3),
        st.integers(-(2**70), 2**70),
        st.booleans(),
        st.sampled_from(["x", "y", "z", None]),
        st.one_of(st.none(), st.integers(0, 2), st.text(max_size=2)),
    ]
    names = draw(
        st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True)
    )
    columns = {}
    for name in names:
        columns[name] = draw(st.lists(draw(st.sampled_from(kinds)), min_size=n, max_size=n))
    return pd.DataFrame(columns)


@PROPERTY
@given(frames(), st.data())
def test_any_frame_gives_a_dataset_or_a_csv_error(frame, data):
    columns = list(frame.columns)
    target = data.draw(st.sampled_from(columns + ["missing"]))
    features = data.draw(st.lists(st.sampled_from(columns), max_size=3, unique=True))
    ds = _dataset_or_error(frame, target, features)
    if ds is not None and ds.task != "regression":
        assert len(ds.y) >= MIN_ROWS


@PROPERTY
@given(
    hpd.data_frames(
        [
            hpd.column("f", dtype=float),
            hpd.column("g", dtype=int),
            hpd.column("t", elements=st.sampled_from([0, 1, 2, 2.5])),
        ],
        index=hpd.range_indexes(min_size=0, max_size=60),
    )
)
def test_generated_numeric_frames_give_a_dataset_or_a_csv_error(frame):
    _dataset_or_error(frame, "t", ["f", "g"])
    _dataset_or_error(frame, "f", ["g", "t"], plane=("t", "g"))
