//! `asl-runtime`: everything that runs an Amazon States Language workflow.
//!
//! aslc's interpreter and the binaries aslc generates both call these
//! functions, so the two engines share one semantics by construction.

pub mod aws;
pub mod choice;
pub mod cli;
pub mod env;
pub mod error;
pub mod exec;
pub mod features;
pub mod generated;
pub mod hash;
pub mod intrinsic;
pub mod io;
pub mod jsonata;
pub mod machine;
pub mod path;
pub mod random;
mod serde_text;
#[cfg(feature = "serve")]
pub mod serve;
pub mod tasks;
pub mod template;
pub mod test_state;
pub mod timestamp;
pub mod vars;

pub use error::StatesError;
/// The global allocator of the binaries aslc generates (their `main.rs`
/// installs it): about twice as fast as the system's on small JSON values.
#[cfg(feature = "mimalloc")]
pub use mimalloc::MiMalloc;
pub use serde_json;
pub use serde_json::Value;
