"""The maths behind the activation explorer: curves, flat zones, values at a point, and
the guidance's numbers checked against the activation functions themselves.

Everything is computed from ``core.activations.ACTIVATIONS`` at call time, so a claim
printed on the page is a measurement, not a copy of the article. Softmax is not
element-wise; the explorer shows its two-class case ``softmax([x, 0])_0``, which equals
``sigmoid(x)`` (its derivative is the Jacobian's diagonal entry ``p (1 - p)``).

"Flat" means the derivative's magnitude is below ``FLAT_FRACTION_OF_PEAK`` (1%) of the
activation's peak derivative, the same definition ``core.diagnostics`` uses for hidden
units (GELU, SiLU and Mish have small negative slopes left of their minimum: those still
pass gradient, so the magnitude counts). Measured here: sigmoid' drops below 1% of its
peak at |x| ~ 5.99 and tanh' at |x| ~ 2.99, i.e. at the article's +-6 and +-3. The
smaller numbers often quoted (4.6 and 2.65) are where the *output* reaches 99% of its
limit, which this module also measures.

The newer activations (GUIDANCE M2-M7) are checked the same way: the GELU, SiLU and
Mish minima are found by minimising the function itself, smoothness at 0 compares the
slopes just left and right of 0, and SELU's fixed point (mean 0, variance 1 for a
standard normal input) is integrated numerically.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.activations import ACTIVATIONS, DEFAULT_LEAKY_SLOPE, HIDDEN_ACTIVATIONS, get_activation
from core.diagnostics import FLAT_FRACTION_OF_PEAK

# SciPy (root finding, integration) is imported where used, and every function here runs
# the activation kernels: the Activation explorer page calls them through a worker
# (core.parallel.run_quick), since the web server never loads scikit-learn or SciPy.

X_RANGE = (-8.0, 8.0)  # the plotted inputs
CURVE_POINTS = 321
_SEARCH = 60.0  # thresholds are searched for in [-_SEARCH, _SEARCH]
_PEAK_GRID = np.linspace(-_SEARCH, _SEARCH, 24001)  # step 0.005; includes 0


# --- evaluating any entry, softmax included ------------------------------------------------
def values(name: str, x, leaky_slope: float = DEFAULT_LEAKY_SLOPE) -> np.ndarray:
    """f(x) element-wise; for softmax, the first output of softmax([x, 0])."""
    act = get_activation(name, leaky_slope)
    x = np.asarray(x, dtype=float).ravel()
    if act.elementwise:
        return act.fn(x)
    return act.fn(np.column_stack([x, np.zeros_like(x)]))[:, 0]


def slopes(name: str, x, leaky_slope: float = DEFAULT_LEAKY_SLOPE) -> np.ndarray:
    """f'(x); for softmax, d softmax([x, 0])_0 / dx = p (1 - p), the Jacobian's diagonal."""
    act = get_activation(name, leaky_slope)
    if act.elementwise:
        return act.derivative(np.asarray(x, dtype=float).ravel())
    p = values(name, x, leaky_slope)
    return p * (1 - p)


def peak_slope(name: str, leaky_slope: float = DEFAULT_LEAKY_SLOPE) -> float:
    """The largest derivative over [-60, 60] (0.25 for sigmoid, 1 for tanh)."""
    return float(slopes(name, _PEAK_GRID, leaky_slope).max())


def flat_threshold(
    name: str,
    side: int = 1,
    fraction: float = FLAT_FRACTION_OF_PEAK,
    leaky_slope: float = DEFAULT_LEAKY_SLOPE,
) -> float | None:
    """The x (on the positive side for side=1, negative for side=-1) beyond which |f'(x)|
    stays below ``fraction`` of its peak: the outermost crossing on a fine grid, refined
    by root-finding on f' itself (GELU's |f'| dips to 0 at its minimum and rises again,
    so the first crossing is not the edge).

    0.0 when the whole half-line is flat (ReLU for x < 0); None when it never gets flat.
    """
    level = fraction * peak_slope(name, leaky_slope)
    grid = side * np.concatenate([[1e-9], _PEAK_GRID[_PEAK_GRID > 0]])
    steep = np.flatnonzero(np.abs(slopes(name, grid, leaky_slope)) >= level)
    if not len(steep):
        return 0.0
    last = steep[-1]
    if last == len(grid) - 1:
        return None
    gap = lambda v: abs(slopes(name, [v], leaky_slope)[0]) - level  # noqa: E731
    from scipy.optimize import brentq

    return float(brentq(gap, grid[last], grid[last + 1], xtol=1e-12))


def output_threshold(name: str, level: float = 0.99) -> float:
    """The x > 0 where f(x) reaches ``level`` (0.99): 4.6 for sigmoid, 2.65 for tanh.
    These are the numbers often quoted for "saturation"; they measure the output, not
    the derivative."""
    from scipy.optimize import brentq

    return float(brentq(lambda v: values(name, [v])[0] - level, 0.0, _SEARCH, xtol=1e-12))


def float64_saturation_point(name: str = "logistic") -> float:
    """The smallest x > 0 (to 1e-9) whose f(x) rounds to exactly the upper limit in
    float64: past it, every input gives the same number."""
    lo, hi = 0.0, 1000.0
    top = values(name, [hi])[0]
    while hi - lo > 1e-9:
        mid = (lo + hi) / 2
        if values(name, [mid])[0] == top:
            hi = mid
        else:
            lo = mid
    return hi


# --- what the charts draw ---------------------------------------------------------------
def curves(
    names, leaky_slope: float = DEFAULT_LEAKY_SLOPE, x_range=X_RANGE, points: int = CURVE_POINTS
) -> pd.DataFrame:
    """Long table: activation, x, f, df (one row per activation and x)."""
    x = np.linspace(x_range[0], x_range[1], points)
    frames = [
        pd.DataFrame(
            {
                "activation": name,
                "x": x,
                "f": values(name, x, leaky_slope),
                "df": slopes(name, x, leaky_slope),
            }
        )
        for name in names
    ]
    columns = ["activation", "x", "f", "df"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def curves_and_zones(names, leaky_slope: float = DEFAULT_LEAKY_SLOPE):
    """``curves`` and ``flat_zones`` of ``names``: what the page draws, in one call."""
    return curves(names, leaky_slope), flat_zones(names, leaky_slope)


def flat_zones(names, leaky_slope: float = DEFAULT_LEAKY_SLOPE, x_range=X_RANGE) -> pd.DataFrame:
    """The flat regions to shade, clipped to the plotted range; a handful of rows.

    source "guidance": from the table entry (|x| > saturates_beyond, or x < 0 when
    flat_below_zero); source "measured": where f' < 1% of its peak, found by
    ``flat_threshold``.
    """
    lo, hi = x_range
    rows = []

    def add(name, source, start, end, edge):
        start, end = max(start, lo), min(end, hi)
        if end > start:
            rows.append(dict(activation=name, source=source, start=start, end=end, edge=edge))

    for name in names:
        act = ACTIVATIONS[name]
        if act.saturates_beyond is not None:
            s = act.saturates_beyond
            add(name, "guidance", -np.inf, -s, -s)
            add(name, "guidance", s, np.inf, s)
        if act.flat_below_zero:
            add(name, "guidance", -np.inf, 0.0, 0.0)
        for side in (-1, 1):
            edge = flat_threshold(name, side, leaky_slope=leaky_slope)
            if edge is None:
                continue
            if side < 0:
                add(name, "measured", -np.inf, edge, edge)
            else:
                add(name, "measured", edge, np.inf, edge)
    return pd.DataFrame(rows, columns=["activation", "source", "start", "end", "edge"])


def at_point(names, x: float, leaky_slope: float = DEFAULT_LEAKY_SLOPE) -> pd.DataFrame:
    """f(x), f'(x), f'(x) as a share of the peak, and whether x is in the flat zone."""
    rows = []
    for name in names:
        f = float(values(name, [x], leaky_slope)[0])
        df = float(slopes(name, [x], leaky_slope)[0])
        peak = peak_slope(name, leaky_slope)
        rows.append(
            dict(
                activation=name,
                x=float(x),
                f=f,
                df=df,
                share_of_peak=df / peak,
                flat=bool(abs(df) < FLAT_FRACTION_OF_PEAK * peak),
            )
        )
    return pd.DataFrame(rows, columns=["activation", "x", "f", "df", "share_of_peak", "flat"])


# --- the guidance's numbers, checked ----------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One checkable statement. ``key`` names its text (explorer.claims.<key>); ``params``
    are the measured numbers, already formatted, to fill that text in."""

    key: str
    guidance: tuple[str, ...]
    passed: bool
    params: dict = field(default_factory=dict)
    measured: dict = field(default_factory=dict)  # the raw numbers


def _g(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}"


def check_claims(leaky_slope: float = DEFAULT_LEAKY_SLOPE) -> list[Claim]:
    """Every number the guidance states about the activations, measured live."""
    x = np.linspace(-10, 10, 4001)  # includes 0; inside float64's resolution of both
    sig, dsig = values("logistic", x), slopes("logistic", x)
    th, dth = values("tanh", x), slopes("tanh", x)
    claims = []

    # The peak slopes the article states: sigmoid' at most 1/4 (G7), tanh' at most 1 (G11).
    for claim, guidance, name, expected, slope in (
        ("sigmoid_peak", "G7", "logistic", 0.25, dsig),
        ("tanh_peak", "G11", "tanh", 1.0, dth),
    ):
        peak = peak_slope(name)
        claims.append(
            Claim(
                claim,
                (guidance,),
                abs(peak - expected) < 1e-12 and slope.min() > 0,
                dict(peak=_g(peak, 6), low=_g(slope.min(), 3)),
                dict(peak=peak, low=float(slope.min())),
            )
        )
    claims.append(
        Claim(
            "sigmoid_range",
            ("G5",),
            bool(sig.min() > 0 and sig.max() < 1 and sig[0] < 1e-4 and sig[-1] > 1 - 1e-4),
            dict(low=_g(sig[0], 3), high=f"{sig[-1]:.6f}"),
            dict(low=float(sig[0]), high=float(sig[-1])),
        )
    )
    claims.append(
        Claim(
            "tanh_range",
            ("G11",),
            bool(th.min() > -1 and th.max() < 1 and th[0] < -1 + 1e-8 and th[-1] > 1 - 1e-8),
            dict(low=f"{th[0]:.10f}", high=f"{th[-1]:.10f}"),
            dict(low=float(th.min()), high=float(th.max())),
        )
    )
    sym = np.linspace(-5, 5, 1001)
    t_mean, s_mean = float(values("tanh", sym).mean()), float(values("logistic", sym).mean())
    odd = float(np.abs(values("tanh", sym) + values("tanh", -sym)).max())
    claims.append(
        Claim(
            "zero_centred",
            ("G9", "G11"),
            abs(t_mean) < 1e-12
            and odd < 1e-12
            and s_mean > 0.4
            and bool(values("logistic", sym).min() > 0)
            and ACTIVATIONS["tanh"].zero_centred
            and not ACTIVATIONS["logistic"].zero_centred,
            dict(
                tanh_mean=_g(t_mean + 0.0, 2),
                sigmoid_mean=_g(s_mean, 4),
                sigmoid_min=_g(values("logistic", sym).min(), 3),
            ),
            dict(tanh_mean=t_mean, sigmoid_mean=s_mean),
        )
    )
    flat_edges: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
        ("sigmoid_flat", "logistic", 6.0, ("G6", "G7")),
        ("tanh_flat", "tanh", 3.0, ("G11",)),
    )
    for key, name, article, ids in flat_edges:
        edge = flat_threshold(name, 1)
        left = flat_threshold(name, -1)
        share = float(slopes(name, [article])[0] / peak_slope(name))
        out99 = output_threshold(name)
        # The criterion (FLAT_FRACTION_OF_PEAK) is fixed beforehand; the sentence says
        # whether the measured edge lands on the article's number, whichever way it falls.
        agrees = (
            edge is not None
            and abs(edge - article) / article < 0.05
            and left is not None
            and abs(left + edge) < 1e-6
        )
        claims.append(
            Claim(
                key if agrees else f"{key}_apart",
                ids,
                agrees,
                dict(
                    edge=f"{edge:.2f}" if edge is not None else "–",
                    article=f"{article:g}",
                    share=f"{share:.2%}",
                    out99=f"{out99:.2f}",
                    criterion=f"{FLAT_FRACTION_OF_PEAK:.0%}",
                ),
                dict(edge=edge, left=left, share_at_article=share, out99=out99),
            )
        )
    s100, s10000 = float(values("logistic", [100.0])[0]), float(values("logistic", [1e4])[0])
    cut = float64_saturation_point("logistic")
    claims.append(
        Claim(
            "sigmoid_same",
            ("G5",),
            s100 == s10000,
            dict(a=repr(s100), b=repr(s10000), cut=f"{cut:.2f}"),
            dict(a=s100, b=s10000, cut=cut),
        )
    )
    neg = np.linspace(-20, -1e-6, 2001)
    pos = -neg
    d_neg, d_pos = slopes("relu", neg), slopes("relu", pos)
    claims.append(
        Claim(
            "relu_zero",
            ("G14", "G17"),
            bool((d_neg == 0).all() and (d_pos == 1).all()),
            dict(neg=_g(d_neg.max(), 3), pos=_g(d_pos.min(), 3)),
            dict(neg_max=float(d_neg.max()), pos_min=float(d_pos.min())),
        )
    )
    d_leaky = slopes("leaky_relu", neg, leaky_slope)
    claims.append(
        Claim(
            "leaky_alive",
            ("G21",),
            bool(d_leaky.min() > 0 and np.allclose(d_leaky, leaky_slope)),
            dict(slope=_g(leaky_slope, 3), low=_g(d_leaky.min(), 3)),
            dict(low=float(d_leaky.min())),
        )
    )
    d_soft = slopes("softmax", x)
    claims.append(
        Claim(
            "softmax_two_class",
            ("G19",),
            bool(
                np.allclose(values("softmax", x), sig, rtol=0, atol=1e-12)
                and np.allclose(d_soft, dsig, rtol=0, atol=1e-12)
            ),
            dict(gap=_g(float(np.abs(values("softmax", x) - sig).max()) + 0.0, 2)),
            dict(gap=float(np.abs(values("softmax", x) - sig).max())),
        )
    )
    claims.extend(_modern_claims())
    return claims


def minimum(name: str) -> tuple[float, float]:
    """(x, f(x)) at the minimum of a non-monotonic activation, found on [-5, 0]."""
    from scipy.optimize import minimize_scalar

    found = minimize_scalar(
        lambda v: values(name, [v])[0],
        bounds=(-5.0, 0.0),
        method="bounded",
        options={"xatol": 1e-9},
    )
    return float(found.x), float(found.fun)


def kink_at_zero(name: str, h: float = 1e-9) -> float:
    """|f'(0+) - f'(0-)|: 0 for a function smooth at 0, the size of the jump otherwise."""
    return float(abs(slopes(name, [h])[0] - slopes(name, [-h])[0]))


def normal_moments(name: str) -> tuple[float, float]:
    """Mean and variance of f(Z) for a standard normal Z, by numerical integration."""
    from scipy import integrate

    pdf = lambda v: np.exp(-0.5 * v * v) / np.sqrt(2 * np.pi)  # noqa: E731
    f = lambda v: values(name, [v])[0]  # noqa: E731
    mean = integrate.quad(lambda v: f(v) * pdf(v), -40, 40, points=[0.0], epsabs=1e-13)[0]
    second = integrate.quad(lambda v: f(v) ** 2 * pdf(v), -40, 40, points=[0.0], epsabs=1e-13)[0]
    return mean, second - mean**2


def _modern_claims() -> list[Claim]:
    """GUIDANCE M2-M7, measured from the table's functions."""
    claims = []
    for name, guidance in (("gelu", ("M4",)), ("silu", ("M5",)), ("mish", ("M6",))):
        at, low = minimum(name)
        stated = ACTIVATIONS[name].minimum
        assert stated is not None  # every non-monotonic entry states its minimum
        guide_at, guide_low = stated
        claims.append(
            Claim(
                f"{name}_minimum",
                guidance,
                abs(at - guide_at) <= 5e-4 and abs(low - guide_low) <= 5e-4,
                dict(
                    low=f"{low:.3f}",
                    at=f"{at:.3f}",
                    guide_low=f"{guide_low:.3f}",
                    guide_at=f"{guide_at:.3f}",
                ),
                dict(at=at, low=low),
            )
        )
    kinks = {
        n: kink_at_zero(n) for n in ("relu", "elu", "selu", "gelu", "silu", "softplus", "mish")
    }
    smooth = [n for n, k in kinks.items() if k < 1e-6]
    claims.append(
        Claim(
            "smooth_at_zero",
            ("M2", "M3"),
            set(smooth) == {n for n in kinks if ACTIVATIONS[n].smooth}
            and {"elu", "gelu", "silu", "softplus", "mish"} <= set(smooth),
            dict(
                elu=_g(kinks["elu"] + 0.0, 2),
                selu=f"{kinks['selu']:.4f}",
                relu=_g(kinks["relu"], 3),
                gelu=_g(kinks["gelu"] + 0.0, 2),
            ),
            dict(kinks),
        )
    )
    mean, var = normal_moments("selu")
    elu_mean, elu_var = normal_moments("elu")
    claims.append(
        Claim(
            "selu_fixed_point",
            ("M3",),
            abs(mean) < 1e-6 and abs(var - 1) < 1e-6 and abs(elu_mean) > 0.1,
            dict(
                mean=_g(mean + 0.0, 2),
                var=f"{var:.6f}",
                elu_mean=f"{elu_mean:.3f}",
                elu_var=f"{elu_var:.3f}",
            ),
            dict(mean=mean, var=var, elu_mean=elu_mean, elu_var=elu_var),
        )
    )
    lows = {n: float(values(n, [-_SEARCH])[0]) for n in ("elu", "selu", "softplus")}
    edges = {n: flat_threshold(n, -1) for n in ("elu", "selu", "gelu", "silu", "softplus", "mish")}
    right = [flat_threshold(n, 1) for n in edges]
    claims.append(
        Claim(
            "negative_side",
            ("M2", "M3", "M7"),
            abs(lows["elu"] + 1) < 1e-12
            and abs(lows["selu"] - ACTIVATIONS["selu"].output_range[0]) < 1e-12
            and lows["softplus"] >= 0
            and all(e is not None and e < 0 for e in edges.values())
            and all(r is None for r in right),
            dict(
                elu_low=f"{lows['elu']:.4f}",
                selu_low=f"{lows['selu']:.4f}",
                **{f"{n}_edge": f"{e:.2f}" for n, e in edges.items()},
            ),
            dict(lows=lows, edges=edges),
        )
    )
    x = np.linspace(-10, 10, 4001)
    gap = float(np.abs(slopes("softplus", x) - values("logistic", x)).max())
    claims.append(
        Claim(
            "softplus_slope",
            ("M7",),
            gap < 1e-12 and bool(values("softplus", x).min() > 0),
            dict(gap=_g(gap + 0.0, 2), low=_g(values("softplus", x).min(), 3)),
            dict(gap=gap),
        )
    )
    return claims


def default_selection() -> list[str]:
    """The activations overlaid by default: every hidden one."""
    return list(HIDDEN_ACTIVATIONS)
