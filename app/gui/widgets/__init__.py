"""Small widgets of the main window."""
