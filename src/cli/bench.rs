//! `nanopy bench`: the main job. Runs the bundled corpus (benches/corpus) under every dispatch
//! strategy and under `python3` when present, each run a fresh process timed wall-clock
//! (start-up included, as a user would run it).
//!
//! 1. Check: every (program, runner) runs once and its stdout must equal
//!    benches/corpus/expected/NAME[.small].out. A mismatch, an error, or a program nanopy
//!    refuses ("not supported yet") is reported as such and never timed.
//! 2. Time: `--repeat` rounds; within a round every program runs under every runner that passed,
//!    in an order rotated each round, so machine load drifts onto all runners alike.
//!    The median of the rounds is reported.
//! 3. Report: a table on stdout (seconds and speed-up over CPython, geometric mean; then each
//!    runner's peak RSS and its ratio to CPython's, see `memory`), and in
//!    bench-results/: `<date>-<host>.json` (all samples), `.md` (machine header and tables),
//!    `-speedup.svg` and `-layers.svg` (see `charts`). `--baseline FILE` compares with an earlier
//!    JSON (see `report::compare` for how noise is judged).
//!
//! `--against NAME=EXE` adds another nanopy build (say, main's, before a change) as more
//! runners, labelled `NAME:STRATEGY`: an A/B comparison measured side by side in one run, which
//! is worth far more on a shared machine than two runs compared afterwards.

mod charts;
mod memory;
mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use nanopy_vm::Dispatch;

use report::{ProgramResult, Report, RunResult, Status};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Size {
    /// The benchmark sizes (about 0.5-1 s of CPython each).
    Default,
    /// The test sizes (milliseconds; a smoke run).
    Small,
}

#[derive(clap::Args)]
pub struct Args {
    /// Only these programs (comma-separated names from benches/corpus/corpus.tsv).
    #[arg(long, value_delimiter = ',')]
    pub programs: Vec<String>,
    /// Only these dispatch strategies (comma-separated; default: all).
    #[arg(long, value_delimiter = ',', value_parser = super::run::dispatch_parser())]
    pub strategies: Vec<Dispatch>,
    /// Timed rounds per (program, runner); the median is reported.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
    /// Program sizes: `default` for timing, `small` for a quick smoke run.
    #[arg(long, value_enum, default_value = "default")]
    pub size: Size,
    /// Print the result as JSON on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// An earlier result (JSON written by `nanopy bench`) to compare with.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Skip python3 even if it is installed.
    #[arg(long)]
    pub no_python: bool,
    /// Write nothing to bench-results/.
    #[arg(long)]
    pub no_write: bool,
    /// Another corpus laid out as benches/corpus (corpus.tsv, programs/, expected/).
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// Run nothing: rewrite the table, Markdown and charts of an earlier JSON result.
    #[arg(long, value_name = "FILE")]
    pub from_json: Option<PathBuf>,
    /// Where results go (default: the repository's bench-results/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also time another nanopy build under the same strategies, labelled NAME:STRATEGY
    /// (repeatable; e.g. `--against main=/tmp/nanopy-main`).
    #[arg(long, value_name = "NAME=EXE", value_parser = parse_against)]
    pub against: Vec<(String, PathBuf)>,
}

fn parse_against(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, exe)) if !name.is_empty() && !exe.is_empty() && !name.contains(':') => {
            Ok((name.to_string(), PathBuf::from(exe)))
        }
        _ => Err(format!("expected NAME=EXE (NAME without ':'), got {s:?}")),
    }
}

/// The repository this binary was built from: home of the bundled corpus and bench-results/.
fn repo_root() -> PathBuf {
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if built.join("benches/corpus").is_dir() {
        built
    } else {
        PathBuf::from(".")
    }
}

/// Who runs a program: CPython, or a nanopy executable under one strategy.
struct Runner {
    label: String,
    kind: RunnerKind,
}

enum RunnerKind {
    /// The interpreter `python3` resolves to (see `python_exe`).
    Python(PathBuf),
    Nanopy {
        exe: PathBuf,
        dispatch: Dispatch,
    },
}

impl Runner {
    fn command(&self, prog: &Path, n: &str) -> Command {
        let mut c = match &self.kind {
            RunnerKind::Python(exe) => Command::new(exe),
            RunnerKind::Nanopy { exe, dispatch } => {
                let mut c = Command::new(exe);
                c.args(["run", "--dispatch", dispatch.name()]);
                c
            }
        };
        c.arg(prog).arg(n).stdin(Stdio::null());
        c
    }
}

/// One row of benches/corpus/corpus.tsv.
struct Program {
    name: String,
    tier: u32,
    n: String,
    path: PathBuf,
    expected: PathBuf,
}

fn load_corpus(corpus: &Path, size: Size, only: &[String]) -> Result<Vec<Program>, String> {
    let table = std::fs::read_to_string(corpus.join("corpus.tsv"))
        .map_err(|e| format!("{}: {e}", corpus.join("corpus.tsv").display()))?;
    let mut programs = Vec::new();
    for row in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [name, tier, small, default, ..] = cols[..] else {
            return Err(format!("corpus.tsv: bad row {row:?}"));
        };
        if !only.is_empty() && !only.iter().any(|p| p == name) {
            continue;
        }
        let (n, suffix) = match size {
            Size::Default => (default, ".out"),
            Size::Small => (small, ".small.out"),
        };
        programs.push(Program {
            name: name.to_string(),
            tier: tier.parse().unwrap_or(0),
            n: n.to_string(),
            path: corpus.join("programs").join(format!("{name}.py")),
            expected: corpus.join("expected").join(format!("{name}{suffix}")),
        });
    }
    let unknown: Vec<&String> = only
        .iter()
        .filter(|p| !programs.iter().any(|q| &q.name == *p))
        .collect();
    if !unknown.is_empty() {
        return Err(format!("unknown programs: {unknown:?}"));
    }
    Ok(programs)
}

/// Run once and judge the output.
fn check(runner: &Runner, prog: &Program) -> (Status, Option<String>) {
    let expected = match std::fs::read(&prog.expected) {
        Ok(e) => e,
        Err(e) => return (Status::Error, Some(format!("no expected output: {e}"))),
    };
    let out = match runner.command(&prog.path, &prog.n).output() {
        Ok(o) => o,
        Err(e) => return (Status::Error, Some(format!("cannot start: {e}"))),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or("").trim().to_string();
    if stderr.contains("not supported yet") || stderr.contains("does not support") {
        (Status::Unsupported, Some(last))
    } else if !out.status.success() {
        let detail = format!("exit {}: {last}", out.status.code().unwrap_or(-1));
        (Status::Error, Some(detail))
    } else if out.stdout != expected {
        (
            Status::Mismatch,
            Some("stdout differs from the expected output".into()),
        )
    } else {
        (Status::Ok, None)
    }
}

/// Wall-clock seconds and peak RSS (KiB) of one run (output discarded; it was checked before).
fn time_once(runner: &Runner, prog: &Program) -> Option<(f64, u64)> {
    let mut cmd = runner.command(&prog.path, &prog.n);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let t = Instant::now();
    let child = cmd.spawn().ok()?;
    let (ok, rss) = memory::wait_with_peak_rss(child)?;
    let secs = t.elapsed().as_secs_f64();
    ok.then_some((secs, rss))
}

/// The executable `python3` runs, as CPython reports it (`sys.executable`); None when there is
/// no python3. Launchers such as pyenv's shims are shell scripts that start the interpreter
/// after 0.1-0.25 s of their own, which timing `python3` itself would count as CPython's time.
fn python_exe() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args(["-c", "import sys; sys.stdout.write(sys.executable)"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let exe = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    Some(if exe.is_file() {
        exe
    } else {
        PathBuf::from("python3")
    })
}

pub fn run(args: Args) -> ExitCode {
    match bench(args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("nanopy bench: {msg}");
            ExitCode::from(2)
        }
    }
}

fn bench(args: Args) -> Result<ExitCode, String> {
    let root = repo_root();
    let report = match &args.from_json {
        Some(path) => Report::load(path)?,
        None => measure(&args, &root)?,
    };
    publish(report, args, &root)
}

/// Check, then time, every (program, runner).
fn measure(args: &Args, root: &Path) -> Result<Report, String> {
    let corpus = args
        .corpus
        .clone()
        .unwrap_or_else(|| root.join("benches/corpus"));
    let programs = load_corpus(&corpus, args.size, &args.programs)?;
    let exe = std::env::current_exe().map_err(|e| format!("own executable: {e}"))?;
    let strategies = if args.strategies.is_empty() {
        Dispatch::ALL.to_vec()
    } else {
        args.strategies.clone()
    };
    let python = if args.no_python { None } else { python_exe() };
    let mut runners: Vec<Runner> = Vec::new();
    if let Some(exe) = &python {
        runners.push(Runner {
            label: report::PYTHON.to_string(),
            kind: RunnerKind::Python(exe.clone()),
        });
    }
    let builds = std::iter::once((None, exe)).chain(
        args.against
            .iter()
            .map(|(name, path)| (Some(name.as_str()), path.clone())),
    );
    for (name, exe) in builds {
        if !exe.is_file() {
            return Err(format!("{}: no such executable", exe.display()));
        }
        for &dispatch in &strategies {
            runners.push(Runner {
                label: match name {
                    Some(name) => format!("{name}:{}", dispatch.name()),
                    None => dispatch.name().to_string(),
                },
                kind: RunnerKind::Nanopy {
                    exe: exe.clone(),
                    dispatch,
                },
            });
        }
    }

    let repeat = args.repeat as usize;
    let bar = ProgressBar::new((programs.len() * runners.len() * (1 + repeat)) as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg:30} [{elapsed} < {eta}]")
            .expect("template")
            .progress_chars("=> "),
    );

    // Step 1: check every output before any time counts.
    let mut results: Vec<ProgramResult> = Vec::new();
    for prog in &programs {
        let mut runs = Vec::new();
        for r in &runners {
            bar.set_message(format!("check {} {}", prog.name, r.label));
            let (status, detail) = check(r, prog);
            runs.push(RunResult::new(&r.label, status, detail));
            bar.inc(1);
        }
        results.push(ProgramResult {
            name: prog.name.clone(),
            tier: prog.tier,
            n: prog.n.clone(),
            runs,
        });
    }

    // Step 2: interleaved timed rounds, runner order rotated each round.
    for round in 0..repeat {
        for (p, prog) in programs.iter().enumerate() {
            for k in 0..runners.len() {
                let i = (k + round + p) % runners.len();
                let r = &runners[i];
                bar.inc(1);
                if results[p].runs[i].status != Status::Ok {
                    continue;
                }
                bar.set_message(format!("round {} {} {}", round + 1, prog.name, r.label));
                match time_once(r, prog) {
                    Some((t, rss)) => {
                        results[p].runs[i].times_s.push(t);
                        results[p].runs[i].peak_rss_kib.push(rss);
                    }
                    None => {
                        // Passed the check but failed now: report it, drop its times.
                        let run = &mut results[p].runs[i];
                        run.status = Status::Error;
                        run.detail = Some("failed on a timed run".into());
                        run.times_s.clear();
                    }
                }
            }
        }
    }
    bar.finish_and_clear();
    for p in &mut results {
        for r in &mut p.runs {
            r.finish();
        }
    }

    let command = std::iter::once("nanopy".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let mut machine = report::Machine::detect(root);
    if let Some(exe) = &python {
        machine.python = format!("{} ({})", machine.python, exe.display());
    }
    Ok(Report {
        machine,
        settings: report::Settings {
            size: match args.size {
                Size::Default => "default".into(),
                Size::Small => "small".into(),
            },
            repeat: args.repeat,
            runners: runners.iter().map(|r| r.label.clone()).collect(),
            command,
        },
        programs: results,
    })
}

/// Print the table and write the files.
fn publish(report: Report, args: Args, root: &Path) -> Result<ExitCode, String> {
    let baseline = match &args.baseline {
        Some(path) => Some(Report::load(path)?),
        None => None,
    };
    let changes = baseline.as_ref().map(|b| report::compare(b, &report));

    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report::text_table(&report));
        if memory::any(&report) {
            print!("\n{}", memory::text_table(&report));
        }
        if let Some(changes) = &changes {
            print!("\n{}", report::text_changes(changes));
        }
    }

    if !args.no_write {
        let dir = args.out.unwrap_or_else(|| root.join("bench-results"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let stem = format!("{}-{}", report.machine.day(), report.machine.host);
        let layers = report::latest_layers(&root.join("bench-results"));
        let speedup_svg = format!("{stem}-speedup.svg");
        let layers_svg = format!("{stem}-layers.svg");
        let mut charts_written = vec![speedup_svg.clone()];
        write(&dir, &speedup_svg, &charts::speedup(&report))?;
        if let Some((source, table)) = &layers {
            write(&dir, &layers_svg, &charts::layers(table, source))?;
            charts_written.push(layers_svg);
        }
        let md = report::markdown(&report, changes.as_deref(), &charts_written);
        write(&dir, &format!("{stem}.json"), &report.to_json())?;
        write(&dir, &format!("{stem}.md"), &md)?;
        eprintln!(
            "wrote {}/{stem}.json, .md, {}",
            dir.display(),
            charts_written.join(", ")
        );
    }
    let all_ok = report
        .programs
        .iter()
        .flat_map(|p| &p.runs)
        .all(|r| matches!(r.status, Status::Ok | Status::Unsupported));
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), String> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}
