//! Exceptions (issue #6): try/except/else/finally, raise/from, chaining, `with`, the
//! zero-cost exception table. Every fixture runs under live python3 (the oracle) and under
//! nanopy under every dispatch strategy:
//!
//! - `tests/fixtures/exceptions/ok/*.py` exit 0: stdout identical, stderr empty;
//! - `tests/fixtures/exceptions/uncaught/*.py` end in an uncaught exception: stdout, the
//!   (chained) traceback on stderr and the exit status identical byte for byte;
//! - `tests/fixtures/exceptions/with/*.py` use context managers of user classes
//!   (`__enter__`/`__exit__`): same checks;
//! - `tests/fixtures/exceptions/dis/*.py`: each code object's exception table has the same
//!   rows as CPython 3.11's (handler opcode, depth, lasti; offsets differ by format).

mod common;

use common::{assert_dir_matches_cpython, fixtures, nanopy, repo, Expect};

fn check_dir(sub: &str, expect: Expect) {
    let dir = repo().join("tests/fixtures/exceptions").join(sub);
    assert_dir_matches_cpython(&dir, expect, 1);
}

#[test]
fn handled_exceptions_match_cpython() {
    check_dir("ok", Expect::Succeeds);
}

#[test]
fn uncaught_chained_tracebacks_match_cpython() {
    check_dir("uncaught", Expect::Fails);
}

#[test]
fn with_statements_match_cpython() {
    check_dir("with", Expect::Same);
}

/// CPython's exception tables as `== name` headers and `OPNAME [depth][ lasti]` rows.
const CPYTHON_TABLES: &str = r#"
import dis, sys
out = []
def walk(co):
    names = {i.offset: i.opname for i in dis.get_instructions(co)}
    out.append("== " + co.co_name)
    for e in dis._parse_exception_table(co):
        out.append("%s [%d]%s" % (names[e.target], e.depth, " lasti" if e.lasti else ""))
    for c in co.co_consts:
        if hasattr(c, "co_code"):
            walk(c)
walk(compile(open(sys.argv[1]).read(), sys.argv[1], "exec"))
print("\n".join(out))
"#;

/// The same rows from `nanopy dis` output.
fn nanopy_tables(listing: &str) -> String {
    let mut out = Vec::new();
    let mut ops: std::collections::HashMap<u32, String> = Default::default();
    let mut in_table = false;
    out.push("== <module>".to_string());
    for line in listing.lines() {
        if let Some(rest) = line.strip_prefix("Disassembly of <code object ") {
            let name = rest.split(" at line").next().unwrap_or(rest);
            out.push(format!("== {name}"));
            ops.clear();
            in_table = false;
        } else if line == "ExceptionTable:" {
            in_table = true;
        } else if in_table {
            // "  a to b -> t [d] lasti"
            let Some((_, rest)) = line.split_once("-> ") else {
                continue;
            };
            let (target, rest) = rest.split_once(' ').expect("target");
            let target: u32 = target.parse().expect("target index");
            out.push(format!("{} {rest}", ops[&target]));
        } else {
            // "  12     >>   10 FOR_ITER   43 (to 43)": the index precedes the opname.
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(at) = words
                .iter()
                .position(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            {
                if let Some(i) = at.checked_sub(1).and_then(|i| words[i].parse().ok()) {
                    ops.insert(i, words[at].to_string());
                }
            }
        }
    }
    out.join("\n")
}

#[test]
fn exception_tables_have_cpython_rows() {
    let dir = repo().join("tests/fixtures/exceptions/dis");
    for f in fixtures(&dir) {
        let py = std::process::Command::new("python3")
            .current_dir(&dir)
            .args(["-c", CPYTHON_TABLES, &f])
            .output()
            .expect("python3");
        assert!(
            py.status.success(),
            "{}",
            String::from_utf8_lossy(&py.stderr)
        );
        let want = String::from_utf8_lossy(&py.stdout).trim_end().to_string();
        let np = nanopy(&dir, &["dis", &f]);
        assert_eq!(np.status, 0, "{}", np.stderr);
        assert_eq!(nanopy_tables(&np.stdout), want, "{f}");
    }
}

#[test]
fn try_star_is_refused_clearly() {
    let dir = repo().join("tests/fixtures/exceptions");
    let tmp = std::env::temp_dir().join(format!("nanopy_try_star_{}.py", std::process::id()));
    std::fs::write(&tmp, "try:\n    pass\nexcept* ValueError:\n    pass\n").expect("write");
    let out = nanopy(&dir, &["run", tmp.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_file(&tmp);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("SyntaxError: nanopy does not support 'try'/'except*' statements yet"),
        "{}",
        out.stderr
    );
}
