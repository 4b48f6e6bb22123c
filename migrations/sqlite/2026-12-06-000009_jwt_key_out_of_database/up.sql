-- Access tokens are signed with keys kept out of the database (a key file or the environment): a copy of
-- the database or of a backup must not let anyone mint tokens.
DELETE FROM settings WHERE key = 'jwt_secret';
