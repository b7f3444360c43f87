//! Layer 4: CPython 3.11 (`python3`) running the same kernel file. A process cannot be timed
//! fairly from outside (start-up, compilation), so `benches/kernels/_timer.py` imports the
//! kernel and times `kernel(n)` with `time.perf_counter` inside; we read its figures.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Checksum;

/// What one `_timer.py` process reported.
pub struct Timed {
    pub checksum: Checksum,
    /// Seconds per `kernel(n)` call, one per run.
    pub seconds: Vec<f64>,
}

fn timer_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/kernels/_timer.py")
}

/// Run `kernel(n)` `runs` times in one python3 process (after one checked call).
pub fn time(path: &Path, n: i64, runs: usize) -> Timed {
    let out = Command::new("python3")
        .arg(timer_script())
        .arg(path)
        .arg(n.to_string())
        .arg(runs.to_string())
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python3 {}: {}{}",
        path.display(),
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    let checksum = lines
        .next()
        .and_then(Checksum::parse)
        .expect("a checksum line");
    let seconds = lines.map(|l| l.trim().parse().expect("seconds")).collect();
    Timed { checksum, seconds }
}
