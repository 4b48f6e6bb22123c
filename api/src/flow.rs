//! The demo's default flow over HTTP, as the benchmarks and the fault drill drive it: who plays each role, the
//! dossier received at the counter, and each action after it with the change it leaves in the history.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// Household business registration: one paper, the whole default flow.
pub const PROCEDURE: &str = "1.001612";
/// Hồng Bàng ward, where the demo has a person for every role of the flow.
pub const AGENCY: &str = "000.31.01.H26";
/// Every demo account's password.
pub const PASSWORD: &str = "motcua-demo";
/// Who plays each role of the flow (and `admin`, who reads the outbox).
pub const STAFF: [(&str, &str); 6] = [
    ("clerk", "hongbang.tiepnhan"),
    ("head", "hongbang.truongphong"),
    ("specialist", "hongbang.chuyenvien"),
    ("leader", "hongbang.lanhdao"),
    ("records", "hongbang.vanthu"),
    ("admin", "admin"),
];
/// The scan of the request form uploaded with each reception.
pub const SCAN: &[u8] = include_bytes!("../../fixtures/papers/mau-giay-to.pdf");
/// The applicant's personal id: a demo citizen the population register knows.
const APPLICANT_ID: &str = "031085001234";

/// The applicant exactly as the population register (simulated from the demo's citizens) knows him: any other
/// name or birth date is a discrepancy, and reception then holds the dossier at status 1 without a code.
pub fn applicant() -> Value {
    let citizen = crate::sim::demo_citizens()
        .into_iter()
        .find(|c| c.id_number == APPLICANT_ID)
        .expect("the demo fixture has the applicant of the flow");
    json!({
        "name": citizen.name, "id_kind": "personal_id", "id_number": citizen.id_number,
        "birth_date": citizen.birth_date, "sex": citizen.sex,
    })
}

/// The body that receives a dossier at the counter with the scan uploaded as `upload_id`.
pub fn reception(upload_id: &str) -> Value {
    json!({
        "procedure_code": PROCEDURE, "agency": AGENCY, "channel": "counter", "applicant": applicant(),
        "components": [{"id": "giay_de_nghi", "upload": upload_id}],
    })
}

/// One action after reception.
pub struct Step {
    pub action: &'static str,
    /// The key of [`STAFF`] who acts.
    pub role: &'static str,
    pub body: Value,
    /// The change the history records last for it (`seal` records `numbered`, then `sealed`).
    pub change: &'static str,
}

/// The actions after reception, in order; `number` is the result's number given at sealing.
pub fn steps(specialist_id: &str, number: &str) -> Vec<Step> {
    let step = |action, role, body, change| Step { action, role, body, change };
    vec![
        step("assign", "head", json!({"action": "assign", "assignee": specialist_id}), "assigned"),
        step(
            "appraise",
            "specialist",
            json!({"action": "appraise", "proposal": {"kind": "result", "summary": "Đủ điều kiện"}}),
            "appraised",
        ),
        step("approve", "head", json!({"action": "approve"}), "approved"),
        step("sign", "leader", json!({"action": "sign"}), "signed"),
        step("seal", "records", json!({"action": "seal", "number": number}), "sealed"),
        step("return", "clerk", json!({"action": "return", "method": "counter"}), "returned"),
    ]
}

/// Someone of [`STAFF`], signed in.
#[derive(Debug, Clone)]
pub struct Member {
    pub token: String,
    pub staff_id: String,
    /// As the history names the actor.
    pub full_name: String,
}

/// Signs `username` in; the error says why, in one line.
pub async fn sign_in(http: &reqwest::Client, base: &str, username: &str) -> Result<Member, String> {
    let response = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .map_err(|e| format!("login {username}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("login {username}: {} (the target must hold the demo data)", response.status()));
    }
    let body: Value = response.json().await.map_err(|e| format!("login {username}: {e}"))?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    Ok(Member {
        token: text(&body["access_token"]),
        staff_id: text(&body["staff"]["id"]),
        full_name: text(&body["staff"]["full_name"]),
    })
}

/// Everyone of [`STAFF`], signed in, by role.
pub async fn sign_in_team(http: &reqwest::Client, base: &str) -> Result<BTreeMap<&'static str, Member>, String> {
    let mut team = BTreeMap::new();
    for (role, username) in STAFF {
        team.insert(role, sign_in(http, base, username).await?);
    }
    Ok(team)
}
