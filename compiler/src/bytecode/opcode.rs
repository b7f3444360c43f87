//! The instruction set, defined once.
//!
//! [`for_each_opcode!`] is the single table. Each row is
//!
//! ```text
//! /// one-line meaning (becomes the enum variant's doc)
//! NAME = OperandKind, |arg, jump| stack_effect, |arg| stack_inputs;
//! ```
//!
//! - `OperandKind` says what the 24-bit operand means and therefore how `dis` prints it.
//! - the stack effect closure returns the net change in stack depth; `jump` is true for the
//!   branch-taken edge of a jump instruction (it is ignored by non-jumps). Codegen uses it to
//!   compute `CodeObject::max_stack`.
//! - the inputs closure returns how many values the instruction reads from the stack before
//!   it pushes its outputs (`BINARY_OP` reads 2 and nets -1; `SWAP n` reads n and nets 0). The
//!   verifier uses it so that forged bytecode cannot read below a frame's stack.
//!
//! Everything else is expanded from the table with a callback macro: the [`Opcode`] enum, its
//! names, operand kinds, stack effects, `Opcode::ALL`, and in the VM every dispatcher's handler
//! table. Adding an opcode means adding a row here and a handler in the VM, nothing else.
//!
//! Stack notation in the docs: `a, b -> c` means `b` is on top before, `c` on top after.
//! `NULL` is the VM's empty-slot marker (not `None`).
//!
//! Conventions codegen must follow:
//! - **Jumps** (`OperandKind::Jump`) carry the *absolute instruction index* of their target,
//!   forward and backward alike. Every loop back-edge must be a `JUMP_BACKWARD` (the VM polls
//!   for interrupts / GC there and will count hotness there): conditional jumps and
//!   `JUMP_FORWARD` only jump forward, as in CPython 3.12.
//! - **Calls**: the callee is loaded, then a `self_or_null` slot (`PUSH_NULL` for plain calls,
//!   `LOAD_METHOD` fills both), then the positional args, then keyword arg values, then
//!   `KW_NAMES consti` (if any keywords) immediately followed by `CALL argc` where `argc` counts
//!   positional + keyword values (not `self`). So `f(x, y=1)` is
//!   `LOAD_GLOBAL f; PUSH_NULL; LOAD_FAST x; LOAD_CONST 1; KW_NAMES ('y',); CALL 2`, and
//!   `o.m(x)` is `LOAD_FAST o; LOAD_METHOD m; LOAD_FAST x; CALL 1`. This is CPython 3.13's
//!   order; it makes `self` and the args contiguous, so the callee frame starts at them.
//! - **Locals, cells, frees**: `LOAD_FAST i` indexes `varnames` (arguments first, as CPython).
//!   Deref operands index `cellvars ++ freevars` (CPython 3.10 numbering). A cell variable that
//!   is also an argument keeps its name in both `varnames` and `cellvars`; `MAKE_CELL i` then
//!   initialises the cell from the argument. Code with cells starts with `MAKE_CELL` for each
//!   cell, code with free variables with `COPY_FREE_VARS nfree`.
//! - **Comprehensions** are nested functions as in CPython 3.11 (argument `.0` is the iterator).
//! - **Generators** (flag `GENERATOR`): after any `MAKE_CELL`/`COPY_FREE_VARS` prologue (as in
//!   CPython 3.11) comes `RETURN_GENERATOR`; unlike CPython, no `POP_TOP` follows it (resuming
//!   pushes nothing the first time). Each `YIELD_VALUE` is followed by what consumes the sent
//!   value (usually `POP_TOP`).
//! - **Imports**: `import m` is `LOAD_CONST 0; LOAD_CONST None; IMPORT_NAME m; STORE_NAME m`.
//! - **Module code** stores with `STORE_NAME`/`LOAD_NAME`; functions use `*_FAST` for locals and
//!   `*_GLOBAL` for globals, as CPython. Every code object must end in a return or jump.

/// Expand `$m! { table }` with the opcode table. See the module docs for the row format.
#[macro_export]
macro_rules! for_each_opcode {
    ($m:ident) => {
        $m! {
            /// Do nothing.
            NOP = None, |_, _| 0, |_| 0;
            /// `x ->` : discard the top of stack.
            POP_TOP = None, |_, _| -1, |_| 1;
            /// `-> NULL` : push the empty marker (the `self_or_null` slot of a plain call).
            PUSH_NULL = None, |_, _| 1, |_| 0;
            /// `... x(n) ... -> ... x(n) ... x` : push a copy of the n-th item from the top
            /// (`COPY 1` duplicates the top). n >= 1.
            COPY = Count, |_, _| 1, |n| n;
            /// Swap the top with the n-th item from the top (n >= 2).
            SWAP = Count, |_, _| 0, |n| n;

            /// `-> consts[i]`
            LOAD_CONST = Const, |_, _| 1, |_| 0;
            /// `-> varnames[i]` : raise `UnboundLocalError` if unbound.
            LOAD_FAST = Local, |_, _| 1, |_| 0;
            /// `x ->` : store into local `varnames[i]`.
            STORE_FAST = Local, |_, _| -1, |_| 1;
            /// Unbind local `varnames[i]` (`UnboundLocalError` if unbound).
            DELETE_FAST = Local, |_, _| 0, |_| 0;
            /// `-> globals[names[i]]`, falling back to builtins; `NameError` if neither.
            /// (Plain operand: unlike CPython 3.11 no NULL bit; use `PUSH_NULL`.)
            LOAD_GLOBAL = Name, |_, _| 1, |_| 0;
            /// `x ->` : `globals[names[i]] = x`.
            STORE_GLOBAL = Name, |_, _| -1, |_| 1;
            /// `del globals[names[i]]` (`NameError` if missing).
            DELETE_GLOBAL = Name, |_, _| 0, |_| 0;
            /// `-> names[i]` looked up in locals (module code: the globals), globals, builtins.
            LOAD_NAME = Name, |_, _| 1, |_| 0;
            /// `x ->` : bind `names[i]` in the current namespace (module code: globals).
            STORE_NAME = Name, |_, _| -1, |_| 1;
            /// Unbind `names[i]` in the current namespace.
            DELETE_NAME = Name, |_, _| 0, |_| 0;

            /// Create a fresh cell for `cellvars[i]`; if that name is also an argument, the cell
            /// starts with the argument's value, else empty.
            MAKE_CELL = Deref, |_, _| 0, |_| 0;
            /// Copy the n cells of the running function's closure into the free-variable slots.
            COPY_FREE_VARS = Count, |_, _| 0, |_| 0;
            /// `-> cell.contents` of cell/free i; `NameError`/`UnboundLocalError` if empty
            /// (CPython's messages: "cannot access free variable ..." / local).
            LOAD_DEREF = Deref, |_, _| 1, |_| 0;
            /// `x ->` : store into cell/free i.
            STORE_DEREF = Deref, |_, _| -1, |_| 1;
            /// Empty cell/free i.
            DELETE_DEREF = Deref, |_, _| 0, |_| 0;
            /// `-> cell` : push the cell object itself (to build a closure tuple).
            LOAD_CLOSURE = Deref, |_, _| 1, |_| 0;

            /// `obj -> getattr(obj, names[i])`
            LOAD_ATTR = Name, |_, _| 0, |_| 1;
            /// `value, obj ->` : `obj.names[i] = value`.
            STORE_ATTR = Name, |_, _| -2, |_| 2;
            /// `obj ->` : `del obj.names[i]`.
            DELETE_ATTR = Name, |_, _| -1, |_| 1;
            /// `obj -> meth, obj` when `names[i]` is a method found on the type (unbound
            /// function, self), else `obj -> attr, NULL`. Always followed by args and `CALL`.
            LOAD_METHOD = Name, |_, _| 1, |_| 1;

            /// `a, b -> a op b`, `op` is a [`BinaryOp`] (CPython's `NB_*` numbering; the
            /// in-place forms try `__i<op>__` first, for immutable operands they equal the plain op).
            BINARY_OP = BinOp, |_, _| -1, |_| 2;
            /// `x -> -x`
            UNARY_NEGATIVE = None, |_, _| 0, |_| 1;
            /// `x -> +x`
            UNARY_POSITIVE = None, |_, _| 0, |_| 1;
            /// `x -> not x`
            UNARY_NOT = None, |_, _| 0, |_| 1;
            /// `x -> ~x`
            UNARY_INVERT = None, |_, _| 0, |_| 1;
            /// `a, b -> a op b`, `op` is a [`CompareOp`] (CPython 3.11's `cmp_op` index).
            COMPARE_OP = CmpOp, |_, _| -1, |_| 2;
            /// `a, b -> a is b` (operand 0) or `a is not b` (operand 1).
            IS_OP = Invert, |_, _| -1, |_| 2;
            /// `a, b -> a in b` (operand 0) or `a not in b` (operand 1).
            CONTAINS_OP = Invert, |_, _| -1, |_| 2;

            /// `container, key -> container[key]`
            BINARY_SUBSCR = None, |_, _| -1, |_| 2;
            /// `value, container, key ->` : `container[key] = value`.
            STORE_SUBSCR = None, |_, _| -3, |_| 3;
            /// `container, key ->` : `del container[key]`.
            DELETE_SUBSCR = None, |_, _| -2, |_| 2;
            /// `container, start, stop -> container[start:stop]` (CPython 3.12).
            BINARY_SLICE = None, |_, _| -2, |_| 3;
            /// `value, container, start, stop ->` : `container[start:stop] = value`.
            STORE_SLICE = None, |_, _| -4, |_| 4;
            /// `start, stop -> slice(start, stop)` (n = 2) or
            /// `start, stop, step -> slice(start, stop, step)` (n = 3).
            BUILD_SLICE = Count, |n, _| 1 - n as i32, |n| n;

            /// `x1 .. xn -> [x1, .., xn]`
            BUILD_LIST = Count, |n, _| 1 - n as i32, |n| n;
            /// `x1 .. xn -> (x1, .., xn)`
            BUILD_TUPLE = Count, |n, _| 1 - n as i32, |n| n;
            /// `k1, v1 .. kn, vn -> {k1: v1, ..}`
            BUILD_MAP = Count, |n, _| 1 - 2 * n as i32, |n| 2 * n;
            /// `v1 .. vn, keys -> dict(zip(keys, values))`; `keys` is a tuple (a constant).
            BUILD_CONST_KEY_MAP = Count, |n, _| -(n as i32), |n| n + 1;
            /// `x1 .. xn -> {x1, .., xn}`
            BUILD_SET = Count, |n, _| 1 - n as i32, |n| n;
            /// `s1 .. sn -> s1 + .. + sn` : concatenate n strs (f-strings).
            BUILD_STRING = Count, |n, _| 1 - n as i32, |n| n;
            /// `list, (i-1 items), x -> list, (i-1 items)` : `list.append(x)` where list is the
            /// i-th item from the top after popping x (comprehensions).
            LIST_APPEND = Count, |_, _| -1, |n| n + 1;
            /// As `LIST_APPEND` for `set.add(x)`.
            SET_ADD = Count, |_, _| -1, |n| n + 1;
            /// `dict, .., key, value -> dict, ..` : `dict[key] = value`, dict i-th from top
            /// after popping both.
            MAP_ADD = Count, |_, _| -2, |n| n + 2;
            /// `list, .., it -> list, ..` : `list.extend(it)` (star-unpacking in displays).
            LIST_EXTEND = Count, |_, _| -1, |n| n + 1;
            /// `set, .., it -> set, ..` : `set.update(it)`.
            SET_UPDATE = Count, |_, _| -1, |n| n + 1;
            /// `dict, .., m -> dict, ..` : `dict.update(m)` (`{**m}`).
            DICT_UPDATE = Count, |_, _| -1, |n| n + 1;
            /// As `DICT_UPDATE` but duplicate keys raise `TypeError` (`f(**a, **b)`).
            DICT_MERGE = Count, |_, _| -1, |n| n + 1;
            /// `list -> tuple(list)`
            LIST_TO_TUPLE = None, |_, _| 0, |_| 1;

            /// `seq -> xn .. x1` : unpack exactly n items, first item ends on top.
            UNPACK_SEQUENCE = Count, |n, _| n as i32 - 1, |_| 1;
            /// Starred unpack: operand = `before | after << 8`; `seq -> after items.., list,
            /// before items..` with the first item on top (as CPython).
            UNPACK_EX = UnpackEx, |n, _| (n & 0xff) as i32 + (n >> 8) as i32, |_| 1;

            /// `x -> iter(x)`
            GET_ITER = None, |_, _| 0, |_| 1;
            /// `it -> it, next(it)`; when exhausted pop `it` and jump to the target.
            FOR_ITER = Jump, |_, jump| if jump { -1 } else { 1 }, |_| 1;
            /// Jump forward to the target.
            JUMP_FORWARD = Jump, |_, _| 0, |_| 0;
            /// Jump backward to the target (loop back-edge; interrupt/GC check point).
            JUMP_BACKWARD = Jump, |_, _| 0, |_| 0;
            /// `x ->` ; jump if `not x`.
            POP_JUMP_IF_FALSE = Jump, |_, _| -1, |_| 1;
            /// `x ->` ; jump if `x` is truthy.
            POP_JUMP_IF_TRUE = Jump, |_, _| -1, |_| 1;
            /// `x ->` ; jump if `x is None`.
            POP_JUMP_IF_NONE = Jump, |_, _| -1, |_| 1;
            /// `x ->` ; jump if `x is not None`.
            POP_JUMP_IF_NOT_NONE = Jump, |_, _| -1, |_| 1;
            /// If `not x` jump leaving `x`, else pop it (`and`).
            JUMP_IF_FALSE_OR_POP = Jump, |_, jump| if jump { 0 } else { -1 }, |_| 1;
            /// If `x` is truthy jump leaving `x`, else pop it (`or`).
            JUMP_IF_TRUE_OR_POP = Jump, |_, jump| if jump { 0 } else { -1 }, |_| 1;

            /// Set the keyword names (a constant tuple of str) for the next `CALL`.
            KW_NAMES = Const, |_, _| 0, |_| 0;
            /// `callable, self_or_null, args.. (argc values) -> result`. See module docs.
            CALL = Count, |n, _| -1 - n as i32, |n| n + 2;
            /// `callable, self_or_null, args_tuple [, kwargs_dict if flags & 1] -> result`.
            CALL_FUNCTION_EX = Flags, |f, _| -2 - (f & 1) as i32, |n| 3 + (n & 1);
            /// `[defaults] [kwdefaults] [annotations] [closure] code -> function`; the optional
            /// items are present when flags has 0x01, 0x02, 0x04, 0x08 (lowest on the stack
            /// first). Name and qualname come from the code object.
            MAKE_FUNCTION = FunctionFlags, |f, _| -((f & 0xf).count_ones() as i32), |n| 1 + (n & 0xf).count_ones();
            /// `x ->` : return `x` to the caller.
            RETURN_VALUE = None, |_, _| -1, |_| 1;
            /// Return `consts[i]` to the caller.
            RETURN_CONST = Const, |_, _| 0, |_| 0;
            /// First instruction of a generator's code: create the generator from the frame and
            /// return it. When first resumed, execution continues after it, nothing pushed.
            RETURN_GENERATOR = None, |_, _| 0, |_| 0;
            /// `x -> sent` : suspend yielding `x`; on resume push the sent value (None for next()).
            YIELD_VALUE = None, |_, _| 0, |_| 1;

            /// `value [, spec if flags & 4] -> formatted str`; flags & 3 is the conversion:
            /// 0 none, 1 `!s`, 2 `!r`, 3 `!a`.
            FORMAT_VALUE = FormatFlags, |f, _| if f & 4 != 0 { -1 } else { 0 }, |n| 1 + (n >> 2 & 1);

            /// `level, fromlist -> module` : `import names[i]`.
            IMPORT_NAME = Name, |_, _| -1, |_| 2;
            /// `module -> module, module.names[i]` (`from m import x`).
            IMPORT_FROM = Name, |_, _| 1, |_| 1;

            /// Raise: argc 0 re-raises the active exception, 1 is `raise exc`, 2 is
            /// `raise exc from cause` (`exc, cause ->`).
            RAISE_VARARGS = Count, |n, _| -(n as i32), |n| n;
            /// `-> AssertionError` (the class, for `assert`).
            LOAD_ASSERTION_ERROR = None, |_, _| 1, |_| 0;

            // --- classes ---
            /// `-> __build_class__` : push the builtin that runs a class body (a function,
            /// called with the class name and bases) and makes the class.
            LOAD_BUILD_CLASS = None, |_, _| 1, |_| 0;
            // --- exceptions ---
            // Handlers are reached only through the code object's exception table (zero-cost
            // `try`): unwinding pops the value stack to the entry's depth, pushes the offending
            // instruction index if the entry says `lasti`, pushes the exception and jumps.
            /// `exc -> prev_exc, exc` : make `exc` the handled exception, saving the previous
            /// one (None if none) beneath it (CPython 3.11).
            PUSH_EXC_INFO = None, |_, _| 1, |_| 1;
            /// `prev_exc ->` : restore the handled exception saved by `PUSH_EXC_INFO`.
            POP_EXCEPT = None, |_, _| -1, |_| 1;
            /// `exc, spec -> exc, matched` : does `exc` match `except spec` (a class or a tuple of
            /// classes; `TypeError` for anything else)?
            CHECK_EXC_MATCH = None, |_, _| 0, |_| 2;
            /// `exc ->` : raise `exc` again without a new traceback entry (n > 0: a `lasti`
            /// sits n items below the exception, as in CPython).
            RERAISE = Count, |_, _| -1, |n| n + 1;
            /// `mgr -> exit, mgr.__enter__()` : `exit` is the bound `__exit__`.
            BEFORE_WITH = None, |_, _| 1, |_| 1;
            /// `exit, lasti, prev_exc, exc -> exit, lasti, prev_exc, exc, res` where
            /// `res = exit(type(exc), exc, tb)`.
            WITH_EXCEPT_START = None, |_, _| 1, |_| 4;
            // --- langdata ---
            /// `x -> iter(x)` for `yield from` (a generator stays itself).
            GET_YIELD_FROM_ITER = None, |_, _| 0, |_| 1;
            /// `receiver, v -> receiver, yielded` : send `v` into the receiver (`next` when `v`
            /// is None and the receiver is not a generator). When the receiver returns (or is
            /// exhausted) pop both, push its return value and jump to the target.
            SEND = Jump, |_, jump| if jump { -1 } else { 0 }, |_| 2;
            // --- iterfast ---
            /// `res -> self` : after `__init__` returned `res` into the VM's instantiation shim
            /// frame (never emitted by codegen): TypeError unless `res` is None, else push the
            /// new instance (local 0).
            EXIT_INIT_CHECK = None, |_, _| 0, |_| 1;
            // --- quicken ---
            // Specialized forms. The VM writes them over a generic instruction in place when
            // it has seen the operand types (`vm/src/interp/quicken.rs`) and writes the generic
            // form back on a miss. Codegen never emits them and the verifier rejects them in a
            // cache file. Each keeps its generic form's operand and stack effect
            // (`Opcode::generic`).
            /// LOAD_GLOBAL of a name the instruction's cache found in the globals dict.
            LOAD_GLOBAL_MODULE = Name, |_, _| 1, |_| 0;
            /// LOAD_GLOBAL of a name the instruction's cache found in the builtins dict.
            LOAD_GLOBAL_BUILTIN = Name, |_, _| 1, |_| 0;
            /// BINARY_OP `+`/`+=` of two inline ints.
            BINARY_OP_ADD_INT = BinOp, |_, _| -1, |_| 2;
            /// BINARY_OP `-`/`-=` of two inline ints.
            BINARY_OP_SUB_INT = BinOp, |_, _| -1, |_| 2;
            /// BINARY_OP `+`/`+=` of two floats.
            BINARY_OP_ADD_FLOAT = BinOp, |_, _| -1, |_| 2;
            /// BINARY_OP `-`/`-=` of two floats.
            BINARY_OP_SUB_FLOAT = BinOp, |_, _| -1, |_| 2;
            /// BINARY_OP `*`/`*=` of two floats.
            BINARY_OP_MUL_FLOAT = BinOp, |_, _| -1, |_| 2;
            /// COMPARE_OP of two inline ints.
            COMPARE_OP_INT = CmpOp, |_, _| -1, |_| 2;
            /// COMPARE_OP of two floats.
            COMPARE_OP_FLOAT = CmpOp, |_, _| -1, |_| 2;
            /// CALL of the Python function the instruction's cache holds, with exactly its
            /// positional parameters.
            CALL_PY_EXACT_ARGS = Count, |n, _| -1 - n as i32, |n| n + 2;
            /// LOAD_METHOD on a built-in type's instance: the cache holds the type and method.
            LOAD_METHOD_BUILTIN = Name, |_, _| 1, |_| 1;
            // --- calls ---
            // Superinstructions: quickening writes them over a COMPARE_OP whose next
            // instruction is POP_JUMP_IF_FALSE/TRUE. They read that instruction's polarity and
            // target, and either jump there or step over it: no bool is pushed and popped and
            // one dispatch is saved. The POP_JUMP stays in place (a deopt falls back to it).
            /// COMPARE_OP of two inline ints fused with the conditional jump after it.
            COMPARE_OP_INT_JUMP = CmpOp, |_, _| -1, |_| 2;
            /// COMPARE_OP of two floats fused with the conditional jump after it.
            COMPARE_OP_FLOAT_JUMP = CmpOp, |_, _| -1, |_| 2;
            /// LOAD_FAST, then the LOAD_CONST after it (written when code is loaded).
            LOAD_FAST__LOAD_CONST = Local, |_, _| 1, |_| 0;
            /// LOAD_FAST, then the LOAD_FAST after it (written when code is loaded).
            LOAD_FAST__LOAD_FAST = Local, |_, _| 1, |_| 0;
            /// LOAD_GLOBAL_MODULE, then the PUSH_NULL after it (a plain call's callee).
            LOAD_GLOBAL_MODULE__PUSH_NULL = Name, |_, _| 1, |_| 0;
            /// LOAD_GLOBAL_BUILTIN, then the PUSH_NULL after it (a plain call's callee).
            LOAD_GLOBAL_BUILTIN__PUSH_NULL = Name, |_, _| 1, |_| 0;
            // --- features ---
            /// CALL of a native (built-in function or method) or a built-in type, positional
            /// arguments only.
            CALL_NATIVE = Count, |n, _| -1 - n as i32, |n| n + 2;
            // --- strs ---
            /// BINARY_OP `*`/`*=` of two inline ints (a product past the inline range is made
            /// a big int here).
            BINARY_OP_MUL_INT = BinOp, |_, _| -1, |_| 2;
            /// BINARY_OP `%`/`%=` of two inline ints, non-zero divisor (floored, as Python).
            BINARY_OP_MOD_INT = BinOp, |_, _| -1, |_| 2;
            // --- fastcall ---
            // More superinstructions (`vm/src/interp/fastcall.rs`). The LOAD_FAST forms are
            // written when code is loaded (as LOAD_FAST__LOAD_CONST); on a miss they become
            // that pair again. The instructions they fuse stay in place, as above. In the VM's
            // running copy the three LOAD_CONST forms pack the local, the constant and (for
            // the compare) when to jump in their operand; the table's `Local` kind describes
            // the compiler's word.
            /// LOAD_FAST, LOAD_CONST of a small int, BINARY_OP `+`/`+=`: local plus constant.
            LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT = Local, |_, _| 1, |_| 0;
            /// LOAD_FAST, LOAD_CONST of a small int, BINARY_OP `-`/`-=`: local minus constant.
            LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT = Local, |_, _| 1, |_| 0;
            /// LOAD_FAST, LOAD_CONST of a small int, COMPARE_OP, POP_JUMP_IF_FALSE/TRUE: an
            /// int local compared with a constant, and the branch.
            LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP = Local, |_, _| 1, |_| 0;
            /// LOAD_FAST, then the RETURN_VALUE after it.
            LOAD_FAST__RETURN_VALUE = Local, |_, _| 1, |_| 0;
            /// BINARY_OP_ADD_INT, then the RETURN_VALUE after it (specialized at run time).
            BINARY_OP_ADD_INT__RETURN_VALUE = BinOp, |_, _| -1, |_| 2;
        }
    };
}

/// What an instruction's operand means; also picks how `dis` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandKind {
    /// No operand (must be 0).
    None,
    /// Index into `consts`.
    Const,
    /// Index into `varnames`.
    Local,
    /// Index into `names`.
    Name,
    /// Index into `cellvars ++ freevars`.
    Deref,
    /// Absolute instruction index.
    Jump,
    /// A count (items, args, depth).
    Count,
    /// A [`BinaryOp`].
    BinOp,
    /// A [`CompareOp`].
    CmpOp,
    /// 0 or 1: invert the test.
    Invert,
    /// Bit flags printed as a number.
    Flags,
    /// `MAKE_FUNCTION` flags.
    FunctionFlags,
    /// `FORMAT_VALUE` flags.
    FormatFlags,
    /// `UNPACK_EX`: `before | after << 8`.
    UnpackEx,
}

macro_rules! define_opcodes {
    ($( $(#[doc = $doc:literal])* $name:ident = $kind:ident, $eff:expr, $inputs:expr; )*) => {
        /// One VM instruction. The discriminant is the opcode byte (table order).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Opcode {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Opcode {
            /// Every opcode, in byte order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$name),*];
            /// Number of opcodes.
            pub const COUNT: usize = Opcode::ALL.len();

            /// CPython-style name, e.g. `"LOAD_FAST"`.
            pub const fn name(self) -> &'static str {
                match self { $(Opcode::$name => stringify!($name),)* }
            }

            /// What the operand means.
            pub const fn operand_kind(self) -> OperandKind {
                match self { $(Opcode::$name => OperandKind::$kind,)* }
            }

            /// The one-line meaning from the table.
            pub fn doc(self) -> &'static str {
                match self { $(Opcode::$name => concat!($($doc, "\n"),*),)* }
            }

            /// Net stack depth change; `jump` selects the branch-taken edge of jumps.
            pub fn stack_effect(self, arg: u32, jump: bool) -> i32 {
                match self {
                    $(Opcode::$name => {
                        let f: fn(u32, bool) -> i32 = $eff;
                        f(arg, jump)
                    })*
                }
            }

            /// How many values the instruction reads from the stack (its inputs, before its
            /// outputs are pushed): what the verifier checks against the depth.
            pub fn stack_inputs(self, arg: u32) -> u32 {
                match self {
                    $(Opcode::$name => {
                        let f: fn(u32) -> u32 = $inputs;
                        f(arg)
                    })*
                }
            }

            /// Decode an opcode byte.
            pub fn from_u8(b: u8) -> Option<Opcode> {
                Opcode::ALL.get(b as usize).copied()
            }

            /// Look an opcode up by name (assemblers, tests).
            pub fn from_name(s: &str) -> Option<Opcode> {
                match s { $(stringify!($name) => Some(Opcode::$name),)* _ => None }
            }
        }
    };
}

for_each_opcode!(define_opcodes);

impl Opcode {
    /// True for instructions whose operand is a jump target.
    pub fn is_jump(self) -> bool {
        self.operand_kind() == OperandKind::Jump
    }

    /// True if control never falls through to the next instruction.
    pub fn is_terminator(self) -> bool {
        matches!(
            self,
            Opcode::JUMP_FORWARD
                | Opcode::JUMP_BACKWARD
                | Opcode::RETURN_VALUE
                | Opcode::RETURN_CONST
                | Opcode::RAISE_VARARGS
                | Opcode::RERAISE // --- exceptions ---
        )
    }
}

// --- quicken ---
impl Opcode {
    /// The generic instruction a specialized one stands for (itself for generic ones). The
    /// specialized family is the marked block at the end of the table.
    pub const fn generic(self) -> Opcode {
        use Opcode::*;
        match self {
            LOAD_GLOBAL_MODULE | LOAD_GLOBAL_BUILTIN => LOAD_GLOBAL,
            BINARY_OP_ADD_INT | BINARY_OP_SUB_INT | BINARY_OP_ADD_FLOAT | BINARY_OP_SUB_FLOAT
            | BINARY_OP_MUL_FLOAT => BINARY_OP,
            BINARY_OP_MUL_INT | BINARY_OP_MOD_INT => BINARY_OP, // --- strs ---
            COMPARE_OP_INT | COMPARE_OP_FLOAT => COMPARE_OP,
            COMPARE_OP_INT_JUMP | COMPARE_OP_FLOAT_JUMP => COMPARE_OP, // --- calls ---
            LOAD_FAST__LOAD_CONST | LOAD_FAST__LOAD_FAST => LOAD_FAST,
            LOAD_GLOBAL_MODULE__PUSH_NULL | LOAD_GLOBAL_BUILTIN__PUSH_NULL => LOAD_GLOBAL,
            CALL_PY_EXACT_ARGS => CALL,
            LOAD_METHOD_BUILTIN => LOAD_METHOD,
            CALL_NATIVE => CALL, // --- features ---
            // --- fastcall ---
            LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT
            | LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT
            | LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP
            | LOAD_FAST__RETURN_VALUE => LOAD_FAST,
            BINARY_OP_ADD_INT__RETURN_VALUE => BINARY_OP,
            op => op,
        }
    }

    /// True for the VM's specialized forms (never in a code object the compiler makes).
    pub const fn is_specialized(self) -> bool {
        self as u8 != self.generic() as u8
    }

    // --- calls ---
    /// True for the superinstructions: on their fast path they also run the instruction after
    /// them (which stays in place) and continue past it or at its jump target.
    pub const fn fuses_next(self) -> bool {
        self.fused_after() > 0
    }

    // --- fastcall ---
    /// How many of the instructions after a superinstruction its fast path also runs (0 for
    /// every other opcode): `--stats` counts them when it ran fused.
    pub const fn fused_after(self) -> usize {
        use Opcode::*;
        match self {
            COMPARE_OP_INT_JUMP
            | COMPARE_OP_FLOAT_JUMP
            | LOAD_FAST__LOAD_CONST
            | LOAD_FAST__LOAD_FAST
            | LOAD_GLOBAL_MODULE__PUSH_NULL
            | LOAD_GLOBAL_BUILTIN__PUSH_NULL
            | LOAD_FAST__RETURN_VALUE
            | BINARY_OP_ADD_INT__RETURN_VALUE => 1,
            LOAD_FAST__LOAD_CONST__BINARY_OP_ADD_INT | LOAD_FAST__LOAD_CONST__BINARY_OP_SUB_INT => {
                2
            }
            LOAD_FAST__LOAD_CONST__COMPARE_OP_INT_JUMP => 3,
            _ => 0,
        }
    }
}

macro_rules! numbered_enum {
    ($(#[$meta:meta])* $ty:ident { $($name:ident = $n:literal, $sym:literal;)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum $ty { $($name = $n,)* }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$name),*];
            pub fn from_u32(n: u32) -> Option<$ty> {
                match n { $($n => Some($ty::$name),)* _ => None }
            }
            /// The operator as written in Python source.
            pub fn symbol(self) -> &'static str {
                match self { $($ty::$name => $sym,)* }
            }
        }
    };
}

numbered_enum! {
    /// `BINARY_OP` operand: CPython 3.11's `NB_*` numbering (`Include/internal/pycore_opcode.h`).
    BinaryOp {
        Add = 0, "+"; And = 1, "&"; FloorDivide = 2, "//"; LShift = 3, "<<";
        MatrixMultiply = 4, "@"; Multiply = 5, "*"; Remainder = 6, "%"; Or = 7, "|";
        Power = 8, "**"; RShift = 9, ">>"; Subtract = 10, "-"; TrueDivide = 11, "/";
        Xor = 12, "^";
        InplaceAdd = 13, "+="; InplaceAnd = 14, "&="; InplaceFloorDivide = 15, "//=";
        InplaceLShift = 16, "<<="; InplaceMatrixMultiply = 17, "@=";
        InplaceMultiply = 18, "*="; InplaceRemainder = 19, "%="; InplaceOr = 20, "|=";
        InplacePower = 21, "**="; InplaceRShift = 22, ">>="; InplaceSubtract = 23, "-=";
        InplaceTrueDivide = 24, "/="; InplaceXor = 25, "^=";
    }
}

impl BinaryOp {
    /// The non-inplace operator (`InplaceAdd` -> `Add`).
    pub fn base(self) -> BinaryOp {
        let n = self as u32;
        BinaryOp::from_u32(if n >= 13 { n - 13 } else { n }).expect("NB_* numbering")
    }

    pub fn is_inplace(self) -> bool {
        self as u32 >= 13
    }
}

numbered_enum! {
    /// `COMPARE_OP` operand: CPython 3.11's `cmp_op` order.
    CompareOp {
        Lt = 0, "<"; Le = 1, "<="; Eq = 2, "=="; Ne = 3, "!="; Gt = 4, ">"; Ge = 5, ">=";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bytes_are_dense() {
        for (i, op) in Opcode::ALL.iter().enumerate() {
            assert_eq!(*op as usize, i);
            assert_eq!(Opcode::from_name(op.name()), Some(*op));
            assert!(!op.doc().is_empty(), "{} has no doc", op.name());
        }
        const _: () = assert!(Opcode::COUNT <= 256);
    }

    #[test]
    fn stack_effects_match_cpython_for_shared_meanings() {
        use Opcode::*;
        assert_eq!(BINARY_OP.stack_effect(0, false), -1);
        assert_eq!(BUILD_MAP.stack_effect(3, false), -5);
        assert_eq!(CALL.stack_effect(2, false), -3);
        assert_eq!(FOR_ITER.stack_effect(0, false), 1);
        assert_eq!(FOR_ITER.stack_effect(0, true), -1);
        assert_eq!(MAKE_FUNCTION.stack_effect(0x09, false), -2);
        assert_eq!(UNPACK_EX.stack_effect(1 | 2 << 8, false), 3);
        assert_eq!(UNPACK_SEQUENCE.stack_effect(3, false), 2);
    }

    #[test]
    fn specialized_forms_share_their_generic_operand_and_effect() {
        for op in Opcode::ALL.iter().filter(|op| op.is_specialized()) {
            let g = op.generic();
            assert!(!g.is_specialized(), "{}", op.name());
            assert!(g < *op, "{} must follow the generic table", op.name());
            assert_eq!(op.operand_kind(), g.operand_kind(), "{}", op.name());
            for arg in [0, 1, 2, 13] {
                assert_eq!(op.stack_effect(arg, false), g.stack_effect(arg, false));
                assert_eq!(op.stack_inputs(arg), g.stack_inputs(arg), "{}", op.name());
            }
        }
        assert_eq!(Opcode::CALL_PY_EXACT_ARGS.generic(), Opcode::CALL);
    }

    #[test]
    fn stack_inputs_count_every_value_read() {
        // (verify::tests checks every opcode reads at least what it pops.)
        use Opcode::*;
        assert_eq!(BINARY_OP.stack_inputs(0), 2);
        assert_eq!(SWAP.stack_inputs(9), 9);
        assert_eq!(BUILD_MAP.stack_inputs(3), 6);
        assert_eq!(CALL.stack_inputs(2), 4);
        assert_eq!(CALL_FUNCTION_EX.stack_inputs(1), 4);
        assert_eq!(MAKE_FUNCTION.stack_inputs(0x09), 3);
        assert_eq!(LOAD_CONST.stack_inputs(5), 0);
    }

    #[test]
    fn binary_op_numbering_matches_cpython() {
        assert_eq!(BinaryOp::Power as u8, 8);
        assert_eq!(BinaryOp::InplaceAdd.base(), BinaryOp::Add);
        assert_eq!(BinaryOp::InplaceXor as u8, 25);
        assert_eq!(CompareOp::Ge as u8, 5);
    }
}
