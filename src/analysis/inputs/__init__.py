"""One reader per published or partner format (police.uk street files, partner extracts and
their YAML mappings, ONS geography lookups and boundaries, population, IMD) and the download
of public files. Readers validate and return frames; they never write the store."""
