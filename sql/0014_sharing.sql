-- MediKeep-FCGI schema, part 14: sharing. Invitations (to share a patient or a relative's
-- family history), which the recipient accepts or rejects, and family-history shares.
-- patient_shares (0001) is what the access check reads; an accepted invitation writes it.

-- Who shared what, and from which invitation; the row is updated when a share is changed.
ALTER TABLE patient_shares
    ADD COLUMN invitation_id BIGINT NULL,
    ADD COLUMN updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    ADD KEY ix_share_by (shared_by_user_id, id),
    -- The expiry sweep walks only rows that can expire.
    ADD KEY ix_share_expires (expires_at);

-- One invitation to one e-mail address. The recipient's account may not exist yet: then
-- sent_to_user_id stays NULL and the invitation is found by its address (the column's
-- collation compares case-insensitively), so registering with that address shows it.
CREATE TABLE invitations (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    invitation_type VARCHAR(30) NOT NULL,
    sent_by_user_id BIGINT NOT NULL,
    recipient_email VARCHAR(255) NOT NULL,
    sent_to_user_id BIGINT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    title VARCHAR(255) NOT NULL,
    message VARCHAR(1000) NULL,
    -- What is offered: a patient (patient_share) or a list of family members
    -- (family_history_share, context_data.family_member_ids), at this level.
    patient_id BIGINT NULL,
    permission_level VARCHAR(10) NOT NULL,
    context_data JSON NULL,
    -- When the share made on acceptance ends (NULL: never).
    share_expires_at DATETIME NULL,
    -- When the invitation itself can no longer be accepted.
    expires_at DATETIME NULL,
    responded_at DATETIME NULL,
    response_note VARCHAR(500) NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    -- At most one pending invitation per patient and address: NULL for the others.
    pending_patient_key VARCHAR(300) AS (
        IF(status = 'pending' AND patient_id IS NOT NULL, CONCAT(patient_id, ':', LOWER(recipient_email)), NULL)
    ) PERSISTENT,
    UNIQUE KEY uq_invitation_pending_patient (pending_patient_key),
    KEY ix_invitations_sender (sent_by_user_id, status, id),
    KEY ix_invitations_recipient (sent_to_user_id, status, id),
    KEY ix_invitations_email (recipient_email, status, id),
    KEY ix_invitations_expiry (status, expires_at),
    KEY ix_invitations_patient (patient_id),
    CONSTRAINT fk_invitations_sender FOREIGN KEY (sent_by_user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_invitations_recipient FOREIGN KEY (sent_to_user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_invitations_patient FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE patient_shares
    ADD CONSTRAINT fk_share_invitation FOREIGN KEY (invitation_id) REFERENCES invitations (id) ON DELETE SET NULL;

-- A relative's history (the family member and its conditions) shared with another user;
-- it opens nothing else of the patient the family member belongs to.
CREATE TABLE family_history_shares (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    family_member_id BIGINT NOT NULL,
    shared_by_user_id BIGINT NOT NULL,
    shared_with_user_id BIGINT NOT NULL,
    permission_level VARCHAR(10) NOT NULL DEFAULT 'view',
    sharing_note VARCHAR(1000) NULL,
    invitation_id BIGINT NULL,
    is_active TINYINT(1) NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY uq_family_share (family_member_id, shared_with_user_id),
    KEY ix_family_share_with (shared_with_user_id, family_member_id),
    KEY ix_family_share_by (shared_by_user_id, id),
    CONSTRAINT fk_family_share_member FOREIGN KEY (family_member_id) REFERENCES family_members (id) ON DELETE CASCADE,
    CONSTRAINT fk_family_share_by FOREIGN KEY (shared_by_user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_family_share_with FOREIGN KEY (shared_with_user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_family_share_invitation FOREIGN KEY (invitation_id) REFERENCES invitations (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
