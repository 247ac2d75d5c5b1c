"""Temporal workflows: one per claim."""
