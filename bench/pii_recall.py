"""Recall of the Chatwoot importer's scrubbing, per kind of personal detail, on the planted corpus.

    python -m bench.pii_recall

Every file in fixtures/chatwoot/recall/ is imported as a trainer would; each
detail listed in planted.json counts as replaced when it no longer appears in
the draft (as a whole word, in the case it was written), and as flagged when
it still appears but the draft's review list names it. The figures are what
the importer's wording may claim.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from optrain.chatwoot_import import import_file

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "chatwoot" / "recall"
# Structured details must all be replaced; names found only in free text are caught as far as possible
# and the rest must reach the trainer's review list.
STRUCTURED = (
    "phone",
    "card",
    "card_expiry",
    "cvv",
    "ssn",
    "vin",
    "plate",
    "dob",
    "email",
    "handle",
    "url",
    "address",
    "order",
    "name",
)


@dataclass
class KindRecall:
    planted: int = 0
    replaced: int = 0
    flagged: int = 0
    missed: list[str] = field(default_factory=list)


def item_text(value: object) -> str:
    """Every string of the draft item, one per line (the review list in the YAML header is not part of it)."""
    if isinstance(value, dict):
        return "\n".join(item_text(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(item_text(v) for v in value)
    return str(value)


def survives(value: str, draft_text: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(value)}(?![\w])", draft_text) is not None


def measure(corpus: Path = CORPUS) -> dict[str, KindRecall]:
    planted = json.loads((corpus / "planted.json").read_text(encoding="utf-8"))
    drafts = {}
    for entry in planted:
        if entry["file"] not in drafts:
            draft = import_file(corpus / entry["file"])
            drafts[entry["file"]] = (item_text(draft.item), {flag.text.lower() for flag in draft.flags})
    result: dict[str, KindRecall] = defaultdict(KindRecall)
    for entry in planted:
        text, flagged = drafts[entry["file"]]
        kind = result[entry["kind"]]
        kind.planted += 1
        if not survives(entry["value"], text):
            kind.replaced += 1
        elif entry["value"].lower() in flagged:
            kind.flagged += 1
        else:
            kind.missed.append(f"{entry['file']}: {entry['value']}")
    return dict(result)


def main() -> None:
    result = measure()
    print(f"{'kind':<12} {'planted':>7} {'replaced':>8} {'flagged':>7}  recall")
    for kind in sorted(result, key=lambda k: (k not in STRUCTURED, k)):
        r = result[kind]
        print(
            f"{kind:<12} {r.planted:>7} {r.replaced:>8} {r.flagged:>7}  {r.replaced / r.planted:6.0%}"
            + (f"  missed: {', '.join(r.missed)}" if r.missed else "")
        )
    total = sum(r.planted for r in result.values())
    replaced = sum(r.replaced for r in result.values())
    flagged = sum(r.flagged for r in result.values())
    print(f"{'all':<12} {total:>7} {replaced:>8} {flagged:>7}  {replaced / total:6.0%}")


if __name__ == "__main__":
    main()
