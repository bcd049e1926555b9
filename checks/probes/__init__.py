"""Network probes shared by several checks. Failures come back as stable codes."""
