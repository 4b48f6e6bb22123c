DROP TABLE repository_access, repository_shares, repository_items, papers, uploads;
