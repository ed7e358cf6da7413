"""Views of a cleaned FOI result that the clean_foi notebook shows the analyst.

The free text, the values as typed and the analysts' reasons are shown only redacted
(`privacy.redact_series`): the executed notebook is published with the report.
"""

from __future__ import annotations

import pandas as pd

from pipeline import privacy
from pipeline.foi.clean import FoiResult


def match_summary(result: FoiResult) -> pd.DataFrame:
    """Rows per round by how the authority was matched (code, code_successor, alias, fuzzy)."""
    return (
        result.responses.groupby(["round", "match_method"], sort=False)
        .size()
        .rename("authorities")
        .reset_index()
    )


def _redacted(texts: pd.DataFrame) -> pd.DataFrame:
    """[round, la_code, text] with the text redacted."""
    return texts.assign(text=privacy.redact_series(texts["text"]))


def disagreements(result: FoiResult) -> pd.DataFrame:
    """Items the free text mentions although the item answer says no or not held, with the
    (redacted) text."""
    cols = ["round", "la_code", "item", "answer", "answer_raw"]
    rows = result.items.loc[result.items["disagreement"], cols]
    texts = _redacted(result.texts)
    return rows.merge(texts, on=["round", "la_code"], how="left").reset_index(drop=True)


def coding_examples(result: FoiResult, n: int = 5) -> pd.DataFrame:
    """The first n free texts (by round and code), redacted, with the items the coding frame
    found in each."""
    mentioned = result.items[result.items["mentioned"]]
    coded = mentioned.groupby(["round", "la_code"], sort=False)["item"].agg(", ".join)
    texts = result.texts[result.texts["text"] != ""].head(n)
    texts = _redacted(texts).merge(
        coded.rename("items_coded").reset_index(), on=["round", "la_code"], how="left"
    )
    return texts.fillna({"items_coded": ""}).reset_index(drop=True)


def applied_overrides(result: FoiResult) -> pd.DataFrame:
    """The overrides applied (`FoiResult.overrides`: one row per override applied to a raw row),
    each value as typed and each reason redacted: the processed table foi_overrides."""
    applied = result.overrides
    return applied.assign(
        before=privacy.redact_series(applied["before"]),
        reason=privacy.redact_series(applied["reason"]),
    )
