//! The `server` binary: a shim over [`server::cli`].

fn main() -> std::process::ExitCode {
    server::cli::main()
}
