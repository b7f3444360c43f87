//! Limits (issue #6): `--max-heap SIZE` turns unbounded allocation into MemoryError at that
//! size, and recursion that re-enters Python from natives (key functions, generators
//! delegating with `yield from`, nested reprs) raises RecursionError at any recursion limit
//! instead of overflowing the host stack.

mod common;

use common::nanopy;

fn program(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nanopy-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join(name), text).expect("write program");
    dir
}

#[test]
fn unbounded_allocation_raises_memory_error_at_max_heap() {
    let dir = program(
        "grow.py",
        "data = []\nprint('start')\nwhile True:\n    data.append('x' * 1000 + str(len(data)))\n",
    );
    for d in ["tail", "switch"] {
        let out = nanopy(
            &dir,
            &["run", "--dispatch", d, "--max-heap", "32M", "grow.py"],
        );
        assert_eq!(out.stdout, "start\n", "{d}");
        assert_eq!(out.status, 1, "{d}: {}", out.stderr);
        assert!(
            out.stderr
                .starts_with("Traceback (most recent call last):\n")
                && out.stderr.ends_with("\nMemoryError\n"),
            "{d}: {}",
            out.stderr
        );
    }
    let dir = program("collect.py", "x = list(range(10**10))\n");
    let out = nanopy(&dir, &["run", "--max-heap", "64M", "collect.py"]);
    assert!(out.stderr.ends_with("\nMemoryError\n"), "{}", out.stderr);
}

#[test]
fn native_reentry_raises_recursion_error_at_a_huge_limit() {
    let text = "import sys\nsys.setrecursionlimit(10**6)\nwhich = sys.argv[1]\n\
        def viakey(n):\n    return sorted([1], key=lambda x: viakey(n + 1))\n\
        def gen(n):\n    yield from gen(n + 1)\n\
        if which == 'key':\n    viakey(0)\n\
        elif which == 'gen':\n    list(gen(0))\n\
        else:\n    l = []\n    for _ in range(300000):\n        l = [l]\n    repr(l)\n";
    let dir = program("deep.py", text);
    for (which, msg) in [
        ("key", "RecursionError: maximum recursion depth exceeded\n"),
        ("gen", "RecursionError: maximum recursion depth exceeded\n"),
        (
            "repr",
            "RecursionError: maximum recursion depth exceeded while getting the repr of an object\n",
        ),
    ] {
        let out = nanopy(&dir, &["run", "deep.py", which]);
        assert_eq!(out.status, 1, "{which}: {}", out.stderr);
        assert!(out.stderr.ends_with(msg), "{which}: {}", out.stderr);
    }
}
