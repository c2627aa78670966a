"""dlint's built-in rules, installed as dlint.rules: one module per rule, grouped by family.

    images/          base images: tags, digests, registries, platforms
    packages/        package managers: cache cleanup, pinning, non-interactive installs
    instructions/    stages and instructions: form, order, arguments, layers
    shell/           RUN scripts: commands that misbehave in a build
    security/        users, secrets, unchecked downloads, exposed services
    build_checks/    Docker's own build checks and what BuildKit rejects
    context/         rules that read the build context
    suppressions/    ignore pragmas that do nothing: unknown codes, malformed, detached, unused

A module is named after its rule (`apk-no-cache` is packages/apk_no_cache.py).
Registered through the entry-point group `dlint.rules` like any third-party bundle. The
rule index (dlint.lint.registry) records each rule's metadata, so a module is imported
only when a file can trigger its rule: set `keywords` (the instructions it reads) on every
rule, and `triggers` (a word the file must contain, like the tool name "apk") on rules
about one tool, so files that never name it cost nothing.
"""
