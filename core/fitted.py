"""A trained network as plain data: what a finished run carries back from its worker.

The web server keeps every session's runs and draws them, but never runs a network: a
worker trains and computes what the pages show (the surfaces, the neuron view, each
point's predicted class), and hands back a ``FittedModel``, which holds numpy arrays and
names only. So the server never unpickles a scikit-learn estimator and never imports
scikit-learn or SciPy (tests/test_server_imports.py), which keeps a class's server
about 80 MB smaller.

The attributes a page reads keep scikit-learn's names (``coefs_``, ``intercepts_``,
``out_activation_``, ...). The estimator itself travels as opaque pickled bytes, for the
work that needs it (continuing a run, the diagnostics): ``estimator()`` unpickles it,
which imports scikit-learn, so only workers and notebooks call it.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class FittedModel:
    activation: str  # the hidden layers' activation (core.activations)
    leaky_slope: float
    out_activation_: str
    loss_function_: str
    coefs_: list[np.ndarray]
    intercepts_: list[np.ndarray]
    n_iter_: int
    # Each point's predicted class (classification; None for regression), train and test.
    train_predictions: np.ndarray | None
    test_predictions: np.ndarray | None
    estimator_pickle: bytes

    @classmethod
    def of(cls, model, dataset) -> FittedModel:
        """The plain-data form of a fitted engine estimator on ``dataset``."""
        regression = dataset.task == "regression"
        return cls(
            activation=str(model.activation),
            leaky_slope=float(model.leaky_slope),
            out_activation_=str(model.out_activation_),
            loss_function_=str(model.loss_function_),
            coefs_=[np.asarray(w) for w in model.coefs_],
            intercepts_=[np.asarray(b) for b in model.intercepts_],
            n_iter_=int(model.n_iter_),
            train_predictions=None if regression else _labels(model, dataset.X_train),
            test_predictions=None if regression else _labels(model, dataset.X_test),
            estimator_pickle=pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL),
        )

    def estimator(self):
        """A fresh copy of the fitted scikit-learn estimator (imports scikit-learn)."""
        return pickle.loads(self.estimator_pickle)

    @property
    def nbytes(self) -> int:
        """Memory held: the weights, the predictions and the pickled estimator."""
        arrays = [*self.coefs_, *self.intercepts_, self.train_predictions, self.test_predictions]
        return sum(a.nbytes for a in arrays if a is not None) + len(self.estimator_pickle)


def _labels(model, X) -> np.ndarray:
    return np.asarray(model.predict(X))
