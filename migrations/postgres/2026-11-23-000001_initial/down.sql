DROP TABLE audit_log, settings, idempotency_keys, refresh_tokens, code_sequences, jobs, outbox, events,
    dossier_components, dossiers, procedures, staff_roles, staff, agencies;
