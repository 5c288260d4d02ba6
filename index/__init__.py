"""Reading, cleaning, paragraphing, embedding and storing news articles.

This package takes plain values (paths, settings fields) and never imports `assistant`.
"""
from . import offline  # noqa: F401  (sets the offline environment before any model library loads)
