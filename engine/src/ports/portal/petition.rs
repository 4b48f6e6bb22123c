//! The petition sync message to the national portal: where a petition (phản ánh, kiến nghị) stands, sent through
//! the outbox on every change, typed once for the adapter that sends it and the simulator that checks it. Field
//! names follow the portal's style; instants are `yyyyMMddHHmmss` in Vietnam time. The petitioner's personal data
//! never leaves with it: the portal publishes what it receives.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PetitionSyncMessage {
    /// Our code of the petition.
    #[serde(rename = "MaPAKN")]
    pub code: String,
    /// The portal's own id of a petition it routed to us.
    #[serde(rename = "MaPAKNDVCQG", default, skip_serializing_if = "Option::is_none")]
    pub portal_id: Option<String>,
    /// The agency in charge (its electronic id).
    #[serde(rename = "MaCoQuan")]
    pub agency: String,
    #[serde(rename = "TieuDe")]
    pub title: String,
    #[serde(rename = "NoiDung")]
    pub content: String,
    /// 1 about administrative regulations, 2 about the conduct of staff.
    #[serde(rename = "PhanLoai")]
    pub classification: u8,
    /// 1 filed, 2 accepted, 3 more information asked for, 4 answered, 5 answer published, 6 rejected.
    #[serde(rename = "TrangThai")]
    pub status: u8,
    #[serde(rename = "NgayTiepNhan")]
    pub filed_at: String,
    /// The answer's due instant while its clock runs (absent while paused or once handled without one).
    #[serde(rename = "HanTraLoi", default, skip_serializing_if = "Option::is_none")]
    pub answer_due_at: Option<String>,
    /// When it was answered or rejected.
    #[serde(rename = "NgayXuLy", default, skip_serializing_if = "Option::is_none")]
    pub handled_at: Option<String>,
    /// 1 early or on time, 2 late; with `NgayXuLy`.
    #[serde(rename = "DungHan", default, skip_serializing_if = "Option::is_none")]
    pub on_time: Option<u8>,
    #[serde(rename = "LyDoTuChoi", default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    /// The answer, once published (a personal answer is never sent).
    #[serde(rename = "NoiDungTraLoi", default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(rename = "NgayCongKhai", default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// 0 not said, 1 satisfied, 2 not satisfied.
    #[serde(rename = "DanhGia")]
    pub satisfaction: u8,
    /// 1 when a later petition complains again about this one's answer.
    #[serde(rename = "KhieuNaiLai")]
    pub complained_again: u8,
    /// The dossier it is about, by code.
    #[serde(rename = "MaHoSo", default, skip_serializing_if = "Option::is_none")]
    pub dossier_code: Option<String>,
}
