DROP TABLE dossier_facts;
