"""Tests of prioanalysis.steps.persist and the persisted rankings of
prioanalysis.steps.ranking: the round trip is exact (every table equal with its dtypes,
index, column labels and attrs; every other value equal and of the same type), and a
run folder's ranking is read instead of ranking again."""

from __future__ import annotations

import dataclasses
import math
from collections import namedtuple
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from prioanalysis.config.params import load_params
from prioanalysis.errors import InputError
from prioanalysis.methods import target_list as schema
from prioanalysis.steps import persist
from prioanalysis.steps import ranking as steps_ranking
from prioanalysis.steps.ranking import (
    RankingResult,
    load_or_rank,
    load_result,
    ranking_folder,
    result_fingerprint,
    save_result,
    stored_result,
)
from prioanalysis.steps.robustness import add_assignment, rank_with_robustness, read_run_owners
from tests.conftest import PARAMS_SRC, edit_yaml


def assert_same(a: Any, b: Any, where: str = "result") -> None:
    """Exact equality, types included (object columns value by value)."""
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame), where
        pd.testing.assert_frame_equal(
            a,
            b,
            check_exact=True,
            check_index_type=True,
            check_column_type=True,
            check_categorical=True,
            check_flags=True,
        )
        assert a.attrs == b.attrs, where
        assert a.index.dtype == b.index.dtype and a.columns.dtype == b.columns.dtype, where
        for i in range(a.shape[1]):
            x, y = a.iloc[:, i].to_numpy(), b.iloc[:, i].to_numpy()
            if x.dtype == object:
                for u, v in zip(x, y, strict=True):
                    assert type(u) is type(v), (where, a.columns[i], u, v)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, check_index_type=True)
        assert a.attrs == b.attrs, where
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b, exact=True)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b)
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert type(a) is type(b) and list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b, strict=True)):
            assert_same(u, v, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    else:
        assert type(a) is type(b) and a == b, (where, a, b)


@dataclasses.dataclass(frozen=True)
class Holder:
    """A frozen dataclass of this package's test suite is refused (not prioanalysis)."""

    x: int


def test_round_trip_of_awkward_tables_is_exact(tmp_path: Path) -> None:
    idx = pd.Index(["c1", "c2", "c3"], dtype="string", name="customer_id")
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, np.nan], index=idx, dtype=object),  # None and NaN kept apart
            "mixed": pd.Series(["a", 1, 2.5], index=idx, dtype=object),
            "ints_obj": pd.Series([1, 2, 3], index=idx, dtype=object),
            "ints_with_none": pd.Series([1, None, 3], index=idx, dtype=object),
            "flag_obj": pd.Series([True, None, False], index=idx, dtype=object),
            "s_na": pd.Series(["x", None, "z"], index=idx, dtype="string"),
            "s_nan": pd.Series(["x", None, "z"], index=idx, dtype="str"),
            "f": [0.1, np.nan, 1 / 3],
            "i": np.array([1, 2, 3], dtype=np.int32),
            "b": [True, False, True],
            "nullable": pd.array([1, None, 3], dtype="Int64"),
            "cat": pd.Categorical(["x", "y", "x"], categories=["y", "x", "z"], ordered=True),
            "when": pd.to_datetime(["2025-01-01", "2025-06-30", None]),
        }
    )
    frame.attrs = {"source": "file.csv", "row_offset": 2}
    crosstab = pd.crosstab(
        pd.Categorical(["a", "b"], categories=["a", "b", "c"]),
        pd.Categorical(["T", "U"], categories=["U", "T"]),
        dropna=False,
    )
    crosstab.index.name, crosstab.columns.name = "segment", "tier"
    multi = pd.DataFrame({"v": [1.0, 2.0]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"]))
    from prioanalysis.methods.acceptability import _Prepared  # a NamedTuple of the package

    obj = {
        "frame": frame,
        "same": frame,
        "crosstab": crosstab,
        "multi": multi,
        "numbers": pd.DataFrame({1: [1.0], 2: [2.0]}),
        "series": pd.Series([1.5, 2.5], index=["a", "b"], name="score"),
        "unnamed": pd.Series([1, 2]),
        "array": np.arange(6, dtype=np.float32).reshape(2, 3),
        "objects": np.array(["a", None], dtype=object),
        "index": pd.Index(["p", "q"], name="ids"),
        "scalars": [1, 2.5, math.inf, math.nan, None, True, "文字", np.float64(0.1), np.int64(7)],
        "tuple": (1, ("a", "b")),
        "keys": {1: "int key", ("a", 1): "tuple key", "__x": "dunder key"},
        "path": Path("a/b.csv"),
        "named": _Prepared("weighted_sum", np.eye(2), None, None),
    }
    persist.save(obj, tmp_path / "r")
    back, extra = persist.load(tmp_path / "r")
    assert extra == {}
    assert back["same"] is back["frame"]  # stored once, loaded as one object
    assert type(back["named"]) is _Prepared
    assert_same(obj, back)
    with pytest.raises(InputError, match="not a class of prioanalysis"):
        persist.save({"t": namedtuple("Pair", "a b")(1, 2)}, tmp_path / "foreign")


def test_save_refuses_to_overwrite_and_load_refuses_foreign_content(tmp_path: Path) -> None:
    persist.save({"a": 1}, tmp_path / "r")
    with pytest.raises(InputError, match="not empty"):
        persist.save({"a": 2}, tmp_path / "r")
    with pytest.raises(InputError, match="no persisted result"):
        persist.load(tmp_path / "nothing")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / persist.MANIFEST).write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(InputError, match="not a persisted result"):
        persist.load(tmp_path / "bad")
    # a class outside the package is never rebuilt from a file
    manifest = persist.read_manifest(tmp_path / "r")
    manifest["object"] = {"__object__": "os:system", "state": {}}
    import json

    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / persist.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(InputError, match="not a class of prioanalysis"):
        persist.load(tmp_path / "evil")
    with pytest.raises(InputError, match="not a class of prioanalysis"):
        persist.save(Holder(1), tmp_path / "holder")


@pytest.fixture(scope="module")
def ranked() -> RankingResult:
    return rank_with_robustness(load_params(PARAMS_SRC))


def test_ranking_round_trip_is_exact(ranked: RankingResult, tmp_path: Path) -> None:
    params = load_params(PARAMS_SRC)
    fp = result_fingerprint(params)
    save_result(ranked, tmp_path / "r", fp)
    back = load_result(tmp_path / "r", fp)
    assert_same(ranked, back)
    schema.validate_target_list(back.target_list)
    with pytest.raises(InputError, match="other parameters"):
        load_result(tmp_path / "r", "0" * 64)


def test_run_folder_ranking_is_read_instead_of_ranked_again(
    params_dir: Path, tiny_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = load_params(params_dir)
    run = tmp_path / "run"
    first = rank_with_robustness(params, tiny_csv, run)
    assert (ranking_folder(run, params.run.year, robustness=True) / persist.MANIFEST).is_file()
    calls: list[int] = []
    real = steps_ranking.rank_customers

    def counting(*args: Any, **kwargs: Any) -> RankingResult:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(steps_ranking, "rank_customers", counting)
    again = rank_with_robustness(params, tiny_csv, run)  # notebook 25 after notebook 20
    # notebook 40 after notebook 20: the stored ranking (the owners' assignment is made on
    # each call, never stored, and gives the same owners)
    reference = add_assignment(load_or_rank(params, run, tiny_csv), params, read_run_owners(params))
    assert calls == []
    assert_same(first, again)
    assert_same(first, reference)
    # another list, or other parameters: ranked again (the stored ranking is not theirs)
    other = tmp_path / "other.csv"
    other.write_text(tiny_csv.read_text(encoding="utf-8").replace("\n", "\n", 1), encoding="utf-8")
    with_other_list = tiny_csv.read_text(encoding="utf-8").splitlines()
    other.write_text("\n".join(with_other_list[:-1]) + "\n", encoding="utf-8")
    assert stored_result(run, params, other) is None
    load_or_rank(params, run, other)
    assert calls == [1]
    edit_yaml(params_dir / "run.yaml", lambda d: d["scoring"].update(round_decimals=8))
    assert stored_result(run, load_params(params_dir), tiny_csv) is None
    assert stored_result(None, params, tiny_csv) is None
