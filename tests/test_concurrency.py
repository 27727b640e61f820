"""One index shared by threads while another process commits: every search reads one commit from start to end.

The other process replaces all twenty documents in each commit («партия N» becomes «партия N+1»), so a search
that mixed two commits would see documents of two batches, or a count other than twenty; one that read a commit
closed under it would raise.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from searchkit import Index, SearchResults

DOCUMENTS = 20
COMMITS = 25
THREADS = 8

WRITER = """
import sys
from searchkit import Index

with Index.open(sys.argv[1]) as ix:
    for batch in range(1, int(sys.argv[2]) + 1):
        ix.add([{"id": f"doc-{n}", "title": f"Отчёт архивариуса {n}",
                 "text": f"Архивариус описал партию {batch}: письма и дневники, опись номер {n}."}
                for n in range(int(sys.argv[3]))])
"""


def batch_of(hit_text: str) -> int:
    return int(hit_text.split("партию ")[1].split(":")[0])


def test_eight_threads_search_while_another_process_commits(tmp_path: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.add([{"id": f"doc-{n}", "text": f"Архивариус описал партию 0: письма и дневники, опись номер {n}."}
                for n in range(DOCUMENTS)])
    errors: list[BaseException] = []
    seen: list[tuple[int, set[int], int]] = []  # (generation, batches in the hits, total) per search
    with Index.open(path) as ix:
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(COMMITS), str(DOCUMENTS)],
                                  stderr=subprocess.PIPE, text=True)

        def search_until_done() -> None:
            try:
                generations: list[int] = []
                while writer.poll() is None or len(generations) < 3:
                    results: SearchResults = ix.search("архивариусы партии", limit=DOCUMENTS)
                    batches = set()
                    for hit in results:
                        assert ix.document(hit.id)[0].id == hit.id  # perhaps from a newer commit by now
                        assert "[Архивариус]" in hit.snippet.marked()
                        batches.add(batch_of(hit.snippet.marked(lambda word: word)))
                    generations.append(results.generation)
                    seen.append((results.generation, batches, results.total))
                assert generations == sorted(generations)  # a thread never goes back to an older commit
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        threads = [threading.Thread(target=search_until_done) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert writer.wait(timeout=300) == 0, writer.stderr.read() if writer.stderr else ""
    assert not any(thread.is_alive() for thread in threads)
    assert errors == [], errors[:3]
    for generation, batches, total in seen:
        assert total == DOCUMENTS and len(batches) == 1, (generation, batches, total)
    by_generation: dict[int, set[int]] = {}
    for generation, batches, _ in seen:
        by_generation.setdefault(generation, set()).update(batches)
    assert all(len(batches) == 1 for batches in by_generation.values()), by_generation  # one commit, one batch
    assert len(by_generation) > 1  # the searches did run while commits came
