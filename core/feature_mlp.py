"""The engine's estimators with Playground's extra inputs (``core.features``): they take
one more parameter, ``inputs``, and expand the raw (x1, x2) they are given into those
columns before the first layer."""

from __future__ import annotations

from core.features import DEFAULT_INPUTS, Array, expand
from core.mlp import ActivationMLPClassifier, ActivationMLPRegressor


class _ExpandsInputs:
    """Expands x1, x2 into ``self.inputs`` wherever the network reads its inputs:
    fitting (``_validate_input``), predicting (``_forward_pass_fast``) and, through
    ``expand_inputs``, ``core.diagnostics``. ``n_features_in_`` stays the raw count."""

    inputs: tuple[str, ...]

    def expand_inputs(self, X) -> Array:
        return expand(X, self.inputs)

    def _validate_input(self, X, y, incremental, reset):
        X, y = super()._validate_input(X, y, incremental, reset)  # type: ignore[misc]
        return self.expand_inputs(X), y

    def _forward_pass_fast(self, X, check_input=True):
        if check_input:
            from sklearn.utils.validation import validate_data

            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        return super()._forward_pass_fast(  # type: ignore[misc]
            self.expand_inputs(X), check_input=False
        )

    @classmethod
    def _get_param_names(cls):
        # scikit-learn reads parameters from __init__'s signature, which here forwards
        # the engine's own through **params: name them (the engine class's, read from
        # its own __init__), so get_params and clone keep every setting.
        engine = next(c for c in cls.__mro__ if c.__module__ == "core.mlp")
        return sorted({*engine._get_param_names(), "inputs"})  # type: ignore[attr-defined]


class FeatureMLPClassifier(_ExpandsInputs, ActivationMLPClassifier):
    """``ActivationMLPClassifier`` whose first layer reads ``inputs`` (``FEATURES``)."""

    def __init__(self, inputs=DEFAULT_INPUTS, **params):
        super().__init__(**params)
        self.inputs = inputs


class FeatureMLPRegressor(_ExpandsInputs, ActivationMLPRegressor):
    """``ActivationMLPRegressor`` whose first layer reads ``inputs`` (``FEATURES``)."""

    def __init__(self, inputs=DEFAULT_INPUTS, **params):
        super().__init__(**params)
        self.inputs = inputs
