//! My repository (`/cong-dan/kho`): papers by store and folder with their validity, moving between folders,
//! sharing with an agency or the national portal and taking it back, the trash (restore, delete for good),
//! adding a paper and downloading one, each through the repository service the API uses.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use motcua_engine::domain::identity::{Caller, CitizenIdentity};
use motcua_engine::service::ServiceError;
use motcua_engine::service::repository::{ItemView, MoveItem, NewItem, STORES, Share};
use motcua_engine::store::repository::ItemFilter;
use serde::Deserialize;

use super::download;
use crate::UiState;
use crate::error::PageError;
use crate::form::{Errors, input_id};
use crate::pages::Shell;
use crate::session::{Visit, local_path, url_escape};
use crate::shell::render;

#[derive(Debug, Default, Deserialize)]
pub struct View {
    #[serde(default)]
    kho: String,
    #[serde(default, rename = "thu-muc")]
    thu_muc: String,
    #[serde(default, rename = "thung-rac")]
    thung_rac: String,
}

impl View {
    fn trash(&self) -> bool {
        !self.thung_rac.is_empty()
    }

    /// This view's address, to come back to after an action.
    fn href(&self) -> String {
        let mut parts = Vec::new();
        if !self.kho.is_empty() {
            parts.push(format!("kho={}", url_escape(&self.kho)));
        }
        if !self.thu_muc.is_empty() {
            parts.push(format!("thu-muc={}", url_escape(&self.thu_muc)));
        }
        if self.trash() {
            parts.push("thung-rac=1".into());
        }
        if parts.is_empty() { "/cong-dan/kho".into() } else { format!("/cong-dan/kho?{}", parts.join("&")) }
    }
}

pub struct Link {
    pub href: String,
    pub label: String,
    pub current: bool,
}

pub struct Option_ {
    pub value: String,
    pub label: String,
}

pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub issuer: String,
    pub issued: String,
    pub store: String,
    pub store_label: &'static str,
    pub folder: String,
    pub valid: bool,
    pub validity: &'static str,
    pub shares: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "citizen/repository.html")]
struct RepositoryPage {
    shell: Shell,
    here: String,
    trash: bool,
    usage: String,
    links: Vec<Link>,
    items: Vec<ItemRow>,
    stores: Vec<Option_>,
    paper_types: Vec<Option_>,
    agencies: Vec<Option_>,
    errors: Errors,
    /// The item the errors are about (empty: the add form).
    about: String,
    add: AddForm,
}

impl RepositoryPage {
    fn id(&self, field: &str) -> String {
        input_id(field)
    }
}

#[derive(Debug, Default, Clone)]
struct AddForm {
    title: String,
    paper_type: String,
    issuer: String,
    issue_date: String,
    valid_until: String,
    store: String,
    folder: String,
}

fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// What a refused action shows again: its errors, the item they are about, the add form as typed.
#[derive(Default)]
struct Refused {
    errors: Errors,
    about: String,
    add: AddForm,
}

async fn page_with(
    visit: &Visit,
    state: &UiState,
    citizen: &CitizenIdentity,
    view: &View,
    refused: Refused,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let Refused { errors, about, add } = refused;
    let lang = visit.lang;
    let services = state.services.clone();
    let owner = citizen.clone();
    let filter = ItemFilter {
        store: (!view.kho.is_empty()).then(|| view.kho.clone()),
        folder: (!view.thu_muc.is_empty()).then(|| view.thu_muc.clone()),
        trash: view.trash(),
    };
    let (overview, items, agencies, dossiers) = web::block(move || -> Result<_, ServiceError> {
        let overview = services.repository().repository_overview(&owner)?;
        let items = services.repository().repository_items(&owner, filter)?;
        // Papers shared with a dossier name it by its code.
        let dossiers = if items.iter().any(|i| i.shares.iter().any(|(kind, _)| kind == "dossier")) {
            services.citizens().my_dossiers(&owner, None, Some(200))?.items
        } else {
            Vec::new()
        };
        Ok((overview, items, services.agencies()?, dossiers))
    })
    .await?
    .map_err(|e| PageError::service(visit, &e))?;
    let store_label = |store: &str| lang.t(&format!("ui.citizen.store.{store}"));
    let mut links = vec![Link {
        href: "/cong-dan/kho".into(),
        label: lang.t("ui.citizen.all_papers").into(),
        current: view.kho.is_empty() && !view.trash(),
    }];
    for store in &overview.stores {
        links.push(Link {
            href: format!("/cong-dan/kho?kho={}", store.store),
            label: format!("{} ({})", store_label(store.store), store.items),
            current: view.kho == store.store && view.thu_muc.is_empty() && !view.trash(),
        });
        for folder in &store.folders {
            links.push(Link {
                href: format!("/cong-dan/kho?kho={}&thu-muc={}", store.store, url_escape(folder)),
                label: format!("{} › {folder}", store_label(store.store)),
                current: view.kho == store.store && view.thu_muc == *folder,
            });
        }
    }
    links.push(Link {
        href: "/cong-dan/kho?thung-rac=1".into(),
        label: format!("{} ({})", lang.t("ui.citizen.trash"), overview.usage.trash_items),
        current: view.trash(),
    });
    let agency_name =
        |id: &str| agencies.iter().find(|a| a.id == id).map_or_else(|| id.to_string(), |a| a.name.clone());
    let rows = items
        .into_iter()
        .map(|ItemView { item, validity, shares }| ItemRow {
            kind: item
                .paper_type
                .as_ref()
                .map(|t| state.services.registry.paper_types.get(t).cloned().unwrap_or_else(|| t.clone()))
                .unwrap_or_default(),
            issuer: item.issuer.clone().unwrap_or_default(),
            issued: item.issue_date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
            store_label: store_label(&item.store),
            store: item.store.clone(),
            folder: item.folder.clone(),
            valid: validity.valid,
            validity: lang.t(validity.reason.unwrap_or("repository.valid")),
            shares: shares
                .into_iter()
                .map(|(kind, grantee)| {
                    let label = match kind.as_str() {
                        "agency" => agency_name(&grantee),
                        "portal" => lang.t("ui.citizen.share.portal").to_string(),
                        _ => {
                            let code = dossiers.iter().find(|d| d.id == grantee).and_then(|d| d.code.clone());
                            format!("{} {}", lang.t("ui.citizen.dossier"), code.unwrap_or_else(|| grantee.clone()))
                        }
                    };
                    (kind, grantee, label)
                })
                .collect(),
            id: item.id,
            title: item.title,
        })
        .collect();
    let page = RepositoryPage {
        shell: visit.shell(lang.t("ui.nav_repository")),
        here: view.href(),
        trash: view.trash(),
        usage: format!("{} · {}", overview.usage.items, size(overview.usage.bytes)),
        links,
        items: rows,
        stores: STORES.iter().map(|s| Option_ { value: s.to_string(), label: store_label(s).to_string() }).collect(),
        paper_types: state
            .services
            .registry
            .paper_types
            .iter()
            .map(|(code, name)| Option_ { value: code.clone(), label: name.clone() })
            .collect(),
        agencies: agencies.iter().map(|a| Option_ { value: a.id.clone(), label: a.name.clone() }).collect(),
        errors,
        about,
        add,
    };
    Ok(visit.page(status, render(&page)?))
}

/// `GET /cong-dan/kho`.
pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    view: web::Query<View>,
) -> Result<HttpResponse, actix_web::Error> {
    let citizen = visit.require_citizen()?;
    page_with(&visit, &state, &citizen, &view, Refused::default(), StatusCode::OK).await
}

fn date(text: &str, field: &str, errors: &mut Errors, message: &str) -> Option<NaiveDate> {
    if text.is_empty() {
        return None;
    }
    let parsed = crate::form::parse_day(text);
    if parsed.is_none() {
        errors.add(field, message);
    }
    parsed
}

/// `POST /cong-dan/kho` (multipart): adds a paper the citizen uploads.
pub async fn add(
    visit: Visit,
    state: web::Data<UiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    // Read whole and its CSRF token checked before anything is done.
    let form = visit.posted(&req, payload).await?;
    let citizen = visit.require_citizen()?;
    let text = |name: &str| form.text(name).trim().to_string();
    let kept = AddForm {
        title: text("title"),
        paper_type: text("paper_type"),
        issuer: text("issuer"),
        issue_date: text("issue_date"),
        valid_until: text("valid_until"),
        store: text("store"),
        folder: text("folder"),
    };
    let view = View::default();
    let mut errors = Errors::default();
    let invalid_date = visit.lang.t("ui.citizen.invalid_date");
    let issue_date = date(&kept.issue_date, "issue_date", &mut errors, invalid_date);
    let valid_until = date(&kept.valid_until, "valid_until", &mut errors, invalid_date);
    let file = form.file("file");
    if file.is_none() {
        errors.add("file", visit.lang.t("ui.citizen.file_required"));
    }
    if kept.title.is_empty() {
        errors.add("title", visit.lang.t("field.required"));
    }
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page_with(&visit, &state, &citizen, &view, Refused { errors, add: kept, ..Refused::default() }, status)
            .await;
    }
    let file = file.expect("checked");
    let optional = |t: &str| (!t.is_empty()).then(|| t.to_string());
    let services = state.services.clone();
    let (owner, name, bytes) = (citizen.clone(), file.name.clone(), file.bytes.clone());
    let input = kept.clone();
    let added = web::block(move || {
        let upload = services.papers().upload_bytes(&Caller::Citizen(owner.clone()), &name, &bytes)?;
        let item = NewItem {
            upload: upload.id,
            title: input.title.clone(),
            paper_type: optional(&input.paper_type),
            issuer: optional(&input.issuer),
            issue_date,
            valid_until,
            store: optional(&input.store),
            folder: optional(&input.folder),
        };
        services.repository().add_own_item(&owner, item)
    })
    .await?;
    match added {
        Ok(item) => Ok(visit.see_other(&format!("/cong-dan/kho?kho={}", item.item.store))),
        Err(e) if e.http_status() < 500 => {
            let errors = Errors::of(visit.lang, &e);
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let refused = Refused { errors, add: kept, ..Refused::default() };
            page_with(&visit, &state, &citizen, &view, refused, status).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    csrf: String,
    /// The page to come back to.
    #[serde(default)]
    tro_ve: String,
    #[serde(default)]
    store: String,
    #[serde(default)]
    folder: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    grantee: String,
}

/// `POST /cong-dan/kho/{id}/{action}`: `chuyen` (move), `chia-se` (share), `bo-chia-se` (unshare), `xoa`
/// (to the trash), `khoi-phuc` (restore), `xoa-han` (delete for good, from the trash only).
pub async fn act(
    visit: Visit,
    state: web::Data<UiState>,
    path: web::Path<(String, String)>,
    form: web::Form<ActForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let form = form.into_inner();
    visit.check_csrf(&form.csrf)?;
    let citizen = visit.require_citizen()?;
    let (id, action) = path.into_inner();
    let back =
        local_path(&form.tro_ve).filter(|p| p.starts_with("/cong-dan/kho")).unwrap_or("/cong-dan/kho").to_string();
    let services = state.services.clone();
    let (owner, item) = (citizen.clone(), id.clone());
    let share = Share { kind: form.kind.clone(), grantee: form.grantee.clone() };
    let to = MoveItem { store: form.store.clone(), folder: form.folder.clone() };
    let done = web::block(move || -> Result<bool, ServiceError> {
        match action.as_str() {
            "chuyen" => services.repository().move_item(&owner, &item, to).map(|_| true),
            "chia-se" => services.repository().share_item(&owner, &item, share, true).map(|_| true),
            "bo-chia-se" => services.repository().share_item(&owner, &item, share, false).map(|_| true),
            "xoa" => services.repository().trash_item(&owner, &item).map(|_| true),
            "khoi-phuc" => services.repository().restore_item(&owner, &item).map(|_| true),
            "xoa-han" => services.repository().purge_item(&owner, &item).map(|_| true),
            _ => Ok(false),
        }
    })
    .await?;
    match done {
        Ok(true) => Ok(visit.see_other(&back)),
        Ok(false) => Err(PageError::not_found(&visit).into()),
        Err(e) if e.http_status() < 500 && e.http_status() != 404 => {
            let view = view_of(&back);
            let errors = Errors::of(visit.lang, &e);
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let refused = Refused { errors, about: id, ..Refused::default() };
            page_with(&visit, &state, &citizen, &view, refused, status).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}

/// The view a `/cong-dan/kho?…` address shows.
fn view_of(href: &str) -> View {
    let query = href.split_once('?').map_or("", |(_, q)| q);
    web::Query::<View>::from_query(query).map(|q| q.into_inner()).unwrap_or_default()
}

/// `GET /cong-dan/kho/{id}/tai-ve`: the paper's file (every download is logged by the service).
pub async fn download_item(
    visit: Visit,
    state: web::Data<UiState>,
    id: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    let citizen = visit.require_citizen()?;
    let services = state.services.clone();
    let id = id.into_inner();
    let (item, reader) = web::block(move || services.repository().item_content(&Caller::Citizen(citizen), &id))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    Ok(download(&item.media_type, &item.file_name, reader))
}
