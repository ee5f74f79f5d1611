//! Regression tests for defects found by trying the public API with
//! extreme inputs: each test pins the fixed behaviour.

use adjoint_tape::{Tape, Var};

#[test]
fn powi_at_i32_min_has_exact_derivative() {
    // d/dx xⁿ = n xⁿ⁻¹ with n - 1 = -2³¹ - 1, which is not an i32.
    let n = i32::MIN;
    let cases = [
        (2.0_f64, -0.0),          // n · 2^(n-1) underflows to -0
        (1.0, f64::from(n)),      // n · 1
        (-1.0, -f64::from(n)),    // n · (-1)^(odd) = -n
        (0.0, f64::NEG_INFINITY), // n · (+inf)
        (-0.0, f64::INFINITY),    // n · (-inf)
    ];
    for (at, derivative) in cases {
        let tape = Tape::new();
        let x = tape.var(at);
        let y = x.powi(n);
        assert_eq!(y.value().to_bits(), at.powi(n).to_bits(), "value at {at}");
        let reverse = y.gradient().wrt(x);
        assert_eq!(reverse, derivative, "reverse d/dx x^{n} at {at}");
        let forward = adjoint_tape::forward::derivative(|t| t.powi(n), at);
        assert_eq!(forward, derivative, "forward d/dx x^{n} at {at}");
    }
}

#[test]
fn powf_zero_to_zero_partials() {
    // 0⁰ = 1 and ∂/∂y xʸ = xʸ ln x would be 1 · (-inf); PyTorch and JAX
    // both give 0 here, the limit from y > 0.
    let tape = Tape::new();
    for base in [0.0, -0.0] {
        for exponent in [0.0, -0.0] {
            let (x, y) = (tape.var(base), tape.var(exponent));
            let z = x.powf(y);
            assert_eq!(z.value(), 1.0);
            let g = z.gradient();
            assert_eq!(g.wrt(x), 0.0, "d/dx at ({base}, {exponent})");
            assert_eq!(g.wrt(y), 0.0, "d/dy at ({base}, {exponent})");
        }
    }
    // A negative exponent keeps ∂/∂y = inf · (-inf) = -inf, as in PyTorch.
    let (x, y) = (tape.var(0.0), tape.var(-1.0));
    assert_eq!(x.powf(y).gradient().wrt(y), f64::NEG_INFINITY);
}

#[test]
fn seed_closure_may_record_on_the_tape() {
    // The seed of `sweep_into` is user code that runs before the sweep. It
    // recorded while the sweep already held a shared borrow of the
    // recording: undefined behaviour that Miri reports.
    let tape = Tape::new();
    let x = tape.var(3.0);
    let y = x * x;
    let output = y.index().expect("on the tape");
    let mut adjoints = Vec::new();
    tape.sweep_into(&mut adjoints, output + 1, |adjoint| {
        // Enough nodes to make the arenas grow.
        let mut z = tape.var(1.0);
        for _ in 0..64 {
            z *= 1.0;
        }
        adjoint[output] = z.value();
    });
    assert_eq!(adjoints.len(), output + 1);
    assert_eq!(adjoints[x.index().expect("on the tape")], 6.0);
    assert_eq!(tape.len(), 2 + 65);
}

#[test]
fn repeated_operand_below_sums_in_recorded_order() {
    // `from_partials` with two entries on the node just below it. Added
    // in the recorded order, as the checked sweep does, 1 + 2⁻⁵³ + 2⁻⁵³
    // rounds to 1. Summing the two entries first gives 1 + 2⁻⁵².
    let tape = Tape::new();
    let x = tape.var(1.0_f64);
    let u = x * 1.0;
    let half_ulp = f64::EPSILON / 2.0;
    let t = Var::from_partials(0.0, &[(u, half_ulp), (u, half_ulp)]);
    let f = t + u;
    let fast = f.gradient().wrt(u);
    let checked = f.gradient_checked().expect("finite").wrt(u);
    assert_eq!(
        fast.to_bits(),
        1.0_f64.to_bits(),
        "fast sweep gave {fast:e}"
    );
    assert_eq!(
        checked.to_bits(),
        fast.to_bits(),
        "checked sweep gave {checked:e}"
    );
}
