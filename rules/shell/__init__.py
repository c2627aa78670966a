"""Rules about the shell scripts of RUN: commands that misbehave in a build or belong elsewhere."""
