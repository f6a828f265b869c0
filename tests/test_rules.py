"""The rules file: it loads, every demo is a valid experiment, the guidance it must encode
is cited, ids are stable, and every kind of schema error names the rule and the field."""

import copy

import pytest
import yaml

from core.activations import HIDDEN_ACTIVATIONS
from core.config import TrainConfig
from core.rules import (
    INITS,
    RULES_FILE,
    SCOPES,
    load_rules,
    parse_rules,
    vanished_gradient_ratio,
)
from ui.i18n import LANGUAGES, strings

# Other pages link to these ids: renaming one breaks them. Adding rules is fine.
STABLE_IDS = {
    "R-hidden-relu",
    "R-hidden-nonlinear",
    "R-hidden-avoid-sigmoid",
    "R-hidden-deep",
    "R-hidden-vanishing",
    "R-hidden-relu-vanishing",
    "R-hidden-dead-relu",
    "R-output-binary",
    "R-output-two-classes",
    "R-output-multiclass",
    "R-output-multilabel",
    "R-output-regression",
    "R-loss-matched",
    "R-process-diverging",
    "R-process-slow",
    "R-process-underfitting",
}
# The guidance the advice layer must encode (G20-G26) and the reasons behind it.
MUST_CITE = {f"G{i}" for i in range(20, 27)} | {
    "G1",
    "G2",
    "G3",
    "G7",
    "G8",
    "G9",
    "G12",
    "G16",
    "G17",
    "G18",
    "G19",
    "G27",
    "G28",
    "G29",
    "G30",
    "B-multilabel",
    "B-canonical",
    # today's practice beyond the article
    "M1",
    "M3",
    "M4",
    "M5",
    "M7",
    "M8",
    "M10",
    "M11",
    "M12",
}


def raw_file() -> dict:
    with open(RULES_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


BOOK = load_rules()


def test_the_shipped_file_loads_once_and_keeps_its_ids():
    assert load_rules() is BOOK  # cached
    assert set(BOOK.ids) >= STABLE_IDS
    assert len(set(BOOK.ids)) == len(BOOK.rules) == len(raw_file()["rules"])
    grouped = BOOK.by_scope()
    assert list(grouped) == list(SCOPES) and all(grouped.values())
    assert sum(len(v) for v in grouped.values()) == len(BOOK.rules)


@pytest.mark.parametrize("rule", [r for r in BOOK.rules if r.demo], ids=lambda r: r.id)
def test_every_demo_and_contrast_is_a_strictly_valid_experiment(rule):
    demo, problems = TrainConfig.from_query(dict(rule.demo), strict=True)
    assert problems == [] and demo == rule.demo_config()
    if rule.contrast is not None:
        contrast, _ = TrainConfig.from_query(dict(rule.contrast), strict=True)
        assert contrast != demo
        assert contrast.dataset == demo.dataset  # the same data, one choice changed
    assert demo.n_samples <= 500 and demo.epochs <= 300  # "Show me" stays quick


def test_only_a_rule_no_built_in_data_can_show_goes_without_a_demo():
    assert [r.id for r in BOOK.rules if r.demo is None] == ["R-output-unit-interval"]


def test_every_hidden_activation_has_exactly_one_matched_initialisation():
    """M1, M3: He for the ReLU family, Glorot for the symmetric units, LeCun for SELU."""
    expected = {
        "he_normal": {"relu", "leaky_relu", "elu", "gelu", "silu", "mish", "softplus"},
        "glorot_uniform": {"tanh", "logistic", "identity"},
        "lecun_normal": {"selu"},
    }
    for init, activations in expected.items():
        for name in activations:
            assert BOOK.matched_init(name) == init, name
    assert set().union(*expected.values()) == set(HIDDEN_ACTIVATIONS)
    assert all(init in INITS for f in BOOK.init_families for init in f.inits)
    assert BOOK.init_matches("relu", "he_uniform") and not BOOK.init_matches("relu", "auto")
    assert BOOK.init_matches("tanh", "auto")  # scikit-learn's own scheme is Glorot
    assert not BOOK.init_matches("selu", "he_normal")


def test_the_required_guidance_is_encoded_and_summarised_in_both_languages():
    cited = {g for r in BOOK.rules for g in r.guidance}
    assert cited >= MUST_CITE, sorted(MUST_CITE - cited)
    for lang in LANGUAGES:
        text = strings(lang)
        missing = [g for g in BOOK.guidance_ids if f"rules.guidance.{g}" not in text]
        assert not missing, (lang, missing)


def test_every_rule_has_both_languages_and_chinese_is_chinese():
    for rule in BOOK.rules:
        for field in (rule.title, rule.why):
            assert set(field) == {"en", "zh"}
            assert any("\u4e00" <= ch <= "\u9fff" for ch in field["zh"]), rule.id
            assert field["en"] != field["zh"]
        for alt in rule.alternatives:
            assert alt.why["en"] and alt.why["zh"]


def test_thresholds_carry_the_documented_numbers():
    th = BOOK.thresholds
    assert th["dead_units"]["min_dead_fraction"] == 0.5
    assert th["vanishing_gradients"]["max_gradient_ratio"] == 1e-2
    assert vanished_gradient_ratio() == 1e-2  # the one definition the whole app reads
    assert th["saturation"]["min_flat_fraction"] == 0.5
    assert th["slow_convergence"]["min_loss_ratio"] == 0.8
    assert th["underfitting"]["min_accuracy"] == 0.8 and th["underfitting"]["min_r2"] == 0.5
    assert th["diverging"]["stop_reason"] == "diverged"


def rule_named(raw, rule_id):
    return next(r for r in raw["rules"] if r["id"] == rule_id)


def _set(path, value):
    def edit(raw):
        target = rule_named(raw, "R-hidden-relu")
        *parents, last = path
        for key in parents:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value

    return edit


SCHEMA_ERRORS = [
    (_set(["why", "zh"], KeyError), "'R-hidden-relu', field 'why'"),
    (_set(["why", "en"], "   "), "'R-hidden-relu', field 'why'"),
    (_set(["scope"], "middle"), "'R-hidden-relu', field 'scope'"),
    (_set(["guidance"], ["G31"]), "'R-hidden-relu', field 'guidance'"),
    (_set(["guidance"], []), "'R-hidden-relu', field 'guidance'"),
    (_set(["recommend"], {"hidden": "swish"}), "'R-hidden-relu', field 'recommend.hidden'"),
    (
        _set(["recommend"], {"output": "softmax", "units": "per_class"}),
        "'R-hidden-relu', field 'recommend'",
    ),  # a hidden rule must set the hidden slot
    (
        _set(["recommend"], {"hidden": "relu", "actions": ["pray"]}),
        "'R-hidden-relu', field 'recommend.actions'",
    ),
    (_set(["when"], {"symptoms": ["sneezing"]}), "'R-hidden-relu', field 'when.symptoms'"),
    (_set(["when"], {"weather": "sunny"}), "'R-hidden-relu', field 'when.weather'"),
    (_set(["when"], {"min_layers": -1}), "'R-hidden-relu', field 'when.min_layers'"),
    (_set(["when"], {"tasks": ["ranking"]}), "'R-hidden-relu', field 'when.tasks'"),
    (_set(["demo", "activation"], "swish"), "'R-hidden-relu', field 'demo'"),
    (_set(["demo", "epochs"], 300), "'R-hidden-relu', field 'demo'"),  # not a string
    (_set(["demo", "colour"], "red"), "'R-hidden-relu', field 'demo'"),
    (
        _set(["contrast"], {"dataset": "sine", "loss": "log_loss"}),
        "'R-hidden-relu', field 'contrast'",
    ),
    (
        _set(["alternatives"], [{"priority": 1, "why": {"en": "a", "zh": "b"}}]),
        "'R-hidden-relu', field 'alternatives[0]'",
    ),
    (
        _set(["alternatives"], [{"hidden": "tanh", "priority": 1, "why": {"en": "a"}}]),
        "'R-hidden-relu', field 'alternatives[0].why'",
    ),
    (_set(["extra"], 1), "'R-hidden-relu', field 'extra'"),
    (_set(["demo"], KeyError), "'R-hidden-relu', field 'contrast'"),  # nothing to contrast
    (_set(["recommend"], {"hidden": "relu", "init": "xavier"}), "field 'recommend.init'"),
    (_set(["when"], {"target_ranges": ["huge"]}), "'R-hidden-relu', field 'when.target_ranges'"),
    (_set(["when"], {"init_matched": "yes"}), "'R-hidden-relu', field 'when.init_matched'"),
    (_set(["when"], {"max_layers": -1}), "'R-hidden-relu', field 'when.max_layers'"),
    (_set(["evidence"], {"beats": "swish"}), "'R-hidden-relu', field 'evidence.beats'"),
    (_set(["evidence"], {"over": "tanh"}), "'R-hidden-relu', field 'evidence'"),
    (_set(["evidence"], {"beats": "relu"}), "'R-hidden-relu', field 'evidence'"),  # itself
    (
        _set(["alternatives"], [{"init": "xavier", "priority": 1, "why": {"en": "a", "zh": "b"}}]),
        "'R-hidden-relu', field 'alternatives[0].init'",
    ),
    (
        lambda raw: raw["matched_init"]["lecun"].__setitem__("activations", ["tanh"]),
        "field 'activations'",
    ),  # SELU left without a scheme, tanh given two
    (
        lambda raw: raw["matched_init"]["he"].__setitem__("inits", ["auto", "he_normal"]),
        "field 'he.inits'",
    ),
    (
        lambda raw: rule_named(raw, "R-output-binary").__setitem__("id", "R-hidden-relu"),
        "'R-hidden-relu', field 'id'",
    ),  # duplicate
    (
        lambda raw: rule_named(raw, "R-output-binary").__setitem__("id", "output binary"),
        f"rule #{[r['id'] for r in raw_file()['rules']].index('R-output-binary') + 1}, field 'id'",
    ),
    (
        lambda raw: rule_named(raw, "R-output-binary")["recommend"].pop("units"),
        "'R-output-binary', field 'recommend.units'",
    ),
    (lambda raw: raw["thresholds"].pop("saturation"), "field 'thresholds'"),
    (
        lambda raw: raw["thresholds"]["dead_units"].__setitem__("min_dead_fraction", 1.5),
        "field 'dead_units.min_dead_fraction'",
    ),
    (
        lambda raw: raw["thresholds"]["underfitting"].__setitem__("min_accuracy", "high"),
        "field 'underfitting.min_accuracy'",
    ),
    (lambda raw: raw.__setitem__("version", 2), "field 'version'"),
]


@pytest.mark.parametrize("edit, message", SCHEMA_ERRORS, ids=[m for _, m in SCHEMA_ERRORS])
def test_schema_errors_name_the_rule_and_the_field(edit, message):
    raw = copy.deepcopy(raw_file())
    parse_rules(copy.deepcopy(raw))  # the unedited file is fine
    edit(raw)
    with pytest.raises(ValueError) as err:
        parse_rules(raw)
    assert message in str(err.value)


def test_a_file_that_is_not_yaml_is_a_value_error(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules: [\n  - id: R-x\n   oops", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_rules(bad)
