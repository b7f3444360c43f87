//! `cls(args)` from bytecode runs `__init__` on the caller's dispatch loop, not a nested one.
//!
//! The instance is made, then a two-instruction *shim* frame (`EXIT_INIT_CHECK;
//! RETURN_VALUE`, one local holding the instance) is pushed where the call's result goes, and
//! `__init__` is called from it as an ordinary Python call (CPython 3.12's
//! `CALL_ALLOC_AND_ENTER_INIT` does the same). `__init__` returns into the shim, which checks
//! the result is None and returns the instance to the caller:
//!
//! ```text
//!  slot   slot+1 = shim base                 shim stack = __init__'s call layout
//!   cls  | inst (local 0) | __init__ | inst (self) | args...
//!   ^ shim.ret                       ^ __init__ frame base
//! ```
//!
//! The shim frame counts toward the recursion limit, so each instantiation level costs two
//! frames, as in CPython 3.11 (`type.__call__` is a C call). It adds no traceback entry
//! (`Vm::handle_exception` skips it), so tracebacks show the caller's line, then `__init__`'s.

use std::sync::Arc;

use nanopy_compiler::bytecode::{CodeObject, Instr, Opcode, Position};

use super::{Regs, Step, Vm};
use crate::frame::Frame;
use crate::object::{Code, Ty};
use crate::value::Value;
use crate::{ops, PyResult};

impl Vm {
    /// The shim code object value, made on first use.
    fn init_shim(&mut self) -> PyResult<Value> {
        if self.init_shim.is_null() {
            let mut co = CodeObject::new("<init>", "<init>", Arc::from("<init>"), 0);
            co.code = vec![
                Instr::new(Opcode::EXIT_INIT_CHECK, 0),
                Instr::new(Opcode::RETURN_VALUE, 0),
            ];
            co.positions = vec![Position::line(0); 2];
            co.varnames = vec!["self".into()];
            co.max_stack = 1;
            self.init_shim = self.load_code(&Arc::new(co))?;
        }
        Ok(self.init_shim)
    }

    /// Instantiate class `cls` called at `slot` (callable, NULL self, `argc` args, the last ones
    /// named by `kwnames`) by pushing the shim and `__init__` frames. `Ok(false)`: not a class
    /// this applies to (a user `__new__`, a native `__init__`); the caller does the full call.
    /// The running frame's `sp` must be synced; on success the `__init__` frame is running.
    pub(crate) fn push_init_frames(
        &mut self,
        cls: Value,
        slot: *mut Value,
        argc: usize,
        kwnames: Value,
    ) -> PyResult<bool> {
        // SAFETY: the call's self_or_null slot and `argc` args follow the callable slot.
        let args = unsafe {
            if !(*slot.add(1)).is_null() {
                return Ok(false);
            }
            std::slice::from_raw_parts(slot.add(2), argc)
        };
        let Some((inst, init)) = crate::class::new_for_init(self, cls, args, kwnames) else {
            return Ok(false);
        };
        if self.frames.len() >= self.recursion_limit {
            return Err(self.new_exc(Ty::RecursionError, "maximum recursion depth exceeded"));
        }
        self.native_roots.push(inst);
        let shim = self.init_shim();
        self.native_roots.pop();
        let shim = shim?;
        let code = shim.as_code().expect("shim code") as *const Code;
        // SAFETY: the shim code object is rooted by the VM for its lifetime.
        let c = unsafe { &*code };
        // Room for the shim's local, `__init__`, self and the args.
        // SAFETY: one past the callable slot, inside the caller's stack room.
        let base = self.frame_room(unsafe { slot.add(1) }, c.nslots + 2 + argc);
        // SAFETY: `frame_room` reserved 3 + argc slots at `base`; the args move up by two
        // (or to the new chunk) before their old places are overwritten.
        unsafe {
            std::ptr::copy(slot.add(2), base.add(3), argc);
            *base = inst;
            *base.add(1) = init;
            *base.add(2) = inst;
        }
        let globals = self.frame().globals;
        self.frames.push(Frame {
            code,
            owner: shim,
            globals,
            base,
            ip: c.instrs.as_ptr(),
            // SAFETY: the local slot is reserved; `__init__`'s call layout starts after it.
            sp: unsafe { base.add(1) },
            ret: slot,
            entry: false,
            chunk: self.chunk as u32,
            gen: Value::NULL,
        });
        // SAFETY: `__init__`'s callable slot, just written.
        let call = unsafe { base.add(1) };
        if let Err(e) = self.push_python_frame(init, call, argc, kwnames) {
            let f = self.frames.pop().expect("the shim frame");
            self.chunk = f.chunk as usize;
            return Err(e);
        }
        Ok(true)
    }
}

/// `res -> self` in the shim frame: `__init__`'s result must be None.
#[allow(non_snake_case)]
pub fn EXIT_INIT_CHECK(vm: &mut Vm, r: &mut Regs, _arg: u32) -> Step {
    // SAFETY: `__init__` returned its result onto the shim's stack; local 0 is the instance.
    unsafe {
        r.sp = r.sp.sub(1);
        let res = *r.sp;
        if !res.is_none() {
            let t = ops::type_name(res);
            let msg = format!("__init__() should return None, not '{t}'");
            return Err(vm.throw_new(Ty::TypeError, &msg));
        }
        *r.sp = *r.fp;
        r.sp = r.sp.add(1);
    }
    Ok(())
}
