//! Heap allocations of the record–sweep–clear loop, counted by a global
//! allocator that tallies the allocations made on the calling thread.
//!
//! Once a reused tape has grown to the size of the function, a gradient
//! (clear, record, reverse sweep, read the adjoints) must not allocate: the
//! arenas keep their capacity across `clear`, and the adjoint buffer goes
//! back to the tape when the `Gradients` is dropped.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use adjoint_tape::{Tape, Var};

/// The system allocator, counting the allocations of each thread.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` with the caller's arguments; the
// counter is a const-initialized thread-local `Cell` without a destructor,
// so touching it never allocates or re-enters the allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations (and reallocations) made on this thread by `work`.
fn allocations_during(work: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    work();
    ALLOCATIONS.with(Cell::get) - before
}

const N: usize = 16;

/// The chained Rosenbrock function, with inputs in an array so that the
/// function itself needs no heap.
fn rosenbrock<'t>(x: &[Var<'t>; N]) -> Var<'t> {
    let mut total = Var::constant(0.0);
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        total += 100.0 * a * a + b * b;
    }
    total
}

/// One gradient on a reused tape: clear, record, sweep, read back.
fn gradient_step(tape: &mut Tape, point: &[f64; N], out: &mut [f64; N]) {
    tape.clear();
    let x: [Var<'_>; N] = std::array::from_fn(|i| tape.var(point[i]));
    rosenbrock(&x).gradient().write_wrt(&x, out);
}

#[test]
fn warm_tape_gradient_allocates_nothing() {
    let mut tape = Tape::new();
    let mut point = [0.5; N];
    let mut out = [0.0; N];
    gradient_step(&mut tape, &point, &mut out);
    gradient_step(&mut tape, &point, &mut out);

    let count = allocations_during(|| {
        for step in 0..20 {
            point[step % N] += 0.01;
            gradient_step(&mut tape, &point, &mut out);
        }
    });
    assert_eq!(count, 0, "20 warm gradients made {count} heap allocations");

    // The last gradient is still right: d/dx_0 = -400 a x_0 - 2 (1 - x_0).
    let a = point[1] - point[0] * point[0];
    let expected = -400.0 * a * point[0] - 2.0 * (1.0 - point[0]);
    assert!(
        (out[0] - expected).abs() < 1e-12,
        "{} vs {expected}",
        out[0]
    );
}

#[test]
fn first_gradient_allocates() {
    // The counter sees this thread's allocations: a cold tape must grow.
    let mut tape = Tape::new();
    let point = [0.5; N];
    let mut out = [0.0; N];
    let count = allocations_during(|| gradient_step(&mut tape, &point, &mut out));
    assert!(count > 0, "a cold tape recorded without allocating");
}

#[test]
fn repeated_sweeps_of_one_recording_allocate_nothing() {
    let tape = Tape::new();
    let x: [Var<'_>; N] = std::array::from_fn(|i| tape.var(0.1 * i as f64));
    let y = rosenbrock(&x);
    let mut out = [0.0; N];
    y.gradient().write_wrt(&x, &mut out);
    let first = out;

    let count = allocations_during(|| {
        for _ in 0..10 {
            y.gradient().write_wrt(&x, &mut out);
        }
    });
    assert_eq!(
        count, 0,
        "10 sweeps of one recording made {count} heap allocations"
    );
    assert_eq!(out, first);
}

#[test]
fn sweep_into_reuses_the_callers_buffer() {
    let tape = Tape::new();
    let x = tape.var(3.0);
    let y = x * x * x;
    let output = y.index().expect("y is on the tape");
    let mut adjoints = Vec::new();
    tape.sweep_into(&mut adjoints, output + 1, |adj| adj[output] = 1.0);

    let count = allocations_during(|| {
        for _ in 0..10 {
            tape.sweep_into(&mut adjoints, output + 1, |adj| adj[output] = 1.0);
        }
    });
    assert_eq!(
        count, 0,
        "10 sweeps into a sized buffer made {count} heap allocations"
    );
    assert_eq!(adjoints[x.index().expect("x is on the tape")], 27.0);
}

/// A sum of squares over neighbouring inputs, for the convenience functions.
fn chained_squares<'t>(x: &[Var<'t>]) -> Var<'t> {
    let mut total = Var::constant(0.0);
    for pair in x.windows(2) {
        total += (pair[1] - pair[0] * pair[0]).powi(2);
    }
    total
}

#[test]
fn repeated_gradient_calls_reuse_a_thread_tape() {
    let point = vec![0.5; 64];
    let first = adjoint_tape::gradient(chained_squares, &point);

    // Per call: the vector of input variables and the returned gradient.
    let count = allocations_during(|| {
        for _ in 0..10 {
            let again = adjoint_tape::gradient(chained_squares, &point);
            assert_eq!(again, first);
        }
    });
    assert_eq!(
        count, 20,
        "10 warm gradient calls made {count} heap allocations, expected 20"
    );
}

#[test]
fn nested_gradient_calls_use_separate_tapes() {
    // The inner call runs while the outer one holds the thread's spare tape.
    let outer = adjoint_tape::gradient(
        |x| {
            let inner = adjoint_tape::gradient(|y| y[0] * y[0] * y[0], &[2.0]);
            x[0] * inner[0]
        },
        &[1.5],
    );
    assert_eq!(outer, vec![12.0]);
}
