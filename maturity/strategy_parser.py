"""Read the maturity framework out of the council's procurement strategy text.

The source is the plain-text export of Worcestershire County Council's Corporate Procurement
Strategy 2022-2025. Two parts of it matter here:

* Section 3 has one subsection per key area (3.1.1 .. 3.3.3): prose saying why the area matters,
  then a small "Success measure" table giving where the council is today and where it wants to be.
* Appendix 1 is the council's KPI table: a tab-separated ``KPI / Where we are now / Where we want
  to be`` table flattened from a PDF, one row per indicator. Each key area starts with a
  "High level principle/ specific behaviour" row.

This module is pure parsing: no Django ORM. :func:`parse_strategy` turns the text into a
:class:`ParsedFramework` and :func:`fixture_records` turns that into Django serialized-JSON
records with fixed primary keys, so that ``loaddata`` of the result is idempotent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

LEVELS: dict[str, int] = {
    "Minimum": 1,
    "Developing": 2,
    "Mature": 3,
    "Leader": 4,
    "Innovator": 5,
}
LEVEL_NAMES: dict[int, str] = {number: name for name, number in LEVELS.items()}

FRAMEWORK_NAME = "NPS 2022 – Worcestershire 2022-25"
FRAMEWORK_SLUG = "nps-2022-worcestershire"
FRAMEWORK_SOURCE = (
    "Worcestershire County Council Corporate Procurement Strategy 2022-2025, Appendix 1"
)
HEADLINE_NAME = "High level principle / specific behaviour"

ASSESSED_ON = "2022-04-01"
DUE_BY = "2025-03-31"
STRATEGY_PERIOD = "2022-2025"
PERIOD_STARTS_ON = "2022-04-01"
RECORDED_AT = "2022-04-01T00:00:00Z"
ASSESSMENT_EVIDENCE = "Corporate Procurement Strategy 2022-2025, Appendix 1 (Where we are now)."
ASSESSMENT_COMMENTARY = "Baseline self-assessment published in the strategy."
TARGET_RATIONALE = "Corporate Procurement Strategy 2022-2025, Appendix 1 (Where we want to be)."
APPENDIX_PREFERRED = "the Appendix 1 KPI table is the council's KPI table, so it is the one loaded."

# Appendix 1 has no headings, so the themes and key areas are named here. Each key area is
# matched, in order, to a "High level principle/ specific behaviour" row of the appendix and to
# the section 3 subsection that discusses it.
THEMES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Showing leadership",
        (
            ("Engaging elected members", "3.1.1"),
            ("Engaging senior managers", "3.1.2"),
            ("Working with partners", "3.1.3"),
            ("Engaging strategic suppliers", "3.1.4"),
        ),
    ),
    (
        "Behaving commercially",
        (
            ("Creating commercial opportunities", "3.2.1"),
            ("Managing contracts and relationships", "3.2.2"),
            ("Managing strategic risk", "3.2.3"),
        ),
    ),
    (
        "Achieving community benefits",
        (
            ("Obtaining social value", "3.3.1"),
            ("Engaging local SMEs and micro-businesses", "3.3.2"),
            ("Enabling VCSE engagement", "3.3.3"),
        ),
    ),
)

_LEVEL_ALTERNATION = "|".join(LEVELS)
_HEADLINE_RE = re.compile(r"^High level principle\s*/\s*specific behaviour\s*:?$", re.IGNORECASE)
_CELL_LEVEL_RE = re.compile(rf"^\s*(?:<p>\s*)?({_LEVEL_ALTERNATION})\b\s*(?:</p>)?", re.IGNORECASE)
_BLOCK_TAG_RE = re.compile(r"</?(?:p|ol|ul|li|div|br)\b[^>]*>", re.IGNORECASE)
_ANY_TAG_RE = re.compile(r"<[^>]*>")
_TRAILING_CLOSE_P_RE = re.compile(r"(?:\s*</p>)+\s*$", re.IGNORECASE)
_LEADING_OPEN_P_RE = re.compile(r"^\s*<p>", re.IGNORECASE)
# A list marker is a one- or two-digit number, a full stop and a space, not inside a word.
_NUMBER_MARKER_RE = re.compile(r"(?<!\S)(\d{1,2})\.\s+(?=\S)")
# PDF line wrapping leaves "long- term": a hyphen and a space between two lower-case parts.
_HYPHEN_SPACE_RE = re.compile(r"(?<=[a-z])- (?=[a-z])")
_WHITESPACE_RE = re.compile(r"\s+")
_SENTENCE_END = (".", "!", "?", ":")
_BULLET = "•"
_PARAGRAPH_BREAK = "\x00"

_SUBSECTION_RE = re.compile(r"^(3\.\d+\.\d+)\s+(\S.*)$")
_SECTION_RE = re.compile(r"^3\.\d+\s+\S")
_SUCCESS_MEASURE_RE = re.compile(r"^Success measure\s*:?$", re.IGNORECASE)
_TODAY = "Where we are today"
_WANTED = "Where we want to be"


class StrategyFormatError(ValueError):
    """The strategy text does not have the shape the parser expects."""


@dataclass(frozen=True)
class ParsedIndicator:
    position: int
    name: str
    is_headline: bool
    current_level: int
    current_text: str
    target_level: int
    target_text: str
    line: int  # 1-based line in the source where the row starts


@dataclass(frozen=True)
class SectionMeasure:
    """A section 3 subsection: its prose and its "Success measure" levels."""

    number: str
    title: str
    summary: str
    current_level: int | None
    target_level: int | None


@dataclass
class ParsedKeyArea:
    position: int
    name: str
    strategy_section: str
    summary: str
    section_current_level: int | None
    section_target_level: int | None
    indicators: list[ParsedIndicator] = field(default_factory=list)

    @property
    def headline(self) -> ParsedIndicator:
        return self.indicators[0]

    @property
    def current_disagrees(self) -> bool:
        """Section 3 gives a different current level from the appendix's headline row."""
        return (
            self.section_current_level is not None
            and self.section_current_level != self.headline.current_level
        )

    @property
    def section_disagrees(self) -> bool:
        """Section 3's success measure differs from the appendix headline row in either level."""
        return self.current_disagrees or (
            self.section_target_level is not None
            and self.section_target_level != self.headline.target_level
        )


@dataclass
class ParsedTheme:
    position: int
    name: str
    key_areas: list[ParsedKeyArea] = field(default_factory=list)


@dataclass
class ParsedFramework:
    themes: list[ParsedTheme]

    @property
    def key_areas(self) -> list[ParsedKeyArea]:
        return [key_area for theme in self.themes for key_area in theme.key_areas]

    @property
    def indicators(self) -> list[ParsedIndicator]:
        return [ind for key_area in self.key_areas for ind in key_area.indicators]


@dataclass
class _RawRow:
    kpi: str
    line: int
    current: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Text cleaning
# --------------------------------------------------------------------------------------------


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and mend PDF hyphen-space joins."""
    return _HYPHEN_SPACE_RE.sub("-", _WHITESPACE_RE.sub(" ", text)).strip()


def clean_name(text: str) -> str:
    """A KPI cell as an indicator name: no tags, single spaces, no trailing colon."""
    return normalise_space(_ANY_TAG_RE.sub(" ", text)).rstrip(":").rstrip()


def _visible_text(text: str) -> str:
    return normalise_space(_ANY_TAG_RE.sub(" ", text))


def join_segments(segments: list[str]) -> str:
    """Join the pieces of a cell that a page break spread over several lines.

    If the text so far stops mid-sentence, the next piece carries on the same sentence, so the
    two are joined with a space (dropping the ``</p>``/``<p>`` the PDF export put at the
    break). Otherwise the next piece starts a new paragraph or list item.
    """
    joined = ""
    for segment in segments:
        segment = segment.strip()
        if not _visible_text(segment):
            continue
        if not joined:
            joined = segment
        elif _visible_text(joined).endswith(_SENTENCE_END):
            joined = f"{joined}{_PARAGRAPH_BREAK}{segment}"
        else:
            head = _TRAILING_CLOSE_P_RE.sub("", joined)
            tail = _LEADING_OPEN_P_RE.sub("", segment)
            joined = f"{head} {tail}"
    return joined


def _split_numbered(text: str, expected: int) -> tuple[list[str], int]:
    """Split "intro 1. a 2. b" into lines, counting on from ``expected``.

    Only markers that continue the sequence count, so "page 20. Next" or a stray "3." that does
    not follow "2." stays in the text. Returns the lines and the next expected number.
    """
    markers: list[tuple[int, int, int]] = []  # (marker start, content start, number)
    for match in _NUMBER_MARKER_RE.finditer(text):
        number = int(match.group(1))
        if number == expected:
            markers.append((match.start(), match.end(), number))
            expected += 1
    if not markers:
        return [text], expected
    lines: list[str] = []
    intro = text[: markers[0][0]].strip()
    if intro:
        lines.append(intro)
    for index, (_start, content_start, number) in enumerate(markers):
        end = markers[index + 1][0] if index + 1 < len(markers) else len(text)
        content = text[content_start:end].strip()
        lines.append(f"{number}. {content}")
    return lines, expected


def clean_descriptor(raw: str) -> str:
    """Turn the HTML-ish text of a cell (level name removed) into stored descriptor text.

    One paragraph or list item a line: numbered points as "1. text", bullets as "- text", an
    introductory sentence before a list on its own first line.
    """
    text = _BLOCK_TAG_RE.sub(_PARAGRAPH_BREAK, raw)
    text = _ANY_TAG_RE.sub(" ", text)
    lines: list[str] = []
    expected = 1
    for paragraph in text.split(_PARAGRAPH_BREAK):
        paragraph = normalise_space(paragraph)
        if not paragraph:
            continue
        intro, *bullets = paragraph.split(_BULLET)
        intro = intro.strip()
        if intro:
            numbered, expected = _split_numbered(intro, expected)
            lines.extend(numbered)
        lines.extend(f"- {item.strip()}" for item in bullets if item.strip())
    cleaned = "\n".join(normalise_space(line) for line in lines)
    if "<" in cleaned or ">" in cleaned:
        raise StrategyFormatError(f"Markup left in descriptor: {cleaned!r}")
    return cleaned


def parse_cell(raw: str, *, where: str = "") -> tuple[int, str]:
    """Split a "Where we are now"/"Where we want to be" cell into (level number, descriptor)."""
    match = _CELL_LEVEL_RE.match(raw)
    if match is None:
        raise StrategyFormatError(f"{where}: cell does not start with a level name: {raw[:80]!r}")
    level = LEVELS[match.group(1).capitalize()]
    text = clean_descriptor(raw[match.end() :])
    if not text:
        raise StrategyFormatError(f"{where}: empty descriptor after {match.group(1)!r}")
    return level, text


# --------------------------------------------------------------------------------------------
# Section 3
# --------------------------------------------------------------------------------------------


def _join_paragraphs(paragraphs: list[str]) -> list[str]:
    """Re-join a paragraph a page break split ("fulfilling their" / "contractual ...")."""
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and not joined[-1].endswith(_SENTENCE_END) and paragraph[:1].islower():
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return joined


def parse_section_three(lines: list[str]) -> dict[str, SectionMeasure]:
    """Read each 3.x.y subsection's prose and its success-measure levels."""
    start = next((i for i, line in enumerate(lines) if re.match(r"^3\.0\s", line)), None)
    end = next((i for i, line in enumerate(lines) if re.match(r"^4\.0\s", line)), None)
    if start is None or end is None or end <= start:
        raise StrategyFormatError("Could not find section 3 (between the 3.0 and 4.0 headings).")

    sections: dict[str, SectionMeasure] = {}
    number = title = ""
    paragraphs: list[str] = []
    levels: dict[str, int] = {}
    in_table = False

    def finish() -> None:
        if not number:
            return
        sections[number] = SectionMeasure(
            number=number,
            title=title,
            summary="\n".join(_join_paragraphs(paragraphs)),
            current_level=levels.get(_TODAY),
            target_level=levels.get(_WANTED),
        )

    for line in lines[start + 1 : end]:
        stripped = line.strip()
        heading = _SUBSECTION_RE.match(stripped)
        if heading:
            finish()
            number, title = heading.group(1), normalise_space(heading.group(2))
            paragraphs, levels, in_table = [], {}, False
        elif _SECTION_RE.match(stripped):
            finish()
            number, title, paragraphs, levels, in_table = "", "", [], {}, False
        elif not number or not stripped:
            continue
        elif _SUCCESS_MEASURE_RE.match(stripped):
            in_table = True
        elif in_table:
            cells = [cell.strip() for cell in line.split("\t")]
            if len(cells) == 3 and cells[0] in LEVELS:
                for column in (_TODAY, _WANTED):
                    if cells[2].startswith(column):
                        levels[column] = LEVELS[cells[0]]
        else:
            paragraphs.append(normalise_space(stripped))
    finish()
    return sections


# --------------------------------------------------------------------------------------------
# Appendix 1
# --------------------------------------------------------------------------------------------


def _appendix_rows(lines: list[str]) -> list[_RawRow]:
    """Group the appendix lines into table rows, folding page-break continuation lines in."""
    start = next((i for i, line in enumerate(lines) if line.strip() == "Appendix 1"), None)
    if start is None:
        raise StrategyFormatError('No "Appendix 1" line in the strategy text.')
    rows: list[_RawRow] = []
    header_seen = False
    for index in range(start + 1, len(lines)):
        line = lines[index].rstrip("\r\n")
        if not line.strip():
            continue  # blank or lone-space lines between page fragments
        if "\t" not in line:
            if header_seen:
                raise StrategyFormatError(f"Line {index + 1}: not a table row: {line[:80]!r}")
            continue  # the appendix title lines before the table
        cells = line.split("\t")
        if len(cells) != 3:
            raise StrategyFormatError(
                f"Line {index + 1}: expected 3 tab-separated cells, found {len(cells)}."
            )
        kpi, current, target = cells
        if not header_seen:
            if kpi.strip() != "KPI":
                raise StrategyFormatError(f"Line {index + 1}: expected the KPI header row.")
            header_seen = True
            continue
        if kpi.strip():
            rows.append(_RawRow(kpi=kpi, line=index + 1, current=[current], target=[target]))
        elif rows:
            rows[-1].current.append(current)
            rows[-1].target.append(target)
        else:
            raise StrategyFormatError(f"Line {index + 1}: continuation line before any row.")
    return rows


def parse_appendix(lines: list[str]) -> list[list[ParsedIndicator]]:
    """The appendix's indicators, grouped by key area (each group starts with a headline row)."""
    groups: list[list[ParsedIndicator]] = []
    for row in _appendix_rows(lines):
        name = clean_name(row.kpi)
        is_headline = bool(_HEADLINE_RE.match(name))
        where = f"Line {row.line} ({name})"
        if is_headline:
            groups.append([])
            name = HEADLINE_NAME
        elif not groups:
            raise StrategyFormatError(f"{where}: indicator before the first headline row.")
        current_level, current_text = parse_cell(join_segments(row.current), where=where)
        target_level, target_text = parse_cell(join_segments(row.target), where=where)
        if current_level == target_level and current_text != target_text:
            raise StrategyFormatError(f"{where}: two different descriptors for one level.")
        groups[-1].append(
            ParsedIndicator(
                position=len(groups[-1]) + 1,
                name=name,
                is_headline=is_headline,
                current_level=current_level,
                current_text=current_text,
                target_level=target_level,
                target_text=target_text,
                line=row.line,
            )
        )
    return groups


def parse_strategy(text: str) -> ParsedFramework:
    """Parse the whole strategy text into themes, key areas and indicators."""
    lines = text.splitlines()
    sections = parse_section_three(lines)
    groups = parse_appendix(lines)
    expected = sum(len(key_areas) for _name, key_areas in THEMES)
    if len(groups) != expected:
        raise StrategyFormatError(
            f"Appendix 1 has {len(groups)} headline rows; expected one per key area ({expected})."
        )
    themes: list[ParsedTheme] = []
    group_iter = iter(groups)
    position = 0
    for theme_position, (theme_name, key_areas) in enumerate(THEMES, start=1):
        theme = ParsedTheme(position=theme_position, name=theme_name)
        for key_area_name, section_number in key_areas:
            position += 1
            section = sections.get(section_number)
            if section is None:
                raise StrategyFormatError(f"Section {section_number} not found in section 3.")
            theme.key_areas.append(
                ParsedKeyArea(
                    position=position,
                    name=key_area_name,
                    strategy_section=section_number,
                    summary=section.summary,
                    section_current_level=section.current_level,
                    section_target_level=section.target_level,
                    indicators=next(group_iter),
                )
            )
        themes.append(theme)
    return ParsedFramework(themes=themes)


# --------------------------------------------------------------------------------------------
# Fixture
# --------------------------------------------------------------------------------------------


def _assessment_commentary(key_area: ParsedKeyArea, indicator: ParsedIndicator) -> str:
    commentary = ASSESSMENT_COMMENTARY
    if indicator.is_headline and key_area.current_disagrees:
        level = LEVEL_NAMES[key_area.section_current_level or 0]
        commentary += (
            f" Section {key_area.strategy_section} of the strategy gives {level} as where we"
            f" are today instead; {APPENDIX_PREFERRED}"
        )
    return commentary


def _target_rationale(key_area: ParsedKeyArea, indicator: ParsedIndicator) -> str:
    rationale = TARGET_RATIONALE
    if indicator.is_headline and key_area.section_disagrees:
        current = LEVEL_NAMES.get(key_area.section_current_level or 0, "no level")
        target = LEVEL_NAMES.get(key_area.section_target_level or 0, "no level")
        rationale += (
            f" Section {key_area.strategy_section} of the strategy gives {current} → {target}"
            f" instead; {APPENDIX_PREFERRED}"
        )
    return rationale


def _record(model: str, pk: int, **fields: object) -> dict:
    """One record of Django's serialized JSON: the model's label, its primary key, its fields
    (in the order given, so the fixture's text is the same on every run)."""
    return {"model": f"maturity.{model}", "pk": pk, "fields": fields}


def fixture_records(parsed: ParsedFramework) -> list[dict]:
    """Django serialized-JSON records for the framework, with fixed primary keys.

    Levels are not included: a data migration creates them and they are referred to by number.
    Assessment and Target primary keys equal their indicator's primary key.
    """
    records: list[dict] = [
        _record(
            "framework",
            1,
            name=FRAMEWORK_NAME,
            slug=FRAMEWORK_SLUG,
            source=FRAMEWORK_SOURCE,
            is_current=True,
        ),
        _record(
            "strategyperiod",
            1,
            name=STRATEGY_PERIOD,
            starts_on=PERIOD_STARTS_ON,
            ends_on=DUE_BY,
            created_at=RECORDED_AT,
        ),
    ]
    key_area_pk = indicator_pk = descriptor_pk = 0
    descriptors: list[dict] = []
    assessments: list[dict] = []
    targets: list[dict] = []
    indicators: list[dict] = []
    key_areas: list[dict] = []
    themes: list[dict] = []
    for theme in parsed.themes:
        themes.append(
            _record("theme", theme.position, framework=1, position=theme.position, name=theme.name)
        )
        for key_area in theme.key_areas:
            key_area_pk += 1
            key_areas.append(
                _record(
                    "keyarea",
                    key_area_pk,
                    theme=theme.position,
                    position=key_area.position,
                    name=key_area.name,
                    strategy_section=key_area.strategy_section,
                    summary=key_area.summary,
                )
            )
            for indicator in key_area.indicators:
                indicator_pk += 1
                indicators.append(
                    _record(
                        "indicator",
                        indicator_pk,
                        key_area=key_area_pk,
                        position=indicator.position,
                        name=indicator.name,
                        is_headline=indicator.is_headline,
                    )
                )
                seen_levels: set[int] = set()
                for level, text in (
                    (indicator.current_level, indicator.current_text),
                    (indicator.target_level, indicator.target_text),
                ):
                    if level in seen_levels:
                        continue
                    seen_levels.add(level)
                    descriptor_pk += 1
                    descriptors.append(
                        _record(
                            "leveldescriptor",
                            descriptor_pk,
                            indicator=indicator_pk,
                            level=level,
                            text=text,
                        )
                    )
                assessments.append(
                    _record(
                        "assessment",
                        indicator_pk,
                        indicator=indicator_pk,
                        level=indicator.current_level,
                        assessed_on=ASSESSED_ON,
                        assessor=None,
                        evidence=ASSESSMENT_EVIDENCE,
                        commentary=_assessment_commentary(key_area, indicator),
                        recorded_at=RECORDED_AT,
                    )
                )
                targets.append(
                    _record(
                        "target",
                        indicator_pk,
                        indicator=indicator_pk,
                        period=1,
                        level=indicator.target_level,
                        due_by=DUE_BY,
                        set_by=None,
                        rationale=_target_rationale(key_area, indicator),
                        recorded_at=RECORDED_AT,
                    )
                )
    for group in (themes, key_areas, indicators, descriptors, assessments, targets):
        records.extend(sorted(group, key=lambda record: record["pk"]))
    return records


def render_fixture(records: list[dict]) -> str:
    """The fixture file's exact text: stable across runs, so rebuilding gives the same bytes."""
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
