"""The message catalogues stay complete: every msgid is translated in zh_Hans and zh_Hant, nothing is fuzzy,
placeholders survive translation, and the catalogues hold every string the code marks for translation.

No database and no writes outside pytest's tmp_path, so the module is xdist-safe. After adding strings:

    .venv/bin/kesu makemessages -l zh_Hans -l zh_Hant -l en --ignore=.venv --ignore=var --ignore=bench \
        --ignore=tests --ignore=artifacts --no-obsolete --no-location

then translate the new or fuzzy entries and run `make messages`.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
CHINESE = ("zh_Hans", "zh_Hant")
LANGUAGES = (*CHINESE, "en")

# Directories makemessages is told to skip (see the module docstring), plus what it skips on its own.
IGNORED_DIRS = {".venv", "var", "bench", "tests", "artifacts", "locale", "node_modules", "__pycache__"}
EXTENSIONS = {".py", ".html", ".txt"}

# Translations that rightly contain no Chinese character: the yuan sign, the form label suffix ":"
# ("：" in Chinese), the list separator ", " ("、") and "%(label)s: %(text)s" (a label and its value).
LANGUAGE_NEUTRAL = {"¥%(amount)s", ":", ", ", "%(label)s: %(text)s"}

# gettext functions xgettext finds under these names (makemessages' keywords and xgettext's Python defaults).
EXTRACTED_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# Known imports under a name xgettext does not see: their strings never reach the catalogues. Fix the import
# (e.g. `from django.utils.translation import gettext_lazy`) and drop the entry.
KNOWN_HIDDEN_ALIASES: set[tuple[str, str]] = set()


# --- a small .po reader (polib is not a project dependency) -------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """(header fields, entries) of a .po or .pot file; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    flags: set[str] = set()

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            finish()
            flags = {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray continuation"
            name, index = target
            if name == "msgstr":
                current.msgstr[index or 0] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
            continue
        if keyword in ("msgctxt", "msgid") and (current is None or current.msgstr):
            finish()
            current = Entry(flags=flags, line=number)
            flags = set()
        assert current is not None, f"{path}:{number}: {keyword} before msgid"
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            target = ("msgstr", int(match.group(1)))
            current.msgstr[target[1]] = _unquote(rest)
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            current.msgstr[0] = _unquote(rest)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            target = (keyword, None)
            setattr(current, keyword, _unquote(rest))
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    finish()
    header: dict[str, str] = {}
    if entries and entries[0].msgid == "" and entries[0].msgctxt is None:
        for item in entries.pop(0).msgstr[0].splitlines():
            name, _, value = item.partition(":")
            header[name.strip()] = value.strip()
    return header, entries


def catalogue(language: str, domain: str = "django") -> tuple[dict[str, str], list[Entry]]:
    return read_po(LOCALE / language / "LC_MESSAGES" / f"{domain}.po")


def domains() -> list[str]:
    return sorted(path.stem for path in (LOCALE / "zh_Hans" / "LC_MESSAGES").glob("*.po"))


# --- placeholders -------------------------------------------------------------------------------------------

_PYTHON_FORMAT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])"
)
_TEMPLATE_VAR = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def placeholders(text: str, python_format: bool) -> Counter[str]:
    found: Counter[str] = Counter(m.group(0) for m in _TEMPLATE_VAR.finditer(text))
    if python_format:
        for m in _PYTHON_FORMAT.finditer(text):
            if m.group("type") != "%":
                found[m.group(0)] += 1
    return found


# --- the tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", CHINESE)
def test_chinese_catalogues_are_complete(language):
    for domain in domains():
        header, entries = catalogue(language, domain)
        assert header.get("Plural-Forms", "").replace(" ", "").startswith("nplurals=1;"), header
        assert entries, f"{language}/{domain}.po is empty"
        untranslated = [e.msgid for e in entries if not e.translated]
        fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
        assert not untranslated, f"{language}/{domain}.po: {len(untranslated)} untranslated: {untranslated[:20]}"
        assert not fuzzy, f"{language}/{domain}.po: {len(fuzzy)} fuzzy: {fuzzy[:20]}"
        wrong_forms = [e.msgid for e in entries if e.msgid_plural is not None and sorted(e.msgstr) != [0]]
        assert not wrong_forms, f"{language}/{domain}.po: Chinese has one plural form: {wrong_forms}"
        not_chinese = [
            e.msgid
            for e in entries
            if e.msgid not in LANGUAGE_NEUTRAL and not any(re.search(r"[\u3400-\u9fff]", s) for s in e.msgstr.values())
        ]
        assert not not_chinese, f"{language}/{domain}.po: msgstr without any Chinese: {not_chinese[:20]}"


@pytest.mark.parametrize("language", CHINESE)
def test_placeholders_survive_translation(language):
    problems = []
    for domain in domains():
        _, entries = catalogue(language, domain)
        for e in entries:
            python_format = "python-format" in e.flags or bool(_PYTHON_FORMAT.search(e.msgid))
            wanted = placeholders(e.msgid, python_format)
            if e.msgid_plural is not None:
                # With one plural form the translation may use either source form's placeholders.
                wanted_plural = placeholders(e.msgid_plural, python_format)
                for text in e.msgstr.values():
                    if placeholders(text, python_format) not in (wanted, wanted_plural):
                        problems.append((e.msgid, text))
            elif placeholders(e.msgstr[0], python_format) != wanted:
                problems.append((e.msgid, e.msgstr[0]))
    assert not problems, f"{language}: placeholders differ: {problems[:20]}"


def test_yesno_argument_keeps_its_shape():
    """`{{ value|yesno:_("yes,no") }}` splits the translation on ASCII commas."""
    for language in CHINESE:
        entries = {e.msgid: e for e in catalogue(language)[1]}
        if "yes,no" in entries:
            assert entries["yes,no"].msgstr[0].count(",") == 1, entries["yes,no"].msgstr


# Glossary terms (the project's complaint-handling vocabulary) and one string from each app.
KNOWN = {
    "shift supervisor": ("当班主管", "當班主管"),
    "general manager": ("总经理", "總經理"),
    "Sign in first: send a valid bearer token.": ("请先登录：发送有效的 Bearer 令牌。", None),
    "audit record": ("审计记录", None),
    "acknowledged": ("已受理", "已受理"),
    "closed": ("已结案", "已結案"),
    "invalid complaint": ("无效投诉", "無效投訴"),
    "approval authority": ("核决权限", "核決權限"),
    "callback": ("回访", "回訪"),
    "make-up working day (调休)": ("调休上班日", "調休上班日"),
    "working days": ("工作日", "工作日"),
    "acknowledgement letter": ("受理通知函", None),
    "File a complaint": ("我要投诉", None),
    "not classified": ("未分类", None),
    "appeal": ("申诉", "申訴"),
    "major complaint": ("重大客诉", "重大客訴"),
    "root cause": ("根本原因", None),
    "responsibility": ("责任归属", "責任歸屬"),
    "corrective and preventive action": ("纠正预防措施", "糾正預防措施"),
    "complaint category": ("投诉类别", None),
    "Register a complaint": ("登记投诉", None),
    "Reopen": ("重新处理", None),
    "Escalate": ("升级", "升級"),
}


def test_known_strings_and_glossary():
    for language, column in (("zh_Hans", 0), ("zh_Hant", 1)):
        entries = {e.msgid: e for e in catalogue(language)[1] if e.msgctxt is None}
        for msgid, expected in KNOWN.items():
            assert msgid in entries, f"{language}: {msgid!r} is missing from the catalogue"
            if expected[column] is not None:
                assert entries[msgid].msgstr[0] == expected[column], (language, msgid)
    en = {e.msgid for e in catalogue("en")[1]}
    assert set(KNOWN) <= en


def test_traditional_chinese_avoids_mainland_and_converter_terms():
    """OpenCC-style slips that read wrong in Taiwan/Hong Kong."""
    slips = ("許可權", "型別", "程式碼", "核準", "信息", "默認", "用戶", "軟件", "視頻", "質量")
    for domain in domains():
        for e in catalogue("zh_Hant", domain)[1]:
            text = " ".join(e.msgstr.values())
            assert not [s for s in slips if s in text], (e.msgid, text)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_catalogues_compile_and_translate(tmp_path):
    for language in LANGUAGES:
        for domain in domains():
            source = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
            assert source.exists(), source
            compiled = tmp_path / f"{language}-{domain}.mo"
            result = subprocess.run(
                ["msgfmt", "--check", "-o", str(compiled), str(source)], capture_output=True, text=True
            )
            assert result.returncode == 0, result.stderr
    hans = gettext.GNUTranslations((tmp_path / "zh_Hans-django.mo").open("rb"))
    assert hans.gettext("Complaint %(number)s registered.") % {"number": "KS-1"} == "投诉 KS-1 已登记。"
    assert hans.ngettext("%(shown)s complaint", "%(shown)s complaints", 7) % {"shown": 7} == "7 件投诉"
    hant = gettext.GNUTranslations((tmp_path / "zh_Hant-django.mo").open("rb"))
    assert hant.gettext("Register a complaint") == "登記投訴"


# --- every marked string is in the catalogues (what a fresh makemessages would extract) ---------------------


def _source_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(p in IGNORED_DIRS or p.startswith(".") or p.endswith(".egg-info") for p in parts[:-1]):
            continue
        if path.suffix in EXTENSIONS and path.is_file() and not path.name.startswith("."):
            files.append(path)
    return files


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_catalogues_hold_every_marked_string(tmp_path):
    from django.utils.translation.template import templatize

    inputs = []
    for index, path in enumerate(_source_files()):
        if path.suffix == ".py":
            inputs.append(str(path))
        else:
            work = tmp_path / f"t{index}.py"
            work.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8")
            inputs.append(str(work))
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(inputs), encoding="utf-8")
    pot = tmp_path / "django.pot"
    result = subprocess.run(
        [
            "xgettext",
            "-d",
            "django",
            "--language=Python",
            "--from-code=UTF-8",
            "--keyword=gettext_noop",
            "--keyword=gettext_lazy",
            "--keyword=ngettext_lazy:1,2",
            "--keyword=pgettext:1c,2",
            "--keyword=npgettext:1c,2,3",
            "--keyword=pgettext_lazy:1c,2",
            "--keyword=npgettext_lazy:1c,2,3",
            "--files-from",
            str(listing),
            "--output",
            str(pot),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    _, extracted = read_po(pot)
    wanted = {e.key for e in extracted}
    assert len(wanted) > 500, "extraction found suspiciously few strings"
    for language in LANGUAGES:
        have = {e.key for e in catalogue(language)[1]}
        missing = sorted(wanted - have, key=str)
        assert not missing, (
            f"{language}: {len(missing)} marked strings are not in the catalogue; run makemessages "
            f"(see this module's docstring) and translate them: {missing[:20]}"
        )


def test_gettext_is_imported_under_names_makemessages_sees():
    """`gettext_lazy as _lazy` hides its strings from xgettext: they are never extracted nor translated."""
    hidden = set()
    for path in _source_files():
        if path.suffix != ".py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    name = alias.asname or alias.name
                    if alias.name in EXTRACTED_NAMES and name not in EXTRACTED_NAMES:
                        hidden.add((path.relative_to(ROOT).as_posix(), name))
    new = hidden - KNOWN_HIDDEN_ALIASES
    assert not new, f"gettext imported under a name makemessages does not extract: {sorted(new)}"
