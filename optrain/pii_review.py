"""What still looks like a person's detail in a scrubbed draft: listed for the trainer before it is saved.

The scrubber replaces what it can recognise (structured details, and every name
the payload gives). A name that appears only in the text ("ask for Leopold at
my shop") has nothing to recognise it by, so instead of claiming nobody is left
recognisable the importer lists what still looks personal: capitalised words
that are not in the shop's vocabulary (or are known first or last names), long
runs of digits and dates in a year a customer may be born in. Stand-ins the
scrubber made itself are never listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from faker.providers.address.en_US import Provider as UsAddress
from faker.providers.person.en_US import Provider as UsPerson

from optrain.pii import ReviewFlag
from optrain.pii_patterns import BIRTH_YEAR_DATE

# Everyday words that open a sentence in a customer's message; the curriculum does not hold them all.
COMMON_ENGLISH = frozenset(
    """a about after again all also am an and any anyway are as ask at be because been before best but by can
    cheers could dear did do does done for from good got had has have hello hey hi how however i if in is it just
    kind last let many maybe me more morning most my next no not now of ok okay on once one or our out please
    regards same see she should since sincerely so some sorry still sure thank thanks that the their them then
    there these they this those thx today tomorrow two three four five too up us was we well were what when where
    which while who why will with would yes yesterday yet you your monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october november december mr mrs
    ms dr sir madam apt suite unit po box street road avenue drive lane deliver ship shipping order card license
    licence plate social security date birth born vin phone call text email mobile cell address""".split()
)
PLACES = frozenset(
    w.lower() for place in (*UsAddress.states, *UsAddress.countries) for w in re.findall(r"[^\W\d_]+", place)
)
PERSON_NAMES = frozenset(n.lower() for n in (*UsPerson.first_names, *UsPerson.last_names))
CAPITALISED = re.compile(r"(?<![\w'’@./-])(?:[A-Z][a-zà-ÿ]+(?:['’-][A-Za-zà-ÿ]+)*|[A-Z]{4,})(?![\w@/])")
LONG_DIGITS = re.compile(r"(?<![\w-])\d(?:[ -]?\d){5,}(?![\w-])")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@lru_cache(maxsize=8)
def shop_vocabulary(folders: tuple[Path, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(words written in lower case, words written capitalised) in the scenario files of `folders`.

    A word the curriculum writes in lower case is an everyday word; one it only
    writes capitalised is a brand, a model or a name, and counts as the shop's
    own unless it is also a person's name.
    """
    lower: set[str] = set()
    proper: set[str] = set()
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # a broken scenario file only loses its words; the loader reports it elsewhere
            for word in WORD.findall(text):
                (lower if word.islower() else proper).add(word.lower())
    return frozenset(lower), frozenset(proper - lower)


def draft_texts(item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, text) for every free text of a draft item a trainer should read."""
    if item.get("title"):
        yield "title", str(item["title"])
    for index, message in enumerate(item.get("messages") or ()):
        yield f"messages[{index}]", str(message.get("text") or "")
    for key, value in (item.get("order") or {}).items():
        if isinstance(value, str):
            yield f"order.{key}", value
    for index, label in enumerate(item.get("labels") or ()):
        yield f"labels[{index}]", str(label)


def review_flags(
    item: dict[str, Any], *, stand_ins: Iterable[str], vocabulary: tuple[frozenset[str], frozenset[str]]
) -> tuple[ReviewFlag, ...]:
    """Everything in the draft that still looks personal, once per text, in reading order."""
    made = {w.lower() for fake in stand_ins for w in WORD.findall(fake)}
    made_digits = {re.sub(r"\D", "", fake) for fake in stand_ins} | {
        d for fake in stand_ins for d in re.findall(r"\d{4,}", fake)
    }
    lower, proper = vocabulary
    flags: list[ReviewFlag] = []
    seen: set[str] = set()

    def add(text: str, reason: str, where: str) -> None:
        if text.lower() not in seen:
            seen.add(text.lower())
            flags.append(ReviewFlag(text, reason, where))

    for where, text in draft_texts(item):
        for match in BIRTH_YEAR_DATE.finditer(text):
            if match.group() not in stand_ins:
                add(match.group(), "a date that may be a birth date", where)
        for match in LONG_DIGITS.finditer(text):
            digits = re.sub(r"\D", "", match.group())
            if not any(digits in made for made in made_digits):
                add(match.group(), "a long number that may identify someone", where)
        for match in CAPITALISED.finditer(text):
            word = match.group().lower()
            parts = set(re.split(r"['’-]", word))
            if word in made or parts <= made or word in lower or word in COMMON_ENGLISH or word in PLACES:
                continue
            if word in proper and word not in PERSON_NAMES:
                continue
            reason = (
                "a known first or last name" if word in PERSON_NAMES else "a capitalised word the shop does not use"
            )
            add(match.group(), reason, where)
    return tuple(flags)
