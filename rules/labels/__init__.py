"""Rules about LABEL: key format, and the label schema a team requires (missing, unknown,
empty labels, and values that must be URLs, dates, SPDX licences, git hashes, semantic
versions or e-mail addresses)."""
