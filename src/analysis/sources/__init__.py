"""Readers for every input: police.uk, partner extracts, lookups, boundaries, population."""
