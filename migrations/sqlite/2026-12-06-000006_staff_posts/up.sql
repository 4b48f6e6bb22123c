-- Staff posts: what the portal's processing rows and the circular's forms name besides the person. A role in an
-- agency may sit in a division (phòng, bộ phận) and be held as a deputy (phó); an account has a work phone, printed
-- on the supplement request (form 02) for the applicant to call.
ALTER TABLE staff ADD COLUMN phone TEXT;
ALTER TABLE staff_roles ADD COLUMN division TEXT;
ALTER TABLE staff_roles ADD COLUMN deputy BOOLEAN NOT NULL DEFAULT FALSE;
