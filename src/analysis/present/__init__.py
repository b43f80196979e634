"""Page building blocks: the section page context (tables, charts, key figures, findings),
the disclosure register applied to everything shown, house chart style, charts and maps,
sentences written from results, and the Finding, Table and Chart types."""
