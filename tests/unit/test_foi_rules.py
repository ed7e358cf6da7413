"""Unit tests of the FOI classification rules (statuses and item answers), the vocabulary files
that hold them, and the one-message report of every problem in a file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import foi
from pipeline.errors import InputError
from pipeline.foi import problems, rules, vocabulary
from pipeline.taxonomy import STATUSES

ROOT = Path(__file__).resolve().parents[2]


def _frame(column: str, values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({column: values, "source_row": range(2, 2 + len(values))})


def _stops(findings: foi.Findings) -> str:
    """The message of the InputError that `findings` stops with."""
    with pytest.raises(InputError) as exc:
        findings.stop()
    return str(exc.value)


# -- statuses: the spellings of statuses.yaml, then the rules of status_rules.yaml ---------------


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("Provided", "full"),
        ("provided in full", "full"),
        ("Partial", "partial"),
        ("Partial response", "partial"),
        ("Info not held", "not_held"),
        ("Information  not held", "not_held"),
        ("Refused - s12 cost", "refused_cost"),
        ("Refused s.12", "refused_cost"),
        ("s21", "refused_other"),
        ("Refused - s40", "refused_other"),
        ("Clarification sought", "clarification"),
        ("No response", "no_response"),
        ("", "no_response"),
    ],
)
def test_listed_status_spellings(raw: str, status: str) -> None:
    assert foi.classify_status(pd.Series([raw])).iloc[0] == status


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        *[
            (cited, "refused_cost")
            for cited in (
                "s12",
                "S.12",
                "s 12",
                "sec. 12",
                "section 12",
                "Section 12(1)",
                "section 12(1) FOIA",
                "Refused - Section 12",
                "Not provided (s12)",
                "\u00a712",
            )
        ],
        *[
            (f"Refused - s{n}", "refused_other")
            for n in ("14", "21", "22", "30", "31", "36", "38", "40(2)", "41", "42", "43")
        ],
        ("s43 commercial interests", "refused_other"),
        ("S.14(1) vexatious", "refused_other"),
        ("s1(1)(a)", "not_held"),
        ("Section 1(3)", "clarification"),
        ("Sections 21 and 12", "refused_cost"),  # of several sections, refused_cost first
        ("s1(1)(a) and s40", "not_held"),
    ],
)
def test_rule_sections_in_any_style(raw: str, status: str) -> None:
    assert foi.status_of(raw) == status


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("Refused - S.12(1)", [("12", ("1",))]),
        ("s1(1)(a)", [("1", ("1", "a"))]),
        ("ss 12 and 14", [("12", ()), ("14", ())]),
        ("s.12/s.14", [("12", ()), ("14", ())]),
        ("requests 12 days late", []),
        ("it's 12 days late", []),
        ("Regulation 12(4)(b)", []),
    ],
)
def test_cited_sections(text: str, cited: list) -> None:
    assert foi.cited_sections(text) == cited


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("Partially successful", "partial"),
        ("Released with redactions", "partial"),
        ("We do not hold this information", "not_held"),
        ("Nothing held", "not_held"),
        ("Awaiting clarification", "clarification"),
        ("Clarification requested", "clarification"),
        ("Long overdue", "no_response"),
        ("Awaiting response", "no_response"),
        ("Refused - cost limit", "refused_cost"),
        ("Exceeds 18 hours", "refused_cost"),
        ("Refused - other", "refused_other"),
        ("Neither confirm nor deny", "refused_other"),
        ("Successful", "full"),
        ("Answered in full", "full"),
        ("Responded", "full"),
        ("Refused - over fee limit", "refused_cost"),
        ("No relevant information", "not_held"),
        ("Transferred to NHS trust (held by another authority)", "not_held"),
        ("Repeat request (s14(2))", "refused_other"),
        ("Not responded to", "no_response"),
    ],
)
def test_rule_phrases(raw: str, status: str) -> None:
    assert foi.status_of(raw) == status


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("Partially successful", "partial"),  # partial beats full
        ("Partly refused (s40)", "partial"),  # partial beats a section
        ("Information not held (s12)", "refused_cost"),  # a section beats the words
        ("Refused - not held", "not_held"),  # not held beats refused
        ("Clarification sought, no reply", "clarification"),  # clarification beats no response
        ("Refused - cost limit", "refused_cost"),  # cost beats refused
        ("Not successful", None),  # a negated phrase does not count
        ("No information provided", None),
        ("Sent to legal", None),
    ],
)
def test_rule_precedence(raw: str, status: str | None) -> None:
    assert foi.status_of(raw) == status


def test_every_rule_phrase_and_section_alone_gives_its_status() -> None:
    rules = vocabulary.load_status_rules()
    assert rules.order.index("partial") < rules.order.index("sections") < rules.order.index("full")
    for status, phrases in rules.phrases.items():
        assert {foi.status_of(" ".join(p)) for p in phrases} <= {status}, status
    for (number, subsections), status in rules.sections:
        cited = "s" + number + "".join(f"({s})" for s in subsections)
        assert foi.status_of(cited) == status, cited


def test_listed_spellings_agree_with_the_rules() -> None:
    """A spelling of statuses.yaml that the rules also classify gets the same status."""
    for spelling, status in vocabulary.load_statuses().items():
        assert rules.status_by_rules(spelling) in (None, status), spelling


def test_unknown_statuses_are_listed_with_nearest_and_the_known_ones_once() -> None:
    frame = _frame(foi.STATUS, ["Provided", "Sent to legal", "maybe"])
    findings = foi.Findings("foi/2024.xlsx")
    status = foi.check_statuses(frame, findings)
    assert status.isna().tolist() == [False, True, True]
    message = _stops(findings)
    lines = message.splitlines()
    assert lines[0] == "foi/2024.xlsx: 2 unknown response statuses:"
    assert lines[1].startswith("  row 3, column 'Response status': 'Sent to legal' is not a known")
    assert "(nearest: " in lines[1] and "known statuses" not in lines[1]
    assert lines[2].startswith("  row 4, column 'Response status': 'maybe' is not a known status")
    assert lines[3] == f"  known statuses: {', '.join(STATUSES)}"
    assert message.count("known statuses") == 1


def test_overridden_unknown_status_is_no_finding() -> None:
    frame = _frame(foi.STATUS, ["Sent to legal"])
    findings = foi.Findings("f.csv")
    foi.check_statuses(frame, findings, settled=pd.Series([True]))
    assert not findings.found


# -- item answers: the forms of answers.yaml, then the rules of answer_rules.yaml ---------------


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("Yes", "yes"),
        ("Y", "yes"),
        ("yes - via provider", "yes"),
        ("YES", "yes"),
        ("No", "no"),
        ("N", "no"),
        ("Not currently", "no"),
        ("Not held", "not_held"),
        ("N/A", "unknown"),
        ("Not applicable", "unknown"),  # N/A spelt out: not "no"
        ("", "unknown"),  # blank: not answered
        ("Available on request", "unknown"),  # listed as ambiguous: an override decides
    ],
)
def test_listed_answer_forms(raw: str, answer: str) -> None:
    assert foi.classify_answer(raw) == answer


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("Yes - but only in the north of the county", "yes"),  # yes_first
        ("Yes (pilot)", "yes"),
        ("Yes - figures not held", "yes"),  # yes_first beats not_held
        ("Figures not held centrally", "not_held"),  # not_held
        ("No information held", "not_held"),  # not_held beats no_first
        ("No - under review", "no"),  # no_first
        ("Not currently commissioned", "no"),
        ("None commissioned", "no"),
        ("We commission this through our main provider", "yes"),  # cues: a yes cue
        ("We do not commission this", "no"),  # a negated yes cue
        ("We don't offer this", "no"),  # a negation, no yes cue
        ("Not commissioned but our provider runs one", "no"),
        ("Commissioned, though no women-only sessions", None),  # cue and negation apart
        ("Ask the provider", None),  # nothing
        ("Yes, but not women-only", None),  # a yes the qualifier undoes: for the analyst
        ("Yes - mixed group", None),
        ("Yes/No", None),
        ("Yes (ended March 2024)", None),  # a yes no longer true: for the analyst
        ("Yes - not currently", None),
        ("Yes, but paused while we recommission", None),
        ("No - service ended", "no"),
        ("We commission a group open to all", None),  # a yes cue, undone
        ("Not specific to women", "no"),  # a no stays a no
        ("\u2714", "yes"),  # a tick
        ("\u2718", "no"),  # a cross
        ("-", "unknown"),
        ("\u2022", None),  # another mark: not a blank
        ("Yes and no", None),  # yes_undone: both
        ("Yes, previously", None),  # yes_undone: not running now
        ("Yes - planned for 2025/26", None),  # yes_undone: not yet
        ("Yes - we signpost to Women's Aid", None),  # yes_undone: signposting only
        ("No data available", "not_held"),  # not_held beats no_first
        ("We do not have this information", "not_held"),  # not_held beats the cues
        ("Not routinely recorded", "not_held"),
        ("Not commissioned separately - included in the main contract", None),  # no_undone
        ("Cannot confirm", None),  # no_undone: the council cannot say
        ("We do not commission this; NHS England commissions it", None),  # cues both ways
    ],
)
def test_answer_rules(raw: str, answer: str | None) -> None:
    assert foi.classify_answer(raw) == answer


def test_every_listed_spelling_classifies_to_its_code() -> None:
    statuses = vocabulary.load_statuses()
    assert vocabulary.load_statuses() is statuses  # read and checked once
    assert vocabulary.load_status_rules() is vocabulary.load_status_rules()
    assert foi.classify_status(pd.Series(list(statuses))).tolist() == list(statuses.values())
    assert set(statuses.values()) == set(STATUSES)
    answers = vocabulary.load_answers()
    assert {form: foi.classify_answer(form) for form in answers.items} == dict(answers.items)
    assert {foi.parse_count(word) for word in answers.count_not_held} == {(None, "not_held", None)}


@pytest.mark.parametrize(
    ("name", "old", "new", "problem"),
    [
        (
            "statuses.yaml",
            '  - "vexatious"\n',
            '  - "vexatious"\n  - "provided"\n',
            "key 'refused_other': 'provided' is listed twice (also under 'full')",
        ),
        (
            "statuses.yaml",
            "clarification:\n",
            'lost:\n  - "lost in the post"\nclarification:\n',
            f"key 'lost' is not one of {list(STATUSES)}",
        ),
        (
            "statuses.yaml",
            '  - "s14"\n',
            '  - "Refused - s.14"\n',
            "key 'refused_other': 'Refused - s.14' can never match: write it 'refused s14'",
        ),
        (
            "answers.yaml",
            '  - "n"\n',
            '  - "n"\n  - "y"\n',
            "key 'no': 'y' is listed twice (also under 'yes')",
        ),
        (
            "answers.yaml",
            "unknown:\n",
            'maybe:\n  - "perhaps"\nunknown:\n',
            "key 'maybe' is not one of ['yes', 'no', 'not_held', 'unknown', 'count_not_held']",
        ),
        (
            "answers.yaml",
            '  - "tbc"\n',
            "  - yes\n",
            "key 'unknown': True is not text (YAML reads yes, no, on and off unquoted",
        ),
        (
            "status_rules.yaml",
            "  - sections\n",
            "",
            "key 'order': list each step once: 'sections' and each status with phrases",
        ),
        (
            "status_rules.yaml",
            '  refused_cost: ["12"]',
            '  refused_cost: ["12", 14]',
            "key 'sections': 14 under 'refused_cost' is not a section number in quotes",
        ),
        (
            "status_rules.yaml",
            '  refused_cost: ["12"]',
            '  refused_cost: ["12", "43"]',
            "key 'sections': '43' is listed twice (also under 'refused_cost')",
        ),
        (
            "status_rules.yaml",
            "  full:\n",
            '  lost:\n    - "lost"\n  full:\n',
            "key 'phrases': 'lost' is not one of",
        ),
        (
            "status_rules.yaml",
            '    - "overdue"\n',
            '    - "Overdue!"\n',
            "key 'no_response': 'Overdue!' can never match: write it 'overdue'",
        ),
        (
            "answer_rules.yaml",
            'yes_first: ["yes"]',
            'yes_first: ["yes", "none"]',
            "key 'no_first': 'none' is listed twice (also under 'yes_first')",
        ),
        (
            "answer_rules.yaml",
            "yes_cues:",
            'maybe_cues: ["perhaps"]\nyes_cues:',
            "key 'maybe_cues' is not one of",
        ),
    ],
)
def test_a_vocabulary_file_breaking_a_rule_is_rejected_naming_file_and_key(
    tmp_path: Path, name: str, old: str, new: str, problem: str
) -> None:
    text = (ROOT / "pipeline/resources" / name).read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    load = {
        "statuses.yaml": vocabulary.load_statuses,
        "answers.yaml": vocabulary.load_answers,
        "status_rules.yaml": vocabulary.load_status_rules,
        "answer_rules.yaml": vocabulary.load_answer_rules,
    }[name]
    with pytest.raises(InputError) as exc:
        load(path)
    assert str(exc.value).startswith(f"{path}: ") and problem in str(exc.value)


def test_every_problem_of_a_vocabulary_file_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "statuses.yaml"
    path.write_text('maybe: []\nfull:\n  - "provided"\npartial:\n  - "provided"\n')
    with pytest.raises(
        InputError, match=r"statuses.yaml: 2 problems:\n  key 'maybe'.*\n  key 'partial'"
    ):
        vocabulary.load_statuses(path)


# -- one message for every problem of a file -----------------------------------------------------


@pytest.mark.parametrize(
    ("noun", "two"),
    [
        ("unknown response status", "2 unknown response statuses"),
        ("unmatched authority", "2 unmatched authorities"),
        ("bad count", "2 bad counts"),
        ("day", "2 days"),
        ("box", "2 boxes"),
    ],
)
def test_plurals(noun: str, two: str) -> None:
    assert problems.plural(2, noun) == two
    assert problems.plural(1, noun) == f"1 {noun}"


def test_findings_of_one_kind_and_of_several_kinds() -> None:
    one = foi.Findings("f.csv")
    one.add("bad count", 3, "Adults", "'-1' is negative")
    one.note("bad count", "write e.g. 1234")
    assert (
        _stops(one)
        == "f.csv, row 3, column 'Adults': bad count: '-1' is negative\n  write e.g. 1234"
    )
    several = foi.Findings("f.csv")
    several.add("bad count", 3, "Adults", "'-1' is negative")
    several.add("bad count", 3, "Women", "'-2' is negative")
    several.add("unmatched authority", 4, "Local authority", "'Narnia' is unmatched")
    several.note("bad count", "write e.g. 1234")
    assert _stops(several) == (
        "f.csv: 3 problems:\n"
        "  2 bad counts:\n"
        "    row 3, column 'Adults': '-1' is negative\n"
        "    row 3, column 'Women': '-2' is negative\n"
        "    write e.g. 1234\n"
        "  1 unmatched authority:\n"
        "    row 4, column 'Local authority': 'Narnia' is unmatched"
    )


def test_a_blocking_finding_is_its_cells_only_one() -> None:
    findings = foi.Findings("f.xlsx")
    findings.add("missing date", 5, "Date sent", "blank")
    findings.add("unsaved formula", 5, "Date sent", "'=A1' has no saved value", blocks=True)
    findings.add("bad date", 5, "Date sent", "blank")
    assert [f.kind for f in findings.found] == ["unsaved formula"]
