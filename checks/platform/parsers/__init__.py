"""Pure parsers for operating-system output and settings, tested on captured samples."""
