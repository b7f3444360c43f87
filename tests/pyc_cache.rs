//! The bytecode cache end to end, through the real binary: `run` writes and then uses
//! `__pycache__/NAME.nanopy-<tag>.pyc`, `-v` says what happened, `--no-cache` bypasses it, a
//! read-only directory runs silently without writing, damaged cache files are rejected with
//! one warning line and the program still runs correctly (also for hundreds of random
//! mutations executed by the VM), concurrent writers never leave a torn file, and
//! `nanopy compile` / `nanopy dis x.pyc`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::{nanopy, python, Outcome};

/// A fresh scratch directory (removed by `Drop`).
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "nanopy-pyc-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PROGRAM: &str = r#"
def outer(a, b=2, *args, k=3, **kw):
    total = a + b
    def inner(x):
        return x * total + k
    return inner

def gen(n):
    for i in range(n):
        if i % 2:
            yield i

big = 123456789012345678901234567890
print(outer(1)(2), [i * i for i in gen(7)], {'x': 1.5, 'y': (1, 'two')}, big, sep='|')
print(f"{big!r:>40}", sorted({3, 1, 2}), 'ok' if big > 10 else 'no')
"#;

fn pyc_of(dir: &Path, stem: &str) -> PathBuf {
    let cache = dir.join("__pycache__");
    let found: Vec<PathBuf> = std::fs::read_dir(&cache)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    let pycs: Vec<&PathBuf> = found
        .iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(&format!("{stem}.nanopy-")) && n.ends_with(".pyc")
        })
        .collect();
    assert_eq!(pycs.len(), 1, "one cache file for {stem} in {found:?}");
    pycs[0].clone()
}

fn rel(dir: &Path, p: &Path) -> String {
    p.strip_prefix(dir).unwrap().display().to_string()
}

#[test]
fn run_writes_the_cache_then_uses_it_and_notices_edits() {
    let s = Scratch::new("run");
    s.write("prog.py", PROGRAM);
    let expected = python(&s.0, "prog.py");
    assert_eq!(expected.status, 0, "{}", expected.stderr);

    let first = nanopy(&s.0, &["run", "-v", "prog.py"]);
    let pyc = rel(&s.0, &pyc_of(&s.0, "prog"));
    assert_eq!(first.stdout, expected.stdout);
    assert_eq!(
        first.stderr,
        format!("nanopy: compiled, cache written: {pyc}\n")
    );

    let second = nanopy(&s.0, &["run", "-v", "prog.py"]);
    assert_eq!(second.stdout, expected.stdout);
    assert_eq!(second.stderr, format!("nanopy: cache hit: {pyc}\n"));

    // Without -v a hit is silent.
    let quiet = nanopy(&s.0, &["run", "prog.py"]);
    assert_eq!(
        (quiet.stdout.as_str(), quiet.stderr.as_str()),
        (expected.stdout.as_str(), "")
    );

    // An edit that keeps the size: only the mtime tells.
    let edited = PROGRAM.replace("'ok'", "'OK'");
    assert_eq!(edited.len(), PROGRAM.len());
    let src = s.write("prog.py", &edited);
    let f = std::fs::File::options().write(true).open(&src).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(2))
        .unwrap();
    drop(f);
    let third = nanopy(&s.0, &["run", "-v", "prog.py"]);
    assert!(
        third.stdout.contains("|OK") || third.stdout.contains(" OK"),
        "{}",
        third.stdout
    );
    assert_eq!(
        third.stderr,
        format!("nanopy: cache stale: {pyc}\nnanopy: compiled, cache written: {pyc}\n")
    );
    let fourth = nanopy(&s.0, &["run", "-v", "prog.py"]);
    assert_eq!(fourth.stdout, third.stdout);
    assert_eq!(fourth.stderr, format!("nanopy: cache hit: {pyc}\n"));
}

#[test]
fn imported_modules_go_through_the_cache_too() {
    let s = Scratch::new("import");
    s.write(
        "helper.py",
        "def twice(x):\n    return 2 * x\n\nNAME = 'helper'\n",
    );
    s.write(
        "main.py",
        "import helper\nprint(helper.twice(21), helper.NAME)\n",
    );
    let expected = python(&s.0, "main.py");
    assert_eq!(expected.status, 0, "{}", expected.stderr);

    let first = nanopy(&s.0, &["run", "-v", "main.py"]);
    assert_eq!(first.stdout, expected.stdout);
    let helper_pyc = pyc_of(&s.0, "helper");
    assert!(
        first.stderr.contains(&format!(
            "nanopy: compiled, cache written: {}",
            helper_pyc.display()
        )),
        "{}",
        first.stderr
    );

    let second = nanopy(&s.0, &["run", "-v", "main.py"]);
    assert_eq!(second.stdout, expected.stdout);
    assert!(
        second
            .stderr
            .contains(&format!("nanopy: cache hit: {}", helper_pyc.display())),
        "{}",
        second.stderr
    );

    // A damaged module cache is rejected with one warning and the module recompiled.
    std::fs::write(&helper_pyc, b"garbage").unwrap();
    let third = nanopy(&s.0, &["run", "main.py"]);
    assert_eq!(third.stdout, expected.stdout);
    assert_eq!(third.stderr.lines().count(), 1, "{}", third.stderr);
    assert!(third.stderr.contains("cache rejected"), "{}", third.stderr);

    // --no-cache applies to imports as well: nothing new is written.
    std::fs::remove_dir_all(s.0.join("__pycache__")).unwrap();
    let fourth = nanopy(&s.0, &["run", "--no-cache", "main.py"]);
    assert_eq!(fourth.stdout, expected.stdout);
    assert!(!s.0.join("__pycache__").exists());
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let s = Scratch::new("nocache");
    s.write("prog.py", PROGRAM);
    let out = nanopy(&s.0, &["run", "--no-cache", "-v", "prog.py"]);
    assert_eq!(out.stdout, python(&s.0, "prog.py").stdout);
    assert_eq!(
        out.stderr,
        "nanopy: cache disabled (--no-cache)\nnanopy: compiled\n"
    );
    assert!(!s.0.join("__pycache__").exists());

    // A damaged cache is not even looked at.
    nanopy(&s.0, &["run", "prog.py"]);
    let pyc = pyc_of(&s.0, "prog");
    std::fs::write(&pyc, b"garbage").unwrap();
    let out = nanopy(&s.0, &["run", "--no-cache", "prog.py"]);
    assert_eq!(out.stderr, "");
    assert_eq!(std::fs::read(&pyc).unwrap(), b"garbage");
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

#[test]
fn read_only_directory_runs_silently_without_writing() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new("readonly");
    s.write("prog.py", PROGRAM);
    let expected = python(&s.0, "prog.py").stdout;
    std::fs::set_permissions(&s.0, std::fs::Permissions::from_mode(0o555)).unwrap();
    // root ignores permission bits: run as `nobody` then.
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_nanopy"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_nanopy"))
    };
    let out = cmd
        .current_dir(&s.0)
        .args(["run", "prog.py"])
        .output()
        .expect("spawn");
    let verbose = if is_root() {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_nanopy"))
            .current_dir(&s.0)
            .args(["run", "-v", "prog.py"])
            .output()
            .expect("spawn")
    } else {
        Command::new(env!("CARGO_BIN_EXE_nanopy"))
            .current_dir(&s.0)
            .args(["run", "-v", "prog.py"])
            .output()
            .expect("spawn")
    };
    std::fs::set_permissions(&s.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "silent");
    assert!(!s.0.join("__pycache__").exists());
    let v = String::from_utf8_lossy(&verbose.stderr);
    assert!(
        v.starts_with(
            "nanopy: compiled, cache not written (permission denied): __pycache__/prog.nanopy-"
        ),
        "{v}"
    );
}

/// Damage the cache file in a few typical ways: each run warns once, runs correctly, and
/// leaves a good cache behind.
#[test]
fn damaged_cache_files_are_rejected_with_one_warning_and_recompiled() {
    let s = Scratch::new("damaged");
    s.write("prog.py", PROGRAM);
    let expected = python(&s.0, "prog.py").stdout;
    nanopy(&s.0, &["run", "prog.py"]);
    let pyc = pyc_of(&s.0, "prog");
    let good = std::fs::read(&pyc).unwrap();
    let damages: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "truncated header"),
        (
            "truncated",
            good[..good.len() / 2].to_vec(),
            "checksum mismatch",
        ),
        (
            "bad magic",
            [&b"XXXX"[..], &good[4..]].concat(),
            "bad magic number",
        ),
        (
            "flipped bit",
            {
                let mut g = good.clone();
                let n = g.len() - 10;
                g[n] ^= 4;
                g
            },
            "checksum mismatch",
        ),
    ];
    for (what, bytes, why) in damages {
        std::fs::write(&pyc, &bytes).unwrap();
        let out = nanopy(&s.0, &["run", "prog.py"]);
        assert_eq!(out.stdout, expected, "{what}");
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{what}: {}", out.stderr);
        assert!(
            lines[0].starts_with("nanopy: warning: cache rejected: ") && lines[0].contains(why),
            "{what}: {}",
            lines[0]
        );
        let again = nanopy(&s.0, &["run", "-v", "prog.py"]);
        assert_eq!(again.stdout, expected);
        assert!(
            again.stderr.starts_with("nanopy: cache hit"),
            "{what}: rewritten"
        );
    }
}

/// xorshift64*, seeded: failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn run_with_timeout(dir: &Path, args: &[&str], limit: Duration) -> Option<Outcome> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nanopy"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            let out = child.wait_with_output().expect("output");
            return Some(Outcome {
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                status: out.status.code().unwrap_or(-1),
            });
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Mutated cache files with a recomputed checksum reach the reader, the verifier and, when
/// accepted, the VM: whatever they do, the process must end by itself with status 0 or 1
/// (a Python exception), never a panic (101) or a signal.
#[test]
fn mutated_cache_files_with_fixed_checksums_never_crash_the_vm() {
    let s = Scratch::new("mutants");
    s.write("prog.py", PROGRAM);
    nanopy(&s.0, &["run", "prog.py"]);
    let pyc = pyc_of(&s.0, "prog");
    let good = std::fs::read(&pyc).unwrap();
    let mut rng = Rng(0xC0FF_EE12_3456_789A);
    let (mut accepted, mut rejected, mut timeouts) = (0, 0, 0);
    for i in 0..300 {
        let mut m = good.clone();
        for _ in 0..1 + rng.next() % 2 {
            let at = 32 + (rng.next() as usize) % (m.len() - 32);
            if rng.next().is_multiple_of(2) {
                m[at] ^= 1 << (rng.next() % 8);
            } else {
                m[at] = rng.next() as u8;
            }
        }
        let sum = nanopy_compiler::bytecode::pyc::hash64(&m[32..]);
        m[24..32].copy_from_slice(&sum.to_le_bytes());
        std::fs::write(&pyc, &m).unwrap();
        // Keep the file fresh for the next mutation: no rewrite happens if it is accepted.
        let Some(out) = run_with_timeout(&s.0, &["run", "prog.py"], Duration::from_secs(10)) else {
            timeouts += 1;
            continue;
        };
        assert!(
            out.status == 0 || out.status == 1,
            "mutation {i}: status {}\n{}",
            out.status,
            out.stderr
        );
        assert!(
            !out.stderr.contains("panicked"),
            "mutation {i}: {}",
            out.stderr
        );
        if out.stderr.starts_with("nanopy: warning: cache rejected") {
            rejected += 1;
        } else {
            accepted += 1;
        }
    }
    eprintln!("{rejected} rejected, {accepted} accepted and run, {timeouts} timed out");
    assert!(rejected > 150);
}

#[test]
fn concurrent_writers_never_leave_a_torn_file() {
    let s = Scratch::new("race");
    // A few thousand lines, so that writing the cache takes a while.
    let mut big = String::new();
    for i in 0..1500 {
        big.push_str(&format!(
            "def f{i}(a, b={i}):\n    return [a, b, {i}, 'name{i}', a * {i} + b]\n"
        ));
    }
    big.push_str("print(sum(f1499(1)[0:3]), f7(2))\n");
    s.write("big.py", &big);
    let expected = python(&s.0, "big.py");
    assert_eq!(expected.status, 0);
    for round in 0..4 {
        let _ = std::fs::remove_dir_all(s.0.join("__pycache__"));
        let children: Vec<_> = (0..12)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_nanopy"))
                    .current_dir(&s.0)
                    .args(["run", "big.py"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("wait");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                expected.stdout,
                "round {round}"
            );
            // A torn file would be rejected with a warning here.
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "round {round}");
        }
        let pyc = pyc_of(&s.0, "big");
        let leftovers: Vec<_> = std::fs::read_dir(s.0.join("__pycache__"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        let dis = nanopy(&s.0, &["dis", pyc.to_str().unwrap()]);
        assert_eq!(dis.status, 0, "{}", dis.stderr);
        let hit = nanopy(&s.0, &["run", "-v", "big.py"]);
        assert!(
            hit.stderr.starts_with("nanopy: cache hit"),
            "{}",
            hit.stderr
        );
    }
}

#[test]
fn dis_reads_a_pyc_like_its_source() {
    let s = Scratch::new("dis");
    s.write("prog.py", PROGRAM);
    nanopy(&s.0, &["run", "prog.py"]);
    let pyc = rel(&s.0, &pyc_of(&s.0, "prog"));
    let from_source = nanopy(&s.0, &["dis", "prog.py"]);
    let from_pyc = nanopy(&s.0, &["dis", &pyc]);
    assert_eq!(from_pyc.status, 0, "{}", from_pyc.stderr);
    assert_eq!(from_pyc.stdout, from_source.stdout);

    std::fs::write(
        s.0.join(&pyc),
        b"not a pyc at all, just text....................",
    )
    .unwrap();
    let bad = nanopy(&s.0, &["dis", &pyc]);
    assert_eq!(bad.status, 1);
    assert_eq!(bad.stdout, "");
    assert!(
        bad.stderr
            .starts_with(&format!("nanopy: cannot load '{pyc}': bad magic number"))
            && bad.stderr.lines().count() == 1,
        "{}",
        bad.stderr
    );
}

#[test]
fn compile_reports_counts_and_fails_on_a_bad_file() {
    let s = Scratch::new("compile");
    s.write("a.py", "print('a')\n");
    s.write("pkg/b.py", "print('b')\n");
    s.write("pkg/deeper/c.py", "print('c')\n");
    s.write("pkg/notes.txt", "not python\n");
    s.write("bad.py", "x = (\n");
    let out = nanopy(&s.0, &["compile", "."]);
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stdout,
        "nanopy compile: 3 compiled, 0 up to date, 1 failed\n"
    );
    assert!(
        out.stderr.contains("*** Error compiling './bad.py'...")
            && out.stderr.contains("SyntaxError: '(' was never closed"),
        "{}",
        out.stderr
    );
    pyc_of(&s.0, "a");
    pyc_of(&s.0.join("pkg"), "b");
    pyc_of(&s.0.join("pkg/deeper"), "c");

    let again = nanopy(&s.0, &["compile", "."]);
    assert_eq!(
        again.stdout,
        "nanopy compile: 0 compiled, 3 up to date, 1 failed\n"
    );

    std::fs::remove_file(s.0.join("bad.py")).unwrap();
    let ok = nanopy(&s.0, &["compile", "-f", "a.py", "pkg"]);
    assert_eq!(ok.status, 0, "{}", ok.stderr);
    assert_eq!(
        ok.stdout,
        "nanopy compile: 3 compiled, 0 up to date, 0 failed\n"
    );

    let run = nanopy(&s.0, &["run", "-v", "pkg/b.py"]);
    assert_eq!(run.stdout, "b\n");
    assert!(
        run.stderr
            .starts_with("nanopy: cache hit: pkg/__pycache__/b.nanopy-"),
        "{}",
        run.stderr
    );

    let missing = nanopy(&s.0, &["compile", "nope.py"]);
    assert_eq!(missing.status, 1);
    assert_eq!(
        missing.stdout,
        "nanopy compile: 0 compiled, 0 up to date, 1 failed\n"
    );
}

#[test]
fn hash_based_caches_checked_and_unchecked() {
    let s = Scratch::new("hash");
    s.write("h.py", "print('one')\n");
    let out = nanopy(&s.0, &["compile", "--hash", "h.py"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    // Checked: an edit (even one that keeps size and mtime) is seen by rehashing the source.
    let hit = nanopy(&s.0, &["run", "-v", "h.py"]);
    assert!(
        hit.stderr.starts_with("nanopy: cache hit"),
        "{}",
        hit.stderr
    );
    s.write("h.py", "print('two')\n");
    let stale = nanopy(&s.0, &["run", "-v", "h.py"]);
    assert_eq!(stale.stdout, "two\n");
    assert!(
        stale.stderr.starts_with("nanopy: cache stale"),
        "{}",
        stale.stderr
    );

    // Unchecked: the cache is trusted without looking at the source, as CPython does.
    nanopy(&s.0, &["compile", "--hash=unchecked", "h.py"]);
    s.write("h.py", "print('three')\n");
    let trusted = nanopy(&s.0, &["run", "-v", "h.py"]);
    assert_eq!(trusted.stdout, "two\n");
    assert!(
        trusted.stderr.starts_with("nanopy: cache hit"),
        "{}",
        trusted.stderr
    );
    let fresh = nanopy(&s.0, &["run", "--no-cache", "h.py"]);
    assert_eq!(fresh.stdout, "three\n");
}
