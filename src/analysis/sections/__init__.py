"""One module per notebook: each gathers its data from the store, computes with
:mod:`analysis.stats` and returns tables, charts and findings for its page. No module here
imports another section."""
