"""``TrainConfig``: one frozen value describing a whole experiment.

The same type drives the Playground's widgets, the URL query string, the cache key and
the "show code" snippet. Every field is declared once below, with its type, default and
allowed range or choices (the idea of TensorFlow Playground's declarative state list);
parsing, validation and serialisation all read those declarations. The caps a class
server relies on live here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from core.datasets import DATASETS, MAX_CLASSES, MAX_NOISE, MAX_SAMPLES, MIN_CLASSES, MIN_SAMPLES

# Caps: no widget, URL or notebook call gets past these.
MAX_HIDDEN_LAYERS = 10
MAX_UNITS = 128
MAX_EPOCHS = 3000
MAX_TRAIN_SECONDS = 30.0  # a class server's time budget for one run

SOLVERS = ("adam", "sgd", "lbfgs")
LOSSES = ("auto", "log_loss", "squared_error")


class ConfigError(ValueError):
    """A config value is missing, malformed or out of range. ``field`` names it."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


def _spec(default, *, kind=None, lo=None, hi=None, choices=None, optional=False, help=""):
    """A declared field: ``kind`` is the value type (of the items, for tuples)."""
    kind = kind or type(default)
    return field(
        default=default,
        metadata=dict(kind=kind, lo=lo, hi=hi, choices=choices, optional=optional, help=help),
    )


@dataclass(frozen=True)
class TrainConfig:
    """A whole experiment. ``TrainConfig()`` is the default one: moons, two hidden
    layers of 16 ReLU units, the task's standard output (sigmoid for moons)."""

    # Data
    dataset: str = _spec("moons", choices=tuple(DATASETS))
    n_samples: int = _spec(500, lo=MIN_SAMPLES, hi=MAX_SAMPLES)
    noise: float | None = _spec(
        None,
        kind=float,
        lo=0.0,
        hi=MAX_NOISE,
        optional=True,
        help="None: the dataset's own default",
    )
    test_fraction: float = _spec(0.2, lo=0.05, hi=0.5)
    data_seed: int = _spec(0, lo=0, hi=2**31 - 1)
    n_classes: int | None = _spec(None, kind=int, lo=MIN_CLASSES, hi=MAX_CLASSES, optional=True)
    standardize: bool = _spec(True)
    # Network
    hidden_layers: tuple[int, ...] = _spec((16, 16), kind=tuple, lo=1, hi=MAX_UNITS)
    activation: str = _spec("relu", choices=HIDDEN_ACTIVATIONS)
    output_activation: str = _spec("auto", choices=("auto",) + OUTPUT_ACTIVATIONS)
    loss: str = _spec("auto", choices=LOSSES)
    leaky_slope: float = _spec(0.01, lo=0.001, hi=0.5)
    # Training
    solver: str = _spec("adam", choices=SOLVERS)
    learning_rate: float = _spec(0.01, lo=1e-5, hi=1.0)
    alpha: float = _spec(1e-4, lo=0.0, hi=10.0)
    batch_size: int = _spec(32, lo=1, hi=MAX_SAMPLES)
    epochs: int = _spec(300, lo=1, hi=MAX_EPOCHS)
    stop_when_flat: bool = _spec(True, help="stop when the loss stops improving")
    seed: int = _spec(0, lo=0, hi=2**31 - 1)

    def __post_init__(self):
        for f in dataclasses.fields(self):
            _check(f, getattr(self, f.name))
        if len(self.hidden_layers) > MAX_HIDDEN_LAYERS:
            raise ConfigError(
                "hidden_layers",
                f"at most {MAX_HIDDEN_LAYERS} layers, got {len(self.hidden_layers)}",
            )
        spec = DATASETS[self.dataset]
        if self.n_classes is not None:
            if spec.n_classes_range is None:
                raise ConfigError("n_classes", f"{self.dataset} has a fixed number of classes")
            lo, hi = spec.n_classes_range
            if not lo <= self.n_classes <= hi:
                raise ConfigError("n_classes", f"{self.dataset} takes {lo}..{hi} classes")
        if spec.task == "regression" and self.loss == "log_loss":
            raise ConfigError(
                "loss",
                "log_loss needs a classification dataset; use squared_error or auto for regression",
            )

    # --- derived values -------------------------------------------------------------
    @property
    def task(self) -> str:
        """binary | multiclass | regression, as the dataset will produce it."""
        spec = DATASETS[self.dataset]
        if spec.task == "regression":
            return "regression"
        if self.n_classes is not None:
            return "binary" if self.n_classes == 2 else "multiclass"
        return spec.task

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    # --- the flat string form (URL query string, cache key) ---------------------------
    def to_query(self, *, only_changed: bool = True) -> dict[str, str]:
        """Fields as strings; by default only those that differ from the defaults, so
        links stay short and keep working when a default changes."""
        default = TrainConfig()
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if only_changed and value == getattr(default, f.name):
                continue
            out[f.name] = _format(value)
        return out

    @classmethod
    def from_query(
        cls, params: Mapping[str, Any], *, strict: bool = False
    ) -> tuple[TrainConfig, list[ConfigError]]:
        """Build a config from strings (a URL query string). Unknown keys are ignored.

        strict=True raises the first ``ConfigError``; otherwise each bad value falls
        back to its default and the errors are returned for the caller to show.
        """
        names = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        problems: list[ConfigError] = []
        for key, raw in params.items():
            if key not in names:
                continue
            if isinstance(raw, (list, tuple)) and not isinstance(raw, str):
                raw = raw[-1] if raw else ""  # repeated query keys: the last one wins
            try:
                value = _parse(names[key], raw)
                _check(names[key], value)
            except ConfigError as err:
                if strict:
                    raise
                problems.append(err)
                continue
            values[key] = value
        # Values fine alone can still clash (log_loss on regression, too many layers).
        while True:
            try:
                return cls(**values), problems
            except ConfigError as err:
                if strict or err.field not in values:
                    raise
                problems.append(err)
                del values[err.field]


# Keys a shared link may carry that are nobody's setting: analytics tags that sites and
# mail clients append. Reporting them would only confuse the student who clicked.
_FOREIGN_KEY_PREFIXES = ("utm_",)
_FOREIGN_KEYS = frozenset({"fbclid", "gclid", "msclkid"})


def unknown_query_keys(keys: Iterable[str], known: Iterable[str]) -> list[tuple[str, str | None]]:
    """The keys of a link that are not in ``known``, each with the known key it most
    resembles (None if none is close), so a typo such as ``layers=`` for
    ``hidden_layers=`` can be pointed out instead of being silently ignored. Analytics
    tags (``utm_*``, ``fbclid``, ...) are not reported."""
    known = sorted(set(known))
    found = []
    for key in keys:
        if key in known or key in _FOREIGN_KEYS or key.startswith(_FOREIGN_KEY_PREFIXES):
            continue
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        found.append((key, close[0] if close else None))
    return found


def _format(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parse(f: dataclasses.Field, raw) -> Any:
    text = str(raw).strip()
    if f.metadata["optional"] and text.lower() in ("", "none", "auto", "default"):
        return None
    kind = f.metadata["kind"]
    try:
        if kind is bool:
            lowered = text.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind is tuple:
            return tuple(int(part) for part in text.split(",") if part.strip()) if text else ()
        if kind is int:
            number = float(text)
            if not number.is_integer():
                raise ValueError
            return int(number)
        if kind is float:
            number = float(text)
            if not math.isfinite(number):
                raise ValueError
            return number
        return text
    except (ValueError, OverflowError):
        raise ConfigError(f.name, f"cannot read {text[:40]!r} as {kind.__name__}") from None


def _check(f: dataclasses.Field, value) -> None:
    meta = f.metadata
    if value is None:
        if meta["optional"]:
            return
        raise ConfigError(f.name, "a value is required")
    choices, lo, hi = meta["choices"], meta["lo"], meta["hi"]
    if choices is not None:
        if value not in choices:
            raise ConfigError(f.name, f"{value!r} is not one of {', '.join(choices)}")
        return
    kind = meta["kind"]
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f.name, "must be true or false")
        return
    if kind is tuple and not isinstance(value, tuple):
        raise ConfigError(f.name, f"{value!r} is not a list of layer sizes")
    items = value if kind is tuple else (value,)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise ConfigError(f.name, f"{item!r} is not a number")
        if kind in (int, tuple) and not isinstance(item, int):
            raise ConfigError(f.name, f"{item!r} is not a whole number")
        if (
            not math.isfinite(item)
            or (lo is not None and item < lo)
            or (hi is not None and item > hi)
        ):
            raise ConfigError(f.name, f"{item} is outside the allowed range {lo}..{hi}")


def field_spec(name: str) -> dict:
    """The declared default, range and choices of one field (widgets read this)."""
    f = {f.name: f for f in dataclasses.fields(TrainConfig)}[name]
    return dict(default=f.default, **f.metadata)
