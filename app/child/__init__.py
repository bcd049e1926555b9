"""The child processes the window starts (check run, watch) and their pipe protocol."""
