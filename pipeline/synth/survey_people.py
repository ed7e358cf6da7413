"""Fictitious personal data typed into survey answers, and the record of every datum planted.

Names, email addresses, phone numbers (Ofcom's drama ranges) and postcodes are invented; the
truth lists each one so a test can check that none survives cleaning.
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
# Ofcom's numbers reserved for drama: they reach no one.
PHONES = (
    "07700 900{:03d}",
    "07700900{:03d}",
    "+44 7700 900{:03d}",
    "+44 (0)7700 900{:03d}",
    "0161 496 0{:03d}",
    "020 7946 0{:03d}",
    "(0113) 496 0{:03d}",
    "0117-496-0{:03d}",
)
POSTCODE_AREAS = ("M", "LS", "B", "L", "S", "NE", "BS", "NG", "LE", "CR", "SE", "N", "HU")
PLAIN_COMMENTS = (
    "Demand has risen sharply and we now hold a waiting list.",
    "Women tell us they fear losing their children if they ask for help.",
    "Police referrals have improved since a liaison officer started.",
    "Our funding ends in March and we do not know what comes next.",
    "We need more women-only spaces in treatment services.",
    "Mixed groups put many of the women we work with off.",
    "Partnership with mental health services is still very hard.",
)


class People:
    """Draws fictitious names, emails, phones and postcodes, and remembers every one planted.

    Parameters
    ----------
    rng
        The random stream every draw comes from.
    """

    def __init__(self, rng: np.random.Generator):
        self.rng, self.planted = rng, set()

    def plant(self, datum: str) -> str:
        """Record `datum` as planted personal data and return it."""
        self.planted.add(datum)
        return datum

    def name(self) -> tuple[str, str]:
        """A first name and a surname (not recorded: plant what is typed)."""
        return str(self.rng.choice(FIRST)), str(self.rng.choice(SURNAMES))

    def email(self, first: str, last: str) -> str:
        """A planted email address made from a name."""
        domain = self.rng.choice(["example.org", "example.org.uk", "example.com"])
        local = f"{first}.{last}".lower().replace("'", "")
        return self.plant(f"{local}{self.rng.integers(1, 99)}@{domain}")

    def phone(self) -> str:
        """A planted phone number, written in one of several styles."""
        return self.plant(str(self.rng.choice(PHONES)).format(int(self.rng.integers(0, 1000))))

    def postcode(self) -> str:
        """A planted postcode, sometimes lower case without its space."""
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        unit = "".join(self.rng.choice(list(letters), 2))
        code = (
            f"{self.rng.choice(POSTCODE_AREAS)}{self.rng.integers(1, 20)} "
            f"{self.rng.integers(0, 10)}{unit}"
        )
        return self.plant(code.lower().replace(" ", "") if self.rng.random() < 0.2 else code)

    def comment(self, contact: str) -> str:
        """A free-text comment; about half carry personal data."""
        plain = str(self.rng.choice(PLAIN_COMMENTS))
        kind = self.rng.integers(0, 8)
        first, last = self.name()
        if kind == 0:
            return (
                f"My name is {self.plant(f'{first} {last}')} and I run the women's "
                f"group. Call me on {self.phone()}."
            )
        if kind == 1:
            return (
                f"{plain} Please contact {self.plant(f'{first} {last}')} on {self.phone()} "
                f"or {self.email(first, last)}."
            )
        if kind == 2:
            return f"Our new hub at {self.postcode()} opens in the autumn."
        if kind == 3:
            return f"{plain} Kind regards, {self.plant(f'{first} {last}')}"
        if kind == 4:
            return (
                f"I'm {self.plant(first)}, the service manager. Email me at "
                f"{self.email(first, last)}."
            )
        if kind == 5:
            return f"{contact} leads our partnership work; {plain.lower()}"
        return plain
