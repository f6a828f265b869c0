"""The surface's "show test data" and "discretize output" toggles (TensorFlow
Playground's), under AppTest, and the discretizing itself."""

import base64
import io

import numpy as np
from PIL import Image

from core.training import discrete_outputs
from tests.apptest_utils import chart_in, open_page

PAGE = "pages/1_Playground.py"
QUICK = {"n_samples": "200", "epochs": "40"}


def surface_colours(at) -> int:
    url = chart_in(at, "surface")["datasets"]["surface_image"][0]["url"]
    png = base64.b64decode(url.split(",", 1)[1])
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


def splits(at) -> set:
    return {p["split"] for p in chart_in(at, "surface")["datasets"]["surface_points"]}


def test_discrete_outputs_keep_only_the_predicted_class():
    binary = np.array([[[0.2], [0.5]], [[0.51], [0.99]]])
    np.testing.assert_array_equal(discrete_outputs(binary, "binary")[..., 0], [[0, 1], [1, 1]])
    multi = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    np.testing.assert_array_equal(discrete_outputs(multi, "multiclass"), [[0, 1, 0], [1, 0, 0]])
    values = np.array([[1.5], [-3.0]])
    np.testing.assert_array_equal(discrete_outputs(values, "regression"), values)


def test_the_toggles_hide_test_points_and_discretize_the_surface():
    at = open_page(PAGE, query=QUICK)
    at.button(key="train").click().run()
    assert splits(at) == {"train", "test"}
    smooth = surface_colours(at)
    assert smooth > 10  # shades of confidence
    at.toggle(key="show_test").set_value(False).run()
    assert splits(at) == {"train"}
    at.toggle(key="discretize").set_value(True).run()
    assert not at.exception
    assert surface_colours(at) == 2  # one colour per class, nothing in between
    at.select_slider(key="replay").set_value(at.select_slider(key="replay").options[0]).run()
    assert surface_colours(at) <= 2 and splits(at) == {"train"}  # the replay follows them


def test_regression_cannot_be_discretized():
    at = open_page(PAGE, query={"dataset": "plane", **QUICK})
    at.button(key="train").click().run()
    assert at.toggle(key="discretize").disabled
