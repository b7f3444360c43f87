//! `import name` of a module that is not built in: the VM asks the loader hook the embedder
//! installed (`Options::loader`; the CLI's finds `name.py` beside the script and compiles it —
//! a bytecode cache plugs in there) for a code object, then runs it as the module's body in a
//! fresh globals dict, registered in `sys.modules` first (as CPython does, for circular imports)
//! and removed again if the body raises.

use std::sync::Arc;

use nanopy_compiler::bytecode::CodeObject;

use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyResult;

/// What a loader found for `import name`.
pub enum Loaded {
    /// The module's compiled code and its file name (`__file__`).
    Code(Arc<CodeObject>, String),
    /// No such module: `ModuleNotFoundError`.
    NotFound,
    /// The source does not compile: the rendered SyntaxError text (file, line, caret, message).
    SyntaxError(String),
}

/// The loader hook: module name → compiled code. Shared, so `Options` stays `Clone`.
#[derive(Clone)]
pub struct Loader(pub Arc<dyn Fn(&str) -> Loaded + Send + Sync>);

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Loader(..)")
    }
}

/// `sys.modules[name]`, importing it through the loader when missing.
pub fn import(vm: &mut Vm, name: Value) -> PyResult<Value> {
    if let Some(m) = ops::dict_get_str(vm.modules, name) {
        return Ok(m);
    }
    let n = ops::str_of(name).to_string();
    let not_found = |vm: &mut Vm| {
        let msg = format!("No module named '{n}'");
        let e = vm.new_exc(Ty::ModuleNotFoundError, &msg);
        vm.heap.store_barrier(e.0, name);
        if let Some(x) = e.0.as_exc() {
            x.chain.name.set(name); // --- gaps --- `e.name`, as CPython's import sets it
        }
        Err(e)
    };
    let Some(loader) = vm.options.loader.clone() else {
        return not_found(vm);
    };
    let (code, file) = match (loader.0)(&n) {
        Loaded::Code(c, f) => (c, f),
        Loaded::NotFound => return not_found(vm),
        Loaded::SyntaxError(text) => {
            // The traceback printer shows the rendered text as the exception's message line.
            let msg = text
                .trim_end()
                .rsplit('\n')
                .next()
                .unwrap_or("")
                .to_string();
            let msg = msg
                .strip_prefix("SyntaxError: ")
                .unwrap_or(&msg)
                .to_string();
            return Err(vm.new_exc(Ty::SyntaxError, &msg));
        }
    };
    let code_val = vm.load_code(&code)?;
    vm.native_roots.push(code_val);
    let globals = vm.new_dict(Dict::new());
    vm.native_roots.push(globals);
    // --- gaps --- the names CPython's import gives a module, in its order
    crate::builtins_introspect::fill_module_globals(vm, globals, name, &file);
    let module = vm.heap.alloc(ObjKind::Module {
        name,
        dict: globals,
    });
    ops::dict_set(vm, vm.modules, name, module)?;
    let r = vm.run_code(code_val, globals, Value::NULL);
    vm.native_roots.truncate(vm.native_roots.len() - 2);
    match r {
        Ok(_) => Ok(module),
        Err(e) => {
            let _ = ops::dict_del(vm, vm.modules, name);
            Err(e)
        }
    }
}
