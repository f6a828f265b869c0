"""The dataset table: every built-in dataset the product offers, and ``make_dataset``.

``DATASETS`` maps a name to its ``DatasetSpec`` (task, the parameters it accepts, its
noise scale and a description); the select boxes, the config validation and the
generator all read it. Adding a dataset is one generator function, one entry in the
table and its display name in each language (``common.dataset.<name>``); the tests
iterate over the table.

The four TensorFlow Playground classification sets and its two regression sets follow
the geometry of Playground's ``src/dataset.ts``. Pure numpy / scikit-learn: no Streamlit.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

# scikit-learn (generators, split, scaler) is imported inside the functions that use it:
# the web server imports this module for its names and limits, while workers make data.

# Caps every caller (widgets, URL parsing, notebooks) shares.
MIN_SAMPLES = 10
MAX_SAMPLES = 5000
MIN_TEST_FRACTION = 0.05
MAX_TEST_FRACTION = 0.5
MAX_NOISE = 2.0  # hard cap for every dataset; each spec's max_noise is its useful range
MIN_CLASSES = 2
MAX_CLASSES = 6
MAX_SEED = 2**32 - 1  # scikit-learn's random_state limit

PLANE = 5.0  # Playground's half-width for its classification sets
EXTENT_MARGIN = 0.1  # fraction of the data range added on each side of the plot
SPIRAL_K_TURNS = 1.0  # fewer turns than Playground's 1.75, so six arms stay apart

Array = np.ndarray
Generator = Callable[[int, float, int, int], tuple[Array, Array]]  # (n, noise, seed, k)


@dataclass(frozen=True)
class DatasetSpec:
    """One built-in dataset: what it is and which knobs it takes."""

    name: str
    task: str  # binary | multiclass | regression, at the default class count
    description: str  # includes what ``noise`` means for this dataset
    generate: Callable = field(repr=False, compare=False)  # Generator, raw (unscaled) data
    n_features: int = 2
    default_noise: float = 0.0
    max_noise: float = 0.5  # top of the useful noise range (the UI slider's end)
    n_classes_range: tuple[int, int] | None = None  # None: the class count is fixed
    default_n_classes: int | None = 2  # None for regression
    playground_compatible: bool = False  # the same data exists in TensorFlow Playground

    @property
    def params(self) -> tuple[str, ...]:
        """The dataset-specific keyword arguments of ``make_dataset`` it accepts."""
        return ("noise", "n_classes") if self.n_classes_range else ("noise",)


@dataclass(frozen=True, eq=False)  # eq=False: arrays have no truth value, hash by identity
class Dataset:
    name: str
    X_train: Array  # float64 (n, d)
    X_test: Array
    y_train: Array  # int64 labels 0..k-1, or float64 targets for regression
    y_test: Array
    task: str  # binary | multiclass | regression
    class_names: tuple[str, ...]  # () for regression
    feature_names: tuple[str, ...]
    extent: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max (see _extent)

    @classmethod
    def from_split(
        cls,
        name: str,
        X_train: Array,
        X_test: Array,
        y_train: Array,
        y_test: Array,
        *,
        task: str,
        class_names: Sequence[str],
        feature_names: Sequence[str],
        standardize: bool,
    ) -> Dataset:
        """A dataset from its train/test split, standardised with the training rows'
        mean and spread when ``standardize``; the plot's extent covers every row."""
        if standardize:
            mean, scale = standard_scaling(X_train)
            X_train, X_test = (X_train - mean) / scale, (X_test - mean) / scale
        extent = _extent(np.vstack([X_train, X_test]), np.concatenate([y_train, y_test]))
        return cls(
            name,
            X_train,
            X_test,
            y_train,
            y_test,
            task,
            tuple(class_names),
            tuple(feature_names),
            extent,
        )

    @property
    def n_classes(self) -> int:
        """0 for regression."""
        return len(self.class_names)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def X(self) -> Array:
        return np.vstack([self.X_train, self.X_test])

    @property
    def y(self) -> Array:
        return np.concatenate([self.y_train, self.y_test])


# --- generators: (n, noise, seed, k) -> raw X (n, d), y ----------------------------------


def standard_scaling(X: Array) -> tuple[Array, Array]:
    """(mean, scale) per column, exactly as scikit-learn's ``StandardScaler().fit(X)``
    computes them: the corrected two-pass variance, and scale 1 for a column its test
    finds constant. Written out so that the web server, which standardises an uploaded
    CSV and never loads scikit-learn, gives bit-for-bit the data a worker would;
    tests/test_datasets.py holds it to StandardScaler on awkward columns."""
    X = np.asarray(X, dtype=np.float64)
    count = X.shape[0] - np.sum(np.isnan(X), axis=0, dtype=np.float64)
    mean = np.nansum(X, axis=0) / count
    centred = X - mean
    correction = np.nansum(centred, axis=0)
    centred **= 2
    variance = (np.nansum(centred, axis=0) - correction**2 / count) / count
    eps = np.finfo(np.float64).eps
    constant = variance <= count * eps * variance + (count * mean * eps) ** 2
    scale = np.sqrt(variance)
    scale[constant] = 1.0
    return mean, scale


def _counts(n: int, k: int) -> list[int]:
    """n split into k near-equal class sizes (Playground draws n/2 per class)."""
    return [n // k + (i < n % k) for i in range(k)]


def _polar(r: Array, t: Array) -> Array:
    # Playground's convention: x = r sin t, y = r cos t.
    return np.column_stack([r * np.sin(t), r * np.cos(t)])


def _circle(n, noise, seed, k):
    rng = np.random.default_rng(seed)
    n_in, n_out = _counts(n, 2)
    r = np.concatenate([rng.uniform(0, PLANE / 2, n_in), rng.uniform(0.7 * PLANE, PLANE, n_out)])
    X = _polar(r, rng.uniform(0, 2 * np.pi, n))
    # As in Playground, points stay put and a jittered copy is labelled: noise flips
    # labels near the boundary rather than blurring the rings.
    seen = X + rng.uniform(-PLANE, PLANE, X.shape) * noise
    return X, (np.hypot(seen[:, 0], seen[:, 1]) < PLANE / 2).astype(int)


def _xor(n, noise, seed, k):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-PLANE, PLANE, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # Playground's padding: a gap along both axes
    seen = X + rng.uniform(-PLANE, PLANE, X.shape) * noise  # label noise, as in _circle
    return X, (seen[:, 0] * seen[:, 1] >= 0).astype(int)


def _gauss(n, noise, seed, k):
    rng = np.random.default_rng(seed)
    std = math.sqrt(0.5 + 7.0 * noise)  # Playground: variance 0.5 -> 4 as noise 0 -> 0.5
    n1, n0 = _counts(n, 2)
    X = np.vstack([rng.normal(2, std, (n1, 2)), rng.normal(-2, std, (n0, 2))])
    return X, np.repeat([1, 0], [n1, n0])


def _arms(n, noise, seed, k, turns):
    """k spiral arms, arm j (label j) rotated by 2*pi*j/k; radius grows to PLANE."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for j, m in enumerate(_counts(n, k)):
        s = np.arange(m) / m  # Playground's i / n
        X.append(_polar(s * PLANE, turns * 2 * np.pi * s + 2 * np.pi * j / k))
        y.append(np.full(m, j))
    points = np.vstack(X)
    return points + rng.uniform(-1, 1, points.shape) * noise, np.concatenate(y)


def _spiral(n, noise, seed, k):
    X, y = _arms(n, noise, seed, 2, turns=1.75)
    return X, 1 - y  # Playground labels the arm at angle offset 0 positive


def _spiral_k(n, noise, seed, k):
    return _arms(n, noise, seed, k, turns=SPIRAL_K_TURNS)


def _moons(n, noise, seed, k):
    from sklearn.datasets import make_moons

    return make_moons(n_samples=n, noise=noise, random_state=seed)


def _circles(n, noise, seed, k):
    from sklearn.datasets import make_circles

    return make_circles(n_samples=n, noise=noise, factor=0.5, random_state=seed)


def _blobs(n, noise, seed, k):
    from sklearn.datasets import make_blobs

    # Centres on a circle, neighbours 3.5 apart: at the default std 1 the classes
    # overlap a little whatever k is.
    angle = 2 * np.pi * np.arange(k) / k + np.pi / 4
    centres = _polar(np.full(k, 3.5 / (2 * math.sin(math.pi / k))), angle)
    return make_blobs(
        n_samples=_counts(n, k), centers=centres, cluster_std=noise, random_state=seed
    )


def _curve(f: Callable[[Array], Array]) -> Generator:
    """A 1-D regression set: x uniform on [-3, 3], y = f(x) + Gaussian noise."""

    def generate(n, noise, seed, k):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-3, 3, n)
        return x[:, None], f(x) + rng.normal(0.0, noise, n)

    return generate


def _plane(n, noise, seed, k):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-PLANE, PLANE, (n, 2))
    return X, X.sum(axis=1) / 10 + rng.normal(0.0, noise, n)  # Playground's reg-plane


# Playground's reg-gauss bumps: (x, y, sign). It draws on a +-6 plane so the bumps at
# x = +-4 fit; we keep that plane and use smooth Gaussians (sigma 1) for its cones.
_BUMPS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=float,
)


def _gaussians(n, noise, seed, k):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6, 6, (n, 2))
    d2 = ((X[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)
    return X, np.exp(-d2 / 2) @ _BUMPS[:, 2] + rng.normal(0.0, noise, n)


# --- the table --------------------------------------------------------------------------

_PG = "Noise is Playground's fraction (its slider's 0-50% is 0-0.5): "
_PG_LABEL = _PG + (
    "labels are read at a point jittered by up to noise x 5, so labels flip "
    "near the boundary; the points themselves do not move."
)
_Y_NOISE = "Noise is the std of Gaussian noise added to y."

DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in (
        DatasetSpec(
            "circle",
            "binary",
            "Disc of radius 2.5 (label 1) inside a ring of radius 3.5-5 (label 0). " + _PG_LABEL,
            _circle,
            playground_compatible=True,
        ),
        DatasetSpec(
            "xor",
            "binary",
            "Uniform on [-5, 5]^2 kept 0.3 off the axes; label 1 where x*y >= 0. " + _PG_LABEL,
            _xor,
            playground_compatible=True,
        ),
        DatasetSpec(
            "gauss",
            "binary",
            "Gaussians at (2, 2) (label 1) and (-2, -2) (label 0). "
            + _PG
            + "the variance grows from 0.5 at noise 0 to 4 at noise 0.5.",
            _gauss,
            playground_compatible=True,
        ),
        DatasetSpec(
            "spiral",
            "binary",
            "Two interleaved arms, 1.75 turns, radius growing to 5. "
            + _PG
            + "each coordinate moves by up to +-noise.",
            _spiral,
            playground_compatible=True,
        ),
        DatasetSpec(
            "moons",
            "binary",
            "scikit-learn's two interleaving half circles. Noise is the std of the "
            "Gaussian noise on the points.",
            _moons,
            default_noise=0.2,
        ),
        DatasetSpec(
            "circles",
            "binary",
            "scikit-learn's two concentric circles (inner radius 0.5 x outer, label 1 "
            "inside). Noise is the std of the Gaussian noise on the points.",
            _circles,
            default_noise=0.1,
            max_noise=0.3,
        ),
        DatasetSpec(
            "blobs",
            "multiclass",
            "2-6 Gaussian clusters on a circle, neighbours 3.5 apart. Noise is the "
            "cluster std (default 1: a little overlap).",
            _blobs,
            default_noise=1.0,
            max_noise=2.0,
            n_classes_range=(2, MAX_CLASSES),
            default_n_classes=3,
        ),
        DatasetSpec(
            "spiral_k",
            "multiclass",
            "3-6 spiral arms, one turn, radius growing to 5, one class per arm. Noise "
            "moves each coordinate by up to +-noise.",
            _spiral_k,
            default_noise=0.1,
            n_classes_range=(3, MAX_CLASSES),
            default_n_classes=3,
        ),
        DatasetSpec(
            "sine",
            "regression",
            "y = sin(2x), x uniform on [-3, 3]. " + _Y_NOISE,
            _curve(lambda x: np.sin(2 * x)),
            n_features=1,
            default_noise=0.1,
            default_n_classes=None,
        ),
        DatasetSpec(
            "abs",
            "regression",
            "y = |x|, x uniform on [-3, 3]: one kink, ReLU's own shape. " + _Y_NOISE,
            _curve(np.abs),
            n_features=1,
            default_noise=0.1,
            default_n_classes=None,
        ),
        DatasetSpec(
            "step",
            "regression",
            "y = -1 for x < 0, +1 for x >= 0, x uniform on [-3, 3]. " + _Y_NOISE,
            _curve(lambda x: np.where(x >= 0, 1.0, -1.0)),
            n_features=1,
            default_noise=0.1,
            default_n_classes=None,
        ),
        DatasetSpec(
            "plane",
            "regression",
            "y = (x1 + x2) / 10 on [-5, 5]^2 (Playground's reg-plane, y in [-1, 1]). " + _Y_NOISE,
            _plane,
            default_n_classes=None,
            playground_compatible=True,
        ),
        DatasetSpec(
            "gaussians",
            "regression",
            "Six signed Gaussian bumps (sigma 1) at Playground's reg-gauss centres "
            "(x = -4, 0, 4; y = +-2.5) on [-6, 6]^2. " + _Y_NOISE,
            _gaussians,
            default_n_classes=None,
            playground_compatible=True,
        ),
    )
}


# --- make_dataset -----------------------------------------------------------------------


def _check_range(param: str, value, lo, hi, integer: bool = False) -> None:
    kind = numbers.Integral if integer else numbers.Real
    # `not lo <= value <= hi` also rejects NaN.
    if isinstance(value, bool) or not isinstance(value, kind) or not lo <= value <= hi:
        what = "an integer" if integer else "a number"
        raise ValueError(f"{param} must be {what} in [{lo}, {hi}], got {value!r}")


def _class_count(spec: DatasetSpec, n_classes: int | None) -> int:
    if spec.n_classes_range is None:
        if n_classes is not None:
            fixed = (
                "it is a regression dataset"
                if spec.task == "regression"
                else f"it always has {spec.default_n_classes} classes"
            )
            raise ValueError(
                f"n_classes must be None for {spec.name!r} ({fixed}), got {n_classes!r}"
            )
        return spec.default_n_classes or 0
    if n_classes is None:
        return spec.default_n_classes or 0
    _check_range(f"n_classes (for {spec.name!r})", n_classes, *spec.n_classes_range, integer=True)
    return int(n_classes)


def _padded(v: Array) -> tuple[float, float]:
    lo, hi = float(v.min()), float(v.max())
    pad = EXTENT_MARGIN * (hi - lo) or 0.5
    return lo - pad, hi + pad


def _extent(X: Array, y: Array) -> tuple[float, float, float, float]:
    """Plot box of the first two features; a 1-D set plots its target on the y axis."""
    return (*_padded(X[:, 0]), *_padded(X[:, 1] if X.shape[1] > 1 else y))


def make_dataset(
    name: str,
    *,
    n_samples: int = 500,
    noise: float | None = None,
    test_fraction: float = 0.2,
    seed: int = 0,
    n_classes: int | None = None,
    standardize: bool = True,
) -> Dataset:
    """Build the dataset ``name``, split into train and test.

    ``noise=None`` uses the dataset's default; its meaning is in the spec's description.
    ``standardize`` scales the features (never a regression target) with statistics of
    the train split only, so the test split is seen as new data would be.
    Deterministic: the same arguments give identical arrays.
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {', '.join(DATASETS)}; got {name!r}")
    spec = DATASETS[name]
    _check_range("n_samples", n_samples, MIN_SAMPLES, MAX_SAMPLES, integer=True)
    _check_range("test_fraction", test_fraction, MIN_TEST_FRACTION, MAX_TEST_FRACTION)
    noise = spec.default_noise if noise is None else noise
    _check_range("noise", noise, 0.0, MAX_NOISE)
    _check_range("seed", seed, 0, MAX_SEED, integer=True)
    k = _class_count(spec, n_classes)
    n, seed = int(n_samples), int(seed)

    X, y = spec.generate(n, float(noise), seed, k)
    X = np.asarray(X, dtype=np.float64)
    regression = spec.task == "regression"
    y = np.asarray(y, dtype=np.float64 if regression else np.int64)

    from sklearn.model_selection import train_test_split

    stratify = None
    if not regression:
        n_test = math.ceil(test_fraction * n)  # how train_test_split sizes the test split
        counts = np.bincount(y, minlength=k)
        # Stratify only where scikit-learn can: >= 2 per class, room for each class.
        if counts.min() >= 2 and min(n_test, n - n_test) >= k:
            stratify = y
    return Dataset.from_split(
        name,
        *train_test_split(X, y, test_size=test_fraction, random_state=seed, stratify=stratify),
        task="regression" if regression else ("binary" if k == 2 else "multiclass"),
        class_names=() if regression else tuple(str(i) for i in range(k)),
        feature_names=("x",) if spec.n_features == 1 else ("x1", "x2"),
        standardize=standardize,
    )
