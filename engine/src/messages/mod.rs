//! The one message catalogue: every user-facing text by stable code, Vietnamese first, English second.
//! API problems, pages and notifications take their words from here.

mod ui_admin;
mod ui_citizen;
mod ui_petitions;
mod ui_public;
mod ui_staff;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    /// Picks the language from an `Accept-Language`-style value; Vietnamese unless English is preferred.
    pub fn from_header(value: Option<&str>) -> Lang {
        match value.and_then(|v| v.split(',').next()).map(|v| v.trim().to_ascii_lowercase()) {
            Some(tag) if tag.starts_with("en") => Lang::En,
            _ => Lang::Vi,
        }
    }
}

/// (code, Vietnamese, English).
const CATALOGUE: &[(&str, &str, &str)] = &[
    // Dossier rejections (domain).
    (
        "dossier.wrong_status",
        "Trạng thái hồ sơ không cho phép thao tác này",
        "The dossier's status does not allow this action",
    ),
    (
        "dossier.stale_version",
        "Hồ sơ đã được người khác cập nhật, vui lòng tải lại",
        "Someone else updated the dossier; reload it",
    ),
    ("dossier.forbidden_role", "Vai trò của bạn không được thực hiện thao tác này", "Your role may not do this"),
    ("dossier.wrong_agency", "Hồ sơ thuộc cơ quan khác", "The dossier belongs to another agency"),
    ("dossier.not_assignee", "Hồ sơ đã được phân công cho người khác", "The dossier is assigned to someone else"),
    ("dossier.not_owner", "Chỉ chủ hồ sơ được thực hiện thao tác này", "Only the applicant may do this"),
    (
        "dossier.wrong_step",
        "Thao tác không thuộc bước xử lý hiện tại",
        "This action does not belong to the current step",
    ),
    ("dossier.missing_component", "Thiếu thành phần hồ sơ bắt buộc", "Required components are missing"),
    (
        "dossier.unknown_component",
        "Thành phần hồ sơ không thuộc thủ tục này",
        "The component is not part of this procedure",
    ),
    (
        "dossier.supplement_already_requested",
        "Đã yêu cầu bổ sung hồ sơ một lần ở giai đoạn này",
        "A supplement was already requested at this stage",
    ),
    ("dossier.empty_field", "Thiếu nội dung bắt buộc", "A required text is empty"),
    ("dossier.duplicate_item", "Nội dung bị liệt kê trùng", "An item is listed twice"),
    (
        "dossier.amount_mismatch",
        "Số tiền thanh toán không khớp số tiền yêu cầu",
        "The amount paid differs from the amount requested",
    ),
    ("dossier.zero_amount", "Số tiền phải lớn hơn 0", "The amount must be more than 0"),
    ("dossier.amount_too_large", "Số tiền vượt mức tối đa cho phép", "The amount is above the allowed maximum"),
    (
        "dossier.amount_not_a_fee",
        "Số tiền không khớp phí, lệ phí nào của thủ tục: cần ghi rõ lý do",
        "The amount is none of the procedure's fees: give the reason for it",
    ),
    (
        "dossier.extension_too_long",
        "Gia hạn quá dài: tối đa thêm một lần thời hạn giải quyết của thủ tục (từ 30 đến 60 ngày làm việc)",
        "The extension is too long: at most the procedure's processing time again (30 to 60 working days)",
    ),
    ("dossier.text_too_long", "Nội dung quá dài", "The text is too long"),
    ("dossier.too_many_items", "Danh sách quá nhiều mục", "The list has too many items"),
    ("dossier.unknown_fee", "Thủ tục không có khoản phí, lệ phí này", "This procedure has no such fee"),
    (
        "dossier.bundle_choice",
        "Lựa chọn thủ tục trong nhóm liên thông không hợp lệ",
        "This choice of the bundle's procedures is not allowed",
    ),
    ("dossier.not_online", "Thủ tục không được thực hiện trực tuyến", "This procedure is not offered online"),
    (
        "dossier.extension_not_later",
        "Ngày hẹn mới phải sau ngày hẹn hiện tại",
        "The new due date must be later than the current one",
    ),
    (
        "dossier.return_method_not_offered",
        "Thủ tục không trả kết quả theo hình thức này",
        "The procedure does not return results that way",
    ),
    (
        "dossier.wrong_consulted_agency",
        "Cơ quan được xin ý kiến không đúng loại",
        "The consulted agency is not of the required kind",
    ),
    (
        "dossier.awaiting_answer",
        "Hồ sơ đang chờ cơ quan phối hợp trả lời",
        "The dossier is waiting for the consulted agency",
    ),
    ("dossier.not_consulted", "Chưa gửi xin ý kiến cơ quan phối hợp", "No consultation has been sent yet"),
    (
        "dossier.procedure_mismatch",
        "Hồ sơ thuộc thủ tục hoặc phiên bản khác",
        "The dossier belongs to another procedure or version",
    ),
    (
        "dossier.invalid_applicant",
        "Giấy tờ tùy thân của người nộp không hợp lệ",
        "The applicant's identifier is invalid",
    ),
    (
        "dossier.identity_mismatch",
        "Thông tin người nộp không khớp Cơ sở dữ liệu quốc gia về dân cư",
        "The applicant's details do not match the national population database",
    ),
    // Service and API.
    ("dossier.not_found", "Không tìm thấy hồ sơ", "Dossier not found"),
    ("procedure.not_found", "Không tìm thấy thủ tục", "Procedure not found"),
    ("agency.not_found", "Không tìm thấy cơ quan", "Agency not found"),
    ("request.invalid", "Dữ liệu gửi lên không hợp lệ", "The request is invalid"),
    ("request.malformed", "Nội dung yêu cầu không đọc được", "The request body cannot be read"),
    (
        "request.forbidden_character",
        "Nội dung có ký tự điều khiển hoặc ký tự đảo chiều hiển thị, không được phép",
        "The text holds a control or bidirectional formatting character, which is not allowed",
    ),
    ("request.too_large", "Nội dung yêu cầu quá lớn", "The request body is too large"),
    ("request.precondition_required", "Thiếu phiên bản hồ sơ (If-Match)", "The dossier version (If-Match) is missing"),
    (
        "request.idempotency_key_reused",
        "Khóa Idempotency-Key đã dùng cho một yêu cầu khác",
        "The Idempotency-Key was used for another request",
    ),
    ("request.forbidden", "Bạn không có quyền thực hiện yêu cầu này", "You may not do this"),
    ("request.not_found", "Không tìm thấy", "Not found"),
    ("auth.required", "Cần đăng nhập", "Sign-in required"),
    ("auth.invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng", "Wrong username or password"),
    (
        "auth.throttled",
        "Đăng nhập sai nhiều lần: vui lòng chờ một lát rồi thử lại",
        "Too many failed sign-ins: please wait a moment and try again",
    ),
    ("auth.invalid_token", "Phiên đăng nhập không hợp lệ hoặc đã hết hạn", "The session is invalid or expired"),
    // Citizens' sign-in with the national e-identity, and service accounts.
    (
        "auth.provider_not_configured",
        "Chưa cấu hình đăng nhập bằng tài khoản định danh điện tử",
        "Sign-in with the national e-identity is not configured",
    ),
    (
        "auth.invalid_return_to",
        "Địa chỉ quay lại sau đăng nhập không hợp lệ",
        "The address to return to after sign-in is invalid",
    ),
    ("auth.invalid_login_hint", "Số định danh gợi ý đăng nhập không hợp lệ", "The login hint is not a personal id"),
    (
        "auth.sign_in_unknown",
        "Phiên đăng nhập không tồn tại hoặc đã được sử dụng",
        "This sign-in is unknown or was already used",
    ),
    (
        "auth.sign_in_expired",
        "Phiên đăng nhập đã quá thời gian, vui lòng đăng nhập lại",
        "The sign-in took too long; start again",
    ),
    (
        "auth.provider_unavailable",
        "Hệ thống định danh điện tử tạm thời không phản hồi, vui lòng thử lại",
        "The e-identity provider is not answering; try again",
    ),
    (
        "auth.provider_misconfigured",
        "Kết nối với hệ thống định danh điện tử bị cấu hình sai",
        "The connection to the e-identity provider is misconfigured",
    ),
    (
        "auth.provider_refused",
        "Hệ thống định danh điện tử từ chối đăng nhập",
        "The e-identity provider refused the sign-in",
    ),
    (
        "auth.id_token_invalid",
        "Thông tin định danh nhận được không hợp lệ",
        "The identity received from the provider is not valid",
    ),
    (
        "auth.level_too_low",
        "Cần tài khoản định danh điện tử mức độ 2 để thực hiện dịch vụ công",
        "A level 2 e-identity account is needed for public services",
    ),
    ("auth.invalid_client", "Thông tin xác thực ứng dụng không đúng", "Invalid client credentials"),
    (
        "server.unavailable",
        "Hệ thống tạm thời không phục vụ được, vui lòng thử lại",
        "The service is temporarily unavailable; try again",
    ),
    ("server.error", "Lỗi hệ thống", "Internal error"),
    ("form.not_found", "Không có biểu mẫu này cho hồ sơ", "The dossier has no such form"),
    (
        "signing.no_certificate",
        "Chưa có chứng thư số để ký điện tử văn bản này",
        "No signing certificate is on file for this signature",
    ),
    ("signing.failed", "Không ký số được văn bản", "The document could not be signed"),
    (
        "paper.signature_required",
        "Thành phần hồ sơ này phải là tệp PDF có chữ ký số của người nộp",
        "This component must be a PDF digitally signed by the applicant",
    ),
    ("paper.signature_invalid", "Chữ ký số trên tệp không hợp lệ", "The file's digital signature is not valid"),
    // The national portal and operations.
    (
        "portal.forbidden_scope",
        "Tài khoản kết nối không có quyền chuyển hồ sơ từ Cổng DVC quốc gia",
        "This service account may not route dossiers from the national portal",
    ),
    (
        "portal.id_reused",
        "Mã hồ sơ trên Cổng đã được dùng cho một hồ sơ khác",
        "This portal dossier id was already used for a different dossier",
    ),
    ("portal.unavailable", "Cổng DVC quốc gia không phản hồi", "The national portal did not answer"),
    ("job.not_dead", "Việc nền này không ở trạng thái hỏng", "This background job is not dead"),
    ("portal.not_configured", "Chưa cấu hình kết nối Cổng DVC quốc gia", "The national portal is not configured"),
    ("admin.forbidden", "Chỉ quản trị hệ thống được thực hiện", "Administrators only"),
    ("outbox.not_dead", "Không có thông điệp lỗi với mã này", "No dead message with this id"),
    ("field.bad_base64", "Nội dung tệp không đúng mã hóa base64", "The file content is not valid base64"),
    // Papers and the repository.
    ("blob.too_large", "Tệp quá dung lượng cho phép", "The file is larger than allowed"),
    (
        "blob.unsupported_type",
        "Tệp không đúng định dạng được chấp nhận (PDF, JPEG, PNG, TIFF, XML, DOCX)",
        "The file is not an accepted type (PDF, JPEG, PNG, TIFF, XML, DOCX)",
    ),
    ("blob.not_found", "Không tìm thấy nội dung tệp", "The file's content is missing"),
    ("blob.corrupt", "Nội dung tệp bị hỏng", "The file's content is damaged"),
    ("blob.io", "Lỗi lưu trữ tệp", "File storage error"),
    (
        "blob.unavailable",
        "Kho lưu trữ tệp tạm thời không ghi được (đầy hoặc chỉ đọc); vui lòng thử lại sau",
        "The file store cannot take files now (full or read-only); please try again later",
    ),
    ("paper.not_found", "Không tìm thấy giấy tờ", "Paper not found"),
    (
        "paper.dossier_too_large",
        "Tổng dung lượng giấy tờ của hồ sơ vượt giới hạn",
        "The dossier's papers exceed the size limit",
    ),
    ("repository.not_found", "Không tìm thấy giấy tờ trong kho", "Repository item not found"),
    ("repository.forbidden", "Bạn không được xem giấy tờ này", "You may not see this item"),
    (
        "repository.valid",
        "Còn hiệu lực, có chữ ký số hợp lệ của cơ quan cấp",
        "In force, with a valid signature of the issuer",
    ),
    ("repository.revoked", "Giấy tờ đã bị thu hồi", "The paper was revoked"),
    ("repository.expired", "Giấy tờ đã hết hiệu lực", "The paper has expired"),
    ("repository.in_trash", "Giấy tờ đang trong thùng rác", "The paper is in the trash"),
    ("repository.signature_invalid", "Chữ ký số không hợp lệ", "The digital signature is invalid"),
    ("repository.unsigned", "Giấy tờ không có chữ ký số", "The paper carries no digital signature"),
    (
        "repository.signature_unchecked",
        "Chưa kiểm tra được chữ ký số (chưa cấu hình dịch vụ kiểm tra)",
        "The signature has not been checked (no verifier configured)",
    ),
    ("field.unknown_upload", "Tệp tải lên không tồn tại hoặc không phải của bạn", "Unknown upload, or not yours"),
    (
        "field.unknown_item",
        "Giấy tờ trong kho không tồn tại, không dùng được hoặc chưa được chia sẻ",
        "Unknown repository item, not usable, or not shared",
    ),
    ("field.paper_required", "Cần tệp tải lên hoặc giấy tờ từ kho", "An upload or a repository item is needed"),
    (
        "field.not_reusable",
        "Loại giấy tờ này không dùng được cho thành phần hồ sơ",
        "This paper type does not satisfy the component",
    ),
    // Population database and payment platform.
    (
        "population.not_configured",
        "Chưa kết nối Cơ sở dữ liệu quốc gia về dân cư",
        "The national population database is not connected",
    ),
    ("population.match", "Thông tin khớp với CSDL quốc gia về dân cư", "Matches the national population database"),
    (
        "population.mismatch",
        "Thông tin không khớp với CSDL quốc gia về dân cư",
        "Differs from the national population database",
    ),
    (
        "population.not_found",
        "Không tìm thấy số định danh trong CSDL quốc gia về dân cư",
        "The personal id is not in the national population database",
    ),
    (
        "population.refused",
        "CSDL quốc gia về dân cư từ chối thông tin của người nộp là không hợp lệ",
        "The national population database refused the applicant's data as invalid",
    ),
    (
        "population.not_verified",
        "Chưa xác thực được (CSDL dân cư không phản hồi); có thể kiểm tra lại sau",
        "Not verified (the population database did not answer); the check can be run again",
    ),
    (
        "payment.bad_signature",
        "Chữ ký của thông báo thanh toán không hợp lệ",
        "The payment notification's signature is invalid",
    ),
    ("payment.order_not_found", "Không tìm thấy lệnh thanh toán", "Payment order not found"),
    ("payment.merchant_mismatch", "Mã đơn vị thụ hưởng không đúng", "The merchant code is not ours"),
    ("payment.requested", "Chờ tạo lệnh thanh toán", "Payment order being created"),
    ("payment.open", "Chờ công dân thanh toán", "Waiting for the citizen to pay"),
    ("payment.paid", "Đã thanh toán", "Paid"),
    ("payment.refund_requested", "Đang hoàn tiền", "Refund in progress"),
    ("payment.refunded", "Đã hoàn tiền", "Refunded"),
    // Field errors.
    ("field.required", "Bắt buộc nhập", "Required"),
    ("field.invalid_date", "Ngày không hợp lệ (ngày/tháng/năm)", "Invalid date"),
    ("field.invalid", "Giá trị không hợp lệ", "Not a valid value"),
    ("field.invalid_number", "Phải là một số nguyên", "Must be a whole number"),
    ("field.invalid_choice", "Giá trị không nằm trong danh sách được chọn", "Not one of the choices"),
    (
        "reading.low_resolution",
        "chữ quá nhỏ, độ phân giải thấp (quét ở 300 dpi)",
        "letters too small, low resolution (scan at 300 dpi)",
    ),
    ("reading.skewed", "giấy bị nghiêng (đặt thẳng giấy)", "the paper is skewed (lay it straight)"),
    ("reading.unreadable", "mờ hoặc nhiễu, không đọc chắc được", "blurred or noisy, not reliably readable"),
    ("reading.no_text", "không thấy chữ (trang trắng hoặc bị xoay)", "no text found (blank or turned page)"),
    (
        "calendar.not_a_working_day",
        "Ngày này không phải ngày làm việc, không cần đặt nghỉ",
        "Not a working day: nothing to take off",
    ),
    ("calendar.already_working", "Ngày này đã là ngày làm việc", "Already a working day"),
    ("calendar.not_listed", "Ngày này không có trong danh sách", "That day is not listed"),
    ("calendar.invalid", "Lịch làm việc không hợp lệ", "The calendar would not be valid"),
    (
        "calendar.changed_meanwhile",
        "Lịch vừa được người khác thay đổi; xem lại rồi thực hiện lại",
        "Someone else just changed the calendar; look again and redo it",
    ),
    ("reading.nothing_waiting", "Không còn kết quả đối chiếu nào chờ quyết định", "No finding waits for a decision"),
    ("field.invalid_personal_id", "Số định danh cá nhân không hợp lệ", "Invalid personal id"),
    ("field.invalid_tax_code", "Mã số thuế không hợp lệ", "Invalid tax code"),
    ("field.invalid_passport", "Số hộ chiếu không hợp lệ", "Invalid passport number"),
    ("field.invalid_email", "Địa chỉ thư điện tử không hợp lệ", "Invalid email address"),
    ("field.invalid_phone", "Số điện thoại không hợp lệ", "Invalid phone number"),
    ("field.unknown_procedure", "Thủ tục không tồn tại", "Unknown procedure"),
    ("field.unknown_component", "Thành phần hồ sơ không thuộc thủ tục", "Unknown component"),
    (
        "field.unknown_agency",
        "Cơ quan không tồn tại hoặc ngoài phạm vi của bạn",
        "Unknown agency, or outside your scope",
    ),
    (
        "field.wrong_agency_kind",
        "Cơ quan này không giải quyết thủ tục đã chọn",
        "This agency does not handle the chosen procedure",
    ),
    ("field.channel_not_allowed", "Kênh nộp không hợp lệ cho thao tác này", "Channel not allowed here"),
    (
        "field.unknown_staff",
        "Cán bộ không tồn tại hoặc không có vai trò phù hợp",
        "Unknown staff member, or without the needed role",
    ),
    ("field.too_long", "Nội dung quá dài", "Too long"),
    ("field.out_of_range", "Giá trị nằm ngoài phạm vi cho phép", "Out of the allowed range"),
    ("field.invalid_scope", "Phạm vi quyền không hợp lệ", "Invalid scope"),
    ("field.name_taken", "Tên này đã được dùng", "This name is taken"),
    // Steps and roles, as forms and the portal name them.
    // Pages.
    ("status.1", "Mới đăng ký", "Submitted"),
    ("status.2", "Được tiếp nhận", "Received"),
    ("status.3", "Không được tiếp nhận", "Refused at reception"),
    ("status.4", "Đang xử lý", "In process"),
    ("status.5", "Yêu cầu bổ sung giấy tờ", "Supplement requested"),
    ("status.6", "Yêu cầu thực hiện nghĩa vụ tài chính", "Payment requested"),
    ("status.7", "Công dân yêu cầu rút hồ sơ", "Withdrawn"),
    ("status.8", "Dừng xử lý", "Processing stopped"),
    ("status.9", "Đã xử lý xong", "Result ready"),
    ("status.10", "Đã trả kết quả", "Returned"),
    ("step.receive", "Tiếp nhận hồ sơ", "Reception"),
    ("step.assign", "Phân công xử lý", "Assignment"),
    ("step.appraise", "Thẩm định hồ sơ", "Appraisal"),
    ("step.approve", "Xem xét, trình ký", "Review"),
    ("step.sign", "Phê duyệt, ký kết quả", "Approval and signature"),
    ("step.seal", "Vào số, đóng dấu", "Numbering and seal"),
    ("step.consult", "Lấy ý kiến cơ quan phối hợp", "Inter-agency consultation"),
    ("step.pay", "Thực hiện nghĩa vụ tài chính", "Payment"),
    ("step.bundle", "Chờ kết quả các thủ tục liên thông", "Waiting for the bundle's procedures"),
    ("step.return", "Trả kết quả", "Return of the result"),
    ("role.reception_clerk", "Công chức tiếp nhận và trả kết quả", "Reception clerk"),
    ("role.division_head", "Lãnh đạo phòng", "Division head"),
    ("role.specialist", "Chuyên viên", "Specialist"),
    ("role.agency_leader", "Lãnh đạo cơ quan", "Agency leader"),
    ("role.records_clerk", "Văn thư", "Records clerk"),
    ("role.admin", "Quản trị hệ thống", "Administrator"),
    // Petitions (phản ánh, kiến nghị): the domain's refusals and the service's codes.
    (
        "petition.wrong_status",
        "Trạng thái phản ánh, kiến nghị không cho phép thao tác này",
        "The petition's status does not allow this action",
    ),
    (
        "petition.stale_version",
        "Phản ánh, kiến nghị đã được người khác cập nhật, vui lòng tải lại",
        "Someone else updated the petition; reload it",
    ),
    ("petition.forbidden_role", "Vai trò của bạn không được thực hiện thao tác này", "Your role may not do this"),
    ("petition.wrong_agency", "Phản ánh, kiến nghị thuộc cơ quan khác", "The petition belongs to another agency"),
    (
        "petition.not_assignee",
        "Phản ánh, kiến nghị đã được giao cho người khác",
        "The petition is assigned to someone else",
    ),
    (
        "petition.not_petitioner",
        "Chỉ người gửi phản ánh, kiến nghị được thực hiện thao tác này",
        "Only the petitioner may do this",
    ),
    ("petition.empty_field", "Thiếu nội dung bắt buộc", "A required text is empty"),
    ("petition.text_too_long", "Nội dung quá dài", "The text is too long"),
    (
        "petition.information_too_late",
        "Đã quá 05 ngày làm việc kể từ khi tiếp nhận, không được yêu cầu bổ sung thông tin",
        "More information may only be asked for within 5 working days of filing",
    ),
    (
        "petition.information_already_requested",
        "Đã yêu cầu bổ sung thông tin một lần",
        "More information was already asked for once",
    ),
    (
        "petition.personal_answer",
        "Trả lời riêng cho người phản ánh không được công khai",
        "A personal answer is not published",
    ),
    ("petition.already_rated", "Bạn đã đánh giá kết quả trả lời này", "You have already rated this answer"),
    ("petition.not_found", "Không tìm thấy phản ánh, kiến nghị", "Petition not found"),
    (
        "petition.contact_required",
        "Cần số điện thoại hoặc thư điện tử để nhận trả lời",
        "A phone number or an e-mail address is needed for the answer",
    ),
    ("petition.unknown_dossier", "Không có hồ sơ với mã này", "There is no dossier with this code"),
    ("petition.dossier_of_another_agency", "Hồ sơ thuộc cơ quan khác", "The dossier belongs to another agency"),
    (
        "petition.not_answered",
        "Không có phản ánh, kiến nghị đã trả lời với mã này",
        "There is no answered petition with this code",
    ),
    // Rating the service (service codes, shown by the API and the pages alike).
    ("rating.already_rated", "Bạn đã đánh giá hồ sơ này", "You have already rated this dossier"),
    ("rating.answer_required", "Chọn hài lòng hoặc không hài lòng", "Choose satisfied or not satisfied"),
    (
        "rating.link_not_found",
        "Đường dẫn đánh giá không đúng hoặc đã hết hạn",
        "This rating link is wrong or has expired",
    ),
    (
        "rating.not_returned",
        "Chỉ đánh giá được khi hồ sơ đã trả kết quả",
        "A dossier can be rated once its result was returned",
    ),
    ("rating.score_range", "Chọn mức đánh giá từ 1 đến 5", "Choose a rating from 1 to 5"),
    // Deleting a repository paper for good.
    (
        "repository.not_in_trash",
        "Chỉ xóa vĩnh viễn được giấy tờ đã chuyển vào thùng rác",
        "Only a paper in the trash can be deleted for good",
    ),
];

/// The catalogue in parts: the domain and API texts here, the pages' texts by area (one file each).
const PARTS: &[&[(&str, &str, &str)]] =
    &[CATALOGUE, ui_public::TEXTS, ui_staff::TEXTS, ui_citizen::TEXTS, ui_admin::TEXTS, ui_petitions::TEXTS];

fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    PARTS.iter().flat_map(|part| part.iter())
}

/// Every code of the domain and the API: what a problem's `code` may be.
pub fn api_codes() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().map(|(code, _, _)| *code)
}

/// Every code of the catalogue, the pages' included.
pub fn codes() -> impl Iterator<Item = &'static str> {
    entries().map(|(code, _, _)| *code)
}

/// The Vietnamese and English texts of a code, if catalogued.
pub fn find(code: &str) -> Option<(&'static str, &'static str)> {
    entries().find(|(c, _, _)| *c == code).map(|(_, vi, en)| (*vi, *en))
}

/// The texts of a code; a visible placeholder if it is not catalogued (a test keeps that from happening).
pub fn lookup(code: &str) -> (&'static str, &'static str) {
    find(code).unwrap_or(("(chưa có nội dung)", "(missing text)"))
}

pub fn text(code: &str, lang: Lang) -> &'static str {
    let (vi, en) = lookup(code);
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_both_languages_are_filled() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, vi, en) in entries() {
            assert!(seen.insert(code), "{code} twice");
            assert!(!vi.is_empty() && !en.is_empty(), "{code}");
        }
    }

    /// The pages' parts hold only `ui.` texts: every code a service or problem can carry is an API code, so the
    /// OpenAPI document lists them all.
    #[test]
    fn the_pages_parts_hold_only_page_texts() {
        let misplaced: Vec<&str> = PARTS[1..]
            .iter()
            .flat_map(|part| part.iter())
            .map(|(c, _, _)| *c)
            .filter(|c| !c.starts_with("ui."))
            .collect();
        assert!(misplaced.is_empty(), "{misplaced:?}");
    }

    #[test]
    fn every_rejection_code_is_catalogued() {
        use crate::domain::dossier::Rejection;
        let samples = [
            Rejection::WrongAgency,
            Rejection::NotAssignee,
            Rejection::MissingComponent(vec![]),
            Rejection::ExtensionNotLater,
            Rejection::InvalidApplicant(String::new()),
            Rejection::AwaitingAnswer,
            Rejection::NotConsulted,
            Rejection::IdentityMismatch,
            Rejection::UnknownFee(String::new()),
            Rejection::BundleChoice(String::new()),
        ];
        for rejection in samples {
            assert!(find(rejection.code()).is_some(), "{}", rejection.code());
        }
        // Every step kind and every change of a dossier's history has its words.
        for kind in crate::domain::procedure::StepKind::ALL {
            assert!(find(&format!("step.{kind}")).is_some(), "step.{kind}");
        }
        let history = ["members_opened", "members_done", "received", "extended", "overdue"];
        for change in history {
            assert!(find(&format!("ui.staff.event.{change}")).is_some(), "ui.staff.event.{change}");
        }
        assert_eq!(Lang::from_header(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_header(Some("vi")), Lang::Vi);
        assert_eq!(Lang::from_header(None), Lang::Vi);
    }
}
