"""Numbers as the published section prints them: one formatter for each kind of number.

Prose, headlines, alt text and the template's filters all format through these, so that a
p-value, a percentage, a ratio or a count looks the same wherever it appears. Negative numbers
take the minus sign (U+2212), which screen readers read as "minus", and nothing prints as a
negative zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable

MINUS = "\u2212"


def number(x: float, digits: int = 0) -> str:
    """`x` to `digits` decimal places with thousands separators: 12345.678 -> '12,345.68' (2)."""
    text = f"{x:,.{digits}f}"
    if not text.startswith("-"):
        return text
    return text[1:] if float(text[1:].replace(",", "")) == 0 else MINUS + text[1:]


def tenths(x: float) -> str:
    """`x` whole, or to 1 decimal place when it is not (a median of two, a half): 4 -> '4',
    5.5 -> '5.5'."""
    return number(x, 0 if float(x).is_integer() else 1)


def count(n: int, noun: str = "", plural: str = "") -> str:
    """A count with thousands separators, and its noun in the right number if one is given.

    ``count(12345)`` gives '12,345'; ``count(1, "authority", "authorities")`` '1 authority'; the
    plural defaults to the noun with an s.
    """
    if not noun:
        return number(n)
    return f"{number(n)} {noun if n == 1 else plural or f'{noun}s'}"


def significant(x: float, figures: int = 2) -> str:
    """`x` to `figures` significant figures, never in exponent form: 0.000579 -> '0.00058',
    12345 -> '12,000'."""
    if x == 0:
        return "0"
    digits = figures - 1 - math.floor(math.log10(abs(x)))
    if abs(round(x, digits)) >= 10 ** (figures - digits):  # 9.96 rounds up to 10
        digits -= 1
    return number(round(x, digits), max(digits, 0))


def percent(x: float, digits: int = 0) -> str:
    """A proportion as a percentage: 0.253 -> '25%'.

    A proportion that is not exactly 0 or 1 never prints as 0% or 100%: 0.0004 -> '<1%',
    0.9996 -> '>99%' (with `digits` 1, '<0.1%' and '>99.9%').
    """
    value = 100 * x
    shown = number(value, digits)
    step = 10.0**-digits
    if value > 0 and float(shown.replace(",", "")) == 0:
        return f"<{number(step, digits)}%"
    if value < 100 and shown.replace(",", "") == number(100, digits):
        return f">{number(100 - step, digits)}%"
    return f"{shown}%"


def ratio(x: float) -> str:
    """A rate, odds or dispersion ratio to 2 decimal places: 1.1737 -> '1.17'; 0.004 -> '<0.01'."""
    return "<0.01" if 0 < x < 0.005 else number(x, 2)


def p_cell(p: float) -> str:
    """A p-value for a table cell, to 3 decimal places: '0.027', '<0.001', '>0.999'."""
    if p < 0.001:
        return "<0.001"
    if p >= 0.9995:
        return ">0.999"
    return number(p, 3)


def p_value(p: float) -> str:
    """A p-value for prose: 'p = 0.027', 'p < 0.001' (7.18e-19 included), 'p > 0.999'."""
    cell = p_cell(p)
    return f"p {cell[0]} {cell[1:]}" if cell[0] in "<>" else f"p = {cell}"


def level(confidence: float) -> str:
    """A confidence level as a percentage: 0.95 -> '95%', 0.998 -> '99.8%'."""
    return f"{100 * confidence:.10g}%"


def interval(
    low: float, high: float, fmt: Callable[[float], str] = number, confidence: float = 0.95
) -> str:
    """A confidence interval, both ends formatted by `fmt`: '95% CI 1.02 to 1.35'."""
    return f"{level(confidence)} CI {fmt(low)} to {fmt(high)}"
