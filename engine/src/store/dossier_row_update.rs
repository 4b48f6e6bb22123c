//! The dossier row's update after an action, as one fixed statement that PostgreSQL prepares once per connection.
//!
//! diesel never caches a changeset `UPDATE` (a changeset may skip its `None` fields, so its text can vary), and
//! PostgreSQL then planned it anew for every action: in pg_stat_statements under the lifecycle load, its planning
//! took two thirds as long as its running. This statement's text never varies, so its static query id lets
//! diesel keep it prepared.

use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Binary, Integer, Nullable, Text, Timestamp};
use diesel::{QueryResult, RunQueryDsl};

/// Every column an action can change, set where the row is still at `expected_version`.
pub(super) struct RowUpdate<'a> {
    pub id: &'a str,
    pub expected_version: i64,
    pub code: Option<&'a str>,
    pub status: i32,
    pub step: Option<&'a str>,
    pub assignee_id: Option<&'a str>,
    pub consulted_agency_id: Option<&'a str>,
    pub received_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub alert_level: i32,
    pub version: i64,
    pub packed: Vec<u8>,
    pub updated_at: NaiveDateTime,
    pub due_sort: NaiveDateTime,
    pub search_text: String,
}

impl QueryId for RowUpdate<'_> {
    type QueryId = RowUpdate<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<'a, DB> QueryFragment<DB> for RowUpdate<'a>
where
    DB: Backend,
    &'a str: ToSql<Text, DB>,
    Option<&'a str>: ToSql<Nullable<Text>, DB>,
    i32: ToSql<Integer, DB>,
    i64: ToSql<BigInt, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
    Option<NaiveDateTime>: ToSql<Nullable<Timestamp>, DB>,
    Vec<u8>: ToSql<Binary, DB>,
    String: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE dossiers SET code = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.code)?;
        out.push_sql(", status = ");
        out.push_bind_param::<Integer, _>(&self.status)?;
        out.push_sql(", step = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.step)?;
        out.push_sql(", assignee_id = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.assignee_id)?;
        out.push_sql(", consulted_agency_id = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.consulted_agency_id)?;
        out.push_sql(", received_at = ");
        out.push_bind_param::<Nullable<Timestamp>, _>(&self.received_at)?;
        out.push_sql(", due_at = ");
        out.push_bind_param::<Nullable<Timestamp>, _>(&self.due_at)?;
        out.push_sql(", alert_level = ");
        out.push_bind_param::<Integer, _>(&self.alert_level)?;
        out.push_sql(", version = ");
        out.push_bind_param::<BigInt, _>(&self.version)?;
        out.push_sql(", state = '', packed = ");
        out.push_bind_param::<Binary, _>(&self.packed)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.updated_at)?;
        out.push_sql(", due_sort = ");
        out.push_bind_param::<Timestamp, _>(&self.due_sort)?;
        out.push_sql(", search_text = ");
        out.push_bind_param::<Text, _>(&self.search_text)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<Text, _>(&self.id)?;
        out.push_sql(" AND version = ");
        out.push_bind_param::<BigInt, _>(&self.expected_version)?;
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for RowUpdate<'_> {}
