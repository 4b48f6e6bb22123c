//! The citizen's or business's data repository (kho dữ liệu, Decree 45/2020 Art. 13, 16): stores and folders,
//! sharing with agencies, dossiers or the national portal, trash, usage, validity, reuse offers, results pushed
//! in when a dossier is returned, and back-fill. Every access is logged.

use crate::domain::policy::{self, Access, ItemAccess, Target};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{FieldError, Repository, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::dossier::{Dossier, Proposal, Status};
use crate::domain::identity::{Caller, CitizenIdentity, ServiceIdentity};
use crate::domain::procedure::Procedure;
use crate::store::repository::{Item, ItemFilter, Usage};
use crate::store::{DbConnection, agencies, dossiers, outbox, papers, repository, to_db, uploads};

pub const STORES: [&str; 3] = ["dossier_papers", "personal_papers", "uploads"];

/// One use of a repository paper: which, by whom, what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessRecord {
    pub item: String,
    /// `citizen:…`, `staff:…` or `service:…`.
    pub actor: String,
    pub action: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Whether an electronic paper counts as valid, and if not, why (a message catalogue code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Validity {
    pub valid: bool,
    pub reason: Option<&'static str>,
}

/// Valid = in force, not revoked, and carrying a verified signature of its issuer.
pub fn validity(item: &Item, today: NaiveDate) -> Validity {
    let reason = if item.deleted_at.is_some() {
        Some("repository.in_trash")
    } else if item.revoked {
        Some("repository.revoked")
    } else if item.valid_until.is_some_and(|until| until < today) {
        Some("repository.expired")
    } else {
        match item.signature_status.as_str() {
            "valid" => None,
            "invalid" => Some("repository.signature_invalid"),
            "unsigned" => Some("repository.unsigned"),
            _ => Some("repository.signature_unchecked"),
        }
    };
    Validity { valid: reason.is_none(), reason }
}

/// Offered for reuse: live, not revoked, not expired (the signature is shown, not required to offer).
pub fn usable(item: &Item, today: NaiveDate) -> bool {
    item.deleted_at.is_none() && !item.revoked && item.valid_until.is_none_or(|until| until >= today)
}

/// An item with its validity, as callers see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemView {
    #[serde(flatten)]
    pub item: Item,
    pub validity: Validity,
    pub shares: Vec<(String, String)>,
}

/// Metadata of an item the owner or the portal adds.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    pub upload: String,
    pub title: String,
    #[serde(default)]
    pub paper_type: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub issue_date: Option<NaiveDate>,
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    pub store: Option<String>,
    #[serde(default)]
    pub folder: Option<String>,
}

/// Where the owner moves an item.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveItem {
    pub store: String,
    #[serde(default)]
    pub folder: String,
}

/// Whom the owner shares an item with.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Share {
    /// agency | dossier | portal
    pub kind: String,
    #[serde(default)]
    pub grantee: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overview {
    pub usage: Usage,
    pub stores: Vec<StoreSummary>,
    pub recent: Vec<ItemView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreSummary {
    pub store: &'static str,
    pub folders: Vec<String>,
    pub items: usize,
}

fn not_found() -> ServiceError {
    ServiceError::NotFound("repository.not_found")
}

impl Services {
    /// Runs the configured signature verifier over an item's content; "unchecked" without one.
    fn check_signature(&self, blob_sha256: &str, media_type: &str) -> (String, Option<String>) {
        let Some(verifier) = &self.verifier else { return ("unchecked".into(), None) };
        let outcome = self
            .blobs
            .open(blob_sha256)
            .map_err(|e| e.to_string())
            .and_then(|mut reader| verifier.check(media_type, &mut reader).map_err(|e| e.to_string()));
        match outcome {
            Ok(check) => {
                let (status, detail) = check.status();
                (status.to_string(), detail)
            }
            Err(e) => {
                tracing::warn!(sha256 = blob_sha256, error = %e, "signature check failed to run");
                ("unchecked".into(), Some(e))
            }
        }
    }

    fn view(&self, conn: &mut DbConnection, item: Item) -> ServiceResult<ItemView> {
        let validity = validity(&item, self.calendar.local_date(self.now()));
        let shares = repository::shares(conn, &item.id)?;
        Ok(ItemView { item, validity, shares })
    }

    /// May the caller read (or reuse) this item: its owner; staff of an agency it is shared with or that
    /// issued it, or of a dossier it is shared with; the portal when shared with the portal.
    pub(super) fn may_use_item(&self, conn: &mut DbConnection, caller: &Caller, item: &Item) -> ServiceResult<bool> {
        let shares = repository::shares(conn, &item.id)?;
        let shared =
            |kind: &str| -> Vec<String> { shares.iter().filter(|(k, _)| k == kind).map(|(_, g)| g.clone()).collect() };
        let agencies = shared("agency");
        let mut dossiers_shared = Vec::new();
        if matches!(caller, Caller::Staff(_)) {
            for id in shared("dossier") {
                dossiers_shared.extend(dossiers::get(conn, &id)?);
            }
        }
        let access = ItemAccess {
            owner: &item.owner_id,
            issuer_agency: item.issuer_agency_id.as_deref(),
            shared_with_agencies: &agencies,
            shared_with_dossiers: &dossiers_shared,
            shared_with_portal: !shared("portal").is_empty(),
        };
        Ok(policy::may(caller, Access::UseRepositoryItem, Target::RepositoryItem(&access)))
    }

    /// An item the caller may read; every read is logged, and so is every refused attempt (its log entry is
    /// committed before the refusal is answered, not rolled back with it).
    fn item_for(&self, caller: &Caller, id: &str, action: &str) -> ServiceResult<Item> {
        let allowed = self.db.write(|conn| {
            let item = repository::get(conn, id)?.ok_or_else(not_found)?;
            let allowed = self.may_use_item(conn, caller, &item)?;
            let logged = if allowed { action.to_string() } else { format!("denied:{action}") };
            repository::log_access(conn, &item, &caller.label(), &logged, self.now())?;
            Ok::<_, ServiceError>(allowed.then_some(item))
        })?;
        allowed.ok_or_else(not_found)
    }

    fn owned(&self, conn: &mut DbConnection, owner: &CitizenIdentity, id: &str, action: &str) -> ServiceResult<Item> {
        let item = repository::get(conn, id)?.filter(|i| i.owner_id == owner.id_number).ok_or_else(not_found)?;
        repository::log_access(conn, &item, &format!("citizen:{}", owner.id_number), action, self.now())?;
        Ok(item)
    }

    fn add_item(
        &self,
        caller: &Caller,
        owner_id: &str,
        input: NewItem,
        source: &str,
        default_store: &str,
    ) -> ServiceResult<ItemView> {
        let now = self.now();
        let mut errors = Vec::new();
        if input.title.trim().is_empty() {
            errors.push(FieldError::new("title", "field.required"));
        }
        if input.paper_type.as_ref().is_some_and(|t| !self.registry.has_paper_type(t)) {
            errors.push(FieldError::new("paper_type", "field.not_reusable"));
        }
        let store = input.store.clone().unwrap_or_else(|| default_store.to_string());
        if !STORES.contains(&store.as_str()) {
            errors.push(FieldError::new("store", "field.required").with_detail(&STORES.join(", ")));
        }
        self.db.write(|conn| {
            let upload = uploads::get(conn, &input.upload)?.filter(|u| u.uploaded_by == caller.label());
            if upload.is_none() {
                errors.push(FieldError::new("upload", "field.unknown_upload"));
            }
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            let upload = upload.expect("checked");
            let (signature_status, signature_detail) = self.check_signature(&upload.blob_sha256, &upload.media_type);
            let item = Item {
                id: uuid::Uuid::now_v7().to_string(),
                owner_id: owner_id.to_string(),
                store,
                folder: input.folder.unwrap_or_default().trim().to_string(),
                paper_type: input.paper_type,
                title: input.title.trim().to_string(),
                issuer: input.issuer,
                issuer_agency_id: None,
                issue_date: input.issue_date,
                valid_until: input.valid_until,
                source_kind: source.to_string(),
                source_dossier_id: None,
                source_paper_id: None,
                blob_sha256: upload.blob_sha256,
                size_bytes: upload.size_bytes,
                media_type: upload.media_type,
                file_name: upload.file_name,
                signature_status,
                signature_detail,
                revoked: false,
                created_at: to_db(now),
                last_used_at: Some(to_db(now)),
                deleted_at: None,
            };
            repository::insert(conn, &item)?;
            repository::log_access(conn, &item, &caller.label(), "added", now)?;
            self.view(conn, item)
        })
    }

    /// Puts a returned dossier's results (and the digitised components kept) into the owner's repository,
    /// once each, and queues their sync to the national repository. Runs inside the return transaction.
    pub(super) fn push_results(
        &self,
        conn: &mut DbConnection,
        dossier: &Dossier,
        procedure: &Procedure,
        now: DateTime<Utc>,
    ) -> ServiceResult<usize> {
        if dossier.status != Status::Returned {
            return Ok(0);
        }
        let agency_name = self.db.agencies().get(conn, &dossier.agency)?.map(|a| a.name);
        let issue_date = self.calendar.local_date(dossier.completed_at.unwrap_or(now));
        let mut pushed = 0;
        for paper in papers::of_dossier(conn, &dossier.id)? {
            // Results attached as files, and the generated result document once it carries a signature.
            let signed_document = dossier.result_document.as_ref() == Some(&paper.id)
                && matches!(paper.source.as_str(), "signed" | "sealed");
            let is_result = paper.kind == "result" && (dossier.result_papers.contains(&paper.id) || signed_document);
            let current = paper.component_id.as_ref().is_some_and(|c| {
                dossier.components.iter().any(|s| s.id == *c && s.paper.as_deref() == Some(paper.id.as_str()))
            });
            let kept_component =
                paper.kind == "component" && paper.keep && current && paper.repository_item_id.is_none();
            if !(is_result || kept_component) || repository::by_source_paper(conn, &paper.id)?.is_some() {
                continue;
            }
            let paper_type = if is_result {
                // A reasoned refusal (a stopped dossier's letter) is not the paper the procedure issues.
                let refused = matches!(dossier.proposal, Some(Proposal::Refusal { .. }));
                // The result whose name the paper carries (a bundle issues several), else the first typed one.
                let named =
                    procedure.results.iter().find(|r| r.name == paper.title).and_then(|r| r.repository_type.clone());
                named.or_else(|| procedure.results.iter().find_map(|r| r.repository_type.clone())).filter(|_| !refused)
            } else {
                paper
                    .component_id
                    .as_deref()
                    .and_then(|c| procedure.component(c))
                    .and_then(|c| c.reusable.first().cloned())
            };
            let (signature_status, signature_detail) = self.check_signature(&paper.blob_sha256, &paper.media_type);
            let item = Item {
                id: uuid::Uuid::now_v7().to_string(),
                owner_id: dossier.applicant.id_number.clone(),
                store: "dossier_papers".into(),
                folder: procedure.name.clone(),
                paper_type,
                title: paper.title.clone(),
                issuer: if is_result { agency_name.clone() } else { None },
                issuer_agency_id: is_result.then(|| dossier.agency.clone()),
                issue_date: Some(issue_date),
                valid_until: None,
                source_kind: if is_result { "result" } else { "digitised" }.into(),
                source_dossier_id: Some(dossier.id.clone()),
                source_paper_id: Some(paper.id.clone()),
                blob_sha256: paper.blob_sha256.clone(),
                size_bytes: paper.size_bytes,
                media_type: paper.media_type.clone(),
                file_name: paper.file_name.clone(),
                signature_status,
                signature_detail,
                revoked: false,
                created_at: to_db(now),
                last_used_at: Some(to_db(now)),
                deleted_at: None,
            };
            repository::insert(conn, &item)?;
            repository::log_access(conn, &item, "system:repository", "added from the returned dossier", now)?;
            pushed += 1;
            // The national repository files papers by type: one without a type (a refusal letter, a paper of
            // no catalogued kind) stays in the owner's repository here only.
            if item.paper_type.is_none() {
                continue;
            }
            let message = serde_json::json!({
                "SoDinhDanhChuSoHuu": item.owner_id,
                "MaGiayTo": item.paper_type,
                "TenGiayTo": item.title,
                "CoQuanCap": item.issuer,
                "NgayCap": issue_date.format("%Y%m%d").to_string(),
                "MaHoSo": dossier.code,
                "MaHash": item.blob_sha256,
            });
            outbox::enqueue(
                conn,
                outbox::NewMessage {
                    dossier_id: Some(&dossier.id),
                    topic: crate::ports::topics::REPOSITORY_SYNC,
                    key: format!("repo:{}", item.id),
                    payload: message.to_string(),
                },
                now,
            )?;
        }
        Ok(pushed)
    }
}

impl Repository<'_> {
    /// The owner's repository at a glance: usage, stores with their folders, recent items.
    pub fn repository_overview(&self, owner: &CitizenIdentity) -> ServiceResult<Overview> {
        self.db.read(|conn| {
            let usage = repository::usage(conn, &owner.id_number)?;
            let all = repository::list(conn, &owner.id_number, &ItemFilter::default())?;
            let stores = STORES
                .iter()
                .map(|store| {
                    let mut folders: Vec<String> = all
                        .iter()
                        .filter(|i| i.store == *store)
                        .map(|i| i.folder.clone())
                        .filter(|f| !f.is_empty())
                        .collect();
                    folders.dedup();
                    StoreSummary { store, items: all.iter().filter(|i| i.store == *store).count(), folders }
                })
                .collect();
            let recent = repository::recent(conn, &owner.id_number, 10)?
                .into_iter()
                .map(|i| self.view(conn, i))
                .collect::<ServiceResult<_>>()?;
            Ok(Overview { usage, stores, recent })
        })
    }

    pub fn repository_items(&self, owner: &CitizenIdentity, filter: ItemFilter) -> ServiceResult<Vec<ItemView>> {
        self.db.read(|conn| {
            repository::list(conn, &owner.id_number, &filter)?.into_iter().map(|i| self.view(conn, i)).collect()
        })
    }

    /// Adds a paper the owner uploaded (store `uploads` unless another is given).
    pub fn add_own_item(&self, owner: &CitizenIdentity, input: NewItem) -> ServiceResult<ItemView> {
        let caller = Caller::Citizen(owner.clone());
        self.add_item(&caller, &owner.id_number, input, "owner_upload", "uploads")
    }

    /// The national portal pushes a paper into an owner's repository.
    pub fn portal_push(&self, portal: &ServiceIdentity, owner_id: &str, input: NewItem) -> ServiceResult<ItemView> {
        if !policy::may(&Caller::Service(portal.clone()), Access::ExchangeAsPortal, Target::Anywhere) {
            return Err(ServiceError::Forbidden("request.forbidden"));
        }
        self.add_item(&Caller::Service(portal.clone()), owner_id, input, "portal", "personal_papers")
    }

    pub fn move_item(&self, owner: &CitizenIdentity, id: &str, to: MoveItem) -> ServiceResult<ItemView> {
        if !STORES.contains(&to.store.as_str()) {
            return Err(ServiceError::Invalid(vec![
                FieldError::new("store", "field.required").with_detail(&STORES.join(", ")),
            ]));
        }
        self.db.write(|conn| {
            let item = self.owned(conn, owner, id, "moved")?;
            repository::move_to(conn, &item.id, &to.store, to.folder.trim())?;
            let item = repository::get(conn, id)?.ok_or_else(not_found)?;
            self.view(conn, item)
        })
    }

    /// To the trash (restorable), back from it, or deleted for good (only from the trash).
    pub fn trash_item(&self, owner: &CitizenIdentity, id: &str) -> ServiceResult<()> {
        self.db.write(|conn| {
            let item = self.owned(conn, owner, id, "trashed")?;
            repository::set_trashed(conn, &item.id, Some(self.now())).map_err(ServiceError::from)
        })
    }

    pub fn restore_item(&self, owner: &CitizenIdentity, id: &str) -> ServiceResult<()> {
        self.db.write(|conn| {
            let item = self.owned(conn, owner, id, "restored")?;
            repository::set_trashed(conn, &item.id, None).map_err(ServiceError::from)
        })
    }

    pub fn purge_item(&self, owner: &CitizenIdentity, id: &str) -> ServiceResult<()> {
        self.db.write(|conn| {
            let item = self.owned(conn, owner, id, "deleted")?;
            if item.deleted_at.is_none() {
                return Err(ServiceError::Conflict(
                    "repository.not_in_trash",
                    "move the item to the trash first".into(),
                ));
            }
            repository::delete(conn, &item.id).map_err(ServiceError::from)
        })
    }

    pub fn share_item(&self, owner: &CitizenIdentity, id: &str, share: Share, grant: bool) -> ServiceResult<ItemView> {
        let now = self.now();
        let caller = Caller::Citizen(owner.clone());
        let mine = |d: &Dossier| policy::may(&caller, Access::SeeDossier, Target::Dossier(d));
        self.db.write(|conn| {
            let grantee = match share.kind.as_str() {
                "agency" if agencies::get(conn, &share.grantee)?.is_some() => share.grantee.clone(),
                "dossier" if dossiers::get(conn, &share.grantee)?.is_some_and(|d| mine(&d)) => share.grantee.clone(),
                "portal" => "dvcqg".to_string(),
                _ => return Err(ServiceError::Invalid(vec![FieldError::new("grantee", "field.unknown_agency")])),
            };
            let item = self.owned(conn, owner, id, if grant { "shared" } else { "unshared" })?;
            if grant {
                repository::grant(conn, &item.id, &share.kind, &grantee, now)?;
            } else {
                repository::revoke(conn, &item.id, &share.kind, &grantee)?;
            }
            self.view(conn, item)
        })
    }

    /// Who read or used the owner's papers, newest first (the last 200).
    pub fn repository_access_log(&self, owner: &CitizenIdentity) -> ServiceResult<Vec<AccessRecord>> {
        self.db.read(|conn| {
            let rows = repository::access_log(conn, &owner.id_number, 200)?;
            Ok(rows
                .into_iter()
                .map(|(item, actor, action, at)| AccessRecord { item, actor, action, at: at.and_utc() })
                .collect())
        })
    }

    /// What a staff member sees of an owner's repository: items shared with their agencies or issued by them.
    pub fn repository_for_staff(&self, staff: &StaffIdentity, owner_id: &str) -> ServiceResult<Vec<ItemView>> {
        let now = self.now();
        self.db.write(|conn| {
            let mut seen = Vec::new();
            for agency in staff.agencies() {
                for item in repository::visible_to(conn, owner_id, "agency", &agency)? {
                    if !seen.iter().any(|i: &Item| i.id == item.id) {
                        repository::log_access(conn, &item, &format!("staff:{}", staff.id), "listed", now)?;
                        seen.push(item);
                    }
                }
            }
            seen.into_iter().map(|i| self.view(conn, i)).collect()
        })
    }

    /// What the portal may pull: the owner's items shared with the national portal.
    pub fn portal_pull(&self, portal: &ServiceIdentity, owner_id: &str) -> ServiceResult<Vec<ItemView>> {
        if !policy::may(&Caller::Service(portal.clone()), Access::ExchangeAsPortal, Target::Anywhere) {
            return Err(ServiceError::Forbidden("request.forbidden"));
        }
        let now = self.now();
        self.db.write(|conn| {
            let items = repository::visible_to(conn, owner_id, "portal", "dvcqg")?;
            for item in &items {
                repository::log_access(conn, item, &format!("service:{}", portal.name), "pulled", now)?;
            }
            items.into_iter().map(|i| self.view(conn, i)).collect()
        })
    }

    /// An item's content for whoever may read it.
    pub fn item_content(&self, caller: &Caller, id: &str) -> ServiceResult<(Item, Box<dyn std::io::Read + Send>)> {
        let item = self.item_for(caller, id, "downloaded")?;
        let reader = self.blobs.open(&item.blob_sha256)?;
        Ok((item, reader))
    }

    pub fn item(&self, caller: &Caller, id: &str) -> ServiceResult<ItemView> {
        let item = self.item_for(caller, id, "viewed")?;
        self.db.read(|conn| self.view(conn, item))
    }

    /// Items of `owner` the caller may reuse for a component of a procedure: usable and of an accepted type.
    pub fn reuse_offers(
        &self,
        caller: &Caller,
        owner_id: &str,
        procedure_code: &str,
        component: &str,
    ) -> ServiceResult<Vec<ItemView>> {
        let procedure = self.catalogue.current(procedure_code).ok_or(ServiceError::NotFound("procedure.not_found"))?;
        let component = procedure
            .component(component)
            .ok_or_else(|| ServiceError::Invalid(vec![FieldError::new("component", "field.unknown_component")]))?;
        let today = self.calendar.local_date(self.now());
        self.db.read(|conn| {
            let candidates = repository::list(conn, owner_id, &ItemFilter::default())?;
            let mut offers = Vec::new();
            for item in candidates {
                let accepted = item.paper_type.as_ref().is_some_and(|t| component.reusable.contains(t));
                if accepted && usable(&item, today) && self.may_use_item(conn, caller, &item)? {
                    offers.push(self.view(conn, item)?);
                }
            }
            Ok(offers)
        })
    }

    /// Back-fill: pushes the results of dossiers returned before the repository existed. Idempotent.
    pub fn backfill_repository(&self, since: Option<NaiveDate>, code: Option<&str>) -> ServiceResult<(usize, usize)> {
        let ids: Vec<String> = self.db.read(|conn| {
            let returned = match code {
                Some(code) => dossiers::by_code(conn, code)?.into_iter().collect(),
                None => {
                    let every_agency = agencies::all(conn)?.into_iter().map(|a| a.id).collect();
                    dossiers::list(
                        conn,
                        &dossiers::QueueFilter {
                            agencies: every_agency,
                            statuses: vec![Status::Returned],
                            limit: i64::MAX,
                            ..Default::default()
                        },
                    )?
                }
            };
            Ok::<_, ServiceError>(
                returned
                    .into_iter()
                    .filter(|d| d.status == Status::Returned)
                    .filter(|d| since.is_none_or(|s| d.returned_at.is_some_and(|r| self.calendar.local_date(r) >= s)))
                    .map(|d| d.id)
                    .collect(),
            )
        })?;
        let mut pushed = 0;
        for id in &ids {
            pushed += self.db.write(|conn| {
                let dossier =
                    dossiers::load_for_update(conn, id)?.ok_or(ServiceError::NotFound("dossier.not_found"))?;
                let procedure = &*self.procedure_of(&dossier)?;
                self.push_results(conn, &dossier, procedure, self.now())
            })?;
        }
        Ok((ids.len(), pushed))
    }

    /// Every blob something refers to, for verification and garbage collection; uploads newer than `since`
    /// count as referenced (their grace period).
    pub fn referenced_blobs(&self, since: DateTime<Utc>) -> ServiceResult<std::collections::HashSet<String>> {
        Ok(self.db.read(|conn| referenced_blobs_in(conn, since))?)
    }
}

/// [`Repository::referenced_blobs`] read on a given connection (a backup's snapshot).
pub(crate) fn referenced_blobs_in(
    conn: &mut DbConnection,
    since: DateTime<Utc>,
) -> crate::store::StoreResult<std::collections::HashSet<String>> {
    let mut all: std::collections::HashSet<String> = papers::blobs(conn)?.into_iter().collect();
    all.extend(repository::blobs(conn)?);
    all.extend(uploads::recent_blobs(conn, since)?);
    Ok(all)
}
