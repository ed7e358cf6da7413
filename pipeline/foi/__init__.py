"""Clean the FOI round files into the processed tables foi_responses, foi_items, foi_common.

Modules, each with one job (imports flow down this list, never back):

- `vocabulary`: load and check the words analysts extend (resources/statuses.yaml, answers.yaml)
- `problems`: report every problem of one file as one InputError
- `raw`: the raw tracker's column headers, FOI_RAW_SCHEMA, reading one round's file
- `parse`: raw cells to codes (statuses, item answers, counts, dates)
- `coding`: the keyword coding frame for the free text
- `overrides`: the analyst's overrides (data/foi_overrides.csv)
- `common`: every round on the latest geography
- `clean`: `clean_rounds`, matching authorities, duplicates, row accounts
- `summaries`: what the clean_foi notebook shows

The schemas of the processed tables are in pipeline.schemas; the names below are the
package's public interface.
"""

from pipeline.foi.clean import (
    FoiResult,
    Round,
    clean_rounds,
    settle_duplicates,
)
from pipeline.foi.coding import code_text, load_coding_frame
from pipeline.foi.common import to_common
from pipeline.foi.overrides import OVERRIDE_COLUMNS, apply_overrides, read_overrides
from pipeline.foi.parse import (
    check_statuses,
    classify_answer,
    classify_status,
    parse_count,
    parse_counts,
    parse_date,
    parse_dates,
)
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
from pipeline.foi.summaries import coding_examples, disagreements, match_summary

__all__ = [
    "ADULTS",
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
    "FoiResult",
    "Round",
    "apply_overrides",
    "check_statuses",
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
    "to_common",
]
