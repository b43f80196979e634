"""Statistics as pure functions on frames: change and significance, rates and intervals,
comparators, control charts, grid hotspots, concentration, harm and cost, survey statistics,
disclosure control. No file reading or writing, no plotting."""
