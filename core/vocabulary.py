"""The words every layer shares, declared once: tasks, losses, solvers, the built-in
dataset that stands in for each task, the weight initialisations and which output and
loss go together. The config, the rules loader, the engine, the CSV loader, the wizard
and the widgets read these; their display names live in the translation files only
(``common.task.<task>``, ``config.loss_name.<loss>``, ``config.solver_name.<solver>``).
Plain Python: the server imports this module, and never scikit-learn."""

# Every task the engine and the rules know. A multi-label target has several 0/1 columns.
TASKS = ("binary", "multiclass", "multilabel", "regression")
# The tasks one target column can have: a built-in dataset's, or an uploaded CSV's.
DATASET_TASKS = ("binary", "multiclass", "regression")

# scikit-learn's optimisers, the order the select box offers them.
SOLVERS = ("adam", "sgd", "lbfgs")

# "auto" is the task's standard loss (AUTO_LOSS below).
AUTO = "auto"
# The losses a student can pick in the app and the rules can name.
LOSSES = ("log_loss", "squared_error")
# What the engine's classifier and regressor accept besides "auto" (poisson: notebooks only).
CLASSIFIER_LOSSES = LOSSES
REGRESSOR_LOSSES = ("squared_error", "poisson")

# The built-in dataset put in place of data the app cannot draw (an uploaded CSV, a
# wizard answer): a multi-label problem is tried one label at a time, a binary set.
STAND_IN = {"binary": "moons", "multiclass": "blobs", "multilabel": "moons", "regression": "sine"}


def loss_fits(task: str, loss: str) -> bool:
    """Whether ``loss`` can train a network for ``task`` (log-loss needs classes)."""
    accepted = REGRESSOR_LOSSES if task == "regression" else CLASSIFIER_LOSSES
    return loss == AUTO or loss in accepted


# Weight initialisations (GUIDANCE M1, M3). "auto" is scikit-learn's own: Glorot uniform,
# with limit sqrt(2 / (fan_in + fan_out)) instead of sqrt(6 / ...) for logistic units.
INITS = ("auto", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal")
PROBABILITY_OUTPUTS = ("logistic", "softmax")

# What "auto" means for each task: scikit-learn's own choices.
AUTO_OUTPUT = {
    "binary": "logistic",
    "multilabel": "logistic",
    "multiclass": "softmax",
    "regression": "identity",
}
AUTO_LOSS = {
    "binary": "log_loss",
    "multilabel": "log_loss",
    "multiclass": "log_loss",
    "regression": "squared_error",
}

# Pairs whose output error is exactly prediction - target.
CANONICAL_PAIRS = frozenset(
    {
        ("logistic", "log_loss"),
        ("softmax", "log_loss"),
        ("identity", "squared_error"),
        ("exp", "poisson"),
    }
)


def is_canonical(output_activation: str, loss: str) -> bool:
    """True when the output activation and loss form a canonical (matched) pair."""
    return (output_activation, loss) in CANONICAL_PAIRS
