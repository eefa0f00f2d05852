"""Tests of prioanalysis.config.yamlfile: the one YAML reader (repeated keys, aliases,
encodings, bounded messages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prioanalysis.config import yamlfile
from prioanalysis.config.yamlfile import MAX_NODES, parse_yaml, read_yaml, shown
from prioanalysis.errors import ParamsError


def _refused(text: str, source: str = "f.yaml") -> str:
    with pytest.raises(ParamsError) as exc:
        parse_yaml(text, source)
    return str(exc.value)


# --------------------------------------------------------------------------- repeated keys
def test_repeated_key_names_path_and_both_lines() -> None:
    text = (
        "criteria:\n  - id: a\n    weight: 1\n  - id: b\n    direction: benefit\n    weight: 0\n    direction: cost\n"
    )
    msg = _refused(text, "criteria.yaml")
    assert msg.startswith("criteria.yaml: ")
    assert "'criteria[1].direction'" in msg and "lines 5 and 7" in msg


def test_repeated_top_level_key() -> None:
    msg = _refused("year: 2026\nbu: x\nyear: 2025\n", "run.yaml")
    assert "run.yaml: key 'year' is given twice (lines 1 and 3)" in msg


def test_repeated_key_in_a_flow_mapping_and_quoted_spelling() -> None:
    assert "'a.c.d'" in _refused("a:\n  c: {d: 1, d: 2}\n")
    assert "'k'" in _refused("k: 1\n'k': 2\n")


def test_same_key_in_different_mappings_is_fine_and_merge_keys_may_be_overridden() -> None:
    assert parse_yaml("a: {x: 1}\nb: {x: 2}\n", "f") == {"a": {"x": 1}, "b": {"x": 2}}
    doc = parse_yaml("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\n", "f")
    assert doc["c"] == {"x": 3, "y": 2}


# --------------------------------------------------------------------------- aliases
def test_alias_bomb_of_one_kilobyte_gives_a_short_message() -> None:
    """The "billion laughs": nine aliases per level, seven levels ≈ 4.8 million items."""
    levels = ["l0: &l0 [" + ", ".join(["lol"] * 9) + "]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 8)]
    text = "\n".join(levels) + "\n"
    assert len(text) < 1100
    msg = _refused(text, "run.yaml")
    assert msg.startswith("run.yaml: ") and "alias" in msg and len(msg) < 300


def test_small_aliases_are_accepted() -> None:
    doc = parse_yaml("a: &x [1, 2]\nb: *x\nc: *x\n", "f")
    assert doc == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_aliases_just_under_the_budget_pass_and_over_it_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfile, "MAX_NODES", 30)
    parse_yaml("a: &x [1, 2, 3, 4]\nb: [*x, *x, *x, *x]\n", "f")  # 29 nodes once expanded
    with pytest.raises(ParamsError, match="expand to more than 30"):
        parse_yaml("a: &x [1, 2, 3, 4]\nb: [*x, *x, *x, *x, *x, *x]\n", "f")
    assert MAX_NODES >= 10_000  # real parameter files have a few hundred nodes


def test_self_referencing_alias_is_refused() -> None:
    assert "refers to the value that holds it" in _refused("a: &a [1, *a]\n")


def test_deep_nesting_is_a_clean_error() -> None:
    msg = _refused("[" * 3000 + "]" * 3000)
    assert msg.startswith("f.yaml: ") and "nested" in msg


# --------------------------------------------------------------------------- encodings
def test_utf8_with_and_without_bom(tmp_path: Path) -> None:
    text = "bu: IT硬件与服务事业部\n"
    (tmp_path / "a.yaml").write_bytes(text.encode("utf-8"))
    (tmp_path / "b.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_yaml(tmp_path / "a.yaml") == read_yaml(tmp_path / "b.yaml") == {"bu": "IT硬件与服务事业部"}


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "latin-1"])
def test_other_encodings_refused_naming_the_file_and_line(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "criteria.yaml"
    text = "version: x\nlabel: ä\n" if encoding == "latin-1" else "version: x\nlabel: 政府\n"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(ParamsError) as exc:
        read_yaml(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: not UTF-8 text") and "line 2" in msg and "save it as UTF-8" in msg


def test_utf16_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_bytes("year: 2026\n".encode("utf-16"))
    with pytest.raises(ParamsError, match=r"run\.yaml: not UTF-8 text \(UTF-16"):
        read_yaml(path)


def test_control_characters_and_syntax_errors_name_the_line(tmp_path: Path) -> None:
    assert "line 2" in _refused("a: 1\nb: x\x00y\n") and "control character" in _refused("a: 1\nb: x\x00y\n")
    msg = _refused("a: 1\nb: [1, 2\n")
    assert msg.startswith("f.yaml: not valid YAML (line") and len(msg) < 300


def test_python_tags_are_refused() -> None:
    assert "not valid YAML" in _refused("x: !!python/object/apply:os.system ['true']\n")


def test_missing_and_oversized_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ParamsError, match=r"nothing\.yaml: cannot read the judgements file: file not found"):
        read_yaml(tmp_path / "nothing.yaml", "judgements file")
    monkeypatch.setattr(yamlfile, "MAX_BYTES", 10)
    (tmp_path / "big.yaml").write_text("a: 12345678901234567890\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="too large"):
        read_yaml(tmp_path / "big.yaml")


# --------------------------------------------------------------------------- messages
def test_shown_is_bounded_for_huge_values() -> None:
    huge = [["x" * 1000] * 1000] * 1000
    assert len(shown(huge)) <= yamlfile.MAX_SHOWN
    assert shown("abc") == "'abc'"
