//! aslc: an ahead-of-time compiler and an interpreter for the Amazon States
//! Language. The pipeline is visible in the modules: `source` reads text
//! with positions, `model` builds the typed model, `check` validates it,
//! `graph` draws it, `interpret` runs it over the `asl-runtime` crate.

pub mod build;
pub mod check;
pub mod cli;
pub mod codegen;
pub mod diagnostics;
pub mod graph;
pub mod iac;
pub mod interpret;
pub mod model;
pub mod observe;
pub mod source;
pub mod test_state;
pub mod testing;
pub mod viewer;
