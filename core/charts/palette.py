"""The one palette every chart shares, in a module without Altair: the training workers
colour the neuron view's pictures (``core.network_view``) and should not import a chart
library to do it."""

from core.activations import ACTIVATIONS

# TensorFlow Playground's two-class colours (orange for class 0, blue for class 1), then
# Okabe and Ito's colour-blind-safe hues and a dark brown for more classes. Every pair
# stays apart under simulated protanopia, deuteranopia and tritanopia (CIE Lab distance
# >= 15, tests/test_colours.py); Tableau's green and red, used before, merged into one
# colour for a protanope (distance 1.2).
CLASS_COLOURS = ("#f59322", "#0877bd", "#009e73", "#cc79a7", "#56b4e9", "#7a4a00")

# One colour per activation, declared in the activation table, the same on every chart.
ACTIVATION_COLOURS = {name: act.colour for name, act in ACTIVATIONS.items()}

# Distinct line colours (Tableau 10), one per variant in the order compared.
VARIANT_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)


def variant_colour(index: int) -> str:
    return VARIANT_COLOURS[index % len(VARIANT_COLOURS)]
