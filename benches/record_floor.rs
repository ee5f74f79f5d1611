//! The floor under the cost of recording: how long it takes just to write
//! a tape's bytes, with the arena's lengths kept in registers and with them
//! kept in memory, beside the same sum recorded on an adjoint tape.
//!
//! Every case sums N = 4096 inputs. All cases write the same bytes per
//! addition: two 4-byte operand indices, two 8-byte partials and a 4-byte
//! statement end, after N input statements.
//!
//! - `f64`: the plain sum.
//! - `arena_local`: the writes into preallocated slices, with the lengths in
//!   local variables, which the compiler keeps in registers.
//! - `arena_shared`: the same writes through a shared reference to an
//!   arena behind `UnsafeCell`, the way a tape reached from every `Var`
//!   is. The compiler cannot prove that the stores into the buffers leave
//!   the lengths alone, so it stores and reloads them at every push.
//! - `tape_record`: `Tape::clear`, `Tape::vars` and the sum on an adjoint
//!   tape.
//! - `tape_gradient`: the same plus one reverse sweep and reading the
//!   inputs' adjoints.
//!
//! Run with `cargo bench --bench record_floor`.

use std::cell::UnsafeCell;
use std::hint::black_box;

use adjoint::{Tape, Var};
use criterion::{BenchmarkId, Throughput, criterion_group, criterion_main};

#[path = "common/config.rs"]
mod config;

/// Number of inputs summed.
const N: usize = 4096;

/// A minimal linearized-Jacobian arena.
struct Arena {
    ends: Vec<u32>,
    operands: Vec<u32>,
    partials: Vec<f64>,
}

impl Arena {
    fn with_capacity(nodes: usize, operands: usize) -> Self {
        Self {
            ends: Vec::with_capacity(nodes),
            operands: Vec::with_capacity(operands),
            partials: Vec::with_capacity(operands),
        }
    }
}

/// The arena behind a shared reference, as a tape is.
struct SharedArena(UnsafeCell<Arena>);

impl SharedArena {
    #[inline(always)]
    fn push_input(&self) -> u32 {
        // SAFETY: single-threaded, and no reference into the arena
        // outlives this call.
        let arena = unsafe { &mut *self.0.get() };
        let index = arena.ends.len();
        let end = arena.operands.len() as u32;
        arena.ends.push(end);
        index as u32
    }

    #[inline(always)]
    fn push_binary(&self, a: u32, b: u32, da: f64, db: f64) -> u32 {
        // SAFETY: as in `push_input`.
        let arena = unsafe { &mut *self.0.get() };
        let (index, len) = (arena.ends.len(), arena.operands.len());
        assert!(
            index < arena.ends.capacity() && len + 2 <= arena.operands.capacity(),
            "the arena is preallocated"
        );
        assert!(
            len + 2 <= arena.partials.capacity(),
            "the arena is preallocated"
        );
        // SAFETY: each vector has room for the entries written (checked
        // above), and `partials` has the length of `operands`.
        unsafe {
            let operands = arena.operands.as_mut_ptr().add(len);
            operands.write(a);
            operands.add(1).write(b);
            let partials = arena.partials.as_mut_ptr().add(len);
            partials.write(da);
            partials.add(1).write(db);
            arena.operands.set_len(len + 2);
            arena.partials.set_len(len + 2);
            arena.ends.as_mut_ptr().add(index).write((len + 2) as u32);
            arena.ends.set_len(index + 1);
        }
        index as u32
    }

    fn clear(&mut self) {
        let arena = self.0.get_mut();
        arena.ends.clear();
        arena.operands.clear();
        arena.partials.clear();
    }
}

/// A value and its node, like a `Var`, on the shared arena.
#[derive(Clone, Copy)]
struct Handle<'a> {
    value: f64,
    index: u32,
    arena: &'a SharedArena,
}

#[inline(never)]
fn sum_shared(arena: &SharedArena, x: &[f64]) -> f64 {
    let inputs: Vec<Handle<'_>> = x
        .iter()
        .map(|&value| Handle {
            value,
            index: arena.push_input(),
            arena,
        })
        .collect();
    let mut total = inputs[0];
    for &h in &inputs[1..] {
        total = Handle {
            value: total.value + h.value,
            index: total.arena.push_binary(total.index, h.index, 1.0, 1.0),
            arena: total.arena,
        };
    }
    total.value
}

/// Writes the bytes of `sum_shared`, with the lengths in locals.
#[inline(never)]
fn sum_local(x: &[f64], ends: &mut [u32], operands: &mut [u32], partials: &mut [f64]) -> f64 {
    let n = x.len();
    for end in &mut ends[..n] {
        *end = 0;
    }
    let mut total = x[0];
    let mut total_index = 0_u32;
    let mut len = 0_usize;
    for (k, &value) in x.iter().enumerate().skip(1) {
        total += value;
        operands[len] = total_index;
        operands[len + 1] = k as u32;
        partials[len] = 1.0;
        partials[len + 1] = 1.0;
        len += 2;
        let node = n + k - 1;
        ends[node] = len as u32;
        total_index = node as u32;
    }
    total
}

fn sum_vars<'t>(x: &[Var<'t>]) -> Var<'t> {
    x[1..].iter().fold(x[0], |acc, &v| acc + v)
}

fn record_floor(c: &mut config::Bench) {
    let x: Vec<f64> = (0..N).map(|k| 1.0 + k as f64 * 1e-3).collect();
    let mut group = c.benchmark_group("record_floor");
    group.throughput(Throughput::Elements(N as u64));

    group.bench_with_input(BenchmarkId::new("f64", N), &x, |b, x| {
        b.iter(|| black_box(x).iter().sum::<f64>());
    });

    let (mut ends, mut operands, mut partials) = (vec![0; 2 * N], vec![0; 2 * N], vec![0.0; 2 * N]);
    group.bench_with_input(BenchmarkId::new("arena_local", N), &x, |b, x| {
        b.iter(|| {
            let total = sum_local(black_box(x), &mut ends, &mut operands, &mut partials);
            black_box((&ends, &operands, &partials));
            total
        });
    });

    let mut arena = SharedArena(UnsafeCell::new(Arena::with_capacity(2 * N, 2 * N)));
    group.bench_with_input(BenchmarkId::new("arena_shared", N), &x, |b, x| {
        b.iter(|| {
            arena.clear();
            sum_shared(&arena, black_box(x))
        });
    });

    let mut tape = Tape::new();
    group.bench_with_input(BenchmarkId::new("tape_record", N), &x, |b, x| {
        b.iter(|| {
            tape.clear();
            let v = tape.vars(black_box(x));
            sum_vars(&v).value()
        });
    });

    let mut grad = vec![0.0; N];
    group.bench_with_input(BenchmarkId::new("tape_gradient", N), &x, |b, x| {
        b.iter(|| {
            tape.clear();
            let v = tape.vars(black_box(x));
            sum_vars(&v).gradient().write_wrt(&v, &mut grad);
            black_box(&grad);
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config::quick();
    targets = record_floor
}
criterion_main!(benches);
