-- Atom subscriptions name no file (issue 17: atom_file was written wherever a
-- user said, ../ and absolute paths included). The Atom channel is now a
-- flag: the feed is written under the data directory by subscription id and
-- served at /atom/<atom_token>, a random capability, so the public URL of one
-- subscription's feed cannot be guessed from its sequential id. Every
-- subscription gets a token (every one has a feed); existing atom_file
-- subscriptions keep delivering, to the new place.
ALTER TABLE subscriptions ADD COLUMN atom INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN atom_token TEXT NOT NULL DEFAULT '';
UPDATE subscriptions SET atom = (atom_file <> ''), atom_token = lower(hex(randomblob(16)));
ALTER TABLE subscriptions DROP COLUMN atom_file;
CREATE UNIQUE INDEX subscriptions_atom_token ON subscriptions(atom_token);
