-- MediKeep-FCGI schema, part 8: a patient's insurances, emergency contacts and family
-- history (family members and their conditions).
-- Every row belongs to a patient (deleted with it); a family member's conditions go with
-- the family member. Every list filter has an index that starts with patient_id.
-- "Primary" is one per patient for emergency contacts and one per patient and insurance
-- type for insurances: the application clears the others in the same transaction as it
-- sets one (the (patient_id, ..., is_primary) indexes keep that statement to the
-- patient's rows).

CREATE TABLE insurances (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    insurance_type VARCHAR(20) NOT NULL,
    company_name VARCHAR(255) NOT NULL,
    employer_group VARCHAR(200) NULL,
    member_name VARCHAR(255) NULL,
    member_id VARCHAR(100) NULL,
    group_number VARCHAR(100) NULL,
    plan_name VARCHAR(200) NULL,
    policy_holder_name VARCHAR(255) NULL,
    relationship_to_holder VARCHAR(20) NULL,
    effective_date DATE NOT NULL,
    expiration_date DATE NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    is_primary TINYINT(1) NOT NULL DEFAULT 0,
    coverage_details JSON NULL,
    contact_info JSON NULL,
    notes TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_insurances_patient (patient_id, id),
    KEY ix_insurances_patient_type (patient_id, insurance_type, is_primary),
    KEY ix_insurances_patient_status (patient_id, status),
    KEY ix_insurances_patient_expiration (patient_id, expiration_date),
    KEY ix_insurances_patient_company (patient_id, company_name),
    CONSTRAINT fk_insurances_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE emergency_contacts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    name VARCHAR(100) NOT NULL,
    relationship VARCHAR(20) NOT NULL,
    phone_number VARCHAR(20) NOT NULL,
    secondary_phone VARCHAR(20) NULL,
    email VARCHAR(255) NULL,
    is_primary TINYINT(1) NOT NULL DEFAULT 0,
    is_active TINYINT(1) NOT NULL DEFAULT 1,
    address VARCHAR(500) NULL,
    notes TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    -- Lists are primary first, then by name: this index serves that order and the
    -- is_primary filter.
    KEY ix_emergency_contacts_patient (patient_id, is_primary, name),
    KEY ix_emergency_contacts_patient_active (patient_id, is_active),
    CONSTRAINT fk_emergency_contacts_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE family_members (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    name VARCHAR(100) NOT NULL,
    relationship VARCHAR(30) NOT NULL,
    gender VARCHAR(20) NULL,
    birth_date DATE NULL,
    birth_year SMALLINT NULL,
    death_year SMALLINT NULL,
    is_deceased TINYINT(1) NOT NULL DEFAULT 0,
    medical_history TEXT NULL,
    notes TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_family_members_patient (patient_id, id),
    KEY ix_family_members_patient_relationship (patient_id, relationship),
    KEY ix_family_members_patient_name (patient_id, name),
    CONSTRAINT fk_family_members_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE family_conditions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    family_member_id BIGINT NOT NULL,
    condition_name VARCHAR(200) NOT NULL,
    diagnosis_age SMALLINT NULL,
    severity VARCHAR(20) NULL,
    status VARCHAR(20) NULL,
    condition_type VARCHAR(30) NULL,
    icd10_code VARCHAR(10) NULL,
    notes TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_family_conditions_member (family_member_id, id),
    CONSTRAINT fk_family_conditions_member FOREIGN KEY (family_member_id) REFERENCES family_members (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
