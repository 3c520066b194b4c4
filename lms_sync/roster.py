"""Rosters: who takes part, in Moodle's upload-user CSV format or in YAML, checked line by line.

CSV columns are those of Site administration > Users > Upload users: `username, firstname,
lastname, email` are required; `idnumber, auth, cohort1.., course1.., role1.., group1..` are read;
other profile columns are ignored. Every problem is reported with its line before any call.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from builder.errors import Location
from lms_sync.located import SAVE_AS_UTF8, InputError, Problem, compose_yaml, mapping_items, read_utf8, scalar_text
from lms_sync.moodle_rules import refusal

REQUIRED_COLUMNS = ("username", "firstname", "lastname", "email")
NUMBERED_COLUMN = re.compile(r"^(cohort|course|role|group|type|enrolperiod|enrolstatus)(\d+)$")
SSO_AUTH = ("nologin", "ldap", "cas", "db", "oauth2", "saml2", "shibboleth", "lti")
INTERNAL_AUTH = ("manual", "email")
AUTH_METHODS = INTERNAL_AUTH + SSO_AUTH
USERNAME = re.compile(r"^[-.@_a-z0-9]+$")
EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9-]+)+$")


@dataclass(frozen=True)
class RosterUser:
    username: str
    firstname: str
    lastname: str
    email: str
    idnumber: str
    auth: str
    cohorts: tuple[str, ...]
    courses: tuple[tuple[str, str], ...]  # (course shortname, role shortname or "")
    groups: tuple[tuple[str, str], ...]  # (course shortname or "", group name)
    location: Location
    written_username: str = ""  # as the roster writes it, when Moodle's lowercase form differs

    @property
    def internal_auth(self) -> bool:
        return self.auth in INTERNAL_AUTH


def load_roster(path: Path, known_roles: Iterable[str], shown_as: str | None = None) -> list[RosterUser]:
    """Read and check one roster; raise InputError listing every problem."""
    name = shown_as or str(path)
    if not path.is_file():
        raise InputError([Problem(Location(name), "", "no such roster file; expected a CSV or YAML roster")])
    _refuse_binary(path, name)
    rows, problems = _yaml_rows(path, name) if path.suffix.lower() in {".yaml", ".yml"} else _csv_rows(path, name)
    try:
        users = check_rows(rows, set(known_roles), name)
    except InputError as error:
        problems += error.problems
    if problems:
        raise InputError(problems)
    return users


# What a roster file turns out to be when it is not text, by its first bytes.
BINARY_KINDS = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xfe", "UTF-16 text (Excel's \"Unicode text\")"),
    (b"\xfe\xff", "UTF-16 text"),
)


def _refuse_binary(path: Path, name: str) -> None:
    """A workbook or archive saved under a .csv name is said to be one, not read as a broken CSV."""
    try:
        with path.open("rb") as file:
            head = file.read(8192)
    except OSError:
        return  # read_utf8 says why it cannot be read
    kind = next((kind for magic, kind in BINARY_KINDS if head.startswith(magic)), None)
    if kind is None and b"\0" in head:
        kind = "a binary file"
    if kind:
        message = f"not a text file: this is {kind}; open it in a spreadsheet and save it as \"CSV UTF-8\""
        raise InputError([Problem(Location(name), "", message)])


# A row: {column: (value, Location)}; numbered columns keep their number for pairing.
Row = dict[str, tuple[str, Location]]


def _csv_rows(path: Path, name: str) -> tuple[list[tuple[Row, Location]], list[Problem]]:
    """The rows that could be read, and the problems of those that could not."""
    text = read_utf8(path, name, 'save it as "CSV UTF-8"')
    try:  # only the delimiter: quoting stays Excel's and Moodle's (a quote inside a quoted value is doubled)
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    problems: list[Problem] = []
    records = _csv_records(text.splitlines(), delimiter, name, problems)
    if not records or records[0][0] != 1:  # the header itself has an unclosed quote
        raise InputError(problems)
    header = [column.strip().lower() for column in records[0][1]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise InputError(
            [Problem(Location(name, 1, 1), "", f"missing column {', '.join(missing)}; the header must name {', '.join(REQUIRED_COLUMNS)}")]
        )
    if "password" in header:
        problems.append(Problem(Location(name, 1, header.index("password") + 1), "password", PASSWORD_COLUMN))
    rows = []
    for line, values in records[1:]:
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            problems.append(Problem(Location(name, line, 1), "", f"{len(values)} values but the header names {len(header)} columns"))
            continue
        row = {column: (value.strip(), Location(name, line, index + 1)) for index, (column, value) in enumerate(zip(header, values))}
        rows.append((row, Location(name, line, 1)))
    return rows, problems


UNCLOSED_QUOTE = 'unclosed quote; end the quoted value with " on the same line, or remove the stray "'


def _csv_records(lines: list[str], delimiter: str, name: str, problems: list[Problem]) -> list[tuple[int, list[str]]]:
    """(line number, values) for each line. No roster value holds a line break, so a quoted value that runs
    past the end of its line is an unclosed quote: it is reported, and reading resumes on the next line
    (otherwise the quote would swallow the lines after it and errors would point at the wrong ones)."""
    lines = [*lines, ""]  # a quote left open on the last line runs into this one, so it is caught too
    records = []
    start = 0  # index of the line the current reader starts at
    while start < len(lines):
        reader = csv.reader(lines[start:], delimiter=delimiter)
        first = start
        for values in reader:
            last = start + reader.line_num - 1
            if last > first:
                opened_in = len(next(csv.reader([lines[first]], delimiter=delimiter)))  # the field left open ends the line
                problems.append(Problem(Location(name, first + 1, opened_in), "", UNCLOSED_QUOTE))
                break
            records.append((first + 1, values))
            first = last + 1
        else:
            break
        start = first + 1
    return records


PASSWORD_COLUMN = (
    "passwords do not belong in a roster; remove the column (new manual users get a password by email, "
    "or a generated one with --passwords-file)"
)


def _yaml_rows(path: Path, name: str) -> tuple[list[tuple[Row, Location]], list[Problem]]:
    """The people that could be read, and the problems of those that could not."""
    root = compose_yaml(read_utf8(path, name, SAVE_AS_UTF8), name)
    if not isinstance(root, yaml.SequenceNode):
        where = Location(name, root.start_mark.line + 1, root.start_mark.column + 1) if root else Location(name)
        raise InputError([Problem(where, "", "expected a list of people, each with username, firstname, lastname, email")])
    rows, problems = [], []
    for index, item in enumerate(root.value):
        where = Location(name, item.start_mark.line + 1, item.start_mark.column + 1)
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(where, f"[{index}]", "expected a mapping with username, firstname, lastname, email"))
            continue
        row: Row = {}
        for key, value_node, key_location in mapping_items(item, name):
            if key in {"cohorts", "groups"} and isinstance(value_node, yaml.SequenceNode):
                for number, entry in enumerate(value_node.value, start=1):
                    row[f"{key[:-1]}{number}"] = (scalar_text(entry), key_location)
            elif isinstance(value_node, yaml.ScalarNode):
                row[key] = (scalar_text(value_node), Location(name, value_node.start_mark.line + 1, value_node.start_mark.column + 1))
            else:
                problems.append(Problem(key_location, f"[{index}].{key}", "expected a single value"))
        if absent := [c for c in REQUIRED_COLUMNS if c not in row]:
            problems.append(Problem(where, f"[{index}]", f"missing {', '.join(absent)}"))
            continue
        rows.append((row, where))
    return rows, problems


def check_rows(rows: list[tuple[Row, Location]], known_roles: set[str], name: str) -> list[RosterUser]:
    problems: list[Problem] = []
    users: list[RosterUser] = []
    seen_usernames: dict[str, Location] = {}
    seen_emails: dict[str, Location] = {}
    for row, where in rows:
        found = _check_row(row, where, known_roles, problems)
        if found is None:
            continue
        for key, seen, value in (("username", seen_usernames, found.username), ("email", seen_emails, found.email.lower())):
            if value in seen:
                problems.append(Problem(row[key][1], key, f"duplicate {key} {value!r} (first on line {seen[value].line}); each person appears once"))
            else:
                seen[value] = row[key][1]
        users.append(found)
    if problems:
        raise InputError(problems)
    return users


def _check_row(row: Row, where: Location, known_roles: set[str], problems: list[Problem]) -> RosterUser | None:
    before = len(problems)
    values = {column: value for column, (value, _) in row.items()}
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            problems.append(Problem(row.get(column, ("", where))[1], column, f"{column} is empty; every row needs one"))
    username = values.get("username", "").lower()
    if username and not USERNAME.match(username):
        problems.append(
            Problem(row["username"][1], "username", f"{values['username']!r} is not a Moodle username; use lowercase letters, digits and - . _ @")
        )
    for column in ("username", "firstname", "lastname", "email", "idnumber"):
        refused = refusal(column, values.get(column, ""))
        if refused:
            problems.append(Problem(row[column][1], column, refused))
    email = values.get("email", "")
    if email and not EMAIL.match(email):
        problems.append(Problem(row["email"][1], "email", f"{email!r} is not a valid email address; expected name@domain.tld"))
    auth = values.get("auth") or "manual"
    if auth not in AUTH_METHODS:
        problems.append(Problem(row["auth"][1], "auth", f"unknown authentication method {auth!r}; expected one of {', '.join(AUTH_METHODS)}"))
    numbered: dict[str, dict[int, str]] = {}
    for column, value in values.items():
        match = NUMBERED_COLUMN.match(column)
        if match and value:
            numbered.setdefault(match[1], {})[int(match[2])] = value
    for number, role in numbered.get("role", {}).items():
        if role not in known_roles:
            problems.append(
                Problem(row[f"role{number}"][1], f"role{number}", f"unknown role {role!r}; expected one of {', '.join(sorted(known_roles))}")
            )
    for number, group in numbered.get("group", {}).items():
        refused = refusal("group name", group)
        if refused:
            problems.append(Problem(row[f"group{number}"][1], f"group{number}", refused))
    if len(problems) > before:
        return None
    courses = numbered.get("course", {})
    return RosterUser(
        username=username,
        firstname=values["firstname"],
        lastname=values["lastname"],
        email=email,
        idnumber=values.get("idnumber", ""),
        auth=auth,
        cohorts=tuple(value for _, value in sorted(numbered.get("cohort", {}).items())),
        courses=tuple((course, numbered.get("role", {}).get(n, "")) for n, course in sorted(courses.items())),
        groups=tuple((courses.get(n, ""), group) for n, group in sorted(numbered.get("group", {}).items())),
        location=where,
        written_username=values["username"] if values["username"] != username else "",
    )
