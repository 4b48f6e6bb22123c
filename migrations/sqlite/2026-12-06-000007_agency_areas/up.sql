-- The area an agency serves (địa bàn): the province code, and after a dot the commune's, e.g. "31" for a
-- city-wide department, "31.01" for a ward's People's Committee and the ward's police. Members of an
-- inter-agency bundle (Decree 63/2024) go to the agency of their kind that serves the bundle's area.
ALTER TABLE agencies ADD COLUMN area TEXT;
