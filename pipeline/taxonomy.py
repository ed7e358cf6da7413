"""The provision taxonomy and the fixed code lists: defined here once, used everywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """One women-specific provision item asked about in the FOI requests."""

    id: str
    label: str


ITEMS: tuple[Item, ...] = (
    Item("women_groups", "Women-only groups"),
    Item("female_keyworker", "Option of a female keyworker"),
    Item("women_spaces", "Women-only spaces or sessions"),
    Item("childcare", "Childcare or creche"),
    Item("parenting", "Parenting and family support"),
    Item("domestic_abuse", "Domestic abuse support"),
    Item("trauma_mental_health", "Trauma-informed or mental health support for women"),
    Item("sex_worker_outreach", "Sex-worker outreach"),
    Item("perinatal", "Pregnancy and perinatal pathway"),
    Item("bame_outreach", "Outreach with Black, Asian and minority ethnic women's groups"),
    Item("residential_detox", "Women-only residential or detox"),
    Item("digital", "Digital or remote options"),
    Item("community_settings", "Delivery in community settings"),
)

ITEM_IDS: tuple[str, ...] = tuple(item.id for item in ITEMS)
ITEM_LABELS: dict[str, str] = {item.id: item.label for item in ITEMS}
K_ITEMS: int = len(ITEMS)

# FOI response statuses after cleaning, in reporting order.
STATUSES: tuple[str, ...] = (
    "full",
    "partial",
    "not_held",
    "refused_cost",
    "refused_other",
    "clarification",
    "no_response",
)
STATUS_LABELS: dict[str, str] = {
    "full": "Full response",
    "partial": "Partial response",
    "not_held": "Information not held",
    "refused_cost": "Refused: over cost limit (s12)",
    "refused_other": "Refused: other exemption",
    "clarification": "Clarification sought",
    "no_response": "No response",
}
# Statuses under which an authority told us what it provides.
ANSWERED_STATUSES: tuple[str, ...] = ("full", "partial")

# Classified answer to one provision item.
ANSWERS: tuple[str, ...] = ("yes", "no", "not_held", "unknown")

# How a reported treatment count was written.
COUNT_FLAGS: tuple[str, ...] = ("exact", "approximate", "censored", "not_held", "missing")
# The funnel plot's control limits: adjusted for overdispersion, the only ones drawn or used.
ADJUSTED = "adjusted for overdispersion"

# Survey answer code for "Don't know" on every Likert scale.
DONT_KNOW: str = "dont_know"

# Survey answers: each (organisation, question, option) is answered, not asked in that
# wave's questionnaire, or left blank.
SURVEY_STATUSES: tuple[str, ...] = ("answered", "not_asked", "missing")
