//! Citizens' and businesses' data repositories: items, sharing, and the access log.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{repository_access, repository_items, repository_shares};
use super::{DbConnection, StoreResult, to_db};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = repository_items)]
pub struct Item {
    pub id: String,
    pub owner_id: String,
    /// dossier_papers | personal_papers | uploads
    pub store: String,
    pub folder: String,
    pub paper_type: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub issuer_agency_id: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// result | digitised | owner_upload | portal
    pub source_kind: String,
    pub source_dossier_id: Option<String>,
    pub source_paper_id: Option<String>,
    pub blob_sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub file_name: String,
    /// unchecked | valid | invalid | unsigned
    pub signature_status: String,
    pub signature_detail: Option<String>,
    pub revoked: bool,
    #[serde(serialize_with = "super::serialize_utc")]
    pub created_at: chrono::NaiveDateTime,
    #[serde(serialize_with = "super::serialize_utc_opt")]
    pub last_used_at: Option<chrono::NaiveDateTime>,
    #[serde(serialize_with = "super::serialize_utc_opt")]
    pub deleted_at: Option<chrono::NaiveDateTime>,
}

/// Which of an owner's items to list.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub store: Option<String>,
    pub folder: Option<String>,
    pub trash: bool,
}

pub fn insert(conn: &mut DbConnection, item: &Item) -> StoreResult<()> {
    diesel::insert_into(repository_items::table).values(item).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Item>> {
    Ok(repository_items::table.find(id).select(Item::as_select()).first(conn).optional()?)
}

pub fn by_source_paper(conn: &mut DbConnection, paper_id: &str) -> StoreResult<Option<Item>> {
    Ok(repository_items::table
        .filter(repository_items::source_paper_id.eq(paper_id))
        .select(Item::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConnection, owner: &str, filter: &ItemFilter) -> StoreResult<Vec<Item>> {
    let mut q = repository_items::table.filter(repository_items::owner_id.eq(owner)).into_boxed();
    q = if filter.trash {
        q.filter(repository_items::deleted_at.is_not_null())
    } else {
        q.filter(repository_items::deleted_at.is_null())
    };
    if let Some(store) = &filter.store {
        q = q.filter(repository_items::store.eq(store.clone()));
    }
    if let Some(folder) = &filter.folder {
        q = q.filter(repository_items::folder.eq(folder.clone()));
    }
    Ok(q.order((repository_items::store, repository_items::folder, repository_items::title, repository_items::id))
        .select(Item::as_select())
        .load(conn)?)
}

/// The owner's most recently added or used items.
pub fn recent(conn: &mut DbConnection, owner: &str, limit: i64) -> StoreResult<Vec<Item>> {
    Ok(repository_items::table
        .filter(repository_items::owner_id.eq(owner).and(repository_items::deleted_at.is_null()))
        .order((repository_items::last_used_at.desc(), repository_items::id))
        .limit(limit)
        .select(Item::as_select())
        .load(conn)?)
}

pub fn touch(conn: &mut DbConnection, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(repository_items::table.find(id))
        .set(repository_items::last_used_at.eq(Some(to_db(at))))
        .execute(conn)?;
    Ok(())
}

pub fn set_trashed(conn: &mut DbConnection, id: &str, at: Option<DateTime<Utc>>) -> StoreResult<()> {
    diesel::update(repository_items::table.find(id))
        .set(repository_items::deleted_at.eq(at.map(to_db)))
        .execute(conn)?;
    Ok(())
}

pub fn move_to(conn: &mut DbConnection, id: &str, store: &str, folder: &str) -> StoreResult<()> {
    diesel::update(repository_items::table.find(id))
        .set((repository_items::store.eq(store), repository_items::folder.eq(folder)))
        .execute(conn)?;
    Ok(())
}

/// Deletes for good (shares go with it; the access log stays).
pub fn delete(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::delete(repository_shares::table.filter(repository_shares::item_id.eq(id))).execute(conn)?;
    diesel::delete(repository_items::table.find(id)).execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    pub items: i64,
    pub bytes: i64,
    pub trash_items: i64,
    pub trash_bytes: i64,
}

pub fn usage(conn: &mut DbConnection, owner: &str) -> StoreResult<Usage> {
    let rows: Vec<(Option<chrono::NaiveDateTime>, i64)> = repository_items::table
        .filter(repository_items::owner_id.eq(owner))
        .select((repository_items::deleted_at, repository_items::size_bytes))
        .load(conn)?;
    let mut usage = Usage::default();
    for (deleted, size) in rows {
        if deleted.is_some() {
            usage.trash_items += 1;
            usage.trash_bytes += size;
        } else {
            usage.items += 1;
            usage.bytes += size;
        }
    }
    Ok(usage)
}

pub fn grant(conn: &mut DbConnection, item: &str, kind: &str, grantee: &str, at: DateTime<Utc>) -> StoreResult<()> {
    let exists = repository_shares::table.find((item, kind, grantee)).count().get_result::<i64>(conn)? > 0;
    if !exists {
        diesel::insert_into(repository_shares::table)
            .values((
                repository_shares::item_id.eq(item),
                repository_shares::grantee_kind.eq(kind),
                repository_shares::grantee_id.eq(grantee),
                repository_shares::granted_at.eq(to_db(at)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn revoke(conn: &mut DbConnection, item: &str, kind: &str, grantee: &str) -> StoreResult<bool> {
    Ok(diesel::delete(repository_shares::table.find((item, kind, grantee))).execute(conn)? == 1)
}

/// (kind, grantee) pairs an item is shared with.
pub fn shares(conn: &mut DbConnection, item: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(repository_shares::table
        .filter(repository_shares::item_id.eq(item))
        .order((repository_shares::grantee_kind, repository_shares::grantee_id))
        .select((repository_shares::grantee_kind, repository_shares::grantee_id))
        .load(conn)?)
}

pub fn is_shared_with(conn: &mut DbConnection, item: &str, kind: &str, grantee: &str) -> StoreResult<bool> {
    Ok(repository_shares::table.find((item, kind, grantee)).count().get_result::<i64>(conn)? > 0)
}

/// An owner's live items shared with a grantee, plus (for an agency) the ones it issued itself.
pub fn visible_to(conn: &mut DbConnection, owner: &str, kind: &str, grantee: &str) -> StoreResult<Vec<Item>> {
    let shared = repository_shares::table
        .filter(
            repository_shares::grantee_kind
                .eq(kind.to_string())
                .and(repository_shares::grantee_id.eq(grantee.to_string())),
        )
        .select(repository_shares::item_id);
    let mut q = repository_items::table
        .filter(repository_items::owner_id.eq(owner).and(repository_items::deleted_at.is_null()))
        .into_boxed();
    q = if kind == "agency" {
        q.filter(repository_items::id.eq_any(shared).or(repository_items::issuer_agency_id.eq(grantee.to_string())))
    } else {
        q.filter(repository_items::id.eq_any(shared))
    };
    Ok(q.order((repository_items::title, repository_items::id)).select(Item::as_select()).load(conn)?)
}

pub fn log_access(
    conn: &mut DbConnection,
    item: &Item,
    actor: &str,
    action: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(repository_access::table)
        .values((
            repository_access::item_id.eq(&item.id),
            repository_access::owner_id.eq(&item.owner_id),
            repository_access::actor.eq(actor),
            repository_access::action.eq(action),
            repository_access::at.eq(to_db(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The access log of an owner's repository, newest first.
pub fn access_log(
    conn: &mut DbConnection,
    owner: &str,
    limit: i64,
) -> StoreResult<Vec<(String, String, String, chrono::NaiveDateTime)>> {
    Ok(repository_access::table
        .filter(repository_access::owner_id.eq(owner))
        .order(repository_access::id.desc())
        .limit(limit)
        .select((
            repository_access::item_id,
            repository_access::actor,
            repository_access::action,
            repository_access::at,
        ))
        .load(conn)?)
}

/// Every blob an item refers to.
pub fn blobs(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    Ok(repository_items::table.select(repository_items::blob_sha256).distinct().load(conn)?)
}
