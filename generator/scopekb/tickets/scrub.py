"""Personal data out of ticket text before it reaches any page.

Replaced, each by a neutral placeholder in the site's language: the names of
the ticket's requesters and technicians (each word of them, any case, with or
without accents: a caller is often "M. Durand" in the text), the contacts the
caller names (whole names: a team is "Support N2 systèmes et réseaux", whose
words alone are ordinary words), e-mail addresses, phone numbers (French, in
every usual spelling, and international `+CC ...`), IPv4 and IPv6 addresses
(checked with `ipaddress`) and IBANs (checked with python-stdnum, so that an
ordinary number is never taken for one). Asset ids (PRN-0107), model numbers
(HL-L5100DN), dates and versions (10.0.19045) are left as they are.
"""
from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from collections.abc import Iterable

from .mapping import normal_form
from .records import Ticket

PLACEHOLDERS = {
    "fr": {"name": "[nom]", "email": "[e-mail]", "phone": "[téléphone]", "ip": "[adresse IP]", "iban": "[IBAN]"},
    "en": {"name": "[name]", "email": "[e-mail]", "phone": "[phone]", "ip": "[IP address]", "iban": "[IBAN]"},
}

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# Two letters, two check digits, then 10 to 30 letters or digits, maybe grouped by 4 with spaces.
_IBAN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \u00a0]?[A-Za-z0-9]){10,32}")
_SEP = r"[ .\-\u00a0]"
# 01 23 45 67 89, 01.23.45.67.89, 01-23-45-67-89, 0123456789, +33 1 23 45 67 89, +33 (0)1 23 45 67 89, 0033 1 ...
_FRENCH_PHONE = re.compile(rf"[+0](?<![\w+.,/\-][+0])(?:(?<=\+)33{_SEP}?(?:\(0\){_SEP}?)?|(?<=0)033{_SEP}?(?:\(0\){_SEP}?)?|(?<=0))"
                           rf"[1-9](?:{_SEP}?\d{{2}}){{4}}(?![\w.,/\-]?\d)")
# +44 20 7946 0958, +1 (555) 123-4567, +49 30 1234567: a country code, then 7 to 14 more digits in groups.
_INTERNATIONAL_PHONE = re.compile(rf"\+(?<![\w+]\+)[1-9]\d{{0,2}}(?:{_SEP}?\(\d{{1,4}}\))?(?:{_SEP}?\d{{1,5}}){{1,6}}(?![\w.,/\-]?\d)")
_IPV4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?:%\w+)?(?![\w:])")
# Name words that are never taken alone: particles, and the placeholders' own words.
_NOT_NAMES = {"de", "du", "des", "le", "la", "les", "van", "von", "der", "den", "di", "da", "del", "mc", "el",
              "al", "ben", "st", "nom", "name", "mail", "telephone", "phone", "adresse", "address", "ip", "iban"}


def _letter_classes() -> dict[str, str]:
    """Each ASCII letter -> a regex class of it and its accented forms (é è ê ë É ... for e)."""
    variants: dict[str, set[str]] = {}
    for code in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()
        if "a" <= base <= "z":
            variants.setdefault(base, set()).update({char, char.lower(), char.upper()})
    return {letter: "[" + letter + letter.upper() + "".join(sorted(found - {letter, letter.upper()})) + "]"
            for letter, found in variants.items()}


_CLASSES = _letter_classes()


def folded_pattern(words: Iterable[str]) -> str:
    """A regex for these normal-form words in a text, in any case and with or without accents,
    separated by anything that is not a letter or digit."""
    parts = ["".join(_CLASSES.get(c, re.escape(c)) for c in word) for word in words]
    return r"(?<!\w)" + r"[\W_]+".join(parts) + r"(?!\w)"


@functools.lru_cache(maxsize=8192)
def _word_regex(word: str) -> re.Pattern:
    return re.compile(folded_pattern((word,)), re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def _phrases_regex(phrases: tuple[tuple[str, ...], ...]) -> re.Pattern:
    # longest first, so that "Marie Durand Lefort" wins over "Marie Durand"
    ordered = sorted(phrases, key=lambda p: (-sum(map(len, p)), p))
    return re.compile("|".join(f"(?:{folded_pattern(p)})" for p in ordered), re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def name_words(names: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The words of people's names that are scrubbed wherever they stand alone, each with the lower-case
    spellings a text may give it (as written in the name, and without accents), for a quick look first."""
    found = {}
    for name in names:
        for written in name.lower().replace("-", " ").split():
            word = normal_form(written)
            if len(word) >= 2 and word not in _NOT_NAMES and not word.isdigit() and " " not in word:
                found.setdefault(word, set()).update({word, written})
    return tuple((word, tuple(sorted(spellings))) for word, spellings in sorted(found.items()))


_DIGITS = "0123456789"
# Texts a Scrubber remembers, scrubbed, up to this length: long ones (pasted logs) seldom come back.
KEPT_LENGTH = 4000


class Scrubber:
    """Scrubs texts in one language against a fixed list of contact names (teams, people of the contracts)."""

    def __init__(self, contacts: Iterable[str] = (), lang: str = "fr"):
        self.say = PLACEHOLDERS.get(lang, PLACEHOLDERS["fr"])
        # whole names, by the spellings of their first word a text may give
        phrases: dict[tuple[str, ...], set[str]] = {}
        for contact in contacts:
            words = tuple(normal_form(contact).split())
            if words and sum(map(len, words)) >= 3:
                first = contact.lower().split()[0] if contact.split() else words[0]
                phrases.setdefault(words, set()).update({words[0], first})
        self.phrases = sorted((words, tuple(sorted(spellings))) for words, spellings in phrases.items())
        placeholder = re.escape(self.say["name"])
        self._name_runs = re.compile(rf"{placeholder}(?:[ \-.]+{placeholder})+")
        # each distinct text, scrubbed of all but the ticket's own names: titles and solutions come back
        # ticket after ticket (a fifth of them are distinct in bench/mining.py's export)
        self._seen: dict[str, tuple[str, str, bool]] = {}

    def text(self, text: str, names: Iterable[str] = ()) -> str:
        """`text` with every kind of personal data replaced; `names` are the ticket's own people."""
        if not text:
            return text
        found = self._seen.get(text)
        if found is None:
            found = self._all_but_names(text)
            if len(text) <= KEPT_LENGTH:
                self._seen[text] = found
        text, lowered, replaced = found
        for word, spellings in name_words(tuple(names)):
            if any(s in lowered for s in spellings):
                text = _word_regex(word).sub(self.say["name"], text)
                replaced = True
        return self._name_runs.sub(self.say["name"], text) if replaced else text  # "[nom] [nom]": one name

    def _all_but_names(self, text: str) -> tuple[str, str, bool]:
        """`text` with its e-mail addresses, IBANs, IP addresses, phone numbers and contacts replaced; the
        text before the contacts, lower-cased (where the ticket's names are looked for); whether a contact was.

        Each pattern runs only on a text that can hold what it looks for (an
        `@`, enough digits, colons): a regular expression costs 5 to 20 µs a
        description, and 100,000 tickets have 300,000 texts.
        """
        say = self.say
        if "@" in text:
            text = _EMAIL.sub(say["email"], text)
        digits = sum(map(text.count, _DIGITS))
        if digits >= 10:  # the shortest IBANs have a dozen digits
            text = _IBAN_CANDIDATE.sub(self._iban, text)
        if "::" in text or text.count(":") >= 7:
            text = _IPV6.sub(lambda m: say["ip"] if _is_ip(m.group(), 6) else m.group(), text)
        if digits >= 4 and text.count(".") >= 3:
            text = _IPV4.sub(lambda m: say["ip"] if _is_ip(m.group(), 4) else m.group(), text)
        if digits >= 8:
            text = _FRENCH_PHONE.sub(say["phone"], text)
            if "+" in text:
                text = _INTERNATIONAL_PHONE.sub(self._international, text)
        lowered = text.lower()
        whole = tuple(words for words, spellings in self.phrases if any(s in lowered for s in spellings))
        if whole:
            text = _phrases_regex(whole).sub(say["name"], text)
        return text, lowered, bool(whole)

    def _iban(self, found: re.Match) -> str:
        """The candidate's longest leading run of groups that is a valid IBAN, replaced; the rest kept."""
        from stdnum import iban as stdnum_iban  # imported on the first candidate: most sites have none

        candidate = found.group()
        groups = candidate.replace("\u00a0", " ").split(" ")
        for count in range(len(groups), 0, -1):
            compact = "".join(groups[:count]).upper()
            if 15 <= len(compact) <= 34 and stdnum_iban.is_valid(compact):
                kept = " ".join(groups[count:])
                return self.say["iban"] + (" " + kept if kept else "")
        return candidate

    def _international(self, found: re.Match) -> str:
        digits = sum(c.isdigit() for c in found.group())
        return self.say["phone"] if 8 <= digits <= 15 else found.group()

    def ticket(self, ticket: Ticket) -> Ticket:
        """A copy of `ticket` whose texts are scrubbed and which holds no one's name any more."""
        names = ticket.requesters + ticket.technicians
        # the fields copied as they are, not through dataclasses.replace and __init__: 1 µs against 4
        copy = object.__new__(Ticket)
        copy.__dict__.update(vars(ticket), title=self.text(ticket.title, names),
                             description=self.text(ticket.description, names),
                             solution=self.text(ticket.solution, names), requesters=(), technicians=())
        return copy


def _is_ip(text: str, version: int) -> bool:
    try:
        address = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return address.version == version and (version == 4 or any(c.isdigit() or c in "abcdefABCDEF" for c in text))


def scrub_text(text: str, names: Iterable[str] = (), contacts: Iterable[str] = (), lang: str = "fr") -> str:
    """`text` scrubbed once; for many texts, build one `Scrubber` and reuse it."""
    return Scrubber(contacts, lang).text(text, names)
