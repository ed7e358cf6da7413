"""Views of a cleaned FOI result that the clean_foi notebook shows the analyst."""

from __future__ import annotations

import pandas as pd

from pipeline.foi.clean import FoiResult


def match_summary(result: FoiResult) -> pd.DataFrame:
    """Rows per round by how the authority was matched (code, code_successor, alias, fuzzy)."""
    return (
        result.responses.groupby(["round", "match_method"], sort=False)
        .size()
        .rename("authorities")
        .reset_index()
    )


def disagreements(result: FoiResult) -> pd.DataFrame:
    """Items the free text mentions although the item answer says no or not held."""
    cols = ["round", "la_code", "item", "answer", "answer_raw"]
    rows = result.items.loc[result.items["disagreement"], cols]
    return rows.merge(result.texts, on=["round", "la_code"], how="left").reset_index(drop=True)


def coding_examples(result: FoiResult, n: int = 5) -> pd.DataFrame:
    """The first n free texts (by round and code) with the items the coding frame found in each."""
    mentioned = result.items[result.items["mentioned"]]
    coded = mentioned.groupby(["round", "la_code"], sort=False)["item"].agg(", ".join)
    texts = result.texts[result.texts["text"] != ""].merge(
        coded.rename("items_coded").reset_index(), on=["round", "la_code"], how="left"
    )
    return texts.fillna({"items_coded": ""}).head(n).reset_index(drop=True)
