//! Generators: resuming a suspended frame, `send`, `throw`, `close`, and the `yield from`
//! opcodes (`GET_YIELD_FROM_ITER`, `SEND`).
//!
//! A suspended generator keeps its frame's slots and value stack in `GenState::saved`. Resuming
//! copies them onto the data stack and runs the frame as an entry frame; `YIELD_VALUE` copies
//! them back. Both copies reuse the buffers they write into (no allocation per resume or
//! yield): a typical frame is a handful of values, cheaper to copy than to give every
//! generator a frame of its own outside the data stack (which the call path, which puts a
//! callee's frame on its arguments in the caller's stack, could not use).
//!
//! Natives that drain a generator (`sum`, `list`, `any`, ...) do not suspend it per item:
//! YIELD_VALUE hands the value to the native's sink and the frame runs on (`gen_sink.rs`).
//!
//! Delegation: a generator suspended inside a `yield from` loop (see
//! `compiler/src/codegen/yield_from.rs`) has the receiver on top of its saved stack; `throw`
//! and `close` go to the receiver first, as CPython's `gen_throw` does.

use nanopy_compiler::bytecode::Opcode;

use super::{Regs, Step, Vm};
use crate::frame::Frame;
use crate::object::{Code, GenState, ObjKind, Ty};
use crate::value::Value;
use crate::{ops, PyErr, PyResult};

/// How a resumed generator stopped.
pub enum GenStep {
    /// It yielded this value (and is suspended).
    Yielded(Value),
    /// It returned this value (it is finished).
    Returned(Value),
}

/// What to do when resuming.
#[derive(Clone, Copy)]
enum Resume {
    /// Push this value as the result of the suspended `yield` (None for `next()`).
    Send(Value),
    /// Raise this exception at the suspended `yield`.
    Throw(Value),
}

fn state(g: Value) -> &'static std::cell::RefCell<GenState> {
    match g.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Generator(cell)) => cell,
        _ => unreachable!("a generator"),
    }
}

impl Vm {
    /// `next(g)`: `Some(value)` for a yield, `None` when it returned (the value is dropped,
    /// as a for loop drops it).
    pub(crate) fn resume_generator(&mut self, g: Value) -> PyResult<Option<Value>> {
        match self.gen_resume(g, Resume::Send(Value::NONE))? {
            GenStep::Yielded(v) => Ok(Some(v)),
            GenStep::Returned(_) => Ok(None),
        }
    }

    /// `next(it)` from a caller that holds no unrooted values across the call (FOR_ITER, and
    /// natives that root what they hold): a generator resumed here may collect garbage.
    pub(crate) fn next_gc_safe(&mut self, it: Value) -> PyResult<Option<Value>> {
        if !matches!(it.as_obj().map(|o| &o.kind), Some(ObjKind::Generator(_))) {
            return ops::next(self, it);
        }
        self.gc_transparent += 1;
        let r = self.resume_generator(it);
        self.gc_transparent -= 1;
        r
    }

    /// `g.send(v)`; `next(g)` is `send(None)`.
    pub fn gen_send(&mut self, g: Value, v: Value) -> PyResult<GenStep> {
        let st = state(g).borrow();
        if !st.started && !st.finished && !v.is_none() {
            drop(st);
            return Err(self.new_exc(
                Ty::TypeError,
                "can't send non-None value to a just-started generator",
            ));
        }
        drop(st);
        self.gen_resume(g, Resume::Send(v))
    }

    /// `g.throw(exc)`: raise `exc` at the suspension point (in the innermost delegate first).
    pub fn gen_throw(&mut self, g: Value, exc: Value) -> PyResult<GenStep> {
        if let Some(recv) = self.delegate(g) {
            let res = if matches!(recv.as_obj().map(|o| &o.kind), Some(ObjKind::Generator(_))) {
                self.native_roots.push(recv);
                let r = self.gen_throw(recv, exc);
                self.native_roots.pop();
                r
            } else {
                Err(PyErr(exc))
            };
            return match res {
                Ok(GenStep::Yielded(v)) => Ok(GenStep::Yielded(v)),
                Ok(GenStep::Returned(v)) => {
                    // The delegate finished: continue after the `yield from` with its value.
                    self.leave_delegation(g);
                    self.gen_resume(g, Resume::Send(v))
                }
                Err(e) => {
                    self.leave_delegation(g);
                    self.gen_resume(g, Resume::Throw(e.0))
                }
            };
        }
        self.gen_resume(g, Resume::Throw(exc))
    }

    /// `g.close()`: raise GeneratorExit inside a suspended generator; it must not yield again.
    pub fn gen_close(&mut self, g: Value) -> PyResult<()> {
        {
            let mut st = state(g).borrow_mut();
            if st.finished {
                return Ok(());
            }
            if !st.started {
                st.finished = true;
                st.saved = Vec::new();
                return Ok(());
            }
        }
        if let Some(recv) = self.delegate(g) {
            if matches!(recv.as_obj().map(|o| &o.kind), Some(ObjKind::Generator(_))) {
                self.native_roots.push(recv);
                let r = self.gen_close(recv);
                self.native_roots.pop();
                if let Err(e) = r {
                    self.leave_delegation(g);
                    return match self.gen_resume(g, Resume::Throw(e.0)) {
                        Ok(_) => Ok(()),
                        Err(e) => Err(e),
                    };
                }
            }
            self.leave_delegation(g);
        }
        let args = self.new_tuple(vec![]);
        let exit = self.exc_from_args(Ty::GeneratorExit, args);
        match self.gen_resume(g, Resume::Throw(exit)) {
            Ok(GenStep::Yielded(_)) => {
                Err(self.new_exc(Ty::RuntimeError, "generator ignored GeneratorExit"))
            }
            Ok(GenStep::Returned(_)) => Ok(()),
            Err(e) if e.0 == exit => Ok(()),
            Err(e) => match e.0.as_exc() {
                Some(x) if x.ty == Ty::GeneratorExit || x.ty == Ty::StopIteration => Ok(()),
                _ => Err(e),
            },
        }
    }

    /// The receiver of the `yield from` a suspended generator is paused in, if any.
    fn delegate(&self, g: Value) -> Option<Value> {
        let st = state(g).borrow();
        if !st.started || st.finished {
            return None;
        }
        let code = st.func.as_function()?.code.as_code()?;
        let next = code.instrs.get(st.pc)?;
        if next.op() != Opcode::JUMP_BACKWARD {
            return None;
        }
        let target = code.instrs.get(next.arg() as usize)?;
        if target.op() != Opcode::SEND {
            return None;
        }
        st.saved.last().copied()
    }

    /// Leave the `yield from` loop of suspended `g`: drop the receiver from its stack and
    /// continue at the loop's exit, where the next resume pushes the loop's result.
    fn leave_delegation(&self, g: Value) {
        let mut st = state(g).borrow_mut();
        let code = st
            .func
            .as_function()
            .and_then(|f| f.code.as_code())
            .expect("generator code");
        let send = code.instrs[st.pc].arg() as usize;
        let exit = code.instrs[send].arg() as usize;
        st.saved.pop();
        st.pc = exit;
    }

    /// Run the generator's frame from its suspension point until it yields, returns or raises.
    fn gen_resume(&mut self, g: Value, how: Resume) -> PyResult<GenStep> {
        let cell = state(g);
        let (func, pc, started) = {
            let st = cell.borrow();
            if st.running {
                drop(st);
                return Err(self.new_exc(Ty::ValueError, "generator already executing"));
            }
            if st.finished {
                return match how {
                    Resume::Send(_) => Ok(GenStep::Returned(Value::NONE)),
                    Resume::Throw(e) => Err(PyErr(e)),
                };
            }
            (st.func, st.pc, st.started)
        };
        if let (Resume::Throw(e), false) = (how, started) {
            // Thrown into before it started: it finishes without running.
            let mut st = cell.borrow_mut();
            st.finished = true;
            st.saved = Vec::new();
            return Err(PyErr(e));
        }
        let f = func.as_function().expect("generator function");
        let code = f.code.as_code().expect("code") as *const Code;
        // SAFETY: the function (rooted by the generator, itself rooted by the caller) keeps
        // its code alive.
        let c = unsafe { &*code };
        let at = self.frame_room(self.top(), 2 + c.nslots + c.stack_size);
        {
            let st = cell.borrow();
            let saved = &st.saved;
            // SAFETY: `frame_room` reserved 2 + nslots + stack_size slots at `at`, and the saved
            // slots are at most nslots + stack_size (they were the frame's [base, sp)).
            unsafe {
                *at = Value::NONE;
                let base = at.add(1);
                std::ptr::copy_nonoverlapping(saved.as_ptr(), base, saved.len());
                for i in saved.len()..c.nslots {
                    *base.add(i) = Value::NULL;
                }
                let mut sp = base.add(saved.len().max(c.nslots));
                if let (Resume::Send(v), true) = (how, started) {
                    *sp = v;
                    sp = sp.add(1);
                }
                self.frames.push(Frame {
                    code,
                    owner: func,
                    globals: f.globals,
                    base,
                    ip: c.instrs.as_ptr().add(pc),
                    sp,
                    ret: at,
                    entry: true,
                    chunk: self.chunk as u32,
                    gen: g,
                });
            }
        }
        // --- exceptions --- the generator's handled exception, if any, hides the caller's
        // (CPython's `gi_exc_state`).
        let outer_exc_info = self.exc_info;
        {
            let mut st = cell.borrow_mut();
            st.running = true;
            st.started = true;
            if !st.exc_info.is_none() {
                self.exc_info = std::mem::replace(&mut st.exc_info, Value::NONE);
            }
        }
        let saved_chunk = self.chunk;
        let r = match how {
            Resume::Throw(e) => self.execute_throw(e),
            Resume::Send(_) => self.execute(),
        };
        self.chunk = saved_chunk;
        let yielded = std::mem::replace(&mut self.yielded, false);
        let mut st = cell.borrow_mut();
        st.running = false;
        if yielded && self.exc_info != outer_exc_info {
            st.exc_info = self.exc_info;
        }
        self.exc_info = outer_exc_info;
        match r {
            Ok(v) if yielded => Ok(GenStep::Yielded(v)),
            Ok(v) => {
                st.finished = true;
                st.saved = Vec::new();
                Ok(GenStep::Returned(v))
            }
            Err(e) => {
                st.finished = true;
                st.saved = Vec::new();
                drop(st);
                // PEP 479: a StopIteration escaping a generator becomes a RuntimeError.
                if e.0.as_exc().is_some_and(|x| x.ty == Ty::StopIteration) {
                    return Err(PyErr(self.stop_iteration_escaped(e.0))); // --- iterfast ---
                }
                Err(e)
            }
        }
    }

    /// The StopIteration a finished generator raises: no args when it returned None, else
    /// `StopIteration(value)` (CPython's `_PyGen_SetStopIterationValue`).
    pub fn stop_iteration(&mut self, value: Value) -> PyErr {
        let args = if value.is_none() { vec![] } else { vec![value] };
        let args = self.new_tuple(args);
        PyErr(self.exc_from_args(Ty::StopIteration, args))
    }
}

// ----- the yield-from opcodes (bodies; handlers.rs runs them out of line) -----

fn pop(r: &mut Regs) -> Value {
    // SAFETY: codegen's stack effects guarantee the stack holds a value here.
    unsafe {
        r.sp = r.sp.sub(1);
        *r.sp
    }
}

fn push(r: &mut Regs, v: Value) {
    // SAFETY: the frame reserved room for its max stack depth.
    unsafe {
        *r.sp = v;
        r.sp = r.sp.add(1);
    }
}

#[allow(non_snake_case)]
pub fn GET_YIELD_FROM_ITER(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    let x = pop(r);
    vm.sync(r);
    match ops::iter(vm, x) {
        Ok(it) => {
            push(r, it);
            Ok(())
        }
        Err(e) => Err(vm.throw(e)),
    }
}

#[allow(non_snake_case)]
pub fn SEND(vm: &mut Vm, r: &mut Regs, arg: u32) -> Step {
    let v = pop(r);
    // SAFETY: the receiver is below the sent value.
    let recv = unsafe { *r.sp.sub(1) };
    vm.sync(r);
    // --- iterfast --- a generator receiver runs on this loop
    if matches!(recv.as_obj().map(|o| &o.kind), Some(ObjKind::Generator(_)))
        && vm.push_generator_frame(r, recv, v)
    {
        return Ok(());
    }
    let step = if matches!(recv.as_obj().map(|o| &o.kind), Some(ObjKind::Generator(_))) {
        // The receiver is on our stack and `v` goes onto its frame: nothing is unrooted.
        vm.gc_transparent += 1;
        let s = vm.gen_send(recv, v);
        vm.gc_transparent -= 1;
        s
    } else if v.is_none() {
        ops::next(vm, recv).map(|o| match o {
            Some(x) => GenStep::Yielded(x),
            None => GenStep::Returned(Value::NONE),
        })
    } else {
        let t = ops::type_name(recv);
        Err(vm.new_exc(
            Ty::AttributeError,
            &format!("'{t}' object has no attribute 'send'"),
        ))
    };
    match step {
        Ok(GenStep::Yielded(x)) => {
            push(r, x);
            Ok(())
        }
        Ok(GenStep::Returned(x)) => {
            // SAFETY: replaces the receiver slot.
            unsafe { *r.sp.sub(1) = x };
            // SAFETY: `arg` is a jump target inside this code object.
            r.ip = unsafe { vm.frame().code().instrs.as_ptr().add(arg as usize) };
            Ok(())
        }
        Err(e) => Err(vm.throw(e)),
    }
}

// ----- generator methods -----

fn gen_arg(vm: &mut Vm, name: &str, args: &[Value]) -> PyResult<Value> {
    match args.first() {
        Some(g) if matches!(g.as_obj().map(|o| &o.kind), Some(ObjKind::Generator(_))) => Ok(*g),
        _ => Err(vm.new_exc(
            Ty::TypeError,
            &format!("descriptor '{name}' requires a 'generator' object"),
        )),
    }
}

fn no_kw(vm: &mut Vm, name: &str, kwnames: Value) -> PyResult<()> {
    if kwnames.as_tuple().is_some_and(|t| !t.is_empty()) {
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("generator.{name}() takes no keyword arguments"),
        ));
    }
    Ok(())
}

fn finish(vm: &mut Vm, step: GenStep) -> PyResult<Value> {
    match step {
        GenStep::Yielded(v) => Ok(v),
        GenStep::Returned(v) => Err(vm.stop_iteration(v)),
    }
}

fn gen_send_method(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "send", kwnames)?;
    let g = gen_arg(vm, "send", args)?;
    if args.len() != 2 {
        let n = args.len() - 1;
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("generator.send() takes exactly one argument ({n} given)"),
        ));
    }
    let step = vm.gen_send(g, args[1])?;
    finish(vm, step)
}

fn gen_throw_method(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "throw", kwnames)?;
    let g = gen_arg(vm, "throw", args)?;
    if !(2..=4).contains(&args.len()) {
        let n = args.len() - 1;
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("throw expected at least 1 argument, got {n}"),
        ));
    }
    let (typ, val) = (args[1], args.get(2).copied().unwrap_or(Value::NONE));
    let exc = if let Some(t) = typ.as_type().filter(|t| t.is_exception()) {
        if val.as_exc().is_some() {
            val
        } else {
            let a = if val.is_none() {
                vec![]
            } else if let Some(t) = val.as_tuple() {
                t.to_vec()
            } else {
                vec![val]
            };
            let a = vm.new_tuple(a);
            vm.exc_from_args(t, a)
        }
    } else if typ.as_exc().is_some() {
        if !val.is_none() {
            return Err(vm.new_exc(
                Ty::TypeError,
                "instance exception may not have a separate value",
            ));
        }
        typ
    } else {
        let t = ops::type_name(typ);
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!(
                "exceptions must be classes or instances deriving from BaseException, not {t}"
            ),
        ));
    };
    let step = vm.gen_throw(g, exc)?;
    finish(vm, step)
}

fn gen_close_method(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    no_kw(vm, "close", kwnames)?;
    let g = gen_arg(vm, "close", args)?;
    if args.len() != 1 {
        let n = args.len() - 1;
        return Err(vm.new_exc(
            Ty::TypeError,
            &format!("generator.close() takes no arguments ({n} given)"),
        ));
    }
    vm.gen_close(g)?;
    Ok(Value::NONE)
}

/// The generator type's methods (`send`, `throw`, `close`), registered by `builtins::install`.
pub fn methods() -> &'static [(Ty, &'static str, crate::object::NativeFn)] {
    &[
        (Ty::Generator, "send", gen_send_method),
        (Ty::Generator, "throw", gen_throw_method),
        (Ty::Generator, "close", gen_close_method),
    ]
}

// --- iterfast ---
// ----- generators resumed on the caller's dispatch loop -----
//
// FOR_ITER and SEND push a suspended generator's frame like a call instead of re-entering
// `execute` for it: its slots are copied onto the data stack above the caller's stack top,
// and the frame's result slot is where the yielded value goes. The frame is marked `entry` so
// its returns leave the fast RETURN_VALUE path, and its index is pushed on `Vm::inline_gens`
// so `do_return`, YIELD_VALUE and `handle_exception` know to continue in the caller instead of
// leaving the loop:
// - YIELD_VALUE saves the frame into the generator and pops it: the caller continues after its
//   FOR_ITER / SEND with the value pushed;
// - a return finishes the generator: FOR_ITER pops the iterator and jumps to its exit, SEND
//   replaces the receiver by the return value and jumps to its exit;
// - an exception finishes it and unwinds into the caller (a StopIteration becomes
//   RuntimeError, PEP 479).

impl Vm {
    /// Is the running frame a generator resumed by `push_generator_frame`?
    #[inline]
    pub(crate) fn top_is_inline_gen(&self) -> bool {
        self.inline_gens.last().copied() == Some(self.frames.len() as u32 - 1)
    }

    /// Resume generator `g` on this loop: its frame's result goes to `r.sp` (the caller's next
    /// free slot), `sent` is pushed as the suspended `yield`'s value. `false`: it is running or
    /// finished, or not started and `sent` is not None; the caller takes the general path,
    /// which raises or reports exhaustion.
    pub(crate) fn push_generator_frame(&mut self, r: &mut Regs, g: Value, sent: Value) -> bool {
        let cell = state(g);
        let mut st = cell.borrow_mut();
        if st.running || st.finished || (!st.started && !sent.is_none()) {
            return false;
        }
        let f = st.func.as_function().expect("generator function");
        let code = f.code.as_code().expect("code") as *const Code;
        // SAFETY: the function (rooted by the generator, on the caller's stack) keeps its code.
        let c = unsafe { &*code };
        self.sync(r);
        let ret = r.sp;
        // SAFETY: FOR_ITER / SEND push one value, so `ret` is inside the caller's stack room.
        let at = unsafe {
            *ret = Value::NONE;
            ret.add(1)
        };
        let base = self.frame_room(at, c.nslots + c.stack_size);
        let saved = &st.saved;
        // SAFETY: `frame_room` reserved nslots + stack_size slots at `base`; the saved slots
        // are at most that many (they were the frame's [base, sp)).
        let sp = unsafe {
            std::ptr::copy_nonoverlapping(saved.as_ptr(), base, saved.len());
            for i in saved.len()..c.nslots {
                *base.add(i) = Value::NULL;
            }
            let mut sp = base.add(saved.len().max(c.nslots));
            if st.started {
                *sp = sent;
                sp = sp.add(1);
            }
            sp
        };
        // SAFETY: `pc` is an instruction index of this code (saved by RETURN_GENERATOR or
        // YIELD_VALUE).
        let ip = unsafe { c.instrs.as_ptr().add(st.pc) };
        self.frames.push(Frame {
            code,
            owner: st.func,
            globals: f.globals,
            base,
            ip,
            sp,
            ret,
            entry: true,
            chunk: self.chunk as u32,
            gen: g,
        });
        self.inline_gens.push(self.frames.len() as u32 - 1);
        // --- exceptions --- the generator's handled exception hides the caller's; the
        // caller's waits in the generator's `exc_info` until the frame leaves.
        let outer = self.exc_info;
        if !st.exc_info.is_none() {
            self.exc_info = st.exc_info;
        }
        st.exc_info = outer;
        st.running = true;
        st.started = true;
        *r = Regs { ip, sp, fp: base };
        true
    }

    /// The running inline generator frame stops (yield, return or exception): restore the
    /// caller's handled exception, and when `finished` drop the generator's saved frame.
    fn leave_generator_frame(&mut self, g: Value, finished: bool) {
        self.inline_gens.pop();
        let mut st = state(g).borrow_mut();
        let outer = std::mem::replace(&mut st.exc_info, Value::NONE);
        if !finished && self.exc_info != outer {
            st.exc_info = self.exc_info;
        }
        self.exc_info = outer;
        st.running = false;
        if finished {
            st.finished = true;
            st.saved = Vec::new();
        }
    }

    /// YIELD_VALUE in an inline generator frame (already saved): pop it and continue the
    /// caller with `v` pushed.
    pub(crate) fn inline_yield(&mut self, r: &mut Regs, v: Value) -> Step {
        let f = self.frames.pop().expect("the generator frame");
        self.leave_generator_frame(f.gen, false);
        // SAFETY: `ret` is the caller's next free slot.
        unsafe { *f.ret = v };
        let caller = self.frame();
        r.ip = caller.ip;
        r.fp = caller.base;
        r.sp = f.ret.wrapping_add(1);
        self.chunk = caller.chunk as usize;
        super::for_iter::enumerate_yield(r, f.ret, v); // --- genloop ---
        Ok(())
    }

    /// The inline generator frame `f` (already popped) returned `v`: finish the generator and
    /// leave the caller's FOR_ITER (iterator popped) or SEND (receiver replaced by `v`) loop.
    pub(crate) fn inline_return(&mut self, r: &mut Regs, f: &Frame, v: Value) -> Step {
        self.leave_generator_frame(f.gen, true);
        let caller = self.frame();
        // SAFETY: the caller stopped right after the FOR_ITER or SEND that resumed `f`.
        let ins = unsafe { *caller.ip.sub(1) };
        // SAFETY: the resuming instruction's operand is a jump target of the caller's code.
        r.ip = unsafe { caller.code().instrs.as_ptr().add(ins.arg() as usize) };
        r.fp = caller.base;
        // The iterator / receiver sits just below the result slot.
        let below = f.ret.wrapping_sub(1);
        if ins.op() == Opcode::SEND {
            // SAFETY: the receiver's slot in the caller's stack.
            unsafe { *below = v };
            r.sp = f.ret;
        } else {
            r.sp = below;
        }
        self.chunk = caller.chunk as usize;
        Ok(())
    }

    /// Unwinding popped inline generator frame `f`: finish the generator. The exception to
    /// propagate into the caller: `exc`, or a RuntimeError for a StopIteration (PEP 479).
    pub(crate) fn inline_unwind(&mut self, f: &Frame, exc: Value) -> Value {
        self.leave_generator_frame(f.gen, true);
        if exc.as_exc().is_some_and(|x| x.ty == Ty::StopIteration) {
            return self.stop_iteration_escaped(exc);
        }
        exc
    }

    /// PEP 479: the RuntimeError a StopIteration escaping a generator becomes, caused by it
    /// (CPython's `_PyErr_FormatFromCause`).
    fn stop_iteration_escaped(&mut self, stop: Value) -> Value {
        let e = self
            .new_exc(Ty::RuntimeError, "generator raised StopIteration")
            .0;
        crate::exceptions::set_cause(self, e, stop);
        if let Some(x) = e.as_exc() {
            x.chain.context.set(stop);
        }
        e
    }
}
