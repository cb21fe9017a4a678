-- MediKeep-FCGI schema, part 4: hardening after the first review.

-- A random value per account, carried in every token (claim `acn`) and checked with it:
-- a user id reused after a restore never accepts the tokens of the account it once was.
-- The default is evaluated per row, also for the rows that exist now.
ALTER TABLE users
    ADD COLUMN account_nonce CHAR(32) NOT NULL DEFAULT (LEFT(SHA2(CONCAT(UUID(), RAND()), 256), 32));

-- Deleting an account must not erase what it did to other people's (shared) patients:
-- the entry keeps its text and its actor reads as a deleted user.
ALTER TABLE activity_log DROP FOREIGN KEY fk_activity_user;
ALTER TABLE activity_log
    ADD CONSTRAINT fk_activity_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL;

-- Who added a shared directory row: only that user (or an admin) may change or delete it.
-- Rows that exist now get no creator, so only an admin may change them.
ALTER TABLE pharmacies ADD COLUMN created_by BIGINT NULL,
    ADD CONSTRAINT fk_pharmacies_creator FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE practitioners ADD COLUMN created_by BIGINT NULL,
    ADD CONSTRAINT fk_practitioners_creator FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE practices ADD COLUMN created_by BIGINT NULL,
    ADD CONSTRAINT fk_practices_creator FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE medical_specialties ADD COLUMN created_by BIGINT NULL,
    ADD CONSTRAINT fk_specialties_creator FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL;
