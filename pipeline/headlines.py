"""Computed sentences: the headline title and alt text of each chart, from its results table.

No number in the report is typed by hand; every title and alt text is built here from the
table the chart draws.
"""

from __future__ import annotations

import pandas as pd

from pipeline.funnel import ADJUSTED, LEVELS, UNADJUSTED
from pipeline.taxonomy import K_ITEMS


def pct(x: float, digits: int = 0) -> str:
    """A share as a percentage string: 0.253 -> '25%'."""
    return f"{100 * x:.{digits}f}%"


def response(rates: pd.DataFrame) -> tuple[str, str]:
    """Headline and alt text for the response status chart."""
    last = rates.iloc[-1]
    title = (
        f"{last['responded']} of {last['n']} authorities ({pct(last['share'])}) provided "
        f"information in {last['round']}"
    )
    rounds = "; ".join(f"{r['round']}: {r['responded']} of {r['n']}" for _, r in rates.iterrows())
    alt = (
        f"Bar chart of FOI response status by round. Authorities giving a full or partial "
        f"answer, {rounds}. The remaining authorities said the information was not held, "
        "refused, sought clarification or did not respond."
    )
    return title, alt


def nonresponse(by_region: pd.DataFrame, round_name: str) -> tuple[str, str]:
    """Headline and alt text for non-response by region in one round."""
    rows = by_region[by_region["round"] == round_name].sort_values("share", ascending=False)
    top, total = rows.iloc[0], int(rows["not_responded"].sum())
    title = (
        f"{total} authorities did not provide information in {round_name}; the share was "
        f"highest in {top['region_name']} ({top['not_responded']} of {top['n']})"
    )
    alt = (
        "Dot chart of the share of authorities not providing information by region, with 95% "
        f"intervals, {round_name}: "
        + "; ".join(
            f"{r['region_name']} {r['not_responded']} of {r['n']}" for _, r in rows.iterrows()
        )
    )
    return title, alt


def item_shares(shares: pd.DataFrame, round_name: str) -> tuple[str, str]:
    """Headline and alt text for the share of authorities offering each item."""
    rows = shares[shares["round"] == round_name].sort_values("share", ascending=False)
    top, bottom = rows.iloc[0], rows.iloc[-1]
    title = (
        f"Provision varies widely: {pct(top['share'])} of authorities offer "
        f"{top['label'].lower()}, {pct(bottom['share'])} {bottom['label'].lower()}"
    )
    alt = (
        f"Dot-and-whisker chart of the share of the {rows['n'].iloc[0]} responding authorities "
        f"offering each of {K_ITEMS} items in {round_name}, with 95% intervals: "
        + "; ".join(f"{r['label']} {pct(r['share'])}" for _, r in rows.iterrows())
        + "."
    )
    return title, alt


def items_distribution(frame: pd.DataFrame, round_name: str) -> tuple[str, str]:
    """Headline and alt text for the distribution of items per authority."""
    rows = frame[(frame["round"] == round_name) & (frame["n_authorities"] > 0)]
    weights = rows.set_index("n_items")["n_authorities"]
    median = weights.index.repeat(weights).to_series().median()
    title = (
        f"Authorities offer between {weights.index.min()} and {weights.index.max()} of "
        f"{K_ITEMS} items; the median is {median:g} ({round_name})"
    )
    alt = (
        "Histogram of the number of provision items per responding authority by round. "
        f"In {round_name}: "
        + "; ".join(f"{k} items: {v} authorities" for k, v in weights.items())
        + "."
    )
    return title, alt


def hex_map(responses: pd.DataFrame, round_name: str) -> tuple[str, str]:
    """Headline and alt text for the hex map of items per authority."""
    rows = responses[responses["round"] == round_name]
    answered = rows[rows["responded"].astype(bool)]
    by_region = answered.groupby("region_name")["n_items"].median().sort_values()
    title = (
        f"Median items per authority range from {by_region.iloc[0]:g} in "
        f"{by_region.index[0]} to {by_region.iloc[-1]:g} in {by_region.index[-1]} "
        f"({round_name})"
    )
    alt = (
        f"Hexagon map of England's {len(rows)} upper-tier authorities, each coloured by the "
        f"number of women-specific items it offers in {round_name}; {len(rows) - len(answered)}"
        " authorities that did not provide information are grey. Median items by region: "
        + "; ".join(f"{k} {v:g}" for k, v in by_region.items())
        + "."
    )
    return title, alt


def funnel(flagged: pd.DataFrame, n_points: int, round_name: str) -> tuple[str, str]:
    """Headline and alt text for the funnel plot of women's share of adults in treatment."""
    outer = flagged[flagged["level"] == max(LEVELS)]
    adjusted, raw = outer[outer["limits"] == ADJUSTED], outer[outer["limits"] == UNADJUSTED]
    title = (
        f"{len(raw)} authorities lie outside the {pct(max(LEVELS), 1)} limits for women's "
        "share of adults in "
        f"treatment; {len(adjusted)} after allowing for overdispersion ({round_name})"
    )
    alt = (
        f"Funnel plot of women's share of adults in treatment against the number of adults in "
        f"treatment for {n_points} authorities in {round_name}, with "
        f"{' and '.join(pct(level, 1) for level in LEVELS)} limits "
        "around the pooled share, unadjusted and adjusted for overdispersion. Outside the "
        f"adjusted {pct(max(LEVELS), 1)} limits: "
        + (", ".join(adjusted["la_name"]) or "none")
        + "."
    )
    return title, alt


def paired_change(change: pd.DataFrame, rounds: tuple[str, str]) -> tuple[str, str]:
    """Headline and alt text for the paired change in items between two rounds."""
    mean = change.set_index("statistic").loc["mean_difference"]
    direction = "rose" if mean["estimate"] > 0 else "fell"
    title = (
        f"Items per authority {direction} by {abs(mean['estimate']):.1f} on average between "
        f"{rounds[0]} and {rounds[1]} (95% CI {mean['conf_low']:.1f} to "
        f"{mean['conf_high']:.1f}; {int(mean['n_pairs'])} authorities answering both)"
    )
    alt = (
        f"Dumbbell chart of items per authority in {rounds[0]} and {rounds[1]} for the "
        "authorities with the largest increases and decreases. " + title + "."
    )
    return title, alt


def _term(irr: pd.DataFrame, term: str) -> pd.Series:
    return irr.set_index("term").loc[term]


def deprivation(irr: pd.DataFrame, family: str) -> tuple[str, str]:
    """Headline (and a sentence) for the deprivation and population rate ratios."""
    imd, pop = _term(irr, "imd_z"), _term(irr, "log_pop_z")
    title = (
        f"Each standard deviation of deprivation multiplies items by {imd['estimate']:.2f} "
        f"(95% CI {imd['conf_low']:.2f} to {imd['conf_high']:.2f}); of population by "
        f"{pop['estimate']:.2f} ({pop['conf_low']:.2f} to {pop['conf_high']:.2f})"
    )
    alt = f"Incidence rate ratios from the {family.replace('_', ' ')} model. {title}."
    return title, alt


def regions(summary: pd.DataFrame, lr: pd.DataFrame) -> tuple[str, str]:
    """Headline and alt text for the caterpillar plot of region effects."""
    share = summary.set_index("quantity").loc["region_share"]
    title = (
        f"Regions account for {pct(share['estimate'])} of the variation in items "
        f"(95% CI {pct(share['conf_low'])} to {pct(share['conf_high'])}; likelihood-ratio "
        f"test p = {lr['p_value'].iloc[0]:.2g})"
    )
    alt = (
        "Caterpillar plot of each region's rate ratio of items per authority against the "
        "average region, with 95% intervals and shrunken estimates. " + title + "."
    )
    return title, alt


def diagnostics(frame: pd.DataFrame, family: str) -> tuple[str, str]:
    """Headline and alt text for residual diagnostics of the chosen count model."""
    top = frame.sort_values("influence", ascending=False).iloc[0]
    title = (
        f"Residuals of the {family.replace('_', ' ')} model show no pattern against fitted "
        f"values; the most influential authority is {top['label']}"
    )
    alt = (
        "Two panels: Pearson residuals against fitted items per authority with a smooth, and "
        f"Cook's distance per authority; largest {top['influence']:.3f} ({top['label']})."
    )
    return title, alt


def support_by_wave(changes: pd.DataFrame, labels: dict[str, str]) -> tuple[str, str]:
    """Headline and alt text for the support offered by wave."""
    if changes.empty:
        title = "Support offered by organisations (a single wave: no change to test)"
        return title, "Small multiples of the share of organisations offering each kind of support."
    span = changes[changes["comparison"] == "first_to_last"]
    if span.empty:  # two waves: the one consecutive comparison is the first-to-last one
        span = changes
    significant = span[span["p_holm"] < 0.05]
    first, last = span["wave_from"].iloc[0], span["wave_to"].iloc[0]
    if significant.empty:
        title = (
            f"No option of support changed significantly between {first} and {last} "
            "after Holm's correction"
        )
    else:
        top = significant.loc[significant["estimate"].abs().idxmax()]
        title = (
            f"{labels[top['option']]} changed most between {first} and {last}: "
            f"{pct(top['share_from'])} to {pct(top['share_to'])} of organisations"
        )
    alt = (
        "Small multiples of the share of organisations offering each kind of support, by "
        "survey wave, with 95% intervals. " + title + "."
    )
    return title, alt


def barriers(ranked: pd.DataFrame) -> tuple[str, str]:
    """Headline and alt text for barriers ranked in one wave."""
    top = ranked.iloc[0]
    title = (
        f"{top['label']} is the barrier organisations report most often "
        f"({pct(top['share'])}, {top['wave']})"
    )
    alt = (
        "Bar chart of the share of organisations reporting each barrier women face, ranked, "
        "with 95% intervals: "
        + "; ".join(f"{r['label']} {pct(r['share'])}" for _, r in ranked.iterrows())
        + "."
    )
    return title, alt


def partnership(
    summary: pd.DataFrame, labels: dict[str, str], positive: list[str]
) -> tuple[str, str]:
    """Headline and alt text for partnership ratings (diverging bars) in the latest wave."""
    wave = summary["wave"].iloc[-1]
    rows = summary[summary["wave"] == wave]
    good = rows[rows["level"].isin(positive)].groupby("option")["share"].sum().sort_values()
    title = (
        f"Partnership with {labels[good.index[-1]].lower()} is rated good most often "
        f"({pct(good.iloc[-1])}), with {labels[good.index[0]].lower()} least "
        f"({pct(good.iloc[0])}; {wave})"
    )
    alt = (
        "Diverging stacked bars of how organisations rate partnership working, by partner "
        f"and wave. In {wave}, rated good or very good: "
        + "; ".join(f"{labels[k]} {pct(v)}" for k, v in good.items())
        + "."
    )
    return title, alt
