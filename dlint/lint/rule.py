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
    # option name -> type, for config validation ([rules.<name>] in .dlint.toml): bool, int,
    # float, str, list[str] (or list[int]...), dict. self.config holds the values.
    options: ClassVar[dict[str, Any]] = {}
    defaults: ClassVar[dict[str, Any]] = {}    # option defaults, of the declared types
    # A page documenting the rule (SARIF helpUri). None: dlint's own page for DF codes,
    # none for other codes (a plugin links its own docs here).
    help_uri: ClassVar[str | None] = None
    # Rules run only on files that parsed; a rule that reports parse problems sets this.
    checks_broken_files: ClassVar[bool] = False
    # A rule that reports findings under codes of their own (ShellCheck's SC2086...): a
    # regular expression those codes fully match. Each such code is then a selector of its
    # own (select, ignore, pragmas, [severity]); the rule's `code` is their common prefix.
    subcodes: ClassVar[str] = ""
    # The rule reads ONBUILD triggers itself (ONBUILD RUN as such): the engine does not
    # also run it on child builds (see `keywords`), which would report them twice.
    reads_triggers: ClassVar[bool] = False
    # A Docker build check (`docker build --check`): its aliases include the check's name,
    # and Docker's `# check=skip=<names>|all;error=true` directive applies to its findings.
    build_check: ClassVar[bool] = False
    # The rule reads the file's suppression pragmas and what they did (ctx.pragmas, see
    # dlint.lint.suppress.Pragma): the engine runs it after the other rules' findings went
    # through the pragmas, with ctx.pragmas set, and applies the pragmas to its findings too.
    reads_pragmas: ClassVar[bool] = False

    def __init__(self, options: dict[str, Any] | None = None, severity: str | None = None):
        self.config = {**self.defaults, **(options or {})}
        self.effective_severity = severity or self.severity

    def check(self, ctx: LintContext) -> Iterable[Finding]:
        raise NotImplementedError

    # Optional, for rules that hand work to another process: the engine calls prepare()
    # for every file of a run before any check(), then prepared() once, so that the work
    # runs while the other rules do theirs; check() then collects it.
    def prepare(self, ctx: LintContext) -> None:
        pass

    def prepared(self) -> None:
        pass

    @classmethod
    def subcode_docs(cls, code: str) -> tuple[str, str] | None:
        """(short description, help URL) of one of the rule's subcodes."""
        return None

    # -- helpers for rules -------------------------------------------------------------

    def report(
        self,
        ctx: LintContext,
        where: Instruction | Span,
        message: str,
        fix: Fix | None = None,
        *,
        code: str | None = None,
        severity: str | None = None,
    ) -> Finding:
        """A finding at an instruction (its whole span) or at an explicit span: a Span,
        or anything with line/column/end_line/end_column (a shell SimpleCommand).
        `code` (one of the rule's `subcodes`) and `severity` replace the rule's own."""
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
            code=code or self.code,
            name=self.name,
            severity=severity or self.effective_severity,
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


OPTION_TYPES = (bool, int, float, str, list, tuple, dict)


def option_type_problem(expected: Any) -> str | None:
    """Why a declared option type is not one a config file can give (None if it is)."""
    base = getattr(expected, "__origin__", None) or expected
    if base not in OPTION_TYPES:
        return f"type {expected!r} is not one of bool, int, float, str, list[...], dict"
    args = getattr(expected, "__args__", ())
    if base in (list, tuple) and args and not all(a in (bool, int, float, str) for a in args if a is not Ellipsis):
        return f"type {expected!r}: list items must be bool, int, float or str"
    return None


def option_problem(value: Any, expected: Any) -> str | None:
    """Why ``value`` does not fit the declared option type ``expected`` (None if it does).
    TOML arrays are lists: a ``list[str]`` option takes ``["a", "b"]``."""
    origin = getattr(expected, "__origin__", None)
    base = origin or expected
    ok = True
    if base is bool:
        ok = isinstance(value, bool)
    elif base is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif base is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif base in (list, tuple):
        ok = isinstance(value, (list, tuple))
        args = [a for a in getattr(expected, "__args__", ()) if a is not Ellipsis]
        if ok and args:
            item = args[0]
            ok = all(option_problem(v, item) is None for v in value)
    elif isinstance(base, type):
        ok = isinstance(value, base)
    if ok:
        return None
    name = getattr(expected, "__name__", None) if origin is None else str(expected)
    return f"must be {name or expected}, got {value!r}"


def rule_classes_in(objects: Iterable[Any]) -> Iterator[type[Rule]]:
    for obj in objects:
        if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and hasattr(obj, "code"):
            yield obj
