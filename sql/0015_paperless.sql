-- MediKeep-FCGI schema, part 15: each user's connection to a Paperless-ngx and a Papra
-- document server, where entity files may live instead of <data_dir>/files.
--
-- Secrets (API tokens, the Paperless password) are sealed with AES-256-GCM under the
-- server's <data_dir>/credentials.key before they reach this table (SecretBox; the
-- column holds "v1." + base64url). They are never returned by the API, only whether one
-- is set. One row per user, made on the first settings save; deleting the user removes it.
CREATE TABLE document_backend_settings (
    user_id BIGINT NOT NULL PRIMARY KEY,
    default_storage_backend VARCHAR(20) NOT NULL DEFAULT 'local',
    paperless_enabled TINYINT(1) NOT NULL DEFAULT 0,
    paperless_url VARCHAR(500) NULL,
    paperless_username VARCHAR(255) NULL,
    paperless_token_sealed TEXT NULL,
    paperless_password_sealed TEXT NULL,
    paperless_auto_sync TINYINT(1) NOT NULL DEFAULT 0,
    paperless_sync_tags TINYINT(1) NOT NULL DEFAULT 1,
    papra_enabled TINYINT(1) NOT NULL DEFAULT 0,
    papra_url VARCHAR(500) NULL,
    papra_token_sealed TEXT NULL,
    papra_organization_id VARCHAR(64) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    CONSTRAINT fk_document_backend_settings_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A backend document lives in the account of the user who uploaded or linked it, and is
-- reached with that user's settings: sync, storage stats and cleanup select a user's
-- backend files; "exclude linked" in a search and the duplicate-link check look a
-- document id up; a task's status settles the row that waits for it.
ALTER TABLE entity_files
    ADD KEY ix_entity_files_backend (uploaded_by, storage_backend, sync_status),
    ADD KEY ix_entity_files_paperless_document (paperless_document_id),
    ADD KEY ix_entity_files_paperless_task (paperless_task_uuid),
    ADD KEY ix_entity_files_papra_document (papra_document_id),
    -- medikeep-jobs document-sync: uploads waiting to be pushed, Paperless tasks to settle
    ADD KEY ix_entity_files_sync (sync_status, storage_backend);
