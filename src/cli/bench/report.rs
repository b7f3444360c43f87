//! What `nanopy bench` found, and how it is written down: the result (serialised as JSON, read
//! back for `--baseline`), the machine header, the terminal and Markdown tables, the comparison
//! with a baseline, and the layer-ladder table read from bench-results/layers-*.md for the
//! stacked chart.

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// The CPython runner's label (speed-ups are over it).
pub const PYTHON: &str = "python3";

/// Where the run happened: enough to tell two results apart and to reproduce one.
#[derive(Serialize, Deserialize, Clone)]
pub struct Machine {
    /// `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    pub commit: String,
    pub host: String,
    pub cpu: String,
    pub cores: usize,
    pub rustc: String,
    pub python: String,
    pub os: String,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Settings {
    pub size: String,
    pub repeat: u32,
    /// In column order: `python3` (when present) then the strategies.
    pub runners: Vec<String>,
    pub command: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Output matched; timed.
    Ok,
    /// Ran, but stdout differs from the expected output.
    Mismatch,
    /// nanopy refuses a feature of the program ("not supported yet").
    Unsupported,
    /// Non-zero exit or could not start.
    Error,
}

impl Status {
    fn cell(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Mismatch => "MISMATCH",
            Status::Unsupported => "unsupported",
            Status::Error => "ERROR",
        }
    }
}

#[derive(Serialize, Deserialize, Clone)]
pub struct RunResult {
    pub runner: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    /// Wall-clock seconds of each timed round.
    pub times_s: Vec<f64>,
    pub median_s: Option<f64>,
    // --- memory ---
    /// Peak resident set size of each timed round, KiB (see `memory`).
    #[serde(default)]
    pub peak_rss_kib: Vec<u64>,
    /// The largest of `peak_rss_kib`.
    #[serde(default)]
    pub max_rss_kib: Option<u64>,
}

impl RunResult {
    pub fn new(runner: &str, status: Status, detail: Option<String>) -> RunResult {
        RunResult {
            runner: runner.to_string(),
            status,
            detail,
            times_s: Vec::new(),
            median_s: None,
            peak_rss_kib: Vec::new(),
            max_rss_kib: None,
        }
    }

    /// Compute the median (and the largest peak RSS) once every round has run.
    pub fn finish(&mut self) {
        self.median_s = median(&self.times_s);
        self.max_rss_kib = self.peak_rss_kib.iter().copied().max();
    }

    /// The status as a table cell.
    pub fn status_cell(&self) -> &'static str {
        self.status.cell()
    }

    fn range(&self) -> Option<(f64, f64)> {
        let min = self.times_s.iter().copied().reduce(f64::min)?;
        let max = self.times_s.iter().copied().reduce(f64::max)?;
        Some((min, max))
    }
}

#[derive(Serialize, Deserialize, Clone)]
pub struct ProgramResult {
    pub name: String,
    pub tier: u32,
    /// The size argument passed to the program.
    pub n: String,
    pub runs: Vec<RunResult>,
}

impl ProgramResult {
    pub fn run(&self, runner: &str) -> Option<&RunResult> {
        self.runs.iter().find(|r| r.runner == runner)
    }

    /// CPython's median over `runner`'s, when both ran.
    pub fn speedup(&self, runner: &str) -> Option<f64> {
        let py = self.run(PYTHON)?.median_s?;
        Some(py / self.run(runner)?.median_s?)
    }
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Report {
    pub machine: Machine,
    pub settings: Settings,
    pub programs: Vec<ProgramResult>,
}

impl Report {
    pub fn load(path: &Path) -> Result<Report, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serialises") + "\n"
    }

    /// The nanopy strategies, in column order.
    pub fn strategies(&self) -> impl Iterator<Item = &str> {
        self.settings
            .runners
            .iter()
            .map(String::as_str)
            .filter(|r| *r != PYTHON)
    }

    pub fn has_python(&self) -> bool {
        self.settings.runners.iter().any(|r| r == PYTHON)
    }

    /// Programs every runner ran (the geometric mean's set, the same for every column).
    pub fn common(&self) -> Vec<&ProgramResult> {
        self.programs
            .iter()
            .filter(|p| p.runs.iter().all(|r| r.median_s.is_some()))
            .collect()
    }

    /// Geometric mean of `runner`'s speed-ups over `common()`.
    pub fn geomean(&self, runner: &str) -> Option<f64> {
        let s: Vec<f64> = self
            .common()
            .iter()
            .filter_map(|p| p.speedup(runner))
            .collect();
        (!s.is_empty()).then(|| (s.iter().map(|x| x.ln()).sum::<f64>() / s.len() as f64).exp())
    }
}

pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

// ----- the machine header -----

fn sh(cmd: &str, args: &[&str], dir: &Path) -> String {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
            if s.is_empty() {
                // `python3 --version` printed to stderr before 3.4; keep it robust.
                String::from_utf8_lossy(&o.stderr).trim().to_string()
            } else {
                s
            }
        })
        .unwrap_or_else(|| "unknown".into())
}

impl Machine {
    pub fn detect(root: &Path) -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| sh("hostname", &[], root));
        let host = host.split('.').next().unwrap_or("host").to_string();
        let mut commit = sh("git", &["rev-parse", "--short", "HEAD"], root);
        if !sh(
            "git",
            &["status", "--porcelain", "--untracked-files=no"],
            root,
        )
        .is_empty()
            && commit != "unknown"
        {
            commit.push_str("-dirty");
        }
        Machine {
            date: utc_now(),
            commit,
            host,
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            rustc: sh("rustc", &["--version"], root),
            python: sh("python3", &["--version"], root),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }

    /// `YYYY-MM-DD` of `date` (the result files' prefix).
    pub fn day(&self) -> &str {
        self.date.get(..10).unwrap_or(&self.date)
    }
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC` (civil-from-days, no time-zone crate).
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

// ----- tables -----

/// The cells of the results table: header row, then one row per program, then the geometric
/// mean. A timed cell reads `0.412 s 1.52×` (speed-up over CPython when it ran).
fn rows(r: &Report) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut head = vec!["program".to_string(), "tier".into()];
    head.extend(r.settings.runners.iter().cloned());
    out.push(head);
    for p in &r.programs {
        let mut row = vec![p.name.clone(), p.tier.to_string()];
        for label in &r.settings.runners {
            let run = p.run(label);
            row.push(match run {
                Some(RunResult {
                    median_s: Some(t), ..
                }) => match p.speedup(label).filter(|_| label != PYTHON) {
                    Some(s) => format!("{t:.3} s {s:.2}×"),
                    None => format!("{t:.3} s"),
                },
                Some(run) => run.status.cell().to_string(),
                None => "-".into(),
            });
        }
        out.push(row);
    }
    let n = r.common().len();
    let mut geo = vec![format!("geometric mean ({n})"), String::new()];
    for label in &r.settings.runners {
        geo.push(match r.geomean(label).filter(|_| label != PYTHON) {
            Some(g) => format!("{g:.2}×"),
            None => String::new(),
        });
    }
    out.push(geo);
    out
}

/// The table for the terminal, columns aligned.
pub fn text_table(r: &Report) -> String {
    let rows = rows(r);
    let mut s = aligned(&rows, &[0, rows.len() - 2]);
    s.push_str(&footnote(r));
    s
}

/// `rows` as aligned text columns (first left-aligned, the rest right-aligned), with a rule
/// of dashes after each row index in `rules`.
pub fn aligned(rows: &[Vec<String>], rules: &[usize]) -> String {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        s.push_str(cells.join("  ").trim_end());
        s.push('\n');
        if rules.contains(&i) {
            let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            s.push_str(&"-".repeat(total));
            s.push('\n');
        }
    }
    s
}

fn footnote(r: &Report) -> String {
    let mut s = format!(
        "Median of {} wall-clock run(s) per cell, start-up included, {} size. ",
        r.settings.repeat, r.settings.size
    );
    if r.has_python() {
        s.push_str("× = speed-up over python3 (higher is faster); geometric mean over the programs every runner ran.\n");
    } else {
        s.push_str("python3 not run: no speed-ups.\n");
    }
    // One line per program and distinct failure; "every strategy" when all nanopy runs agree.
    let mut notes: Vec<String> = Vec::new();
    for p in &r.programs {
        let bad: Vec<&RunResult> = p.runs.iter().filter(|x| x.status != Status::Ok).collect();
        let nanopy: Vec<&&RunResult> = bad.iter().filter(|x| x.runner != PYTHON).collect();
        let all_same = nanopy.len() == r.strategies().count()
            && nanopy.len() > 1
            && nanopy
                .iter()
                .all(|x| x.status == nanopy[0].status && x.detail == nanopy[0].detail);
        for run in &bad {
            if all_same && run.runner != PYTHON && run.runner != nanopy[0].runner {
                continue;
            }
            let who = if all_same && run.runner != PYTHON {
                "every strategy"
            } else {
                run.runner.as_str()
            };
            let detail = run
                .detail
                .as_deref()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default();
            notes.push(format!(
                "  {} ({who}): {}{detail}",
                p.name,
                run.status.cell()
            ));
        }
    }
    if !notes.is_empty() {
        s.push_str("Not timed:\n");
        s.push_str(&notes.join("\n"));
        s.push('\n');
    }
    s
}

/// The Markdown report: header, table, baseline comparison, charts.
pub fn markdown(r: &Report, changes: Option<&[Change]>, charts: &[String]) -> String {
    let m = &r.machine;
    let mut s = format!("# nanopy bench, {}\n\n", m.date);
    for (k, v) in [
        ("commit", m.commit.as_str()),
        ("host", m.host.as_str()),
        ("cpu", m.cpu.as_str()),
        ("rustc", m.rustc.as_str()),
        ("python", m.python.as_str()),
        ("os", m.os.as_str()),
        ("command", r.settings.command.as_str()),
    ] {
        s.push_str(&format!("- {k}: `{v}`\n"));
    }
    s.push_str(&format!("- cores: {}\n\n", m.cores));
    let rows = rows(r);
    s.push_str(&format!("| {} |\n", rows[0].join(" | ")));
    s.push_str(&format!(
        "|---|---:|{}\n",
        "---:|".repeat(rows[0].len() - 2)
    ));
    for (i, row) in rows.iter().enumerate().skip(1) {
        let cells: Vec<String> = if i == rows.len() - 1 {
            row.iter()
                .map(|c| {
                    if c.is_empty() {
                        String::new()
                    } else {
                        format!("**{c}**")
                    }
                })
                .collect()
        } else {
            row.clone()
        };
        s.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    s.push('\n');
    s.push_str(&footnote(r).replace("  ", "- "));
    if super::memory::any(r) {
        s.push_str("\n## Peak memory\n\n");
        s.push_str(&super::memory::markdown(r));
    }
    if let Some(changes) = changes {
        s.push_str("\n## Against the baseline\n\n");
        s.push_str(&text_changes(changes));
    }
    if !charts.is_empty() {
        s.push_str("\n## Charts\n\n");
        for c in charts {
            s.push_str(&format!("![{c}]({c})\n\n"));
        }
    }
    s
}

// ----- baseline comparison -----

/// One (program, runner) timed in both runs.
pub struct Change {
    pub program: String,
    pub runner: String,
    pub old: f64,
    pub new: f64,
    /// Beyond noise (see `compare`).
    pub significant: bool,
}

/// Smallest relative change ever flagged, however tight the samples.
const NOISE_FLOOR: f64 = 0.03;

/// Compare medians run by run. Noise is judged from the samples themselves: a change is flagged
/// only when the two runs' ranges `[min, max]` of their rounds do not overlap (every round of one
/// run beat every round of the other) and the medians differ by more than 3%. With a single
/// round the ranges are points, so only the 3% floor applies: use `--repeat 3` or more.
pub fn compare(old: &Report, new: &Report) -> Vec<Change> {
    let mut out = Vec::new();
    for p in &new.programs {
        let Some(op) = old.programs.iter().find(|q| q.name == p.name && q.n == p.n) else {
            continue;
        };
        for run in &p.runs {
            let Some(orun) = op.run(&run.runner) else {
                continue;
            };
            let (Some(n), Some(o), Some(nr), Some(or)) =
                (run.median_s, orun.median_s, run.range(), orun.range())
            else {
                continue;
            };
            let disjoint = nr.1 < or.0 || or.1 < nr.0;
            let significant = disjoint && (n / o - 1.0).abs() > NOISE_FLOOR;
            out.push(Change {
                program: p.name.clone(),
                runner: run.runner.clone(),
                old: o,
                new: n,
                significant,
            });
        }
    }
    out
}

pub fn text_changes(changes: &[Change]) -> String {
    let flagged: Vec<&Change> = changes.iter().filter(|c| c.significant).collect();
    let mut s = format!(
        "Against the baseline: {} of {} timings changed beyond noise (rounds' ranges disjoint and median moved > {:.0}%).\n",
        flagged.len(),
        changes.len(),
        NOISE_FLOOR * 100.0
    );
    for c in flagged {
        let ratio = c.new / c.old;
        let word = if ratio < 1.0 { "faster" } else { "slower" };
        s.push_str(&format!(
            "  {:<14} {:<9} {:.3} s -> {:.3} s  ({:+.1}%, {word})\n",
            c.program,
            c.runner,
            c.old,
            c.new,
            (ratio - 1.0) * 100.0
        ));
    }
    s
}

// ----- the layer ladder (for the stacked chart) -----

/// Median seconds per (kernel, layer), in the order of bench-results/layers-*.md's Times table.
pub struct Layers {
    pub kernels: Vec<(String, Vec<(String, f64)>)>,
}

impl Layers {
    pub fn get(&self, kernel: &str, layer: &str) -> Option<f64> {
        let (_, ls) = self.kernels.iter().find(|(k, _)| k == kernel)?;
        ls.iter().find(|(l, _)| l == layer).map(|&(_, t)| t)
    }
}

/// The newest layers-*.md in `dir` (names carry the date) and its Times table.
pub fn latest_layers(dir: &Path) -> Option<(String, Layers)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("layers-") && n.ends_with(".md"))
        .collect();
    names.sort();
    let name = names.pop()?;
    let text = std::fs::read_to_string(dir.join(&name)).ok()?;
    parse_layers(&text).map(|l| (name, l))
}

/// Rows `| kernel | layer | median | min | ...` of the "## Times" section.
fn parse_layers(text: &str) -> Option<Layers> {
    let times = text.split("## Times").nth(1)?;
    let mut kernels: Vec<(String, Vec<(String, f64)>)> = Vec::new();
    for line in times.lines().take_while(|l| !l.starts_with("## ")) {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() < 3 {
            continue;
        }
        let Some(secs) = parse_duration(cells[2]) else {
            continue;
        };
        let (kernel, layer) = (cells[0].to_string(), cells[1].to_string());
        match kernels.iter_mut().find(|(k, _)| *k == kernel) {
            Some((_, ls)) => ls.push((layer, secs)),
            None => kernels.push((kernel, vec![(layer, secs)])),
        }
    }
    (!kernels.is_empty()).then_some(Layers { kernels })
}

/// `177.4 µs`, `13.321 ms`, `1.2 s` → seconds.
fn parse_duration(cell: &str) -> Option<f64> {
    let (num, unit) = cell.split_once(' ')?;
    let x: f64 = num.parse().ok()?;
    let scale = match unit {
        "ns" => 1e-9,
        "µs" | "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        _ => return None,
    };
    Some(x * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_times_table() {
        let md = "# x\n\n## Times\n\n| kernel | layer | median | min |\n|---|---|---:|---:|\n\
                  | add | 1-native | 177.4 µs | 1 µs |\n| add | 3-vm-tail | 13.321 ms | 1 ms |\n\n## Next\n| a | b | 1 s |\n";
        let l = parse_layers(md).expect("table");
        assert_eq!(l.kernels.len(), 1);
        assert!((l.get("add", "1-native").unwrap() - 177.4e-6).abs() < 1e-12);
        assert!((l.get("add", "3-vm-tail").unwrap() - 13.321e-3).abs() < 1e-12);
        assert_eq!(l.get("a", "b"), None);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn date_has_the_header_shape() {
        let d = utc_now();
        assert_eq!(d.len(), "2026-11-30 20:00 UTC".len(), "{d}");
        assert!(d.starts_with("20") && d.ends_with(" UTC"));
    }
}
