"""Hostile-input suite (issue 11): every misuse and fault the CLI must refuse cleanly."""
