"""The rules file (``data/rules.yaml``): loading, validation and typed access.

One file drives the Rules page, the Design wizard (``core.advice``) and the Lessons
page. ``load_rules()`` reads and checks it once (cached); every schema problem raises a
``ValueError`` that names the rule and the field, so a bad edit fails at start-up and in
the tests rather than on a student's screen. Pure Python: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from core.config import ConfigError, TrainConfig
from core.vocabulary import LOSSES, TASKS

# The engine's weight initialisations, as the config's ``init`` field offers them.
INITS: tuple[str, ...] = TrainConfig.__dataclass_fields__["init"].metadata["choices"]

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "rules.yaml"

SYMPTOMS = (
    "dead_units",
    "vanishing_gradients",
    "saturation",
    "slow_convergence",
    "diverging",
    "underfitting",
)
SCOPES = ("hidden", "init", "output", "loss", "process")
ACTIONS = ("lower_learning_rate", "train_longer", "more_capacity", "normalise_or_residual")
TARGET_RANGES = ("any", "positive", "unit_interval")
UNITS = ("one", "per_class", "per_label")
LANGUAGES = ("en", "zh")
ARTICLE_GUIDANCE = tuple(f"G{i}" for i in range(1, 31))
PRACTICE_GUIDANCE = tuple(f"M{i}" for i in range(1, 13))  # practice beyond the article

# The numbers each symptom's threshold needs, with their allowed ranges.
THRESHOLD_FIELDS: dict[str, dict[str, tuple[float, float]]] = {
    "dead_units": {"min_dead_fraction": (0.0, 1.0)},
    "vanishing_gradients": {"max_gradient_ratio": (0.0, 1.0)},
    "saturation": {"min_flat_fraction": (0.0, 1.0)},
    "slow_convergence": {"min_loss_ratio": (0.0, 10.0), "min_late_drop": (0.0, 1.0)},
    "diverging": {},
    "underfitting": {"min_accuracy": (0.0, 1.0), "min_r2": (-1.0, 1.0)},
}
WHEN_KEYS = (
    "tasks",
    "symptoms",
    "current_hidden",
    "init_matched",
    "target_ranges",
    "min_layers",
    "max_layers",
    "min_classes",
    "max_classes",
)
RECOMMEND_KEYS = ("hidden", "init", "output", "units", "loss", "actions")
ALTERNATIVE_SLOTS = ("hidden", "init", "output", "loss")
RULE_KEYS = (
    "id",
    "title",
    "scope",
    "guidance",
    "when",
    "recommend",
    "why",
    "alternatives",
    "demo",
    "contrast",
    "evidence",
)
REQUIRED = ("id", "title", "scope", "guidance", "when", "recommend", "why")
SCOPE_SLOT = {
    "hidden": "hidden",
    "init": "init",
    "output": "output",
    "loss": "loss",
    "process": "actions",
}
ID_PATTERN = re.compile(r"R-[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Alternative:
    """A choice users are tempted by, as the slots it changes (others: the recommendation's)."""

    changes: Mapping[str, str | None]  # hidden / init / output / loss -> engine name
    priority: int
    why: Mapping[str, str]  # en / zh


@dataclass(frozen=True)
class Rule:
    id: str
    title: Mapping[str, str]
    scope: str
    guidance: tuple[str, ...]
    when: Mapping[str, Any]
    recommend: Mapping[str, Any]
    why: Mapping[str, str]
    alternatives: tuple[Alternative, ...]
    demo: Mapping[str, str] | None  # TrainConfig query string; None: no built-in data shows it
    contrast: Mapping[str, str] | None
    # The rule fires only where the evidence table shows its hidden activation beating
    # this one past the seed noise (core.advice decides; None: no such gate).
    evidence_beats: str | None = None

    def demo_config(self) -> TrainConfig | None:
        if self.demo is None:
            return None
        return TrainConfig.from_query(dict(self.demo), strict=True)[0]

    def contrast_config(self) -> TrainConfig | None:
        if self.contrast is None:
            return None
        return TrainConfig.from_query(dict(self.contrast), strict=True)[0]


@dataclass(frozen=True)
class InitFamily:
    """One initialisation scheme and the activations it is derived for (GUIDANCE M1)."""

    name: str  # he | glorot | lecun
    inits: tuple[str, ...]  # engine names counted as this scheme; the first is recommended
    activations: tuple[str, ...]


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[Rule, ...]
    thresholds: Mapping[str, Mapping[str, Any]]
    beyond: tuple[str, ...]  # guidance ids beyond the article
    init_families: tuple[InitFamily, ...] = ()

    def init_family(self, activation: str) -> InitFamily:
        """The initialisation scheme derived for ``activation`` (a hidden activation)."""
        for family in self.init_families:
            if activation in family.activations:
                return family
        raise KeyError(f"no initialisation is matched to {activation!r} in the rules file")

    def matched_init(self, activation: str) -> str:
        """The engine name of the initialisation to use with ``activation``."""
        return self.init_family(activation).inits[0]

    def init_matches(self, activation: str, init: str) -> bool:
        """True when ``init`` is the scheme derived for ``activation``."""
        return init in self.init_family(activation).inits

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no rule {rule_id!r}; known: {', '.join(r.id for r in self.rules)}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)

    def by_scope(self) -> dict[str, list[Rule]]:
        """Rules grouped by scope, scopes in SCOPES order, file order within a scope."""
        return {scope: [r for r in self.rules if r.scope == scope] for scope in SCOPES}

    @property
    def guidance_ids(self) -> tuple[str, ...]:
        """Every guidance id some rule cites, in G1..G30, M1..M12, then file order."""
        cited = {g for r in self.rules for g in r.guidance}
        return tuple(g for g in ARTICLE_GUIDANCE + PRACTICE_GUIDANCE + self.beyond if g in cited)


# --- loading ---------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_rules(path: str | Path = RULES_FILE) -> RuleBook:
    """The rules file, checked. Cached per path (the file is data shipped with the app)."""
    with open(path, encoding="utf-8") as fh:
        try:
            raw = yaml.safe_load(fh)
        except yaml.YAMLError as err:
            raise ValueError(f"rules file {Path(path).name}: not valid YAML ({err})") from None
    return parse_rules(raw)


def rules() -> tuple[Rule, ...]:
    return load_rules().rules


def get_rule(rule_id: str) -> Rule:
    return load_rules().rule(rule_id)


def thresholds() -> Mapping[str, Mapping[str, Any]]:
    return load_rules().thresholds


def vanished_gradient_ratio() -> float:
    """The one definition of a "vanished" gradient: the first weight layer's gradient norm
    over the last layer's at or below this. The advice's symptom, the Gradient flow page
    and the lessons all read it here (``thresholds.vanishing_gradients`` in the file)."""
    return float(load_rules().thresholds["vanishing_gradients"]["max_gradient_ratio"])


# --- validation ------------------------------------------------------------------------------


def _fail(where: str, field: str, message: str):
    raise ValueError(f"rules file: {where}, field {field!r}: {message}")


def _text(where: str, field: str, value) -> Mapping[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        _fail(where, field, f"needs exactly the languages {', '.join(LANGUAGES)}")
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            _fail(where, field, f"the {lang} text is empty")
    return MappingProxyType({k: " ".join(v.split()) for k, v in value.items()})


def _names(where: str, field: str, value, allowed, *, allow_null=False) -> tuple:
    if not isinstance(value, list) or not value:
        _fail(where, field, "needs a non-empty list")
    for item in value:
        if item is None and allow_null:
            continue
        if item not in allowed:
            _fail(where, field, f"{item!r} is not one of {', '.join(map(str, allowed))}")
    if len(set(value)) != len(value):
        _fail(where, field, "lists a value twice")
    return tuple(value)


def _count(where: str, field: str, value, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        _fail(where, field, f"needs a whole number >= {lo}, got {value!r}")
    return value


def _query(where: str, field: str, value) -> Mapping[str, str]:
    if not isinstance(value, dict) or not value:
        _fail(where, field, "needs a TrainConfig query string (a mapping of fields to strings)")
    query = {}
    for key, item in value.items():
        if key not in TrainConfig.__dataclass_fields__:
            _fail(where, field, f"{key!r} is not a TrainConfig field")
        if not isinstance(item, str):
            _fail(where, field, f"{key}: write the value as a string (as in a URL), got {item!r}")
        query[key] = item
    try:
        TrainConfig.from_query(query, strict=True)
    except ConfigError as err:
        _fail(where, field, f"not a valid experiment ({err})")
    return MappingProxyType(query)


def _when(where: str, value) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        _fail(where, "when", "needs a mapping (an empty one means always)")
    out: dict[str, Any] = {}
    for key, item in value.items():
        field = f"when.{key}"
        if key == "tasks":
            out[key] = _names(where, field, item, TASKS)
        elif key == "symptoms":
            out[key] = _names(where, field, item, SYMPTOMS)
        elif key == "current_hidden":
            out[key] = _names(where, field, item, HIDDEN_ACTIVATIONS, allow_null=True)
        elif key == "target_ranges":
            out[key] = _names(where, field, item, TARGET_RANGES)
        elif key == "init_matched":
            if not isinstance(item, bool):
                _fail(where, field, f"needs true or false, got {item!r}")
            out[key] = item
        elif key in ("min_layers", "max_layers"):
            out[key] = _count(where, field, item, 0)
        elif key in ("min_classes", "max_classes"):
            out[key] = _count(where, field, item, 2)
        else:
            _fail(where, field, f"unknown condition; use {', '.join(WHEN_KEYS)}")
    return MappingProxyType(out)


def _slot(where: str, field: str, slot: str, value, *, canonical_ok: bool):
    if slot == "hidden" and value is None and canonical_ok:
        return None  # null: no hidden activation (a network without hidden layers, M11)
    allowed = {
        "hidden": HIDDEN_ACTIVATIONS,
        "init": INITS + (("matched",) if canonical_ok else ()),
        "output": OUTPUT_ACTIVATIONS,
        "units": UNITS,
        "loss": LOSSES + (("canonical",) if canonical_ok else ()),
    }[slot]
    if value not in allowed:
        _fail(where, field, f"{value!r} is not one of {', '.join(map(str, allowed))}")
    return value


def _recommend(where: str, scope: str, value) -> Mapping[str, Any]:
    if not isinstance(value, dict) or not value:
        _fail(
            where, "recommend", "needs a mapping with at least one of " + ", ".join(RECOMMEND_KEYS)
        )
    out: dict[str, Any] = {}
    for key, item in value.items():
        field = f"recommend.{key}"
        if key == "actions":
            out[key] = _names(where, field, item, ACTIONS)
        elif key in RECOMMEND_KEYS:
            out[key] = _slot(where, field, key, item, canonical_ok=True)
        else:
            _fail(where, field, f"unknown slot; use {', '.join(RECOMMEND_KEYS)}")
    if SCOPE_SLOT[scope] not in out:
        _fail(where, "recommend", f"a {scope} rule must set {SCOPE_SLOT[scope]!r}")
    if "output" in out and "units" not in out:
        _fail(where, "recommend.units", "an output recommendation says how many units")
    return MappingProxyType(out)


def _alternatives(where: str, value) -> tuple[Alternative, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        _fail(where, "alternatives", "needs a list")
    out = []
    for i, item in enumerate(value):
        field = f"alternatives[{i}]"
        if not isinstance(item, dict):
            _fail(where, field, "needs a mapping")
        unknown = set(item) - set(ALTERNATIVE_SLOTS) - {"priority", "why"}
        if unknown:
            _fail(where, field, f"unknown keys {sorted(unknown)}")
        changes = {
            k: _slot(where, f"{field}.{k}", k, item[k], canonical_ok=False)
            for k in ALTERNATIVE_SLOTS
            if k in item
        }
        if not changes:
            _fail(where, field, "changes nothing (set hidden, init, output or loss)")
        priority = _count(where, f"{field}.priority", item.get("priority"), 0)
        out.append(
            Alternative(
                MappingProxyType(changes), priority, _text(where, f"{field}.why", item.get("why"))
            )
        )
    return tuple(out)


def _rule(raw, index: int, known_guidance: set[str]) -> Rule:
    where = f"rule #{index + 1}"
    if not isinstance(raw, dict):
        _fail(where, "(entry)", "each rule is a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not ID_PATTERN.fullmatch(rule_id):
        _fail(where, "id", f"{rule_id!r} is not an id like R-hidden-relu")
    where = f"rule {rule_id!r}"
    for key in REQUIRED:
        if key not in raw:
            _fail(where, key, "is missing")
    unknown = set(raw) - set(RULE_KEYS)
    if unknown:
        _fail(where, sorted(unknown)[0], "is not a rule field")
    scope = raw["scope"]
    if scope not in SCOPES:
        _fail(where, "scope", f"{scope!r} is not one of {', '.join(SCOPES)}")
    guidance = _names(where, "guidance", raw["guidance"], sorted(known_guidance))
    demo = _query(where, "demo", raw["demo"]) if raw.get("demo") is not None else None
    if demo is None and raw.get("contrast") is not None:
        _fail(where, "contrast", "needs a demo to contrast with")
    contrast = (
        _query(where, "contrast", raw["contrast"]) if raw.get("contrast") is not None else None
    )
    if contrast is not None and demo is not None and dict(contrast) == dict(demo):
        _fail(where, "contrast", "is the same experiment as the demo")
    recommend = _recommend(where, scope, raw["recommend"])
    evidence = raw.get("evidence")
    beats = None
    if evidence is not None:
        if not isinstance(evidence, dict) or set(evidence) != {"beats"}:
            _fail(where, "evidence", "needs exactly {beats: <hidden activation>}")
        beats = _slot(where, "evidence.beats", "hidden", evidence["beats"], canonical_ok=False)
        if recommend.get("hidden") in (None, beats):
            _fail(where, "evidence", "gates a rule that recommends another hidden activation")
    return Rule(
        id=rule_id,
        title=_text(where, "title", raw["title"]),
        scope=scope,
        guidance=guidance,
        when=_when(where, raw["when"]),
        recommend=recommend,
        why=_text(where, "why", raw["why"]),
        alternatives=_alternatives(where, raw.get("alternatives")),
        demo=demo,
        contrast=contrast,
        evidence_beats=beats,
    )


def _thresholds(value) -> Mapping[str, Mapping[str, Any]]:
    where = "thresholds"
    if not isinstance(value, dict) or set(value) != set(SYMPTOMS):
        _fail(where, "thresholds", f"needs exactly the symptoms {', '.join(SYMPTOMS)}")
    out = {}
    for symptom, fields in THRESHOLD_FIELDS.items():
        given = value[symptom] or {}
        if not isinstance(given, dict):
            _fail(where, symptom, "needs a mapping")
        checked: dict[str, Any] = {}
        for name, (lo, hi) in fields.items():
            number = given.get(name)
            if (
                isinstance(number, bool)
                or not isinstance(number, (int, float))
                or not lo <= number <= hi
            ):
                _fail(where, f"{symptom}.{name}", f"needs a number in [{lo}, {hi}], got {number!r}")
            checked[name] = float(number)  # type: ignore[arg-type]  # a number, checked above
        extra = set(given) - set(fields) - ({"stop_reason"} if symptom == "diverging" else set())
        if extra:
            _fail(where, f"{symptom}.{sorted(extra)[0]}", "is not a threshold of this symptom")
        if symptom == "diverging":
            checked["stop_reason"] = given.get("stop_reason", "diverged")
            if checked["stop_reason"] != "diverged":
                _fail(where, "diverging.stop_reason", "only 'diverged' is a stop reason for this")
        out[symptom] = MappingProxyType(checked)
    return MappingProxyType(out)


def _init_families(value) -> tuple[InitFamily, ...]:
    where = "matched_init"
    if not isinstance(value, dict) or not value:
        _fail(where, "matched_init", "needs a mapping of scheme -> {inits, activations}")
    families: list[InitFamily] = []
    covered: list[str] = []
    for name, entry in value.items():
        if not isinstance(entry, dict) or set(entry) != {"inits", "activations"}:
            _fail(where, str(name), "needs exactly the keys inits and activations")
        inits = _names(where, f"{name}.inits", entry["inits"], INITS)
        if inits[0] == "auto":
            _fail(where, f"{name}.inits", "recommend a named scheme first, not 'auto'")
        acts = _names(where, f"{name}.activations", entry["activations"], HIDDEN_ACTIVATIONS)
        covered += acts
        families.append(InitFamily(str(name), inits, acts))
    missing = [a for a in HIDDEN_ACTIVATIONS if a not in covered]
    if missing or len(covered) != len(set(covered)):
        _fail(
            where,
            "activations",
            f"every hidden activation needs exactly one scheme (missing: {', '.join(missing)})",
        )
    return tuple(families)


def parse_rules(raw) -> RuleBook:
    """Check a loaded rules document and build the ``RuleBook`` (raises ValueError)."""
    if not isinstance(raw, dict):
        raise ValueError("rules file: the top level must be a mapping")
    if raw.get("version") != 1:
        raise ValueError("rules file: field 'version': only version 1 is understood")
    beyond = raw.get("beyond") or []
    if not isinstance(beyond, list) or not all(
        isinstance(b, str) and b.startswith("B-") for b in beyond
    ):
        raise ValueError("rules file: field 'beyond': a list of ids starting with 'B-'")
    known = set(ARTICLE_GUIDANCE) | set(PRACTICE_GUIDANCE) | set(beyond)
    items = raw.get("rules")
    if not isinstance(items, list) or not items:
        raise ValueError("rules file: field 'rules': needs a non-empty list")
    parsed = [_rule(item, i, known) for i, item in enumerate(items)]
    seen: set[str] = set()
    for rule in parsed:
        if rule.id in seen:
            _fail(f"rule {rule.id!r}", "id", "is used by two rules")
        seen.add(rule.id)
    return RuleBook(
        tuple(parsed),
        _thresholds(raw.get("thresholds")),
        tuple(beyond),
        _init_families(raw.get("matched_init")),
    )
