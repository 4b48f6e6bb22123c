//! Procedure definitions (DESIGN.md §4): the typed model, the registries they are checked against, the
//! validating parser and the versioned catalogue.

mod catalogue;
mod eform;
mod locate;
mod model;
mod parse;
mod registry;

pub use catalogue::{Catalogue, CatalogueError};
pub use eform::{
    FieldKind, FormField, MAX_FIELD_CHARS, Prefill, check_form_data, form_entries, has_form_data, replaced_by_form,
};
pub use model::*;
pub use parse::{Problem, parse_procedure};
pub use registry::{Registry, RegistryError};
