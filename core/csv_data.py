"""Your own data: a CSV file -> a checked ``pandas.DataFrame`` -> a ``core.datasets.Dataset``.

``load_csv(bytes)`` reads an uploaded file; ``dataset_from_frame(frame, target=...,
features=[...])`` turns the chosen columns into the same ``Dataset`` the built-in data
produce, so ``core.training.train(config, dataset=...)`` and every chart work unchanged.
Every bad input raises ``CSVError`` (a ``ValueError``) with a stable ``code`` and
``params`` (the interface translates them) and a plain English message; nothing else
escapes. Pure Python: no Streamlit.

Decisions (each is tested):

- Text must be UTF-8 (a byte-order mark is fine). Other encodings are refused, not
  guessed: Latin-1 would "decode" any bytes at all, binary files included, and silently
  garble names. Files with NUL bytes or many control characters are called binary.
- Delimiter: comma, semicolon, tab or pipe, sniffed from the first rows (the one that
  splits every row into the same number of fields, comma first on a tie). With a
  non-comma delimiter a decimal comma (``1,5``) is read as ``1.5``.
- The first row is the header. It must name every column once; an all-numbers first
  row is refused (it is data, not names); a blank name becomes ``column_<n>``.
- A cell is a number if it looks like one (``-1.5``, ``2e3``, ``.5``, ``inf``); a column is
  numeric if every non-missing cell is. Missing cells: empty, ``NA``, ``N/A``, ``NaN``,
  ``null``, ``None``, ``?``.
- Rows with a missing value in the chosen target or features are dropped, with a note
  saying how many; fewer than ``MIN_ROWS`` left is an error.
- Infinite values (``inf``, ``1e999``) are refused, as are magnitudes above
  ``MAX_ABS_VALUE``: beyond float64's exact-integer range (2**53 ~ 9e15) numbers lose
  precision, and squared in a loss they overflow. Rescale such a column first.
- Rows, columns, classes and bytes are capped by the constants below (the interface
  imports them; ``.streamlit/config.toml`` repeats ``MAX_UPLOAD_MB``, a test keeps the
  two equal). Too many rows is refused rather than sampled, so what trains is the file.

Task inference (``infer_task``), in order:

1. one distinct value -> error (nothing to learn);
2. text labels -> classification: 2 labels binary, 3..MAX_CLASSES multi-class, more is
   an error;
3. numbers with exactly 2 distinct values -> binary;
4. whole numbers with 3..MAX_CLASSES distinct values -> multi-class;
5. any other numbers (decimals, or more distinct whole numbers) -> regression.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.datasets import (
    MAX_CLASSES,  # the same class cap as the built-in data
    MAX_SAMPLES,
    MAX_SEED,
    MAX_TEST_FRACTION,
    MIN_SAMPLES,
    MIN_TEST_FRACTION,
    Dataset,
)

# --- caps: the one place they are set -----------------------------------------------------
MAX_UPLOAD_MB = 5  # keep equal to server.maxUploadSize in .streamlit/config.toml
MAX_BYTES = MAX_UPLOAD_MB * 1024 * 1024  # Streamlit's MB are MiB
MAX_ROWS = MAX_SAMPLES  # data rows (header not counted)
MAX_COLUMNS = 50
MIN_ROWS = MIN_SAMPLES  # usable rows, after dropping those with missing values
MIN_PER_CLASS = 2  # so every class can appear in both the train and the test split
MAX_ABS_VALUE = 1e15
SNIFF_ROWS = 20

DELIMITERS = (",", ";", "\t", "|")
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
_NUMBER = re.compile(
    r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity)", re.IGNORECASE
)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+(?:[eE][+-]?\d+)?")

# Every code CSVError / CSVNote / a task reason can carry (the UI translates each one).
ERROR_CODES = (
    "too_large",
    "empty",
    "binary",
    "encoding",
    "malformed",
    "one_column",
    "header_only",
    "no_header",
    "duplicate_header",
    "too_many_columns",
    "ragged",
    "too_many_rows",
    "too_few_rows",
    "no_numeric",
    "unknown_column",
    "not_numeric",
    "target_is_feature",
    "no_features",
    "bad_plane",
    "infinite",
    "too_big_value",
    "one_value",
    "too_many_classes",
    "class_too_small",
    "bad_argument",
)
NOTE_CODES = (
    "delimiter",
    "decimal_comma",
    "blank_header",
    "dropped_missing",
    "constant_feature",
    "target_scale",
)
REASON_CODES = ("text_labels", "two_values", "whole_numbers", "decimals", "many_whole_numbers")


class CSVError(ValueError):
    """A file or a column choice that cannot become a dataset. ``code`` is stable (the
    interface translates it), ``params`` fill in the text; ``str()`` is plain English."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CSVNote:
    """Something done to the data the user should know about (rows dropped, ...)."""

    code: str
    message: str
    params: dict = field(default_factory=dict)


class Reason(str):
    """The plain-words reason for an inferred task; also carries ``code`` and ``params``
    so the interface can translate it."""

    code: str
    params: dict

    def __new__(cls, code: str, message: str, **params):
        obj = super().__new__(cls, message)
        obj.code, obj.params = code, params
        return obj


# --- reading the file -----------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CSVError(
            "encoding",
            "The file is UTF-16 text; save it as UTF-8 CSV (in a spreadsheet: 'CSV UTF-8').",
            encoding="UTF-16",
        )
    head = data[:4096]
    controls = sum(b < 32 and b not in (9, 10, 12, 13) for b in head)
    if b"\x00" in data or controls > 0.01 * len(head):
        raise CSVError(
            "binary",
            "This is not a text file (it contains binary data). "
            "Upload a CSV: plain text, one row per line.",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CSVError(
            "encoding",
            f"The file is not UTF-8 text (first bad byte at position "
            f"{err.start}). Save it as UTF-8 CSV (in a spreadsheet: 'CSV UTF-8').",
            encoding="?",
            position=err.start,
        ) from None


def _rows(text: str, delimiter: str):
    """Non-blank rows, stripped, with their line numbers (1-based, in the file)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        cells = [cell.strip() for cell in row]
        if any(cells):
            yield reader.line_num, cells


def _sniff(text: str) -> str:
    """The delimiter that splits the first rows into equal field counts (> 1)."""
    best, best_width = ",", 0
    for delimiter in DELIMITERS:
        widths = []
        try:
            for _, cells in _rows(text, delimiter):
                widths.append(len(cells))
                if len(widths) >= SNIFF_ROWS:
                    break
        except csv.Error:
            continue
        if widths and widths[0] > 1 and len(set(widths)) == 1 and widths[0] > best_width:
            if delimiter == ",":
                return ","
            best, best_width = delimiter, widths[0]
    if best_width:
        return best
    # Nothing consistent: the delimiter that splits the header most (the ragged-row
    # check then names the bad line), or comma.
    headers = {}
    for delimiter in DELIMITERS:
        try:
            headers[delimiter] = len(next(_rows(text, delimiter), (0, [""]))[1])
        except csv.Error:
            headers[delimiter] = 0
    widest = max(DELIMITERS, key=lambda d: headers[d])
    return widest if headers[widest] > 1 else ","


def _delimiter_name(delimiter: str) -> str:
    return "TAB" if delimiter == "\t" else delimiter


def _is_number(cell: str, decimal_comma: bool) -> bool:
    return bool(_NUMBER.fullmatch(cell) or (decimal_comma and _DECIMAL_COMMA.fullmatch(cell)))


def _column(cells: list[str], decimal_comma: bool) -> tuple[pd.Series, bool]:
    """Cells -> a float64 series if every non-missing cell is a number, else text
    (missing cells become NaN either way). Returns (series, used a decimal comma)."""
    missing = [c.lower() in MISSING for c in cells]
    present = [c for c, m in zip(cells, missing) if not m]
    if present and all(_is_number(c, decimal_comma) for c in present):
        comma = decimal_comma and any("," in c for c in present)
        values = [math.nan if m else float(c.replace(",", ".")) for c, m in zip(cells, missing)]
        return pd.Series(values, dtype="float64"), comma
    return pd.Series([None if m else c for c, m in zip(cells, missing)], dtype=object), False


def load_csv(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
) -> pd.DataFrame:
    """Parse an uploaded CSV (bytes) into a DataFrame: numeric columns are float64, the
    others hold text (None where missing). What was done on the way (delimiter found,
    decimal commas, blank names) is in ``frame.attrs["notes"]`` as ``CSVNote``s.

    Raises ``CSVError`` for anything that is not a usable table.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CSVError(
            "bad_argument", f"load_csv takes bytes, got {type(data).__name__}", name="data"
        )
    data = bytes(data)
    if len(data) > max_bytes:
        raise CSVError(
            "too_large",
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:g} MB.",
            size_mb=round(len(data) / 2**20, 1),
            max_mb=round(max_bytes / 2**20, 1),
        )
    text = _decode(data)
    if not text.strip():
        raise CSVError("empty", "The file is empty.")

    delimiter = _sniff(text)
    notes = []
    if delimiter != ",":
        notes.append(
            CSVNote(
                "delimiter",
                f"Columns are separated by '{_delimiter_name(delimiter)}'.",
                dict(delimiter=_delimiter_name(delimiter)),
            )
        )
    try:
        rows = _rows(text, delimiter)
        line, header = next(rows, (0, None))
        if header is None:
            raise CSVError("empty", "The file is empty.")
        if len(header) > max_columns:
            raise CSVError(
                "too_many_columns",
                f"The file has {len(header)} columns; the limit is {max_columns}.",
                columns=len(header),
                max_columns=max_columns,
            )
        if len(header) < 2:
            raise CSVError(
                "one_column",
                "Only one column was found. A CSV needs at least two "
                "columns (a target and a feature) separated by commas, semicolons, "
                "tabs or '|'.",
            )
        if all(_NUMBER.fullmatch(name) for name in header):
            raise CSVError(
                "no_header",
                "The first row holds numbers, not column names. Add a "
                "header row naming each column.",
            )
        names = []
        for i, name in enumerate(header):
            if not name:
                name = f"column_{i + 1}"
                notes.append(
                    CSVNote(
                        "blank_header",
                        f"Column {i + 1} has no name; it is called '{name}'.",
                        dict(number=i + 1, name=name),
                    )
                )
            if name in names:
                raise CSVError(
                    "duplicate_header",
                    f"The column name '{name}' appears more "
                    "than once; give each column its own name.",
                    name=name,
                )
            names.append(name)
        body = []
        for line, cells in rows:
            if len(cells) != len(names):
                raise CSVError(
                    "ragged",
                    f"Line {line} has {len(cells)} fields but the header "
                    f"has {len(names)}. Every row needs one value per column.",
                    line=line,
                    found=len(cells),
                    expected=len(names),
                )
            body.append(cells)
            if len(body) > max_rows:
                raise CSVError(
                    "too_many_rows",
                    f"The file has more than {max_rows} rows; the "
                    f"limit is {max_rows}. Use a sample of your data.",
                    max_rows=max_rows,
                )
    except csv.Error as err:
        raise CSVError(
            "malformed", f"The file cannot be read as CSV ({err}).", detail=str(err)[:200]
        ) from None
    if not body:
        raise CSVError("header_only", "The file has a header row but no data rows.")
    if len(body) < MIN_ROWS:
        raise CSVError(
            "too_few_rows",
            f"The file has only {len(body)} data row(s); at least {MIN_ROWS} are needed.",
            rows=len(body),
            dropped=0,
            min_rows=MIN_ROWS,
        )

    columns, decimal_comma = {}, False
    for j, name in enumerate(names):
        columns[name], comma = _column([row[j] for row in body], delimiter != ",")
        decimal_comma |= comma
    if decimal_comma:
        notes.append(
            CSVNote("decimal_comma", "Numbers with a decimal comma (1,5) were read as 1.5.")
        )
    frame = pd.DataFrame(columns)
    if not numeric_columns(frame):
        raise CSVError(
            "no_numeric", "No column holds numbers only, so there is nothing to use as a feature."
        )
    frame.attrs["notes"] = notes
    frame.attrs["delimiter"] = delimiter
    return frame


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Names of the columns usable as features: real numbers (bool counts), not all
    missing. Column names that are not strings are left out."""
    out = []
    for name in frame.columns:
        if not isinstance(name, str) or list(frame.columns).count(name) != 1:
            continue
        dtype = frame[name].dtype
        if not (
            pd.api.types.is_bool_dtype(dtype)
            or (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype))
        ):
            continue
        if frame[name].notna().any():
            out.append(name)
    return out


# --- the task ---------------------------------------------------------------------------


def _as_float(series: pd.Series, name: str) -> np.ndarray:
    try:
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError, OverflowError):
        raise CSVError(
            "not_numeric", f"Column '{name}' does not hold numbers.", column=name
        ) from None


def _is_numeric_series(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    )


def _label(value: float) -> str:
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _labels(series: pd.Series, name: str) -> tuple[np.ndarray | None, list[str]]:
    """(float values or None for text, sorted distinct labels as strings)."""
    present = series.dropna()
    if _is_numeric_series(series):
        values = _as_float(present, name)
        values = values[~np.isnan(values)]
        return values, [_label(float(v)) for v in np.unique(values)]
    text = [str(v) for v in present]
    return None, sorted(set(text))


def infer_task(series: pd.Series) -> tuple[str, Reason]:
    """(binary | multiclass | regression, the reason in plain words) for a target
    column; missing values are ignored. Rules in the module docstring. Raises
    ``CSVError`` for a column with fewer than two values or too many text labels."""
    name = str(series.name)
    values, labels = _labels(series, name)
    k = len(labels)
    if k < 2:
        what = "no values" if k == 0 else "a single value"
        raise CSVError(
            "one_value",
            f"The target '{name}' has {what}: there is nothing to "
            "learn. Pick another target column.",
            column=name,
            count=k,
        )
    if values is None:
        if k > MAX_CLASSES:
            raise CSVError(
                "too_many_classes",
                f"The target '{name}' has {k} different labels; "
                f"at most {MAX_CLASSES} classes are supported.",
                column=name,
                count=k,
                max_classes=MAX_CLASSES,
            )
        task = "binary" if k == 2 else "multiclass"
        return task, Reason("text_labels", f"text labels ({k} distinct) -> classification", count=k)
    if k == 2:
        return "binary", Reason("two_values", "2 distinct values -> binary", count=2)
    whole = bool(np.isfinite(values).all() and np.all(np.mod(values, 1) == 0))
    if whole and k <= MAX_CLASSES:
        return "multiclass", Reason(
            "whole_numbers", f"whole numbers with {k} distinct values -> multi-class", count=k
        )
    if whole:
        return "regression", Reason(
            "many_whole_numbers",
            f"whole numbers with {k} distinct "
            f"values (more than {MAX_CLASSES} classes) -> regression",
            count=k,
            max_classes=MAX_CLASSES,
        )
    return "regression", Reason(
        "decimals", f"decimal numbers ({k} distinct) -> regression", count=k
    )


# --- columns -> Dataset -------------------------------------------------------------------


def _check_number(name: str, value, lo, hi) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not lo <= value <= hi:
        raise CSVError(
            "bad_argument", f"{name} must be a number in [{lo}, {hi}], got {value!r}", name=name
        )


def _column_names(frame: pd.DataFrame, target, features, plane) -> tuple[list[str], tuple]:
    if not isinstance(frame, pd.DataFrame):
        raise CSVError("bad_argument", "frame must be a pandas DataFrame", name="frame")
    names = list(frame.columns)
    if isinstance(features, str) or not isinstance(features, (list, tuple)):
        raise CSVError("bad_argument", "features must be a list of column names", name="features")
    features = list(features)
    if not features:
        raise CSVError("no_features", "Choose at least one feature column.")
    for name in [target, *features]:
        if not isinstance(name, str) or name not in names:
            raise CSVError("unknown_column", f"There is no column {name!r}.", column=str(name))
        if names.count(name) > 1:
            raise CSVError(
                "duplicate_header",
                f"The column name '{name}' appears more than once; give each column its own name.",
                name=name,
            )
    if target in features:
        raise CSVError(
            "target_is_feature",
            f"'{target}' is the target; it cannot also be a feature.",
            column=target,
        )
    if len(set(features)) != len(features):
        raise CSVError("bad_argument", "Each feature can be chosen once.", name="features")
    numeric = set(numeric_columns(frame))
    for name in features:
        if name not in numeric:
            raise CSVError(
                "not_numeric", f"Feature '{name}' does not hold numbers only.", column=name
            )
    if plane is not None:
        if (
            not isinstance(plane, (list, tuple))
            or len(plane) != 2
            or plane[0] == plane[1]
            or any(p not in features for p in plane)
        ):
            raise CSVError(
                "bad_plane", "The two plotted features must be two different chosen features."
            )
        plane = tuple(plane)
        features = [*plane, *(f for f in features if f not in plane)]
    return features, plane


def _test_rows(labels: np.ndarray | None, n: int, fraction: float, seed: int) -> np.ndarray:
    """A seeded boolean mask of the test rows. For classes, each class is split on its
    own (stratified) with at least one row on each side, so both splits hold every
    class; otherwise ceil(fraction * n) rows, as ``train_test_split`` sizes it."""
    rng = np.random.default_rng(seed)
    test = np.zeros(n, dtype=bool)
    groups = (
        [np.arange(n)]
        if labels is None
        else [np.flatnonzero(labels == c) for c in np.unique(labels)]
    )
    for rows in groups:
        size = math.ceil(fraction * len(rows)) if labels is None else round(fraction * len(rows))
        size = min(max(size, 1), len(rows) - 1)
        test[rng.permutation(rows)[:size]] = True
    return test


def _check_values(values: np.ndarray, column: str) -> None:
    """A ``CSVError`` naming ``column`` unless every value is finite and within
    ``MAX_ABS_VALUE``."""
    if not np.isfinite(values).all():
        raise CSVError(
            "infinite",
            f"Column '{column}' holds an infinite value (inf, or a "
            "number too large for the computer, like 1e999).",
            column=column,
        )
    if np.abs(values).max() > MAX_ABS_VALUE:
        biggest = f"{np.abs(values).max():.3g}"
        raise CSVError(
            "too_big_value",
            f"Column '{column}' holds values as large as {biggest}; "
            f"the limit is {MAX_ABS_VALUE:g}. Rescale the column (e.g. to "
            "thousands or millions).",
            column=column,
            value=biggest,
            limit=f"{MAX_ABS_VALUE:g}",
        )


def build_dataset(
    frame: pd.DataFrame,
    *,
    target: str,
    features: list[str],
    plane: tuple[str, str] | None = None,
    test_fraction: float = 0.2,
    seed: int = 0,
    standardize: bool = True,
    name: str = "csv",
) -> tuple[Dataset, list[CSVNote]]:
    """The chosen columns as a ``Dataset``, like ``make_dataset``'s, and the notes about
    what was done: rows with missing values dropped, a seeded split (stratified for
    classes), features scaled with train statistics only, labels 0..k-1 in the order of
    ``class_names`` (the original labels, numbers sorted numerically, text
    alphabetically). ``plane`` names the two features the surface is drawn on (they come
    first in ``feature_names``; the others are held at their mean); default: the first
    two features."""
    features, plane = _column_names(frame, target, features, plane)
    _check_number("test_fraction", test_fraction, MIN_TEST_FRACTION, MAX_TEST_FRACTION)
    if (
        isinstance(seed, bool)
        or not isinstance(seed, numbers.Integral)
        or not 0 <= seed <= MAX_SEED
    ):
        raise CSVError("bad_argument", f"seed must be an integer in [0, {MAX_SEED}]", name="seed")
    notes: list[CSVNote] = []

    X_all = np.column_stack([_as_float(frame[f], f) for f in features])
    target_column = frame[target]
    infer_task(target_column.rename(target))  # an unusable target says so first
    numeric_target = _is_numeric_series(target_column)
    y_numeric = _as_float(target_column, target) if numeric_target else None
    target_missing = target_column.isna().to_numpy()
    if y_numeric is not None:
        target_missing = target_missing | np.isnan(y_numeric)
    gaps = {target: target_missing, **{f: np.isnan(X_all[:, j]) for j, f in enumerate(features)}}
    missing = np.logical_or.reduce(list(gaps.values()))
    dropped = int(missing.sum())
    if dropped:
        columns = ", ".join(c for c, gap in gaps.items() if gap.any())
        notes.append(
            CSVNote(
                "dropped_missing",
                f"{dropped} row(s) with missing values in {columns} were left out.",
                dict(rows=dropped, columns=columns),
            )
        )
    keep = ~missing
    X = X_all[keep]
    n = len(X)
    if n < MIN_ROWS:
        raise CSVError(
            "too_few_rows",
            f"Only {n} usable row(s) (after leaving out {dropped} "
            f"with missing values); at least {MIN_ROWS} are needed.",
            rows=n,
            dropped=dropped,
            min_rows=MIN_ROWS,
        )
    if n > MAX_ROWS:
        raise CSVError(
            "too_many_rows", f"The data has {n} rows; the limit is {MAX_ROWS}.", max_rows=MAX_ROWS
        )
    for j, f in enumerate(features):
        _check_values(X[:, j], f)

    series = target_column[keep]
    series.name = target
    task, _reason = infer_task(series)
    if task == "regression":
        y = y_numeric[keep]
        _check_values(y, target)
        class_names: tuple[str, ...] = ()
        if float(np.std(y)) > 100 or float(np.abs(y).max()) > 1000:
            notes.append(
                CSVNote(
                    "target_scale",
                    f"The target '{target}' reaches "
                    f"{np.abs(y).max():.3g}: a network with the usual settings "
                    "fits large numbers slowly. Expressing it in larger units (e.g. "
                    "thousands) helps.",
                    dict(column=target, value=f"{np.abs(y).max():.3g}"),
                )
            )
    else:
        if y_numeric is not None:
            raw = [_label(float(v)) for v in y_numeric[keep]]
            order = sorted(set(raw), key=float)
        else:
            raw = [str(v) for v in series]
            order = sorted(set(raw))
        index = {label: i for i, label in enumerate(order)}
        y = np.array([index[label] for label in raw], dtype=np.int64)
        class_names = tuple(order)
        counts = np.bincount(y, minlength=len(order))
        if counts.min() < MIN_PER_CLASS:
            small = order[int(counts.argmin())]
            raise CSVError(
                "class_too_small",
                f"Class '{small}' of '{target}' has only "
                f"{int(counts.min())} row(s); every class needs at least "
                f"{MIN_PER_CLASS}.",
                label=small,
                count=int(counts.min()),
                min_count=MIN_PER_CLASS,
                column=target,
            )

    for j, f in enumerate(features):
        if np.ptp(X[:, j]) == 0:
            notes.append(
                CSVNote(
                    "constant_feature",
                    f"Feature '{f}' has the same value in every row: it tells the network nothing.",
                    dict(column=f),
                )
            )

    test = _test_rows(y if task != "regression" else None, n, test_fraction, int(seed))
    dataset = Dataset.from_split(
        name,
        X[~test],
        X[test],
        y[~test],
        y[test],
        task=task,
        class_names=class_names,
        feature_names=features,
        standardize=standardize,
    )
    return dataset, notes


def dataset_from_frame(frame: pd.DataFrame, **options: Any) -> Dataset:
    """``build_dataset`` (same keyword arguments) without the notes."""
    return build_dataset(frame, **options)[0]
