"""scikit-learn's own MLP test suite, run against our estimators.

The estimators claim to be drop-in replacements for ``MLPClassifier`` and
``MLPRegressor``. The most direct check is the suite scikit-learn runs on its own
classes: this module loads the installed ``sklearn/neural_network/tests/test_mlp.py``
(the scikit-learn version is pinned) with those two names bound to ours, so every
scenario it exercises, from the hand-worked example in ``test_fit`` (weights set by
hand, then ``partial_fit``) to early stopping, warm starts, partial_fit, sparse input,
dtypes and pickling, runs here unchanged.
"""

import inspect

import pytest
from sklearn.neural_network.tests import test_mlp as _sklearn_suite

_IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"
_SOURCE = inspect.getsource(_sklearn_suite)
assert _SOURCE.count(_IMPORT) == 1, "scikit-learn's test module changed its imports"
exec(
    compile(
        _SOURCE.replace(
            _IMPORT,
            "from core.mlp import ActivationMLPClassifier as MLPClassifier, "
            "ActivationMLPRegressor as MLPRegressor",
        ),
        _sklearn_suite.__file__,
        "exec",
    ),
    globals(),
)


@pytest.fixture(params=[0, 42])
def global_random_seed(request):
    """scikit-learn's conftest fixture (a few seeds), which this project does not load."""
    return request.param


def test_the_suite_runs_on_our_classes():
    from core.mlp import ActivationMLPClassifier, ActivationMLPRegressor

    assert MLPClassifier is ActivationMLPClassifier  # noqa: F821 (bound by the suite)
    assert MLPRegressor is ActivationMLPRegressor  # noqa: F821
    assert sum(name.startswith("test_") for name in globals()) > 40
