DROP TRIGGER events_append_only ON events;
DROP FUNCTION events_are_append_only;
DROP TABLE audit_log, settings, idempotency_keys, refresh_tokens, code_sequences, jobs, outbox, events,
    dossier_components, dossiers, procedures, staff_roles, staff, agencies;
