//! Heap objects: everything that is not a float, small int, bool or None.
//!
//! One header (the GC mark) and one enum of kinds; the kind decides the Python type. Mutable
//! containers use `RefCell`/`Cell` because values are shared freely (aliasing is the norm in
//! Python) and the VM is single-threaded.

use std::cell::{Cell, RefCell};

use num_bigint::BigInt;

use crate::dict::Dict;
use crate::interp::Vm;
use crate::value::Value;

/// A heap object: 48 bytes (checked by a test in vm/tests/memory.rs). Every kind's payload is
/// at most 32 bytes — kinds that would be bigger (dicts, sets, functions, exceptions,
/// generators, code, classes) are boxed — because the enum is as big as its biggest kind and
/// every object, a two-slot instance as much as a string, pays for it. Instances keep their
/// attribute slots right after the object, in the same allocation (`Heap::alloc_instance`),
/// and so do strings their text (`Text`, `Heap::alloc_str`).
pub struct Obj {
    /// The GC mark; which value means "marked" alternates between collections (`gc.rs`).
    pub(crate) marked: Cell<bool>,
    /// The GC generation bits (`gc::OLD`, `gc::REMEMBERED`; only gc.rs reads them).
    pub(crate) gen: Cell<u8>,
    /// For an old list written since the last collection: the lowest index written (only
    /// `[card..]` can hold young values). Fits the header's padding: `Obj` stays 48 bytes.
    pub(crate) card: Cell<u32>,
    pub kind: ObjKind,
}

/// Python-level signature of a native function: positional args then keyword values (named by
/// `kwnames`, a tuple or NULL). For methods, `args[0]` is `self`.
pub type NativeFn = fn(&mut Vm, &[Value], Value) -> crate::PyResult<Value>;

pub struct StrObj {
    /// The text (dereferences to `&str`).
    pub s: Text,
    // --- strperf ---
    // Hash and code-point count are computed on first use: most strings a program builds
    // (rows, pieces, f-string results) are never hashed and never indexed by code point.
    /// `str_hash(s)`, or `HASH_UNSET`.
    hash: Cell<u64>,
    /// Length in code points, or `CHARS_UNSET`.
    chars: Cell<usize>,
}

// --- strs ---
/// The text of a `str`: UTF-8 bytes stored either *inline*, right after the `Obj` in the same
/// allocation (most strings: one malloc, one free, no pointer chase to a second block), or in
/// a block of its own (long strings handed over as a `String`, which would otherwise be
/// copied). Same 16 bytes as the `Box<str>` it replaces; the top bit of `len` says which.
pub struct Text {
    ptr: std::ptr::NonNull<u8>,
    /// Byte length, with `OWNED` set when `ptr` is a `Box<str>` of its own.
    len: usize,
}

const OWNED: usize = 1 << (usize::BITS - 1);

impl Text {
    /// Text stored inline at `ptr`.
    ///
    /// # Safety
    /// `ptr..ptr+len` is valid UTF-8 that lives, unmoved and unchanged, as long as this `Text`
    /// (the trailing bytes of the object's own block).
    pub(crate) unsafe fn inline(ptr: std::ptr::NonNull<u8>, len: usize) -> Text {
        debug_assert!(len & OWNED == 0);
        Text { ptr, len }
    }

    /// Text that owns its own block.
    pub(crate) fn owned(s: Box<str>) -> Text {
        let len = s.len();
        let ptr = Box::into_raw(s) as *mut u8;
        // SAFETY: `Box::into_raw` never returns null.
        let ptr = unsafe { std::ptr::NonNull::new_unchecked(ptr) };
        Text {
            ptr,
            len: len | OWNED,
        }
    }

    /// Stored after the object (not in a block of its own).
    #[inline]
    pub(crate) fn is_inline(&self) -> bool {
        self.len & OWNED == 0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    #[inline(always)]
    fn deref(&self) -> &str {
        // SAFETY: `ptr..ptr+len` is valid UTF-8 for this Text's life (see the constructors).
        unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                self.ptr.as_ptr(),
                self.len & !OWNED,
            ))
        }
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        if !self.is_inline() {
            let len = self.len & !OWNED;
            // SAFETY: an owned Text's `ptr` and length came from `Box::into_raw` of a
            // `Box<str>` (`Text::owned`), which is rebuilt and freed once, here.
            drop(unsafe {
                Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), len) as *mut str)
            });
        }
        // Inline text is freed with its object's block (`gc::free`).
    }
}

impl PartialEq for Text {
    #[inline]
    fn eq(&self, other: &Text) -> bool {
        **self == **other
    }
}
impl Eq for Text {}
impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}
impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}
impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}
impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self
    }
}
impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self
    }
}

/// The hash of a Python `str` (fixed seeds: runs are reproducible). Never `HASH_UNSET`.
#[inline]
pub fn str_hash(s: &str) -> u64 {
    static HASHER: ahash::RandomState = ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    );
    match HASHER.hash_one(s) {
        HASH_UNSET => 1,
        h => h,
    }
}

const HASH_UNSET: u64 = 0;
const CHARS_UNSET: usize = usize::MAX;

impl StrObj {
    /// A str over `text` (made by the heap: `Heap::alloc_str` / `Heap::alloc_string`).
    pub(crate) fn new(text: Text) -> StrObj {
        StrObj {
            s: text,
            hash: Cell::new(HASH_UNSET),
            chars: Cell::new(CHARS_UNSET),
        }
    }

    /// `str_hash(&self.s)`, computed once.
    #[inline]
    pub fn hash(&self) -> u64 {
        match self.hash.get() {
            HASH_UNSET => {
                let h = str_hash(&self.s);
                self.hash.set(h);
                h
            }
            h => h,
        }
    }

    /// The hashes of two strings when both are already known (a cheap inequality test).
    #[inline]
    pub fn known_hashes_differ(&self, other: &StrObj) -> bool {
        let (a, b) = (self.hash.get(), other.hash.get());
        a != HASH_UNSET && b != HASH_UNSET && a != b
    }

    /// Length in code points, counted once.
    #[inline]
    pub fn chars(&self) -> usize {
        match self.chars.get() {
            CHARS_UNSET => {
                let n = if self.s.is_ascii() {
                    self.s.len()
                } else {
                    self.s.chars().count()
                };
                self.chars.set(n);
                n
            }
            n => n,
        }
    }

    #[inline]
    pub fn is_ascii(&self) -> bool {
        self.chars() == self.s.len()
    }
}

/// The runtime code object: the compiler's `CodeObject` with constants and names turned into
/// values once, at load time.
pub struct Code {
    pub src: std::sync::Arc<nanopy_compiler::bytecode::CodeObject>,
    /// The running instructions (quickened in place; `src.code` keeps the compiler's).
    pub instrs: crate::interp::quicken::Instrs,
    pub consts: Box<[Value]>,
    /// Interned name strings.
    pub names: Box<[Value]>,
    pub name: Value,
    pub nlocals: usize,
    pub ncells: usize,
    pub nfree: usize,
    /// Local + cell + free slots.
    pub nslots: usize,
    pub stack_size: usize,
    /// For each cell: the argument slot it is initialised from.
    pub cell2arg: Box<[Option<usize>]>,
    /// Plain positional signature, no cells/frees, not a generator: the fast call path applies.
    pub simple: bool,
    /// LOAD_GLOBAL inline caches, one per entry of `names`.
    pub global_cache: Box<[Cell<GlobalCache>]>,
    // --- classes ---
    /// LOAD_ATTR / STORE_ATTR / LOAD_METHOD caches for instances, one per entry of `names`.
    pub attr_cache: Box<[crate::class::AttrCache]>,
    // --- dispatch ---
    /// The direct-threaded form of `instrs`, decoded on the first threaded run.
    pub threaded: crate::interp::threaded::Stream,
    // --- quicken ---
    /// Per-instruction inline caches of specialized instructions (`interp/quicken.rs`).
    pub quick: crate::interp::quicken::Caches,
}

/// Where LOAD_GLOBAL last found a name: the entry position in the globals (or builtins) dict,
/// valid while that dict's `version` (and, for builtins, the globals' too) is unchanged.
#[derive(Clone, Copy, Default)]
pub struct GlobalCache {
    /// The globals dict this was filled for (its `Value` bits; 0 = empty cache).
    pub globals: u64,
    pub globals_version: u64,
    pub builtins_version: u64,
    pub index: u32,
    pub in_builtins: bool,
}

pub struct Function {
    pub code: Value,
    pub globals: Value,
    /// `__name__`, `__qualname__` (settable: langdata).
    pub name: Cell<Value>,
    pub qualname: Cell<Value>,
    /// Tuple or NULL.
    pub defaults: Value,
    /// Dict or NULL.
    pub kwdefaults: Value,
    /// Tuple of cells or NULL.
    pub closure: Value,
    // --- langdata ---
    /// `__dict__`: attributes set on the function (`wrapper.__name__ = ...`), NULL until the
    /// first one.
    pub dict: Cell<Value>,
}

pub struct Native {
    pub name: &'static str,
    pub f: NativeFn,
    /// `Some(type)` for methods (the type name used in messages, e.g. "str").
    pub owner: Option<Ty>,
}

/// A suspended generator: its frame's slots and value stack, copied out of the data stack.
pub struct GenState {
    pub func: Value,
    pub saved: Vec<Value>,
    /// Instruction index to resume at.
    pub pc: usize,
    pub running: bool,
    pub started: bool,
    pub finished: bool,
    // --- exceptions ---
    /// The exception the suspended frame is handling (None if none): swapped in on resume,
    /// out on yield, so a generator's handler does not leak into its consumer (CPython's
    /// `gi_exc_state`).
    pub exc_info: Value,
}

pub enum ObjKind {
    Str(StrObj),
    BigInt(BigInt),
    List(RefCell<Vec<Value>>),
    Tuple(Box<[Value]>),
    /// Boxed (memory: like every kind over 32 bytes, see `Obj`).
    Dict(Box<RefCell<Dict>>),
    /// set and frozenset (langdata: CPython's set table).
    Set(Box<crate::set_ops::SetObj>),
    Range {
        start: i64,
        stop: i64,
        step: i64,
    },
    Slice {
        start: Value,
        stop: Value,
        step: Value,
    },
    /// Boxed: a code object is several times the size of every other kind, and the enum (so
    /// every heap object, ints and strings included) would otherwise be sized to it.
    Code(Box<Code>),
    Function(Box<Function>),
    Native(Native),
    /// A bound method: `self` and the function or native.
    Method {
        this: Value,
        func: Value,
    },
    Cell(Cell<Value>),
    Module {
        name: Value,
        dict: Value,
    },
    Type(Ty),
    Exception(Box<ExcObj>),
    Generator(Box<RefCell<GenState>>),
    /// Iterators: `seq` is the underlying object, `index` the next position.
    SeqIter {
        seq: Value,
        index: Cell<usize>,
    },
    RangeIter {
        next: Cell<i64>,
        stop: i64,
        step: i64,
    },
    /// dict keys/values/items iteration (kind 0/1/2) and views
    DictIter {
        dict: Value,
        index: Cell<usize>,
        kind: u8,
        // --- gaps ---
        /// The dict's size when the iterator was made, and how many entries it may still
        /// yield (CPython's `di_used` and `len`; see `crate::dict_iter`).
        used: Cell<u32>,
        left: Cell<u32>,
    },
    DictView {
        dict: Value,
        kind: u8,
    },
    Enumerate {
        iter: Value,
        count: Cell<i64>,
    },
    Zip {
        iters: Box<[Value]>,
    },
    Reversed {
        seq: Value,
        index: Cell<usize>,
    },
    Map {
        func: Value,
        iter: Value,
    },
    // --- classes ---
    /// A user-defined class (boxed: it is bigger than the other kinds).
    Class(Box<crate::class::ClassObj>),
    /// An instance of a user-defined class: shape + inline slots.
    Instance(crate::class::Instance),
    /// `staticmethod(f)`, `classmethod(f)`: descriptors found in class namespaces.
    StaticMethod(Value),
    ClassMethod(Value),
    /// `property(fget, fset, fdel)` (fset / fdel NULL when absent).
    Property {
        fget: Value,
        fset: Value,
        fdel: Value,
    },
    /// A bound `super()` object: look up after `class` in the MRO of `this`'s type.
    Super {
        class: Value,
        this: Value,
    },
    /// The `NotImplemented` singleton.
    NotImplemented,
    /// A bare `object()`: nothing but its identity (sentinels).
    Object,
    /// The `Ellipsis` singleton (`...`).
    Ellipsis,
    // --- langdata ---
    /// Iterator over a set: next slot to look at, and the size the set must keep.
    SetIter {
        set: Value,
        index: Cell<usize>,
        used: usize,
    },
    // --- gaps ---
    /// Iterators of `filter`, `iter(f, sentinel)`, `map` of several iterables, `zip(strict=True)`,
    /// `reversed` of a dict (boxed: one kind for all, see `crate::builtin_iters`).
    BuiltinIter(Box<crate::builtin_iters::BuiltinIter>),
}

pub struct ExcObj {
    pub ty: Ty,
    /// Tuple of constructor args (a Cell: `BaseException.__init__` rebinds it).
    pub args: Cell<Value>,
    /// Traceback entries (code object value, instruction index), innermost first.
    pub traceback: RefCell<Vec<(Value, usize)>>,
    // --- classes ---
    /// For instances of user classes deriving from an exception type: an `Instance` holding
    /// the class and the attributes; NULL for built-in exception types.
    pub instance: Value,
    // --- exceptions ---
    /// `__cause__`, `__context__`, `__suppress_context__`.
    pub chain: crate::exceptions::Chain,
}

macro_rules! types {
    ($($name:ident = $py:literal $(: $parent:ident)?;)*) => {
        /// Built-in types (user classes are `ObjKind::Class` objects; see `crate::class`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Ty { $($name,)* }

        impl Ty {
            pub const ALL: &'static [Ty] = &[$(Ty::$name),*];
            /// `type(x).__name__`
            pub fn name(self) -> &'static str {
                match self { $(Ty::$name => $py,)* }
            }
            /// Base exception class (None for non-exceptions and BaseException).
            pub fn parent(self) -> Option<Ty> {
                match self { $(Ty::$name => types!(@parent $($parent)?),)* }
            }
        }
    };
    (@parent $p:ident) => { Some(Ty::$p) };
    (@parent) => { None };
}

types! {
    NoneType = "NoneType";
    Bool = "bool";
    Int = "int";
    Float = "float";
    Str = "str";
    List = "list";
    Tuple = "tuple";
    Dict = "dict";
    Set = "set";
    Range = "range";
    Slice = "slice";
    Code = "code";
    Function = "function";
    BuiltinFunction = "builtin_function_or_method";
    Method = "method";
    Cell = "cell";
    Module = "module";
    Type = "type";
    Generator = "generator";
    ListIterator = "list_iterator";
    TupleIterator = "tuple_iterator";
    StrIterator = "str_ascii_iterator";
    RangeIterator = "range_iterator";
    DictKeyIterator = "dict_keyiterator";
    DictValueIterator = "dict_valueiterator";
    DictItemIterator = "dict_itemiterator";
    DictKeys = "dict_keys";
    DictValues = "dict_values";
    DictItems = "dict_items";
    Enumerate = "enumerate";
    Zip = "zip";
    Reversed = "list_reverseiterator";
    Map = "map";
    // --- langdata ---
    FrozenSet = "frozenset";
    SetIterator = "set_iterator";
    Object = "object";
    BaseException = "BaseException";
    SystemExit = "SystemExit": BaseException;
    KeyboardInterrupt = "KeyboardInterrupt": BaseException;
    // --- langdata ---
    GeneratorExit = "GeneratorExit": BaseException;
    SyntaxError = "SyntaxError": Exception;
    Exception = "Exception": BaseException;
    StopIteration = "StopIteration": Exception;
    ArithmeticError = "ArithmeticError": Exception;
    ZeroDivisionError = "ZeroDivisionError": ArithmeticError;
    OverflowError = "OverflowError": ArithmeticError;
    AssertionError = "AssertionError": Exception;
    AttributeError = "AttributeError": Exception;
    LookupError = "LookupError": Exception;
    IndexError = "IndexError": LookupError;
    KeyError = "KeyError": LookupError;
    MemoryError = "MemoryError": Exception;
    NameError = "NameError": Exception;
    UnboundLocalError = "UnboundLocalError": NameError;
    RuntimeError = "RuntimeError": Exception;
    RecursionError = "RecursionError": RuntimeError;
    NotImplementedError = "NotImplementedError": RuntimeError;
    TypeError = "TypeError": Exception;
    ValueError = "ValueError": Exception;
    ImportError = "ImportError": Exception;
    SystemError = "SystemError": Exception;
    ModuleNotFoundError = "ModuleNotFoundError": ImportError;
    // --- classes ---
    StaticMethod = "staticmethod";
    ClassMethod = "classmethod";
    Property = "property";
    Super = "super";
    NotImplementedType = "NotImplementedType";
    EllipsisType = "ellipsis";
    // --- gaps ---
    Filter = "filter";
    CallableIterator = "callable_iterator";
    DictReverseKeyIterator = "dict_reversekeyiterator";
    DictReverseValueIterator = "dict_reversevalueiterator";
    DictReverseItemIterator = "dict_reverseitemiterator";
    // The rest of CPython 3.11's built-in exception hierarchy.
    EOFError = "EOFError": Exception;
    BufferError = "BufferError": Exception;
    ReferenceError = "ReferenceError": Exception;
    StopAsyncIteration = "StopAsyncIteration": Exception;
    FloatingPointError = "FloatingPointError": ArithmeticError;
    IndentationError = "IndentationError": SyntaxError;
    TabError = "TabError": IndentationError;
    UnicodeError = "UnicodeError": ValueError;
    OSError = "OSError": Exception;
    BlockingIOError = "BlockingIOError": OSError;
    ChildProcessError = "ChildProcessError": OSError;
    ConnectionError = "ConnectionError": OSError;
    BrokenPipeError = "BrokenPipeError": ConnectionError;
    ConnectionAbortedError = "ConnectionAbortedError": ConnectionError;
    ConnectionRefusedError = "ConnectionRefusedError": ConnectionError;
    ConnectionResetError = "ConnectionResetError": ConnectionError;
    FileExistsError = "FileExistsError": OSError;
    FileNotFoundError = "FileNotFoundError": OSError;
    InterruptedError = "InterruptedError": OSError;
    IsADirectoryError = "IsADirectoryError": OSError;
    NotADirectoryError = "NotADirectoryError": OSError;
    PermissionError = "PermissionError": OSError;
    ProcessLookupError = "ProcessLookupError": OSError;
    TimeoutError = "TimeoutError": OSError;
    Warning = "Warning": Exception;
    UserWarning = "UserWarning": Warning;
    DeprecationWarning = "DeprecationWarning": Warning;
    PendingDeprecationWarning = "PendingDeprecationWarning": Warning;
    SyntaxWarning = "SyntaxWarning": Warning;
    RuntimeWarning = "RuntimeWarning": Warning;
    FutureWarning = "FutureWarning": Warning;
    ImportWarning = "ImportWarning": Warning;
    UnicodeWarning = "UnicodeWarning": Warning;
    BytesWarning = "BytesWarning": Warning;
    ResourceWarning = "ResourceWarning": Warning;
    EncodingWarning = "EncodingWarning": Warning;
}

impl Ty {
    pub fn is_exception(self) -> bool {
        self == Ty::BaseException || self.parent().is_some()
    }

    /// `issubclass(self, other)` for built-in types.
    pub fn is_subtype(self, other: Ty) -> bool {
        let mut t = Some(self);
        while let Some(x) = t {
            if x == other {
                return true;
            }
            t = x.parent();
        }
        other == Ty::Object || (self == Ty::Bool && other == Ty::Int)
    }
}

impl Obj {
    /// The Python type of this object.
    pub fn ty(&self) -> Ty {
        match &self.kind {
            ObjKind::Str(_) => Ty::Str,
            ObjKind::BigInt(_) => Ty::Int,
            ObjKind::List(_) => Ty::List,
            ObjKind::Tuple(_) => Ty::Tuple,
            ObjKind::Dict(_) => Ty::Dict,
            ObjKind::Set(s) => {
                if s.frozen {
                    Ty::FrozenSet
                } else {
                    Ty::Set
                }
            }
            ObjKind::Range { .. } => Ty::Range,
            ObjKind::Slice { .. } => Ty::Slice,
            ObjKind::Code(_) => Ty::Code,
            ObjKind::Function(_) => Ty::Function,
            ObjKind::Native(_) => Ty::BuiltinFunction,
            ObjKind::Method { .. } => Ty::Method,
            ObjKind::Cell(_) => Ty::Cell,
            ObjKind::Module { .. } => Ty::Module,
            ObjKind::Type(_) => Ty::Type,
            ObjKind::Exception(e) => e.ty,
            ObjKind::Generator(_) => Ty::Generator,
            ObjKind::SeqIter { seq, .. } => match seq.as_obj().map(|o| &o.kind) {
                Some(ObjKind::Tuple(_)) => Ty::TupleIterator,
                Some(ObjKind::Str(_)) => Ty::StrIterator,
                _ => Ty::ListIterator,
            },
            ObjKind::RangeIter { .. } => Ty::RangeIterator,
            ObjKind::DictIter { kind, .. } => [
                Ty::DictKeyIterator,
                Ty::DictValueIterator,
                Ty::DictItemIterator,
            ][*kind as usize],
            ObjKind::DictView { kind, .. } => {
                [Ty::DictKeys, Ty::DictValues, Ty::DictItems][*kind as usize]
            }
            ObjKind::Enumerate { .. } => Ty::Enumerate,
            ObjKind::Zip { .. } => Ty::Zip,
            ObjKind::Reversed { .. } => Ty::Reversed,
            ObjKind::Map { .. } => Ty::Map,
            // --- classes ---
            ObjKind::Class(_) => Ty::Type,
            ObjKind::Instance(_) => Ty::Object,
            ObjKind::StaticMethod(_) => Ty::StaticMethod,
            ObjKind::ClassMethod(_) => Ty::ClassMethod,
            ObjKind::Property { .. } => Ty::Property,
            ObjKind::Super { .. } => Ty::Super,
            ObjKind::NotImplemented => Ty::NotImplementedType,
            ObjKind::Object => Ty::Object,
            ObjKind::Ellipsis => Ty::EllipsisType,
            ObjKind::SetIter { .. } => Ty::SetIterator,
            ObjKind::BuiltinIter(it) => it.ty(), // --- gaps ---
        }
    }
}

/// The Python type of any value.
#[inline]
pub fn type_of(v: Value) -> Ty {
    if v.is_float() {
        Ty::Float
    } else if v.is_small_int() {
        Ty::Int
    } else if v.is_bool() {
        Ty::Bool
    } else if let Some(o) = v.as_obj() {
        o.ty()
    } else {
        Ty::NoneType
    }
}

/// Accessors that return `None` when the value is not of that kind.
impl Value {
    #[inline]
    pub fn as_str<'a>(self) -> Option<&'a StrObj> {
        match &self.as_obj()?.kind {
            ObjKind::Str(s) => Some(s),
            _ => None,
        }
    }
    #[inline]
    pub fn as_list<'a>(self) -> Option<&'a RefCell<Vec<Value>>> {
        match &self.as_obj()?.kind {
            ObjKind::List(l) => Some(l),
            _ => None,
        }
    }
    #[inline]
    pub fn as_tuple<'a>(self) -> Option<&'a [Value]> {
        match &self.as_obj()?.kind {
            ObjKind::Tuple(t) => Some(t),
            _ => None,
        }
    }
    #[inline]
    pub fn as_dict<'a>(self) -> Option<&'a RefCell<Dict>> {
        match &self.as_obj()?.kind {
            ObjKind::Dict(d) => Some(d),
            _ => None,
        }
    }
    #[inline]
    pub fn as_bigint<'a>(self) -> Option<&'a BigInt> {
        match &self.as_obj()?.kind {
            ObjKind::BigInt(b) => Some(b),
            _ => None,
        }
    }
    #[inline]
    pub fn as_code<'a>(self) -> Option<&'a Code> {
        match &self.as_obj()?.kind {
            ObjKind::Code(c) => Some(c),
            _ => None,
        }
    }
    #[inline]
    pub fn as_function<'a>(self) -> Option<&'a Function> {
        match &self.as_obj()?.kind {
            ObjKind::Function(f) => Some(f),
            _ => None,
        }
    }
    #[inline]
    pub fn as_exc<'a>(self) -> Option<&'a ExcObj> {
        match &self.as_obj()?.kind {
            ObjKind::Exception(e) => Some(e),
            _ => None,
        }
    }
    #[inline]
    pub fn as_type(self) -> Option<Ty> {
        match &self.as_obj()?.kind {
            ObjKind::Type(t) => Some(*t),
            _ => None,
        }
    }
    /// Is an int (small or big; not bool).
    #[inline]
    pub fn is_int(self) -> bool {
        self.is_small_int() || self.as_bigint().is_some()
    }
}
