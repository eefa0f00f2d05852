"""The package as shipped: one version source, licence and typing marker, a README that
lists the modules that exist, and no reference to files outside the repository."""

from __future__ import annotations

import importlib
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

import prioanalysis

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "prioanalysis"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Folders that are not the project's own text (environments, caches, run outputs).
SKIP_DIRS = {
    ".git",
    ".venv",
    ".lock-venv",
    "outputs",
    "build",
    "dist",
    "__pycache__",
    ".hypothesis",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
}
TEXT_SUFFIXES = {".py", ".md", ".ipynb", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".sh", ".mako", ".json"}


def _project_text_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name in {"Makefile", "LICENSE", "run"}):
            files.append(path)
    return files


def _modules() -> set[str]:
    """The package's modules as README writes them (``methods/scoring.py``)."""
    return {
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.name not in {"__init__.py", "__main__.py"} and "migrations" not in p.parts
    }


def _section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


# ------------------------------------------------------------------ one version source
def test_the_version_comes_from_pyproject_only() -> None:
    assert prioanalysis.__version__ == version("prioanalysis") == PYPROJECT["project"]["version"]
    literal = re.compile(rf"""["']{re.escape(PYPROJECT["project"]["version"])}["']""")
    assert [p for p in PACKAGE.rglob("*.py") if literal.search(p.read_text(encoding="utf-8"))] == []


# ------------------------------------------------------------- licence, typing marker
def test_licence_and_typing_marker_ship() -> None:
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "the prioanalysis authors" in licence
    assert (PACKAGE / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["prioanalysis"]


# ------------------------------------------------------------------------- README
def test_readme_layout_lists_exactly_the_modules() -> None:
    layout = _section((ROOT / "README.md").read_text(encoding="utf-8"), "Layout")
    listed = set(re.findall(r"^\| `((?:[a-z_]+/)?[a-z0-9_]+\.py)` \|", layout, flags=re.MULTILINE))
    modules = _modules()
    assert sorted(modules - listed) == [], "modules missing from the README's layout"
    assert sorted(listed - modules) == [], "README lists modules that do not exist"


def test_readme_names_only_objects_that_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r"`(prioanalysis(?:\.[A-Za-z_]+)+)`", text)) - {"prioanalysis.report"}
    assert names, "the README names some objects of the package"
    for name in sorted(names):
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):  # the longest importable prefix, then attributes
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            for attr in parts[cut:]:
                assert hasattr(obj, attr), f"README names {name}, which does not exist"
                obj = getattr(obj, attr)
            break


def test_readme_points_to_the_process_and_the_lint() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/process.md" in text and "make lint" in text


def test_the_process_document_covers_every_step_and_notebook() -> None:
    text = (ROOT / "docs" / "process.md").read_text(encoding="utf-8")
    for step in ("2.3.1", "2.3.2", "2.3.3", "2.3.4", "2.3.5", "2.3.6"):
        assert f"**{step}**" in text, step
    for notebook in sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")):
        assert f"`{notebook}`" in text, notebook
    for grade in "ABCDE":
        assert f"| {grade} |" in text, grade


# ------------------------------------------------- nothing outside the repository
@pytest.mark.parametrize(
    "outside",
    ["../" + "shared", "shared/" + "DOMAIN", "DOMAIN" + ".md", "STYLE" + ".md", "seed/" + "0"],
)
def test_no_file_refers_to_files_outside_the_repository(outside: str) -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _project_text_files()
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if outside in line
    ]
    assert hits == [], f"{outside!r} is outside the repository; found in {hits}"
