"""Colours every chart shares, in a module without Altair: the training workers colour
the neuron view's pictures (``core.network_view``) and should not import a chart
library to do it."""

# TensorFlow Playground's two-class colours (orange for class 0, blue for class 1), then
# Tableau-10 for more classes.
CLASS_COLOURS = ("#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
