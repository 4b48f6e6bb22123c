-- The key is not put back: a new one is made in the data directory.
SELECT 1;
