//! Regression tests for defects found by trying the public API with
//! extreme inputs: each test pins the fixed behaviour.

use adjoint_tape::Tape;

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
