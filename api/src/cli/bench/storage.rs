//! The room a database takes per dossier, by table: printed after seeding and after the query benchmark.

use motcua_engine::store::{Db, StoreError, dossiers, sizes};

pub fn report(db: &Db) -> Result<(), StoreError> {
    let (count, tables) = db.read(|conn| Ok::<_, StoreError>((dossiers::count(conn)?, sizes::tables(conn)?)))?;
    let total: i64 = tables.iter().map(|(_, bytes)| bytes).sum();
    let per = |bytes: i64| bytes as f64 / count.max(1) as f64;
    println!(
        "storage: {count} dossiers, {:.1} MB in all, {:.0} bytes per dossier (blobs excluded)",
        mb(total),
        per(total)
    );
    for (table, bytes) in tables.iter().filter(|(_, bytes)| *bytes * 100 >= total) {
        println!("  {table:<24} {:>10.1} MB {:>8.0} B/dossier", mb(*bytes), per(*bytes));
    }
    Ok(())
}

fn mb(bytes: i64) -> f64 {
    bytes as f64 / 1_048_576.0
}
