"""Self-contained report pages: no scripts, no network, the CJK font subset embedded, the PDF."""

from __future__ import annotations

import base64
import contextlib
import io
import re
import zlib
from pathlib import Path

import nbformat
import pytest
from fontTools.ttLib import TTFont

from prioanalysis.report import html as pages

_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def _without_data_uris(html: str) -> str:
    """The page without its inline images and font (base64 text may spell "http" by chance)."""
    return re.sub(r"data:[a-z0-9/+.\-]+;base64,[A-Za-z0-9+/=]+", "data:", html, flags=re.I)


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    md = (
        "# 年度目标客户名单\n\n## 一、结果\n\n"
        "共评估 **3 家**客户。见 [网站](https://example.com/x) 与 [结果](#一、结果)。"
    )
    code = nbformat.v4.new_code_cell("secret_code_here = 1")
    code.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": "<table><thead><tr><th>客户</th></tr></thead>"
                "<tbody><tr><td>华信科技</td></tr></tbody></table>"
                '<script>alert(1)</script><img src="https://cdn.example.com/x.png">',
                "text/plain": "x",
            },
        ),
        nbformat.v4.new_output("display_data", data={"application/javascript": "console.log('x')"}),
        nbformat.v4.new_output("display_data", data={"image/png": _PNG, "text/plain": "fig"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "**战略 1 家**"}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell(md), code]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


@pytest.fixture
def page(tmp_path: Path) -> Path:
    nb_path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), str(nb_path))
    return pages.export_notebook(nb_path, tmp_path / "nb.html", title="排序 — 2026年度名单", lang="zh")


def _font(html: str) -> TTFont:
    m = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html)
    assert m, "no embedded WOFF font"
    return TTFont(io.BytesIO(base64.b64decode(m.group(1))))


def test_page_is_self_contained_and_offline(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "http" not in _without_data_uris(html).lower()  # no CDN, no external image, no external link address
    assert "secret_code_here" not in html  # no code
    assert "<title>排序 — 2026年度名单</title>" in html
    assert '<html lang="zh-Hans">' in html
    assert "华信科技" in html and "网站" in html  # the text of a removed external link stays
    assert "data:image/png;base64," in html


def test_embedded_font_subset_has_every_glyph_the_page_shows(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert f'font-family: "{pages.EMBEDDED_FAMILY}"' in html
    font = _font(html)
    cmap = font.getBestCmap()
    shown = {c for c in pages.visible_text(html) if not c.isspace()}
    assert {"年", "度", "客", "户", "战", "略"} <= shown
    missing = sorted(c for c in shown if ord(c) not in cmap)
    assert not missing, f"glyphs missing from the subset: {missing}"
    # a subset, not the whole 8 MB font
    assert len(cmap) < 600
    assert font["name"].getDebugName(1) == pages.EMBEDDED_FAMILY


def test_print_css(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "size: A4 landscape" in html
    assert "counter(page)" in html
    assert "break-after: avoid" in html
    assert "display: table-header-group" in html
    assert 'class="keep-together"' in html  # the one-row table stays on one page


def test_clean_body_prefixes_ids_and_their_links() -> None:
    body = '<h2 id="a">x</h2><a href="#a">to a</a><a href="other.html">o</a><table id="t"></table>'
    out = pages.clean_body(body, prefix="s1-")
    assert 'id="s1-a"' in out and 'href="#s1-a"' in out and 'href="other.html"' in out and 'id="s1-t"' in out


def test_long_table_may_break_across_pages() -> None:
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(pages.KEEP_TOGETHER_ROWS + 1))
    out = pages.clean_body(f"<table><tbody>{rows}</tbody></table>")
    assert "keep-together" not in out


def test_document_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="zh, en"):
        pages.document("<p>x</p>", "t", "fr")


def _pdf_streams(data: bytes) -> bytes:
    """Every stream of a PDF, inflated where compressed, plus the uncompressed bytes."""
    out = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(m.group(1)))
    return b"\n".join(out)


def test_pdf_printed_with_the_embedded_font(page: Path, tmp_path: Path) -> None:
    long = page.read_text(encoding="utf-8").replace("</body>", "<p>长文本</p>" * 400 + "</body>")
    page.write_text(long, encoding="utf-8")
    out = pages.write_pdf(page, tmp_path / "nb.pdf")
    assert out.reason is None and out.path == tmp_path / "nb.pdf"
    data = out.path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert out.pages > 1
    streams = _pdf_streams(data)
    assert b"NotoSansSC" in streams  # the Chinese glyphs come from the embedded Noto Sans SC subset
    assert b"<957f>" in streams.lower()  # text extractable: '长' (U+957F) in the font's ToUnicode map
    assert not (tmp_path / "nb.pdf.tmp").exists()


def test_missing_system_libraries_mean_no_pdf_and_a_reason(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr(pages, "_weasyprint", broken)
    out = pages.write_pdf(page, tmp_path / "nb.pdf")
    assert out.path is None and out.pages == 0
    assert "Pango" in (out.reason or "") and "libpango-1.0-0" in (out.reason or "")
    assert not (tmp_path / "nb.pdf").exists()


_NO_PANGO = """
import cffi, sys
orig = cffi.FFI.dlopen
def dlopen(self, name, *args, **kwargs):  # a machine without Pango / GLib
    if "pango" in str(name) or "gobject" in str(name):
        raise OSError(f"cannot load library '{name}': cannot open shared object file")
    return orig(self, name, *args, **kwargs)
cffi.FFI.dlopen = dlopen
from prioanalysis.report import html
out = html.write_pdf(sys.argv[1], sys.argv[2])
print("REASON", out.reason)
"""


def test_real_weasyprint_without_its_libraries_says_why_in_one_line(page: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _NO_PANGO, str(page), str(tmp_path / "nb.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("REASON WeasyPrint cannot load its system libraries"), done.stdout
    assert "-----" not in done.stdout + done.stderr  # WeasyPrint's own banner stays out of the log
    assert not (tmp_path / "nb.pdf").exists()


def test_subsetting_the_font_leaves_no_file_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """The packaged font is read and closed: an open handle surfaced later as a
    ResourceWarning in whichever test happened to run when it was collected."""
    import gc
    import sys
    import warnings

    from prioanalysis.report import html as html_mod

    unclosed: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: unclosed.append(str(u.exc_value)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # in __del__: reaches the unraisable hook
        data = html_mod._subset_woff.__wrapped__("客户排序 ABC")
        gc.collect()
    assert data[:4] == b"wOFF"
    assert not [u for u in unclosed if "unclosed file" in u], unclosed
