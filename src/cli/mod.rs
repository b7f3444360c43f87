//! One module per subcommand. Each exposes `Args` (clap) and `run(Args) -> ExitCode`.

pub mod ast;
pub mod bench;
pub mod dis;
pub mod run;
pub mod stats;
pub mod tokens;
pub mod trace;
