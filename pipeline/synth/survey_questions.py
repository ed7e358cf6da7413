"""The survey questionnaire: stable variables and codes, and how each wave's export asked them.

Three waves (2021, 2023, 2025) of a survey of third-sector organisations. The wording drifts
between waves as in real surveys: questions reworded, options added, a label changed, a
question dropped, and two export styles for multi-selects. `wave_block(wave)` is one wave's
block of the codebook.
"""

from __future__ import annotations

from typing import Any

from pipeline.taxonomy import DONT_KNOW, ITEM_LABELS

WAVES = ("2021", "2023", "2025")
GEOGRAPHY_YEAR = {"2021": 2021, "2023": 2023, "2025": 2023}  # the geography in force

# --- what was asked (stable codes) --------------------------------------------------------------

ORG_TYPES = {
    "womens_centre": 0.27,
    "domestic_abuse": 0.2,
    "drug_alcohol": 0.2,
    "homelessness": 0.14,
    "sex_work": 0.07,
    "other": 0.12,
}
SURVEY_ONLY_SUPPORT = {
    "advocacy": "Advocacy (housing, benefits, courts)",
    "drop_in": "Drop-in sessions",
    "peer_support": "Peer support or mentoring",
    "financial_support": "Help with money, debt or benefits",
}
# taxonomy items third-sector organisations offer, then survey-only options
SUPPORT = (
    "women_groups",
    "female_keyworker",
    "women_spaces",
    "childcare",
    "parenting",
    "domestic_abuse",
    "trauma_mental_health",
    "sex_worker_outreach",
    "perinatal",
    "bame_outreach",
    "digital",
    *SURVEY_ONLY_SUPPORT,
)
SUPPORT_FROM = {"peer_support": "2023", "financial_support": "2025"}  # options added later
OTHER_FROM = "2023"  # the wave that first asked "if other, please describe your organisation"
BARRIERS = {
    "stigma": "Stigma and shame",
    "childcare": "Lack of childcare",
    "child_removal": "Fear of child removal",
    "mixed_gender": "Mixed-gender services",
    "opening_hours": "Opening hours",
    "transport": "Transport or travel costs",
    "waiting_times": "Waiting times",
    "partner_abuse": "Domestic abuse from a partner",
    "no_women_spaces": "Lack of women-only spaces",
    "cost_of_living": "Cost of living",
}
BARRIER_FROM = {"cost_of_living": "2025"}
SEVERITY_OF = ("stigma", "child_removal", "waiting_times", "mixed_gender")
PARTNERS = {
    "social_services": "Social services",
    "police": "Police",
    "primary_care": "Primary care (GPs)",
    "mental_health": "Mental health services",
}
QUALITY = ("Very poor", "Poor", "Neither good nor poor", "Good", "Very good")
SEVERITY = ("Not a barrier", "Minor barrier", "Moderate barrier", "Major barrier", "Severe barrier")
CHANGE = ("increased", "same", "decreased")
SECURE = ("yes", "no", DONT_KNOW)

VARIABLES: dict[str, dict[str, Any]] = {
    "org_id": {"type": "id"},
    "submitted": {"type": "timestamp"},
    "org_type": {"type": "single", "codes": list(ORG_TYPES)},
    "org_type_other": {"type": "text"},
    "areas": {"type": "areas"},
    "support": {"type": "multi", "options": list(SUPPORT)},
    "barrier": {"type": "multi", "options": list(BARRIERS)},
    "barrier_severity": {"type": "likert", "scale": "severity", "options": list(SEVERITY_OF)},
    "partner": {"type": "likert", "scale": "quality", "options": list(PARTNERS)},
    "demand_change": {"type": "single", "codes": list(CHANGE)},
    "funding_change": {"type": "single", "codes": list(CHANGE)},
    "funding_secure": {"type": "single", "codes": list(SECURE)},
    "comments": {"type": "text"},
    "contact_name": {"type": "contact"},
    "contact_email": {"type": "contact"},
    "synthetic": {"type": "ignore"},
}


# --- how each wave asked it (the codebook's wave blocks) ----------------------------------------


def _support_label(code: str, wave: str) -> str:
    if code == "bame_outreach" and wave == "2021":
        return "Outreach with BAME women's groups"
    if code == "childcare" and wave == "2025":
        return "Childcare or crèche"
    return ITEM_LABELS.get(code) or SURVEY_ONLY_SUPPORT[code]


def asked(options: dict[str, Any], added: dict[str, str], wave: str) -> dict[str, Any]:
    """The entries of `options` asked in `wave`: those not added (`added`) after it."""
    return {code: label for code, label in options.items() if added.get(code, wave) <= wave}


def _scale(levels: tuple[str, ...]) -> dict[str, str]:
    return {label: str(i) for i, label in enumerate(levels, start=1)} | {"Don't know": DONT_KNOW}


def _org_labels(wave: str) -> dict[str, str]:
    """Organisation type code -> the label wave `wave` showed."""
    labels = {
        "womens_centre": "Women's centre",
        "domestic_abuse": "Domestic abuse service",
        "drug_alcohol": "Drug and alcohol service",
        "homelessness": "Homelessness service",
        "sex_work": "Sex work project",
        "other": "Other",
    }
    if wave >= "2023":
        labels |= {
            "womens_centre": "Women's Centre",
            "sex_work": "Sex-work project",
            "drug_alcohol": "Drug & alcohol service",
            "other": "Other (please specify)",
        }
    if wave >= "2025":
        labels["drug_alcohol"] = "Substance use service"
    return labels


def _respondent_entries(wave: str) -> dict[str, dict[str, Any]]:
    """Who answered, when, and where they work: org_id, submitted, org_type (from OTHER_FROM
    with an 'if other, please describe' text), areas."""
    entries = {
        "org_id": {"header": "Respondent ID" if wave == "2021" else "Organisation ID"},
        "submitted": {
            "2021": {"header": "Submitted", "format": "%d/%m/%Y %H:%M"},
            "2023": {"header": "Completion time", "format": "%Y-%m-%d %H:%M:%S"},
            "2025": {"header": "Submitted at", "format": "%Y-%m-%dT%H:%M:%SZ"},
        }[wave],
        "org_type": {
            "header": "What type of organisation are you?"
            if wave == "2021"
            else "Which best describes your organisation?",
            "labels": {v: k for k, v in _org_labels(wave).items()},
        },
        "org_type_other": {"header": "If other, please describe your organisation"},
        "areas": {
            "header": "Which local authority areas do you work in?"
            if wave == "2021"
            else "Local authority areas served (separate with commas or semicolons)",
            "delimiters": ";,",
        },
    }
    if wave < OTHER_FROM:
        del entries["org_type_other"]
    return entries


def _multi_select_entries(wave: str) -> dict[str, dict[str, Any]]:
    """The support and barrier multi-selects: one column per option, or one delimited cell."""
    support = {
        c: _support_label(c, wave) for c in asked(dict.fromkeys(SUPPORT, ""), SUPPORT_FROM, wave)
    }
    barriers = asked(BARRIERS, BARRIER_FROM, wave)
    q_support = (
        "Which women-specific support does your organisation offer?"
        if wave == "2021"
        else "What women-specific support do you offer? (tick all that apply)"
    )
    q_barrier = "What barriers do women face in accessing support?"
    if wave == "2023":
        return {
            "support": {
                "header": q_support,
                "style": "delimited",
                "delimiter": ";",
                "labels": {v: k for k, v in support.items()},
            },
            "barrier": {
                "header": f"{q_barrier} (tick all that apply)",
                "style": "delimited",
                "delimiter": ";",
                "labels": {v: k for k, v in barriers.items()},
            },
        }
    sep = " - " if wave == "2021" else ": "
    entries = {
        "support": {
            "headers": {f"{q_support}{sep}{v}": k for k, v in support.items()},
            "style": "columns",
        }
    }
    if wave == "2021":
        entries["barrier"] = {
            "headers": {f"{q_barrier} - {v}": k for k, v in barriers.items()},
            "style": "columns",
        }
    else:
        entries["barrier"] = {
            "header": "Which barriers stop women getting support?",
            "style": "delimited",
            "delimiter": ",",
            "labels": {v: k for k, v in barriers.items()},
        }
    return entries


def _severity_entry(wave: str) -> dict[str, Any]:
    """The barrier-severity grid (not asked in 2025; 2023 exported its levels as numbers)."""
    severity = (
        {str(i): str(i) for i in range(1, 6)} | {"Don't know": DONT_KNOW}
        if wave == "2023"
        else _scale(SEVERITY)
    )
    return {
        "headers": {
            f"How much of a barrier is each of these? - {BARRIERS[c]}": c for c in SEVERITY_OF
        },
        "labels": severity,
    }


def _partner_entry(wave: str) -> dict[str, Any]:
    """The partnership-quality grid (reworded, and its middle level relabelled, in 2025)."""
    quality = _scale(QUALITY) | ({"Neutral": "3"} if wave == "2025" else {})
    if wave == "2025":
        del quality["Neither good nor poor"]
    question = (
        "How would you rate partnership working with each of these?"
        if wave < "2025"
        else "How good is your joint working with"
    )
    sep = " - " if wave < "2025" else ": "
    return {
        "headers": {f"{question}{sep}{v}": k for k, v in PARTNERS.items()},
        "labels": quality,
    }


def _change_entries(wave: str) -> dict[str, dict[str, Any]]:
    """Demand and funding questions."""
    change = {"Increased": "increased", "Stayed the same": "same", "Decreased": "decreased"}
    demand = change if wave < "2025" else change | {"No change": "same"}
    if wave == "2025":
        del demand["Stayed the same"]
    return {
        "demand_change": {
            "header": "Compared with a year ago, demand for your services has..."
            if wave < "2025"
            else "How has demand for your services changed in the last year?",
            "labels": demand,
        },
        "funding_change": {
            "header": "Compared with a year ago, your funding has...",
            "labels": change,
        },
        "funding_secure": {
            "header": "Is your funding secure for the next 12 months?",
            "labels": {"Yes": "yes", "No": "no", "Not sure": DONT_KNOW},
        },
    }


def _closing_entries(wave: str) -> dict[str, dict[str, Any]]:
    """Free-text comments, the contact columns and the export's synthetic marker column."""
    return {
        "comments": {
            "header": "Any other comments?"
            if wave == "2021"
            else "Is there anything else you would like to tell us?"
        },
        "contact_name": {"header": "Your name" if wave == "2021" else "Contact name"},
        "contact_email": {"header": "Your email address" if wave == "2021" else "Contact email"},
        "synthetic": {"header": "synthetic"},
    }


def wave_block(wave: str) -> dict[str, dict[str, Any]]:
    """How wave `wave`'s export asked each question: its codebook block.

    Parameters
    ----------
    wave
        One of WAVES.

    Returns
    -------
    dict
        Variable -> its entry (header or headers, labels, style, ...), in the order of
        VARIABLES; a variable the wave did not ask has no entry.
    """
    block = _respondent_entries(wave) | _multi_select_entries(wave)
    if wave < "2025":
        block["barrier_severity"] = _severity_entry(wave)
    block["partner"] = _partner_entry(wave)
    return block | _change_entries(wave) | _closing_entries(wave)


WAVE_NOTES = {
    "2021": "online survey export (CSV); multi-selects one column per option,\n"
    "a ticked option shows its label",
    "2023": "Excel export; multi-selects in one cell separated by ';';\n"
    "barrier severity exported as numbers; new support option peer_support;\n"
    "new free text describing an 'other' organisation",
    "2025": "CSV export; multi-select columns hold 1 when ticked; barrier severity not asked;\n"
    "partnership question reworded; new options financial_support, cost_of_living",
}
TICKED = {"2021": "label", "2025": "1"}  # what a ticked option column holds in the export
