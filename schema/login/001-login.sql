-- The login plugin's tables.  Every statement can run again without harm.
-- Times are Unix seconds (BIGINT), like the core's.

-- Accounts.  The email is unique whatever its case (the collation is
-- case-insensitive).  pwhash is libsodium's argon2id string, which carries
-- its own parameters; NULL until the person sets a password.
CREATE TABLE IF NOT EXISTS login_users (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	email VARCHAR(254) NOT NULL,
	name VARCHAR(100) NOT NULL,
	role ENUM('admin', 'moderator', 'expert', 'member') NOT NULL
	    DEFAULT 'member',
	status ENUM('active', 'disabled') NOT NULL DEFAULT 'active',
	pwhash VARCHAR(255) NULL,
	created BIGINT NOT NULL,
	updated BIGINT NOT NULL,
	password_changed BIGINT NULL,
	last_login BIGINT NULL,
	UNIQUE KEY login_users_email (email),
	KEY login_users_role (role, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Sessions: only a keyed hash of the cookie's token is kept, so that a
-- copy of the database opens no session.  A session ends at `expires`
-- (absolute) or after `idle` seconds without a request.
CREATE TABLE IF NOT EXISTS login_sessions (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	token_hash CHAR(64) CHARACTER SET ascii NOT NULL,
	user_id BIGINT NOT NULL,
	created BIGINT NOT NULL,
	last_seen BIGINT NOT NULL,
	expires BIGINT NOT NULL,
	idle BIGINT NOT NULL,
	remember TINYINT NOT NULL DEFAULT 0,
	ip VARCHAR(64) NOT NULL DEFAULT '',
	user_agent VARCHAR(255) NOT NULL DEFAULT '',
	UNIQUE KEY login_sessions_token (token_hash),
	KEY login_sessions_user (user_id),
	KEY login_sessions_expires (expires),
	CONSTRAINT login_sessions_user_fk FOREIGN KEY (user_id)
	    REFERENCES login_users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Single-use links sent by mail: a password reset ('reset'), the first
-- password of an account an admin created ('welcome'), an email change to
-- confirm ('email', with the new address).  Stored as a keyed hash.
CREATE TABLE IF NOT EXISTS login_tokens (
	token_hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
	user_id BIGINT NOT NULL,
	purpose ENUM('reset', 'welcome', 'email') NOT NULL,
	new_email VARCHAR(254) NULL,
	created BIGINT NOT NULL,
	expires BIGINT NOT NULL,
	used_at BIGINT NULL,
	KEY login_tokens_user (user_id, purpose),
	KEY login_tokens_expires (expires),
	CONSTRAINT login_tokens_user_fk FOREIGN KEY (user_id)
	    REFERENCES login_users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed sign-ins, for the limits: one row per failure, keyed by a keyed
-- hash of the email typed ("acct:...") or of the client's address
-- ("ip:..."), so that neither is readable here.  Purged by cron.
CREATE TABLE IF NOT EXISTS login_failures (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	k CHAR(64) CHARACTER SET ascii NOT NULL,
	at BIGINT NOT NULL,
	KEY login_failures_k (k, at),
	KEY login_failures_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;
