"""ui/upload.py: its pure helpers, and the Playground with "My CSV" under AppTest.

AppTest cannot drive the file uploader, so files reach the page the way the sample
buttons bring them (``use_bytes``, the function the uploader's callback also calls)."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.csv_data import CSVError, infer_task, load_csv
from tests.apptest_utils import TIMEOUT, chart_in, open_page
from ui.upload import CSV_HIDDEN, SAMPLES, SAMPLES_DIR, default_choice, fix_choice

PAGE = "pages/1_Playground.py"


def frame_of(name: str) -> pd.DataFrame:
    return load_csv((SAMPLES_DIR / f"{name}.csv").read_bytes())


def open_csv(
    sample: str | None = None, lang: str | None = None, query: dict | None = None
) -> AppTest:
    at = open_page(PAGE, query={"epochs": "30", **(query or {})}, lang=lang)
    at.radio(key="w.upload.mode").set_value("csv").run()
    if sample:
        at.button(key=f"upload.sample.{sample}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:
    return " | ".join(e.value for e in elements)


# --- pure helpers ---------------------------------------------------------------------------


def test_every_sample_file_exists_and_has_a_label():
    from ui.i18n import strings

    for name in SAMPLES:
        assert (SAMPLES_DIR / f"{name}.csv").is_file()
        assert f"upload.sample.{name}" in strings("en") and f"upload.sample.{name}" in strings("zh")


@pytest.mark.parametrize(
    "name, target, features",
    [
        ("exam_results", "result", ["hours_studied", "hours_slept"]),
        ("fruit", "fruit", ["weight_g", "diameter_cm", "sweetness", "acidity_ph"]),
        ("plant_growth", "growth_cm", ["sunlight_hours", "water_ml"]),
    ],
)
def test_default_choice_is_the_last_column_and_the_numeric_rest(name, target, features):
    choice = default_choice(frame_of(name))
    assert choice == dict(target=target, features=features, plane=tuple(features[:2]))


def test_default_choice_skips_a_last_column_that_cannot_be_a_target():
    frame = frame_of("exam_results").assign(note=["same"] * 200)
    assert default_choice(frame)["target"] == "result"
    ids = frame_of("exam_results").assign(student=[f"s{i}" for i in range(200)])
    with pytest.raises(CSVError):
        infer_task(ids["student"])  # 200 text labels
    assert default_choice(ids)["target"] == "result"


def test_fix_choice_keeps_the_choice_consistent():
    frame = frame_of("fruit")
    four = ["weight_g", "diameter_cm", "sweetness", "acidity_ph"]
    # The new target leaves the features; the plane moves to two remaining features.
    fixed = fix_choice(
        frame, dict(target="weight_g", features=four, plane=("weight_g", "sweetness"))
    )
    assert fixed == dict(target="weight_g", features=four[1:], plane=("sweetness", "diameter_cm"))
    # Emptied on purpose: stays empty (the page says to choose one); refilled after a
    # target change.
    assert fix_choice(frame, dict(target="fruit", features=[]))["features"] == []
    assert fix_choice(frame, dict(target="fruit", features=[]), refill=True)["features"] == four
    # A plane chosen twice is split into two features; unknown names disappear.
    fixed = fix_choice(
        frame, dict(target="fruit", features=four + ["nope"], plane=("sweetness",) * 2)
    )
    assert fixed["plane"] == ("sweetness", "weight_g") and "nope" not in fixed["features"]


def _text_script():
    import streamlit as st

    from core.csv_data import CSVError, CSVNote, Reason
    from ui.upload import error_text, note_text, reason_text

    st.markdown(error_text(CSVError("ragged", "English", line=3, found=2, expected=4)))
    st.markdown(error_text(CSVError("made_up_code", "The English message")))
    st.markdown(error_text(RuntimeError("boom")))
    st.markdown(note_text(CSVNote("dropped_missing", "x", dict(rows=2, columns="a, b"))))
    st.markdown(reason_text(Reason("whole_numbers", "x", count=3)))


@pytest.mark.parametrize(
    "lang, expected",
    [
        (
            "en",
            [
                "Line 3 has 2 values but the header has 4 columns",
                "The English message",
                "Something unexpected went wrong",
                "2 row(s) with missing values (in a, b)",
                "whole numbers with 3 different values",
            ],
        ),
        (
            "zh",
            [
                "第 3 行有 2 个值，但表头有 4 列",
                "The English message",
                "意外问题",
                "已去掉 2 行",
                "整数，共 3 个不同取值",
            ],
        ),
    ],
)
def test_messages_are_translated_with_their_params(lang, expected):
    at = AppTest.from_function(_text_script, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    shown = [m.value for m in at.markdown]
    assert len(shown) == len(expected)
    for text, part in zip(shown, expected):
        assert part in text


# --- bad files on the page: a translated st.error, nothing else breaks --------------------------


def run_picker(data: bytes, lang: str = "en") -> AppTest:
    at = AppTest.from_function(_picker_script, default_timeout=TIMEOUT)
    at.session_state["bytes"] = data
    at.session_state["lang"] = lang
    at.run()
    return at


def _picker_script():
    import streamlit as st

    from ui import upload

    st.session_state["upload.mode"] = "csv"
    if "upload.parsed" not in st.session_state:
        upload.use_bytes(st.session_state["bytes"], "mine.csv")
    st.session_state["returned"] = upload.data_source_picker()
    st.write("end of page")


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "not a text file"),
        (b"name,x\n" + "café,1\n".encode("latin-1") * 12, "not UTF-8"),
        (b"a,b\n1,2\n3\n", "Line 3 has 1 values"),
        (
            b"a;b;c\n"
            + b"".join(b"%d;%d;%s\n" % (i, i % 3, b"xy"[i % 2 :][:1]) for i in range(12)),
            "Using mine.csv",
        ),  # a fine file: no error
    ],
)
def test_a_bad_file_shows_a_plain_error(data, words):
    at = run_picker(data)
    assert not at.exception
    assert at.markdown[-1].value == "end of page"
    shown = texts(at.error) + texts(at.caption)
    assert words in shown, shown
    assert ("Using" in words) == (not at.error)
    if at.error:
        assert at.session_state["returned"] is None
        assert "mine.csv cannot be used" in texts(at.error)


# --- the Playground with "My CSV" ---------------------------------------------------------------


def test_csv_mode_waits_for_data_and_hides_built_in_controls():
    at = open_csv()
    assert "(up to 5 MB and 5000 rows) or try a sample" in texts(at.info)
    assert at.button(key="train").disabled
    assert not [s for s in at.selectbox if s.key == "w.dataset"]
    assert "code" in CSV_HIDDEN and "cannot carry it" in texts(at.info)
    assert at.slider(key="w.test_fraction")  # still used for the split


@pytest.mark.parametrize(
    "sample, task, metric, axes",
    [
        (
            "exam_results",
            "binary classification",
            "Test accuracy",
            ("hours_studied", "hours_slept"),
        ),
        ("plant_growth", "regression", "Test R²", ("sunlight_hours", "water_ml")),
    ],
)
def test_a_sample_trains_end_to_end(sample, task, metric, axes):
    at = open_csv(sample)
    assert f"Task: {task}, because" in texts(at.info)
    assert not at.button(key="train").disabled
    at.button(key="train").click().run()
    assert not at.exception
    assert at.metric[0].label == metric
    surface = chart_in(at, "surface")
    encoding = surface["layer"][0]["encoding"]
    assert (encoding["x"]["title"], encoding["y"]["title"]) == axes
    result = at.session_state["result"]
    assert result.dataset.name == f"{sample}.csv" and result.config.task == result.dataset.task


def test_multiclass_sample_with_a_chosen_plane():
    at = open_csv("fruit")
    assert "multi-class classification" in texts(at.info)
    assert at.session_state["config"].task == "multiclass"  # output/loss choices fit the data
    at.selectbox(key="w.upload.plane_x").select("sweetness").run()
    at.selectbox(key="w.upload.plane_y").select("acidity_ph").run()
    at.button(key="train").click().run()
    assert not at.exception
    encoding = chart_in(at, "surface")["layer"][0]["encoding"]
    assert (encoding["x"]["title"], encoding["y"]["title"]) == ("sweetness", "acidity_ph")
    assert at.session_state["result"].dataset.feature_names[:2] == ("sweetness", "acidity_ph")
    assert chart_in(at, "confusion")


def test_changing_the_target_and_features():
    at = open_csv("fruit")
    at.selectbox(key="w.upload.target").select("weight_g").run()
    assert "Task: regression" in texts(at.info)
    assert "weight_g" not in at.multiselect(key="w.upload.features").options
    assert at.session_state["config"].task == "regression"
    assert at.selectbox(key="w.loss").options == ["Standard for this task", "Squared error"]
    at.multiselect(key="w.upload.features").set_value([]).run()
    assert "Choose at least one feature" in texts(at.error)
    assert at.button(key="train").disabled and not at.exception


def test_back_to_built_in_data_restores_the_config():
    at = open_csv("fruit", query={"dataset": "xor"})
    assert at.session_state["config"].dataset == "blobs"  # stand-in of the CSV's task
    at.radio(key="w.upload.mode").set_value("builtin").run()
    assert at.session_state["config"].dataset == "xor"
    assert at.selectbox(key="w.dataset").value == "xor"
    assert not at.button(key="train").disabled
    assert "cannot carry it" not in texts(at.info)


def test_the_csv_survives_a_page_switch_and_stays_in_its_session():
    at = open_csv("plant_growth")
    at.switch_page("app.py").run()
    at.switch_page(PAGE).run()
    assert at.radio(key="w.upload.mode").value == "csv"
    assert "Using plant_growth.csv: 250 rows, 3 columns." in texts(at.caption)
    assert "upload.parsed" not in open_page(PAGE).session_state  # a new session starts empty


def test_chinese_and_teacher_mode():
    # (Widgets whose labels are translated by format_func cannot be set under AppTest in
    # Chinese, so the picker runs on its own here.)
    at = run_picker((SAMPLES_DIR / "exam_results.csv").read_bytes(), lang="zh")
    assert "任务：二分类，因为目标列是文字标签（共 2 种）" in texts(at.info)
    assert at.radio[0].options == ["内置数据集", "我的 CSV"]
    at = open_csv("fruit")
    at.switch_page("app.py").run()
    at.query_params["hide"] = "data"  # a teacher's link that fixes the data
    at.switch_page(PAGE).run()
    assert not [r for r in at.radio if r.key == "w.upload.mode"]
    assert not at.button(key="train").disabled and not at.exception
    assert at.session_state["upload.mode"] == "builtin"


def test_a_link_with_its_own_data_leaves_csv_mode():
    at = open_csv("fruit", query={"dataset": "xor"})
    assert at.query_params["data"] in ("csv", ["csv"])  # marks this URL as CSV-backed
    at.switch_page("app.py").run()
    for key in list(at.query_params):
        del at.query_params[key]
    at.query_params.update({"dataset": "circle", "activation": "tanh"})  # a teacher's link
    at.switch_page(PAGE).run()
    assert at.radio(key="w.upload.mode").value == "builtin"
    config = at.session_state["config"]
    assert (config.dataset, config.activation) == ("circle", "tanh")
    assert "data" not in at.query_params
    at = open_page(PAGE, query={"data": "csv"})  # a fresh session asked for the CSV panel
    assert at.radio(key="w.upload.mode").value == "csv"


def test_a_run_is_marked_out_of_date_when_its_data_changes():
    stale = "The settings or the data changed since this run"
    at = open_csv("exam_results")
    at.button(key="train").click().run()
    assert stale not in texts(at.caption)  # the run just made is current
    at.run()
    assert stale not in texts(at.caption)  # and stays so on a plain rerun
    at.button(key="upload.sample.plant_growth").click().run()  # another file
    assert stale in texts(at.caption)
    at.button(key="upload.sample.exam_results").click().run()  # the same rows again
    assert stale not in texts(at.caption)
    at.radio(key="w.upload.mode").set_value("builtin").run()  # built-in data
    assert stale in texts(at.caption)
