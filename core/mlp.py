"""scikit-learn MLPs with any hidden activation, any output activation and any loss.

``ActivationMLPClassifier`` and ``ActivationMLPRegressor`` are drop-in replacements for
``MLPClassifier`` / ``MLPRegressor`` with four more parameters:

- ``activation`` also accepts every other hidden entry of the activation table
  (``"leaky_relu"`` with slope ``leaky_slope``, ``"elu"``, ``"selu"``, ``"gelu"``,
  ``"silu"``, ``"softplus"``, ``"mish"``);
- ``output_activation``: ``"auto"`` (scikit-learn's choice) or any output entry of the
  activation table;
- ``loss``: ``"auto"`` (scikit-learn's pairing) or an explicit loss;
- ``init``: ``"auto"`` (scikit-learn's Glorot uniform) or a named weight initialisation
  (``INITS``, GUIDANCE M1/M3), drawn from ``random_state``. Biases are always drawn as
  scikit-learn draws them.

Why the subclass overrides private methods: scikit-learn writes the output-layer error
as ``prediction - target``. That is the true gradient only for the canonical pairs
(sigmoid + binary log-loss, softmax + log-loss, identity + squared error). Every other
pairing here applies the chain rule: the loss derivative times the output activation's
derivative (the softmax Jacobian for softmax). Canonical pairs keep the fused form, so
with default parameters the weights match scikit-learn's to the bit.

Loss definitions (mean over samples, sum over output units):

- ``squared_error``: 0.5 * sum_k (p_k - y_k)^2. For one output this is scikit-learn's
  value; for several outputs scikit-learn reports the mean over outputs but descends the
  gradient of this sum, so we report the objective that is really optimised.
- ``log_loss`` with a softmax output: categorical cross-entropy -sum_k y_k log p_k.
- ``log_loss`` with any other output: binary cross-entropy on each unit, as for
  multi-label sigmoid outputs. Outputs are clipped to [eps, 1 - eps] as scikit-learn
  does; where the clip is active the gradient is zero, which is why identity or tanh
  outputs under log-loss can stall (a lesson, not a bug). A softplus output is meant
  for positive regression targets under squared error (GUIDANCE M7); a classifier may
  also pick it, and under log-loss it behaves like a ReLU output (scores clipped to
  [eps, 1 - eps], zero gradient above 1): offered so the table stays uniform, with its
  correct gradient, not as a recommendation.

``predict_proba`` when the output is not a probability (identity, tanh, relu,
leaky_relu): each output is clipped to [0, 1] (the range log-loss itself assumes) and,
with several classes, each row is rescaled to sum to 1 (uniform where every score is
<= 0). ``outputs_are_probabilities_`` says whether that happened. ``predict`` uses the
raw outputs: threshold 0.5 for one unit, argmax for several.
"""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING

import numpy as np
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.neural_network._base import ACTIVATIONS as SK_ACTIVATIONS
from sklearn.neural_network._base import LOSS_FUNCTIONS as SK_LOSSES
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted, validate_data

from core.activations import (
    DEFAULT_LEAKY_SLOPE,
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    get_activation,
)
from core.vocabulary import (
    CLASSIFIER_LOSSES,
    INITS,
    PROBABILITY_OUTPUTS,
    REGRESSOR_LOSSES,
    is_canonical,
)

# Var(W) of each named scheme, from fan_in and fan_out (M1); the normals are plain, not
# truncated (PyTorch's choice), so the variance is exactly this.
INIT_VARIANCE = {
    "glorot_uniform": lambda fan_in, fan_out: 2.0 / (fan_in + fan_out),
    "glorot_normal": lambda fan_in, fan_out: 2.0 / (fan_in + fan_out),
    "he_uniform": lambda fan_in, fan_out: 2.0 / fan_in,
    "he_normal": lambda fan_in, fan_out: 2.0 / fan_in,
    "lecun_normal": lambda fan_in, fan_out: 1.0 / fan_in,
}


def output_loss(y, output, output_activation, loss, sample_weight=None) -> float:
    """The loss of ``output`` against ``y`` (see the module docstring), without the
    gradient: what the training history records each epoch."""
    return output_loss_and_error(
        y, output, output_activation, loss, sample_weight, with_error=False
    )[0]


def output_loss_and_error(
    y,
    output,
    output_activation,
    loss,
    sample_weight=None,
    leaky_slope=DEFAULT_LEAKY_SLOPE,
    *,
    pre_activation=None,
    with_error=True,
):
    """Loss of ``output`` against ``y`` and its gradient with respect to the output
    layer's pre-activation ``pre_activation`` (z, with ``output = f(z)``), per sample
    (not yet divided by the sample count, as scikit-learn's back-propagation expects).

    ``pre_activation`` is needed for the chain rule through a non-canonical element-wise
    output (the table's derivatives are functions of z); canonical pairs and softmax
    need only the output. With ``with_error=False`` the error is None.

    Pure function of arrays so the diagnostics and tests can call it directly.
    """
    y = np.asarray(y, dtype=output.dtype)
    eps = np.finfo(output.dtype).eps
    softmax_output = output_activation == "softmax"
    canonical = is_canonical(output_activation, loss)

    if loss == "squared_error":
        per_sample = 0.5 * ((output - y) ** 2).sum(axis=1)
        grad = None if canonical or not with_error else output - y
    elif loss == "log_loss":
        clipped = np.clip(output, eps, 1 - eps)
        if softmax_output:
            per_sample = -(y * np.log(clipped)).sum(axis=1)
        else:
            per_sample = -(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)).sum(axis=1)
        grad = None
        if with_error and not canonical:
            inside = (output > eps) & (output < 1 - eps)
            if softmax_output:
                grad = np.where(inside, -y / clipped, 0.0)
            else:
                grad = np.where(inside, (clipped - y) / (clipped * (1 - clipped)), 0.0)
    elif loss == "poisson" and output_activation == "exp":
        value = SK_LOSSES["poisson"](y, output, sample_weight)
        return value, (output - y if with_error else None)
    else:
        raise ValueError(f"unsupported loss {loss!r} for output {output_activation!r}")

    value = float(np.average(per_sample, weights=sample_weight))
    if canonical:
        # Same value, but scikit-learn's own summation order, so lbfgs line searches
        # (which compare loss values) follow stock scikit-learn step for step.
        sk_name = {"logistic": "binary_log_loss", "softmax": "log_loss"}.get(
            output_activation, "squared_error"
        )
        if sk_name != "squared_error" or y.shape[1] == 1:
            value = SK_LOSSES[sk_name](y, output, sample_weight)
        if not with_error:
            return value, None
        if softmax_output:
            # p * sum(y) - y: the fused p - y when each row of y is one-hot (x * 1.0 is
            # exact, so it stays bit-identical to sklearn); also right for multi-hot rows.
            return value, output * y.sum(axis=1, keepdims=True) - y
        return value, output - y  # the fused form: exact, and bit-identical to sklearn
    if not with_error:
        return value, None
    if softmax_output:
        # Softmax Jacobian-vector product: p * (g - <g, p>).
        error = output * (grad - (grad * output).sum(axis=1, keepdims=True))
    else:
        if pre_activation is None:
            raise ValueError(
                f"the gradient through a {output_activation} output under {loss} needs the "
                "output layer's pre-activation (pre_activation=z)"
            )
        backward = get_activation(output_activation, leaky_slope).backward
        # Not canonical and with_error, so grad was computed; softmax took the branch above.
        assert grad is not None and backward is not None
        error = grad
        backward(pre_activation, output, error)
    return value, error


def target_matrix(model, y) -> np.ndarray:
    """Targets in the shape of the output layer (one-hot or 0/1 columns)."""
    if not hasattr(model, "_label_binarizer"):
        return np.asarray(y, dtype=float).reshape(len(y), -1)
    target = model._label_binarizer.transform(y).astype(float)
    if target.shape[1] == 1 and model.n_outputs_ == 2:  # two-unit softmax on two classes
        target = np.hstack([1 - target, target])
    return target


if TYPE_CHECKING:  # the mixin is only ever combined with scikit-learn's MLP base
    from sklearn.neural_network._multilayer_perceptron import (
        BaseMultilayerPerceptron as _MixinBase,
    )
else:
    _MixinBase = object


class _ActivationMLPMixin(_MixinBase):
    """The overrides both estimators share. Attributes set by ``fit``:
    ``out_activation_`` (the output activation used) and ``loss_function_`` (the loss
    used, "auto" resolved)."""

    _auto_loss: str

    # One signature for both estimators: scikit-learn's get_params/clone read it, so
    # every parameter is listed explicitly (no **kwargs).
    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        output_activation="auto",
        loss="auto",
        leaky_slope=DEFAULT_LEAKY_SLOPE,
        init="auto",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
        )
        # After super().__init__, which sets its own loss (log_loss / squared_error).
        self.output_activation = output_activation
        self.loss = loss
        self.leaky_slope = leaky_slope
        self.init = init

    def _hidden(self):
        return get_activation(self.activation, self.leaky_slope)

    def _output_forward(self):
        name = self.out_activation_
        if name == "exp":  # scikit-learn's poisson output, not offered in the table
            return SK_ACTIVATIONS["exp"]
        return get_activation(name, self.leaky_slope).forward

    def _check_pairing(self):
        loss = self._auto_loss if self.loss == "auto" else self.loss
        if loss == "poisson" and self.output_activation != "auto":
            raise ValueError(
                "loss='poisson' uses scikit-learn's exponential output; "
                "leave output_activation='auto'"
            )
        return loss

    def _initialize(self, y, layer_units, dtype):
        loss = self._check_pairing()
        super()._initialize(y, layer_units, dtype)
        if self.output_activation != "auto":
            self.out_activation_ = self.output_activation
        self.loss_function_ = loss

    def _init_coef(self, fan_in, fan_out, dtype):
        if self.init == "auto":
            return super()._init_coef(fan_in, fan_out, dtype)
        rng = self._random_state  # check_random_state(random_state): reproducible
        std = np.sqrt(INIT_VARIANCE[self.init](fan_in, fan_out))
        if self.init.endswith("_uniform"):
            limit = np.sqrt(3.0) * std  # Var(U(-l, l)) = l^2 / 3
            coef = rng.uniform(-limit, limit, (fan_in, fan_out))
        else:
            coef = rng.normal(0.0, std, (fan_in, fan_out))
        # Biases exactly as scikit-learn draws them (after the weights, same bound).
        factor = 2.0 if self.activation == "logistic" else 6.0
        bound = np.sqrt(factor / (fan_in + fan_out))
        intercept = rng.uniform(-bound, bound, fan_out)
        return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)

    def _fit(self, X, y, sample_weight=None, incremental=False):
        if hasattr(self, "coefs_") and not hasattr(self, "loss_function_"):
            # Weights set by hand, then partial_fit (scikit-learn's own worked example):
            # _initialize never ran, so resolve the loss the way it would have.
            self.loss_function_ = self._check_pairing()
        return super()._fit(X, y, sample_weight=sample_weight, incremental=incremental)

    def _forward_pass_with_z(self, activations):
        """The forward pass, keeping each layer's pre-activation z (``pre[i]`` for
        ``activations[i]``; ``pre[0]`` is None): the table's derivatives take z."""
        hidden = self._hidden().forward
        last = self.n_layers_ - 2
        pre = [None] * self.n_layers_
        for i in range(self.n_layers_ - 1):
            z = safe_sparse_dot(activations[i], self.coefs_[i])
            z += self.intercepts_[i]
            pre[i + 1] = z
            activations[i + 1] = a = z.copy()
            if i != last:
                hidden(a)
        self._output_forward()(activations[-1])
        return activations, pre

    def _forward_pass(self, activations):
        return self._forward_pass_with_z(activations)[0]

    def _forward_pass_fast(self, X, check_input=True):
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        hidden = self._hidden().forward
        activation = X
        for i in range(self.n_layers_ - 1):
            activation = safe_sparse_dot(activation, self.coefs_[i])
            activation += self.intercepts_[i]
            if i != self.n_layers_ - 2:
                hidden(activation)
        self._output_forward()(activation)
        return activation

    def _backprop(self, X, y, sample_weight, activations, deltas, coef_grads, intercept_grads):
        n_samples = X.shape[0]
        activations, pre = self._forward_pass_with_z(activations)
        loss, error = output_loss_and_error(
            y,
            activations[-1],
            self.out_activation_,
            self.loss_function_,
            sample_weight,
            self.leaky_slope,
            pre_activation=pre[-1],
        )
        sw_sum = n_samples if sample_weight is None else sample_weight.sum()
        loss += 0.5 * self.alpha * sum(np.dot(c.ravel(), c.ravel()) for c in self.coefs_) / sw_sum

        last = self.n_layers_ - 2
        deltas[last] = error
        if sample_weight is not None:
            deltas[last] *= sample_weight.reshape(-1, 1)
        self._compute_loss_grad(last, sw_sum, activations, deltas, coef_grads, intercept_grads)
        hidden_backward = self._hidden().backward
        for i in range(last, 0, -1):
            deltas[i - 1] = safe_sparse_dot(deltas[i], self.coefs_[i].T)
            hidden_backward(pre[i], activations[i], deltas[i - 1])
            self._compute_loss_grad(i - 1, sw_sum, activations, deltas, coef_grads, intercept_grads)
        return loss, coef_grads, intercept_grads

    # One call per epoch inside fit(): the cheap place to record training history
    # (a partial_fit loop costs about 3x more). core.training sets ``_epoch_hook``.
    def _update_no_improvement_count(self, early_stopping, X, y, sample_weight):
        super()._update_no_improvement_count(early_stopping, X, y, sample_weight)
        hook = getattr(self, "_epoch_hook", None)
        if hook is not None:
            hook(self, self.loss_curve_[-1])

    # lbfgs has no epochs; the hook sees each loss evaluation instead.
    def _loss_grad_lbfgs(
        self,
        packed_coef_inter,
        X,
        y,
        sample_weight,
        activations,
        deltas,
        coef_grads,
        intercept_grads,
    ):
        loss, grad = super()._loss_grad_lbfgs(
            packed_coef_inter, X, y, sample_weight, activations, deltas, coef_grads, intercept_grads
        )
        hook = getattr(self, "_epoch_hook", None)
        if hook is not None:
            hook(self, float(loss))
        return loss, grad

    @property
    def outputs_are_probabilities_(self) -> bool:
        check_is_fitted(self)
        return self.out_activation_ in PROBABILITY_OUTPUTS


_EXTRA_CONSTRAINTS = {
    "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
    "output_activation": [StrOptions({"auto", *OUTPUT_ACTIVATIONS})],
    "leaky_slope": [Interval(Real, 0, 1, closed="neither")],
    "init": [StrOptions(set(INITS))],
}


class ActivationMLPClassifier(_ActivationMLPMixin, MLPClassifier):
    """``MLPClassifier`` with a free choice of hidden activation, output activation and
    loss, and gradients that are correct for every pairing (see the module docstring).

    A softmax output on a two-class problem uses two output units: one softmax unit is
    the constant 1.
    """

    _auto_loss = "log_loss"
    _parameter_constraints: dict = {
        **MLPClassifier._parameter_constraints,
        **_EXTRA_CONSTRAINTS,
        "loss": [StrOptions({"auto", *CLASSIFIER_LOSSES})],
    }

    def _validate_input(self, X, y, incremental, reset):
        X, y = super()._validate_input(X, y, incremental, reset)
        if self.output_activation == "softmax" and (y.ndim == 1 or y.shape[1] == 1):
            y = y.reshape(-1, 1)
            y = np.hstack([~y, y])  # two units: P(class 0), P(class 1)
        return X, y

    def labels_from_outputs(self, outputs):
        """Class labels for output-layer values, as ``predict`` gives them: threshold 0.5
        for one unit, argmax for several. Lets a caller that already ran the forward pass
        (the training history) skip a second one."""
        binarizer = self._label_binarizer
        if len(self.classes_) == 1:  # a single class seen in training: it is the answer
            return np.repeat(self.classes_, len(outputs))
        if binarizer.y_type_ == "binary":  # one unit, or two softmax units
            return self.classes_[(outputs[:, -1] > 0.5).astype(np.intp)]
        if binarizer.y_type_ == "multiclass":
            return self.classes_[outputs.argmax(axis=1)]
        # Multi-label: the binarizer's own thresholding. The two cases above are its
        # rules too, without its per-call validation, which costs more than the work
        # on a few hundred rows (the training history calls this every epoch).
        return binarizer.inverse_transform(outputs)

    def _predict(self, X, check_input=True):
        return self.labels_from_outputs(self._forward_pass_fast(X, check_input=check_input))

    def probabilities_from_outputs(self, scores):
        """What ``predict_proba`` makes of output-layer values, one column per output
        unit: unchanged for sigmoid/softmax outputs, clipped and normalised otherwise
        (see the module docstring)."""
        if not self.outputs_are_probabilities_:
            scores = np.clip(scores, 0.0, 1.0)
            if scores.shape[1] > 1:
                totals = scores.sum(axis=1, keepdims=True)
                uniform = np.full_like(scores, 1.0 / scores.shape[1])
                scores = np.divide(scores, totals, out=uniform, where=totals > 0)
        return scores

    def predict_proba(self, X):
        check_is_fitted(self)
        scores = self.probabilities_from_outputs(self._forward_pass_fast(X))
        if scores.shape[1] == 1:
            p = scores.ravel()
            return np.vstack([1 - p, p]).T
        return scores


class ActivationMLPRegressor(_ActivationMLPMixin, MLPRegressor):
    """``MLPRegressor`` with a free choice of hidden and output activation (see the
    module docstring). ``loss`` is "auto" (squared error), "squared_error" or
    "poisson" (scikit-learn's, with its exponential output only)."""

    _auto_loss = "squared_error"
    _parameter_constraints: dict = {
        **MLPRegressor._parameter_constraints,
        **_EXTRA_CONSTRAINTS,
        "loss": [StrOptions({"auto", *REGRESSOR_LOSSES})],
    }
