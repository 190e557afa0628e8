-- The antispam plugin's tables.  Every statement can run again without harm.

-- The classifier's token counts: in how many spam and ham messages each
-- token was seen.  The token ' msgs' holds the message counts.  seq is
-- the value of the counter antispam.tokens when the row last changed:
-- each worker reads only the rows that changed since its last look.
CREATE TABLE IF NOT EXISTS antispam_tokens (
	token VARBINARY(100) NOT NULL PRIMARY KEY,
	spam INT NOT NULL DEFAULT 0,
	ham INT NOT NULL DEFAULT 0,
	seq BIGINT NOT NULL DEFAULT 0,
	KEY antispam_tokens_seq (seq)
) ENGINE=InnoDB;

-- What the classifier learned from a moderator's decision on an item, so
-- that a change of mind unlearns it first and a repeat learns nothing.
CREATE TABLE IF NOT EXISTS antispam_learned (
	kind VARCHAR(32) NOT NULL,
	item BIGINT NOT NULL,
	verdict TINYINT NOT NULL,
	at BIGINT NOT NULL,
	PRIMARY KEY (kind, item)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The memory of decisions: IP addresses and emails (stored as keyed
-- hashes), link domains, and texts (hash) seen in spam or in ham.
CREATE TABLE IF NOT EXISTS antispam_known (
	kind VARCHAR(8) NOT NULL,
	v VARCHAR(190) NOT NULL,
	spam INT NOT NULL DEFAULT 0,
	ham INT NOT NULL DEFAULT 0,
	last BIGINT NOT NULL,
	PRIMARY KEY (kind, v),
	KEY antispam_known_last (last)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The admins' rules: word lists and PCRE2 patterns.  limit_hits counts
-- the times a pattern gave up at its match limit.
CREATE TABLE IF NOT EXISTS antispam_rules (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	kind VARCHAR(8) NOT NULL,
	body TEXT NOT NULL,
	effect VARCHAR(8) NOT NULL,
	note VARCHAR(200) NOT NULL DEFAULT '',
	created BIGINT NOT NULL,
	created_by VARCHAR(254) NULL,
	hits BIGINT NOT NULL DEFAULT 0,
	last_hit BIGINT NULL,
	limit_hits BIGINT NOT NULL DEFAULT 0,
	last_limit BIGINT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each submission examined: for floods across pages, and for the list
-- the moderators see.  IP and email are keyed hashes; rows are purged
-- after [antispam] log_keep.
CREATE TABLE IF NOT EXISTS antispam_log (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	at BIGINT NOT NULL,
	kind VARCHAR(32) NOT NULL,
	page VARCHAR(255) NOT NULL,
	ip CHAR(64) NOT NULL,
	email CHAR(64) NOT NULL,
	author VARCHAR(100) NOT NULL,
	excerpt VARCHAR(200) NOT NULL,
	verdict TINYINT NOT NULL,
	score DOUBLE NOT NULL,
	reasons VARCHAR(1000) NOT NULL,
	cost_us INT NOT NULL DEFAULT 0,   -- time spent judging
	KEY antispam_log_ip (ip, at),
	KEY antispam_log_email (email, at),
	KEY antispam_log_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO ap_counters (name, value) VALUES ('antispam.tokens', 0),
	('antispam.rules', 1), ('antispam.epoch', 1);
