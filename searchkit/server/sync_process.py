"""``python -m searchkit.server.sync_process INDEX FOLDER``: one folder synced into the index, its progress and
report written to stdout as JSON lines (``{"progress": …}`` after each file, then ``{"report": …}`` or
``{"error": …}``), for the server's writer to read.

A process of its own, started fresh rather than forked from the server: its indexing workers fork from a
process with no threads, its CPU time is off the server's interpreter lock (readers keep answering from the
last commit), and SIGTERM stops it as it stops ``searchkit index``, the last commit intact.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from searchkit import Index, Interrupted, Progress, SearchkitError, index_location, render


def _say(**message: object) -> None:
    print(json.dumps(message, ensure_ascii=False), flush=True)


def _progress(p: Progress) -> None:
    _say(progress={"files_done": p.files_done, "files_total": p.files_total, "documents": p.documents,
                   "bytes_done": p.bytes_done, "bytes_total": p.bytes_total})


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    index_dir, folder = index_location(argv[0]), Path(argv[1])
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with Index.open(index_dir) as ix:
            # A recorded folder is read with the options it was indexed with (its exclusions, hidden files).
            recorded = {source.path: source for source in ix.sources}.get(os.path.abspath(folder))
            options = {"exclude": recorded.exclude, "hidden": recorded.hidden, "html": recorded.html} if recorded else {}
            report = ix.index_path(folder, progress=_progress, **options)
    except Interrupted as stop:
        _say(error=f"stopped: {stop.committed:,} of {stop.total:,} files are in the index; the rest follow on the "
                   "next sync")
        return 143
    except KeyboardInterrupt:
        _say(error="stopped before any file was indexed")
        return 143
    except SearchkitError as error:
        _say(error=str(error))
        return 2
    _say(report=render.report_json(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
