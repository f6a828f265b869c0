"""core.evidence: the sweep gives the same table however it is run (one process, two,
a real Dask cluster), the shipped table is complete, and the claims are computed from
the numbers (so they can come out unsupported)."""

import numpy as np
import pandas as pd
import pytest

from core.activations import HIDDEN_ACTIVATIONS
from core.config import TrainConfig
from core.evidence import (
    FULL_GRID,
    KEYS,
    MATCHED,
    RECOMPUTE_GRID,
    RUN_COLUMNS,
    SUMMARY_COLUMNS,
    SweepGrid,
    claims,
    load_runs,
    run_one,
    run_sweep,
    summarise,
    with_matched_inits,
)
from core.rules import load_rules
from core.training import train

TINY = SweepGrid(
    activations=("identity", "relu"),
    datasets=("xor",),
    depths=(1, 2),
    seeds=(0, 1),
    inits=("auto",),
    extra_inits={},
    base=TrainConfig(n_samples=100, epochs=30, stop_when_flat=False),
)


@pytest.fixture(scope="module")
def tiny_table():
    return run_sweep(TINY, n_jobs=1)


def test_grid_sizes_and_validation():
    # Every hidden activation of the table under scikit-learn's scheme and He, plus the
    # matched scheme of sigmoid, tanh (Glorot) and SELU (LeCun normal); the four
    # TensorFlow Playground datasets; depths 1 to 10; 3 seeds.
    assert FULL_GRID.activations == HIDDEN_ACTIVATIONS
    assert FULL_GRID.datasets == ("circle", "xor", "gauss", "spiral")
    assert FULL_GRID.depths == (1, 3, 6, 10)
    runs_per_cell = 4 * 4 * 3
    assert (
        FULL_GRID.size
        == len(FULL_GRID.configs())
        == runs_per_cell * (2 * len(HIDDEN_ACTIVATIONS) + 2)
    )
    assert FULL_GRID.inits_for("selu") == ("auto", "he_uniform", "lecun_normal")
    assert FULL_GRID.inits_for("logistic") == ("auto", "he_uniform", "glorot_uniform")
    assert FULL_GRID.inits_for("gelu") == ("auto", "he_uniform")
    assert FULL_GRID.inits_for("tanh") == ("auto", "he_uniform")  # auto is Glorot for tanh
    assert RECOMPUTE_GRID.size == 4 * len(HIDDEN_ACTIVATIONS) * 3 * 2
    assert {c[2] for c in RECOMPUTE_GRID.cells()} == {"auto"}
    config = FULL_GRID.config("spiral", "selu", "lecun_normal", 3, 2)
    assert config.hidden_layers == (8, 8, 8) and config.seed == config.data_seed == 2
    assert config.init == "lecun_normal" and not config.stop_when_flat
    with pytest.raises(ValueError, match="softmax"):
        SweepGrid(activations=("softmax",))
    with pytest.raises(ValueError):
        SweepGrid(depths=(11,))  # past the config's layer cap
    with pytest.raises(ValueError):
        SweepGrid(datasets=())
    with pytest.raises(ValueError, match="init"):
        SweepGrid(inits=("xavier",))


def test_one_row_describes_its_training():
    config = TINY.config("xor", "relu", "auto", 2, 1)
    row = run_one(("xor", "relu", "auto", 2, 1), config)
    history = train(config, snapshot_resolution=2).history
    assert row["test_accuracy"] == history.test_score.iloc[-1]
    assert row["epochs_run"] == len(history) == 30
    reached = history.epoch[history.test_score >= 0.9]
    assert (
        (row["epochs_to_90"] == reached.iloc[0]) if len(reached) else np.isnan(row["epochs_to_90"])
    )
    loss = history.train_loss
    target = loss.iloc[-1] + 0.1 * (loss.iloc[0] - loss.iloc[-1])
    assert row["epochs_to_converge"] == history.epoch[loss <= target].iloc[0]


@pytest.mark.slow
def test_one_and_two_local_workers_give_identical_tables(tiny_table):
    progress = []
    two = run_sweep(TINY, n_jobs=2, on_progress=lambda done, total: progress.append((done, total)))
    assert list(tiny_table.columns) == RUN_COLUMNS and len(tiny_table) == TINY.size
    pd.testing.assert_frame_equal(tiny_table, two)
    assert progress == [(i, TINY.size) for i in range(1, TINY.size + 1)]
    # Different seeds really differ (the table is not the same row repeated).
    assert tiny_table.test_accuracy.nunique() > 1


@pytest.mark.slow
def test_a_real_dask_cluster_gives_the_same_table(tiny_table, monkeypatch):
    from distributed import Client, LocalCluster, get_task_stream

    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        with get_task_stream(client) as stream:
            on_dask = run_sweep(TINY, backend="dask", scheduler=client)
        pd.testing.assert_frame_equal(tiny_table, on_dask)
        workers = {task["worker"] for task in stream.data}
        assert stream.data and workers <= set(client.scheduler_info()["workers"])
        # The scheduler address from the environment picks the Dask backend by itself.
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
        with get_task_stream(client) as stream:
            from_env = run_sweep(TINY)
        pd.testing.assert_frame_equal(tiny_table, from_env)
        assert stream.data


def test_dask_without_a_scheduler_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    with pytest.raises(ValueError, match="DASK_SCHEDULER_ADDRESS"):
        run_sweep(TINY, backend="dask")
    with pytest.raises(ValueError, match="backend"):
        run_sweep(TINY, backend="threads")


def test_shipped_table_is_the_full_sweep():
    runs = load_runs()
    assert list(runs.columns) == RUN_COLUMNS
    assert len(runs) >= 200
    assert set(runs.activation) == set(FULL_GRID.activations)
    assert set(runs.dataset) == set(FULL_GRID.datasets)
    assert set(runs.depth) == set(FULL_GRID.depths)
    assert set(runs.init) == {"auto", "he_uniform", "glorot_uniform", "lecun_normal"}
    per_cell = runs.groupby(["dataset", "activation", "init", "depth"]).seed.nunique()
    assert len(per_cell) == FULL_GRID.size // len(FULL_GRID.seeds)
    assert per_cell.min() == len(FULL_GRID.seeds)
    assert not runs.duplicated(KEYS).any()
    assert runs.test_accuracy.between(0, 1).all()
    assert (runs.epochs_run == runs.epochs).all()  # full runs, no early stop


def test_shipped_table_matches_what_the_code_computes_now():
    """Re-train two shipped rows: the CSV was made by this code, not typed in."""
    runs = load_runs()
    for _, row in runs.sample(2, random_state=0).iterrows():
        cell = (row.dataset, row.activation, row.init, int(row.depth), int(row.seed))
        fresh = run_one(cell, FULL_GRID.config(*cell))
        assert fresh["test_accuracy"] == pytest.approx(row.test_accuracy, abs=1e-5)
        assert fresh["train_loss"] == pytest.approx(row.train_loss, rel=1e-4)


def test_load_runs_refuses_another_csv(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"a": [1]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="not an evidence table"):
        load_runs(path)


def _runs(values: dict) -> pd.DataFrame:
    """A runs table from {(dataset, activation, depth): [accuracy per seed]}, all under
    scikit-learn's scheme."""
    rows = []
    for (d, a, depth), accs in values.items():
        for seed, acc in enumerate(accs):
            rows.append(
                dict(
                    dataset=d,
                    activation=a,
                    init="auto",
                    depth=depth,
                    seed=seed,
                    test_accuracy=acc,
                    epochs_to_converge=10.0 * (seed + 1),
                    epochs_to_90=np.nan if acc < 0.9 else 5.0,
                )
            )
    return pd.DataFrame(rows)


def test_summary_means_and_spread():
    summary = summarise(_runs({("xor", "relu", 1): [1.0, 0.8], ("xor", "tanh", 1): [0.7]}))
    assert list(summary.columns) == SUMMARY_COLUMNS
    relu = summary[summary.activation == "relu"].iloc[0]
    assert relu.runs == 2 and relu.test_mean == pytest.approx(0.9)
    assert relu.test_std == pytest.approx(np.std([1.0, 0.8], ddof=1))
    assert (relu.test_min, relu.test_max) == (0.8, 1.0)
    assert relu.reached_90 == 0.5 and relu.converge_mean == 15.0
    assert summary[summary.activation == "tanh"].iloc[0].test_std == 0.0


def test_claims_on_the_shipped_table_are_all_backed():
    found = {c.id: c for c in claims(summarise(load_runs()))}
    assert list(found) == ["G1", "G8", "G20", "G21", "G23"]
    assert all(c.supported for c in found.values()), {k: c.values for k, c in found.items()}
    g1 = found["G1"]
    assert g1.datasets == ("circle", "xor")
    assert g1.values["linear_circle"] < 0.75 < g1.values["best_circle"]
    assert found["G23"].activations == ("tanh", "logistic")


def test_claims_can_come_out_unsupported():
    """Numbers that contradict the guidance give supported=False, with the numbers."""
    acts = ("identity", "logistic", "tanh", "relu", "leaky_relu")
    values = {}
    for d in ("circle", "xor"):
        for a in acts:
            for depth in (1, 6):
                acc = {
                    "identity": 0.95,
                    "logistic": 0.9,
                    "tanh": 0.6,
                    "relu": 0.7,
                    "leaky_relu": 0.95,
                }[a]
                values[(d, a, depth)] = [acc, acc]
    found = {c.id: c for c in claims(summarise(_runs(values)))}
    assert not found["G1"].supported and found["G1"].params["linear_circle"] == "95%"
    assert not found["G8"].supported  # sigmoid did not lose accuracy with depth
    assert not found["G20"].supported and found["G20"].params["rank"] == "4"
    assert not found["G21"].supported and found["G21"].params["mean_abs_gap"] == "25%"
    assert not found["G23"].supported and found["G23"].params["wins"] == "0"


def test_claims_skip_what_the_table_cannot_show():
    only_relu = summarise(_runs({("moons", "relu", 1): [0.9]}))
    assert claims(only_relu) == []


def _summary_of(values: dict) -> pd.DataFrame:
    return summarise(_runs(values))


def test_noise_verdict_says_better_worse_and_within():
    from core.evidence import TEST_POINT, noise_verdict

    summary = _summary_of(
        {
            ("spiral", "relu", 3): [0.70, 0.75, 0.80],  # range 0.10
            ("spiral", "gelu", 3): [0.90, 0.92, 0.94],  # +0.16, range 0.04: better
            ("xor", "relu", 3): [0.95, 0.96, 0.97],
            ("xor", "gelu", 3): [0.80, 0.82, 0.84],  # -0.14: worse
            ("circle", "relu", 3): [1.0, 1.0, 1.0],
            ("circle", "gelu", 3): [1.0, 1.0, 1.0 - TEST_POINT],  # one test point: within
            ("gauss", "relu", 3): [0.90, 0.99, 0.95],
            ("gauss", "gelu", 3): [0.96, 0.97, 0.98],  # +0.02 against a range of 0.09
        }
    )
    table = noise_verdict(summary, "gelu").set_index("dataset")
    assert table.verdict.to_dict() == {
        "spiral": "better",
        "xor": "worse",
        "circle": "within",
        "gauss": "within",
    }
    assert table.loc["spiral", "difference"] == pytest.approx(0.17)
    assert table.loc["spiral", "noise"] == pytest.approx(0.10)
    assert table.loc["circle", "noise"] == pytest.approx(TEST_POINT)
    with pytest.raises(ValueError, match="mish"):
        noise_verdict(summary, "mish")
    with pytest.raises(ValueError, match="he_uniform"):
        noise_verdict(summary, "gelu", init="he_uniform")


def test_g23_counts_only_cells_where_tanh_and_sigmoid_differ():
    """Ties at 100% cannot tell the two apart; a loss where they differ still counts."""
    ties = {("circle", a, d): [1.0, 1.0] for a in ("tanh", "logistic") for d in (1, 3, 6)}
    ahead = {("spiral", "tanh", 1): [0.9, 0.9], ("spiral", "logistic", 1): [0.6, 0.6]}
    found = {c.id: c for c in claims(_summary_of({**ties, **ahead}))}
    assert found["G23"].supported and found["G23"].values["ties"] == 3
    behind = {("spiral", "tanh", 1): [0.6, 0.6], ("spiral", "logistic", 1): [0.9, 0.9]}
    assert not {c.id: c for c in claims(_summary_of({**ties, **behind}))}["G23"].supported
    only_ties = {c.id: c for c in claims(_summary_of(ties))}
    assert not only_ties["G23"].supported  # nothing decided: no claim backed


def test_every_scheme_of_the_sweep_starts_from_weights_of_its_own():
    """No initialisation in the grid repeats scikit-learn's: for each activation, every
    other scheme draws different starting weights (tanh's Glorot uniform is auto itself)."""
    from core.diagnostics import at_initialisation
    from core.training import build_estimator, dataset_for

    for activation in FULL_GRID.activations:
        weights = {}
        for init in FULL_GRID.inits_for(activation):
            config = FULL_GRID.config("circle", activation, init, 3, 0)
            data = dataset_for(config)
            model = at_initialisation(
                build_estimator(config, data.task), data.X_train, data.y_train
            )
            weights[init] = np.concatenate([w.ravel() for w in model.coefs_])
        for init, w in weights.items():
            if init != "auto":
                assert not np.allclose(w, weights["auto"]), (activation, init)


def test_claim_thresholds_come_from_the_data_file(monkeypatch):
    """The numbers a claim needs live in data/evidence_claims.yaml: demanding more there
    turns a backed claim into an unbacked one, with no code change."""
    import core.evidence as ev

    shipped = {c.id: c for c in claims(summarise(load_runs()))}
    assert shipped["G20"].supported
    assert set(ev.claim_thresholds()) == {"G1", "G8", "G20", "G21", "G23"}
    stricter = {**ev.claim_thresholds(), "G20": {"within_best": 0.0}}
    monkeypatch.setattr(ev, "claim_thresholds", lambda: stricter)
    assert not {c.id: c for c in claims(summarise(load_runs()))}["G20"].supported


def test_the_matched_view_puts_each_activation_under_its_own_scheme():
    """The shipped table's matched rows: He for the ReLU family, Glorot uniform (not
    scikit-learn's narrower 'auto') for sigmoid, tanh's 'auto' (which is Glorot uniform),
    LeCun for SELU; each row's numbers are that scheme's row, unchanged."""
    summary = summarise(load_runs())
    shown, choices = with_matched_inits(summary)
    assert choices == ["auto", "he_uniform", MATCHED]
    matched = shown[shown.init == MATCHED]
    schemes = matched.groupby("activation").scheme.unique().map(tuple).to_dict()
    assert schemes["selu"] == ("lecun_normal",)
    assert schemes["logistic"] == ("glorot_uniform",)
    assert schemes["tanh"] == ("auto",)
    assert schemes["relu"] == schemes["gelu"] == ("he_uniform",)
    book = load_rules()
    assert all(book.init_matches(a, s[0]) for a, s in schemes.items())
    # Every (dataset, activation, depth) cell once, with the numbers of its scheme's row.
    assert len(matched) == len(summary[summary.init == "auto"])
    selu = matched[(matched.activation == "selu") & (matched.dataset == "spiral")]
    lecun = summary[(summary.activation == "selu") & (summary.init == "lecun_normal")]
    lecun = lecun[lecun.dataset == "spiral"]
    assert selu.test_mean.tolist() == lecun.test_mean.tolist()


def test_the_matched_view_is_offered_only_when_every_activation_has_its_scheme():
    summary = summarise(load_runs())
    auto_only = summary[summary.init == "auto"]  # e.g. a recompute without He rows
    shown, choices = with_matched_inits(auto_only)
    assert choices == ["auto"] and len(shown) == len(auto_only)
