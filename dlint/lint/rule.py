"""The rule contract. A rule is one module under rules/ holding one Rule subclass.

The module docstring is the rule's documentation, in fixed sections (SPEC §4):

    ## What it does
    ## Why is this bad?
    ## Example        (the bad Dockerfile, then "Use instead:" and the good one)
    ## Fix            (how to fix it)
    ## Options        (optional)

A rule reads the LintContext (document, model, shell commands) and yields Findings
through self.report(); it never parses text, prints, or imports another rule.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterable, Iterator

from dlint.lint.finding import Finding, Fix
from dlint.syntax.nodes import Instruction, Span

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Any, ClassVar
    from dlint.lint.context import LintContext


class Rule:
    code: ClassVar[str]                        # stable code, "DF101"
    name: ClassVar[str]                        # kebab-case, "untagged-image"
    severity: ClassVar[str] = "warning"        # error | warning | info | style
    enabled: ClassVar[bool] = True             # on by default
    aliases: ClassVar[tuple[str, ...]] = ()    # hadolint codes, Docker build-check names
    # Instruction keywords the rule reads ("RUN", "FROM"...): the engine runs it only on
    # files holding one of them (ONBUILD triggers count). Empty: every file. A rule that
    # names RUN, COPY or ADD also runs on the child build of each stage with ONBUILD
    # triggers (dlint.lint.context.child_builds): it sees the triggers as instructions,
    # and its findings on them are kept at the ONBUILD line, marked as running downstream.
    keywords: ClassVar[tuple[str, ...]] = ()
    # Words one of which must appear in the file's text (line continuations joined) for the
    # rule to be able to fire, such as the tool a RUN rule is about ("apk"): the engine
    # neither runs nor imports the rule otherwise. Empty: no such condition. Only for
    # words a finding cannot exist without (a command name written in the file, or in
    # the ARG/ENV value it expands from).
    triggers: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[dict[str, type]] = {}    # option name -> type, for config validation
    defaults: ClassVar[dict[str, Any]] = {}    # option defaults
    # Rules run only on files that parsed; a rule that reports parse problems sets this.
    checks_broken_files: ClassVar[bool] = False
    # A Docker build check (`docker build --check`): its aliases include the check's name,
    # and Docker's `# check=skip=<names>|all;error=true` directive applies to its findings.
    build_check: ClassVar[bool] = False

    def __init__(self, options: dict[str, Any] | None = None, severity: str | None = None):
        self.config = {**self.defaults, **(options or {})}
        self.effective_severity = severity or self.severity

    def check(self, ctx: LintContext) -> Iterable[Finding]:
        raise NotImplementedError

    # -- helpers for rules -------------------------------------------------------------

    def report(
        self,
        ctx: LintContext,
        where: Instruction | Span,
        message: str,
        fix: Fix | None = None,
    ) -> Finding:
        """A finding at an instruction (its whole span) or at an explicit span: a Span,
        or anything with line/column/end_line/end_column (a shell SimpleCommand)."""
        if isinstance(where, Instruction):
            span = where.span or Span(where.start_line, 1, where.end_line, 1)
        else:
            span = where
        return Finding(
            file=ctx.display_path,
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
            code=self.code,
            name=self.name,
            severity=self.effective_severity,
            message=message,
            aliases=list(self.aliases),
            fix=fix,
        )

    # -- metadata ------------------------------------------------------------------------

    @classmethod
    def docs(cls) -> str:
        module = sys.modules.get(cls.__module__)
        return inspect.cleandoc((module.__doc__ if module else None) or cls.__doc__ or "")

    @classmethod
    def doc_section(cls, title: str) -> str:
        """The text under `## title` in the docs, without the heading."""
        out: list[str] = []
        inside = False
        for line in cls.docs().splitlines():
            if line.startswith("## "):
                inside = line[3:].strip().lower() == title.lower()
                continue
            if inside:
                out.append(line)
        return "\n".join(out).strip()

    @classmethod
    def summary(cls) -> str:
        """First sentence of 'What it does'."""
        text = " ".join(cls.doc_section("What it does").split())
        end = text.find(". ")
        return text if end < 0 else text[: end + 1]


def rule_classes_in(objects: Iterable[Any]) -> Iterator[type[Rule]]:
    for obj in objects:
        if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and hasattr(obj, "code"):
            yield obj
