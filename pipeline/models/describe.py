"""Description of provision before any model: how many items authorities offer, and which."""

from __future__ import annotations

import pandas as pd

from pipeline.intervals import wilson_interval
from pipeline.models.frame import responders
from pipeline.taxonomy import ITEM_IDS, ITEM_LABELS, K_ITEMS


def items_distribution(frame: pd.DataFrame) -> pd.DataFrame:
    """Responding authorities by number of items: [round, n_items, n_authorities, share]."""
    rows = responders(frame)
    table = pd.crosstab(rows["round"], rows["n_items"].astype(int))
    table = table.reindex(columns=range(K_ITEMS + 1), fill_value=0).rename_axis(columns="n_items")
    out = table.stack().rename("n_authorities").reset_index()
    total = out.groupby("round")["n_authorities"].transform("sum")
    return out.assign(share=out["n_authorities"] / total)


def item_shares(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Share of responding authorities offering each item, with Wilson 95% intervals.

    Only "yes" counts as offering; the denominator is every authority that reported items.
    Returns [round, <by>, item, label, n, offering, share, conf_low, conf_high].
    """
    keys = ["round"] + ([by] if by else [])
    long = responders(frame).melt(
        id_vars=keys, value_vars=list(ITEM_IDS), var_name="item", value_name="answer"
    )
    out = (
        long.assign(offered=long["answer"].eq("yes"))
        .groupby(keys + ["item"], sort=False)
        .agg(n=("offered", "size"), offering=("offered", "sum"))
        .reset_index()
    )
    low, high = wilson_interval(out["offering"], out["n"], significance=0.05)
    return out.assign(
        label=out["item"].map(ITEM_LABELS),
        share=out["offering"] / out["n"],
        conf_low=low,
        conf_high=high,
    )[[*keys, "item", "label", "n", "offering", "share", "conf_low", "conf_high"]]


def item_share_bounds(frame: pd.DataFrame) -> pd.DataFrame:
    """Share of responding authorities offering each item with blank answers set aside.

    A blank (unknown or not held) is missing, not "no": `share` is yes among the authorities
    that answered the item yes or no, with a Wilson 95% interval; `lower` counts blanks as
    no (the shares of `item_shares`) and `upper` counts them as yes.
    Returns [round, item, label, n, yes, no, blank, share, conf_low, conf_high, lower,
    upper].
    """
    long = responders(frame).melt(
        id_vars=["round"], value_vars=list(ITEM_IDS), var_name="item", value_name="answer"
    )
    out = (
        long.assign(yes=long["answer"].eq("yes"), no=long["answer"].eq("no"))
        .groupby(["round", "item"], sort=False)
        .agg(n=("answer", "size"), yes=("yes", "sum"), no=("no", "sum"))
        .reset_index()
    )
    answered = out["yes"] + out["no"]
    low, high = wilson_interval(out["yes"], answered, significance=0.05)
    return out.assign(
        label=out["item"].map(ITEM_LABELS),
        blank=out["n"] - answered,
        share=out["yes"] / answered.where(answered > 0),
        conf_low=low,
        conf_high=high,
        lower=out["yes"] / out["n"],
        upper=(out["n"] - out["no"]) / out["n"],
    )[
        [
            "round",
            "item",
            "label",
            "n",
            "yes",
            "no",
            "blank",
            "share",
            "conf_low",
            "conf_high",
            "lower",
            "upper",
        ]
    ]
