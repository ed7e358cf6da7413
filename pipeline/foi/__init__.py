"""Clean the FOI round files into the processed tables foi_responses, foi_items, foi_common.

Modules, each with one job (imports flow down this list, never back):

- `vocabulary`: load and check the words and rules analysts extend (resources/statuses.yaml,
  status_rules.yaml, answers.yaml, answer_rules.yaml)
- `problems`: collect every problem of one file and report them at once as one InputError
- `raw`: the raw tracker's column headers, FOI_RAW_SCHEMA, reading one round's file
- `rules`: classify statuses (spellings, FOI Act sections, outcome words) and item answers
- `parse`: raw columns to codes (statuses, counts, dates), bad cells as findings
- `coding`: the keyword coding frame for the free text
- `overrides`: the analyst's overrides (data/foi_overrides.csv), each one applied recorded
- `authorities`: matching rows to authorities, duplicates, coverage
- `checks`: the plausibility rules (contradictions, impossible counts and dates, formulas)
- `one_round`: cleaning one round's file
- `common`: every round on the latest geography
- `clean`: `clean_rounds`, finishing the tables, row accounts
- `summaries`: what the clean_foi notebook shows

The schemas of the processed tables are in pipeline.schemas; the names below are the
package's public interface.
"""

from pipeline.foi.authorities import settle_duplicates
from pipeline.foi.clean import FoiResult, Round, clean_rounds
from pipeline.foi.coding import code_text, load_coding_frame
from pipeline.foi.common import to_common
from pipeline.foi.overrides import (
    APPLIED_COLUMNS,
    OVERRIDE_COLUMNS,
    RoundOverrides,
    read_overrides,
)
from pipeline.foi.parse import (
    check_statuses,
    classify_status,
    parse_count,
    parse_counts,
    parse_date,
    parse_dates,
)
from pipeline.foi.problems import Findings
from pipeline.foi.raw import (
    ADULTS,
    CODE,
    FOI_RAW_SCHEMA,
    ITEM_HEADERS,
    LA,
    REQUIRED,
    RESPONDED,
    SENT,
    STATUS,
    SYNTHETIC_COLUMN,
    SYNTHETIC_MARKER,
    TEXT,
    WOMEN,
    XLSX_TITLE,
    raw_failures,
)
from pipeline.foi.rules import cited_sections, classify_answer, status_of
from pipeline.foi.summaries import (
    applied_overrides,
    coding_examples,
    disagreements,
    match_summary,
)

__all__ = [
    "ADULTS",
    "APPLIED_COLUMNS",
    "CODE",
    "FOI_RAW_SCHEMA",
    "ITEM_HEADERS",
    "LA",
    "OVERRIDE_COLUMNS",
    "REQUIRED",
    "RESPONDED",
    "SENT",
    "STATUS",
    "SYNTHETIC_COLUMN",
    "SYNTHETIC_MARKER",
    "TEXT",
    "WOMEN",
    "XLSX_TITLE",
    "Findings",
    "FoiResult",
    "Round",
    "RoundOverrides",
    "applied_overrides",
    "check_statuses",
    "cited_sections",
    "classify_answer",
    "classify_status",
    "clean_rounds",
    "code_text",
    "coding_examples",
    "disagreements",
    "load_coding_frame",
    "match_summary",
    "parse_count",
    "parse_counts",
    "parse_date",
    "parse_dates",
    "raw_failures",
    "read_overrides",
    "settle_duplicates",
    "status_of",
    "to_common",
]
