"""The consultants' deck (prioanalysis/report/deck.py), read back with python-pptx.

A run folder is built from the sample 2026 parameters in each language: the real ranking
(with a few weight draws) persisted as notebook 20 persists it, and the real figures saved
as the notebooks save them. The deck written from it is opened again and compared with
the run's tables and figure data.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu

from prioanalysis.config.params import load_params
from prioanalysis.errors import InputError
from prioanalysis.report import deck
from prioanalysis.report.i18n import t

from ..conftest import PARAMS_SRC, ROOT, edit_yaml

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FIGURES = ("score_distribution", "attractiveness_feasibility_map", "priority_matrix", "tier_stability")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _make_run(base: Path, lang: str) -> tuple[Path, object]:
    """A run folder of the sample 2026 cycle: persisted ranking, figures, run.json."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from prioanalysis.report import figures as plotting
    from prioanalysis.report.tables import write_ranking_tables
    from prioanalysis.steps.robustness import rank_with_robustness

    pdir = base / "params" / "2026"
    pdir.mkdir(parents=True)
    for f in PARAMS_SRC.iterdir():
        if f.is_file():
            shutil.copy2(f, pdir / f.name)

    def change(doc: dict) -> None:
        for key, rel in list(doc["inputs"].items()):
            if rel is not None:
                doc["inputs"][key] = str((ROOT / rel).resolve())
        doc["report"]["language"] = lang
        doc["robustness"]["n_draws"] = 40

    edit_yaml(pdir / "run.yaml", change)
    params = load_params(pdir)
    run_dir = base / "outputs" / "2026" / "20261202T093000Z"
    run_dir.mkdir(parents=True)
    result = rank_with_robustness(params, run_dir=run_dir)
    write_ranking_tables(result, run_dir)  # the final target list, with the assigned owners
    tl = result.target_list
    run = params.run
    labels = {k: v.label for k, v in run.segments.items()}
    plotting.use_style()
    made = {
        "score_distribution": plotting.score_distribution(tl, labels, lang),
        "attractiveness_feasibility_map": plotting.attractiveness_feasibility_map(
            tl, run.tiers.names, run.tiers.not_targeted, lang
        ),
        "priority_matrix": plotting.priority_matrix(
            result.summary["tier_by_grade"],
            run.priority_matrix.important_tiers,
            run.priority_matrix.urgent_grades,
            lang,
        ),
        "tier_stability": plotting.tier_stability(
            tl, run.tiers.names, run.tiers.not_targeted, run.robustness.review_threshold, lang
        ),
    }
    for name, fr in made.items():
        plotting.save_figure(fr, name, run_dir / "figures")
        plt.close(fr.figure)
    record = {
        "run_id": run_dir.name,
        "started": "2026-12-02T09:30:00+00:00",
        "params_files": {"params/2026/run.yaml": {"content": run.model_dump(mode="json")}},
    }
    (run_dir / "run.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return run_dir, params


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    return _make_run(tmp_path_factory.mktemp("zh"), "zh")


@pytest.fixture(scope="module")
def en_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    return _make_run(tmp_path_factory.mktemp("en"), "en")


@pytest.fixture(scope="module")
def zh_deck(zh_run: tuple[Path, object]) -> Presentation:
    run_dir, params = zh_run
    path = deck.write_deck(run_dir, params)
    assert path == run_dir / "deck_2026.pptx"
    return Presentation(str(path))


def _title(slide) -> str:
    return slide.shapes.title.text_frame.text


def _chart(slide):
    charts = [s for s in slide.shapes if s.has_chart]
    assert len(charts) == 1, "one native chart per finding slide"
    return charts[0].chart


def _table(slide):
    tables = [s for s in slide.shapes if s.has_table]
    assert len(tables) == 1
    return tables[0]


def _texts(prs) -> list[str]:
    out = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if shape.has_table:
                out += [c.text for row in shape.table.rows for c in row.cells]
            if shape.has_chart:
                ch = shape.chart
                out += [s.name for s in ch.plots[0].series]
                for ax in (ch.value_axis,):
                    if ax.has_title:
                        out.append(ax.axis_title.text_frame.text)
    return out


def _answer(run_dir: Path, name: str) -> str:
    return json.loads((run_dir / "figures" / f"{name}.json").read_text(encoding="utf-8"))["answer"]


def test_slides_are_16_9_with_the_answer_sentences_as_titles(zh_run, zh_deck) -> None:
    run_dir, params = zh_run
    content = deck.deck_slides(run_dir, params.run)
    slides = list(zh_deck.slides)
    assert (zh_deck.slide_width, zh_deck.slide_height) == (Emu(12192000), Emu(6858000))
    assert len(slides) == 1 + len(content)
    assert _title(slides[0]) == params.run.report.title
    assert [_title(s) for s in slides[1:]] == [c.title for c in content]
    by_key = {c.key: _title(s) for c, s in zip(content, slides[1:])}
    for name in FIGURES:  # every figure the run made has its slide, titled by its answer
        assert by_key[name] == _answer(run_dir, name)
    # the findings the run did not make (no review, no calibration) have no slide
    assert "review_goals" not in by_key and "weights_comparison" not in by_key
    n_segments = len(params.run.segments)
    assert sum(c.key == "top_targets" for c in content) == n_segments


def test_title_slide_names_the_business_unit_year_and_date(zh_run, zh_deck) -> None:
    _, params = zh_run
    text = zh_deck.slides[0].placeholders[1].text_frame.text
    assert params.run.bu in text
    assert "2026年度" in text and "2026年12月2日 09:30" in text


def test_tiers_chart_is_native_and_equals_the_ranking(zh_run, zh_deck) -> None:
    run_dir, params = zh_run
    run = params.run
    from prioanalysis.steps.ranking import load_result, ranking_folder

    result = load_result(ranking_folder(run_dir, 2026, robustness=True))
    tbs = result.summary["tier_by_segment"]
    slide = zh_deck.slides[1]
    chart = _chart(slide)
    assert chart.chart_type.name == "COLUMN_STACKED"
    plot = chart.plots[0]
    assert list(plot.categories) == [v.label for v in run.segments.values()]
    assert [s.name for s in plot.series] == list(run.tiers.names)
    for s in plot.series:
        assert list(s.values) == [float(tbs.loc[seg, s.name]) for seg in run.segments]
    n = int(tbs[list(run.tiers.names)].to_numpy().sum())
    tl = result.target_list
    assert n == int(tl["tier"].isin(run.tiers.names).sum())
    assert f"共选出{n:,}家目标客户" in _title(slide)
    assert f"另有{int((tl['tier'] == run.tiers.not_targeted).sum()):,}家" in _title(slide)


def test_figure_charts_carry_the_figure_data(zh_run, zh_deck) -> None:
    run_dir, params = zh_run
    content = deck.deck_slides(run_dir, params.run)
    slides = dict(zip([c.key for c in content], list(zh_deck.slides)[1:]))

    box = pd.read_csv(run_dir / "figures" / "score_distribution.csv")
    plot = _chart(slides["score_distribution"]).plots[0]
    assert list(plot.categories) == box["segment_label"].tolist()
    # a floating stacked column: invisible base at the lowest score, then the stretches
    # up to the lower quartile, the median, the upper quartile and the highest score
    names = [t(f"deck.series.{k}", "zh") for k in ("min", "q1", "median", "q3", "max")]
    assert [s.name for s in plot.series] == names
    running = [0.0] * len(box)
    for s, col in zip(plot.series, ("min", "25%", "50%", "75%", "max")):
        running = [a + b for a, b in zip(running, s.values)]
        assert running == pytest.approx(box[col].tolist(), abs=1e-9)
    base = plot.series[0]._element
    assert base.find(f"{qn('c:spPr')}/{qn('a:noFill')}") is not None

    pm = pd.read_csv(run_dir / "figures" / "priority_matrix.csv")
    plot = _chart(slides["priority_matrix"]).plots[0]
    assert list(plot.categories) == pm["tier"].tolist()
    assert [s.name for s in plot.series] == list(pm.columns[1:])
    for s in plot.series:
        assert list(s.values) == pm[s.name].astype(float).tolist()

    ts = pd.read_csv(run_dir / "figures" / "tier_stability.csv")
    plot = _chart(slides["tier_stability"]).plots[0]
    assert list(plot.categories) == ts["tier"].tolist()
    assert list(plot.series[0].values) == ts["stable"].astype(float).tolist()
    assert list(plot.series[1].values) == ts["review"].astype(float).tolist()
    assert "80%" in plot.series[0].name


def _xy(series) -> tuple[list[float], list[float]]:
    xs = [float(v.text) for v in series._element.findall(f"{qn('c:xVal')}//{qn('c:v')}")]
    return xs, list(series.values)


def test_scatter_is_an_xy_chart_per_tier_sampled_above_the_limit(zh_run, tmp_path: Path) -> None:
    run_dir, params = zh_run
    m = pd.read_csv(run_dir / "figures" / "attractiveness_feasibility_map.csv")
    order = [*params.run.tiers.names, params.run.tiers.not_targeted]

    full = deck.write_deck(run_dir, params, path=tmp_path / "all.pptx", max_points=len(m))
    slide = list(Presentation(str(full)).slides)[3]
    chart = _chart(slide)
    assert chart.chart_type.name == "XY_SCATTER"
    series = list(chart.plots[0].series)
    assert len(series) == len(order)
    for tier, s in zip(reversed(order), series):  # the best tier drawn last, on top
        d = m[m["tier"] == tier]
        assert s.name == f"{tier}（{len(d):,}家）"
        xs, ys = _xy(s)
        assert xs == pytest.approx(d["attractiveness"].tolist(), abs=1e-12)
        assert ys == pytest.approx(d["feasibility"].tolist(), abs=1e-12)
    assert not any("显示" in x.text_frame.text for x in slide.shapes if x.has_text_frame and x != slide.shapes.title)

    small = deck.write_deck(run_dir, params, path=tmp_path / "few.pptx", max_points=300)
    slide = list(Presentation(str(small)).slides)[3]
    n_points = sum(len(_xy(s)[0]) for s in _chart(slide).plots[0].series)
    assert n_points == 300
    notes = [x.text_frame.text for x in slide.shapes if x.has_text_frame]
    assert any(f"{len(m):,}家客户中按得分均匀选取的300家" in x for x in notes)


def test_top_targets_tables_match_the_target_list(zh_run, zh_deck) -> None:
    run_dir, params = zh_run
    run = params.run
    from prioanalysis.steps.ranking import load_result, ranking_folder

    tl = load_result(ranking_folder(run_dir, 2026, robustness=True)).target_list
    targets = tl[tl["tier"].isin(run.tiers.names)]
    final = pd.read_csv(run_dir / "tables" / "target_list.csv", dtype=str, keep_default_na=False)
    slides = [s for s in zh_deck.slides if _title(s).endswith("家目标客户") and "：" in _title(s)]
    assert len(slides) == len(run.segments)
    n = run.report.top_n
    for (seg, spec), slide in zip(run.segments.items(), slides):
        assert _title(slide) == f"{spec.label}：得分最高的{n}家目标客户"
        shape = _table(slide)
        rows = [[c.text for c in row.cells] for row in shape.table.rows]
        header, body = rows[0], rows[1:]
        assert header[:5] == ["排名", "客户名称", "层级", "紧迫等级", "得分"]
        top = targets[targets["segment"] == seg].sort_values("segment_rank", kind="stable").head(n)
        assert [r[0] for r in body] == top["segment_rank"].astype(str).tolist()
        assert [r[1] for r in body] == top["customer_name"].tolist()
        assert [r[2] for r in body] == top["tier"].tolist()
        assert [r[3] for r in body] == top["grade"].tolist()
        assert [r[4] for r in body] == [f"{v:.3f}" for v in top["score"]]
        # the owner the assignment gave (the final target list's column)
        assert header[5] == "负责人"
        owners = final.set_index("customer_id")["assigned_owner_name"].fillna("").replace("", "待分配")
        assert [r[5] for r in body] == owners.loc[top["customer_id"]].tolist()
        assert any(r[5] != "待分配" for r in body)
        assert all(CJK.search(r[1]) for r in body)  # Chinese names
        # the table fits the slide
        assert shape.left + shape.width <= zh_deck.slide_width
        assert shape.top + shape.height <= zh_deck.slide_height
        n_seg = int((targets["segment"] == seg).sum())
        assert any(f"显示 {n_seg} 条中的 {n} 条" in x.text_frame.text for x in slide.shapes if x.has_text_frame)


def test_every_text_run_has_the_east_asian_font(zh_deck) -> None:
    for slide in zh_deck.slides:
        for shape in slide.shapes:
            runs = []
            if shape.has_text_frame:
                runs += [r for p in shape.text_frame.paragraphs for r in p.runs]
            if shape.has_table:
                runs += [
                    r for row in shape.table.rows for c in row.cells for p in c.text_frame.paragraphs for r in p.runs
                ]
            for r in runs:
                ea = r.font._rPr.find(qn("a:ea"))
                assert ea is not None and ea.get("typeface") == deck.EAST_ASIAN_FONT, r.text
            if shape.has_chart:
                xml = etree.tostring(shape.chart._chartSpace).decode()
                assert f'<a:ea typeface="{deck.EAST_ASIAN_FONT}"/>' in xml


def test_no_developer_text(zh_run, zh_deck) -> None:
    texts = _texts(zh_deck)
    joined = "\n".join(texts)
    assert CJK.search(joined)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", joined), "snake_case key"
    assert not re.search(r"\bC\d{6}\b|\bO\d{3}\b", joined), "raw customer or owner id"
    assert "/" not in joined.replace("A/B", "") and "\\" not in joined, "a path"
    assert zh_run[0].name not in joined, "the run id"
    assert "None" not in joined and "nan" not in joined.lower().split()


def test_english_deck(en_run) -> None:
    run_dir, params = en_run
    prs = Presentation(str(deck.write_deck(run_dir, params)))
    slides = list(prs.slides)
    content = deck.deck_slides(run_dir, params.run)
    assert [_title(s) for s in slides[1:]] == [c.title for c in content]
    by_key = {c.key: _title(s) for c, s in zip(content, slides[1:])}
    for name in FIGURES:
        assert by_key[name] == _answer(run_dir, name)
        assert re.search(r"[A-Za-z]{4,}", by_key[name])  # English prose around the labels
    assert "Analysis run on 2 December 2026, 09:30 UTC" in slides[0].placeholders[1].text_frame.text
    assert "target customers" in by_key["tiers_by_segment"]
    table_slides = [s for s in slides if any(sh.has_table for sh in s.shapes)]
    header = [c.text for c in _table(table_slides[0]).table.rows[0].cells]
    assert header[:5] == ["Rank", "Customer", "Tier", "Grade", "Score"]
    # the English text carries no Chinese beyond the labels of the run (segments, tiers, names)
    allowed = set(params.run.tiers.names) | {params.run.tiers.not_targeted, params.run.bu, params.run.report.title}
    allowed |= {v.label for v in params.run.segments.values()}
    for c in content:
        if c.chart is not None:
            for s in c.chart.series:
                rest = s.name
                for word in sorted(allowed, key=len, reverse=True):
                    rest = rest.replace(word, "")
                assert not CJK.search(rest), s.name
            assert not CJK.search(c.chart.value_title)


def test_deck_of_an_earlier_run_from_its_record(zh_run, tmp_path: Path) -> None:
    run_dir, params = zh_run
    copy = tmp_path / run_dir.name
    shutil.copytree(run_dir, copy)
    for f in (copy / "figures").glob("*.json"):
        f.unlink()  # a run made before the answers were saved
    (copy / "deck_2026.pptx").unlink(missing_ok=True)
    prs = Presentation(str(deck.write_deck(copy)))
    titles = [_title(s) for s in prs.slides]
    assert titles[0] == params.run.report.title
    assert t("deck.question.score_distribution", "zh") in titles


def test_folder_without_a_ranking_is_refused(zh_run, tmp_path: Path) -> None:
    _, params = zh_run
    with pytest.raises(InputError, match="holds no ranking"):
        deck.write_deck(tmp_path, params)
    with pytest.raises(InputError, match="run record"):
        deck.write_deck(tmp_path)


def test_cli_writes_the_deck_of_a_run_folder(zh_run, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from prioanalysis.app import cli

    run_dir, _ = zh_run
    copy = tmp_path / run_dir.name
    shutil.copytree(run_dir, copy)
    (copy / "deck_2026.pptx").unlink(missing_ok=True)
    assert cli.main(["deck", str(copy)]) == 0
    assert (copy / "deck_2026.pptx").is_file()
    assert capsys.readouterr().out.strip() == str(copy / "deck_2026.pptx")
    assert cli.main(["deck", str(tmp_path / "nowhere")]) == 2
    assert "run record" in capsys.readouterr().err


def test_the_deck_reads_only_the_parts_of_the_ranking_it_shows(zh_run) -> None:
    from prioanalysis.steps import persist
    from prioanalysis.steps.ranking import load_result, ranking_folder

    folder = ranking_folder(zh_run[0], 2026, robustness=True)
    full = load_result(folder)
    pd.testing.assert_frame_equal(persist.load_part(folder, "target_list"), full.target_list, check_exact=True)
    part = persist.load_part(folder, "summary", "tier_by_segment")
    pd.testing.assert_frame_equal(part, full.summary["tier_by_segment"], check_exact=True)
    with pytest.raises(InputError, match=r"no part 'summary\.nothing'"):
        persist.load_part(folder, "summary", "nothing")
