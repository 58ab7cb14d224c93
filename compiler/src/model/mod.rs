//! The typed model. Its types live in the runtime crate (`asl_runtime::machine`)
//! because both engines execute them; this module adds `read`, which builds
//! the model from a definition and reports schema problems.

pub mod read;

pub use asl_runtime::machine::*;
