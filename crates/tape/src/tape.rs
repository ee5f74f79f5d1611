//! The tape: an arena of nodes, and recording onto it.
//!
//! # Layout
//!
//! The tape stores a linearized Jacobian, as Adept and CoDiPack do: when an
//! operation is recorded its local partial derivatives are computed at once
//! and stored beside the indices of its operands. Node `i` owns the operand
//! entries `ends[i - 1]..ends[i]`. Recording a statement therefore costs
//! 4 bytes (its end offset) plus, per operand, 4 bytes of index and one `T`
//! of partial derivative: 12 bytes per operand for `f64`. Primal values live
//! in the [`Var`] handles, not on the tape.
//!
//! Operations whose vector-Jacobian product is not a list of scalar partials
//! (the tensor nodes, user-defined operations) are recorded as
//! [`CustomOp`]s. Each occupies a range of node indices, one per output
//! element, and the sweep calls its [`CustomOp::vjp`] when it reaches that
//! range.

use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

use crate::custom::{CustomNode, CustomOp};
use crate::real::Real;
use crate::var::Var;

/// The recorded statements: the linearized Jacobian and the custom nodes.
pub(crate) struct Recording<T> {
    /// `ends[i]` is one past the last operand entry of node `i`.
    pub(crate) ends: Vec<u32>,
    /// Operand node index of each operand entry.
    pub(crate) operands: Vec<u32>,
    /// Partial derivative of each operand entry.
    pub(crate) partials: Vec<T>,
    /// Custom nodes, ordered by their first node index.
    pub(crate) customs: Vec<CustomNode<T>>,
    /// Operation names and primal values per node, kept only while
    /// [`Tape::set_debug`] is on (anomaly checks, statistics, DOT export).
    pub(crate) debug: Option<DebugLog<T>>,
}

/// Per-node operation names and primal values, indexed like `ends`.
pub(crate) struct DebugLog<T> {
    pub(crate) names: Vec<&'static str>,
    pub(crate) values: Vec<T>,
}

impl<T> Recording<T> {
    fn new() -> Self {
        Self {
            ends: Vec::new(),
            operands: Vec::new(),
            partials: Vec::new(),
            customs: Vec::new(),
            debug: None,
        }
    }
}

/// A Wengert list that records the elementary operations of a function and
/// propagates adjoints back through them.
///
/// Variables ([`Var`]) borrow the tape, so none can outlive it or survive
/// [`Tape::clear`], which needs `&mut self`. Recording goes through `&self`
/// (the tape is a single-threaded arena behind interior mutability), which is
/// why `Tape` is `Send` but not `Sync`: use one tape per thread.
///
/// ```
/// use adjoint_tape::Tape;
///
/// let tape = Tape::new();
/// let x = tape.var(1.0);
/// let y = tape.var(1.0);
/// let f = x * x + 3.0 * y * y;
/// let grads = f.gradient();
/// assert_eq!(f.value(), 4.0);
/// assert_eq!(grads.wrt(x), 2.0);
/// assert_eq!(grads.wrt(y), 6.0);
/// ```
pub struct Tape<T: Real = f64> {
    recording: UnsafeCell<Recording<T>>,
    /// Set while a reverse sweep reads the recording; recording then panics.
    pub(crate) sweeping: Cell<bool>,
    /// The fast push methods record a node only while the node count is
    /// below `fast_nodes` and the operand entries fit below
    /// `fast_operands`. Both are the arenas' capacities, capped at
    /// `u32::MAX`, and both are zero while debug recording is on or a sweep
    /// runs, which sends every push to the checked path.
    fast_nodes: Cell<usize>,
    fast_operands: Cell<usize>,
    /// An adjoint buffer kept between sweeps so that sweeps don't allocate.
    pub(crate) spare_adjoints: Cell<Vec<T>>,
    /// `UnsafeCell` already makes the tape `!Sync`; this keeps it explicit.
    _not_sync: PhantomData<Cell<()>>,
}

impl<T: Real> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real> fmt::Debug for Tape<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tape")
            .field("nodes", &self.len())
            .field("operands", &self.operand_count())
            .field("custom_ops", &self.custom_op_count())
            .finish()
    }
}

#[cold]
#[inline(never)]
fn recording_while_sweeping() -> ! {
    panic!(
        "cannot record on a tape during its own reverse sweep, while it is \
         inspected or while an n-ary operation computes its partials: a \
         custom operation's vjp and name, and the arithmetic of a custom \
         number type, must not create variables on the tape they work on"
    )
}

/// A guard that rejects every push, fast or checked, until it drops (also
/// by a panic), and then restores the tape's flags as they were.
pub(crate) struct RecordingBlock<'a, T: Real> {
    tape: &'a Tape<T>,
    limits: (usize, usize),
    sweeping: bool,
}

impl<'a, T: Real> RecordingBlock<'a, T> {
    #[inline]
    pub(crate) fn new(tape: &'a Tape<T>) -> Self {
        let limits = (tape.fast_nodes.replace(0), tape.fast_operands.replace(0));
        let sweeping = tape.sweeping.replace(true);
        Self {
            tape,
            limits,
            sweeping,
        }
    }
}

impl<T: Real> Drop for RecordingBlock<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.tape.fast_nodes.set(self.limits.0);
        self.tape.fast_operands.set(self.limits.1);
        self.tape.sweeping.set(self.sweeping);
    }
}

/// The operand entries of one statement, written in place on the tape
/// by an n-ary operation (see `Tape::push_with`). It counts what it has
/// written, so the tape takes exactly the initialized entries.
pub(crate) struct Entries<'a, T> {
    operands: &'a mut [MaybeUninit<u32>],
    partials: &'a mut [MaybeUninit<T>],
    count: usize,
}

impl<'a, T> Entries<'a, T> {
    fn new(operands: &'a mut [MaybeUninit<u32>], partials: &'a mut [MaybeUninit<T>]) -> Self {
        debug_assert_eq!(operands.len(), partials.len());
        Self {
            operands,
            partials,
            count: 0,
        }
    }

    /// Appends the entry of node `operand` with partial `partial`.
    ///
    /// # Panics
    ///
    /// Panics if every entry the statement has room for is written.
    #[inline(always)]
    pub(crate) fn push(&mut self, operand: u32, partial: T) {
        // Both slices have one length, so either both writes happen or the
        // first index panics before anything is written.
        self.operands[self.count].write(operand);
        self.partials[self.count].write(partial);
        self.count += 1;
    }

    /// Returns the partials written so far, for operations that scale
    /// them once all are known.
    #[inline]
    pub(crate) fn partials_mut(&mut self) -> &mut [T] {
        // SAFETY: `push` initialized the first `count` partials, and
        // `MaybeUninit<T>` has the layout of `T`.
        unsafe {
            std::slice::from_raw_parts_mut(self.partials.as_mut_ptr().cast::<T>(), self.count)
        }
    }
}

impl<T: Real> Entries<'_, T> {
    /// Appends the entry of `variable` with partial `partial`, or nothing
    /// for a constant.
    #[inline(always)]
    pub(crate) fn push_variable(&mut self, variable: Var<'_, T>, partial: T) {
        if !variable.is_constant() {
            self.push(variable.raw_index(), partial);
        }
    }
}

#[cold]
#[inline(never)]
fn operand_not_below(operand: u32, node: usize) -> ! {
    panic!(
        "internal error: node {node} would read operand {operand}, which is not an \
         earlier node of this tape"
    )
}

#[cold]
#[inline(never)]
fn tape_full(what: &str) -> ! {
    panic!(
        "the tape is full: more than {} {what} (u32 indices); \
         split the computation or clear the tape between parts",
        u32::MAX
    )
}

impl<T: Real> Tape<T> {
    /// Creates an empty tape.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::<f64>::new();
    /// assert!(tape.is_empty());
    /// ```
    pub fn new() -> Self {
        Self {
            recording: UnsafeCell::new(Recording::new()),
            sweeping: Cell::new(false),
            fast_nodes: Cell::new(0),
            fast_operands: Cell::new(0),
            spare_adjoints: Cell::new(Vec::new()),
            _not_sync: PhantomData,
        }
    }

    /// Creates an empty tape with room for `nodes` nodes and `operands`
    /// operand entries before it reallocates.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::<f64>::with_capacity(1000, 2000);
    /// assert!(tape.capacity_bytes() >= 1000 * 4 + 2000 * 12);
    /// ```
    pub fn with_capacity(nodes: usize, operands: usize) -> Self {
        let tape = Self::new();
        {
            let rec = tape.recording_mut();
            rec.ends.reserve(nodes);
            rec.operands.reserve(operands);
            rec.partials.reserve(operands);
        }
        tape.refresh_fast_limits();
        tape
    }

    /// Sets the limits of the fast push path from the arenas' capacities,
    /// or to zero while debug recording is on or a sweep runs. Every
    /// method that changes a capacity or the debug flag calls it. The
    /// guard that sets the sweeping flag (`RecordingBlock`) zeroes the
    /// limits and restores them as they were instead, since nothing can
    /// change a capacity while it is alive.
    pub(crate) fn refresh_fast_limits(&self) {
        let rec = self.recording();
        let (nodes, operands) = if self.sweeping.get() || rec.debug.is_some() {
            (0, 0)
        } else {
            let max = u32::MAX as usize;
            (
                rec.ends.capacity().min(max),
                rec.operands
                    .capacity()
                    .min(rec.partials.capacity())
                    .min(max),
            )
        };
        self.fast_nodes.set(nodes);
        self.fast_operands.set(operands);
    }

    /// The recording, for reading.
    #[inline]
    pub(crate) fn recording(&self) -> &Recording<T> {
        // SAFETY: mutable access to the recording only happens through
        // `recording_mut` and the fast push paths, inside methods that
        // never hand out a reference that outlives the call and never run
        // user code while they hold one. The one exception is the fill of
        // `push_with`, which runs user code (a number type's arithmetic)
        // on slices of the arenas' spare capacity past their lengths, with
        // no reference to the recording alive, while a `RecordingBlock`
        // makes every push panic. `Tape` is not `Sync`, so no other thread
        // can push meanwhile. The sweep holds this shared reference while
        // it calls custom vjps, and `sweeping` makes every push panic
        // during that time.
        unsafe { &*self.recording.get() }
    }

    /// Borrows the recording for appending.
    #[inline]
    #[expect(
        clippy::mut_from_ref,
        reason = "interior mutability through UnsafeCell; the safety comment below gives the invariant"
    )]
    fn recording_mut(&self) -> &mut Recording<T> {
        if self.sweeping.get() {
            recording_while_sweeping();
        }
        // SAFETY: see `recording`: no other reference to the recording is
        // alive while a push runs, since pushes are not reentrant and the
        // only long-lived shared reference (the sweep's) is guarded by
        // `sweeping`, checked above.
        unsafe { &mut *self.recording.get() }
    }

    /// Creates an independent variable (an input) with the given value.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(2.0);
    /// assert_eq!(x.value(), 2.0);
    /// assert_eq!(x.gradient().wrt(x), 1.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the tape already holds `u32::MAX` nodes.
    #[inline]
    pub fn var(&self, value: T) -> Var<'_, T> {
        Var::on_tape(self, self.push_input(value), value)
    }

    /// Creates one input variable per value, in order.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let v = tape.vars(&[1.0, 2.0]);
    /// let f = v[0] * v[1];
    /// assert_eq!(f.gradient().wrt_all(&v), vec![2.0, 1.0]);
    /// ```
    pub fn vars(&self, values: &[T]) -> Vec<Var<'_, T>> {
        let first = self.len();
        if first + values.len() > self.fast_nodes.get() {
            self.reserve_nodes(values.len());
        }
        if first + values.len() > self.fast_nodes.get() {
            // Debug recording or a full tape: one checked push per input,
            // which logs or panics. (During a sweep `reserve_nodes` has
            // panicked already.)
            return values.iter().map(|&value| self.var(value)).collect();
        }
        // Inputs have no operands, so each node's operand end is the
        // current operand count.
        let rec = self.recording_mut();
        let end = rec.operands.len() as u32;
        rec.ends.resize(first + values.len(), end);
        // `first + values.len()` fits in a u32, since the fast limit is at
        // most `u32::MAX`.
        values
            .iter()
            .enumerate()
            .map(|(i, &value)| Var::on_tape(self, (first + i) as u32, value))
            .collect()
    }

    /// Makes room for `additional` more nodes, so that recording them does
    /// not reallocate the node arena.
    fn reserve_nodes(&self, additional: usize) {
        let rec = self.recording_mut();
        rec.ends.reserve(additional);
        if let Some(debug) = &mut rec.debug {
            debug.names.reserve(additional);
            debug.values.reserve(additional);
        }
        self.refresh_fast_limits();
    }

    /// Number of nodes recorded (inputs, operations and custom outputs).
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(1.0);
    /// let _y = x.sin() * x;
    /// assert_eq!(tape.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.recording().ends.len()
    }

    /// Whether the tape has no nodes.
    ///
    /// ```
    /// assert!(adjoint_tape::Tape::<f64>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of operand entries (edges of the graph) recorded.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(1.0);
    /// let y = tape.var(2.0);
    /// let _z = x * y + 1.0;
    /// assert_eq!(tape.operand_count(), 3);
    /// // A node with itself is one operand entry: x · x has partial 2x.
    /// let _w = x * x;
    /// assert_eq!(tape.operand_count(), 4);
    /// ```
    pub fn operand_count(&self) -> usize {
        self.recording().operands.len()
    }

    /// Number of custom operations (tensor nodes, user-defined vjps)
    /// recorded.
    ///
    /// ```
    /// assert_eq!(adjoint_tape::Tape::<f64>::new().custom_op_count(), 0);
    /// ```
    pub fn custom_op_count(&self) -> usize {
        self.recording().customs.len()
    }

    /// Bytes of the recorded statements: 4 per node plus
    /// `4 + size_of::<T>()` per operand entry, plus the custom-node
    /// headers (not the heap state that custom operations own).
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(1.0);
    /// let y = tape.var(2.0);
    /// let _z = x * y;
    /// // 3 nodes of 4 bytes, 2 operands of 12 bytes.
    /// assert_eq!(tape.memory_bytes(), 3 * 4 + 2 * 12);
    /// ```
    pub fn memory_bytes(&self) -> usize {
        let rec = self.recording();
        rec.ends.len() * size_of::<u32>()
            + rec.operands.len() * (size_of::<u32>() + size_of::<T>())
            + rec.customs.len() * size_of::<CustomNode<T>>()
    }

    /// Bytes the tape's arenas have reserved (at least
    /// [`memory_bytes`](Self::memory_bytes)); this stays after
    /// [`clear`](Self::clear).
    ///
    /// ```
    /// let mut tape = adjoint_tape::Tape::new();
    /// let x = tape.var(1.0);
    /// let _ = x.exp();
    /// let reserved = tape.capacity_bytes();
    /// tape.clear();
    /// assert_eq!(tape.capacity_bytes(), reserved);
    /// ```
    pub fn capacity_bytes(&self) -> usize {
        let rec = self.recording();
        rec.ends.capacity() * size_of::<u32>()
            + rec.operands.capacity() * size_of::<u32>()
            + rec.partials.capacity() * size_of::<T>()
            + rec.customs.capacity() * size_of::<CustomNode<T>>()
    }

    /// Removes every node and keeps the arenas' capacity, so that a loop can
    /// record, sweep and clear without allocating after its first pass.
    ///
    /// Taking `&mut self` guarantees that no [`Var`] of the old recording is
    /// still alive.
    ///
    /// ```
    /// let mut tape = adjoint_tape::Tape::new();
    /// for step in 0..3 {
    ///     tape.clear();
    ///     let x = tape.var(f64::from(step));
    ///     assert_eq!((x * x).gradient().wrt(x), 2.0 * f64::from(step));
    /// }
    /// ```
    pub fn clear(&mut self) {
        let rec = self.recording.get_mut();
        rec.ends.clear();
        rec.operands.clear();
        rec.partials.clear();
        rec.customs.clear();
        if let Some(debug) = &mut rec.debug {
            debug.names.clear();
            debug.values.clear();
        }
        // The capacities, the debug flag and the sweeping flag are as they
        // were, so the fast push limits stay valid.
    }

    /// Appends a node with the given operands, returning its index.
    #[inline]
    pub(crate) fn push_statement(
        &self,
        name: &'static str,
        value: T,
        operands: &[u32],
        partials: &[T],
    ) -> u32 {
        assert_eq!(
            operands.len(),
            partials.len(),
            "internal error: a statement needs one partial per operand"
        );
        let rec = self.recording_mut();
        let node = rec.ends.len();
        // The sweep reads adjoints without bounds checks, relying on this.
        if let Some(&index) = operands.iter().find(|&&index| index as usize >= node) {
            operand_not_below(index, node);
        }
        // The limits are checked before anything is appended, so that a
        // caught "tape is full" panic leaves the arenas consistent.
        if rec.operands.len() + operands.len() > u32::MAX as usize {
            tape_full("operand entries");
        }
        if node >= u32::MAX as usize {
            tape_full("nodes");
        }
        rec.operands.extend_from_slice(operands);
        rec.partials.extend_from_slice(partials);
        let index = Self::finish_statement(rec, name, value);
        self.refresh_fast_limits();
        index
    }

    /// Appends an input node, which has no operands.
    #[inline(always)]
    fn push_input(&self, value: T) -> u32 {
        let rec = self.recording.get();
        // SAFETY: as in `push_unary`.
        let (index, len) = unsafe { ((*rec).ends.len(), (*rec).operands.len()) };
        if index < self.fast_nodes.get() {
            // SAFETY: as in `push_unary`. `len` fits in a u32, because every
            // push keeps the operand count at most `u32::MAX`.
            unsafe {
                let rec = &mut *rec;
                rec.ends.as_mut_ptr().add(index).write(len as u32);
                rec.ends.set_len(index + 1);
            }
            return index as u32;
        }
        self.push_statement_cold("input", value, &[], &[])
    }

    /// Appends a node with one operand.
    #[inline(always)]
    pub(crate) fn push_unary(&self, name: &'static str, value: T, operand: u32, partial: T) -> u32 {
        let rec = self.recording.get();
        // SAFETY: reading the lengths through shared references is sound
        // even while a sweep has its shared reference to the recording.
        let (index, len) = unsafe { ((*rec).ends.len(), (*rec).operands.len()) };
        if index < self.fast_nodes.get() && len < self.fast_operands.get() {
            debug_assert!(
                (operand as usize) < index,
                "operand {operand} of node {index}"
            );
            // SAFETY: the limits are nonzero, so no sweep runs and no other
            // reference to the recording is alive (see `recording_mut`).
            // Each vector has room for the entry written: `fast_nodes` and
            // `fast_operands` are at most their capacities, and `partials`
            // has the same length as `operands`. The limits are at most
            // `u32::MAX`, so the node index and the new operand end fit in a
            // u32. The operand is below the new node: a `Var` of this tape
            // always has an index below the current length, since nodes
            // are only appended and `clear` needs `&mut self`.
            unsafe {
                let rec = &mut *rec;
                rec.operands.as_mut_ptr().add(len).write(operand);
                rec.partials.as_mut_ptr().add(len).write(partial);
                rec.operands.set_len(len + 1);
                rec.partials.set_len(len + 1);
                rec.ends.as_mut_ptr().add(index).write((len + 1) as u32);
                rec.ends.set_len(index + 1);
            }
            return index as u32;
        }
        self.push_statement_cold(name, value, &[operand], &[partial])
    }

    /// Appends a node with two operands. An operation of a node with
    /// itself (`x * x`) is recorded with one operand entry whose partial is
    /// the sum of the two.
    #[inline(always)]
    pub(crate) fn push_binary(
        &self,
        name: &'static str,
        value: T,
        [a, b]: [u32; 2],
        [da, db]: [T; 2],
    ) -> u32 {
        let rec = self.recording.get();
        // SAFETY: as in `push_unary`.
        let (index, len) = unsafe { ((*rec).ends.len(), (*rec).operands.len()) };
        if index < self.fast_nodes.get() && len + 2 <= self.fast_operands.get() {
            debug_assert!((a as usize) < index && (b as usize) < index);
            if a == b {
                return self.push_unary(name, value, a, da + db);
            }
            // SAFETY: as in `push_unary`, with room for two entries.
            unsafe {
                let rec = &mut *rec;
                let operands = rec.operands.as_mut_ptr().add(len);
                operands.write(a);
                operands.add(1).write(b);
                let partials = rec.partials.as_mut_ptr().add(len);
                partials.write(da);
                partials.add(1).write(db);
                rec.operands.set_len(len + 2);
                rec.partials.set_len(len + 2);
                rec.ends.as_mut_ptr().add(index).write((len + 2) as u32);
                rec.ends.set_len(index + 1);
            }
            return index as u32;
        }
        if a == b {
            return self.push_statement_cold(name, value, &[a], &[da + db]);
        }
        self.push_statement_cold(name, value, &[a, b], &[da, db])
    }

    /// Appends a node with the first `count` of `N` operand entries, in
    /// order. Repeated operands stay separate entries.
    ///
    /// The fast path copies all `N` entries and keeps `count`, so it needs
    /// room for `N`. The next push overwrites the entries past `count`.
    #[inline(always)]
    pub(crate) fn push_entries<const N: usize>(
        &self,
        name: &'static str,
        value: T,
        operands: [u32; N],
        partials: [T; N],
        count: usize,
    ) -> u32 {
        debug_assert!(count <= N);
        let rec = self.recording.get();
        // SAFETY: as in `push_unary`.
        let (index, len) = unsafe { ((*rec).ends.len(), (*rec).operands.len()) };
        if index < self.fast_nodes.get() && len + N <= self.fast_operands.get() {
            debug_assert!(
                operands[..count]
                    .iter()
                    .all(|&operand| (operand as usize) < index)
            );
            // SAFETY: as in `push_unary`, with room for `N >= count` entries.
            unsafe {
                let rec = &mut *rec;
                std::ptr::copy_nonoverlapping(
                    operands.as_ptr(),
                    rec.operands.as_mut_ptr().add(len),
                    N,
                );
                std::ptr::copy_nonoverlapping(
                    partials.as_ptr(),
                    rec.partials.as_mut_ptr().add(len),
                    N,
                );
                rec.operands.set_len(len + count);
                rec.partials.set_len(len + count);
                rec.ends.as_mut_ptr().add(index).write((len + count) as u32);
                rec.ends.set_len(index + 1);
            }
            return index as u32;
        }
        self.push_entries_cold(name, value, operands, partials, count)
    }

    /// Appends the statement of [`push_entries`](Self::push_entries) on the
    /// general path. It takes the arrays by value, so that only this
    /// function takes slices of them. With the slices taken inline,
    /// preaccumulated Rosenbrock at n = 4096 took 45 µs in place of 31 µs,
    /// probably because the arrays then had to live in stack memory.
    #[cold]
    #[inline(never)]
    fn push_entries_cold<const N: usize>(
        &self,
        name: &'static str,
        value: T,
        operands: [u32; N],
        partials: [T; N],
        count: usize,
    ) -> u32 {
        self.push_statement(name, value, &operands[..count], &partials[..count])
    }

    /// The general path of the push methods: growth, the debug log and the
    /// panics, kept out of line so that the fast paths stay small.
    #[cold]
    #[inline(never)]
    fn push_statement_cold(
        &self,
        name: &'static str,
        value: T,
        operands: &[u32],
        partials: &[T],
    ) -> u32 {
        self.push_statement(name, value, operands, partials)
    }

    /// Appends a node whose operand entries `fill` writes in place through
    /// an [`Entries`] writer with room for `max_entries` of them, and
    /// returns the node's index. `fill` returns the node's primal value,
    /// which only debug recording keeps. It may run user code (a number
    /// type's arithmetic) but must not record on this tape, so it runs
    /// with recording rejected.
    ///
    /// Writing in place spares n-ary operations an iterator adapter per
    /// entry, so a loop such as `log_sum_exp`'s keeps its running sum in a
    /// register.
    #[inline(always)]
    pub(crate) fn push_with(
        &self,
        name: &'static str,
        max_entries: usize,
        fill: impl FnOnce(&mut Entries<'_, T>) -> T,
    ) -> u32 {
        if !self.has_room(max_entries) {
            return self.push_with_cold(name, max_entries, fill);
        }
        let rec = self.recording.get();
        // SAFETY: as in `push_unary`.
        let (index, len) = unsafe { ((*rec).ends.len(), (*rec).operands.len()) };
        // SAFETY: `has_room` leaves room for `max_entries` entries past
        // `len` in both arenas. The slices are built from the buffers'
        // pointers, not from a borrow of the recording, and recording is
        // rejected while `fill` runs, so nothing else writes there or moves
        // the buffers.
        let mut entries = unsafe {
            let rec = &mut *rec;
            Entries::new(
                std::slice::from_raw_parts_mut(
                    rec.operands
                        .as_mut_ptr()
                        .add(len)
                        .cast::<MaybeUninit<u32>>(),
                    max_entries,
                ),
                std::slice::from_raw_parts_mut(
                    rec.partials.as_mut_ptr().add(len).cast::<MaybeUninit<T>>(),
                    max_entries,
                ),
            )
        };
        {
            let _block = RecordingBlock::new(self);
            fill(&mut entries);
        }
        let count = entries.count;
        // SAFETY: `Entries::push` initialized the first `count` entries of
        // both arenas, and `has_room` left room for one more end.
        unsafe {
            let rec = &mut *rec;
            debug_assert!(
                (0..count).all(|i| (*rec.operands.as_ptr().add(len + i) as usize) < index)
            );
            rec.operands.set_len(len + count);
            rec.partials.set_len(len + count);
            rec.ends.as_mut_ptr().add(index).write((len + count) as u32);
            rec.ends.set_len(index + 1);
        }
        index as u32
    }

    /// Takes the general path of [`push_with`](Self::push_with). It grows
    /// the arenas and takes the fast path. Under debug recording, during a
    /// sweep or on a full tape, it fills a scratch buffer instead and takes
    /// the checked path, which logs the value or panics.
    #[cold]
    #[inline(never)]
    fn push_with_cold(
        &self,
        name: &'static str,
        max_entries: usize,
        fill: impl FnOnce(&mut Entries<'_, T>) -> T,
    ) -> u32 {
        self.reserve_statement(max_entries);
        if self.has_room(max_entries) {
            return self.push_with(name, max_entries, fill);
        }
        let mut operands = Vec::with_capacity(max_entries);
        let mut partials = Vec::with_capacity(max_entries);
        let mut entries = Entries::new(
            &mut operands.spare_capacity_mut()[..max_entries],
            &mut partials.spare_capacity_mut()[..max_entries],
        );
        let value = {
            let _block = RecordingBlock::new(self);
            fill(&mut entries)
        };
        let count = entries.count;
        // SAFETY: `Entries::push` initialized the first `count` entries of
        // both.
        unsafe {
            operands.set_len(count);
            partials.set_len(count);
        }
        self.push_statement(name, value, &operands, &partials)
    }

    /// Appends a node with one entry for each variable among `pairs` of
    /// `(variable, partial)`, in order, and none for constants. `pairs`
    /// must yield at most `max_entries` variables, or the fill panics.
    #[inline]
    pub(crate) fn push_pairs<'t>(
        &self,
        name: &'static str,
        value: T,
        max_entries: usize,
        pairs: impl IntoIterator<Item = (Var<'t, T>, T)>,
    ) -> u32 {
        self.push_with(name, max_entries, |entries| {
            for (variable, partial) in pairs {
                entries.push_variable(variable, partial);
            }
            value
        })
    }

    /// Returns whether the fast push path has room for a node of
    /// `operands` entries.
    #[inline]
    fn has_room(&self, operands: usize) -> bool {
        // SAFETY: as in `push_unary`.
        let (index, len) = unsafe {
            let rec = self.recording.get();
            ((*rec).ends.len(), (*rec).operands.len())
        };
        index < self.fast_nodes.get() && operands <= self.fast_operands.get().saturating_sub(len)
    }

    /// Grows the arenas for one more node of `operands` entries. Past the
    /// `u32` limits it grows nothing, so that the checked path names the
    /// limit in its panic.
    #[cold]
    #[inline(never)]
    fn reserve_statement(&self, operands: usize) {
        let rec = self.recording_mut();
        if rec.ends.len() < u32::MAX as usize
            && rec.operands.len().saturating_add(operands) <= u32::MAX as usize
        {
            rec.ends.reserve(1);
            rec.operands.reserve(operands);
            rec.partials.reserve(operands);
            self.refresh_fast_limits();
        }
    }

    #[inline]
    fn finish_statement(rec: &mut Recording<T>, name: &'static str, value: T) -> u32 {
        // `push_statement` checked both limits before appending.
        let index = rec.ends.len();
        rec.ends.push(rec.operands.len() as u32);
        if let Some(debug) = &mut rec.debug {
            debug.names.push(name);
            debug.values.push(value);
        }
        index as u32
    }

    /// Records a custom operation with `outputs` output nodes and returns
    /// the index of the first; the outputs occupy consecutive indices.
    ///
    /// The operation's [`CustomOp::vjp`] runs when a reverse sweep reaches
    /// these nodes, with their adjoints as the cotangent. Every node the
    /// operation reads in its vjp must have been recorded before this call.
    ///
    /// ```
    /// use adjoint_tape::{CustomOp, Tape};
    ///
    /// /// y = 3 x, with its vjp written by hand.
    /// struct Triple {
    ///     input: usize,
    /// }
    /// impl CustomOp<f64> for Triple {
    ///     fn name(&self) -> &'static str {
    ///         "triple"
    ///     }
    ///     fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
    ///         adjoints[self.input] += 3.0 * cotangent[0];
    ///     }
    /// }
    ///
    /// let tape = Tape::new();
    /// let x = tape.var(2.0);
    /// let first = tape.push_custom(1, Box::new(Triple { input: x.index().unwrap() }));
    /// let y = tape.custom_output(first, 6.0);
    /// assert_eq!((y * y).gradient().wrt(x), 36.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `outputs` is 0, or if the tape would exceed `u32::MAX`
    /// nodes.
    pub fn push_custom(&self, outputs: usize, op: Box<dyn CustomOp<T>>) -> usize {
        assert!(
            outputs > 0,
            "a custom operation needs at least one output node, got 0"
        );
        // The name and `T::nan` are user code, so they run before the
        // recording is borrowed.
        let name = op.name();
        let nan = T::nan();
        let rec = self.recording_mut();
        let start = rec.ends.len();
        let Some(end) = start
            .checked_add(outputs)
            .filter(|&e| e <= u32::MAX as usize)
        else {
            tape_full("nodes")
        };
        let operand_end = rec.operands.len() as u32;
        rec.ends.resize(end, operand_end);
        if let Some(debug) = &mut rec.debug {
            debug.names.resize(end, name);
            debug.values.resize(end, nan);
        }
        rec.customs.push(CustomNode {
            start: start as u32,
            end: end as u32,
            op,
        });
        self.refresh_fast_limits();
        start
    }

    /// The scalar variable for output node `index` of a custom operation,
    /// carrying the primal `value` that the operation computed.
    ///
    /// ```
    /// # use adjoint_tape::{CustomOp, Tape};
    /// # struct Nothing;
    /// # impl CustomOp<f64> for Nothing {
    /// #     fn name(&self) -> &'static str { "nothing" }
    /// #     fn vjp(&self, _: &[f64], _: &mut [f64]) {}
    /// # }
    /// let tape = Tape::new();
    /// let first = tape.push_custom(2, Box::new(Nothing));
    /// let second = tape.custom_output(first + 1, 5.0);
    /// assert_eq!(second.value(), 5.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `index` is not a node of this tape.
    pub fn custom_output(&self, index: usize, value: T) -> Var<'_, T> {
        assert!(
            index < self.len(),
            "node index {index} is out of range for a tape of {} nodes",
            self.len()
        );
        if let Some(debug) = &mut self.recording_mut().debug {
            debug.values[index] = value;
        }
        Var::on_tape(self, index as u32, value)
    }

    /// Turns on or off the recording of each node's operation name and
    /// primal value, which anomaly checks, statistics and the DOT export
    /// read. Off by default. While it is on, every node takes the slower checked
    /// path.
    ///
    /// Nodes recorded while it was off are listed as `"unknown"` with a NaN
    /// value once it is turned on.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// tape.set_debug(true);
    /// let x = tape.var(2.0);
    /// let _ = x.sin();
    /// assert_eq!(tape.node_name(1), Some("sin"));
    /// ```
    pub fn set_debug(&self, on: bool) {
        // `T::nan` is user code, so it runs before the recording is borrowed.
        let nan = T::nan();
        let rec = self.recording_mut();
        match (on, rec.debug.is_some()) {
            (true, false) => {
                let nodes = rec.ends.len();
                rec.debug = Some(DebugLog {
                    names: vec!["unknown"; nodes],
                    values: vec![nan; nodes],
                });
            }
            (false, true) => rec.debug = None,
            _ => {}
        }
        self.refresh_fast_limits();
    }

    /// Whether names and values are being recorded (see
    /// [`set_debug`](Self::set_debug)).
    ///
    /// ```
    /// assert!(!adjoint_tape::Tape::<f64>::new().is_debug());
    /// ```
    pub fn is_debug(&self) -> bool {
        self.recording().debug.is_some()
    }

    /// The operation name of node `index`, if debug recording is on.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(1.0);
    /// assert_eq!(tape.node_name(x.index().unwrap()), None);
    /// ```
    pub fn node_name(&self, index: usize) -> Option<&'static str> {
        self.recording().debug.as_ref()?.names.get(index).copied()
    }
}
