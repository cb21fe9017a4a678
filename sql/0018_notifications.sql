-- Notifications (issue 12, part N): a user's delivery channels (configuration sealed with
-- the server's credentials key, never stored in clear), which events go to which channel,
-- the history of every delivery, and the reminder job's progress.

CREATE TABLE notification_channels (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    name VARCHAR(100) NOT NULL,
    channel_type VARCHAR(20) NOT NULL,
    -- The whole per-type configuration as JSON, sealed (SecretBox, AES-256-GCM).
    config_sealed TEXT NOT NULL,
    is_enabled TINYINT(1) NOT NULL DEFAULT 1,
    is_verified TINYINT(1) NOT NULL DEFAULT 0,
    last_test_at DATETIME NULL,
    last_test_status VARCHAR(20) NULL,
    last_used_at DATETIME NULL,
    total_notifications_sent INT NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    KEY ix_notification_channels_user (user_id, id),
    CONSTRAINT fk_notification_channels_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE notification_preferences (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    event_type VARCHAR(50) NOT NULL,
    is_enabled TINYINT(1) NOT NULL DEFAULT 1,
    remind_before_minutes INT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_notification_preferences (channel_id, event_type),
    KEY ix_notification_preferences_user (user_id, id),
    CONSTRAINT fk_notification_preferences_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_notification_preferences_channel FOREIGN KEY (channel_id)
        REFERENCES notification_channels (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per delivery to one channel. `dedup_key` is set for scheduled reminders
-- (medication x scheduled instant x channel): the unique index is what makes the
-- reminder job send once however often, or on however many hosts, it runs.
CREATE TABLE notification_history (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    channel_id BIGINT NULL,
    channel_name VARCHAR(100) NULL,
    channel_type VARCHAR(20) NULL,
    event_type VARCHAR(50) NOT NULL,
    title VARCHAR(200) NOT NULL,
    message_preview VARCHAR(255) NULL,
    status VARCHAR(20) NOT NULL,
    attempt_count INT NOT NULL DEFAULT 0,
    error_message VARCHAR(500) NULL,
    is_test TINYINT(1) NOT NULL DEFAULT 0,
    medication_id BIGINT NULL,
    scheduled_for DATETIME NULL,
    dedup_key VARCHAR(120) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    sent_at DATETIME NULL,
    UNIQUE KEY uq_notification_history_dedup (dedup_key),
    KEY ix_notification_history_user (user_id, id),
    KEY ix_notification_history_user_status (user_id, status, id),
    KEY ix_notification_history_user_event (user_id, event_type, id),
    CONSTRAINT fk_notification_history_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_notification_history_channel FOREIGN KEY (channel_id)
        REFERENCES notification_channels (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How far a scheduled job has covered time (the reminder job's window ends here).
CREATE TABLE job_cursors (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    covered_until DATETIME NOT NULL,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The reminder job's scan: medications with reminders on, by status.
CREATE INDEX ix_medications_reminders ON medications (reminder_enabled, status);
