"""Tests of prioanalysis.config.inquiries (inquiries.yaml) and of the default
vocabularies in prioanalysis.config.vocabularies."""

from __future__ import annotations

from pathlib import Path

import pytest

from prioanalysis.config import vocabularies
from prioanalysis.config.inquiries import DEFAULT_VOCABULARY, InquiryParams, load_inquiry_params
from prioanalysis.errors import ParamsError
from tests.conftest import ROOT, read_yaml, write_yaml

INQ_YAML = ROOT / "params" / "2026" / "inquiries.yaml"


def test_inquiries_yaml_loads_with_source_benchmarks() -> None:
    p = load_inquiry_params(INQ_YAML)
    assert p.first_response.sla_hours == 8
    assert [b.benchmark_share for b in p.follow_up_buckets] == [0.02, 0.03, 0.05, 0.10, 0.80]
    assert p.follow_up_buckets[-1].max is None
    assert p.propose_decision in p.decisions


def test_inquiries_yaml_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    doc = read_yaml(INQ_YAML)
    doc["first_response"]["sla_hour"] = 4
    path = write_yaml(tmp_path / "inquiries.yaml", doc)
    with pytest.raises(ParamsError, match=r"(?s)inquiries\.yaml.*first_response\.sla_hour: unknown key"):
        load_inquiry_params(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["follow_up_buckets"].__setitem__(1, {"label": "x", "min": 2, "max": 2}), "contiguous"),
        (lambda d: d.__setitem__("propose_decision", "adopt"), "not one of the decisions"),
        (lambda d: d["follow_up_buckets"][0].__setitem__("benchmark_share", 0.5), "sum to"),
        (lambda d: d["first_response"].__setitem__("quantiles", [0.9, 0.5]), "increasing quantiles"),
    ],
)
def test_inquiries_yaml_inconsistent_values_refused(tmp_path: Path, change, message: str) -> None:
    doc = read_yaml(INQ_YAML)
    change(doc)
    path = write_yaml(tmp_path / "inquiries.yaml", doc)
    with pytest.raises(ParamsError, match=message):
        load_inquiry_params(path)


def test_the_sample_yaml_uses_the_default_words() -> None:
    """The bundled inquiries.yaml lists exactly the default channels and decisions
    (the sample's inquiry log is drawn from them)."""
    v = load_inquiry_params(INQ_YAML).vocabulary
    assert v.channels == vocabularies.DEFAULT_CHANNELS
    assert v.decisions == vocabularies.DEFAULT_DECISIONS
    assert (v.need_categories, v.regions) == (vocabularies.DEFAULT_NEED_CATEGORIES, vocabularies.DEFAULT_REGIONS)


def test_configured_words_replace_the_defaults(tmp_path: Path) -> None:
    doc = read_yaml(INQ_YAML)
    doc["channels"] = {**doc["channels"], "wechat": "微信"}
    doc["decisions"] = {"wait": "等待", **doc["decisions"]}
    doc["regions"] = {"overseas": "海外"}
    v = load_inquiry_params(write_yaml(tmp_path / "inquiries.yaml", doc)).vocabulary
    assert v.channels[-1] == "wechat" and v.decisions[0] == "wait"
    assert v.regions == ("overseas",)
    assert v.need_categories == vocabularies.DEFAULT_NEED_CATEGORIES  # left out: the default


def test_lists_left_out_fall_back_to_the_defaults() -> None:
    p = InquiryParams.model_validate(
        {
            "version": "x",
            "first_response": {"sla_hours": 8},
            "decisions": {"propose_target": "p"},
            "follow_up_buckets": [{"label": "all", "min": 0}],
        }
    )
    v = p.vocabulary
    assert v.channels == DEFAULT_VOCABULARY.channels == vocabularies.DEFAULT_CHANNELS
    assert v.decisions == ("propose_target",)


def test_vocabularies_are_the_samples() -> None:
    """One home for each default: the sample generator draws from the same words."""
    from prioanalysis import sample

    assert tuple(sample.CHANNELS) == vocabularies.DEFAULT_CHANNELS
    assert tuple(sample.DECISIONS) == vocabularies.DEFAULT_DECISIONS
    assert tuple(sample.NEED_CATEGORIES) == vocabularies.DEFAULT_NEED_CATEGORIES
    assert tuple(sample.REGIONS) == vocabularies.DEFAULT_REGIONS
    assert set(sample.SEGMENTS) == set(vocabularies.DEFAULT_SEGMENTS)


def test_inquiries_yaml_top_level_typo_names_the_key(tmp_path: Path) -> None:
    doc = read_yaml(INQ_YAML)
    doc["follow_up_bucket"] = doc.pop("follow_up_buckets")
    path = write_yaml(tmp_path / "inquiries.yaml", doc)
    with pytest.raises(ParamsError) as exc:
        load_inquiry_params(path)
    msg = str(exc.value)
    assert "inquiries.yaml" in msg and "follow_up_bucket: unknown key" in msg and "follow_up_buckets" in msg


def test_inquiries_yaml_repeated_key_refused(tmp_path: Path) -> None:
    text = INQ_YAML.read_text(encoding="utf-8").replace("  sla_hours:", "  sla_hours: 99\n  sla_hours:", 1)
    path = tmp_path / "inquiries.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError, match=r"inquiries\.yaml: key 'first_response\.sla_hours' is given twice"):
        load_inquiry_params(path)


# ------------------------------------------------------------------ follow-up management, labels
def test_follow_up_management_and_list_additions_defaults() -> None:
    p = load_inquiry_params(INQ_YAML)
    fm = p.follow_up_management
    assert (fm.overdue_days, fm.benchmark_depth) == (14, 4)
    assert p.open_decisions == ["follow_up", "propose_target"]
    assert p.accept_decision == "propose_target" and p.list_additions.need_status == "target"
    # a file without the sections takes the documented defaults
    bare = InquiryParams.model_validate(
        {
            "version": "x",
            "first_response": {"sla_hours": 8},
            "decisions": {"decline": "d", "follow_up": "f", "propose_target": "p"},
            "follow_up_buckets": [{"label": "all", "min": 0}],
        }
    )
    assert bare.follow_up_management.overdue_days == 14 and bare.follow_up_management.benchmark_depth == 4
    assert bare.open_decisions == ["follow_up", "propose_target"] and bare.accept_decision == "propose_target"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["follow_up_management"].__setitem__("overdue_days", 0), r"follow_up_management\.overdue_days"),
        (lambda d: d["follow_up_management"].__setitem__("benchmark_depth", "four"), "benchmark_depth"),
        (lambda d: d["follow_up_management"].__setitem__("open_decisions", ["chase"]), "not among the decisions"),
        (lambda d: d["follow_up_management"].__setitem__("overdue_day", 3), "unknown key"),
        (lambda d: d["list_additions"].__setitem__("decision", "adopt"), "list_additions.decision 'adopt'"),
    ],
)
def test_follow_up_management_errors_name_the_key(tmp_path: Path, change, message) -> None:
    doc = read_yaml(INQ_YAML)
    change(doc)
    with pytest.raises(ParamsError, match=message):
        load_inquiry_params(write_yaml(tmp_path / "inquiries.yaml", doc))


def test_labels_per_language(tmp_path: Path) -> None:
    p = load_inquiry_params(INQ_YAML)
    assert p.labels("decisions", "zh")["decline"] == "婉拒" and p.labels("decisions", "en")["decline"] == "Declined"
    assert list(p.labels("channels", "en")) == list(p.channels)  # file order kept
    assert p.bucket_labels("en")[-1] == "4th and later" and p.bucket_labels("zh")[0] == "首次接触即成交"
    doc = read_yaml(INQ_YAML)
    doc["decisions"]["decline"] = {"zh": "婉拒"}  # a language missing
    with pytest.raises(ParamsError, match=r"decisions\.decline"):
        load_inquiry_params(write_yaml(tmp_path / "inquiries.yaml", doc))
