"""One module per check, discovered by checks.base."""
