ALTER TABLE staff_roles DROP COLUMN deputy;
ALTER TABLE staff_roles DROP COLUMN division;
ALTER TABLE staff DROP COLUMN phone;
