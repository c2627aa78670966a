"""## What it does
Checks for an `ENV` that uses a variable it sets itself, as in `ENV DIR=/opt/app
BIN=$DIR/bin`.

Only a use in a later pair of the same instruction counts.

Only uses that get a different value than the one the same ENV assigns are reported: a
variable that already had exactly that value before the ENV (or a pair that only refers
to itself, `ENV PATH=/x:$PATH`) is fine. Uses in an earlier pair of the same ENV are not
reported either: there, the old value is what a reader expects.

dlint differs from hadolint (DL3044) in two ways: hadolint reports a use only when the
variable was never set before (a variable set earlier to another value is the same
surprise, fixture `bad-redefined`), and it does not look at values (fixture
`good-same-value`).

## Why is this bad?
All pairs of one ENV are expanded against the environment *before* the instruction, so
`BIN` above becomes `/bin`, not `/opt/app/bin`: `$DIR` is still empty (or holds its old
value) while the instruction runs.

## Example
```dockerfile
FROM debian:12-slim
ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin
```
Use instead:
```dockerfile
FROM debian:12-slim
ENV APP_HOME=/opt/app
ENV APP_BIN=$APP_HOME/bin
```

## Fix
Split the ENV in two: define the variable in the first, use it in the second."""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class EnvUsesOwnDefinition(Rule):
    code = "DF205"
    name = "env-uses-own-definition"
    severity = "error"
    aliases = ("DL3044",)
    keywords = ("ENV",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.keyword != "ENV" or len(ins.value) < 4:
                    continue
                state = model.state_at(ins)
                assigned: dict[str, str | None] = {}  # name -> value this ENV gives it (None: unknown)
                for i in range(0, len(ins.value) - 1, 2):
                    key = state.expand(ins.value[i])
                    value = state.expand(ins.value[i + 1])
                    stale = [n for n in sorted(value.names) if n in assigned and n != key.value
                             and not self._unchanged(state, n, assigned[n])]
                    if stale:
                        name = stale[0]
                        yield self.report(
                            ctx, ins,
                            f"`{key.value}` uses `${name}`, which this ENV sets too: all pairs are "
                            f"expanded before the ENV runs, so `${name}` is not "
                            f"`{assigned[name] if assigned[name] is not None else '...'}` here. Set "
                            f"`{name}` in an ENV of its own first.")
                    if key.value and not key.unresolved:
                        assigned[key.value] = None if value.unresolved else value.value

    @staticmethod
    def _unchanged(state, name: str, new: str | None) -> bool:
        """The variable already held exactly the value this ENV assigns."""
        if new is None or name not in state.scope:
            return False
        before = state.expand("${" + name + "}")
        return not before.unresolved and before.value == new
