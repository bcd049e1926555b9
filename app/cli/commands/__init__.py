"""One module per CLI subcommand; each defines COMMAND, add_arguments() and run()."""
