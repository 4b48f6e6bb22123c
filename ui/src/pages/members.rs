//! The procedures of an inter-agency bundle (Decree 63/2024) as the submission form and the reception desk offer
//! them: each with its agency kind, the required ones chosen and fixed.

use motcua_engine::domain::procedure::{Catalogue, Procedure, Registry};

pub struct MemberChoice {
    pub code: String,
    pub name: String,
    /// The kind of agency that handles it, in words ("Công an xã, phường, đặc khu").
    pub handled_by: String,
    pub required: bool,
    pub chosen: bool,
}

/// The bundle's procedures with what is chosen (empty for a procedure that is no bundle).
pub fn choices(catalogue: &Catalogue, registry: &Registry, bundle: &Procedure, chosen: &[String]) -> Vec<MemberChoice> {
    bundle
        .members
        .iter()
        .filter_map(|m| {
            let procedure = catalogue.current(&m.procedure)?;
            Some(MemberChoice {
                code: m.procedure.clone(),
                name: procedure.name.clone(),
                handled_by: registry.agency_kinds.get(&procedure.agency_kind).cloned().unwrap_or_default(),
                required: m.required,
                chosen: m.required || chosen.contains(&m.procedure),
            })
        })
        .collect()
}

/// What a form chose: the ticked procedures and the required ones, in the bundle's order.
pub fn chosen(bundle: &Procedure, ticked: &[String]) -> Vec<String> {
    bundle.members.iter().filter(|m| m.required || ticked.contains(&m.procedure)).map(|m| m.procedure.clone()).collect()
}
