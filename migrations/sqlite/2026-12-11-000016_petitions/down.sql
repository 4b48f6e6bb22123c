DROP TABLE petition_events;
DROP TABLE petitions;
