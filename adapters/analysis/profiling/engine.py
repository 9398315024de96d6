"""The report engine's facade: profile a file in one pass, or plan, profile and merge its chunks."""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO, Literal

from .checks.schema import DeclaredSchema, parse_schema
from .finalize import result_model
from .merging import merge_partials
from .partial import PartialProfile
from .progress import Checkpoint, Progress, no_checkpoint, supervised
from .report.csv_export import columns_csv, violations_csv
from .report.html_report import render_html
from .result import ProfileResult
from .settings import MIB, EngineSettings
from .source.chunk_spec import ChunkSpec
from .source.magic import PARQUET_MAGIC, ZIP_MAGICS
from .source.planning import plan_chunks, whole_file
from .source.prefetch import prefetched
from .source.read import read_chunk
from .source.sniff import sniff

_SPOOL_PIECE = MIB
_TEXT_FORMATS = ("csv", "tsv", "jsonl")


class ProfilingEngine:
    """Profiles CSV, TSV, JSON Lines, Parquet and XLSX files in bounded memory.

    Every method that reads a file raises domain.errors.InvalidReportFile (permanent) when its
    content cannot be read as a report, and SchemaError for an invalid declared schema.
    """

    def __init__(
        self,
        *,
        null_values: tuple[str, ...] = (),
        max_columns: int = 1000,
        sheet: str | None = None,
        block_bytes: int = 4 * MIB,
        max_record_bytes: int = 64 * MIB,
        max_xlsx_uncompressed_bytes: int = 256 * MIB,
        max_xlsx_decoded_bytes: int = 256 * MIB,
        max_parquet_batch_bytes: int = 256 * MIB,
        max_violations: int = 1000,
        exact_distinct_limit: int = 10_000,
        spool_dir: str | None = None,
        column_threads: int = 2,
    ) -> None:
        self.settings = EngineSettings(
            null_values=tuple(null_values),
            max_columns=max_columns,
            sheet=sheet,
            block_bytes=block_bytes,
            max_record_bytes=max(max_record_bytes, block_bytes),
            max_xlsx_uncompressed_bytes=max_xlsx_uncompressed_bytes,
            max_xlsx_decoded_bytes=max_xlsx_decoded_bytes,
            max_parquet_batch_bytes=max_parquet_batch_bytes,
            max_violations=max_violations,
            exact_distinct_limit=exact_distinct_limit,
        )
        self.spool_dir = spool_dir
        # Columns of a batch are profiled by this many threads, beside the reader thread. Two use
        # both cores of a 2-core worker; where several chunk jobs share the cores, one each
        # leaves the parallelism to the processes.
        self.column_threads = max(1, column_threads)

    def analyze(self, content: BinaryIO, *, checkpoint: Checkpoint = no_checkpoint) -> dict[str, Any]:
        """Profile a stream; it is spooled to a temporary file first.

        `checkpoint` is called from this thread with the share done after every block, and with
        None whenever TICK_SECONDS pass without one (see progress.py); what it raises
        (AttemptAborted) stops the work and propagates at once. So do the other methods.
        """
        with tempfile.TemporaryDirectory(prefix="reportflow-", dir=self.spool_dir) as directory:
            path = os.path.join(directory, "upload")

            def spool(progress: Progress) -> None:
                with open(path, "wb") as target:
                    while piece := content.read(_SPOOL_PIECE):
                        target.write(piece)
                        progress.tick()

            supervised(spool, checkpoint)
            return self.analyze_path(path, checkpoint=checkpoint)

    def analyze_path(
        self, path: str, *, schema: dict[str, Any] | None = None, checkpoint: Checkpoint = no_checkpoint
    ) -> dict[str, Any]:
        """Profile a local file in a single pass and return the result (schema_version 2)."""
        return self.profile_path(path, schema=schema, checkpoint=checkpoint)[0]

    def profile_path(
        self, path: str, *, schema: dict[str, Any] | None = None, checkpoint: Checkpoint = no_checkpoint
    ) -> tuple[dict[str, Any], ProfileResult]:
        """`analyze_path`'s result, as its document and as its model, each made once: who renders
        the model need not validate the document into it again (0.04 ms for a small file, 0.3
        with cold caches, as an idle worker's job runs)."""
        declared = None if schema is None else parse_schema(schema)

        def work(progress: Progress) -> tuple[dict[str, Any], ProfileResult]:
            started = time.perf_counter()
            progress.report(0.0)
            source = sniff(path, self.settings, tick=progress.tick)
            partial = self._profile(path, whole_file(source), declared, progress)
            if partial.checker is not None:
                partial.checker.finish(list(partial.columns))
            partial.duration_seconds = time.perf_counter() - started
            result = result_model(partial, file_bytes=source.size, chunks=1, tick=progress.tick)
            progress.tick()  # a wide result takes long to dump
            return result.model_dump(mode="json"), result

        return supervised(work, checkpoint, inline=self._one_text_block(path))

    def check_schema(self, schema: dict[str, Any]) -> None:
        """Validate a declared schema without reading a file. Raises SchemaError listing its problems."""
        parse_schema(schema)

    def plan_chunks(
        self, path: str, *, target_bytes: int, checkpoint: Checkpoint = no_checkpoint
    ) -> list[dict[str, Any]]:
        """Split a local file into chunks of about `target_bytes`, each starting on a record."""

        def work(progress: Progress) -> list[dict[str, Any]]:
            source = sniff(path, self.settings, tick=progress.tick)
            chunks = plan_chunks(path, source, target_bytes=target_bytes, settings=self.settings, tick=progress.tick)
            return [chunk.model_dump(mode="json") for chunk in chunks]

        return supervised(work, checkpoint)

    def profile_chunk(
        self,
        path: str,
        chunk: dict[str, Any],
        *,
        schema: dict[str, Any] | None = None,
        checkpoint: Checkpoint = no_checkpoint,
    ) -> dict[str, Any]:
        """Profile one planned chunk into a JSON-serialisable partial profile.

        Raises ValueError for a malformed chunk spec or a file that changed since planning.
        """
        declared = None if schema is None else parse_schema(schema)
        spec = ChunkSpec.model_validate(chunk)
        if os.path.getsize(path) != spec.source.size:
            raise ValueError("the file changed since its chunks were planned (its size differs)")

        def work(progress: Progress) -> dict[str, Any]:
            started = time.perf_counter()
            partial = self._profile(path, spec, declared, progress)
            partial.duration_seconds = time.perf_counter() - started
            return partial.to_json()

        return supervised(work, checkpoint)

    def merge(
        self, partials: list[dict[str, Any]], *, file_bytes: int, checkpoint: Checkpoint = no_checkpoint
    ) -> dict[str, Any]:
        """Fold the partials of every chunk into the final result.

        Raises PartialMismatch (a ValueError) unless they are exactly the chunks of one plan.
        """

        def work(progress: Progress) -> dict[str, Any]:
            started = time.perf_counter()
            result = merge_partials(partials, file_bytes=file_bytes, settings=self.settings, tick=progress.tick)
            result["duration_seconds"] = round(result["duration_seconds"] + time.perf_counter() - started, 6)
            return result

        return supervised(work, checkpoint)

    def render_html(self, result: ProfileResult | dict[str, Any], *, checkpoint: Checkpoint = no_checkpoint) -> str:
        """A self-contained HTML report (inline SVG charts, no scripts) with everything escaped."""
        # Rendering is Python that ticks after every column: it runs in this thread.
        return supervised(lambda progress: render_html(result, tick=progress.tick), checkpoint, inline=True)

    def export_csv(
        self, result: ProfileResult | dict[str, Any], *, table: Literal["columns", "violations"] = "columns"
    ) -> str:
        """The column profiles or the schema violations as CSV, with formula injection neutralised."""
        return columns_csv(result) if table == "columns" else violations_csv(result)

    def _profile(
        self, path: str, chunk: ChunkSpec, schema: DeclaredSchema | None, progress: Progress
    ) -> PartialProfile:
        partial = PartialProfile(chunk, self.settings, schema)
        if self._single_block(chunk):  # threads would cost more than they overlap
            for batch in read_chunk(path, chunk, self.settings):
                partial.observe(batch, tick=progress.tick)
                progress.report(batch.progress)
            return partial
        # Polars and numpy release the GIL: reading the next block and profiling the columns of
        # this one in threads overlaps their work (about 1.5x faster on 2 cores).
        with ThreadPoolExecutor(max_workers=self.column_threads, thread_name_prefix="report-engine") as pool:
            for batch in prefetched(read_chunk(path, chunk, self.settings), on_wait=progress.tick):
                partial.observe(batch, pool=pool, tick=progress.tick)
                progress.report(batch.progress)
            partial.settle(progress.tick)
        return partial

    def _one_text_block(self, path: str) -> bool:
        """Whether a file is text (not Parquet or XLSX, whose decoding can take long without a
        tick) read in one block: its profile is short work between ticks, done inline."""
        if os.path.getsize(path) > self.settings.block_bytes:
            return False
        with open(path, "rb") as handle:
            head = handle.read(4)
        return not head.startswith((PARQUET_MAGIC, *ZIP_MAGICS))

    def _single_block(self, chunk: ChunkSpec) -> bool:
        return chunk.source.format in _TEXT_FORMATS and chunk.end - chunk.start <= self.settings.block_bytes
