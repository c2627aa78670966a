"""`dlint cache ...`: cache-analysis commands (diff, explain, verify) register here.

Imported only when the command line starts with `cache` (or asks for top-level help), so
`dlint check` never pays for it or for what its commands import.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Predict and verify the build-cache effect of an edit.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)
