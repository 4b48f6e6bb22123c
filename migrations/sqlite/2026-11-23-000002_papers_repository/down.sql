DROP TABLE repository_access;
DROP TABLE repository_shares;
DROP TABLE repository_items;
DROP TABLE papers;
DROP TABLE uploads;
