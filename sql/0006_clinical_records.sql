-- MediKeep-FCGI schema, part 6: clinical records I — allergies, conditions (with their
-- medication links), immunizations, vitals, encounters, procedures.
-- Every record belongs to a patient (deleted with it); every list filter has an index
-- that starts with patient_id, since every list is one patient's. A reference to another
-- record of the same patient is cleared (SET NULL) when that record goes.

CREATE TABLE conditions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    condition_name VARCHAR(500) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    severity VARCHAR(20) NULL,
    onset_date DATE NULL,
    end_date DATE NULL,
    icd10_code VARCHAR(10) NULL,
    snomed_code VARCHAR(20) NULL,
    code_description VARCHAR(500) NULL,
    practitioner_id BIGINT NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_conditions_patient (patient_id, id),
    KEY ix_conditions_patient_status (patient_id, status),
    CONSTRAINT fk_conditions_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_conditions_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE condition_medications (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    condition_id BIGINT NOT NULL,
    medication_id BIGINT NOT NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_condition_medications (condition_id, medication_id),
    KEY ix_condition_medications_medication (medication_id),
    CONSTRAINT fk_condmed_condition FOREIGN KEY (condition_id) REFERENCES conditions (id) ON DELETE CASCADE,
    CONSTRAINT fk_condmed_medication FOREIGN KEY (medication_id) REFERENCES medications (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE allergies (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    allergen VARCHAR(200) NOT NULL,
    severity VARCHAR(20) NOT NULL,
    reaction VARCHAR(500) NULL,
    onset_date DATE NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    medication_id BIGINT NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_allergies_patient (patient_id, id),
    KEY ix_allergies_patient_severity (patient_id, severity),
    KEY ix_allergies_patient_allergen (patient_id, allergen),
    KEY ix_allergies_patient_status (patient_id, status),
    CONSTRAINT fk_allergies_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_allergies_medication FOREIGN KEY (medication_id) REFERENCES medications (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE immunizations (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    vaccine_name VARCHAR(200) NOT NULL,
    vaccine_trade_name VARCHAR(200) NULL,
    vaccine_type VARCHAR(100) NULL,
    date_administered DATE NOT NULL,
    dose_number INT NULL,
    lot_number VARCHAR(50) NULL,
    ndc_number VARCHAR(50) NULL,
    manufacturer VARCHAR(200) NULL,
    site VARCHAR(100) NULL,
    route VARCHAR(50) NULL,
    expiration_date DATE NULL,
    location VARCHAR(200) NULL,
    practitioner_id BIGINT NULL,
    standardized_vaccine_id BIGINT NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_immunizations_patient_date (patient_id, date_administered),
    KEY ix_immunizations_vaccine (standardized_vaccine_id),
    CONSTRAINT fk_immunizations_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_immunizations_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id) ON DELETE SET NULL,
    CONSTRAINT fk_immunizations_vaccine FOREIGN KEY (standardized_vaccine_id)
        REFERENCES standardized_vaccines (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Vitals are the one table that grows to many thousands of rows per patient (home
-- devices): lists and statistics read (patient_id, recorded_date) ranges only.
CREATE TABLE vitals (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    recorded_date DATETIME NOT NULL,
    systolic_bp INT NULL,
    diastolic_bp INT NULL,
    heart_rate INT NULL,
    temperature DOUBLE NULL,
    weight DOUBLE NULL,
    height DOUBLE NULL,
    oxygen_saturation DOUBLE NULL,
    respiratory_rate INT NULL,
    blood_glucose DOUBLE NULL,
    a1c DOUBLE NULL,
    glucose_context VARCHAR(20) NULL,
    bmi DOUBLE NULL,
    pain_scale INT NULL,
    location VARCHAR(200) NULL,
    device_used VARCHAR(200) NULL,
    import_source VARCHAR(100) NULL,
    practitioner_id BIGINT NULL,
    notes TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    -- "The latest weight" must not scan back through every reading that has none: each
    -- measure the statistics report has a flag and an index to seek its latest reading.
    has_weight TINYINT AS (weight IS NOT NULL) VIRTUAL,
    has_temperature TINYINT AS (temperature IS NOT NULL) VIRTUAL,
    has_bmi TINYINT AS (bmi IS NOT NULL) VIRTUAL,
    has_blood_glucose TINYINT AS (blood_glucose IS NOT NULL) VIRTUAL,
    has_a1c TINYINT AS (a1c IS NOT NULL) VIRTUAL,
    KEY ix_vitals_patient_date (patient_id, recorded_date, id),
    KEY ix_vitals_patient_glucose (patient_id, glucose_context, recorded_date),
    KEY ix_vitals_weight (patient_id, has_weight, recorded_date),
    KEY ix_vitals_temperature (patient_id, has_temperature, recorded_date),
    KEY ix_vitals_bmi (patient_id, has_bmi, recorded_date),
    KEY ix_vitals_blood_glucose (patient_id, has_blood_glucose, recorded_date),
    KEY ix_vitals_a1c (patient_id, has_a1c, recorded_date),
    CONSTRAINT fk_vitals_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_vitals_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE encounters (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    encounter_date DATE NOT NULL,
    encounter_type VARCHAR(100) NULL,
    reason VARCHAR(500) NULL,
    chief_complaint VARCHAR(500) NULL,
    diagnosis VARCHAR(500) NULL,
    treatment_plan TEXT NULL,
    follow_up_instructions TEXT NULL,
    duration_minutes INT NULL,
    location VARCHAR(200) NULL,
    priority VARCHAR(20) NULL,
    practitioner_id BIGINT NULL,
    condition_id BIGINT NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_encounters_patient_date (patient_id, encounter_date),
    KEY ix_encounters_condition (condition_id),
    CONSTRAINT fk_encounters_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_encounters_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id) ON DELETE SET NULL,
    CONSTRAINT fk_encounters_condition FOREIGN KEY (condition_id) REFERENCES conditions (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE procedures (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    procedure_name VARCHAR(300) NOT NULL,
    procedure_date DATE NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'completed',
    outcome VARCHAR(50) NULL,
    procedure_type VARCHAR(50) NULL,
    procedure_code VARCHAR(50) NULL,
    description TEXT NULL,
    facility VARCHAR(300) NULL,
    procedure_setting VARCHAR(100) NULL,
    procedure_complications VARCHAR(500) NULL,
    procedure_duration INT NULL,
    anesthesia_type VARCHAR(100) NULL,
    anesthesia_notes TEXT NULL,
    practitioner_id BIGINT NULL,
    condition_id BIGINT NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_procedures_patient_date (patient_id, procedure_date),
    KEY ix_procedures_patient_status (patient_id, status),
    KEY ix_procedures_condition (condition_id),
    CONSTRAINT fk_procedures_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_procedures_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id) ON DELETE SET NULL,
    CONSTRAINT fk_procedures_condition FOREIGN KEY (condition_id) REFERENCES conditions (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Running totals per patient, kept by the triggers below in the same transaction as
-- each change, so statistics over 100,000 readings cost one row read, not a scan.
-- (Foreign-key cascades fire no triggers: a deleted patient's totals go by their own
-- cascade.) Averages are sum / count of the readings that have the value.
CREATE TABLE vitals_totals (
    patient_id BIGINT NOT NULL PRIMARY KEY,
    readings BIGINT NOT NULL DEFAULT 0,
    systolic_sum DOUBLE NOT NULL DEFAULT 0, systolic_n BIGINT NOT NULL DEFAULT 0,
    diastolic_sum DOUBLE NOT NULL DEFAULT 0, diastolic_n BIGINT NOT NULL DEFAULT 0,
    heart_rate_sum DOUBLE NOT NULL DEFAULT 0, heart_rate_n BIGINT NOT NULL DEFAULT 0,
    temperature_sum DOUBLE NOT NULL DEFAULT 0, temperature_n BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT fk_vitals_totals_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER vitals_totals_insert AFTER INSERT ON vitals FOR EACH ROW
    INSERT INTO vitals_totals (patient_id, readings, systolic_sum, systolic_n, diastolic_sum, diastolic_n,
        heart_rate_sum, heart_rate_n, temperature_sum, temperature_n)
    VALUES (NEW.patient_id, 1, IFNULL(NEW.systolic_bp, 0), NEW.systolic_bp IS NOT NULL,
        IFNULL(NEW.diastolic_bp, 0), NEW.diastolic_bp IS NOT NULL, IFNULL(NEW.heart_rate, 0), NEW.heart_rate IS NOT NULL,
        IFNULL(NEW.temperature, 0), NEW.temperature IS NOT NULL)
    ON DUPLICATE KEY UPDATE readings = readings + 1,
        systolic_sum = systolic_sum + IFNULL(NEW.systolic_bp, 0), systolic_n = systolic_n + (NEW.systolic_bp IS NOT NULL),
        diastolic_sum = diastolic_sum + IFNULL(NEW.diastolic_bp, 0),
        diastolic_n = diastolic_n + (NEW.diastolic_bp IS NOT NULL),
        heart_rate_sum = heart_rate_sum + IFNULL(NEW.heart_rate, 0), heart_rate_n = heart_rate_n + (NEW.heart_rate IS NOT NULL),
        temperature_sum = temperature_sum + IFNULL(NEW.temperature, 0),
        temperature_n = temperature_n + (NEW.temperature IS NOT NULL);

CREATE TRIGGER vitals_totals_update AFTER UPDATE ON vitals FOR EACH ROW
    UPDATE vitals_totals SET
        systolic_sum = systolic_sum - IFNULL(OLD.systolic_bp, 0) + IFNULL(NEW.systolic_bp, 0),
        systolic_n = systolic_n - (OLD.systolic_bp IS NOT NULL) + (NEW.systolic_bp IS NOT NULL),
        diastolic_sum = diastolic_sum - IFNULL(OLD.diastolic_bp, 0) + IFNULL(NEW.diastolic_bp, 0),
        diastolic_n = diastolic_n - (OLD.diastolic_bp IS NOT NULL) + (NEW.diastolic_bp IS NOT NULL),
        heart_rate_sum = heart_rate_sum - IFNULL(OLD.heart_rate, 0) + IFNULL(NEW.heart_rate, 0),
        heart_rate_n = heart_rate_n - (OLD.heart_rate IS NOT NULL) + (NEW.heart_rate IS NOT NULL),
        temperature_sum = temperature_sum - IFNULL(OLD.temperature, 0) + IFNULL(NEW.temperature, 0),
        temperature_n = temperature_n - (OLD.temperature IS NOT NULL) + (NEW.temperature IS NOT NULL)
    WHERE patient_id = NEW.patient_id;

CREATE TRIGGER vitals_totals_delete AFTER DELETE ON vitals FOR EACH ROW
    UPDATE vitals_totals SET readings = readings - 1,
        systolic_sum = systolic_sum - IFNULL(OLD.systolic_bp, 0), systolic_n = systolic_n - (OLD.systolic_bp IS NOT NULL),
        diastolic_sum = diastolic_sum - IFNULL(OLD.diastolic_bp, 0),
        diastolic_n = diastolic_n - (OLD.diastolic_bp IS NOT NULL),
        heart_rate_sum = heart_rate_sum - IFNULL(OLD.heart_rate, 0), heart_rate_n = heart_rate_n - (OLD.heart_rate IS NOT NULL),
        temperature_sum = temperature_sum - IFNULL(OLD.temperature, 0),
        temperature_n = temperature_n - (OLD.temperature IS NOT NULL)
    WHERE patient_id = OLD.patient_id;
