"""Fictitious personal data typed into free text and identifiers, and the record of every datum
planted.

Names, email addresses, phone numbers (Ofcom's drama ranges, and the US 555-01xx range),
postcodes and street addresses are invented, and written the many ways people write them:
emails spelt out (`[at]`, `(at)`, ` at `, ` dot `), phones with `+44`, `+44 (0)` or `0044` and
spaced or hyphenated groups, names after a cue in any case, with a title, or with no cue at all
when they are a contact's name. Every datum planted is recorded (`planted`) so the leak tests
can look for it in every published file. `People` draws from its own random stream, so what it
types never changes the survey answers or the FOI responses.
"""

from __future__ import annotations

import numpy as np

FIRST = (
    "Priya",
    "Siobhan",
    "Joanne",
    "Fatima",
    "Bethany",
    "Agnieszka",
    "Chloe",
    "Nadia",
    "Gemma",
    "Yasmin",
    "Rosalind",
    "Keeley",
    "Imogen",
    "Folasade",
    "Niamh",
    "Harpreet",
    "Lorraine",
    "Marcia",
    "Tamsin",
    "Zainab",
)
SURNAMES = (
    "Okafor",
    "Whitfield",
    "Pemberton",
    "Nwosu",
    "Kowalski",
    "Haddad",
    "Ashworth",
    "McAllister",
    "Rahman",
    "Lindqvist",
    "Oyelaran",
    "Fairbairn",
    "Castellano",
    "Thistlewood",
    "Achterberg",
    "Kaczmarek",
    "Mensah-Boateng",
    "O'Driscoll",
    "Villiers",
    "Brennagh",
)
TITLES = ("Mrs", "Ms", "Miss", "Dr", "Mx")
# Ofcom's numbers reserved for drama, and the US fictional range: they reach no one.
PHONES = (
    "07700 900{:03d}",
    "07700900{:03d}",
    "07700 900 {:03d}",
    "+44 7700 900{:03d}",
    "+44 (0)7700 900{:03d}",
    "+44(0)7700 900{:03d}",
    "0044 7700 900{:03d}",
    "0161 496 0{:03d}",
    "0161-496-0{:03d}",
    "+44 161 496 0{:03d}",
    "020 7946 0{:03d}",
    "(020) 7946 0{:03d}",
    "(0113) 496 0{:03d}",
    "0117-496-0{:03d}",
    "01632 960{:03d}",
    "+1 (212) 555-01{:02d}",
)
DOMAINS = ("example.org", "example.org.uk", "example.com", "example.net")
# (at, dot) as people spell them out to dodge spam filters; "@" and "." are the plain form
EMAIL_SPELLINGS = (
    ("@", "."),
    ("@", "."),
    ("@", "."),
    (" [at] ", " [dot] "),
    ("(at)", "."),
    (" at ", " dot "),
    (" AT ", "."),
    (" @ ", "."),
)
POSTCODE_AREAS = ("M", "LS", "B", "L", "S", "NE", "BS", "NG", "LE", "CR", "SE", "N", "HU")
STREETS = ("Mill", "Church", "Station", "Victoria", "Albert", "Chapel", "King Edward", "Orchard")
STREET_TYPES = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Grove")
PLAIN_COMMENTS = (
    "Demand has risen sharply and we now hold a waiting list.",
    "Women tell us they fear losing their children if they ask for help.",
    "Police referrals have improved since a liaison officer started.",
    "Our funding ends in March and we do not know what comes next.",
    "We need more women-only spaces in treatment services.",
    "Mixed groups put many of the women we work with off.",
    "Partnership with mental health services is still very hard.",
)
OTHER_TYPES = (
    "Faith-based outreach project",
    "Peer-led recovery cafe",
    "Housing co-operative for women",
    "Community interest company",
    "Arts project working with women in recovery",
)
FOI_ROLES = ("Commissioning Manager", "Public Health Lead", "Information Governance Officer")


class People:
    """Draws fictitious names, emails, phones, postcodes and addresses, and remembers every one
    planted.

    Parameters
    ----------
    rng
        The random stream every draw comes from (its own: see the module docstring).
    """

    def __init__(self, rng: np.random.Generator):
        self.rng, self.planted = rng, set()
        self.contacts: list[str] = []  # contact names given so far, for colleagues' mentions

    def _pick(self, options: tuple | list) -> str:
        return str(options[int(self.rng.integers(len(options)))])

    def plant(self, datum: str) -> str:
        """Record `datum` as planted personal data and return it."""
        self.planted.add(datum)
        return datum

    def name(self) -> tuple[str, str]:
        """A first name and a surname (not recorded: plant what is typed)."""
        return self._pick(FIRST), self._pick(SURNAMES)

    def contact(self) -> tuple[str, str, str]:
        """A respondent's first name, surname and full name (planted) for the contact column."""
        first, last = self.name()
        full = self.plant(f"{first} {last}")
        self.contacts.append(full)
        return first, last, full

    def email(self, first: str, last: str) -> str:
        """A planted email address made from a name, plain or spelt out."""
        first, last = first.lower(), last.lower().replace("'", "")
        local = self._pick(
            [f"{first}.{last}{self.rng.integers(1, 99)}", f"{first[0]}.{last}", f"{first}{last}"]
        )
        at, dot = EMAIL_SPELLINGS[int(self.rng.integers(len(EMAIL_SPELLINGS)))]
        if dot == " dot " and self.rng.random() < 0.5:
            local = local.replace(".", " dot ")
        domain = self._pick(DOMAINS).replace(".", dot)
        typed = f"{local}{at}{domain}"
        return self.plant(typed.upper() if self.rng.random() < 0.1 else typed)

    def phone(self) -> str:
        """A planted phone number, written in one of several styles."""
        style = self._pick(PHONES)
        number = int(self.rng.integers(0, 100 if "{:02d}" in style else 1000))
        return self.plant(style.format(number))

    def postcode(self) -> str:
        """A planted postcode, sometimes lower case without its space."""
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        unit = "".join(self.rng.choice(list(letters), 2))
        code = (
            f"{self.rng.choice(POSTCODE_AREAS)}{self.rng.integers(1, 20)} "
            f"{self.rng.integers(0, 10)}{unit}"
        )
        return self.plant(code.lower().replace(" ", "") if self.rng.random() < 0.2 else code)

    def address(self) -> str:
        """A planted street address: number (a flat, a letter), street name and type."""
        number = f"{self.rng.integers(1, 250)}{self._pick(['', '', 'a', 'B'])}"
        street = f"{number} {self._pick(STREETS)} {self._pick(STREET_TYPES)}"
        if self.rng.random() < 0.3:
            street = f"Flat {self.rng.integers(1, 30)}, {street}"
        return self.plant(street)

    def titled(self, first: str, last: str) -> str:
        """A planted name as signed: full, or a title before the full name or surname."""
        form = int(self.rng.integers(3))
        typed = (
            f"{first} {last}",
            f"{self._pick(TITLES)} {first} {last}",
            f"{self._pick(TITLES)} {last}",
        )[form]
        self.plant(last if form == 2 else f"{first} {last}")
        return typed

    def org_id(self) -> str:
        """An organisation id as a respondent typed it into the id field: personal data."""
        first, last = self.name()
        kind = int(self.rng.integers(4))
        if kind == 0:
            return self.email(first, last)
        if kind == 1:
            return self.phone()
        if kind == 2:
            return self.plant(f"{first} {last}")
        return self.plant(f"{first.lower()}.{last.lower().replace(chr(39), '')}")

    def org_ids(self, ids: list[str], share: float) -> list[str]:
        """`ids` with about `share` of them replaced by personal data typed as the id (each
        still unique)."""
        out = list(ids)
        for i in range(len(out)):
            if self.rng.random() < share:
                typed = self.org_id()
                if typed not in out:
                    out[i] = typed
        return out

    def other_type(self) -> str:
        """An 'other, please specify' answer describing the organisation; some name a person."""
        described = self._pick(OTHER_TYPES)
        first, last = self.name()
        kind = int(self.rng.integers(4))
        if kind == 0:
            return f"{described} run by {self.titled(first, last)}"
        if kind == 1:
            return f"{described}; contact {self.email(first, last)}"
        return described

    def comment(self, contact: str) -> str:
        """A free-text comment by the respondent named `contact`; most carry personal data."""
        plain = self._pick(PLAIN_COMMENTS)
        first, last = self.name()
        colleague = self._pick(self.contacts) if self.contacts else contact
        kinds = (
            lambda: (
                f"My name is {self.plant(f'{first} {last}')} and I run the women's group. "
                f"Call me on {self.phone()}."
            ),
            lambda: (
                f"{plain} Please contact {self.titled(first, last)} on {self.phone()} or "
                f"{self.email(first, last)}."
            ),
            lambda: f"Our new hub at {self.address()}, {self.postcode()} opens in the autumn.",
            lambda: f"{plain} Kind regards, {self.titled(first, last)}",
            lambda: (
                f"i'm {self.plant(first)}, the service manager. Email me at "
                f"{self.email(first, last)}."
            ),
            lambda: f"{contact} leads our partnership work; {plain.lower()}",
            lambda: f"{plain} speak to {colleague.lower()} about referrals.",
            lambda: f"my name is {self.plant(f'{first} {last}').lower()}, ring {self.phone()}.",
            lambda: f"{plain} Ask for {self.titled(first, last)} at {self.address()}.",
            lambda: plain,
        )
        return kinds[int(self.rng.integers(len(kinds)))]()

    def foi_note(self) -> str:
        """A sentence an FOI officer adds to a response, giving someone's contact details."""
        first, last = self.name()
        kinds = (
            lambda: (
                f"For details contact {self.titled(first, last)}, {self._pick(FOI_ROLES)}, "
                f"on {self.phone()} or {self.email(first, last)}."
            ),
            lambda: f"Queries to {self.email(first, last)} or {self.phone()}.",
            lambda: f"Completed by {self.titled(first, last)} ({self.email(first, last)}).",
            lambda: (
                f"Please ask for {self.titled(first, last)} at {self.address()}, {self.postcode()}."
            ),
        )
        return kinds[int(self.rng.integers(len(kinds)))]()
