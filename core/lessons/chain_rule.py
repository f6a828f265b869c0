"""G3, G27, G30: one sample's gradient worked out by hand with the chain rule, layer by
layer, equals the engine's back-propagation and a finite-difference estimate."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.charts.palette import variant_colour
from core.diagnostics import at_initialisation
from core.lessons import base
from core.lessons.present import WIDE
from core.training import build_estimator, dataset_for


def by_hand(coefs, intercepts, x: np.ndarray, y: float):
    """Forward and backward for a tanh network with one sigmoid output under log-loss,
    written out: returns (loss, per-layer dL/dW, per-layer dL/dz)."""
    inputs, a = [], x
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        inputs.append(a)
        z = a @ W + b
        a = np.tanh(z) if i < len(coefs) - 1 else 1.0 / (1.0 + np.exp(-z))
    p = a
    loss = float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).sum())
    delta = p - y  # G30: the first gradient, dL/dz of the output (sigmoid + log-loss)
    grads: list[np.ndarray] = [np.empty(0)] * len(coefs)
    deltas: list[np.ndarray] = [np.empty(0)] * len(coefs)
    for i in range(len(coefs) - 1, -1, -1):
        deltas[i] = delta
        grads[i] = np.outer(inputs[i], delta)  # G27: layer input times the layer's dL/dz
        if i:
            # Back through the weights, times tanh'(z) = 1 - tanh(z)^2 (G10).
            delta = (delta @ coefs[i].T) * (1.0 - inputs[i] ** 2)
    return loss, grads, deltas


def engine_gradients(model, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
    """dL/dW of every layer from the engine's own back-propagation (core.mlp)."""
    n_layers = model.n_layers_
    activations = [X] + [None] * (n_layers - 1)
    deltas = [None] * (n_layers - 1)
    coef_grads = [np.empty_like(W) for W in model.coefs_]
    intercept_grads = [np.empty_like(b) for b in model.intercepts_]
    _, coef_grads, _ = model._backprop(X, Y, None, activations, deltas, coef_grads, intercept_grads)
    return coef_grads


def numeric_gradients(model, X: np.ndarray, Y: np.ndarray, step: float) -> list[np.ndarray]:
    from core.mlp import output_loss  # the engine, in the worker that runs the lesson

    """Central differences of the engine's loss, one weight at a time."""

    def loss() -> float:
        out = model._forward_pass_fast(X, check_input=False)
        return output_loss(Y, out, model.out_activation_, model.loss_function_)

    grads = []
    for W in model.coefs_:
        g = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            keep = W[idx]
            W[idx] = keep + step
            up = loss()
            W[idx] = keep - step
            down = loss()
            W[idx] = keep
            g[idx] = (up - down) / (2 * step)
        grads.append(g)
    return grads


def lesson_chain_rule() -> base.LessonResult:
    from core.mlp import target_matrix  # the engine, in the worker that runs the lesson

    spec = base.experiment("chain_rule")
    config = base.config_of(spec["base"])
    data = dataset_for(config)
    model = at_initialisation(build_estimator(config, data.task), data.X_train, data.y_train)
    X = data.X_train[spec["sample"] : spec["sample"] + 1]
    Y = target_matrix(model, data.y_train[spec["sample"] : spec["sample"] + 1])
    loss, hand, deltas = by_hand(model.coefs_, model.intercepts_, X[0], float(Y[0, 0]))
    engine = engine_gradients(model, X, Y)
    numeric = numeric_gradients(model, X, Y, spec["step"])
    engine_gap = max(float(np.abs(h - e).max()) for h, e in zip(hand, engine))
    numeric_gap = max(float(np.abs(h - n).max()) for h, n in zip(hand, numeric))
    table = pd.DataFrame(
        [
            dict(
                layer=i + 1,
                delta_norm=float(np.linalg.norm(deltas[i])),
                hand_norm=float(np.linalg.norm(hand[i])),
                engine_norm=float(np.linalg.norm(engine[i])),
                numeric_norm=float(np.linalg.norm(numeric[i])),
                largest_gap=float(np.abs(hand[i] - engine[i]).max()),
            )
            for i in range(len(hand))
        ]
    )
    checks = [
        base.Check(
            "engine",
            ("G27", "G30"),
            base.equal_verdict(engine_gap, 0.0, spec["engine_tol"]),
            dict(
                error=base.sci(engine_gap),
                start=base.num(float(deltas[-1][0]), 4),
                weights=str(sum(W.size for W in model.coefs_)),
                layers=str(len(hand)),
            ),
        ),
        base.Check(
            "numeric",
            ("G3",),
            base.equal_verdict(numeric_gap, 0.0, spec["numeric_tol"]),
            dict(error=base.sci(numeric_gap), step=f"{spec['step']:g}"),
        ),
    ]
    measurements = dict(
        loss=loss,
        engine_gap=engine_gap,
        numeric_gap=numeric_gap,
        output_delta=float(deltas[-1][0]),
        **{f"grad_norm.layer{i + 1}": float(np.linalg.norm(g)) for i, g in enumerate(hand)},
    )
    return base.LessonResult("chain_rule", ("G3", "G27", "G30"), measurements, checks, table)


# --- charts ---------------------------------------------------------------------------------


def gradient_bars(result: base.LessonResult, text: base.Text) -> alt.TopLevelMixin:
    t = result.table
    long = pd.concat(
        [
            pd.DataFrame(
                {"layer": t.layer, "norm": t[column], "how": text(f"lessons.chart.{column}")}
            )
            for column in ("hand_norm", "engine_norm", "numeric_norm")
        ],
        ignore_index=True,
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("layer:O", title=text("lessons.chart.layer")),
            yOffset=alt.YOffset("how:N", sort=None),
            x=alt.X("norm:Q", title=text("lessons.chart.grad_norm")),
            color=alt.Color(
                "how:N",
                sort=None,
                scale=alt.Scale(range=[variant_colour(i) for i in range(3)]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["layer:O", "how:N", alt.Tooltip("norm:Q", format=".6e")],
        )
        .properties(width=WIDE, height=60 * len(t) + 40, title=text("lessons.chart.chain_rule"))
    )


base.register(
    base.Lesson(
        "chain_rule",
        lesson_chain_rule,
        lambda r, text: [("lesson-chain_rule", gradient_bars(r, text))],
        formats={
            "layer": "{:d}".format,
            "delta_norm": "{:.6e}".format,
            "hand_norm": "{:.6e}".format,
            "engine_norm": "{:.6e}".format,
            "numeric_norm": "{:.6e}".format,
            "largest_gap": "{:.1e}".format,
        },
    )
)
