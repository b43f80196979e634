"""Reproducible strategic assessments for Community Safety Partnerships (CSPs).

The package holds every piece of logic behind the report: reading sources, the canonical
store, statistics, charts and the build. Notebooks call these helpers and explain the results.
"""

__version__ = "0.1.0"
