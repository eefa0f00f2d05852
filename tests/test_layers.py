"""The package's layers, enforced on its source: which layer may import which, and no cycles.

Every module of ``prioanalysis/`` is parsed with :mod:`ast` (nothing is imported). An
import counts wherever it is written: at module level, inside a function, under
``if TYPE_CHECKING:`` (a kernel that names a step's result type depends on that step),
and as ``importlib.import_module("prioanalysis....")`` with a literal name.
``from x import y`` counts as importing ``x.y`` when ``y`` is a sub-module of ``x``.

The table :data:`ALLOWED` is the architecture in one place; ``scripts/import_graph.py``
prints the layer graph that the package actually has.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "prioanalysis"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE

# ------------------------------------------------------------------------ the rules
#: Which layers (or single modules, written ``layer.module``) each layer may import.
#: Layers are the top-level sub-packages and modules of ``prioanalysis``; a layer may
#: always import its own modules. The package root itself (``from prioanalysis import
#: __version__``) may be imported by every module: Python has run it before any
#: sub-module anyway.
ALLOWED: dict[str, frozenset[str]] = {
    "_lazy": frozenset(),  # the lazy sub-module hooks of every __init__.py
    "errors": frozenset(),
    "checks": frozenset({"errors"}),
    "methods": frozenset({"_lazy", "errors", "checks"}),  # pure kernels
    "config": frozenset({"_lazy", "errors", "checks", "methods.spec", "methods.grades"}),
    "inputs": frozenset({"_lazy", "errors", "checks", "methods", "config"}),
    # steps: result objects render in JupyterLab in the reader's language (the message catalog)
    "steps": frozenset({"_lazy", "errors", "checks", "methods", "config", "inputs", "report.i18n"}),
    "report": frozenset({"_lazy", "errors", "checks", "methods", "config", "inputs", "steps"}),
    "store": frozenset({"_lazy", "errors", "checks", "methods", "config", "inputs"}),
    "sample": frozenset({"_lazy", "errors", "checks", "methods", "config"}),
    "app": frozenset(
        {"_lazy", "errors", "checks", "methods", "config", "inputs", "steps", "report", "store", "sample"}
    ),
    # the package root: ``__version__``, lazy sub-packages, the style's font hook
    "": frozenset({"_lazy", "report.fonts"}),
}

#: Modules that belong to a layer other than their folder says.
LAYER_OF_MODULE: dict[str, str] = {"__main__": "app"}


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Third-party packages a layer must not import (directly).
FORBIDDEN_EXTERNAL: dict[str, frozenset[str]] = {
    # pure kernels: no files, no database, no figures, no notebooks, no parameter models
    "methods": _names("yaml openpyxl pyarrow sqlalchemy alembic psycopg papermill nbformat nbconvert matplotlib"),
    # YAML → validated models, without pandas
    "config": _names("pandas matplotlib sqlalchemy papermill"),
    "errors": _names("pandas numpy matplotlib"),
    "checks": _names("matplotlib yaml sqlalchemy"),
}

#: Calls that read or write files; kernels (``methods``) make none of them.
FILE_CALLS: frozenset[str] = _names(
    """open read_text write_text read_bytes write_bytes mkdir unlink glob iterdir load_yaml_model
       read_csv read_excel read_parquet read_json to_csv to_excel to_parquet to_json"""
)
NO_FILE_LAYERS: frozenset[str] = _names("methods errors checks")


# ------------------------------------------------------------------ the checker
@dataclass(frozen=True)
class Import:
    """One import statement's edge: ``importer`` imports ``imported`` at ``path:line``."""

    importer: str
    imported: str
    path: str
    line: int
    local: bool  # inside a function (or class body, or ``if TYPE_CHECKING:``)

    def where(self) -> str:
        return f"{self.path}:{self.line}{' (local)' if self.local else ''}"


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted name → file of every module of the package rooted at ``package_dir``."""
    root = package_dir.parent
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _resolve(name: str, modules: Mapping[str, Path]) -> str:
    """The longest prefix of ``name`` that is a module of the package."""
    parts = name.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imported_names(node: ast.AST, importer: str, is_package: bool, modules: Mapping[str, Path]) -> list[str]:
    """The dotted names one AST node imports (none for most nodes)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = _absolute(node, importer, is_package)
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return [node.args[0].value]
    return []


def collect_imports(package_dir: Path) -> list[Import]:
    """Every import of a package module by a package module, function-local ones included."""
    package = package_dir.name
    modules = module_names(package_dir)
    found: dict[Import, None] = {}  # ordered, without repeats
    for importer, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = str(path.relative_to(package_dir.parent))
        top_level = {id(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))}
        for node in ast.walk(tree):
            for name in _imported_names(node, importer, path.name == "__init__.py", modules):
                if name != package and not name.startswith(package + "."):
                    continue
                target = _resolve(name, modules)
                if target and target != importer:
                    found[Import(importer, target, rel, node.lineno, id(node) not in top_level)] = None
    return list(found)


def layer_of(module: str, package: str = PACKAGE) -> str:
    """``prioanalysis.methods.scoring`` → ``methods``; the root package → ``""``."""
    rest = module.removeprefix(package).lstrip(".")
    first = rest.split(".")[0]
    return LAYER_OF_MODULE.get(first, first)


def is_allowed(
    importer: str, imported: str, allowed: Mapping[str, frozenset[str]] = ALLOWED, package: str = PACKAGE
) -> bool:
    """Whether module ``importer`` may import module ``imported`` under ``allowed``."""
    source, target = layer_of(importer, package), layer_of(imported, package)
    if target == "" or source == target:
        return True
    if source not in allowed:
        return False  # a new layer must be added to the table first
    relative = imported.removeprefix(package).lstrip(".")
    return any(target == entry or relative == entry or relative.startswith(entry + ".") for entry in allowed[source])


def layer_violations(
    imports: Iterable[Import], allowed: Mapping[str, frozenset[str]] = ALLOWED, package: str = PACKAGE
) -> list[str]:
    """One line per import that breaks the layer table."""
    return [
        f"{i.importer} ({layer_of(i.importer, package) or 'root'}) imports {i.imported} "
        f"({layer_of(i.imported, package)}) at {i.where()}"
        for i in imports
        if not is_allowed(i.importer, i.imported, allowed, package)
    ]


def unknown_layers(package_dir: Path, allowed: Mapping[str, frozenset[str]] = ALLOWED) -> list[str]:
    """Modules whose layer the table does not list."""
    return sorted(m for m in module_names(package_dir) if layer_of(m, package_dir.name) not in allowed)


def import_cycles(imports: Iterable[Import]) -> list[list[Import]]:
    """One import cycle (as its edges) for each strongly connected group of modules."""
    graph: dict[str, dict[str, Import]] = defaultdict(dict)
    for i in imports:
        graph[i.importer].setdefault(i.imported, i)
    # Tarjan's strongly connected components, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    nodes = sorted(set(graph) | {t for targets in graph.values() for t in targets})
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    cycles = []
    for component in components:
        members = set(component)
        start = component[0]
        # breadth-first: the shortest way from ``start`` back to itself inside the group
        previous: dict[str, Import] = {}
        frontier = [start]
        while frontier and start not in previous:
            nxt = []
            for node in frontier:
                for child, edge in sorted(graph[node].items()):
                    if child in members and child not in previous:
                        previous[child] = edge
                        nxt.append(child)
            frontier = nxt
        path, node = [], start
        while True:
            edge = previous[node]
            path.append(edge)
            node = edge.importer
            if node == start:
                break
        cycles.append(path[::-1])
    return cycles


def format_cycle(cycle: list[Import]) -> str:
    return " → ".join([cycle[0].importer, *(f"{e.imported} [{e.where()}]" for e in cycle)])


def external_violations(
    package_dir: Path,
    forbidden: Mapping[str, frozenset[str]] = FORBIDDEN_EXTERNAL,
    file_calls: frozenset[str] = FILE_CALLS,
    no_file_layers: frozenset[str] = NO_FILE_LAYERS,
) -> list[str]:
    """Forbidden third-party imports, and file reading or writing in the kernel layers."""
    package = package_dir.name
    found = []
    for module, path in module_names(package_dir).items():
        layer = layer_of(module, package)
        banned = forbidden.get(layer, frozenset())
        rel = path.relative_to(package_dir.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in banned:
                    found.append(f"{module} ({layer}) imports {name} at {rel}:{node.lineno}")
            if layer in no_file_layers and isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if called in file_calls:
                    found.append(f"{module} ({layer}) calls {called}() at {rel}:{node.lineno}: kernels touch no files")
    return found


# ------------------------------------------------------------------------ the tests
@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return collect_imports(PACKAGE_DIR)


def test_the_checker_sees_the_package(imports: list[Import]) -> None:
    """Guards the checks below against passing on nothing."""
    modules = module_names(PACKAGE_DIR)
    assert {"prioanalysis.errors", "prioanalysis.methods.scoring", "prioanalysis.steps.ranking"} <= set(modules)
    importers = {i.importer for i in imports}
    assert "prioanalysis.steps.ranking" in importers and "prioanalysis.app.cli" in importers
    assert any(i.local for i in imports)


def test_every_module_has_a_layer_in_the_table() -> None:
    assert unknown_layers(PACKAGE_DIR) == []


def test_no_module_imports_a_layer_it_may_not(imports: list[Import]) -> None:
    problems = layer_violations(imports)
    assert not problems, "layer rules broken (see ALLOWED in tests/test_layers.py):\n" + "\n".join(problems)


def test_no_import_cycle(imports: list[Import]) -> None:
    cycles = import_cycles(imports)
    assert not cycles, "import cycles (function-local imports count):\n" + "\n".join(map(format_cycle, cycles))


def test_layers_import_no_forbidden_library_and_kernels_touch_no_files() -> None:
    problems = external_violations(PACKAGE_DIR)
    assert not problems, "\n".join(problems)


def test_top_level_import_is_light() -> None:
    code = (
        "import sys, prioanalysis as pa; pa.__version__; "
        "print(' '.join(sorted(m for m in ('pandas', 'matplotlib', 'numpy', 'scipy') if m in sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert loaded.split() == []


def test_config_loads_without_pandas() -> None:
    code = (
        "import sys, prioanalysis.config.params; "
        "print(' '.join(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert loaded.split() == []


# --------------------------------------------------- the checker checked on fake trees
def _fake_package(root: Path, files: Mapping[str, str]) -> Path:
    """Write a package ``prioanalysis`` under ``root`` from {relative path: source}."""
    package = root / PACKAGE
    for rel, source in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(package).parents:
            (package / parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return package


CLEAN_TREE = {
    "errors.py": "class InputError(ValueError): ...\n",
    "config/params.py": "from prioanalysis.errors import InputError\nfrom prioanalysis.methods import spec\n",
    "methods/spec.py": "from prioanalysis.errors import InputError\n",
    "methods/scoring.py": "from prioanalysis.methods import spec\nfrom . import spec as again\n",
    "steps/ranking.py": "from prioanalysis.config import params\nfrom prioanalysis.methods import scoring\n",
    "app/cli.py": "from prioanalysis import __version__\nfrom prioanalysis.steps import ranking\n",
}


def test_checker_passes_a_clean_tree(tmp_path: Path) -> None:
    package = _fake_package(tmp_path, CLEAN_TREE)
    found = collect_imports(package)
    assert ("prioanalysis.methods.scoring", "prioanalysis.methods.spec") in {(i.importer, i.imported) for i in found}
    assert layer_violations(found) == []
    assert import_cycles(found) == []
    assert unknown_layers(package) == []


@pytest.mark.parametrize(
    "kernel",
    [
        "from prioanalysis.config.params import Params\n",
        "from prioanalysis.config import params\n",
        "import prioanalysis.config.params\n",
        "from ..config import params\n",
        "def f():\n    from prioanalysis.config.params import Params\n    return Params\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from prioanalysis.config.params import Params\n",
        "import importlib\ndef f():\n    return importlib.import_module('prioanalysis.config.params')\n",
    ],
    ids=["from-module", "from-package", "import", "relative", "function-local", "type-checking", "importlib"],
)
def test_checker_fails_a_kernel_that_imports_config(tmp_path: Path, kernel: str) -> None:
    package = _fake_package(tmp_path, {**CLEAN_TREE, "methods/kernel.py": kernel})
    problems = layer_violations(collect_imports(package))
    assert len(problems) == 1
    assert problems[0].startswith("prioanalysis.methods.kernel (methods) imports prioanalysis.config.params (config)")
    assert "prioanalysis/methods/kernel.py:" in problems[0]


def test_checker_allows_only_the_named_module_of_a_layer(tmp_path: Path) -> None:
    package = _fake_package(tmp_path, {**CLEAN_TREE, "config/more.py": "from prioanalysis.methods import scoring\n"})
    problems = layer_violations(collect_imports(package))
    assert problems == [
        "prioanalysis.config.more (config) imports prioanalysis.methods.scoring (methods)"
        " at prioanalysis/config/more.py:1"
    ]


def test_checker_reports_a_cycle_through_function_local_imports(tmp_path: Path) -> None:
    package = _fake_package(
        tmp_path,
        {
            **CLEAN_TREE,
            "steps/ranking.py": "def f():\n    from prioanalysis.steps import robustness\n",
            "steps/robustness.py": "from prioanalysis.steps.ranking import f\n",
        },
    )
    cycles = import_cycles(collect_imports(package))
    assert len(cycles) == 1
    assert {e.importer for e in cycles[0]} == {"prioanalysis.steps.ranking", "prioanalysis.steps.robustness"}
    text = format_cycle(cycles[0])
    assert text.startswith("prioanalysis.steps.ranking → prioanalysis.steps.robustness")
    assert "prioanalysis/steps/ranking.py:2 (local)" in text
    assert text.endswith("→ prioanalysis.steps.ranking [prioanalysis/steps/robustness.py:1]")


def test_checker_reports_a_longer_cycle_once(tmp_path: Path) -> None:
    package = _fake_package(
        tmp_path,
        {
            "methods/a.py": "from prioanalysis.methods import b\n",
            "methods/b.py": "from prioanalysis.methods import c\n",
            "methods/c.py": "def f():\n    import prioanalysis.methods.a\n",
            "methods/d.py": "from prioanalysis.methods import a\n",
        },
    )
    cycles = import_cycles(collect_imports(package))
    assert [[e.importer for e in c] for c in cycles] == [
        ["prioanalysis.methods.a", "prioanalysis.methods.b", "prioanalysis.methods.c"]
    ]


def test_checker_flags_an_unlisted_layer_and_forbidden_libraries(tmp_path: Path) -> None:
    package = _fake_package(
        tmp_path,
        {
            **CLEAN_TREE,
            "extra/thing.py": "x = 1\n",
            "config/io.py": "import pandas as pd\n",
            "methods/io.py": "import yaml\ndef f(p):\n    return p.read_text()\n",
        },
    )
    assert unknown_layers(package) == ["prioanalysis.extra", "prioanalysis.extra.thing"]
    problems = external_violations(package)
    assert len(problems) == 3
    assert any("prioanalysis.config.io (config) imports pandas" in p for p in problems)
    assert any("prioanalysis.methods.io (methods) imports yaml" in p for p in problems)
    assert any("calls read_text()" in p for p in problems)
