//! The tape as a data structure: long chains, fan-out, `clear`, repeated
//! sweeps, the zero-adjoint rule, empty and NaN inputs, mixing tapes and
//! the memory layout.

use std::time::Instant;

use adjoint_tape::{Tape, Var, sum};

/// Length of the long chain: ten million recorded operations.
const CHAIN: usize = 10_000_000;

#[test]
#[ignore = "records 10^7 nodes (about 20 s in debug builds): cargo test --release -p adjoint-tape --test tape -- --ignored"]
fn chain_of_ten_million_sweeps_without_overflow() {
    let (a, b) = (1.0000001_f64, 1e-9);
    let started = Instant::now();
    let tape = Tape::with_capacity(CHAIN + 1, CHAIN);
    let x = tape.var(1.0);
    let mut y = x;
    for _ in 0..CHAIN {
        y = y.mul_add(a, b);
    }
    assert_eq!(tape.len(), CHAIN + 1);
    let recorded = started.elapsed();

    let derivative = y.gradient().wrt(x);
    let swept = started.elapsed() - recorded;
    let output = y.value();
    drop(tape);
    let total = started.elapsed();

    // y = aⁿ x + b (aⁿ - 1)/(a - 1), so dy/dx = aⁿ ≈ e.
    let n = i32::try_from(CHAIN).expect("the chain length fits in i32");
    let a_n = a.powi(n);
    let value = a_n + b * (a_n - 1.0) / (a - 1.0);
    assert!(
        (derivative / a_n - 1.0).abs() < 1e-8,
        "{derivative} vs {a_n}"
    );
    assert!((output / value - 1.0).abs() < 1e-6, "{output} vs {value}");
    // Seen by `cargo test -- --nocapture`: the timings of each phase.
    println!("chain of {CHAIN}: record {recorded:?}, sweep {swept:?}, total with drop {total:?}");
}

#[test]
fn chain_of_one_hundred_thousand_in_debug() {
    // A shorter chain, of sin nodes, that runs in debug builds too.
    let tape = Tape::new();
    let x = tape.var(0.5);
    let mut y = x;
    for _ in 0..100_000 {
        y = y.sin();
    }
    // d/dx sinⁿ(x) is the product of cos at every intermediate value.
    let mut value = 0.5_f64;
    let mut expected = 1.0;
    for _ in 0..100_000 {
        expected *= value.cos();
        value = value.sin();
    }
    assert_eq!(y.value(), value);
    let derivative = y.gradient().wrt(x);
    assert!(
        (derivative / expected - 1.0).abs() < 1e-10,
        "{derivative} vs {expected}"
    );
}

#[test]
fn fan_out_of_one_thousand_uses() {
    let tape = Tape::new();
    let x = tape.var(0.3);
    let s = x.sin();
    // y = Σ_{k=1}^{1000} k·s = 500500 s, from 1000 binary nodes.
    let mut y = Var::constant(0.0);
    for k in 1..=1000 {
        y += s * f64::from(k);
    }
    assert_eq!(y.gradient().wrt(x), 500500.0 * 0.3_f64.cos());
    // The same value used 1000 times by one n-ary node.
    let total = sum(&vec![s; 1000]);
    assert_eq!(total.gradient().wrt(x), 1000.0 * 0.3_f64.cos());
}

/// Records `f(x, y) = x² sin y + x/y` and returns its gradient.
fn record_and_sweep(tape: &Tape) -> Vec<f64> {
    let v = tape.vars(&[1.5, 0.7]);
    let f = v[0] * v[0] * v[1].sin() + v[0] / v[1];
    f.gradient().wrt_all(&v)
}

#[test]
fn clear_keeps_capacity_and_gradient() {
    let mut tape = Tape::new();
    let first = record_and_sweep(&tape);
    let nodes = tape.len();
    let reserved = tape.capacity_bytes();
    assert!(reserved >= tape.memory_bytes());

    tape.clear();
    assert_eq!(tape.len(), 0);
    assert_eq!(tape.operand_count(), 0);
    assert_eq!(tape.memory_bytes(), 0);
    assert_eq!(tape.capacity_bytes(), reserved);

    let second = record_and_sweep(&tape);
    assert_eq!(second, first);
    assert_eq!(tape.len(), nodes);
    assert_eq!(tape.capacity_bytes(), reserved);

    let expected = [
        2.0 * 1.5 * 0.7_f64.sin() + 1.0 / 0.7,
        1.5 * 1.5 * 0.7_f64.cos() - 1.5 / 0.49,
    ];
    for (got, want) in first.iter().zip(expected) {
        assert!((got - want).abs() < 1e-14, "{first:?} vs {expected:?}");
    }
}

#[test]
fn sweeps_from_different_outputs_reuse_recording() {
    let tape = Tape::new();
    let (x, y) = (tape.var(2.0), tape.var(3.0));
    let u = x * y;
    let v = x.sin() + y;
    let w = u * v;
    let nodes = tape.len();
    for _ in 0..3 {
        assert_eq!(u.gradient().wrt_all(&[x, y]), vec![3.0, 2.0]);
        assert_eq!(v.gradient().wrt_all(&[x, y]), vec![2.0_f64.cos(), 1.0]);
        // w = xy (sin x + y): ∂w/∂x = y v + x y cos x, ∂w/∂y = x v + x y.
        let vv = 2.0_f64.sin() + 3.0;
        let expected = [3.0 * vv + 6.0 * 2.0_f64.cos(), 2.0 * vv + 6.0];
        let got = w.gradient().wrt_all(&[x, y]);
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-14, "{got:?} vs {expected:?}");
        }
        // An intermediate output is differentiated with respect to itself.
        assert_eq!(w.gradient().wrt(u), v.value());
    }
    assert_eq!(tape.len(), nodes, "sweeps must not record");
}

#[test]
fn sum_times_factor_after_many_sweeps() {
    let tape = Tape::new();
    let (a, b, d) = (tape.var(3.0), tape.var(2.0), tape.var(1.0));
    let e = (a + b) * d;
    assert_eq!(e.value(), 5.0);
    for _ in 0..10 {
        assert_eq!(e.gradient().wrt_all(&[a, b, d]), vec![1.0, 1.0, 5.0]);
    }
}

#[test]
fn zero_adjoint_stops_infinite_partial() {
    // sqrt'(0) = +inf, but the branch is multiplied by the constant 0, so
    // its adjoint is exactly 0 and it passes nothing on (not 0 · inf = NaN).
    let tape = Tape::new();
    let x = tape.var(0.0);
    let dead = x.sqrt() * 0.0;
    let y = 2.0 * x + dead;
    assert_eq!(y.value(), 0.0);
    assert_eq!(y.gradient().wrt(x), 2.0);
}

#[test]
fn zero_adjoint_on_ln_of_negative() {
    // ln(-1) is NaN; the node's adjoint is 0 · adjoint = 0, so it is skipped
    // and the gradient stays the 3 of the live branch.
    let tape = Tape::new();
    let x = tape.var(-1.0);
    let log = x.ln();
    let y = 3.0 * x + log * 0.0;
    assert!(y.value().is_nan());
    let g = y.gradient();
    assert_eq!(g.wrt(x), 3.0);
    assert_eq!(g.wrt(log), 0.0);
}

#[test]
fn unused_value_does_not_reach_gradient() {
    let tape = Tape::new();
    let x = tape.var(-1.0_f64);
    let unused = x.sqrt(); // NaN value with a NaN partial.
    let y = x * 2.0;
    assert!(unused.value().is_nan());
    assert_eq!(y.gradient().wrt(x), 2.0);
    // Nodes recorded after the output have no adjoint either.
    let later = x.sqrt();
    assert_eq!(y.gradient().wrt(later), 0.0);
}

#[test]
fn empty_input_gives_empty_gradient() {
    let no_inputs: [f64; 0] = [];
    let g = adjoint_tape::gradient(sum, &no_inputs);
    assert!(g.is_empty());
    let (value, g) = adjoint_tape::value_and_gradient(|v| sum(v) + 2.0, &no_inputs);
    assert_eq!(value, 2.0);
    assert!(g.is_empty());
    let j = adjoint_tape::jacobian(|v| vec![sum(v), Var::constant(1.0)], &no_inputs);
    assert_eq!(j, vec![Vec::<f64>::new(), Vec::new()]);
    let fd = adjoint_tape::finite_diff::gradient(|_: &[f64]| 1.0, &no_inputs);
    assert!(fd.is_empty());
}

#[test]
fn constant_output_has_zero_gradient() {
    let tape = Tape::new();
    let x = tape.var(1.0);
    let c = Var::constant(4.0) * 2.0;
    assert!(c.is_constant());
    assert_eq!(c.gradient().wrt(x), 0.0);
}

#[test]
fn nan_input_propagates_as_nan() {
    let g = adjoint_tape::gradient(|v| v[0] * v[1] + v[0].sin(), &[f64::NAN, 1.0]);
    assert!(g[0].is_nan(), "{g:?}");
    assert!(g[1].is_nan(), "{g:?}");

    // A NaN in one input leaves the other input's own path intact.
    let g = adjoint_tape::gradient(|v| v[0].exp() + v[1] * 3.0, &[f64::NAN, 1.0]);
    assert!(g[0].is_nan(), "{g:?}");
    assert_eq!(g[1], 3.0);
}

#[test]
fn nan_input_never_panics() {
    let tape = Tape::new();
    let x = tape.var(f64::NAN);
    let y = tape.var(2.0);

    // Each derivative depends on x, so it is NaN too.
    let nonlinear = [
        x.recip(),
        x.sqrt(),
        x.cbrt(),
        x.exp(),
        x.exp2(),
        x.exp_m1(),
        x.ln(),
        x.log2(),
        x.log10(),
        x.ln_1p(),
        x.sin(),
        x.cos(),
        x.tan(),
        x.asin(),
        x.acos(),
        x.atan(),
        x.sinh(),
        x.cosh(),
        x.tanh(),
        x.asinh(),
        x.acosh(),
        x.atanh(),
        x.abs(),
        x.sigmoid(),
        x.softplus(),
        x.relu(),
        x.powi(3),
        x.powf(2.5),
        x.powf(y),
        y.powf(x),
        x.atan2(y),
        y.atan2(x),
        x.hypot(y),
        x.log(y),
        y / x,
        adjoint_tape::log_sum_exp(&[x, y]),
    ];
    for (i, f) in nonlinear.iter().enumerate() {
        assert!(f.value().is_nan(), "function {i} of NaN: {}", f.value());
        let derivative = f.gradient().wrt(x);
        assert!(
            derivative.is_nan(),
            "function {i}: derivative {derivative} at NaN"
        );
    }

    // Linear in x: the value is NaN, the derivative is y = 2 (or 1/y).
    let linear = [
        (x * y, 2.0),
        (x + y, 1.0),
        (x / y, 0.5),
        (x.mul_add(y, y), 2.0),
        (adjoint_tape::product(&[x, y]), 2.0),
        (adjoint_tape::dot(&[x], &[y]), 2.0),
    ];
    for (i, (f, derivative)) in linear.into_iter().enumerate() {
        assert!(
            f.value().is_nan(),
            "linear function {i} of NaN: {}",
            f.value()
        );
        assert_eq!(f.gradient().wrt(x), derivative, "linear function {i}");
    }

    // These follow f64 in ignoring or flattening a NaN; they must not panic.
    let others = [
        x.max(y),
        x.min(y),
        x.floor(),
        x.ceil(),
        x.round(),
        x.trunc(),
        x.signum(),
        x.fract(),
        x.clamp(0.0, 1.0),
        x.abs_sub(y),
        x.copysign(y),
        y.copysign(x),
        x % y,
    ];
    for f in others {
        let _ = f.gradient().wrt_all(&[x, y]);
    }
}

#[test]
#[should_panic(expected = "cannot combine variables of two different tapes")]
fn mixing_tapes_in_binary_op_panics() {
    let first = Tape::new();
    let second = Tape::new();
    let _ = first.var(1.0) * second.var(2.0);
}

#[test]
#[should_panic(expected = "cannot combine variables of two different tapes")]
fn mixing_tapes_in_sum_panics() {
    let first = Tape::new();
    let second = Tape::new();
    let _ = sum(&[first.var(1.0), first.var(3.0), second.var(2.0)]);
}

#[test]
#[should_panic(expected = "cannot read the gradient with respect to node 0 of another tape")]
fn reading_gradient_of_other_tape_panics() {
    let first = Tape::new();
    let second = Tape::new();
    let x = first.var(1.0);
    let y = second.var(2.0);
    let _ = (x * x).gradient().wrt(y);
}

#[test]
fn memory_of_f64_tape_is_twelve_per_operand() {
    let tape = Tape::new();
    let v = tape.vars(&[1.0, 2.0]); // 2 nodes, no operands
    let p = v[0] * v[1]; // 1 node, 2 operands
    let s = p.sin(); // 1 node, 1 operand
    let _ = sum(&[p, s, v[0]]); // 1 node, 3 operands
    assert_eq!(tape.len(), 5);
    assert_eq!(tape.operand_count(), 6);
    assert_eq!(tape.memory_bytes(), 5 * 4 + 6 * 12);
}

#[test]
fn memory_of_f32_tape_is_eight_per_operand() {
    let tape = Tape::<f32>::new();
    let v = tape.vars(&[1.0, 2.0]);
    let p = v[0] * v[1];
    let _ = p.sin() + 1.0;
    assert_eq!(tape.len(), 5);
    assert_eq!(tape.operand_count(), 4);
    assert_eq!(tape.memory_bytes(), 5 * 4 + 4 * 8);
}

/// A function that uses x with itself in every binary operator.
fn with_itself(x: Var<'_>) -> Var<'_> {
    (x * x + x) / (x - x * 0.5) * x - x * x
}

#[test]
fn node_with_itself_is_one_operand_entry() {
    let tape = Tape::<f64>::new();
    let x = tape.var(1.5);
    let square = x * x;
    assert_eq!(tape.operand_count(), 1);
    assert_eq!(square.gradient().wrt(x), 3.0);
    // x / x and x - x have partials that cancel exactly: the gradient is
    // 0 with no rounding error, where two entries could leave one.
    let third = tape.var(1.0 / 3.0);
    assert_eq!((third / third).gradient().wrt(third), 0.0);
    assert_eq!((third - third).gradient().wrt(third), 0.0);
    // At 0, x / x has partials 1/0 and -0/0: the sum is NaN, as the two
    // entries would give.
    let zero = tape.var(0.0_f64);
    assert!((zero / zero).gradient().wrt(zero).is_nan());
    // Against central differences on a function that uses x with itself
    // in every operator.
    let at = 0.7;
    let t = Tape::new();
    let v = t.var(at);
    let reverse = with_itself(v).gradient().wrt(v);
    let h = 1e-6;
    let g = |s: f64| {
        let t = Tape::new();
        with_itself(t.var(s)).value()
    };
    let central = (g(at + h) - g(at - h)) / (2.0 * h);
    assert!((reverse - central).abs() < 1e-8, "{reverse} vs {central}");
}

#[test]
fn recording_switches_between_fast_and_checked_paths() {
    // Debug recording on and off in the middle of a recording, growth past
    // the initial capacity and `clear` must all leave the same gradient.
    let mut tape = Tape::with_capacity(4, 4);
    for round in 0..3 {
        tape.clear();
        let x = tape.var(2.0);
        let mut y = x;
        for k in 0..100 {
            if k == 30 {
                tape.set_debug(true);
            }
            if k == 60 {
                tape.set_debug(false);
            }
            y = y * 0.99 + x.sin();
        }
        // y_0 = x, y_{k+1} = 0.99 y_k + sin x, and its derivative
        // d_0 = 1, d_{k+1} = 0.99 d_k + cos x, at x = 2.
        let (value, derivative) = (0..100).fold((2.0_f64, 1.0_f64), |(v, d), _| {
            (v * 0.99 + 2.0_f64.sin(), d * 0.99 + 2.0_f64.cos())
        });
        assert_eq!(y.value(), value, "round {round}");
        let g = y.gradient().wrt(x);
        assert!(
            (g - derivative).abs() < 1e-12,
            "round {round}: {g} vs {derivative}"
        );
    }
}

#[test]
fn nary_nodes_across_growth_and_debug() {
    // n-ary statements and bulk inputs take three paths: the in-place
    // fast path, the growth of a small tape, and the checked path of debug
    // recording. All three must record the same gradient. The inputs
    // created between operations also reach the sweep's pass over input
    // nodes.
    let values: Vec<f64> = (0..50).map(|i| (f64::from(i) * 0.37).sin()).collect();
    let mut results = Vec::new();
    for (capacity, debug) in [(1000, false), (2, false), (2, true)] {
        let tape = Tape::with_capacity(capacity, 1);
        tape.set_debug(debug);
        let x = tape.vars(&values);
        let lse = adjoint_tape::log_sum_exp(&x);
        let late = tape.vars(&[0.5, -1.5]);
        let squares = adjoint_tape::dot(&x, &x);
        let total = sum(&[lse, squares * late[0], late[1]]);
        let g = total.gradient();
        let dx = g.wrt_all(&x);
        let dlate = g.wrt_all(&late);
        // d/dxᵢ = softmaxᵢ + 2 xᵢ · late₀, d/dlate₀ = Σ xᵢ², d/dlate₁ = 1.
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let shifted: f64 = values.iter().map(|v| (v - max).exp()).sum();
        for (i, (&got, &v)) in dx.iter().zip(&values).enumerate() {
            let expected = (v - max).exp() / shifted + 2.0 * v * 0.5;
            assert!(
                (got - expected).abs() < 1e-14,
                "capacity {capacity}, debug {debug}: input {i} got {got}, expected {expected}"
            );
        }
        let norm: f64 = values.iter().map(|v| v * v).sum();
        assert!((dlate[0] - norm).abs() < 1e-12, "{} vs {norm}", dlate[0]);
        assert_eq!(dlate[1], 1.0);
        results.push((total.value().to_bits(), dx, dlate));
    }
    assert_eq!(results[0], results[1], "growth path");
    assert_eq!(results[0], results[2], "debug path");
}
