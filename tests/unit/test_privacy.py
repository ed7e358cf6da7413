import pandas as pd
import pytest

from pipeline.privacy import redact, redact_series


@pytest.mark.parametrize(
    "email",
    ["jane.smith@example.org", "J_Okafor+survey@mail.example.co.uk", "info@womens-centre.org.uk"],
)
def test_emails_are_redacted(email: str) -> None:
    assert redact(f"Write to {email} for details.") == "Write to [email] for details."


@pytest.mark.parametrize(
    "phone",
    [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "0161 496 0123",
        "020 7946 0123",
        "(0113) 496 0987",
        "0117-496-0456",
        "01632 960123",
    ],
)
def test_uk_phone_numbers_in_several_formats_are_redacted(phone: str) -> None:
    assert redact(f"Ring {phone} today") == "Ring [phone] today"


def test_numbers_that_are_not_phones_are_kept() -> None:
    text = "We saw 1200 women in 2023, up 15% (from 1043)."
    assert redact(text) == text


@pytest.mark.parametrize("postcode", ["M1 1AE", "LS1 4DY", "SW1A 1AA", "b33 8th", "EC1A1BB"])
def test_postcodes_are_redacted(postcode: str) -> None:
    assert redact(f"Our hub is at {postcode}, near the station") == (
        "Our hub is at [postcode], near the station"
    )


def test_names_from_the_contact_column_are_redacted_in_full_and_alone() -> None:
    text = "Siobhan Pemberton runs the group; ask Pemberton or Siobhan about it."
    assert redact(text, names=["Siobhan Pemberton"]) == (
        "[name] runs the group; ask [name] or [name] about it."
    )


def test_contact_names_only_match_whole_words() -> None:
    assert redact("Annual report", names=["Ann Whitfield"]) == "Annual report"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hello, my name is Priya Okafor and I manage the service.",
            "Hello, my name is [name] and I manage the service.",
        ),
        ("I'm Gemma, the outreach lead.", "I'm [name], the outreach lead."),
        ("Please contact Nadia Haddad on [phone].", "Please contact [name] on [phone]."),
        (
            "Funding is short. Kind regards, Bethany Ashworth",
            "Funding is short. Kind regards, [name]",
        ),
        ("Thanks Yasmin", "Thanks [name]"),
    ],
)
def test_introduced_names_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_everything_in_one_comment_and_blank_cells() -> None:
    comments = pd.Series(
        [
            "My name is Chloe Lindqvist, email chloe@example.org or call 07700 900456, B12 9QQ.",
            None,
            "",
        ]
    )
    out = redact_series(comments, names=["Chloe Lindqvist"])
    assert out.tolist() == [
        "My name is [name], email [email] or call [phone], [postcode].",
        "",
        "",
    ]


@pytest.mark.parametrize("name", ["Niamh O'Driscoll", "Ama Mensah-Boateng", "Jo McAllister"])
def test_names_with_apostrophes_hyphens_and_inner_capitals(name: str) -> None:
    assert redact(f"my name is {name}.") == "my name is [name]."


def test_contact_emails_among_the_names_are_still_redacted_as_emails() -> None:
    text = "Ask Priya Okafor (priya.okafor1@example.org) about referrals."
    out = redact(text, names=["Priya Okafor", "priya.okafor1@example.org"])
    assert out == "Ask [name] ([email]) about referrals."
