"""The dataset table and ``make_dataset``: shapes and types, determinism, the geometry of
each generator, train-only standardisation, the split, and argument validation.
Tests parametrised over ``DATASETS`` cover a new dataset automatically."""

import math

import numpy as np
import pytest

from core.datasets import (
    DATASETS,
    MAX_NOISE,
    MAX_SAMPLES,
    MAX_TEST_FRACTION,
    MIN_SAMPLES,
    MIN_TEST_FRACTION,
    Dataset,
    make_dataset,
)

NAMES = list(DATASETS)
CLASSIFICATION = [n for n in NAMES if DATASETS[n].task != "regression"]
RANGED = [n for n in NAMES if DATASETS[n].n_classes_range is not None]
FIXED = [n for n in NAMES if DATASETS[n].n_classes_range is None]
ARRAYS = ("X_train", "X_test", "y_train", "y_test")


def raw(name, **kw):
    """Unscaled data with every point, handy for geometry checks."""
    return make_dataset(name, standardize=False, **kw)


# --- the table ------------------------------------------------------------------------


def test_table_holds_the_documented_datasets():
    # In this order (the select box's); a dataset added later may come anywhere.
    documented = [
        "circle",
        "xor",
        "gauss",
        "spiral",
        "moons",
        "circles",
        "blobs",
        "spiral_k",
        "sine",
        "abs",
        "step",
        "plane",
        "gaussians",
    ]
    assert [n for n in NAMES if n in documented] == documented
    assert {n for n in NAMES if DATASETS[n].playground_compatible} == {
        "circle",
        "xor",
        "gauss",
        "spiral",
        "plane",
        "gaussians",
    }


@pytest.mark.parametrize("name", NAMES)
def test_spec_is_consistent(name):
    spec = DATASETS[name]
    assert spec.name == name and "oise" in spec.description
    assert 0 <= spec.default_noise <= spec.max_noise <= MAX_NOISE
    assert spec.task in ("binary", "multiclass", "regression")
    assert ("n_classes" in spec.params) == (spec.n_classes_range is not None)
    if spec.task == "regression":
        assert spec.default_n_classes is None and spec.n_classes_range is None
    else:
        assert spec.task == ("binary" if spec.default_n_classes == 2 else "multiclass")
    if spec.n_classes_range:
        lo, hi = spec.n_classes_range
        assert 2 <= lo <= spec.default_n_classes <= hi


# --- every dataset with defaults --------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_defaults_build_a_well_formed_dataset(name):
    spec = DATASETS[name]
    data = make_dataset(name)
    assert isinstance(data, Dataset) and data.name == name and data.task == spec.task
    d = spec.n_features
    assert data.X_train.shape == (400, d) and data.X_test.shape == (100, d)
    assert data.y_train.shape == (400,) and data.y_test.shape == (100,)
    assert data.X_train.dtype == data.X_test.dtype == np.float64
    assert data.n_features == len(data.feature_names) == spec.n_features
    assert data.X.shape == (500, spec.n_features) and data.y.shape == (500,)
    assert np.isfinite(data.X).all() and np.isfinite(data.y).all()
    if spec.task == "regression":
        assert data.y.dtype == np.float64
        assert data.class_names == () and data.n_classes == 0
    else:
        assert np.issubdtype(data.y.dtype, np.integer)
        assert data.n_classes == len(data.class_names) == spec.default_n_classes
        assert data.class_names == tuple(str(i) for i in range(data.n_classes))
        assert set(np.unique(data.y)) == set(range(data.n_classes))
        # Stratified: both splits hold every class.
        assert set(np.unique(data.y_test)) == set(range(data.n_classes))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("standardize", [True, False])
def test_extent_contains_every_point_with_a_margin(name, standardize):
    data = make_dataset(name, standardize=standardize, noise=DATASETS[name].max_noise)
    x0, x1, y0, y1 = data.extent
    xs = data.X[:, 0]
    ys = data.X[:, 1] if data.n_features > 1 else data.y
    assert x0 < xs.min() and xs.max() < x1 and y0 < ys.min() and ys.max() < y1


@pytest.mark.parametrize("name", NAMES)
def test_smallest_sizes_still_build(name):
    """Few samples, tiny test split, most classes: stratification must step aside."""
    spec = DATASETS[name]
    k = spec.n_classes_range[1] if spec.n_classes_range else None
    data = make_dataset(name, n_samples=MIN_SAMPLES, test_fraction=MIN_TEST_FRACTION, n_classes=k)
    assert len(data.y_train) + len(data.y_test) == MIN_SAMPLES and len(data.y_test) == 1


# --- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_same_arguments_give_identical_arrays(name):
    a, b = make_dataset(name, seed=3), make_dataset(name, seed=3)
    for attr in ARRAYS:
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    assert a.extent == b.extent


@pytest.mark.parametrize("name", NAMES)
def test_another_seed_gives_other_data(name):
    a, b = raw(name, seed=0), raw(name, seed=1)
    assert not np.array_equal(a.X_train, b.X_train)
    # Not just a reshuffle of the same points, where the generator draws anything at all.
    if name != "spiral":  # spiral at its default noise 0 is a fixed curve, as in Playground
        assert not np.array_equal(np.sort(a.X, axis=0), np.sort(b.X, axis=0))


# --- geometry ---------------------------------------------------------------------------


def test_circle_geometry():
    data = raw("circle", noise=0, n_samples=2000)
    r = np.hypot(*data.X.T)
    assert (r[data.y == 1] <= 2.5).all()
    assert ((r[data.y == 0] >= 3.5) & (r[data.y == 0] <= 5)).all()
    assert np.bincount(data.y).tolist() == [1000, 1000]


def test_circle_noise_flips_labels_but_keeps_points_in_place():
    """Playground's noise: labels are read at a jittered point, the points don't move."""
    data = raw("circle", noise=0.3, n_samples=2000)
    r = np.hypot(*data.X.T)
    assert ((r <= 2.5) | ((r >= 3.5) & (r <= 5))).all()
    flipped = np.mean((r <= 2.5) != (data.y == 1))
    assert 0.05 < flipped < 0.5


def test_xor_geometry():
    data = raw("xor", noise=0, n_samples=2000)
    x, y = data.X.T
    assert (np.abs(x) >= 0.3).all() and (np.abs(y) >= 0.3).all()
    assert (np.abs(data.X) <= 5.3).all()
    np.testing.assert_array_equal(data.y, (x * y >= 0).astype(int))
    noisy = raw("xor", noise=0.3, n_samples=2000)
    assert 0.05 < np.mean(noisy.y != (noisy.X[:, 0] * noisy.X[:, 1] >= 0)) < 0.5


def test_gauss_geometry_and_noise_widens_the_spread():
    data = raw("gauss", noise=0, n_samples=4000)
    np.testing.assert_allclose(data.X[data.y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(data.X[data.y == 0].mean(axis=0), [-2, -2], atol=0.1)
    # Playground: variance 0.5 at noise 0, 4 at noise 0.5.
    np.testing.assert_allclose(data.X[data.y == 1].var(axis=0), [0.5, 0.5], rtol=0.1)
    wide = raw("gauss", noise=0.5, n_samples=4000)
    np.testing.assert_allclose(wide.X[wide.y == 0].var(axis=0), [4, 4], rtol=0.1)


def test_spiral_geometry():
    data = raw("spiral", noise=0, n_samples=1000)
    r = np.hypot(*data.X.T)
    assert (r <= 5).all() and r.max() > 4.9
    # Playground's arms: x = r sin t, y = r cos t, t = 1.75 turns * r / 5 (+ pi for label 0).
    t = np.arctan2(data.X[:, 0], data.X[:, 1])
    expected = 1.75 * 2 * np.pi * r / 5 + np.where(data.y == 1, 0, np.pi)
    off = np.angle(np.exp(1j * (t - expected)))
    assert np.abs(off[r > 1e-9]).max() < 1e-9
    noisy = raw("spiral", noise=0.5, n_samples=1000)
    assert r.max() < np.hypot(*noisy.X.T).max() <= 5 + 0.5 * math.sqrt(2)


@pytest.mark.parametrize("name", RANGED)
def test_class_count_follows_n_classes(name):
    lo, hi = DATASETS[name].n_classes_range
    for k in range(lo, hi + 1):
        data = make_dataset(name, n_classes=k, n_samples=600)
        assert data.n_classes == k and set(np.unique(data.y)) == set(range(k))
        assert np.bincount(data.y).tolist() == [600 // k] * k  # balanced
        assert data.task == ("binary" if k == 2 else "multiclass")


def test_blobs_with_five_classes():
    data = raw("blobs", n_classes=5, n_samples=2500, noise=0.2)
    assert data.n_classes == 5 and data.class_names == ("0", "1", "2", "3", "4")
    centres = np.array([data.X[data.y == c].mean(axis=0) for c in range(5)])
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)
    assert gaps[gaps > 0].min() == pytest.approx(3.5, abs=0.1)  # neighbours 3.5 apart
    spread = np.array([data.X[data.y == c].std(axis=0) for c in range(5)])
    np.testing.assert_allclose(spread, 0.2, rtol=0.15)  # noise is the cluster std


def test_regression_curves_without_noise():
    for name, f in (
        ("abs", np.abs),
        ("sine", lambda x: np.sin(2 * x)),
        ("step", lambda x: np.where(x >= 0, 1.0, -1.0)),
    ):
        data = raw(name, noise=0)
        x = data.X[:, 0]
        assert (np.abs(x) <= 3).all()
        np.testing.assert_array_equal(data.y, f(x))


def test_plane_and_gaussians_without_noise():
    plane = raw("plane", noise=0)
    assert (np.abs(plane.X) <= 5).all()
    np.testing.assert_allclose(plane.y, plane.X.sum(axis=1) / 10)
    bumps = raw("gaussians", noise=0, n_samples=5000)
    assert (np.abs(bumps.X) <= 6).all()
    assert bumps.y.max() > 0.9 and bumps.y.min() < -0.9  # both signs of bump are there
    near = np.hypot(bumps.X[:, 0], bumps.X[:, 1] - 2.5) < 0.3  # the (0, 2.5) bump is negative
    assert (bumps.y[near] < -0.9).all()


@pytest.mark.parametrize("name", [n for n in NAMES if DATASETS[n].task == "regression"])
def test_regression_noise_is_gaussian_noise_on_y(name):
    clean, noisy = raw(name, noise=0, n_samples=5000), raw(name, noise=0.3, n_samples=5000)
    np.testing.assert_array_equal(clean.X, noisy.X)  # noise touches y only
    assert np.std(noisy.y - clean.y) == pytest.approx(0.3, rel=0.05)


# --- standardisation --------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_standardize_uses_train_statistics_only(name):
    scaled, plain = make_dataset(name, seed=2), raw(name, seed=2)
    np.testing.assert_allclose(scaled.X_train.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(scaled.X_train.std(axis=0), 1, atol=1e-9)
    # Same split either way; the test split uses the train split's mean and std.
    mean, std = plain.X_train.mean(axis=0), plain.X_train.std(axis=0)
    np.testing.assert_allclose(scaled.X_test, (plain.X_test - mean) / std, atol=1e-9)
    assert np.abs(scaled.X_test.mean(axis=0)).max() > 1e-6  # a refit would centre it exactly
    np.testing.assert_array_equal(scaled.y_train, plain.y_train)  # targets never scaled
    np.testing.assert_array_equal(scaled.y_test, plain.y_test)


# --- the split --------------------------------------------------------------------------


@pytest.mark.parametrize("fraction", [MIN_TEST_FRACTION, 0.2, 0.33, MAX_TEST_FRACTION])
@pytest.mark.parametrize("n", [MIN_SAMPLES, 333, 1000])
def test_test_fraction_is_honoured(fraction, n):
    data = make_dataset("moons", n_samples=n, test_fraction=fraction)
    assert len(data.y_test) == math.ceil(fraction * n)
    assert len(data.y_train) + len(data.y_test) == n


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_split_is_stratified(name):
    data = make_dataset(name, n_samples=1000, test_fraction=0.3)
    overall = np.bincount(data.y) / len(data.y)
    np.testing.assert_allclose(np.bincount(data.y_test) / len(data.y_test), overall, atol=0.01)


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, param, mentions",
    [
        (dict(name="nope"), "name", ["circle", "gaussians"]),
        (dict(n_samples=MIN_SAMPLES - 1), "n_samples", [str(MIN_SAMPLES), str(MAX_SAMPLES)]),
        (dict(n_samples=MAX_SAMPLES + 1), "n_samples", [str(MIN_SAMPLES), str(MAX_SAMPLES)]),
        (dict(n_samples=100.5), "n_samples", ["integer"]),
        (dict(test_fraction=0.04), "test_fraction", ["0.05", "0.5"]),
        (dict(test_fraction=0.51), "test_fraction", ["0.05", "0.5"]),
        (dict(test_fraction=float("nan")), "test_fraction", ["0.05", "0.5"]),
        (dict(noise=-0.01), "noise", ["0.0", str(MAX_NOISE)]),
        (dict(noise=MAX_NOISE + 0.1), "noise", ["0.0", str(MAX_NOISE)]),
        (dict(seed=-1), "seed", ["0"]),
        (dict(name="blobs", n_classes=1), "n_classes", ["2", "6"]),
        (dict(name="blobs", n_classes=7), "n_classes", ["2", "6"]),
        (dict(name="spiral_k", n_classes=2), "n_classes", ["3", "6"]),
        (dict(name="moons", n_classes=2), "n_classes", ["None", "2 classes"]),
        (dict(name="sine", n_classes=2), "n_classes", ["None", "regression"]),
    ],
)
def test_invalid_arguments_raise_naming_the_parameter(kwargs, param, mentions):
    kwargs = {"name": "moons", **kwargs}
    with pytest.raises(ValueError, match=param) as error:
        make_dataset(kwargs.pop("name"), **kwargs)
    for text in mentions:
        assert text in str(error.value)


@pytest.mark.parametrize("name", NAMES)
def test_every_dataset_rejects_bad_noise_and_class_counts(name):
    spec = DATASETS[name]
    with pytest.raises(ValueError, match="noise"):
        make_dataset(name, noise=-1.0)
    bad = spec.n_classes_range[1] + 1 if spec.n_classes_range else 3
    with pytest.raises(ValueError, match="n_classes"):
        make_dataset(name, n_classes=bad)


def test_standard_scaling_is_scikit_learns_standard_scaler_to_the_bit():
    """The server standardises uploaded data without scikit-learn; a worker's data and
    the shipped evidence were made with StandardScaler. Columns of every scale, offset
    far from zero, constant, and whole numbers."""
    from sklearn.preprocessing import StandardScaler

    from core.datasets import standard_scaling

    rng = np.random.default_rng(0)
    for trial in range(60):
        n, d = int(rng.integers(2, 2000)), int(rng.integers(1, 6))
        X = rng.normal(size=(n, d)) * 10 ** rng.uniform(-8, 8, d) + 10 ** rng.uniform(-3, 9, d)
        if trial % 3 == 0:
            X[:, 0] = 3.3  # constant: scale 1
        if trial % 4 == 0:
            X[:, -1] = np.round(X[:, -1])
        fitted = StandardScaler().fit(X)
        mean, scale = standard_scaling(X)
        np.testing.assert_array_equal(mean, fitted.mean_)
        np.testing.assert_array_equal(scale, fitted.scale_)
        np.testing.assert_array_equal((X - mean) / scale, fitted.transform(X))
