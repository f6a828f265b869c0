"""The Compare page's helpers: variant names in the interface language, the kept
choices, the cached comparison run and the grid of decision surfaces."""

from __future__ import annotations

from urllib.parse import parse_qsl

import streamlit as st

from core import compare as cmp
from core.charts.compare import small_multiple
from core.charts.run import output_chart
from core.config import MAX_TRAIN_SECONDS, TrainConfig
from ui.config_ui import activation_label
from ui.i18n import t
from ui.state import kept
from ui.widgets import draw, many

SURFACE_SIZE = 220  # pixels: four surfaces fit across a wide page


def activation_text(name: str, task: str) -> str:
    """An activation's name; a softmax output on two classes says it has two units."""
    two_units = (name, task) == ("softmax", "binary")
    return t("compare.softmax_two") if two_units else activation_label(name)


def loss_text(name: str) -> str:
    return t(f"compare.loss_short.{name}")


def pair_label(pair: str, task: str) -> str:
    """An output pair "activation+loss", marked when it is the task's standard one."""
    out, loss = pair.split("+")
    standard = f" ({t('compare.standard')})" if cmp.is_standard_pair(task, out, loss) else ""
    return f"{activation_text(out, task)} + {loss_text(loss)}{standard}"


def init_text(name: str) -> str:
    return t(f"config.init_name.{name}")


def variant_labels(result: cmp.ComparisonResult) -> dict[str, str]:
    """Each compared variant's name, by variant id."""
    return {
        v.id: cmp.variant_label(v, lambda n: activation_text(n, result.task), loss_text, init_text)
        for v in result.variants
    }


def kept_choice(name: str, default, options=None) -> dict:
    """A control whose value survives page switches; kept choices no longer offered
    (output pairs of another task, after a dataset change) are dropped."""
    clean = None if options is None else (lambda value: [v for v in value if v in options])
    return kept(f"w.compare.{name}", default, name=f"compare.{name}", clean=clean)


@st.cache_data(show_spinner=False, max_entries=24)
def run_comparison(query: str, variant_ids: tuple[str, ...], seeds: tuple[int, ...], _text: str):
    """Every variant with every seed, in the training workers, with a progress bar;
    cached by the base experiment's query string, the variants and the seeds."""
    config, _ = TrainConfig.from_query(dict(parse_qsl(query, keep_blank_values=True)), strict=True)
    return compare_with_progress(config, variant_ids, seeds, _text)


def compare_with_progress(
    config: TrainConfig,
    variant_ids: tuple[str, ...],
    seeds: tuple[int, ...],
    text: str,
    *,
    time_budget: float = MAX_TRAIN_SECONDS,
    dataset=None,
) -> cmp.ComparisonResult:
    """``core.compare.compare`` in the training workers under a progress bar whose
    ``text`` may name {done} and {total} runs; the bar goes when the runs end."""
    bar = st.progress(0.0, text=text.format(done=0, total=len(variant_ids) * len(seeds)))

    def progress(done: int, n: int) -> None:
        bar.progress(done / n, text.format(done=done, total=n))

    try:
        return cmp.compare(
            config,
            [cmp.Variant.from_id(v) for v in variant_ids],
            seeds,
            progress,
            dataset=dataset,
            time_budget=time_budget,
            in_workers=True,
        )
    finally:
        bar.empty()


def show_surfaces(result: cmp.ComparisonResult, labels: dict[str, str]) -> None:
    """The first seed's decision surface of each variant, up to four a row."""
    cols = st.columns(min(len(result.variants), 4))
    for i, variant in enumerate(result.variants):
        values, grid, model = result.surface(variant)
        with cols[i % len(cols)], st.container(key=f"compare-surface-{i}"):
            st.altair_chart(
                small_multiple(
                    output_chart(
                        values,
                        result.dataset,
                        grid,
                        model=model,
                        title=labels[variant.id],
                        size=SURFACE_SIZE,
                    )
                ),
                theme=None,
                width="content",
            )


def comparison_controls(base: TrainConfig) -> tuple[tuple[cmp.Variant, ...], int, float]:
    """Hidden activations, output pairs and initialisations to cross, the number of
    seeds and the target loss; returns the variants, the seed count and the target."""
    pair_options = ["+".join(p) for p in cmp.output_pairs(base.task)]
    left, middle, right, far = st.columns([2, 2, 1, 1])
    activations = many(base, "activation")  # the Playground's choices, as a multiselect
    hidden = draw(
        activations,
        container=left,
        label_text=t("compare.hidden"),
        format_func=lambda name: activation_text(name, base.task),
        help=t("compare.hidden_help"),
        placeholder=t("compare.choose"),
        **kept_choice("hidden", ["relu", "tanh", "logistic"], activations.options),
    )
    pairs = middle.multiselect(
        t("compare.pairs"),
        pair_options,
        format_func=lambda pair: pair_label(pair, base.task),
        help=t("compare.pairs_help"),
        placeholder=t("compare.choose"),
        **kept_choice("pairs", [], pair_options),
    )
    n_seeds = right.number_input(
        t("compare.seeds"),
        cmp.MIN_SEEDS,
        cmp.MAX_SEEDS,
        help=t("compare.seeds_help"),
        **kept_choice("seeds", cmp.DEFAULT_SEEDS),
    )
    target = far.number_input(
        t("compare.target"),
        0.0,
        1000.0,
        step=0.01,
        format="%.4f",
        help=t("compare.target_help"),
        **kept_choice("target", 0.0),
    )

    schemes = many(base, "init")  # activation x initialisation, as a multiselect
    inits = draw(
        schemes,
        label_text=t("compare.inits"),
        format_func=init_text,
        help=t("compare.inits_help"),
        placeholder=t("compare.choose"),
        **kept_choice("inits", [], schemes.options),
    )
    variants = cmp.make_variants(hidden, [(a, o) for a, o in (p.split("+") for p in pairs)], inits)
    return variants, int(n_seeds), float(target)
