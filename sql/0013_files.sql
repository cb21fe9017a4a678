-- MediKeep-FCGI schema, part 13: files attached to records (entity files) and patient
-- photos. The bytes live under <data_dir>/files at file_path (relative, made by the
-- server from ids and a random name); nginx sends them (X-Accel-Redirect). A row is
-- committed only after its file is in place, and a file is removed only after the
-- commit that deleted its row; `medikeep-jobs files-sweep` removes files no row names.

-- One attached file. entity_type/entity_id name the record (polymorphic: the record's
-- table follows from entity_type); patient_id is the record's patient, copied once at
-- upload (a record never changes patient), so the access check is one condition on
-- this table. Deleting the patient removes the rows; the record's own delete removes
-- its files and rows (RecordHandlers).
CREATE TABLE entity_files (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    entity_type VARCHAR(30) NOT NULL,
    entity_id BIGINT NOT NULL,
    file_name VARCHAR(255) NOT NULL,
    -- relative to <data_dir>/files; NULL for a document that lives only in a backend
    file_path VARCHAR(255) NULL,
    file_type VARCHAR(120) NULL,
    file_size BIGINT NULL,
    description TEXT NULL,
    category VARCHAR(100) NULL,
    storage_backend VARCHAR(20) NOT NULL DEFAULT 'local',
    paperless_document_id VARCHAR(64) NULL,
    paperless_task_uuid VARCHAR(64) NULL,
    papra_document_id VARCHAR(64) NULL,
    papra_organization_id VARCHAR(64) NULL,
    sync_status VARCHAR(20) NOT NULL DEFAULT 'synced',
    uploaded_by BIGINT NULL,
    uploaded_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    last_sync_at DATETIME NULL,
    -- a record's files (list, counts, batch counts, the record's delete)
    KEY ix_entity_files_entity (entity_type, entity_id, id),
    KEY ix_entity_files_patient (patient_id),
    UNIQUE KEY ux_entity_files_path (file_path),
    CONSTRAINT fk_entity_files_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_entity_files_user FOREIGN KEY (uploaded_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A patient's photo: at most one; a new upload replaces it.
CREATE TABLE patient_photos (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id BIGINT NOT NULL,
    file_name VARCHAR(255) NOT NULL,
    file_path VARCHAR(255) NOT NULL,
    file_size BIGINT NOT NULL,
    mime_type VARCHAR(40) NOT NULL,
    original_name VARCHAR(255) NULL,
    width INT NULL,
    height INT NULL,
    uploaded_by BIGINT NULL,
    uploaded_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY ux_patient_photos_patient (patient_id),
    UNIQUE KEY ux_patient_photos_path (file_path),
    CONSTRAINT fk_patient_photos_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE,
    CONSTRAINT fk_patient_photos_user FOREIGN KEY (uploaded_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
