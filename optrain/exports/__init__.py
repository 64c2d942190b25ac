"""Exports for support: Q&A answers as tickets, the training evidence pack, decision-log retention.

The CLI (`optrain export ...`, `optrain db purge`) and the Exports page call
these same functions. Every file is written inside the exports folder under
a name the app chooses, and CSV cells are neutralised against spreadsheet
formula injection (see `csv_safety`).
"""

from optrain.exports.csv_safety import FORMULA_TRIGGERS, neutralise
from optrain.exports.dates import range_end, range_start
from optrain.exports.evidence import EvidencePack, PackFile, ProgressCallback, export_evidence_pack
from optrain.exports.retention import DEFAULT_RETENTION, PurgeResult, parse_age, purge_old_decision_log
from optrain.exports.signing import default_key_path, load_public_key, load_signing_key, public_key_pem
from optrain.exports.tickets import DEFAULT_REPORTER, TICKET_FORMATS, TicketExport, export_tickets
from optrain.exports.verify import verify_pack
from optrain.storage.export_queries import AnswerFilter, EvidenceFilter

__all__ = [
    "DEFAULT_REPORTER",
    "DEFAULT_RETENTION",
    "FORMULA_TRIGGERS",
    "TICKET_FORMATS",
    "AnswerFilter",
    "EvidenceFilter",
    "EvidencePack",
    "PackFile",
    "ProgressCallback",
    "PurgeResult",
    "TicketExport",
    "export_evidence_pack",
    "export_tickets",
    "default_key_path",
    "load_public_key",
    "load_signing_key",
    "neutralise",
    "parse_age",
    "public_key_pem",
    "purge_old_decision_log",
    "range_end",
    "range_start",
    "verify_pack",
]
