"""Exact persistence of a step's result object: Parquet for the tables, JSON for the rest.

:func:`save` writes a result — a dataclass (or plain object of this package) holding
DataFrames, Series, numpy arrays, dicts, lists and scalars, nested as deep as needed —
into a folder: one Parquet file per table and ``result.json`` describing the object
and, for every table, its column labels, index, dtypes and ``attrs``. :func:`load`
rebuilds the object so that every table is equal to the original *exactly*
(``pandas.testing.assert_frame_equal(..., check_exact=True)``, dtypes, index and
column dtypes, categories and ``attrs`` included). A table that appears twice in the
object (the same frame) is stored once and loaded as one object.

Only classes of the ``prioanalysis`` package are rebuilt from ``result.json``; a
result is data, never code.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prioanalysis.errors import InputError

__all__ = ["FORMAT", "MANIFEST", "save", "load", "load_part", "read_manifest"]

#: Format tag of ``result.json``.
FORMAT = "prioanalysis-result/1"
#: The file describing the object.
MANIFEST = "result.json"
_PACKAGE = "prioanalysis"


# ------------------------------------------------------------------------ dtypes
def _dtype_meta(dt: Any) -> dict[str, Any]:
    if isinstance(dt, pd.CategoricalDtype):
        return {"kind": "category", "categories": _labels_meta(dt.categories), "ordered": bool(dt.ordered)}
    if isinstance(dt, pd.StringDtype):
        na = "NA" if dt.na_value is pd.NA else "nan"
        return {"kind": "string", "storage": dt.storage, "na": na}
    if isinstance(dt, np.dtype):
        return {"kind": "numpy", "name": dt.str}
    return {"kind": "pandas", "name": str(dt)}


def _dtype(meta: dict[str, Any]) -> Any:
    kind = meta["kind"]
    if kind == "category":
        return pd.CategoricalDtype(_labels(meta["categories"]), ordered=meta["ordered"])
    if kind == "string":
        return pd.StringDtype(meta["storage"], na_value=pd.NA if meta["na"] == "NA" else np.nan)
    if kind == "numpy":
        return np.dtype(meta["name"])
    return pd.api.types.pandas_dtype(meta["name"])


# ------------------------------------------------------------------------ small labels (JSON)
def _labels_meta(index: pd.Index) -> dict[str, Any]:
    """An index small enough for JSON: column labels, categories."""
    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": _encode_scalar(index.name)}
    if isinstance(index, pd.MultiIndex):
        return {
            "levels": [_labels_meta(index.get_level_values(i)) for i in range(index.nlevels)],
            "names": [_encode_scalar(n) for n in index.names],
        }
    return {
        "values": [_encode_scalar(v) for v in index.tolist()],
        "dtype": _dtype_meta(index.dtype),
        "name": _encode_scalar(index.name),
    }


def _labels(meta: dict[str, Any]) -> pd.Index:
    if "range" in meta:
        return pd.RangeIndex(*meta["range"], name=_decode_scalar(meta["name"]))
    if "levels" in meta:
        levels = [_labels(m) for m in meta["levels"]]
        return pd.MultiIndex.from_arrays(levels, names=[_decode_scalar(n) for n in meta["names"]])
    values = [_decode_scalar(v) for v in meta["values"]]
    dtype = _dtype(meta["dtype"])
    name = _decode_scalar(meta["name"])
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.CategoricalIndex(values, dtype=dtype, name=name)
    if isinstance(dtype, np.dtype) and dtype == np.dtype(object):
        return pd.Index(np.array(values, dtype=object), dtype=object, name=name)
    return pd.Index(values, dtype=dtype, name=name)


# ------------------------------------------------------------------------ scalars
def _encode_scalar(v: Any) -> Any:
    if isinstance(v, np.generic):  # before float: numpy's float64 is a float
        return {"__np__": v.dtype.str, "v": _encode_scalar(v.item())}
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else {"__float__": repr(v)}
    if v is pd.NA:
        return {"__na__": True}
    if isinstance(v, pd.Timestamp):
        return {"__timestamp__": v.isoformat()}
    raise TypeError(f"cannot persist the label or value {v!r} ({type(v).__name__})")


def _decode_scalar(v: Any) -> Any:
    if isinstance(v, dict):
        if "__float__" in v:
            return float(v["__float__"])
        if "__np__" in v:
            return np.dtype(v["__np__"]).type(_decode_scalar(v["v"]))
        if "__na__" in v:
            return pd.NA
        if "__timestamp__" in v:
            return pd.Timestamp(v["__timestamp__"])
    return v


# ------------------------------------------------------------------------ tables
def _object_column(values: pd.Series, name: str, table: dict[str, Any], meta: dict[str, Any]) -> None:
    """An object column: typed when its values are of one kind, JSON text otherwise."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    null = values.isna().to_numpy()
    # Parquet reads integers with nulls back as floats: those go as JSON text
    if kind in ("string", "empty", "boolean", "floating") or (kind == "integer" and not null.any()):
        try:
            table[name] = values.to_numpy(dtype=object)
            if null.any():
                is_none = np.fromiter((v is None for v in values.to_numpy(dtype=object)[null]), bool, null.sum())
                if is_none.all():
                    meta["null"] = "none"
                elif not is_none.any():
                    meta["null"] = "nan"
                else:
                    meta["null"] = "mixed"
                    none_mask = np.zeros(len(values), dtype=bool)
                    none_mask[np.flatnonzero(null)[is_none]] = True
                    table[f"{name}_none"] = none_mask
            meta["object"] = kind
            return
        except (TypeError, ValueError):  # pragma: no cover - pyarrow refused the values
            pass
    meta["object"] = "json"
    table[name] = [json.dumps(_encode_scalar(v), ensure_ascii=False) for v in values.to_numpy(dtype=object)]


def _restore_object(values: pd.Series, name: str, data: pd.DataFrame, meta: dict[str, Any]) -> np.ndarray:
    if meta.get("object") == "json":
        return np.array([_decode_scalar(json.loads(v)) for v in values.to_numpy(dtype=object)], dtype=object)
    out = values.astype(object).to_numpy(dtype=object, copy=True)
    null = meta.get("null")
    if null:
        missing = pd.isna(out)
        if null == "none":
            out[missing] = None
        elif null == "nan":
            out[missing] = np.nan
        else:
            none = data[f"{name}_none"].to_numpy(dtype=bool)
            out[missing & none] = None
            out[missing & ~none] = np.nan
    if meta.get("object") == "boolean":
        out = np.array(
            [v if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v) for v in out], dtype=object
        )
    return out


def _frame_meta_and_table(frame: pd.DataFrame) -> tuple[dict[str, Any], pd.DataFrame]:
    table: dict[str, Any] = {}
    meta: dict[str, Any] = {
        "columns": _labels_meta(frame.columns),
        "attrs": _encode(frame.attrs, {}, {}, "attrs"),
        "dtypes": [],
        "index": {},
    }
    for i in range(frame.shape[1]):
        col = frame.iloc[:, i]
        cmeta = {"dtype": _dtype_meta(col.dtype)}
        name = f"c{i}"
        if isinstance(col.dtype, np.dtype) and col.dtype == object:
            _object_column(col, name, table, cmeta)
        else:
            table[name] = col.to_numpy() if isinstance(col.dtype, np.dtype) else col.array
        meta["dtypes"].append(cmeta)
    index = frame.index
    if isinstance(index, pd.RangeIndex):
        meta["index"] = {"range": [index.start, index.stop, index.step], "name": _encode_scalar(index.name)}
    else:
        levels = []
        for j in range(index.nlevels):
            level = pd.Series(index.get_level_values(j))
            lmeta = {"dtype": _dtype_meta(level.dtype)}
            name = f"i{j}"
            if isinstance(level.dtype, np.dtype) and level.dtype == object:
                _object_column(level, name, table, lmeta)
            else:
                table[name] = level.to_numpy() if isinstance(level.dtype, np.dtype) else level.array
            levels.append(lmeta)
        meta["index"] = {
            "levels": levels,
            "names": [_encode_scalar(n) for n in index.names],
            "multi": isinstance(index, pd.MultiIndex),
        }
    return meta, pd.DataFrame(table, index=pd.RangeIndex(len(frame)))


def _column(data: pd.DataFrame, name: str, meta: dict[str, Any]) -> Any:
    dtype = _dtype(meta["dtype"])
    values = data[name]
    if isinstance(dtype, np.dtype) and dtype == np.dtype(object):
        return _restore_object(values, name, data, meta)
    if values.dtype == dtype:
        return values.to_numpy() if isinstance(dtype, np.dtype) else values.array
    restored = values.astype(dtype)
    return restored.to_numpy() if isinstance(dtype, np.dtype) else restored.array


def _frame_from(data: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    imeta = meta["index"]
    if "range" in imeta:
        index: pd.Index = pd.RangeIndex(*imeta["range"], name=_decode_scalar(imeta["name"]))
    else:
        arrays = [_column(data, f"i{j}", lm) for j, lm in enumerate(imeta["levels"])]
        names = [_decode_scalar(n) for n in imeta["names"]]
        if imeta["multi"]:
            index = pd.MultiIndex.from_arrays(arrays, names=names)
        else:
            dtype = _dtype(imeta["levels"][0]["dtype"])
            index = pd.Index(arrays[0], dtype=dtype, name=names[0])
            if isinstance(dtype, pd.CategoricalDtype):
                index = pd.CategoricalIndex(arrays[0], dtype=dtype, name=names[0])
    columns = _labels(meta["columns"])
    # every column built with its own dtype: pandas would infer "str" for object text
    cols = {
        i: pd.Series(_column(data, f"c{i}", cm), index=index, dtype=_dtype(cm["dtype"]), copy=False)
        for i, cm in enumerate(meta["dtypes"])
    }
    frame = pd.DataFrame(cols, index=index, copy=False) if cols else pd.DataFrame(index=index)
    frame.columns = columns
    frame.attrs = _decode(meta["attrs"], {}, None)
    return frame


# ------------------------------------------------------------------------ objects
def _class_path(obj: Any) -> str:
    cls = type(obj)
    return f"{cls.__module__}:{cls.__qualname__}"


def _class(path: str) -> type:
    module, _, qualname = path.partition(":")
    if module != _PACKAGE and not module.startswith(_PACKAGE + "."):
        raise InputError(f"{MANIFEST}: refuses to rebuild {path!r}, which is not a class of {_PACKAGE}")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, type):
        raise InputError(f"{MANIFEST}: {path!r} is not a class")
    return obj


def _encode(value: Any, tables: dict[str, Any], seen: dict[int, str], where: str) -> Any:
    if isinstance(value, pd.DataFrame):
        if id(value) not in seen:
            seen[id(value)] = f"t{len(tables)}"
            tables[seen[id(value)]] = value
        return {"__frame__": seen[id(value)]}
    if isinstance(value, pd.Series):
        if id(value) not in seen:
            seen[id(value)] = f"t{len(tables)}"
            tables[seen[id(value)]] = value
        return {"__series__": seen[id(value)]}
    if isinstance(value, pd.Index):
        key = f"t{len(tables)}"
        tables[key] = pd.DataFrame(index=value)
        tables[key].attrs["__index__"] = True
        return {"__index__": key}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {
                "__object_array__": [_encode(v, tables, seen, where) for v in value.tolist()],
                "shape": list(value.shape),
            }
        key = f"t{len(tables)}"
        tables[key] = value
        return {"__array__": key}
    if isinstance(value, Path):
        return {"__path__": str(value)}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: _encode(v, tables, seen, f"{where}.{k}") for k, v in value.items()}
        return {
            "__items__": [
                [_encode(k, tables, seen, where), _encode(v, tables, seen, f"{where}[{k!r}]")] for k, v in value.items()
            ]
        }
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        _class(_class_path(value))  # refuse classes that could not be rebuilt
        return {"__namedtuple__": _class_path(value), "values": [_encode(v, tables, seen, where) for v in value]}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, tables, seen, where) for v in value]}
    if isinstance(value, list):
        return [_encode(v, tables, seen, f"{where}[{i}]") for i, v in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _class(_class_path(value))  # refuse classes that could not be rebuilt
        return {
            "__dataclass__": _class_path(value),
            "fields": {
                f.name: _encode(getattr(value, f.name), tables, seen, f"{where}.{f.name}")
                for f in dataclasses.fields(value)
            },
        }
    if type(value).__module__.startswith(_PACKAGE + ".") and hasattr(value, "__dict__"):
        state = dict(vars(value))
        return {"__object__": _class_path(value), "state": _encode(state, tables, seen, where)}
    try:
        return _encode_scalar(value)
    except TypeError:
        raise TypeError(f"cannot persist {where}: {type(value).__name__}") from None


def _decode(value: Any, loaded: dict[str, Any], folder: Path | None) -> Any:
    if isinstance(value, list):
        return [_decode(v, loaded, folder) for v in value]
    if not isinstance(value, dict):
        return value
    for tag in ("__frame__", "__series__", "__index__", "__array__"):
        if tag in value:
            return loaded[value[tag]]
    if "__object_array__" in value:
        flat = [_decode(v, loaded, folder) for v in value["__object_array__"]]
        arr = np.empty(len(flat), dtype=object)
        arr[:] = flat
        return arr.reshape(value["shape"])
    if "__path__" in value:
        return Path(value["__path__"])
    if "__items__" in value:
        return {_decode(k, loaded, folder): _decode(v, loaded, folder) for k, v in value["__items__"]}
    if "__tuple__" in value:
        return tuple(_decode(v, loaded, folder) for v in value["__tuple__"])
    if "__namedtuple__" in value:
        return _class(value["__namedtuple__"])(*(_decode(v, loaded, folder) for v in value["values"]))
    if "__dataclass__" in value:
        obj: object = object.__new__(_class(value["__dataclass__"]))
        for name, v in value["fields"].items():
            object.__setattr__(obj, name, _decode(v, loaded, folder))
        return obj
    if "__object__" in value:
        obj = object.__new__(_class(value["__object__"]))
        obj.__dict__.update(_decode(value["state"], loaded, folder))
        return obj
    if any(k in value for k in ("__float__", "__np__", "__na__", "__timestamp__")):
        return _decode_scalar(value)
    return {k: _decode(v, loaded, folder) for k, v in value.items()}


# ------------------------------------------------------------------------ public API
def save(obj: Any, folder: str | Path, *, extra: dict[str, Any] | None = None) -> Path:
    """Write ``obj`` into a new folder (Parquet tables + ``result.json``).

    Parameters
    ----------
    obj : object
        A dataclass (or object) of this package, or any nesting of dicts, lists,
        tuples, tables, arrays and scalars.
    folder : str or Path
        Must not exist yet, or be empty.
    extra : dict, optional
        Kept in ``result.json`` under ``extra`` (e.g. a fingerprint of the inputs).

    Returns
    -------
    Path
        ``folder / "result.json"``.

    Raises
    ------
    TypeError
        A value that cannot be persisted (named by its path in the object).
    InputError
        The folder exists and is not empty.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"{folder}: not empty; a persisted result is never overwritten")
    tables: dict[str, Any] = {}
    root = _encode(obj, tables, {}, type(obj).__name__)
    folder.mkdir(parents=True, exist_ok=True)
    entries: dict[str, Any] = {}
    for key, table in tables.items():
        if isinstance(table, np.ndarray):
            np.save(folder / f"{key}.npy", table, allow_pickle=False)
            entries[key] = {"kind": "array", "file": f"{key}.npy"}
            continue
        series = isinstance(table, pd.Series)
        frame = table.to_frame() if series else table
        if series and table.name is None:
            frame.columns = pd.Index([None], dtype=object)
        meta, data = _frame_meta_and_table(frame)
        data.to_parquet(folder / f"{key}.parquet", index=False)
        meta["kind"] = "series" if series else "frame"
        if series:
            meta["series_attrs"] = _encode(table.attrs, {}, {}, "attrs")
        meta["file"] = f"{key}.parquet"
        entries[key] = meta
    manifest = {"format": FORMAT, "object": root, "tables": entries, "extra": _encode(extra or {}, {}, {}, "extra")}
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """``result.json`` of a persisted result.

    Raises
    ------
    InputError
        No such file, or not a result of this format.
    """
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise InputError(f"{path}: no persisted result here") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not a persisted result ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(f"{path}: not a persisted result of format {FORMAT}")
    return manifest


def load(folder: str | Path) -> tuple[Any, dict[str, Any]]:
    """Rebuild a result written by :func:`save`.

    Returns
    -------
    object
        The result, its tables equal to the saved ones exactly.
    dict
        The ``extra`` record given to :func:`save`.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    loaded: dict[str, Any] = {}
    for key, meta in manifest["tables"].items():
        loaded[key] = _load_table(folder, meta)
    return _decode(manifest["object"], loaded, folder), _decode(manifest["extra"], {}, None)


def _table_keys(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_table_keys(v) for v in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    for tag in ("__frame__", "__series__", "__index__", "__array__"):
        if tag in node:
            return {node[tag]}
    return set().union(*(_table_keys(v) for v in node.values())) if node else set()


def load_part(folder: str | Path, *path: str) -> Any:
    """One part of a persisted result, reading only the tables that part holds.

    Parameters
    ----------
    folder : str or Path
        A folder written by :func:`save`.
    *path : str
        Field names from the saved object down to the part, e.g. ``"target_list"`` or
        ``"summary", "tier_by_segment"``.

    Returns
    -------
    object
        Equal to the same part of :func:`load`'s result.

    Raises
    ------
    InputError
        The result has no such part.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    node: Any = manifest["object"]
    for name in path:
        if isinstance(node, dict) and "__dataclass__" in node:
            node = node["fields"]
        elif isinstance(node, dict) and "__object__" in node:
            node = node["state"]
        if not isinstance(node, dict) or name not in node:
            raise InputError(f"{folder / MANIFEST}: the persisted result has no part {'.'.join(path)!r}")
        node = node[name]
    loaded: dict[str, Any] = {}
    for key in _table_keys(node):
        meta = manifest["tables"][key]
        loaded[key] = _load_table(folder, meta)
    return _decode(node, loaded, folder)


def _load_table(folder: Path, meta: dict[str, Any]) -> Any:
    """One stored table of a manifest: an array, a series, an index or a frame."""
    if meta["kind"] == "array":
        return np.load(folder / meta["file"], allow_pickle=False)
    frame = _frame_from(pd.read_parquet(folder / meta["file"]), meta)
    if meta["kind"] == "series":
        series = frame.iloc[:, 0]
        series.name = frame.columns[0]
        series.attrs = _decode(meta["series_attrs"], {}, None)
        return series
    if frame.attrs.pop("__index__", False):
        return frame.index
    return frame
