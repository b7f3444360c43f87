//! The import loader the CLI installs in the VM (`Options::loader`): `import name` finds
//! `name.py` in the script's directory (CPython's `sys.path[0]`) and gets its code through the
//! bytecode cache (`crate::cache`), under the same cache options as the script itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use nanopy_vm::modules::import::{Loaded, Loader};

use crate::cache::{self, CacheOptions, LoadError};

/// A loader resolving modules beside `script` (its absolute path, as tracebacks show it).
pub fn beside(script: &str, opts: CacheOptions) -> Loader {
    let dir: PathBuf = Path::new(script)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    Loader(Arc::new(move |name: &str| load(&dir, name, &opts)))
}

fn load(dir: &Path, name: &str, opts: &CacheOptions) -> Loaded {
    // Packages (dotted names) are not supported: not found, as for a missing file.
    if name.contains('.') || name.is_empty() {
        return Loaded::NotFound;
    }
    let path = dir.join(format!("{name}.py"));
    if !path.is_file() {
        return Loaded::NotFound;
    }
    let (code, event) = cache::load_or_compile(&path, opts);
    event.report(opts.verbose);
    match code {
        Ok(code) => Loaded::Code(code, cache::script_path(&path)),
        Err(LoadError::Open { .. }) => Loaded::NotFound,
        Err(e @ LoadError::Syntax { .. }) => Loaded::SyntaxError(e.render()),
    }
}
