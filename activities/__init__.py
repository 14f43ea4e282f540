"""Temporal activities: each wraps one side effect around Herald's domain code."""
