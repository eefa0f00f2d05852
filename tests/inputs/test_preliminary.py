"""Tests of prioanalysis.inputs.preliminary: reading and validating the preliminary list (2.3.2)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prioanalysis.config.params import Params, load_params
from prioanalysis.errors import InputError
from prioanalysis.inputs.preliminary import completeness, data_quality, validate_preliminary
from prioanalysis.inputs.tables import read_table
from tests.conftest import CREDIT, CRITERIA, PARAMS_SRC, edit_yaml, tiny_frame


@pytest.fixture(scope="module")
def params() -> Params:
    return load_params(PARAMS_SRC)


def _write_csv(path: Path, df: pd.DataFrame, encoding: str = "utf-8") -> Path:
    df.to_csv(path, index=False, encoding=encoding)
    return path


def _edited(changes: dict[tuple[int, str], object]) -> pd.DataFrame:
    """The tiny list as text cells with some cells replaced: {(position, column): value}."""
    df = tiny_frame().astype(object)
    for (i, col), v in changes.items():
        df.loc[i, col] = v
    return df


def _validate_csv(tmp_path: Path, df: pd.DataFrame, params: Params):
    return validate_preliminary(read_table(_write_csv(tmp_path / "list.csv", df)), params)


def _error(tmp_path: Path, df: pd.DataFrame, params: Params) -> str:
    with pytest.raises(InputError) as exc:
        _validate_csv(tmp_path, df, params)
    return str(exc.value)


# --------------------------------------------------------------------------- formats
def test_csv_xlsx_parquet_read_to_the_same_customers(tmp_path: Path, params: Params) -> None:
    df = tiny_frame()
    paths = {
        "csv": tmp_path / "l.csv",
        "xlsx": tmp_path / "l.xlsx",
        "parquet": tmp_path / "l.parquet",
    }
    df.to_csv(paths["csv"], index=False)
    df.to_excel(paths["xlsx"], index=False)
    df.to_parquet(paths["parquet"], index=False)
    res = {k: validate_preliminary(read_table(p), params) for k, p in paths.items()}
    cols = [
        "customer_id",
        "customer_name",
        "segment",
        *CRITERIA,
        "need_status",
        "expected_months_to_close",
        "completeness",
    ]
    base = res["csv"].customers[cols]
    for k in ("xlsx", "parquet"):
        pd.testing.assert_frame_equal(res[k].customers[cols], base, check_dtype=False)
        assert res[k].source == str(paths[k])
    # row numbers: CSV and Excel count the header as row 1; Parquet counts records from 1
    assert res["csv"].customers["source_row"].tolist() == list(range(2, 10))
    assert res["xlsx"].customers["source_row"].tolist() == list(range(2, 10))
    assert res["parquet"].customers["source_row"].tolist() == list(range(1, 9))


def test_validated_values_by_hand(tmp_path: Path, params: Params) -> None:
    res = _validate_csv(tmp_path, tiny_frame(), params)
    c = res.customers
    assert list(c.index) == [f"C{i}" for i in range(1, 9)]
    # ordinal scales mapped: credit AAA → 9, CCC → 3; missing stays NaN
    assert c.loc["C1", "credit_grade"] == CREDIT["AAA"] == 9
    assert c.loc["C5", "credit_grade"] == CREDIT["CCC"] == 3
    assert np.isnan(c.loc["C7", "credit_grade"])
    # a rating written "5.0" by pandas (the column has a gap) maps to 5
    assert c.loc["C1", "relationship_strength"] == 5
    # C4 misses deal_size and service_distance_km: 8 of 10 filled
    assert c.loc["C4", "completeness"] == pytest.approx(8 / 10)
    assert c.loc["C5", "completeness"] == pytest.approx(9 / 10)
    assert c.loc["C1", "completeness"] == 1.0
    assert c.loc["C6", "need_status"] == "dead"
    assert res.claims.empty
    assert res.excluded.empty


def test_chinese_names_round_trip_with_and_without_bom(tmp_path: Path, params: Params) -> None:
    df = tiny_frame()
    for enc in ("utf-8", "utf-8-sig"):
        p = _write_csv(tmp_path / f"l_{enc}.csv", df, encoding=enc)
        res = validate_preliminary(read_table(p), params)
        assert res.customers["customer_name"].tolist() == df["customer_name"].tolist()
        assert res.customers.loc["C4", "customer_name"] == "深圳市税务局"


def test_na_texts_are_missing(tmp_path: Path, params: Params) -> None:
    df = _edited({(0, "growth"): "NA", (1, "growth"): "-", (2, "growth"): "null"})
    c = _validate_csv(tmp_path, df, params).customers
    assert c.loc[["C1", "C2", "C3"], "growth"].isna().all()


# --------------------------------------------------------------------------- errors
def test_not_a_number_names_file_row_column(tmp_path: Path, params: Params) -> None:
    # position 2 = third customer = CSV line 4 (header is line 1)
    msg = _error(tmp_path, _edited({(2, "it_budget"): "五百"}), params)
    assert str(tmp_path / "list.csv") in msg
    assert "row 4, column 'it_budget'" in msg
    assert "'五百' is not a number" in msg


def test_not_a_number_in_xlsx_names_excel_row(tmp_path: Path, params: Params) -> None:
    p = tmp_path / "list.xlsx"
    _edited({(5, "payment_days"): "sixty"}).to_excel(p, index=False)
    with pytest.raises(InputError, match=r"row 7, column 'payment_days'"):
        validate_preliminary(read_table(p), params)


def test_credit_grade_not_on_scale(tmp_path: Path, params: Params) -> None:
    msg = _error(tmp_path, _edited({(0, "credit_grade"): "AAAA"}), params)
    assert "row 2, column 'credit_grade'" in msg
    assert "'AAAA'" in msg and "credit_grade" in msg and "not on scale" in msg


def test_credit_grade_lower_case_is_accepted(tmp_path: Path, params: Params) -> None:
    c = _validate_csv(tmp_path, _edited({(0, "credit_grade"): " aa "}), params).customers
    assert c.loc["C1", "credit_grade"] == CREDIT["AA"]


def test_rating_outside_scale(tmp_path: Path, params: Params) -> None:
    msg = _error(tmp_path, _edited({(3, "strategic_fit"): 6}), params)
    assert "row 5, column 'strategic_fit'" in msg and "rating_1_5" in msg


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("value", ["inf", "1e30"])
def test_absurd_number_in_ordinal_column_is_an_input_error(tmp_path: Path, params: Params, value: str) -> None:
    msg = _error(tmp_path, _edited({(1, "strategic_fit"): value}), params)
    assert "row 3, column 'strategic_fit'" in msg


def test_unknown_segment(tmp_path: Path, params: Params) -> None:
    msg = _error(tmp_path, _edited({(4, "segment"): "aerospace"}), params)
    assert "row 6, column 'segment': 'aerospace' is not a known segment" in msg
    assert "government" in msg  # the expected values are listed


def test_duplicate_id_within_segment(tmp_path: Path, params: Params) -> None:
    # C2 (finance, line 3) again as the last row (line 10), same segment
    df = tiny_frame().astype(object)
    df = pd.concat([df, df.iloc[[1]]], ignore_index=True)
    msg = _error(tmp_path, df, params)
    assert "rows 3, 10" in msg and "'customer_id'+'segment'" in msg and "'C2'" in msg


def test_missing_required_column(tmp_path: Path, params: Params) -> None:
    df = tiny_frame().drop(columns=["payment_days", "need_status"])
    msg = _error(tmp_path, df, params)
    assert str(tmp_path / "list.csv") in msg
    assert "missing required column(s): payment_days, need_status" in msg


def test_negative_value_outside_valid_range(tmp_path: Path, params: Params) -> None:
    # service_distance_km valid_range [0, 5000]
    msg = _error(tmp_path, _edited({(6, "service_distance_km"): -3}), params)
    assert "row 8, column 'service_distance_km'" in msg
    assert "'-3' is outside the valid range [0, 5000]" in msg


def test_open_upper_range(tmp_path: Path, params: Params) -> None:
    # it_budget valid_range [0, null]: any large value is fine, a negative one is not
    c = _validate_csv(tmp_path, _edited({(0, "it_budget"): 1e7}), params).customers
    assert c.loc["C1", "it_budget"] == 1e7
    msg = _error(tmp_path, _edited({(0, "it_budget"): -5}), params)
    assert "row 2, column 'it_budget': '-5' is below 0" in msg


def test_unknown_need_status(tmp_path: Path, params: Params) -> None:
    msg = _error(tmp_path, _edited({(7, "need_status"): "maybe"}), params)
    assert "row 9, column 'need_status': 'maybe' is not a known need status" in msg


def test_need_status_case_and_space_normalised(tmp_path: Path, params: Params) -> None:
    c = _validate_csv(tmp_path, _edited({(0, "need_status"): " Target "}), params).customers
    assert c.loc["C1", "need_status"] == "target"


def test_negative_months_refused(tmp_path: Path, params: Params) -> None:
    msg = _error(tmp_path, _edited({(1, "expected_months_to_close"): -1}), params)
    assert "row 3, column 'expected_months_to_close'" in msg


def test_empty_id_reported(tmp_path: Path, params: Params) -> None:
    msg = _error(tmp_path, _edited({(3, "customer_id"): None}), params)
    assert "row 5, column 'customer_id': value is empty" in msg


def test_several_problems_in_one_message(tmp_path: Path, params: Params) -> None:
    df = _edited(
        {
            (0, "it_budget"): "abc",
            (1, "credit_grade"): "Z",
            (2, "segment"): "aerospace",
            (3, "need_status"): "maybe",
            (4, "payment_days"): 9999,
        }
    )
    msg = _error(tmp_path, df, params)
    assert "5 problem(s)" in msg
    for needle in (
        "row 2, column 'it_budget'",
        "row 3, column 'credit_grade'",
        "row 4, column 'segment'",
        "row 5, column 'need_status'",
        "row 6, column 'payment_days'",
    ):
        assert needle in msg


def test_many_rows_listed_with_a_count(tmp_path: Path, params: Params) -> None:
    df = pd.concat([tiny_frame().astype(object)] * 2, ignore_index=True)
    df["customer_id"] = [f"X{i}" for i in range(len(df))]
    df["growth"] = "n/a?"
    msg = _error(tmp_path, df, params)
    # 16 bad rows: the first 8 listed, then "and 8 more"
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9 and 8 more, column 'growth'" in msg


# --------------------------------------------------------------------------- claims
def _two_claims(gov_changes: dict[str, object] | None = None, gov_first: bool = False) -> pd.DataFrame:
    """C2 (finance) is also proposed by government (listed before finance in run.yaml)."""
    df = tiny_frame().astype(object)
    extra = df.iloc[[1]].copy()
    extra["segment"] = "government"
    for k, v in (gov_changes or {}).items():
        extra[k] = v
    parts = [extra, df] if gov_first else [df, extra]
    return pd.concat(parts, ignore_index=True)


def test_most_complete_claim_wins(tmp_path: Path, params: Params) -> None:
    # the government claim lacks two values (0.8) against the finance claim's 1.0
    df = _two_claims({"growth": None, "payment_days": None})
    res = _validate_csv(tmp_path, df, params)
    claims = res.claims
    assert claims["segment"].tolist() == ["finance", "government"]
    assert claims["source_row"].tolist() == [3, 10]
    assert claims["completeness"].tolist() == [1.0, 0.8]
    assert claims["kept"].tolist() == [True, False]
    assert set(claims["kept_segment"]) == {"finance"}
    assert set(claims["rule"]) == {"most_complete"}
    assert res.customers.loc["C2", "segment"] == "finance"
    assert res.customers.loc["C2", "claimed_by"] == "finance;government"
    assert res.customers.index.is_unique and len(res.customers) == 8
    ex = res.excluded.set_index("source_row")
    assert ex.loc[10, "customer_id"] == "C2" and ex.loc[10, "segment"] == "government"
    assert "several segments" in ex.loc[10, "reason"]


def test_most_complete_tie_goes_to_first_segment_in_run_order(tmp_path: Path, params: Params) -> None:
    # equally complete: government is listed before finance under `segments`
    res = _validate_csv(tmp_path, _two_claims(), params)
    assert res.customers.loc["C2", "segment"] == "government"
    kept = res.claims.set_index("segment")["kept"]
    assert kept["government"] and not kept["finance"]
    # the file order does not matter
    res2 = _validate_csv(tmp_path, _two_claims(gov_first=True), params)
    assert res2.customers.loc["C2", "segment"] == "government"


def test_segment_order_rule(params_dir: Path, tmp_path: Path) -> None:
    edit_yaml(params_dir / "run.yaml", lambda d: d["intake"].update(multi_segment_rule="segment_order"))
    params = load_params(params_dir)
    # government is less complete but comes first in run.yaml order
    df = _two_claims({"growth": None, "payment_days": None})
    res = _validate_csv(tmp_path, df, params)
    assert res.customers.loc["C2", "segment"] == "government"
    assert res.customers.loc["C2", "completeness"] == pytest.approx(0.8)
    assert set(res.claims["rule"]) == {"segment_order"}


def test_segment_order_follows_run_yaml_not_alphabet(params_dir: Path, tmp_path: Path) -> None:
    def reorder(d: dict) -> None:
        segs = d["segments"]
        d["segments"] = {"finance": segs["finance"], **{k: v for k, v in segs.items() if k != "finance"}}
        d["intake"]["multi_segment_rule"] = "segment_order"

    edit_yaml(params_dir / "run.yaml", reorder)
    res = _validate_csv(tmp_path, _two_claims(), load_params(params_dir))
    assert res.customers.loc["C2", "segment"] == "finance"


# --------------------------------------------------------------------------- completeness
def test_customers_below_min_completeness_excluded(tmp_path: Path, params: Params) -> None:
    # C3: 4 of 10 criteria filled (0.4 < 0.5) → excluded; C8: exactly 5 of 10 → kept
    df = _edited(
        {
            **{(2, c): None for c in CRITERIA[:6]},
            **{(7, c): None for c in CRITERIA[:5]},
        }
    )
    res = _validate_csv(tmp_path, df, params)
    assert "C3" not in res.customers.index
    assert "C8" in res.customers.index
    assert res.customers.loc["C8", "completeness"] == pytest.approx(0.5)
    assert "C3" in res.proposed.index and res.proposed.loc["C3", "completeness"] == pytest.approx(0.4)
    ex = res.excluded
    assert ex["customer_id"].tolist() == ["C3"]
    assert ex["source_row"].tolist() == [4]
    assert "completeness below 50%" in ex["reason"].iloc[0]


def test_completeness_by_hand() -> None:
    df = pd.DataFrame(
        {
            "seg": ["a", "a", "a", "b", "b"],
            "x": [1.0, np.nan, 3.0, 4.0, 5.0],
            "y": [np.nan, np.nan, 1.0, 2.0, np.nan],
        }
    )
    out = completeness(df, ["x", "y"], "seg")
    # x: a 2/3, b 2/2, all 4/5; y: a 1/3, b 1/2, all 2/5
    assert out.loc["a", "x"] == pytest.approx(0.6667)
    assert out.loc["b", "x"] == 1.0
    assert out.loc["all", "x"] == pytest.approx(0.8)
    assert out.loc["a", "y"] == pytest.approx(0.3333)
    assert out.loc["b", "y"] == 0.5
    assert out.loc["all", "y"] == pytest.approx(0.4)
    assert out["customers"].tolist() == [3, 2, 5]
    # rows with both filled: a → row 3 only (1/3); b → row 4 only (1/2); all 2/5
    assert out["complete_rows"].tolist() == pytest.approx([0.3333, 0.5, 0.4])
    assert list(out.index) == ["a", "b", "all"]


def test_data_quality_tables(tmp_path: Path, params: Params) -> None:
    res = _validate_csv(tmp_path, tiny_frame(), params)
    dq = data_quality(res, params)
    crit = dq["completeness_by_criterion"].set_index("criterion")
    # deal_size missing for C4 only; relationship_strength for C5; credit for C7
    assert crit.loc["deal_size", "missing"] == 1
    assert crit.loc["deal_size", "missing_share"] == pytest.approx(0.125)
    assert crit.loc["it_budget", "missing"] == 0
    assert crit.loc["credit_grade", "missing_policy"] == "worst"
    assert crit.loc["growth", "missing_policy"] == "segment_median"
    seg = dq["completeness_by_segment"].set_index("segment")
    # government: C1, C4, C7 — deal_size filled for 2 of 3
    assert seg.loc["government", "deal_size"] == pytest.approx(0.6667)
    assert seg.loc["government", "customers"] == 3


def test_messages_contain_no_python_noise(tmp_path: Path, params: Params) -> None:
    msg = _error(tmp_path, _edited({(0, "it_budget"): "abc"}), params)
    assert not re.search(r"Traceback|dtype|Series", msg)


# --------------------------------------------------------------------------- hostile lists (issue 11)
def test_header_only_list_refused(tmp_path: Path, params: Params) -> None:
    msg = _error(tmp_path, tiny_frame().head(0), params)
    assert msg == f"{tmp_path / 'list.csv'}: the preliminary list has no customer rows (only a header)"


def test_column_empty_for_every_customer_refused_naming_it(tmp_path: Path, params: Params) -> None:
    msg = _error(tmp_path, _edited({(i, "deal_size"): None for i in range(8)}), params)
    assert "column 'deal_size': is empty for every customer" in msg
    assert "column 'growth'" not in msg


def test_empty_optional_column_is_fine(tmp_path: Path, params: Params) -> None:
    res = _validate_csv(tmp_path, _edited({(i, "region"): None for i in range(8)}), params)
    assert len(res.customers) == 8


@pytest.mark.parametrize(
    ("column", "value", "what"),
    [("region", "atlantis", "region"), ("pipeline_stage", "maybe_later", "pipeline stage")],
)
def test_unknown_region_or_stage_refused_naming_row(
    tmp_path: Path, params: Params, column: str, value: str, what: str
) -> None:
    msg = _error(tmp_path, _edited({(2, column): value}), params)
    assert f"row 4, column '{column}': '{value}' is not a known {what}" in msg


def test_region_and_stage_case_ignored_and_configurable(params_dir: Path, tmp_path: Path) -> None:
    df = _edited({(0, "region"): "North", (0, "pipeline_stage"): " CLOSED "})
    res = _validate_csv(tmp_path, df, load_params(params_dir))
    assert res.customers.loc["C1", ["region", "pipeline_stage"]].tolist() == ["north", "closed"]
    edit_yaml(params_dir / "run.yaml", lambda d: d["intake"].update(regions=["华北", "华东"]))
    msg = _error(tmp_path, tiny_frame(), load_params(params_dir))
    assert "column 'region'" in msg and "(expected one of 华北, 华东)" in msg


def test_unknown_owner_refused_naming_the_owner_list(tmp_path: Path, params: Params) -> None:
    from prioanalysis.inputs.owners import read_owners
    from tests.conftest import ROOT

    owners = read_owners(ROOT / "data" / "sample" / "owners.csv")
    df = read_table(_write_csv(tmp_path / "list.csv", _edited({(0, "owner_id"): "O999"})))
    with pytest.raises(InputError) as exc:
        validate_preliminary(df, params, owners=owners)
    assert "row 2, column 'owner_id': 'O999' is not an owner in" in str(exc.value) and "owners.csv" in str(exc.value)
    assert len(validate_preliminary(df, params).customers) == 8  # without the owner list: not checked


def test_conflicting_claims_refused_naming_customer_rows_and_columns(tmp_path: Path, params: Params) -> None:
    df = _two_claims({"region": "south", "credit_grade": "CCC"})
    msg = _error(tmp_path, df, params)
    assert "1 customer(s) proposed by several segments whose claims disagree" in msg
    assert "customer 'C2', rows 3 (finance), 10 (government)" in msg
    assert "column 'region': 'east' vs 'south'" in msg
    assert "column 'credit_grade': 'AA' vs 'CCC'" in msg
    assert "intake.conflicting_facts: resolve" in msg


def test_a_value_one_claim_lacks_is_not_a_conflict(tmp_path: Path, params: Params) -> None:
    res = _validate_csv(tmp_path, _two_claims({"growth": None, "payment_days": None}), params)
    assert res.claims["conflicts"].tolist() == ["", ""]


def test_conflicting_claims_resolved_when_asked_and_listed(params_dir: Path, tmp_path: Path) -> None:
    edit_yaml(params_dir / "run.yaml", lambda d: d["intake"].update(conflicting_facts="resolve"))
    res = _validate_csv(tmp_path, _two_claims({"deal_size": 12345.0, "need_status": "dead"}), load_params(params_dir))
    assert res.claims["conflicts"].tolist() == ["deal_size, need_status"] * 2
    assert res.customers.loc["C2", "segment"] == "government"  # the rule's choice (tie → first in run.yaml)
