"""Results storage: chunk files written atomically as runs finish, resume, and the final Parquet files.

Layout of ``results/<name>/`` (ARCHITECTURE.md, contract 2): ``manifest.json``, ``design.parquet``,
``runs.parquet``, ``timeseries.parquet`` (if asked) and ``chunks/``. Finished runs are buffered and
flushed to ``chunks/runs-<seq>-<sha256>.parquet`` (and ``chunks/ts-<seq>-<sha256>.parquet`` with one
Parquet row group per run) every ``chunk_runs`` runs or ``chunk_seconds`` seconds. Each file is written
to a temporary name and renamed into place, and its name carries the SHA-256 of its bytes: on resume,
a file whose bytes do not match its name (a partial or corrupt write) is reported, moved to
``chunks/rejected/`` and its runs are computed again; it is never read.

The final ``runs.parquet`` and ``timeseries.parquet`` are assembled from the chunks in (point,
replication) order; the monthly series are copied run by run (one row group at a time), so they are
never all held in memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ExperimentError

RUN_COLUMNS = ("run_id", "point", "replication", "seed", "label", "run_time_s", "status", "error")
_META_IDENTITY = b"opisim.identity"
_META_TS = b"opisim.ts_file"
_TS_ROW_GROUP = "ts_row_group"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename (readers see all or nothing)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def atomic_write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    atomic_write_bytes(path, (json.dumps(obj, indent=2, default=str) + "\n").encode("utf-8"))


def atomic_write_parquet(path: Path, frame: pd.DataFrame | pa.Table) -> None:
    """Write a DataFrame or Arrow table as Parquet, atomically."""
    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    atomic_write_bytes(path, buf.getvalue())


def _table_bytes(table: pa.Table, row_group_size: int | None = None) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, row_group_size=row_group_size)
    return buf.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ChunkStore:
    """The chunk files of one results directory.

    Args:
        out_dir: the results directory.
        identity: hash of everything that determines the runs' results; chunks of another identity are
            rejected.
        keep_timeseries: whether outcomes carry monthly series.
        chunk_runs: flush after this many finished runs ...
        chunk_seconds: ... or when the oldest buffered run is this old.
        log: where messages go (a function taking one line).
    """

    def __init__(
        self,
        out_dir: Path,
        identity: str,
        keep_timeseries: bool,
        chunk_runs: int = 50,
        chunk_seconds: float = 15.0,
        log: Callable[[str], None] = print,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.chunk_dir = self.out_dir / "chunks"
        self.identity = identity
        self.keep_timeseries = keep_timeseries
        self.chunk_runs = max(1, chunk_runs)
        self.chunk_seconds = chunk_seconds
        self.log = log
        self._buffer: list[dict[str, Any]] = []
        self._buffer_since = 0.0
        self._next_seq = 0
        self.rejected: list[str] = []

    # -- scanning -----------------------------------------------------------------------------------

    def _reject(self, path: Path, reason: str) -> None:
        target = self.chunk_dir / "rejected"
        target.mkdir(exist_ok=True)
        shutil.move(str(path), target / path.name)
        msg = f"chunk {path.name} rejected ({reason}); its runs will be computed again"
        self.rejected.append(msg)
        self.log(msg)

    def _verify(self, path: Path) -> bool:
        stem = path.name[: -len(".parquet")]
        expected = stem.rsplit("-", 1)[-1]
        data = path.read_bytes()
        return len(expected) == 64 and _sha256(data) == expected

    def valid_chunks(self) -> list[tuple[int, Path, Path | None]]:
        """Check every chunk: (seq, runs file, timeseries file) of the good ones, in write order.

        Partial writes (temporary files) are removed; a chunk whose checksum, identity or timeseries
        companion does not match is moved to ``chunks/rejected/`` and reported.
        """
        if not self.chunk_dir.is_dir():
            return []
        for tmp in self.chunk_dir.glob(".*.tmp"):
            self.log(f"removing partial chunk write {tmp.name}")
            tmp.unlink()
        good: list[tuple[int, Path, Path | None]] = []
        referenced: set[str] = set()
        for path in sorted(self.chunk_dir.glob("runs-*.parquet")):
            try:
                seq = int(path.name.split("-")[1])
            except (IndexError, ValueError):
                self._reject(path, "unexpected file name")
                continue
            self._next_seq = max(self._next_seq, seq + 1)
            if not self._verify(path):
                self._reject(path, "checksum mismatch: partial or corrupt file")
                continue
            try:
                meta = pq.read_schema(path).metadata or {}
            except (OSError, pa.ArrowException) as exc:
                self._reject(path, f"unreadable: {exc}")
                continue
            if meta.get(_META_IDENTITY, b"").decode() != self.identity:
                self._reject(path, "written by a different experiment")
                continue
            ts_name = meta.get(_META_TS, b"").decode()
            ts_path = self.chunk_dir / ts_name if ts_name else None
            if ts_path is not None:
                if not ts_path.is_file() or not self._verify(ts_path):
                    self._reject(path, f"its timeseries file {ts_name} is missing or corrupt")
                    if ts_path.is_file():
                        self._reject(ts_path, "checksum mismatch: partial or corrupt file")
                    continue
                referenced.add(ts_name)
            good.append((seq, path, ts_path))
        for ts in sorted(self.chunk_dir.glob("ts-*.parquet")):
            if ts.name not in referenced:
                self.log(
                    f"removing orphan timeseries chunk {ts.name} (its runs chunk was not written)"
                )
                ts.unlink()
        return good

    def finished_runs(self) -> pd.DataFrame:
        """The latest valid row of every run in the chunks (columns as in the chunk files)."""
        frames = []
        for seq, path, ts_path in self.valid_chunks():
            frame = pq.read_table(path).to_pandas()
            frame["_seq"] = seq
            frame["_ts_file"] = ts_path.name if ts_path is not None else ""
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=[*RUN_COLUMNS, "_seq", "_ts_file", _TS_ROW_GROUP])
        runs = pd.concat(frames, ignore_index=True)
        runs = runs.sort_values("_seq", kind="stable").drop_duplicates("run_id", keep="last")
        return runs.reset_index(drop=True)

    # -- writing -----------------------------------------------------------------------------------

    def add(self, outcome: dict[str, Any]) -> None:
        """Buffer a finished run; flush if the buffer is full or old enough."""
        if not self._buffer:
            self._buffer_since = time.monotonic()
        self._buffer.append(outcome)
        if (
            len(self._buffer) >= self.chunk_runs
            or time.monotonic() - self._buffer_since >= self.chunk_seconds
        ):
            self.flush()

    def flush(self) -> None:
        """Write the buffered runs as one chunk (timeseries file first, then the runs file)."""
        if not self._buffer:
            return
        self.chunk_dir.mkdir(parents=True, exist_ok=True)
        seq = self._next_seq
        self._next_seq += 1
        outcomes, self._buffer = self._buffer, []
        ts_name = ""
        row_groups = [-1] * len(outcomes)
        if self.keep_timeseries:
            tables = []
            for i, outcome in enumerate(outcomes):
                table = outcome.get("timeseries")
                if table is None or table.num_rows == 0:
                    continue
                if isinstance(table, pd.DataFrame):
                    table = pa.Table.from_pandas(table, preserve_index=False)
                table = _with_run_columns(table, outcome)
                if tables and table.schema != tables[0].schema:
                    table = table.cast(tables[0].schema)
                row_groups[i] = len(tables)
                tables.append(table)
            if tables:
                buf = io.BytesIO()
                with pq.ParquetWriter(buf, tables[0].schema) as writer:
                    for table in tables:
                        writer.write_table(table, row_group_size=max(1, table.num_rows))
                data = buf.getvalue()
                ts_name = f"ts-{seq:06d}-{_sha256(data)}.parquet"
                atomic_write_bytes(self.chunk_dir / ts_name, data)
        rows = []
        for outcome, row_group in zip(outcomes, row_groups, strict=True):
            row = {key: outcome[key] for key in RUN_COLUMNS}
            row[_TS_ROW_GROUP] = row_group
            row.update({f"y:{k}": v for k, v in outcome["summary"].items()})
            rows.append(row)
        frame = pd.DataFrame(rows)
        frame = frame.astype({"point": "int64", "replication": "int64", "seed": "int64"})
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata(
            {
                **(table.schema.metadata or {}),
                _META_IDENTITY: self.identity.encode(),
                _META_TS: ts_name.encode(),
            }
        )
        data = _table_bytes(table)
        atomic_write_bytes(self.chunk_dir / f"runs-{seq:06d}-{_sha256(data)}.parquet", data)

    # -- final files -------------------------------------------------------------------------------

    def assemble(
        self,
        design: pd.DataFrame,
        factor_cols: list[str],
        run_columns: dict[str, dict[str, Any]] | None = None,
    ) -> pd.DataFrame:
        """Write ``runs.parquet`` (and ``timeseries.parquet``) from the chunks; return the runs.

        Args:
            design: the design table (factor values are joined by ``point``).
            factor_cols: the factor columns to copy into the runs table.
            run_columns: more columns by run: name -> {run_id: value} (e.g. ``posterior_draw``).
        """
        self.flush()
        runs = self.finished_runs()
        runs = runs.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
        out_cols = [c for c in runs.columns if c.startswith("y:")]
        ordered = _outcome_order(runs, out_cols)
        extra = ["seed_key"] if "seed_key" in design.columns else []
        table = runs[["run_id", "point", "replication", "seed", "label"]].copy()
        factors = design.set_index("point")[factor_cols + extra]
        joined = factors.reindex(runs["point"].to_numpy()).reset_index(drop=True)
        table = pd.concat([table, joined], axis=1)
        for name, values in (run_columns or {}).items():
            table[name] = runs["run_id"].map(values).to_numpy()
        for col in ordered:
            table[col[2:]] = runs[col].astype("float64").to_numpy()
        table["run_time_s"] = runs["run_time_s"].astype("float64").to_numpy()
        table["status"] = runs["status"].astype(str).to_numpy()
        table["error"] = runs["error"].fillna("").astype(str).to_numpy()
        for col in ("point", "replication", "seed"):
            table[col] = table[col].astype("int64")
        atomic_write_parquet(self.out_dir / "runs.parquet", table)
        if self.keep_timeseries:
            self._assemble_timeseries(runs)
        return table

    def _assemble_timeseries(self, runs: pd.DataFrame) -> None:
        """Copy every run's series, in run order, into ``timeseries.parquet`` (streaming)."""
        final = self.out_dir / "timeseries.parquet"
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        writer: pq.ParquetWriter | None = None
        files: dict[str, pq.ParquetFile] = {}
        pending: list[pa.Table] = []
        pending_rows = 0
        try:
            for ts_file, row_group in zip(runs["_ts_file"], runs[_TS_ROW_GROUP], strict=True):
                if not ts_file or int(row_group) < 0:
                    continue
                if ts_file not in files:
                    if len(files) >= 16:
                        files.pop(next(iter(files))).close()
                    files[ts_file] = pq.ParquetFile(self.chunk_dir / ts_file)
                table = files[ts_file].read_row_group(int(row_group))
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                elif table.schema != writer.schema:
                    table = table.cast(writer.schema)
                pending.append(table)
                pending_rows += table.num_rows
                if pending_rows >= 100_000:
                    writer.write_table(pa.concat_tables(pending))
                    pending, pending_rows = [], 0
            if writer is not None and pending:
                writer.write_table(pa.concat_tables(pending))
        finally:
            for handle in files.values():
                handle.close()
            if writer is not None:
                writer.close()
        if writer is None:
            if final.exists():
                final.unlink()
            return
        os.replace(tmp, final)


def _with_run_columns(table: pa.Table, outcome: dict[str, Any]) -> pa.Table:
    """Prefix a run's series with run_id, point, replication and label."""
    n = table.num_rows
    front = [
        ("run_id", pa.array([outcome["run_id"]] * n, pa.string())),
        ("point", pa.array([outcome["point"]] * n, pa.int64())),
        ("replication", pa.array([outcome["replication"]] * n, pa.int64())),
        ("label", pa.array([outcome["label"]] * n, pa.string())),
    ]
    cols = [c for c in table.column_names if c not in ("run_id", "point", "replication", "label")]
    return pa.table(
        [a for _, a in front] + [table[c] for c in cols],
        names=[name for name, _ in front] + cols,
    ).replace_schema_metadata(None)


def _outcome_order(runs: pd.DataFrame, out_cols: list[str]) -> list[str]:
    """Outcome columns in the model's order, taken from the first ok run; others sorted after."""
    ok = runs[runs["status"] == "ok"]
    first: list[str] = []
    if len(ok):
        row = ok.iloc[0]
        first = [c for c in out_cols if pd.notna(row[c])]
    return first + sorted(c for c in out_cols if c not in first)


def prepare_out_dir(out_dir: Path, resume: bool, overwrite: bool) -> None:
    """Check (and if asked, clear) a results directory before a run.

    Raises:
        ExperimentError: the directory holds results and neither ``resume`` nor ``overwrite`` is set.
    """
    out_dir = Path(out_dir)
    has_results = (out_dir / "manifest.json").exists() or (out_dir / "chunks").exists()
    if has_results and overwrite:
        for name in ("manifest.json", "design.parquet", "runs.parquet", "timeseries.parquet"):
            if (out_dir / name).exists():
                (out_dir / name).unlink()
        shutil.rmtree(out_dir / "chunks", ignore_errors=True)
    elif has_results and not resume:
        raise ExperimentError(
            f"{out_dir}: already holds results; allowed: --resume to continue them, --overwrite to "
            f"start again, or --out DIR for another directory"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
