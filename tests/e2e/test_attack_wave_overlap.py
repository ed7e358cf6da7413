"""A hostile reader solves the published changes between survey waves for the overlap.

Each change's interval is Newcombe's by MOVER with r, the correlation between the two shares;
from the published counts and the interval an attacker gets r back to full precision
(section 9 of docs/methodology.md says how the interval is built). r = phi n_both /
sqrt(n_a n_b): the attacker searches every wave size within the rounding of the published n,
every overlap and every paired 2 x 2 table for those that give r, and keeps the wave sizes
found for every option of a pair of waves. The exact wave sizes must not be pinned.
Run with -s to see what was found.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from pipeline import layout, survey

pytestmark = pytest.mark.e2e
WAVES = "data/processed/survey_waves"


def _r(row: pd.Series, a: pd.Series, b: pd.Series, round_to: int) -> float:
    """r from the published lower limit: solve the MOVER formula for it."""
    (l_a, u_a), (l_b, u_b) = (
        proportion_confint(s["count"], s["n"], method="wilson") for s in (a, b)
    )
    p_a, p_b = a["count"] / a["n"], b["count"] / b["n"]
    sheppard = (round_to**2 - 1) / 12 * ((1 + p_a**2) / a["n"] ** 2 + (1 + p_b**2) / b["n"] ** 2)
    widen = stats.norm.ppf(0.975) ** 2 * sheppard
    down = (p_b - l_b, u_a - p_a)
    spread = (p_b - p_a - row["conf_low"]) ** 2
    return (down[0] ** 2 + down[1] ** 2 + widen - spread) / (2 * down[0] * down[1])


def _sizes(r: float, n_a: int, n_b: int, round_to: int) -> set[tuple[int, int]]:
    """Every (exact n_a, exact n_b) within the rounding with an overlap and paired table
    whose r is the one published."""
    found = set()
    half = round_to / 2
    for size_a in range(int(np.ceil(n_a - half)), int(np.ceil(n_a + half))):
        for size_b in range(int(np.ceil(n_b - half)), int(np.ceil(n_b + half))):
            for both in range(2, min(size_a, size_b) + 1):
                rows = np.arange(1, both)[:, None, None]
                cols = np.arange(1, both)[None, :, None]
                n11 = np.arange(both)[None, None, :]
                n10, n01, n00 = rows - n11, cols - n11, both - rows - cols + n11
                valid = (n10 >= 0) & (n01 >= 0) & (n00 >= 0)
                margins = (rows * (both - rows) * cols * (both - cols)).astype(float)
                phi = (n11 * n00 - n10 * n01) / np.sqrt(margins)
                if (valid & (np.abs(phi * both / np.sqrt(size_a * size_b) - r) < 1e-9)).any():
                    found.add((size_a, size_b))
    return found


def test_wave_changes_do_not_pin_the_exact_wave_sizes(built_repo):
    root = built_repo.root
    params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    round_to = params["disclosure"]["round_to"]
    codebook = survey.load_codebook(root / layout.codebook_path(params["data"]["raw_dir"]))
    codes = {label: code for code, label in survey.option_labels(codebook, "support").items()}
    shares = pd.read_csv(root / WAVES / "support_by_wave.csv", dtype={"wave": str})
    shares = shares.set_index(["wave", "option"])
    changes = pd.read_csv(
        root / WAVES / "support_changes.csv", dtype={"wave_from": str, "wave_to": str}
    )
    answers = pd.read_csv(root / "data/processed/survey_responses.csv", dtype=str)
    asked = answers[(answers["question"] == "support") & (answers["status"] == "answered")]
    exact = asked.groupby("wave")["org_id"].nunique()  # the truth, to judge the attack by
    tried = 0
    for (w_a, w_b), pair in changes[changes["difference"].notna()].groupby(
        ["wave_from", "wave_to"]
    ):
        sizes = None
        for _, row in pair.head(4).iterrows():
            a, b = shares.loc[(w_a, codes[row["option"]])], shares.loc[(w_b, codes[row["option"]])]
            r = _r(row, a, b, round_to)
            found = _sizes(r, int(a["n"]), int(b["n"]), round_to)
            sizes = found if sizes is None else sizes & found
            tried += 1
        print(f"\n{w_a} to {w_b}: exact sizes consistent with r: {sorted(sizes)}")
        assert sizes != {(exact[w_a], exact[w_b])}, f"{w_a} and {w_b}: exact sizes pinned"
    assert tried >= 8
