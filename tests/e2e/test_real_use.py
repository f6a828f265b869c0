"""Two journeys as a user makes them, in a real browser on a real server: the Design
wizard from the task to the one-click comparison (and back again), and the Playground
trained on an uploaded CSV, then fed bad files that must each be a clear message.

Expected values come from core/ and the English strings (ui.i18n), never from copies."""

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from core import compare as cmp
from core.advice import SYMPTOMS, recommend
from core.config import MAX_TRAIN_SECONDS, WIDTHS, TrainConfig
from core.csv_data import CSVError, build_dataset, infer_task, load_csv
from core.formatting import score_text
from core.training import train
from tests.e2e.conftest import assert_no_exception, save_screenshot, wait_for_app
from ui import upload
from ui.i18n import strings
from ui.wizard import DEFAULTS, QUICK, SEEDS

EN = strings("en")
LONG = 90_000  # ms: a training or a comparison on a loaded 2-core machine
EXCEPTION = '[data-testid="stException"]'


@pytest.fixture(autouse=True, scope="module")
def patient_expect():
    """expect() waits 5 s by default; a rerun on a loaded 2-core machine can take longer."""
    before = getattr(expect, "_timeout", None)
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=before)


def en(key: str, **params) -> str:
    """The English interface text, formatted as ui.i18n.t formats it."""
    return EN[key].format(**params) if params else EN[key]


def plain(text: str) -> str:
    """Text as the browser shows it: markdown bold gone, whitespace collapsed."""
    return " ".join(text.replace("**", "").split())


def box(page, key: str):
    """The element (or container) created with ``key=``: Streamlit's st-key-<key> class."""
    return page.locator(".st-key-" + re.sub(r"[^\w-]", "-", key))


def press(page, key: str, label: str, timeout: int = 30_000) -> None:
    # Streamlit draws a button with help= twice (one copy hidden): pick it by its role.
    box(page, key).get_by_role("button", name=label, exact=True).click()
    wait_for_app(page, timeout=timeout, rerun=True)


def alert_texts(scope, kind: str) -> list[str]:
    # The markdown only: an alert's icon is part of its content element.
    texts = scope.locator(
        f'[data-testid="stAlertContent{kind}"] [data-testid="stMarkdownContainer"]'
    )
    return [plain(x) for x in texts.all_inner_texts()]


def choose(page, combo, option: str) -> None:
    """Pick ``option`` in a select or multiselect as a keyboard user does: type, Enter.
    (A click on the option can land while the list re-renders and be lost.)"""
    combo.click()
    combo.fill(option)
    page.get_by_role("option", name=option, exact=True).wait_for()
    combo.press("Enter")
    wait_for_app(page, rerun=True)


def metrics(scope) -> list[tuple[str, str]]:
    labels = scope.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = scope.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return [(plain(a), plain(b)) for a, b in zip(labels, values)]


# ---------------------------------------------------------------- the Design wizard


def expect_step(page, n: int) -> None:
    name = en(f"wizard.steps.{('task', 'network', 'symptoms', 'advice')[n - 1]}")
    expect(page.locator('[data-testid="stProgress"]').first).to_contain_text(
        en("wizard.step_of", n=n, total=4, name=name)
    )


def next_step(page, n: int) -> None:
    press(page, "wizard-next", en("wizard.next"))
    expect_step(page, n)
    wait_for_app(page)  # the new step is up: let its script finish too


def back_step(page, n: int) -> None:
    press(page, "wizard-back", en("wizard.back"))
    expect_step(page, n)
    wait_for_app(page)


def nudge_slider(page, key: str, keypress: str) -> None:
    box(page, key).locator('input[type="range"]').focus()
    page.keyboard.press(keypress)
    wait_for_app(page, rerun=True)


def expect_network(page, depth: str, width: str, current: str) -> None:
    thumb = '[data-testid="stSliderThumbValue"]'
    expect(box(page, "w.wizard.depth").locator(thumb)).to_have_text(depth)
    expect(box(page, "w.wizard.width").locator(thumb)).to_have_text(width)
    expect(box(page, "w.wizard.current").locator("input")).to_have_value(current)


def symptom_tags(page):
    tags = '[data-testid="stMultiSelectTagsContainer"] [data-tag]'
    return box(page, "w.wizard.symptoms").locator(tags)


def chosen_symptoms(page) -> list[str]:
    """The symptom codes shown as tags in the step-3 multiselect, in their order."""
    code = {en(f"rules.symptom.{s}"): s for s in SYMPTOMS}
    return [code[plain(tag)] for tag in symptom_tags(page).all_inner_texts()]


def expect_symptoms(page, symptoms: list[str]) -> None:
    expect(symptom_tags(page)).to_have_count(len(symptoms))
    assert sorted(chosen_symptoms(page)) == sorted(symptoms)


def test_design_wizard_from_task_to_comparison_and_back(page, app_server):
    # One step right on the depth slider, one step left on the width slider, ReLU.
    depth, current = DEFAULTS["depth"] + 1, "relu"
    width = WIDTHS[WIDTHS.index(DEFAULTS["width"]) - 1]
    relu = en(f"common.activation.{current}")
    page.goto(f"{app_server}/Wizard")
    wait_for_app(page)
    expect_step(page, 1)
    expect(box(page, "wizard-back").get_by_role("button")).to_be_disabled()

    # 1. the task
    task = box(page, "w.wizard.task")
    task.get_by_text(en("wizard.task.regression"), exact=True).click()
    wait_for_app(page, rerun=True)
    task.get_by_text(en("wizard.task.binary"), exact=True).click()  # changed my mind
    wait_for_app(page, rerun=True)
    binary = task.get_by_role("radio", name=en("wizard.task.binary"))
    expect(binary).to_be_checked()
    next_step(page, 2)

    # 2. the network
    nudge_slider(page, "w.wizard.depth", "ArrowRight")
    nudge_slider(page, "w.wizard.width", "ArrowLeft")
    choose(page, box(page, "w.wizard.current").locator("input"), relu)
    expect_network(page, str(depth), str(width), relu)
    next_step(page, 3)

    # 3. what was observed: the quick check trains this network on moons and fills in
    # what it measured; then one more symptom picked by hand.
    press(page, "wizard-check-run", en("wizard.symptoms.check"), timeout=LONG)
    check = box(page, "wizard-check")
    expect(check).to_be_visible(timeout=LONG)
    wait_for_app(page, timeout=LONG)
    done = re.escape(
        en(
            "wizard.check.done",
            epochs="@",
            data=en("common.dataset.moons"),
            layers=depth,
            width=width,
            activation=relu,
        )
    ).replace("@", r"\d+")
    expect(check).to_contain_text(re.compile(done))
    found = chosen_symptoms(page)  # the tags are exactly what the check reported
    reported = "; ".join(en(f"rules.symptom.{s}") for s in found) or en("rules.no_symptoms")
    expect(check).to_contain_text(plain(en("wizard.check.found", symptoms=reported)))
    extra = next(s for s in ("dead_units", "slow_convergence") if s not in found)
    choose(page, box(page, "w.wizard.symptoms").locator("input"), en(f"rules.symptom.{extra}"))
    page.keyboard.press("Escape")  # close the list the multiselect keeps open
    symptoms = sorted(found + [extra])
    expect_symptoms(page, symptoms)

    # Back twice and forward again: every answer is still there.
    back_step(page, 2)
    expect_network(page, str(depth), str(width), relu)
    back_step(page, 1)
    expect(binary).to_be_checked()
    expect(box(page, "wizard-back").get_by_role("button")).to_be_disabled()
    next_step(page, 2)
    expect_network(page, str(depth), str(width), relu)
    next_step(page, 3)
    expect_symptoms(page, symptoms)
    expect(box(page, "wizard-check")).to_be_visible()
    next_step(page, 4)

    # 4. the recommendation is core.advice.recommend's for the same answers
    rec = recommend(
        "binary", n_classes=2, n_hidden_layers=depth, current_hidden=current, symptoms=symptoms
    )
    advice = box(page, "wizard-advice")
    expect(advice.locator('[data-testid="stMetricValue"]')).to_have_count(4)
    assert metrics(advice) == [
        (en("wizard.advice.hidden"), en(f"common.activation.{rec.hidden_activation}")),
        (en("wizard.advice.output"), en(f"common.activation.{rec.output_activation}")),
        (en("wizard.advice.loss"), en(f"rules.loss_short.{rec.loss}")),
        (en("wizard.advice.init"), en(f"config.init_name.{rec.init}")),
    ]
    assert alert_texts(advice, "Warning") == [
        plain(en("wizard.advice.action", action=en(f"rules.action.{a}"))) for a in rec.actions
    ]
    expect(page.locator('[class*="st-key-reason-"]')).to_have_count(len(rec.rules))
    for rule_id in rec.rules:
        link = box(page, f"reason-{rule_id}").get_by_role("link")
        expect(link).to_have_text(re.compile(re.escape(en("wizard.advice.rule_link", id=rule_id))))
        expect(link).to_have_attribute("href", re.compile(rf"Rules\?rule={rule_id}$"))
    alt = rec.alternatives[0]  # the most tempting one is offered first

    def design(hidden, output, loss, init):
        return en(
            "wizard.design",
            hidden=en(f"common.activation.{hidden}"),
            output=en(f"common.activation.{output}"),
            loss=en(f"rules.loss_name.{loss}"),
            init=en(f"config.init_name.{init}"),
        )

    expect(box(page, "w.wizard.alternative").locator("input")).to_have_value(
        design(alt.hidden_activation, alt.output_activation, alt.loss, alt.init) + " — " + alt.why
    )
    save_screenshot(page, "wizard-recommendation")

    # The one-click comparison: both designs, 3 seeds each, on the same moons data.
    press(page, "wizard-compare", en("wizard.compare.run"), timeout=LONG)
    result = box(page, "wizard-comparison")
    expect(result).to_be_visible(timeout=LONG)
    wait_for_app(page, timeout=LONG)
    assert_no_exception(page)
    for i in (0, 1):
        expect(box(page, f"wizard-surface-{i}").locator("canvas, svg").first).to_be_visible()
    base = TrainConfig(dataset="moons", hidden_layers=(width,) * depth, activation=current, **QUICK)
    variants = [
        cmp.Variant(rec.hidden_activation, rec.output_activation, rec.loss, rec.init),
        cmp.Variant(alt.hidden_activation, alt.output_activation, alt.loss, alt.init),
    ]
    expected = cmp.compare(base, variants, SEEDS, time_budget=MAX_TRAIN_SECONDS / 3)
    summary = cmp.summarise(expected)
    text = plain(result.inner_text())
    for title, v in zip(("recommended", "alternative"), variants):
        row = summary.loc[v.id]
        assert en(f"wizard.compare.{title}") in text
        assert design(v.activation, v.output_activation, v.loss, v.init) in text
        score = en(
            "wizard.compare.score",
            mean=score_text(row.test_mean, "binary"),
            spread=score_text(row.test_std, "binary"),
            low=score_text(row.test_min, "binary"),
            high=score_text(row.test_max, "binary"),
            seeds=len(SEEDS),
        )
        assert plain(score) in text
    best, other = (summary.loc[v.id] for v in variants)
    verdict = (
        "better"
        if best.test_min > other.test_max
        else "worse"
        if best.test_max < other.test_min
        else "tied"
    )
    assert plain(en(f"wizard.compare.verdict.{verdict}", seeds=len(SEEDS))) in text
    result.scroll_into_view_if_needed()
    save_screenshot(page, "wizard-comparison")


# ---------------------------------------------------------------- CSV on the Playground


def put_file(page, path) -> None:
    """Upload ``path`` as a user would; return once the box shows it and the rerun is done.
    (Callers still wait with expect(): an upload can take longer than the rerun grace.)"""
    panel = box(page, "upload")
    panel.locator('input[type="file"]').set_input_files(str(path))
    expect(panel.locator('[data-testid="stFileChipName"]')).to_have_text(path.name)
    expect(panel.locator('[data-testid="stFileChipIconSpinner"]')).to_have_count(0)
    wait_for_app(page, rerun=True)
    assert_no_exception(page)


def train_button(page):
    return box(page, "train").get_by_role("button", name=en("playground.train"), exact=True)


def expect_trained(page, metric_keys: list[str]) -> None:
    """Press Train and wait for this run's metrics (named by ``metric_keys``, which tell
    a classification from a regression run) and its surface."""
    train_button(page).click()
    # Retried until they match: an earlier run's metrics stay up while this one trains.
    expect(page.locator('[data-testid="stMetricLabel"]')).to_have_text(
        [en(f"playground.{k}") for k in metric_keys], timeout=LONG
    )
    wait_for_app(page, timeout=LONG)
    assert_no_exception(page)
    expect(box(page, "surface").locator("canvas, svg").first).to_be_visible()


def task_line(frame: pd.DataFrame, target: str) -> str:
    task, reason = infer_task(frame[target])
    return en(
        "upload.task_line",
        task=en(f"common.task.{task}"),
        reason=en(f"upload.reason.{reason.code}", **reason.params),
    )


def expect_error(page, message: str) -> None:
    errors = box(page, "upload").locator('[data-testid="stAlertContentError"]')
    # An error or a crash, whichever comes: a crash fails with the server's traceback.
    expect(
        page.locator(f'.st-key-upload [data-testid="stAlertContentError"], {EXCEPTION}')
    ).to_have_count(1)
    assert_no_exception(page)
    expect(errors).to_have_text([plain(message)])  # retried: the one error, this file's
    wait_for_app(page)
    expect(train_button(page)).to_be_disabled()
    expect(box(page, "upload").locator('[data-testid="stAlertContentInfo"]')).to_have_count(0)
    assert_no_exception(page)


def csv_error(make) -> CSVError:
    try:
        make()
    except CSVError as err:
        return err
    raise AssertionError("expected a CSVError")


def file_error(name: str, err: CSVError) -> str:
    return en("upload.file_error", name=name, error=en(f"upload.error.{err.code}", **err.params))


def test_csv_upload_trains_and_bad_files_are_clear_messages(page, app_server, tmp_path):
    page.goto(f"{app_server}/Playground")
    wait_for_app(page)
    box(page, "w.upload.mode").get_by_text(en("upload.mode.csv"), exact=True).click()
    wait_for_app(page, rerun=True)
    expect(box(page, "upload")).to_be_visible()
    expect(train_button(page)).to_be_disabled()  # nothing to train on yet

    # A good file: the task is inferred from the last column and said why.
    sample = upload.SAMPLES_DIR / "exam_results.csv"
    frame = load_csv(sample.read_bytes())
    choice = upload.default_choice(frame)
    put_file(page, sample)
    panel = box(page, "upload")
    expect(panel).to_contain_text(
        en("upload.loaded", name=sample.name, rows=len(frame), columns=frame.shape[1])
    )
    expect(box(page, "w.upload.target").locator("input")).to_have_value(choice["target"])
    expect(panel.locator('[data-testid="stAlertContentInfo"]')).to_have_text(
        task_line(frame, choice["target"])
    )
    expect(train_button(page)).to_be_enabled()
    expect_trained(page, ["test_accuracy", "train_accuracy", "test_loss", "epochs_run"])
    # ... and it trained on the file's rows, not on the built-in moons.
    config = TrainConfig()
    data, _ = build_dataset(  # as ui.upload builds it for the default settings
        frame,
        target=choice["target"],
        features=choice["features"],
        plane=choice["plane"] if len(choice["features"]) > 1 else None,
        test_fraction=config.test_fraction,
        seed=config.data_seed,
        standardize=config.standardize,
        name=sample.name,
    )
    history = train(config, dataset=data, time_budget=MAX_TRAIN_SECONDS).history
    values = [v for _, v in metrics(page.locator('[data-testid="stMain"]'))]
    assert values[0] == f"{history.test_score.iloc[-1]:.1%}"
    assert values[3] == str(int(history.epoch.iloc[-1]))
    save_screenshot(page, "playground-csv-trained")

    # Bad files: each one a translated message, Train disabled, never a traceback.
    bad = {
        "empty.csv": b"",
        "garbage.csv": bytes(range(256)) * 8,
        "header-only.csv": b"hours_studied,hours_slept,result\n",
    }
    for name, content in bad.items():
        path = tmp_path / name
        path.write_bytes(content)
        put_file(page, path)
        expect_error(page, file_error(name, csv_error(lambda c=content: load_csv(c))))
        save_screenshot(page, f"playground-csv-{path.stem}")

    # A file whose real target holds one value: fine until that column is the target.
    rows = [f"{i / 10:.1f},{(i * 7) % 13 / 3:.2f},yes" for i in range(40)]
    constant = tmp_path / "constant-target.csv"
    constant.write_text("dose,weight,outcome\n" + "\n".join(rows) + "\n")
    frame = load_csv(constant.read_bytes())
    put_file(page, constant)
    expect(box(page, "upload").locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    expect(box(page, "w.upload.target").locator("input")).to_have_value(
        upload.default_choice(frame)["target"]
    )  # the last column that works: weight
    choose(page, box(page, "w.upload.target").locator("input"), "outcome")
    expect_error(
        page, en("upload.error.one_value", **csv_error(lambda: infer_task(frame["outcome"])).params)
    )
    save_screenshot(page, "playground-csv-constant-target")

    # After all that, a good file works again (a regression this time).
    sample = upload.SAMPLES_DIR / "plant_growth.csv"
    frame = load_csv(sample.read_bytes())
    choice = upload.default_choice(frame)
    put_file(page, sample)
    expect(box(page, "upload").locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    expect(box(page, "upload").locator('[data-testid="stAlertContentInfo"]')).to_have_text(
        task_line(frame, choice["target"])
    )
    expect(train_button(page)).to_be_enabled()
    expect_trained(page, ["test_r2", "train_r2", "test_rmse", "epochs_run"])
    save_screenshot(page, "playground-csv-again")


def test_design_wizard_in_chinese_asks_the_target_range_and_matches_the_initialisation(
    page, app_server
):
    """A regression target that is strictly positive: the wizard, in Chinese, asks its
    range, recommends a softplus output (M7) and names the initialisation it matches."""
    zh = strings("zh")
    page.goto(f"{app_server}/Wizard?lang=zh")
    wait_for_app(page)
    task = box(page, "w.wizard.task")
    task.get_by_text(zh["wizard.task.regression"], exact=True).click()
    wait_for_app(page, rerun=True)
    ranges = box(page, "w.wizard.target_range")
    expect(ranges).to_contain_text(zh["wizard.task.target_range"])
    ranges.get_by_text(zh["rules.target_range.positive"], exact=True).click()
    wait_for_app(page, rerun=True)
    for n in (2, 3, 4):
        press(page, "wizard-next", zh["wizard.next"])
        expect(page.locator('[data-testid="stProgress"]').first).to_contain_text(f"第 {n} 步")
        wait_for_app(page)
    rec = recommend("regression", n_hidden_layers=DEFAULTS["depth"], target_range="positive")
    advice = box(page, "wizard-advice")
    expect(advice.locator('[data-testid="stMetricValue"]')).to_have_count(4)
    assert metrics(advice) == [
        (zh["wizard.advice.hidden"], zh[f"common.activation.{rec.hidden_activation}"]),
        (zh["wizard.advice.output"], zh["common.activation.softplus"]),
        (zh["wizard.advice.loss"], zh[f"rules.loss_short.{rec.loss}"]),
        (zh["wizard.advice.init"], zh[f"config.init_name.{rec.init}"]),
    ]
    assert_no_exception(page)
    save_screenshot(page, "wizard-zh-positive-target")
