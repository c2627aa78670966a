"""dlint: a Dockerfile linter and build-cache analyzer.

Keep this module free of imports: it is loaded on every run.
"""

__version__ = "0.1.0"
