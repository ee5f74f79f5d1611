//! The finite-difference oracle and the one tolerance rule that the
//! engine's integration tests share.
//!
//! A derivative passes when the tape's value `a` and the central finite
//! difference `b` satisfy `|a - b| / max(1, |a|, |b|) <= TOLERANCE`
//! (see `adjoint_tape::finite_diff::relative_error`). Central differences
//! with the step `∛ε · max(1, |x|)` have an error near `ε^(2/3) ≈ 4e-11`
//! times the function's conditioning. The points below are chosen away
//! from kinks and poles, so `1e-6` leaves room for conditioning, while a
//! wrong rule (a lost factor, a wrong sign) is off by far more.

#![allow(
    dead_code,
    reason = "each test binary includes this module and uses a different part of it"
)]

use adjoint_tape::Var;
use adjoint_tape::finite_diff::{check_gradient, relative_error};

/// The tolerance of every finite-difference comparison on `f64` tapes.
pub const TOLERANCE: f64 = 1e-6;

/// The tolerance of finite-difference comparisons on `f32` tapes, where
/// central differences are accurate to about `ε^(2/3) ≈ 2e-5`.
pub const TOLERANCE_F32: f32 = 1e-2;

/// Asserts that the tape's gradient of `f` at `x` agrees with central
/// finite differences within [`TOLERANCE`].
pub fn assert_matches_finite_differences<F>(name: &str, f: F, x: &[f64])
where
    F: for<'t> Fn(&[Var<'t>]) -> Var<'t>,
{
    let check = check_gradient(f, x, TOLERANCE);
    assert!(
        check.passed,
        "{name} at {x:?}: {check}\n  tape gradient: {:?}\n  finite differences: {:?}",
        check.tape_gradient, check.finite_difference_gradient
    );
}

/// Asserts the same agreement for a function recorded on an `f32` tape,
/// within [`TOLERANCE_F32`].
pub fn assert_matches_finite_differences_f32<F>(name: &str, f: F, x: &[f32])
where
    F: for<'t> Fn(&[Var<'t, f32>]) -> Var<'t, f32>,
{
    let check = check_gradient(f, x, TOLERANCE_F32);
    assert!(
        check.passed,
        "{name} at {x:?}: {check}\n  tape gradient: {:?}\n  finite differences: {:?}",
        check.tape_gradient, check.finite_difference_gradient
    );
}

/// Asserts that `got` is within `tolerance` of `expected` under the
/// tolerance rule above, for comparisons with hand-derived values.
pub fn assert_close(quantity: &str, got: f64, expected: f64, tolerance: f64) {
    let error = relative_error(got, expected);
    assert!(
        error <= tolerance,
        "{quantity}: got {got:e}, expected {expected:e} (relative error {error:e}, tolerance {tolerance:e})"
    );
}

/// Returns the panic message of `result`, which must be an error.
pub fn panic_message<T>(result: std::thread::Result<T>) -> String {
    let Err(payload) = result else {
        panic!("expected a panic");
    };
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .expect("a string message")
}
