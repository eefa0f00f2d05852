"""Self-contained HTML pages of the run, and their PDF.

Every page the run writes — each notebook's report and the annual report — is one HTML
file that needs nothing else when opened: no script at all (nbconvert's require.js,
MathJax, mermaid and widget scripts are left out of the template), the figures as data
URIs, and the packaged CJK font (Noto Sans SC, :mod:`prioanalysis.report.fonts`)
embedded as a subset of just the characters the page shows (fontTools, WOFF in a
base64 ``@font-face``), so Chinese renders on a machine with no CJK font. The print
style sheet lays the page out on A4 landscape: headings kept with what follows, short
tables not split, long tables repeating their header, no scroll bars, page numbers.

:func:`write_pdf` prints a page with WeasyPrint. WeasyPrint needs the system libraries
Pango and HarfBuzz; where they are missing the PDF is not made and the returned
:class:`PdfOutcome` says why — the HTML is complete without it.
"""

from __future__ import annotations

import base64
import contextlib
import html as _html
import io
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

__all__ = [
    "EMBEDDED_FAMILY",
    "BASE_CSS",
    "PdfOutcome",
    "notebook_body",
    "clean_body",
    "visible_text",
    "font_face_css",
    "document",
    "export_notebook",
    "write_pdf",
]

#: Family name of the embedded font subset (first in every font stack).
EMBEDDED_FAMILY = "Report Sans SC"

#: Language codes of the ``<html lang>`` attribute.
_HTML_LANG = {"zh": "zh-Hans", "en": "en"}

#: Tables with at most this many body rows are kept on one page when printed.
KEEP_TOGETHER_ROWS = 25

# nbconvert's lab template, reduced to the cells: no <head> (written by document()),
# no scripts (require.js, MathJax, mermaid, widgets), no JavaScript outputs.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block header -%}{%- endblock header -%}
{%- block body_header -%}{%- endblock body_header -%}
{%- block body_footer -%}{%- endblock body_footer -%}
{%- block footer -%}{%- endblock footer -%}
{%- block data_javascript scoped -%}{%- endblock data_javascript -%}
{%- block data_widget_view scoped -%}{%- endblock data_widget_view -%}
"""

#: The style of every page: screen and print (A4 landscape). Layout only, no text.
BASE_CSS = """
:root { --ink: #1f2933; --muted: #52606d; --rule: #d9e2ec; --band: #f5f7fa; --accent: #1e5aa8; }
html { font-size: 14px; }
body { font-family: "__FAMILY__", "Noto Sans SC", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
       "Source Han Sans SC", sans-serif; color: var(--ink); line-height: 1.5; margin: 0 auto;
       max-width: 1320px; padding: 24px 32px; }
h1 { font-size: 1.9rem; margin: 0.2em 0 0.5em; }
h2 { font-size: 1.45rem; margin: 1.4em 0 0.5em; border-bottom: 2px solid var(--rule); padding-bottom: 0.15em; }
h3 { font-size: 1.2rem; margin: 1.2em 0 0.4em; }
h4 { font-size: 1.05rem; margin: 1em 0 0.3em; }
a { color: var(--accent); }
a.anchor-link { display: none; }
p { margin: 0.4em 0 0.7em; }
img { max-width: 100%; height: auto; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9rem; background: var(--band); padding: 8px; }
.jp-Cell { margin: 0; }
.jp-OutputArea-output { overflow-x: auto; }
.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"] pre { background: #fdecea; }
.jp-RenderedText pre .ansi-red-fg { color: #b42318; }
.jp-RenderedText pre .ansi-green-fg { color: #067647; }
.jp-RenderedText pre .ansi-cyan-fg, .jp-RenderedText pre .ansi-blue-fg { color: #175cd3; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.86rem; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--band); border-bottom: 2px solid #bcccdc; }
td { font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
section.report-section { break-before: page; page-break-before: always; }
@page { size: A4 landscape; margin: 14mm 12mm 16mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: #52606d; }
        @bottom-left { content: string(doctitle); font-size: 9pt; color: #52606d; } }
h1.doc-title { string-set: doctitle content(); }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  .jp-OutputArea-output, .table-wrap, div { overflow: visible !important; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  h1 + *, h2 + *, h3 + *, h4 + * { break-before: avoid; page-break-before: avoid; }
  table.keep-together, img, figure { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  img { max-height: 118mm; width: auto; max-width: 100%; }  /* a figure shares its page with its text */
  a { color: inherit; text-decoration: none; }
}
"""


@dataclass(frozen=True)
class PdfOutcome:
    """What :func:`write_pdf` did.

    Attributes
    ----------
    path : pathlib.Path or None
        The PDF written, or None when it could not be made.
    reason : str or None
        Why not (for the run's log and ``run.json``), else None.
    pages : int
        Pages of the PDF (0 when not made).
    seconds : float
        Time spent.
    """

    path: Path | None
    reason: str | None
    pages: int
    seconds: float


# --------------------------------------------------------------------------- notebook bodies
def notebook_body(notebook: Any) -> str:
    """The cells of an executed notebook as HTML, with no code, prompts or scripts.

    Parameters
    ----------
    notebook : str, pathlib.Path or nbformat.NotebookNode
        The executed notebook.

    Returns
    -------
    str
        The HTML of the outputs and markdown cells (nbconvert's lab template with the
        input cells left out, so a failed notebook still shows its error).
    """
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"prioanalysis_body.html.j2": _TEMPLATE})],
        template_file="prioanalysis_body.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*:)?//", re.IGNORECASE)


def clean_body(body: str, prefix: str = "") -> str:
    """A notebook body made safe to embed and print.

    Removes every ``<script>``, nbconvert's ``¶`` heading links, SVG metadata and
    comments (which carry web addresses), and anything that would load from the network
    (an external ``src``; an external link keeps its text but loses its address).
    With ``prefix``, every ``id`` and the ``#`` links to it are prefixed, so that
    several notebooks can share one document. Tables of at most
    :data:`KEEP_TOGETHER_ROWS` rows are marked to stay on one page when printed.

    Parameters
    ----------
    body : str
        HTML fragment.
    prefix : str
        Prefix of the ids, e.g. ``"s20_ranking-"``; empty: ids unchanged.

    Returns
    -------
    str
    """
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(body, "html.parser")
    for tag in soup.find_all(["script", "noscript", "iframe", "object", "embed", "link", "metadata"]):
        tag.decompose()
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    for a in soup.select("a.anchor-link"):
        a.decompose()
    for tag in soup.find_all(src=True):
        if _EXTERNAL.match(str(tag["src"])):
            tag.decompose()
    for a in soup.find_all("a", href=True):
        href = str(a["href"])
        if _EXTERNAL.match(href):
            a.unwrap()
        elif href.startswith("#") and len(href) > 1:  # nbconvert percent-encodes non-ASCII heading ids
            a["href"] = "#" + prefix + unquote(href[1:])
    for svg in soup.find_all("svg"):  # inline SVG needs no namespace declarations in HTML
        for attr in [k for k in svg.attrs if k == "xmlns" or k.startswith("xmlns:")]:
            del svg[attr]
    for tag in soup.find_all(id=True):
        tag["id"] = prefix + unquote(str(tag["id"]))
    for table in soup.find_all("table"):
        rows = table.find("tbody")
        n = len((rows or table).find_all("tr", recursive=False))
        if n <= KEEP_TOGETHER_ROWS:
            table["class"] = " ".join([*(c for c in table.get_attribute_list("class") if c), "keep-together"])
    return str(soup)


def visible_text(html: str) -> str:
    """Every character a reader can see in ``html`` (text and attribute text such as
    ``title`` and ``alt``), used to choose the glyphs of the font subset.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["style", "script"]):
        tag.decompose()
    extra = [str(tag[a]) for a in ("title", "alt", "aria-label") for tag in soup.find_all(attrs={a: True})]  # type: ignore[call-overload]
    return soup.get_text() + "".join(extra)


# --------------------------------------------------------------------------- the font subset
#: Characters always in the subset: printable ASCII, the page numbers' "/", the
#: typographic punctuation of both languages.
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "–—‘’“”…·•→←↑↓×÷±≤≥≈%‰、。，：；？！（）《》「」【】"


@lru_cache(maxsize=8)
def _subset_woff(chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from prioanalysis.report.fonts import font_path

    # WOFF (zlib), not WOFF2: Brotli at its fixed top quality takes ~2.5 s more per page
    # for a file only ~7 % smaller.
    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False  # CFF hints add size and nothing on screen or in a PDF
    options.name_IDs = ["*"]
    options.notdef_outline = True
    buf = io.BytesIO()
    with TTFont(font_path(), lazy=True) as font:  # closes the font file (no ResourceWarning)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        # the subset gets its own family name, so it never stands in for an installed Noto Sans SC
        for record in font["name"].names:
            if record.nameID in (1, 4, 16):
                record.string = EMBEDDED_FAMILY
        font.flavor = "woff"
        font.save(buf)
    return buf.getvalue()


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the packaged Noto Sans SC, subset to ``text``.

    Parameters
    ----------
    text : str
        The characters the page shows (see :func:`visible_text`).

    Returns
    -------
    str
        ``@font-face { font-family: "Report Sans SC"; src: url(data:font/woff;base64,…) }``.
    """
    chars = "".join(sorted({c for c in text + _ALWAYS if c.isprintable() or c == " "}))
    data = base64.b64encode(_subset_woff(chars)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; font-style: normal; font-weight: normal; '
        f'src: url(data:font/woff;base64,{data}) format("woff"); }}'
    )


# --------------------------------------------------------------------------- pages
def document(body: str, title: str, lang: str, extra_css: str = "") -> str:
    """A whole self-contained HTML page around ``body``.

    Parameters
    ----------
    body : str
        HTML of the page's content (already cleaned, see :func:`clean_body`).
    title : str
        The ``<title>`` (reader text, in the report's language).
    lang : {"zh", "en"}
        The report language (``<html lang>``).
    extra_css : str
        More style rules (layout only).

    Returns
    -------
    str
    """
    from prioanalysis.report.i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise ValueError(f"report language must be one of {', '.join(LANGUAGES)} (got {lang!r})")
    face = font_face_css(visible_text(body) + title)
    css = BASE_CSS.replace("__FAMILY__", EMBEDDED_FAMILY)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_HTML_LANG[lang]}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_html.escape(title)}</title>\n"
        f"<style>\n{face}\n</style>\n<style>{css}{extra_css}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def export_notebook(notebook: str | Path, html: str | Path, *, title: str, lang: str) -> Path:
    """Write an executed notebook as a self-contained HTML page with no code in it.

    Parameters
    ----------
    notebook : str or pathlib.Path
        The executed notebook.
    html : str or pathlib.Path
        The page to write.
    title : str
        The page's ``<title>`` in the report language.
    lang : {"zh", "en"}

    Returns
    -------
    pathlib.Path
        ``html``.
    """
    page = document(clean_body(notebook_body(notebook)), title, lang)
    Path(html).write_text(page, encoding="utf-8")
    return Path(html)


# --------------------------------------------------------------------------- PDF
def _weasyprint() -> Any:
    """WeasyPrint's HTML class; OSError or ImportError when its system libraries are missing.

    WeasyPrint prints a banner of its own (with web addresses) when a library is missing;
    it is kept out of the run's log, which says why in one line instead.
    """
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        from weasyprint import HTML

    return HTML


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """WeasyPrint logs every CSS rule it does not support (screen-only rules such as
    ``overflow-x``) as a warning; they are not the reader's concern and stay out of the run's log.
    """
    loggers = [logging.getLogger(n) for n in names]
    saved = [(lg.level, lg.propagate, lg.handlers[:]) for lg in loggers]
    for lg in loggers:
        lg.handlers, lg.propagate = [logging.NullHandler()], False
    try:
        yield
    finally:
        for lg, (level, propagate, handlers) in zip(loggers, saved, strict=True):
            lg.setLevel(level)
            lg.handlers, lg.propagate = handlers, propagate


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def write_pdf(html: str | Path, pdf: str | Path) -> PdfOutcome:
    """Print an HTML page (see :func:`document`) to PDF with WeasyPrint.

    Never raises for a missing dependency: when WeasyPrint or its system libraries
    (Pango, HarfBuzz, fontconfig) cannot be loaded, or WeasyPrint fails on the page,
    nothing is written and the outcome's ``reason`` says why.

    Parameters
    ----------
    html : str or pathlib.Path
        The page.
    pdf : str or pathlib.Path
        The PDF to write.

    Returns
    -------
    PdfOutcome
    """
    t0 = time.perf_counter()
    pdf = Path(pdf)
    try:
        HTML = _weasyprint()
    except (OSError, ImportError) as exc:
        reason = (
            "WeasyPrint cannot load its system libraries (Pango, HarfBuzz, fontconfig: on Debian "
            f"apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0): {_first_line(exc)}"
        )
        return PdfOutcome(None, reason, 0, round(time.perf_counter() - t0, 2))
    tmp = pdf.with_name(pdf.name + ".tmp")
    try:
        with _quiet("weasyprint", "fontTools"):
            doc = HTML(filename=str(html), base_url=str(Path(html).parent)).render()
            doc.write_pdf(str(tmp))
        tmp.replace(pdf)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    except Exception as exc:  # a page WeasyPrint cannot lay out: the HTML stands, the log says why
        tmp.unlink(missing_ok=True)
        return PdfOutcome(None, f"WeasyPrint failed: {type(exc).__name__}: {_first_line(exc)}", 0, 0.0)
    return PdfOutcome(pdf, None, len(doc.pages), round(time.perf_counter() - t0, 2))
