"""Reproducible strategic assessments for Community Safety Partnerships (CSPs).

The package holds every piece of logic behind the report: reading sources, the canonical
store, statistics, charts and the build. Notebooks call these helpers and explain the results.
"""

import logging
import sys

__version__ = "0.1.0"

# The library logs to "analysis" (each module to its child, ``analysis.<module>``) and prints
# nothing unless the application configures logging, as `csp -v` does.
logging.getLogger(__name__).addHandler(logging.NullHandler())

# jsonschema, loaded by nbformat for papermill and nbconvert, imports the optional
# ``rfc3987_syntax`` when it is installed (JupyterLab pulls it in), and that module compiles a
# grammar at import time: 1-5 s in every process that reads a notebook (each `csp` command, a
# build worker, the test suite's collection). The notebook schemas nbformat validates against
# use no IRI formats, the only ones that module checks, so the package marks it as absent
# before anything can import nbformat: ``None`` in sys.modules makes the import fail, and
# jsonschema then leaves those two formats unchecked. (typeshed types sys.modules as modules
# only, though None there is Python's documented block.)
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
