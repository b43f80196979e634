"""Reproducible strategic assessments for Community Safety Partnerships (CSPs).

The package holds every piece of logic behind the report: reading sources, the canonical
store, statistics, charts and the build. Notebooks call these helpers and explain the results.
"""

import logging

__version__ = "0.1.0"

# The library logs to "analysis" (each module to its child, ``analysis.<module>``) and prints
# nothing unless the application configures logging, as `csp -v` does.
logging.getLogger(__name__).addHandler(logging.NullHandler())
