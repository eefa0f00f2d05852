"""Shared fixtures: a private copy of the 2026 parameters, a tiny hand-made preliminary
list and helpers to edit YAML parameter files.

The tiny list (8 customers, Chinese names) is small enough that every expectation in
the tests can be computed by hand from the values written here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import settings as hypothesis_settings

# Property tests: no per-example deadline (timings on a shared 2-core machine vary);
# on CI (CI=true) examples are derandomised so a run is repeatable.
hypothesis_settings.register_profile(
    "prioanalysis", deadline=None, derandomize=os.environ.get("CI", "").lower() == "true", print_blob=True
)
hypothesis_settings.load_profile("prioanalysis")

ROOT = Path(__file__).resolve().parents[1]
PARAMS_SRC = ROOT / "params" / "2026"
SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_2026 = SAMPLE_DIR / "preliminary_2026.csv"

#: The ten scored criteria of params/2026/criteria.yaml, in file order.
CRITERIA = [
    "it_budget",
    "deal_size",
    "growth",
    "strategic_fit",
    "industry_influence",
    "relationship_strength",
    "competitive_intensity",
    "service_distance_km",
    "credit_grade",
    "payment_days",
]
#: credit_grade scale of criteria.yaml, written out again here on purpose.
CREDIT = {"AAA": 9, "AA": 8, "A": 7, "BBB": 6, "BB": 5, "B": 4, "CCC": 3, "CC": 2, "C": 1}

COLUMNS = [
    "customer_id",
    "customer_name",
    "segment",
    "region",
    "owner_id",
    *CRITERIA,
    "pipeline_stage",
    "expected_months_to_close",
    "need_status",
]

_N = None  # a missing cell
# id, name, segment, region, owner, it_budget, deal_size, growth, fit, influence,
# relationship, competition, distance, credit, payment_days, stage, months, need
TINY_ROWS = [
    [
        "C1",
        "北京华信科技有限公司",
        "government",
        "north",
        "O001",
        1000.0,
        200.0,
        10.0,
        5,
        4,
        5,
        1,
        10.0,
        "AAA",
        30.0,
        "closed",
        0.5,
        "target",
    ],
    [
        "C2",
        "上海浦东发展银行分行",
        "finance",
        "east",
        "O002",
        2000.0,
        300.0,
        5.0,
        4,
        5,
        4,
        2,
        20.0,
        "AA",
        45.0,
        "negotiating",
        2.0,
        "target",
    ],
    [
        "C3",
        "广州移动通信有限公司",
        "telecom",
        "south",
        "O003",
        500.0,
        50.0,
        -5.0,
        3,
        3,
        3,
        3,
        50.0,
        "A",
        60.0,
        "potential",
        8.0,
        "potential",
    ],
    [
        "C4",
        "深圳市税务局",
        "government",
        "south",
        _N,
        300.0,
        _N,
        0.0,
        2,
        2,
        2,
        4,
        _N,
        "BBB",
        90.0,
        "potential",
        12.0,
        "potential",
    ],
    [
        "C5",
        "杭州银行股份有限公司",
        "finance",
        "east",
        "O004",
        800.0,
        100.0,
        20.0,
        4,
        3,
        _N,
        3,
        30.0,
        "CCC",
        120.0,
        "negotiating",
        3.0,
        "target",
    ],
    [
        "C6",
        "成都电信分公司",
        "telecom",
        "southwest",
        _N,
        150.0,
        20.0,
        8.0,
        1,
        1,
        1,
        5,
        100.0,
        "BB",
        150.0,
        "potential",
        20.0,
        "dead",
    ],
    [
        "C7",
        "南京市政务服务中心",
        "government",
        "east",
        "O005",
        600.0,
        80.0,
        12.0,
        3,
        4,
        3,
        2,
        15.0,
        _N,
        60.0,
        "closed",
        1.0,
        "target",
    ],
    [
        "C8",
        "重庆农村商业银行",
        "finance",
        "southwest",
        "O006",
        1200.0,
        150.0,
        15.0,
        5,
        4,
        4,
        2,
        25.0,
        "A",
        40.0,
        "closed",
        6.0,
        "target",
    ],
]


def tiny_frame() -> pd.DataFrame:
    """The tiny preliminary list as a DataFrame (missing cells are None/NaN)."""
    return pd.DataFrame([list(r) for r in TINY_ROWS], columns=COLUMNS)


def read_yaml(path: Path) -> Any:
    with Path(path).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def write_yaml(path: Path, doc: Any) -> Path:
    Path(path).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return Path(path)


def edit_yaml(path: Path, change: Callable[[Any], Any]) -> Path:
    """Load ``path``, let ``change`` mutate the document (or return a new one), write it back."""
    doc = read_yaml(path)
    new = change(doc)
    return write_yaml(path, doc if new is None else new)


@pytest.fixture
def tiny() -> pd.DataFrame:
    return tiny_frame()


@pytest.fixture
def params_dir(tmp_path: Path) -> Path:
    """A copy of params/2026 under ``tmp_path/params/2026`` with the input paths made
    absolute (the copy's project root is ``tmp_path``, where no data lives)."""
    d = tmp_path / "params" / "2026"
    d.mkdir(parents=True)
    for f in PARAMS_SRC.iterdir():
        if f.is_file():
            shutil.copy2(f, d / f.name)

    def absolute(doc: dict) -> None:
        for key, rel in list(doc["inputs"].items()):
            if rel is not None:
                doc["inputs"][key] = str((ROOT / rel).resolve())

    edit_yaml(d / "run.yaml", absolute)
    return d


@pytest.fixture
def tiny_csv(tmp_path: Path, tiny: pd.DataFrame) -> Path:
    p = tmp_path / "tiny.csv"
    tiny.to_csv(p, index=False, encoding="utf-8")
    return p


# ------------------------------------------------------------------------- figures
@pytest.fixture
def figure_style():
    """The house figure style, with every warning an error (a missing CJK glyph is a
    warning), closing the figures afterwards."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from prioanalysis.report import figures as plotting

    plotting.use_style()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")


def assert_drawn(fr) -> None:
    """A FigureResult draws, asks a question and carries the data it draws."""
    fr.figure.canvas.draw()
    assert fr.title.endswith(("?", "？"))
    assert isinstance(fr.data, pd.DataFrame) and len(fr.data)
