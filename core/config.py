"""``TrainConfig``: one frozen value describing a whole experiment.

The same type drives the Playground's widgets, the URL query string, the cache key and
the "show code" snippet. Every field is declared once below, with its type, default and
allowed range or choices (the idea of TensorFlow Playground's declarative state list),
and how the interface shows it (``Show``: widget kind, step, ladder, group, when shown);
parsing, validation, serialisation and the controls all read those declarations. Adding
a field is its declaration here plus ``config.<field>`` in both translation files (and
``config.<field>_help`` for a tooltip); the Playground draws it without interface code.
The caps a class server relies on live here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from core.datasets import DATASETS, MAX_CLASSES, MAX_NOISE, MAX_SAMPLES, MIN_CLASSES, MIN_SAMPLES
from core.features import DEFAULT_INPUTS, FEATURES, usable
from core.vocabulary import AUTO, INITS, LOSSES, SOLVERS, loss_fits

# Caps: no widget, URL or notebook call gets past these.
MAX_HIDDEN_LAYERS = 10
MAX_UNITS = 128
MAX_EPOCHS = 3000
MAX_TRAIN_SECONDS = 30.0  # a class server's time budget for one run


class ConfigError(ValueError):
    """A config value is missing, malformed or out of range. ``field`` names it.

    ``reason`` (a short token such as ``out_of_range``) and ``params`` say the same as
    the English message in a form the interface translates (config.problem.<reason>);
    the message is for notebooks and logs."""

    def __init__(self, field_name: str, message: str, reason: str = "", **params):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = reason
        self.params = params


def _short(value, limit: int = 40) -> str:
    """A value quoted in a message, cut short: a link can carry anything."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Show:
    """How a declared field is shown: plain data that ui/ renders (core draws nothing).

    group: data | network | training; None: the group of the field declared above.
    widget: select | multiselect | slider | select_slider | number | checkbox | layers
        | none (set by links and code only); None: checkbox for a bool, select for a
        field with choices, number for an int, slider for a float.
    step: the step of a slider or number input (or a function of the config).
    ladder: the stops of a select_slider (a log scale for rates). A value that is not
        a stop (from a link) is added in its place, so the control always shows the
        config's value exactly.
    when: {field: values}: the control is drawn only when each named field holds one
        of its values (the slope only for Leaky ReLU).
    half: two consecutive half-width controls share a row.
    bounds, unset, options: functions of the config for what depends on the dataset or
        the task: the useful (lo, hi) of a slider (stretched to reach the value),
        the value an optional field shows while None, the choices offered.
    labels: the translation prefix of the choice labels (default config.<field>_name).
    """

    group: str | None = None
    widget: str | None = None
    step: float | Callable[[Any], float] | None = None
    ladder: tuple = ()
    when: Mapping[str, tuple] | None = None
    half: bool = False
    bounds: Callable[[Any], Any] | None = None  # -> (lo, hi)
    unset: Callable[[Any], Any] | None = None
    options: Callable[[Any], Any] | None = None  # -> a tuple of choices
    labels: str | None = None


def _spec(
    default,
    *,
    kind=None,
    lo=None,
    hi=None,
    choices=None,
    optional=False,
    help="",
    show=None,
    param=None,
    resumable=False,
):
    """A declared field: ``kind`` is the value type (of the items, for tuples); ``show``
    how the interface draws it (``Show``); ``param`` the estimator parameter it sets
    (core.training builds the estimator from these); ``resumable``: a continued run may
    change it (how it trains, not what it is)."""
    kind = kind or type(default)
    return field(
        default=default,
        metadata=dict(
            kind=kind,
            lo=lo,
            hi=hi,
            choices=choices,
            optional=optional,
            help=help,
            show=show or Show(),
            param=param,
            resumable=resumable,
        ),
    )


declare = _spec  # for other settings types declared the same way (core.gradient_flow)

# Ladders: the stops the select sliders offer (any value in range still works from a
# link or a notebook). Rates span orders of magnitude, so the stops are logarithmic.
LEARNING_RATES = (0.00001, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
ALPHAS = (0.0, 0.00001, 0.0001, 0.001, 0.01, 0.1, 1.0, 10.0)
BATCH_SIZES = (1, 4, 8, 16, 32, 64, 128, 256, 512)
LEAKY_SLOPES = (0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5)
WIDTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)
# The datasets whose class count a student may choose (n_classes is shown for them).
CLASS_DATASETS = tuple(name for name, spec in DATASETS.items() if spec.n_classes_range)


@dataclass(frozen=True)
class TrainConfig:
    """A whole experiment. ``TrainConfig()`` is the default one: moons, two hidden
    layers of 16 ReLU units, the task's standard output (sigmoid for moons)."""

    # Data
    dataset: str = _spec(
        "moons", choices=tuple(DATASETS), show=Show(group="data", labels="common.dataset")
    )
    n_classes: int | None = _spec(
        None,
        kind=int,
        lo=MIN_CLASSES,
        hi=MAX_CLASSES,
        optional=True,
        show=Show(
            widget="slider",
            when={"dataset": CLASS_DATASETS},
            bounds=lambda c: DATASETS[c.dataset].n_classes_range,
            unset=lambda c: DATASETS[c.dataset].default_n_classes,
        ),
    )
    noise: float | None = _spec(
        None,
        kind=float,
        lo=0.0,
        hi=MAX_NOISE,
        optional=True,
        help="None: the dataset's own default",
        show=Show(
            bounds=lambda c: (0.0, DATASETS[c.dataset].max_noise),
            step=lambda c: DATASETS[c.dataset].max_noise / 20,
            unset=lambda c: DATASETS[c.dataset].default_noise,
        ),
    )
    n_samples: int = _spec(500, lo=MIN_SAMPLES, hi=MAX_SAMPLES, show=Show(step=50, half=True))
    test_fraction: float = _spec(0.2, lo=0.05, hi=0.5, show=Show(step=0.05, half=True))
    data_seed: int = _spec(0, lo=0, hi=2**31 - 1)
    standardize: bool = _spec(True, show=Show(widget="none"))  # no control: links and code set it
    # TensorFlow Playground's extra inputs (core.features): x2 terms are left out on
    # one-feature data; data with more than two features uses its features as they are.
    inputs: tuple[str, ...] = _spec(DEFAULT_INPUTS, kind=tuple, choices=tuple(FEATURES))
    # Network
    hidden_layers: tuple[int, ...] = _spec(
        (16, 16),
        kind=tuple,
        lo=1,
        hi=MAX_UNITS,
        show=Show(group="network", widget="layers", ladder=WIDTHS),
        param="hidden_layer_sizes",
    )
    activation: str = _spec(
        "relu",
        choices=HIDDEN_ACTIVATIONS,
        show=Show(labels="common.activation"),
        param="activation",
    )
    leaky_slope: float = _spec(
        0.01,
        lo=0.001,
        hi=0.5,
        show=Show(
            widget="select_slider", ladder=LEAKY_SLOPES, when={"activation": ("leaky_relu",)}
        ),
        param="leaky_slope",
    )
    output_activation: str = _spec(
        "auto",
        choices=("auto",) + OUTPUT_ACTIVATIONS,
        show=Show(labels="common.activation"),
        param="output_activation",
    )
    loss: str = _spec(
        AUTO,
        choices=(AUTO,) + LOSSES,
        show=Show(options=lambda c: tuple(n for n in (AUTO,) + LOSSES if loss_fits(c.task, n))),
        param="loss",
    )
    init: str = _spec(
        "auto", choices=INITS, help="weight initialisation (GUIDANCE M1)", param="init"
    )
    # Training
    solver: str = _spec(
        "adam", choices=SOLVERS, show=Show(group="training", half=True), param="solver"
    )
    learning_rate: float = _spec(
        0.01,
        lo=1e-5,
        hi=1.0,
        show=Show(widget="select_slider", ladder=LEARNING_RATES, half=True),
        param="learning_rate_init",
        resumable=True,
    )
    alpha: float = _spec(
        1e-4,
        lo=0.0,
        hi=10.0,
        show=Show(widget="select_slider", ladder=ALPHAS, half=True),
        param="alpha",
        resumable=True,
    )
    batch_size: int = _spec(
        32,
        lo=1,
        hi=MAX_SAMPLES,
        show=Show(widget="select_slider", ladder=BATCH_SIZES, half=True),
        param="batch_size",
        resumable=True,
    )
    epochs: int = _spec(
        300, lo=1, hi=MAX_EPOCHS, show=Show(step=50, half=True), param="max_iter", resumable=True
    )
    seed: int = _spec(0, lo=0, hi=2**31 - 1, show=Show(half=True), param="random_state")
    # Not a parameter value: it switches scikit-learn's n_iter_no_change (core.training).
    stop_when_flat: bool = _spec(True, help="stop when the loss stops improving", resumable=True)

    def __post_init__(self):
        for f in dataclasses.fields(self):
            _check(f, getattr(self, f.name))
        if len(self.hidden_layers) > MAX_HIDDEN_LAYERS:
            raise ConfigError(
                "hidden_layers",
                f"at most {MAX_HIDDEN_LAYERS} layers, got {len(self.hidden_layers)}",
                "too_many_layers",
                max=MAX_HIDDEN_LAYERS,
                n=len(self.hidden_layers),
            )
        spec = DATASETS[self.dataset]
        if self.n_classes is not None:
            if spec.n_classes_range is None:
                raise ConfigError(
                    "n_classes",
                    f"{self.dataset} has a fixed number of classes",
                    "fixed_classes",
                    dataset=self.dataset,
                )
            lo, hi = spec.n_classes_range
            if not lo <= self.n_classes <= hi:
                raise ConfigError(
                    "n_classes",
                    f"{self.dataset} takes {lo}..{hi} classes",
                    "class_range",
                    dataset=self.dataset,
                    lo=lo,
                    hi=hi,
                )
        if not usable(self.inputs, spec.n_features):
            raise ConfigError(
                "inputs",
                f"{self.dataset} has one feature: choose an input of x1",
                "no_usable_inputs",
                dataset=self.dataset,
            )
        if not loss_fits(spec.task, self.loss):
            raise ConfigError(
                "loss",
                "log_loss needs a classification dataset; use squared_error or auto for regression",
                "log_loss_regression",
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
        return query_of(self, only_changed=only_changed)

    @classmethod
    def from_query(
        cls, params: Mapping[str, Any], *, strict: bool = False
    ) -> tuple[TrainConfig, list[ConfigError]]:
        """Build a config from strings (a URL query string). Unknown keys are ignored.

        strict=True raises the first ``ConfigError``; otherwise each bad value falls
        back to its default and the errors are returned for the caller to show.
        """
        values, problems = parse_fields(dataclasses.fields(cls), params, strict=strict)
        # Values fine alone can still clash (log_loss on regression, too many layers).
        while True:
            try:
                return cls(**values), problems
            except ConfigError as err:
                if strict or err.field not in values:
                    raise
                problems.append(err)
                del values[err.field]


def parse_fields(
    fields: Iterable[dataclasses.Field], params: Mapping[str, Any], *, strict: bool = False
) -> tuple[dict[str, Any], list[ConfigError]]:
    """Parse and check the values ``params`` (strings) gives for ``fields`` (declared
    with ``_spec``) one by one; other keys are ignored. Returns the good values and a
    ``ConfigError`` per bad one (strict=True raises the first instead)."""
    names = {f.name: f for f in fields}
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
    return values, problems


def query_of(settings, *, only_changed: bool = True) -> dict[str, str]:
    """A declared dataclass's fields as strings; by default only those that differ from
    the defaults."""
    out = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if only_changed and value == f.default:
            continue
        out[f.name] = _format(value)
    return out


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
        if kind is tuple and f.metadata["choices"] is not None:  # a list of names
            return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
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
        raise ConfigError(
            f.name,
            f"cannot read {_short(text)!r} as {kind.__name__}",
            "unreadable",
            text=_short(text),
        ) from None


def _check(f: dataclasses.Field, value) -> None:
    meta = f.metadata
    if value is None:
        if meta["optional"]:
            return
        raise ConfigError(f.name, "a value is required", "required")
    choices, lo, hi, kind = meta["choices"], meta["lo"], meta["hi"], meta["kind"]
    if choices is not None:
        offered = ", ".join(map(str, choices))
        items = value if kind is tuple and isinstance(value, tuple) else (value,)
        wrong = [item for item in items if item not in choices]
        if wrong or not items:
            shown = _short(",".join(map(str, wrong or items)))
            raise ConfigError(
                f.name,
                f"{shown!r} is not one of {offered}",
                "not_choice",
                value=shown,
                choices=offered,
            )
        return
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f.name, "must be true or false", "not_bool")
        return
    if kind is tuple and not isinstance(value, tuple):
        raise ConfigError(
            f.name,
            f"{_short(value)!r} is not a list of layer sizes",
            "not_layers",
            value=_short(value),
        )
    items = value if kind is tuple else (value,)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise ConfigError(
                f.name, f"{_short(item)!r} is not a number", "not_number", value=_short(item)
            )
        if kind in (int, tuple) and not isinstance(item, int):
            raise ConfigError(f.name, f"{item!r} is not a whole number", "not_whole", value=item)
        if (
            not math.isfinite(item)
            or (lo is not None and item < lo)
            or (hi is not None and item > hi)
        ):
            raise ConfigError(
                f.name,
                f"{item} is outside the allowed range {lo}..{hi}",
                "out_of_range",
                value=item,
                lo=lo,
                hi=hi,
            )


# --- controls: how each declared field is drawn for a given config -----------------------
@dataclass(frozen=True)
class Control:
    """One field's control for one config, fully resolved (ui/widgets.py draws it):
    ``value`` is what it shows, always reachable within ``options`` or ``lo..hi``
    (for the hidden layers: (depth, width), depth in lo..hi, width in options)."""

    name: str
    widget: str
    group: str
    value: Any
    options: tuple = ()
    lo: Any = None
    hi: Any = None
    step: Any = None
    half: bool = False
    labels: str = ""


def _widget(f: dataclasses.Field, show: Show) -> str:
    if show.widget:
        return show.widget
    meta = f.metadata
    if meta["kind"] is bool:
        return "checkbox"
    if meta["choices"] is not None:
        return "multiselect" if meta["kind"] is tuple else "select"
    return "number" if meta["kind"] is int else "slider"


def field_groups(cls=None) -> dict[str, tuple[str, ...]]:
    """Field names by group, in declaration order; a field without a group belongs to
    the group of the field declared above it (so a field added under the Network
    heading joins the network group)."""
    groups: dict[str, list[str]] = {}
    group = "other"
    for f in dataclasses.fields(cls or TrainConfig):
        group = f.metadata["show"].group or group
        groups.setdefault(group, []).append(f.name)
    return {name: tuple(names) for name, names in groups.items()}


def controls(settings, names: Iterable[str] | None = None) -> list[Control]:
    """The controls of ``settings`` (a declared dataclass such as TrainConfig) in
    declaration order: those shown for its current values (``Show.when``), not
    ``widget="none"``; ``names`` keeps only those fields."""
    group_of = {n: g for g, ns in field_groups(type(settings)).items() for n in ns}
    wanted = None if names is None else set(names)
    found = []
    for f in dataclasses.fields(settings):
        if wanted is not None and f.name not in wanted:
            continue
        made = control(settings, f.name, group=group_of[f.name])
        if made is not None:
            found.append(made)
    return found


def control(settings, name: str, *, group: str = "") -> Control | None:
    """The control for field ``name`` of ``settings``, or None when it is not shown."""
    f = {f.name: f for f in dataclasses.fields(settings)}[name]
    meta, show = f.metadata, f.metadata["show"]
    widget = _widget(f, show)
    if widget == "none":
        return None
    if show.when and not all(getattr(settings, k) in v for k, v in show.when.items()):
        return None
    value = getattr(settings, name)
    if value is None and show.unset is not None:
        value = show.unset(settings)
    step = show.step(settings) if callable(show.step) else show.step
    made = dict(name=name, widget=widget, group=group, step=step, half=show.half)
    made["labels"] = show.labels or f"config.{name}_name"
    if widget in ("select", "multiselect"):
        options = tuple(show.options(settings) if show.options else meta["choices"])
        if widget == "select" and value not in options:
            value = f.default if f.default in options else options[0]
        return Control(value=value, options=options, **made)
    if widget == "layers":  # (depth, width): the width shown is the widest layer's
        width = max(value, default=max(cast(tuple, f.default)))
        options = tuple(sorted({*show.ladder, width}))
        return Control(
            value=(len(value), width), options=options, lo=0, hi=MAX_HIDDEN_LAYERS, **made
        )
    if widget == "select_slider":
        stops = show.ladder or meta["choices"]
        return Control(value=value, options=tuple(sorted({*stops, value})), **made)
    if widget == "checkbox":
        return Control(value=bool(value), **made)
    lo, hi = show.bounds(settings) if show.bounds else (meta["lo"], meta["hi"])
    kind = meta["kind"]
    # A link may carry any value the declaration allows: reach it even when it lies
    # past this dataset's useful range (noise=2 on moons).
    lo, hi = kind(min(lo, value)), kind(max(hi, value))
    return Control(value=kind(value), lo=lo, hi=hi, **made)
