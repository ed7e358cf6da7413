import pandas as pd
import pytest

from pipeline import foi
from pipeline.privacy import pseudonym, pseudonymise, redact, redact_series


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


# -- emails written out to dodge spam filters ----------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "jane.smith [at] example.org",
        "jane.smith [at] example [dot] org [dot] uk",
        "j.okafor(at)example.co.uk",
        "jane dot smith at example dot com",
        "priya.okafor12 AT example.org",
        "JANE.SMITH@EXAMPLE.ORG",
        "jane.smith @ example.net",
        "niamh.odriscoll {at} example {dot} org",
    ],
)
def test_obfuscated_emails_are_redacted(email: str) -> None:
    assert redact(f"Write to {email} for details.") == "Write to [email] for details."


@pytest.mark.parametrize(
    "text",
    [
        "We meet at the hub at 10 every Tuesday.",
        "Staff at Leeds are stretched; demand at Bradford is up.",
        "Find us online at www.example.org for opening times.",
        "We are at capacity. Dot points below.",
    ],
)
def test_at_and_dot_in_ordinary_sentences_are_kept(text: str) -> None:
    assert redact(text) == text


# -- phones in UK and international formats ------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "0044 7700 900125",
        "+44(0)7700 900123",
        "+44 (0)161 496 0123",
        "+44 161 496 0123",
        "07700 900 123",
        "(020) 7946 0123",
        "0161.496.0123",
        "+1 (212) 555-0123",
        "+353 20 910 1234",
    ],
)
def test_more_phone_formats_are_redacted(phone: str) -> None:
    assert redact(f"Ring {phone} today") == "Ring [phone] today"


def test_a_phone_in_brackets_is_redacted() -> None:
    assert redact("Call Sam (07700 900123).") == "Call [name] ([phone])."


@pytest.mark.parametrize(
    "text",
    [
        "Funding ends 31/03/2025 and 2 groups close at 5.",
        "Rated 4.5 out of 5 by 120 of 1,043 women (11.5%).",
        "Ref 2023-0042: 15 referrals, 0 waiting.",
        "Open 9-5, Monday to Friday, since 2019.",
    ],
)
def test_numbers_dates_and_counts_are_not_phones(text: str) -> None:
    assert redact(text) == text


# -- street addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "12 Mill Lane",
        "4a Church Street",
        "221B Baker Street",
        "Flat 3, 45 Hope Road",
        "7 King Edward Avenue",
        "18 Orchard Close",
        "9 Station Rd",
        "63 Queen's Drive",
    ],
)
def test_street_addresses_are_redacted(address: str) -> None:
    assert redact(f"Our hub is at {address}, near the station.") == (
        "Our hub is at [address], near the station."
    )


@pytest.mark.parametrize(
    "text",
    [
        "We run 3 groups close to the station.",
        "In 2023 Station Road services moved.",
        "The 2 main roads into town are busy.",
        "We have 5 staff on the high street.",
    ],
)
def test_sentences_with_numbers_and_street_words_are_kept(text: str) -> None:
    assert redact(text) == text


# -- names: lower-case cues, titles, fragments, contact names anywhere ----------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i'm Gemma, the outreach lead.", "i'm [name], the outreach lead."),
        ("my name is jane smith and I run it.", "my name is [name] and I run it."),
        ("my name's niamh o'driscoll.", "my name's [name]."),
        ("please speak to Bethany Ashworth.", "please speak to [name]."),
        ("ask for Dr Nadia Haddad at reception", "ask for [name] at reception"),
        ("Completed by Priya Okafor (Commissioning).", "Completed by [name] (Commissioning)."),
        ("Best wishes, Tamsin", "Best wishes, [name]"),
    ],
)
def test_names_after_cues_in_any_case_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kind regards, Mrs Ama Mensah-Boateng", "Kind regards, [name]"),
        ("Mrs Okafor called twice.", "[name] called twice."),
        ("Ask Dr J. Whitfield.", "Ask [name]."),
        ("Thanks, Niamh O’Driscoll", "Thanks, [name]"),
        ("Ms Keeley Brennagh-Villiers leads it.", "[name] leads it."),
    ],
)
def test_titles_and_surname_parts_leave_no_fragment(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_contact_names_are_redacted_anywhere_in_any_case_with_no_fragment() -> None:
    names = ["Siobhan Pemberton", "Ama Mensah-Boateng", "Niamh O'Driscoll"]
    text = (
        "Siobhan Pemberton leads; siobhan pemberton agrees; Mrs Pemberton too. "
        "Ama Mensah-Boateng and Niamh O’Driscoll help; Boateng chairs."
    )
    assert redact(text, names=names) == (
        "[name] leads; [name] agrees; [name] too. [name] and [name] help; [name] chairs."
    )


def test_a_contact_name_that_is_also_a_word_matches_only_capitalised() -> None:
    assert redact("We hope Hope Smith stays.", names=["Hope Smith"]) == "We hope [name] stays."


@pytest.mark.parametrize(
    "text",
    [
        "Please contact Social Services or speak to Leeds City Council.",
        "I'm not sure the police are trained; I am Happy to help.",
        "Thanks to the Women's Centre team.",
        "Dear Sir or Madam, this is urgent.",
        "Our 12 Step group meets on Mondays; the Park Lane Hub opened in May.",
        "Demand has risen sharply and we now hold a waiting list.",
    ],
)
def test_ordinary_sentences_stay_intact(text: str) -> None:
    assert redact(text) == text


def test_redaction_is_idempotent() -> None:
    text = "My name is Jo Okafor, 12 Mill Lane, M1 1AE, jo [at] example.org, +44 161 496 0123."
    once = redact(text)
    assert redact(once) == once
    assert once == "My name is [name], [address], [postcode], [email], [phone]."


# -- pseudonyms ----------------------------------------------------------------------------------


def test_pseudonyms_are_stable_keyed_and_keep_blanks() -> None:
    key = b"a key of at least thirty-two characters"
    out = pseudonymise(pd.Series(["ORG-1", "jo@example.org", "ORG-1", ""]), key)
    assert out[0] == out[2] == pseudonym("ORG-1", key)
    assert out[3] == ""
    assert all(p.startswith("org-") and len(p) == 16 for p in out[:3])
    assert "example" not in "".join(out)
    assert pseudonym("ORG-1", b"another key of at least thirty-two chars") != out[0]


# -- what the clean_foi notebook shows -----------------------------------------------------------


def _foi_result() -> foi.FoiResult:
    texts = pd.DataFrame(
        {
            "round": ["2021", "2021"],
            "la_code": ["E1", "E2"],
            "text": [
                "We offer a creche. Contact Jane Smith on 0161 496 0123 or jane@example.gov.uk.",
                "A women's group. <script>alert('Dr Jo Okafor')</script>",
            ],
        }
    )
    items = pd.DataFrame(
        {
            "round": ["2021", "2021"],
            "la_code": ["E1", "E2"],
            "item": ["childcare", "women_groups"],
            "answer": ["no", "yes"],
            "answer_raw": ["No", "Yes"],
            "mentioned": [True, True],
            "disagreement": [True, False],
        }
    )
    empty = pd.DataFrame()
    return foi.FoiResult(responses=empty, items=items, common=empty, texts=texts, exclusions=empty)


def test_foi_summaries_show_the_free_text_only_redacted_and_escaped() -> None:
    result = _foi_result()
    examples, disagreements = foi.coding_examples(result), foi.disagreements(result)
    assert examples["text"].tolist() == [
        "We offer a creche. Contact [name] on [phone] or [email].",
        "A women's group. <script>alert('[name]')</script>",
    ]
    assert disagreements["text"].tolist() == [examples["text"][0]]
    html = examples._repr_html_() + disagreements._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Jane" not in html and "0161" not in html and "Okafor" not in html
