"""The project's own exception types; pages catch these and show a helpful message."""

from __future__ import annotations


class OptrainError(Exception):
    """Base class for every error the app reports to a user."""


class ScenarioError(OptrainError):
    """A scenario file could not be read or is not a valid scenario."""


class TemplateError(OptrainError):
    """A reply template names a variable that does not exist or has no value."""


class DecisionError(OptrainError):
    """A call was refused: wrong item, already decided, or invalid input."""


class AlreadyDecided(DecisionError):
    """The item already has a recorded call in this attempt."""


class AttemptError(OptrainError):
    """An attempt does not exist, belongs to someone else or is not in progress."""


class TimeLimitReached(AttemptError):
    """The scenario's time limit has run out: the attempt takes no more calls and is finished."""


class StorageError(OptrainError):
    """The database could not be read or written (locked, read-only, disk full)."""


class AnswersFileError(OptrainError):
    """An answers file for `optrain simulate` is missing, malformed or inconsistent."""


class UploadError(OptrainError):
    """An uploaded file is of the wrong type, too large or unreadable."""


class AnswerError(OptrainError):
    """A Q&A answer is out of range or too long."""


class ExportError(OptrainError):
    """An export found nothing to write, or its file could not be written."""


class ChatwootImportError(OptrainError):
    """A file is not a Chatwoot conversation, is too large, or is not valid JSON."""
