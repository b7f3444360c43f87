//! User-defined classes: class objects (name, bases, C3 MRO, namespace dict), instances with a
//! *shape* and inline slots, attribute lookup with descriptors (methods, `staticmethod`,
//! `classmethod`, `property`, `super()`), `isinstance`/`issubclass`, and the special-method
//! protocols the rest of the VM (`ops`, `builtins`) falls back to when an operand is an
//! instance.
//!
//! Shapes (hidden classes): each class owns a tree of shapes. A shape is the ordered list of
//! attribute names an instance has (slot `i` holds the `i`-th name) plus its transitions
//! (name → next shape). Setting a new attribute moves the instance along a transition, so
//! instances built the same way share one shape and an attribute read is "find the name in a
//! short list" — or, with the per-name inline cache in `Code::attr_cache`, one compare of
//! (class, shape) and one load. `__slots__` predefines shape 0 with every slot and fixes it.
//! The first `INLINE_SLOTS` values live in the object itself; more spill to a side vector, so
//! small objects (binary trees' nodes, vectors) take one heap block each.
//!
//! Instances of classes deriving from an exception type are `ExcObj`s (so the VM raises,
//! catches and prints them as exceptions) whose `instance` field holds an `Instance` with the
//! class and the attributes.
//!
//! `obj.__dict__` switches an instance to a dict-backed layout that no cache serves (see
//! `instance_dict`); a class with its own `__getattribute__` (or `__setattr__`) is never
//! cached either: every read (store) goes through the slow path and calls it.
//!
//! This module must not know about dispatch: handlers call in here from their slow paths.

use std::cell::{Cell, RefCell};

use nanopy_compiler::bytecode::{BinaryOp, CompareOp};

use crate::dict::Dict;
use crate::interp::Vm;
use crate::object::{ExcObj, ObjKind, Ty};
use crate::ops::{self, str_of};
use crate::value::Value;
use crate::{PyErr, PyResult};

/// The most attribute slots an instance carries in its own allocation (after the object, see
/// `Heap::alloc_instance`); the rest go to `Instance::extra`.
pub const INLINE_SLOTS: usize = 16;

pub struct ClassObj {
    pub name: Value,
    pub qualname: Value,
    /// `__module__` (a str), `__main__` for classes defined in the script.
    pub module: Value,
    /// Tuple of base classes (class or built-in type values).
    pub bases: Value,
    /// Tuple: the C3 linearisation, this class first, `object` last.
    pub mro: Cell<Value>,
    /// The namespace the class body filled (a dict with str keys).
    pub dict: Value,
    /// The nearest built-in exception type in the MRO: instances are exceptions.
    pub exc_base: Option<Ty>,
    /// `__slots__` given: shape 0 holds every slot and no attribute may be added.
    pub fixed: bool,
    pub shapes: RefCell<Vec<Shape>>,
    /// `__init__` as last looked up, valid while `init_epoch` is the VM's class epoch.
    init: Cell<Value>,
    /// A user-defined `__new__` (NULL when none), cached with `init`.
    new: Cell<Value>,
    init_epoch: Cell<u32>,
    /// Special methods as last looked up (NULL: absent), valid for `specials_epoch`.
    specials: RefCell<Vec<(&'static str, Value)>>,
    specials_epoch: Cell<u32>,
    // --- instdict ---
    /// A user-defined `__getattribute__` (NULL when none), valid for `getattribute_epoch`.
    /// Every uncached attribute read asks, so it has its own cell instead of a `specials` entry.
    getattribute: Cell<Value>,
    getattribute_epoch: Cell<u32>,
    // --- memory ---
    /// Inline slots to give a new instance: the longest shape made so far (instances built the
    /// same way then fit in one allocation, and no instance pays for slots it never uses).
    slot_hint: Cell<u32>,
}

pub struct Shape {
    /// Interned attribute names; slot `i` holds `names[i]`.
    pub names: Vec<Value>,
    /// Transitions: adding attribute `name` leads to shape `next`.
    pub next: Vec<(Value, u32)>,
}

// --- memory ---
/// 32 bytes, so that every heap object can be 48 (see `object::Obj`). The first `len` slots
/// live right after the object in the same allocation, sized when the instance is made from
/// what the class's instances have needed so far (`ClassObj::slot_hint`); slots past them
/// spill to `extra`.
pub struct Instance {
    pub class: Value,
    pub shape: Cell<u32>,
    /// Slots at `inline`.
    len: u32,
    /// `len` slots in the object's own allocation (dangling when `len` is 0). A pointer made
    /// from the allocation (not an offset from `&self`, whose borrow covers only the `Obj`).
    inline: std::ptr::NonNull<Cell<Value>>,
    /// Slots past the inline ones (None until an instance needs them). A boxed Vec is one
    /// thin pointer, which keeps `Instance` (and so every heap object) from growing.
    #[allow(clippy::box_collection)]
    extra: Cell<Option<Box<Vec<Value>>>>,
}

impl Instance {
    /// An instance with no inline slots (every attribute in `extra`); the heap makes ones with
    /// inline slots (`Heap::alloc_instance`).
    pub fn new(class: Value, shape: u32) -> Instance {
        Instance {
            class,
            shape: Cell::new(shape),
            len: 0,
            inline: std::ptr::NonNull::dangling(),
            extra: Cell::new(None),
        }
    }

    /// An instance whose `len` inline slots are at `inline`.
    ///
    /// # Safety
    /// `inline` must point to `len` initialised slots that live as long as the instance.
    pub(crate) unsafe fn with_inline(
        class: Value,
        shape: u32,
        inline: std::ptr::NonNull<Cell<Value>>,
        len: u32,
    ) -> Instance {
        Instance {
            class,
            shape: Cell::new(shape),
            len,
            inline,
            extra: Cell::new(None),
        }
    }

    /// Inline slot count (the heap frees the allocation with it).
    #[inline]
    pub(crate) fn inline_len(&self) -> usize {
        self.len as usize
    }

    #[inline]
    fn inline(&self) -> &[Cell<Value>] {
        // SAFETY: `inline` points to `len` initialised slots owned by this instance.
        unsafe { std::slice::from_raw_parts(self.inline.as_ptr(), self.len as usize) }
    }

    #[inline]
    pub fn slot(&self, i: usize) -> Value {
        if let Some(c) = self.inline().get(i) {
            return c.get();
        }
        let k = i - self.len as usize;
        // SAFETY: single-threaded, and no reference into `extra` outlives this expression.
        let extra = unsafe { &*self.extra.as_ptr() };
        extra
            .as_ref()
            .and_then(|v| v.get(k).copied())
            .unwrap_or(Value::NULL)
    }

    // --- features --- the inline store is STORE_ATTR's hot path; the spill is out of line
    #[inline(always)]
    pub fn set_slot(&self, i: usize, v: Value) {
        if let Some(c) = self.inline().get(i) {
            c.set(v);
            return;
        }
        self.set_extra(i, v);
    }

    #[inline(never)]
    fn set_extra(&self, i: usize, v: Value) {
        // SAFETY: as in `slot`: nothing else refers into `extra` while it is updated.
        let extra = unsafe { &mut *self.extra.as_ptr() };
        let vec = extra.get_or_insert_with(Default::default);
        let k = i - self.len as usize;
        if vec.len() <= k {
            vec.resize(k + 1, Value::NULL);
        }
        vec[k] = v;
    }

    /// Every slot value (for the GC).
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.class);
        self.inline().iter().for_each(|c| f(c.get()));
        // SAFETY: as in `slot`.
        if let Some(v) = unsafe { &*self.extra.as_ptr() } {
            v.iter().for_each(|x| f(*x));
        }
    }
}

impl ClassObj {
    /// Slot index of `name` in `shape` (None for `instance_dict::DICT_SHAPE`, which has no
    /// slots by name).
    #[inline]
    pub fn slot_of(&self, shape: u32, name: Value) -> Option<usize> {
        let shapes = self.shapes.borrow();
        let names = &shapes.get(shape as usize)?.names;
        if let Some(i) = names.iter().position(|n| *n == name) {
            return Some(i);
        }
        let s = name.as_str()?;
        names
            .iter()
            .position(|n| n.as_str().is_some_and(|ns| ns.s == s.s))
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        for v in [
            self.name,
            self.qualname,
            self.module,
            self.bases,
            self.mro.get(),
            self.dict,
        ] {
            f(v);
        }
        for s in self.shapes.borrow().iter() {
            s.names.iter().for_each(|v| f(*v));
        }
        f(self.init.get());
        f(self.new.get());
        self.specials.borrow().iter().for_each(|(_, v)| f(*v));
        f(self.getattribute.get());
    }
}

/// Per-instruction-name caches for instances (see `Code::attr_cache`). Each entry is keyed by
/// (class, shape) and the VM's class epoch, which moves whenever a class attribute that could
/// change a lookup (a function, a descriptor, a new name) is set after class creation.
/// Sites are often polymorphic (a base-class method sees every subclass), so each kind keeps a
/// few entries, newest first.
#[derive(Default)]
pub struct AttrCache {
    pub load: [Cell<SlotCache>; 2],
    pub store: [Cell<StoreCache>; 2],
    pub method: [Cell<MethodCache>; 4],
}

/// Insert `v` as the newest entry of a cache line.
fn remember<T: Copy>(ways: &[Cell<T>], v: T) {
    for k in (1..ways.len()).rev() {
        ways[k].set(ways[k - 1].get());
    }
    ways[0].set(v);
}

/// LOAD_ATTR: the value is in slot `slot` of instances of `class` with shape `shape`.
#[derive(Clone, Copy)]
pub struct SlotCache {
    pub class: Value,
    pub shape: u32,
    pub slot: u32,
    pub epoch: u32,
}

/// STORE_ATTR: write slot `slot` and move the instance from shape `from` to `to`.
#[derive(Clone, Copy)]
pub struct StoreCache {
    pub class: Value,
    pub from: u32,
    pub to: u32,
    pub slot: u32,
    pub epoch: u32,
}

/// LOAD_METHOD: instances of `class` with shape `shape` find the plain function `func`.
#[derive(Clone, Copy)]
pub struct MethodCache {
    pub class: Value,
    pub shape: u32,
    pub epoch: u32,
    pub func: Value,
}

impl Default for SlotCache {
    fn default() -> Self {
        SlotCache {
            class: Value::NULL,
            shape: 0,
            slot: 0,
            epoch: 0,
        }
    }
}

impl Default for StoreCache {
    fn default() -> Self {
        StoreCache {
            class: Value::NULL,
            from: 0,
            to: 0,
            slot: 0,
            epoch: 0,
        }
    }
}

impl Default for MethodCache {
    fn default() -> Self {
        MethodCache {
            class: Value::NULL,
            shape: 0,
            epoch: 0,
            func: Value::NULL,
        }
    }
}

impl AttrCache {
    /// The cached classes and functions stay alive while the code object does.
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        self.load.iter().for_each(|c| f(c.get().class));
        self.store.iter().for_each(|c| f(c.get().class));
        for m in &self.method {
            f(m.get().class);
            f(m.get().func);
        }
    }
}

/// Per-VM class machinery state.
pub struct ClassState {
    /// Class bodies being run: (frame index of the body, namespace dict). LOAD_NAME and
    /// STORE_NAME in that frame use the namespace instead of the globals.
    pub(crate) namespaces: Vec<(usize, Value)>,
    pub not_implemented: Value,
    /// Moves when a class attribute that could change a cached lookup is set (see
    /// `AttrCache`); starts at 1 so zeroed caches never match.
    pub epoch: u32,
    /// MRO lookups by (class, name), direct-mapped (CPython's type attribute cache): the
    /// slow paths of attribute access hit here instead of walking dicts along the MRO.
    type_cache: Box<[TypeCacheEntry]>,
}

#[derive(Clone, Copy)]
struct TypeCacheEntry {
    class: Value,
    name: Value,
    epoch: u32,
    /// NULL: not found.
    value: Value,
}

const TYPE_CACHE_BITS: u32 = 10;

impl Default for ClassState {
    fn default() -> Self {
        let empty = TypeCacheEntry {
            class: Value::NULL,
            name: Value::NULL,
            epoch: 0,
            value: Value::NULL,
        };
        ClassState {
            namespaces: Vec::new(),
            not_implemented: Value::NULL,
            epoch: 1,
            type_cache: vec![empty; 1 << TYPE_CACHE_BITS].into_boxed_slice(),
        }
    }
}

impl ClassState {
    /// GC roots: namespaces being filled, NotImplemented, and the type cache's entries (so a
    /// cached class, name or value is never freed and its address reused under the cache).
    pub fn roots(&self) -> impl Iterator<Item = Value> + '_ {
        self.namespaces
            .iter()
            .map(|(_, d)| *d)
            .chain(std::iter::once(self.not_implemented))
            .chain(
                self.type_cache
                    .iter()
                    .filter(|e| !e.class.is_null())
                    .flat_map(|e| [e.class, e.name, e.value]),
            )
    }
}

impl ClassState {
    /// Forget cached lookups of `name` (a class attribute of that name was set or deleted;
    /// subclasses' entries must go too, so match on the name alone).
    fn forget(&mut self, name: Value) {
        let s = name.as_str();
        for e in self.type_cache.iter_mut() {
            if e.name == name
                || (s.is_some() && e.name.as_str().is_some_and(|x| x.s == s.unwrap().s))
            {
                e.class = Value::NULL;
            }
        }
    }
}

/// `name` (a str value) along the MRO of user class `cls`, through the type cache.
pub fn lookup_name(vm: &mut Vm, cls: Value, name: Value) -> Option<Value> {
    let h = (cls.bits() >> 4) ^ (name.bits() >> 3).rotate_left(17);
    let i = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - TYPE_CACHE_BITS)) as usize;
    let e = vm.classes.type_cache[i];
    if e.class == cls && e.name == name && e.epoch == vm.classes.epoch {
        return (!e.value.is_null()).then_some(e.value);
    }
    let s = name.as_str()?;
    let found = lookup_hashed(vm, cls, &s.s, s.hash());
    vm.classes.type_cache[i] = TypeCacheEntry {
        class: cls,
        name,
        epoch: vm.classes.epoch,
        value: found.unwrap_or(Value::NULL),
    };
    found
}

// ----- small accessors -----

#[inline]
pub fn as_class<'a>(v: Value) -> Option<&'a ClassObj> {
    match &v.as_obj()?.kind {
        ObjKind::Class(c) => Some(c),
        _ => None,
    }
}

#[inline]
pub fn as_instance<'a>(v: Value) -> Option<&'a Instance> {
    match &v.as_obj()?.kind {
        ObjKind::Instance(i) => Some(i),
        ObjKind::Exception(e) => as_instance(e.instance),
        _ => None,
    }
}

/// The user class of an instance (plain or exception), if `v` is one.
#[inline]
pub fn user_class_of<'a>(v: Value) -> Option<&'a ClassObj> {
    as_class(as_instance(v)?.class)
}

/// Is `v` an instance of a user class (the cases `ops` hands over to this module)?
#[inline]
pub fn is_user_instance(v: Value) -> bool {
    as_instance(v).is_some()
}

impl Vm {
    /// `type(v)` as a value: the user class, or the built-in type object.
    pub fn class_of(&self, v: Value) -> Value {
        match as_instance(v) {
            Some(i) => i.class,
            None => self.type_value(crate::object::type_of(v)),
        }
    }

    /// The MRO of a class or built-in type value, most derived first.
    pub fn mro_of(&self, cls: Value) -> Vec<Value> {
        if let Some(c) = as_class(cls) {
            return c.mro.get().as_tuple().unwrap_or(&[]).to_vec();
        }
        let mut out = Vec::new();
        let mut t = cls.as_type();
        while let Some(x) = t {
            out.push(self.type_value(x));
            t = x.parent();
        }
        if cls.as_type() == Some(Ty::Bool) {
            out.push(self.type_value(Ty::Int));
        }
        if cls.as_type() != Some(Ty::Object) {
            out.push(self.type_value(Ty::Object));
        }
        out
    }

    /// `issubclass(a, b)` for class/type values (no argument checks).
    pub fn is_subclass_value(&self, a: Value, b: Value) -> bool {
        if a == b {
            return true;
        }
        if let Some(c) = as_class(a) {
            return c.mro.get().as_tuple().unwrap_or(&[]).contains(&b);
        }
        match (a.as_type(), b.as_type()) {
            (Some(x), Some(y)) => x.is_subtype(y),
            _ => false,
        }
    }

    /// `isinstance(v, cls)`, `cls` a class, a built-in type or a tuple of them (nested), with
    /// CPython's TypeError otherwise. The one place instance checks are decided (`except`
    /// clauses should call this too).
    pub fn is_instance(&mut self, v: Value, cls: Value) -> PyResult<bool> {
        if let Some(t) = cls.as_tuple() {
            for c in t.iter().copied() {
                if self.is_instance(v, c)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        if !is_class_value(cls) {
            return Err(self.new_exc(
                Ty::TypeError,
                "isinstance() arg 2 must be a type, a tuple of types, or a union",
            ));
        }
        let c = self.class_of(v);
        Ok(self.is_subclass_value(c, cls))
    }

    /// `issubclass(a, cls)` with CPython's argument errors.
    pub fn is_subclass(&mut self, a: Value, cls: Value) -> PyResult<bool> {
        if !is_class_value(a) {
            return Err(self.new_exc(Ty::TypeError, "issubclass() arg 1 must be a class"));
        }
        if let Some(t) = cls.as_tuple() {
            for c in t.iter().copied() {
                if self.is_subclass(a, c)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        if !is_class_value(cls) {
            return Err(self.new_exc(
                Ty::TypeError,
                "issubclass() arg 2 must be a class, a tuple of classes, or a union",
            ));
        }
        Ok(self.is_subclass_value(a, cls))
    }

    /// The class namespace of the running frame, if it is a class body.
    #[inline]
    pub(crate) fn class_namespace(&self) -> Option<Value> {
        match self.classes.namespaces.last() {
            Some(&(depth, ns)) if depth + 1 == self.frames.len() => Some(ns),
            _ => None,
        }
    }
}

fn is_class_value(v: Value) -> bool {
    as_class(v).is_some() || v.as_type().is_some()
}

/// `__name__` of a class or type value.
pub fn class_name<'a>(cls: Value) -> &'a str {
    match as_class(cls) {
        Some(c) => str_of(c.name),
        None => cls.as_type().map_or("?", |t| t.name()),
    }
}

/// The name tracebacks print for an exception: `module.Qualname` for user classes outside
/// `builtins` and `__main__` (CPython's rule), the bare name otherwise.
pub fn exc_type_display(exc: Value) -> String {
    match user_class_of(exc) {
        Some(c) => {
            let m = str_of(c.module);
            if m == "builtins" || m == "__main__" {
                str_of(c.qualname).to_string()
            } else {
                format!("{m}.{}", str_of(c.qualname))
            }
        }
        None => crate::object::type_of(exc).name().to_string(),
    }
}

// ----- lookup along the MRO -----

/// Find `name` in a dict with str keys by text (class namespaces are small).
fn dict_find(d: Value, name: &str, hash: u64) -> Option<Value> {
    let d = d.as_dict()?.borrow();
    d.get(hash, |k| k.as_str().is_some_and(|ks| &*ks.s == name))
}

/// `name` looked up along the MRO of class/type value `cls` (the class attribute, not bound).
pub fn lookup(vm: &Vm, cls: Value, name: &str) -> Option<Value> {
    let hash = crate::object::str_hash(name);
    lookup_hashed(vm, cls, name, hash)
}

fn lookup_hashed(vm: &Vm, cls: Value, name: &str, hash: u64) -> Option<Value> {
    match as_class(cls) {
        Some(c) => {
            for k in c.mro.get().as_tuple().unwrap_or(&[]) {
                let found = match as_class(*k) {
                    Some(kc) => dict_find(kc.dict, name, hash),
                    None => k
                        .as_type()
                        .and_then(|t| vm.methods.get(&(t, name)).copied()),
                };
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        None => {
            let mut t = cls.as_type();
            while let Some(x) = t {
                if let Some(v) = vm.methods.get(&(x, name)) {
                    return Some(*v);
                }
                t = x.parent();
            }
            vm.methods.get(&(Ty::Object, name)).copied()
        }
    }
}

/// A user-defined (not inherited from a built-in type) special method of `v`'s class, cached
/// per class until the class epoch moves.
pub fn special(vm: &Vm, v: Value, name: &'static str) -> Option<Value> {
    let i = as_instance(v)?;
    let c = as_class(i.class)?;
    if c.specials_epoch.get() != vm.classes.epoch {
        c.specials.borrow_mut().clear();
        c.specials_epoch.set(vm.classes.epoch);
    }
    if let Some(&(_, f)) = c
        .specials
        .borrow()
        .iter()
        .find(|(n, _)| std::ptr::eq(*n, name) || *n == name)
    {
        return (!f.is_null()).then_some(f);
    }
    let found = lookup(vm, i.class, name)
        // Natives come from built-in bases (object.__init__ and friends): not an override.
        .filter(|f| !matches!(f.as_obj().map(|o| &o.kind), Some(ObjKind::Native(_))));
    c.specials
        .borrow_mut()
        .push((name, found.unwrap_or(Value::NULL)));
    found
}

// --- instdict ---
/// The `__getattribute__` that replaces the normal lookup on instance `i` (a user-defined one
/// on its class or a base; `object.__getattribute__` is the normal lookup itself).
#[inline]
pub fn getattribute_override(vm: &Vm, i: &Instance) -> Option<Value> {
    let c = as_class(i.class)?;
    if c.getattribute_epoch.get() != vm.classes.epoch {
        let found = lookup(vm, i.class, "__getattribute__")
            .filter(|f| !matches!(f.as_obj().map(|o| &o.kind), Some(ObjKind::Native(_))));
        c.getattribute.set(found.unwrap_or(Value::NULL));
        c.getattribute_epoch.set(vm.classes.epoch);
    }
    let f = c.getattribute.get();
    (!f.is_null()).then_some(f)
}

/// Call special method `name` of `v` (looked up on its class) with `args`; `None` when the
/// class does not define it.
pub fn call_special(
    vm: &mut Vm,
    v: Value,
    name: &'static str,
    args: &[Value],
) -> PyResult<Option<Value>> {
    let Some(m) = special(vm, v, name) else {
        return Ok(None);
    };
    call_bound(vm, m, v, args).map(Some)
}

/// Call class attribute `m` (found on `this`'s class) as a method of `this`.
fn call_bound(vm: &mut Vm, m: Value, this: Value, args: &[Value]) -> PyResult<Value> {
    match m.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Function(_)) | Some(ObjKind::Native(_)) => {
            let mut v = Vec::with_capacity(args.len() + 1);
            v.push(this);
            v.extend_from_slice(args);
            vm.call(m, &v)
        }
        Some(ObjKind::StaticMethod(f)) => {
            let f = *f;
            vm.call(f, args)
        }
        Some(ObjKind::ClassMethod(f)) => {
            let f = *f;
            let c = vm.class_of(this);
            let mut v = Vec::with_capacity(args.len() + 1);
            v.push(c);
            v.extend_from_slice(args);
            vm.call(f, &v)
        }
        _ => vm.call(m, args),
    }
}

// ----- building classes -----

/// `__build_class__(func, name, *bases)`: run the class body in a fresh namespace, then make
/// the class.
pub fn build_class(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    if !kwnames.is_null() {
        return Err(vm.new_exc(
            Ty::TypeError,
            "nanopy does not support class keyword arguments (metaclass=...) yet",
        ));
    }
    if args.len() < 2 || args[0].as_function().is_none() || args[1].as_str().is_none() {
        return Err(vm.new_exc(Ty::TypeError, "__build_class__: func and name required"));
    }
    let (func, name, bases) = (args[0], args[1], &args[2..]);
    for b in bases {
        let ok = match b.as_type() {
            Some(t) => t == Ty::Object || t.is_exception(),
            None => as_class(*b).is_some(),
        };
        if !ok {
            let msg = if b.as_type().is_some() {
                format!(
                    "nanopy does not support subclassing built-in type '{}' yet",
                    class_name(*b)
                )
            } else {
                "bases must be types".to_string()
            };
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
    }
    let ns = vm.new_dict(Dict::new());
    let depth = vm.frames.len();
    vm.classes.namespaces.push((depth, ns));
    let r = vm.call(func, &[]);
    vm.classes.namespaces.pop();
    let cell = r?;
    vm.native_roots.push(ns);
    let r = make_class(vm, name, bases, ns, cell);
    vm.native_roots.pop();
    r
}

fn make_class(
    vm: &mut Vm,
    name: Value,
    bases: &[Value],
    ns: Value,
    cell: Value,
) -> PyResult<Value> {
    let bases: Vec<Value> = if bases.is_empty() {
        vec![vm.type_value(Ty::Object)]
    } else {
        bases.to_vec()
    };
    let mro_tail = c3_merge(vm, &bases)?;
    let key = |vm: &mut Vm, s: &str| vm.intern(s);
    let k_module = key(vm, "__module__");
    let k_qualname = key(vm, "__qualname__");
    let k_classcell = key(vm, "__classcell__");
    let k_slots = key(vm, "__slots__");
    let k_eq = key(vm, "__eq__");
    let k_hash = key(vm, "__hash__");
    let module = ops::dict_get_str(ns, k_module).unwrap_or_else(|| vm.intern("__main__"));
    let qualname = ops::dict_get_str(ns, k_qualname).unwrap_or(name);
    ops::dict_del(vm, ns, k_qualname)?;
    ops::dict_del(vm, ns, k_classcell)?;
    // A class that defines __eq__ but not __hash__ is unhashable (CPython sets it to None).
    if ops::dict_get_str(ns, k_eq).is_some() && ops::dict_get_str(ns, k_hash).is_none() {
        ops::dict_set(vm, ns, k_hash, Value::NONE)?;
    }
    let mut exc_base = None;
    for k in &mro_tail {
        let t = match as_class(*k) {
            Some(c) => c.exc_base,
            None => k.as_type().filter(|t| t.is_exception()),
        };
        if t.is_some() {
            exc_base = t;
            break;
        }
    }
    // __slots__: shape 0 holds the inherited slots then this class's own.
    let mut fixed = false;
    let mut names: Vec<Value> = Vec::new();
    // --- instdict --- a class without `__slots__` keeps its bases' slots there too: they are
    // slots in CPython, not entries of the instance's `__dict__` (see `instance_dict`).
    for b in &bases {
        if let Some(c) = as_class(*b) {
            for n in c.shapes.borrow()[0].names.iter() {
                if !names.contains(n) {
                    names.push(*n);
                }
            }
        }
    }
    if let Some(s) = ops::dict_get_str(ns, k_slots) {
        let items = if s.as_str().is_some() {
            vec![s]
        } else {
            ops::collect(vm, s)?
        };
        let inherited_ok = bases.iter().all(|b| match as_class(*b) {
            Some(c) => c.fixed,
            None => b.as_type() == Some(Ty::Object),
        });
        fixed = inherited_ok;
        for it in items {
            let Some(st) = it.as_str() else {
                let t = ops::type_name(it);
                let msg = format!("__slots__ items must be strings, not '{t}'");
                return Err(vm.new_exc(Ty::TypeError, &msg));
            };
            let n = st.s.to_string();
            let v = vm.intern(&n);
            if !names.contains(&v) {
                names.push(v);
            }
        }
    }
    let bases_t = vm.new_tuple(bases);
    let nslots0 = names.len() as u32;
    let class = vm.heap.alloc(ObjKind::Class(Box::new(ClassObj {
        name,
        qualname,
        module,
        bases: bases_t,
        mro: Cell::new(Value::NULL),
        dict: ns,
        exc_base,
        fixed,
        shapes: RefCell::new(vec![Shape {
            names,
            next: Vec::new(),
        }]),
        init: Cell::new(Value::NULL),
        new: Cell::new(Value::NULL),
        init_epoch: Cell::new(0),
        specials: RefCell::new(Vec::new()),
        specials_epoch: Cell::new(0),
        getattribute: Cell::new(Value::NULL),
        getattribute_epoch: Cell::new(0),
        slot_hint: Cell::new(nslots0),
    })));
    let mut mro = vec![class];
    mro.extend(mro_tail);
    let mro = vm.new_tuple(mro);
    if let Some(c) = as_class(class) {
        c.mro.set(mro);
    }
    if let Some(ObjKind::Cell(c)) = cell.as_obj().map(|o| &o.kind) {
        vm.heap.store_barrier(cell, class);
        c.set(class);
    }
    Ok(class)
}

/// C3 linearisation of `bases` (the MRO without the class itself), with CPython's error.
fn c3_merge(vm: &mut Vm, bases: &[Value]) -> PyResult<Vec<Value>> {
    let mut seqs: Vec<Vec<Value>> = bases.iter().map(|b| vm.mro_of(*b)).collect();
    seqs.push(bases.to_vec());
    let mut out = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Ok(out);
        }
        let head = seqs
            .iter()
            .map(|s| s[0])
            .find(|h| !seqs.iter().any(|s| s[1..].contains(h)));
        let Some(h) = head else {
            let mut names: Vec<&str> = Vec::new();
            for b in bases {
                let n = class_name(*b);
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            let msg = format!(
                "Cannot create a consistent method resolution\norder (MRO) for bases {}",
                names.join(", ")
            );
            return Err(vm.new_exc(Ty::TypeError, &msg));
        };
        out.push(h);
        for s in seqs.iter_mut() {
            if s[0] == h {
                s.remove(0);
            }
        }
    }
}

// ----- instances -----

/// `cls(*args, **kw)`: make the instance and run `__init__`.
pub fn call_class(vm: &mut Vm, cls: Value, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let c = as_class(cls).expect("a class");
    refresh_init(vm, cls, c);
    let init = Some(c.init.get()).filter(|v| !v.is_null());
    let new = c.new.get();
    let obj = if new.is_null() {
        allocate(vm, cls, args, kwnames)
    } else {
        let mut v = Vec::with_capacity(args.len() + 1);
        v.push(cls);
        v.extend_from_slice(args);
        let r = vm.call_kw(new, &v, kwnames)?;
        if !vm.is_instance(r, cls)? {
            return Ok(r);
        }
        r
    };
    match init.and_then(|f| f.as_obj()).map(|o| &o.kind) {
        Some(ObjKind::Function(_)) => {
            let mut v = Vec::with_capacity(args.len() + 1);
            v.push(obj);
            v.extend_from_slice(args);
            // `obj` stays rooted: the call copies its arguments onto the data stack.
            let r = vm.call_kw(init.expect("found"), &v, kwnames)?;
            if !r.is_none() {
                let t = ops::type_name(r);
                let msg = format!("__init__() should return None, not '{t}'");
                return Err(vm.new_exc(Ty::TypeError, &msg));
            }
        }
        Some(ObjKind::Native(n))
            if n.owner == Some(Ty::Object) && !args.is_empty() && new.is_null() =>
        {
            let msg = format!("{}() takes no arguments", str_of(c.name));
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
        // BaseException.__init__: args were stored by `allocate`.
        _ => {}
    }
    Ok(obj)
}

/// Look up (again, if classes changed since) `__init__` and a user `__new__` of `cls`.
fn refresh_init(vm: &mut Vm, cls: Value, c: &ClassObj) {
    if c.init_epoch.get() != vm.classes.epoch {
        let f = lookup(vm, cls, "__init__");
        c.init.set(f.unwrap_or(Value::NULL));
        // A user-defined __new__ (natives are object.__new__).
        let n = lookup(vm, cls, "__new__").filter(|f| f.as_function().is_some());
        c.new.set(n.unwrap_or(Value::NULL));
        c.init_epoch.set(vm.classes.epoch);
    }
}

// --- iterfast ---
/// For `cls(...)` called from bytecode: when `cls` has no user `__new__` and its `__init__` is
/// a Python function, a new uninitialised instance and that function, so the caller can run
/// `__init__` as an ordinary frame on its own dispatch loop (`interp/init_frame.rs`). `args`
/// are the call's arguments (an exception class stores them in the instance).
pub(crate) fn new_for_init(
    vm: &mut Vm,
    cls: Value,
    args: &[Value],
    kwnames: Value,
) -> Option<(Value, Value)> {
    let c = as_class(cls)?;
    refresh_init(vm, cls, c);
    let init = c.init.get();
    if !c.new.get().is_null() || init.as_function().is_none() {
        return None;
    }
    Some((allocate(vm, cls, args, kwnames), init))
}

/// A new, uninitialised instance of user class `cls` (an exception object for exception
/// classes, with `args` from the call).
fn allocate(vm: &mut Vm, cls: Value, args: &[Value], kwnames: Value) -> Value {
    let c = as_class(cls).expect("a class");
    let nslots = (c.slot_hint.get() as usize).min(INLINE_SLOTS); // --- memory ---
    let inst = vm.heap.alloc_instance(cls, 0, nslots);
    match c.exc_base {
        Some(ty) => {
            let nkw = kwnames.as_tuple().map_or(0, |t| t.len());
            let a = vm.new_tuple(args[..args.len() - nkw].to_vec());
            vm.heap.alloc(ObjKind::Exception(Box::new(ExcObj {
                ty,
                args: Cell::new(a),
                traceback: Default::default(),
                instance: inst,
                chain: Default::default(),
            })))
        }
        None => inst,
    }
}

/// `object.__new__(cls, *args)` (reached through `super().__new__(cls)`).
pub fn object_new(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    match args.first().copied() {
        Some(cls) if as_class(cls).is_some() => Ok(allocate(vm, cls, &args[1..], kwnames)),
        Some(other) => {
            let msg = format!(
                "object.__new__(X): X is not a type object ({})",
                ops::type_name(other)
            );
            Err(vm.new_exc(Ty::TypeError, &msg))
        }
        None => Err(vm.new_exc(Ty::TypeError, "object.__new__(): not enough arguments")),
    }
}

/// `object.__init__(self)` (reached through `super().__init__()`).
pub fn object_init(vm: &mut Vm, args: &[Value], _kwnames: Value) -> PyResult<Value> {
    if args.len() > 1 {
        let msg = "object.__init__() takes exactly one argument (the instance to initialize)";
        return Err(vm.new_exc(Ty::TypeError, msg));
    }
    Ok(Value::NONE)
}

/// `BaseException.__init__(self, *args)`: store `args`.
pub fn exception_init(vm: &mut Vm, args: &[Value], _kwnames: Value) -> PyResult<Value> {
    let Some(this) = args.first().copied() else {
        return Ok(Value::NONE);
    };
    let a = vm.new_tuple(args[1..].to_vec());
    if let Some(e) = this.as_exc() {
        vm.heap.store_barrier(this, a);
        e.args.set(a);
    }
    Ok(Value::NONE)
}

// ----- attributes -----

fn no_attr(vm: &mut Vm, obj: Value, name: Value) -> PyErr {
    let n = str_of(name);
    let msg = if is_class_value(obj) {
        format!("type object '{}' has no attribute '{n}'", class_name(obj))
    } else {
        format!("'{}' object has no attribute '{n}'", ops::type_name(obj))
    };
    crate::suggestions::attribute_error(vm, obj, name, &msg) // --- bigint ---
}

/// Attribute lookup on instances, classes and `super` objects; `None` for other objects
/// (the caller's built-in lookup applies).
pub fn getattr(vm: &mut Vm, obj: Value, name: Value) -> PyResult<Option<Value>> {
    let Some(o) = obj.as_obj() else {
        return Ok(None);
    };
    match &o.kind {
        ObjKind::Instance(i) => {
            // --- instdict --- a class's own `__getattribute__` replaces the normal lookup.
            let r = match getattribute_override(vm, i) {
                Some(f) => call_bound(vm, f, obj, &[name]),
                None => instance_getattr(vm, obj, i, name),
            };
            match r {
                // The lookup failed (no attribute, or a property raised AttributeError):
                // the class's `__getattr__`, if it has one, answers instead.
                Err(e) if is_attribute_error(e) => {
                    match call_special(vm, obj, "__getattr__", &[name])? {
                        Some(v) => Ok(Some(v)),
                        None => Err(e),
                    }
                }
                r => r.map(Some),
            }
        }
        ObjKind::Exception(e) if !e.instance.is_null() => {
            let i = as_instance(e.instance).expect("exception instance");
            // --- instdict --- as for plain instances (see above)
            if let Some(f) = getattribute_override(vm, i) {
                return match call_bound(vm, f, obj, &[name]) {
                    Err(e) if is_attribute_error(e) => {
                        match call_special(vm, obj, "__getattr__", &[name])? {
                            Some(v) => Ok(Some(v)),
                            None => Err(e),
                        }
                    }
                    r => r.map(Some),
                };
            }
            match instance_getattr(vm, obj, i, name) {
                Ok(v) => Ok(Some(v)),
                // Fall back to the built-in exception attributes (args, ...).
                Err(_) => Ok(None),
            }
        }
        ObjKind::Class(c) => class_getattr(vm, obj, c, name).map(Some),
        // Built-in types: their methods, unbound (`object.__new__`, `str.join`).
        ObjKind::Type(_) => Ok(name
            .as_str()
            .and_then(|s| lookup_hashed(vm, obj, &s.s, s.hash()))),
        ObjKind::Super { class, this } => super_getattr(vm, *class, *this, name).map(Some),
        ObjKind::Property { fget, .. } if str_of(name) == "fget" => Ok(Some(*fget)),
        _ => Ok(None),
    }
}

fn instance_getattr(vm: &mut Vm, obj: Value, i: &Instance, name: Value) -> PyResult<Value> {
    let c = as_class(i.class).expect("instance class");
    let n = str_of(name);
    let attr = lookup_name(vm, i.class, name);
    if let Some(a) = attr {
        if let Some(ObjKind::Property { fget, .. }) = a.as_obj().map(|o| &o.kind) {
            let f = *fget;
            return vm.call(f, &[obj]);
        }
    }
    // --- instdict --- `__dict__` is a data descriptor of the class in CPython: it wins.
    if attr.is_none() && n == "__dict__" && !c.fixed {
        return Ok(crate::instance_dict::materialize(vm, obj));
    }
    if let Some(v) = crate::instance_dict::own_attr(i, name) {
        return Ok(v);
    }
    match attr {
        Some(a) => Ok(bind(vm, a, obj, i.class)),
        None if n == "__class__" => Ok(i.class),
        None => Err(no_attr(vm, obj, name)),
    }
}

/// The descriptor step: what reading class attribute `a` through an instance gives.
fn bind(vm: &mut Vm, a: Value, this: Value, cls: Value) -> Value {
    match a.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Function(_)) | Some(ObjKind::Native(_)) => {
            vm.heap.alloc(ObjKind::Method { this, func: a })
        }
        Some(ObjKind::StaticMethod(f)) => *f,
        Some(ObjKind::ClassMethod(f)) => {
            let f = *f;
            vm.heap.alloc(ObjKind::Method { this: cls, func: f })
        }
        _ => a,
    }
}

fn class_getattr(vm: &mut Vm, cls: Value, c: &ClassObj, name: Value) -> PyResult<Value> {
    let n = str_of(name);
    match n {
        "__name__" => return Ok(c.name),
        "__qualname__" => return Ok(c.qualname),
        "__module__" => return Ok(c.module),
        "__mro__" => return Ok(c.mro.get()),
        "__bases__" => return Ok(c.bases),
        "__class__" => return Ok(vm.type_value(Ty::Type)),
        _ => {}
    }
    match lookup_name(vm, cls, name) {
        Some(a) => Ok(match a.as_obj().map(|o| &o.kind) {
            Some(ObjKind::StaticMethod(f)) => *f,
            Some(ObjKind::ClassMethod(f)) => {
                let f = *f;
                vm.heap.alloc(ObjKind::Method { this: cls, func: f })
            }
            _ => a,
        }),
        None if n == "__doc__" => Ok(Value::NONE),
        None => Err(no_attr(vm, cls, name)),
    }
}

fn super_getattr(vm: &mut Vm, class: Value, this: Value, name: Value) -> PyResult<Value> {
    let this_is_class = is_class_value(this);
    let start = if this_is_class {
        this
    } else {
        vm.class_of(this)
    };
    let mro = vm.mro_of(start);
    let n = str_of(name);
    let pos = mro
        .iter()
        .position(|c| *c == class)
        .map_or(mro.len(), |p| p + 1);
    for k in &mro[pos..] {
        let found = match as_class(*k) {
            Some(kc) => ops::dict_get_str(kc.dict, name),
            None => k.as_type().and_then(|t| vm.methods.get(&(t, n)).copied()),
        };
        if let Some(a) = found {
            return Ok(match a.as_obj().map(|o| &o.kind) {
                Some(ObjKind::Property { fget, .. }) if !this_is_class => {
                    let f = *fget;
                    vm.call(f, &[this])?
                }
                _ if this_is_class => match a.as_obj().map(|o| &o.kind) {
                    Some(ObjKind::StaticMethod(f)) => *f,
                    Some(ObjKind::ClassMethod(f)) => {
                        let f = *f;
                        vm.heap.alloc(ObjKind::Method { this, func: f })
                    }
                    _ => a,
                },
                _ => bind(vm, a, this, start),
            });
        }
    }
    let msg = format!("'super' object has no attribute '{n}'");
    Err(vm.new_exc(Ty::AttributeError, &msg))
}

/// `obj.name = v` for every kind of object (built-ins without attributes raise).
pub fn setattr(vm: &mut Vm, obj: Value, name: Value, v: Value) -> PyResult<()> {
    if user_setattr(vm, obj, name, v)? {
        return Ok(());
    }
    plain_setattr(vm, obj, name, v)
}

/// A class's own `__setattr__` runs instead of the store (true when it did). Natives found on
/// built-in bases (`object.__setattr__`) are not overrides: `special` skips them.
fn user_setattr(vm: &mut Vm, obj: Value, name: Value, v: Value) -> PyResult<bool> {
    if as_instance(obj).is_none() {
        return Ok(false);
    }
    Ok(call_special(vm, obj, "__setattr__", &[name, v])?.is_some())
}

/// `object.__setattr__(obj, name, value)`: the store itself, bypassing any override.
pub fn object_setattr(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    crate::builtins::no_kw(vm, "__setattr__", kwnames)?;
    crate::builtins::arity(vm, "__setattr__", args, 3, 3)?;
    let name = attr_name(vm, args[1])?;
    plain_setattr(vm, args[0], name, args[2])?;
    Ok(Value::NONE)
}

// --- instdict ---
/// `object.__getattribute__(obj, name)`: the normal lookup, bypassing any override (and not
/// falling back to `__getattr__`, which is the caller's business as in CPython).
pub fn object_getattribute(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    crate::builtins::no_kw(vm, "__getattribute__", kwnames)?;
    // CPython's wrapper-descriptor messages (the instance is not counted).
    if args.is_empty() {
        let msg = "descriptor '__getattribute__' of 'object' object needs an argument";
        return Err(vm.new_exc(Ty::TypeError, msg));
    }
    if args.len() != 2 {
        let msg = format!("expected 1 argument, got {}", args.len() - 1);
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let name = attr_name(vm, args[1])?;
    match args[0].as_obj().map(|o| &o.kind) {
        Some(ObjKind::Instance(i)) => instance_getattr(vm, args[0], i, name),
        // A user exception: its attributes, then the built-in exception ones.
        Some(ObjKind::Exception(e)) if !e.instance.is_null() => {
            let i = as_instance(e.instance).expect("exception instance");
            match instance_getattr(vm, args[0], i, name) {
                Ok(v) => Ok(v),
                Err(_) => ops::builtin_getattr(vm, args[0], name),
            }
        }
        // Other objects have no override to bypass.
        _ => ops::getattr(vm, args[0], name),
    }
}

/// The store without `__setattr__` overrides.
fn plain_setattr(vm: &mut Vm, obj: Value, name: Value, v: Value) -> PyResult<()> {
    match obj.as_obj().map(|o| &o.kind) {
        Some(ObjKind::Instance(_)) => instance_setattr(vm, obj, obj, name, v),
        Some(ObjKind::Exception(e)) if !e.instance.is_null() => {
            instance_setattr(vm, obj, e.instance, name, v)
        }
        Some(ObjKind::Class(c)) => {
            let n = str_of(name);
            if matches!(n, "__name__" | "__qualname__" | "__mro__" | "__bases__") {
                let msg = format!("nanopy does not support setting {n} on a class yet");
                return Err(vm.new_exc(Ty::TypeError, &msg));
            }
            // Replacing plain data with plain data (`Counter.total += 1`) leaves every cached
            // lookup valid; anything else (a new name, a function, a descriptor) moves the epoch.
            let plain = |x: Value| {
                !matches!(
                    x.as_obj().map(|o| &o.kind),
                    Some(
                        ObjKind::Function(_)
                            | ObjKind::Native(_)
                            | ObjKind::StaticMethod(_)
                            | ObjKind::ClassMethod(_)
                            | ObjKind::Property { .. }
                    )
                )
            };
            let old = ops::dict_get_str(c.dict, name);
            if !(old.is_some_and(plain) && plain(v)) {
                vm.classes.epoch = vm.classes.epoch.wrapping_add(1).max(1);
            }
            vm.classes.forget(name);
            ops::dict_set(vm, c.dict, name, v)
        }
        _ => {
            let t = ops::type_name(obj);
            let n = str_of(name);
            let msg = if is_class_value(obj) {
                format!("cannot set '{n}' attribute of immutable type '{t}'")
            } else {
                format!("'{t}' object has no attribute '{n}'")
            };
            Err(vm.new_exc(Ty::AttributeError, &msg))
        }
    }
}

fn instance_setattr(vm: &mut Vm, obj: Value, inst: Value, name: Value, v: Value) -> PyResult<()> {
    let i = as_instance(inst).expect("instance");
    let c = as_class(i.class).expect("instance class");
    let n = str_of(name);
    if let Some(a) = lookup_name(vm, i.class, name) {
        if let Some(ObjKind::Property { fset, .. }) = a.as_obj().map(|o| &o.kind) {
            if fset.is_null() {
                let msg = format!(
                    "property '{n}' of '{}' object has no setter",
                    ops::type_name(obj)
                );
                return Err(vm.new_exc(Ty::AttributeError, &msg));
            }
            let f = *fset;
            vm.call(f, &[obj, v])?;
            return Ok(());
        }
    }
    // --- instdict --- the instance's own dict: replaced, or (in dict mode) written.
    if n == "__dict__" && !c.fixed {
        return crate::instance_dict::assign(vm, obj, v);
    }
    if crate::instance_dict::store(vm, inst, i, name, v)? {
        return Ok(());
    }
    let shape = i.shape.get();
    if let Some(k) = c.slot_of(shape, name) {
        vm.heap.store_barrier(obj, v);
        i.set_slot(k, v);
        return Ok(());
    }
    if c.fixed {
        let msg = format!("'{}' object has no attribute '{n}'", ops::type_name(obj));
        return Err(vm.new_exc(Ty::AttributeError, &msg));
    }
    let next = transition(vm, c, shape, name);
    let k = c.shapes.borrow()[next as usize].names.len() - 1;
    vm.heap.store_barrier(obj, v);
    i.set_slot(k, v);
    i.shape.set(next);
    Ok(())
}

/// The shape after adding `name` to `shape` (created on first use).
fn transition(vm: &mut Vm, c: &ClassObj, shape: u32, name: Value) -> u32 {
    if let Some(&(_, n)) = c.shapes.borrow()[shape as usize]
        .next
        .iter()
        .find(|(k, _)| *k == name)
    {
        return n;
    }
    let key = vm.intern(str_of(name));
    let mut shapes = c.shapes.borrow_mut();
    if let Some(&(_, n)) = shapes[shape as usize].next.iter().find(|(k, _)| *k == key) {
        return n;
    }
    let mut names = shapes[shape as usize].names.clone();
    names.push(key);
    c.slot_hint.set(c.slot_hint.get().max(names.len() as u32)); // --- memory ---
    let id = shapes.len() as u32;
    shapes.push(Shape {
        names,
        next: Vec::new(),
    });
    shapes[shape as usize].next.push((key, id));
    id
}

/// `LOAD_METHOD` on an instance: `(function, self)` without allocating a bound method when the
/// attribute is a plain function (remembered in `cache` when the shape has no such slot), else
/// `(value, NULL)`.
pub fn load_method(
    vm: &mut Vm,
    obj: Value,
    name: Value,
    cache: Option<&AttrCache>,
) -> PyResult<(Value, Value)> {
    if let Some(i) = as_instance(obj) {
        let c = as_class(i.class).expect("instance class");
        let shape = i.shape.get();
        // --- instdict --- dict-mode instances and `__getattribute__` overrides: never cached.
        if shape == crate::instance_dict::DICT_SHAPE || getattribute_override(vm, i).is_some() {
            let v = ops::getattr(vm, obj, name)?;
            return Ok((v, Value::NULL));
        }
        let slot = c.slot_of(shape, name);
        if slot.is_none_or(|k| i.slot(k).is_null()) {
            if let Some(a) = lookup_name(vm, i.class, name) {
                if a.as_function().is_some() {
                    if let (Some(cache), None) = (cache, slot) {
                        remember(
                            &cache.method,
                            MethodCache {
                                class: i.class,
                                shape,
                                epoch: vm.classes.epoch,
                                func: a,
                            },
                        );
                    }
                    return Ok((a, obj));
                }
            }
        }
    }
    let v = ops::getattr(vm, obj, name)?;
    Ok((v, Value::NULL))
}

/// Is `a` a data descriptor (it wins over instance slots)?
fn is_data_descriptor(a: Option<Value>) -> bool {
    matches!(
        a.and_then(|a| a.as_obj()).map(|o| &o.kind),
        Some(ObjKind::Property { .. })
    )
}

/// LOAD_ATTR's slow path: full lookup, remembering slot reads of plain instances in `cache`.
pub fn load_attr(vm: &mut Vm, obj: Value, name: Value, cache: &AttrCache) -> PyResult<Value> {
    if let Some(ObjKind::Instance(i)) = obj.as_obj().map(|o| &o.kind) {
        let c = as_class(i.class).expect("instance class");
        let shape = i.shape.get();
        // --- instdict --- a class's own `__getattribute__` is never cached either.
        if getattribute_override(vm, i).is_some() {
            return ops::getattr(vm, obj, name);
        }
        // (`slot_of` finds nothing for dict-mode instances: they are never cached.)
        if let Some(k) = c.slot_of(shape, name) {
            let v = i.slot(k);
            if !v.is_null() && !is_data_descriptor(lookup_name(vm, i.class, name)) {
                remember(
                    &cache.load,
                    SlotCache {
                        class: i.class,
                        shape,
                        slot: k as u32,
                        epoch: vm.classes.epoch,
                    },
                );
                return Ok(v);
            }
        }
    }
    ops::getattr(vm, obj, name)
}

/// STORE_ATTR's slow path: full store, remembering plain slot writes (and shape transitions)
/// in `cache`.
pub fn store_attr(
    vm: &mut Vm,
    obj: Value,
    name: Value,
    v: Value,
    cache: &AttrCache,
) -> PyResult<()> {
    // A class with its own `__setattr__` is never cached: every store comes here and calls it.
    if user_setattr(vm, obj, name, v)? {
        return Ok(());
    }
    if let Some(ObjKind::Instance(i)) = obj.as_obj().map(|o| &o.kind) {
        let c = as_class(i.class).expect("instance class");
        let dict_mode = i.shape.get() == crate::instance_dict::DICT_SHAPE;
        if !dict_mode && !is_data_descriptor(lookup_name(vm, i.class, name)) {
            let from = i.shape.get();
            let (to, k) = match c.slot_of(from, name) {
                Some(k) => (from, k),
                None if c.fixed => return plain_setattr(vm, obj, name, v),
                // --- instdict --- `obj.__dict__ = d` replaces the attributes, it is no slot.
                None if str_of(name) == "__dict__" => return plain_setattr(vm, obj, name, v),
                None => {
                    let to = transition(vm, c, from, name);
                    (to, c.shapes.borrow()[to as usize].names.len() - 1)
                }
            };
            vm.heap.store_barrier(obj, v);
            i.set_slot(k, v);
            i.shape.set(to);
            remember(
                &cache.store,
                StoreCache {
                    class: i.class,
                    from,
                    to,
                    slot: k as u32,
                    epoch: vm.classes.epoch,
                },
            );
            return Ok(());
        }
    }
    plain_setattr(vm, obj, name, v)
}

/// `del obj.name` for instances (and CPython's error for everything else).
pub fn delattr(vm: &mut Vm, obj: Value, name: Value) -> PyResult<()> {
    // A class's own `__delattr__` runs instead (natives on built-in bases are not overrides).
    if as_instance(obj).is_some() && call_special(vm, obj, "__delattr__", &[name])?.is_some() {
        return Ok(());
    }
    plain_delattr(vm, obj, name)
}

/// `object.__delattr__(obj, name)`: the deletion itself, bypassing any override.
pub fn object_delattr(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    crate::builtins::no_kw(vm, "__delattr__", kwnames)?;
    crate::builtins::arity(vm, "__delattr__", args, 2, 2)?;
    let name = attr_name(vm, args[1])?;
    plain_delattr(vm, args[0], name)?;
    Ok(Value::NONE)
}

fn plain_delattr(vm: &mut Vm, obj: Value, name: Value) -> PyResult<()> {
    if let Some(i) = as_instance(obj) {
        let c = as_class(i.class).expect("instance class");
        // A property is a data descriptor: it decides (its deleter, or CPython's error).
        if let Some(ObjKind::Property { fdel, .. }) = lookup_name(vm, i.class, name)
            .and_then(|p| p.as_obj())
            .map(|o| &o.kind)
        {
            let fdel = *fdel;
            if fdel.is_null() {
                let msg = format!(
                    "property '{}' of '{}' object has no deleter",
                    str_of(name),
                    ops::type_name(obj)
                );
                return Err(vm.new_exc(Ty::AttributeError, &msg));
            }
            return vm.call(fdel, &[obj]).map(|_| ());
        }
        // --- instdict ---
        if str_of(name) == "__dict__" && !c.fixed {
            return crate::instance_dict::delete(vm, obj);
        }
        if i.shape.get() == crate::instance_dict::DICT_SHAPE {
            if crate::instance_dict::remove(vm, i, name)? {
                return Ok(());
            }
        } else if let Some(k) = c.slot_of(i.shape.get(), name) {
            if !i.slot(k).is_null() {
                i.set_slot(k, Value::NULL);
                return Ok(());
            }
        }
    }
    if let Some(c) = as_class(obj) {
        if ops::dict_del(vm, c.dict, name)?.is_some() {
            vm.classes.forget(name);
            vm.classes.epoch = vm.classes.epoch.wrapping_add(1).max(1);
            return Ok(());
        }
    }
    Err(no_attr(vm, obj, name))
}

// ----- super, staticmethod, classmethod, property -----

/// `super()` / `super(cls, obj)`.
pub fn new_super(vm: &mut Vm, args: &[Value]) -> PyResult<Value> {
    let (class, this) = match args {
        [c, o] => (*c, *o),
        [] => {
            let err = |vm: &mut Vm, m: &str| vm.new_exc(Ty::RuntimeError, m);
            let Some(f) = vm.frames.last() else {
                return Err(err(vm, "super(): no current frame"));
            };
            let code = f.code();
            let Some(idx) = code.src.freevars.iter().position(|n| &**n == "__class__") else {
                return Err(err(vm, "super(): __class__ cell not found"));
            };
            if code.src.argcount == 0 {
                return Err(err(vm, "super(): no arguments"));
            }
            // SAFETY: the frame's slots [base, base + nslots) are initialised.
            let slots = unsafe { std::slice::from_raw_parts(f.base, code.nslots) };
            let cell = slots[code.nlocals + code.ncells + idx];
            let class = match cell.as_obj().map(|o| &o.kind) {
                Some(ObjKind::Cell(c)) => c.get(),
                _ => Value::NULL,
            };
            if class.is_null() {
                return Err(err(vm, "super(): empty __class__ cell"));
            }
            let mut this = slots[0];
            if this.is_null() {
                // The first argument is itself captured by a closure: read its cell.
                if let Some(ci) = code.cell2arg.iter().position(|a| *a == Some(0)) {
                    if let Some(ObjKind::Cell(c)) =
                        slots[code.nlocals + ci].as_obj().map(|o| &o.kind)
                    {
                        this = c.get();
                    }
                }
            }
            if this.is_null() {
                return Err(err(vm, "super(): arg[0] deleted"));
            }
            (class, this)
        }
        _ => {
            return Err(vm.new_exc(
                Ty::TypeError,
                "nanopy supports super() and super(type, obj) only",
            ))
        }
    };
    if !is_class_value(class) {
        let t = ops::type_name(class);
        let msg = format!("super() argument 1 must be a type, not {t}");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    let ok = if is_class_value(this) {
        vm.is_subclass_value(this, class)
    } else {
        vm.is_instance(this, class)?
    };
    if !ok {
        return Err(vm.new_exc(
            Ty::TypeError,
            "super(type, obj): obj must be an instance or subtype of type",
        ));
    }
    Ok(vm.heap.alloc(ObjKind::Super { class, this }))
}

/// Calls of the descriptor types (`staticmethod(f)`, `classmethod(f)`, `property(...)`,
/// `super(...)`).
pub fn construct(vm: &mut Vm, t: Ty, args: &[Value], kwnames: Value) -> PyResult<Value> {
    let nkw = kwnames.as_tuple().map_or(0, |k| k.len());
    if t == Ty::Super {
        return new_super(vm, args);
    }
    let pos = &args[..args.len() - nkw];
    let one = |vm: &mut Vm| -> PyResult<Value> {
        if pos.len() != 1 || nkw != 0 {
            let msg = format!("{} expected 1 argument, got {}", t.name(), pos.len() + nkw);
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
        Ok(pos[0])
    };
    Ok(match t {
        Ty::StaticMethod => {
            let f = one(vm)?;
            vm.heap.alloc(ObjKind::StaticMethod(f))
        }
        Ty::ClassMethod => {
            let f = one(vm)?;
            vm.heap.alloc(ObjKind::ClassMethod(f))
        }
        _ => {
            if nkw != 0 || pos.len() > 3 {
                return Err(vm.new_exc(
                    Ty::TypeError,
                    "nanopy supports property(fget[, fset[, fdel]]) only",
                ));
            }
            let fget = pos.first().copied().unwrap_or(Value::NONE);
            let absent =
                |v: Option<&Value>| v.copied().filter(|v| !v.is_none()).unwrap_or(Value::NULL);
            let (fset, fdel) = (absent(pos.get(1)), absent(pos.get(2)));
            vm.heap.alloc(ObjKind::Property { fget, fset, fdel })
        }
    })
}

/// `property.setter(f)`: a copy of the property with `fset` set.
pub fn property_setter(vm: &mut Vm, args: &[Value], _kwnames: Value) -> PyResult<Value> {
    match (
        args.first().and_then(|p| p.as_obj()).map(|o| &o.kind),
        args.get(1),
    ) {
        (Some(ObjKind::Property { fget, fdel, .. }), Some(f)) => {
            Ok(vm.heap.alloc(ObjKind::Property {
                fget: *fget,
                fset: *f,
                fdel: *fdel,
            }))
        }
        _ => Err(vm.new_exc(Ty::TypeError, "setter() takes exactly one argument")),
    }
}

/// `property.deleter(f)`: a copy of the property with `fdel` set.
pub fn property_deleter(vm: &mut Vm, args: &[Value], _kwnames: Value) -> PyResult<Value> {
    match (
        args.first().and_then(|p| p.as_obj()).map(|o| &o.kind),
        args.get(1),
    ) {
        (Some(ObjKind::Property { fget, fset, .. }), Some(f)) => {
            Ok(vm.heap.alloc(ObjKind::Property {
                fget: *fget,
                fset: *fset,
                fdel: *f,
            }))
        }
        _ => Err(vm.new_exc(Ty::TypeError, "deleter() takes exactly one argument")),
    }
}

/// The attribute-name argument of getattr/setattr/hasattr/delattr.
fn attr_name(vm: &mut Vm, v: Value) -> PyResult<Value> {
    match v.as_str() {
        Some(s) => {
            let s = s.s.to_string();
            Ok(vm.intern(&s))
        }
        None => {
            let t = ops::type_name(v);
            let msg = format!("attribute name must be string, not '{t}'");
            Err(vm.new_exc(Ty::TypeError, &msg))
        }
    }
}

fn is_attribute_error(e: PyErr) -> bool {
    e.0.as_exc()
        .is_some_and(|x| x.ty.is_subtype(Ty::AttributeError))
}

/// `getattr(obj, name[, default])`.
pub fn getattr_builtin(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    crate::builtins::no_kw(vm, "getattr", kwnames)?;
    crate::builtins::arity(vm, "getattr", args, 2, 3)?;
    let name = attr_name(vm, args[1])?;
    match ops::getattr(vm, args[0], name) {
        Err(e) if args.len() == 3 && is_attribute_error(e) => Ok(args[2]),
        r => r,
    }
}

/// `setattr(obj, name, value)`.
pub fn setattr_builtin(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    crate::builtins::no_kw(vm, "setattr", kwnames)?;
    crate::builtins::arity(vm, "setattr", args, 3, 3)?;
    let name = attr_name(vm, args[1])?;
    setattr(vm, args[0], name, args[2])?;
    Ok(Value::NONE)
}

/// `hasattr(obj, name)`.
pub fn hasattr_builtin(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    crate::builtins::no_kw(vm, "hasattr", kwnames)?;
    crate::builtins::arity(vm, "hasattr", args, 2, 2)?;
    let name = attr_name(vm, args[1])?;
    match ops::getattr(vm, args[0], name) {
        Ok(_) => Ok(Value::TRUE),
        Err(e) if is_attribute_error(e) => Ok(Value::FALSE),
        Err(e) => Err(e),
    }
}

/// `delattr(obj, name)`.
pub fn delattr_builtin(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    crate::builtins::no_kw(vm, "delattr", kwnames)?;
    crate::builtins::arity(vm, "delattr", args, 2, 2)?;
    let name = attr_name(vm, args[1])?;
    delattr(vm, args[0], name)?;
    Ok(Value::NONE)
}

pub fn issubclass_builtin(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    if !kwnames.is_null() || args.len() != 2 {
        let msg = format!("issubclass expected 2 arguments, got {}", args.len());
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    vm.is_subclass(args[0], args[1]).map(Value::bool)
}

pub fn isinstance_builtin(vm: &mut Vm, args: &[Value], kwnames: Value) -> PyResult<Value> {
    if !kwnames.is_null() || args.len() != 2 {
        let msg = format!("isinstance expected 2 arguments, got {}", args.len());
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    vm.is_instance(args[0], args[1]).map(Value::bool)
}

// ----- special-method protocols (`ops` falls back to these for instances) -----

#[inline]
fn is_not_implemented(vm: &Vm, v: Value) -> bool {
    v == vm.classes.not_implemented
}

/// Binary operators: `a.__op__(b)`, then `b.__rop__(a)`; in-place forms try `__iop__` first.
/// `None` when neither side handles it (the caller raises CPython's TypeError).
pub fn binary_op(vm: &mut Vm, op: BinaryOp, a: Value, b: Value) -> PyResult<Option<Value>> {
    let base = op.base();
    let (name, rname, iname) = match base {
        BinaryOp::Add => ("__add__", "__radd__", "__iadd__"),
        BinaryOp::Subtract => ("__sub__", "__rsub__", "__isub__"),
        BinaryOp::Multiply => ("__mul__", "__rmul__", "__imul__"),
        BinaryOp::TrueDivide => ("__truediv__", "__rtruediv__", "__itruediv__"),
        BinaryOp::FloorDivide => ("__floordiv__", "__rfloordiv__", "__ifloordiv__"),
        BinaryOp::Remainder => ("__mod__", "__rmod__", "__imod__"),
        BinaryOp::Power => ("__pow__", "__rpow__", "__ipow__"),
        BinaryOp::MatrixMultiply => ("__matmul__", "__rmatmul__", "__imatmul__"),
        BinaryOp::LShift => ("__lshift__", "__rlshift__", "__ilshift__"),
        BinaryOp::RShift => ("__rshift__", "__rrshift__", "__irshift__"),
        BinaryOp::And => ("__and__", "__rand__", "__iand__"),
        BinaryOp::Or => ("__or__", "__ror__", "__ior__"),
        BinaryOp::Xor => ("__xor__", "__rxor__", "__ixor__"),
        _ => return Ok(None),
    };
    if op != base {
        if let Some(r) = call_special(vm, a, iname, &[b])? {
            if !is_not_implemented(vm, r) {
                return Ok(Some(r));
            }
        }
    }
    if let Some(r) = call_special(vm, a, name, &[b])? {
        if !is_not_implemented(vm, r) {
            return Ok(Some(r));
        }
    }
    if vm.class_of(a) != vm.class_of(b) {
        if let Some(r) = call_special(vm, b, rname, &[a])? {
            if !is_not_implemented(vm, r) {
                return Ok(Some(r));
            }
        }
    }
    Ok(None)
}

/// Rich comparison with reflection and the identity fallback of `==`/`!=`.
pub fn compare(vm: &mut Vm, op: CompareOp, a: Value, b: Value) -> PyResult<bool> {
    let r = rich_compare(vm, op, a, b)?;
    ops::truthy(vm, r)
}

/// `a op b` with an instance on either side: whatever the special method returned (`a == b`
/// may be any object, as in CPython), or the identity default for `==`/`!=`.
pub fn rich_compare(vm: &mut Vm, op: CompareOp, a: Value, b: Value) -> PyResult<Value> {
    let (name, reflected) = match op {
        CompareOp::Lt => ("__lt__", "__gt__"),
        CompareOp::Le => ("__le__", "__ge__"),
        CompareOp::Eq => ("__eq__", "__eq__"),
        CompareOp::Ne => ("__ne__", "__ne__"),
        CompareOp::Gt => ("__gt__", "__lt__"),
        CompareOp::Ge => ("__ge__", "__le__"),
    };
    for (x, y, n) in [(a, b, name), (b, a, reflected)] {
        let r = match call_special(vm, x, n, &[y])? {
            Some(r) => Some(r),
            // object.__ne__ inverts __eq__.
            None if op == CompareOp::Ne => match call_special(vm, x, "__eq__", &[y])? {
                Some(r) if !is_not_implemented(vm, r) => {
                    let t = ops::truthy(vm, r)?;
                    Some(Value::bool(!t))
                }
                _ => None,
            },
            None => None,
        };
        if let Some(r) = r {
            if !is_not_implemented(vm, r) {
                return Ok(r);
            }
        }
    }
    match op {
        CompareOp::Eq => Ok(Value::bool(a == b)),
        CompareOp::Ne => Ok(Value::bool(a != b)),
        _ => {
            let (s, ta, tb) = (op.symbol(), ops::type_name(a), ops::type_name(b));
            let msg = format!("'{s}' not supported between instances of '{ta}' and '{tb}'");
            Err(vm.new_exc(Ty::TypeError, &msg))
        }
    }
}

/// `hash(obj)` for instances: `__hash__`, unhashable when it is None, else identity.
pub fn hash(vm: &mut Vm, v: Value) -> PyResult<u64> {
    let i = as_instance(v).expect("instance");
    match lookup(vm, i.class, "__hash__") {
        Some(h) if h.is_none() => {
            let t = ops::type_name(v);
            Err(vm.new_exc(Ty::TypeError, &format!("unhashable type: '{t}'")))
        }
        Some(h) if h.as_function().is_some() => {
            let r = call_bound(vm, h, v, &[])?;
            if !r.is_int() {
                return Err(vm.new_exc(Ty::TypeError, "__hash__ method should return an integer"));
            }
            ops::hash(vm, r)
        }
        _ => Ok(v.bits() >> 4),
    }
}

/// Has the class of instance `v` a user-defined `__eq__` (dict lookups must then call it)?
pub fn has_user_eq(vm: &Vm, v: Value) -> bool {
    special(vm, v, "__eq__").is_some()
}

/// The stored key of dict `d` equal to user instance `k` by its `__eq__` (else `k`).
pub fn canonical_key(vm: &mut Vm, d: &RefCell<Dict>, h: u64, k: Value) -> PyResult<Value> {
    if !has_user_eq(vm, k) {
        return Ok(k);
    }
    let mut candidates = Vec::new();
    d.borrow().find(h, |x| {
        candidates.push(x);
        false
    });
    for c in candidates {
        if c == k || compare(vm, CompareOp::Eq, k, c)? {
            return Ok(c);
        }
    }
    Ok(k)
}

/// Truth: `__bool__`, then `__len__`, else true.
pub fn truthy(vm: &mut Vm, v: Value) -> PyResult<bool> {
    if let Some(r) = call_special(vm, v, "__bool__", &[])? {
        if !r.is_bool() {
            let t = ops::type_name(r);
            let msg = format!("__bool__ should return bool, returned {t}");
            return Err(vm.new_exc(Ty::TypeError, &msg));
        }
        return Ok(r.as_bool());
    }
    match len(vm, v)? {
        Some(n) => Ok(n > 0),
        None => Ok(true),
    }
}

/// `len(obj)` through `__len__`; `None` when the class has none.
pub fn len(vm: &mut Vm, v: Value) -> PyResult<Option<usize>> {
    let Some(r) = call_special(vm, v, "__len__", &[])? else {
        return Ok(None);
    };
    if !r.is_int() && !r.is_bool() {
        let t = ops::type_name(r);
        let msg = format!("'{t}' object cannot be interpreted as an integer");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    match ops::index_of(vm, r)? {
        Some(n) if n >= 0 => Ok(Some(n as usize)),
        Some(_) => Err(vm.new_exc(Ty::ValueError, "__len__() should return >= 0")),
        None => Err(vm.new_exc(
            Ty::OverflowError,
            "cannot fit 'int' into an index-sized integer",
        )),
    }
}

/// `iter(obj)` through `__iter__`.
pub fn iter(vm: &mut Vm, v: Value) -> PyResult<Option<Value>> {
    let Some(it) = call_special(vm, v, "__iter__", &[])? else {
        return Ok(None);
    };
    if !ops::is_iterable(it) && special(vm, it, "__next__").is_none() {
        let t = ops::type_name(it);
        let msg = format!("iter() returned non-iterator of type '{t}'");
        return Err(vm.new_exc(Ty::TypeError, &msg));
    }
    Ok(Some(it))
}

/// `next(it)` through `__next__`: `Ok(None)` when it raises StopIteration.
pub fn next(vm: &mut Vm, it: Value) -> PyResult<Option<Value>> {
    match special(vm, it, "__next__") {
        None => {
            let t = ops::type_name(it);
            Err(vm.new_exc(Ty::TypeError, &format!("'{t}' object is not an iterator")))
        }
        Some(m) => match call_bound(vm, m, it, &[]) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.0.as_exc().is_some_and(|x| x.ty == Ty::StopIteration) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// `repr(obj)`: `__repr__`, else `<module.Qualname object at 0x...>`.
pub fn repr(vm: &mut Vm, v: Value) -> PyResult<String> {
    if let Some(r) = call_special(vm, v, "__repr__", &[])? {
        return match r.as_str() {
            Some(s) => Ok(s.s.to_string()),
            None => {
                let t = ops::type_name(r);
                let msg = format!("__repr__ returned non-string (type {t})");
                Err(vm.new_exc(Ty::TypeError, &msg))
            }
        };
    }
    let c = user_class_of(v).expect("user instance");
    if let Some(e) = v.as_exc() {
        let args = e.args.get().as_tuple().unwrap_or(&[]).to_vec();
        let mut out = format!("{}(", str_of(c.name));
        for (k, a) in args.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            out.push_str(&ops::repr(vm, *a)?);
        }
        if args.len() == 1 {
            // CPython prints a one-tuple's args without the trailing comma here.
        }
        out.push(')');
        return Ok(out);
    }
    Ok(format!(
        "<{}.{} object at {:#x}>",
        str_of(c.module),
        str_of(c.qualname),
        v.obj_ptr() as usize
    ))
}

/// `str(obj)`: `__str__` if the class defines one; `None` to use the default (repr, or the
/// exception message).
pub fn to_str(vm: &mut Vm, v: Value) -> PyResult<Option<String>> {
    let Some(r) = call_special(vm, v, "__str__", &[])? else {
        return Ok(None);
    };
    match r.as_str() {
        Some(s) => Ok(Some(s.s.to_string())),
        None => {
            let t = ops::type_name(r);
            let msg = format!("__str__ returned non-string (type {t})");
            Err(vm.new_exc(Ty::TypeError, &msg))
        }
    }
}

/// `__format__` for instances: the class's own, else `str(self)` for an empty spec.
pub fn format(vm: &mut Vm, v: Value, spec: &str) -> PyResult<Option<String>> {
    if special(vm, v, "__format__").is_some() {
        let s = vm.new_str(spec);
        let r = call_special(vm, v, "__format__", &[s])?.expect("checked");
        return match r.as_str() {
            Some(s) => Ok(Some(s.s.to_string())),
            None => {
                let t = ops::type_name(r);
                let msg = format!("__format__ must return a str, not {t}");
                Err(vm.new_exc(Ty::TypeError, &msg))
            }
        };
    }
    if spec.is_empty() {
        return ops::to_str(vm, v).map(Some);
    }
    Ok(None)
}

/// Unary operators: `__neg__`, `__pos__`, `__invert__`, `__abs__`.
pub fn unary(vm: &mut Vm, name: &'static str, v: Value) -> PyResult<Option<Value>> {
    call_special(vm, v, name, &[])
}

pub fn getitem(vm: &mut Vm, c: Value, key: Value) -> PyResult<Option<Value>> {
    call_special(vm, c, "__getitem__", &[key])
}

pub fn setitem(vm: &mut Vm, c: Value, key: Value, value: Value) -> PyResult<bool> {
    Ok(call_special(vm, c, "__setitem__", &[key, value])?.is_some())
}

pub fn delitem(vm: &mut Vm, c: Value, key: Value) -> PyResult<bool> {
    Ok(call_special(vm, c, "__delitem__", &[key])?.is_some())
}

/// `item in c`: `__contains__`, else iteration with `==`.
pub fn contains(vm: &mut Vm, c: Value, item: Value) -> PyResult<Option<bool>> {
    if let Some(r) = call_special(vm, c, "__contains__", &[item])? {
        return ops::truthy(vm, r).map(Some);
    }
    if special(vm, c, "__iter__").is_some() || special(vm, c, "__getitem__").is_some() {
        let items = ops::collect(vm, c)?;
        for x in items {
            if x == item || ops::compare(vm, CompareOp::Eq, x, item)? {
                return Ok(Some(true));
            }
        }
        return Ok(Some(false));
    }
    Ok(None)
}

/// `obj(*args)` through `__call__`.
pub fn call(vm: &mut Vm, obj: Value, args: &[Value], kwnames: Value) -> PyResult<Option<Value>> {
    let Some(m) = special(vm, obj, "__call__") else {
        return Ok(None);
    };
    let mut v = Vec::with_capacity(args.len() + 1);
    v.push(obj);
    v.extend_from_slice(args);
    vm.call_kw(m, &v, kwnames).map(Some)
}
