"""One module per check, discovered by checks.engine.check."""
