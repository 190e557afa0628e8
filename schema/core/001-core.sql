-- The core's tables.  Every statement can run again without harm.

-- Which plugins the admin enabled (absent: disabled).
CREATE TABLE IF NOT EXISTS ap_plugins (
	name VARCHAR(64) NOT NULL PRIMARY KEY,
	enabled TINYINT NOT NULL DEFAULT 0,
	changed_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Shared counters: the workers of every host read them to learn that
-- something changed (the enabled plugins, a page's comments ...).
CREATE TABLE IF NOT EXISTS ap_counters (
	name VARCHAR(190) NOT NULL PRIMARY KEY,
	value BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO ap_counters (name, value) VALUES ('plugins', 1);

-- Rate limits: hits of a key (stored hashed) in the current window.
CREATE TABLE IF NOT EXISTS ap_rates (
	k CHAR(64) NOT NULL PRIMARY KEY,
	win BIGINT NOT NULL,
	hits INT NOT NULL,
	expires BIGINT NOT NULL,
	KEY ap_rates_expires (expires)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;

-- Single-use tokens already used (stored hashed), until they expire.
CREATE TABLE IF NOT EXISTS ap_spent (
	h CHAR(64) NOT NULL PRIMARY KEY,
	expires BIGINT NOT NULL,
	KEY ap_spent_expires (expires)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;

-- Mail: every message is stored before it is handed to the mail command,
-- and stays here (sent or not) so that nothing is lost.
CREATE TABLE IF NOT EXISTS ap_mail (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	created BIGINT NOT NULL,
	recipient VARCHAR(254) NOT NULL,
	subject VARCHAR(500) NOT NULL,
	message MEDIUMBLOB NOT NULL,
	tries INT NOT NULL DEFAULT 0,
	next_try BIGINT NOT NULL,
	sent_at BIGINT NULL,
	last_error VARCHAR(255) NULL,
	claim CHAR(16) NULL,
	claimed_until BIGINT NULL,
	KEY ap_mail_due (sent_at, next_try),
	KEY ap_mail_claim (claim),
	KEY ap_mail_recipient (recipient)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What admins did: who, what, when, from where.
CREATE TABLE IF NOT EXISTS ap_audit (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	at DATETIME NOT NULL,
	user_id BIGINT NULL,
	user_email VARCHAR(254) NULL,
	ip VARCHAR(64) NOT NULL DEFAULT '',
	action VARCHAR(64) NOT NULL,
	detail VARCHAR(1000) NULL,
	KEY ap_audit_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
