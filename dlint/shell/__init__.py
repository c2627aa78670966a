"""RUN scripts -> simple commands, through a real shell parser (tree-sitter-bash).

    from dlint.shell import parse_script, script_of

    script = parse_script("sudo apt-get install -y curl && rm -rf /var/lib/apt/lists/*")
    [c.argv for c in script.commands]       # [['sudo', 'apt-get', ...], ['rm', '-rf', ...]]
    cmd, = script.find("apt-get", "install")  # wrappers looked through
    cmd.has_flag("--no-install-recommends")   # False
    cmd.positional_args()[1:]                 # ['curl']

    script_of(instruction, state)             # the script of one RUN, in file coordinates

tree_sitter is imported on the first parse, not with this package.
"""

from dlint.shell.model import (
    Assignment, Pipeline, Positions, Redirect, Script, ShellError, SimpleCommand,
)
from dlint.shell.parse import parse_script, word_value
from dlint.shell.run import script_of, shell_name
from dlint.shell.tools import canonical_name

__all__ = [
    "Assignment", "Pipeline", "Positions", "Redirect", "Script", "ShellError", "SimpleCommand",
    "canonical_name", "parse_script", "script_of", "shell_name", "word_value",
]
