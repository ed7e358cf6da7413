"""Change between FOI rounds (paired, on the common geography) and between survey waves.

Survey waves overlap: a difference between two waves' shares allows for the organisations in
both (Newcombe by MOVER with the shares' correlation, Zou and Donner 2008; a z-test less the
overlap's covariance, Derrick et al. 2015), reducing to independent samples without overlap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from pipeline import disclosure
from pipeline.intervals import rounding_variance, wilson_interval
from pipeline.numbers import rounded
from pipeline.taxonomy import DONT_KNOW, ITEM_IDS, ITEM_LABELS

YES_NO = ["no", "yes"]  # item answers that enter a paired comparison
TICKED = ("0", "1")  # multi-select values: not ticked, ticked
WAVE_CHANGE_COLUMNS = [
    "question", "option", "comparison", "wave_from", "wave_to", "n_from", "count_from",
    "share_from", "n_to", "count_to", "share_to", "n_both", "r", "estimate", "conf_low",
    "conf_high", "p_value", "p_holm", "suppressed",
]  # fmt: skip
PHI_DECIMALS = 1  # phi as it enters r under a rounding rule: coarser than any paired table
LIKERT_LEVELS: tuple[str, ...] = ("1", "2", "3", "4", "5")  # default scale, 1 most negative


def _holm(p: pd.Series) -> np.ndarray:
    """Holm-adjusted p-values over the non-missing ones."""
    adjusted = np.full(len(p), np.nan)
    ok = p.notna().to_numpy()
    if ok.any():
        adjusted[ok] = multipletests(p[ok], method="holm")[1]
    return adjusted


# FOI rounds -------------------------------------------------------------------------------


def _pairs(common: pd.DataFrame, rounds: tuple[str, str]) -> pd.DataFrame:
    """Authorities that responded in both rounds, one row each, round columns suffixed _1 and _2."""
    absent = [r for r in rounds if r not in set(common["round"])]
    if absent:
        raise ValueError(f"rounds {absent} are not in the common table")
    sides = []
    for suffix, name in zip(("_1", "_2"), rounds, strict=True):
        side = common[(common["round"] == name) & common["responded"]]
        if side["la_code"].duplicated().any():
            raise ValueError(f"round {name!r} has more than one row for an authority")
        sides.append(side.set_index("la_code").add_suffix(suffix))
    return sides[0].join(sides[1], how="inner").reset_index()


def mcnemar_items(
    common: pd.DataFrame, rounds: tuple[str, str], *, significance: float
) -> pd.DataFrame:
    """Paired change in each provision item between two FOI rounds.

    Pairs are authorities that responded in both rounds and answered the item yes or no in
    both (not held and unknown drop out, item by item). The p-value is McNemar's exact test,
    Holm-adjusted across the items; shares are of the pairs, with Wilson intervals at level
    1 - `significance`.
    """
    pairs = _pairs(common, rounds)
    rows = []
    for item in ITEM_IDS:
        before, after = pairs[f"{item}_1"], pairs[f"{item}_2"]
        both = before.isin(YES_NO) & after.isin(YES_NO)
        table = pd.crosstab(
            pd.Categorical(before[both], YES_NO), pd.Categorical(after[both], YES_NO), dropna=False
        ).to_numpy()
        n = int(table.sum())
        rows.append(
            {
                "item": item,
                "label": ITEM_LABELS[item],
                "round_1": rounds[0],
                "round_2": rounds[1],
                "n_pairs": n,
                "yes_to_no": int(table[1, 0]),
                "no_to_yes": int(table[0, 1]),
                "yes_1": int(table[1].sum()),
                "yes_2": int(table[:, 1].sum()),
                "p_value": mcnemar(table, exact=True).pvalue if n else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    for k in ("1", "2"):
        out[f"share_{k}"] = out[f"yes_{k}"] / out["n_pairs"].where(out["n_pairs"] > 0)
        out[f"conf_low_{k}"], out[f"conf_high_{k}"] = wilson_interval(
            out[f"yes_{k}"], out["n_pairs"], significance
        )
    out["p_holm"] = _holm(out["p_value"])
    keys = ["item", "label", "round_1", "round_2", "n_pairs", "yes_to_no", "no_to_yes"]
    shares = [f"{s}_{k}" for k in ("1", "2") for s in ("share", "conf_low", "conf_high")]
    return out[[*keys, *shares, "p_value", "p_holm"]]


def signed_rank_test(d: np.ndarray, rng: np.random.Generator, n_resamples: int = 9999) -> float:
    """Two-sided Wilcoxon signed-rank p-value by sign-flip permutation, zeros by Pratt's method.

    Zero differences are ranked with the rest and then carry no sign (scipy's default drops
    them, and its 'exact' method is not exact with ties); flipping signs at random gives the
    null distribution whatever the ties.
    """
    ranks = stats.rankdata(np.abs(d))
    ranks[d == 0] = 0
    centre = ranks.sum() / 2
    observed = abs(ranks[d > 0].sum() - centre)
    null = rng.integers(0, 2, size=(n_resamples, d.size)) @ ranks
    return float((1 + np.sum(np.abs(null - centre) >= observed - 1e-9)) / (1 + n_resamples))


def paired_items_change(
    common: pd.DataFrame,
    rounds: tuple[str, str],
    rng: np.random.Generator,
    n_resamples: int = 9999,
    *,
    significance: float,
) -> pd.DataFrame:
    """Change in the number of items per authority (round 2 minus round 1), paired.

    Returns two rows: the mean difference with a t interval and the paired t-test, and the
    median difference with a distribution-free interval (order statistics, scipy's
    quantile_test) and the Wilcoxon signed-rank test (`signed_rank_test`); columns
    statistic, estimate, conf_low, conf_high (at level 1 - `significance`), test, p_value,
    n_pairs. Authorities that
    inherited their first-round answer from a split predecessor count as separate pairs.
    """
    pairs = _pairs(common, rounds)
    pairs = pairs[pairs["n_items_1"].notna() & pairs["n_items_2"].notna()]
    d = (pairs["n_items_2"] - pairs["n_items_1"]).to_numpy(dtype=float)
    t = stats.ttest_1samp(d, 0)
    t_ci = t.confidence_interval(1 - significance)
    median_ci = stats.quantile_test(d, q=0, p=0.5).confidence_interval(1 - significance)
    return pd.DataFrame(
        {
            "statistic": ["mean_difference", "median_difference"],
            "estimate": [d.mean(), np.median(d)],
            "conf_low": [t_ci.low, median_ci.low],
            "conf_high": [t_ci.high, median_ci.high],
            "test": ["paired t", "Wilcoxon signed-rank (Pratt zeros, sign-flip permutation)"],
            "p_value": [t.pvalue, signed_rank_test(d, rng, n_resamples)],
            "n_pairs": len(d),
        }
    )


def item_pairs(common: pd.DataFrame, rounds: tuple[str, str]) -> pd.DataFrame:
    """Authorities with items in both rounds: `_pairs` with n_items_1, n_items_2 as floats
    and partial_1, partial_2 (1 for a partial answer), for `models.round_change`."""
    pairs = _pairs(common, rounds)
    pairs = pairs[pairs["n_items_1"].notna() & pairs["n_items_2"].notna()]
    return pairs.assign(
        n_items_1=pairs["n_items_1"].astype(float),
        n_items_2=pairs["n_items_2"].astype(float),
        partial_1=pairs["status_1"].eq("partial").astype(float),
        partial_2=pairs["status_2"].eq("partial").astype(float),
    ).reset_index(drop=True)


def dumbbell_data(pairs: pd.DataFrame, show: int = 10) -> pd.DataFrame:
    """Items per authority in each round for figures.dumbbell: the `show` authorities with
    the largest and the `show` with the smallest shrunken change, largest increase first.

    `pairs` is `item_pairs` with shrunken_ratio and residual added by
    `models.shrunken_change`: authorities are chosen by their change shrunk towards the
    common change and adjusted for partial response (ties by the residual of the conditional
    model), never by the raw change, whose extremes are mostly chance and partial answers.
    With no heterogeneity in change beyond chance every shrunken change is the common one,
    and the chart shows the largest residuals. Columns la_code, la_name (current name),
    region_name, before and after (items in the first and second round), change,
    inherited (the first-round answer came from a predecessor authority), partial_1,
    partial_2, adjusted_ratio, residual, shrunken_ratio.
    """
    ranked = pairs.sort_values(["shrunken_ratio", "residual", "la_name_2"], ascending=False)
    chosen = (
        ranked if len(ranked) <= 2 * show else pd.concat([ranked.head(show), ranked.tail(show)])
    )
    kept = ["partial_1", "partial_2", "adjusted_ratio", "residual", "shrunken_ratio"]
    out = chosen[["la_code", "la_name_2", "region_name_2", "n_items_1", "n_items_2", *kept]]
    names = {"la_name_2": "la_name", "region_name_2": "region_name"}
    out = out.rename(columns={**names, "n_items_1": "before", "n_items_2": "after"}).assign(
        change=out["n_items_2"] - out["n_items_1"], inherited=chosen["inherited_1"].astype(bool)
    )
    out = out[
        ["la_code", "la_name", "region_name", "before", "after", "change", "inherited", *kept]
    ]
    return out.sort_values(["change", "la_name"], ascending=[False, True]).reset_index(drop=True)


# Survey waves -----------------------------------------------------------------------------


def _question(survey: pd.DataFrame, question: str, values: set[str]) -> pd.DataFrame:
    """Rows of one question that were asked, checking answered values are in `values`."""
    rows = survey[(survey["question"] == question) & (survey["status"] != "not_asked")]
    if rows.empty:
        raise ValueError(f"no survey rows for question {question!r}")
    answered = rows["status"] == "answered"
    bad = rows[answered & ~rows["value"].isin(values)]
    if not bad.empty:
        first = bad.iloc[0]
        raise ValueError(
            f"question {question!r}, wave {first['wave']}, org {first['org_id']}, "
            f"option {first['option']!r}: unexpected value {first['value']!r}"
        )
    return rows.assign(answered=answered)


def _in_wave_order(
    table: pd.DataFrame, waves: Sequence[str] | None, columns: list[str]
) -> pd.DataFrame:
    """Sort by wave in the given order (string order if None), then the other columns."""
    order = list(waves) if waves is not None else sorted(table["wave"].unique())
    unknown = sorted(set(table["wave"]) - set(order))
    if unknown:
        raise ValueError(f"waves {unknown} are not in the wave list {order}")
    key = {w: i for i, w in enumerate(order)}
    return table.sort_values(
        ["wave", *columns], key=lambda s: s.map(key) if s.name == "wave" else s
    ).reset_index(drop=True)


def wave_proportions(
    survey: pd.DataFrame,
    question: str,
    waves: Sequence[str] | None = None,
    *,
    significance: float,
) -> pd.DataFrame:
    """Share ticking each option of a multi-select question, per wave, with Wilson intervals.

    Intervals are at level 1 - `significance`. Denominators are the organisations that
    answered (n); those missing are counted in n_missing; options not asked in a wave have
    no row. Columns question, wave, option, n, n_missing, count, share, conf_low, conf_high.
    """
    rows = _question(survey, question, set(TICKED))
    rows = rows.assign(ticked=rows["answered"] & rows["value"].eq("1"))
    out = rows.groupby(["wave", "option"], as_index=False).agg(
        n=("answered", "sum"),
        n_missing=("answered", lambda a: int((~a).sum())),
        count=("ticked", "sum"),
    )
    out.insert(0, "question", question)
    out["share"] = out["count"] / out["n"].where(out["n"] > 0)
    out["conf_low"], out["conf_high"] = wilson_interval(out["count"], out["n"], significance)
    return _in_wave_order(out, waves, ["option"])


def _ticks(answers: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each option's ticks as a table of organisations by wave."""
    return {
        option: group.pivot_table(index="org_id", columns="wave", values="ticked", aggfunc="first")
        for option, group in answers.groupby("option", sort=False)
    }


def _overlap(
    ticks: pd.DataFrame, waves: tuple[str, str], n: tuple[float, float], rule: tuple[int, int]
) -> tuple[int, float]:
    """Organisations answering an option in both waves (n_both), and r = phi n_both /
    sqrt(n_from n_to), the correlation between the shares (phi: of the ticks of those in both).

    The interval and test give r back exactly, so it uses protected values only: the
    published `n`, n_both under the `rule` (suppress_below, round_to; r = 0 if suppressed or
    if either wave's ticks among them do not vary) and, if the rule rounds, phi to
    `PHI_DECIMALS`; exact ones solve back to the exact counts. `ticks`: as `_ticks` gives."""
    if not set(waves) <= set(ticks.columns):
        return 0, 0.0
    suppress_below, round_to = rule
    both = ticks[list(waves)].dropna().astype(float)
    if len(both) < max(2, suppress_below) or (both.std() == 0).any():
        return len(both), 0.0
    shown = disclosure.round_half_up(len(both), round_to)
    phi = np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1]
    if round_to > 1:
        phi = float(rounded(phi, PHI_DECIMALS))
    return len(both), float(np.clip(phi * shown / np.sqrt(n[0] * n[1]), -1.0, 1.0))


def _compare(
    a: pd.Series, b: pd.Series, r: float, significance: float, round_to: int
) -> dict[str, float]:
    """Difference b - a in shares from partially overlapping samples (NA if one is suppressed).

    Interval: Newcombe's hybrid score (Wilson limits combined by MOVER) with r, the
    correlation between the two shares; r = 0 gives Newcombe's independent-samples interval.
    Test: z with the pooled share and variance p(1 - p) (1/n_a + 1/n_b - 2 r / sqrt(n_a n_b)),
    which for unrounded counts is p(1 - p) (1/n_a + 1/n_b - 2 phi n_both / (n_a n_b)).
    Both allow for the rounding of the published counts (`intervals.rounding_variance`).
    """
    if a["share_suppressed"] or b["share_suppressed"]:
        return dict.fromkeys(["estimate", "conf_low", "conf_high", "p_value"], np.nan)
    k_a, k_b, n_a, n_b = (float(x) for x in (a["count"], b["count"], a["n"], b["n"]))
    (l_a, l_b), (u_a, u_b) = wilson_interval([k_a, k_b], [n_a, n_b], significance)
    p_a, p_b = k_a / n_a, k_b / n_b
    rounding = float(rounding_variance([p_a, p_b], [n_a, n_b], round_to).sum())
    widen = stats.norm.ppf(1 - significance / 2) ** 2 * rounding
    down, up = (p_b - l_b, u_a - p_a), (u_b - p_b, p_a - l_a)
    d = p_b - p_a
    low = d - np.sqrt(max(down[0] ** 2 + down[1] ** 2 - 2 * r * down[0] * down[1] + widen, 0.0))
    high = d + np.sqrt(max(up[0] ** 2 + up[1] ** 2 - 2 * r * up[0] * up[1] + widen, 0.0))
    pooled = (k_a + k_b) / (n_a + n_b)
    variance = pooled * (1 - pooled) * (1 / n_a + 1 / n_b - 2 * r / np.sqrt(n_a * n_b))
    variance += rounding
    p = 1.0  # all or none ticked in both waves: no change to test
    if variance > 0:
        p = float(2 * stats.norm.sf(abs(d) / np.sqrt(variance)))
    return {"estimate": d, "conf_low": max(low, -1.0), "conf_high": min(high, 1.0), "p_value": p}


def _steps(order: list[str]) -> list[tuple[str, str, str]]:
    """The comparisons of waves in `order`: each consecutive pair, then first to last."""
    steps = [("consecutive", a, b) for a, b in zip(order, order[1:], strict=False)]
    return steps + ([("first_to_last", order[0], order[-1])] if len(order) > 2 else [])


def wave_changes(
    survey: pd.DataFrame,
    question: str,
    waves: Sequence[str] | None = None,
    *,
    significance: float,
    suppress_below: int,
    round_to: int,
) -> pd.DataFrame:
    """Change in each option's share between consecutive waves, and first to last.

    Each wave's counts and shares are the published ones (`wave_proportions` through
    `disclosure.publish_proportions`, as support_by_wave.csv gives them); the difference, its
    interval (level 1 - `significance`) and test come from those (`_compare`), allowing for
    their rounding. The pairing enters only through r (`_overlap`). A
    comparison with a suppressed share has no estimate, interval or p-value (`suppressed`).
    Only options asked (and answered) in both waves appear; p-values are Holm-adjusted over
    the comparisons made. Columns question, option, comparison, wave_from, wave_to, n_from,
    count_from, share_from, n_to, count_to, share_to, n_both, r, estimate, conf_low,
    conf_high, p_value, p_holm, suppressed.
    """
    props = wave_proportions(survey, question, waves, significance=significance)
    props = disclosure.publish_proportions(
        props[props["n"] > 0], "count", "n", suppress_below, round_to, significance=significance
    ).set_index("option")
    rows = _question(survey, question, set(TICKED))
    ticks = _ticks(rows[rows["answered"]].assign(ticked=lambda r: r["value"].eq("1")))
    out = []
    for comparison, w_from, w_to in _steps(list(dict.fromkeys(props["wave"]))):
        before, after = props[props["wave"] == w_from], props[props["wave"] == w_to]
        for option in before.index.intersection(after.index, sort=False):
            a, b = before.loc[option], after.loc[option]
            rule, n = (suppress_below, round_to), (float(a["n"]), float(b["n"]))
            n_both, r = _overlap(ticks[option], (w_from, w_to), n, rule)
            out.append(
                {
                    "question": question,
                    "option": option,
                    "comparison": comparison,
                    "wave_from": w_from,
                    "wave_to": w_to,
                    **{f"{k}_from": a[k] for k in ("n", "count", "share")},
                    **{f"{k}_to": b[k] for k in ("n", "count", "share")},
                    "n_both": n_both,
                    "r": r,
                    **_compare(a, b, r, significance, round_to),
                    "suppressed": bool(a["share_suppressed"] or b["share_suppressed"]),
                }
            )
    table = pd.DataFrame(out, columns=WAVE_CHANGE_COLUMNS)
    return table.assign(p_holm=_holm(table["p_value"]))


def likert_summary(
    survey: pd.DataFrame,
    question: str,
    levels: Sequence[str] = LIKERT_LEVELS,
    waves: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Shares per Likert level, option and wave, levels from most negative to most positive.

    "Don't know" is left off the ordered scale (n excludes it) and counted in dont_know;
    levels nobody chose have count 0. figures.likert_diverging draws these rows as a
    diverging stacked bar. Columns question, wave, option, level, count, n, dont_know, share.

    Parameters
    ----------
    levels : the scale's codes in order (survey.likert_labels gives them with their labels).
    """
    rows = _question(survey, question, {*levels, DONT_KNOW})
    answered = rows[rows["answered"]]
    groups = [answered["wave"], answered["option"]]
    dont_know = answered["value"].eq(DONT_KNOW).groupby(groups).sum()
    counts = (
        answered[answered["value"] != DONT_KNOW]
        .groupby(["wave", "option", "value"])
        .size()
        .unstack("value", fill_value=0)
        .reindex(index=dont_know.index, columns=list(levels), fill_value=0)
    )
    out = counts.rename_axis(columns="level").stack().rename("count").reset_index()
    totals = pd.DataFrame({"n": counts.sum(axis=1), "dont_know": dont_know}).reset_index()
    out = out.merge(totals, on=["wave", "option"])
    out["share"] = out["count"] / out["n"].where(out["n"] > 0)
    out.insert(0, "question", question)
    order = {level: i for i, level in enumerate(levels)}
    out = out.sort_values("level", key=lambda s: s.map(order), kind="stable")
    return _in_wave_order(out, waves, ["option"])


def barriers_ranked(
    survey: pd.DataFrame, wave: str, question: str = "barrier", *, significance: float
) -> pd.DataFrame:
    """Share of organisations reporting each barrier in one wave, with intervals, ranked.

    The wave_proportions columns for that wave plus rank (1 = most often reported).
    """
    props = wave_proportions(survey, question, significance=significance)
    out = props[props["wave"] == wave]
    if out.empty:
        raise ValueError(f"question {question!r} has no answers in wave {wave!r}")
    out = out.sort_values(["share", "option"], ascending=[False, True]).reset_index(drop=True)
    out["rank"] = out["share"].rank(method="min", ascending=False).astype("Int64")
    return out


def change_table(changes: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """wave_changes as published: options labelled, shares' difference, no counts of people;
    "[c]" for the statistics of a comparison with a suppressed share."""
    statistics = ["difference", "conf_low", "conf_high", "p_value", "p_holm"]
    out = changes.rename(columns={"estimate": "difference"})
    out = out[["option", "comparison", "wave_from", "wave_to", *statistics]].astype(
        {s: object for s in statistics}
    )
    out.loc[changes["suppressed"].to_numpy(dtype=bool), statistics] = disclosure.CONFIDENTIAL
    return out.assign(option=out["option"].map(labels))
