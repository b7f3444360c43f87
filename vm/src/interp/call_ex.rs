//! Star-calls (`f(*a, **k)`): the argument-building opcodes' CPython 3.11 semantics and
//! messages — `LIST_EXTEND` ("Value after * must be an iterable"), `DICT_MERGE` ("argument
//! after ** must be a mapping", "got multiple values for keyword argument"), and
//! `CALL_FUNCTION_EX`'s conversion of its operands ("argument after * must be an iterable",
//! "keywords must be strings").

use super::{Regs, Step, Vm};
use crate::object::{ObjKind, Ty};
use crate::value::Value;
use crate::{ops, PyErr, PyResult};

/// CPython's `_PyObject_FunctionStr`: `module.qualname()` for Python functions outside
/// builtins, else `name()`.
pub fn function_str(vm: &mut Vm, f: Value) -> String {
    match f.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Function(func)) => {
            let key = vm.intern("__name__");
            let module = ops::dict_get_str(func.globals, key)
                .filter(|m| m.as_str().is_some())
                .map(|m| ops::str_of(m).to_string());
            let q = ops::str_of(func.qualname.get());
            match module {
                Some(m) if m != "builtins" => format!("{m}.{q}()"),
                _ => format!("{q}()"),
            }
        }
        Some(ObjKind::Method { func, .. }) => function_str(vm, *func),
        Some(ObjKind::Native(n)) => match n.owner {
            Some(t) => format!("{}.{}()", t.name(), n.name),
            None => format!("{}()", n.name),
        },
        Some(ObjKind::Type(t)) => format!("{}()", t.name()),
        _ => {
            let t = ops::type_name(f);
            format!("{t} object")
        }
    }
}

/// Is `e` a TypeError (the only error CPython rewrites into the star-argument messages)?
fn is_type_error(e: &PyErr) -> bool {
    e.0.as_exc().is_some_and(|x| x.ty == Ty::TypeError)
}

/// `f(*a)`'s positional arguments: a tuple as is, any other iterable collected.
pub fn star_args(vm: &mut Vm, callable: Value, args: Value) -> PyResult<Vec<Value>> {
    if let Some(t) = args.as_tuple() {
        return Ok(t.to_vec());
    }
    match ops::iter(vm, args) {
        Ok(_) => ops::collect_gc_safe(vm, args),
        Err(e) if is_type_error(&e) => {
            let (f, t) = (function_str(vm, callable), ops::type_name(args));
            Err(vm.new_exc(
                Ty::TypeError,
                &format!("{f} argument after * must be an iterable, not {t}"),
            ))
        }
        Err(e) => Err(e),
    }
}

/// `f(**k)`'s keyword names and values from the merged dict; names must be str.
pub fn star_kwargs(vm: &mut Vm, kwargs: Value) -> PyResult<(Vec<Value>, Vec<Value>)> {
    let Some(d) = kwargs.as_dict() else {
        return Ok((vec![], vec![]));
    };
    let d = d.borrow();
    // --- iterfast --- sized once (unzip grows both vectors step by step)
    let (mut names, mut values) = (Vec::with_capacity(d.len()), Vec::with_capacity(d.len()));
    for e in d.iter() {
        names.push(e.key);
        values.push(e.value);
    }
    drop(d);
    if names.iter().any(|k| k.as_str().is_none()) {
        return Err(vm.new_exc(Ty::TypeError, "keywords must be strings"));
    }
    Ok((names, values))
}

fn pop(r: &mut Regs) -> Value {
    // SAFETY: codegen's stack effects guarantee the stack holds a value here.
    unsafe {
        r.sp = r.sp.sub(1);
        *r.sp
    }
}

fn peek(r: &Regs, n: usize) -> Value {
    // SAFETY: the stack holds at least n values (codegen's stack effects).
    unsafe { *r.sp.sub(n) }
}

/// `list, .., it -> list, ..` : extend, with CPython's message for a non-iterable.
#[allow(non_snake_case)]
pub fn LIST_EXTEND(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let it = pop(r);
    let l = peek(r, arg as usize);
    vm.sync(r);
    let items = match ops::iter(vm, it) {
        Ok(_) => ops::collect(vm, it),
        Err(e) if is_type_error(&e) => {
            let t = ops::type_name(it);
            Err(vm.new_exc(
                Ty::TypeError,
                &format!("Value after * must be an iterable, not {t}"),
            ))
        }
        Err(e) => Err(e),
    };
    match items {
        Ok(items) => {
            if let Some(list) = l.as_list() {
                let len = list.borrow().len();
                vm.heap.list_barrier(l.as_obj().expect("list"), len);
                list.borrow_mut().extend(items);
            }
            Ok(())
        }
        Err(e) => Err(vm.throw(e)),
    }
}

/// `dict, .., m -> dict, ..` for a call's `**m`: the callable is 3 below the dict
/// (`callable, self_or_null, args, dict`); duplicate keys and non-mappings raise CPython's
/// messages naming it.
#[allow(non_snake_case)]
pub fn DICT_MERGE(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let m = pop(r);
    let d = peek(r, arg as usize);
    let callable = peek(r, arg as usize + 3);
    vm.sync(r);
    let Some(src) = m.as_dict() else {
        let (f, t) = (function_str(vm, callable), ops::type_name(m));
        return Err(vm.throw_new(
            Ty::TypeError,
            &format!("{f} argument after ** must be a mapping, not {t}"),
        ));
    };
    // --- features --- `f(**k)` merges into the call's fresh empty dict: copy the table
    // whole (duplicates are impossible; non-str keys are the call's to reject).
    if let Some(dst) = d.as_dict().filter(|_| m != d) {
        if dst.borrow().is_empty() {
            vm.heap.barrier(d);
            dst.borrow_mut().copy_from(&src.borrow());
            return Ok(());
        }
    }
    let entries: Vec<(Value, Value)> = src.borrow().iter().map(|e| (e.key, e.value)).collect();
    for (k, v) in entries {
        match ops::dict_get(vm, d, k) {
            Ok(Some(_)) => {
                let f = function_str(vm, callable);
                let msg = match k.as_str() {
                    Some(s) => format!("{f} got multiple values for keyword argument '{}'", s.s),
                    None => "keywords must be strings".to_string(),
                };
                return Err(vm.throw_new(Ty::TypeError, &msg));
            }
            Ok(None) => {}
            Err(e) => return Err(vm.throw(e)),
        }
        if let Err(e) = ops::dict_set(vm, d, k, v) {
            return Err(vm.throw(e));
        }
    }
    Ok(())
}

// --- iterfast ---
/// `f(*a, **k)` of a Python function (or a bound method of one): lay the call out over the
/// operands at `slot` (callable, self_or_null, args) and push the frame on this loop.
/// `None`: not such a callable, or the arguments do not fit in this stack chunk; the caller
/// makes the call from native code.
pub(super) fn push_star_call(
    vm: &mut Vm,
    r: &mut Regs,
    slot: *mut Value,
    callable: Value,
    argv: &[Value],
    kwnames: Value,
) -> Option<Step> {
    let (func, this) = match callable.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Function(_)) => (callable, Value::NULL),
        Some(ObjKind::Method { this, func }) if func.as_function().is_some() => (*func, *this),
        _ => return None,
    };
    let end = vm.stack.chunk_end(vm.chunk);
    // SAFETY: `slot` and `end` point into (or one past) the current chunk.
    if unsafe { end.offset_from(slot) } < (argv.len() + 2) as isize {
        return None;
    }
    // SAFETY: checked just above that the call layout fits in the chunk from `slot`; nothing
    // collects between these writes and the frame push, so `argv` needs no other root.
    unsafe {
        *slot = func;
        *slot.add(1) = this;
        std::ptr::copy_nonoverlapping(argv.as_ptr(), slot.add(2), argv.len());
    }
    let caller_sp = r.sp;
    vm.frame_mut().sp = slot;
    if let Err(e) = vm.push_python_frame(func, slot, argv.len(), kwnames) {
        vm.frame_mut().sp = caller_sp;
        return Some(Err(vm.throw(e)));
    }
    enter_pushed_frame(vm, r)
}

// --- features ---
/// `f(*t, **d)` of a Python function (or a bound method of one) with `t` a tuple and `d`
/// NULL or a dict of str keys (the common forwarding `fn(*args, **kwargs)`): bind straight
/// from the tuple and the dict's entries into the callee's frame, with no argument vector,
/// no kwnames tuple and no copy of the call onto the stack. The frame's result goes to `slot`
/// (the callable's). `None`: another shape; the caller takes the general path.
pub(super) fn push_star_direct(
    vm: &mut Vm,
    r: &mut Regs,
    slot: *mut Value,
    callable: Value,
    args: Value,
    kwargs: Value,
) -> Option<Step> {
    let (func_val, this) = star_direct_target(callable, args, kwargs)?;
    push_star_frame(vm, r, slot, func_val, this, args, kwargs, false)
}

/// The function and bound `self` (or NULL) of a star-call `push_star_frame` can make.
fn star_direct_target(callable: Value, args: Value, kwargs: Value) -> Option<(Value, Value)> {
    let (func_val, this) = match callable.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Function(_)) => (callable, Value::NULL),
        Some(ObjKind::Method { this, func }) if func.as_function().is_some() => (*func, *this),
        _ => return None,
    };
    args.as_tuple()?;
    if !kwargs.is_null() {
        let d = kwargs.as_dict()?;
        if d.borrow().iter().any(|e| e.key.as_str().is_none()) {
            return None; // "keywords must be strings", raised by the general path
        }
    }
    func_val.as_function()?.code.as_code()?;
    Some((func_val, this))
}

/// Bind a call checked by `star_direct_target` into a new frame and switch to it. `fused`:
/// called from BUILD_MAP by `forward_star_call`, which on a binding error returns `None` so
/// that the unfused instructions run and raise it at CALL_FUNCTION_EX (binding runs no
/// Python code, so it fails the same way again); on success the registers are first moved
/// to CALL_FUNCTION_EX's (`**k` pushed, ip past the call).
#[allow(clippy::too_many_arguments)]
fn push_star_frame(
    vm: &mut Vm,
    r: &mut Regs,
    slot: *mut Value,
    func_val: Value,
    this: Value,
    args: Value,
    kwargs: Value,
    fused: bool,
) -> Option<Step> {
    let (Some(func), Some(items)) = (func_val.as_function(), args.as_tuple()) else {
        unreachable!("checked by star_direct_target")
    };
    let Some(c) = func.code.as_code() else {
        unreachable!("checked by star_direct_target")
    };
    // SAFETY: the function (rooted in the call's operands, then in the new frame) keeps its
    // code alive for as long as the frame runs.
    let c = unsafe { &*(c as *const crate::object::Code) };
    if vm.frames.len() >= vm.recursion_limit {
        if fused {
            return None;
        }
        let e = vm.new_exc(Ty::RecursionError, "maximum recursion depth exceeded");
        return Some(Err(vm.throw(e)));
    }
    // Positional arguments: the tuple's items, after `self` for a bound method.
    const SMALL: usize = 16;
    let mut pos_small = [Value::NULL; SMALL];
    let mut pos_big = Vec::new();
    let pos: &[Value] = if this.is_null() {
        items
    } else if items.len() < SMALL {
        pos_small[0] = this;
        pos_small[1..=items.len()].copy_from_slice(items);
        &pos_small[..=items.len()]
    } else {
        pos_big.push(this);
        pos_big.extend_from_slice(items);
        &pos_big
    };
    let mut buf = super::BindBuf::new();
    let locals = buf.slots(c.nlocals);
    // Binding allocates (`*args` tuple, `**kwargs` dict) but never collects, so the operands
    // (still on the stack) and the values copied into `locals` stay valid.
    let bound = match kwargs.as_dict() {
        None => crate::call::bind(vm, func, c, pos, std::iter::empty(), locals),
        Some(d) => {
            let d = d.borrow();
            let kw = d.iter().map(|e| (e.key, e.value));
            crate::call::bind(vm, func, c, pos, kw, locals)
        }
    };
    if let Err(e) = bound {
        if fused {
            return None;
        }
        return Some(Err(vm.throw(e)));
    }
    if fused {
        // SAFETY: BUILD_MAP's stack effect reserves the slot its dict would have taken.
        unsafe { *r.sp = kwargs };
        r.sp = r.sp.wrapping_add(1);
        r.ip = r.ip.wrapping_add(3);
        vm.sync(r);
    }
    // SAFETY: one past the callable slot; the callee frame starts there (over the operands,
    // whose values `locals` now holds).
    let at = unsafe { slot.add(1) };
    let base = vm.frame_room(at, c.nslots + c.stack_size);
    // SAFETY: `frame_room` reserved nslots slots at `base`; locals.len() == nlocals <= nslots.
    unsafe {
        std::ptr::copy_nonoverlapping(locals.as_ptr(), base, locals.len());
        for i in locals.len()..c.nslots {
            *base.add(i) = Value::NULL;
        }
    }
    vm.frame_mut().sp = slot;
    vm.push_frame(c, func, func_val, base, slot);
    enter_pushed_frame(vm, r)
}

/// `BUILD_MAP 0; LOAD_FAST k; DICT_MERGE 1; CALL_FUNCTION_EX 1` is the code of `f(*a, **k)`
/// (with the call's operands `f, NULL, a` below). When `k` is a str-keyed dict, `a` a tuple
/// and `f` a Python function, make the call right here as CALL_FUNCTION_EX would after the
/// copy, skipping the copy: the empty dict, the merge and two dispatches. The caller's saved
/// registers are CALL_FUNCTION_EX's (ip past it, `k` pushed); a call that cannot be bound
/// here runs unfused and raises at the call. Only when quickening is on and instructions are
/// neither traced nor counted (`nanopy trace`, `--stats` and `--no-quicken` see every
/// instruction). `None`: run BUILD_MAP as usual.
pub(super) fn forward_star_call(vm: &mut Vm, r: &mut Regs) -> Option<Step> {
    use nanopy_compiler::bytecode::Opcode;
    if !vm.quicken || vm.options.trace.is_some() || vm.options.count_instructions {
        return None;
    }
    let code = vm.frame().code();
    // SAFETY: `ip` is one past this BUILD_MAP, within (or one past the end of) `instrs`.
    let pc = unsafe { r.ip.offset_from(code.instrs.as_ptr()) } as usize;
    let (load, merge, call) = (
        code.instrs.get(pc)?,
        code.instrs.get(pc + 1)?,
        code.instrs.get(pc + 2)?,
    );
    if load.op().generic() != Opcode::LOAD_FAST
        || merge.op() != Opcode::DICT_MERGE
        || merge.arg() != 1
        || call.op() != Opcode::CALL_FUNCTION_EX
        || call.arg() & 1 != 1
    {
        return None;
    }
    // SAFETY: LOAD_FAST's operand indexes this frame's local slots.
    let kwargs = unsafe { *r.fp.add(load.arg() as usize) };
    if kwargs.is_null() {
        return None;
    }
    let (args, callable) = (peek(r, 1), peek(r, 3));
    let (func_val, this) = star_direct_target(callable, args, kwargs)?;
    let slot = r.sp.wrapping_sub(3);
    push_star_frame(vm, r, slot, func_val, this, args, kwargs, true)
}

/// Continue in the frame just pushed: the function-entry safe point, then its registers.
fn enter_pushed_frame(vm: &mut Vm, r: &mut Regs) -> Option<Step> {
    let top = vm.frame().sp;
    vm.maybe_collect(top);
    *r = vm.spilled();
    Some(Ok(()))
}
