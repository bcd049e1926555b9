"""The A4 PDFs (check report, watch) drawn with Qt, and their text map."""
