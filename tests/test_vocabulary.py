"""The shared vocabulary (core.vocabulary) agrees with the tables and the engine that
read it: a stand-in of the right task for every task, and loss_fits saying exactly what
the estimators accept."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from core.config import TrainConfig, control
from core.datasets import DATASETS
from core.mlp import ActivationMLPClassifier, ActivationMLPRegressor
from core.vocabulary import (
    AUTO,
    CLASSIFIER_LOSSES,
    DATASET_TASKS,
    LOSSES,
    REGRESSOR_LOSSES,
    SOLVERS,
    STAND_IN,
    TASKS,
    loss_fits,
)


def test_every_task_has_a_built_in_stand_in_of_that_task():
    assert set(STAND_IN) == set(TASKS)
    for task, name in STAND_IN.items():
        # multi-label is tried one label at a time: a binary set
        assert DATASETS[name].task == ("binary" if task == "multilabel" else task), task


def test_built_in_datasets_only_have_tasks_a_target_column_can_have():
    assert {spec.task for spec in DATASETS.values()} == set(DATASET_TASKS)
    assert set(DATASET_TASKS) < set(TASKS)


def test_the_config_offers_the_vocabularys_solvers_and_losses():
    config = TrainConfig()
    assert control(config, "solver").options == SOLVERS
    assert control(config, "loss").options == (AUTO,) + LOSSES
    regression = control(TrainConfig(dataset="sine"), "loss").options
    assert regression == (AUTO,) + tuple(n for n in LOSSES if n in REGRESSOR_LOSSES)


@pytest.mark.parametrize("task", DATASET_TASKS)
@pytest.mark.parametrize("loss", sorted({AUTO, *CLASSIFIER_LOSSES, *REGRESSOR_LOSSES}))
def test_loss_fits_is_what_the_engine_accepts(task, loss):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    if task == "regression":
        model, y = ActivationMLPRegressor, np.abs(X[:, 0])  # >= 0: poisson applies
    else:
        model, y = (
            ActivationMLPClassifier,
            (X[:, 0] > 0).astype(int) + ((X[:, 1] > 0) if task == "multiclass" else 0),
        )
    estimator = model(hidden_layer_sizes=(3,), loss=loss, max_iter=5, random_state=0)
    if loss_fits(task, loss):
        estimator.fit(X, y)
        assert np.isfinite(estimator.loss_)
    else:
        with pytest.raises(InvalidParameterError):
            estimator.fit(X, y)
