-- MediKeep-FCGI schema, part 10: lab results, their test components (one row per
-- measured value of a panel), and the links of a result to conditions, encounters and
-- treatments. Deleting a result removes its components and links; deleting the record
-- at the other end of a link removes the link, never the result.

CREATE TABLE lab_results (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    test_name VARCHAR(200) NOT NULL,
    test_code VARCHAR(50) NULL,
    test_category VARCHAR(30) NULL,
    test_type VARCHAR(20) NULL,
    facility VARCHAR(300) NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'ordered',
    labs_result VARCHAR(20) NULL,
    ordered_date DATE NULL,
    completed_date DATE NULL,
    practitioner_id BIGINT NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    -- The date a result is charted at (completed, else ordered, else entered): stored, so
    -- a trend walks a patient's results newest first through an index and stops at the
    -- 100th match instead of sorting every match.
    result_date DATE AS (COALESCE(completed_date, ordered_date, DATE(created_at))) STORED,
    KEY ix_lab_results_patient (patient_id, id),
    KEY ix_lab_results_patient_date (patient_id, result_date, id),
    -- a patient's results of one code (/patient/{id}/code/{code}, the code count)
    KEY ix_lab_results_patient_code (patient_id, test_code),
    -- a code across the caller's patients (/search/code/{code})
    KEY ix_lab_results_code (test_code),
    KEY ix_lab_results_practitioner (practitioner_id),
    CONSTRAINT fk_lab_results_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_lab_results_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id)
        ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One value of a result: quantitative (value + unit, with its reference range) or
-- qualitative (qualitative_value). canonical_test_name is the catalogue's name for the
-- test ("LDL Cholesterol" for "LDL-C", "LDL Chol Calc"), filled from the LOINC catalogue
-- when known, so a trend finds the same test under the names different labs print.
CREATE TABLE lab_test_components (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    lab_result_id BIGINT NOT NULL,
    test_name VARCHAR(200) NOT NULL,
    abbreviation VARCHAR(30) NULL,
    test_code VARCHAR(50) NULL,
    value DOUBLE NULL,
    unit VARCHAR(50) NULL,
    ref_range_min DOUBLE NULL,
    ref_range_max DOUBLE NULL,
    ref_range_text VARCHAR(100) NULL,
    qualitative_value VARCHAR(50) NULL,
    textual_value VARCHAR(500) NULL,
    status VARCHAR(20) NULL,
    category VARCHAR(50) NULL,
    result_type VARCHAR(20) NOT NULL DEFAULT 'quantitative',
    display_order INT NULL,
    canonical_test_name VARCHAR(200) NULL,
    notes TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    -- a result's components in display order; the category/status filters of that list
    KEY ix_lab_components_result (lab_result_id, display_order),
    -- a trend matches the test by its canonical name, its printed name or its LOINC
    -- code; each index carries the result id so the join to the patient's results
    -- starts from the index alone
    KEY ix_lab_components_canonical (canonical_test_name, lab_result_id),
    KEY ix_lab_components_name (test_name, lab_result_id),
    KEY ix_lab_components_code (test_code, lab_result_id),
    CONSTRAINT fk_lab_components_result FOREIGN KEY (lab_result_id) REFERENCES lab_results (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE lab_result_conditions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    lab_result_id BIGINT NOT NULL,
    condition_id BIGINT NOT NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_lab_result_conditions (lab_result_id, condition_id),
    KEY ix_lab_result_conditions_condition (condition_id),
    CONSTRAINT fk_lrcond_result FOREIGN KEY (lab_result_id) REFERENCES lab_results (id) ON DELETE CASCADE,
    CONSTRAINT fk_lrcond_condition FOREIGN KEY (condition_id) REFERENCES conditions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- purpose: ordered_during, results_reviewed, follow_up_for, reference, other (checked
-- by the application, like every choice).
CREATE TABLE encounter_lab_results (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    encounter_id BIGINT NOT NULL,
    lab_result_id BIGINT NOT NULL,
    purpose VARCHAR(30) NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_encounter_lab_results (encounter_id, lab_result_id),
    KEY ix_encounter_lab_results_result (lab_result_id),
    CONSTRAINT fk_enclr_encounter FOREIGN KEY (encounter_id) REFERENCES encounters (id) ON DELETE CASCADE,
    CONSTRAINT fk_enclr_result FOREIGN KEY (lab_result_id) REFERENCES lab_results (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE treatment_lab_results (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    treatment_id BIGINT NOT NULL,
    lab_result_id BIGINT NOT NULL,
    purpose VARCHAR(50) NULL,
    expected_frequency VARCHAR(100) NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_treatment_lab_results (treatment_id, lab_result_id),
    KEY ix_treatment_lab_results_result (lab_result_id),
    CONSTRAINT fk_trlr_treatment FOREIGN KEY (treatment_id) REFERENCES treatments (id) ON DELETE CASCADE,
    CONSTRAINT fk_trlr_result FOREIGN KEY (lab_result_id) REFERENCES lab_results (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
