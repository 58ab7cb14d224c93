use std::process::ExitCode;

fn main() -> ExitCode {
    aslc::cli::main()
}
