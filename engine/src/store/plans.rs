//! The plans PostgreSQL chooses for a query: the tests check that the hot queries read through an index and
//! never sort a whole table, whatever the table's size (`EXPLAIN` under `enable_seqscan` and `enable_sort` off:
//! a plan that still scans or sorts has no index to do otherwise).

use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Text;

use super::{DbConnection, MultiBackend, StoreResult};

/// `EXPLAIN` in front of a query.
struct Explain<Q>(Q);

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Explain<Q> {
    type SqlType = Text;
}

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        pass.push_sql("EXPLAIN ");
        self.0.walk_ast(pass.reborrow())
    }
}

impl<Q, C> RunQueryDsl<C> for Explain<Q> {}

/// The plan of `query` as `EXPLAIN` prints it, one node a line.
pub(crate) fn explain<Q: QueryFragment<MultiBackend>>(conn: &mut DbConnection, query: Q) -> StoreResult<String> {
    let lines: Vec<String> = Explain(query).load(conn)?;
    Ok(lines.join("\n"))
}
