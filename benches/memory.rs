//! Tape memory: bytes per recorded statement and per operand entry
//! (`Tape::memory_bytes`, `len`, `operand_count`), the reserved arena
//! (`capacity_bytes`), and the peak heap during one gradient on a fresh
//! tape, measured by a counting global allocator, per statement and per
//! elementary operation of the source. The second measure compares a
//! preaccumulated function, whose statements each stand for several
//! operations, with the same function recorded operation by operation.
//!
//! This is not a timing benchmark: it prints one table row per function
//! and size. Run with `cargo bench --bench memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use adjoint::{Tape, Var};

#[path = "common/functions.rs"]
mod functions;

/// The system allocator, tracking the live and the peak heap bytes.
struct PeakAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn record_growth(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments and
// only updates two atomics, which never allocate.
unsafe impl GlobalAlloc for PeakAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record_growth(layout.size());
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A reallocation may hold the old and the new block at once.
        record_growth(new_size);
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        new
    }
}

#[global_allocator]
static GLOBAL: PeakAllocator = PeakAllocator;

/// The sizes of one recording of a function.
struct Row {
    function: &'static str,
    inputs: usize,
    statements: usize,
    operands: usize,
    memory_bytes: usize,
    capacity_bytes: usize,
    peak_heap: usize,
}

/// Records `f` at `x0` on a fresh tape and sweeps once, measuring the peak
/// heap above what was live before (the inputs' `Var`s, the tape's arenas,
/// the adjoint buffer and the gradient vector).
fn measure<F>(function: &'static str, f: F, x0: &[f64]) -> Row
where
    F: for<'t> Fn(&[Var<'t>]) -> Var<'t>,
{
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let tape = Tape::new();
    let x = tape.vars(x0);
    let y = f(&x);
    let gradient = y.gradient().wrt_all(&x);
    let peak_heap = PEAK.load(Ordering::Relaxed) - base;
    assert_eq!(gradient.len(), x0.len());
    Row {
        function,
        inputs: x0.len(),
        statements: tape.len(),
        operands: tape.operand_count(),
        memory_bytes: tape.memory_bytes(),
        capacity_bytes: tape.capacity_bytes(),
        peak_heap,
    }
}

/// Prints the table rows of one function at 10^3, 10^4 and 10^5 inputs.
/// `operations` gives the number of elementary operations of its source
/// for `n` inputs.
fn print_rows<F>(
    function: &'static str,
    f: F,
    start: fn(usize) -> Vec<f64>,
    operations: fn(usize) -> usize,
) where
    F: for<'t> Fn(&[Var<'t>]) -> Var<'t> + Copy,
{
    for n in [1_000, 10_000, 100_000] {
        let row = measure(function, f, &start(n));
        let per_statement = |bytes: usize| bytes as f64 / row.statements as f64;
        println!(
            "| {} | {} | {} | {} | {:.2} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
            row.function,
            row.inputs,
            row.statements,
            row.operands,
            row.operands as f64 / row.statements as f64,
            row.memory_bytes,
            per_statement(row.memory_bytes),
            per_statement(row.capacity_bytes),
            per_statement(row.peak_heap),
            row.peak_heap as f64 / operations(n) as f64,
        );
        let formula = 4 * row.statements + 12 * row.operands;
        assert_eq!(
            row.memory_bytes, formula,
            "{function}: memory_bytes is not 4 per statement plus 12 per operand"
        );
    }
}

/// Elementary operations of the chained Rosenbrock function: two
/// products, a square, a scaled square, two subtractions and two additions
/// per term.
fn rosenbrock_operations(n: usize) -> usize {
    8 * (n - 1)
}

/// Elementary operations of the mixture. Per point and mean: a
/// difference, two products, the shift, an `exp` and an addition. Per
/// point: a `ln` and two additions.
fn mixture_operations(n: usize) -> usize {
    functions::MIXTURE_POINTS * (6 * n + 3)
}

fn main() {
    println!(
        "| function | inputs | statements | operands | operands/stmt | recorded B | B/stmt | \
         reserved B/stmt | peak heap B/stmt | peak heap B/op |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    print_rows(
        "rosenbrock",
        |x| functions::rosenbrock(x),
        functions::rosenbrock_start,
        rosenbrock_operations,
    );
    print_rows(
        "rosenbrock, preaccumulated",
        functions::rosenbrock_preaccumulated,
        functions::rosenbrock_start,
        rosenbrock_operations,
    );
    print_rows(
        "mixture",
        |x| functions::mixture(x),
        functions::mixture_start,
        mixture_operations,
    );
    print_rows(
        "mixture, preaccumulated",
        functions::mixture_preaccumulated,
        functions::mixture_start,
        mixture_operations,
    );
    // A shift, an `exp` and an addition per term, then a `ln` and the
    // shift back.
    print_rows(
        "log_sum_exp",
        |x| functions::log_sum_exp(x),
        functions::spread_start,
        |n| 3 * n + 2,
    );
    print_rows(
        "sum_loop",
        |x| functions::sum_loop(x),
        functions::spread_start,
        |n| n,
    );
    print_rows("adjoint::sum", adjoint::sum, functions::spread_start, |n| {
        n - 1
    });
}
