//! RMSprop against values worked out by hand from torch.optim.RMSprop's
//! documented update: g ← −g if maximising, g ← g + λθ,
//! v ← α·v + (1 − α)·g², centered: ḡ ← α·ḡ + (1 − α)·g and ṽ = v − ḡ²,
//! with momentum b ← μ·b + g / (√ṽ + ε) and θ ← θ − γ·b, else
//! θ ← θ − γ·g / (√ṽ + ε).
//!
//! Every case starts from θ = 1 with learning rate 0.1, α = 0.5, ε = 1e-8
//! and the gradients 1, 2, −1, unless the test states otherwise. Then
//! v = 0.5, 0.25 + 2 = 2.25, 1.125 + 0.5 = 1.625.

mod common;

use adjoint_optim::{Optimizer, RmsProp, RmsPropConfig};
use common::{assert_steps, run};

const LR: f64 = 0.1;
const EPS: f64 = 1e-8;
const GRADS: [f64; 3] = [1.0, 2.0, -1.0];

#[test]
fn plain_three_steps() {
    let theta1 = 1.0 - LR * 1.0 / (0.5_f64.sqrt() + EPS);
    let theta2 = theta1 - LR * 2.0 / (1.5 + EPS);
    let theta3 = theta2 + LR * 1.0 / (1.625_f64.sqrt() + EPS);
    let rmsprop = RmsProp::new(LR).alpha(0.5);
    assert_steps(&run(rmsprop, &GRADS), &[theta1, theta2, theta3]);
}

#[test]
fn centered_subtracts_mean_square() {
    // ḡ = 0.5, 0.25 + 1 = 1.25, 0.625 - 0.5 = 0.125
    // ṽ = 0.5 - 0.25 = 0.25, 2.25 - 1.5625 = 0.6875, 1.625 - 0.015625 = 1.609375
    let theta1 = 1.0 - LR * 1.0 / (0.5 + EPS);
    let theta2 = theta1 - LR * 2.0 / (0.6875_f64.sqrt() + EPS);
    let theta3 = theta2 + LR * 1.0 / (1.609375_f64.sqrt() + EPS);
    let rmsprop = RmsProp::new(LR).alpha(0.5).centered(true);
    assert_steps(&run(rmsprop, &GRADS), &[theta1, theta2, theta3]);
}

#[test]
fn momentum_accumulates_normalised_gradients() {
    // μ = 0.9; the normalised gradients are those of plain_three_steps.
    let n1 = 1.0 / (0.5_f64.sqrt() + EPS);
    let n2 = 2.0 / (1.5 + EPS);
    let n3 = -1.0 / (1.625_f64.sqrt() + EPS);
    let b1 = n1;
    let b2 = 0.9 * b1 + n2;
    let b3 = 0.9 * b2 + n3;
    let theta1 = 1.0 - LR * b1;
    let theta2 = theta1 - LR * b2;
    let theta3 = theta2 - LR * b3;
    let rmsprop = RmsProp::new(LR).alpha(0.5).momentum(0.9);
    assert_steps(&run(rmsprop, &GRADS), &[theta1, theta2, theta3]);
}

#[test]
fn centered_with_momentum() {
    // μ = 0.5; the normalised gradients are those of centered_subtracts_mean_square.
    let n1 = 1.0 / (0.5 + EPS);
    let n2 = 2.0 / (0.6875_f64.sqrt() + EPS);
    let n3 = -1.0 / (1.609375_f64.sqrt() + EPS);
    let b1 = n1;
    let b2 = 0.5 * b1 + n2;
    let b3 = 0.5 * b2 + n3;
    let theta1 = 1.0 - LR * b1;
    let theta2 = theta1 - LR * b2;
    let theta3 = theta2 - LR * b3;
    let rmsprop = RmsProp::new(LR).alpha(0.5).centered(true).momentum(0.5);
    assert_steps(&run(rmsprop, &GRADS), &[theta1, theta2, theta3]);
}

#[test]
fn weight_decay_adds_to_gradient() {
    // λ = 0.5:
    // t = 1: g = 1 + 0.5 = 1.5, v = 0.5 * 2.25 = 1.125
    let theta1 = 1.0 - LR * 1.5 / (1.125_f64.sqrt() + EPS);
    // t = 2: g = 2 + 0.5θ1, v = 0.5 * 1.125 + 0.5g²
    let g2 = 2.0 + 0.5 * theta1;
    let v2: f64 = 0.5625 + 0.5 * g2 * g2;
    let theta2 = theta1 - LR * g2 / (v2.sqrt() + EPS);
    let rmsprop = RmsProp::new(LR).alpha(0.5).weight_decay(0.5);
    assert_steps(&run(rmsprop, &GRADS[..2]), &[theta1, theta2]);
}

#[test]
fn maximize_negates_before_weight_decay() {
    // λ = 0.5, maximising: g = -1 + 0.5 * 1 = -0.5, v = 0.5 * 0.25 = 0.125
    let theta1 = 1.0 + LR * 0.5 / (0.125_f64.sqrt() + EPS);
    let rmsprop = RmsProp::new(LR).alpha(0.5).weight_decay(0.5).maximize(true);
    assert_steps(&run(rmsprop, &GRADS[..1]), &[theta1]);
}

#[test]
fn default_alpha_first_step() {
    // α = 0.99: v = 0.01 * 4 = 0.04, θ = 1 - 0.1 * 2 / (0.2 + 1e-8)
    let theta1 = 1.0 - LR * 2.0 / (0.2 + EPS);
    assert_steps(&run(RmsProp::new(LR), &[2.0]), &[theta1]);
}

#[test]
fn constant_gradient_centered_stays_finite() {
    // With a constant gradient v - ḡ² = g²α^t(1 - α^t) shrinks below the
    // rounding of v: for g = 0.7 and α = 0.5 the rounded difference at
    // step 54 is about -5.6e-17. The clamp at 0 keeps the step finite where
    // the square root of that negative would make θ NaN.
    let mut rmsprop = RmsProp::new(1e-3).alpha(0.5).centered(true);
    let mut params = [1.0_f64];
    for step in 1..=100 {
        rmsprop.step(&mut params, &[0.7]);
        assert!(params[0].is_finite(), "step {step}: θ became {}", params[0]);
    }
}

#[test]
fn reset_zeroes_averages() {
    let mut rmsprop = RmsProp::new(LR).alpha(0.5);
    let mut params = [1.0];
    rmsprop.step(&mut params, &[1.0]);
    rmsprop.step(&mut params, &[2.0]);
    let before = params[0];
    rmsprop.reset();
    // v starts again at 0: v = 0.5 * 16 = 8, θ -= 0.1 * 4 / √8.
    rmsprop.step(&mut params, &[4.0]);
    let expected = before - LR * 4.0 / (8.0_f64.sqrt() + EPS);
    assert!((params[0] - expected).abs() < 1e-15);
}

#[test]
fn config_matches_chain() {
    let config = RmsPropConfig {
        lr: LR,
        alpha: 0.5,
        momentum: 0.9,
        centered: true,
        ..RmsPropConfig::default()
    };
    assert_eq!(
        run(config.build().unwrap(), &GRADS),
        run(
            RmsProp::new(LR).alpha(0.5).momentum(0.9).centered(true),
            &GRADS
        )
    );
}

#[test]
fn single_precision_centered() {
    let mut rmsprop = RmsProp::new(0.1_f32).alpha(0.5).centered(true);
    let mut params = [1.0_f32];
    for g in GRADS {
        rmsprop.step(&mut params, &[g as f32]);
    }
    // As centered_subtracts_mean_square, to f32 rounding.
    let expected = 1.0 - 0.2 - 0.2 / 0.6875_f64.sqrt() + 0.1 / 1.609375_f64.sqrt();
    assert!(
        (f64::from(params[0]) - expected).abs() < 1e-6,
        "got {}",
        params[0]
    );
}
