"""Small helpers every part uses: two-language text, threads, bounded reads, paths."""
