//! Adagrad against values worked out by hand from torch.optim.Adagrad's
//! documented update: g ← −g if maximising, g ← g + λθ, s ← s + g²,
//! θ ← θ − γ / (1 + (t − 1)η) · g / (√s + ε).
//!
//! Every case starts from θ = 1 with learning rate 0.1, ε = 1e-10 and the
//! gradients 3, 4, −12, unless the test states otherwise; their running sums of
//! squares 9, 25, 169 have the square roots 3, 5, 13.

mod common;

use adjoint_optim::{Adagrad, AdagradConfig, Optimizer};
use common::{assert_steps, run};

const LR: f64 = 0.1;
const EPS: f64 = 1e-10;
const GRADS: [f64; 3] = [3.0, 4.0, -12.0];

#[test]
fn plain_three_steps() {
    // θ = 1 - 0.1 * 3/3 = 0.9, 0.9 - 0.1 * 4/5 = 0.82, 0.82 + 0.1 * 12/13
    let theta1 = 1.0 - LR * 3.0 / (3.0 + EPS);
    let theta2 = theta1 - LR * 4.0 / (5.0 + EPS);
    let theta3 = theta2 + LR * 12.0 / (13.0 + EPS);
    assert_steps(&run(Adagrad::new(LR), &GRADS), &[theta1, theta2, theta3]);
    assert!((theta3 - (0.82 + 1.2 / 13.0)).abs() < 1e-10);
}

#[test]
fn lr_decay_divides_later_steps() {
    // η = 0.5: the rate is 0.1, 0.1 / 1.5, 0.1 / 2.
    let theta1 = 1.0 - LR * 3.0 / (3.0 + EPS);
    let theta2 = theta1 - LR / 1.5 * 4.0 / (5.0 + EPS);
    let theta3 = theta2 + LR / 2.0 * 12.0 / (13.0 + EPS);
    let adagrad = Adagrad::new(LR).lr_decay(0.5);
    assert_steps(&run(adagrad, &GRADS), &[theta1, theta2, theta3]);
}

#[test]
fn initial_accumulator_adds_to_sum() {
    // s starts at 16: s = 25, 41, 185.
    let theta1 = 1.0 - LR * 3.0 / (5.0 + EPS);
    let theta2 = theta1 - LR * 4.0 / (41.0_f64.sqrt() + EPS);
    let theta3 = theta2 + LR * 12.0 / (185.0_f64.sqrt() + EPS);
    let adagrad = Adagrad::new(LR).initial_accumulator_value(16.0);
    assert_steps(&run(adagrad, &GRADS), &[theta1, theta2, theta3]);
}

#[test]
fn weight_decay_adds_to_gradient() {
    // λ = 0.5:
    // t = 1: g = 3 + 0.5 = 3.5, s = 12.25, θ = 1 - 0.1 * 3.5 / 3.5 = 0.9
    let theta1 = 1.0 - LR * 3.5 / (3.5 + EPS);
    // t = 2: g = 4 + 0.5θ1, s = 12.25 + g²
    let g2 = 4.0 + 0.5 * theta1;
    let s2: f64 = 12.25 + g2 * g2;
    let theta2 = theta1 - LR * g2 / (s2.sqrt() + EPS);
    let adagrad = Adagrad::new(LR).weight_decay(0.5);
    assert_steps(&run(adagrad, &GRADS[..2]), &[theta1, theta2]);
}

#[test]
fn maximize_ascends() {
    // The mirror image of plain_three_steps.
    let theta1 = 1.0 + LR * 3.0 / (3.0 + EPS);
    let theta2 = theta1 + LR * 4.0 / (5.0 + EPS);
    let theta3 = theta2 - LR * 12.0 / (13.0 + EPS);
    let adagrad = Adagrad::new(LR).maximize(true);
    assert_steps(&run(adagrad, &GRADS), &[theta1, theta2, theta3]);
}

#[test]
fn all_options_together() {
    // η = 1, λ = 0.5, s starts at 4, maximising, ε = 1:
    // t = 1: g = -3 + 0.5 * 1 = -2.5, s = 4 + 6.25 = 10.25,
    //        θ = 1 + 0.1 * 2.5 / (√10.25 + 1)
    let theta1 = 1.0 + LR * 2.5 / (10.25_f64.sqrt() + 1.0);
    // t = 2: g = -4 + 0.5θ1, s = 10.25 + g², rate 0.1 / 2
    let g2 = -4.0 + 0.5 * theta1;
    let s2: f64 = 10.25 + g2 * g2;
    let theta2 = theta1 - LR / 2.0 * g2 / (s2.sqrt() + 1.0);
    let adagrad = Adagrad::new(LR)
        .lr_decay(1.0)
        .weight_decay(0.5)
        .initial_accumulator_value(4.0)
        .eps(1.0)
        .maximize(true);
    assert_steps(&run(adagrad, &GRADS[..2]), &[theta1, theta2]);
}

#[test]
fn reset_restores_initial_accumulator() {
    let mut adagrad = Adagrad::new(LR)
        .initial_accumulator_value(16.0)
        .lr_decay(1.0);
    let mut params = [1.0];
    adagrad.step(&mut params, &[3.0]);
    adagrad.step(&mut params, &[4.0]);
    let before = params[0];
    adagrad.reset();
    // s = 16 + 9 = 25 and t = 1 again, so the rate is undecayed.
    adagrad.step(&mut params, &[3.0]);
    assert!((params[0] - (before - LR * 3.0 / (5.0 + EPS))).abs() < 1e-15);
}

#[test]
fn config_matches_chain() {
    let config = AdagradConfig {
        lr: LR,
        lr_decay: 0.5,
        initial_accumulator_value: 1.0,
        ..AdagradConfig::default()
    };
    assert_eq!(
        run(config.build().unwrap(), &GRADS),
        run(
            Adagrad::new(LR)
                .lr_decay(0.5)
                .initial_accumulator_value(1.0),
            &GRADS
        )
    );
}

#[test]
fn single_precision() {
    let mut adagrad = Adagrad::new(0.1_f32);
    let mut params = [1.0_f32];
    for g in GRADS {
        adagrad.step(&mut params, &[g as f32]);
    }
    let expected = 0.82 + 1.2 / 13.0;
    assert!(
        (f64::from(params[0]) - expected).abs() < 1e-6,
        "got {}",
        params[0]
    );
}
