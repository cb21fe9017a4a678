-- MediKeep-FCGI schema, part 12: lab test components get their canonical test name from
-- the standardized tests catalog (0011); the components table is 0010's.
--
-- The canonical name is the catalog test whose LOINC code is the component's test_code,
-- else the catalog test one of whose names (name, abbreviation, common names; kind 0
-- before 1 before 2) is the component's test_name, compared in the catalog's
-- case- and accent-insensitive collation.
--
-- INSERT: a canonical_test_name the client gives is kept; otherwise the catalog's (NULL
-- when the catalog has no such test).
-- UPDATE: a canonical_test_name the client changes in this statement to a non-empty
-- value is kept (the contract lets a user correct the mapping); otherwise, when test_name
-- or test_code changed or there is no canonical name yet, it is looked up again (NULL
-- when the catalog has no such test); otherwise it stays.
-- Each body is one statement, so no DELIMITER is needed.

CREATE TRIGGER lab_test_components_canonical_insert BEFORE INSERT ON lab_test_components FOR EACH ROW
    SET NEW.canonical_test_name = COALESCE(
        NULLIF(TRIM(NEW.canonical_test_name), ''),
        (SELECT st.test_name FROM standardized_tests st
            WHERE st.loinc_code = TRIM(NEW.test_code) LIMIT 1),
        (SELECT st.test_name FROM standardized_test_names n
            JOIN standardized_tests st ON st.id = n.standardized_test_id
            WHERE n.name = TRIM(NEW.test_name)
            ORDER BY n.kind, st.display_order, st.id LIMIT 1));

CREATE TRIGGER lab_test_components_canonical_update BEFORE UPDATE ON lab_test_components FOR EACH ROW
    SET NEW.canonical_test_name = IF(
        NOT (NEW.canonical_test_name <=> OLD.canonical_test_name)
            AND NULLIF(TRIM(NEW.canonical_test_name), '') IS NOT NULL,
        TRIM(NEW.canonical_test_name),
        IF(NEW.test_name <=> OLD.test_name AND NEW.test_code <=> OLD.test_code
                AND NULLIF(TRIM(NEW.canonical_test_name), '') IS NOT NULL,
            NEW.canonical_test_name,
            COALESCE(
                (SELECT st.test_name FROM standardized_tests st
                    WHERE st.loinc_code = TRIM(NEW.test_code) LIMIT 1),
                (SELECT st.test_name FROM standardized_test_names n
                    JOIN standardized_tests st ON st.id = n.standardized_test_id
                    WHERE n.name = TRIM(NEW.test_name)
                    ORDER BY n.kind, st.display_order, st.id LIMIT 1))));
