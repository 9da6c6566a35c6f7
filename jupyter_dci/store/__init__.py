"""Versioned datasets: a base snapshot plus an append-only edit log. No UI imports."""
