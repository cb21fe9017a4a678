-- Scheduled tasks (medikeep-jobs) take a lease row before working, so two hosts running
-- the same timers never do the same work at once (Galera has no GET_LOCK).
CREATE TABLE job_leases (
    name VARCHAR(50) NOT NULL PRIMARY KEY,
    holder VARCHAR(100) NOT NULL,
    expires_at DATETIME NOT NULL,
    last_started_at DATETIME NULL,
    last_finished_at DATETIME NULL,
    last_result VARCHAR(1000) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
