"""What happens inside a network: per-layer gradient norms, dead and saturated units,
and histograms of pre-activations and activations.

"Flat" follows the guidance's own numbers: a unit is in its flat region on a sample when
its derivative there is below 1% of the activation's peak derivative in magnitude (GELU,
SiLU and Mish have small negative slopes, which still pass gradient). For the sigmoid
that is |z| > 5.99 and for tanh |z| > 2.99 (tests/test_explorer.py measures both), the
article's "beyond +-6" and "beyond +-3"; for ReLU it is z < 0. A unit is *dead* when its
derivative is zero on every sample of the batch: no gradient reaches its incoming weights (G17).
A unit is *saturated* when its activation saturates (the table gives it a flat edge, as
for tanh and the sigmoid), it is not dead, and it is flat on most samples (G7, G11).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.activations import get_activation

# scikit-learn and the engine are imported where used: the web server imports this
# module (through the neuron view's types) but measures networks only in workers.

FLAT_FRACTION_OF_PEAK = 0.01
# A unit is *saturated* when it is flat on more than this share of the samples.
SATURATED_MAJORITY = 0.5


def at_initialisation(model, X, y):
    """An unfitted copy of ``model`` holding exactly the weights fit() would start from."""
    from sklearn.base import clone
    from sklearn.utils import check_random_state

    fresh = clone(model)
    Xv, yv = fresh._validate_input(X, y, incremental=False, reset=True)
    yv = yv.reshape(len(Xv), -1)
    fresh.n_outputs_ = yv.shape[1]
    fresh._random_state = check_random_state(fresh.random_state)
    units = [Xv.shape[1], *fresh.hidden_layer_sizes, fresh.n_outputs_]
    fresh._initialize(yv, units, Xv.dtype)
    return fresh


def model_inputs(model, X) -> np.ndarray:
    """What the first layer reads: ``X``, or the inputs a model with extra input
    features (``core.features``) expands it into."""
    X = np.asarray(X, dtype=float)
    expand = getattr(model, "expand_inputs", None)
    return expand(X) if expand is not None else X


def forward_layers(model, X) -> list[tuple[np.ndarray, np.ndarray]]:
    """(pre-activation, activation) of every layer after the input, output included."""
    hidden = get_activation(model.activation, model.leaky_slope)
    layers, a = [], model_inputs(model, X)
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        z = a @ W + b
        a = z.copy()
        if i < len(model.coefs_) - 1:
            hidden.forward(a)
        else:
            model._output_forward()(a)
        layers.append((z, a))
    return layers


def weight_gradients(model, X, y) -> list[np.ndarray]:
    """dLoss/dW of each weight layer, first to last (no L2 term): column j of layer i
    is the gradient reaching unit j's incoming weights."""
    from core.mlp import output_loss_and_error, target_matrix

    layers = forward_layers(model, X)
    X = model_inputs(model, X)
    _, delta = output_loss_and_error(
        target_matrix(model, y),
        layers[-1][1],
        model.out_activation_,
        model.loss_function_,
        None,
        model.leaky_slope,
        pre_activation=layers[-1][0],
    )
    hidden = get_activation(model.activation, model.leaky_slope).backward
    assert hidden is not None  # hidden activations are element-wise (softmax is output-only)
    inputs = [(None, X)] + layers[:-1]  # (z, a) feeding each weight layer
    grads: list[np.ndarray] = [np.empty(0)] * len(model.coefs_)
    for i in range(len(model.coefs_) - 1, -1, -1):
        grads[i] = inputs[i][1].T @ delta / len(X)
        if i:
            delta = delta @ model.coefs_[i].T
            z, a = layers[i - 1]  # the hidden layer feeding weight layer i
            hidden(z, a, delta)
    return grads


def gradient_norms(model, X, y) -> np.ndarray:
    """Frobenius norm of dLoss/dW for each weight layer, first to last (no L2 term)."""
    return np.array([np.linalg.norm(g) for g in weight_gradients(model, X, y)])


def flat_peak(activation) -> float:
    """The activation's peak derivative, which "flat" is measured against."""
    return float(activation.derivative(np.linspace(-10, 10, 2001)).max())


def unit_states(model, X, layers=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per hidden layer, per unit: (dead, flat fraction). Dead: zero slope on every
    sample of ``X`` (G17); flat fraction: the share of samples where the slope is below
    ``FLAT_FRACTION_OF_PEAK`` of the peak. ``layers``: ``forward_layers(model, X)``
    when the caller has it already."""
    hidden = get_activation(model.activation, model.leaky_slope)
    peak = flat_peak(hidden)
    states = []
    for z, a in (layers or forward_layers(model, X))[:-1]:
        slope = np.abs(hidden.derivative(z, a))  # GELU/SiLU/Mish slopes go negative
        states.append(
            ((slope == 0).all(axis=0), np.mean(slope < FLAT_FRACTION_OF_PEAK * peak, axis=0))
        )
    return states


def saturated_units(activation, dead: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Units that sit in their activation's flat region on most samples: only for an
    activation the table says saturates (tanh, sigmoid; a ReLU unit that is off is
    reported as dead or not at all), and not already dead."""
    if activation.saturates_beyond is None:
        return np.zeros_like(dead)
    return (flat > SATURATED_MAJORITY) & ~dead


def layer_table(model, X, y) -> pd.DataFrame:
    """One row per weight layer: gradient norm, and for hidden layers the fractions of
    dead units and of unit-samples in the flat region."""
    norms = gradient_norms(model, X, y)
    layers = forward_layers(model, X)
    states = unit_states(model, X, layers)
    rows = []
    for i, (_z, a) in enumerate(layers):
        is_output = i == len(model.coefs_) - 1
        row = dict(
            layer=i + 1,
            kind="output" if is_output else "hidden",
            units=a.shape[1],
            activation=model.out_activation_ if is_output else model.activation,
            grad_norm=norms[i],
            dead_fraction=np.nan,
            flat_fraction=np.nan,
        )
        if not is_output:
            dead, flat = states[i]
            row["dead_fraction"] = float(np.mean(dead))
            row["flat_fraction"] = float(np.mean(flat))
        rows.append(row)
    return pd.DataFrame(rows)


def histograms(model, X, bins: int = 30) -> pd.DataFrame:
    """Long table of histograms per hidden layer: layer, quantity (pre/post), bin edges,
    count. Computed here so a chart receives a few hundred rows, not raw values."""
    rows = []
    for i, (z, a) in enumerate(forward_layers(model, X)[:-1]):
        for quantity, values in (("pre-activation", z), ("activation", a)):
            values = values[np.isfinite(values)]
            lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
            if hi - lo < 1e-9:
                lo, hi = lo - 0.5, hi + 0.5
            counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
            for c, e0, e1 in zip(counts, edges[:-1], edges[1:]):
                rows.append(dict(layer=i + 1, quantity=quantity, start=e0, end=e1, count=int(c)))
    return pd.DataFrame(rows)


def run_diagnostics(result, max_samples: int = 500) -> dict[str, pd.DataFrame]:
    """Layer tables at initialisation and after training for a ``TrainResult``."""
    data = result.dataset
    X, y = data.X_train[:max_samples], data.y_train[:max_samples]
    model = result.model.estimator()
    initial = at_initialisation(model, data.X_train, data.y_train)
    return dict(initial=layer_table(initial, X, y), final=layer_table(model, X, y))
