"""Redaction in linear time, the cues that introduce names, and the UK identifiers redacted."""

import time

import pytest

from pipeline.privacy import redact

REALISTIC = (
    "Demand has risen sharply and we now hold a waiting list. Please contact Mrs Priya Okafor on "
    "0161 496 0123 or priya.okafor [at] example [dot] org. Our hub at 12 Mill Lane, M1 1AE opens. "
)


def _seconds(text: str) -> float:
    start = time.perf_counter()
    redact(text)
    return time.perf_counter() - start


def _repeated(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


@pytest.mark.parametrize(
    "unit", ["a", "a-", "a.", "A-", "Aa-", "a+", "0123456789", "a dot ", "A a ", "\n", "Mr A-"]
)
def test_a_long_unbroken_cell_redacts_in_linear_time(unit: str) -> None:
    """200,000 characters of one run take about as long as realistic text of that length (a
    pattern that re-read the run from each character would take minutes)."""
    length = 200_000
    baseline = _seconds(_repeated(REALISTIC, length))
    assert _seconds(_repeated(unit, length)) < 20 * max(baseline, 0.05)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a@b.com.x@y.com", "[email][email]"),
        ("see a@b.com-x@y.com", "see [email][email]"),
        ("x" * 100 + "@example.org", "[email]"),
        ("jo+news@example.org", "[email]"),
    ],
)
def test_addresses_side_by_side_or_long_are_all_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please ask for mohammed al-rashid at reception.", "Please ask for [name] at reception."),
        ("speak to jane smith about referrals", "speak to [name] about referrals"),
        ("Regards\nJane Doe", "Regards\n[name]"),
        (
            "Funding is short.\nKind regards,\n\nBethany Ashworth",
            "Funding is short.\nKind regards,\n\n[name]",
        ),
        ("Confirmed by phone with Janet Oduya.", "Confirmed by phone with [name]."),
        ("I spoke with Priya Okafor on Monday.", "I spoke with [name] on Monday."),
        ("Our CEO, Priya Patel, agrees.", "Our CEO, [name], agrees."),
        ("our manager Jane Smith signed it off", "our manager [name] signed it off"),
        ("Phone Jane Smith or email Ama Mensah-Boateng.", "Phone [name] or email [name]."),
        ("\n\n\nThanks\nNiamh O'Driscoll", "\n\n\nThanks\n[name]"),
    ],
)
def test_names_after_the_newer_cues_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Thanks to the Women's Centre team.",
        "We work with North Yorkshire Police and Cheshire West and Chester Council.",
        "Confirmed with Cheshire West by email on 3 May.",
        "Spoke with Public Health England about the figures.",
        "Agreed with Greater Manchester Combined Authority.",
        "We met with Turning Point and Change Grow Live.",
        "Discussed with Leeds City Council commissioners.",
        "Regards\nNorth Yorkshire County Council",
        "Regards,\nInformation Governance Team",
        "Thanks\nCheshire West",
        "Contact North Yorkshire for details.",
        "Our service manager confirmed the figure.",
        "Please ask for help at reception; women can ask for a female worker.",
        "Speak to your GP, talk to other women or ask for emergency housing support.",
        "contact children's social care or speak to mental health services",
        "Confirmed by phone with the commissioner.",
        "Sessions @ 10am at the hub.",
        "Ref AB 12 34 56 is our contract number.",
        "Born in 1985, she moved here. Date of birth not recorded.",
    ],
)
def test_services_places_and_phrases_near_the_newer_cues_are_kept(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NI number QQ 12 34 56 C.", "NI number [NI number]."),
        ("ni: ab123456d", "ni: [NI number]"),
        ("DOB: 12/03/1985", "DOB: [date of birth]"),
        ("d.o.b. 1985-03-12", "d.o.b. [date of birth]"),
        ("date of birth is 3rd of March 1985.", "date of birth is [date of birth]."),
        ("Born on March 3, 1985 in Leeds", "Born on [date of birth] in Leeds"),
        ("Follow @jane_smith99 or @WomensHub.", "Follow [handle] or [handle]."),
        ("Email jo@example.org or DM @jo.smith", "Email [email] or DM [handle]"),
    ],
)
def test_uk_identifiers_dates_of_birth_and_handles_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_newer_redactions_are_idempotent() -> None:
    text = "Regards\nJane Doe, DOB 12/03/1985, NI QQ123456C, @janedoe; our manager Jo Bloggs."
    once = redact(text)
    assert once == (
        "Regards\n[name], DOB [date of birth], NI [NI number], [handle]; our manager [name]."
    )
    assert redact(once) == once
