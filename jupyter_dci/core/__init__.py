"""Pure computation: paging, predicates, profiling, label scoring, duplicates, slices.

Nothing in this package imports a UI library (ipywidgets, anywidget, traitlets, altair,
IPython); ``tests/test_layers.py`` proves it. Every function takes data first and
keyword-only options after ``*`` and returns a frozen, serialisable result object.
"""
