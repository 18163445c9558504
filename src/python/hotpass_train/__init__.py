"""The lead-scoring model: training, the MLflow registry and its promotion gate.

The only package that imports MLflow (ADR 0003, ADR 0009); the core reaches the champion model
through :mod:`hotpass_train.score`, imported lazily, and only when a registry exists.
"""
