DROP TABLE paper_checks;
DROP TABLE paper_readings;
