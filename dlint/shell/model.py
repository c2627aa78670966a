"""What a shell script is made of, as rules see it: simple commands, pipelines, errors.

Plain objects with `__slots__`: a corpus-wide lint builds hundreds of thousands of them.
Positions are computed on demand from byte offsets (most commands are never reported).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import namedtuple

from dlint.shell import tools

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Callable, Iterable


# collections.namedtuple, not typing.NamedTuple: importing typing costs ~5 ms of startup.
Assignment = namedtuple("Assignment", ("name", "value", "literal"))
Assignment.__doc__ = """`NAME=value` before a command (or an `env NAME=value` operand).

name: str; value: str (quotes removed; expansions kept as source text);
literal: bool (False when the value contains an expansion)."""

Redirect = namedtuple("Redirect", ("op", "target", "fd", "body"), defaults=(None, None))
Redirect.__doc__ = """A redirection: op (">", ">>", "<", ">&", "&>", "<<", "<<-", "<<<", ...),
target (file / fd / heredoc delimiter, quotes removed), fd ("2" in `2>&1`, or None),
body (heredoc body text, for `<<` and `<<-`, or None)."""

ShellError = namedtuple("ShellError", ("line", "column", "end_line", "end_column", "message", "offset"),
                        defaults=(-1,))
ShellError.__doc__ = """Text tree-sitter could not parse (an ERROR node) or a token it had to invent.

line, column, end_line, end_column: int; message: str;
offset: int (character offset in the parsed text, -1 when unknown)."""


class Positions:
    """Maps character offsets of a script's text to (line, column) in the file, 1-based.

    `segments` are (offset, line, column) triples sorted by offset: the character at
    `offset` is at (line, column) and the following ones on the same row follow it.
    """

    __slots__ = ("offsets", "segments")

    def __init__(self, segments: list[tuple[int, int, int]]):
        if not segments or segments[0][0] != 0:
            first = segments[0][1:] if segments else (1, 1)
            segments = [(0, *first)] + list(segments)
        self.segments = segments
        self.offsets = [s[0] for s in segments]

    @classmethod
    def of_text(cls, text: str, line_offset: int = 0, column_offset: int = 0) -> Positions:
        segments = [(0, line_offset + 1, column_offset + 1)]
        start = text.find("\n")
        row = 1
        while start >= 0:
            segments.append((start + 1, line_offset + 1 + row, 1))
            row += 1
            start = text.find("\n", start + 1)
        return cls(segments)

    @classmethod
    def fixed(cls, line: int, column: int = 1) -> Positions:
        return cls([(0, line, column)])

    def point(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self.offsets, offset) - 1
        seg_offset, line, column = self.segments[max(i, 0)]
        return line, column + max(offset - seg_offset, 0)


class Source:
    """The text tree-sitter parsed, and how its offsets map back to the file.

    `positions` may be given as a callable: it is called the first time a position is
    asked for (most scripts never report one)."""

    __slots__ = ("text", "data", "_positions", "_ascii")

    def __init__(self, text: str, data: bytes, positions):
        self.text = text
        self.data = data
        self._positions = positions
        self._ascii = len(text) == len(data)

    @property
    def positions(self) -> Positions:
        if not isinstance(self._positions, Positions):
            self._positions = self._positions()
        return self._positions

    def char(self, byte_offset: int) -> int:
        if self._ascii:
            return byte_offset
        return len(self.data[:byte_offset].decode("utf-8", "ignore"))

    def slice(self, start_byte: int, end_byte: int) -> str:
        return self.data[start_byte:end_byte].decode("utf-8", "replace")

    def span(self, start_byte: int, end_byte: int) -> tuple[int, int, int, int]:
        start = self.char(start_byte)
        end = max(self.char(end_byte) - 1, start)  # end columns are inclusive
        return (*self.positions.point(start), *self.positions.point(end))


class Spanned:
    """Something with a byte range in a Source; positions are computed when asked."""

    __slots__ = ()

    def _span(self) -> tuple[int, int, int, int]:
        anchor = getattr(self, "anchor", None)
        if anchor is not None:
            return anchor._span()
        return self.source.span(self.start_byte, self.end_byte)

    @property
    def line(self) -> int:
        return self._span()[0]

    @property
    def column(self) -> int:
        return self._span()[1]

    @property
    def end_line(self) -> int:
        return self._span()[2]

    @property
    def end_column(self) -> int:
        return self._span()[3]

    @property
    def text(self) -> str:
        """The source text (of the script that was parsed: an `sh -c` string for commands
        found inside one)."""
        return self.source.slice(self.start_byte, self.end_byte)


class Pipeline(Spanned):
    """`a | b |& c`: `stages[i]` holds the simple commands of stage i, in source order
    (a stage can be a subshell or group holding several)."""

    __slots__ = ("stages", "operators", "source", "start_byte", "end_byte", "anchor")

    def __init__(self, source: Source, start_byte: int, end_byte: int):
        self.stages: list[list[SimpleCommand]] = []
        self.operators: list[str] = []
        self.source = source
        self.start_byte = start_byte
        self.end_byte = end_byte
        self.anchor = None

    @property
    def commands(self) -> list[SimpleCommand]:
        return [c for stage in self.stages for c in stage]

    def __repr__(self) -> str:
        return f"Pipeline({' | '.join(' ; '.join(c.name for c in s) for s in self.stages)})"


class SimpleCommand(Spanned):
    """One simple command: `A=1 name arg... >redirects`.

    `name` and `args` have quotes removed when the word is literal; a word holding an
    expansion keeps its source text (`$PKG`, `"${V}-x"` gives `${V}-x`) and is marked
    False in `literal` (aligned with `argv`).
    """

    __slots__ = (
        "name", "args", "literal", "assignments", "redirects", "pipeline", "pipeline_index",
        "negated", "background", "in_substitution", "source", "start_byte", "end_byte",
        "anchor", "wrappers", "origin", "script", "_unwrapped", "_inner", "_tool",
        "_words",
    )

    def __init__(self, name: str, args: list[str], literal: list[bool], source: Source,
                 start_byte: int, end_byte: int):
        self.name = name
        self.args = args
        self.literal = literal                   # one bool per argv word
        self.assignments: list[Assignment] = []
        self.redirects: list[Redirect] = []
        self.pipeline: Pipeline | None = None
        self.pipeline_index = 0
        self.negated = False
        self.background = False
        self.in_substitution = False             # inside $( ), ` `, <( ) or >( )
        self.source = source
        self.start_byte = start_byte
        self.end_byte = end_byte
        self.anchor: SimpleCommand | None = None   # positions come from this command
        self.wrappers: tuple[str, ...] = ()        # ("sudo", "env") when unwrapped
        self.origin: SimpleCommand = self          # the command as written in the script
        self.script = None                         # the Script this belongs to
        self._unwrapped: SimpleCommand | None = None
        self._inner = False                        # False: not computed yet
        self._tool: tuple[str, int] | None = None
        self._words: list[str] | None = None     # positional_args() with the tool's table

    def __repr__(self) -> str:
        return f"SimpleCommand({self.argv!r})"

    # -- words ------------------------------------------------------------------------

    @property
    def argv(self) -> list[str]:
        return [self.name, *self.args]

    @property
    def basename(self) -> str:
        """The command name without its directory: `/usr/bin/apt-get` gives `apt-get`."""
        return self.name.rsplit("/", 1)[-1]

    @property
    def in_pipeline(self) -> bool:
        return self.pipeline is not None

    def pipe_neighbours(self) -> tuple[list[SimpleCommand], list[SimpleCommand]]:
        """The commands of the stages before and after this one (`curl x | sh`: for curl,
        ([], [sh]))."""
        if self.pipeline is None:
            return [], []
        stages = self.pipeline.stages
        i = self.pipeline_index
        return (stages[i - 1] if i > 0 else []), (stages[i + 1] if i + 1 < len(stages) else [])

    # -- tools, wrappers, flags ------------------------------------------------------

    @property
    def tool(self) -> str:
        """The canonical tool name (aliases folded: pip3.11 and `python -m pip` give "pip",
        microdnf "dnf", ./mvnw "mvn"; see dlint.shell.tools.ALIASES)."""
        if self._tool is None:
            self._tool = tools.canonical(self.basename, self.args, self.literal)
        return self._tool[0]

    @property
    def tool_args(self) -> list[str]:
        """The arguments after the tool's name (after `-m pip` for `python -m pip`)."""
        self.tool  # noqa: B018 - computes _tool
        return self.args[self._tool[1]:]

    def unwrapped(self) -> SimpleCommand:
        """The command that really runs: `sudo -u x env A=1 nice apt-get install y` gives
        `apt-get install y` (positions and redirects of this command; `.wrappers` names
        what was looked through). Shell `-c` strings are not looked into here: see
        `inner_script()` and `Script.effective_commands`."""
        if self._unwrapped is None:
            from dlint.shell.wrappers import unwrap

            self._unwrapped = unwrap(self)
        return self._unwrapped

    def inner_script(self):
        """The script run by this command when it is a shell given one: `sh -c "..."`,
        `bash -ec '...'`, `su -c "..."`, `bash <<EOF ... EOF`; None otherwise."""
        if self._inner is False:
            from dlint.shell.wrappers import inner_script

            self._inner = inner_script(self)
        return self._inner

    def has_flag(self, *names: str) -> bool:
        """True when any of `names` is given in `tool_args`, before `--`.

        `-y` matches `-y` and combined short flags (`-qy`); `--no-cache` matches
        `--no-cache` and `--no-cache=...`. Single-dash long options (go's `-ldflags`) are
        matched whole."""
        return tools.has_flag(self.tool, self.tool_args, names)

    def flag_values(self, *names: str) -> list[str]:
        """Values given to the options `names`: `--opt=v`, `--opt v`, `-o v` and `-ov`."""
        return tools.flag_values(self.tool_args, names)

    def positional_args(self, takes_value: Iterable[str] | None = None) -> list[str]:
        """`tool_args` that are not options nor option values.

        `takes_value`: the options whose value is the next word (`-o`, `--index-url`...);
        None uses the tool's table in dlint.shell.tools.VALUE_OPTIONS. `--opt=v` never
        consumes the next word; everything after `--` is positional."""
        if takes_value is None:
            if self._words is None:
                self._words = tools.positional(
                    self.tool_args, tools.VALUE_OPTIONS.get(self.tool, frozenset()))
            return list(self._words)
        return tools.positional(self.tool_args, takes_value)

    def subcommands(self, count: int = 1) -> list[str]:
        """The first `count` positional words: `apt-get -y install x` gives ["install"]."""
        return self.positional_args()[:count]

    def matches(self, name: str | Iterable[str], *subcommands) -> bool:
        """Tool `name` (canonical, see `tool`) whose first positional args are
        `subcommands`; each of those may be a string or a set of alternatives."""
        tool = self.tool
        if isinstance(name, str):
            if tool != tools.canonical_name(name):
                return False
        elif tool not in _canonical_set(name):
            return False
        if not subcommands:
            return True
        if self._words is None:
            self.positional_args()
        words = self._words
        if len(words) < len(subcommands):
            return False
        for word, want in zip(words, subcommands):
            if isinstance(want, str):
                if word != want:
                    return False
            elif want is not None and word not in want:
                return False
        return True

    def removed_paths(self) -> list[str]:
        """Paths this command deletes (`rm`, `rmdir`, `unlink`, `find P -delete`), literal
        operands only, as written (`/tmp/*` gives `/tmp`); see dlint.shell.paths."""
        from dlint.shell.paths import removed_paths

        return removed_paths(self)

    def created_paths(self) -> list[tuple[str, bool]]:
        """(path, tree) for each path this command writes (mkdir, `>`, downloads, `git
        clone`...); tree=True when it fills a whole tree (a checkout, an extracted
        archive). Literal operands only, as written; see dlint.shell.paths."""
        from dlint.shell.paths import created_paths

        return created_paths(self)

    def removes(self, directories: Iterable[str]) -> bool:
        """An `rm` of one of `directories` or of something inside one
        (`rm -rf /var/cache/apk/*`); operands as written, trailing `*` and `/` ignored."""
        if self.tool != "rm":
            return False
        for operand in self.positional_args(()):
            path = operand.rstrip("*").rstrip("/")
            if any(path == d or path.startswith(d + "/") for d in directories):
                return True
        return False


_CANONICAL_SETS: dict = {}


def _canonical_set(names) -> frozenset[str]:
    """The canonical tool names of `names` (a tuple or set of names), computed once."""
    try:
        found = _CANONICAL_SETS.get(names)
    except TypeError:                      # an unhashable collection: no cache
        return frozenset(tools.canonical_name(n) for n in names)
    if found is None:
        found = _CANONICAL_SETS[names] = frozenset(tools.canonical_name(n) for n in names)
    return found


class Script:
    """The shell script of one RUN (or any shell text): every simple command in it.

    `commands` are in source order and include those inside `&&`/`||`/`;` lists,
    pipelines, subshells, groups, `$( )`, backticks, if/for/while/case bodies and function
    bodies; assignment-only statements (`A=1`) are not commands. Wrappers and `sh -c`
    strings are looked through by `effective_commands` and `find()`.
    """

    __slots__ = ("text", "commands", "pipelines", "errors", "posix", "shell", "form",
                 "source", "_effective", "_tools", "__weakref__")

    def __init__(self, text: str = "", commands: list[SimpleCommand] | None = None,
                 posix: bool = True, shell: list[str] | None = None, form: str = "shell",
                 pipelines: list[Pipeline] | None = None, errors: list[ShellError] | None = None,
                 source: Source | None = None):
        self.text = text
        self.commands = commands if commands is not None else []
        self.pipelines = pipelines if pipelines is not None else []
        self.errors = errors if errors is not None else []
        self.posix = posix                 # False: not a POSIX shell script (rules stay quiet)
        self.shell = shell if shell is not None else ["/bin/sh", "-c"]
        # "shell" (shell form), "exec" (exec form, argv as is), "exec-shell" (exec form
        # `sh -c script`), "heredoc" (RUN <<EOF body), "none" (not shell: Windows, a
        # python heredoc, an unknown SHELL)
        self.form = form
        self.source = source
        self._effective: list[SimpleCommand] | None = None
        self._tools: frozenset[str] | None = None
        for command in self.commands:
            command.script = self

    def __repr__(self) -> str:
        return f"Script(posix={self.posix}, commands={self.commands!r})"

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def effective_commands(self) -> list[SimpleCommand]:
        """`commands` with wrappers looked through (`sudo x` gives x) and the scripts of
        `sh -c "..."` (and `bash <<EOF`) added after the shell command, recursively; the
        commands found inside a string take the position of the command holding it."""
        if self._effective is None:
            from dlint.shell.wrappers import effective_commands

            self._effective = effective_commands(self.commands, depth=0)
        return self._effective

    @property
    def tools(self) -> frozenset[str]:
        """The canonical tool names of `effective_commands` (see SimpleCommand.tool): a
        cheap test before looking at the commands (`"apk" in script.tools`)."""
        if self._tools is None:
            self._tools = frozenset(c.tool for c in self.effective_commands)
        return self._tools

    def find(self, name: str | Iterable[str], *subcommands) -> list[SimpleCommand]:
        """Effective commands of tool `name` (aliases folded: "pip" finds pip3, pip3.11 and
        `python -m pip`) whose first positional args are `subcommands` (each a string or a
        set of alternatives): `find("apt-get", "install")`,
        `find("npm", {"install", "i", "ci"})`, `find("yarn", "cache", "clean")`."""
        return [c for c in self.effective_commands if c.matches(name, *subcommands)]

    def has(self, name: str | Iterable[str], *subcommands) -> bool:
        return any(c.matches(name, *subcommands) for c in self.effective_commands)

    def unfollowed(self, match: Callable[[SimpleCommand], bool],
                   follower: Callable[[SimpleCommand], bool]) -> list[SimpleCommand]:
        """Effective commands for which `match` holds and no LATER effective command
        satisfies `follower`, in order: the installs with no cleanup after them in the
        same RUN (`script.unfollowed(installs, cleans_cache)`)."""
        commands = self.effective_commands
        # Only commands from the last follower on have no follower after them (the last
        # follower itself included: nothing after it follows it).
        start = next((i for i in range(len(commands) - 1, -1, -1) if follower(commands[i])), 0)
        return [c for c in commands[start:] if match(c)]
