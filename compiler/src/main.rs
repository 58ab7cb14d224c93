use std::process::ExitCode;

/// The allocator built binaries use: the interpreter and the server
/// allocate as many small JSON values as they do.
#[global_allocator]
static ALLOCATOR: asl_runtime::MiMalloc = asl_runtime::MiMalloc;

fn main() -> ExitCode {
    aslc::cli::main()
}
