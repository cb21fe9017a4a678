-- MediKeep-FCGI schema, part 19: the medication dose log (adherence tracking).
--
-- One row per answered dose: taken, skipped or taken late, when (taken_at, UTC), and
-- which reminder slot it answers (scheduled_for, UTC; NULL for an extra, unscheduled
-- dose). A slot is answered once: the unique key refuses a second answer (409), and a
-- client that wants to change its answer updates the row. Adherence reads the doses of
-- one medication over a period through the same key's (medication_id, scheduled_for)
-- prefix; the log's date filters read (medication_id, taken_at).

CREATE TABLE medication_doses (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    medication_id BIGINT NOT NULL,
    status VARCHAR(20) NOT NULL,
    taken_at DATETIME NOT NULL,
    scheduled_for DATETIME NULL,
    notes TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_medication_doses_slot (medication_id, scheduled_for),
    KEY ix_medication_doses_taken (medication_id, taken_at),
    CONSTRAINT fk_medication_doses_medication FOREIGN KEY (medication_id) REFERENCES medications (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
