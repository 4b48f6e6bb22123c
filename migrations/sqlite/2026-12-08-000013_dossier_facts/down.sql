DROP INDEX ratings_not_satisfied;
DROP TABLE dossier_facts;
