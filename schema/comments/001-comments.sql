-- The comments plugin's tables.  Every statement can run again without harm.

-- One row per comment.  `page` is the page's path on the site (its key);
-- `root_id` is the top-level comment of the thread (itself for a top-level
-- one), so that a thread is read with one index.  `dup` is a keyed hash of
-- the page, the email and the text: the unique key refuses the same comment
-- twice; it is cleared when a comment goes to the trash or is anonymized.
-- `import_key` names the WordPress comment an import came from, so that an
-- import run twice adds nothing.  `ip` and `user_agent` are erased after
-- the retention time ([comments] ip_retention).
CREATE TABLE IF NOT EXISTS comments (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	page VARCHAR(180) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	parent_id BIGINT NULL,
	root_id BIGINT NOT NULL DEFAULT 0,
	status ENUM('pending', 'approved', 'spam', 'trash') NOT NULL,
	status_at BIGINT NOT NULL,
	author VARCHAR(100) NOT NULL,
	email VARCHAR(254) NOT NULL DEFAULT '',
	url VARCHAR(200) NULL,
	body TEXT NOT NULL,
	created BIGINT NOT NULL,
	edited BIGINT NULL,
	ip VARCHAR(64) NULL,
	user_agent VARCHAR(255) NULL,
	user_id BIGINT NULL,
	lang VARCHAR(8) NOT NULL DEFAULT 'fr',
	notify TINYINT NOT NULL DEFAULT 0,
	notified TINYINT NOT NULL DEFAULT 0,
	verdict ENUM('ham', 'unsure', 'spam') NULL,
	score DOUBLE NULL,
	reasons VARCHAR(1000) NULL,
	dup CHAR(64) CHARACTER SET ascii NULL,
	import_key VARCHAR(190) CHARACTER SET ascii NULL,
	UNIQUE KEY comments_dup (page, dup),
	UNIQUE KEY comments_import (import_key),
	KEY comments_page (page, status, created),
	KEY comments_threads (page, parent_id, status, created),
	KEY comments_root (root_id),
	KEY comments_parent (parent_id),
	KEY comments_status (status, created),
	KEY comments_status_at (status, status_at),
	KEY comments_email (email),
	KEY comments_ip (ip, created)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What is known of a page besides its comments: a title (from an import
-- or `aparte-admin comments page`) and whether it takes new comments.
CREATE TABLE IF NOT EXISTS comments_pages (
	page VARCHAR(180) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
		PRIMARY KEY,
	title VARCHAR(300) NULL,
	closed TINYINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The admin's word lists: a comment holding one of the `hold` words waits
-- for a moderator; one holding a `refuse` word is refused.
CREATE TABLE IF NOT EXISTS comments_words (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	list ENUM('hold', 'refuse') NOT NULL,
	word VARCHAR(100) NOT NULL,
	UNIQUE KEY comments_words_word (list, word)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
