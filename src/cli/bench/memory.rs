//! Peak memory in `nanopy bench`: each timed run's peak resident set size, read from the
//! kernel when the run is reaped (`wait4`'s `ru_maxrss`: the child's own high-water mark, start-up
//! included, as `/usr/bin/time -f %M` reports it), and the table comparing nanopy with CPython.
//!
//! A runner's figure is the largest peak over its timed rounds (peaks barely vary between
//! rounds; the largest is the conservative one to hold against CPython's).

use std::process::Child;

use super::report::{Report, RunResult, PYTHON};

/// Wait for `child`; its exit status (success) and peak RSS in KiB.
pub fn wait_with_peak_rss(child: Child) -> Option<(bool, u64)> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child (std never waits for it: we own the `Child`),
    // and both out-pointers are valid for writes.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if reaped != pid {
        return None;
    }
    // Reaped here, so std must not wait for it again; dropping a `Child` does not wait.
    drop(child);
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // Linux reports ru_maxrss in KiB.
    Some((ok, usage.ru_maxrss.max(0) as u64))
}

/// `KiB` as megabytes with one decimal (as the README and issue quote them).
fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 / 1000.0)
}

/// The memory table: peak RSS per program and runner, and each strategy's ratio to python3
/// (below 1 = nanopy uses less).
pub fn rows(r: &Report) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut head = vec!["program".to_string()];
    head.extend(r.settings.runners.iter().cloned());
    out.push(head);
    for p in &r.programs {
        let py = p.run(PYTHON).and_then(|x| x.max_rss_kib);
        let mut row = vec![p.name.clone()];
        for label in &r.settings.runners {
            row.push(match p.run(label) {
                Some(RunResult {
                    max_rss_kib: Some(k),
                    ..
                }) => match py.filter(|_| label != PYTHON) {
                    Some(py) => format!("{} {:.2}×", mb(*k), *k as f64 / py as f64),
                    None => mb(*k),
                },
                Some(run) if run.median_s.is_some() => "-".into(),
                Some(run) => run.status_cell().to_string(),
                None => "-".into(),
            });
        }
        out.push(row);
    }
    out
}

/// Whether any run recorded a peak (results written before peaks were measured have none).
pub fn any(r: &Report) -> bool {
    r.programs
        .iter()
        .flat_map(|p| &p.runs)
        .any(|x| x.max_rss_kib.is_some())
}

pub const FOOTNOTE: &str = "Peak RSS: the largest over the timed rounds of each run's own \
high-water mark (wait4 ru_maxrss, start-up included); × = nanopy's peak over python3's \
(lower uses less memory).\n";

/// The memory table for the terminal.
pub fn text_table(r: &Report) -> String {
    let mut s = super::report::aligned(&rows(r), &[0]);
    s.push_str(FOOTNOTE);
    s
}

/// The memory table in Markdown.
pub fn markdown(r: &Report) -> String {
    let rows = rows(r);
    let mut s = format!("| {} |\n", rows[0].join(" | "));
    s.push_str(&format!("|---|{}\n", "---:|".repeat(rows[0].len() - 1)));
    for row in rows.iter().skip(1) {
        s.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    s.push('\n');
    s.push_str(FOOTNOTE);
    s
}
