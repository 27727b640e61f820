"""The import rules of ARCHITECTURE.md, read from the source: data flows one way through the stages, only the
Whoosh backend imports Whoosh, and the presentation uses the library's public names only; starting loads nothing heavy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "searchkit"

#: The stages in the order data flows; a module may import its own stage, earlier ones and the neutral modules.
STAGES = {"documents": 0, "analysis": 1, "backends": 2, "index": 2, "search": 3, "engine": 4, "__init__": 4,
          "cli": 5, "repl": 5, "render": 5, "server": 5, "__main__": 5}
NEUTRAL = {"compiled", "errors", "settings"}
PRESENTATION = {"cli", "repl", "render", "server", "__main__"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported(path: Path) -> list[str]:
    """The searchkit modules and the top-level packages ``path`` imports, as dotted names (``searchkit.search.query``,
    ``whoosh.query``)."""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = package if path.name == "__init__.py" else package[:-1]
    if path.name == "__init__.py":
        package = package[:-1]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if node.module:
                names.append(module)
            else:  # ``from . import render, Index``: a module of the package, or a name the package defines
                names.extend(f"{module}.{alias.name}" if is_module(f"{module}.{alias.name}") else module
                             for alias in node.names)
    return names


def is_module(dotted: str) -> bool:
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def stage(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if parts[0] == "searchkit" and len(parts) > 1 else ("__init__" if dotted == "searchkit" else None)


def source_stage(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("").parts
    return relative[0]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_stage_imports_a_later_one(path: Path) -> None:
    own = source_stage(path)
    if own in NEUTRAL:
        assert all(stage(name) in NEUTRAL | {None} for name in imported(path)), imported(path)
        return
    for name in imported(path):
        other = stage(name)
        if other is None or other in NEUTRAL or other not in STAGES:
            continue
        assert STAGES[other] <= STAGES[own], f"{path.relative_to(PACKAGE)} imports {name}"
        if own == "backends":
            assert other != "index", f"a backend imports the folder sync: {name}"


#: Each engine's client library, and the one backend package that may import it.
ENGINES = {"whoosh": "whoosh", "opensearchpy": "opensearch"}


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_engine_is_imported_by_its_backend_only(path: Path) -> None:
    for library, backend in ENGINES.items():
        found = [name for name in imported(path) if name.split(".")[0] == library]
        inside = path.relative_to(PACKAGE).parts[:2] == ("backends", backend)
        assert inside or not found, f"{path.relative_to(PACKAGE)} imports {found}"


def presentation_modules() -> list[Path]:
    return [PACKAGE / f"{name}.py" for name in sorted(PRESENTATION - {"__main__", "server"})] + \
        sorted((PACKAGE / "server").glob("*.py"))


@pytest.mark.parametrize("path", presentation_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_presentation_uses_the_public_names_only(path: Path) -> None:
    for dotted in imported(path):
        if stage(dotted) is None:
            continue
        assert dotted == "searchkit" or stage(dotted) in PRESENTATION, f"{path.name} imports {dotted}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_server_imports_the_web_stack(path: Path) -> None:
    """Starlette, uvicorn and Jinja2 load with ``searchkit serve`` only, never with the library or the CLI."""
    web = [name for name in imported(path) if name.split(".")[0] in ("starlette", "uvicorn", "jinja2", "markupsafe")]
    assert source_stage(path) == "server" or not web, f"{path.relative_to(PACKAGE)} imports {web}"


def test_private_whoosh_names_are_in_one_module() -> None:
    """Whoosh's private writer and reader methods are called from ``internals.py`` only."""
    private = ("_finalize_segment", "_close_segment", "_merge_segments", "_commit_toc", "_perdoc", "_read_data",
               "_tree_matcher", "_next_block")
    for path in (PACKAGE / "backends" / "whoosh").glob("*.py"):
        if path.name != "internals.py":
            text = path.read_text(encoding="utf-8")
            assert not [name for name in private if name in text], path.name


#: Libraries a search or a command may need, none of which ``import searchkit`` or the CLI's start may load: the
#: engine, NumPy and pymorphy3 come with the first index or analysis, the document readers' libraries with the
#: first file read.
HEAVY = ("numpy", "pymorphy3", "whoosh", "trafilatura", "docx", "pypdfium2", "lxml", "charset_normalizer",
         "rapidfuzz", "starlette", "uvicorn", "opensearchpy")


@pytest.mark.parametrize("statement", ["import searchkit", "from searchkit import Index, Settings",
                                       "import searchkit.cli"])
def test_starting_loads_no_heavy_library(statement: str) -> None:
    code = f"import sys; {statement}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_warming_up_loads_what_a_first_search_would(corpus_index_path: Path) -> None:
    """What a server does before it listens, so that no budgeted search is stopped inside an import."""
    code = (f"import sys; from searchkit import Index; Index.open({str(corpus_index_path)!r}).warm_up(); "
            "print(' '.join(m for m in ('numpy', 'pymorphy3', 'whoosh', 'rapidfuzz') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == ["numpy", "pymorphy3", "whoosh", "rapidfuzz"]
