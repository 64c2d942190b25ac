"""Reply checks: is the reply a trainee sends factual, helpful, polite and within policy?

Deterministic and local (regular expressions over the reply and the item's own
data, no model, no network), so the same reply always gets the same verdict and
a scripted attempt scores exactly as a browser one. Each check belongs to one
of the runbook's four review dimensions, has a weight, and may be critical
(auto-fail). A failed check quotes the text that failed it.

Defaults come from the item's data: a default check is kept only when the model
reply for the call made (the template rendered for this customer, or the AI
draft with its declared defects fixed) passes it, so a right call sent as the
shop wrote it always passes, and authors only write what differs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from optrain.queue import Queue, template_context
from optrain.scenarios.model import ConversationItem
from optrain.scenarios.reply_model import (
    DEFECT_DIMENSIONS,
    DIMENSION_TITLES,
    DIMENSIONS,
    FACTS,
    PhraseCheck,
    ReplyChecks,
)
from optrain.templates import render

REPLY_CALLS: frozenset[str] = frozenset({"approve_template", "approve_draft", "edit_draft"})
REFUND_LIMIT = 500.0
FACT_LABELS: dict[str, str] = {
    "order.id": "the order number",
    "order.tracking_number": "the tracking number",
    "order.eta": "the estimated delivery",
    "order.carrier": "the carrier",
    "order.total": "the order total",
    "customer.first_name": "the customer's first name",
}
CRITICAL_BY_DEFAULT: frozenset[str] = frozenset(
    {"no_placeholder", "refund_limit", "no_internal_note", "no_other_customer"}
)
CHECK_DIMENSIONS: dict[str, str] = {
    "facts": "factuality",
    "no_placeholder": "factuality",
    "answer": "helpfulness",
    "greeting": "tone",
    "apology": "tone",
    "no_blame": "tone",
    "no_shouting": "tone",
    "length": "tone",
    "refund_limit": "policy",
    "no_unlisted_date": "policy",
    "no_internal_note": "policy",
    "no_other_customer": "policy",
}

_I = re.IGNORECASE
ORDER_ID_RE = re.compile(r"#?\b[A-Z]{2,3}-\d{4,6}\b")
MONEY_RE = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)")
TRACKING_RE = re.compile(r"\b(?:1Z[0-9A-Z]{10,}|\d{10,22}|[A-Z]{2}\d{9}[A-Z]{2})\b")
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RE = re.compile(
    rf"\b(?:(?P<wd>{_WEEKDAY}),?\s+)?(?P<mon>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|\b(?P<wd2>{_WEEKDAY})\b"
    r"|\b(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/\d{2,4})?\b",
    _I,
)
GREETING_RE = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[\s,]*(?P<name>[A-Z][\w'’-]*)?", _I
)
APOLOGY_RE = re.compile(r"\b(?:sorry|apologi[sz]e|apologies|regret)\b", _I)
NEXT_STEP_RE = re.compile(
    r"\b(?:I'll|I will|I’ll|we'll|we will|we’ll|I've|I have|I’ve|we've|we have|we’ve|you'll hear|you will hear"
    r"|our team will|I'm going to|I am going to|just reply)\b",
    _I,
)
TIME_RE = re.compile(
    r"\b(?:within (?:the next )?\d+\s*(?:minutes?|hours?|business days?|days?)|today|tomorrow|tonight"
    r"|this (?:morning|afternoon|evening|week)|by (?:end of (?:day|the day)|the end of the day)"
    r"|in (?:the next )?\d+\s*(?:minutes?|hours?|days?)|as soon as|straight away|right away)\b",
    _I,
)
BLAME_RE = re.compile(
    r"\b(?:you should(?:n't| not)? have|your (?:own )?fault|you failed to|you didn'?t (?:read|check|follow|measure)"
    r"|(?:as|like) (?:I|we) (?:already )?(?:said|told you|explained)|obviously|clearly stated"
    r"|if you had (?:read|checked|measured|ordered)|not our (?:problem|fault)|user error"
    r"|read the (?:listing|description|instructions|fitment chart)|calm down|deal with it|not my problem"
    r"|nothing (?:we|I) can do|per my last (?:email|message)|stop (?:emailing|messaging)|whatever you want)\b",
    _I,
)
SHOUT_WORD_RE = re.compile(r"\b[A-Z]{4,}\b")
SHOUT_RUN_RE = re.compile(r"\b[A-Z]{2,}(?:\s+[A-Z]{2,}){1,}\b")
SHOUT_MARKS_RE = re.compile(r"[!?]{2,}")
ACRONYMS: frozenset[str] = frozenset(
    {
        "USPS",
        "FEDEX",
        "DHL",
        "UPS",
        "LTL",
        "PRO",
        "SKU",
        "ETA",
        "VIP",
        "OEM",
        "RMA",
        "USA",
        "PO",
        "ID",
        "OK",
        "AM",
        "PM",
        "EST",
        "PST",
        "CST",
        "MST",
        "EDT",
        "PDT",
        "HR",
        "ABF",
        "XPO",
        "YRC",
        "UTC",
        "CX",
    }
)
PLACEHOLDER_RE = re.compile(r"\{\{[^{}]*\}\}|\[[A-Z][A-Za-z _.-]*\]|<[A-Za-z][A-Za-z_ .-]*>|\bX{3,}\b|\bTBD\b")
REFUND_WORDS_RE = re.compile(
    r"\b(?:refund\w*|reimburs\w*|credit|discount\w*|compensat\w*|money back|voucher|\$\s?[\d,.]+ off)\b", _I
)
FULL_REFUND_RE = re.compile(
    r"\b(?:full refund|refund (?:it |you |the order )?in full|refund (?:the|your) (?:whole|full|entire)|100% refund"
    r"|refund (?:everything|all of it))\b",
    _I,
)
INTERNAL_RE = re.compile(
    r"\b(?:internal(?: note)?|note to self|do not (?:share|tell|send)|don'?t tell|staff only|not for (?:the )?customer"
    r"|our margin|cost price|agent note)\b|\[internal",
    _I,
)
SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass(frozen=True)
class ReplyContext:
    """What a reply is checked against: the conversation's own data, in template-variable form."""

    values: Mapping[str, str]
    order_value: float | None
    sla_breached: bool
    thread_text: str = ""
    others: tuple[str, ...] = ()
    templates: Mapping[str, str] = field(default_factory=dict)
    # An item's checks per call, worked out once: a context lives as long as its (immutable) queue.
    checks: dict[tuple[str, str, str | None], tuple[Check, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def first_name(self) -> str:
        return self.values.get("customer.first_name", "")

    @cached_property
    def known_dates(self) -> frozenset[str]:
        return frozenset(_date_keys(self.values.get("order.eta", "")) | _date_keys(self.thread_text))

    @cached_property
    def allowed_caps(self) -> frozenset[str]:
        return (
            ACRONYMS
            | set(SHOUT_WORD_RE.findall(self.thread_text))
            | {w for v in self.values.values() for w in SHOUT_WORD_RE.findall(v)}
        )


@dataclass(frozen=True)
class CheckOutcome:
    """One check of one reply: passed or not, and for a failure what failed, quoted."""

    check: str
    dimension: str
    weight: float
    critical: bool
    passed: bool
    message: str = ""
    quote: str | None = None

    def describe(self) -> str:
        title = DIMENSION_TITLES[self.dimension]
        prefix = "critical, " if self.critical else ""
        quoted = f": “{self.quote}”" if self.quote else ""
        return f"{title} ({prefix}{self.check}): {self.message}{quoted}"


@dataclass(frozen=True)
class ReplyVerdict:
    reply: str
    outcomes: tuple[CheckOutcome, ...]

    @property
    def failed(self) -> tuple[CheckOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)

    @property
    def critical_failed(self) -> bool:
        return any(o.critical for o in self.failed)

    @property
    def share(self) -> float:
        """The weight passed over the weight checked; 0 when a critical check failed."""
        if self.critical_failed:
            return 0.0
        total = sum(o.weight for o in self.outcomes)
        return sum(o.weight for o in self.outcomes if o.passed) / total if total else 1.0

    def dimensions(self) -> dict[str, bool | None]:
        """Per review dimension: all its checks passed, one failed, or None when none applied."""
        return {
            d: (
                all(o.passed for o in self.outcomes if o.dimension == d)
                if any(o.dimension == d for o in self.outcomes)
                else None
            )
            for d in DIMENSIONS
        }


# ---------------------------------------------------------------- helpers


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence around a match, trimmed to a readable quote."""
    for m in SENTENCE_RE.finditer(text):
        if m.start() <= start < m.end():
            sentence = " ".join(m.group(0).split())
            return sentence if len(sentence) <= 160 else sentence[:157] + "..."
    return " ".join(text[start:end].split())


def _norm(text: str) -> str:
    return re.sub(r"[\s#]", "", text).lower()


def _money(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _date_key(match: re.Match[str]) -> str:
    if match.group("mon"):
        return f"{_MONTHS.index(match.group('mon')[:3].lower()) + 1}/{int(match.group('day'))}"
    if match.group("m"):
        return f"{int(match.group('m'))}/{int(match.group('d'))}"
    return (match.group("wd2") or "").lower()


def _date_keys(text: str) -> set[str]:
    keys: set[str] = set()
    for m in DATE_RE.finditer(text):
        keys.add(_date_key(m))
        weekday = m.group("wd") or m.group("wd2")
        if weekday:
            keys.add(weekday.lower())
    return keys


def fact_present(reply: str, fact: str, context: ReplyContext) -> bool:
    value = context.values.get(fact, "")
    if not value:
        return False
    if fact == "order.total":
        return context.order_value is not None and any(
            (amount := _money(m.group(1))) is not None and abs(amount - context.order_value) < 0.005
            for m in MONEY_RE.finditer(reply)
        )
    if fact == "order.eta":
        wanted = {k for k in _date_keys(value) if "/" in k}
        if wanted:
            return bool(wanted & _date_keys(reply))
    if fact == "customer.first_name":
        return re.search(rf"\b{re.escape(value)}\b", reply, _I) is not None
    return _norm(value) in _norm(reply)


def loose(text: str) -> re.Pattern[str]:
    """A phrase matched in any case and across any line breaks (YAML folds long quotes)."""
    return re.compile(r"\s+".join(map(re.escape, text.split())), _I)


def fixed_draft(item: ConversationItem) -> str:
    """The AI draft with every declared defect replaced by its fix: what a right edit sends."""
    text = item.ai_draft or ""
    for defect in item.draft_defects:
        text = loose(defect.text).sub(defect.fix.replace("\\", "\\\\"), text)
    return text


def model_reply(item: ConversationItem, call: str, template: str | None, context: ReplyContext) -> str | None:
    """The reply the shop would send with this call: the template rendered, or the (fixed) AI draft."""
    if call == "approve_template" and template is not None and template in context.templates:
        return render(context.templates[template], _template_values(context))
    if call == "approve_draft":
        return item.ai_draft
    if call == "edit_draft":
        return fixed_draft(item)
    return None


def _template_values(context: ReplyContext) -> dict[str, str]:
    return dict(context.values)


def sent_reply(
    item: ConversationItem, call: str, template: str | None, body: str | None, context: ReplyContext
) -> str | None:
    """What the customer receives: the body as sent, else what the call sends unedited."""
    if body is not None:
        return body
    if call == "edit_draft":
        return item.ai_draft
    return model_reply(item, call, template, context)


# ---------------------------------------------------------------- the checks

Result = tuple[bool, str, str | None]  # passed, message, quote


def _check_fact(fact: str) -> Callable[[str, ReplyContext], Result]:
    def run(reply: str, context: ReplyContext) -> Result:
        value = context.values.get(fact, "")
        label = FACT_LABELS[fact]
        wrong: str | None = None
        if fact == "order.id":
            wrong = next((m.group(0) for m in ORDER_ID_RE.finditer(reply) if _norm(m.group(0)) != _norm(value)), None)
        elif fact == "order.tracking_number":
            wrong = next((m.group(0) for m in TRACKING_RE.finditer(reply) if _norm(m.group(0)) != _norm(value)), None)
        elif fact == "order.eta":
            wanted = _date_keys(value)
            wrong = next((m.group(0) for m in DATE_RE.finditer(reply) if _date_key(m) not in wanted), None)
        elif fact == "customer.first_name":
            greeted = GREETING_RE.match(reply)
            name = greeted.group("name") if greeted else None
            if name and name.lower() != value.lower() and name.lower() not in ("there", "team", "all"):
                wrong = greeted.group(0).strip() if greeted else None
        elif fact == "order.total":
            others = [m for m in MONEY_RE.finditer(reply)]
            if not fact_present(reply, fact, context) and others:
                wrong = others[0].group(0)
        if wrong is not None:
            return False, f"{label} is wrong; it is {value}", wrong
        if not fact_present(reply, fact, context):
            return False, f"the reply never gives {label} ({value})", None
        return True, "", None

    return run


def _check_answer(mode: str) -> Callable[[str, ReplyContext], Result]:
    def run(reply: str, context: ReplyContext) -> Result:
        if mode == "tracking":
            if fact_present(reply, "order.tracking_number", context):
                return True, "", None
            return False, "the customer asked where the order is and the reply gives no tracking number", None
        step, when = NEXT_STEP_RE.search(reply), TIME_RE.search(reply)
        if step and when:
            return True, "", None
        missing = "a next step" if not step else "when the customer will hear back"
        return False, f"the reply does not say {missing}", None

    return run


def _check_greeting(reply: str, context: ReplyContext) -> Result:
    greeted = GREETING_RE.match(reply)
    first_line = reply.strip().splitlines()[0] if reply.strip() else ""
    if greeted and context.first_name and re.search(rf"\b{re.escape(context.first_name)}\b", first_line, _I):
        return True, "", None
    return False, f"open with a greeting and the customer's name ({context.first_name})", first_line[:80] or None


def _check_apology(reply: str, context: ReplyContext) -> Result:
    if APOLOGY_RE.search(reply):
        return True, "", None
    return False, "the SLA is breached: apologise for the wait", None


def _first_match(pattern: re.Pattern[str], reply: str, message: str) -> Result:
    m = pattern.search(reply)
    return (True, "", None) if m is None else (False, message, sentence_of(reply, m.start(), m.end()))


def _check_blame(reply: str, context: ReplyContext) -> Result:
    return _first_match(BLAME_RE, reply, "blames or talks down to the customer")


def _check_shouting(reply: str, context: ReplyContext) -> Result:
    allowed = context.allowed_caps
    for m in SHOUT_RUN_RE.finditer(reply):
        words = m.group(0).split()
        if sum(w not in allowed for w in words) >= 1 and sum(len(w) for w in words) >= 5:
            return False, "all-caps reads as shouting", m.group(0)
    for m in SHOUT_WORD_RE.finditer(reply):
        if m.group(0) not in allowed:
            return False, "all-caps reads as shouting", m.group(0)
    m2 = SHOUT_MARKS_RE.search(reply)
    if m2:
        return False, "repeated punctuation reads as shouting", sentence_of(reply, m2.start(), m2.end())
    return True, "", None


def _check_length(low: int, high: int) -> Callable[[str, ReplyContext], Result]:
    def run(reply: str, context: ReplyContext) -> Result:
        size = len(reply.strip())
        if size < low:
            return False, f"{size} characters is too short to help (at least {low})", reply.strip()[:80] or None
        if size > high:
            return False, f"{size:,} characters is too long (at most {high:,})", None
        return True, "", None

    return run


def _check_placeholder(reply: str, context: ReplyContext) -> Result:
    m = PLACEHOLDER_RE.search(reply)
    return (True, "", None) if m is None else (False, "an unfilled placeholder would reach the customer", m.group(0))


def _check_refund_limit(limit: float) -> Callable[[str, ReplyContext], Result]:
    def run(reply: str, context: ReplyContext) -> Result:
        cap = min(limit, context.order_value) if context.order_value is not None else limit
        for s in SENTENCE_RE.finditer(reply):
            sentence = s.group(0)
            if not REFUND_WORDS_RE.search(sentence):
                continue
            for m in MONEY_RE.finditer(sentence):
                amount = _money(m.group(1))
                if amount is not None and amount > cap + 0.005:
                    return (
                        False,
                        f"promises {m.group(0).strip()}, over the ${cap:,.2f} an operator may offer",
                        sentence_of(reply, s.start() + m.start(), s.start() + m.end()),
                    )
            full = FULL_REFUND_RE.search(sentence)
            if full and context.order_value is not None and context.order_value > limit:
                return (
                    False,
                    (
                        f"a full refund of a ${context.order_value:,.2f} order is over the ${limit:,.0f} "
                        "an operator may offer; a manager decides"
                    ),
                    sentence_of(reply, s.start(), s.end()),
                )
        return True, "", None

    return run


def _check_unlisted_date(reply: str, context: ReplyContext) -> Result:
    known = context.known_dates
    for m in DATE_RE.finditer(reply):
        if _date_key(m) not in known:
            return False, "promises a date that is not in the order's data", m.group(0)
    return True, "", None


def _check_internal(reply: str, context: ReplyContext) -> Result:
    return _first_match(INTERNAL_RE, reply, "internal notes must never reach the customer")


def _check_other_customer(reply: str, context: ReplyContext) -> Result:
    folded = reply.casefold()
    for other in context.others:  # a plain substring test first: a queue can hold a thousand customers
        if other.casefold() in folded:
            m = re.search(rf"(?<!\w){re.escape(other)}(?!\w)", reply, _I)
            if m:
                return False, "names another customer's details", m.group(0)
    return True, "", None


def _check_phrase(rule: PhraseCheck, must: bool) -> Callable[[str, ReplyContext], Result]:
    def run(reply: str, context: ReplyContext) -> Result:
        m = rule.regex().search(reply)
        what = rule.text or rule.pattern
        if must:
            return (True, "", None) if m else (False, rule.why or f"the reply must say “{what}”", None)
        if m is None:
            return True, "", None
        return False, rule.why or "the reply says what it must not", sentence_of(reply, m.start(), m.end())

    return run


def _check_defect(text: str, fix: str, why: str) -> Callable[[str, ReplyContext], Result]:
    """The defect's text must be gone; where the fix contains it ("Priyanka," -> "Hi Priyanka,"), the fix counts."""
    pattern = loose(text)
    fixed = loose(fix) if fix and pattern.search(fix) else None

    def run(reply: str, context: ReplyContext) -> Result:
        if fixed is not None:
            reply = fixed.sub(" ", reply)
        if pattern.search(reply) is None:
            return True, "", None
        quote = " ".join(text.split())
        return False, why, quote if len(quote) <= 160 else quote[:157] + "..."

    return run


# ---------------------------------------------------------------- assembling an item's checks


@dataclass(frozen=True)
class Check:
    check: str
    dimension: str
    weight: float
    critical: bool
    run: Callable[[str, ReplyContext], Result]
    default: bool  # a default: kept only when the model reply passes it

    def outcome(self, reply: str, context: ReplyContext) -> CheckOutcome:
        passed, message, quote = self.run(reply, context)
        return CheckOutcome(self.check, self.dimension, self.weight, self.critical, passed, message, quote)


def item_checks(item: ConversationItem, context: ReplyContext, model: str | None) -> tuple[Check, ...]:
    """The checks a reply to this item gets: the defaults its model reply passes, then the author's."""
    spec = item.reply_checks or ReplyChecks()
    weights, critical = spec.weights, set(spec.critical)

    def make(
        kind: str, run: Callable[[str, ReplyContext], Result], name: str | None = None, explicit: bool = False
    ) -> Check:
        return Check(
            name or kind,
            CHECK_DIMENSIONS[kind],
            weights.get(kind, 1.0),  # type: ignore[call-overload]
            kind in CRITICAL_BY_DEFAULT or kind in critical,
            run,
            default=not explicit,
        )

    checks: list[Check] = []
    if "facts" not in spec.off:
        facts = (
            spec.facts
            if spec.facts is not None
            else tuple(f for f in FACTS if model is not None and fact_present(model, f, context))
        )
        checks += [
            make("facts", _check_fact(f), f"fact:{f}", explicit=spec.facts is not None)
            for f in facts
            if context.values.get(f)
        ]
    if "answer" not in spec.off:
        mode = spec.answer
        if mode is None:
            mode = "tracking" if model and fact_present(model, "order.tracking_number", context) else "next_step"
        if mode != "none":
            checks.append(make("answer", _check_answer(mode), explicit=spec.answer is not None))
    if "apology" not in spec.off and (spec.apology if spec.apology is not None else context.sla_breached):
        checks.append(make("apology", _check_apology, explicit=spec.apology is not None))
    fixed: list[tuple[str, Callable[[str, ReplyContext], Result]]] = [
        ("greeting", _check_greeting),
        ("no_blame", _check_blame),
        ("no_shouting", _check_shouting),
        ("length", _check_length(spec.min_chars, spec.max_chars)),
        ("no_placeholder", _check_placeholder),
        ("refund_limit", _check_refund_limit(spec.refund_limit if spec.refund_limit is not None else REFUND_LIMIT)),
        ("no_unlisted_date", _check_unlisted_date),
        ("no_internal_note", _check_internal),
        ("no_other_customer", _check_other_customer),
    ]
    # No unfilled placeholder ever passes: that check cannot be switched off or dropped.
    checks += [
        make(kind, run, explicit=kind == "no_placeholder")
        for kind, run in fixed
        if kind not in spec.off or kind == "no_placeholder"
    ]
    for defect in item.draft_defects:
        dimension, is_critical = DEFECT_DIMENSIONS[defect.kind]
        run = _check_defect(defect.text, defect.fix, _DEFECT_WHY[defect.kind])
        checks.append(Check(f"defect:{defect.kind}", dimension, 1.0, is_critical, run, default=False))
    for kind, rules, dimension, must in (
        ("forbid", spec.forbid, "policy", False),
        ("require", spec.require, "helpfulness", True),
    ):
        checks += [
            Check(
                kind,
                rule.dimension or dimension,
                rule.weight,
                rule.critical,
                _check_phrase(rule, must=must),
                default=False,
            )
            for rule in rules
        ]
    if model is not None:
        checks = [c for c in checks if not c.default or c.run(model, context)[0]]
    return tuple(checks)


_DEFECT_WHY: dict[str, str] = {
    "wrong_order_id": "the draft's wrong order number is still there",
    "wrong_eta": "the draft's wrong delivery date is still there",
    "wrong_tracking": "the draft's wrong tracking number is still there",
    "wrong_name": "the draft's wrong name is still there",
    "wrong_amount": "the draft's wrong amount is still there",
    "wrong_part": "the draft's wrong part is still there",
    "over_policy_promise": "the draft's promise over policy is still there",
    "policy_breach": "the draft's breach of policy is still there",
    "unlisted_date": "the draft's date that is not in the data is still there",
    "internal_note": "the draft's internal note is still there",
    "other_customer": "the draft's other customer's details are still there",
    "rude": "the draft's rude sentence is still there",
    "blame": "the draft's sentence blaming the customer is still there",
    "shouting": "the draft's shouting is still there",
    "placeholder": "the draft's unfilled placeholder is still there",
    "unhelpful": "the draft's non-answer is still there",
}


def check_reply(
    item: ConversationItem, reply: str, call: str, template: str | None, context: ReplyContext
) -> ReplyVerdict:
    """Every check of this item run over the reply sent with this call."""
    key = (item.id, call, template)
    checks = context.checks.get(key)
    if checks is None:
        checks = context.checks[key] = item_checks(item, context, model_reply(item, call, template, context))
    return ReplyVerdict(reply, tuple(c.outcome(reply, context) for c in checks))


# ---------------------------------------------------------------- context from a queue

_QUEUES_KEPT = 32
# Per queue (by identity: a queue is immutable but not cheap to hash), the replies' contexts by item and
# templates, and the queue's customers.
_PER_QUEUE: dict[int, tuple[Queue, dict[str, ReplyContext], tuple[str, ...]]] = {}


def _per_queue(queue: Queue) -> tuple[Queue, dict[str, ReplyContext], tuple[str, ...]]:
    hit = _PER_QUEUE.get(id(queue))
    if hit is None or hit[0] is not queue:
        if len(_PER_QUEUE) >= _QUEUES_KEPT:
            _PER_QUEUE.pop(next(iter(_PER_QUEUE)))
        hit = _PER_QUEUE[id(queue)] = (queue, {}, _queue_people(queue))
    return hit


def reply_context(queue: Queue, item_id: str, templates: Mapping[str, str]) -> ReplyContext:
    """The data a reply to this item is checked against, worked out once per queue and item."""
    cache = _per_queue(queue)[1]
    key = item_id + "\0" + "\0".join(sorted(templates))
    if key not in cache:
        cache[key] = _build_context(queue, item_id, templates)
    return cache[key]


def _queue_people(queue: Queue) -> tuple[str, ...]:
    """Every conversation's customer (full name and e-mail) in the queue."""
    people: set[str] = set()
    for entry in queue.entries:
        if entry.item.kind == "conversation":
            sender = entry.payload["meta"]["sender"]
            if sender.get("name") and " " in str(sender["name"]):
                people.add(str(sender["name"]))
            if sender.get("email"):
                people.add(str(sender["email"]))
    return tuple(sorted(people))


def _build_context(queue: Queue, item_id: str, templates: Mapping[str, str]) -> ReplyContext:
    root_id = item_id
    while root_id in queue.parents:
        root_id = queue.parents[root_id]
    root, entry = queue.entry(root_id), queue.entry(item_id)
    values = template_context(root)
    values["customer.first_name"] = values["contact.first_name"]
    value = root.payload["custom_attributes"].get("order_value")
    thread = " ".join(
        str(m.get("content") or "") for e in {root_id: root, item_id: entry}.values() for m in e.payload["messages"]
    )
    own = {values["contact.name"].casefold(), values["contact.email"].casefold()}
    others = tuple(o for o in _per_queue(queue)[2] if o.casefold() not in own)
    breached = entry.payload.get("applied_sla", {}).get("breached_at") is not None
    return ReplyContext(
        values=values,
        order_value=float(value) if value is not None else None,
        sla_breached=breached,
        thread_text=thread,
        others=others,
        templates=dict(templates),
    )
