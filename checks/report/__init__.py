"""Reports: the JSON report is the single source of truth; renderers read it."""
