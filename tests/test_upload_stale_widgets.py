"""A column widget of an earlier CSV reporting its value in the rerun that loads the next
file (seen in a real browser when one upload replaces another) changes nothing: no
traceback when the new file is unusable, no lost features when it is a good one."""

from core.csv_data import CSVError, load_csv
from tests.apptest_utils import open_page
from ui.upload import SAMPLES_DIR, default_choice

UNUSABLE = dict(
    name="empty.csv", kind="file", frame=None, error=CSVError("empty", "The file is empty.")
)


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def playground_with(sample: str):
    at = open_page("pages/1_Playground.py", query={"epochs": "30"})
    at.radio(key="w.upload.mode").set_value("csv").run()
    return ok(at.button(key=f"upload.sample.{sample}").click().run())


def load(at, parsed: dict, choice) -> None:
    """What the uploader's callback leaves behind, in the same rerun as the widget report."""
    at.session_state["upload.parsed"] = parsed
    at.session_state["upload.choice"] = choice


def test_a_late_feature_change_then_an_unusable_file_is_the_file_message():
    at = playground_with("exam_results")
    at.multiselect(key="w.upload.features").set_value(["hours_studied"])
    load(at, UNUSABLE, None)
    ok(at.run())
    assert [e.value for e in at.error] == ["empty.csv cannot be used. The file is empty."]
    assert at.button(key="train").disabled


def test_a_late_target_or_plane_change_then_an_unusable_file():
    at = playground_with("fruit")  # four features: the plane selectboxes are shown
    at.selectbox(key="w.upload.plane_x").select("sweetness")
    load(at, UNUSABLE, None)
    ok(at.run())
    at = playground_with("fruit")
    at.selectbox(key="w.upload.target").select("weight_g")
    load(at, UNUSABLE, None)
    ok(at.run())
    assert "empty.csv cannot be used" in at.error[0].value


def test_a_late_feature_change_does_not_empty_the_next_good_file():
    at = playground_with("exam_results")
    at.multiselect(key="w.upload.features").set_value(["hours_studied"])
    frame = load_csv((SAMPLES_DIR / "plant_growth.csv").read_bytes())
    load(
        at,
        dict(name="plant_growth.csv", kind="file", frame=frame, error=None),
        default_choice(frame),
    )
    ok(at.run())
    assert not at.error
    assert at.session_state["upload.choice"]["features"] == ["sunlight_hours", "water_ml"]
    assert not at.button(key="train").disabled


def test_the_wizard_target_too():
    at = open_page("pages/6_Wizard.py")
    at.radio(key="w.wizard.task").set_value("csv").run()
    ok(at.button(key="wizard.sample.fruit").click().run())
    at.selectbox(key="w.wizard.target").set_value("weight_g")
    load(at, UNUSABLE, None)
    ok(at.run())
    assert "empty.csv cannot be used. The file is empty." in at.error[0].value
    assert at.button(key="wizard-next").disabled
