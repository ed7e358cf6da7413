"""Computed sentences: the headline title and alt text of each chart, from its results table,
and the labels of an axis, of the funnel's centre and of how its limits were set.

No number in the report is typed by hand; every title and alt text is built here from the
table the chart draws, with numbers formatted by `pipeline.numbers` and interpretive sentences
chosen by `pipeline.findings`, so that each says something different when the data do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import pandas as pd
from scipy import stats

from pipeline import findings
from pipeline.findings import Estimate, first_to_last, listing, lower_first
from pipeline.funnel import LEVELS
from pipeline.numbers import count, interval, level, number, p_value, ratio, tenths
from pipeline.numbers import percent as pct
from pipeline.taxonomy import ADJUSTED, K_ITEMS

ESTIMATE_AXIS = f"Items offered out of {K_ITEMS} (shrunken estimate, 95% interval)"


def _tied(
    rows: pd.DataFrame, column: str, shown: Callable[[float], str], lowest: bool = False
) -> pd.DataFrame:
    """The rows whose `column` prints, by `shown`, as its highest (or lowest) value does: all
    those sharing the extreme as published (`findings.tied`)."""
    return rows.iloc[findings.tied(list(rows[column]), shown, lowest)]


def _title(sentence: str) -> str:
    """A sentence as a headline title: no full stop."""
    return sentence.removesuffix(".")


def response(rates: pd.DataFrame) -> tuple[str, str]:
    """Headline and alt text for the response status chart."""
    last = rates.iloc[-1]
    title = (
        f"{count(last['responded'])} of {count(last['n'])} authorities ({pct(last['share'])}) "
        f"provided information in {last['round']}"
    )
    rounds = "; ".join(
        f"{r['round']}: {count(r['responded'])} of {count(r['n'])}" for _, r in rates.iterrows()
    )
    alt = (
        f"Bar chart of FOI response status by round. Authorities giving a full or partial "
        f"answer, {rounds}. The remaining authorities said the information was not held, "
        "refused, sought clarification or did not respond."
    )
    return title, alt


def nonresponse(by_region: pd.DataFrame, round_name: str) -> tuple[str, str]:
    """Headline and alt text for non-response by region in one round."""
    rows = by_region[by_region["round"] == round_name].sort_values("share", ascending=False)
    total = int(rows["not_responded"].sum())
    if total == 0:
        title = f"All {count(rows['n'].sum())} authorities provided information in {round_name}"
    else:
        top = _tied(rows, "share", repr)  # the title prints counts, so only exact ties
        where = listing(
            [
                f"{r['region_name']} ({count(r['not_responded'])} of {count(r['n'])})"
                for _, r in top.iterrows()
            ]
        )
        title = (
            f"{count(total, 'authority', 'authorities')} did not provide information in "
            f"{round_name}; the share was highest in {where}"
        )
    alt = (
        "Dot chart of the share of authorities not providing information by region, with 95% "
        f"intervals, {round_name}: "
        + "; ".join(
            f"{r['region_name']} {count(r['not_responded'])} of {count(r['n'])}"
            for _, r in rows.iterrows()
        )
    )
    return title, alt


def item_shares(shares: pd.DataFrame, round_name: str) -> tuple[str, str]:
    """Headline and alt text for the share of authorities offering each item."""
    rows = shares[shares["round"] == round_name].sort_values("share", ascending=False)
    top, bottom = (_tied(rows, "share", pct, lowest) for lowest in (False, True))
    title = (
        f"{pct(top['share'].iloc[0])} of authorities offer "
        f"{listing([lower_first(x) for x in top['label']])}, the most common "
        f"{'item' if len(top) == 1 else 'items'}; {pct(bottom['share'].iloc[0])} offer "
        f"{listing([lower_first(x) for x in bottom['label']])}, the least common "
        f"({round_name})"
    )
    alt = (
        f"Dot-and-whisker chart of the share of the {count(rows['n'].iloc[0])} responding "
        f"authorities offering each of {K_ITEMS} items in {round_name}, with 95% intervals: "
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
        f"{K_ITEMS} items; the median is {tenths(median)} ({round_name})"
    )
    alt = (
        "Histogram of the number of provision items per responding authority by round. "
        f"In {round_name}: "
        + "; ".join(
            f"{count(k, 'item')}: {count(v, 'authority', 'authorities')}"
            for k, v in weights.items()
        )
        + "."
    )
    return title, alt


def hex_map(responses: pd.DataFrame, round_name: str) -> tuple[str, str]:
    """Headline and alt text for the hex map of items per authority."""
    rows = responses[responses["round"] == round_name]
    answered = rows[rows["responded"].astype(bool)]
    by_region = answered.groupby("region_name")["n_items"].median().sort_values()
    low, high = by_region.iloc[0], by_region.iloc[-1]
    if low == high:
        title = f"Median items per authority are {tenths(low)} in every region ({round_name})"
    else:
        title = (
            f"Median items per authority range from {tenths(low)} in "
            f"{listing(list(by_region.index[by_region == low]))} to {tenths(high)} in "
            f"{listing(list(by_region.index[by_region == high]))} ({round_name})"
        )
    alt = (
        f"Hexagon map of England's {count(len(rows))} upper-tier authorities, each coloured by "
        f"the number of women-specific items it offers in {round_name}; "
        f"{count(len(rows) - len(answered))} that did not provide information are grey. Median "
        "items by region: " + "; ".join(f"{k} {tenths(v)}" for k, v in by_region.items()) + "."
    )
    return title, alt


def funnel_target_source(ndtms_year: str | None) -> str:
    """Where the funnel's centre comes from: NDTMS England in `ndtms_year` (a financial year,
    `funnel.ndtms_target`), or with no year the responders' pooled share."""
    if ndtms_year is None:
        return "pooled share of the responding authorities"
    return f"NDTMS England {ndtms_year}"


def funnel_limits_from(cap: float) -> str:
    """How the between-authority variance behind the adjusted limits was estimated: robustly,
    each z-score counting for at most `cap` SDs (`funnel.robust_overdispersion`)."""
    return f"robust (z-scores capped at {tenths(cap)} SD)"


def funnel(
    flagged: pd.DataFrame,
    n_points: int,
    round_name: str,
    expected: float,
    target: float,
    target_source: str,
) -> tuple[str, str]:
    """Headline and alt text for the funnel plot: authorities outside the adjusted limits.

    `flagged` holds the adjusted outliers (funnel.outliers); `expected` is how many would lie
    outside the outer limits by chance alone.
    """
    outer = flagged[(flagged["level"] == max(LEVELS)) & (flagged["limits"] == ADJUSTED)]
    title = (
        f"{count(len(outer))} of {count(n_points, 'authority', 'authorities')} lie outside the "
        f"{level(max(LEVELS))} limits for women's share of adults in treatment once real "
        f"differences between authorities are allowed for; about {number(expected, 1)} would "
        f"by chance ({round_name})"
    )
    alt = (
        f"Funnel plot of women's share of adults in treatment against the number of adults in "
        f"treatment for {count(n_points)} authorities in {round_name}, with "
        f"{' and '.join(level(x) for x in LEVELS)} limits around {pct(target, 1)} "
        f"({target_source}), adjusted for overdispersion. Outside the adjusted "
        f"{level(max(LEVELS))} limits: " + (", ".join(outer["la_name"]) or "none") + "."
    )
    return title, alt


def paired_change(change: pd.DataFrame, rounds: tuple[str, str]) -> tuple[str, str]:
    """Headline and alt text for the paired change in items between two rounds."""
    mean = change.set_index("statistic").loc["mean_difference"]
    sentence = findings.change_between_rounds(
        Estimate.from_row(mean), (rounds[0], rounds[1]), int(mean["n_pairs"])
    )
    alt = (
        f"Dumbbell chart of items per authority in {rounds[0]} and {rounds[1]} for the "
        "authorities whose change, shrunk towards the common change and adjusted for partial "
        f"answers, is largest or smallest (not those with the largest raw changes). {sentence}"
    )
    return _title(sentence), alt


def authority_estimates(
    estimates: pd.DataFrame, round_name: str, mean_items: float
) -> tuple[str, str]:
    """Headline and alt text for the caterpillar plot of each authority's shrunken estimate.

    `estimates` is `models.authority_estimates` (la_name, estimate, rank_low, rank_high);
    `mean_items` the level it is drawn against (`models.level`: the mean over every unit of
    the model, responding or not, as if each had answered in full). The headline says how
    well the rank intervals tell authorities apart (`findings.rank_precision`); the highest
    and lowest are every authority printing the extreme estimate.
    """
    spans = estimates["rank_high"] - estimates["rank_low"] + 1
    sentence = findings.rank_precision(float(spans.median()), len(estimates))
    one = partial(number, digits=1)
    ends = [_tied(estimates, "estimate", one, lowest) for lowest in (False, True)]
    high, low = (f"{listing(list(e['la_name']))} ({one(e['estimate'].iloc[0])})" for e in ends)
    alt = (
        f"Caterpillar plot of the shrunken estimate of items offered (out of {K_ITEMS}, had the "
        f"authority answered in full) for each of the {count(len(estimates))} responding "
        f"authorities in {round_name}, with 95% intervals, against {one(mean_items)} items: the "
        "mean expected over all authorities, responding or not, had each answered in full. "
        f"Highest: {high}; lowest: {low}."
    )
    return f"{_title(sentence)} ({round_name})", alt


def _term(irr: pd.DataFrame, term: str) -> Estimate:
    return Estimate.from_row(irr.set_index("term").loc[term])


def deprivation(
    irr: pd.DataFrame, family: str, imd_sd: float, log_pop_sd: float
) -> tuple[str, str]:
    """Headline and alt text for the deprivation and population rate ratios.

    Parameters
    ----------
    irr : DataFrame
        Rate ratios per SD of ``imd_z`` and ``log_pop_z`` (``model_provision/irr.csv``).
    family : str
        The chosen count model.
    imd_sd, log_pop_sd : float
        The SDs of the IMD score and of log female population aged 18 and over that
        standardised them (`models.frame.standardised_covariates`).
    """
    imd, pop = _term(irr, "imd_z"), _term(irr, "log_pop_z")
    deprived = findings.deprivation(imd, imd_sd)
    larger = findings.population(pop, log_pop_sd)
    per_10 = findings.per_step(imd, imd_sd, 10)
    doubling = findings.per_step(pop, log_pop_sd, math.log(2))
    alt = (
        f"Rate ratios from the {family.replace('_', ' ')} model. {deprived} {larger} Per 10 "
        f"IMD points: {ratio(per_10.estimate)} ({per_10.ci(ratio)}); per doubling of "
        f"population: {ratio(doubling.estimate)} ({doubling.ci(ratio)})."
    )
    return _title(deprived), alt


def regions(summary: pd.DataFrame, lr: pd.DataFrame) -> tuple[str, str]:
    """Headline and alt text for the caterpillar plot of region effects."""
    share = Estimate.from_row(summary.set_index("quantity").loc["region_share"])
    sentence = findings.region_share(share)
    alt = (
        "Caterpillar plot of each region's rate ratio of items per authority against the "
        f"average region, with 95% intervals and shrunken estimates. {sentence} Estimated "
        f"share of variation between regions {pct(share.estimate)} "
        f"({interval(share.low, share.high, pct)}); likelihood-ratio test of region, "
        f"{p_value(lr['p_value'].iloc[0])}."
    )
    return _title(sentence), alt


def diagnostics(frame: pd.DataFrame, family: str, *, significance: float) -> tuple[str, str]:
    """Headline and alt text for residual diagnostics of the chosen count model.

    The trend is the rank (Spearman) correlation of Pearson residuals with fitted values,
    tested at `significance`.
    """
    rho, p = stats.spearmanr(frame["fitted"], frame["residual"])
    three = partial(number, digits=3)
    top = _tied(frame, "influence", three)
    names = listing([str(x) for x in top["label"]])
    most = "authority is" if len(top) == 1 else "authorities are"
    trend = findings.residual_trend(rho, p, significance, family.replace("_", " "))
    title = f"{_title(trend)}; the most influential {most} {names}"
    alt = (
        "Two panels: Pearson residuals against fitted items per authority with a smooth, and "
        f"Cook's distance per authority; largest {three(top['influence'].iloc[0])} "
        f"({names}). Rank correlation of residuals with fitted values "
        f"{number(rho, 2)}, {p_value(p)}."
    )
    return title, alt


def support_by_wave(
    changes: pd.DataFrame, labels: dict[str, str], *, significance: float
) -> tuple[str, str]:
    """Headline and alt text for the support offered by wave.

    A change counts when its Holm-adjusted p-value is below `significance`.
    """
    if changes.empty:
        title = "Support offered by organisations (a single wave: no change to test)"
        return title, "Small multiples of the share of organisations offering each kind of support."
    span = first_to_last(changes)
    clear = span[span["p_holm"] < significance]
    first, last = span["wave_from"].iloc[0], span["wave_to"].iloc[0]
    if clear.empty:
        title = (
            f"No kind of support changed clearly between {first} and {last}, allowing for the "
            "number of comparisons"
        )
    else:
        top = _tied(clear.assign(size=clear["estimate"].abs()), "size", pct)
        moves = [
            (labels[r["option"]], f"{pct(r['share_from'])} to {pct(r['share_to'])}")
            for _, r in top.iterrows()
        ]
        between = f"changed most between {first} and {last}"
        title = (
            f"{moves[0][0]} {between}: {moves[0][1]} of organisations"
            if len(moves) == 1
            else f"{listing([f'{name} ({move})' for name, move in moves])} {between}, as "
            "shares of organisations"
        )
    alt = (
        "Small multiples of the share of organisations offering each kind of support, by "
        "survey wave, with 95% intervals. " + title + "."
    )
    return title, alt


def barriers(ranked: pd.DataFrame) -> tuple[str, str]:
    """Headline and alt text for barriers ranked in one wave."""
    top = _tied(ranked, "share", pct)
    first = top.iloc[0]
    names = listing([first["label"], *(lower_first(x) for x in top["label"].iloc[1:])])
    title = (
        f"{names} {'is the barrier' if len(top) == 1 else 'are the barriers'} organisations "
        f"report most often ({pct(first['share'])}, {first['wave']})"
    )
    alt = (
        "Bar chart of the share of organisations reporting each barrier women face, ranked, "
        "with 95% intervals: "
        + "; ".join(f"{r['label']} {pct(r['share'])}" for _, r in ranked.iterrows())
        + "."
    )
    return title, alt


def partnership(combined: pd.DataFrame, labels: dict[str, str]) -> tuple[str, str]:
    """Headline and alt text for partnership ratings (diverging bars) in the latest wave.

    `combined` holds the share of organisations rating each partner good or very good, per
    wave and option, as `disclosure.protect_distribution` publishes it: the combined count
    protected before the share is taken, NA with ``share_suppressed`` set where suppressed.
    """
    from pipeline.disclosure import CONFIDENTIAL, NOT_AVAILABLE

    wave = combined["wave"].iloc[-1]
    rows = combined[combined["wave"] == wave].sort_values("share", na_position="first")
    good = rows.dropna(subset=["share"])
    title = f"Ratings of partnership working are withheld to protect organisations ({wave})"
    if not good.empty:
        ends = [_tied(good, "share", pct, lowest) for lowest in (False, True)]
        names = [listing([lower_first(labels[o]) for o in e["option"]]) for e in ends]
        top, bottom = (pct(e["share"].iloc[0]) for e in ends)
        title = (
            f"Partnership with {names[0]} is rated good or very good by {top} ({wave})"
            if len(ends[0]) == len(good)
            else f"Partnership with {names[0]} is rated good or very good most often ({top}), "
            f"with {names[1]} least ({bottom}; {wave})"
        )
    shares = (
        CONFIDENTIAL if flag else NOT_AVAILABLE if pd.isna(share) else pct(share)
        for share, flag in zip(rows["share"], rows["share_suppressed"], strict=True)
    )
    alt = (
        "Diverging stacked bars of how organisations rate partnership working, by partner "
        f"and wave. In {wave}, rated good or very good: "
        + "; ".join(f"{labels[o]} {s}" for o, s in zip(rows["option"], shares, strict=True))
        + "."
    )
    return title, alt
