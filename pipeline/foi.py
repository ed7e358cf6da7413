"""Clean the FOI round files into one row per authority per round, with every row accounted for.

Each step is a small function: read, match authorities, classify statuses and item answers,
code the free text, parse counts and dates, settle duplicates, apply the analyst's overrides.
Bad input stops the run with a readers.InputError that names the file, row, column and value
of every problem found (not only the first).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml

from pipeline import geography
from pipeline.accounting import Account, accounts_table, exclusions
from pipeline.readers import ROW, InputError, RawTable, find_file, read_table, unlisted_files
from pipeline.taxonomy import (
    ANSWERED_STATUSES,
    ANSWERS,
    COUNT_FLAGS,
    ITEM_IDS,
    ITEM_LABELS,
    STATUSES,
)

log = logging.getLogger(__name__)

# Raw column headers, as the FOI tracker spells them (the generator writes the same ones).
LA = "Local authority"
CODE = "GSS code"
SENT = "Date sent"
RESPONDED = "Date responded"
STATUS = "Response status"
TEXT = "Interventions and settings (free text)"
ADULTS = "Adults in treatment"
WOMEN = "Women in treatment"
ITEM_HEADERS: dict[str, str] = {item: ITEM_LABELS[item] for item in ITEM_IDS}
# GSS code is optional (often absent); every other column must be there.
REQUIRED = (LA, SENT, RESPONDED, STATUS, *ITEM_HEADERS.values(), TEXT, ADULTS, WOMEN)
# The example files say they are synthetic: a first CSV column (ignored by the cleaner).
SYNTHETIC_COLUMN, SYNTHETIC_MARKER = "synthetic", "SYNTHETIC EXAMPLE"
XLSX_TITLE = "SYNTHETIC EXAMPLE DATA - not real FOI responses"

DATE_DTYPE = "datetime64[s]"  # dates in the cleaned tables (whole days)
DUPLICATE_RULES = ("latest_response", "first_response")
# A response more than two years after the request is taken to be a typing error.
MAX_DAYS_TO_ANSWER = 730
DEFAULT_CODING_FRAME = resources.files("pipeline") / "resources" / "coding_frame.yaml"
OVERRIDE_COLUMNS = ["round", "la_code", "item", "answer", "reason"]
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",  # a real date cell in a spreadsheet, read as text
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d.%m.%Y",
)

# Response statuses as typed, after _normalise (lower case, "." dropped, other punctuation as
# spaces). Anything not listed stops the run, naming the value: add it here if it is legitimate.
STATUS_MAP: dict[str, str] = {
    **dict.fromkeys(
        [
            "provided",
            "provided in full",
            "full",
            "full response",
            "information provided",
            "answered",
            "complete",
        ],
        "full",
    ),
    **dict.fromkeys(
        ["partial", "partial response", "partially provided", "part provided", "provided in part"],
        "partial",
    ),
    **dict.fromkeys(
        ["info not held", "information not held", "not held", "nil return"], "not_held"
    ),
    **dict.fromkeys(
        [
            "refused s12",
            "refused s12 cost",
            "refused cost",
            "s12",
            "s12 cost",
            "exceeds cost limit",
            "refused cost limit",
        ],
        "refused_cost",
    ),
    **dict.fromkeys(
        [
            "refused",
            "s21",
            "refused s21",
            "s40",
            "refused s40",
            "s43",
            "refused s43",
            "s14",
            "refused s14",
            "vexatious",
        ],
        "refused_other",
    ),
    **dict.fromkeys(
        [
            "clarification sought",
            "clarification requested",
            "awaiting clarification",
            "clarification",
        ],
        "clarification",
    ),
    **dict.fromkeys(["no response", "none", "not received", "no reply", ""], "no_response"),
}

# Item answers. Short forms are matched whole; sentences by the conservative cue rule below.
_YES = {"yes", "y", "yes via provider", "yes via our provider", "yes commissioned"}
_NO = {"no", "n", "none", "not currently", "no not currently"}
_NOT_HELD = {"not held", "info not held", "information not held", "not known"}
_UNKNOWN = {"", "n a", "na", "unknown", "tbc", "see notes", "see below"}
_YES_CUES = re.compile(r"via (our |the |a )?(main )?provider|\bcommission")
_NO_CUES = re.compile(r"\bnot currently\b|\bno\b|\bnot\b|n't\b|\bnone\b")

_COUNT_EXACT = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")
_COUNT_APPROX = re.compile(r"^(?:approx\.?|approximately|c\.?|circa|around|about|~)\s*(\d[\d,]*)$")
_COUNT_CENSORED = re.compile(r"^(?:<|less than|fewer than|under)\s*(\d+)$")
_COUNT_NOT_HELD = {"not held", "info not held", "information not held", "not known"}


@dataclass(frozen=True)
class Round:
    """One FOI round as params.yaml describes it."""

    name: str
    geography_year: int
    request_sent: date

    @classmethod
    def from_params(cls, spec: dict) -> Round:
        """A round from a params.yaml foi.rounds entry."""
        return cls(
            str(spec["name"]),
            int(spec["geography_year"]),
            date.fromisoformat(str(spec["request_sent"])),
        )


@dataclass
class FoiResult:
    """The cleaned FOI tables and the row accounts."""

    responses: pd.DataFrame
    items: pd.DataFrame
    common: pd.DataFrame
    texts: pd.DataFrame
    exclusions: pd.DataFrame
    accounts: list[Account] = field(default_factory=list)

    @property
    def accounts_table(self) -> pd.DataFrame:
        """One row per file: rows in, kept, excluded, blank."""
        return accounts_table(self.accounts)


def _normalise(text: str) -> str:
    text = str(text).lower().replace(".", "").replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w']+", " ", text).split())


def _fail(file: str | Path, what: str, problems: list[tuple[int, str, str]]) -> None:
    """Raise one InputError listing every (row, column, message) problem, if there are any."""
    if not problems:
        return
    if len(problems) == 1:
        row, column, message = problems[0]
        raise InputError(file, f"{what}: {message}", row=row, column=column)
    lines = "\n".join(f"  row {r}, column {c!r}: {m}" for r, c, m in problems)
    raise InputError(file, f"{len(problems)} {what}s:\n{lines}")


# -- statuses ------------------------------------------------------------------------------------


def classify_status(raw: pd.Series) -> pd.Series:
    """Map statuses as typed to STATUSES; NA where the value is not in STATUS_MAP."""
    return raw.map(lambda v: STATUS_MAP.get(_normalise(v))).astype("str")


def check_statuses(frame: pd.DataFrame, file: str | Path) -> pd.Series:
    """Classified statuses of a raw round; error listing every unknown value with its row."""
    status = classify_status(frame[STATUS])
    bad = frame.loc[status.isna()]
    _fail(
        file,
        "unknown response status",
        [
            (r, STATUS, f"{v!r} is not a known status (known: {sorted(set(STATUS_MAP) - {''})})")
            for r, v in zip(bad[ROW], bad[STATUS], strict=True)
        ],
    )
    return status


# -- item answers and free text ------------------------------------------------------------------


def classify_answer(raw: str) -> str:
    """One item answer as typed -> yes, no, not_held or unknown.

    Short forms ("Y", "yes - via provider", "N", "Not held", "N/A", blank) are matched whole.
    A sentence is "yes" if it mentions a provider or commissioning and has no negative word,
    "no" if it has a negative word ("no", "not", "not currently", "n't", "none") and no such
    cue, and "unknown" otherwise (both or neither): a human decides via the overrides file.
    """
    text = _normalise(raw)
    for answer, forms in (
        ("yes", _YES),
        ("no", _NO),
        ("not_held", _NOT_HELD),
        ("unknown", _UNKNOWN),
    ):
        if text in forms:
            return answer
    yes, no = bool(_YES_CUES.search(text)), bool(_NO_CUES.search(text))
    if yes != no:
        return "yes" if yes else "no"
    return "unknown"


def load_coding_frame(path: str | Path | None = None) -> dict[str, list[re.Pattern[str]]]:
    """The keyword coding frame (item id -> compiled patterns); error on an unknown item id."""
    path = DEFAULT_CODING_FRAME if path is None else Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = sorted(set(raw) - set(ITEM_IDS))
    if unknown:
        raise InputError(path, f"unknown item ids {unknown} (known: {list(ITEM_IDS)})")
    return {item: [re.compile(p, re.IGNORECASE) for p in raw.get(item, [])] for item in ITEM_IDS}


def code_text(texts: pd.Series, frame: dict[str, list[re.Pattern[str]]]) -> pd.DataFrame:
    """Which items each free text mentions: one bool column per item id, indexed like texts."""
    return pd.DataFrame(
        {
            item: texts.map(lambda t, ps=patterns: any(p.search(t) for p in ps)).astype(bool)
            for item, patterns in frame.items()
        },
        index=texts.index,
    )


# -- counts and dates ----------------------------------------------------------------------------


def parse_count(raw: str) -> tuple[int | None, str, int | None]:
    """A count as typed -> (value, flag, censoring bound); ValueError if it is not a count.

    "1,234" exact; "approx 200", "c. 200", "around 200" approximate (value kept);
    "<5" censored (value None, bound 5); "not held" not_held; blank missing.
    """
    text = " ".join(str(raw).lower().split())
    if not text:
        return None, "missing", None
    if text in _COUNT_NOT_HELD:
        return None, "not_held", None
    if _COUNT_EXACT.match(text):
        return int(text.replace(",", "")), "exact", None
    if m := _COUNT_APPROX.match(text):
        return int(m.group(1).replace(",", "")), "approximate", None
    if m := _COUNT_CENSORED.match(text):
        return None, "censored", int(m.group(1))
    if re.match(r"^-\s*\d", text):
        raise ValueError(f"{raw!r} is negative")
    raise ValueError(f"{raw!r} is not a count (write e.g. 1234, 'approx 200', '<5', 'not held')")


def parse_counts(frame: pd.DataFrame, column: str, file: str | Path) -> pd.DataFrame:
    """Parse one count column: [value (Int64), flag, bound (Int64)]; error naming bad cells."""
    parsed, problems = [], []
    for row, raw in zip(frame[ROW], frame[column], strict=True):
        try:
            parsed.append(parse_count(raw))
        except ValueError as exc:
            problems.append((row, column, str(exc)))
            parsed.append((None, "missing", None))
    _fail(file, "bad count", problems)
    out = pd.DataFrame(parsed, columns=["value", "flag", "bound"], index=frame.index)
    return out.astype({"value": "Int64", "flag": "str", "bound": "Int64"})


def parse_date(raw: str) -> date | None:
    """A date as typed (day first) -> date; None if blank; ValueError if no format fits."""
    text = str(raw).strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{raw!r} is not a date in a known format (e.g. 2021-06-14, 14/06/2021)")


def parse_dates(
    frame: pd.DataFrame, column: str, file: str | Path, earliest: date, latest: date
) -> pd.Series:
    """Parse one date column to datetime64; error naming cells outside [earliest, latest]."""
    values, problems = [], []
    for row, raw in zip(frame[ROW], frame[column], strict=True):
        try:
            value = parse_date(raw)
        except ValueError as exc:
            problems.append((row, column, str(exc)))
            value = None
        if value is not None and not earliest <= value <= latest:
            side = "before the request was sent" if value < earliest else "after the latest date"
            problems.append((row, column, f"{raw!r} is {side} ({earliest} to {latest})"))
        values.append(value)
    _fail(file, "bad date", problems)
    return pd.to_datetime(pd.Series(values, index=frame.index, dtype="object")).astype(DATE_DTYPE)


# -- authorities ---------------------------------------------------------------------------------


def match_authorities(
    frame: pd.DataFrame, matcher: geography.Matcher, file: str | Path
) -> pd.DataFrame:
    """la_code and match_method per row: the GSS code when given, else the name.

    Every unmatched or ambiguous value is listed in one InputError with its best candidates.
    """
    codes, methods, problems = [], [], []
    has_code = CODE in frame.columns
    for row, name, code in zip(
        frame[ROW], frame[LA], frame[CODE] if has_code else [""] * len(frame), strict=True
    ):
        column, value = (CODE, code) if code else (LA, name)
        match = matcher.match(value)
        if match.problem is not None:
            problems.append(
                (
                    row,
                    column,
                    f"{value!r} is {match.problem.replace('_', ' ')}; "
                    f"best candidates: {match.candidates}",
                )
            )
        elif code and name and matcher.match(name).la_code not in (None, match.la_code):
            log.warning(
                "%s row %d: name %r does not match code %s; the code is used", file, row, name, code
            )
        codes.append(match.la_code)
        methods.append(match.method)
    _fail(file, "unmatched authority", problems)
    return pd.DataFrame({"la_code": codes, "match_method": methods}, index=frame.index, dtype="str")


# -- duplicates ----------------------------------------------------------------------------------


def settle_duplicates(
    frame: pd.DataFrame, rule: str, file: str | Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one row per la_code by the rule; return (kept, exclusions with the reason).

    latest_response keeps the row with the latest date_responded, first_response the earliest;
    a tie, or a duplicate without a response date, is an error (the rule cannot decide).
    """
    if rule not in DUPLICATE_RULES:
        raise ValueError(f"duplicate_rule must be one of {DUPLICATE_RULES} (got {rule!r})")
    dup = frame[frame["la_code"].duplicated(keep=False)]
    drop, reasons, problems = [], [], []
    for code, group in dup.groupby("la_code", sort=True):
        dates = group["date_responded"]
        best = dates.max() if rule == "latest_response" else dates.min()
        winners = group[dates == best]
        if dates.isna().any() or len(winners) != 1:
            problems.append(
                (
                    int(group[ROW].iloc[0]),
                    RESPONDED,
                    f"{code} appears in rows {group[ROW].tolist()} and {rule} cannot "
                    "choose between them (missing or equal response dates)",
                )
            )
            continue
        kept_row = int(winners[ROW].iloc[0])
        for idx, row in group[group.index != winners.index[0]][ROW].items():
            drop.append(idx)
            reasons.append(f"duplicate submission for {code}: row {kept_row} kept ({rule})")
            log.info(
                "%s: row %d is a duplicate of row %d for %s (%s)", file, row, kept_row, code, rule
            )
    _fail(file, "unsettled duplicate", problems)
    excluded = exclusions(str(file), frame.loc[drop, ROW], pd.Series(reasons, dtype="str"))
    return frame.drop(index=drop), excluded


# -- one round -----------------------------------------------------------------------------------


def _read_round(raw_dir: Path, name: str) -> tuple[RawTable, str]:
    path = find_file(raw_dir / "foi", name)
    table = read_table(path, REQUIRED)
    if SYNTHETIC_COLUMN in table.data.columns:
        log.warning("%s is marked %r: synthetic example data", path, SYNTHETIC_MARKER)
    return table, path.relative_to(raw_dir).as_posix()


def _answers(
    frame: pd.DataFrame, responded: pd.Series, mentions: pd.DataFrame, round_name: str
) -> pd.DataFrame:
    """Long item answers: classified answer, then unknown answers of responders filled from text."""
    long = []
    for item, header in ITEM_HEADERS.items():
        answer = frame[header].map(classify_answer).astype("str")
        mentioned = mentions[item] & responded
        from_text = mentioned & (answer == "unknown")
        long.append(
            pd.DataFrame(
                {
                    "round": round_name,
                    "la_code": frame["la_code"],
                    "item": item,
                    "answer": answer.where(~from_text, "yes"),
                    "answer_raw": frame[header],
                    "coded_from_text": from_text,
                    "mentioned": mentioned,
                    "overridden": False,
                }
            )
        )
    return pd.concat(long, ignore_index=True)


def clean_round(
    table: RawTable,
    source_file: str,
    spec: Round,
    matcher: geography.Matcher,
    authorities: pd.DataFrame,
    coding_frame: dict[str, list[re.Pattern[str]]],
    duplicate_rule: str,
    today: date | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, Account]:
    """Clean one round's raw table.

    Returns
    -------
    responses (wide, before overrides), items (long), texts, exclusions, account
    """
    frame = table.data.copy()
    file = source_file
    frame = frame.join(match_authorities(frame, matcher, file))
    frame["status"] = check_statuses(frame, file)
    latest = spec.request_sent + timedelta(days=MAX_DAYS_TO_ANSWER)
    latest = latest if today is None else min(latest, today)
    frame["date_sent"] = parse_dates(frame, SENT, file, spec.request_sent, latest)
    frame["date_responded"] = parse_dates(frame, RESPONDED, file, spec.request_sent, latest)
    frame, excluded = settle_duplicates(frame, duplicate_rule, file)
    absent = authorities.loc[~authorities["la_code"].isin(frame["la_code"])]
    if len(absent):
        raise InputError(
            file,
            f"{len(absent)} authorities of the {spec.geography_year} "
            f"geography have no row (add them with status 'No response'): "
            f"{(absent['la_code'] + ' ' + absent['la_name']).tolist()}",
        )
    counts = {
        who: parse_counts(frame, column, file)
        for who, column in (("adults", ADULTS), ("women", WOMEN))
    }
    over = frame.loc[counts["women"]["value"] > counts["adults"]["value"]]
    _fail(
        file,
        "count",
        [
            (r, WOMEN, f"{w} women is more than {a} adults in treatment")
            for r, w, a in zip(
                over[ROW], frame.loc[over.index, WOMEN], frame.loc[over.index, ADULTS], strict=True
            )
        ],
    )
    responded = frame["status"].isin(ANSWERED_STATUSES)
    texts = frame[TEXT].where(responded, "")
    items = _answers(frame, responded, code_text(texts, coding_frame), spec.name)
    responses = pd.DataFrame(
        {
            "round": spec.name,
            "geography_year": spec.geography_year,
            "la_code": frame["la_code"],
            "status": frame["status"],
            "status_raw": frame[STATUS],
            "responded": responded,
            "date_sent": frame["date_sent"],
            "date_responded": frame["date_responded"],
            **{
                f"{who}_{part}": counts[who][key]
                for who in ("adults", "women")
                for part, key in (("in_treatment", "value"), ("flag", "flag"), ("bound", "bound"))
            },
            "match_method": frame["match_method"],
            "source_file": source_file,
            "source_row": frame[ROW],
        }
    )
    text_frame = pd.DataFrame({"round": spec.name, "la_code": frame["la_code"], "text": texts})
    account = Account(
        source_file,
        rows_in=len(table.data) + table.blank_rows,
        kept=len(frame),
        excluded=len(excluded),
        blank=table.blank_rows,
    )
    return responses, items, text_frame[responded], excluded, account


# -- overrides, assembly, common geography -------------------------------------------------------


def read_overrides(path: str | Path) -> pd.DataFrame:
    """The analyst's overrides [round, la_code, item, answer, reason, source_row]; checked."""
    data = read_table(path, OVERRIDE_COLUMNS).data
    problems = [
        (r, "item", f"{v!r} is not an item id")
        for r, v in zip(data[ROW], data["item"], strict=True)
        if v not in ITEM_IDS
    ]
    problems += [
        (r, "answer", f"{v!r} is not one of {list(ANSWERS)}")
        for r, v in zip(data[ROW], data["answer"], strict=True)
        if v not in ANSWERS
    ]
    problems += [
        (r, "reason", "every override needs a reason")
        for r, v in zip(data[ROW], data["reason"], strict=True)
        if not v
    ]
    _fail(path, "bad override", problems)
    return data


def apply_overrides(
    items: pd.DataFrame, responded: pd.DataFrame, overrides: pd.DataFrame, file: str | Path
) -> pd.DataFrame:
    """Set the overridden answers (applied last); each must name a responding authority's item."""
    items = items.copy()
    keys = items.set_index(["round", "la_code", "item"]).index
    answered = set(
        zip(*responded.loc[responded["responded"], ["round", "la_code"]].T.values, strict=True)
    )
    problems = []
    for _, o in overrides.iterrows():
        key = (o["round"], o["la_code"], o["item"])
        if (o["round"], o["la_code"]) not in answered:
            problems.append(
                (
                    o[ROW],
                    "la_code",
                    f"round {o['round']!r} has no response from {o['la_code']!r} to override",
                )
            )
            continue
        at = keys.get_loc(key)
        items.loc[at, ["answer", "overridden"]] = [o["answer"], True]
        log.info("override: round %s %s %s -> %s (%s)", *key, o["answer"], o["reason"])
    _fail(file, "bad override", problems)
    return items


def _finish(
    responses: pd.DataFrame, items: pd.DataFrame, authorities: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add names, regions, days, wide answers, n_items and disagreements; order the tables."""
    items = items.assign(disagreement=items["mentioned"] & items["answer"].isin(["no", "not_held"]))
    wide = items.pivot(index=["round", "la_code"], columns="item", values="answer")[list(ITEM_IDS)]
    responses = responses.merge(wide.reset_index(), on=["round", "la_code"], how="left")
    responses = responses.merge(authorities, on=["geography_year", "la_code"], how="left")
    n_yes = (responses[list(ITEM_IDS)] == "yes").sum(axis=1).astype("Int64")
    responses["n_items"] = n_yes.where(responses["responded"], pd.NA)
    responses["days_to_answer"] = (responses["date_responded"] - responses["date_sent"]).dt.days
    responses["days_to_answer"] = responses["days_to_answer"].astype("Int64")
    order = {name: i for i, name in enumerate(pd.unique(responses["round"]))}
    responses = responses.sort_values(
        ["round", "la_code"], key=lambda s: s.map(order) if s.name == "round" else s
    )
    items = items.assign(_r=items["round"].map(order), _i=items["item"].map(ITEM_IDS.index))
    items = items.sort_values(["_r", "la_code", "_i"]).drop(columns=["_r", "_i"])
    return (
        responses[RESPONSE_COLUMNS].reset_index(drop=True),
        items[ITEM_COLUMNS].reset_index(drop=True),
    )


def to_common(
    responses: pd.DataFrame,
    successors: dict[int, pd.DataFrame],
    authorities: pd.DataFrame,
    year: int,
) -> pd.DataFrame:
    """Every round on the `year` geography, one row per authority of that year per round.

    A recoded authority carries its answers over (source_la_code = the old code). When an
    authority was split, each successor inherits the predecessor's status and answers
    (inherited = True, source_la_code = the predecessor); counts of people cannot be split,
    so an inherited row has NA counts flagged "missing". `successors` maps each older
    geography year to its [from_code, to_code] table; codes not in it are unchanged.
    """
    parts = []
    for geo_year, part in responses.groupby("geography_year", sort=False):
        part = part.assign(source_la_code=part["la_code"], inherited=False)
        if geo_year != year:
            pairs = successors[geo_year][["from_code", "to_code"]]
            merged = pairs.groupby("to_code")["from_code"].nunique()
            if (merged > 1).any():
                raise ValueError(
                    f"authorities merged between {geo_year} and {year} "
                    f"({list(merged[merged > 1].index)}): no rule to combine answers"
                )
            part = part.merge(pairs, left_on="la_code", right_on="from_code", how="left")
            part["la_code"] = part["to_code"].fillna(part["la_code"]).astype("str")
            split = part["from_code"].map(pairs["from_code"].value_counts()).fillna(0) > 1
            part["inherited"] = split.to_numpy()
            for who in ("adults", "women"):
                part.loc[split, [f"{who}_in_treatment", f"{who}_bound"]] = pd.NA
                part.loc[split, f"{who}_flag"] = "missing"
            part = part.drop(columns=["from_code", "to_code"])
        part = (
            part.drop(columns=["la_name", "region_code", "region_name"])
            .assign(geography_year=year)
            .merge(authorities, on=["geography_year", "la_code"], how="left")
        )
        missing = set(authorities["la_code"]) ^ set(part["la_code"])
        if missing or part["la_code"].duplicated().any():
            raise ValueError(
                f"round {part['round'].iloc[0]} does not cover the {year} "
                f"geography once per authority (differs at {sorted(missing)})"
            )
        parts.append(part[[*RESPONSE_COLUMNS, "source_la_code", "inherited"]])
    return pd.concat(parts, ignore_index=True)


def clean_rounds(
    raw_dir: Path,
    rounds: list[dict],
    reference_dir: Path,
    fuzzy_threshold: float,
    duplicate_rule: str,
    overrides: Path,
    today: date | None = None,
    coding_frame: Path | None = None,
) -> FoiResult:
    """Clean every FOI round listed in params.yaml foi.rounds.

    Parameters
    ----------
    raw_dir : folder holding foi/<round name>.csv|xlsx
    rounds : params.yaml foi.rounds entries (name, geography_year, request_sent)
    reference_dir : the derived reference tables (data/reference)
    fuzzy_threshold, duplicate_rule : params.yaml foi.fuzzy_threshold, foi.duplicate_rule
    overrides : the analyst's overrides CSV (data/foi_overrides.csv)
    today : the run date; dates after it are errors, as are dates more than
        MAX_DAYS_TO_ANSWER days after the request (None: the date of the run)
    coding_frame : the keyword coding frame (default: the packaged one)
    """
    specs = [Round.from_params(r) for r in rounds]
    today = date.today() if today is None else today
    for path in unlisted_files(raw_dir / "foi", [s.name for s in specs]):
        log.warning("%s is not a round listed in params.yaml and is ignored", path)
    frame = load_coding_frame(coding_frame)
    years = sorted({s.geography_year for s in specs})
    names = {
        y: geography.authorities(reference_dir, y).assign(geography_year=y)[
            ["geography_year", "la_code", "la_name", "region_code", "region_name"]
        ]
        for y in years
    }
    parts = []
    for spec in specs:
        matcher = geography.Matcher.from_reference(
            reference_dir, spec.geography_year, fuzzy_threshold
        )
        table, source_file = _read_round(raw_dir, spec.name)
        parts.append(
            clean_round(
                table,
                source_file,
                spec,
                matcher,
                names[spec.geography_year],
                frame,
                duplicate_rule,
                today,
            )
        )
    responses, items, texts, excluded = (
        pd.concat([p[i] for p in parts], ignore_index=True) for i in range(4)
    )
    items = apply_overrides(items, responses, read_overrides(overrides), overrides)
    responses, items = _finish(responses, items, pd.concat(names.values(), ignore_index=True))
    common_year = years[-1]
    successors = {y: geography.successor_map(reference_dir, y, common_year) for y in years[:-1]}
    authorities = names[common_year]
    common = to_common(responses, successors, authorities, common_year)
    return FoiResult(
        responses=responses,
        items=items,
        common=common,
        texts=texts.reset_index(drop=True),
        exclusions=excluded,
        accounts=[p[4] for p in parts],
    )


# -- what the notebook shows ---------------------------------------------------------------------


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


# -- schemas -------------------------------------------------------------------------------------


def _one_of(values: tuple[str, ...] | list[str]) -> pa.Check:
    return pa.Check.isin(list(values))


_TEXT = pa.Column(str)
RESPONSE_COLUMNS = [
    "round",
    "geography_year",
    "la_code",
    "la_name",
    "region_code",
    "region_name",
    "status",
    "status_raw",
    "responded",
    "date_sent",
    "date_responded",
    "days_to_answer",
    *ITEM_IDS,
    "n_items",
    "adults_in_treatment",
    "adults_flag",
    "adults_bound",
    "women_in_treatment",
    "women_flag",
    "women_bound",
    "match_method",
    "source_file",
    "source_row",
]
ITEM_COLUMNS = [
    "round",
    "la_code",
    "item",
    "answer",
    "answer_raw",
    "mentioned",
    "coded_from_text",
    "disagreement",
    "overridden",
]
_GSS = pa.Check.str_matches(r"^E\d{8}$")
_COUNT = pa.Column("Int64", pa.Check.ge(0), nullable=True)
FOI_RESPONSES_SCHEMA = pa.DataFrameSchema(
    {
        "round": _TEXT,
        "geography_year": pa.Column(int, _one_of([2019, 2021, 2023])),
        "la_code": pa.Column(str, _GSS),
        "la_name": _TEXT,
        "region_code": pa.Column(str, pa.Check.str_matches(r"^E12\d{6}$")),
        "region_name": _TEXT,
        "status": pa.Column(str, _one_of(STATUSES)),
        "status_raw": _TEXT,
        "responded": pa.Column(bool),
        "date_sent": pa.Column(DATE_DTYPE),
        "date_responded": pa.Column(DATE_DTYPE, nullable=True),
        "days_to_answer": pa.Column(
            "Int64", pa.Check.in_range(0, MAX_DAYS_TO_ANSWER), nullable=True
        ),
        **{item: pa.Column(str, _one_of(ANSWERS)) for item in ITEM_IDS},
        "n_items": pa.Column("Int64", pa.Check.in_range(0, len(ITEM_IDS)), nullable=True),
        **{
            f"{who}_{part}": col
            for who in ("adults", "women")
            for part, col in (
                ("in_treatment", _COUNT),
                ("flag", pa.Column(str, _one_of(COUNT_FLAGS))),
                ("bound", pa.Column("Int64", pa.Check.gt(0), nullable=True)),
            )
        },
        "match_method": pa.Column(str, _one_of(["code", "code_successor", "alias", "fuzzy"])),
        "source_file": _TEXT,
        "source_row": pa.Column(int, pa.Check.gt(0)),
    },
    checks=[
        pa.Check(
            lambda d: d["responded"] == d["status"].isin(ANSWERED_STATUSES),
            name="responded iff status is full or partial",
        ),
        pa.Check(
            lambda d: d["n_items"].isna() != d["responded"],
            name="n_items given exactly for responders",
        ),
        pa.Check(
            lambda d: ~(d["women_in_treatment"] > d["adults_in_treatment"]).fillna(False),
            name="women <= adults",
        ),
    ],
    unique=["round", "la_code"],
    strict=True,
    ordered=True,
)
FOI_ITEMS_SCHEMA = pa.DataFrameSchema(
    {
        "round": _TEXT,
        "la_code": pa.Column(str, _GSS),
        "item": pa.Column(str, _one_of(ITEM_IDS)),
        "answer": pa.Column(str, _one_of(ANSWERS)),
        "answer_raw": _TEXT,
        **{flag: pa.Column(bool) for flag in ITEM_COLUMNS[5:]},
    },
    checks=[
        pa.Check(
            lambda d: ~d["coded_from_text"] | d["mentioned"],
            name="coded from text only when the text mentions the item",
        )
    ],
    unique=["round", "la_code", "item"],
    strict=True,
    ordered=True,
)
# What a tidy raw tracker would look like. Real (and example) files fail it: that is the mess
# the cleaner exists for; raw_failures shows where.
FOI_RAW_SCHEMA = pa.DataFrameSchema(
    {
        LA: pa.Column(str, pa.Check.str_length(min_value=1)),
        CODE: pa.Column(str, _GSS, required=False),
        SENT: pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")),
        RESPONDED: pa.Column(str, pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$")),
        STATUS: pa.Column(
            str,
            _one_of(
                [
                    "Provided",
                    "Partial",
                    "Info not held",
                    "Refused - s12 cost",
                    "Refused - other",
                    "Clarification sought",
                    "No response",
                ]
            ),
        ),
        **{
            h: pa.Column(str, _one_of(["Yes", "No", "Not held", ""])) for h in ITEM_HEADERS.values()
        },
        TEXT: pa.Column(str),
        ADULTS: pa.Column(str, pa.Check.str_matches(r"^\d*$")),
        WOMEN: pa.Column(str, pa.Check.str_matches(r"^\d*$")),
    },
    unique=[LA],
)


def raw_failures(table: RawTable) -> pd.DataFrame:
    """Where a raw round breaks FOI_RAW_SCHEMA: [column, check, failures, example]."""
    try:
        FOI_RAW_SCHEMA.validate(table.data, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.astype({"failure_case": "str"})
        return (
            cases.groupby(["column", "check"], sort=False, dropna=False)["failure_case"]
            .agg(failures="size", example="first")
            .reset_index()
        )
    return pd.DataFrame(columns=["column", "check", "failures", "example"])


FOI_COMMON_SCHEMA = FOI_RESPONSES_SCHEMA.add_columns(
    {"source_la_code": pa.Column(str, _GSS), "inherited": pa.Column(bool)}
)


def _typed(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Text columns (as read from CSV) converted to the schema's dtypes, then validated."""
    frame = frame.copy()
    for name, column in schema.columns.items():
        dtype, text = str(column.dtype), frame[name]
        if dtype == "bool":
            frame[name] = text.map({"True": True, "False": False}).astype("boolean").astype(bool)
        elif dtype.startswith("datetime64"):
            frame[name] = pd.to_datetime(text.replace("", None), format="%Y-%m-%d").astype(
                DATE_DTYPE
            )
        elif dtype in ("Int64", "int64"):
            frame[name] = pd.to_numeric(text.replace("", None)).astype(dtype)
    return schema.validate(frame)


def read_table_csv(path: str | Path, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Read a cleaned FOI table written as CSV (foi_responses, foi_items, foi_common) back
    into its schema's dtypes, e.g. read_table_csv(path, FOI_RESPONSES_SCHEMA)."""
    return _typed(pd.read_csv(path, dtype=str, keep_default_na=False), schema)
