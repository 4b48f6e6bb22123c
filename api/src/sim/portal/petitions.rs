//! The portal's petition desk, simulated: it routes petitions filed on the portal to motcua
//! (`POST /_sim/route-petition`) and takes their status messages (`POST /petitions/sync`) as strictly as the
//! dossiers' — exactly the petition message (no unknown field), dates as `yyyyMMddHHmmss`, the fields each
//! status requires and no others, only moves the petition flow allows, no message older than the last applied,
//! a repeated key acknowledged and not applied, and the portal's own id on every petition it routed.

use std::collections::{BTreeMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, web};
use motcua_engine::ports::portal::petition::PetitionSyncMessage;
use serde_json::{Value, json};

use super::{State, header, is_portal_time, refuse, sign_in, unauthorised};

/// What the portal holds of petitions.
#[derive(Default)]
pub(super) struct Desk {
    /// By our code: the last message applied, its sequence, and every status seen in order.
    views: BTreeMap<String, (Value, u64, Vec<u8>)>,
    keys: HashSet<String>,
    duplicates: u64,
    refusals: Vec<Value>,
    /// The portal's id of each petition it routed -> our code (`None` until known).
    routed: BTreeMap<String, Option<String>>,
}

/// Where a petition may go from where it stands (1 filed, 2 accepted, 3 information asked, 4 answered, 5
/// published, 6 rejected); the same status again is a change within it (assigned, rated).
fn next(status: u8) -> &'static [u8] {
    match status {
        1 => &[2, 3, 6],
        2 => &[3, 4],
        3 => &[1, 2, 6],
        4 => &[5],
        _ => &[],
    }
}

fn reachable(from: u8, to: u8) -> bool {
    let mut seen = vec![from];
    let mut frontier = vec![from];
    while let Some(s) = frontier.pop() {
        for &n in next(s) {
            if !seen.contains(&n) {
                seen.push(n);
                frontier.push(n);
            }
        }
    }
    seen.contains(&to)
}

/// Everything wrong with a petition message, as the portal lists it; the message when nothing is.
pub fn check_petition(body: &[u8]) -> Result<PetitionSyncMessage, Vec<String>> {
    let m: PetitionSyncMessage = serde_json::from_slice(body).map_err(|e| vec![e.to_string()])?;
    let mut problems = Vec::new();
    let mut require = |ok: bool, why: &str| {
        if !ok {
            problems.push(why.to_string());
        }
    };
    for (name, value) in [("MaPAKN", &m.code), ("MaCoQuan", &m.agency), ("TieuDe", &m.title), ("NoiDung", &m.content)] {
        require(!value.trim().is_empty(), &format!("{name}: required"));
    }
    require(matches!(m.classification, 1 | 2), "PhanLoai: 1 or 2");
    require((1..=6).contains(&m.status), "TrangThai: 1 to 6");
    require(matches!(m.satisfaction, 0..=2), "DanhGia: 0, 1 or 2");
    require(matches!(m.complained_again, 0 | 1), "KhieuNaiLai: 0 or 1");
    require(is_portal_time(&m.filed_at), "NgayTiepNhan: yyyyMMddHHmmss");
    for (name, value) in
        [("HanTraLoi", &m.answer_due_at), ("NgayXuLy", &m.handled_at), ("NgayCongKhai", &m.published_at)]
    {
        if let Some(value) = value {
            require(is_portal_time(value), &format!("{name}: yyyyMMddHHmmss"));
        }
    }
    let handled = matches!(m.status, 4..=6);
    require(m.handled_at.is_some() == handled, "NgayXuLy: with TrangThai 4, 5 or 6 only");
    require(
        m.on_time.is_some() == handled && m.on_time.is_none_or(|t| matches!(t, 1 | 2)),
        "DungHan: 1 or 2, with NgayXuLy",
    );
    require(!(handled && m.answer_due_at.is_some()), "HanTraLoi: not once handled");
    let published = m.status == 5;
    require(
        m.answer.is_some() == published && m.published_at.is_some() == published,
        "NoiDungTraLoi, NgayCongKhai: with TrangThai 5 only",
    );
    require(
        m.rejection_reason.as_ref().is_some_and(|r| !r.trim().is_empty()) == (m.status == 6),
        "LyDoTuChoi: with TrangThai 6 only",
    );
    require(m.satisfaction == 0 || matches!(m.status, 4 | 5), "DanhGia: only on an answered petition");
    require(m.complained_again == 0 || matches!(m.status, 4 | 5), "KhieuNaiLai: only on an answered petition");
    if problems.is_empty() { Ok(m) } else { Err(problems) }
}

pub(super) async fn sync(req: HttpRequest, state: web::Data<State>, body: web::Bytes) -> HttpResponse {
    if let Some(refusal) = unauthorised(&req, &state) {
        return refusal;
    }
    let (Some(key), Some(sequence)) =
        (header(&req, "Idempotency-Key"), header(&req, "X-Sequence").and_then(|s| s.parse::<u64>().ok()))
    else {
        return refuse(400, "invalid", vec!["Idempotency-Key and a numeric X-Sequence are required".into()]);
    };
    let mut desk = state.petitions.lock().expect("petition desk lock");
    if desk.keys.contains(key) {
        desk.duplicates += 1;
        return HttpResponse::Ok().json(json!({ "accepted": true, "duplicate": true }));
    }
    let refused = |desk: &mut Desk, status: u16, code: &str, problems: Vec<String>| {
        desk.refusals.push(json!({ "key": key, "error": code, "problems": problems }));
        refuse(status, code, problems)
    };
    let message = match check_petition(&body) {
        Ok(message) => message,
        Err(problems) => return refused(&mut desk, 400, "invalid", problems),
    };
    let routed_as = desk.routed.iter().find(|(_, code)| code.as_ref() == Some(&message.code)).map(|(id, _)| id.clone());
    match (&message.portal_id, routed_as) {
        (None, None) => {}
        (Some(given), Some(ours)) if *given == ours => {}
        (Some(given), None) if desk.routed.get(given) == Some(&None) => {
            desk.routed.insert(given.clone(), Some(message.code.clone()));
        }
        (given, ours) => {
            let why = format!("MaPAKNDVCQG {given:?} does not match the portal's id {ours:?} of {}", message.code);
            return refused(&mut desk, 400, "invalid", vec![why]);
        }
    }
    if let Some((_, last_sequence, statuses)) = desk.views.get(&message.code) {
        if sequence < *last_sequence {
            let why = format!("sequence {sequence} is older than {last_sequence} already applied");
            return refused(&mut desk, 409, "stale", vec![why]);
        }
        let from = *statuses.last().expect("a view has a status");
        if !reachable(from, message.status) {
            let why = format!("status {} cannot follow {from}", message.status);
            return refused(&mut desk, 409, "transition", vec![why]);
        }
    }
    desk.keys.insert(key.to_string());
    let value = serde_json::to_value(&message).expect("messages serialize");
    let view = desk.views.entry(message.code.clone()).or_insert_with(|| (Value::Null, sequence, Vec::new()));
    if view.2.last() != Some(&message.status) {
        view.2.push(message.status);
    }
    view.0 = value;
    view.1 = sequence;
    HttpResponse::Ok().json(json!({ "accepted": true, "duplicate": false }))
}

/// What the portal holds of petitions, for tests and the demo.
pub(super) async fn state_dump(state: web::Data<State>) -> HttpResponse {
    let desk = state.petitions.lock().expect("petition desk lock");
    let petitions: Vec<Value> = desk
        .views
        .values()
        .map(|(message, sequence, statuses)| json!({ "message": message, "sequence": sequence, "statuses": statuses }))
        .collect();
    HttpResponse::Ok().json(json!({
        "petitions": petitions,
        "refusals": desk.refusals,
        "duplicates": desk.duplicates,
        "routed": desk.routed,
    }))
}

/// The portal routes a petition filed there to motcua (`{ "portal_id": …, "petition": {…} }`), signing in with
/// client credentials; answers motcua's answer.
pub(super) async fn route(state: web::Data<State>, body: web::Json<Value>) -> HttpResponse {
    let (base, token) = match sign_in(&state).await {
        Ok(signed_in) => signed_in,
        Err(refusal) => return refusal,
    };
    let Some(id) = body["portal_id"].as_str().map(str::to_string) else {
        return refuse(400, "invalid", vec!["portal_id: required".into()]);
    };
    state.petitions.lock().expect("petition desk lock").routed.entry(id.clone()).or_insert(None);
    let sent = state.http.post(format!("{base}/api/v1/portal/petitions")).bearer_auth(token).json(&*body).send().await;
    match sent {
        Ok(r) => {
            let status = r.status().as_u16();
            let answer: Value = r.json().await.unwrap_or(Value::Null);
            if let Some(code) = answer["code"].as_str() {
                state.petitions.lock().expect("petition desk lock").routed.insert(id, Some(code.to_string()));
            }
            HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default()).json(answer)
        }
        Err(e) => refuse(502, "motcua_unreachable", vec![e.to_string()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Value {
        json!({
            "MaPAKN": "PA-000.31.01.H26-261207-0001", "MaCoQuan": "000.31.01.H26", "TieuDe": "Chậm trả kết quả",
            "NoiDung": "Nội dung", "PhanLoai": 2, "TrangThai": 4, "NgayTiepNhan": "20261207090000",
            "NgayXuLy": "20261208090000", "DungHan": 1, "DanhGia": 0, "KhieuNaiLai": 0
        })
    }

    #[test]
    fn a_petition_message_carries_what_its_status_requires_and_nothing_else() {
        assert!(check_petition(message().to_string().as_bytes()).is_ok());
        let mut published = message();
        published["TrangThai"] = json!(5);
        let problems = check_petition(published.to_string().as_bytes()).unwrap_err();
        assert!(problems.iter().any(|p| p.starts_with("NoiDungTraLoi")), "{problems:?}");
        let mut unknown = message();
        unknown["HoTen"] = json!("Nguyễn Thị Hoa");
        assert!(check_petition(unknown.to_string().as_bytes()).is_err(), "no personal data, no unknown field");
        let mut open = message();
        open["TrangThai"] = json!(2);
        let problems = check_petition(open.to_string().as_bytes()).unwrap_err();
        assert!(problems.iter().any(|p| p.starts_with("NgayXuLy")), "{problems:?}");
        let mut bad_date = message();
        bad_date["NgayTiepNhan"] = json!("07/12/2026");
        assert!(check_petition(bad_date.to_string().as_bytes()).is_err());
    }

    #[test]
    fn the_flow_goes_forward_only() {
        assert!(reachable(1, 5) && reachable(3, 4) && reachable(2, 2));
        assert!(!reachable(4, 2) && !reachable(6, 2) && !reachable(5, 4));
    }
}
