"""`python -m app` runs the command line, same as the `wxdoctor` script."""

from app.cli.main import main

raise SystemExit(main())
