"""G8, G28: the gradient reaching a sigmoid network's first layer shrinks with depth."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.diagnostics import at_initialisation, gradient_norms
from core.lessons import base
from core.lessons.present import activation_scale, label, ratio_by_depth
from core.rules import vanished_gradient_ratio
from core.training import build_estimator, dataset_for


def depth_verdict(crossing: int | None, article_depth: int) -> str:
    """Where the gradient ratio first fell below the threshold vs the article's depth."""
    if crossing is None:
        return "fails"
    return "holds" if crossing <= article_depth else "nuance"


def others_verdict(smallest: list[float], threshold: float) -> str:
    """The other activations' smallest ratios at any depth: all above the threshold
    holds, none above fails, some above is a nuance."""
    kept = [v >= threshold for v in smallest]
    return "holds" if all(kept) else "fails" if not any(kept) else "nuance"


def slower_verdict(update_ratios: dict[str, float], threshold: float) -> str:
    """ "At least 100 times more slowly", per optimiser: the first layer's relative
    weight change over the last's. Holds when it is below the threshold for every
    optimiser, fails when for none, nuance otherwise."""
    slow = [v < threshold for v in update_ratios.values()]
    return "holds" if all(slow) else "fails" if not any(slow) else "nuance"


def vanished() -> float:
    """The share of the last layer's gradient below which the first layer's has vanished."""
    return vanished_gradient_ratio()


def gradient_ratios(
    activation: str, depths, seeds, settings: dict, width: int, scale: float = 1.0
) -> np.ndarray:
    """Geometric mean over seeds of |dL/dW_first| / |dL/dW_last| at initialisation;
    ``scale`` multiplies the drawn weights (not the biases)."""
    data = dataset_for(base.config_of(settings))
    out = []
    for depth in depths:
        logs = []
        for seed in seeds:
            config = base.config_of(
                settings,
                activation=activation,
                seed=seed,
                hidden_layers=",".join([str(width)] * depth),
            )
            model = at_initialisation(
                build_estimator(config, data.task), data.X_train, data.y_train
            )
            model.coefs_ = [w * scale for w in model.coefs_]
            norms = gradient_norms(model, data.X_train, data.y_train)
            logs.append(np.log(norms[0] / norms[-1]))
        out.append(float(np.exp(np.mean(logs))))
    return np.array(out)


def update_ratios(spec: dict) -> dict[str, float]:
    """Per optimiser: how far the first weight layer moved, relative to its size, over
    how far the last one moved, after a few epochs of a deep sigmoid network
    (geometric mean over seeds). Under plain SGD a step is the gradient times the
    learning rate, so this follows the gradient ratio; Adam divides each weight's step
    by its own gradient's running size."""
    data = dataset_for(base.config_of(spec["base"]))
    out = {}
    for solver, rate in spec["solvers"].items():
        logs = []
        for seed in spec["seeds"]:
            config = base.config_of(
                spec["base"],
                solver=solver,
                learning_rate=rate,
                seed=seed,
                epochs=spec["epochs"],
                hidden_layers=",".join([str(spec["width"])] * spec["depth"]),
            )
            start = at_initialisation(
                build_estimator(config, data.task), data.X_train, data.y_train
            )
            model, _ = base.fit(config, data)
            moved = [
                np.linalg.norm(w1 - w0) / np.linalg.norm(w0)
                for w0, w1 in zip(start.coefs_, model.coefs_)
            ]
            logs.append(np.log(moved[0] / moved[-1]))
        out[solver] = float(np.exp(np.mean(logs)))
    return out


def lesson_depth() -> base.LessonResult:
    """G8, G28: first/last layer gradient ratio at initialisation for depths 2..10."""
    spec = base.experiment("depth")
    depths, threshold = list(spec["depths"]), vanished()
    ratios = {
        a: gradient_ratios(a, depths, spec["seeds"], spec["base"], spec["width"])
        for a in spec["activations"]
    }
    table = pd.DataFrame({"depth": depths, **ratios})
    sig = ratios["logistic"]
    below = np.flatnonzero(sig < threshold)
    crossing = depths[below[0]] if below.size else None
    article = spec["article_depth"]
    vanish = depth_verdict(crossing, article)
    slope = float(np.polyfit(depths, np.log10(sig), 1)[0])  # decades per layer
    decays = "holds" if slope < 0 and sig[-1] < sig[0] else "fails"
    others = {a: float(r.min()) for a, r in ratios.items() if a != "logistic"}
    others_ok = others_verdict(list(others.values()), threshold)
    updates = update_ratios(spec["slower"])
    slower = slower_verdict(updates, threshold)
    at_article = float(sig[depths.index(article)]) if article in depths else float("nan")
    checks = [
        base.Check(
            "vanish" if crossing is not None else "vanish_never",
            ("G8",),
            vanish,
            dict(
                threshold=base.pct(threshold),
                depth=str(crossing),
                article=str(article),
                ratio=base.sci(sig[below[0]]) if below.size else "–",
                at_article=base.sci(at_article),
                max_depth=str(depths[-1]),
            ),
        ),
        base.Check(
            "decay",
            ("G28",),
            decays,
            dict(
                factor=f"{10**slope:.2f}",
                first=base.sci(sig[0]),
                last=base.sci(sig[-1]),
                d0=str(depths[0]),
                d1=str(depths[-1]),
            ),
        ),
        base.Check(
            "others",
            ("G28",),
            others_ok,
            dict(
                tanh=base.sci(others.get("tanh", np.nan)),
                relu=base.sci(others.get("relu", np.nan)),
                threshold=base.pct(threshold),
            ),
        ),
        base.Check(
            "slower",
            ("G28",),
            slower,
            dict(
                depth=str(spec["slower"]["depth"]),
                epochs=str(spec["slower"]["epochs"]),
                sgd=base.sci(updates["sgd"]),
                adam=base.sci(updates["adam"]),
                threshold=base.pct(threshold),
            ),
        ),
    ]
    measurements = dict(
        crossing_depth=float(crossing) if crossing is not None else np.nan,
        decades_per_layer=slope,
        sigmoid_at_article_depth=at_article,
        **{f"update_ratio.{solver}": v for solver, v in updates.items()},
        **{f"{a}.min_ratio": float(r.min()) for a, r in ratios.items()},
    )
    return base.LessonResult(
        "depth",
        ("G8", "G28"),
        measurements,
        checks,
        table,
        dict(threshold=threshold, article=article),
    )


# --- charts ---------------------------------------------------------------------------------


def depth(result: base.LessonResult, text: base.Text) -> alt.TopLevelMixin:
    table = result.table
    names = [c for c in table.columns if c != "depth"]
    long = label(table.melt("depth", names, var_name="activation", value_name="ratio"), text)
    return ratio_by_depth(long, result, text, activation_scale(names, text), "depth")


base.register(base.ratio_by_depth_lesson("depth", lesson_depth, depth, "common.activation.{}"))
