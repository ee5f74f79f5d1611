//! The reverse sweep: adjoints flow from an output back to node 0.
//!
//! The sweep is one loop over the nodes by index, never recursion, so its
//! stack use does not grow with the length of the tape.

use crate::gradients::Gradients;
use crate::real::Real;
use crate::tape::{Recording, RecordingBlock, Tape};

impl<T: Real> Tape<T> {
    /// Runs a reverse sweep: `seed` writes the starting adjoints into the
    /// buffer (sized to `nodes` and zeroed), then adjoints flow from node
    /// `nodes - 1` down to node 0. The buffer is left holding every node's
    /// adjoint.
    ///
    /// This is the primitive behind [`Var::gradient`](crate::Var::gradient) and the tensor
    /// gradients; it allocates only when `adjoints` has to grow.
    ///
    /// `seed` runs before the sweep and may record on the tape. Nodes it
    /// records lie above `nodes`, so the sweep leaves them out.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(3.0);
    /// let y = x * x;
    /// let mut adjoints = Vec::new();
    /// let out = y.index().unwrap();
    /// tape.sweep_into(&mut adjoints, out + 1, |adj| adj[out] = 1.0);
    /// assert_eq!(adjoints[x.index().unwrap()], 6.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `nodes` exceeds [`len`](Self::len), or if a custom
    /// operation's vjp panics or records on this tape.
    pub fn sweep_into(&self, adjoints: &mut Vec<T>, nodes: usize, seed: impl FnOnce(&mut [T])) {
        assert!(
            nodes <= self.len(),
            "cannot sweep {nodes} nodes of a tape holding {}",
            self.len()
        );
        // A sweep that starts inside a custom node's outputs must cover all
        // of them, since the node's vjp reads its whole cotangent.
        let customs = &self.recording().customs;
        let first_custom_after = customs.partition_point(|c| (c.start as usize) < nodes);
        let nodes = match first_custom_after.checked_sub(1) {
            Some(last) => nodes.max(customs[last].end as usize),
            None => nodes,
        };
        adjoints.clear();
        adjoints.resize(nodes, T::zero());
        // The seed is user code and may record on this tape, which appends
        // nodes above `nodes` and custom nodes after `first_custom_after`.
        // The recording is therefore borrowed again only after it.
        seed(adjoints);

        let _guard = self.begin_sweep();
        let rec = self.recording();
        let mut top = nodes;
        for custom in rec.customs[..first_custom_after].iter().rev() {
            let (start, end) = (custom.start as usize, custom.end as usize);
            sweep_statements(rec, adjoints, end, top);
            let (below, outputs) = adjoints.split_at_mut(start);
            let cotangent = &outputs[..end - start];
            if cotangent.iter().any(|a| !a.is_zero()) {
                custom.op.vjp(cotangent, below);
            }
            top = start;
        }
        sweep_statements(rec, adjoints, 0, top);
    }

    /// Marks the tape as sweeping until the guard drops, so that recording
    /// panics meanwhile. The checked sweep of anomaly mode uses it too.
    ///
    /// The guard also zeroes the fast push limits and restores them as they
    /// were, since a sweep changes neither the capacities nor the debug
    /// flag.
    pub(crate) fn begin_sweep(&self) -> RecordingBlock<'_, T> {
        assert!(
            !self.sweeping.get(),
            "a reverse sweep started inside another sweep of the same tape, or \
             while the tape is inspected or an n-ary operation computes its \
             partials: a custom operation's vjp and the arithmetic of a custom \
             number type must not sweep the tape they work on"
        );
        RecordingBlock::new(self)
    }

    /// Rejects recording until the guard drops, as a sweep does, for code
    /// that reads the recording while it calls user code (a custom
    /// operation's `name` or `vjp`). Unlike [`begin_sweep`](Self::begin_sweep),
    /// it may run inside a sweep: it does not check the sweeping flag.
    pub(crate) fn hold_recording(&self) -> RecordingBlock<'_, T> {
        RecordingBlock::new(self)
    }

    /// Runs a reverse sweep seeded with `seed` at node `output`, in a buffer
    /// reused from earlier sweeps.
    pub(crate) fn gradients_from(&self, output: u32, seed: T) -> Gradients<'_, T> {
        let mut adjoints = self.spare_adjoints.take();
        let output = output as usize;
        self.sweep_into(&mut adjoints, output + 1, |adj| adj[output] = seed);
        Gradients::new(self, adjoints)
    }

    /// Takes back a buffer from a dropped [`Gradients`].
    pub(crate) fn return_adjoints(&self, buffer: Vec<T>) {
        let spare = self.spare_adjoints.take();
        // Keep the larger buffer so later sweeps need not grow one.
        self.spare_adjoints
            .set(if spare.capacity() > buffer.capacity() {
                spare
            } else {
                buffer
            });
    }
}

/// Adds the contributions of the scalar statements `lo..hi`, from the last
/// to the first.
///
/// The zero-adjoint rule: a node whose adjoint is exactly zero passes
/// nothing on, so a NaN or infinite partial on a branch that the output
/// does not depend on (`ln` of a negative number that is multiplied away,
/// a discarded `select` branch) cannot turn into `0 · NaN = NaN`.
#[inline]
fn sweep_statements<T: Real>(rec: &Recording<T>, adjoints: &mut [T], lo: usize, hi: usize) {
    if lo >= hi {
        return;
    }
    let ends = &rec.ends[..hi];
    let last_end = ends[hi - 1] as usize;
    assert!(
        adjoints.len() >= hi && last_end <= rec.operands.len() && last_end <= rec.partials.len(),
        "the adjoint buffer and the operand arrays cover the swept nodes"
    );
    let operands = rec.operands.as_ptr();
    let partials = rec.partials.as_ptr();
    let adjoints = adjoints.as_mut_ptr();
    // SAFETY, for every unchecked access below: `node < hi`, which is
    // within `ends` and `adjoints` (checked above). `ends` never decreases
    // along the tape, so every entry is below `last_end`, which is within
    // `operands` and `partials` (checked above). Every operand index is
    // below the index of the node that reads it, so `operand < node < hi`
    // is within `adjoints`. The checked push path tests this. The fast
    // paths rely on every `Var` of a tape having an index below the
    // tape's length.
    //
    // Most operations read the node just below them (`y = f(x)` right
    // after `x`), which makes the sweep a chain of adjoint updates through
    // memory: each store is loaded back at the next node. The contribution
    // to node `node - 1` therefore stays in a register (`carry`) and is
    // added when the sweep reaches that node. The sum is the same as before:
    // the node just above is the last to contribute to it. `-0.0` is the
    // identity of IEEE addition, so an empty carry changes nothing, not
    // even the sign of a zero.
    let empty = -T::zero();
    let propagate = |node: usize, start: usize, end: usize, carry: T| -> T {
        unsafe {
            let slot = adjoints.add(node);
            let adjoint = *slot + carry;
            *slot = adjoint;
            if adjoint.is_zero() {
                return empty;
            }
            let below = node.wrapping_sub(1);
            let mut next = empty;
            let mut add = |entry: usize| {
                let operand = *operands.add(entry) as usize;
                let contribution = adjoint * *partials.add(entry);
                if operand == below {
                    next = next + contribution;
                } else {
                    let slot = adjoints.add(operand);
                    *slot = *slot + contribution;
                }
            };
            // Most statements have one or two operands, and a branch on
            // the count lets those run without a loop. Two entries on one
            // operand (from `Var::from_partials`, `preaccumulate` or an
            // n-ary operation) take the loop: carrying both would add
            // `c1 + c2` where the checked sweep adds `(adjoint + c1) + c2`,
            // which rounds differently.
            match end - start {
                1 => add(start),
                2 if *operands.add(start) != *operands.add(start + 1) => {
                    add(start);
                    add(start + 1);
                }
                _ => {
                    // n-ary statements add their entries in order,
                    // straight into memory, so a repeated operand sums in
                    // the order it is listed.
                    for entry in start..end {
                        let slot = adjoints.add(*operands.add(entry) as usize);
                        *slot = *slot + adjoint * *partials.add(entry);
                    }
                }
            }
            next
        }
    };
    let mut end = last_end;
    let mut carry = empty;
    for node in (lo.max(1)..hi).rev() {
        // SAFETY: `0 < node < hi <= ends.len()`.
        let start = unsafe { *ends.get_unchecked(node - 1) } as usize;
        if start == end {
            // A node without operands (an input) only takes the carry. The
            // inputs usually form one run at the bottom of the tape, where
            // this branch predicts well.
            // SAFETY: `node < hi`, within `adjoints`.
            unsafe {
                let slot = adjoints.add(node);
                *slot = *slot + carry;
            }
            carry = empty;
            continue;
        }
        carry = propagate(node, start, end, carry);
        end = start;
    }
    if lo == 0 {
        // Node 0 has no node below it, so the carry it returns is empty.
        propagate(0, 0, end, carry);
    } else {
        // SAFETY: `lo - 1 < hi`, within `adjoints`. The custom node below
        // reads this adjoint as part of its cotangent.
        unsafe {
            let slot = adjoints.add(lo - 1);
            *slot = *slot + carry;
        }
    }
}
