"""Scenario format: typed model and the loader that reports every error with its place."""

from optrain.scenarios.model import Scenario

__all__ = ["Scenario"]
