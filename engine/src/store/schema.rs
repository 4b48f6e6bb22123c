//! Diesel table definitions, the same for both backends (see migrations/).

diesel::table! {
    agencies (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        level -> Text,
        kind -> Text,
        name -> Text,
        area -> Nullable<Text>,
    }
}

diesel::table! {
    staff (id) {
        id -> Text,
        username -> Text,
        full_name -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        phone -> Nullable<Text>,
        token_generation -> Integer,
    }
}

diesel::table! {
    staff_roles (staff_id, agency_id, role) {
        staff_id -> Text,
        agency_id -> Text,
        role -> Text,
        division -> Nullable<Text>,
        deputy -> Bool,
    }
}

diesel::table! {
    procedures (code, version) {
        code -> Text,
        version -> Integer,
        name -> Text,
        source -> Text,
        source_hash -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    dossiers (id) {
        id -> Text,
        code -> Nullable<Text>,
        agency_id -> Text,
        procedure_code -> Text,
        procedure_version -> Integer,
        channel -> Integer,
        status -> Integer,
        step -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        consulted_agency_id -> Nullable<Text>,
        applicant_id -> Text,
        applicant_name -> Text,
        summary -> Text,
        submitted_at -> Timestamp,
        received_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        alert_level -> Integer,
        version -> BigInt,
        state -> Text,
        updated_at -> Timestamp,
        due_sort -> Timestamp,
        search_text -> Nullable<Text>,
        packed -> Nullable<Binary>,
        calendar_version -> Nullable<Integer>,
    }
}

diesel::table! {
    dossier_components (dossier_id, component_id) {
        dossier_id -> Text,
        component_id -> Text,
        provided -> Bool,
        digitisation -> Integer,
    }
}

diesel::table! {
    events (dossier_id, seq) {
        dossier_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        kind -> Text,
        payload -> Text,
        hash -> Text,
        body -> Nullable<Binary>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        dossier_id -> Nullable<Text>,
        topic -> Text,
        message_key -> Text,
        payload -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        dead -> Bool,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        unique_key -> Nullable<Text>,
        payload -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        done_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        dead -> Bool,
    }
}

diesel::table! {
    code_sequences (agency_id, day) {
        agency_id -> Text,
        day -> Text,
        last -> Integer,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        staff_id -> Text,
        family -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked -> Bool,
    }
}

diesel::table! {
    idempotency_keys (staff_id, key) {
        staff_id -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_failures (key) {
        key -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        subject -> Text,
        outcome -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    agencies,
    staff,
    staff_roles,
    procedures,
    dossiers,
    dossier_components,
    events
);

diesel::table! {
    uploads (id) {
        id -> Text,
        blob_sha256 -> Text,
        size_bytes -> BigInt,
        media_type -> Text,
        file_name -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    papers (id) {
        id -> Text,
        dossier_id -> Text,
        component_id -> Nullable<Text>,
        kind -> Text,
        source -> Text,
        blob_sha256 -> Text,
        size_bytes -> BigInt,
        media_type -> Text,
        file_name -> Text,
        title -> Text,
        repository_item_id -> Nullable<Text>,
        added_by -> Text,
        added_at -> Timestamp,
        keep -> Bool,
        agency_id -> Nullable<Text>,
    }
}

diesel::table! {
    repository_items (id) {
        id -> Text,
        owner_id -> Text,
        store -> Text,
        folder -> Text,
        paper_type -> Nullable<Text>,
        title -> Text,
        issuer -> Nullable<Text>,
        issuer_agency_id -> Nullable<Text>,
        issue_date -> Nullable<Date>,
        valid_until -> Nullable<Date>,
        source_kind -> Text,
        source_dossier_id -> Nullable<Text>,
        source_paper_id -> Nullable<Text>,
        blob_sha256 -> Text,
        size_bytes -> BigInt,
        media_type -> Text,
        file_name -> Text,
        signature_status -> Text,
        signature_detail -> Nullable<Text>,
        revoked -> Bool,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    repository_shares (item_id, grantee_kind, grantee_id) {
        item_id -> Text,
        grantee_kind -> Text,
        grantee_id -> Text,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    repository_access (id) {
        id -> BigInt,
        item_id -> Text,
        owner_id -> Text,
        actor -> Text,
        action -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    service_accounts (client_id) {
        client_id -> Text,
        name -> Text,
        secret_hash -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        disabled -> Bool,
    }
}

diesel::table! {
    portal_intake (portal_id) {
        portal_id -> Text,
        dossier_id -> Text,
        request_hash -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_attempts (state) {
        state -> Text,
        code_verifier -> Text,
        nonce -> Text,
        return_to -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(papers, uploads, repository_items, repository_shares);

diesel::table! {
    payment_orders (order_id) {
        order_id -> Text,
        dossier_id -> Text,
        amount_vnd -> BigInt,
        status -> Text,
        pay_url -> Nullable<Text>,
        transaction_id -> Nullable<Text>,
        created_at -> Timestamp,
        opened_at -> Nullable<Timestamp>,
        paid_at -> Nullable<Timestamp>,
        refund_id -> Nullable<Text>,
        refund_reason -> Nullable<Text>,
        refund_requested_at -> Nullable<Timestamp>,
        refunded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    petitions (id) {
        id -> Text,
        code -> Text,
        agency_id -> Text,
        status -> Integer,
        classification -> Text,
        dossier_id -> Nullable<Text>,
        officer_id -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        portal_id -> Nullable<Text>,
        filed_at -> Timestamp,
        due_sort -> Timestamp,
        answer_due_at -> Nullable<Timestamp>,
        handled_at -> Nullable<Timestamp>,
        late -> Nullable<Bool>,
        disputed -> Bool,
        published_at -> Nullable<Timestamp>,
        search_text -> Nullable<Text>,
        version -> BigInt,
        state -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    petition_events (petition_id, seq) {
        petition_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        kind -> Text,
        payload -> Text,
        hash -> Text,
    }
}

diesel::table! {
    paper_readings (blob_sha256) {
        blob_sha256 -> Text,
        read_at -> Timestamp,
        paper_kind -> Text,
        found -> Text,
        problems -> Text,
        pages -> Integer,
        body -> Text,
        search_text -> Text,
    }
}

diesel::table! {
    paper_checks (id) {
        id -> Text,
        dossier_id -> Text,
        paper_id -> Nullable<Text>,
        field -> Text,
        against -> Text,
        stated -> Text,
        found -> Text,
        found_at -> Timestamp,
        decision -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(paper_readings, papers, dossiers);

diesel::table! {
    calendars (version) {
        version -> Integer,
        body -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        note -> Text,
    }
}
