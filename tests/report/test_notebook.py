"""Notebook helpers: parameter validation, formatted tables, headline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from prioanalysis.errors import ParamsError
from prioanalysis.report import notebook as report

ROOT = Path(__file__).resolve().parents[2]
PARAMS = str(ROOT / "params" / "2026")


def test_validate_ranking_parameters_ok() -> None:
    params = report.validate_ranking_parameters(2026, PARAMS)
    assert params.run.year == 2026


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"year": 2025}, "is for 2026"),
        ({"year": "2026"}, "expected an integer year"),
        ({"input_path": "/no/such/file.csv"}, "input_path': file not found"),
        ({"output_dir": "/no/such/dir"}, "output_dir': folder not found"),
        ({"params_dir": 5}, "'params_dir': expected text"),
    ],
)
def test_validate_ranking_parameters_errors(kwargs: dict, message: str) -> None:
    args = {"year": 2026, "params_dir": PARAMS, **kwargs}
    with pytest.raises(ParamsError, match=message):
        report.validate_ranking_parameters(**args)


def test_format_table_escapes_html_and_formats() -> None:
    df = pd.DataFrame({"name": ["<script>alert(1)</script>", "甲"], "share": [0.5, 0.25], "x": [1.23456, 2.0]})
    html = report.format_table(df, percent=("share",)).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "50%" in html and "1.235" in html


def test_format_table_escapes_headers_and_index() -> None:
    """A tier name from run.yaml becomes a column header: it is escaped too."""
    df = pd.DataFrame({"<b>战略</b>": [1], "segment": ["<i>gov</i>"]}).set_index("segment")
    html = report.format_table(df, index=True).to_html()
    assert "<b>" not in html and "&lt;b&gt;战略&lt;/b&gt;" in html
    assert "<i>" not in html and "&lt;i&gt;gov&lt;/i&gt;" in html


def test_headline_counts() -> None:
    tl = pd.DataFrame({"tier": ["A", "B", "B", "none", "none", "none"]})
    assert report.headline(tl, ["A", "B"], "none", "en") == (
        "6 customers scored; 3 targeted (A 1, B 2); 3 none: no resources."
    )
    assert "确定目标客户 3 家" in report.headline(tl, ["A", "B"], "none", "zh")


def test_criteria_table_weights_sum_to_one() -> None:
    params = report.validate_ranking_parameters(2026, PARAMS)
    table = report.criteria_table(params)
    assert abs(table["global_weight"].sum() - 1) < 1e-12
    assert table.loc[table["criterion"] == "credit_grade", "missing_policy"].item() == "worst"


def test_show_escapes_html_from_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    report.show("**Top customer: <script>alert(1)</script>**")
    assert shown[0].data == "**Top customer: &lt;script&gt;alert(1)&lt;/script&gt;**"
