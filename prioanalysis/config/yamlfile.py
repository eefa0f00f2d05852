"""The one YAML reader of the package: every parameter file and every ``-p`` value.

:func:`read_yaml` reads a file, :func:`parse_yaml` a text; both refuse, with a
:class:`~prioanalysis.errors.ParamsError` that names the file (and the line), what
YAML itself would accept silently or choke on:

* **Repeated keys** at any depth (``direction:`` twice in one criterion): YAML keeps
  the last one, which flips a criterion without a word. The message gives the key
  path (``criteria[3].direction``) and both lines. Keys merged in with ``<<: *base``
  may be overridden, as YAML intends.
* **Alias bombs**: anchors and aliases (``&a`` / ``*a``) are allowed, but a document
  whose aliases expand to more than :data:`MAX_NODES` nodes (a parameter file has a
  few hundred) is refused before it is built, in one short line.
* **Encodings**: UTF-8, with or without a byte-order mark. Anything else (GBK,
  UTF-16 as Windows "Unicode" saves it, Latin-1) is refused naming the file and the
  line of the first byte that is not UTF-8: "not UTF-8 text: save it as UTF-8".
* Files above :data:`MAX_BYTES`, nesting deeper than :data:`MAX_DEPTH`, and YAML
  syntax errors (with line and column).

Messages are bounded: a value quoted in a message is cut to :data:`MAX_SHOWN`
characters (:func:`shown`), so that no input can produce a huge error.
"""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from prioanalysis.errors import ParamsError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_SHOWN", "decode_utf8", "parse_yaml", "read_yaml", "shown"]

#: Largest parameter file read (bytes).
MAX_BYTES = 5_000_000
#: Largest number of nodes a document may have once its aliases are expanded.
MAX_NODES = 100_000
#: Deepest nesting of mappings and lists.
MAX_DEPTH = 100
#: Longest value quoted in a message (characters).
MAX_SHOWN = 80

_MERGE = "tag:yaml.org,2002:merge"


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)``, cut to ``limit`` characters (messages stay short).

    The representation is built with :mod:`reprlib`, so that even a huge nested value
    costs little to show.

    Examples
    --------
    >>> shown("abc")
    "'abc'"
    >>> shown("x" * 200, limit=12)
    "'xxxxxxx...'"
    >>> shown([list(range(10**6))] * 10**3)
    '[[0, 1, 2, 3, 4, 5, ...], [0, 1, 2, 3, 4, 5, ...], [0, 1, 2, 3, 4, 5, ...], ...'
    """
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 4] + ("...'" if text[:1] in "'\"" else "...")


def _bounded_repr() -> reprlib.Repr:
    r = reprlib.Repr()  # Python 3.11 takes no keyword arguments
    r.maxlevel, r.maxlist, r.maxtuple, r.maxdict, r.maxset = 3, 6, 6, 6, 6
    r.maxstring = r.maxother = MAX_SHOWN
    return r


_REPR = _bounded_repr()


def decode_utf8(data: bytes, source: str | Path, error: type[Exception] = ParamsError) -> str:
    r"""``data`` as text: UTF-8 with or without a byte-order mark; anything else refused.

    Parameters
    ----------
    data : bytes
        The file's content.
    source : str or Path
        Named in the message.
    error : exception class, default ParamsError
        Raised when the bytes are not UTF-8 (the input tables raise ``InputError``).

    Examples
    --------
    >>> decode_utf8("\ufeffyear: 2026".encode("utf-8"), "run.yaml")
    'year: 2026'
    >>> decode_utf8("名称: 政府".encode("gbk"), "run.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    prioanalysis.errors.ParamsError: run.yaml: not UTF-8 text (byte 0xc3 on line 1 ...): save it as UTF-8
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise error(f"{source}: not UTF-8 text (UTF-16, as Windows saves 'Unicode' text): save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            f"{source}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line} is not UTF-8; the file looks like "
            "GBK or another local encoding): save it as UTF-8"
        ) from None


def read_yaml(path: str | Path, what: str = "parameter file") -> Any:
    """Read a YAML file with the checks of this module.

    Parameters
    ----------
    path : str or Path
    what : str
        What the file is, for the "not found" message.

    Returns
    -------
    object
        The document (``None`` for an empty file).

    Raises
    ------
    ParamsError
        Missing or unreadable file, not UTF-8, too large, not valid YAML, a repeated
        key, aliases expanding too far — naming the file.
    """
    p = Path(path)
    if not p.is_file():
        raise ParamsError(f"{p}: cannot read the {what}: file not found")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ParamsError(f"{p}: {size:,} bytes is too large for a {what} (at most {MAX_BYTES:,})")
        data = p.read_bytes()
    except OSError as exc:
        raise ParamsError(f"{p}: cannot read the {what} ({exc.strerror or exc})") from None
    return parse_yaml(decode_utf8(data, p), p)


def parse_yaml(text: str, source: str | Path) -> Any:
    r"""Parse a YAML text with the checks of this module.

    Examples
    --------
    >>> parse_yaml("a: 1\nb: [x, y]\n", "f.yaml")
    {'a': 1, 'b': ['x', 'y']}
    >>> parse_yaml("criteria:\n  - id: a\n    direction: benefit\n    direction: cost\n", "criteria.yaml")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    prioanalysis.errors.ParamsError: criteria.yaml: key 'criteria[0].direction' is given twice (lines 3 and 4); ...
    """
    src = str(source)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character such as NUL
        line = text.count("\n", 0, exc.position) + 1
        raise ParamsError(
            f"{src}: not valid YAML (line {line}): control character #x{exc.character:04x} is not allowed"
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_tree(node, src)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise ParamsError(_yaml_problem(src, exc)) from None
    except RecursionError:
        raise ParamsError(f"{src}: nested too deeply to be a parameter file") from None
    finally:
        loader.dispose()


def _yaml_problem(src: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    text = f"{problem} ({context})" if context and len(str(context)) < 60 else str(problem)
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{src}: not valid YAML{where}: {text}"


def _key_text(node: Node) -> str:
    return str(node.value) if isinstance(node, ScalarNode) else f"<{node.tag.rsplit(':', 1)[-1]}>"


def _child_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check_tree(root: Node, src: str) -> None:
    """Repeated keys and the expanded size, without building the document."""
    sizes: dict[int, int] = {}
    # iterative post-order walk over distinct nodes (aliases share node objects)
    stack: list[tuple[Node, str, int, bool]] = [(root, "", 0, False)]
    checked: set[int] = set()
    while stack:
        node, path, depth, done = stack.pop()
        key = id(node)
        if done:
            children = [x for kv in node.value for x in kv] if isinstance(node, MappingNode) else node.value
            if not isinstance(node, MappingNode | SequenceNode):
                children = []
            if any(id(c) not in sizes for c in children):
                raise ParamsError(f"{src}: line {node.start_mark.line + 1}: an alias refers to the value that holds it")
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_NODES:
                where = path if len(path) <= 120 else path[:117] + "..."
                raise ParamsError(
                    f"{src}: line {node.start_mark.line + 1}" + (f", key {where!r}" if where else "") + ": "
                    f"its aliases (*name) expand to more than {MAX_NODES:,} values; "
                    "a parameter file is refused when they do (write the values out, or use fewer aliases)"
                )
            sizes[key] = total
            continue
        if key in sizes or key in checked:
            continue
        if depth > MAX_DEPTH:
            raise ParamsError(f"{src}: line {node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep")
        checked.add(key)
        stack.append((node, path, depth, True))
        if isinstance(node, MappingNode):
            _check_keys(node, path, src)
            for k, v in node.value:
                stack.append((k, path, depth + 1, False))
                stack.append((v, _child_path(path, _key_text(k)), depth + 1, False))
        elif isinstance(node, SequenceNode):
            for i, v in enumerate(node.value):
                stack.append((v, f"{path}[{i}]", depth + 1, False))


def _check_keys(node: MappingNode, path: str, src: str) -> None:
    first: dict[tuple[str, str], int] = {}
    for k, _ in node.value:
        if k.tag == _MERGE:
            continue  # `<<: *base`: merged keys may be overridden
        ident = (k.tag, str(k.value)) if isinstance(k, ScalarNode) else (k.tag, str(id(k)))
        line = k.start_mark.line + 1
        if ident in first:
            name = _child_path(path, _key_text(k))
            if len(name) > 120:
                name = name[:117] + "..."
            raise ParamsError(
                f"{src}: key {name!r} is given twice (lines {first[ident]} and {line}); "
                "a repeated key is refused (YAML would silently keep the last one)"
            )
        first[ident] = line
