"""Tests of prioanalysis.inputs.inquiries: the inquiry log and its vocabularies."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from prioanalysis.config.inquiries import InquiryVocabulary, load_inquiry_params
from prioanalysis.errors import InputError
from prioanalysis.inputs.inquiries import INQUIRY_COLUMNS, inquiry_schema, read_inquiries
from tests.conftest import ROOT, read_yaml, write_yaml

INQ_YAML = ROOT / "params" / "2026" / "inquiries.yaml"
LOG_HEADER = "inquiry_id,date,channel,segment,customer_name,first_response_hours,decision,follow_ups,converted\n"


def _write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_read_inquiries_types_and_index(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        LOG_HEADER
        + "Q1,2025-10-01,web,finance,甲公司,2.5,follow_up,3,1\n"
        + "Q2,2025-10-02,phone,retail,乙公司,,decline,0,0\n",
    )
    q = read_inquiries(path, InquiryVocabulary(decisions=("decline", "follow_up")))
    assert list(q.index) == ["Q1", "Q2"]
    assert q["month"].tolist() == ["2025-10", "2025-10"]
    assert q["follow_ups"].tolist() == [3, 0] and q["converted"].dtype == np.int64
    assert q["first_response_hours"].iloc[0] == 2.5 and math.isnan(q["first_response_hours"].iloc[1])


def test_read_inquiries_reports_every_problem_with_rows(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        LOG_HEADER
        + "Q1,2025-10-01,web,finance,甲公司,2.5,follow_up,3,2\n"  # row 2: converted 2
        + "Q1,2025-13-45,web,finance,乙公司,-1,adopt,x,0\n",
    )  # row 3: dup, date, hours, decision, follow-ups
    with pytest.raises(InputError) as err:
        read_inquiries(path, InquiryVocabulary(decisions=("decline", "follow_up")))
    msg = str(err.value)
    assert "log.csv" in msg
    assert "rows 2, 3, column 'inquiry_id': listed more than once ('Q1')" in msg
    assert "row 3, column 'date'" in msg
    assert "row 3, column 'first_response_hours'" in msg
    assert "row 3, column 'follow_ups'" in msg
    assert "row 2, column 'converted': '2' is not 0 or 1" in msg
    assert "row 3, column 'decision': 'adopt' is not a known decision" in msg


def test_read_inquiries_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "inquiry_id,date\nQ1,2025-10-01\n")
    with pytest.raises(InputError, match=r"missing required column.*channel"):
        read_inquiries(path)


def test_the_sample_log_with_its_params() -> None:
    ip = load_inquiry_params(INQ_YAML)
    q = read_inquiries(ROOT / "data" / "sample" / "inquiries_2025.csv", ip)
    assert len(q) == 1477 and q.index.is_unique
    assert set(q["channel"]) <= set(ip.channels) and set(q["decision"]) <= set(ip.decisions)
    assert q["it_budget"].dtype != float  # the criteria stay as written: the scoring reads them


def test_a_channel_added_to_inquiries_yaml_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, LOG_HEADER + "Q1,2025-10-01,WeChat,finance,甲公司,1,decline,0,0\n")
    with pytest.raises(InputError, match="'WeChat' is not a known channel \\(expected one of phone, web"):
        read_inquiries(path, load_inquiry_params(INQ_YAML))
    doc = read_yaml(INQ_YAML)
    doc["channels"]["wechat"] = "微信"
    ip = load_inquiry_params(write_yaml(tmp_path / "inquiries.yaml", doc))
    assert read_inquiries(path, ip)["channel"].tolist() == ["wechat"]  # spelt as inquiries.yaml spells it


def test_pending_inquiries_and_segments(tmp_path: Path) -> None:
    """An inquiry logged before it is handled: empty decision, follow-ups and conversion."""
    path = _write(tmp_path, LOG_HEADER + "Q1,2025-10-01,web,finance,甲公司,,,,\nQ2,2025-10-01,web,aero,乙,,,,\n")
    q = read_inquiries(path)
    assert q["decision"].isna().all() and q["follow_ups"].tolist() == [0, 0] and q["converted"].tolist() == [0, 0]
    with pytest.raises(InputError, match="row 3, column 'segment': 'aero' is not a known segment"):
        read_inquiries(path, segments=["finance", "retail"])


def test_schema_columns() -> None:
    s = inquiry_schema()
    assert s.required == list(INQUIRY_COLUMNS)
    record = inquiry_schema(with_id=False)
    assert [c.name for c in record.columns if not c.nullable] == ["date", "channel", "segment", "customer_name"]
