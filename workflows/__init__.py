"""Temporal workflows: deterministic and thin; every decision lives in herald.lifecycle."""
