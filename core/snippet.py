"""The "show code" snippet: plain Python that reproduces a Playground run.

Built from ``build_estimator`` so it cannot drift from what the app trains. Stock
scikit-learn classes are used when the run needs nothing of ours.
"""

from __future__ import annotations

from core.config import TrainConfig
from core.training import build_estimator

SKLEARN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


def code_snippet(config: TrainConfig) -> str:
    task = config.task
    estimator = build_estimator(config, task)
    cls = estimator.__class__
    stock = (
        config.activation in SKLEARN_ACTIVATIONS
        and config.output_activation == "auto"
        and config.loss == "auto"
        and cls.__module__ == "core.mlp"  # not a model with extra inputs (core.features)
        and config.init == "auto"
    )
    defaults = cls().get_params()
    if stock:
        parent = cls.__mro__[2]  # MLPClassifier / MLPRegressor
        defaults = parent().get_params()
        import_line = f"from sklearn.neural_network import {parent.__name__}"
        name = parent.__name__
    else:
        import_line = f"from {cls.__module__} import {cls.__name__}"
        name = cls.__name__
    params = estimator.get_params()
    args = ",\n    ".join(
        f"{k}={params[k]!r}" for k in params if k in defaults and params[k] != defaults[k]
    )
    data_args = (
        f'"{config.dataset}", n_samples={config.n_samples}, noise={config.noise!r}, '
        f"test_fraction={config.test_fraction}, seed={config.data_seed}, "
        f"n_classes={config.n_classes!r}, standardize={config.standardize}"
    )
    score = "R^2" if task == "regression" else "accuracy"
    return (
        f"{import_line}\n"
        "from core.datasets import make_dataset\n\n"
        f"data = make_dataset({data_args})\n"
        f"model = {name}(\n    {args},\n)\n"
        "model.fit(data.X_train, data.y_train)\n"
        f'print("test {score}:", model.score(data.X_test, data.y_test))\n'
    )
