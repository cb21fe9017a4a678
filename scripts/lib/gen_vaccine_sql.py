#!/usr/bin/env python3
"""Writes the standardized-vaccines migration from upstream's vaccine library.

    gen_vaccine_sql.py VACCINE_LIBRARY_JSON > sql/0005_standardized_vaccines.sql

The input is MediKeep 0.69.0's `vaccine_library.json` (Apache-2.0; its notice is kept
in sql/NOTICE.vaccine-library). The output creates `standardized_vaccines` and inserts
every vaccine with an explicit id (its position in the file, from 1), so ids are the
same on every installation and an immunization's link survives a dump and restore.

The catalog is loaded by this migration only, never at request time. An applied
migration must not change (the migrator refuses an edited file): to change the catalog
later, write a new migration with UPDATE/INSERT statements instead of regenerating 0005.

Checks the input before writing anything: categories from upstream's VaccineCategory
enum, lengths within the columns, WHO codes and names unique (names case-insensitively),
list fields lists of strings. Standard library only; exits 1 with a message on bad input.
"""
import json
import sys
import unicodedata

CATEGORIES = ("Viral", "Bacterial", "Combined", "Toxoid", "Parasitic", "Other")

# Column: (maximum length in characters, nullable), for the text columns.
TEXT_COLUMNS = {
    "who_code": (100, True),
    "vaccine_name": (200, False),
    "short_name": (100, True),
    "category": (20, False),
    "default_manufacturer": (200, True),
}
LIST_COLUMNS = ("common_names", "components", "disease_keys")

DDL = """\
CREATE TABLE standardized_vaccines (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- WHO PCMT PreQualVaccineType code; NULL for the curated entries WHO does not list
    -- (Tdap, RZV, MMRV, ...). UNIQUE allows any number of NULLs.
    who_code VARCHAR(100) NULL,
    vaccine_name VARCHAR(200) NOT NULL,
    short_name VARCHAR(100) NULL,
    -- One of upstream's VaccineCategory values: Viral, Bacterial, Combined, Toxoid, Parasitic, Other.
    category VARCHAR(20) NOT NULL,
    -- JSON arrays of strings (brand and other names; component antigens, or NULL for a
    -- single-antigen vaccine; the diseases covered, as the immunization history names them).
    common_names JSON NULL,
    is_combined TINYINT(1) NOT NULL DEFAULT 0,
    components JSON NULL,
    disease_keys JSON NULL,
    default_manufacturer VARCHAR(200) NULL,
    is_common TINYINT(1) NOT NULL DEFAULT 0,
    display_order INT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_standardized_vaccines_who_code (who_code),
    KEY ix_standardized_vaccines_name (vaccine_name),
    KEY ix_standardized_vaccines_category (category, vaccine_name),
    KEY ix_standardized_vaccines_common (is_common, display_order)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
"""

INSERT_COLUMNS = (
    "id", "who_code", "vaccine_name", "short_name", "category", "common_names", "is_combined",
    "components", "disease_keys", "default_manufacturer", "is_common", "display_order",
)


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


def checked(number, entry, seen_codes, seen_names):
    """The entry's column values in INSERT_COLUMNS order, or BadInput naming the problem."""
    where = f"vaccine {number} ({entry.get('vaccine_name')!r})"
    if not isinstance(entry, dict):
        raise BadInput(f"{where}: not an object")
    for column, (limit, nullable) in TEXT_COLUMNS.items():
        value = entry.get(column)
        if value is None:
            if not nullable:
                raise BadInput(f"{where}: {column} is required")
            continue
        if not isinstance(value, str) or not value.strip():
            raise BadInput(f"{where}: {column} must be a non-empty string")
        if len(value) > limit:
            raise BadInput(f"{where}: {column} is longer than {limit} characters")
    if entry["category"] not in CATEGORIES:
        raise BadInput(f"{where}: category {entry['category']!r} is not one of {', '.join(CATEGORIES)}")
    for column in LIST_COLUMNS:
        value = entry.get(column)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise BadInput(f"{where}: {column} must be a list of strings or null")
    for column in ("is_combined", "is_common"):
        if not isinstance(entry.get(column, False), bool):
            raise BadInput(f"{where}: {column} must be a boolean")
    order = entry.get("display_order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
        raise BadInput(f"{where}: display_order must be an integer or null")
    code = entry.get("who_code")
    if code is not None:
        if code in seen_codes:
            raise BadInput(f"{where}: who_code {code!r} repeats vaccine {seen_codes[code]}")
        seen_codes[code] = number
    # The same comparison the table's collation and the by-name lookup make.
    name = unicodedata.normalize("NFC", entry["vaccine_name"]).casefold()
    if name in seen_names:
        raise BadInput(f"{where}: vaccine_name repeats vaccine {seen_names[name]}")
    seen_names[name] = number
    return (
        number, code, entry["vaccine_name"], entry.get("short_name"), entry["category"],
        entry.get("common_names"), entry.get("is_combined", False), entry.get("components"),
        entry.get("disease_keys"), entry.get("default_manufacturer"), entry.get("is_common", False), order,
    )


def render(library):
    vaccines = library.get("vaccines") if isinstance(library, dict) else None
    if not isinstance(vaccines, list) or not vaccines:
        raise BadInput("the file has no \"vaccines\" list")
    seen_codes, seen_names = {}, {}
    rows = [checked(number, entry, seen_codes, seen_names) for number, entry in enumerate(vaccines, start=1)]
    version = library.get("version", "unknown")
    updated = library.get("lastUpdated", "unknown")
    lines = [
        "-- MediKeep-FCGI schema, part 5: the standardized vaccines catalog",
        "-- (GET /api/v1/standardized-vaccines/*; immunizations link to it by id).",
        "--",
        "-- GENERATED by scripts/lib/gen_vaccine_sql.py from vaccine_library.json; do not edit.",
        "-- Once applied, this file must not change: later catalog changes go in a new migration.",
        "--",
        f"-- Data: vaccine_library.json version {version} (last updated {updated}) from MediKeep 0.69.0,",
        "-- Copyright 2025 Alex Fair, licensed under the Apache License, Version 2.0",
        "-- (http://www.apache.org/licenses/LICENSE-2.0). See NOTICE.vaccine-library beside this file.",
        "-- WHO PreQualVaccineType codes plus curated common Western vaccines; the catalog is read by",
        "-- the API from this table only, never from the JSON file.",
        "",
        DDL,
        f"-- {len(rows)} vaccines; id = position in vaccine_library.json.",
        f"INSERT INTO standardized_vaccines ({', '.join(INSERT_COLUMNS)}) VALUES",
    ]
    for index, row in enumerate(rows):
        end = ";" if index == len(rows) - 1 else ","
        lines.append("    (" + ", ".join(sql_value(v) for v in row) + ")" + end)
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) != 2:
        print("usage: " + __doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            library = json.load(f)
        sys.stdout.write(render(library))
    except (OSError, ValueError, BadInput) as error:
        print(f"gen_vaccine_sql: {argv[1]}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
