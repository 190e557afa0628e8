-- `form_key` is a keyed hash of the form token that sent a comment: the
-- same form sent again (a double click) leads its sender to that comment
-- and lets them edit it, and never to another comment of the same text
-- and email.  Empty for comments from an import or the console.
ALTER TABLE comments ADD COLUMN IF NOT EXISTS
	form_key CHAR(64) CHARACTER SET ascii NULL;
