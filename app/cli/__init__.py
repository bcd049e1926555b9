"""The `wxdoctor` command line: entry point, shared options, one module per subcommand."""
