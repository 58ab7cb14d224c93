//! What a binary was built with. aslc compiles each binary with only the
//! runtime features its machines use (see `runtime/Cargo.toml`), so a
//! binary asked at run time for something it left out says which feature
//! that is and how to get it, instead of failing obscurely.

/// The message for `what` (in words) missing because `feature` was off.
pub fn missing(feature: &str, what: &str) -> String {
    format!("this binary was built without {what}; rebuild it with `aslc build --with {feature}`")
}

/// The `serve` subcommand of a binary built without the `serve` feature:
/// it takes whatever a served binary would and says how to get one.
#[derive(clap::Args)]
pub struct ServeLeftOut {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    args: Vec<String>,
}

impl ServeLeftOut {
    pub fn refuse(&self) -> std::process::ExitCode {
        eprintln!("error: {}", missing("serve", "the Step Functions API (`serve`)"));
        std::process::ExitCode::from(2)
    }
}
