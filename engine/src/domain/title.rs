//! Titles of office (chức danh) as official papers and the national portal name them: from the role a person
//! holds, whether as a deputy (phó), and the kind of agency they hold it in.

use super::actor::Actor;
use super::procedure::Role;

/// The head of an agency of this kind, e.g. "Chủ tịch" of a People's Committee.
pub fn head_of(agency_kind: &str) -> &'static str {
    match agency_kind {
        k if k.ends_with("peoples_committee") => "Chủ tịch",
        "commune_police" => "Trưởng Công an",
        "tax_authority" => "Trưởng Thuế",
        k if k.starts_with("department_")
            || matches!(k, "provincial_police" | "land_registration_office" | "social_insurance") =>
        {
            "Giám đốc"
        }
        _ => "Thủ trưởng cơ quan",
    }
}

/// The title of someone holding `role` in an agency of `agency_kind`, e.g. "Phó Chủ tịch", "Trưởng phòng".
pub fn title(role: Role, deputy: bool, agency_kind: &str) -> String {
    let deputy_of = |head: &str| if deputy { format!("Phó {head}") } else { head.to_string() };
    match role {
        Role::AgencyLeader => deputy_of(head_of(agency_kind)),
        Role::DivisionHead => deputy_of("Trưởng phòng"),
        Role::ReceptionClerk => "Công chức tiếp nhận và trả kết quả".into(),
        Role::Specialist => "Chuyên viên".into(),
        Role::RecordsClerk => "Văn thư".into(),
        Role::Admin => "Quản trị hệ thống".into(),
    }
}

/// How a leader signs a paper, in capitals: "CHỦ TỊCH", or for a deputy signing on the head's behalf (ký thay)
/// "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH".
pub fn signature_block(deputy: bool, agency_kind: &str) -> String {
    let head = head_of(agency_kind).to_uppercase();
    if deputy { format!("KT. {head}\nPHÓ {head}") } else { head }
}

/// The title of whoever acted, for rows that name a person: staff by their post, else what they are.
pub fn of_actor(actor: &Actor, deputy: bool, agency_kind: &str) -> String {
    match actor {
        Actor::Staff { role, .. } => title(*role, deputy, agency_kind),
        Actor::Citizen { .. } => "Người nộp hồ sơ".into(),
        Actor::System { .. } => "Hệ thống tự động".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_follow_role_post_and_agency_kind() {
        assert_eq!(title(Role::AgencyLeader, false, "commune_peoples_committee"), "Chủ tịch");
        assert_eq!(title(Role::AgencyLeader, true, "commune_peoples_committee"), "Phó Chủ tịch");
        assert_eq!(title(Role::AgencyLeader, true, "department_of_finance"), "Phó Giám đốc");
        assert_eq!(title(Role::AgencyLeader, false, "commune_police"), "Trưởng Công an");
        assert_eq!(title(Role::DivisionHead, true, "commune_peoples_committee"), "Phó Trưởng phòng");
        assert_eq!(title(Role::Specialist, true, "commune_peoples_committee"), "Chuyên viên");
        assert_eq!(signature_block(true, "commune_peoples_committee"), "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH");
        assert_eq!(signature_block(false, "department_of_finance"), "GIÁM ĐỐC");
        assert_eq!(signature_block(true, "provincial_police"), "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC");
    }
}
