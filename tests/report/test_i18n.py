"""The message catalog: complete in both languages, and every key the code uses exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from prioanalysis.report import i18n

ROOT = Path(__file__).resolve().parents[2]
#: literal keys passed to t(...) / i18n.t(...) in the package and the notebooks
_USE = re.compile(r"""\bt\(\s*["']([a-z0-9_]+(?:\.[A-Za-z0-9_\-]+)+)["']""")


def _sources() -> list[tuple[str, str]]:
    out = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in (ROOT / "prioanalysis").rglob("*.py")]
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        out.append((nb.name, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")))
    return out


def test_catalog_loads_complete_in_both_languages() -> None:
    cat = i18n.catalog()
    assert cat, "the catalog is empty"
    for key, entry in cat.items():
        assert set(entry) == set(i18n.LANGUAGES), key
        assert all(text.strip() for text in entry.values()), key


def test_every_literal_key_used_exists() -> None:
    cat = i18n.catalog()
    missing = sorted({f"{where}: {key}" for where, text in _sources() for key in _USE.findall(text) if key not in cat})
    assert not missing, "keys used without a catalog entry:\n" + "\n".join(missing)


def test_no_markdown_cells_with_reader_prose_in_notebooks() -> None:
    """Reader-visible prose comes from the catalog, so the report follows the language;
    markdown cells would be the same in both languages."""
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        prose = [c for c in cells if c["cell_type"] == "markdown" and "".join(c["source"]).strip()]
        assert not prose, f"{nb.name}: {len(prose)} markdown cells; use the catalog (pa.report.i18n.t)"


def test_missing_key_is_an_error_naming_the_file() -> None:
    with pytest.raises(i18n.MissingTranslation, match=r"catalog/nosuch\.yaml"):
        i18n.t("nosuch.key", "en")


def test_unknown_language_refused() -> None:
    with pytest.raises(ValueError, match="zh, en"):
        i18n.t("common.none", "fr")


def test_columns_and_values() -> None:
    frame = pd.DataFrame({"flag": [True, False]})
    with pytest.raises(i18n.MissingTranslation, match=r"col\.flag"):
        i18n.columns(frame, "zh")
    assert list(i18n.columns(frame, "zh", keep=["flag"]).columns) == ["flag"]
    assert i18n.values(frame["flag"], "yesno", "en").tolist() == ["yes", "no"]


def test_malformed_catalog_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "demo.yaml").write_text("demo.a:\n  zh: 共 {n} 家\n  en: '{count} customers'\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOG_DIR", tmp_path)
    i18n.catalog.cache_clear()
    try:
        with pytest.raises(ValueError, match="different placeholders"):
            i18n.catalog()
        (tmp_path / "demo.yaml").write_text("other.a:\n  zh: 甲\n  en: a\n", encoding="utf-8")
        with pytest.raises(ValueError, match="file name"):
            i18n.catalog()
        (tmp_path / "demo.yaml").write_text("demo.a:\n  zh: 甲\n", encoding="utf-8")
        with pytest.raises(ValueError, match="exactly the languages"):
            i18n.catalog()
    finally:
        i18n.catalog.cache_clear()
