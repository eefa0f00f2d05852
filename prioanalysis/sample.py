"""Seeded synthetic sample data for the customer importance ranking.

The generator builds a realistic, fully synthetic dataset for a Chinese IT hardware and
services vendor: four yearly preliminary customer lists proposed by the market
segments (step 2.3.2), the won/lost outcomes of the first three years, the account
managers (owners) with their capacities, and a year of general (cold-call) inquiries
(step 2.3.5). Outcomes come from a *known* model (:data:`TRUE_WEIGHTS`, ``beta``,
``alpha``) so that the annual review (step 2.3.6) can be checked against the truth.
Three outcome years let weights learned on one year be judged on the next.

The criteria are correlated as in real data: one latent **size** factor per customer
drives the IT budget (and through it the obtainable deal size and the revenue won), the
industry influence, the credit grade and the competitive intensity
(:data:`SIZE_LOADINGS`); the README measures the correlations.

Every draw comes from one ``numpy.random.default_rng(seed)`` stream in a fixed order, and
every float is rounded before it is written, so the same seed gives byte-identical
files. Regenerate the committed files with::

    .venv/bin/prioanalysis sample data/sample

Money is in 万元 (10,000 CNY) throughout.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from prioanalysis.config.vocabularies import (
    DEFAULT_CHANNELS,
    DEFAULT_DECISIONS,
    DEFAULT_NEED_CATEGORIES,
    DEFAULT_REGIONS,
    DEFAULT_SEGMENTS,
)

__all__ = [
    "CREDIT_SCALE",
    "CRITERIA",
    "DEFAULT_SEED",
    "INQUIRY_COLUMNS",
    "MISSING_RATES",
    "PRELIMINARY_COLUMNS",
    "REGIONS",
    "SEGMENTS",
    "SIZE_LOADINGS",
    "LIST_YEARS",
    "OUTCOME_YEARS",
    "OUTCOME_BETA",
    "TARGET_WIN_RATE",
    "SHARE_OF_WALLET_DIRECTIONS",
    "TRUE_WEIGHTS",
    "generate_sample",
    "generate_truth",
    "share_of_wallet_sample",
    "write_sample",
]

DEFAULT_SEED: Final = 2026
LIST_YEARS: Final = (2023, 2024, 2025, 2026)
OUTCOME_YEARS: Final = (2023, 2024, 2025)
INQUIRY_YEAR: Final = 2025

# --------------------------------------------------------------------------- the model
#: The ten scored criteria: (criterion, family, direction, true weight).
TRUE_WEIGHTS: Final = pd.DataFrame(
    [
        ("it_budget", "attractiveness", "benefit", 0.15),
        ("deal_size", "attractiveness", "benefit", 0.20),
        ("growth", "attractiveness", "benefit", 0.05),
        ("strategic_fit", "attractiveness", "benefit", 0.15),
        ("industry_influence", "attractiveness", "benefit", 0.05),
        ("relationship_strength", "feasibility", "benefit", 0.15),
        ("competitive_intensity", "feasibility", "cost", 0.05),
        ("service_distance_km", "feasibility", "cost", 0.05),
        ("credit_grade", "feasibility", "benefit", 0.10),
        ("payment_days", "feasibility", "cost", 0.05),
    ],
    columns=["criterion", "family", "direction", "weight"],
)
CRITERIA: Final = tuple(TRUE_WEIGHTS["criterion"])
#: Credit grades mapped to a 1–9 benefit scale.
CREDIT_SCALE: Final = {"AAA": 9, "AA": 8, "A": 7, "BBB": 6, "BB": 5, "B": 4, "CCC": 3, "CC": 2, "C": 1}
_CREDIT_LABELS: Final = np.array(["C", "CC", "CCC", "B", "BB", "BBB", "A", "AA", "AAA"], dtype=object)
OUTCOME_BETA: Final = 10.0
TARGET_WIN_RATE: Final = 0.25
DEAD_WIN_PROBABILITY: Final = 0.01
REVENUE_LOG_SD: Final = 0.4

# ----------------------------------------------------------------------- the population
#: Loading of each latent fact on the customer's standard-normal size factor (the
#: latent's other parts are independent noise). The obtainable deal size is the IT
#: budget times an independent share, so the log deal size inherits the budget's
#: loading: log IT budget and log deal size correlate about 0.8, and industry influence,
#: credit grade and (as a cost) competitive intensity move with them.
SIZE_LOADINGS: Final = {"log_budget": 1.0, "infl_lat": 0.8, "comp_lat": 0.4, "credit_lat": 0.8}
_LATENT_LABELS: Final = {
    "log_budget": "log IT budget",
    "infl_lat": "industry influence",
    "comp_lat": "competitive intensity",
    "credit_lat": "credit grade",
}
SEGMENTS: Final = DEFAULT_SEGMENTS
REGIONS: Final = DEFAULT_REGIONS
_REGION_SHARES: Final = np.array([0.20, 0.06, 0.28, 0.18, 0.12, 0.10, 0.06])
#: Gamma(2, scale) distance to the nearest service site, km, by region.
_REGION_DISTANCE_SCALE: Final = np.array([16.0, 28.0, 14.0, 16.0, 22.0, 32.0, 40.0])

#: Per-segment parameters. ``share``: share of the preliminary list; ``budget_mu``: mean
#: log IT budget (万元); ``growth_mu``: mean revenue growth (%); ``fit_mu``/``comp_mu``:
#: centre of strategic fit / competitive intensity (1–5); ``payment_mu``: mean days to
#: pay; ``owners``: account managers; ``inquiry_share``: share of general inquiries.
_SEGMENT_TABLE: Final = pd.DataFrame(
    {
        "share": [0.17, 0.13, 0.13, 0.06, 0.23, 0.08, 0.11, 0.09],
        "budget_mu": [5.9, 6.8, 5.3, 7.0, 5.9, 6.6, 5.6, 5.7],
        "growth_mu": [4.0, 6.0, 3.0, 5.0, 7.0, 6.0, 8.0, 5.0],
        "fit_mu": [3.4, 3.6, 2.8, 3.4, 3.0, 3.2, 2.9, 2.5],
        "comp_mu": [3.2, 3.7, 2.6, 3.8, 3.0, 2.9, 2.8, 3.4],
        "payment_mu": [95.0, 50.0, 85.0, 65.0, 62.0, 58.0, 88.0, 42.0],
        "owners": [7, 6, 5, 3, 8, 4, 4, 3],
        "inquiry_share": [0.10, 0.08, 0.12, 0.04, 0.30, 0.06, 0.12, 0.18],
    },
    index=pd.Index(SEGMENTS, name="segment"),
)
STAGES: Final = np.array(["closed", "negotiating", "potential"], dtype=object)
NEEDS: Final = np.array(["target", "potential", "dead"], dtype=object)
#: P(need = target, potential, dead) given the pipeline stage (rows: closed, negotiating,
#: potential).
_NEED_GIVEN_STAGE: Final = np.array([[0.75, 0.20, 0.05], [0.64, 0.29, 0.07], [0.35, 0.56, 0.09]])

#: Base missing rate of each field on the preliminary lists, before the stage multiplier.
MISSING_RATES: Final = {
    "it_budget": 0.08,
    "growth": 0.12,
    "relationship_strength": 0.08,
    "service_distance_km": 0.07,
    "payment_days": 0.10,
    "credit_grade": 0.09,
}
#: Missing-rate multiplier by pipeline stage (closed, negotiating, potential): existing
#: customers are well documented, potential customers much less so.
MISSING_STAGE_MULTIPLIER: Final = np.array([0.5, 1.0, 1.4])
#: Missing rate of each criterion in the inquiry log (facts arrive partial).
INQUIRY_MISSING_RATES: Final = {
    "it_budget": 0.45,
    "deal_size": 0.35,
    "growth": 0.55,
    "strategic_fit": 0.20,
    "industry_influence": 0.25,
    "relationship_strength": 0.50,
    "competitive_intensity": 0.40,
    "service_distance_km": 0.15,
    "credit_grade": 0.50,
    "payment_days": 0.60,
}
MULTI_SEGMENT_SHARE: Final = 0.02
LIST_SIZE: Final = 3000
INQUIRY_COUNT: Final = 1500

PRELIMINARY_COLUMNS: Final = (
    "customer_id",
    "customer_name",
    "segment",
    "region",
    "owner_id",
    *CRITERIA,
    "pipeline_stage",
    "expected_months_to_close",
    "need_status",
)
INQUIRY_COLUMNS: Final = (
    "inquiry_id",
    "date",
    "channel",
    "segment",
    "customer_name",
    "region",
    "need_category",
    "first_response_hours",
    "handler",
    "decision",
    "follow_ups",
    "converted",
    *CRITERIA,
)

# ---------------------------------------------------------------------------- names
_PLACES: Final = (  # company-name prefixes by region (order of REGIONS)
    ("华北", "北京", "天津", "河北", "石家庄", "太原", "山西", "唐山", "呼和浩特"),
    ("东北", "沈阳", "大连", "长春", "哈尔滨", "辽宁", "吉林", "黑龙江"),
    ("华东", "上海", "南京", "杭州", "苏州", "宁波", "合肥", "济南", "青岛", "福州", "厦门", "江苏", "浙江", "山东"),
    ("华南", "广州", "深圳", "东莞", "佛山", "南宁", "海口", "广东", "珠海"),
    ("华中", "武汉", "长沙", "郑州", "南昌", "湖北", "湖南", "河南", "洛阳"),
    ("西南", "成都", "重庆", "昆明", "贵阳", "四川", "云南", "绵阳"),
    ("西北", "西安", "兰州", "银川", "西宁", "乌鲁木齐", "陕西", "宝鸡"),
)
_GOV_PLACES: Final = (  # government-name prefixes by region
    ("北京市", "天津市", "石家庄市", "唐山市", "保定市", "太原市", "大同市", "呼和浩特市", "包头市"),
    ("沈阳市", "大连市", "长春市", "吉林市", "哈尔滨市", "大庆市", "鞍山市"),
    (
        "上海市",
        "南京市",
        "杭州市",
        "苏州市",
        "宁波市",
        "合肥市",
        "济南市",
        "青岛市",
        "福州市",
        "厦门市",
        "无锡市",
        "温州市",
    ),
    ("广州市", "深圳市", "东莞市", "佛山市", "南宁市", "海口市", "珠海市", "桂林市"),
    ("武汉市", "长沙市", "郑州市", "南昌市", "洛阳市", "宜昌市", "株洲市"),
    ("成都市", "重庆市", "昆明市", "贵阳市", "绵阳市", "遵义市"),
    ("西安市", "兰州市", "银川市", "西宁市", "乌鲁木齐市", "宝鸡市"),
)
_GOV_DISTRICTS: Final = ("", "", "城东区", "城西区", "城南区", "城北区", "高新区", "经开区", "新区")
_GOV_DEPARTMENTS: Final = (
    "大数据管理局",
    "政务服务中心",
    "公安局",
    "税务局",
    "财政局",
    "交通运输局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "卫生健康委员会",
    "教育局",
    "应急管理局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "审计局",
    "公共资源交易中心",
    "信息中心",
    "行政审批局",
    "司法局",
    "民政局",
    "水务局",
    "农业农村局",
    "商务局",
)
_WORDS: Final = (
    "联合",
    "华信",
    "长城",
    "东方",
    "中天",
    "恒通",
    "天成",
    "博远",
    "瑞丰",
    "金桥",
    "宏达",
    "振华",
    "光明",
    "远航",
    "鼎盛",
    "盛世",
    "永泰",
    "安泰",
    "同创",
    "汇智",
    "启明",
    "明德",
    "锦程",
    "凯瑞",
    "众诚",
    "信达",
    "华泰",
    "国信",
    "卓越",
    "海润",
    "新元",
    "天宇",
    "泰和",
    "嘉禾",
    "世纪",
    "宏图",
    "润达",
    "华晟",
    "中科",
    "云海",
)
_TAILS: Final = (  # industry word + legal suffix, by segment (order of SEGMENTS)
    _GOV_DEPARTMENTS,
    (
        "银行股份有限公司",
        "农村商业银行",
        "证券股份有限公司",
        "保险股份有限公司",
        "信托有限责任公司",
        "金融控股集团有限公司",
        "融资租赁有限公司",
        "基金管理有限公司",
        "消费金融有限公司",
    ),
    ("大学", "理工大学", "师范大学", "财经大学", "职业技术学院", "科技学院", "外国语学校", "实验中学", "教育集团"),
    (
        "通信技术有限公司",
        "网络科技股份有限公司",
        "数据通信有限公司",
        "信息通信集团有限公司",
        "广电网络股份有限公司",
        "云计算科技有限公司",
        "互联网数据中心有限公司",
    ),
    (
        "机械制造有限公司",
        "汽车零部件股份有限公司",
        "电子科技有限公司",
        "精密制造集团有限公司",
        "化工股份有限公司",
        "钢铁集团有限公司",
        "装备制造股份有限公司",
        "新材料科技有限公司",
        "家电集团有限公司",
    ),
    (
        "能源集团有限公司",
        "电力股份有限公司",
        "新能源科技有限公司",
        "燃气集团有限公司",
        "石化有限公司",
        "煤业集团有限责任公司",
        "水务集团有限公司",
        "热力有限公司",
        "光伏科技股份有限公司",
    ),
    (
        "医院",
        "中医医院",
        "妇幼保健院",
        "医疗集团有限公司",
        "医药股份有限公司",
        "生物科技有限公司",
        "健康管理有限公司",
        "医学研究院",
        "药业集团有限公司",
    ),
    (
        "商贸有限公司",
        "百货集团股份有限公司",
        "连锁超市有限公司",
        "电子商务有限公司",
        "物流股份有限公司",
        "零售集团有限公司",
        "购物中心有限公司",
        "便利店连锁有限公司",
    ),
)
_SURNAMES: Final = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
    "郑",
    "梁",
    "谢",
    "宋",
    "唐",
    "许",
    "韩",
    "冯",
    "邓",
    "曹",
)
_GIVEN: Final = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀",
    "霞",
    "平",
    "刚",
    "英",
    "华",
    "玉",
    "萍",
    "红",
    "鹏",
    "辉",
    "玲",
    "建",
    "文",
    "斌",
    "宇",
    "浩",
    "凯",
    "晨",
    "欣",
    "怡",
    "思",
    "睿",
)

# --------------------------------------------------------------------------- inquiries
CHANNELS: Final = np.array(DEFAULT_CHANNELS, dtype=object)
_CHANNEL_SHARES: Final = np.array([0.32, 0.30, 0.15, 0.10, 0.13])
#: Multiplier of the first-response time by channel (phone answered fastest).
_CHANNEL_RESPONSE: Final = np.array([0.5, 1.3, 1.6, 2.0, 0.8])
NEED_CATEGORIES: Final = np.array(DEFAULT_NEED_CATEGORIES, dtype=object)
_NEED_CATEGORY_SHARES: Final = np.array([0.35, 0.20, 0.15, 0.15, 0.15])
DECISIONS: Final = np.array(DEFAULT_DECISIONS, dtype=object)
#: Cut points of the standardised handling latent between the four decisions.
_DECISION_CUTS: Final = np.array([-0.5, 0.0, 1.2])
#: Relative inquiry volume by month (Spring Festival dip in Feb, budget rush in Q4).
_MONTH_WEIGHTS: Final = np.array([0.9, 0.6, 1.1, 1.1, 1.0, 1.0, 0.85, 0.85, 1.1, 0.9, 1.2, 1.25])
_WEEKEND_WEIGHT: Final = 0.25
#: Conversion model of an inquiry: logit P = intercept + per_follow_up * follow_ups
#: + score_slope * (true score - mean true score of the year's list).
INQUIRY_CONVERSION: Final = {"intercept": -3.9, "per_follow_up": 0.4, "score_slope": 4.0}


# ======================================================================= small helpers
def _choose_in_groups(rng: np.random.Generator, groups: np.ndarray, pools: Sequence[Sequence[str]]) -> np.ndarray:
    """Draw one element uniformly from ``pools[g]`` for every group code ``g``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random stream.
    groups : numpy.ndarray
        Integer group code of every draw.
    pools : sequence of sequence of str
        The pool of each group.

    Returns
    -------
    numpy.ndarray
        Object array of strings, one per group code.
    """
    sizes = np.array([len(p) for p in pools])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.array([x for p in pools for x in p], dtype=object)
    offset = np.floor(rng.random(groups.size) * sizes[groups]).astype(np.int64)
    return flat[starts[groups] + offset]


def _pick(rng: np.random.Generator, pool: Sequence[str], n: int) -> np.ndarray:
    """Draw ``n`` elements uniformly from ``pool`` as an object array."""
    return np.asarray(pool, dtype=object)[rng.integers(0, len(pool), n)]


def _unique_draws(
    rng: np.random.Generator,
    draw: Callable[[np.random.Generator, np.ndarray], np.ndarray],
    n: int,
    taken: frozenset[str],
) -> np.ndarray:
    """Draw ``n`` strings with ``draw(rng, idx)`` and redraw clashes until all are unique.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random stream.
    draw : callable
        ``draw(rng, idx) -> numpy.ndarray`` returns candidates for the positions ``idx``.
    n : int
        How many strings.
    taken : frozenset of str
        Strings already in use elsewhere (never returned).

    Returns
    -------
    numpy.ndarray
        Object array of ``n`` distinct strings, none in ``taken``.
    """
    out = np.empty(n, dtype=object)
    todo = np.arange(n)
    while todo.size:
        out[todo] = draw(rng, todo)
        s = pd.Series(out, dtype=object)
        todo = np.flatnonzero(s.duplicated(keep="first").to_numpy() | s.isin(taken).to_numpy())
    return out


def _company_names(
    rng: np.random.Generator, segment: np.ndarray, region: np.ndarray, taken: frozenset[str]
) -> np.ndarray:
    """Unique Chinese organisation names matching each segment and region.

    Government bodies are ``city + district + department`` (杭州市城东区教育局); all other
    organisations are ``place + word + industry word and legal suffix``
    (华东联合能源集团有限公司).
    """
    gov = SEGMENTS.index("government")

    def draw(rng: np.random.Generator, idx: np.ndarray) -> np.ndarray:
        seg, reg = segment[idx], region[idx]
        company = _choose_in_groups(rng, reg, _PLACES) + _pick(rng, _WORDS, idx.size)
        government = _choose_in_groups(rng, reg, _GOV_PLACES) + _pick(rng, _GOV_DISTRICTS, idx.size)
        head = np.where(seg == gov, government, company)
        return head + _choose_in_groups(rng, seg, _TAILS)

    return _unique_draws(rng, draw, segment.size, taken)


def _person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` unique Chinese person names: a surname and a one- or two-character given name."""

    def draw(rng: np.random.Generator, idx: np.ndarray) -> np.ndarray:
        k = idx.size
        second = np.where(rng.random(k) < 0.6, _pick(rng, _GIVEN, k), "")
        return _pick(rng, _SURNAMES, k) + _pick(rng, _GIVEN, k) + second

    return _unique_draws(rng, draw, n, frozenset())


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to 1), vectorised."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random((probs.shape[0], 1))
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def _assign_owner(rng: np.random.Generator, segment: np.ndarray, owners: pd.DataFrame) -> np.ndarray:
    """Index into ``owners`` of an account manager for each customer.

    90% get an owner of their own segment, 10% any owner (cross-segment coverage).
    """
    seg_codes = pd.Categorical(owners["segment"], categories=SEGMENTS).codes
    order = np.argsort(seg_codes, kind="stable")
    counts = np.bincount(seg_codes, minlength=len(SEGMENTS))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    same = order[starts[segment] + np.floor(rng.random(segment.size) * counts[segment]).astype(np.int64)]
    anyone = rng.integers(0, len(owners), segment.size)
    return np.where(rng.random(segment.size) < 0.9, same, anyone)


# ============================================================================ owners
def _owners(rng: np.random.Generator) -> pd.DataFrame:
    """The account managers (``owners.csv``) with their tier capacities."""
    seg = np.repeat(np.arange(len(SEGMENTS)), _SEGMENT_TABLE["owners"].to_numpy())
    seg = rng.permutation(seg)
    n = seg.size
    return pd.DataFrame(
        {
            "owner_id": [f"O{i:03d}" for i in range(1, n + 1)],
            "owner_name": _person_names(rng, n).astype(str),
            "segment": np.asarray(SEGMENTS, dtype=object)[seg].astype(str),
            "region": np.asarray(REGIONS, dtype=object)[rng.choice(len(REGIONS), n, p=_REGION_SHARES)].astype(str),
            "capacity_strategic": rng.integers(2, 6, n),
            "capacity_key": rng.integers(8, 16, n),
            "capacity_general": rng.integers(20, 41, n),
        }
    )


# ====================================================================== customer state
def _new_customers(
    rng: np.random.Generator,
    n: int,
    segment: np.ndarray,
    region: np.ndarray,
    has_owner: np.ndarray,
    size_shift: float = 0.0,
) -> pd.DataFrame:
    """Latent state of ``n`` new customers (continuous, before the yearly observation).

    Parameters
    ----------
    rng : numpy.random.Generator
        Random stream.
    n : int
        Number of customers.
    segment, region : numpy.ndarray
        Integer codes into :data:`SEGMENTS` and :data:`REGIONS`.
    has_owner : numpy.ndarray
        Boolean, whether an account manager already has a relationship.
    size_shift : float, default 0.0
        Shift of the latent size factor (inquiring customers are smaller: -0.6).

    Returns
    -------
    pandas.DataFrame
        One row per customer with the latent columns used by :func:`_observe`.
    """
    seg = _SEGMENT_TABLE.iloc[segment]
    load = SIZE_LOADINGS
    size = rng.standard_normal(n) + size_shift
    closed_p = np.where(has_owner, 0.40, 0.08)
    negotiating_p = np.where(has_owner, 0.30, 0.15)
    stage = _categorical(rng, np.column_stack([closed_p, negotiating_p, 1 - closed_p - negotiating_p]))
    return pd.DataFrame(
        {
            "segment": segment,
            "region": region,
            "size": size,
            "log_budget": seg["budget_mu"].to_numpy() + load["log_budget"] * size + 0.4 * rng.standard_normal(n),
            "share_log": np.log(0.15) + 0.75 * rng.standard_normal(n),
            "growth": seg["growth_mu"].to_numpy() + 8.0 * rng.standard_normal(n),
            "fit_lat": seg["fit_mu"].to_numpy() + 0.9 * rng.standard_normal(n),
            "infl_lat": 3.0 + load["infl_lat"] * size + 0.6 * rng.standard_normal(n),
            "rel_base": 2.0 + 0.8 * rng.standard_normal(n),
            "comp_lat": seg["comp_mu"].to_numpy() + load["comp_lat"] * size + 0.8 * rng.standard_normal(n),
            "credit_lat": 6.2 + load["credit_lat"] * size + 0.9 * rng.standard_normal(n),
            "distance": rng.gamma(2.0, _REGION_DISTANCE_SCALE[region]),
            "payment_lat": seg["payment_mu"].to_numpy() + 15.0 * rng.standard_normal(n),
            "stage": stage,
            "need": _categorical(rng, _NEED_GIVEN_STAGE[stage]),
        }
    )


def _evolve(rng: np.random.Generator, state: pd.DataFrame, won: np.ndarray, owners: pd.DataFrame) -> pd.DataFrame:
    """The customers who stay on next year's list, with drifted facts.

    About 10% leave (8.5% of the living, 30% of the dead); the rest drift: IT budget grows
    ~5% a year, growth is AR(1), ratings move by small steps, 3% get a closer service
    site, 8% lose their account manager and 15% of the unowned gain one; a customer won
    this year is ``closed`` next year.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random stream.
    state : pandas.DataFrame
        This year's latent state (with ``customer_id``, ``customer_name``, ``owner``).
    won : numpy.ndarray
        This year's outcome of each customer (0/1), aligned with ``state``.
    owners : pandas.DataFrame
        The account managers.

    Returns
    -------
    pandas.DataFrame
        The persisting customers' latent state for next year.
    """
    n = len(state)
    leave_p = np.where(state["need"].to_numpy() == 2, 0.30, 0.085)
    stay = rng.random(n) >= leave_p
    s = state.loc[stay].reset_index(drop=True)
    won = won[stay]
    m = len(s)
    seg = _SEGMENT_TABLE.iloc[s["segment"].to_numpy()]
    owner = s["owner"].to_numpy().copy()
    lose = (owner >= 0) & (rng.random(m) < 0.08)
    gain = (owner < 0) & (rng.random(m) < 0.15)
    owner[lose] = -1
    owner[gain] = _assign_owner(rng, s["segment"].to_numpy()[gain], owners)
    stage_p = np.array([[0.6, 0.2, 0.2], [0.0, 0.5, 0.5], [0.0, 0.25, 0.75]])[s["stage"].to_numpy()]
    stage = np.where(won == 1, 0, _categorical(rng, stage_p))
    redraw_need = _categorical(rng, _NEED_GIVEN_STAGE[stage])
    need = np.where(rng.random(m) < 0.5, s["need"].to_numpy(), redraw_need)
    new_site = rng.random(m) < 0.03
    return s.assign(
        owner=owner,
        stage=stage,
        need=need,
        log_budget=s["log_budget"] + 0.05 + 0.15 * rng.standard_normal(m),
        share_log=0.7 * s["share_log"] + 0.3 * np.log(0.15) + 0.54 * rng.standard_normal(m),
        growth=0.6 * s["growth"] + 0.4 * seg["growth_mu"].to_numpy() + 6.4 * rng.standard_normal(m),
        fit_lat=s["fit_lat"] + 0.3 * rng.standard_normal(m),
        infl_lat=s["infl_lat"] + 0.2 * rng.standard_normal(m),
        rel_base=s["rel_base"] + 0.2 * rng.standard_normal(m),
        comp_lat=s["comp_lat"] + 0.3 * rng.standard_normal(m),
        credit_lat=s["credit_lat"] + 0.3 * rng.standard_normal(m),
        distance=np.where(new_site, s["distance"] * rng.uniform(0.3, 0.8, m), s["distance"]),
        payment_lat=s["payment_lat"] + 5.0 * rng.standard_normal(m),
    )


def _new_list_customers(
    rng: np.random.Generator, n: int, owners: pd.DataFrame, first_id: int, taken: frozenset[str]
) -> pd.DataFrame:
    """New customers entering the preliminary list, with ids, names and owners."""
    segment = rng.choice(len(SEGMENTS), n, p=_SEGMENT_TABLE["share"].to_numpy())
    region = rng.choice(len(REGIONS), n, p=_REGION_SHARES)
    has_owner = rng.random(n) < 0.70
    state = _new_customers(rng, n, segment, region, has_owner)
    owner = np.where(has_owner, _assign_owner(rng, segment, owners), -1)
    ids = np.char.add("C", np.char.zfill(np.arange(first_id, first_id + n).astype(str), 6)).astype(object)
    names = _company_names(rng, segment, region, taken)
    return state.assign(customer_id=ids, customer_name=names, owner=owner)


# ========================================================================= observation
def _rating(latent: np.ndarray, top: int = 5) -> np.ndarray:
    """Round a continuous latent to an integer rating in ``1..top``."""
    return np.clip(np.rint(latent), 1, top).astype(np.int64)


def _observe(rng: np.random.Generator, state: pd.DataFrame) -> pd.DataFrame:
    """The true (complete, rounded) facts of a year from the latent state.

    Values are clipped at sensible bounds (about three standard deviations) so that no
    single extreme value compresses a min-max normalised column, and rounded to the
    precision they are written with, so the truth equals the file where not missing.
    """
    n = len(state)
    has_owner = state["owner"].to_numpy() >= 0 if "owner" in state else np.zeros(n, dtype=bool)
    stage = state["stage"].to_numpy()
    budget = np.clip(np.exp(state["log_budget"].to_numpy()), 20.0, 15000.0).round(1)
    deal = np.clip(budget * np.exp(state["share_log"].to_numpy()), 3.0, 3000.0).round(1)
    rel = state["rel_base"].to_numpy() + 1.0 * has_owner + 0.8 * (stage == 0)
    months = np.select(
        [stage == 0, stage == 1],
        [np.clip(rng.gamma(1.0, 1.0, n), 0.0, 6.0), np.clip(rng.gamma(2.0, 2.0, n), 0.5, 18.0)],
        np.clip(rng.gamma(3.0, 3.5, n), 1.0, 36.0),
    ).round(1)
    rating = _rating
    return pd.DataFrame(
        {
            "it_budget": budget,
            "deal_size": deal,
            "growth": np.clip(state["growth"].to_numpy(), -20.0, 35.0).round(1),
            "strategic_fit": rating(state["fit_lat"].to_numpy()),
            "industry_influence": rating(state["infl_lat"].to_numpy()),
            "relationship_strength": rating(rel),
            "competitive_intensity": rating(state["comp_lat"].to_numpy()),
            "service_distance_km": np.clip(state["distance"].to_numpy(), 0.0, 200.0).round(1),
            "credit_grade": _CREDIT_LABELS[rating(state["credit_lat"].to_numpy(), 9) - 1],
            "payment_days": np.clip(np.rint(state["payment_lat"].to_numpy()), 15, 180).astype(np.int64),
            "pipeline_stage": STAGES[stage],
            "expected_months_to_close": months,
            "need_status": NEEDS[state["need"].to_numpy()],
        }
    )


def _criteria_matrix(facts: pd.DataFrame) -> pd.DataFrame:
    """Numeric criteria of the outcome model: log1p money, credit grade on 1–9.

    Parameters
    ----------
    facts : pandas.DataFrame
        The ten criteria columns of :data:`CRITERIA` (true, complete values).

    Returns
    -------
    pandas.DataFrame
        Float columns, one per criterion, before normalisation.
    """
    x = facts.loc[:, list(CRITERIA)].assign(
        it_budget=np.log1p(facts["it_budget"].astype(float)),
        deal_size=np.log1p(facts["deal_size"].astype(float)),
        credit_grade=facts["credit_grade"].map(CREDIT_SCALE),
    )
    return x.astype(float)


def _true_scores(x: pd.DataFrame, lo: pd.Series, hi: pd.Series) -> pd.DataFrame:
    """Min-max z-scores (cost criteria flipped) and the true score s = sum w_j z_j."""
    cost = (TRUE_WEIGHTS["direction"] == "cost").to_numpy()
    z = (x - lo) / (hi - lo)
    z.loc[:, cost] = 1.0 - z.loc[:, cost]
    z = z.add_prefix("z_")
    score = z.to_numpy() @ TRUE_WEIGHTS["weight"].to_numpy()
    return z.assign(score=score)


def _solve_alpha(centred: np.ndarray, dead: np.ndarray) -> float:
    """Intercept giving an expected win rate of :data:`TARGET_WIN_RATE` over the list."""

    def gap(alpha: float) -> float:
        p = np.where(dead, DEAD_WIN_PROBABILITY, expit(alpha + OUTCOME_BETA * centred))
        return float(p.mean() - TARGET_WIN_RATE)

    return float(brentq(gap, -20.0, 20.0, xtol=1e-12))


def _truth(facts: pd.DataFrame, customer_id: np.ndarray) -> pd.DataFrame:
    """True criteria, z-scores, score and P(won) of one year's list (one row per customer)."""
    x = _criteria_matrix(facts)
    zs = _true_scores(x, x.min(), x.max())
    centred = zs["score"].to_numpy() - zs["score"].mean()
    dead = facts["need_status"].to_numpy() == "dead"
    alpha = _solve_alpha(centred, dead)
    p = np.where(dead, DEAD_WIN_PROBABILITY, expit(alpha + OUTCOME_BETA * centred))
    out = pd.concat(
        [pd.DataFrame({"customer_id": customer_id.astype(str)}), facts.loc[:, [*CRITERIA, "need_status"]], zs], axis=1
    ).assign(p_won=p)
    out.attrs.update(alpha=alpha, beta=OUTCOME_BETA, lo=x.min(), hi=x.max(), mean_score=zs["score"].mean())
    return out


def _outcomes(rng: np.random.Generator, truth: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Won / revenue / days to close drawn from the known outcome model."""
    n = len(truth)
    won = (rng.random(n) < truth["p_won"].to_numpy()).astype(np.int64)
    revenue = np.where(won == 1, facts["deal_size"].to_numpy() * rng.lognormal(0.0, REVENUE_LOG_SD, n), 0.0)
    days = np.clip(
        np.rint(
            facts["expected_months_to_close"].to_numpy() * 30.0 * rng.lognormal(0.0, 0.3, n) + rng.gamma(2.0, 5.0, n)
        ),
        1,
        365,
    ).astype(np.int64)
    return pd.DataFrame(
        {
            "customer_id": truth["customer_id"],
            "won": won,
            "revenue": revenue.round(1),
            "days_to_close": pd.Series(days, dtype="Int64").where(won == 1),
        }
    )


def _with_missing(
    rng: np.random.Generator, facts: pd.DataFrame, rates: dict[str, float], multiplier: np.ndarray
) -> pd.DataFrame:
    """Blank out fields at random: P(missing) = rate[field] * multiplier[row], independently."""
    out = facts.copy()
    for column, rate in rates.items():
        missing = rng.random(len(out)) < rate * multiplier
        if out[column].dtype.kind in "iu":
            out[column] = pd.Series(out[column], dtype="Int64")
        out[column] = out[column].mask(missing)
    return out


def _preliminary(
    rng: np.random.Generator, state: pd.DataFrame, observed: pd.DataFrame, owners: pd.DataFrame
) -> pd.DataFrame:
    """One row per (customer, proposing segment); ~2% of customers proposed twice."""
    n = len(state)
    owner = state["owner"].to_numpy()
    owner_ids = owners["owner_id"].to_numpy(dtype=object)[np.maximum(owner, 0)]
    base = pd.concat(
        [
            pd.DataFrame(
                {
                    "customer_id": state["customer_id"].to_numpy(dtype=object),
                    "customer_name": state["customer_name"].to_numpy(dtype=object),
                    "segment": np.asarray(SEGMENTS, dtype=object)[state["segment"].to_numpy()],
                    "region": np.asarray(REGIONS, dtype=object)[state["region"].to_numpy()],
                    "owner_id": np.where(owner >= 0, owner_ids, None),
                }
            ),
            observed,
        ],
        axis=1,
    ).assign(_row=0)
    twice = rng.random(n) < MULTI_SEGMENT_SHARE
    other = (state["segment"].to_numpy() + rng.integers(1, len(SEGMENTS), n)) % len(SEGMENTS)
    extra = base.loc[twice].assign(segment=np.asarray(SEGMENTS, dtype=object)[other[twice]], _row=1)
    rows = pd.concat([base, extra], ignore_index=True).sort_values(["customer_id", "_row"], kind="stable")
    rows = rows.drop(columns="_row").reset_index(drop=True)
    for column in (
        "customer_id",
        "customer_name",
        "segment",
        "region",
        "owner_id",
        "credit_grade",
        "pipeline_stage",
        "need_status",
    ):
        rows[column] = rows[column].astype("str")
    return rows.loc[:, list(PRELIMINARY_COLUMNS)]


# =========================================================================== inquiries
def _inquiry_dates(rng: np.random.Generator, n: int, year: int) -> np.ndarray:
    """``n`` dates in ``year`` weighted by month (seasonality) and weekday."""
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weight = _MONTH_WEIGHTS[month] * np.where(weekday >= 5, _WEEKEND_WEIGHT, 1.0)
    return np.sort(rng.choice(days, n, p=weight / weight.sum()))


def _inquiries(
    rng: np.random.Generator, owners: pd.DataFrame, taken: frozenset[str], truth: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The general-inquiry log of :data:`INQUIRY_YEAR` and its true scores.

    Inquiring customers are not on the list, are smaller (latent size shifted by -0.6)
    and arrive with partial facts (:data:`INQUIRY_MISSING_RATES`). Their true score uses
    the min and max of the year's list (z clipped to [0, 1]). The handling decision is
    an ordered draw on ``0.8 * standardised score + 0.6 * noise`` cut at
    :data:`_DECISION_CUTS`; follow-ups depend on the decision; conversion follows
    :data:`INQUIRY_CONVERSION`.
    """
    n = int(rng.poisson(INQUIRY_COUNT))
    segment = rng.choice(len(SEGMENTS), n, p=_SEGMENT_TABLE["inquiry_share"].to_numpy())
    region = rng.choice(len(REGIONS), n, p=_REGION_SHARES)
    state = _new_customers(rng, n, segment, region, np.zeros(n, dtype=bool), size_shift=-0.6).assign(stage=2)
    facts = _observe(rng, state).loc[:, list(CRITERIA)]
    x = _criteria_matrix(facts)
    z = _true_scores(x, truth.attrs["lo"], truth.attrs["hi"]).drop(columns="score").clip(0.0, 1.0)
    score = z.to_numpy() @ TRUE_WEIGHTS["weight"].to_numpy()
    latent = 0.8 * (score - score.mean()) / score.std() + 0.6 * rng.standard_normal(n)
    decision = np.searchsorted(_DECISION_CUTS, latent)
    follow_ups = np.choose(
        decision,
        [rng.binomial(1, 0.3, n), rng.binomial(2, 0.3, n), 1 + rng.binomial(10, 0.3, n), 3 + rng.binomial(8, 0.5, n)],
    )
    c = INQUIRY_CONVERSION
    logit = c["intercept"] + c["per_follow_up"] * follow_ups + c["score_slope"] * (score - truth.attrs["mean_score"])
    converted = (rng.random(n) < expit(logit)).astype(np.int64)
    channel = rng.choice(len(CHANNELS), n, p=_CHANNEL_SHARES)
    hours = np.clip(rng.lognormal(np.log(3.5), 1.1, n) * _CHANNEL_RESPONSE[channel], 0.1, 720.0).round(1)
    dates = _inquiry_dates(rng, n, INQUIRY_YEAR)
    names = _company_names(rng, segment, region, taken)
    handler = owners["owner_id"].to_numpy(dtype=object)[_assign_owner(rng, segment, owners)]
    need_category = NEED_CATEGORIES[rng.choice(len(NEED_CATEGORIES), n, p=_NEED_CATEGORY_SHARES)]
    observed = _with_missing(rng, facts, INQUIRY_MISSING_RATES, np.ones(n))
    log = pd.concat(
        [
            pd.DataFrame(
                {
                    "inquiry_id": [f"Q{INQUIRY_YEAR}-{i:04d}" for i in range(1, n + 1)],
                    "date": dates.astype(str),
                    "channel": CHANNELS[channel].astype(str),
                    "segment": np.asarray(SEGMENTS)[segment],
                    "customer_name": names.astype(str),
                    "region": np.asarray(REGIONS)[region],
                    "need_category": need_category.astype(str),
                    "first_response_hours": hours,
                    "handler": handler.astype(str),
                    "decision": DECISIONS[decision].astype(str),
                    "follow_ups": follow_ups.astype(np.int64),
                    "converted": converted,
                }
            ),
            observed,
        ],
        axis=1,
    )
    log["credit_grade"] = log["credit_grade"].astype("str")
    true = pd.concat([log[["inquiry_id"]], facts, z], axis=1).assign(score=score, p_converted=expit(logit))
    return log.loc[:, list(INQUIRY_COLUMNS)], true


# ======================================================================== the pipeline
def _simulate(seed: int) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Run the whole simulation: the files and the truth behind them."""
    rng = np.random.default_rng(seed)
    owners = _owners(rng)
    files: dict[str, pd.DataFrame] = {}
    truths: dict[str, pd.DataFrame] = {}
    state = _new_list_customers(rng, LIST_SIZE, owners, 1, frozenset())
    next_id = LIST_SIZE + 1
    taken = frozenset(state["customer_name"])
    won = np.zeros(0, dtype=np.int64)
    for year in LIST_YEARS:
        if year != LIST_YEARS[0]:
            state = _evolve(rng, state, won, owners)
            n_new = max(0, LIST_SIZE - len(state) + int(rng.integers(-40, 41)))
            new = _new_list_customers(rng, n_new, owners, next_id, taken)
            next_id += n_new
            taken = taken | frozenset(new["customer_name"])
            state = pd.concat([state, new], ignore_index=True)
        state = state.sort_values("customer_id", kind="stable").reset_index(drop=True)
        facts = _observe(rng, state)
        truth = _truth(facts, state["customer_id"].to_numpy())
        truths[f"truth_{year}"] = truth
        if year in OUTCOME_YEARS:
            outcomes = _outcomes(rng, truth, facts)
            files[f"outcomes_{year}"] = outcomes
            won = outcomes["won"].to_numpy()
        multiplier = MISSING_STAGE_MULTIPLIER[state["stage"].to_numpy()]
        observed = _with_missing(rng, facts, MISSING_RATES, multiplier)
        files[f"preliminary_{year}"] = _preliminary(rng, state, observed, owners)
    inquiries, inquiry_truth = _inquiries(rng, owners, taken, truths[f"truth_{INQUIRY_YEAR}"])
    files[f"inquiries_{INQUIRY_YEAR}"] = inquiries
    truths[f"truth_inquiries_{INQUIRY_YEAR}"] = inquiry_truth
    files["owners"] = owners
    files["true_weights"] = TRUE_WEIGHTS.copy()
    order = [
        *(f"preliminary_{y}" for y in LIST_YEARS),
        *(f"outcomes_{y}" for y in OUTCOME_YEARS),
        "owners",
        f"inquiries_{INQUIRY_YEAR}",
        "true_weights",
    ]
    return {k: files[k] for k in order}, truths


def generate_sample(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Generate the synthetic sample dataset.

    Parameters
    ----------
    seed : int, default 2026
        Seed of ``numpy.random.default_rng``; the same seed gives the same data.

    Returns
    -------
    dict of str to pandas.DataFrame
        Keyed by file stem: ``preliminary_2023`` ... ``preliminary_2026``,
        ``outcomes_2023``, ``outcomes_2024``, ``outcomes_2025``, ``owners``,
        ``inquiries_2025``, ``true_weights``. Columns are described in
        ``data/sample/README.md``.

    Examples
    --------
    >>> files = generate_sample(seed=1)
    >>> sorted(files)[:2]
    ['inquiries_2025', 'outcomes_2023']
    >>> files["true_weights"]["weight"].sum().round(6)
    np.float64(1.0)
    """
    return _simulate(seed)[0]


def generate_truth(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The hidden truth behind :func:`generate_sample` (for calibration checks).

    Parameters
    ----------
    seed : int, default 2026
        Same meaning as in :func:`generate_sample`.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``truth_2023`` ... ``truth_2026``: one row per customer of the list
        with the complete (pre-missingness) criteria, ``need_status``, the min-max
        z-scores ``z_<criterion>`` (cost criteria flipped), the true ``score`` and
        ``p_won``; ``frame.attrs`` holds ``alpha``, ``beta``, the per-criterion ``lo`` and
        ``hi`` used for the normalisation and ``mean_score``.
        ``truth_inquiries_2025``: the inquiring customers' complete criteria, z-scores
        (with the 2025 list's min and max, clipped to [0, 1]), ``score`` and
        ``p_converted``.
    """
    return _simulate(seed)[1]


#: Directions of the criteria of :func:`share_of_wallet_sample`.
SHARE_OF_WALLET_DIRECTIONS: Final = {
    "it_budget": "benefit",
    "deal_size": "benefit",
    "strategic_fit": "benefit",
    "relationship": "benefit",
    "distance": "cost",
}


def share_of_wallet_sample(
    n: int, seed: int | np.random.Generator = DEFAULT_SEED, share_sd: float = 0.6
) -> tuple[pd.DataFrame, pd.Series]:
    """Correlated criteria where one benefit criterion has a negative partial effect.

    A small stand-alone simulation (not part of the bundled sample files) for checking
    how a calibration handles criteria that move together. ``log deal = log budget +
    log share``, where the share of the customer's IT budget we can win is independent
    of the budget, so log IT budget and log deal size correlate ``1 / sqrt(1 +
    share_sd**2)`` (0.86 at the default). Conversion rises with the deal size *and*
    with the share::

        logit P(won) = -1.2 + 0.6 log deal + 1.5 log share + 1.5 fit + 1.5 relationship - distance

    Both the budget and the deal size are benefits (each alone goes with more
    conversion), but given the deal size a larger budget means a smaller share, so an
    unconstrained GLM gives the budget a negative coefficient and inflates the deal
    size's. Directions are in :data:`SHARE_OF_WALLET_DIRECTIONS`.

    Parameters
    ----------
    n : int
        Number of customers.
    seed : int or numpy.random.Generator, default 2026
        Seed of ``numpy.random.default_rng``, or a generator to draw from (its stream
        advances, so successive calls give independent samples).
    share_sd : float, default 0.6
        Standard deviation of the log share; smaller means more strongly correlated
        budget and deal size.

    Returns
    -------
    x : pandas.DataFrame
        ``it_budget`` and ``deal_size`` (logs, standard-normal scale),
        ``strategic_fit``, ``relationship`` and ``distance`` (uniform on [0, 1]),
        indexed by ``customer`` ``0 .. n-1``.
    y : pandas.Series
        ``won``: 1 when the customer converted, else 0.

    Examples
    --------
    >>> x, y = share_of_wallet_sample(2000, seed=1)
    >>> list(x.columns)
    ['it_budget', 'deal_size', 'strategic_fit', 'relationship', 'distance']
    >>> bool(x["it_budget"].corr(x["deal_size"]) > 0.8), sorted(y.unique().tolist())
    (True, [0, 1])
    """
    if n < 1:
        raise ValueError(f"n must be a positive number of customers, got {n}")
    if not share_sd > 0:
        raise ValueError(f"share_sd must be positive, got {share_sd}")
    rng = np.random.default_rng(seed)
    log_budget = rng.standard_normal(n)
    log_share = share_sd * rng.standard_normal(n)
    x = pd.DataFrame(
        {
            "it_budget": log_budget,
            "deal_size": log_budget + log_share,
            "strategic_fit": rng.random(n),
            "relationship": rng.random(n),
            "distance": rng.random(n),
        },
        index=pd.RangeIndex(n, name="customer"),
    )
    eta = -1.2 + 0.6 * x["deal_size"] + 1.5 * log_share + 1.5 * x["strategic_fit"] + 1.5 * x["relationship"]
    eta = eta - 1.0 * x["distance"]
    p_won = 1 / (1 + np.exp(-eta.to_numpy()))
    y = pd.Series((rng.random(n) < p_won).astype(int), index=x.index, name="won")
    return x, y


# ============================================================================== README
def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _md_table(frame: pd.DataFrame) -> str:
    """A pipe table of ``frame`` (index ignored)."""
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _readme(files: dict[str, pd.DataFrame], truths: dict[str, pd.DataFrame], seed: int) -> str:
    """The data README, with every figure measured on the generated files."""
    years = pd.DataFrame(
        {
            "year": list(LIST_YEARS),
            "rows": [len(files[f"preliminary_{y}"]) for y in LIST_YEARS],
            "customers": [files[f"preliminary_{y}"]["customer_id"].nunique() for y in LIST_YEARS],
            "proposed by two segments": [
                _pct(
                    files[f"preliminary_{y}"]["customer_id"].duplicated().sum()
                    / files[f"preliminary_{y}"]["customer_id"].nunique()
                )
                for y in LIST_YEARS
            ],
            "dead": [_pct((truths[f"truth_{y}"]["need_status"] == "dead").mean()) for y in LIST_YEARS],
            "alpha": [f"{truths[f'truth_{y}'].attrs['alpha']:.4f}" for y in LIST_YEARS],
        }
    )
    ids = [set(files[f"preliminary_{y}"]["customer_id"]) for y in LIST_YEARS]
    churn = pd.DataFrame(
        {
            "from → to": [f"{a} → {b}" for a, b in itertools.pairwise(LIST_YEARS)],
            "stayed": [len(p & q) for p, q in itertools.pairwise(ids)],
            "left": [len(p - q) for p, q in itertools.pairwise(ids)],
            "new": [len(q - p) for p, q in itertools.pairwise(ids)],
        }
    )
    missing_rows = []
    for field in MISSING_RATES:
        row = {"field": f"`{field}`", "base rate": _pct(MISSING_RATES[field])}
        for y in LIST_YEARS:
            customers = files[f"preliminary_{y}"].drop_duplicates("customer_id")
            row[str(y)] = _pct(customers[field].isna().mean())
        missing_rows.append(row)
    by_stage = []
    for y in LIST_YEARS:
        customers = files[f"preliminary_{y}"].drop_duplicates("customer_id")
        shares = customers.groupby("pipeline_stage")[list(MISSING_RATES)].apply(lambda g: g.isna().mean().mean())
        by_stage.append({"year": y, **{s: _pct(shares[s]) for s in STAGES}})
    outcome_rows = []
    for y in OUTCOME_YEARS:
        o = files[f"outcomes_{y}"]
        dead = truths[f"truth_{y}"]["need_status"].to_numpy() == "dead"
        outcome_rows.append(
            {
                "year": y,
                "customers": len(o),
                "won": int(o["won"].sum()),
                "win rate": _pct(o["won"].mean()),
                "win rate of dead": _pct(o["won"].to_numpy()[dead].mean()),
                "revenue won (万元)": f"{o['revenue'].sum():,.0f}",
                "median days_to_close": f"{o['days_to_close'].median():.0f}",
            }
        )
    inq = files[f"inquiries_{INQUIRY_YEAR}"]
    inq_missing = pd.DataFrame(
        {"criterion": [f"`{c}`" for c in CRITERIA], "missing": [_pct(inq[c].isna().mean()) for c in CRITERIA]}
    )
    conv = inq.assign(band=pd.cut(inq["follow_ups"], [-1, 0, 1, 2, 3, 11], labels=["0", "1", "2", "3", "4–11"]))
    conv_table = conv.groupby("band", observed=False).agg(
        inquiries=("converted", "size"), converted=("converted", "sum")
    )
    conv_table = (
        conv_table.assign(
            **{
                "conversion rate": (conv_table["converted"] / conv_table["inquiries"]).map(_pct),
                "share of all conversions": (conv_table["converted"] / conv_table["converted"].sum()).map(_pct),
            }
        )
        .reset_index()
        .rename(columns={"band": "follow_ups"})
    )
    decisions = inq["decision"].value_counts().reindex(DECISIONS).rename_axis("decision").reset_index(name="inquiries")
    weights = TRUE_WEIGHTS.assign(
        criterion=TRUE_WEIGHTS["criterion"].map("`{}`".format),
        transform=["log1p", "log1p", "", "", "", "", "", "", "AAA→9 … C→1", ""],
    )
    rows_per_file = pd.DataFrame(
        {
            "file": [f"`{k}.csv`" for k in files],
            "rows": [len(v) for v in files.values()],
            "columns": [v.shape[1] for v in files.values()],
        }
    )
    corr_year = OUTCOME_YEARS[-1]
    sized = ["it_budget", "deal_size", "industry_influence", "credit_grade", "competitive_intensity"]
    corr = truths[f"truth_{corr_year}"][[f"z_{c}" for c in sized]].corr()
    correlations = pd.DataFrame(
        {"criterion": [f"`{c}`" for c in sized], **{f"`{c}`": corr[f"z_{c}"].map("{:.2f}".format) for c in sized}}
    )
    c = INQUIRY_CONVERSION
    return _README_TEMPLATE.format(
        list_span=f"{LIST_YEARS[0]}–{LIST_YEARS[-1]}",
        outcome_span=f"{OUTCOME_YEARS[0]}–{OUTCOME_YEARS[-1]}",
        list_years=", ".join(map(str, LIST_YEARS)),
        outcome_years=", ".join(map(str, OUTCOME_YEARS)),
        loadings=", ".join(f"{_LATENT_LABELS[k]} {v:g}" for k, v in SIZE_LOADINGS.items()),
        corr_year=corr_year,
        correlations=_md_table(correlations.reset_index(drop=True)),
        seed=seed,
        rows_per_file=_md_table(rows_per_file),
        years=_md_table(years),
        churn=_md_table(churn),
        missing=_md_table(pd.DataFrame(missing_rows)),
        missing_by_stage=_md_table(pd.DataFrame(by_stage)),
        stage_multiplier=", ".join(f"{s} ×{m}" for s, m in zip(STAGES, MISSING_STAGE_MULTIPLIER)),
        weights=_md_table(weights),
        outcomes=_md_table(pd.DataFrame(outcome_rows)),
        inquiry_missing=_md_table(inq_missing),
        conversion=_md_table(conv_table),
        decisions=_md_table(decisions),
        inquiry_rate=_pct(inq["converted"].mean()),
        inquiries=len(inq),
        owners=len(files["owners"]),
        beta=OUTCOME_BETA,
        target_rate=_pct(TARGET_WIN_RATE),
        dead_p=DEAD_WIN_PROBABILITY,
        revenue_sd=REVENUE_LOG_SD,
        c0=c["intercept"],
        c1=c["per_follow_up"],
        c2=c["score_slope"],
        multi=_pct(MULTI_SEGMENT_SHARE),
        inquiry_year=INQUIRY_YEAR,
        weekend=_WEEKEND_WEIGHT,
    )


_README_TEMPLATE: Final = """\
# Sample data (synthetic)

**Everything in this folder is synthetic.** It was generated by
`prioanalysis/sample.py` with seed **{seed}** and describes no real company, customer or
person; names are assembled from word lists. It imitates the data of the annual customer
importance ranking (客户重要性排序, see `docs/process.md`) of a Chinese IT hardware and services
vendor: the preliminary customer lists of {list_span}, the outcomes of {outcome_span}, the
account managers, and a year of general inquiries. The outcomes come from a **known
model** (below), so the annual review can be checked against the truth.

Regenerate (byte-identical; `tests/test_sample.py` checks it):

```
.venv/bin/prioanalysis sample data/sample        # seed {seed}
.venv/bin/prioanalysis sample OUTDIR --seed N    # another draw
```

This README is written by the same command; every figure in it is measured on the files.
Money is in **万元** (10,000 CNY). CSVs are UTF-8, `\\n` line ends, an empty cell is a
missing value.

{rows_per_file}

## Files and columns

### `preliminary_YYYY.csv` ({list_years}) — the preliminary customer list (step 2.3.2)
One row per (customer, proposing segment). A customer proposed by two segments appears on
two rows with the same `customer_id` and the same facts but a different `segment` (about
{multi} of customers; the first row carries the customer's home segment).

| column | meaning |
|---|---|
| `customer_id` | `C` + 6 digits, stable across years |
| `customer_name` | Chinese organisation name, unique per customer (and never reused by an inquiry) |
| `segment` | proposing segment: government, finance, education, telecom, manufacturing, energy, healthcare, retail |
| `region` | north, northeast, east, south, central, southwest, northwest |
| `owner_id` | account manager with an existing relationship (`owners.csv`), empty = no relationship (~30%) |
| `it_budget` | annual IT budget, 万元, lognormal by segment, clipped to [20, 15000] |
| `deal_size` | obtainable deal size, 万元 = IT budget × lognormal share (median 15%), clipped to [3, 3000] |
| `growth` | customer's revenue growth, %, AR(1) around a segment mean, clipped to [-20, 35] |
| `strategic_fit` | 1–5 |
| `industry_influence` | 1–5 (rises with size) |
| `relationship_strength` | 1–5 (higher with an owner and for closed customers) |
| `competitive_intensity` | 1–5, **cost** (higher is worse; rises with size) |
| `service_distance_km` | km to the nearest service site, **cost**, gamma(2) by region, clipped to [0, 200] |
| `credit_grade` | AAA, AA, A, BBB, BB, B, CCC, CC, C (mostly A–BBB; rises with size) |
| `payment_days` | typical days to pay, integer, **cost**, clipped to [15, 180] |
| `pipeline_stage` | closed (already a customer) / negotiating / potential; a customer won in year t is closed in t+1 |
| `expected_months_to_close` | months, ≥ 0: closed Gamma(1, 1) ≤ 6, negotiating Gamma(2, 2) in [0.5, 18], potential Gamma(3, 3.5) in [1, 36] |
| `need_status` | target / potential / dead, depends on the stage |

{years}

Customers persist from year to year with drifting facts (budget +5%/year, growth AR(1),
ratings in small steps, owners changing); about 8.5% of living and 30% of dead customers
leave each year and new customers keep the list near 3,000:

{churn}

**Missingness.** Six fields have empty cells; ids, names, segment, region,
`deal_size`, the ratings other than `relationship_strength`, stage, months to close and
need are always filled. Each cell is blanked independently with probability
`base rate × stage multiplier` ({stage_multiplier}): existing customers are well
documented, potential ones are not (missing at random given the stage). Measured share
of customers with the field missing:

{missing}

Mean missing share over the six fields, by pipeline stage:

{missing_by_stage}

### `outcomes_YYYY.csv` ({outcome_years}) — what happened in the year
One row per customer of that year's list (not per segment row).

| column | meaning |
|---|---|
| `customer_id` | as in the list |
| `won` | 1 if a deal was won in the year |
| `revenue` | 万元, 0 when not won |
| `days_to_close` | days the won deal took to close (integer, 1–365), empty when not won |

{outcomes}

### `true_weights.csv` — the weights of the outcome model

{weights}

### `owners.csv` — the {owners} account managers
`owner_id` (`O` + 3 digits), `owner_name` (Chinese), home `segment` and `region`, and how
many accounts of each tier they can carry: `capacity_strategic` (2–5), `capacity_key`
(8–15), `capacity_general` (20–40). Owners are spread over the segments roughly in
proportion to their size; an owned customer's owner is from the customer's segment 90%
of the time (cross-segment coverage otherwise); an owner's region is unrelated to the
customers'.

### `inquiries_{inquiry_year}.csv` — general (cold-call) inquiries (step 2.3.5)
{inquiries} inquiries from customers not on any list: `inquiry_id` (`Q2025-0001`, in date
order), `date` (month weights with a Spring Festival dip in February and a year-end
rush; weekends ×{weekend}), `channel` (phone, web, email, exhibition, referral),
`segment`, `customer_name`, `region`, `need_category` (hardware, it_services, cloud,
software, maintenance), `first_response_hours` (lognormal, median ≈ 3.5 h × a channel
factor, most under 24 h), `handler` (an `owner_id`), `decision` (decline,
refer_partner, follow_up, propose_target), `follow_ups` (0–11), `converted` (0/1), and
the ten criteria columns where known, so inquiring customers can be scored with the
current criteria.

Inquiring customers are smaller than listed ones (latent size −0.6 sd). Their true
score uses the 2025 list's min and max (z clipped to [0, 1]). The decision is an
ordered draw on `0.8 × standardised true score + 0.6 × N(0, 1)` cut at −0.5, 0, 1.2;
follow-ups: decline Bin(1, 0.3), refer_partner Bin(2, 0.3), follow_up 1 + Bin(10, 0.3),
propose_target 3 + Bin(8, 0.5). Conversion:
`logit P(converted) = {c0} + {c1} × follow_ups + {c2} × (score − mean score of the 2025 list)`,
in line with the sales folklore that most deals close only after the 4th–11th follow-up.
Overall conversion rate: {inquiry_rate}.

{decisions}

{conversion}

Missing share of the criteria in the inquiry log:

{inquiry_missing}

## Correlated criteria

One latent size factor per customer (standard normal) drives the IT budget, the
industry influence, the credit grade and the competitive intensity; the obtainable deal
size is the budget times an independent share, and the revenue won is the deal size
times noise, so all of them move together as in real data. Loadings on the size factor:
{loadings}.
Correlation of the oriented min-max z-scores (cost criteria flipped, so a negative value
means a larger customer faces more competition) on the {corr_year} list:

{correlations}

The other criteria are independent of size. On such data the unconstrained coefficients
of the size-driven criteria have large, negatively correlated errors, so one of them can
come out negative although every true weight is positive; the calibration therefore fits
with the declared directions as bounds.

## The outcome model

For each year, on the **true** (complete, pre-missingness) values of that year's list,
one row per customer:

1. transform: `it_budget` and `deal_size` → `log1p`; `credit_grade` → AAA 9, AA 8, A 7,
   BBB 6, BB 5, B 4, CCC 3, CC 2, C 1;
2. min-max normalise each criterion over the year's list to [0, 1]: benefit
   `z = (x − min) / (max − min)`, cost `z = (max − x) / (max − min)`;
3. true score `s = Σ w_j z_j` with the weights of `true_weights.csv` (sum 1);
4. `logit P(won) = alpha + beta × (s − mean(s))` with **beta = {beta}** and alpha solved
   (per year, to 1e-12) so that the mean P(won) over the list is exactly {target_rate};
   customers with `need_status = dead` have P(won) = {dead_p} (counted in that mean);
   alpha per year is in the table of lists above;
5. `won ~ Bernoulli(P(won))`; `revenue = deal_size × LogNormal(0, {revenue_sd})` when won;
   `days_to_close = clip(round(30 × expected_months_to_close × LogNormal(0, 0.3) +
   Gamma(2, 5)), 1, 365)` when won.

The true values are rounded to the precision written in the files before the model is
applied, so for a customer with no missing field the file *is* the truth; only the
per-year min and max need the complete list. `prioanalysis.sample.generate_truth(seed)`
returns the complete values, z-scores, scores, P(won) and alpha of every year.

Because the values are clipped at about three standard deviations, no single outlier
compresses a min-max column.
"""  # noqa: E501  (a Markdown table row of the generated README must stay on one line)


# =============================================================================== write
def write_sample(directory: str | Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the sample CSV files and their README into ``directory``.

    Parameters
    ----------
    directory : str or pathlib.Path
        Output folder, created if needed; existing files of the same names are replaced.
    seed : int, default 2026
        Seed of the generator.

    Returns
    -------
    list of pathlib.Path
        The files written: one ``<stem>.csv`` per key of :func:`generate_sample`, then
        ``README.md``.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    files, truths = _simulate(seed)
    paths = []
    for stem, frame in files.items():
        path = out / f"{stem}.csv"
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        paths.append(path)
    readme = out / "README.md"
    readme.write_text(_readme(files, truths, seed), encoding="utf-8", newline="\n")
    paths.append(readme)
    return paths
