"""A read-only helper process of `snapshot_readers`: runs batch queries for its parent on a stdin/stdout pipe.

Run by path (`python snapshot_child.py <database URI> <busy timeout ms>`),
so it imports nothing but the standard library (and ISA-L's deflate) and
starts in a few tens of milliseconds. Every message is a frame: a 4-byte big-endian length and the
bytes. The parent sends JSON requests:

- `{"op": "begin"}` starts a read transaction now (its snapshot);
- `{"op": "rollback"}` ends it (the parent retries when a write landed
  while the helpers were taking their snapshots);
- `{"op": "sql", "id": n, "sql": "..."}` remembers a statement (no reply:
  it may arrive while answers to earlier batches are still unread);
- `{"op": "batch", "id": n, "params": {...}, "deflate": level}` runs
  statement n, which yields one row `(BLOB, rows, lines)`; with a level (and
  every line written), the BLOB is sent deflated, as a segment the parent
  can append to a ZIP member (raw deflate ending on a sync flush, so
  segments join into one stream), and not as itself.

Every other request gets one reply frame: `K` then the result (for a batch,
four unsigned 64-bit counts: rows, lines, BLOB length, segment length, then
the segment if there is one, else the BLOB), or `E` then a JSON object naming the SQLite
error. Replies queue in memory and a second thread writes them, so the
helper keeps working while the parent is busy elsewhere; the parent bounds
how many batches it asks for ahead. The helper stops at the end of its
input.

A separate process, not a thread: SQLite counts every allocation under one
process-wide lock, and two threads building lines at once spent more time
waiting on it than they saved.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import struct
import sys
import threading
import zlib
from types import ModuleType
from typing import IO, Any

_LENGTH = struct.Struct(">I")
_COUNTS = struct.Struct(">QQQQ")
MMAP_BYTES = 1 << 30


_deflate: ModuleType
try:  # Intel ISA-L's DEFLATE: the same format as zlib's, about four times as fast at its level 1
    from isal import isal_zlib as _deflate
except ImportError:  # pragma: no cover - the dependency is declared; zlib writes the same format
    _deflate = zlib


def deflate_segment(data: bytes, level: int) -> bytes:
    """`data` as raw deflate blocks ending on a byte boundary, not final: segments concatenate.

    `level` is 1 (fast) to 3 (smaller); any DEFLATE reader inflates the result.
    """
    compressor = _deflate.compressobj(level, _deflate.DEFLATED, -zlib.MAX_WBITS)
    return bytes(compressor.compress(data) + compressor.flush(_deflate.Z_SYNC_FLUSH))


# An empty final block (fixed Huffman codes): what ends a stream of segments.
FINAL_BLOCK = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS).flush()


def inflate_segment(segment: bytes, size: int) -> bytes:
    """The `size` bytes `deflate_segment` was given; the output buffer is allocated once, at that size.

    (A decompressor object grew its buffers batch after batch, and the export's memory with them.)
    """
    return bytes(_deflate.decompress(segment + FINAL_BLOCK, -zlib.MAX_WBITS, max(1, size)))


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame, or None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        return None
    return body


def write_frame(stream: IO[bytes], *parts: bytes) -> None:
    stream.write(_LENGTH.pack(sum(len(part) for part in parts)))
    for part in parts:
        stream.write(part)
    stream.flush()


def _error(exc: BaseException) -> bytes:
    return b"E" + json.dumps({
        "class": type(exc).__name__,
        "message": str(exc),
        "code": getattr(exc, "sqlite_errorcode", None),
    }).encode("utf-8")


def _handle(conn: sqlite3.Connection, statements: dict[int, str], request: dict[str, Any]) -> list[bytes]:
    op = request["op"]
    if op == "begin":
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return [b"K"]
    if op == "rollback":
        conn.rollback()
        return [b"K"]
    if op == "sql":
        statements[int(request["id"])] = str(request["sql"])
        return []
    if op == "batch":
        blob, rows, lines = conn.execute(statements[int(request["id"])], request["params"]).fetchone()
        data = bytes(blob or b"")
        level = request.get("deflate")
        if level is not None and rows == lines:
            segment = deflate_segment(data, int(level))
            return [b"K", _COUNTS.pack(rows, lines, len(data), len(segment)), segment]
        return [b"K", _COUNTS.pack(rows, lines, len(data), 0), data]
    raise ValueError(f"unknown request {op!r}")


def serve(uri: str, busy_timeout_ms: int, source: IO[bytes], sink: IO[bytes]) -> None:
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000)
        # Read the pages through a memory map, not a read() each: the log is read in time order, which
        # jumps around its table. Read-only, so the map is never written through.
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    except sqlite3.Error as exc:
        write_frame(sink, _error(exc))
        return
    statements: dict[int, str] = {}
    replies: queue.SimpleQueue[list[bytes] | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write_replies, args=(replies, sink), daemon=True)
    writer.start()
    replies.put([b"K"])  # ready
    try:
        while (frame := read_frame(source)) is not None:
            try:
                reply = _handle(conn, statements, json.loads(frame))
            except (sqlite3.Error, ValueError, KeyError) as exc:
                reply = [_error(exc)]
            if reply:
                replies.put(reply)
    finally:
        replies.put(None)
        writer.join()
        conn.close()


def _write_replies(replies: queue.SimpleQueue[list[bytes] | None], sink: IO[bytes]) -> None:
    try:
        while (reply := replies.get()) is not None:
            write_frame(sink, *reply)
    except OSError:  # the parent has gone
        pass


if __name__ == "__main__":
    try:
        serve(sys.argv[1], int(sys.argv[2]), sys.stdin.buffer, sys.stdout.buffer)
    except (BrokenPipeError, KeyboardInterrupt):  # the parent has gone; nothing is left to answer
        pass
