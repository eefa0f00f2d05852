"""The database imports a table by the same rules, with the same messages, as the file
readers of prioanalysis.inputs; vocabularies and criteria come from the parameters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from prioanalysis.config.inquiries import load_inquiry_params
from prioanalysis.config.params import load_params
from prioanalysis.errors import InputError
from prioanalysis.inputs.inquiries import read_inquiries
from prioanalysis.inputs.outcomes import read_outcomes
from prioanalysis.inputs.owners import read_owners
from prioanalysis.inputs.preliminary import validate_preliminary
from prioanalysis.inputs.tables import read_table
from prioanalysis.steps.ranking import rank_customers
from prioanalysis.store import database as store
from tests.conftest import edit_yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


def _problems(exc: BaseException) -> list[str]:
    return [line.strip() for line in str(exc).splitlines()[1:]]


def _both(read, path: Path, engine: sa.Engine, kind: str, **kw) -> tuple[InputError, InputError]:
    with pytest.raises(InputError) as by_file:
        read(path)
    with pytest.raises(InputError) as by_db:
        store.import_table(engine, kind, path, **kw)
    return by_file.value, by_db.value


def test_preliminary_list_same_rules(engine: sa.Engine, tmp_path: Path) -> None:
    params = load_params(ROOT / "params" / "2026")
    df = pd.read_csv(SAMPLE / "preliminary_2026.csv", dtype=str, keep_default_na=False).head(50)
    df.loc[3, "credit_grade"] = "AAAA"
    df.loc[4, "segment"] = "aerospace"
    df.loc[5, "service_distance_km"] = "9000"
    df.loc[6, "need_status"] = "maybe"
    df.loc[7, "customer_name"] = "另一个名字"
    df.loc[8, "customer_id"] = df.loc[7, "customer_id"]
    p = tmp_path / "preliminary_2026.csv"
    df.to_csv(p, index=False)
    by_file, by_db = _both(lambda x: validate_preliminary(read_table(x), params), p, engine, "customers", params=params)
    assert str(by_file) == str(by_db)
    assert "row 6, column 'segment': 'aerospace' is not a known segment" in str(by_db)
    assert "column 'customer_name': the same customer_id has different values on different rows" in str(by_db)
    assert store.table_counts(engine)["list_snapshots"] == 0


def test_outcomes_same_rules_duplicates_refused(engine: sa.Engine, tmp_path: Path) -> None:
    store.import_table(engine, "customers", SAMPLE / "preliminary_2025.csv")
    df = pd.read_csv(SAMPLE / "outcomes_2025.csv", dtype=str, keep_default_na=False).head(20)
    df.loc[5, "customer_id"] = df.loc[4, "customer_id"]
    df.loc[6, "won"] = "yes"
    df.loc[7, "revenue"] = "-3"
    p = tmp_path / "outcomes_2025.csv"
    df.to_csv(p, index=False)
    by_file, by_db = _both(read_outcomes, p, engine, "outcomes")
    assert str(by_file) == str(by_db)
    assert "rows 6, 7, column 'customer_id': listed more than once" in str(by_db)


def test_owners_same_rules(engine: sa.Engine, tmp_path: Path) -> None:
    df = pd.read_csv(SAMPLE / "owners.csv", dtype=str).head(6)
    df.loc[2, "capacity_key"] = "lots"
    df.loc[3, "owner_name"] = None
    p = tmp_path / "owners.csv"
    df.to_csv(p, index=False)
    by_file, by_db = _both(read_owners, p, engine, "owners")
    assert str(by_file) == str(by_db) and "row 4, column 'capacity_key': 'lots' is not a whole number" in str(by_db)


def test_inquiry_log_same_rules(engine: sa.Engine, tmp_path: Path) -> None:
    df = pd.read_csv(SAMPLE / "inquiries_2025.csv", dtype=str, keep_default_na=False).head(20)
    df.loc[3, "date"] = "2025-02-30"
    df.loc[4, "channel"] = "fax"
    df.loc[5, "decision"] = "adopt"
    df.loc[6, "need_category"] = "robots"
    p = tmp_path / "inquiries_2025.csv"
    df.to_csv(p, index=False)
    params = load_params(ROOT / "params" / "2026")
    ip = load_inquiry_params(ROOT / "params" / "2026" / "inquiries.yaml")
    by_file, by_db = _both(
        lambda x: read_inquiries(x, ip, list(params.run.segments)), p, engine, "inquiries", params=params
    )
    assert str(by_file) == str(by_db)
    assert "row 6, column 'channel': 'fax' is not a known channel" in str(by_db)


def test_a_channel_added_to_inquiries_yaml_is_accepted(engine: sa.Engine, tmp_path: Path) -> None:
    """The database refused a channel inquiries.yaml adds; now the yaml decides."""
    pdir = tmp_path / "params" / "2026"
    shutil.copytree(ROOT / "params" / "2026", pdir)
    edit_yaml(pdir / "inquiries.yaml", lambda d: d["channels"].update(wechat="微信"))
    params = load_params(pdir)
    df = pd.read_csv(SAMPLE / "inquiries_2025.csv", dtype=str, keep_default_na=False).head(5)
    df.loc[0, "channel"] = "WeChat"
    p = tmp_path / "inquiries_2025.csv"
    df.to_csv(p, index=False)
    with pytest.raises(InputError, match="'WeChat' is not a known channel"):
        store.import_table(engine, "inquiries", p)  # the project's inquiries.yaml: no wechat
    rep = store.import_table(engine, "inquiries", p, params=params)
    assert rep.inserted == 5
    assert store.list_inquiries(engine).set_index("inquiry_id").loc[df.loc[0, "inquiry_id"], "channel"] == "wechat"
    qid = store.add_inquiry(
        engine, params=params, date="2025-06-01", channel="wechat", segment="finance", customer_name="微信客户"
    )
    with pytest.raises(InputError, match="field 'channel': 'wechat' is not a known channel"):
        store.add_inquiry(engine, date="2025-06-01", channel="wechat", segment="finance", customer_name="x")
    assert qid.startswith("Q2025-")


def test_a_new_criterion_needs_no_schema_change(engine: sa.Engine, tmp_path: Path) -> None:
    """A criterion added to criteria.yaml: its column is imported, stored and ranked
    from the database like the others, without a migration."""
    pdir = tmp_path / "params" / "2026"
    shutil.copytree(ROOT / "params" / "2026", pdir)

    def add(doc: dict) -> None:
        doc["criteria"].append(
            {
                "id": "digital_maturity",
                "label": "数字化成熟度",
                "family": "attractiveness",
                "direction": "benefit",
                "scale": "rating_1_5",
                "weight": 0.0,
            }
        )
        doc["criteria"].append(
            {
                "id": "cloud_share",
                "label": "云支出占比",
                "family": "feasibility",
                "direction": "benefit",
                "valid_range": [0, 1],
                "weight": 0.0,
            }
        )

    edit_yaml(pdir / "criteria.yaml", add)
    params = load_params(pdir)
    df = pd.read_csv(SAMPLE / "preliminary_2026.csv", dtype=str, keep_default_na=False).head(400)
    # one value per customer (a customer proposed by several segments has the same facts)
    num = [int(c[1:]) for c in df["customer_id"]]
    df.insert(8, "digital_maturity", [str(1 + i % 5) if i % 7 else "" for i in num])
    df["cloud_share"] = [f"{(i % 10) / 10:.1f}" for i in num]
    p = tmp_path / "preliminary_2026.csv"
    df.to_csv(p, index=False)
    before = {t: [c["name"] for c in sa.inspect(engine).get_columns(t)] for t in ("customer_facts", "list_snapshots")}
    store.import_table(engine, "customers", p, params=params)
    assert {t: [c["name"] for c in sa.inspect(engine).get_columns(t)] for t in before} == before
    stored = store.load_preliminary(engine, 2026)
    assert list(stored.columns) == list(df.columns)  # the new columns where the file had them
    want = pd.to_numeric(df["digital_maturity"]).astype("Int64")
    assert stored["digital_maturity"].astype("Int64").equals(want) and want.isna().any() and want.notna().any()
    from_file = rank_customers(validate_preliminary(read_table(p), params), params).target_list
    from_db = rank_customers(validate_preliminary(stored, params), params).target_list
    pd.testing.assert_frame_equal(
        from_file.drop(columns="source_row").reset_index(drop=True),
        from_db.drop(columns="source_row").reset_index(drop=True),
        check_dtype=False,
    )
    with engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count())
            .select_from(store.customer_facts)
            .where(store.customer_facts.c.fact == "cloud_share")
        ).scalar_one()
        kinds = (
            conn.execute(
                sa.select(store.customer_facts.c.value_num.is_(None))
                .where(store.customer_facts.c.fact == "cloud_share")
                .distinct()
            )
            .scalars()
            .all()
        )
    assert n == len(df) and kinds == [False]  # stored as numbers
    # the new criterion's rules apply at import ...
    bad = df.assign(cloud_share=["7", *df["cloud_share"].tolist()[1:]])
    bad.to_csv(p, index=False)
    with pytest.raises(InputError, match="row 2, column 'cloud_share': '7' is outside the valid range"):
        store.import_table(engine, "customers", p, params=params)
    # ... and a column no criterion names yet is kept as written, ready for next year's YAML
    df.assign(crm_code=["007"] * len(df)).to_csv(p, index=False)
    store.import_table(engine, "customers", p, params=params)
    assert store.load_preliminary(engine, 2026)["crm_code"].tolist() == ["007"] * len(df)


def test_a_list_needs_its_criteria(engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "preliminary_2031.csv"
    shutil.copy(SAMPLE / "preliminary_2026.csv", p)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=r"no params/2031 was found .*--params params/2031"):
        store.import_table(engine, "customers", p)


def test_cli_takes_the_vocabulary_of_params(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from prioanalysis.app import db_commands

    pdir = tmp_path / "params" / "2026"
    shutil.copytree(ROOT / "params" / "2026", pdir)
    edit_yaml(pdir / "inquiries.yaml", lambda d: d["channels"].update(wechat="微信"))
    monkeypatch.setenv(store.ENV_URL, db_url)
    add = [
        "inquiry",
        "add",
        "--date",
        "2025-06-01",
        "--channel",
        "wechat",
        "--segment",
        "finance",
        "--customer-name",
        "微信客户",
        "--fact",
        "it_budget=120",
    ]
    assert db_commands.main(add) == 2
    assert "field 'channel': 'wechat' is not a known channel" in capsys.readouterr().err
    assert db_commands.main([*add, "--params", str(pdir)]) == 0
    assert "Q2025-0001 logged" in capsys.readouterr().out
    assert db_commands.main([*add[:-2], "--fact", "colour=red", "--params", str(pdir)]) == 2
    assert "unknown field(s) colour" in capsys.readouterr().err
    engine = store.get_engine(db_url)
    try:
        got = store.list_inquiries(engine).iloc[0]
    finally:
        engine.dispose()
    assert (got["channel"], got["it_budget"]) == ("wechat", 120)
