"""Complaint texts for the workloads, read at bench time from /work/shared/data (never copied
into the repository): negative Chinese reviews (shopping, food delivery, hotels), Chinese car
complaint titles (12365auto) and English CFPB narratives."""

from __future__ import annotations

import csv
import gzip
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

DATA_ROOT = Path(os.environ.get("KESU_BENCH_DATA", "/work/shared/data"))

# online_shopping_10_cats `cat` → Kesu top-level category
SHOPPING_CATEGORY = {
    "平板": "product_quality",
    "水果": "product_quality",
    "洗发水": "product_quality",
    "衣服": "product_quality",
    "酒店": "service_attitude",
    "计算机": "after_sales",
    "书籍": "business_error",
    "手机": "after_sales",
    "蒙牛": "product_quality",
    "热水器": "after_sales",
}
CFPB_MAX_CHARS = 4000  # Kesu accepts up to 10,000 characters; keep bodies in a realistic range


@dataclass(frozen=True)
class Text:
    source: str
    title: str
    description: str
    category: str | None
    product: str = ""


def _rows(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _title(text: str, limit: int = 30) -> str:
    first = text.replace("\n", " ").strip()
    for stop in "。！？!?，,":
        if stop in first[:limit]:
            first = first.split(stop, 1)[0]
            break
    return first[:limit]


def load_texts(*, seed: int = 20240601) -> dict[str, list[Text]]:
    """Texts by source. Reviews: negative ones only (label 0), the ones that read as complaints."""
    reviews = DATA_ROOT / "zh_reviews_sophonplus"
    out: dict[str, list[Text]] = {"shopping": [], "waimai": [], "hotel": [], "car": [], "cfpb": []}
    for row in _rows(reviews / "online_shopping_10_cats.csv.gz"):
        review = (row.get("review") or "").replace("\ufeff", "").strip()
        if row.get("label") == "0" and len(review) >= 4:
            out["shopping"].append(
                Text(
                    "shopping",
                    _title(review),
                    review[:10000],
                    SHOPPING_CATEGORY.get(row.get("cat", "")),
                    row.get("cat", ""),
                )
            )
    for row in _rows(reviews / "waimai_10k.csv.gz"):
        review = (row.get("review") or "").strip()
        if row.get("label") == "0" and len(review) >= 4:
            out["waimai"].append(Text("waimai", _title(review), review, "logistics", "外卖"))
    for row in _rows(reviews / "ChnSentiCorp_htl_all.csv.gz"):
        review = (row.get("review") or "").strip()
        if row.get("label") == "0" and len(review) >= 4:
            out["hotel"].append(Text("hotel", _title(review), review[:10000], "service_attitude", "酒店"))
    for row in _rows(DATA_ROOT / "zh_car_complaints_12365auto" / "car_complaints_12365auto.csv.gz"):
        desc = (row.get("desc") or "").strip()
        if desc:
            body = f"{desc}（{row.get('brand', '')} {row.get('car_model', '')} {row.get('car_type', '')}）"
            out["car"].append(Text("car", desc[:200], body, "product_quality", row.get("car_model", "")[:200]))
    for row in _rows(DATA_ROOT / "cfpb_consumer_complaints_en" / "cfpb_complaints_merged.csv.gz"):
        narrative = (row.get("Consumer complaint narrative") or "").strip()
        if narrative:
            out["cfpb"].append(
                Text(
                    "cfpb",
                    (row.get("Issue") or "")[:200],
                    narrative[:CFPB_MAX_CHARS],
                    "billing",
                    (row.get("Product") or "")[:200],
                )
            )
    rng = random.Random(seed)
    for texts in out.values():
        rng.shuffle(texts)
    return out


# Share of each source in the mixed workloads (intake and the 100,000 preload).
MIX = [("shopping", 0.40), ("waimai", 0.15), ("hotel", 0.10), ("car", 0.20), ("cfpb", 0.15)]


class TextMixer:
    """Cycles through the sources in the MIX proportions, deterministically."""

    def __init__(self, texts: dict[str, list[Text]], *, seed: int = 7):
        self.texts = texts
        self.rng = random.Random(seed)
        self.index = {name: 0 for name in texts}
        self.names = [name for name, _share in MIX]
        self.weights = [share for _name, share in MIX]

    def next(self) -> Text:
        name = self.rng.choices(self.names, self.weights)[0]
        items = self.texts[name]
        i = self.index[name]
        self.index[name] = (i + 1) % len(items)
        return items[i]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏宇浩然欣怡子轩梓涵"
MOBILE_PREFIXES = [
    "138",
    "139",
    "135",
    "136",
    "137",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "133",
    "153",
    "180",
    "189",
]


def customer_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def mobile(index: int) -> str:
    """A valid mainland mobile number, distinct for each index below 22 * 10**8."""
    prefix = MOBILE_PREFIXES[index % len(MOBILE_PREFIXES)]
    return f"{prefix}{(index // len(MOBILE_PREFIXES)) * 7919 % 10**8:08d}"
