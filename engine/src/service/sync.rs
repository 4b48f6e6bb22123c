//! The status-sync message to the national portal (DVCQG), with the portal's field names
//! (`../shared/reference/portal-sync-message.json`). Written to the outbox in the transaction of every status
//! or due-date change.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::domain::calendar::Calendar;
use crate::domain::dossier::{Dossier, Event, IdKind, Status, control_slip};
use crate::domain::procedure::Procedure;
use crate::messages::{Lang, text};

pub const TOPIC: &str = "portal.status_sync";

/// `yyyyMMddHHmmss` in the calendar's timezone (Vietnam time).
pub fn portal_time(calendar: &Calendar, t: DateTime<Utc>) -> String {
    t.with_timezone(&calendar.timezone()).format("%Y%m%d%H%M%S").to_string()
}

pub fn status_message(
    dossier: &Dossier,
    procedure: &Procedure,
    agency_name: &str,
    events: &[Event],
    calendar: &Calendar,
) -> Value {
    let time = |t: Option<DateTime<Utc>>| t.map(|t| portal_time(calendar, t));
    let steps = control_slip(procedure, events)
        .into_iter()
        .map(|row| {
            let step = procedure.step(&row.step);
            let role = step.map_or("", |s| text(&format!("role.{}", s.role), Lang::Vi));
            let status = if row.done_at.is_none() {
                dossier.status
            } else if row.step == "receive" {
                Status::Received
            } else {
                Status::InProcess
            };
            json!({
                "NguoiXuLy": row.done_by.as_deref().unwrap_or(&row.handed_over_by),
                "ChucDanh": role,
                "ThoiDiemXuLy": time(row.done_at.or(Some(row.started_at))),
                "PhongBanXuLy": agency_name,
                "NoiDungXuLy": text(&format!("step.{}", row.kind), Lang::Vi),
                "TrangThai": status.code(),
                "NgayBatDau": time(Some(row.started_at)),
                "NgayKetThucTheoQuyDinh": time(row.due_at),
            })
        })
        .collect::<Vec<_>>();
    let fee_date = dossier.received_at.unwrap_or(dossier.submitted_at).with_timezone(&calendar.timezone()).date_naive();
    let fees = procedure
        .fees
        .iter()
        .map(|f| {
            let amount = f.amount_on(fee_date);
            json!({ "TenPhiLePhi": f.name, "MucPhi": amount, "HinhThucThu": if amount == 0 { "Miễn phí" } else { "Thu phí" } })
        })
        .collect::<Vec<_>>();
    let results = if matches!(dossier.status, Status::ResultReady | Status::Returned) {
        procedure.results.iter().map(|r| json!({ "TenGiayTo": r.name, "SoKyHieu": dossier.result_number })).collect()
    } else {
        Vec::new()
    };
    json!({
        "MaHoSo": dossier.code.as_deref().unwrap_or(&dossier.id),
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name,
        "MaLinhVuc": procedure.field,
        "KenhThucHien": dossier.channel.code(),
        "ChuHoSo": dossier.applicant.name,
        "LoaiDoiTuong": if dossier.applicant.id_kind == IdKind::TaxCode { 2 } else { 1 },
        "SoGiayToChuHoSo": dossier.applicant.id_number,
        "SoDienThoai": dossier.applicant.phone,
        "Email": dossier.applicant.email,
        "TrichYeuHoSo": dossier.summary,
        "NgayTiepNhan": time(dossier.received_at.or(Some(dossier.submitted_at))),
        "NgayHenTra": time(dossier.due_at),
        "TrangThaiHoSo": dossier.status.code(),
        "NgayTra": time(dossier.returned_at),
        "DonViXuLy": agency_name,
        "QuaTrinhXuLy": steps,
        "DanhSachLePhi": fees,
        "DanhSachGiayToKetQua": results,
    })
}
