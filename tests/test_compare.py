"""core.compare: variants, the training loop, aggregation over seeds, epochs to a target,
the verdict and the table; core.charts.compare."""

import pickle

import numpy as np
import pandas as pd
import pytest

from core import compare as cmp
from core.activations import OUTPUT_ACTIVATIONS
from core.charts.compare import loss_chart
from core.charts.palette import variant_colour
from core.config import ConfigError, TrainConfig
from core.training import dataset_for, model_outputs, train
from core.vocabulary import AUTO_LOSS, AUTO_OUTPUT

QUICK = TrainConfig(n_samples=120, epochs=15, hidden_layers=(8,))
RELU, TANH = cmp.Variant("relu"), cmp.Variant("tanh")


@pytest.fixture(scope="module")
def hidden_result():
    return cmp.compare(QUICK, [RELU, TANH], cmp.seed_list(QUICK, 3))


# --- variants -----------------------------------------------------------------------------


def test_variants_cross_hidden_with_pairs_and_keep_the_base_when_empty():
    both = cmp.make_variants(
        ["relu", "tanh", "relu"], [("logistic", "log_loss"), ("tanh", "squared_error")]
    )
    assert [v.id for v in both] == [
        "relu|logistic+log_loss",
        "relu|tanh+squared_error",
        "tanh|logistic+log_loss",
        "tanh|tanh+squared_error",
    ]
    only_pairs = cmp.make_variants([], [("identity", "squared_error")])
    assert only_pairs == (cmp.Variant(None, "identity", "squared_error"),)
    config = only_pairs[0].apply(QUICK.replace(activation="tanh"))
    assert (config.activation, config.output_activation, config.loss) == (
        "tanh",
        "identity",
        "squared_error",
    )
    for v in both + only_pairs:
        assert cmp.Variant.from_id(v.id) == v
    assert cmp.make_variants([], []) == ()  # nothing chosen: nothing to compare


def test_resolved_pair_reads_auto_as_the_task_standard():
    assert cmp.resolved_pair(QUICK) == ("logistic", "log_loss")
    assert cmp.resolved_pair(QUICK.replace(dataset="blobs", n_classes=4)) == ("softmax", "log_loss")
    assert cmp.resolved_pair(QUICK.replace(output_activation="tanh", loss="squared_error")) == (
        "tanh",
        "squared_error",
    )


def test_offered_pairs_fit_their_task():
    for task, pairs in cmp.OUTPUT_PAIRS.items():
        assert pairs[0] == (AUTO_OUTPUT[task], AUTO_LOSS[task])  # the standard pair first
        assert cmp.is_standard_pair(task, *pairs[0])
        assert all(out in OUTPUT_ACTIVATIONS for out, _ in pairs)
    assert all(loss == "squared_error" for _, loss in cmp.output_pairs("regression"))
    assert ("softmax", "log_loss") in cmp.output_pairs("binary")


def test_seeds_start_at_the_base_seed():
    assert cmp.seed_list(QUICK.replace(seed=5), 3) == (5, 6, 7)


def test_bad_plans_raise_value_errors_before_training():
    regression = QUICK.replace(dataset="sine")
    with pytest.raises(ConfigError, match="log_loss"):
        cmp.plan(regression, [cmp.Variant(None, "logistic", "log_loss")], [0])
    with pytest.raises(ValueError, match="at least one variant"):
        cmp.plan(QUICK, [], [0, 1, 2])
    with pytest.raises(ValueError, match="limit"):
        cmp.plan(
            QUICK,
            cmp.make_variants(["relu", "tanh", "logistic", "identity"]),
            range(cmp.MAX_RUNS // 4 + 1),
        )


# --- training -----------------------------------------------------------------------------


def test_every_variant_and_seed_is_trained_once(hidden_result):
    runs = hidden_result.runs
    assert list(zip(runs.variant, runs.seed)) == [
        ("relu|", 0),
        ("relu|", 1),
        ("relu|", 2),
        ("tanh|", 0),
        ("tanh|", 1),
        ("tanh|", 2),
    ]
    assert set(hidden_result.histories.groupby(["variant", "seed"]).size()) == {15}
    assert (runs.epochs == 15).all() and (runs.ms_per_epoch > 0).all()


def test_it_trains_the_activation_it_was_asked_for(hidden_result):
    for variant in (RELU, TANH):
        for seed in hidden_result.seeds:
            assert hidden_result.model(variant, seed).activation == variant.activation
    assert list(hidden_result.runs.activation) == ["relu"] * 3 + ["tanh"] * 3


def test_output_pairs_reach_the_model():
    pairs = [("tanh", "squared_error"), ("softmax", "log_loss")]
    result = cmp.compare(QUICK.replace(epochs=3), cmp.make_variants([], pairs), [0])
    for (out, loss), variant in zip(pairs, result.variants):
        model = result.model(variant)
        assert (model.out_activation_, model.loss_function_) == (out, loss)
    assert (
        result.model(result.variants[1]).coefs_[-1].shape[1] == 2
    )  # softmax on two classes: two units
    assert list(result.runs.loss) == ["squared_error", "log_loss"]


def test_seeds_change_the_weights_not_the_data(hidden_result):
    first, second = hidden_result.model(RELU, 0), hidden_result.model(RELU, 1)
    assert not np.allclose(first.coefs_[0], second.coefs_[0])
    reference = dataset_for(QUICK)
    assert np.array_equal(hidden_result.dataset.X_train, reference.X_train)


def test_the_first_seed_is_the_playground_run(hidden_result):
    alone = train(QUICK.replace(activation="tanh"))
    mine = hidden_result.histories.query("variant == 'tanh|' and seed == 0")
    np.testing.assert_allclose(mine.train_loss.to_numpy(), alone.history.train_loss.to_numpy())


def test_progress_reports_every_run_and_results_pickle():
    seen = []
    result = cmp.compare(
        QUICK.replace(epochs=2),
        [RELU],
        [0, 1, 2],
        on_progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert pickle.loads(pickle.dumps(result)).runs.equals(result.runs)  # st.cache_data pickles
    one = pickle.loads(pickle.dumps(cmp.run_one(QUICK.replace(epochs=2))))  # a pool maps this
    assert len(one["history"]) == 2 and one["model"].activation == "relu"


def test_in_workers_gives_the_same_runs_as_in_process(hidden_result):
    from core import parallel

    seen = []
    pooled = cmp.compare(
        QUICK,
        [RELU, TANH],
        cmp.seed_list(QUICK, 3),
        in_workers=True,
        on_progress=lambda done, total: seen.append(done),
    )
    assert seen == list(range(1, 7))
    cols = [c for c in pooled.runs.columns if c not in ("seconds", "ms_per_epoch")]
    pd.testing.assert_frame_equal(pooled.runs[cols], hidden_result.runs[cols])
    pd.testing.assert_frame_equal(pooled.histories, hidden_result.histories)
    parallel.shutdown()


def test_an_interrupted_comparison_cancels_what_has_not_started(monkeypatch):
    from core import parallel

    def leave(done, total):
        raise KeyboardInterrupt  # as a Streamlit rerun interrupts the page's script

    submitted = []  # the futures the comparison handed to the pool (public Future API only)
    submit = parallel.submit
    monkeypatch.setattr(
        parallel, "submit", lambda *args: submitted.append(submit(*args)) or submitted[-1]
    )
    with pytest.raises(KeyboardInterrupt):
        cmp.compare(
            QUICK.replace(epochs=300, stop_when_flat=False),
            [RELU, TANH],
            cmp.seed_list(QUICK, 5),
            on_progress=leave,
            in_workers=True,
        )
    # Of the 10 runs, only those the executor already handed on (one in each worker, and
    # its call queue of workers + 1) are still to run; without the cancel, all 9 would be.
    assert len(submitted) == 10 and any(f.cancelled() for f in submitted)
    assert sum(not f.done() for f in submitted) <= 2 * parallel.pool_size() + 1
    parallel.shutdown()


def test_surface_is_the_final_model_on_the_grid_the_worker_computed(hidden_result):
    values, grid, model = hidden_result.surface(TANH)
    size = cmp.SURFACE_RESOLUTION
    assert values.shape == (size, size, 1) and model is hidden_result.model(TANH, 0)
    expected = model_outputs(model.estimator(), grid.points).reshape(values.shape)
    np.testing.assert_allclose(values, expected, atol=1e-3)  # kept as float16


# --- aggregation on made-up runs (exact numbers) ----------------------------------------------


def fake(losses, scores, reason="completed"):
    n = len(losses)
    history = pd.DataFrame(
        dict(
            epoch=np.arange(1, n + 1),
            train_loss=losses,
            test_loss=np.asarray(losses) * 2,
            train_score=scores,
            test_score=np.asarray(scores) - 0.01,
        )
    )
    return dict(
        history=history,
        model=None,
        surface=None,
        output_activation="logistic",
        loss="log_loss",
        seconds=n / 1000,
        stop_reason=reason,
        notes=(),
    )


@pytest.fixture
def made_up():
    variants = [cmp.Variant("relu"), cmp.Variant("logistic")]
    todo = [
        (v, s, QUICK.replace(activation=v.activation, seed=s)) for v in variants for s in (0, 1, 2)
    ]
    outputs = [
        fake([0.5, 0.2, 0.1], [0.7, 0.9, 0.95]),
        fake([0.5, 0.3, 0.2, 0.1], [0.7, 0.8, 0.9, 0.93]),
        fake([0.5, 0.4], [0.7, 0.91], "converged"),
        fake([0.6, 0.6, 0.6], [0.5, 0.52, 0.55]),
        fake([0.6, 0.5, 0.45], [0.5, 0.6, 0.65]),
        fake([0.6, 0.55, 0.5], [0.5, 0.58, 0.6], "diverged"),
    ]
    return cmp.collect(QUICK, todo, outputs, dataset_for(QUICK))


def test_summary_is_mean_and_spread_over_seeds(made_up):
    s = cmp.summarise(made_up, target=0.15)
    relu = s.loc["relu|"]
    final = np.array([0.95, 0.93, 0.91]) - 0.01
    assert relu.test_mean == pytest.approx(final.mean())
    assert relu.test_std == pytest.approx(final.std(ddof=1))
    assert (relu.test_min, relu.test_max) == pytest.approx((final.min(), final.max()))
    assert relu.train_loss_mean == pytest.approx(np.mean([0.1, 0.1, 0.4]))
    assert relu.stop_reasons == {"completed": 2, "converged": 1}
    assert s.loc["logistic|"].diverged == 1


def test_epochs_to_target(made_up):
    h = pd.DataFrame(dict(epoch=[1, 2, 3, 4], train_loss=[0.9, 0.5, 0.3, 0.31]))
    assert cmp.epochs_to_target(h, 0.5) == 2
    assert cmp.epochs_to_target(h, 0.3) == 3
    assert cmp.epochs_to_target(h, 0.1) is None
    s = cmp.summarise(made_up, target=0.15)
    assert s.loc["relu|"].reached == 2 and s.loc["relu|"].epochs_to_target == 3.5  # epochs 3, 4
    assert s.loc["logistic|"].reached == 0 and np.isnan(s.loc["logistic|"].epochs_to_target)
    auto = cmp.summarise(made_up)  # best mean final train loss 0.2 (relu) x 1.5
    assert auto.target.tolist() == pytest.approx([0.3, 0.3])
    assert auto.loc["relu|"].reached == 2


def test_curves_average_seeds_and_hold_early_stoppers(made_up):
    c = cmp.curves(made_up).query("variant == 'relu|' and split == 'train'")
    assert c.epoch.tolist() == [1, 2, 3, 4]
    last = c.iloc[-1]  # seed 0 stopped at 0.1 (epoch 3), seed 2 at 0.4 (epoch 2)
    assert last["mean"] == pytest.approx(np.mean([0.1, 0.1, 0.4]))
    assert (last.lo, last.hi) == pytest.approx((0.1, 0.4))


def test_verdict_separates_clear_gaps_from_seed_noise(made_up):
    s = cmp.summarise(made_up)
    kinds = dict(cmp.verdict(s, "binary", str.upper))
    assert kinds["best"]["name"] == "RELU|"
    assert kinds["worse"]["names"] == "LOGISTIC|"  # its best seed is below relu's worst
    assert "all_tied" not in kinds and kinds["diverged"]["names"] == "LOGISTIC|"
    assert kinds["never"]["names"] == "LOGISTIC|"
    # Now make the sigmoid runs overlap relu's range: not distinguishable any more.
    s.loc["logistic|", ["test_mean", "test_max"]] = [0.88, 0.95]
    kinds = dict(cmp.verdict(s, "binary", str))
    assert kinds["all_tied"]["names"] == "logistic|" and "worse" not in kinds


def test_table_shows_mean_spread_never_and_partial_reach(made_up):
    text = lambda key: {"never": "never"}.get(key, key)  # noqa: E731
    table = cmp.table(cmp.summarise(made_up, target=0.15), "binary", str, text)
    relu, sigmoid = table.to_dict("records")
    assert relu["col.test_score"] == "92.0% ± 2.0%"
    assert relu["col.epochs_to_target"] == "4 (2/3)"  # median of 3 and 4, rounded to even
    assert sigmoid["col.epochs_to_target"] == "never"
    assert relu["col.stop"] == "stop.completed ×2, stop.converged"


def test_labels():
    name = lambda n: n.title()  # noqa: E731
    assert (
        cmp.variant_label(cmp.Variant("tanh", "logistic", "log_loss"), name, str)
        == "Tanh · Logistic + log_loss"
    )
    assert (
        cmp.variant_label(cmp.Variant(None, "identity", "squared_error"), name, str)
        == "Identity + squared_error"
    )


# --- chart --------------------------------------------------------------------------------


def test_loss_chart_has_train_and_test_panels_with_bands_and_fixed_colours(made_up):
    labels = {"relu|": "ReLU", "logistic|": "Sigmoid"}
    titles = dict(train="Train", test="Test", epoch="epoch", loss="loss", variant="Variant")
    curves = cmp.curves(made_up)
    spec = loss_chart(curves, labels, titles).to_dict()
    assert [p["title"] for p in spec["hconcat"]] == ["Train", "Test"]
    assert [layer["mark"]["type"] for layer in spec["hconcat"][0]["layer"]] == ["area", "line"]
    only_sigmoid = loss_chart(curves[curves.variant == "logistic|"], labels, titles).to_dict()
    scale = only_sigmoid["hconcat"][0]["layer"][1]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["Sigmoid"], "range": [variant_colour(1)]}  # same as beside ReLU
