"""Rules about package managers run in RUN: cache cleanup, version pinning, non-interactive installs."""
