"""Operator Training Simulator: the domain core (no screens here)."""

__version__ = "0.1.0"
