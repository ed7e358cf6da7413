"""Patterns of personal identifiers in free text, for `privacy.redact`: emails (plain or
written out), phone numbers, National Insurance numbers, dates of birth after a cue, social
media handles, postcodes and street addresses. Each pattern reads a long run of text once.
"""

from __future__ import annotations

import re

# --- emails -------------------------------------------------------------------------------------

_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?i:at)\s*[\])}>]\s*|\s+(?i:at)\s+)"
_DOT = r"(?:\.|\s*[\[({<]\s*(?i:dot)\s*[\])}>]\s*|\s+(?i:dot)\s+)"
# Bounded and possessive so that no start re-reads a long run of text: a local word of up to 64
# characters (the limit of an address's local part), up to ten written-out dots before the "at".
_LOCAL_WORD = r"[A-Za-z0-9_%+'-]{1,64}+"
_LABEL = r"(?>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)"
_TLD = r"(?i:com|org|net|uk|gov|nhs|ac|co|edu|info|io|me|biz|ie|eu|scot|wales|cymru|london|email)"
_OBFUSCATED = (
    rf"(?<![\w.@'-]){_LOCAL_WORD}(?:{_DOT}{_LOCAL_WORD}){{0,10}}{_AT}(?!(?i:www)\b)"
    rf"{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}(?![\w-])"
)
_LOCAL = r"[A-Za-z0-9._%+'-]"
_DOMAIN = r"@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)*\.[A-Za-z]{2,}"
_PLAIN = rf"{_LOCAL}++{_DOMAIN}"
# A plain address starts only where a run of address characters starts (so a long run is read
# once, not once from each of its characters): the leftmost address found is the same.
EMAIL = re.compile(f"(?<!{_LOCAL}){_PLAIN}|{_OBFUSCATED}")
_EMAIL_HERE = re.compile(f"{_PLAIN}|{_OBFUSCATED}")  # where the last match ended


def sub_emails(text: str, replacement: str) -> str:
    """`EMAIL.sub(replacement, text)` as re.sub would find the addresses with no run rule: an
    address may also start right where the last one ended."""
    out, pos = [], 0
    while match := _EMAIL_HERE.match(text, pos) or EMAIL.search(text, pos):
        out += [text[pos : match.start()], replacement]
        pos = match.end()
    return "".join(out) + text[pos:]


# --- phones -------------------------------------------------------------------------------------

_S = r"[ \t.-]?"  # one optional separator between digit groups
# A UK number without its trunk 0: 7700 900123, 161 496 0123, 20 7946 0123, 1632 960123.
_UK_BODY = (
    rf"(?:\d{{4}}{_S}\d{{3}}{_S}\d{{3}}"
    rf"|\(?\d{{3}}\)?{_S}\d{{3}}{_S}\d{{4}}"
    rf"|\(?\d{{2}}\)?{_S}\d{{4}}{_S}\d{{4}})"
)
_UK_NATIONAL = (
    rf"(?:0\d{{4}}{_S}\d{{3}}{_S}\d{{3}}"
    rf"|\(?0\d{{3}}\)?{_S}\d{{3}}{_S}\d{{4}}"
    rf"|\(?0\d{{2}}\)?{_S}\d{{4}}{_S}\d{{4}})"
)
_UK_INTERNATIONAL = rf"(?:\+|00)\s?44\s?(?:\(0\)\s?)?{_UK_BODY}"
_OTHER_INTERNATIONAL = r"(?:\+|00)\s?(?!44)[1-9]\d{0,2}(?:[ \t.-]?\(?\d{1,4}\)?){2,5}\d"
PHONE = re.compile(
    rf"(?<![\w+]){_UK_INTERNATIONAL}(?!\d)|(?<![\w+]){_UK_NATIONAL}(?!\d)"
    rf"|(?<![\w+]){_OTHER_INTERNATIONAL}(?!\d)"
)

# --- National Insurance numbers, dates of birth, social media handles ---------------------------

# Two letters, six digits (in pairs, spaced or not) and a final letter A to D: QQ 12 34 56 C.
NI_NUMBER = re.compile(r"\b[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]\b")
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    r"july|august|september|october|november|december)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|{_DAY}[ \t]+(?:of[ \t]+)?{_MONTH},?[ \t]+\d{{4}}|{_MONTH}[ \t]+{_DAY},?[ \t]+\d{{4}})"
)
# A date after "DOB", "D.O.B." or "date of birth" (and "is", ":" or "-"); the cue is kept.
DATE_OF_BIRTH = re.compile(
    r"(?i:(\b(?:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|born(?:[ \t]+on)?)"
    rf"[ \t]*(?:[:=-]|is|was)?[ \t]*){_DATE})(?!\d)"
)
# @name: a handle on social media (not an email's domain: emails are redacted first).
HANDLE = re.compile(
    r"(?<![\w@.+-])@(?=[A-Za-z0-9_.]*[A-Za-z])"  # with a letter somewhere
    r"[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])"
)

# --- postcodes and addresses --------------------------------------------------------------------

POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][A-Z]{2}\b", flags=re.IGNORECASE)
_STREET_TYPES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Place|Pl|Crescent|Cres|Court|Ct|"
    "Grove|Gardens|Gdns|Terrace|Square|Sq|Hill|Row|Walk|Mews|Parade|Park|Green|Rise|Vale|View|"
    "Gate|Yard|Wharf|Quay|Boulevard"
)
ADDRESS = re.compile(
    r"(?:\b(?i:flat|unit|apartment|apt|suite|room)\s+\d{1,4}[A-Za-z]?,?\s+)?"
    r"(?<![\w,.])\d{1,3}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'’-]*\s+){1,3}"
    rf"(?i:{_STREET_TYPES})\b"
)
