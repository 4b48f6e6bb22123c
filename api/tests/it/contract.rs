//! The API's contract: the OpenAPI document is kept in `api/openapi.json`, so a change to any route or body
//! shows in review as a change to that file. `UPDATE_OPENAPI=1 cargo test contract` writes it anew.

use serde_json::Value;

use crate::support::{Backend, repo_path};

/// The document the server serves is the snapshot in the repository.
#[test]
fn the_openapi_document_is_the_snapshot() {
    let document = serde_json::to_value(motcua_api::http::openapi::document()).unwrap();
    let rendered = serde_json::to_string_pretty(&document).unwrap() + "\n";
    let path = repo_path("api/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &rendered).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    if stored != rendered {
        let before: Value = serde_json::from_str(&stored).unwrap_or(Value::Null);
        let changed = changed_paths(&before, &document);
        panic!(
            "the API contract changed ({} place(s), first: {:?}); if that is meant, run \
             `UPDATE_OPENAPI=1 cargo test -p motcua-api --test it contract` and commit api/openapi.json",
            changed.len(),
            changed.iter().take(5).collect::<Vec<_>>()
        );
    }
}

/// JSON pointers where two documents differ.
fn changed_paths(before: &Value, after: &Value) -> Vec<String> {
    fn walk(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                    let next = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                    walk(x.get(key).unwrap_or(&Value::Null), y.get(key).unwrap_or(&Value::Null), next, out);
                }
            }
            (x, y) if x != y => out.push(at),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(before, after, String::new(), &mut out);
    out
}

/// Every body of every operation is typed: no bare `{"type": "object"}` without properties stands in for one.
#[test]
fn every_body_has_a_schema() {
    let document = serde_json::to_value(motcua_api::http::openapi::document()).unwrap();
    let mut untyped = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let bodies = operation["responses"]
                .as_object()
                .into_iter()
                .flat_map(|r| r.iter())
                .map(|(status, response)| (status.clone(), response))
                .chain(std::iter::once(("request".to_string(), &operation["requestBody"])));
            for (status, response) in bodies {
                for (media, content) in response["content"].as_object().into_iter().flat_map(|c| c.iter()) {
                    let schema = &content["schema"];
                    let bare = schema.is_null() || schema == &serde_json::json!({"type": "object"});
                    if bare && !media.starts_with("application/pdf") && !media.contains("octet-stream") {
                        untyped.push(format!("{method} {path} {status} {media}"));
                    }
                }
            }
        }
    }
    let allowed = ["get /api/v1/openapi.json 200 application/json"];
    untyped.retain(|u| !allowed.contains(&u.as_str()));
    assert!(untyped.is_empty(), "bodies without a schema: {untyped:#?}");
}

/// The live server keeps its contract: schemathesis (installed by `scripts/test-all`, which names it in
/// `MOTCUA_SCHEMATHESIS`) generates requests for every operation from the document, valid and invalid, and
/// checks every answer: no 5xx, a documented status and content type, a body matching its schema. Each kind of
/// caller signs in: a reception clerk everywhere, then an administrator, a citizen and the national portal on
/// their own routes. A bounded run: ten generated examples per operation and caller.
async fn the_server_keeps_its_contract(backend: Backend) {
    let Some(schemathesis) = std::env::var_os("MOTCUA_SCHEMATHESIS") else {
        assert!(std::env::var_os("CI").is_none(), "CI runs the contract: scripts/test-all sets MOTCUA_SCHEMATHESIS");
        eprintln!("contract run skipped: MOTCUA_SCHEMATHESIS is not set (scripts/test-all installs and sets it)");
        return;
    };
    // With the national e-identity (simulated) configured, as a province runs: sign-in answers, it does not
    // report "not configured".
    let (server, idp) = crate::support::pages::with_idp(backend, None).await;
    let callers = [
        ("reception clerk", server.token("hongbang.tiepnhan").await, None),
        ("administrator", server.token("admin").await, Some("^/api/v1/admin/")),
        ("citizen", server.citizen_token("031190012345", "Nguyễn Thị Hường"), Some("^/api/v1/(me|repository)")),
        ("national portal", server.service_token("portal", &["portal"]), Some("^/api/v1/portal/")),
    ];
    let scratch = tempfile::tempdir().unwrap();
    for (caller, token, only) in callers {
        let outcome =
            run_schemathesis(&schemathesis, scratch.path(), &server.url("/api/v1/openapi.json"), &token, only, 10);
        assert!(outcome.0, "the contract is broken for the {caller}:\n{}", outcome.1);
    }
    server.stop().await;
    idp.stop().await;
}
on_both_backends!(the_server_keeps_its_contract);

/// Runs schemathesis against `document_url`; answers whether it found nothing, and its report.
pub fn run_schemathesis(
    binary: &std::ffi::OsStr,
    scratch: &std::path::Path,
    document_url: &str,
    token: &str,
    only: Option<&str>,
    examples: u32,
) -> (bool, String) {
    let mut command = std::process::Command::new(binary);
    command
        .current_dir(scratch)
        .env("HYPOTHESIS_STORAGE_DIRECTORY", scratch.join("hypothesis"))
        .env("NO_COLOR", "1")
        .args(["run", document_url, "--generation-database", "none", "--seed", "1"])
        .args(["-c", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"])
        .args(["-n", &examples.to_string()])
        .args(["-H", &format!("Authorization: Bearer {token}")]);
    if let Some(regex) = only {
        command.args(["--include-path-regex", regex]);
    }
    let output = command.output().expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), report)
}
