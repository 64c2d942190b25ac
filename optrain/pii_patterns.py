"""The patterns that find personal details in a conversation's text, and the kinds they belong to.

Used by `optrain.pii` (the scrubber, which applies them in a fixed order) and
`optrain.pii_review` (what is left for a trainer to check).
"""

from __future__ import annotations

import re

from faker.providers.address.en_US import Provider as UsAddress

# Words that are never a person, even in a sender's display name ("Sam from Hot Rodan").
NOT_NAMES = frozenset(
    "from the and of at for team support service customer care bot agent hot rodan shop store sales help".split()
)
# First names that are also everyday words: replaced only when written with a capital.
COMMON_WORDS = frozenset(
    "will may june april august rich bill mark grant rose hope joy faith art chase dawn drew frank guy "
    "jack pat ray sue summer wade young long king brown white black green gray grey wood hunter page".split()
)
STATES = {s.lower() for s in UsAddress.states}
STATE_ABBRS = set(UsAddress.states_abbr)
AMBIGUOUS_ABBRS = {"OK", "OR", "IN", "ME", "HI", "OH", "AS", "DE", "PA", "MA", "LA", "ID", "CO", "AL", "GA"}
KINDS: dict[str, str] = {
    "name": "name",
    "email": "e-mail address",
    "phone": "phone number",
    "address": "street address",
    "place": "place (city or ZIP code)",
    "order": "order number",
    "card": "card number",
    "ip": "IP address",
    "url": "personal link",
    "company": "company name",
    "handle": "user handle",
    "number": "reference number",
    "ssn": "social security number",
    "vin": "vehicle identification number (VIN)",
    "plate": "licence plate",
    "dob": "date of birth",
    "expiry": "card expiry date",
    "cvv": "card security code",
    "postcode": "postal code",
}

_SUFFIXES = (
    "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter|"
    "circle|cir|parkway|pkwy|highway|hwy|trail|trl|square|sq|loop|pike|row|grove"
)
_STATE_NAMES = "|".join(sorted((re.escape(s) for s in UsAddress.states), key=len, reverse=True))
_ZIP = r"\d{5}(?:-\d{4})?"
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]")
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,255}\.[A-Za-z]{2,24}\b")  # bounded: no quadratic scans
IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")
IPV6 = re.compile(
    r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?)(?![\w:])"
)
CARD = re.compile(r"(?<!\d)(?<!\d[ -])(?:\d[ -]?){12,18}\d(?![ -]?\d)")
TRACKING = re.compile(r"\b1Z[0-9A-Z]{16}\b|(?<!\d)\d{20,22}(?!\d)")
PHONE_INTL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,5}(?![\w-])")
PHONE_US = re.compile(r"(?<![\w+])(?:1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])")
PHONE_LOCAL = re.compile(  # a seven-digit number only next to a word that says it is a phone number
    r"(?P<prefix>(?i:\b(?:call|phone|cell|mobile|text|tel|fax)\b)\D{0,12}?)\b\d{3}[-.]\d{4}(?![\w-])"
)
ORDER_HASH = re.compile(r"(?P<prefix>#(?:[A-Za-z]{1,5}-?)?)(?P<digits>\d{3,10})\b")
ORDER_WORD = re.compile(
    r"(?P<prefix>\b(?:order|invoice|receipt)(?:\s+(?:number|no\.?|num|id))?\s*[:#]?\s*(?:[A-Za-z]{1,5}-)?)"
    r"(?P<digits>\d{3,10})\b",
    re.IGNORECASE,
)
PO_BOX = re.compile(r"\bP\.?\s?O\.?\s+Box\s+\d+\b", re.IGNORECASE)
STREET = re.compile(
    r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:(?:[A-Z][\w'-]*|\d{1,3}(?:st|nd|rd|th))\.?\s+){1,4}"
    rf"(?i:{_SUFFIXES})\b\.?(?:,?\s+(?i:apt|apartment|suite|ste|unit|#)\.?\s*[A-Za-z0-9-]+)?"
)
PLACE = re.compile(  # "Springfield, IL 62704", "Dallas TX 75201", "Portland, Oregon", "IL 62704"
    rf"\b(?:(?P<city>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){{0,2}})(?P<comma>,)?\s+)?"
    rf"(?P<state>[A-Z]{{2}}|{_STATE_NAMES})\b(?:\s+(?P<zip>{_ZIP})\b)?"
)
ZIP_WORD = re.compile(rf"(?P<prefix>\bzip(?:\s*code)?\s*[:#]?\s*)(?P<zip>{_ZIP})\b", re.IGNORECASE)
# Social security numbers: written 123-45-6789 or 123 45 6789 anywhere, or as nine digits after the word.
SSN = re.compile(r"(?<![\w-])(?!000|666)\d{3}(?P<sep>[- ])(?!00)\d{2}(?P=sep)(?!0000)\d{4}(?![\w-])")
SSN_WORD = re.compile(
    r"(?P<prefix>(?i:\b(?:ssn|social(?:\s+security)?(?:\s+(?:number|no\.?|num|#))?)\b)\W{0,3}?)(?P<value>\d{9})(?!\d)"
)
VIN = re.compile(  # 17 characters, no I, O or Q, letters and digits mixed
    r"(?<![\w-])(?=[A-HJ-NPR-Z0-9]{0,16}\d)(?=[A-HJ-NPR-Z0-9]{0,16}[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}(?![\w-])",
    re.IGNORECASE,
)
PLATE = re.compile(  # only after a word that says it is a plate: a bare "7XKD294" could be anything
    r"(?P<prefix>(?i:\b(?:licen[cs]e(?:\s+plate)?|(?:number\s+)?plate|registration|reg|tags?)"
    r"(?:\s+(?:number|no\.?|#))?)\s*(?:is\s+|:\s*|#\s*)?)"
    r"(?P<value>(?=[A-Z0-9 -]{0,11}\d)[A-Z0-9]{1,4}(?:[ -]?[A-Z0-9]{1,4}){0,2})(?![\w-])"
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_SHAPE = (
    r"(?:YEAR-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-](?:YEAR|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+YEAR|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+YEAR)"
)
_DATE = _DATE_SHAPE.replace("YEAR", r"\d{4}")
DOB = re.compile(
    rf"(?P<prefix>\b(?:born(?:\s+(?:on|in))?|d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday)"
    rf"(?:\s+is)?\s*[:-]?\s*)(?P<value>{_DATE})(?!\d)",
    re.IGNORECASE,
)
BIRTH_YEAR_DATE = re.compile(  # a date in a year a customer may be born in: flagged for review
    r"(?<!\d)" + _DATE_SHAPE.replace("|\\d{2})", ")").replace("YEAR", r"(?:19\d\d|200\d)") + r"(?!\d)", re.IGNORECASE
)
EXPIRY = re.compile(
    r"(?P<prefix>(?:\ue002[\ue100-\ue109]+\ue001[^\n\ue000\ue002]{0,30}?"
    r"|(?i:\b(?:exp(?:iry|ires|iration|\.)?(?:\s+date)?|valid\s+(?:thru|through|until))\b)\s*:?\s*(?:on\s+)?))"
    r"(?P<value>(?:0?[1-9]|1[0-2])\s*/\s*(?:20\d{2}|\d{2}))(?![\d/])"
)
CVV = re.compile(
    r"(?P<prefix>(?i:\b(?:cvv2?|cvc2?|csc|cid|security\s+code|card\s+code)\b)\s*[:#]?\s*(?:is\s+)?)"
    r"(?P<value>\d{3,4})(?!\d)"
)
HANDLE = re.compile(r"(?<![\w@.])@(?P<value>[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@])")
BARE_URL = re.compile(  # a site written without http:// or www., only when a path follows
    r"(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|us|uk|ca|de|me|shop|store|biz|info)"
    r"/[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?]",
    re.IGNORECASE,
)
ORDER_CODE = re.compile(r"(?P<prefix>\b(?i:hr)-?)(?P<digits>\d{4,10})\b")  # the shop's own order names: HR-10452
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})"
_CA_POSTCODE = r"(?:[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d)"
_CITY = r"[A-Z][^\W\d_]+(?:[ -][A-Z][^\W\d_]+){0,2}"
POSTCODE_PLACE = re.compile(  # "Leeds LS6 2QD", "Montréal, QC H3H 1M8", or the code alone
    rf"(?:(?P<city>{_CITY}),?\s+(?:(?P<province>[A-Z]{{2}}),?\s+)?)?(?P<code>\b(?:{_UK_POSTCODE}|{_CA_POSTCODE})\b)"
)
AU_PLACE = re.compile(  # "Sydney NSW 2000"
    rf"(?P<city>{_CITY}),?\s+(?P<state>NSW|VIC|QLD|WA|SA|TAS|ACT|NT)\s+(?P<code>\d{{4}})\b"
)
EU_PLACE = re.compile(  # "..., 10115 Berlin"; not "..., 2019 Silverado" (a year) nor "..., 12000 RPM"
    r"(?<=, )(?P<code>(?!(?:19|20)\d\d\b)\d{4,5})\s+(?P<city>[A-ZÀ-Þ][a-zß-ÿ]+(?:[ -][A-ZÀ-Þ][a-zß-ÿ]+)?)\b"
)
EU_STREET = re.compile(
    r"\b[A-ZÄÖÜ][\wäöüß-]*(?i:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer)\s+\d{1,4}[a-z]?\b"
    r"|(?:\b\d{1,5},?\s+)?(?i:\b(?:calle|carrer|avenida|avda\.|rua|rue|via|viale|piazza|plaza|paseo|chemin|quai|allée))"
    r"\s+(?:(?i:de|del|de la|la|le|les|des|du|da|di|do|dos|das|della)\s+)*[A-ZÀ-Ý][\w'’-]*(?:\s+[A-ZÀ-Ý][\w'’-]*){0,3}"
    r"(?:,?\s+\d{1,4}[a-z]?\b)?"
)
LONG_NUMBER = re.compile(r"(?<![\w-])\d{8,}(?![\w-])")
_CAP = r"[A-ZÀ-ÖØ-Þ][^\W\d_A-ZÀ-ÖØ-Þ]+"  # a capitalised word in any Latin script: "Ruairí", "Zoë"
SIGN_OFF = re.compile(
    r"(?im)^[ \t]*(?:thanks|thank you|regards|best regards|kind regards|cheers|best|sincerely)[ \t]*[,.!]?"
    rf"[ \t]*(?:\n[ \t]*)?[-\u2013\u2014]*[ \t]*(?-i:(?P<name>{_CAP}(?:[ \t]+[A-ZÀ-ÖØ-Þ][^\W\d_]*\.?)?))[ \t]*$"
)
INTRO = re.compile(rf"(?i:\bmy name is|\bname's|\bcall me|\bit's|\bthis is)\s+(?P<name>{_CAP}(?:\s+{_CAP})?)")
RELATIVE = re.compile(
    r"(?i:\b(?:my|our|your)\s+(?:wife|husband|partner|son|daughter|brother|sister|dad|father|mom|mum|mother|friend|"
    r"buddy|boss|mechanic|neighbou?r|customer|cousin|uncle|aunt|nephew|niece|grandson|granddaughter|grandpa|grandma|"
    r"girlfriend|boyfriend|fianc[eé]e?|roommate|colleague|coworker|co-worker|assistant|driver|manager|tech|"
    r"technician|foreman|bookkeeper|accountant))"
    rf"[ \t]*,?[ \t]+(?P<name>{_CAP}(?:[ \t]+{_CAP})?)"
)
DASH_SIGNATURE = re.compile(
    rf"(?m)^[ \t]*[-\u2013\u2014]{{1,2}}[ \t]*(?P<name>{_CAP}(?:[ \t]+[A-ZÀ-ÖØ-Þ][^\W\d_]*\.?)?)[ \t]*$"
)
# Words that usually come before a person's name; taken as a name only when the word is not the shop's own.
BEFORE_A_NAME = re.compile(
    rf"(?i:\b(?:ask\s+for|speak\s+(?:to|with)|talk\s+to|attn\.?:?|attention:?|c/o|tell|thank)\s+)(?P<name>{_CAP})"
)
PERSON_KEY = re.compile(
    r"(?:(?:full|first|last|middle|display|nick|contact|customer|recipient|billing|shipping|"
    r"sender|buyer|owner)_?)?name"
)
