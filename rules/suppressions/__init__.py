"""Rules about suppression pragmas (`# dlint: ignore=...`, `# hadolint ignore=...`) that
do nothing: unknown codes, malformed pragmas, pragmas a blank line cuts off from their
instruction, and pragmas that suppressed no finding. They read what the engine recorded
about the file's pragmas (Rule.reads_pragmas, LintContext.pragmas)."""
