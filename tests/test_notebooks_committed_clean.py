"""Notebooks are committed without outputs and follow the house layout."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_first_with_annotated_literals(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell must be tagged parameters"
    for line in code[0].source.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, rest = line.partition(":")
            assert name.isidentifier() and "=" in rest, f"{path.name}: not an annotated literal: {line!r}"
    assert "import prioanalysis as pa" in code[1].source


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS
