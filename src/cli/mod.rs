//! One module per subcommand. Each exposes `Args` (clap) and `run(Args) -> ExitCode`.

pub mod ast;
pub mod bench;
pub mod compile;
pub mod dis;
pub mod loader;
pub mod run;
pub mod stats;
pub mod tokens;
pub mod trace;
