"""Everything a reader sees, in the report's language (``run.yaml`` ``report.language``).

Reader-visible text — headings, prose, answer sentences, table headers, enum values,
figure legends, sheet names, slide titles — is never written in code. It lives in the
message catalog, ``prioanalysis/report/catalog/<area>.yaml``, one entry per message
with both languages::

    ranking.title:
      zh: 年度目标客户名单——排序
      en: Annual target customer list — ranking
    col.score:
      zh: 得分
      en: Score

Every key starts with its file's name up to the first ``_`` (``ranking.`` in
``ranking.yaml``, ``col.`` in ``col_review.yaml``); a key in two files is refused, so a
key has one home. Values are :meth:`str.format` templates; both languages must use the same
placeholders. A key that is missing, or missing a language, is an error — never a
silent fallback to the key or to the other language — so a report cannot ship with a
hole, and ``tests/report/test_i18n.py`` checks the whole catalog and every key the
package and the notebooks use.

Conventions of the keys:

* ``col.<column>`` — a table column header (:func:`columns`);
* ``<kind>.<value>`` for an enum value, e.g. ``reason.below_gate`` (:func:`values`);
* ``<area>.<name>`` for text of one report or module.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "LANGUAGES",
    "CATALOG_DIR",
    "MissingTranslation",
    "catalog",
    "has",
    "t",
    "columns",
    "values",
    "placeholders",
    "number",
    "percent",
]

#: The report languages; every catalog entry has all of them.
LANGUAGES: tuple[str, ...] = ("zh", "en")
#: Where the catalog files are.
CATALOG_DIR = Path(__file__).with_name("catalog")

_KEY = re.compile(r"^[a-z0-9_]+(\.[A-Za-z0-9_\-]+)+$")


class MissingTranslation(KeyError):
    """A reader-visible message has no entry in the catalog for the language."""

    def __str__(self) -> str:  # KeyError quotes its argument; the message reads better plain
        return str(self.args[0])


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """The whole message catalog: key → {language → template}.

    Returns
    -------
    dict
        Read once from ``catalog/*.yaml`` with the package's YAML reader (repeated
        keys are refused).

    Raises
    ------
    ValueError
        A malformed entry: a key not starting with its file's name, a key of the wrong
        form, a language missing or empty, a language not in :data:`LANGUAGES`,
        placeholders that differ between languages, or a key in two files.
    """
    from prioanalysis.config.yamlfile import read_yaml

    merged: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOG_DIR.glob("*.yaml")):
        data = read_yaml(path, what="message catalog") or {}
        if not isinstance(data, Mapping):
            raise ValueError(f"{path.name}: expected a mapping of message keys")
        for key, entry in data.items():
            where = f"{path.name}, key '{key}'"
            prefix = path.stem.split("_")[0]
            if not isinstance(key, str) or not _KEY.match(key) or not key.startswith(prefix + "."):
                raise ValueError(f"{where}: keys are '<file name>.<name>' in lower case (e.g. '{prefix}.title')")
            if key in merged:
                raise ValueError(f"{where}: the key is already in another catalog file")
            if not isinstance(entry, Mapping) or set(entry) != set(LANGUAGES):
                raise ValueError(f"{where}: needs exactly the languages {', '.join(LANGUAGES)}")
            texts = {}
            for lang in LANGUAGES:
                text = entry[lang]
                if not isinstance(text, str) or not text.strip():
                    raise ValueError(f"{where}: the '{lang}' text is empty")
                texts[lang] = text
            marks = {lang: placeholders(texts[lang]) for lang in LANGUAGES}
            if len({frozenset(m) for m in marks.values()}) != 1:
                raise ValueError(f"{where}: the languages use different placeholders {marks}")
            merged[key] = texts
    return merged


def placeholders(template: str) -> set[str]:
    """The ``{name}`` fields of a template.

    Examples
    --------
    >>> sorted(placeholders("{n} of {total:,} shown"))
    ['n', 'total']
    """
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"report language must be one of {', '.join(LANGUAGES)} (got {lang!r})")


def has(key: str) -> bool:
    """Whether the catalog has ``key``."""
    return key in catalog()


def t(key: str, lang: str, /, **fields: Any) -> str:
    """The message ``key`` in ``lang``, with its placeholders filled.

    Parameters
    ----------
    key : str
        Catalog key, e.g. ``"ranking.title"``.
    lang : {"zh", "en"}
        Report language.
    **fields
        Values of the template's placeholders.

    Returns
    -------
    str

    Raises
    ------
    MissingTranslation
        The key is not in the catalog.
    KeyError
        A placeholder was not given.

    Examples
    --------
    >>> t("common.shown_of", "en", shown=20, total=126)
    '20 of 126 shown'
    >>> t("common.shown_of", "zh", shown=20, total=126)
    '显示 126 条中的 20 条'
    """
    _check_lang(lang)
    entry = catalog().get(key)
    if entry is None:
        raise MissingTranslation(
            f"no translation for '{key}': add it to prioanalysis/report/catalog/{key.split('.')[0]}.yaml"
        )
    return entry[lang].format(**fields) if fields else entry[lang]


def columns(frame: pd.DataFrame, lang: str, /, *, keep: Iterable[str] = ()) -> pd.DataFrame:
    """``frame`` with its column headers (and index names) in the reader's language.

    Each column ``c`` is renamed to ``t("col.<c>", lang)``. Columns listed in
    ``keep`` — labels that already are reader text, such as a tier name or a segment
    label used as a column — are left as they are.

    Raises
    ------
    MissingTranslation
        A column (not in ``keep``) has no ``col.`` entry.
    """
    kept = set(map(str, keep))

    def label(name: Any) -> Any:
        if name is None or str(name) in kept:
            return name
        return t(f"col.{name}", lang)

    out = frame.rename(columns=label)
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_names([label(n) for n in out.index.names])
    elif out.index.name is not None:
        out.index = out.index.rename(label(out.index.name))
    return out


def values(series: pd.Series, kind: str, lang: str, /) -> pd.Series:
    """An enum column in the reader's language: each value ``v`` becomes
    ``t("<kind>.<v>", lang)``; missing values stay missing.

    Raises
    ------
    MissingTranslation
        A value has no entry.

    Examples
    --------
    >>> values(pd.Series([True, False, None]), "yesno", "zh").tolist()
    ['是', '否', None]
    """
    mapping: dict[Any, str] = {}
    for v in pd.unique(series.dropna()):
        mapping[v] = t(f"{kind}.{str(v).lower() if isinstance(v, (bool, np.bool_)) else v}", lang)
    return series.map(mapping).astype(object).where(series.notna(), None)


def number(value: float, lang: str, /, decimals: int = 0) -> str:
    """A number with thousands separators, e.g. ``12,345`` (both languages).

    Examples
    --------
    >>> number(12345.678, "zh", 1)
    '12,345.7'
    """
    _check_lang(lang)
    return f"{value:,.{decimals}f}"


def percent(value: float, lang: str, /, decimals: int = 0) -> str:
    """A share as a percentage, e.g. ``42%`` (both languages).

    Examples
    --------
    >>> percent(0.4249, "en", 1)
    '42.5%'
    """
    _check_lang(lang)
    return f"{value:.{decimals}%}"
