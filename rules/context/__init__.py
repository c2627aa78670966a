"""Rules that read the build context: what a COPY sends, what it misses, what a .dockerignore lets in."""
