"""TrainConfig: defaults, validation naming the field, and the string round trip."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import (
    ALPHAS,
    CLASS_DATASETS,
    MAX_EPOCHS,
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    WIDTHS,
    ConfigError,
    Control,
    TrainConfig,
    controls,
    field_groups,
    unknown_query_keys,
)
from ui.i18n import LANGUAGES, strings


def test_default_experiment_is_moons_two_relu_layers_sigmoid_output():
    config = TrainConfig()
    assert config.dataset == "moons"
    assert config.hidden_layers == (16, 16)
    assert config.activation == "relu"
    assert config.task == "binary"
    assert config.output_activation == "auto"  # resolves to the sigmoid for binary tasks


def test_round_trip_through_strings_keeps_every_field():
    config = TrainConfig(
        dataset="blobs",
        n_classes=4,
        noise=0.5,
        hidden_layers=(8, 4, 2),
        activation="leaky_relu",
        leaky_slope=0.1,
        init="he_normal",
        output_activation="tanh",
        loss="squared_error",
        solver="sgd",
        learning_rate=0.03,
        alpha=0.001,
        batch_size=16,
        epochs=120,
        stop_when_flat=False,
        seed=9,
        data_seed=4,
        test_fraction=0.3,
        standardize=False,
    )
    query = config.to_query()
    assert all(isinstance(v, str) for v in query.values())
    back, problems = TrainConfig.from_query(query, strict=True)
    assert back == config and problems == []


@pytest.mark.parametrize("init", ["glorot_uniform", "glorot_normal", "he_uniform", "lecun_normal"])
def test_init_goes_through_the_link(init):
    config = TrainConfig(activation="selu", init=init)
    assert config.to_query() == {"activation": "selu", "init": init}
    assert TrainConfig.from_query(config.to_query(), strict=True)[0] == config


def test_unknown_init_in_a_link_falls_back_with_a_problem():
    config, problems = TrainConfig.from_query({"init": "xavier", "activation": "gelu"})
    assert config == TrainConfig(activation="gelu") and config.init == "auto"
    assert [p.field for p in problems] == ["init"] and "he_normal" in str(problems[0])


def test_default_config_serialises_to_nothing():
    assert TrainConfig().to_query() == {}
    assert TrainConfig.from_query({})[0] == TrainConfig()


@pytest.mark.parametrize(
    "field,value,fragment",
    [
        ("epochs", MAX_EPOCHS + 1, "epochs"),
        ("hidden_layers", (MAX_UNITS + 1,), "hidden_layers"),
        ("hidden_layers", (4,) * (MAX_HIDDEN_LAYERS + 1), "hidden_layers"),
        ("activation", "softmax", "activation"),
        ("dataset", "mnist", "dataset"),
        ("learning_rate", 0.0, "learning_rate"),
        ("n_samples", 5, "n_samples"),
        ("batch_size", 2.5, "batch_size"),
    ],
)
def test_invalid_values_name_the_field_and_range(field, value, fragment):
    with pytest.raises(ConfigError) as err:
        TrainConfig(**{field: value})
    assert err.value.field == field and fragment in str(err.value)


def test_log_loss_is_rejected_for_regression():
    with pytest.raises(ConfigError, match="loss"):
        TrainConfig(dataset="sine", loss="log_loss")


def test_bad_url_values_fall_back_to_defaults_with_a_problem_each():
    config, problems = TrainConfig.from_query(
        {
            "epochs": "999999",
            "activation": "swish",
            "noise": "nan",
            "dataset": "circle",
            "hidden_layers": "8,x",
            "unknown": "1",
        }
    )
    assert config == TrainConfig(dataset="circle")
    assert sorted(p.field for p in problems) == ["activation", "epochs", "hidden_layers", "noise"]


def test_combination_errors_drop_the_offending_field():
    config, problems = TrainConfig.from_query({"dataset": "sine", "loss": "log_loss"})
    assert config.dataset == "sine" and config.loss == "auto"
    assert [p.field for p in problems] == ["loss"]


def test_strict_parsing_raises():
    with pytest.raises(ConfigError, match="epochs"):
        TrainConfig.from_query({"epochs": "-3"}, strict=True)


def test_repeated_query_keys_take_the_last_value():
    assert TrainConfig.from_query({"epochs": ["10", "20"]})[0].epochs == 20


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f.name for f in dataclasses.fields(TrainConfig)] + ["junk"]),
        st.text(max_size=30),
        max_size=8,
    )
)
def test_any_query_gives_a_valid_config_or_clear_problems(params):
    config, problems = TrainConfig.from_query(params)
    assert isinstance(config, TrainConfig)
    assert all(isinstance(p, ConfigError) and p.field in params for p in problems)
    # Every problem says why in a form the interface translates into both languages.
    for p in problems:
        assert all(f"config.problem.{p.reason}" in strings(lang) for lang in LANGUAGES), p
    assert TrainConfig.from_query(config.to_query(), strict=True)[0] == config


def test_unknown_link_keys_are_named_with_the_setting_they_resemble():
    known = [*TrainConfig.__dataclass_fields__, "lang", "hide"]
    found = unknown_query_keys(["layers", "activaton", "dataset", "lang", "lr", "n_sample"], known)
    assert found == [
        ("layers", "hidden_layers"),
        ("activaton", "activation"),
        ("lr", None),
        ("n_sample", "n_samples"),
    ]


def test_analytics_tags_on_a_shared_link_are_not_reported():
    assert unknown_query_keys(["utm_source", "utm_campaign", "fbclid", "gclid"], ["dataset"]) == []


def test_every_reason_a_config_can_be_refused_is_translated():
    refused = [
        {"epochs": "x"},  # unreadable
        {"activation": "swish"},  # not_choice
        {"epochs": "0"},  # out_of_range
        {"hidden_layers": ",".join(["4"] * (MAX_HIDDEN_LAYERS + 1))},  # too_many_layers
        {"dataset": "moons", "n_classes": "3"},  # fixed_classes
        {"dataset": "spiral_k", "n_classes": "2"},  # class_range
        {"dataset": "sine", "loss": "log_loss"},  # log_loss_regression
    ]
    reasons = set()
    for query in refused:
        problems = TrainConfig.from_query(query)[1]
        assert len(problems) == 1, (query, problems)
        reasons.add(problems[0].reason)
    assert len(reasons) == len(refused)
    for reason in reasons:
        assert all(f"config.problem.{reason}" in strings(lang) for lang in LANGUAGES), reason


def _shows(control: Control, config: TrainConfig) -> bool:
    """Whether ``control`` can show the config's value exactly."""
    value = getattr(config, control.name)
    if control.widget == "layers":
        depth, width = control.value
        return (
            control.lo <= depth <= control.hi
            and width in control.options
            and (depth == len(value) and (not value or width == max(value)))
        )
    if control.widget == "multiselect":  # a tuple of choices (the input features)
        return control.value == value and set(value) <= set(control.options)
    if control.widget in ("select", "select_slider"):
        return control.value == value and value in control.options
    if control.widget == "checkbox":
        return control.value is value
    if value is None:  # an optional field shows the dataset's own default
        return control.value is not None
    return control.value == value and control.lo <= value <= control.hi


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f.name for f in dataclasses.fields(TrainConfig)]),
        st.one_of(
            st.text(max_size=12), st.floats(0, 6000).map(repr), st.integers(0, 2**31).map(str)
        ),
        max_size=8,
    )
)
def test_every_control_can_show_its_configs_value(params):
    config, _ = TrainConfig.from_query(params)
    for control in controls(config):
        assert _shows(control, config), (control, config)


def test_ladders_hold_only_values_the_config_accepts():
    for f in dataclasses.fields(TrainConfig):
        for stop in f.metadata["show"].ladder:
            value = (stop,) if f.metadata["kind"] is tuple else stop
            TrainConfig(**{f.name: value})  # raises if a stop were out of range
    assert WIDTHS[-1] == MAX_UNITS and ALPHAS[0] == 0.0


def test_groups_and_conditional_controls():
    groups = field_groups()
    assert list(groups) == ["data", "network", "training"]
    assert sum(map(len, groups.values())) == len(dataclasses.fields(TrainConfig))
    names = lambda config: [c.name for c in controls(config)]  # noqa: E731
    assert "leaky_slope" not in names(TrainConfig())
    assert "leaky_slope" in names(TrainConfig(activation="leaky_relu"))
    assert "n_classes" not in names(TrainConfig())
    assert all("n_classes" in names(TrainConfig(dataset=d)) for d in CLASS_DATASETS)
    assert "standardize" not in names(TrainConfig())  # set by links and code only
    loss = [c for c in controls(TrainConfig(dataset="sine")) if c.name == "loss"][0]
    assert "log_loss" not in loss.options


def test_a_new_field_gets_a_control_without_interface_code():
    """A field declared under the Network heading, with choices and nothing else,
    becomes a select box in the network group (the declaration is all it takes)."""
    from core.config import Show, _spec

    Extended = dataclasses.make_dataclass(
        "Extended",
        [
            ("dataset", str, _spec("moons", choices=("moons",), show=Show(group="data"))),
            ("activation", str, _spec("relu", choices=("relu",), show=Show(group="network"))),
            ("init", str, _spec("auto", choices=("auto", "he_normal"))),
            ("seed", int, _spec(0, lo=0, hi=9, show=Show(group="training"))),
        ],
        frozen=True,
    )
    init = [c for c in controls(Extended()) if c.name == "init"][0]
    assert (init.widget, init.group, init.options) == ("select", "network", ("auto", "he_normal"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_control_has_its_label_in_both_languages(lang):
    """Labels come from config.<field> (the hidden layers: config.depth and config.width);
    a field added without its two translation lines fails here."""
    from core.gradient_flow import FlowSettings

    texts = strings(lang)
    for declared in (TrainConfig(activation="leaky_relu", dataset="blobs"), FlowSettings()):
        for control in controls(declared):
            names = ("depth", "width") if control.widget == "layers" else (control.name,)
            if control.name == "activations":
                continue  # the gradient page's own label (gradients.activations)
            for name in names:
                assert f"config.{name}" in texts, (lang, name)
