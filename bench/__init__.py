"""Benchmarks of the training app on a large generated database; run them with `make bench` (python -m bench).

Not part of `make test`: they take minutes and their figures depend on the
machine. Each speed target is a ratio to a baseline measured in the same run.
"""
