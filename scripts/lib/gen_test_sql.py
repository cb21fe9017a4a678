#!/usr/bin/env python3
"""Writes the standardized-tests migration from upstream's lab test and panel libraries.

    gen_test_sql.py TEST_LIBRARY_JSON PANEL_LIBRARY_JSON > sql/0011_standardized_tests.sql

The inputs are MediKeep 0.69.0's `test_library.json` and `panel_library.json` (Apache-2.0;
their notice is kept in sql/NOTICE.test-library). The output creates three tables:

- `standardized_tests`: one row per test, with an explicit id (its position in the file,
  from 1), so ids are the same on every installation;
- `standardized_test_names`: every name a test is known by (its name, abbreviation and
  common names), one row each, for lookups in SQL (the trigger that fills a lab test
  component's canonical name matches a component's name here, in the table's
  case- and accent-insensitive collation);
- `standardized_test_panels`: the common panels (CBC, CMP, ...), as the panel library has
  them (it names no member tests).

An applied migration must not change (the migrator refuses an edited file): to change
the catalog later, write a new migration with UPDATE/INSERT statements instead.

Checks the input before writing anything: required fields present and within the
columns, LOINC codes and test names unique (names case-insensitively), no name shared
by two tests (so a name lookup has one answer), list fields lists of strings. Standard
library only; exits 1 with a message on bad input.
"""
import json
import re
import sys
import unicodedata

# Column: (maximum length in characters, nullable), for the text columns.
TEST_TEXT = {
    "test_code": (20, True),
    "test_name": (200, False),
    "abbreviation": (100, True),
    "default_unit": (50, True),
    "category": (50, False),
    "result_type": (20, False),
}
PANEL_TEXT = {
    "panel_name": (200, False),
    "abbreviation": (100, True),
    "category": (50, False),
}
NAME_LIMIT = 200
RESULT_TYPES = ("quantitative", "qualitative")
LOINC = re.compile(r"^[0-9]{1,7}-[0-9]$")

DDL = """\
CREATE TABLE standardized_tests (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- LOINC code (digits, dash, check digit); NULL for the tests the library gives none.
    -- UNIQUE allows any number of NULLs.
    loinc_code VARCHAR(20) NULL,
    test_name VARCHAR(200) NOT NULL,
    -- The library's `abbreviation`; the API calls it short_name.
    short_name VARCHAR(100) NULL,
    -- NULL where the library has an empty unit (qualitative tests mostly).
    default_unit VARCHAR(50) NULL,
    -- The library's categories, lower case (hematology, chemistry, lipids, ...).
    category VARCHAR(50) NOT NULL,
    -- JSON array of strings: other names labs print for the test.
    common_names JSON NULL,
    -- quantitative or qualitative.
    result_type VARCHAR(20) NOT NULL,
    is_common TINYINT(1) NOT NULL DEFAULT 0,
    display_order INT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_standardized_tests_loinc_code (loinc_code),
    UNIQUE KEY uq_standardized_tests_name (test_name),
    KEY ix_standardized_tests_category (category, display_order),
    KEY ix_standardized_tests_common (is_common, display_order)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every name of a test, for lookups by name in SQL. kind: 0 the test's name,
-- 1 its abbreviation, 2 a common name (a lookup prefers the lower kind).
CREATE TABLE standardized_test_names (
    name VARCHAR(200) NOT NULL,
    standardized_test_id BIGINT NOT NULL,
    kind TINYINT NOT NULL,
    PRIMARY KEY (name, standardized_test_id),
    KEY ix_standardized_test_names_test (standardized_test_id),
    CONSTRAINT fk_standardized_test_names_test FOREIGN KEY (standardized_test_id)
        REFERENCES standardized_tests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Common lab panels. The panel library names no member tests; none are made up here.
CREATE TABLE standardized_test_panels (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    panel_name VARCHAR(200) NOT NULL,
    short_name VARCHAR(100) NULL,
    category VARCHAR(50) NOT NULL,
    common_names JSON NULL,
    is_common TINYINT(1) NOT NULL DEFAULT 0,
    display_order INT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_standardized_test_panels_name (panel_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
"""

TEST_COLUMNS = (
    "id", "loinc_code", "test_name", "short_name", "default_unit", "category", "common_names",
    "result_type", "is_common", "display_order",
)
NAME_COLUMNS = ("name", "standardized_test_id", "kind")
PANEL_COLUMNS = ("id", "panel_name", "short_name", "category", "common_names", "is_common", "display_order")


class BadInput(Exception):
    pass


def sql_string(text):
    """A quoted SQL literal. Backslashes are doubled, as the server reads them as escapes
    (the store does not set NO_BACKSLASH_ESCAPES)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def sql_value(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return sql_string(json.dumps(value, ensure_ascii=False))
    return sql_string(value)


def folded(text):
    """The comparison the by-name lookups make (case-insensitive, surrounding spaces ignored)."""
    return unicodedata.normalize("NFC", text.strip()).casefold()


def check_common(where, entry, text_columns):
    if not isinstance(entry, dict):
        raise BadInput(f"{where}: not an object")
    for column, (limit, nullable) in text_columns.items():
        value = entry.get(column)
        if value is None or (nullable and value == ""):
            if not nullable:
                raise BadInput(f"{where}: {column} is required")
            continue
        if not isinstance(value, str) or not value.strip():
            raise BadInput(f"{where}: {column} must be a non-empty string")
        if value != value.strip():
            raise BadInput(f"{where}: {column} has surrounding spaces")
        if len(value) > limit:
            raise BadInput(f"{where}: {column} is longer than {limit} characters")
    names = entry.get("common_names")
    if names is not None:
        if not (isinstance(names, list) and all(isinstance(n, str) and n.strip() for n in names)):
            raise BadInput(f"{where}: common_names must be a list of non-empty strings or null")
        if any(len(n.strip()) > NAME_LIMIT for n in names):
            raise BadInput(f"{where}: a common name is longer than {NAME_LIMIT} characters")
    if not isinstance(entry.get("is_common", False), bool):
        raise BadInput(f"{where}: is_common must be a boolean")
    order = entry.get("display_order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
        raise BadInput(f"{where}: display_order must be an integer or null")


def test_rows(tests):
    """(test rows, name rows), both in INSERT column order."""
    rows, name_rows = [], []
    seen_codes, seen_names, owner = {}, {}, {}
    for number, entry in enumerate(tests, start=1):
        where = f"test {number} ({entry.get('test_name') if isinstance(entry, dict) else entry!r})"
        check_common(where, entry, TEST_TEXT)
        if entry["result_type"] not in RESULT_TYPES:
            raise BadInput(f"{where}: result_type {entry['result_type']!r} is not one of {', '.join(RESULT_TYPES)}")
        code = entry.get("test_code") or None
        if code is not None:
            if not LOINC.match(code):
                raise BadInput(f"{where}: test_code {code!r} is not a LOINC code")
            if code in seen_codes:
                raise BadInput(f"{where}: test_code {code!r} repeats test {seen_codes[code]}")
            seen_codes[code] = number
        name = folded(entry["test_name"])
        if name in seen_names:
            raise BadInput(f"{where}: test_name repeats test {seen_names[name]}")
        seen_names[name] = number
        # Every name once per test, at its best kind; no name may belong to two tests.
        mine = {}
        candidates = [(entry["test_name"], 0)]
        if entry.get("abbreviation"):
            candidates.append((entry["abbreviation"], 1))
        candidates += [(n.strip(), 2) for n in entry.get("common_names") or []]
        for text, kind in candidates:
            key = folded(text)
            if key in mine:
                continue
            if key in owner and owner[key] != number:
                raise BadInput(f"{where}: the name {text!r} also names test {owner[key]}")
            owner[key] = number
            mine[key] = (text, kind)
        name_rows += [(text, number, kind) for text, kind in mine.values()]
        rows.append((
            number, code, entry["test_name"], entry.get("abbreviation") or None, entry.get("default_unit") or None,
            entry["category"], entry.get("common_names"), entry["result_type"], entry.get("is_common", False),
            entry.get("display_order"),
        ))
    return rows, name_rows


def panel_rows(panels):
    rows, seen = [], {}
    for number, entry in enumerate(panels, start=1):
        where = f"panel {number} ({entry.get('panel_name') if isinstance(entry, dict) else entry!r})"
        check_common(where, entry, PANEL_TEXT)
        name = folded(entry["panel_name"])
        if name in seen:
            raise BadInput(f"{where}: panel_name repeats panel {seen[name]}")
        seen[name] = number
        rows.append((
            number, entry["panel_name"], entry.get("abbreviation") or None, entry["category"],
            entry.get("common_names"), entry.get("is_common", False), entry.get("display_order"),
        ))
    return rows


def insert(table, columns, rows):
    lines = [f"INSERT INTO {table} ({', '.join(columns)}) VALUES"]
    for index, row in enumerate(rows):
        end = ";" if index == len(rows) - 1 else ","
        lines.append("    (" + ", ".join(sql_value(v) for v in row) + ")" + end)
    return lines


def render(test_library, panel_library):
    tests = test_library.get("tests") if isinstance(test_library, dict) else None
    if not isinstance(tests, list) or not tests:
        raise BadInput("the test library has no \"tests\" list")
    panels = panel_library.get("panels") if isinstance(panel_library, dict) else None
    if not isinstance(panels, list) or not panels:
        raise BadInput("the panel library has no \"panels\" list")
    rows, name_rows = test_rows(tests)
    panels_out = panel_rows(panels)
    lines = [
        "-- MediKeep-FCGI schema, part 11: the standardized lab tests catalog",
        "-- (GET/POST /api/v1/standardized-tests/*; lab test components are matched to it).",
        "--",
        "-- GENERATED by scripts/lib/gen_test_sql.py from test_library.json and panel_library.json;",
        "-- do not edit. Once applied, this file must not change: later catalog changes go in a new",
        "-- migration.",
        "--",
        f"-- Data: test_library.json version {test_library.get('version', 'unknown')} (last updated "
        f"{test_library.get('lastUpdated', 'unknown')}) and panel_library.json version "
        f"{panel_library.get('version', 'unknown')}",
        f"-- (last updated {panel_library.get('lastUpdated', 'unknown')}) from MediKeep 0.69.0, "
        "Copyright 2025 Alex Fair, licensed under",
        "-- the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0). LOINC codes are",
        "-- from LOINC (https://loinc.org), used under the LOINC license terms. See NOTICE.test-library",
        "-- beside this file. The API reads the catalog from these tables only, never from the JSON files.",
        "",
        DDL,
        f"-- {len(rows)} tests; id = position in test_library.json.",
        *insert("standardized_tests", TEST_COLUMNS, rows),
        "",
        f"-- {len(name_rows)} names.",
        *insert("standardized_test_names", NAME_COLUMNS, name_rows),
        "",
        f"-- {len(panels_out)} panels; id = position in panel_library.json.",
        *insert("standardized_test_panels", PANEL_COLUMNS, panels_out),
    ]
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) != 3:
        print("usage: " + __doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    libraries = []
    for path in argv[1:]:
        try:
            with open(path, encoding="utf-8") as f:
                libraries.append(json.load(f))
        except (OSError, ValueError) as error:
            print(f"gen_test_sql: {path}: {error}", file=sys.stderr)
            return 1
    try:
        sys.stdout.write(render(*libraries))
    except BadInput as error:
        print(f"gen_test_sql: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
