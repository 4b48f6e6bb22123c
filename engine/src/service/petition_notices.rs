//! Notices to a petitioner (issue 17), through the outbox like the applicants' (`service::notify`): when the
//! agency rejects the petition (with the reason), asks for more information (the question, and by when the answer
//! clock waits), or answers it (the answer itself, unless sent by the agency's letter). E-mail when the
//! petitioner gave an address, unaccented SMS when a Vietnamese mobile number; both link to the follow page, where
//! the code and the same contact show the petition. Written in the transaction of the change, keyed
//! `{petition id}:{version}:{channel}`, ordered with the petition's portal messages.

use chrono::{DateTime, Utc};

use super::notify::{Block, Notice, mail_html, mail_text, mobile_number, sms_text};
use super::{ServiceResult, Services};
use crate::adapters::forms::vn_date_time;
use crate::domain::petition::{Petition, PetitionStatus};
use crate::ports::notice::{EmailNotice, NoticeKind, SmsNotice};
use crate::ports::topics;
use crate::store::{DbConnection, outbox};

/// The longest answer quoted in an SMS before it is cut (the rest is on the follow page).
const SMS_ANSWER_CHARS: usize = 120;

impl Services {
    /// Queues the petitioner's notice of the change from `before` to `after`, if it calls for one.
    pub(super) fn queue_petition_notices(
        &self,
        conn: &mut DbConnection,
        before: &Petition,
        after: &Petition,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        if before.status == after.status {
            return Ok(());
        }
        let kind = match after.status {
            PetitionStatus::Rejected => NoticeKind::PetitionRejected,
            PetitionStatus::InformationRequested => NoticeKind::PetitionInformationRequested,
            PetitionStatus::Answered => NoticeKind::PetitionAnswered,
            _ => return Ok(()),
        };
        let petitioner = &after.filing.petitioner;
        let email = petitioner.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        let mobile = petitioner.phone.as_deref().and_then(mobile_number);
        if email.is_none() && mobile.is_none() {
            return Ok(());
        }
        let agency = self.db.agencies().get(conn, &after.filing.agency)?.map(|a| a.name).unwrap_or_default();
        let notice = self.petition_notice(kind, after, &agency);
        let id = &after.filing.id;
        let salutation = format!("Kính gửi Ông/Bà {},", petitioner.name);
        if let Some(to) = email {
            let payload = EmailNotice {
                kind,
                to: to.to_string(),
                to_name: petitioner.name.clone(),
                dossier_code: None,
                subject: notice.subject.clone(),
                text: mail_text(&salutation, &agency, &notice),
                html: mail_html(&salutation, &agency, &notice),
            };
            let message = outbox::NewMessage {
                dossier_id: Some(id),
                topic: topics::EMAIL,
                key: format!("{id}:{}:email", after.version),
                payload: serde_json::to_string(&payload).expect("a notice serialises"),
            };
            outbox::enqueue(conn, message, now)?;
        }
        if let Some(to) = mobile {
            let payload = SmsNotice { kind, to, text: sms_text(&notice) };
            let message = outbox::NewMessage {
                dossier_id: Some(id),
                topic: topics::SMS,
                key: format!("{id}:{}:sms", after.version),
                payload: serde_json::to_string(&payload).expect("a notice serialises"),
            };
            outbox::enqueue(conn, message, now)?;
        }
        Ok(())
    }

    /// The words of a petitioner's notice.
    fn petition_notice(&self, kind: NoticeKind, p: &Petition, agency: &str) -> Notice {
        let code = &p.filing.code;
        let title = &p.filing.title;
        let link = format!("{}/phan-anh-kien-nghi/theo-doi?ma={code}", self.config.public_url.trim_end_matches('/'));
        let local = |at: DateTime<Utc>| vn_date_time(at, self.calendar.timezone());
        let mut blocks = Vec::new();
        let (subject, sms, sms_short) = match kind {
            NoticeKind::PetitionRejected => {
                let reason = p.rejection_reason.clone().unwrap_or_default();
                blocks.push(Block::Para(format!(
                    "{agency} không tiếp nhận xử lý phản ánh, kiến nghị \"{title}\" (mã {code}) của Ông/Bà vì không \
                     thuộc thẩm quyền."
                )));
                blocks.push(Block::Fact("Lý do", reason.clone()));
                (
                    format!("Phản ánh, kiến nghị {code}: không thuộc thẩm quyền xử lý"),
                    format!("PAKN {code} không được tiếp nhận xử lý. Lý do: {reason}. Chi tiết: {link}"),
                    format!("PAKN {code} không được tiếp nhận xử lý. Chi tiết: {link}"),
                )
            }
            NoticeKind::PetitionInformationRequested => {
                let question = p.information_request.clone().unwrap_or_default();
                blocks.push(Block::Para(format!(
                    "Để xử lý phản ánh, kiến nghị \"{title}\" (mã {code}), {agency} đề nghị Ông/Bà bổ sung thông tin:"
                )));
                blocks.push(Block::Para(question.clone()));
                blocks.push(Block::Para(
                    "Thời hạn trả lời tạm dừng cho đến khi Ông/Bà bổ sung; Ông/Bà trả lời trên trang theo dõi phản \
                     ánh, kiến nghị."
                        .into(),
                ));
                (
                    format!("Phản ánh, kiến nghị {code}: đề nghị bổ sung thông tin"),
                    format!("PAKN {code}: đề nghị bổ sung thông tin. Trả lời tại: {link}"),
                    format!("PAKN {code}: đề nghị bổ sung thông tin: {link}"),
                )
            }
            NoticeKind::PetitionAnswered => {
                let answer = p.answer.as_ref().map(|a| a.text.clone()).unwrap_or_default();
                blocks.push(Block::Para(format!(
                    "{agency} đã trả lời phản ánh, kiến nghị \"{title}\" (mã {code}) của Ông/Bà."
                )));
                if let Some(at) = p.answer.as_ref().map(|a| a.at) {
                    blocks.push(Block::Fact("Thời điểm trả lời", local(at)));
                }
                blocks.push(Block::Para(answer.clone()));
                blocks.push(Block::Para(
                    "Ông/Bà cho biết có hài lòng với câu trả lời hay không trên trang theo dõi phản ánh, kiến nghị."
                        .into(),
                ));
                let quoted: String = answer.chars().take(SMS_ANSWER_CHARS).collect();
                let cut = if quoted.chars().count() < answer.chars().count() { "..." } else { "" };
                (
                    format!("Phản ánh, kiến nghị {code} đã được trả lời"),
                    format!("PAKN {code} đã được trả lời: {quoted}{cut} Chi tiết: {link}"),
                    format!("PAKN {code} đã được trả lời. Chi tiết: {link}"),
                )
            }
            _ => unreachable!("only petition notices are worded here"),
        };
        blocks.push(Block::Link("Theo dõi phản ánh, kiến nghị", link));
        Notice { subject, blocks, sms, sms_short }
    }
}
