//! Why an action is refused. Each rejection has a stable code (for APIs and tests) and a message in
//! Vietnamese and English.

use super::model::Status;
use crate::domain::procedure::{Role, StepKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("action {action} is not allowed in status {}", status.code())]
    WrongStatus { action: &'static str, status: Status },
    #[error("the dossier is at version {actual}, not {expected}")]
    StaleVersion { expected: u64, actual: u64 },
    #[error("this action needs the role {}", required.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or "))]
    ForbiddenRole { required: Vec<Role> },
    #[error("the dossier belongs to another agency")]
    WrongAgency,
    #[error("the dossier is assigned to someone else")]
    NotAssignee,
    #[error("only the applicant may do this")]
    NotOwner,
    #[error("action {action} does not belong to the current {kind} step `{step}`")]
    WrongStep { action: &'static str, step: String, kind: StepKind },
    #[error("required components are missing: {}", .0.join(", "))]
    MissingComponent(Vec<String>),
    #[error("`{0}` is not a component of this procedure")]
    UnknownComponent(String),
    #[error("a supplement was already requested once at this stage")]
    SupplementAlreadyRequested,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("`{0}` is listed twice")]
    Duplicate(String),
    #[error("paid {paid} VND but {requested} VND was requested")]
    AmountMismatch { requested: u64, paid: u64 },
    #[error("the amount must be more than 0")]
    ZeroAmount,
    #[error("this procedure is not offered online")]
    NotOnline,
    #[error("the new due instant must be later than the current one")]
    ExtensionNotLater,
    #[error("this procedure does not return results that way")]
    ReturnMethodNotOffered,
    #[error("the consulted agency is not of kind {expected}")]
    WrongConsultedAgency { expected: String },
    #[error("the dossier is waiting for the consulted agency's answer")]
    AwaitingAnswer,
    #[error("no consultation has been sent yet")]
    NotConsulted,
    #[error("the dossier was submitted under another procedure or version")]
    ProcedureMismatch,
    #[error("the applicant's identifier is invalid: {0}")]
    InvalidApplicant(String),
}

impl Rejection {
    /// Stable code, e.g. `dossier.wrong_status`.
    pub fn code(&self) -> &'static str {
        use Rejection::*;
        match self {
            WrongStatus { .. } => "dossier.wrong_status",
            StaleVersion { .. } => "dossier.stale_version",
            ForbiddenRole { .. } => "dossier.forbidden_role",
            WrongAgency => "dossier.wrong_agency",
            NotAssignee => "dossier.not_assignee",
            NotOwner => "dossier.not_owner",
            WrongStep { .. } => "dossier.wrong_step",
            MissingComponent(_) => "dossier.missing_component",
            UnknownComponent(_) => "dossier.unknown_component",
            SupplementAlreadyRequested => "dossier.supplement_already_requested",
            Empty(_) => "dossier.empty_field",
            Duplicate(_) => "dossier.duplicate_item",
            AmountMismatch { .. } => "dossier.amount_mismatch",
            ZeroAmount => "dossier.zero_amount",
            NotOnline => "dossier.not_online",
            ExtensionNotLater => "dossier.extension_not_later",
            ReturnMethodNotOffered => "dossier.return_method_not_offered",
            WrongConsultedAgency { .. } => "dossier.wrong_consulted_agency",
            AwaitingAnswer => "dossier.awaiting_answer",
            NotConsulted => "dossier.not_consulted",
            ProcedureMismatch => "dossier.procedure_mismatch",
            InvalidApplicant(_) => "dossier.invalid_applicant",
        }
    }

    /// Short Vietnamese title for the user.
    pub fn title_vi(&self) -> &'static str {
        use Rejection::*;
        match self {
            WrongStatus { .. } => "Trạng thái hồ sơ không cho phép thao tác này",
            StaleVersion { .. } => "Hồ sơ đã được người khác cập nhật, vui lòng tải lại",
            ForbiddenRole { .. } => "Vai trò của bạn không được thực hiện thao tác này",
            WrongAgency => "Hồ sơ thuộc cơ quan khác",
            NotAssignee => "Hồ sơ đã được phân công cho người khác",
            NotOwner => "Chỉ chủ hồ sơ được thực hiện thao tác này",
            WrongStep { .. } => "Thao tác không thuộc bước xử lý hiện tại",
            MissingComponent(_) => "Thiếu thành phần hồ sơ bắt buộc",
            UnknownComponent(_) => "Thành phần hồ sơ không thuộc thủ tục này",
            SupplementAlreadyRequested => "Đã yêu cầu bổ sung hồ sơ một lần ở giai đoạn này",
            Empty(_) => "Thiếu nội dung bắt buộc",
            Duplicate(_) => "Nội dung bị liệt kê trùng",
            AmountMismatch { .. } => "Số tiền thanh toán không khớp số tiền yêu cầu",
            ZeroAmount => "Số tiền phải lớn hơn 0",
            NotOnline => "Thủ tục không được thực hiện trực tuyến",
            ExtensionNotLater => "Ngày hẹn mới phải sau ngày hẹn hiện tại",
            ReturnMethodNotOffered => "Thủ tục không trả kết quả theo hình thức này",
            WrongConsultedAgency { .. } => "Cơ quan được xin ý kiến không đúng loại",
            AwaitingAnswer => "Hồ sơ đang chờ cơ quan phối hợp trả lời",
            NotConsulted => "Chưa gửi xin ý kiến cơ quan phối hợp",
            ProcedureMismatch => "Hồ sơ thuộc thủ tục hoặc phiên bản khác",
            InvalidApplicant(_) => "Giấy tờ tùy thân của người nộp không hợp lệ",
        }
    }

    /// The HTTP status an API answers with.
    pub fn http_status(&self) -> u16 {
        use Rejection::*;
        match self {
            StaleVersion { .. }
            | WrongStatus { .. }
            | WrongStep { .. }
            | SupplementAlreadyRequested
            | AwaitingAnswer
            | NotConsulted => 409,
            ForbiddenRole { .. } | WrongAgency | NotAssignee | NotOwner => 403,
            _ => 422,
        }
    }
}
