"""Numbers as the published section prints them: one formatter for each kind of number.

Prose, headlines, alt text and the template's filters all format through these, so that a
p-value, a percentage, a ratio or a count looks the same wherever it appears. Negative numbers
take the minus sign (U+2212), which screen readers read as "minus", and nothing prints as a
negative zero. Every number rounds half-way values away from zero, as counts do: 0.625 -> '0.63'
and 62.5% -> '63%', taking a float as its shortest decimal (2.675, not 2.67499...).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

MINUS = "\u2212"


def rounded(x: float, digits: int = 0, scale: int = 0) -> Decimal:
    """`x` times 10 ** `scale` to `digits` decimal places, half-way values away from zero:
    (0.625, 2) -> 0.63, (-2.5, 0) -> -3, (0.285, 0, 2) -> 29 (a percentage)."""
    exact = Decimal(repr(float(x))).scaleb(scale)
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number(x: float, digits: int = 0) -> str:
    """`x` to `digits` decimal places with thousands separators: 12345.678 -> '12,345.68' (2)."""
    text = f"{rounded(x, digits):,.{digits}f}"
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
    exact = Decimal(repr(float(x)))
    digits = figures - 1 - exact.adjusted()
    if rounded(x, digits).adjusted() > exact.adjusted():  # 9.96 rounds up to 10
        digits -= 1
    return number(float(rounded(x, digits)), max(digits, 0))


def percent(x: float, digits: int = 0) -> str:
    """A proportion as a percentage: 0.253 -> '25%'.

    A proportion that is not exactly 0 or 1 never prints as 0% or 100%: 0.0004 -> '<1%',
    0.9996 -> '>99%' (with `digits` 1, '<0.1%' and '>99.9%').
    """
    shown = rounded(x, digits, scale=2)
    step = 10.0**-digits
    if x > 0 and shown == 0:
        return f"<{number(step, digits)}%"
    if x < 1 and shown == 100:
        return f">{number(100 - step, digits)}%"
    return f"{number(float(shown), digits)}%"


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
