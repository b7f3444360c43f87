//! CPython 3.11's "Did you mean" suggestions for NameError and AttributeError, as its
//! `Python/suggestions.c` computes them and `print_exception` appends them to the last line of
//! a printed traceback (never to `str(exc)`): `NameError: name 'lenght' is not defined. Did you
//! mean: 'length'?`.
//!
//! Candidates: for a NameError, the innermost frame's local variable names, then its globals,
//! then the builtins (the first list with a match wins); for an AttributeError, `dir(obj)`.
//! Like CPython, only exceptions of exactly these types qualify, and only when their `name`
//! (and for an AttributeError, `obj`) attribute is set: the VM sets them where its own lookups
//! fail (`exceptions::name_error`, [`attribute_error`]); a program may pass them as keyword
//! arguments. A user's `raise NameError("name 'x' is not defined")` gets no suggestion.
//!
//! `dir()` of built-in types comes from CPython itself (`builtin_dirs`, generated), so a typo
//! may be matched to a method nanopy lacks, as CPython would. Known gap: module globals hold
//! the names nanopy defines (no `__loader__`, `__spec__`, ...).

use crate::interp::Vm;
use crate::object::{ObjKind, Ty};
use crate::ops;
use crate::value::Value;
use crate::PyErr;

/// `calculate_suggestions` gives up on more candidates than this.
const MAX_CANDIDATE_ITEMS: usize = 750;
/// Strings longer than this (after trimming common affixes) never match.
const MAX_STRING_SIZE: usize = 40;
const MOVE_COST: usize = 2;
const CASE_COST: usize = 1;

/// `dir(object())` in CPython 3.11: every object's attributes.
const OBJECT_DIR: &[&str] = &[
    "__class__",
    "__delattr__",
    "__dir__",
    "__doc__",
    "__eq__",
    "__format__",
    "__ge__",
    "__getattribute__",
    "__getstate__",
    "__gt__",
    "__hash__",
    "__init__",
    "__init_subclass__",
    "__le__",
    "__lt__",
    "__ne__",
    "__new__",
    "__reduce__",
    "__reduce_ex__",
    "__repr__",
    "__setattr__",
    "__sizeof__",
    "__str__",
    "__subclasshook__",
];

/// CPython 3.11's `builtins.__dict__` order (`python3 -c "import builtins;
/// print(list(builtins.__dict__))"`): ties between equally close builtins go to the first.
const BUILTINS_ORDER: &[&str] = &[
    "__name__",
    "__doc__",
    "__package__",
    "__loader__",
    "__spec__",
    "__build_class__",
    "__import__",
    "abs",
    "all",
    "any",
    "ascii",
    "bin",
    "breakpoint",
    "callable",
    "chr",
    "compile",
    "delattr",
    "dir",
    "divmod",
    "eval",
    "exec",
    "format",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "hex",
    "id",
    "input",
    "isinstance",
    "issubclass",
    "iter",
    "aiter",
    "len",
    "locals",
    "max",
    "min",
    "next",
    "anext",
    "oct",
    "ord",
    "pow",
    "print",
    "repr",
    "round",
    "setattr",
    "sorted",
    "sum",
    "vars",
    "None",
    "Ellipsis",
    "NotImplemented",
    "False",
    "True",
    "bool",
    "memoryview",
    "bytearray",
    "bytes",
    "classmethod",
    "complex",
    "dict",
    "enumerate",
    "filter",
    "float",
    "frozenset",
    "property",
    "int",
    "list",
    "map",
    "object",
    "range",
    "reversed",
    "set",
    "slice",
    "staticmethod",
    "str",
    "super",
    "tuple",
    "type",
    "zip",
    "__debug__",
    "BaseException",
    "BaseExceptionGroup",
    "Exception",
    "GeneratorExit",
    "KeyboardInterrupt",
    "SystemExit",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BufferError",
    "EOFError",
    "ImportError",
    "LookupError",
    "MemoryError",
    "NameError",
    "OSError",
    "ReferenceError",
    "RuntimeError",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SystemError",
    "TypeError",
    "ValueError",
    "Warning",
    "FloatingPointError",
    "OverflowError",
    "ZeroDivisionError",
    "BytesWarning",
    "DeprecationWarning",
    "EncodingWarning",
    "FutureWarning",
    "ImportWarning",
    "PendingDeprecationWarning",
    "ResourceWarning",
    "RuntimeWarning",
    "SyntaxWarning",
    "UnicodeWarning",
    "UserWarning",
    "BlockingIOError",
    "ChildProcessError",
    "ConnectionError",
    "FileExistsError",
    "FileNotFoundError",
    "InterruptedError",
    "IsADirectoryError",
    "NotADirectoryError",
    "PermissionError",
    "ProcessLookupError",
    "TimeoutError",
    "IndentationError",
    "IndexError",
    "KeyError",
    "ModuleNotFoundError",
    "NotImplementedError",
    "RecursionError",
    "UnboundLocalError",
    "UnicodeError",
    "BrokenPipeError",
    "ConnectionAbortedError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "TabError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeTranslateError",
    "ExceptionGroup",
    "EnvironmentError",
    "IOError",
    "open",
    "quit",
    "exit",
    "copyright",
    "credits",
    "license",
    "help",
];

/// An AttributeError for a failed lookup of `name` on `obj`, remembered (with `obj`) for the
/// traceback's suggestion.
pub fn attribute_error(vm: &mut Vm, obj: Value, name: Value, msg: &str) -> PyErr {
    let e = vm.new_exc(Ty::AttributeError, msg);
    vm.attr_error = [e.0, obj, name];
    // --- gaps --- and as the exception's `name`/`obj`, which the suggestion reads
    vm.heap.barrier(e.0);
    if let Some(x) = e.0.as_exc() {
        x.chain.name.set(name);
        x.chain.obj.set(obj);
    }
    e
}

/// The suggestion for an exception being printed, if CPython would make one.
pub fn offer(vm: &Vm, exc: Value) -> Option<String> {
    let e = exc.as_exc()?;
    if !e.instance.is_null() {
        return None; // a user subclass: CPython checks the exact type
    }
    match e.ty {
        Ty::NameError => {
            // --- gaps --- only a NameError whose `name` is set (by the VM's lookups, or
            // `NameError(..., name=...)`), whatever its message says
            let name = e.chain.name.get().as_str()?.s.to_string();
            let name = name.as_str();
            let (code, _) = *e.traceback.borrow().first()?;
            let code = code.as_code()?;
            let locals: Vec<&str> = code.src.varnames.iter().map(|s| &**s).collect();
            if let Some(s) = calculate(&locals, name) {
                return Some(s.to_string());
            }
            let globals = globals_of(vm, &code.src.filename);
            let names = dict_keys(globals);
            if let Some(s) = calculate(&names, name) {
                return Some(s.to_string());
            }
            // The keyword constants are builtins in CPython, compiled to constants here.
            let mut names = dict_keys(vm.builtins);
            names.extend(["None", "False", "True"]);
            let rank = |n: &str| {
                BUILTINS_ORDER
                    .iter()
                    .position(|b| *b == n)
                    .unwrap_or(usize::MAX)
            };
            names.sort_by_key(|n| rank(n));
            calculate(&names, name).map(str::to_string)
        }
        Ty::AttributeError => {
            // --- gaps --- `name` and `obj` set (by the VM, or AttributeError(name=, obj=))
            let (obj, name) = (e.chain.obj.get(), e.chain.name.get());
            if obj.is_null() {
                return None;
            }
            let name = name.as_str()?.s.to_string();
            let dir = dir_of(vm, obj);
            let names: Vec<&str> = dir.iter().map(String::as_str).collect();
            calculate(&names, &name).map(str::to_string)
        }
        _ => None,
    }
}

/// The globals of the module whose file is `filename` (the script's when none matches).
fn globals_of(vm: &Vm, filename: &str) -> Value {
    let main = vm.main_globals;
    let Some(modules) = vm.modules.as_dict() else {
        return main;
    };
    for entry in modules.borrow().iter() {
        let Some(ObjKind::Module { dict, .. }) = entry.value.as_obj().map(|o| &o.kind) else {
            continue;
        };
        let file = dict_keys_values(*dict)
            .into_iter()
            .find(|(k, _)| *k == "__file__")
            .and_then(|(_, v)| v.as_str().map(|s| s.s.to_string()));
        if file.as_deref() == Some(filename) {
            return *dict;
        }
    }
    main
}

fn dict_keys_values<'a>(d: Value) -> Vec<(&'a str, Value)> {
    match d.as_dict() {
        Some(d) => d
            .borrow()
            .iter()
            .filter_map(|e| Some((e.key.as_str()?.s.as_ref(), e.value)))
            .map(|(k, v): (&str, Value)| {
                // SAFETY: keys are interned or heap strings owned by the dict's entries, which
                // outlive this call (the dict is reachable from the VM and nothing runs
                // Python code or collects while a suggestion is computed).
                (unsafe { &*(k as *const str) }, v)
            })
            .collect(),
        None => Vec::new(),
    }
}

fn dict_keys<'a>(d: Value) -> Vec<&'a str> {
    dict_keys_values(d).into_iter().map(|(k, _)| k).collect()
}

/// `dir(obj)`, sorted (as CPython's `dir` returns it).
pub(crate) fn dir_of(vm: &Vm, obj: Value) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let obj_kind = obj.as_obj().map(|o| &o.kind);
    if let Some(ObjKind::Module { dict, .. }) = obj_kind {
        names.extend(dict_keys(*dict).into_iter().map(String::from));
    } else {
        // --- gaps --- an instance of a user exception class keeps its attributes in `instance`
        let inst = crate::class::as_instance(obj).or_else(|| match obj_kind {
            Some(ObjKind::Exception(e)) => crate::class::as_instance(e.instance),
            _ => None,
        });
        let cls = match inst {
            Some(i) => Some(i.class),
            None => crate::class::as_class(obj).map(|_| obj),
        };
        if let Some(i) = inst {
            let c = crate::class::as_class(i.class);
            // --- instdict --- a dict-mode instance: its dict's str keys
            if let Some(keys) = crate::instance_dict::names(i) {
                names.extend(keys.into_iter().map(|k| ops::str_of(k).to_string()));
            } else if let Some(c) = c {
                let shapes = c.shapes.borrow();
                if let Some(shape) = shapes.get(i.shape.get() as usize) {
                    for (k, n) in shape.names.iter().enumerate() {
                        // `__slots__` names are class attributes in CPython, set or not.
                        if c.fixed || !i.slot(k).is_null() {
                            names.push(ops::str_of(*n).to_string());
                        }
                    }
                }
            }
        }
        if let Some(cls) = cls {
            // The class and its bases' namespaces, with what `type` adds to every class.
            let mro = crate::class::as_class(cls).map(|c| c.mro.get());
            for k in mro.and_then(|m| m.as_tuple()).unwrap_or(&[]) {
                if let Some(c) = crate::class::as_class(*k) {
                    names.extend(
                        dict_keys(c.dict)
                            .into_iter()
                            .filter(|n| *n != "__qualname__")
                            .map(String::from),
                    );
                    // --- gaps --- no `__dict__`/`__weakref__` where `__slots__` replace them
                    names.extend(["__doc__", "__module__"].map(String::from));
                    if !c.fixed {
                        names.extend(["__dict__", "__weakref__"].map(String::from));
                    }
                } else if let Some(d) = k
                    .as_type()
                    .and_then(|t| crate::builtin_dirs::dir_of_type(t.name()))
                {
                    names.extend(d.map(str::to_string)); // a built-in base
                }
            }
        } else if let Some(d) = obj // --- gaps --- `dir(int)`: the type's own, as `dir(5)`
            .as_type()
            .and_then(|t| crate::builtin_dirs::dir_of_type(t.name()))
        {
            return d.map(str::to_string).collect();
        } else if let Some(d) = crate::builtin_dirs::dir_of_type(ops::type_name(obj)) {
            return d.map(str::to_string).collect(); // CPython's own, sorted
        } else {
            let t = crate::object::type_of(obj);
            names.extend(
                vm.methods
                    .keys()
                    .filter(|(ty, _)| *ty == t)
                    .map(|(_, n)| n.to_string()),
            );
        }
        names.extend(OBJECT_DIR.iter().map(|s| s.to_string()));
    }
    names.sort();
    names.dedup();
    names
}

/// CPython's `calculate_suggestions`: the closest candidate within a third of the characters
/// involved, the first of equally close ones.
pub fn calculate<'a>(candidates: &[&'a str], name: &str) -> Option<&'a str> {
    if candidates.len() >= MAX_CANDIDATE_ITEMS {
        return None;
    }
    let mut best: Option<(&str, usize)> = None;
    for &item in candidates {
        if item == name {
            continue;
        }
        // No more than 1/3 of the involved characters should need changing.
        let mut max_distance = (name.len() + item.len() + 3) * MOVE_COST / 6;
        if let Some((_, d)) = best {
            max_distance = max_distance.min(d - 1);
        }
        let d = levenshtein(name.as_bytes(), item.as_bytes(), max_distance);
        if d > max_distance {
            continue;
        }
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((item, d));
        }
    }
    best.map(|(s, _)| s)
}

/// Substitution cost: free for equal bytes, CASE_COST for a case flip of an ASCII letter.
fn substitution_cost(a: u8, b: u8) -> usize {
    if a & 31 != b & 31 {
        return MOVE_COST;
    }
    if a == b {
        return 0;
    }
    if a.eq_ignore_ascii_case(&b) {
        CASE_COST
    } else {
        MOVE_COST
    }
}

/// CPython's `levenshtein_distance` over UTF-8 bytes, giving up past `max_cost`.
fn levenshtein<'s>(mut a: &'s [u8], mut b: &'s [u8], max_cost: usize) -> usize {
    if a == b {
        return 0;
    }
    // Trim away common affixes.
    while let (Some(x), Some(y)) = (a.first(), b.first()) {
        if x != y {
            break;
        }
        (a, b) = (&a[1..], &b[1..]);
    }
    while let (Some(x), Some(y)) = (a.last(), b.last()) {
        if x != y {
            break;
        }
        (a, b) = (&a[..a.len() - 1], &b[..b.len() - 1]);
    }
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > MAX_STRING_SIZE || b.len() > MAX_STRING_SIZE {
        return max_cost + 1;
    }
    // Prefer the shorter buffer.
    if b.len() < a.len() {
        (a, b) = (b, a);
    }
    // Quick fail when a match is impossible.
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    // One row of the matrix, updated in place.
    let mut buffer = [0usize; MAX_STRING_SIZE];
    for (i, slot) in buffer.iter_mut().enumerate().take(a.len()) {
        *slot = (i + 1) * MOVE_COST;
    }
    let mut result = 0;
    for (b_index, &code) in b.iter().enumerate() {
        result = b_index * MOVE_COST;
        let mut distance = result;
        let mut minimum = usize::MAX;
        for (index, &ac) in a.iter().enumerate() {
            // 1) substitute: cost(b[:b_index], a[:index]) + substitution cost
            let substitute = distance + substitution_cost(code, ac);
            // 2) cost(b[:b_index], a[:index+1]) from the previous row
            distance = buffer[index];
            // 3) delete: the existing result is cost(b[:b_index+1], a[:index])
            let insert_delete = result.min(distance) + MOVE_COST;
            result = insert_delete.min(substitute);
            buffer[index] = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_follow_cpython_costs() {
        assert_eq!(levenshtein(b"length", b"lenght", 100), 4); // two substitutions
        assert_eq!(levenshtein(b"value", b"Value", 100), 1); // case flip
        assert_eq!(levenshtein(b"abc", b"abcd", 100), 2);
        assert_eq!(levenshtein(b"", b"xy", 100), 4);
        assert_eq!(calculate(&["length", "lens"], "lenght"), Some("length"));
        assert_eq!(calculate(&["zzzzzz"], "lenght"), None);
    }
}
