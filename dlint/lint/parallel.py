"""Linting a run's files in worker processes (`dlint check --jobs N`).

lint_paths finds the files (discovery, config lookup, build contexts) in its own process,
reads them, and hands slices of that list to a pool of processes that run
engine.lint_jobs on them; the results come back in file order and are merged as a serial
run would have made them (engine._merge), so the report is byte-identical. Nothing is
linted twice: each file goes to one process. What a serial run loads once (rule modules,
build contexts) a worker loads again only when the files linted before forking (below)
did not need it.

ShellCheck already runs in processes of its own (dlint.shell.shellcheck, one per core):
each worker gets its share of those (cores // workers, at least one), so a run starts no
more ShellCheck processes at a time than a serial one.

When: a pool costs time to start, and the first files of a run import what linting needs
(rule modules, the shell parser: ~0.1 s), so with ``jobs=None`` (the CLI's default) a run
uses processes only for at least AUTO_MIN_FILES files and AUTO_MIN_BYTES of Dockerfiles,
one per core but never fewer than AUTO_FILES_PER_WORKER files each. An explicit ``jobs``
> 1 is taken as asked (at most one process per file). Processes are forked where the
platform allows it (Linux): the parent lints the first WARM_UP_FILES files itself before
forking, so the workers inherit those imports (and the build contexts read so far)
instead of repeating them. Elsewhere (macOS, Windows) they are spawned and import
everything again; a custom registry (not the default one) then lints serially.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from pathlib import Path

    from dlint.lint.engine import FileJob, FileResult
    from dlint.lint.registry import Registry

# From bench/jobs.py on 2 idle cores (corpus files, ~2.5 KB each, ShellCheck warm): -j2
# breaks even with -j1 at 32-48 files and is ~25% faster at 64 (a pool costs ~35 ms to
# start, multiprocessing's imports included, and some CPU per worker; a file ~3 ms).
AUTO_MIN_FILES = 64
AUTO_MIN_BYTES = 64_000
AUTO_FILES_PER_WORKER = 32
CHUNKS_PER_WORKER = 4  # slices per process: the files' costs differ, small slices even out
WARM_UP_FILES = 8  # linted before forking (see lint_jobs_in_processes)


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def workers_for(jobs: list[FileJob], wanted: int | None) -> int:
    """How many processes lint these files: ``wanted`` (None: automatic, see the module)."""
    if wanted is not None:
        return max(1, min(wanted, len(jobs)))
    cores = available_cores()
    if cores < 2 or len(jobs) < AUTO_MIN_FILES or sum(len(j.data) for j in jobs) < AUTO_MIN_BYTES:
        return 1
    return max(1, min(cores, len(jobs) // AUTO_FILES_PER_WORKER))


def _slices(count: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous (start, end) ranges covering range(count), sizes differing by <= 1."""
    size, extra = divmod(count, parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        if end > start:
            out.append((start, end))
        start = end
    return out


# the worker process's state for the run (set by _init_worker)
_worker: dict = {}


def _init_worker(registry: Registry | None, select, ignore, severity_threshold, root_path,
                 shellcheck_jobs: int, shared: dict) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from dlint.shell import shellcheck

    shellcheck.JOBS = shellcheck_jobs
    shellcheck.reset()  # a forked copy of the parent's runner must not be used
    if registry is None:
        from dlint.lint.registry import default_registry

        registry = default_registry()
    _worker.update(registry=registry, select=select, ignore=ignore,
                   severity_threshold=severity_threshold, root_path=root_path, shared=shared)


def _lint_slice(jobs: list[FileJob]) -> tuple[list[FileResult], list[str], str]:
    """engine.lint_jobs on a slice, with what it printed on stderr (ShellCheck's warning)
    captured: the parent prints each such line once."""
    import io

    from dlint.lint.engine import lint_jobs

    saved, sys.stderr = sys.stderr, io.StringIO()
    try:
        results, finish_errors = lint_jobs(jobs, _worker["registry"], _worker["select"], _worker["ignore"],
                                           _worker["severity_threshold"], _worker["shared"],
                                           None, _worker["root_path"])
        printed = sys.stderr.getvalue()
    finally:
        sys.stderr = saved
    from dlint.shell import shellcheck

    shellcheck.close_all()  # nothing is left running between slices
    return results, finish_errors, printed


def lint_jobs_in_processes(jobs: list[FileJob], workers: int, registry: Registry, select, ignore,
                           severity_threshold, root_path: Path):
    """engine.lint_jobs over ``jobs`` in ``workers`` processes: (results in job order,
    prepared() errors)."""
    import multiprocessing

    fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if fork else "spawn")
    from dlint.lint.registry import default_registry

    if not fork and registry is not default_registry():  # a spawned process can only build the default
        from dlint.lint.engine import lint_jobs

        return lint_jobs(jobs, registry, select, ignore, severity_threshold, {}, None, root_path)
    results: list[FileResult] = []
    finish_errors: list[str] = []
    shared: dict = {}  # build contexts read here serve the forked workers too
    if fork:
        # The first files are linted here, before forking: that imports what linting needs
        # (rule modules, the shell parser: ~0.1 s) once, and the workers inherit it.
        from dlint.lint.engine import lint_jobs

        first = min(WARM_UP_FILES, len(jobs) - workers)
        if first > 0:
            results, finish_errors = lint_jobs(jobs[:first], registry, select, ignore, severity_threshold,
                                               shared, None, root_path)
            jobs = jobs[first:]
    parts = _slices(len(jobs), min(len(jobs), workers * CHUNKS_PER_WORKER))
    shellcheck_jobs = max(1, available_cores() // workers)
    printed: dict[str, None] = {}
    # concurrent.futures, not multiprocessing.Pool: a worker that dies (killed, out of
    # memory) makes it raise BrokenProcessPool where a Pool would wait forever
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    initargs = (registry if fork else None, select, ignore, severity_threshold, root_path, shellcheck_jobs,
                shared if fork else {})
    if fork:  # the workers' garbage collector leaves the inherited objects alone (no copy-on-write)
        import gc

        gc.freeze()
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=initargs)
    try:
        for part_results, part_errors, part_printed in pool.map(_lint_slice, [jobs[a:b] for a, b in parts]):
            results.extend(part_results)
            finish_errors.extend(part_errors)
            for line in part_printed.splitlines(keepends=True):
                printed[line] = None
    except BrokenProcessPool:
        _stop(pool)
        raise WorkerDied("a --jobs worker process died (killed? out of memory?); -j1 lints in one process") \
            from None
    except BaseException:  # Ctrl-C, a broken pipe: stop now, not after the queued slices
        _stop(pool)
        raise
    else:
        pool.shutdown()
    finally:
        if fork:
            gc.unfreeze()
    if printed:
        sys.stderr.write("".join(printed))
        sys.stderr.flush()
    return results, finish_errors


def _stop(pool) -> None:
    """Cancel the slices not started and end the workers (shutdown alone would wait for
    every queued slice)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown forgets them
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
    # let the pool's thread finish closing its pipes now: still at it when the interpreter
    # exits, it races concurrent.futures' exit hook, which then prints an OSError traceback
    if manager is not None:
        manager.join(5)


class WorkerDied(RuntimeError):
    """A worker process ended without giving its results (killed, out of memory)."""
