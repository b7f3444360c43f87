//! The interpreter: the `Vm` (heap, data stack, frames, globals), running code objects, calls,
//! and unwinding. Opcode semantics live in `handlers` (written once); `switch` and `tail` only
//! decide how control reaches the next handler.
//!
//! Dispatch strategies share one contract: a handler is `fn(&mut Vm, &mut Regs, operand) ->
//! Step` with `Regs { ip, sp, fp }` already advanced past the instruction; `Ok` continues at
//! `regs.ip`, `Err(Stop)` leaves the loop (entry frame returned, or exception in `Vm::exc`).
//! - `switch`: `loop { match opcode { .. } }` (also the traced/counting variant).
//! - `tail`: one wrapper per opcode, each tail-calling the next through a table.
//! - `threaded`: each code object pre-decoded once into (handler pointer, operand) ops; the
//!   wrappers tail-call through that stream instead of a table (direct threading).
//! - `call`: a loop calling the handlers through a table of function pointers.
//!
//! The list of strategies is `Dispatch::ALL`: tests, benches and the CLI derive theirs from it.
//!
//! Errors: handlers set `Vm::exc` and return `Stop::Error`; `execute` then unwinds
//! (`handle_exception`): frame by frame down to its entry frame it appends a (code,
//! instruction) traceback entry and consults the code's exception table; a handler found there
//! re-enters the dispatch loop in that frame, otherwise the exception is returned. Nothing runs
//! on the non-raising path (zero-cost `try`).

pub mod call;
mod call_ex;
mod fastcall; // --- fastcall ---
mod for_iter; // --- iterfast ---
pub(crate) mod gen_sink; // --- genloop ---
pub mod generator;
pub mod handlers;
mod init_frame; // --- iterfast ---
pub mod quicken;
pub mod switch;
pub mod tail;
pub mod threaded;
mod trace;

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use nanopy_compiler::bytecode::{CodeFlags, CodeObject, Constant, Instr};

use crate::dict::Dict;
use crate::frame::{DataStack, Frame};
use crate::gc::Heap;
use crate::object::{Code, ObjKind, Ty};
use crate::value::Value;
use crate::{PyErr, PyResult};

/// How control reaches the next handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dispatch {
    /// Each handler tail-calls the next through a table (sibling-call optimisation).
    Tail,
    /// The reference `loop { match }`.
    Switch,
    /// Direct threading: a pre-decoded stream of (handler pointer, operand), tail-called.
    Threaded,
    /// A loop calling each handler through a table of function pointers.
    Call,
}

impl Dispatch {
    /// Every strategy, in the order reports list them. The one list: tests, benches and the
    /// CLI's `--dispatch` values derive from it.
    pub const ALL: [Dispatch; 4] = [
        Dispatch::Tail,
        Dispatch::Switch,
        Dispatch::Threaded,
        Dispatch::Call,
    ];

    /// The name `--dispatch` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dispatch::Tail => "tail",
            Dispatch::Switch => "switch",
            Dispatch::Threaded => "threaded",
            Dispatch::Call => "call",
        }
    }
}

impl std::fmt::Display for Dispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Dispatch {
    type Err = String;

    /// A strategy's name (the CLI's `--dispatch`).
    fn from_str(s: &str) -> Result<Dispatch, String> {
        Dispatch::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown dispatch strategy '{s}' (expected one of {})",
                    Dispatch::ALL.map(Dispatch::name).join(", ")
                )
            })
    }
}

impl Dispatch {
    /// The strategy that actually runs: the tail-calling ones (`Tail`, `Threaded`) fall back
    /// to `Switch` in unoptimised builds.
    pub fn effective(self) -> Dispatch {
        match self {
            Dispatch::Tail | Dispatch::Threaded if !tail::ENABLED => Dispatch::Switch,
            d => d,
        }
    }
}

/// Options for `nanopy trace`.
#[derive(Clone, Debug, Default)]
pub struct TraceOptions {
    /// Only instructions of code objects with this name (co_name).
    pub function: Option<String>,
    /// Stop printing after this many lines.
    pub limit: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub dispatch: Dispatch,
    /// `sys.argv`.
    pub argv: Vec<String>,
    /// Print each executed instruction and the stack after it to stderr (or the capture buffer).
    pub trace: Option<TraceOptions>,
    /// Count executed instructions (`--stats`); forces the instrumented switch loop.
    pub count_instructions: bool,
    /// Collect stdout/stderr in memory instead of writing them (tests).
    pub capture: bool,
    // --- langdata ---
    /// Finds and compiles `import name` for modules that are not built in (the CLI's looks
    /// beside the script). None: only built-in modules import.
    pub loader: Option<crate::modules::import::Loader>,
    /// Bytes of host stack the VM may use (the thread's stack size). Natives that call back
    /// into Python nest on the host stack; past this (less a margin) they raise
    /// RecursionError instead of overflowing it.
    pub stack_size: usize,
    /// `--max-heap`: bytes the process may allocate (counted by `alloc::Counting`, which the
    /// binary must install as its global allocator); MemoryError past it.
    pub max_heap: Option<usize>,
    // --- quicken ---
    /// Rewrite instructions into specialized forms as they run (`interp/quicken.rs`); off for
    /// `--no-quicken`. Tracing never quickens (it shows the compiler's instructions).
    pub quicken: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dispatch: Dispatch::Tail,
            argv: vec!["<string>".into()],
            trace: None,
            count_instructions: false,
            capture: false,
            loader: None,
            // Rust's default for spawned threads (the main thread usually has more).
            stack_size: 2 << 20,
            max_heap: None,
            quicken: true,
        }
    }
}

/// Why a run ended abnormally: the exit status the CLI should return (traceback already printed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit(pub i32);

/// How a dispatch loop stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Stop {
    /// The entry frame returned `Vm::ret_value`.
    Return,
    /// An exception (`Vm::exc`) is propagating.
    Error,
    // --- quicken ---
    /// From a handler to its dispatcher only: run this opcode's full semantics out of line
    /// (`handlers::cold`), then continue. Never leaves a dispatcher.
    Slow,
}

/// What a handler returns: continue with the next instruction, or leave the loop.
pub type Step = Result<(), Stop>;

/// The interpreter registers a dispatcher carries from handler to handler.
#[derive(Clone, Copy)]
pub struct Regs {
    /// Next instruction.
    pub ip: *const Instr,
    /// First free value-stack slot.
    pub sp: *mut Value,
    /// Frame base (local slot 0).
    pub fp: *mut Value,
}

/// CPython's default recursion limit.
pub const RECURSION_LIMIT: usize = 1000;

pub struct Vm {
    pub heap: Heap,
    pub(crate) stack: DataStack,
    pub(crate) frames: Vec<Frame>,
    /// Chunk index of the running frame.
    pub(crate) chunk: usize,
    pub builtins: Value,
    pub(crate) modules: Value,
    pub(crate) interned: HashMap<Box<str>, Value, ahash::RandomState>,
    pub(crate) types: Vec<Value>,
    pub(crate) methods: HashMap<(Ty, &'static str), Value, ahash::RandomState>,
    /// The propagating exception, NULL when none.
    pub(crate) exc: Value,
    pub(crate) ret_value: Value,
    /// Keyword names for the next CALL (a tuple), NULL when none.
    pub(crate) kwnames: Value,
    /// Nested dispatch loops (natives calling back into Python).
    pub(crate) exec_depth: usize,
    /// Values natives hold across calls back into Python.
    pub(crate) native_roots: Vec<Value>,
    // --- bigint ---
    /// The last AttributeError the VM raised from an attribute lookup, with the object and
    /// name it looked up (`[exc, obj, name]`, NULL when none): the traceback's "Did you mean"
    /// suggestion reads `dir(obj)` (CPython keeps these as the exception's `obj`/`name`).
    pub(crate) attr_error: [Value; 3],
    /// The script's globals (the `__main__` namespace), for NameError suggestions after the
    /// script's frame is gone.
    pub(crate) main_globals: Value,
    pub(crate) repr_guard: Vec<*const crate::object::Obj>,
    pub options: Options,
    pub(crate) out: Vec<u8>,
    pub(crate) err: Vec<u8>,
    /// Executed instructions (when counting or tracing).
    pub instructions: u64,
    /// Executed instructions per opcode, indexed by `Opcode as usize` (same condition).
    pub op_counts: [u64; nanopy_compiler::bytecode::Opcode::COUNT],
    pub(crate) trace_printed: u64,
    /// Set by YIELD_VALUE: the entry frame that just stopped suspended rather than returned.
    pub(crate) yielded: bool,
    /// Scratch list for `collect_now`, kept to reuse its allocation.
    gc_roots: Vec<Value>,
    // --- classes ---
    /// Class-body namespaces being filled, the NotImplemented singleton.
    pub(crate) classes: crate::class::ClassState,
    // --- exceptions ---
    /// The exception being handled (`sys.exception()`), None outside handlers. Saved and
    /// restored by PUSH_EXC_INFO / POP_EXCEPT.
    pub(crate) exc_info: Value,
    /// Set by RERAISE and bare `raise`: the propagating exception gets no new traceback entry.
    pub(crate) reraise: bool,
    // --- langdata ---
    /// `sys.getrecursionlimit()`: Python frames allowed on the frame stack.
    pub(crate) recursion_limit: usize,
    /// Host stack address at the outermost `execute` (0 before the first run).
    stack_base: usize,
    /// Nested dispatch loops that hold no unrooted values (a generator resumed by FOR_ITER,
    /// SEND or a rooting native such as `sum`): they do not block collection.
    pub(crate) gc_transparent: usize,
    /// Native functions running (nested through `call_kw`): a native called by another may
    /// not let a generator collect, since its caller may hold unrooted values.
    pub(crate) native_depth: usize,
    // --- quicken ---
    /// `options.quicken` unless tracing: whether generic handlers specialize.
    pub(crate) quicken: bool,
    /// Instructions specialized and deoptimized so far (`--stats` prints them).
    pub quickened: std::cell::Cell<u64>,
    pub deoptimized: std::cell::Cell<u64>,
    // --- iterfast ---
    /// The instantiation shim's code object (`init_frame.rs`), NULL until first used.
    pub(crate) init_shim: Value,
    /// Frame indices of generators running on their caller's dispatch loop (generator.rs).
    pub(crate) inline_gens: Vec<u32>,
    // --- strings ---
    /// The one-character strings U+0000..U+00FF and (index 256) the empty string, as CPython
    /// keeps them: shared, filled on first use from `interned` (which roots them).
    pub(crate) small_strs: Box<[Value; 257]>,
    // --- calls ---
    /// `min(recursion_limit, frames.capacity())`: while `frames.len()` is below it a call may
    /// push a frame with no RecursionError and no growth of the Vec — one compare on the
    /// specialized call path. Stale only downwards (the capacity never shrinks), and
    /// refreshed on that call's slow path and whenever the recursion limit changes.
    pub(crate) frame_limit: usize,
    // --- genloop ---
    /// Natives draining a generator, innermost last (`gen_sink.rs`).
    pub(crate) sinks: Vec<gen_sink::Sink>,
    /// The `Ellipsis` singleton (`...` loads it).
    pub(crate) ellipsis: Value,
}

impl Vm {
    pub fn new(options: Options) -> Vm {
        let hasher = ahash::RandomState::with_seeds(
            0x243f_6a88_85a3_08d3,
            0x1319_8a2e_0370_7344,
            0xa409_3822_299f_31d0,
            0x082e_fa98_ec4e_6c89,
        );
        let mut vm = Vm {
            heap: Heap::default(),
            stack: DataStack::default(),
            frames: Vec::with_capacity(64),
            chunk: 0,
            builtins: Value::NULL,
            modules: Value::NULL,
            interned: HashMap::with_hasher(hasher.clone()),
            types: Vec::new(),
            methods: HashMap::with_hasher(hasher),
            exc: Value::NULL,
            ret_value: Value::NONE,
            kwnames: Value::NULL,
            exec_depth: 0,
            native_roots: Vec::new(),
            attr_error: [Value::NULL; 3], // --- bigint ---
            main_globals: Value::NULL,    // --- bigint ---
            repr_guard: Vec::new(),
            options,
            out: Vec::new(),
            err: Vec::new(),
            instructions: 0,
            op_counts: [0; nanopy_compiler::bytecode::Opcode::COUNT],
            trace_printed: 0,
            yielded: false,
            gc_roots: Vec::new(),
            classes: Default::default(),
            exc_info: Value::NONE,
            reraise: false,
            recursion_limit: RECURSION_LIMIT,
            stack_base: 0,
            gc_transparent: 0,
            native_depth: 0,
            quicken: false,
            quickened: Default::default(),
            deoptimized: Default::default(),
            init_shim: Value::NULL,
            inline_gens: Vec::new(),
            small_strs: Box::new([Value::NULL; 257]), // --- strings ---
            frame_limit: 0,                           // --- calls ---
            sinks: Vec::new(),                        // --- genloop ---
            ellipsis: Value::NULL,
        };
        vm.refresh_frame_limit();
        vm.quicken = vm.options.quicken && vm.options.trace.is_none();
        vm.builtins = vm.new_dict(Dict::new());
        vm.modules = vm.new_dict(Dict::new());
        for &t in Ty::ALL {
            let v = vm.heap.alloc(ObjKind::Type(t));
            vm.types.push(v);
        }
        crate::builtins::install(&mut vm);
        if let Some(n) = vm.options.max_heap {
            crate::alloc::set_limit(n);
        }
        vm
    }

    // ----- allocation helpers -----

    pub fn new_str(&mut self, s: &str) -> Value {
        if s.len() <= 2 {
            if let Some(v) = self.small_str(s) {
                return v; // --- strings ---
            }
        }
        self.heap.alloc_str(s) // --- strs --- (charges long text to the collector)
    }

    pub fn new_string(&mut self, s: String) -> Value {
        if s.len() <= 2 {
            if let Some(v) = self.small_str(&s) {
                return v; // --- strings ---
            }
        }
        self.heap.alloc_string(s) // --- strs ---
    }

    // --- strings ---
    /// The shared object for `""` or a one-character string below U+0100 (CPython's
    /// `unicode_empty` and latin-1 singletons: `'ab'[0] is 'a'`), else `None`.
    #[inline]
    fn small_str(&mut self, s: &str) -> Option<Value> {
        let slot = match *s.as_bytes() {
            [] => 256,
            [b] => b as usize,
            [b0 @ 0xc2..=0xc3, b1] => (((b0 & 0x1f) as usize) << 6) | (b1 & 0x3f) as usize,
            _ => return None,
        };
        let v = self.small_strs[slot];
        if !v.is_null() {
            return Some(v);
        }
        let v = self.intern(s);
        self.small_strs[slot] = v;
        Some(v)
    }

    /// The interned string for `s` (names, identifiers).
    pub fn intern(&mut self, s: &str) -> Value {
        if let Some(v) = self.interned.get(s) {
            return *v;
        }
        // Not `new_str`: that consults `small_strs`, which is filled from here.
        let v = self.heap.alloc_str(s);
        self.interned.insert(s.into(), v);
        v
    }

    pub fn new_list(&mut self, items: Vec<Value>) -> Value {
        // --- memory --- big lists weigh on the collector like long strings (64 bytes a unit):
        // sieve's 12 MB lists were otherwise one object each, and five piled up before a
        // collection.
        self.heap.charge(items.len() / 8);
        self.heap
            .alloc(ObjKind::List(std::cell::RefCell::new(items)))
    }

    pub fn new_tuple(&mut self, items: Vec<Value>) -> Value {
        self.heap.alloc(ObjKind::Tuple(items.into_boxed_slice()))
    }

    pub fn new_dict(&mut self, d: Dict) -> Value {
        let d = Box::new(std::cell::RefCell::new(d));
        self.heap.alloc(ObjKind::Dict(d))
    }

    /// Any i64 as a Python int (inline when it fits, else a big int).
    #[inline]
    pub fn int(&mut self, i: i64) -> Value {
        if Value::fits_small(i) {
            Value::small_int(i)
        } else {
            self.heap.alloc(ObjKind::BigInt(i.into()))
        }
    }

    /// A big int result, normalised to the inline form when it fits.
    pub fn bigint(&mut self, b: num_bigint::BigInt) -> Value {
        match i64::try_from(&b) {
            Ok(i) if Value::fits_small(i) => Value::small_int(i),
            _ => {
                // langdata: weigh big digits for the collector (one object per 64 bytes).
                self.heap.charge((b.bits() / 512) as usize);
                self.heap.alloc(ObjKind::BigInt(b))
            }
        }
    }

    pub fn type_value(&self, t: Ty) -> Value {
        self.types[t as usize]
    }

    // ----- exceptions -----

    /// A new exception instance `ty(msg)`.
    pub fn new_exc(&mut self, ty: Ty, msg: &str) -> PyErr {
        let m = self.new_str(msg);
        let args = self.new_tuple(vec![m]);
        PyErr(self.exc_from_args(ty, args))
    }

    pub(crate) fn exc_from_args(&mut self, ty: Ty, args: Value) -> Value {
        let e = Box::new(crate::object::ExcObj {
            ty,
            args: std::cell::Cell::new(args),
            traceback: Default::default(),
            instance: Value::NULL,
            chain: Default::default(),
        });
        self.heap.alloc(ObjKind::Exception(e))
    }

    /// Set the propagating exception; handlers return the result.
    #[inline(never)]
    pub(crate) fn throw(&mut self, e: PyErr) -> Stop {
        self.exc = e.0;
        Stop::Error
    }

    pub(crate) fn throw_new(&mut self, ty: Ty, msg: &str) -> Stop {
        let e = self.new_exc(ty, msg);
        self.throw(e)
    }

    // ----- loading code -----

    /// Turn a compiler code object (and its nested ones) into a runtime code object value.
    pub fn load_code(&mut self, co: &Arc<CodeObject>) -> PyResult<Value> {
        let mut consts = Vec::with_capacity(co.consts.len());
        for c in &co.consts {
            let v = self.load_const(c)?;
            consts.push(v);
            // Keep finished constants reachable while the rest load (no GC runs here, but be
            // robust if that changes).
            self.native_roots.push(v);
        }
        self.native_roots
            .truncate(self.native_roots.len() - consts.len());
        let names: Vec<Value> = co.names.iter().map(|n| self.intern(n)).collect();
        let nlocals = co.varnames.len();
        let ncells = co.cellvars.len();
        let nfree = co.freevars.len();
        let cell2arg = co
            .cellvars
            .iter()
            .map(|c| {
                let nargs = co.total_args() as usize;
                co.varnames[..nargs.min(nlocals)]
                    .iter()
                    .position(|v| v == c)
            })
            .collect();
        let simple = ncells == 0
            && nfree == 0
            && co.kwonlyargcount == 0
            && !co
                .flags
                .has(CodeFlags::VARARGS | CodeFlags::VARKEYWORDS | CodeFlags::GENERATOR);
        let stack_size = co.max_stack.max(co.compute_max_stack().unwrap_or(0)) as usize + 1;
        let name = self.intern(&co.name);
        let code = Code {
            src: co.clone(),
            // --- calls --- superinstruction pairs when quickening
            instrs: if self.quicken {
                quicken::Instrs::with_pairs(&co.code, &consts)
            } else {
                quicken::Instrs::new(&co.code)
            },
            consts: consts.into_boxed_slice(),
            names: names.into_boxed_slice(),
            name,
            nlocals,
            ncells,
            nfree,
            nslots: nlocals + ncells + nfree,
            stack_size,
            cell2arg,
            simple,
            global_cache: (0..co.names.len()).map(|_| Default::default()).collect(),
            attr_cache: (0..co.names.len()).map(|_| Default::default()).collect(),
            // --- dispatch ---
            threaded: Default::default(),
            quick: Default::default(), // --- quicken ---
        };
        if code.instrs.is_empty() {
            return Err(self.new_exc(Ty::RuntimeError, "empty code object"));
        }
        Ok(self.heap.alloc(ObjKind::Code(Box::new(code))))
    }

    fn load_const(&mut self, c: &Constant) -> PyResult<Value> {
        Ok(match c {
            Constant::None => Value::NONE,
            Constant::Bool(b) => Value::bool(*b),
            Constant::Ellipsis => self.ellipsis,
            Constant::Int(i) => self.int(*i),
            Constant::BigInt(b) => self.bigint(b.clone()),
            Constant::Float(f) => Value::float(*f),
            Constant::Complex { .. } => {
                return Err(self.new_exc(
                    Ty::NotImplementedError,
                    "complex numbers are not supported yet",
                ))
            }
            Constant::Str(s) => self.intern(s),
            Constant::Bytes(_) => {
                return Err(self.new_exc(Ty::NotImplementedError, "bytes are not supported yet"))
            }
            Constant::Tuple(items) => {
                let mut vs = Vec::with_capacity(items.len());
                for i in items.iter() {
                    vs.push(self.load_const(i)?);
                }
                self.new_tuple(vs)
            }
            Constant::FrozenSet(items) => {
                let s = crate::set_ops::new_set(self, true);
                for i in items.iter() {
                    let v = self.load_const(i)?;
                    crate::set_ops::add(self, s, v)?;
                }
                s
            }
            Constant::Code(co) => self.load_code(co)?,
        })
    }

    // ----- running -----

    /// Run module code. On an uncaught exception print the traceback and return `Exit(1)`.
    pub fn run_module(&mut self, code: &Arc<CodeObject>) -> Result<(), Exit> {
        let r = self.run_module_result(code);
        let status = match r {
            Ok(()) => Ok(()),
            Err(e) => Err(Exit(self.report_exception(e))),
        };
        self.flush();
        status
    }

    /// Run module code returning the uncaught exception, if any.
    pub fn run_module_result(&mut self, code: &Arc<CodeObject>) -> PyResult<()> {
        let code_val = self.load_code(code)?;
        let mut d = Dict::new();
        let name_key = self.intern("__name__");
        let main = self.intern("__main__");
        let h = crate::ops::hash(self, name_key)?;
        d.insert(h, name_key, main, |k| k == name_key);
        let globals = self.new_dict(d);
        self.native_roots.push(globals);
        self.main_globals = globals; // --- bigint ---
        crate::builtins_introspect::fill_main_globals(self, globals, &code.filename); // --- gaps ---
        let r = self.run_code(code_val, globals, Value::NULL).map(|_| ());
        self.native_roots.pop();
        r
    }

    /// The first free stack slot and its chunk.
    pub(crate) fn top(&self) -> *mut Value {
        match self.frames.last() {
            Some(f) => f.sp,
            None => self.stack.chunk_start(0),
        }
    }

    /// Run `code` as a new entry frame with `globals`; `func` is the function or NULL.
    pub(crate) fn run_code(
        &mut self,
        code_val: Value,
        globals: Value,
        func: Value,
    ) -> PyResult<Value> {
        let code = code_val.as_code().expect("code object") as *const Code;
        // SAFETY: code_val is a live Code object (rooted by the frame we push below).
        let c = unsafe { &*code };
        let ret = self.top();
        let base = self.frame_room(ret, 1 + c.nslots + c.stack_size);
        // SAFETY: `frame_room` guarantees room for the result slot, slots and stack.
        let base = unsafe {
            *base = Value::NONE;
            base.add(1)
        };
        for i in 0..c.nslots {
            // SAFETY: within the room reserved above.
            unsafe { *base.add(i) = Value::NULL };
        }
        if self.frames.len() >= self.recursion_limit {
            return Err(self.new_exc(Ty::RecursionError, "maximum recursion depth exceeded"));
        }
        debug_assert!(func.is_null() || func.as_function().is_some_and(|f| f.code == code_val));
        self.frames.push(Frame {
            code,
            owner: if func.is_null() { code_val } else { func },
            globals,
            base,
            ip: c.instrs.as_ptr(),
            // SAFETY: within the reserved room.
            sp: unsafe { base.add(c.nslots) },
            ret: unsafe { base.sub(1) },
            entry: true,
            chunk: self.chunk as u32,
            gen: Value::NULL,
        });
        self.execute()
    }

    /// Make sure `need` slots fit from `at` in the current chunk, else move to the next chunk.
    /// Returns where the frame starts.
    pub(crate) fn frame_room(&mut self, at: *mut Value, need: usize) -> *mut Value {
        let end = self.stack.chunk_end(self.chunk);
        // SAFETY: comparing pointers into (or one past) the same chunk allocation.
        if unsafe { end.offset_from(at) } >= need as isize {
            at
        } else {
            self.chunk = self.stack.next_chunk(self.chunk, need);
            self.stack.chunk_start(self.chunk)
        }
    }

    /// Run the top frame until its entry frame returns or an exception escapes it.
    pub(crate) fn execute(&mut self) -> PyResult<Value> {
        // langdata: natives re-entering Python nest here; stop before the host stack runs out.
        if let Err(e) = self.check_stack() {
            let f = self.frames.pop().expect("the entry frame to run");
            self.chunk = f.chunk as usize;
            self.kwnames = Value::NULL;
            return Err(e);
        }
        self.exec_depth += 1;
        let f = self.frames.last().expect("a frame to run");
        let mut regs = Regs {
            ip: f.ip,
            sp: f.sp,
            fp: f.base,
        };
        // The dispatch loop is left only to return or to unwind; a handler found in a frame of
        // this activation re-enters it there (nothing runs on the non-raising path).
        let result = loop {
            let stop = if self.options.trace.is_some() || self.options.count_instructions {
                switch::run::<true>(self, regs)
            } else {
                match self.options.dispatch.effective() {
                    Dispatch::Tail => tail::run(self, regs),
                    Dispatch::Threaded => threaded::run(self, regs),
                    Dispatch::Call => call::run(self, regs),
                    Dispatch::Switch => switch::run::<false>(self, regs),
                }
            };
            match stop {
                Stop::Return => break Ok(self.ret_value),
                Stop::Slow => unreachable!("dispatchers handle Stop::Slow"),
                Stop::Error => match self.handle_exception() {
                    Ok(r) => regs = r,
                    Err(e) => break Err(e),
                },
            }
        };
        self.exec_depth -= 1;
        result
    }

    // --- langdata ---
    /// Run the top frame (a resumed generator) starting by raising `exc` at its `ip`
    /// (`generator.throw`/`close`): a `try` around the `yield` catches it.
    pub(crate) fn execute_throw(&mut self, exc: Value) -> PyResult<Value> {
        self.exc = exc;
        match self.handle_exception() {
            // The handler's registers are already saved in the frame `execute` starts from.
            Ok(_) => self.execute(),
            Err(e) => Err(e),
        }
    }

    // --- exceptions ---
    /// Unwind the propagating exception (`self.exc`): in each frame from the top down to this
    /// activation's entry frame, record a traceback entry (unless re-raised where it was
    /// caught) and consult the frame's exception table. A covering entry pops the value stack
    /// to its depth, pushes the instruction index (`lasti` entries) and the exception, and
    /// continues at the handler: its registers are returned. Otherwise the frame is popped and
    /// the exception surfaces at the caller's call instruction; past the entry frame it is
    /// returned to the native caller.
    fn handle_exception(&mut self) -> Result<Regs, PyErr> {
        let mut exc = std::mem::replace(&mut self.exc, Value::NULL);
        self.kwnames = Value::NULL;
        let mut fresh = !std::mem::replace(&mut self.reraise, false);
        loop {
            let f = self.frames.last_mut().expect("a frame to unwind");
            let pc = f.pc();
            // --- iterfast --- the instantiation shim is invisible in tracebacks.
            if fresh && f.code_val() != self.init_shim {
                if let Some(e) = exc.as_exc() {
                    self.heap.barrier(exc);
                    let mut tb = e.traceback.borrow_mut();
                    // First raised here: chain to the exception being handled.
                    let new = tb.is_empty();
                    tb.push((f.code_val(), pc));
                    drop(tb);
                    if new {
                        crate::exceptions::set_context(self, exc);
                    }
                }
            }
            fresh = true;
            let f = self.frames.last_mut().expect("a frame to unwind");
            if let Some(h) = f.code().src.handler_for(pc as u32).copied() {
                let code = f.code();
                // SAFETY: the handler's depth is within the frame's stack room (codegen's
                // `max_stack` accounts for handler entries); the target is an instruction index.
                let regs = unsafe {
                    let mut sp = f.base.add(code.nslots + h.depth as usize);
                    if h.push_lasti {
                        *sp = Value::small_int(pc as i64);
                        sp = sp.add(1);
                    }
                    *sp = exc;
                    Regs {
                        ip: code.instrs.as_ptr().add(h.target as usize),
                        sp: sp.add(1),
                        fp: f.base,
                    }
                };
                f.ip = regs.ip;
                f.sp = regs.sp;
                self.chunk = f.chunk as usize;
                return Ok(regs);
            }
            let f = self.frames.pop().expect("a frame to unwind");
            self.chunk = self.frames.last().map_or(0, |p| p.chunk as usize);
            // --- iterfast --- a generator run on this loop: on into the frame resuming it
            if self.inline_gens.last().copied() == Some(self.frames.len() as u32) {
                exc = self.inline_unwind(&f, exc);
                continue;
            }
            if f.entry {
                return Err(PyErr(exc));
            }
        }
    }

    /// Run a native function: its `self` checked first (an unbound method of a built-in type
    /// refuses another type's object, `descriptor::check_self`), then the call. Every native
    /// call goes through here, quickened call sites included.
    #[inline(always)]
    pub(crate) fn call_native(
        &mut self,
        n: &crate::object::Native,
        args: &[Value],
        kwnames: Value,
    ) -> PyResult<Value> {
        crate::descriptor::check_self(self, n, args)?;
        self.native_depth += 1;
        let r = (n.f)(self, args, kwnames);
        self.native_depth -= 1;
        r
    }

    /// Call any callable from native code.
    pub fn call(&mut self, callable: Value, args: &[Value]) -> PyResult<Value> {
        self.call_kw(callable, args, Value::NULL)
    }

    /// Call with keyword values at the end of `args`, named by the tuple `kwnames` (or NULL).
    pub fn call_kw(&mut self, callable: Value, args: &[Value], kwnames: Value) -> PyResult<Value> {
        match callable.as_obj().map(|o| &o.kind) {
            Some(ObjKind::Native(n)) => self.call_native(n, args, kwnames),
            Some(ObjKind::Method { this, func }) => {
                let mut v = Vec::with_capacity(args.len() + 1);
                v.push(*this);
                v.extend_from_slice(args);
                self.call_kw(*func, &v, kwnames)
            }
            Some(ObjKind::Type(t)) => crate::builtins::construct(self, *t, args, kwnames),
            // --- classes ---
            Some(ObjKind::Class(_)) => crate::class::call_class(self, callable, args, kwnames),
            Some(ObjKind::Instance(_)) => {
                match crate::class::call(self, callable, args, kwnames)? {
                    Some(v) => Ok(v),
                    None => {
                        let t = crate::ops::type_name(callable);
                        Err(self.new_exc(Ty::TypeError, &format!("'{t}' object is not callable")))
                    }
                }
            }
            Some(ObjKind::Function(_)) => {
                // Lay the call out on the data stack exactly as CALL would see it.
                let need = args.len() + 2;
                let at = self.frame_room(self.top(), need);
                // SAFETY: `frame_room` reserved `need` slots at `at`.
                unsafe {
                    *at = callable;
                    *at.add(1) = Value::NULL;
                    std::ptr::copy_nonoverlapping(args.as_ptr(), at.add(2), args.len());
                }
                let saved_chunk = self.chunk;
                let r = self.push_python_frame(callable, at, args.len(), kwnames);
                let r = match r {
                    Ok(()) => {
                        self.frames.last_mut().expect("pushed").entry = true;
                        self.execute()
                    }
                    Err(e) => Err(e),
                };
                self.chunk = saved_chunk;
                r
            }
            _ => {
                let t = crate::ops::type_name(callable);
                Err(self.new_exc(Ty::TypeError, &format!("'{t}' object is not callable")))
            }
        }
    }

    /// Push a frame for Python function `func` whose call is laid out at `slot`: `slot` holds
    /// the callable, `slot+1` self_or_null, then `argc` argument values (keyword values last,
    /// named by `kwnames`). The frame's result goes to `slot`.
    pub(crate) fn push_python_frame(
        &mut self,
        func_val: Value,
        slot: *mut Value,
        argc: usize,
        kwnames: Value,
    ) -> PyResult<()> {
        let func = func_val.as_function().expect("function");
        let code = func.code.as_code().expect("code") as *const Code;
        // SAFETY: the function keeps its code alive and the function is in `slot` (rooted).
        let c = unsafe { &*code };
        // SAFETY: `slot+1` is the self_or_null slot of the call being made.
        let has_self = unsafe { !(*slot.add(1)).is_null() };
        let nargs = argc + has_self as usize;
        // SAFETY: the args follow the self slot.
        let args_ptr = unsafe { slot.add(if has_self { 1 } else { 2 }) };
        if self.frames.len() >= self.recursion_limit {
            return Err(self.new_exc(Ty::RecursionError, "maximum recursion depth exceeded"));
        }
        if c.simple && kwnames.is_null() && nargs == c.src.argcount as usize {
            let need = c.nslots + c.stack_size;
            let base = self.frame_room(args_ptr, need);
            if base != args_ptr {
                // SAFETY: both ranges are valid for `nargs` values and do not overlap (new chunk).
                unsafe { std::ptr::copy_nonoverlapping(args_ptr, base, nargs) };
            }
            for i in nargs..c.nslots {
                // SAFETY: within the room reserved by `frame_room`.
                unsafe { *base.add(i) = Value::NULL };
            }
            self.push_frame(c, func, func_val, base, slot);
            return Ok(());
        }
        // --- iterfast --- positional call missing only defaulted parameters (`solve(n)` with
        // `def solve(n, row=0, cols=None)`): fill the defaults in place.
        let argcount = c.src.argcount as usize;
        if kwnames.is_null()
            && nargs <= argcount
            && c.src.kwonlyargcount == 0
            && !c.src.flags.has(CodeFlags::VARARGS | CodeFlags::VARKEYWORDS)
        {
            let defaults = func.defaults.as_tuple().unwrap_or(&[]);
            if nargs + defaults.len() >= argcount {
                let need = c.nslots + c.stack_size;
                let base = self.frame_room(args_ptr, need);
                let first_default = argcount - defaults.len();
                // SAFETY: `frame_room` reserved `need` slots at `base`; the ranges do not
                // overlap when it moved to a new chunk.
                unsafe {
                    if base != args_ptr {
                        std::ptr::copy_nonoverlapping(args_ptr, base, nargs);
                    }
                    for i in nargs..argcount {
                        *base.add(i) = defaults[i - first_default];
                    }
                    for i in argcount..c.nslots {
                        *base.add(i) = Value::NULL;
                    }
                }
                self.push_frame(c, func, func_val, base, slot);
                return Ok(());
            }
        }
        // General path: bind arguments into a temporary, then lay the frame out over the call.
        // SAFETY: the call's args are `nargs` initialised values at `args_ptr`; binding
        // allocates but never collects or touches the data stack, so they stay put.
        let args: &[Value] = unsafe { std::slice::from_raw_parts(args_ptr, nargs) };
        let mut buf = BindBuf::new();
        let locals = buf.slots(c.nlocals);
        crate::call::bind_args(self, func, c, args, kwnames, locals)?;
        // SAFETY: one past the callable slot; the callee frame starts there.
        let at = unsafe { slot.add(1) };
        let base = self.frame_room(at, c.nslots + c.stack_size);
        // SAFETY: room for nslots reserved; locals.len() == nlocals <= nslots.
        unsafe {
            std::ptr::copy_nonoverlapping(locals.as_ptr(), base, locals.len());
            for i in locals.len()..c.nslots {
                *base.add(i) = Value::NULL;
            }
        }
        self.push_frame(c, func, func_val, base, slot);
        // Closure cells are copied by COPY_FREE_VARS; cells are made by MAKE_CELL.
        Ok(())
    }

    #[inline(always)]
    fn push_frame(
        &mut self,
        c: &Code,
        func: &crate::object::Function,
        func_val: Value,
        base: *mut Value,
        ret: *mut Value,
    ) {
        self.frames.push(Frame {
            code: c,
            owner: func_val,
            globals: func.globals,
            base,
            ip: c.instrs.as_ptr(),
            // SAFETY: the frame has nslots slots reserved.
            sp: unsafe { base.add(c.nslots) },
            ret,
            entry: false,
            chunk: self.chunk as u32,
            gen: Value::NULL,
        });
    }

    // --- langdata ---
    /// A safe point's memory check (`--max-heap`): collect if allowed, then MemoryError if
    /// the bytes in use are still over the limit.
    pub(crate) fn memory_check(&mut self, sp: *mut Value) -> PyResult<()> {
        self.maybe_collect(sp);
        if crate::alloc::over_limit() {
            let args = self.new_tuple(vec![]);
            return Err(PyErr(self.exc_from_args(Ty::MemoryError, args)));
        }
        Ok(())
    }

    /// Collect garbage if due and allowed. `sp` is the running frame's stack top.
    pub(crate) fn maybe_collect(&mut self, sp: *mut Value) {
        if !self.heap.should_collect() || self.exec_depth > 1 + self.gc_transparent {
            return;
        }
        if let Some(f) = self.frames.last_mut() {
            f.sp = sp;
        }
        self.collect(false);
    }

    /// Run a whole-heap collection now (all roots must be recorded).
    pub fn collect_now(&mut self) {
        self.collect(true);
    }

    /// Run the collection that is due (`major`: a whole-heap one whatever is due).
    fn collect(&mut self, major: bool) {
        // The root list is reused across collections (see `Heap::work`).
        let mut roots = std::mem::take(&mut self.gc_roots);
        roots.clear();
        for f in &self.frames {
            roots.extend([f.owner, f.globals, f.gen]);
            // SAFETY: [base, sp) of every frame is initialised (locals are NULL-filled on entry,
            // stack slots below sp were pushed).
            let n = unsafe { f.sp.offset_from(f.base) };
            if n > 0 {
                roots.extend_from_slice(unsafe { std::slice::from_raw_parts(f.base, n as usize) });
            }
            // SAFETY: the result slot of every frame holds a value (callable or NONE).
            roots.push(unsafe { *f.ret });
        }
        roots.extend([
            self.builtins,
            self.modules,
            self.exc,
            self.ret_value,
            self.kwnames,
            self.exc_info,
            self.init_shim, // --- iterfast ---
            self.ellipsis,
        ]);
        roots.extend(self.types.iter().copied());
        roots.extend(self.interned.values().copied());
        roots.extend(self.methods.values().copied());
        roots.extend(self.native_roots.iter().copied());
        roots.extend(self.attr_error); // --- bigint ---
        roots.push(self.main_globals); // --- bigint ---
        roots.extend(self.classes.roots()); // --- classes ---
        let major = major || self.heap.major_due();
        roots.extend(self.sinks.iter().flat_map(|s| s.roots(major))); // --- genloop ---
        if major {
            self.heap.collect_major(&roots);
        } else {
            self.heap.collect_minor(&roots);
        }
        for s in &mut self.sinks {
            s.scanned = s.items.len();
        }
        self.gc_roots = roots;
    }

    // ----- output -----

    pub(crate) fn write_out(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
        if !self.options.capture && self.out.len() > 1 << 16 {
            self.flush();
        }
    }

    pub(crate) fn write_err(&mut self, s: &str) {
        self.err.extend_from_slice(s.as_bytes());
    }

    // --- langdata ---
    /// RecursionError when the host stack in use (since the outermost `execute`) comes within
    /// a margin of `Options::stack_size`.
    #[inline]
    pub(crate) fn check_stack(&mut self) -> PyResult<()> {
        const MARGIN: usize = 256 << 10;
        let marker = 0u8;
        let here = std::ptr::addr_of!(marker) as usize;
        if self.stack_base == 0 || self.exec_depth == 0 {
            self.stack_base = here;
            return Ok(());
        }
        let used = self.stack_base.saturating_sub(here);
        if used + MARGIN > self.options.stack_size {
            return Err(self.new_exc(Ty::RecursionError, "maximum recursion depth exceeded"));
        }
        Ok(())
    }

    // --- calls ---
    /// Recompute `frame_limit` (after the frame Vec grew or the recursion limit changed).
    pub(crate) fn refresh_frame_limit(&mut self) {
        self.frame_limit = self.recursion_limit.min(self.frames.capacity());
    }

    /// `sys.setrecursionlimit`.
    pub(crate) fn set_recursion_limit(&mut self, n: usize) {
        self.recursion_limit = n;
        self.refresh_frame_limit();
    }

    /// The Python call depth `sys.setrecursionlimit` compares against.
    pub(crate) fn python_depth(&self) -> usize {
        self.frames.len()
    }

    /// Write buffered stdout now (unless capturing), e.g. before writing to stderr.
    pub(crate) fn flush_stdout(&mut self) {
        if self.options.capture {
            return;
        }
        let _ = std::io::stdout().write_all(&self.out);
        let _ = std::io::stdout().flush();
        self.out.clear();
    }

    /// Write buffered output to the process's stdout/stderr (unless capturing).
    pub fn flush(&mut self) {
        if self.options.capture {
            return;
        }
        let _ = std::io::stdout().write_all(&self.out);
        let _ = std::io::stdout().flush();
        self.out.clear();
        let _ = std::io::stderr().write_all(&self.err);
        self.err.clear();
    }

    /// Captured stdout (with `Options::capture`).
    pub fn take_stdout(&mut self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut self.out)).into_owned()
    }

    /// Captured stderr (with `Options::capture`).
    pub fn take_stderr(&mut self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut self.err)).into_owned()
    }

    /// Print a CPython-style traceback for `e` to stderr; returns the exit status.
    pub fn report_exception(&mut self, e: PyErr) -> i32 {
        if let Some(x) = e.0.as_exc() {
            if x.ty == Ty::SystemExit {
                let code = x.args.get().as_tuple().and_then(|a| a.first().copied());
                return match code {
                    None => 0,
                    Some(c) if c.is_none() => 0,
                    Some(c) if c.is_small_int() => c.as_small_int() as i32,
                    Some(c) => {
                        let s = crate::ops::to_str(self, c).unwrap_or_default();
                        self.write_err(&format!("{s}\n"));
                        1
                    }
                };
            }
        }
        // Flush stdout first so the streams interleave as CPython's would on a terminal.
        if !self.options.capture {
            let _ = std::io::stdout().write_all(&self.out);
            let _ = std::io::stdout().flush();
            self.out.clear();
        }
        let text = crate::traceback::format(self, e.0);
        self.write_err(&text);
        1
    }
}

// --- iterfast ---
/// Where a call's arguments are bound before its frame is laid out over them: on the host
/// stack for up to 16 locals (no Vec per call), else in a Vec.
pub(crate) struct BindBuf {
    small: [Value; BindBuf::SMALL],
    big: Vec<Value>,
}

impl BindBuf {
    const SMALL: usize = 16;

    pub(crate) fn new() -> BindBuf {
        BindBuf {
            small: [Value::NULL; BindBuf::SMALL],
            big: Vec::new(),
        }
    }

    /// `n` slots, all NULL.
    pub(crate) fn slots(&mut self, n: usize) -> &mut [Value] {
        if n <= Self::SMALL {
            &mut self.small[..n]
        } else {
            self.big.resize(n, Value::NULL);
            &mut self.big
        }
    }
}
