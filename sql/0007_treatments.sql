-- MediKeep-FCGI schema, part 7: treatments, medical equipment, and the links of a
-- treatment to medications (with per-treatment overrides), encounters and equipment.
-- Deleting a record removes its links, never the records at the other end.

CREATE TABLE treatments (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    treatment_name VARCHAR(300) NOT NULL,
    treatment_type VARCHAR(300) NULL,
    description TEXT NULL,
    start_date DATE NULL,
    end_date DATE NULL,
    frequency VARCHAR(100) NULL,
    treatment_category VARCHAR(200) NULL,
    outcome VARCHAR(200) NULL,
    location VARCHAR(200) NULL,
    dosage VARCHAR(200) NULL,
    mode VARCHAR(20) NOT NULL DEFAULT 'simple',
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    practitioner_id BIGINT NULL,
    condition_id BIGINT NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_treatments_patient (patient_id, id),
    KEY ix_treatments_patient_status (patient_id, status),
    KEY ix_treatments_patient_condition (patient_id, condition_id),
    KEY ix_treatments_condition (condition_id),
    CONSTRAINT fk_treatments_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_treatments_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id) ON DELETE SET NULL,
    CONSTRAINT fk_treatments_condition FOREIGN KEY (condition_id) REFERENCES conditions (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE medical_equipment (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    equipment_name VARCHAR(200) NOT NULL,
    equipment_type VARCHAR(100) NOT NULL,
    manufacturer VARCHAR(200) NULL,
    model_number VARCHAR(100) NULL,
    serial_number VARCHAR(100) NULL,
    prescribed_date DATE NULL,
    last_service_date DATE NULL,
    next_service_date DATE NULL,
    usage_instructions TEXT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'active',
    supplier VARCHAR(200) NULL,
    practitioner_id BIGINT NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_equipment_patient (patient_id, id),
    KEY ix_equipment_patient_status (patient_id, status),
    KEY ix_equipment_patient_service (patient_id, next_service_date),
    CONSTRAINT fk_equipment_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_equipment_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE treatment_medications (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    treatment_id BIGINT NOT NULL,
    medication_id BIGINT NOT NULL,
    specific_dosage VARCHAR(200) NULL,
    specific_frequency VARCHAR(100) NULL,
    specific_duration VARCHAR(100) NULL,
    timing_instructions VARCHAR(300) NULL,
    relevance_note VARCHAR(500) NULL,
    specific_prescriber_id BIGINT NULL,
    specific_pharmacy_id BIGINT NULL,
    specific_start_date DATE NULL,
    specific_end_date DATE NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_treatment_medications (treatment_id, medication_id),
    KEY ix_treatment_medications_medication (medication_id),
    CONSTRAINT fk_trmed_treatment FOREIGN KEY (treatment_id) REFERENCES treatments (id) ON DELETE CASCADE,
    CONSTRAINT fk_trmed_medication FOREIGN KEY (medication_id) REFERENCES medications (id) ON DELETE CASCADE,
    CONSTRAINT fk_trmed_prescriber FOREIGN KEY (specific_prescriber_id) REFERENCES practitioners (id) ON DELETE SET NULL,
    CONSTRAINT fk_trmed_pharmacy FOREIGN KEY (specific_pharmacy_id) REFERENCES pharmacies (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE treatment_encounters (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    treatment_id BIGINT NOT NULL,
    encounter_id BIGINT NOT NULL,
    visit_label VARCHAR(50) NULL,
    visit_sequence INT NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_treatment_encounters (treatment_id, encounter_id),
    KEY ix_treatment_encounters_encounter (encounter_id),
    CONSTRAINT fk_trenc_treatment FOREIGN KEY (treatment_id) REFERENCES treatments (id) ON DELETE CASCADE,
    CONSTRAINT fk_trenc_encounter FOREIGN KEY (encounter_id) REFERENCES encounters (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE treatment_equipment (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    treatment_id BIGINT NOT NULL,
    equipment_id BIGINT NOT NULL,
    usage_frequency VARCHAR(100) NULL,
    specific_settings VARCHAR(300) NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_treatment_equipment (treatment_id, equipment_id),
    KEY ix_treatment_equipment_equipment (equipment_id),
    CONSTRAINT fk_treq_treatment FOREIGN KEY (treatment_id) REFERENCES treatments (id) ON DELETE CASCADE,
    CONSTRAINT fk_treq_equipment FOREIGN KEY (equipment_id) REFERENCES medical_equipment (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
