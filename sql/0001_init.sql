-- MediKeep-FCGI schema, part 1: accounts, patients, providers, medications.
-- InnoDB, utf8mb4, a primary key on every table (Galera needs it), indexes for every
-- list and filter the API offers. Times are UTC (the store sets time_zone = '+00:00').
-- The default collation is case-insensitive, so the UNIQUE keys on usernames, e-mails,
-- practice and specialty names are case-insensitive as the contract asks.

CREATE TABLE app_settings (
    name VARCHAR(100) NOT NULL PRIMARY KEY,
    value VARCHAR(1000) NOT NULL,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username VARCHAR(50) NOT NULL,
    email VARCHAR(255) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    first_name VARCHAR(100) NULL,
    last_name VARCHAR(100) NULL,
    full_name VARCHAR(201) NOT NULL,
    role VARCHAR(20) NOT NULL DEFAULT 'user',
    auth_method VARCHAR(20) NOT NULL DEFAULT 'local',
    is_active TINYINT(1) NOT NULL DEFAULT 1,
    -- Bumped on password change and account events: every older token stops working.
    token_epoch BIGINT NOT NULL DEFAULT 0,
    active_patient_id BIGINT NULL,
    must_change_password TINYINT(1) NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_users_username (username),
    UNIQUE KEY uq_users_email (email),
    KEY ix_users_role (role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_preferences (
    user_id BIGINT NOT NULL PRIMARY KEY,
    theme VARCHAR(20) NOT NULL DEFAULT 'light',
    notifications_enabled TINYINT(1) NOT NULL DEFAULT 1,
    language VARCHAR(10) NOT NULL DEFAULT 'en',
    unit_system VARCHAR(20) NOT NULL DEFAULT 'imperial',
    session_timeout_minutes INT NULL,
    date_format VARCHAR(20) NOT NULL DEFAULT 'mdy',
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    CONSTRAINT fk_prefs_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Tokens revoked before their expiry (logout). Rows past expires_at are useless and
-- are removed by the cleanup job.
CREATE TABLE revoked_tokens (
    token_id CHAR(32) NOT NULL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    expires_at DATETIME NOT NULL,
    KEY ix_revoked_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Failed logins per account, so guessing spread over many addresses is still locked out.
CREATE TABLE login_failures (
    account VARCHAR(255) NOT NULL PRIMARY KEY,
    failures INT NOT NULL DEFAULT 0,
    window_started_at DATETIME NOT NULL,
    locked_until DATETIME NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per-user action counters for limits nginx cannot key (e.g. specialty creates per hour).
CREATE TABLE rate_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    action VARCHAR(50) NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    KEY ix_rate_events (user_id, action, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE medical_specialties (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    description VARCHAR(500) NULL,
    is_active TINYINT(1) NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_specialties_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE practices (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(150) NOT NULL,
    phone_number VARCHAR(30) NULL,
    fax_number VARCHAR(30) NULL,
    website VARCHAR(500) NULL,
    patient_portal_url VARCHAR(500) NULL,
    notes TEXT NULL,
    locations JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_practices_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE practitioners (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    specialty_id BIGINT NOT NULL,
    practice_id BIGINT NULL,
    practice VARCHAR(150) NULL,
    phone_number VARCHAR(30) NULL,
    email VARCHAR(255) NULL,
    website VARCHAR(500) NULL,
    rating DOUBLE NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_practitioners_name (name),
    KEY ix_practitioners_specialty (specialty_id),
    KEY ix_practitioners_practice (practice_id),
    CONSTRAINT fk_practitioners_specialty FOREIGN KEY (specialty_id) REFERENCES medical_specialties (id),
    CONSTRAINT fk_practitioners_practice FOREIGN KEY (practice_id) REFERENCES practices (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE pharmacies (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(150) NOT NULL,
    brand VARCHAR(100) NULL,
    street_address VARCHAR(255) NULL,
    city VARCHAR(100) NULL,
    state VARCHAR(100) NULL,
    zip_code VARCHAR(20) NULL,
    country VARCHAR(100) NULL,
    store_number VARCHAR(50) NULL,
    phone_number VARCHAR(30) NULL,
    fax_number VARCHAR(30) NULL,
    email VARCHAR(255) NULL,
    website VARCHAR(500) NULL,
    hours VARCHAR(500) NULL,
    drive_through TINYINT(1) NULL DEFAULT 0,
    twenty_four_hour TINYINT(1) NULL DEFAULT 0,
    specialty_services VARCHAR(1000) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_pharmacies_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE patients (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    owner_user_id BIGINT NOT NULL,
    first_name VARCHAR(100) NOT NULL,
    last_name VARCHAR(100) NOT NULL,
    birth_date DATE NOT NULL,
    gender VARCHAR(20) NULL,
    address VARCHAR(500) NULL,
    phone_number VARCHAR(30) NULL,
    blood_type VARCHAR(10) NULL,
    height DOUBLE NULL,
    weight DOUBLE NULL,
    physician_id BIGINT NULL,
    relationship_to_self VARCHAR(50) NULL,
    is_self_record TINYINT(1) NOT NULL DEFAULT 0,
    -- At most one self record per user: NULL for the others, so UNIQUE ignores them.
    self_owner_id BIGINT AS (IF(is_self_record = 1, owner_user_id, NULL)) PERSISTENT,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_patients_owner (owner_user_id, id),
    UNIQUE KEY uq_patients_self (self_owner_id),
    CONSTRAINT fk_patients_owner FOREIGN KEY (owner_user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_patients_physician FOREIGN KEY (physician_id) REFERENCES practitioners (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE users ADD CONSTRAINT fk_users_active_patient
    FOREIGN KEY (active_patient_id) REFERENCES patients (id) ON DELETE SET NULL;

-- A patient shared with another user (the sharing endpoints come later; access checks
-- already honour it so no query has to change then).
CREATE TABLE patient_shares (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    shared_by_user_id BIGINT NOT NULL,
    shared_with_user_id BIGINT NOT NULL,
    permission_level VARCHAR(10) NOT NULL DEFAULT 'view',
    is_active TINYINT(1) NOT NULL DEFAULT 1,
    expires_at DATETIME NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY uq_share (patient_id, shared_with_user_id),
    KEY ix_share_with (shared_with_user_id, patient_id),
    CONSTRAINT fk_share_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_share_by FOREIGN KEY (shared_by_user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_share_with FOREIGN KEY (shared_with_user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE medications (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    medication_name VARCHAR(200) NOT NULL,
    alternative_name VARCHAR(200) NULL,
    medication_type VARCHAR(50) NULL DEFAULT 'prescription',
    dosage VARCHAR(100) NULL,
    frequency VARCHAR(100) NULL,
    route VARCHAR(20) NULL,
    indication VARCHAR(500) NULL,
    effective_period_start DATE NULL,
    effective_period_end DATE NULL,
    status VARCHAR(20) NULL,
    practitioner_id BIGINT NULL,
    pharmacy_id BIGINT NULL,
    notes TEXT NULL,
    side_effects TEXT NULL,
    tags JSON NULL,
    reminder_enabled TINYINT(1) NOT NULL DEFAULT 0,
    reminder_times JSON NULL,
    reminder_message VARCHAR(500) NULL,
    reminder_days JSON NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_medications_patient (patient_id, id),
    KEY ix_medications_patient_status (patient_id, status, id),
    KEY ix_medications_patient_name (patient_id, medication_name),
    KEY ix_medications_practitioner (practitioner_id),
    KEY ix_medications_pharmacy (pharmacy_id),
    CONSTRAINT fk_medications_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_medications_practitioner FOREIGN KEY (practitioner_id) REFERENCES practitioners (id) ON DELETE SET NULL,
    CONSTRAINT fk_medications_pharmacy FOREIGN KEY (pharmacy_id) REFERENCES pharmacies (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What happened to which record, for recent-activity lists and the admin dashboard.
CREATE TABLE activity_log (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NULL,
    patient_id BIGINT NULL,
    model_name VARCHAR(50) NOT NULL,
    record_id BIGINT NULL,
    action VARCHAR(20) NOT NULL,
    description VARCHAR(500) NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    KEY ix_activity_patient (patient_id, id),
    KEY ix_activity_user (user_id, id),
    CONSTRAINT fk_activity_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_activity_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
