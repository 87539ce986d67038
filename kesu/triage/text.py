"""Text as the triage models read it: full-width folded to half-width (NFKC), lower case, and
traditional characters folded to simplified ones (OpenCC's character table), so that 投訴 and
投诉, ＡＢＣ and abc are the same to the rules, the classifier and the duplicate finder."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

_SPACE = re.compile(r"\s+")


@functools.cache
def _t2s_table() -> dict[int, str]:
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _sep, targets = line.partition("\t")
        choices = targets.split()
        if len(source) == 1 and choices and len(choices[0]) == 1 and choices[0] != source:
            table[ord(source)] = choices[0]
    return table


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, traditional → simplified, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text or "").lower().translate(_t2s_table())
    return _SPACE.sub(" ", folded).strip()


def char_bigrams(text: str) -> set[str]:
    """The character bigrams of normalised text, spaces and punctuation left out (for similarity)."""
    kept = "".join(ch for ch in normalise(text) if ch.isalnum())
    if len(kept) < 2:
        return {kept} if kept else set()
    return {kept[i : i + 2] for i in range(len(kept) - 1)}
