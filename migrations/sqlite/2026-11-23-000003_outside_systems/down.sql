DROP TABLE sign_in_attempts;
DROP TABLE portal_intake;
DROP TABLE service_accounts;
