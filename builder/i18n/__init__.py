"""Interface catalogues (fr, en): labels, dates, durations in the course's language."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml

# libyaml when available, as for the course files: the pure-Python parser is about 6 times slower
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def catalogue(language: str) -> dict:
    path = Path(__file__).parent / f"{language}.yaml"
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


class Interface:
    """Translations and formatting for one language, as used by the templates."""

    def __init__(self, language: str):
        self.language = language
        self.strings = catalogue(language)

    def __call__(self, key: str, **values) -> str:
        text = self.strings[key]
        return text.format(**values) if values else text

    def label(self, group: str, key: str) -> str:
        return self.strings[group][key]

    def date(self, day: dt.date) -> str:
        month = self.strings["months"][day.month - 1]
        return self.strings["date_format"].format(day=self._day(day.day), month=month,
                                                  year=day.year)

    def _day(self, number: int) -> str:
        """French writes the first of the month as an ordinal: « 1er janvier »."""
        return "1er" if number == 1 and self.language == "fr" else str(number)

    def date_range(self, start: dt.date, end: dt.date | None) -> str:
        if not end or end == start:
            return self.date(start)
        if (start.year, start.month) == (end.year, end.month) and (end - start).days == 1:
            month = self.strings["months"][start.month - 1]
            return self.strings["date_range_same_month"].format(
                day1=self._day(start.day), day2=end.day, month=month, year=start.year
            )
        return self.strings["date_range"].format(start=self.date(start), end=self.date(end))

    def time(self, moment: dt.time) -> str:
        return f"{moment.hour} h {moment.minute:02d}" if self.language == "fr" else f"{moment:%H:%M}"

    def duration(self, minutes: int) -> str:
        hours, rest = divmod(int(minutes), 60)
        if not hours:
            return self("minutes", n=rest)
        if not rest:
            return self("hours", h=hours)
        return self("hours_minutes", h=hours, m=rest)

    def number(self, value: float) -> str:
        text = f"{value:g}"
        return text.replace(".", ",") if self.language == "fr" else text
