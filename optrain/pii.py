"""Personal details in an imported conversation, replaced by generated stand-ins.

A real conversation may become training material only once its people cannot be
recognised, yet it must still read as the same conversation: "Dwayne" in the text
matches the customer card. So each original maps to one stand-in for the whole
conversation, keyed by meaning (a phone by its digits, an order by its number),
and Faker is seeded from the source, so the same file always gives the same draft.
Text is scrubbed in passes, the most specific pattern first (a URL before the
e-mail in it); each stand-in is parked behind a private-use placeholder until the
end, so a later pass never rewrites an earlier one. What no pattern recognises is
left to the review list of `optrain.pii_review`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from faker import Faker

from optrain.pii_patterns import (
    AMBIGUOUS_ABBRS,
    AU_PLACE,
    BARE_URL,
    BEFORE_A_NAME,
    CARD,
    COMMON_WORDS,
    CVV,
    DASH_SIGNATURE,
    DOB,
    EMAIL,
    EU_PLACE,
    EU_STREET,
    EXPIRY,
    HANDLE,
    INTRO,
    IPV4,
    IPV6,
    KINDS,
    LONG_NUMBER,
    NOT_NAMES,
    ORDER_CODE,
    ORDER_HASH,
    ORDER_WORD,
    PERSON_KEY,
    PHONE_INTL,
    PHONE_LOCAL,
    PHONE_US,
    PLACE,
    PLATE,
    PO_BOX,
    POSTCODE_PLACE,
    RELATIVE,
    SIGN_OFF,
    SSN,
    SSN_WORD,
    STATE_ABBRS,
    STATES,
    STREET,
    TRACKING,
    URL,
    VIN,
    ZIP_WORD,
)

_TOKEN = re.compile(r"[\ue000\ue002]([\ue100-\ue109]+)\ue001")  # \ue002 opens a card's stand-in


@dataclass(frozen=True)
class ReviewFlag:
    """Something left in a draft that still looks like a person's detail, for the trainer to check."""

    text: str
    reason: str
    where: str


def plural(kind: str) -> str:
    """'e-mail address' -> 'e-mail addresses', 'place (city or ZIP code)' -> 'places (city or ZIP code)'."""
    head, _, tail = kind.partition(" (")
    head += "es" if head.endswith("ss") else "s"
    return f"{head} ({tail}" if tail else head


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def luhn_valid(digits: str) -> bool:
    """The check digit every payment card number carries."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return len(digits) >= 12 and total % 10 == 0


def _same_case(original: str, fake: str) -> str:
    """A stand-in written like the original: 'dwayne' -> 'brenda', 'DWAYNE' -> 'BRENDA'."""
    if original.islower():
        return fake.lower()
    if original.isupper() and len(original) > 1:
        return fake.upper()
    return fake


PHONE_REGIONS = ("US", "GB")


class Scrubber:
    """Maps each personal detail it recognises in one conversation to its stand-in, consistently."""

    def __init__(self, seed: int, *, shop_words: frozenset[str] = frozenset()):
        """`shop_words` (lower case): words a weak hint such as "ask for X" must not take for a name."""
        self.shop_words = shop_words
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self._map: dict[tuple[str, str], str] = {}
        self._originals: set[str] = set()
        self._fakes: set[str] = set()
        self._names: dict[str, str] = {}  # name words -> stand-in; those of 3+ letters are sought in free text
        self._known: dict[str, str] = {}  # other known originals (company, city, ...) -> stand-in
        self._pattern: tuple[re.Pattern[str], re.Pattern[str]] | None = None

    # ------------------------------------------------------------ the registry

    def _fresh(self, make: Callable[[], str]) -> str:
        """A stand-in that is new and does not contain any original seen so far."""
        candidate = make()
        for _ in range(50):
            low = candidate.lower()
            if low not in self._fakes and not any(o in low for o in self._originals if len(o) >= 3):
                break
            candidate = make()
        self._fakes.add(candidate.lower())
        return candidate

    def value(self, kind: str, original: str, make: Callable[[], str], key: str | None = None) -> str:
        """The stand-in of `original`, made on first sight; `key` says when two spellings are one detail."""
        slot = (kind, key if key is not None else " ".join(original.lower().split()))
        if slot not in self._map:
            self._originals.add(original.lower().strip())
            self._map[slot] = self._fresh(make)
        return self._map[slot]

    def stand_ins(self) -> tuple[str, ...]:
        """Every stand-in made so far: the review list never flags the scrubber's own output."""
        return tuple(self._map.values())

    def counts(self) -> dict[str, int]:
        """How many distinct details of each kind were replaced (name words are not counted twice)."""
        return dict(Counter(KINDS[kind] for kind, _ in self._map if kind != "name-word"))

    # ------------------------------------------------------------ kinds

    def person(self, name: str) -> str:
        """A stand-in full name whose words are also the stand-ins of the original's words alone."""
        if "@" in name or not re.search(r"[^\W\d_]", name):
            return self.text(name)  # an e-mail address or phone number shown as the name
        words = [re.sub(r"\d+$", "", w) for w in re.split(r"[\s._,()'\"]+", name)]  # "dwayne.kowalczyk77" too
        kept = [w for w in words if w and w.lower() not in NOT_NAMES and re.search(r"[^\W\d_]", w)]
        if not kept:
            return name
        if len(kept) == 1 and kept[0].lower() in self._names:  # "Dwayne" alone, already met as a name's word
            return self._names[kept[0].lower()]
        fakes = []
        for position, word in enumerate(kept):
            make = self.fake.first_name if position == 0 else self.fake.last_name
            if len(word) == 1:  # an initial: "Dwayne K."
                fakes.append(self.value("name-word", word, lambda: self.fake.last_name()[0]))
                continue
            fake = self.value("name-word", word, make)
            self._names[word.lower()] = fake
            fakes.append(fake)
        self._pattern = None
        return self.value("name", " ".join(kept), lambda: " ".join(fakes))

    def email(self, original: str, owner: str | None = None) -> str:
        tries = 0

        def make() -> str:
            nonlocal tries
            tries += 1
            local = ".".join(re.sub(r"[^a-z]", "", w.lower()) for w in (owner or "").split()).strip(".")
            if tries == 1 and local:  # the customer's stand-in name, as people's addresses often are
                return f"{local}@example.com"
            return f"{self.fake.user_name()}@{self.fake.safe_domain_name()}"

        return self.value("email", original, make, key=original.strip().lower())

    def phone(self, original: str) -> str:
        digits = _digits(original)
        key = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits

        def fiction() -> str:  # 555-0100 to 555-0199 are kept for fiction: nobody answers
            return f"({self.fake.random_int(201, 989)}) 555-01{self.fake.random_int(0, 99):02d}"

        return self.value("phone", original, fiction, key)

    def order_number(self, digits: str) -> str:
        def make() -> str:
            first = str(self.fake.random_int(1, 9)) if digits[0] != "0" else "0"
            return first + "".join(str(self.fake.random_int(0, 9)) for _ in digits[1:])

        return self.value("order", digits, make, key=digits)

    def order_id(self, original: str) -> str:
        """An order id written as the shop writes it, its number replaced: '#HR-10452' -> '#HR-38211'."""
        return re.sub(r"\d{3,}", lambda m: self.order_number(m.group()), original, count=1)

    def attributes(self, attributes: Any, path: str = "") -> None:
        """Meet the personal details hiding in free-form attributes, recognised by their key."""
        if isinstance(attributes, dict):
            for key, value in attributes.items():
                self.attributes(value, f"{path}.{key}".lower())
        elif isinstance(attributes, list):
            for value in attributes:
                self.attributes(value, path)
        elif isinstance(attributes, (str, int)) and not isinstance(attributes, bool) and str(attributes).strip():
            self._attribute(path, path.rsplit(".", 1)[-1], str(attributes).strip())

    def _attribute(self, path: str, leaf: str, text: str) -> None:
        if "email" in leaf:
            self.email(text)
        elif "phone" in leaf or "mobile" in leaf:
            self.phone(text)
        elif "company" in leaf or "business" in leaf:
            self.company(text)
        elif "social" in path or leaf in ("username", "handle", "twitter", "facebook", "instagram", "github"):
            self.handle(text)
        elif leaf in ("ip", "ip_address", "remote_ip", "client_ip"):
            self.ip(text)
        elif "address" in leaf or "street" in leaf:
            self.street(text)
        elif leaf in ("city", "town"):
            self.city(text)
        elif "zip" in leaf or "postal" in leaf:
            self.zip_code(text)
        elif PERSON_KEY.fullmatch(leaf):
            self.person(text)

    def first_order(self, texts: Iterable[str]) -> str | None:
        """The stand-in of the first order number the texts mention, written as an order id."""
        for text in texts:
            hits = [m for pattern in (ORDER_HASH, ORDER_WORD) for m in pattern.finditer(text)]
            if hits:
                first = min(hits, key=lambda m: m.start())
                code = re.search(r"([A-Za-z]{1,5}-)$|#([A-Za-z]{1,5})$", first.group("prefix"))
                letters = next((g for g in code.groups() if g), "") if code else ""
                return f"#{letters}{self.order_number(first.group('digits'))}"
        return None

    def reference(self, original: str) -> str:
        """A tracking or account number of the same shape: letters kept, every digit replaced."""
        keep = 2 if original.upper().startswith("1Z") else 0  # UPS numbers start 1Z: that says only "UPS"

        def make() -> str:
            return original[:keep] + re.sub(r"\d", lambda _: str(self.fake.random_int(0, 9)), original[keep:])

        return self.value("number", original, make, key=original.upper())

    def known(self, kind: str, original: str, make: Callable[[], str]) -> str:
        """A detail found in a structured field, replaced wherever free text repeats it too."""
        fake = self.value(kind, original, make)
        if len(original.strip()) >= 3:
            self._known[original.strip().lower()] = fake
            self._pattern = None
        return fake

    def company(self, original: str) -> str:
        return self.known("company", original, self.fake.company)

    def handle(self, original: str) -> str:
        return self.known("handle", original, self.fake.user_name)

    def city(self, original: str) -> str:
        return self.known("place", original, self.fake.city)

    def street(self, original: str) -> str:
        return self.known("address", original, self.fake.street_address)

    def ip(self, original: str) -> str:
        if ":" in original:  # documentation ranges (RFC 3849, RFC 5737): never a real machine
            return self.value("ip", original, lambda: f"2001:db8::{self.fake.random_int(1, 65535):x}")
        nets = ("192.0.2", "198.51.100", "203.0.113")
        return self.value("ip", original, lambda: f"{self.fake.random_element(nets)}.{self.fake.random_int(1, 254)}")

    def card(self, original: str) -> str:
        return self.value("card", original, self.fake.credit_card_number, key=_digits(original))

    def zip_code(self, original: str) -> str:
        return self.known("place", original, self.fake.zipcode)

    def same_shape(self, kind: str, original: str) -> str:
        """Every digit and letter replaced by a random one of its kind: a plate or postcode keeps its look."""

        def make() -> str:
            return "".join(
                str(self.fake.random_int(0, 9))
                if c.isdigit()
                else _same_case(c, self.fake.random_uppercase_letter())
                if c.isascii() and c.isalpha()
                else c
                for c in original
            )

        return self.known(kind, original, make)

    def ssn(self, original: str) -> str:
        separator = next((c for c in original if not c.isdigit()), "")
        return self.value("ssn", original, lambda: self.fake.ssn().replace("-", separator), key=_digits(original))

    def vin(self, original: str) -> str:
        return self.value("vin", original, lambda: _same_case(original, self.fake.vin()), key=original.upper())

    def birth_date(self, original: str) -> str:
        """A made-up birth date written the way the original was."""
        text = original.strip()
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            shape = "%Y-%m-%d"
        elif re.fullmatch(r"\d{1,2}([/.-])\d{1,2}\1\d{2}", text):
            shape = "%m/%d/%y" if "/" in text else "%m.%d.%y" if "." in text else "%m-%d-%y"
        elif re.fullmatch(r"\d{1,2}([/.-])\d{1,2}\1\d{4}", text):
            shape = "%m/%d/%Y" if "/" in text else "%d.%m.%Y" if "." in text else "%m-%d-%Y"
        elif text[0].isdigit():
            shape = "%d %B %Y"
        else:
            shape = "%B %d, %Y"
        return self.value(
            "dob", original, lambda: self.fake.date_of_birth(minimum_age=18, maximum_age=80).strftime(shape)
        )

    def expiry(self, original: str) -> str:
        long_year = len(original.split("/")[-1].strip()) == 4
        return self.value(
            "expiry", original, lambda: self.fake.credit_card_expire(date_format="%m/%Y" if long_year else "%m/%y")
        )

    def phones_in(self, text: str) -> re.Pattern[str]:
        """Every phone number libphonenumber finds in `text`, in any common format, as one alternation.

        Found with US rules, then UK rules (which read "0044 ..." and "020 ..."), at the "possible" level (a number of a possible length: fictional 555
        numbers count). Of shorter numbers only the local 555-0187 shape is taken: "1406 600" in
        "Edelbrock 1406 600 cfm" is a part number and a rating.
        """
        found = set()
        matches = (
            match
            for region in PHONE_REGIONS
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
        )
        for match in matches:
            raw = match.raw_string
            if re.fullmatch(r"\d+(?:\.\d+){3,}", raw):  # a version number: 125.0.6422.112
                continue
            if len(_digits(raw)) >= 10 or re.fullmatch(r"\d{3}[-.\s]\d{4}", raw):
                found.add(raw)
        if not found:
            return re.compile(r"(?!x)x")
        body = "|".join(re.escape(raw) for raw in sorted(found, key=len, reverse=True))
        return re.compile(rf"(?<![\w+])(?:{body})(?![\w])")

    # ------------------------------------------------------------ free text

    def learn(self, texts: Iterable[str]) -> None:
        """Meet every detail of every text once, so that the first message already knows the last one's.

        A name may only show as such in a sign-off, a city only next to its
        state; after this sweep a bare "Dwayne" or "Springfield" anywhere in the
        conversation is replaced too.
        """
        texts = list(texts)
        for text in texts:
            for pattern in (SIGN_OFF, INTRO, RELATIVE, DASH_SIGNATURE):
                for match in pattern.finditer(text):
                    self.person(match.group("name"))
            for match in BEFORE_A_NAME.finditer(text):
                if match.group("name").lower() not in self.shop_words | NOT_NAMES | COMMON_WORDS:
                    self.person(match.group("name"))
        for text in texts:
            self.text(text)

    def text(self, text: str) -> str:
        """`text` with every detail the patterns recognise replaced by its stand-in."""
        parked: list[str] = []

        def park(fake: str, opener: str) -> str:
            parked.append(fake)
            return opener + "".join(chr(0xE100 + int(d)) for d in str(len(parked) - 1)) + "\ue001"

        def sub(pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str | None]) -> str:
            opener = "\ue002" if pattern is CARD else "\ue000"  # an expiry date is sought next to a card

            def one(match: re.Match[str]) -> str:
                fake = replace(match)
                return match.group() if fake is None else park(fake, opener)

            return pattern.sub(one, text)

        for pattern, replace in self._passes():
            text = sub(pattern if isinstance(pattern, re.Pattern) else pattern(text), text, replace)
        while _TOKEN.search(text):  # a stand-in may hold another's token (an expiry date keeps the card before it)
            text = _TOKEN.sub(lambda m: parked[int("".join(str(ord(c) - 0xE100) for c in m.group(1)))], text)
        return text

    def _passes(
        self,
    ) -> Iterable[tuple[re.Pattern[str] | Callable[[str], re.Pattern[str]], Callable[[re.Match[str]], str | None]]]:
        names, common = self._name_patterns()
        yield URL, lambda m: self._url(m.group())
        yield BARE_URL, lambda m: self._url(m.group())
        yield EMAIL, lambda m: self.email(m.group())
        yield HANDLE, lambda m: "@" + self.handle(m.group("value"))
        yield IPV4, lambda m: self.ip(m.group())
        yield IPV6, lambda m: self.ip(m.group()) if len(m.group()) > 2 else None
        yield TRACKING, lambda m: self.reference(m.group())
        yield VIN, lambda m: self.vin(m.group())
        yield CARD, lambda m: self.card(m.group()) if luhn_valid(_digits(m.group())) else None
        yield EXPIRY, lambda m: m.group("prefix") + self.expiry(m.group("value"))
        yield CVV, lambda m: m.group("prefix") + self.same_shape("cvv", m.group("value"))
        yield SSN, lambda m: self.ssn(m.group())
        yield SSN_WORD, lambda m: m.group("prefix") + self.ssn(m.group("value"))
        yield DOB, lambda m: m.group("prefix") + self.birth_date(m.group("value"))
        yield PLATE, lambda m: m.group("prefix") + self.same_shape("plate", m.group("value"))
        yield ORDER_CODE, lambda m: m.group("prefix") + self.order_number(m.group("digits"))
        yield self.phones_in, lambda m: self.phone(m.group())
        yield PHONE_INTL, lambda m: self.phone(m.group()) if len(_digits(m.group())) >= 8 else None
        yield PHONE_US, lambda m: self.phone(m.group())
        yield PHONE_LOCAL, lambda m: m.group("prefix") + self.phone(m.group()[len(m.group("prefix")) :])
        yield ORDER_HASH, lambda m: m.group("prefix") + self.order_number(m.group("digits"))
        yield ORDER_WORD, lambda m: m.group("prefix") + self.order_number(m.group("digits"))
        yield PO_BOX, lambda m: self.street(m.group())
        yield STREET, lambda m: self.street(m.group())
        yield EU_STREET, lambda m: self.street(m.group())
        yield POSTCODE_PLACE, self._postcode_place
        yield AU_PLACE, self._postcode_place
        yield (
            EU_PLACE,
            lambda m: (
                None
                if m.group("city").lower() in self.shop_words
                else (f"{self.same_shape('postcode', m.group('code'))} {self.city(m.group('city'))}")
            ),
        )
        yield PLACE, self._place
        yield ZIP_WORD, lambda m: m.group("prefix") + self.zip_code(m.group("zip"))
        yield names, lambda m: _same_case(m.group(), self._lookup(m.group()))
        yield common, lambda m: _same_case(m.group(), self._lookup(m.group()))
        yield LONG_NUMBER, lambda m: self.reference(m.group())

    def _lookup(self, found: str) -> str:
        key = " ".join(found.lower().split())
        return self._names.get(key) or self._known.get(key) or self._map.get(("name", key)) or self.person(found)

    def _name_patterns(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """Known names and details as two alternations, longest first; everyday words only capitalised."""
        if self._pattern is None:
            full = [key for kind, key in self._map if kind == "name" and " " in key]
            words = [w for w in self._names if len(w) >= 3]
            plain = sorted({*full, *self._known, *(w for w in words if w not in COMMON_WORDS)}, key=len, reverse=True)
            common = [w for w in words if w in COMMON_WORDS]
            capital = sorted({w.capitalize() for w in common} | {w.upper() for w in common})

            def alternation(items: list[str], flags: int) -> re.Pattern[str]:
                if not items:
                    return re.compile(r"(?!x)x")
                body = "|".join(r"\s+".join(re.escape(part) for part in item.split()) for item in items)
                return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)

            self._pattern = (alternation(plain, re.IGNORECASE), alternation(capital, 0))
        return self._pattern

    def _url(self, original: str) -> str | None:
        """A link keeps its site but loses anything after it that may point at a person."""
        parts = urlsplit(original if "://" in original else f"https://{original}")
        host = (parts.hostname or "").lower()
        words = {re.sub(r"[^a-z0-9]", "", w) for w in (*self._names, *self._known)}
        personal_host = any(len(w) >= 4 and w in re.sub(r"[^a-z0-9]", "", host) for w in words)
        if parts.path in ("", "/") and not parts.query and not personal_host and "@" not in parts.netloc:
            return original
        scheme = parts.scheme or "https"

        def make() -> str:
            site = f"{self.fake.domain_word()}.example.com" if personal_host else host
            return f"{scheme}://{site}/{self.fake.uri_path()}"

        return self.value("url", original, make)

    def _postcode_place(self, match: re.Match[str]) -> str:
        """A UK, Canadian or Australian postcode and the town before it replaced; the province or state is kept."""
        city, code = match.group("city", "code")
        between = match.group()[len(city) : match.start("code") - match.start()] if city else ""
        return (self.city(city) if city else "") + between + self.same_shape("postcode", code)

    def _place(self, match: re.Match[str]) -> str | None:
        """A city and ZIP code replaced; the state is kept, as it identifies nobody."""
        city, comma, state, zip_code = match.group("city", "comma", "state", "zip")
        abbr = state in STATE_ABBRS
        if not (abbr or state.lower() in STATES) or (state in AMBIGUOUS_ABBRS and not zip_code):
            return None
        if not zip_code and not (city and comma):
            return None
        place = f"{self.city(city)}{comma or ''} " if city else ""
        return place + state + (f" {self.zip_code(zip_code)}" if zip_code else "")
