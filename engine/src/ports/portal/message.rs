//! The status-sync message to the national portal (DVCQG), one typed struct shared by the adapter that sends it
//! and the simulator that checks it. Field names are the portal's (`../shared/reference/portal-sync-message.json`);
//! instants are `yyyyMMddHHmmss` in Vietnam time; flags are 0/1 as the portal reads them for the Decision 766
//! indicators (`decision-766-indicators.md`).

use serde::{Deserialize, Serialize};

/// One status message: the dossier as it stands, its processing rows, fees, results and the 766 flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncMessage {
    /// The dossier code (Circular 01/2018 Art. 19): `{agency}-{YYMMDD}-{NNNN}`, never an internal id.
    #[serde(rename = "MaHoSo")]
    pub code: String,
    /// The portal's own id of a dossier it routed to us.
    #[serde(rename = "MaHoSoDVCQG", default, skip_serializing_if = "Option::is_none")]
    pub portal_id: Option<String>,
    /// A member of an inter-agency bundle (Decree 63/2024): the bundle's dossier code.
    #[serde(rename = "MaHoSoLienThong", default, skip_serializing_if = "Option::is_none")]
    pub bundle_code: Option<String>,
    #[serde(rename = "MaTTHC")]
    pub procedure_code: String,
    #[serde(rename = "TenTTHC")]
    pub procedure_name: String,
    #[serde(rename = "MaLinhVuc")]
    pub field_code: String,
    #[serde(rename = "TenLinhVuc")]
    pub field_name: String,
    /// The procedure's online service level in today's terms.
    #[serde(rename = "MucDoDVC")]
    pub online_level: OnlineLevel,
    /// 1 at the counter, 2 online, 3 by public post.
    #[serde(rename = "KenhThucHien")]
    pub channel: u8,
    #[serde(rename = "ChuHoSo")]
    pub applicant_name: String,
    /// 1 a person, 2 an organisation.
    #[serde(rename = "LoaiDoiTuong")]
    pub applicant_kind: u8,
    #[serde(rename = "SoGiayToChuHoSo")]
    pub applicant_id: String,
    #[serde(rename = "SoDienThoai")]
    pub phone: Option<String>,
    #[serde(rename = "Email")]
    pub email: Option<String>,
    #[serde(rename = "TrichYeuHoSo")]
    pub summary: String,
    #[serde(rename = "NgayTiepNhan")]
    pub received: String,
    #[serde(rename = "NgayHenTra")]
    pub due: Option<String>,
    #[serde(rename = "TrangThaiHoSo")]
    pub status: u8,
    #[serde(rename = "NgayTra")]
    pub returned: Option<String>,
    #[serde(rename = "DonViXuLy")]
    pub agency_name: String,
    /// The handling agency's electronic id.
    #[serde(rename = "MaDonViXuLy")]
    pub agency_id: String,
    #[serde(rename = "QuaTrinhXuLy")]
    pub steps: Vec<ProcessingRow>,
    #[serde(rename = "DanhSachLePhi")]
    pub fees: Vec<FeeLine>,
    #[serde(rename = "DanhSachGiayToKetQua")]
    pub results: Vec<ResultPaper>,
    /// 1 when every paper handed in is held electronically (digitised or reused).
    #[serde(rename = "DuocSoHoa")]
    pub digitised: u8,
    /// 1 when at least one component is digitised.
    #[serde(rename = "HoSoCoThanhPhanSoHoa")]
    pub has_digitised_component: u8,
    /// 1 when a paper was taken from the citizen's data repository instead of being handed in.
    #[serde(rename = "DuocLayTuKhoDMQG")]
    pub reused_from_repository: u8,
    /// 1 when the applicant signed in with the national e-identity (VNeID).
    #[serde(rename = "TaiKhoanDuocXacThucVoiVNeID")]
    pub signed_in_with_vneid: u8,
    /// 0 not paid online, 1 paid on the national portal, 2 paid through the provincial system's gateway.
    #[serde(rename = "DuocThanhToanTrucTuyen")]
    pub paid_online: u8,
    /// The electronic result's number, once it is sealed.
    #[serde(rename = "MaKetQua")]
    pub result_number: Option<String>,
    /// Where the applicant downloads the electronic result.
    #[serde(rename = "DuongDanTepTinKetQua")]
    pub result_url: Option<String>,
}

/// The online service level of a procedure since Decree 42/2022: fully online (toàn trình), partly online
/// (một phần), or information only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OnlineLevel {
    #[serde(rename = "ToanTrinh")]
    Full,
    #[serde(rename = "MotPhan")]
    Partial,
    #[serde(rename = "CungCapThongTin")]
    InformationOnly,
}

/// One step of the processing: who did it, in which post, when it started, its legal end, when it was done and
/// what came of it (the dossier's status right after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProcessingRow {
    #[serde(rename = "NguoiXuLy")]
    pub person: String,
    #[serde(rename = "ChucDanh")]
    pub title: String,
    #[serde(rename = "ThoiDiemXuLy")]
    pub done_at: String,
    #[serde(rename = "PhongBanXuLy")]
    pub division: String,
    #[serde(rename = "NoiDungXuLy")]
    pub step: String,
    #[serde(rename = "TrangThai")]
    pub status: u8,
    #[serde(rename = "NgayBatDau")]
    pub started_at: String,
    #[serde(rename = "NgayKetThucTheoQuyDinh")]
    pub due_at: String,
}

/// A fee as charged on this dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeeLine {
    #[serde(rename = "TenPhiLePhi")]
    pub name: String,
    #[serde(rename = "MucPhi")]
    pub amount: u64,
    /// "Miễn phí", "Trực tuyến", "Trực tiếp" or "Chưa thu".
    #[serde(rename = "HinhThucThu")]
    pub how: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResultPaper {
    #[serde(rename = "TenGiayTo")]
    pub name: String,
    #[serde(rename = "SoKyHieu")]
    pub number: Option<String>,
}

/// The ways a fee is collected, as `FeeLine::how` words them.
pub mod collected {
    pub const FREE: &str = "Miễn phí";
    pub const ONLINE: &str = "Trực tuyến";
    pub const AT_COUNTER: &str = "Trực tiếp";
    pub const NOT_YET: &str = "Chưa thu";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference message (`portal-sync-message.json`) with the fields the 766 indicators add reads into
    /// the struct and writes back the same.
    #[test]
    fn the_reference_shape_round_trips() {
        let text = r#"{
  "MaHoSo": "000.00.31.H26-261122-0042", "MaTTHC": "1.001193", "TenTTHC": "Đăng ký khai sinh",
  "MaLinhVuc": "HOTICH", "TenLinhVuc": "Hộ tịch", "MucDoDVC": "ToanTrinh", "KenhThucHien": 1,
  "ChuHoSo": "Nguyễn Thị Hường", "LoaiDoiTuong": 1, "SoGiayToChuHoSo": "031190012345",
  "SoDienThoai": "0912345678", "Email": "huong@example.vn",
  "TrichYeuHoSo": "Đăng ký khai sinh cho con Nguyễn Minh An", "NgayTiepNhan": "20261122093000",
  "NgayHenTra": "20261122170000", "TrangThaiHoSo": 4, "NgayTra": null, "DonViXuLy": "UBND phường Hồng Bàng",
  "MaDonViXuLy": "000.00.31.H26",
  "QuaTrinhXuLy": [{"NguoiXuLy": "Trần Văn Bình", "ChucDanh": "Công chức tiếp nhận và trả kết quả",
    "ThoiDiemXuLy": "20261122093000", "PhongBanXuLy": "Bộ phận Một cửa", "NoiDungXuLy": "Tiếp nhận hồ sơ",
    "TrangThai": 2, "NgayBatDau": "20261122093000", "NgayKetThucTheoQuyDinh": "20261122100000"}],
  "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí đăng ký khai sinh", "MucPhi": 0, "HinhThucThu": "Miễn phí"}],
  "DanhSachGiayToKetQua": [], "DuocSoHoa": 1, "HoSoCoThanhPhanSoHoa": 1, "DuocLayTuKhoDMQG": 0,
  "TaiKhoanDuocXacThucVoiVNeID": 0, "DuocThanhToanTrucTuyen": 0, "MaKetQua": null, "DuongDanTepTinKetQua": null
}"#;
        let message: SyncMessage = serde_json::from_str(text).unwrap();
        assert_eq!(message.online_level, OnlineLevel::Full);
        assert_eq!(message.steps[0].title, "Công chức tiếp nhận và trả kết quả");
        let again: serde_json::Value = serde_json::to_value(&message).unwrap();
        assert_eq!(again, serde_json::from_str::<serde_json::Value>(text).unwrap());
        let unknown = text.replacen("\"MaHoSo\"", "\"MaHoSoX\": 1, \"MaHoSo\"", 1);
        assert!(serde_json::from_str::<SyncMessage>(&unknown).is_err(), "unknown fields are refused");
    }
}
