-- MediKeep-FCGI schema, part 16: single sign-on (OpenID Connect, Google, GitHub).

-- An SSO identity is (provider, subject): the provider's stable id of the person, never
-- the e-mail, which can change or be re-used. Subjects are case-sensitive. A local
-- account linked to an identity keeps its password (auth_method 'hybrid').
ALTER TABLE users
    ADD COLUMN sso_provider VARCHAR(20) NULL AFTER auth_method,
    ADD COLUMN external_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL AFTER sso_provider,
    -- How a later SSO sign-in with this account's e-mail is handled:
    -- 'auto_link', 'create_separate', 'always_ask' (NULL: ask).
    ADD COLUMN sso_linking_preference VARCHAR(20) NULL AFTER external_id,
    ADD COLUMN account_linked_at DATETIME NULL AFTER sso_linking_preference,
    ADD COLUMN last_sso_login DATETIME NULL AFTER account_linked_at,
    ADD UNIQUE KEY uq_users_sso_identity (sso_provider, external_id);

-- One sign-in in flight, from /auth/sso/initiate to /auth/sso/callback. Keyed by the
-- SHA-256 of the state (the state itself is only in the browser), deleted when used:
-- a state works once, and only until it expires.
CREATE TABLE sso_states (
    state_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    provider VARCHAR(20) NOT NULL,
    nonce VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- PKCE (RFC 7636): sent with the code, so a stolen code is useless without it.
    code_verifier VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    return_url VARCHAR(2048) NULL,
    expires_at DATETIME NOT NULL,
    KEY ix_sso_states_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A verified identity whose e-mail belongs to an existing account, waiting for the
-- person's choice (/auth/sso/resolve-conflict or /resolve-github-link). Keyed by the
-- SHA-256 of the temporary token handed to the browser; single-use, short-lived.
CREATE TABLE sso_pending_links (
    token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    existing_user_id BIGINT NOT NULL,
    provider VARCHAR(20) NOT NULL,
    subject VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    email VARCHAR(255) NOT NULL,
    email_verified TINYINT(1) NOT NULL,
    first_name VARCHAR(100) NULL,
    last_name VARCHAR(100) NULL,
    username_hint VARCHAR(255) NULL,
    return_url VARCHAR(2048) NULL,
    expires_at DATETIME NOT NULL,
    KEY ix_sso_pending_expiry (expires_at),
    CONSTRAINT fk_sso_pending_user FOREIGN KEY (existing_user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
