"""core.advice: a table of recommend() cases covering every rule and every error,
invariants over all inputs, the rules file really driving the decisions, and diagnose()
on small real runs made to show each symptom."""

import copy
import itertools
import math

import pytest
import yaml

from core import advice, rules
from core.activations import HIDDEN_ACTIVATIONS
from core.advice import SYMPTOMS, TASKS, Measurements, diagnose, measure, recommend, symptoms_from
from core.config import TrainConfig
from core.training import train

# (task, kwargs) -> hidden, output, units, loss, rules that must fire, actions
CASES = [
    (
        "binary",
        {},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-hidden-relu", "R-output-binary", "R-loss-matched"],
        (),
    ),
    ("multiclass", {}, "relu", "softmax", "per_class", "log_loss", ["R-output-multiclass"], ()),
    (
        "multiclass",
        {"n_classes": 5},
        "relu",
        "softmax",
        "per_class",
        "log_loss",
        ["R-output-multiclass"],
        (),
    ),
    (
        "multiclass",
        {"n_classes": 2},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-output-two-classes"],
        (),
    ),
    (
        "multilabel",
        {"n_classes": 4},
        "relu",
        "logistic",
        "per_label",
        "log_loss",
        ["R-output-multilabel"],
        (),
    ),
    ("regression", {}, "relu", "identity", "one", "squared_error", ["R-output-regression"], ()),
    (
        "binary",
        {"current_hidden": "identity"},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-hidden-nonlinear"],
        (),
    ),
    (
        "binary",
        {"current_hidden": "logistic"},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-hidden-avoid-sigmoid"],
        (),
    ),
    (
        "regression",
        {"n_hidden_layers": 6},
        "relu",
        "identity",
        "one",
        "squared_error",
        ["R-hidden-deep"],
        (),
    ),
    (
        "binary",
        {"current_hidden": "logistic", "symptoms": ["vanishing_gradients"]},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-hidden-avoid-sigmoid", "R-hidden-vanishing"],
        (),
    ),
    (
        "multiclass",
        {"current_hidden": "tanh", "symptoms": ["saturation"]},
        "relu",
        "softmax",
        "per_class",
        "log_loss",
        ["R-hidden-vanishing"],
        (),
    ),
    # M10: ReLU with vanishing gradients: the initialisation first ...
    (
        "binary",
        {"current_hidden": "relu", "symptoms": ["vanishing_gradients"]},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-hidden-relu-vanishing"],
        (),
    ),
    # ... and with activation and initialisation right, beyond what this app trains
    (
        "binary",
        {
            "current_hidden": "gelu",
            "current_init": "he_uniform",
            "symptoms": ["vanishing_gradients"],
        },
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-process-normalise"],
        ("normalise_or_residual",),
    ),
    # M12: dead ReLUs: a lower learning rate first, ReLU kept
    (
        "binary",
        {"current_hidden": "relu", "symptoms": ["dead_units"]},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-hidden-dead-relu"],
        ("lower_learning_rate",),
    ),
    (
        "binary",
        {"symptoms": ["dead_units"], "n_hidden_layers": 8},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-hidden-deep", "R-hidden-dead-relu"],
        ("lower_learning_rate",),
    ),
    (
        "regression",
        {"symptoms": ["diverging"]},
        "relu",
        "identity",
        "one",
        "squared_error",
        ["R-process-diverging"],
        ("lower_learning_rate",),
    ),
    (
        "binary",
        {"symptoms": ["slow_convergence"]},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-process-slow"],
        ("train_longer",),
    ),
    (
        "multiclass",
        {"symptoms": ["underfitting"], "n_classes": 3},
        "relu",
        "softmax",
        "per_class",
        "log_loss",
        ["R-process-underfitting"],
        ("more_capacity",),
    ),
    # M3: SELU kept, with LeCun-normal weights
    (
        "binary",
        {"current_hidden": "selu"},
        "selu",
        "logistic",
        "one",
        "log_loss",
        ["R-hidden-selu"],
        (),
    ),
    # M7: the range of a regression target decides the output
    (
        "regression",
        {"target_range": "positive"},
        "relu",
        "softplus",
        "one",
        "squared_error",
        ["R-output-positive"],
        (),
    ),
    (
        "regression",
        {"target_range": "unit_interval"},
        "relu",
        "logistic",
        "one",
        "squared_error",
        ["R-output-unit-interval"],
        (),
    ),
    # M11: no hidden layer, no hidden activation
    ("binary", {"n_hidden_layers": 0}, None, "logistic", "one", "log_loss", ["R-hidden-none"], ()),
    # dead units reported for sigmoid units are not ReLU's problem: sigmoid is still replaced
    (
        "binary",
        {"current_hidden": "logistic", "symptoms": ["dead_units"]},
        "relu",
        "logistic",
        "one",
        "log_loss",
        ["R-hidden-avoid-sigmoid"],
        (),
    ),
]


@pytest.mark.parametrize(
    "task, kwargs, hidden, output, units, loss, fired, actions",
    CASES,
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
def test_recommend_table(task, kwargs, hidden, output, units, loss, fired, actions):
    rec = recommend(task, **kwargs)
    assert (rec.hidden_activation, rec.output_activation, rec.output_units, rec.loss) == (
        hidden,
        output,
        units,
        loss,
    )
    assert set(fired) <= set(rec.rules), rec.rules
    assert rec.actions == actions
    assert len(rec.reasons) == len(rec.reasons_zh) == len(rec.rules)
    assert rec.reasons_in("zh") == rec.reasons_zh and rec.reasons_in("en") == rec.reasons


def test_the_table_covers_every_rule_in_the_file():
    """Every rule but the evidence-gated ones (tested below with tables of both kinds)."""
    fired = {rule for case in CASES for rule in recommend(case[0], **case[1]).rules}
    book = rules.load_rules()
    gated = {r.id for r in book.rules if r.evidence_beats}
    assert gated == {"R-hidden-gelu", "R-hidden-silu"}
    assert fired == set(book.ids) - gated


def test_rules_that_should_stay_quiet_do():
    rec = recommend("binary", current_hidden="relu")
    assert rec.rules == ("R-hidden-relu", "R-init-matched", "R-output-binary", "R-loss-matched")
    assert "R-hidden-deep" not in recommend("binary", n_hidden_layers=4).rules
    assert "R-hidden-deep" in recommend("binary", n_hidden_layers=5).rules
    # vanishing gradients with ReLU: not the sigmoid rule, the initialisation one
    rec = recommend("binary", current_hidden="relu", symptoms=["vanishing_gradients"])
    assert "R-hidden-vanishing" not in rec.rules and "R-hidden-relu-vanishing" in rec.rules
    # a target's range is a regression matter
    assert "R-output-positive" not in recommend("regression").rules
    # a count of classes is needed to call a multi-class task "two classes"
    assert "R-output-two-classes" not in recommend("multiclass").rules


def test_two_class_multiclass_is_binary_and_says_so():
    two = recommend("multiclass", n_classes=2)
    binary = recommend("binary")
    assert (two.output_activation, two.loss, two.output_units) == (
        binary.output_activation,
        binary.loss,
        binary.output_units,
    )
    reason = two.reasons[two.rules.index("R-output-two-classes")]
    assert "binary" in reason and "sigmoid" in reason
    assert any(a.output_activation == "softmax" for a in two.alternatives)


def test_symptoms_are_reported_in_vocabulary_order_without_repeats():
    rec = recommend("binary", symptoms=["underfitting", "dead_units", "dead_units"])
    assert rec.symptoms == ("dead_units", "underfitting")
    assert recommend("binary", symptoms="diverging").symptoms == ("diverging",)


ERRORS = [
    (dict(task="ranking"), "binary, multiclass, multilabel, regression"),
    (dict(task="binary", n_classes=3), "allowed: 2"),
    (dict(task="binary", n_classes=1), "allowed: 2"),
    (dict(task="multiclass", n_classes=1), "2 or more"),
    (dict(task="multilabel", n_classes=1), "2 or more labels"),
    (dict(task="regression", n_classes=2), "regression has no classes"),
    (dict(task="binary", n_classes=True), "whole number"),
    (dict(task="binary", n_classes=2.0), "whole number"),
    (dict(task="binary", n_hidden_layers=-1), ">= 0"),
    (dict(task="binary", n_hidden_layers=2.5), ">= 0"),
    (dict(task="binary", current_hidden="swish"), "relu"),
    (dict(task="binary", current_hidden="softmax"), "relu"),  # not a hidden activation
    (dict(task="binary", symptoms=["sneezing"]), "dead_units, vanishing_gradients"),
    (dict(task="binary", symptoms=["dead units"]), "dead_units"),
    (dict(task="regression", target_range="negative"), "any, positive, unit_interval"),
    (dict(task="regression", target_range=None), "any, positive, unit_interval"),
    (dict(task="binary", target_range="positive"), "allows only 'any'"),
    (dict(task="multiclass", target_range="unit_interval"), "allows only 'any'"),
    (dict(task="binary", current_init="xavier"), "he_normal"),
    (dict(task="binary", current_hidden="swish"), "gelu, silu"),  # every table entry is allowed
]


@pytest.mark.parametrize("kwargs, allowed", ERRORS, ids=[str(e[0]) for e in ERRORS])
def test_bad_input_raises_value_error_naming_the_allowed_values(kwargs, allowed):
    task = kwargs.pop("task")
    with pytest.raises(ValueError) as err:
        recommend(task, **kwargs)
    assert allowed in str(err.value)


def test_zero_hidden_layers_is_allowed():
    assert recommend("regression", n_hidden_layers=0).output_activation == "identity"


def subsets(items):
    return itertools.chain.from_iterable(
        itertools.combinations(items, k) for k in range(len(items) + 1)
    )


def test_invariants_over_every_input():
    """Deep nets never get sigmoid hidden units; every answer is a matched output/loss
    pair; alternatives differ from the answer and are most tempting first."""
    classes = {
        "binary": [None, 2],
        "multiclass": [None, 2, 3, 10],
        "multilabel": [None, 5],
        "regression": [None],
    }
    for task in TASKS:
        for n_classes, depth, current, symptoms in itertools.product(
            classes[task], (1, 4, 5, 10), (None,) + HIDDEN_ACTIVATIONS, subsets(SYMPTOMS)
        ):
            rec = recommend(
                task,
                n_classes=n_classes,
                n_hidden_layers=depth,
                current_hidden=current,
                symptoms=symptoms,
            )
            if depth >= 5:
                assert rec.hidden_activation != "logistic"
            # SELU is kept only with its own initialisation; otherwise ReLU (the
            # evidence table holds no GELU or SiLU that beats it)
            assert rec.hidden_activation == ("selu" if current == "selu" else "relu")
            assert rec.init == rules.load_rules().matched_init(rec.hidden_activation)
            assert advice.canonical_loss(rec.output_activation, task) == rec.loss
            designs = [
                (a.hidden_activation, a.output_activation, a.loss, a.init) for a in rec.alternatives
            ]
            assert (rec.hidden_activation, rec.output_activation, rec.loss, rec.init) not in designs
            assert len(set(designs)) == len(designs)
            assert [a.priority for a in rec.alternatives] == sorted(
                (a.priority for a in rec.alternatives), reverse=True
            )
            if task == "regression":
                assert all(a.loss != "log_loss" for a in rec.alternatives)
                assert rec.output_activation == "identity"


@pytest.mark.parametrize(
    "kwargs, hidden, output, loss",
    [
        (
            dict(task="binary", n_hidden_layers=8, current_hidden="logistic"),
            "logistic",
            "logistic",
            "log_loss",
        ),
        (dict(task="regression"), "relu", "logistic", "squared_error"),
        (dict(task="multiclass", n_classes=4), "relu", "relu", "log_loss"),
        (dict(task="multilabel"), "relu", "softmax", "log_loss"),
        (
            dict(task="binary", current_hidden="relu", symptoms=["dead_units"]),
            "leaky_relu",  # the second fix, after a lower learning rate
            "logistic",
            "log_loss",
        ),
    ],
)
def test_the_most_tempting_alternative(kwargs, hidden, output, loss):
    rec = recommend(kwargs.pop("task"), **kwargs)
    alt = rec.tempting
    assert (alt.hidden_activation, alt.output_activation, alt.loss) == (hidden, output, loss)
    assert alt.why and alt.why_zh and alt.why_in("zh") == alt.why_zh
    base = TrainConfig(dataset="sine" if rec.task == "regression" else "moons")
    assert rec.apply_alternative(base, alt).activation == hidden
    applied = rec.apply(base)
    assert (applied.activation, applied.output_activation, applied.loss) == (
        rec.hidden_activation,
        rec.output_activation,
        rec.loss,
    )


def book_with(edit):
    with open(rules.RULES_FILE, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    raw = copy.deepcopy(raw)
    edit(raw)
    return rules.parse_rules(raw)


def test_the_rules_file_drives_the_decisions(monkeypatch):
    """Edit the file (in memory): the answers follow, with no code change."""

    def edit(raw):
        relu = next(r for r in raw["rules"] if r["id"] == "R-hidden-relu")
        relu["recommend"] = {"hidden": "tanh"}
        raw["rules"].append(
            dict(
                relu,
                id="R-hidden-late",
                when={"tasks": ["regression"]},
                recommend={"hidden": "leaky_relu"},
            )
        )  # later rules override earlier ones

    monkeypatch.setattr(advice, "load_rules", lambda: book_with(edit))
    assert recommend("binary").hidden_activation == "tanh"
    rec = recommend("regression")
    assert rec.hidden_activation == "leaky_relu" and rec.rules[-1] == "R-hidden-late"


# --- initialisation, target range, no hidden layer (M1, M3, M7, M11) ---------------------------


def test_the_initialisation_matches_the_recommended_activation():
    assert recommend("binary").init == "he_normal"
    assert recommend("regression", n_hidden_layers=6).init == "he_normal"
    selu = recommend("binary", current_hidden="selu")
    assert (selu.hidden_activation, selu.init) == ("selu", "lecun_normal")
    reason = selu.reasons[selu.rules.index("R-hidden-selu")]
    assert "LeCun normal" in reason and "standardis" in reason
    # SELU with scikit-learn's Glorot weights is the tempting alternative
    assert (selu.tempting.hidden_activation, selu.tempting.init) == ("selu", "auto")
    # an alternative that swaps the hidden activation brings its own matched scheme
    sigmoid = next(a for a in recommend("binary").alternatives if a.hidden_activation == "logistic")
    assert sigmoid.init == "glorot_uniform" and "init" in sigmoid.changed(recommend("binary"))
    rec = recommend("binary")
    applied = rec.apply(TrainConfig())
    assert applied.init == "he_normal"
    assert rec.apply_alternative(TrainConfig(), sigmoid).init == "glorot_uniform"


def test_vanishing_with_relu_asks_for_the_initialisation_first_then_beyond_the_app():
    for init in (None, "auto", "glorot_uniform", "lecun_normal"):
        rec = recommend(
            "binary", current_hidden="relu", current_init=init, symptoms=["vanishing_gradients"]
        )
        assert "R-hidden-relu-vanishing" in rec.rules and "R-process-normalise" not in rec.rules
        assert rec.init == "he_normal" and rec.tempting.init == "auto"
    rec = recommend(
        "binary", current_hidden="relu", current_init="he_normal", symptoms=["vanishing_gradients"]
    )
    assert "R-hidden-relu-vanishing" not in rec.rules
    assert rec.actions == ("normalise_or_residual",)
    reason = rec.reasons[rec.rules.index("R-process-normalise")]
    assert "residual" in reason and "normalisation" in reason
    # SELU with LeCun normal is "right" too
    rec = recommend(
        "binary",
        current_hidden="selu",
        current_init="lecun_normal",
        symptoms=["vanishing_gradients"],
    )
    assert "R-process-normalise" in rec.rules


def test_no_hidden_layer_has_no_hidden_activation():
    for task in TASKS:
        rec = recommend(task, n_hidden_layers=0, symptoms=["vanishing_gradients", "dead_units"])
        assert rec.hidden_activation is None and rec.init == "glorot_uniform"
        assert "R-hidden-none" in rec.rules
        assert not [r for r in rec.rules if r.startswith("R-hidden-") and r != "R-hidden-none"]
        assert all(a.hidden_activation is None for a in rec.alternatives)
    reason = recommend("binary", n_hidden_layers=0).reasons[0]
    assert "logistic" in reason and "linear regression" in reason
    config = recommend("regression", n_hidden_layers=0).apply(
        TrainConfig(dataset="sine", hidden_layers=())
    )
    assert config.activation == "relu" and config.init == "glorot_uniform"  # unused, kept
    train(config.replace(epochs=5, n_samples=100))  # a valid experiment


def test_the_target_range_decides_the_regression_output():
    outputs = {
        r: recommend("regression", target_range=r).output_activation
        for r in ("any", "positive", "unit_interval")
    }
    assert outputs == {"any": "identity", "positive": "softplus", "unit_interval": "logistic"}
    positive = recommend("regression", target_range="positive")
    assert "poisson" in positive.reasons[positive.rules.index("R-output-positive")]
    assert positive.tempting.output_activation == "identity"
    # the advice trains: a softplus output with squared error on a regression
    config = positive.apply(TrainConfig(dataset="abs", noise=0.0, n_samples=100, epochs=5))
    assert train(config).stop_reason != "diverged"


@pytest.mark.parametrize(
    "values, expected",
    [
        ([0.0, 0.5, 1.0], "unit_interval"),
        ([0.2, 0.3], "unit_interval"),
        ([0.5, 3.0, 120.0], "positive"),
        ([0.0, 3.0], "any"),  # zero is not strictly positive
        ([-1.0, 0.5], "any"),
        ([float("nan"), 2.0, 5.0], "positive"),
    ],
)
def test_target_range_of(values, expected):
    assert advice.target_range_of(values) == expected


def test_target_range_of_needs_a_value():
    with pytest.raises(ValueError, match="no finite value"):
        advice.target_range_of([float("nan")])


# --- the evidence gate for GELU and SiLU (M4, M5, M8) ------------------------------------------


def evidence_table(gelu_shift: float, spread: float, with_silu: bool = False):
    """A runs table as core.evidence writes it: ReLU around 0.85, GELU ``gelu_shift``
    above, each seed ``spread`` apart."""
    import pandas as pd

    from core.evidence import RUN_COLUMNS, summarise

    rows = []
    acts = {"relu": 0.85, "gelu": 0.85 + gelu_shift} | ({"silu": 0.85} if with_silu else {})
    for dataset in ("moons", "spiral"):
        for depth in (1, 3):
            for act, mean in acts.items():
                for seed, offset in enumerate((-spread, 0.0, spread)):
                    row = dict.fromkeys(RUN_COLUMNS, 0)
                    row.update(
                        dataset=dataset,
                        activation=act,
                        init="auto",
                        depth=depth,
                        seed=seed,
                        test_accuracy=mean + offset,
                        stop_reason="completed",
                    )
                    rows.append(row)
    return summarise(pd.DataFrame(rows, columns=RUN_COLUMNS))


def test_evidence_gap_holds_only_past_the_seed_noise():
    ahead = advice.evidence_gap(evidence_table(0.10, 0.02), "gelu", "relu")
    assert ahead.cells == 4 and ahead.gap == pytest.approx(0.10)
    assert ahead.noise == pytest.approx(0.02) and ahead.past_noise
    within = advice.evidence_gap(evidence_table(0.01, 0.02), "gelu", "relu")
    assert within.gap == pytest.approx(0.01) and not within.past_noise
    behind = advice.evidence_gap(evidence_table(-0.10, 0.0), "gelu", "relu")
    assert not behind.past_noise
    assert advice.evidence_gap(evidence_table(0.1, 0.02), "silu", "relu") is None  # absent


def test_gelu_is_recommended_only_where_the_evidence_shows_it(monkeypatch):
    monkeypatch.setattr(advice, "evidence_summary", lambda: evidence_table(0.10, 0.02, True))
    rec = recommend("binary")
    assert rec.hidden_activation == "gelu" and rec.init == "he_normal"
    assert "R-hidden-gelu" in rec.rules and "R-hidden-silu" not in rec.rules
    assert {g.candidate: g.past_noise for g in rec.evidence} == {"gelu": True, "silu": False}
    assert ("relu", "logistic") in {
        (a.hidden_activation, a.output_activation) for a in rec.alternatives
    }
    assert recommend("regression").hidden_activation == "relu"  # the table is classification
    monkeypatch.setattr(advice, "evidence_summary", lambda: evidence_table(0.01, 0.02))
    rec = recommend("binary")
    assert rec.hidden_activation == "relu" and "R-hidden-gelu" not in rec.rules
    assert [g.candidate for g in rec.evidence] == ["gelu"]  # measured, not past the noise


def test_the_shipped_evidence_table_decides_too():
    """Works on the shipped table whatever it holds: a GELU or SiLU there is recommended
    exactly when its gap to ReLU exceeds the seed noise; one it lacks never is."""
    summary = advice.evidence_summary()
    rec = recommend("binary")
    for name in ("gelu", "silu"):
        gap = advice.evidence_gap(summary, name, "relu")
        fired = f"R-hidden-{name}" in rec.rules
        assert fired == (gap is not None and gap.past_noise)
    offered = {a.hidden_activation for a in rec.alternatives} | {rec.hidden_activation}
    assert {"gelu", "silu"} <= offered  # always offered, as alternatives at least


# --- diagnose on real runs ---------------------------------------------------------------------


def run(**kw):
    return train(TrainConfig(**kw))


@pytest.fixture(scope="module")
def runs():
    return {
        "vanishing": run(activation="logistic", hidden_layers=(16,) * 8, n_samples=200, epochs=30),
        "dead": run(
            activation="relu", hidden_layers=(6, 6, 6), learning_rate=0.3, n_samples=300, epochs=100
        ),
        "diverging": run(
            dataset="sine",
            activation="identity",
            solver="sgd",
            learning_rate=1.0,
            n_samples=200,
            epochs=50,
        ),
        "one_epoch": run(solver="sgd", learning_rate=0.001, epochs=1, n_samples=200),
        "saturation": run(activation="tanh", learning_rate=0.3, n_samples=200, epochs=50),
        "healthy": run(n_samples=200, epochs=100),
        "regression": run(dataset="sine", n_samples=200, epochs=100),
    }


@pytest.mark.parametrize(
    "name, expected",
    [
        ("vanishing", {"vanishing_gradients", "slow_convergence", "underfitting"}),
        ("dead", {"dead_units"}),
        ("diverging", {"diverging"}),
        ("one_epoch", {"slow_convergence", "underfitting"}),
        ("saturation", {"saturation"}),
        ("healthy", set()),
        ("regression", set()),
    ],
)
def test_diagnose_real_runs(runs, name, expected):
    found = diagnose(runs[name])
    assert set(found) == expected, (name, found, measure(runs[name]))
    assert found == tuple(s for s in SYMPTOMS if s in found)


def test_measurements_behind_the_symptoms(runs):
    m = measure(runs["vanishing"])
    assert m.gradient_ratio < 1e-6 and m.saturating and m.dead_fraction == 0
    m = measure(runs["dead"])
    assert m.dead_fraction >= 0.5 and m.dead_layer in (1, 2, 3) and not m.saturating
    m = measure(runs["healthy"])
    assert m.loss_ratio < 0.2 and m.train_score > 0.95 and m.initial_loss > 0.5
    m = measure(runs["diverging"])
    assert m.stop_reason == "diverged"


def measurements(**changes):
    base = dict(
        task="binary",
        activation="relu",
        stop_reason="converged",
        epochs=50,
        max_epochs=100,
        dead_fraction=0.1,
        dead_layer=1,
        gradient_ratio=0.5,
        flat_fraction=0.0,
        saturating=False,
        initial_loss=0.7,
        final_loss=0.1,
        loss_ratio=0.1,
        late_drop=0.0,
        train_score=0.95,
    )
    return Measurements(**{**base, **changes})


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, ()),
        ({"dead_fraction": 0.5}, ("dead_units",)),  # the threshold itself counts
        ({"dead_fraction": 0.49}, ()),
        ({"gradient_ratio": 1e-3}, ("vanishing_gradients",)),
        ({"gradient_ratio": math.nan}, ()),
        ({"flat_fraction": 0.5, "saturating": True}, ("saturation",)),
        ({"flat_fraction": 0.9, "saturating": False}, ()),  # ReLU's flat half is not saturation
        ({"loss_ratio": 0.8}, ("slow_convergence",)),
        ({"late_drop": 0.1}, ("slow_convergence",)),
        ({"loss_ratio": math.nan, "train_score": math.nan}, ()),
        ({"train_score": 0.79}, ("underfitting",)),
        ({"task": "regression", "train_score": 0.6}, ()),
        ({"task": "regression", "train_score": 0.49}, ("underfitting",)),
        ({"stop_reason": "diverged", "loss_ratio": 1e80, "train_score": 0.5}, ("diverging",)),
    ],
)
def test_symptoms_from_thresholds(changes, expected):
    assert symptoms_from(measurements(**changes)) == expected


def test_thresholds_come_from_the_rules_file(monkeypatch, runs):
    def edit(raw):
        raw["thresholds"]["dead_units"]["min_dead_fraction"] = 0.95
        raw["thresholds"]["underfitting"]["min_accuracy"] = 0.999

    monkeypatch.setattr(advice, "load_rules", lambda: book_with(edit))
    assert diagnose(runs["dead"]) == ("underfitting",)
