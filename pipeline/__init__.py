"""Quantitative pipeline for "A system designed for women?": FOI and survey data to report."""

__version__ = "0.1.0"
