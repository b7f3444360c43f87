//! One module per subcommand. Each exposes `Args` (clap) and `run(Args) -> ExitCode`.

pub mod ast;
pub mod tokens;
