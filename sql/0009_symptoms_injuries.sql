-- MediKeep-FCGI schema, part 9: symptoms with their occurrences, injuries, the shared
-- list of injury types, and the links of symptoms and injuries to other records.
-- Deleting a record removes its occurrences and links, never the records at the other
-- end of a link. Every list filter has an index that starts with the patient.

CREATE TABLE symptoms (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    symptom_name VARCHAR(200) NOT NULL,
    category VARCHAR(100) NULL,
    body_part VARCHAR(100) NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    is_chronic TINYINT(1) NOT NULL DEFAULT 0,
    first_occurrence_date DATE NULL,
    resolved_date DATE NULL,
    typical_triggers JSON NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_symptoms_patient (patient_id, id),
    KEY ix_symptoms_patient_status (patient_id, status),
    KEY ix_symptoms_patient_name (patient_id, symptom_name),
    CONSTRAINT fk_symptoms_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One episode of a symptom. occurred_at is UTC; the timeline groups by its UTC day.
CREATE TABLE symptom_occurrences (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    symptom_id BIGINT NOT NULL,
    occurred_at DATETIME NOT NULL,
    severity VARCHAR(20) NOT NULL,
    pain_scale TINYINT NULL,
    duration_minutes INT NULL,
    duration VARCHAR(100) NULL,
    time_of_day VARCHAR(20) NULL,
    location VARCHAR(200) NULL,
    triggers JSON NULL,
    relief_methods JSON NULL,
    associated_symptoms JSON NULL,
    impact_level VARCHAR(20) NULL,
    resolved_date DATE NULL,
    resolution_notes TEXT NULL,
    notes TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_symptom_occurrences_symptom (symptom_id, occurred_at),
    CONSTRAINT fk_symptom_occurrences_symptom FOREIGN KEY (symptom_id) REFERENCES symptoms (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE symptom_conditions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    symptom_id BIGINT NOT NULL,
    condition_id BIGINT NOT NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_symptom_conditions (symptom_id, condition_id),
    KEY ix_symptom_conditions_condition (condition_id),
    CONSTRAINT fk_sycond_symptom FOREIGN KEY (symptom_id) REFERENCES symptoms (id) ON DELETE CASCADE,
    CONSTRAINT fk_sycond_condition FOREIGN KEY (condition_id) REFERENCES conditions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE symptom_medications (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    symptom_id BIGINT NOT NULL,
    medication_id BIGINT NOT NULL,
    relationship_type VARCHAR(20) NOT NULL DEFAULT 'related_to',
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_symptom_medications (symptom_id, medication_id),
    KEY ix_symptom_medications_medication (medication_id),
    CONSTRAINT fk_symed_symptom FOREIGN KEY (symptom_id) REFERENCES symptoms (id) ON DELETE CASCADE,
    CONSTRAINT fk_symed_medication FOREIGN KEY (medication_id) REFERENCES medications (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE symptom_treatments (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    symptom_id BIGINT NOT NULL,
    treatment_id BIGINT NOT NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_symptom_treatments (symptom_id, treatment_id),
    KEY ix_symptom_treatments_treatment (treatment_id),
    CONSTRAINT fk_sytr_symptom FOREIGN KEY (symptom_id) REFERENCES symptoms (id) ON DELETE CASCADE,
    CONSTRAINT fk_sytr_treatment FOREIGN KEY (treatment_id) REFERENCES treatments (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Shared by every user, like the other directories. System types come from this file
-- (created_by NULL) and are never deleted; a type in use by any injury is not deleted
-- either (the application answers 400 first; RESTRICT is the backstop).
CREATE TABLE injury_types (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    description VARCHAR(300) NULL,
    is_system TINYINT(1) NOT NULL DEFAULT 0,
    created_by BIGINT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_injury_types_name (name),
    CONSTRAINT fk_injury_types_creator FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO injury_types (name, description, is_system) VALUES
    ('Sprain', 'Stretched or torn ligament', 1),
    ('Strain', 'Stretched or torn muscle or tendon', 1),
    ('Fracture', 'Broken or cracked bone', 1),
    ('Dislocation', 'Bone forced out of its joint', 1),
    ('Contusion', 'Bruise from a blow', 1),
    ('Laceration', 'Cut through the skin', 1),
    ('Abrasion', 'Scrape of the skin', 1),
    ('Puncture', 'Wound from a sharp point', 1),
    ('Burn', 'Damage from heat, chemicals, electricity or radiation', 1),
    ('Concussion', 'Brain injury from a blow or jolt to the head', 1),
    ('Tendon injury', 'Inflamed, degenerated or ruptured tendon', 1),
    ('Ligament tear', 'Partial or complete tear of a ligament', 1),
    ('Cartilage injury', 'Damaged joint cartilage or meniscus', 1),
    ('Overuse injury', 'Damage from repeated strain over time', 1),
    ('Bite or sting', 'Injury from an animal or insect', 1),
    ('Other', 'Any other kind of injury', 1);

CREATE TABLE injuries (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    injury_name VARCHAR(300) NOT NULL,
    injury_type_id BIGINT NULL,
    body_part VARCHAR(100) NOT NULL,
    laterality VARCHAR(20) NULL,
    date_of_injury DATE NULL,
    mechanism VARCHAR(500) NULL,
    severity VARCHAR(20) NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    treatment_received TEXT NULL,
    recovery_notes TEXT NULL,
    practitioner_id BIGINT NULL,
    notes TEXT NULL,
    tags JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_injuries_patient (patient_id, id),
    KEY ix_injuries_patient_status (patient_id, status),
    KEY ix_injuries_patient_type (patient_id, injury_type_id),
    KEY ix_injuries_type (injury_type_id),
    CONSTRAINT fk_injuries_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_injuries_type FOREIGN KEY (injury_type_id) REFERENCES injury_types (id) ON DELETE RESTRICT,
    CONSTRAINT fk_injuries_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE injury_medications (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    injury_id BIGINT NOT NULL,
    medication_id BIGINT NOT NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_injury_medications (injury_id, medication_id),
    KEY ix_injury_medications_medication (medication_id),
    CONSTRAINT fk_injmed_injury FOREIGN KEY (injury_id) REFERENCES injuries (id) ON DELETE CASCADE,
    CONSTRAINT fk_injmed_medication FOREIGN KEY (medication_id) REFERENCES medications (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE injury_conditions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    injury_id BIGINT NOT NULL,
    condition_id BIGINT NOT NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_injury_conditions (injury_id, condition_id),
    KEY ix_injury_conditions_condition (condition_id),
    CONSTRAINT fk_injcond_injury FOREIGN KEY (injury_id) REFERENCES injuries (id) ON DELETE CASCADE,
    CONSTRAINT fk_injcond_condition FOREIGN KEY (condition_id) REFERENCES conditions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE injury_treatments (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    injury_id BIGINT NOT NULL,
    treatment_id BIGINT NOT NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_injury_treatments (injury_id, treatment_id),
    KEY ix_injury_treatments_treatment (treatment_id),
    CONSTRAINT fk_injtr_injury FOREIGN KEY (injury_id) REFERENCES injuries (id) ON DELETE CASCADE,
    CONSTRAINT fk_injtr_treatment FOREIGN KEY (treatment_id) REFERENCES treatments (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE injury_procedures (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    injury_id BIGINT NOT NULL,
    procedure_id BIGINT NOT NULL,
    relevance_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_injury_procedures (injury_id, procedure_id),
    KEY ix_injury_procedures_procedure (procedure_id),
    CONSTRAINT fk_injproc_injury FOREIGN KEY (injury_id) REFERENCES injuries (id) ON DELETE CASCADE,
    CONSTRAINT fk_injproc_procedure FOREIGN KEY (procedure_id) REFERENCES procedures (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
