"""The progress of a batch build on the terminal: a live bar, and one line per finished step.

``csp build`` (and so ``make reports FORCE=...``) can run for many minutes. On a terminal a
live bar shows sections and CSPs done out of the total, failures and the time elapsed; on
anything else (CI, make's output piped to a file) the bar is not drawn, and the lines, each
with the same counts, are the progress. Each line is printed as its step finishes.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from analysis.publish.build import INDEX_STEP, StepDone


class BatchProgress:
    """Counts a batch's finished steps and shows them; use as a context manager and pass
    :meth:`step_done` to :func:`analysis.publish.build.build_areas` as its listener."""

    def __init__(self, console: Console, areas: list[str], sections_per_area: int) -> None:
        self.console = console
        self.areas = len(areas)
        self.total = len(areas) * sections_per_area
        self.sections_done = 0
        self.areas_done = 0
        self.failures = 0
        self.started = time.perf_counter()
        self.live = console.is_terminal  # elsewhere the printed lines are the progress
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                            TimeElapsedColumn(), console=console, transient=True)
        self.task = self.bar.add_task(self.counts(), total=self.total)

    def __enter__(self) -> BatchProgress:
        if self.live:
            self.bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.live:
            self.bar.stop()
        stopped = kind is not None and issubclass(kind, KeyboardInterrupt)  # Ctrl-C
        ended = "Stopped" if stopped else "Done"  # failures are counted: the batch went on
        self.console.print(f"{ended}: {self.counts()} in {self.elapsed()}", highlight=False)

    def counts(self) -> str:
        """'sections 12/56, CSPs 3/14, 1 failed': the batch so far."""
        failed = f", {self.failures} failed" if self.failures else ""
        return (f"sections {self.sections_done}/{self.total}, "
                f"CSPs {self.areas_done}/{self.areas}{failed}")

    def elapsed(self) -> str:
        """Time since the batch started, as m:ss."""
        minutes, seconds = divmod(int(time.perf_counter() - self.started), 60)
        return f"{minutes}:{seconds:02d}"

    def step_done(self, step: StepDone) -> None:
        """Count a finished step and print its line above the bar."""
        if step.error is not None:
            self.failures += 1
        if step.step == INDEX_STEP:
            self.areas_done += step.error is None
        else:
            self.sections_done += 1
            self.bar.update(self.task, completed=self.sections_done)
        self.bar.update(self.task, description=self.counts())
        self.console.print(self.line(step), highlight=False)

    def line(self, step: StepDone) -> str:
        """One finished step, with the batch's counts and the time elapsed."""
        where = f"[{self.elapsed()} {self.counts()}]"
        if step.error is not None:
            first = step.error.splitlines()[0]
            return (f"{where} {escape(step.area)} {escape(step.step)}: [red]failed[/] after "
                    f"{step.seconds:.1f} s: {escape(first)}")
        if step.step == INDEX_STEP:
            return f"{where} {escape(step.area)}: Report: {escape(str(step.page))}"
        return f"{where} {escape(step.area)} {escape(step.step)}: built in {step.seconds:.1f} s"
