//! Helpers shared by the hand-worked update tests of each optimizer.

use adjoint_optim::Optimizer;

/// Runs one step per gradient from θ = 1 and returns θ after each step.
pub fn run(mut optimizer: impl Optimizer, grads: &[f64]) -> Vec<f64> {
    let mut params = [1.0];
    grads
        .iter()
        .map(|&g| {
            optimizer.step(&mut params, &[g]);
            params[0]
        })
        .collect()
}

/// Asserts that each step's θ is within 1e-12 of the hand-worked value,
/// naming the first step that is not.
pub fn assert_steps(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len());
    for (step, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - e).abs() <= 1e-12,
            "step {}: got {a}, expected {e}",
            step + 1
        );
    }
}
