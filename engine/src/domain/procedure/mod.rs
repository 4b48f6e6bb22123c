//! Procedure definitions (DESIGN.md §4): the typed model, the registries they are checked against, the
//! validating parser and the versioned catalogue.

mod catalogue;
mod locate;
mod model;
mod parse;
mod registry;

pub use catalogue::{Catalogue, CatalogueError};
pub use model::*;
pub use parse::{Problem, parse_procedure};
pub use registry::{Registry, RegistryError};
