//! The import loader the CLI installs in the VM (`Options::loader`): `import name` finds
//! `name.py` in the script's directory (CPython's `sys.path[0]`), reads and compiles it. This is
//! the one place module source becomes code, so a bytecode cache plugs in here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use nanopy_compiler::parser::{self, ParseOptions};
use nanopy_vm::modules::import::{Loaded, Loader};

/// A loader resolving modules beside `script` (its absolute path, as tracebacks show it).
pub fn beside(script: &str) -> Loader {
    let dir: PathBuf = Path::new(script)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    Loader(Arc::new(move |name: &str| load(&dir, name)))
}

fn load(dir: &Path, name: &str) -> Loaded {
    // Packages (dotted names) are not supported: not found, as for a missing file.
    if name.contains('.') || name.is_empty() {
        return Loaded::NotFound;
    }
    let path = dir.join(format!("{name}.py"));
    let Ok(bytes) = std::fs::read(&path) else {
        return Loaded::NotFound;
    };
    let file = path.display().to_string();
    let compiled = parser::run_on_big_stack(|| {
        let source = parser::decode_source(&bytes)?;
        let arena = bumpalo::Bump::new();
        let tree = parser::parse(&arena, &source, ParseOptions::default())?;
        nanopy_compiler::codegen::compile_module(&tree, &source, &file)
    });
    match compiled {
        Ok(code) => Loaded::Code(code, file),
        Err(e) => Loaded::SyntaxError(e.render(&file)),
    }
}
