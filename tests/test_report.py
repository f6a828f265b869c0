"""What a student takes home (core.report): the numbers, the history, the weights and
a report that stands on its own."""

import io
import re

import numpy as np
import pandas as pd
import pytest

from core.config import TrainConfig
from core.report import chart_images, history_csv, report_html, run_metrics, weights_npz
from core.training import train

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def classification():
    return train(TrainConfig(n_samples=120, epochs=15, hidden_layers=(5, 4)))


@pytest.fixture(scope="module")
def regression():
    return train(TrainConfig(dataset="sine", n_samples=120, epochs=15, hidden_layers=(6,)))


def test_metrics_are_the_last_epoch_of_the_history(classification, regression):
    last = classification.history.iloc[-1]
    assert run_metrics(classification) == [
        ("test_accuracy", f"{last.test_score:.1%}"),
        ("train_accuracy", f"{last.train_score:.1%}"),
        ("test_loss", f"{last.test_loss:.4f}"),
        ("epochs_run", str(int(last.epoch))),
    ]
    last = regression.history.iloc[-1]
    keys = [key for key, _ in run_metrics(regression)]
    assert keys == ["test_r2", "train_r2", "test_rmse", "epochs_run"]
    rmse = dict(run_metrics(regression))["test_rmse"]
    assert float(rmse) == pytest.approx(np.sqrt(2 * last.test_loss), abs=1e-3)


def test_history_csv_reads_back_as_the_history(classification):
    back = pd.read_csv(io.BytesIO(history_csv(classification)))
    pd.testing.assert_frame_equal(back, classification.history, check_dtype=False)


def test_weights_load_without_pickle_and_reproduce_the_network(classification):
    archive = np.load(io.BytesIO(weights_npz(classification)), allow_pickle=False)
    model = classification.model.estimator()
    X = classification.dataset.X_test
    # Forward pass by hand from the archive alone: ReLU hidden layers, sigmoid output.
    a = X
    for i in range(len(model.coefs_)):
        z = a @ archive[f"coef_{i}"] + archive[f"intercept_{i}"]
        a = np.maximum(z, 0) if i < len(model.coefs_) - 1 else 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(a[:, 0], model.predict_proba(X)[:, 1], rtol=1e-10)
    assert str(archive["hidden_activation"]) == "relu"
    assert '"hidden_layers": [5, 4]' in str(archive["config"])


def _report(result, images=None, link="http://localhost:8501/Playground?epochs=15"):
    texts = {"report.title": "Run report", "playground.test_accuracy": "Test accuracy"}
    return report_html(
        result,
        lambda key, **kw: texts.get(key, key),
        lang="en",
        share_link=link,
        code="print('<hi>')",
        images=images or {},
        notes=["a note <b>"],
        settings=[("Dataset", "moons")],
    )


def test_report_holds_the_numbers_and_escapes_what_it_quotes(classification):
    page = _report(classification, images={"surface": PNG_SIGNATURE + b"x"})
    for key, value in run_metrics(classification):
        assert f'data-metric="{key}">{value}<' in page
    assert "print(&#x27;&lt;hi&gt;&#x27;)" in page and "a note &lt;b&gt;" in page
    assert 'src="data:image/png;base64,' in page
    # Self-contained: nothing is fetched; the only address is the share link.
    assert re.findall(r'(?:src|href)="(https?:[^"]*)"', page) == [
        "http://localhost:8501/Playground?epochs=15"
    ]


def test_chart_images_are_pngs(classification):
    from core.charts.run import history_chart

    spec = history_chart(classification.history, "loss", "Loss").to_dict()
    images = chart_images({"loss": spec})
    assert images["loss"].startswith(PNG_SIGNATURE) and len(images["loss"]) > 1000
