"""Print the import graph of ``prioanalysis`` between its layers (or, with --modules, its modules).

Usage::

    .venv/bin/python scripts/import_graph.py            # layer → layer, with import counts
    .venv/bin/python scripts/import_graph.py --modules  # module → module
    .venv/bin/python scripts/import_graph.py --dot      # the layer graph for Graphviz

The imports are read with ``ast`` by the checker of ``tests/test_layers.py`` (function-local
imports count); an edge that the layer table there does not allow is marked ``NOT ALLOWED``.
The last line says whether the modules import each other in a cycle.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_layers import (  # noqa: E402  (the repository root goes on the path first)
    ALLOWED,
    PACKAGE_DIR,
    collect_imports,
    format_cycle,
    import_cycles,
    is_allowed,
    layer_of,
    module_names,
)

#: The layers from the bottom up, the order the graph is printed in.
ORDER = ["errors", "checks", "methods", "config", "inputs", "steps", "report", "store", "sample", "app", ""]


def _name(layer: str) -> str:
    return layer or "prioanalysis (root)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", action="store_true", help="module → module instead of layer → layer")
    parser.add_argument("--dot", action="store_true", help="print the layer graph in Graphviz dot")
    args = parser.parse_args(argv)

    imports = collect_imports(PACKAGE_DIR)
    rank = {layer: i for i, layer in enumerate(ORDER)}
    if args.modules:
        edges = {(i.importer, i.imported) for i in imports}
        for source, target in sorted(edges):
            mark = "" if is_allowed(source, target) else "   NOT ALLOWED"
            print(f"{source} → {target}{mark}")
    else:
        edges = Counter(
            (layer_of(i.importer), layer_of(i.imported))
            for i in imports
            if layer_of(i.importer) != layer_of(i.imported)
        )
        bad = {(layer_of(i.importer), layer_of(i.imported)) for i in imports if not is_allowed(i.importer, i.imported)}
        ordered = sorted(edges.items(), key=lambda e: (rank.get(e[0][0], 99), rank.get(e[0][1], 99)))
        if args.dot:
            print("digraph prioanalysis {\n  rankdir=BT;")
            for (source, target), count in ordered:
                style = ", color=red, fontcolor=red" if (source, target) in bad else ""
                print(f'  "{_name(source)}" -> "{_name(target)}" [label={count}{style}];')
            print("}")
            return 0
        modules = Counter(layer_of(m) for m in module_names(PACKAGE_DIR))
        print("layers (modules), bottom up; each may import:")
        for layer in ORDER:
            if layer in modules:
                allowed = ", ".join(sorted(ALLOWED.get(layer, frozenset()))) or "nothing of the package"
                print(f"  {_name(layer):<22} ({modules[layer]:>2})  {allowed}")
        print("\nimports between layers (count of import statements):")
        for (source, target), count in ordered:
            mark = "   NOT ALLOWED" if (source, target) in bad else ""
            print(f"  {_name(source):<22} → {_name(target):<20} {count:>3}{mark}")
    cycles = import_cycles(imports)
    print()
    if cycles:
        print(f"{len(cycles)} import cycle(s):")
        for cycle in cycles:
            print("  " + format_cycle(cycle))
    else:
        print(f"no import cycle among the {len(module_names(PACKAGE_DIR))} modules")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
