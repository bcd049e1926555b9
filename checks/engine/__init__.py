"""How a run works: results, the check interface, codes, config, the runner."""
