"""dlint's built-in rules, installed as dlint.rules: one module per rule, grouped by family.

    images/          base images: tags, digests, registries, platforms
    packages/        package managers: cache cleanup, pinning, non-interactive installs
    instructions/    stages and instructions: form, order, arguments, layers
    shell/           RUN scripts: commands that misbehave in a build
    security/        users, secrets, unchecked downloads, exposed services
    build_checks/    Docker's own build checks and what BuildKit rejects
    context/         rules that read the build context

A module is named after its rule (`apk-no-cache` is packages/apk_no_cache.py).
Registered through the entry-point group `dlint.rules` like any third-party bundle; the
engine loads every submodule of this package, recursively, and takes the Rule subclasses
each defines.
"""
