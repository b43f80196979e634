"""Turning notebooks into the report: running sections (papermill, nbconvert), the index page
and manifest, provenance, and the partner pack."""
