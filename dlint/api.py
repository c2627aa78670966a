"""The stable API for rules: everything a rule module may import, built-in or plugin.

    from dlint.api import Rule, Fix, TextEdit

    class NoEvilRegistry(Rule):
        code = "ACME001"
        name = "no-evil-registry"
        keywords = ("FROM",)
        def check(self, ctx):
            for stage in ctx.model.stages:
                ...
                yield self.report(ctx, stage.from_instruction, "...")

Names listed in ``__all__`` are stable: they change only after a deprecation period of
at least one minor release, during which the old name keeps working and warns
(DeprecationWarning, see ``_DEPRECATED``); README, "Writing rules". Whatever
a rule reaches through them (attributes and methods of the objects below) is stable too,
unless its name starts with an underscore. Everything else in dlint is internal.

The built-in rules import only from here, so this module cannot fall behind them.

Attributes load on first use (PEP 562): importing a name does not import the parts of
dlint it does not need (the shell parser, the cache model), which keeps startup fast.
"""

from __future__ import annotations

import importlib

# name -> module that defines it
_EXPORTS = {
    # the rule contract and what rules produce
    "Rule": "dlint.lint.rule",
    "LintContext": "dlint.lint.context",
    "Finding": "dlint.lint.finding",
    "Fix": "dlint.lint.finding",
    "TextEdit": "dlint.lint.finding",
    "SEVERITIES": "dlint.lint.finding",
    "parse_pragma": "dlint.lint.suppress",
    # what LintContext.pragmas holds for a rule with `reads_pragmas = True`
    "Pragma": "dlint.lint.suppress",
    "PragmaItem": "dlint.lint.suppress",
    # Docker's `# check=` directive value (skip=, experimental=, error=), as BuildKit reads it
    "parse_check_value": "dlint.syntax.check_directive",
    "CheckOptions": "dlint.syntax.check_directive",
    # fixes: faithful edit builders (dlint.fix.edits) and the fixes rules share
    "edit_tokens": "dlint.fix.edits",
    "replace_keyword": "dlint.fix.edits",
    "append_to_run": "dlint.fix.edits",
    "insert_line_before": "dlint.fix.edits",
    "stage_reference_edits": "dlint.fix.edits",
    "line_ending": "dlint.fix.edits",
    "fix_add_flag": "dlint.fix.helpers",
    "fix_append_cleanup": "dlint.fix.helpers",
    "fix_rename_command": "dlint.fix.helpers",
    "fix_remove_wrapper": "dlint.fix.helpers",
    "fix_keyword_casing": "dlint.fix.helpers",
    "fix_merge_runs": "dlint.fix.helpers",
    "fix_remove_sudo": "dlint.fix.helpers",
    "fix_pipefail_shell": "dlint.fix.helpers",
    "fix_copy_manifests_first": "dlint.fix.helpers",
    "fix_stage_index_reference": "dlint.fix.helpers",
    # the document (dlint parse): instructions, flags, heredocs, comments, positions
    "Document": "dlint.syntax.nodes",
    "Instruction": "dlint.syntax.nodes",
    "Flag": "dlint.syntax.nodes",
    "Heredoc": "dlint.syntax.nodes",
    "Comment": "dlint.syntax.nodes",
    "Directive": "dlint.syntax.nodes",
    "Span": "dlint.syntax.nodes",
    # the model: stages, base images, ARG/ENV scopes, USER/WORKDIR/SHELL at an instruction
    "Model": "dlint.model.model",
    "Stage": "dlint.model.model",
    "State": "dlint.model.model",
    "Dependency": "dlint.model.model",
    "ImageRef": "dlint.model.imageref",
    "Expansion": "dlint.model.expand",
    "parse_image_ref": "dlint.model.imageref",
    "parse_mount": "dlint.model.mount",
    "AUTOMATIC_PLATFORM_ARGS": "dlint.model.model",
    "PREDEFINED_FROM_ARGS": "dlint.model.model",
    "suggest": "dlint.model.expand",
    "Platform": "dlint.model.platform",
    "parse_platform": "dlint.model.platform",
    "image_platform": "dlint.model.platform",
    # the shell view of a RUN: simple commands with wrappers looked through
    "Script": "dlint.shell.model",
    "SimpleCommand": "dlint.shell.model",
    "Pipeline": "dlint.shell.model",
    "Assignment": "dlint.shell.model",
    "Redirect": "dlint.shell.model",
    "parse_script": "dlint.shell.parse",
    # package managers' install commands: package arguments, pins, prompts
    "Package": "dlint.shell.packages",
    "install_packages": "dlint.shell.packages",
    "describe_unpinned": "dlint.shell.packages",
    "answers_prompts": "dlint.shell.packages",
    "skips_recommends": "dlint.shell.packages",
    "shell_name": "dlint.shell.run",
    # ShellCheck over RUN scripts (LintContext.shellcheck_comments collects the results)
    "start_shellcheck": "dlint.shell.shellcheck",
    # what flows through a script: options, stdin data, downloads, interpreters
    "parse_options": "dlint.shell.flow",
    "downloads_to_stdout": "dlint.shell.flow",
    "reads_program_from_stdin": "dlint.shell.flow",
    "interpreter_name": "dlint.shell.flow",
    "program_operand": "dlint.shell.flow",
    "substitutions_in": "dlint.shell.flow",
    "stdin_data": "dlint.shell.flow",
    "written_files": "dlint.shell.flow",
    "option_enabled_by": "dlint.shell.flow",
    "option_set_before": "dlint.shell.flow",
    # helpers
    "LazyPattern": "dlint._regex",
    # Windows RUNs (PowerShell, cmd) are not parsed: split into commands to match paths
    "windows_commands": "dlint.shell.paths",
    "windows_created": "dlint.shell.paths",
    "windows_removed": "dlint.shell.paths",
    # the build-cache analyzer, for rules that measure what an order costs in the cache
    "steps_invalidated_by": "dlint.cache.predict",
    "PredictError": "dlint.cache.keys",
    "load_timings": "dlint.cache.timings",
    "human_size": "dlint.lint.build_context",
    "ContextSource": "dlint.lint.context",
    "apply_timings": "dlint.cache.timings",
    "format_seconds": "dlint.cache.timings",
}

# Renamed or retired names during their deprecation period: old name -> (new name, the
# release that will remove it). They still work, with a DeprecationWarning naming both.
_DEPRECATED: dict[str, tuple[str, str]] = {}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _DEPRECATED:
        import warnings

        new, removal = _DEPRECATED[name]
        warnings.warn(f"dlint.api.{name} is deprecated and will be removed in dlint {removal}; "
                      f"use dlint.api.{new}", DeprecationWarning, stacklevel=2)
        return __getattr__(new)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dlint.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return __all__
