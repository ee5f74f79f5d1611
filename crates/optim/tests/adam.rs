//! Adam and AdamW against values worked out by hand from the updates that
//! torch.optim.Adam and torch.optim.AdamW document:
//! m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², m̂ = m / (1 − β1^t),
//! v̂ = v / (1 − β2^t) (AMSGrad: the running maximum of v, corrected),
//! θ ← θ − γ·m̂ / (√v̂ + ε). Adam adds λθ to g; AdamW scales θ by 1 − γλ.
//!
//! Most cases use β = (0.5, 0.75), so that the bias corrections are simple
//! fractions: 1 − 0.5^t = 1/2, 3/4, 7/8 and 1 − 0.75^t = 1/4, 7/16, 37/64.
//! Every case starts from θ = 1 with learning rate 0.1 and ε = 1e-8.

mod common;

use adjoint_optim::{Adam, AdamConfig, AdamW, AdamWConfig, Optimizer};
use approx::assert_abs_diff_eq;
use common::{assert_steps, run};

const LR: f64 = 0.1;
const EPS: f64 = 1e-8;

#[test]
fn adam_default_betas_two_steps() {
    // t = 1, g = 1: m = 0.1, v = 0.001, m̂ = 0.1 / 0.1 = 1, v̂ = 0.001 / 0.001 = 1.
    let theta1 = 1.0 - LR * 1.0 / (1.0 + EPS);
    // t = 2, g = 2: m = 0.9 * 0.1 + 0.1 * 2 = 0.29,
    // v = 0.999 * 0.001 + 0.001 * 4 = 0.004999,
    // m̂ = 0.29 / (1 - 0.81) = 0.29 / 0.19, v̂ = 0.004999 / (1 - 0.998001) = 0.004999 / 0.001999.
    let m_hat: f64 = 0.29 / 0.19;
    let v_hat: f64 = 0.004999 / 0.001999;
    let theta2 = theta1 - LR * m_hat / (v_hat.sqrt() + EPS);
    assert_steps(&run(Adam::new(LR), &[1.0, 2.0]), &[theta1, theta2]);
}

#[test]
fn adam_three_steps() {
    // t = 1, g = 1:  m = 0.5,   v = 0.25,     m̂ = 1,               v̂ = 1
    // t = 2, g = 2:  m = 1.25,  v = 1.1875,   m̂ = 1.25 / 0.75 = 5/3, v̂ = 1.1875 / 0.4375 = 19/7
    // t = 3, g = -1: m = 0.125, v = 1.140625, m̂ = 0.125 / 0.875 = 1/7,
    //                v̂ = (73/64) / (37/64) = 73/37
    let theta1 = 1.0 - LR / (1.0 + EPS);
    let theta2 = theta1 - LR * (5.0 / 3.0) / ((19.0_f64 / 7.0).sqrt() + EPS);
    let theta3 = theta2 - LR * (1.0 / 7.0) / ((73.0_f64 / 37.0).sqrt() + EPS);
    let adam = Adam::new(LR).betas(0.5, 0.75);
    assert_steps(&run(adam, &[1.0, 2.0, -1.0]), &[theta1, theta2, theta3]);
}

/// θ after each step of the gradients 2, 0, 1 with β = (0.5, 0.75) and
/// AMSGrad, scaling θ by `decay` before each update (1 for Adam).
fn amsgrad_steps(decay: f64) -> [f64; 3] {
    // t = 1, g = 2: m = 1,    v = 1,      v_max = 1, m̂ = 2,             v̂ = 1 / 0.25 = 4
    // t = 2, g = 0: m = 0.5,  v = 0.75,   v_max = 1, m̂ = 0.5 / 0.75 = 2/3, v̂ = 1 / (7/16) = 16/7
    // t = 3, g = 1: m = 0.75, v = 0.8125, v_max = 1, m̂ = 0.75 / 0.875 = 6/7,
    //               v̂ = 1 / (37/64) = 64/37
    let theta1 = decay - LR * 2.0 / (2.0 + EPS);
    let theta2 = theta1 * decay - LR * (2.0 / 3.0) / ((16.0_f64 / 7.0).sqrt() + EPS);
    let theta3 = theta2 * decay - LR * (6.0 / 7.0) / ((64.0_f64 / 37.0).sqrt() + EPS);
    [theta1, theta2, theta3]
}

#[test]
fn adam_amsgrad_keeps_max_second_moment() {
    let adam = Adam::new(LR).betas(0.5, 0.75).amsgrad(true);
    assert_steps(&run(adam, &[2.0, 0.0, 1.0]), &amsgrad_steps(1.0));
}

#[test]
fn adam_without_amsgrad_uses_current_moment() {
    // As adam_amsgrad_keeps_max_second_moment, but v̂ = v / (1 - β2^t):
    // t = 2: v̂ = 0.75 / (7/16) = 12/7; t = 3: v̂ = 0.8125 / (37/64) = 52/37.
    let theta1 = 1.0 - LR * 2.0 / (2.0 + EPS);
    let theta2 = theta1 - LR * (2.0 / 3.0) / ((12.0_f64 / 7.0).sqrt() + EPS);
    let theta3 = theta2 - LR * (6.0 / 7.0) / ((52.0_f64 / 37.0).sqrt() + EPS);
    let adam = Adam::new(LR).betas(0.5, 0.75);
    assert_steps(&run(adam, &[2.0, 0.0, 1.0]), &[theta1, theta2, theta3]);
}

#[test]
fn adam_weight_decay_enters_moments() {
    // λ = 0.5 and zero gradients, so g = 0.5θ.
    // t = 1: g = 0.5, m = 0.25, v = 0.0625, m̂ = 0.5, v̂ = 0.25
    let theta1 = 1.0 - LR * 0.5 / (0.5 + EPS);
    // t = 2: g = 0.5θ1, m = 0.5 * 0.25 + 0.5g, v = 0.75 * 0.0625 + 0.25g²
    let g: f64 = 0.5 * theta1;
    let m_hat = (0.125 + 0.5 * g) / 0.75;
    let v_hat = (0.046875 + 0.25 * g * g) / 0.4375;
    let theta2 = theta1 - LR * m_hat / (v_hat.sqrt() + EPS);
    let adam = Adam::new(LR).betas(0.5, 0.75).weight_decay(0.5);
    assert_steps(&run(adam, &[0.0, 0.0]), &[theta1, theta2]);
}

#[test]
fn adam_maximize_ascends() {
    // The mirror image of adam_three_steps' first two steps.
    let theta1 = 1.0 + LR / (1.0 + EPS);
    let theta2 = theta1 + LR * (5.0 / 3.0) / ((19.0_f64 / 7.0).sqrt() + EPS);
    let adam = Adam::new(LR).betas(0.5, 0.75).maximize(true);
    assert_steps(&run(adam, &[1.0, 2.0]), &[theta1, theta2]);
}

#[test]
fn adam_maximize_negates_before_weight_decay() {
    // λ = 0.5, gradients 1 and 1, maximising: g = -1 + 0.5θ.
    // t = 1: g = -0.5, m = -0.25, v = 0.0625, m̂ = -0.5, v̂ = 0.25
    let theta1 = 1.0 + LR * 0.5 / (0.5 + EPS);
    // t = 2: g = -1 + 0.5θ1
    let g: f64 = -1.0 + 0.5 * theta1;
    let m_hat = (-0.125 + 0.5 * g) / 0.75;
    let v_hat = (0.046875 + 0.25 * g * g) / 0.4375;
    let theta2 = theta1 - LR * m_hat / (v_hat.sqrt() + EPS);
    let adam = Adam::new(LR)
        .betas(0.5, 0.75)
        .weight_decay(0.5)
        .maximize(true);
    assert_steps(&run(adam, &[1.0, 1.0]), &[theta1, theta2]);
}

#[test]
fn adam_eps_in_denominator() {
    // ε = 0.5, g = 1: θ = 1 - 0.1 * 1 / (1 + 0.5)
    let adam = Adam::new(LR).eps(0.5);
    assert_steps(&run(adam, &[1.0]), &[1.0 - LR / 1.5]);
}

#[test]
fn adam_reset_restarts_bias_correction() {
    let mut adam = Adam::new(LR).betas(0.5, 0.75);
    let mut params = [1.0];
    adam.step(&mut params, &[1.0]);
    adam.step(&mut params, &[2.0]);
    let before = params[0];
    adam.reset();
    // With fresh moments and t = 1 again, the step is γ·g / (|g| + ε).
    adam.step(&mut params, &[4.0]);
    assert_abs_diff_eq!(params[0], before - LR * 4.0 / (4.0 + EPS), epsilon = 1e-15);
}

#[test]
fn adam_single_precision() {
    let mut adam = Adam::new(0.1_f32).betas(0.5, 0.75);
    let mut params = [1.0_f32];
    for g in [1.0, 2.0, -1.0] {
        adam.step(&mut params, &[g]);
    }
    // As adam_three_steps, to f32 rounding.
    let expected = 1.0
        - 0.1
        - 0.1 * (5.0 / 3.0) / (19.0_f64 / 7.0).sqrt()
        - 0.1 * (1.0 / 7.0) / (73.0_f64 / 37.0).sqrt();
    assert!(
        (f64::from(params[0]) - expected).abs() < 1e-6,
        "got {}",
        params[0]
    );
}

#[test]
fn adam_config_matches_chain() {
    let config = AdamConfig {
        lr: LR,
        betas: (0.5, 0.75),
        amsgrad: true,
        ..AdamConfig::default()
    };
    let grads = [2.0, 0.0, 1.0];
    assert_eq!(
        run(config.build().unwrap(), &grads),
        run(Adam::new(LR).betas(0.5, 0.75).amsgrad(true), &grads)
    );
}

#[test]
fn adamw_decouples_weight_decay() {
    // λ = 0.5, so θ is scaled by 1 - 0.1 * 0.5 = 0.95 before each update;
    // the moments are those of adam_three_steps.
    let theta1 = 0.95 - LR / (1.0 + EPS);
    let theta2 = theta1 * 0.95 - LR * (5.0 / 3.0) / ((19.0_f64 / 7.0).sqrt() + EPS);
    let theta3 = theta2 * 0.95 - LR * (1.0 / 7.0) / ((73.0_f64 / 37.0).sqrt() + EPS);
    let adamw = AdamW::new(LR).betas(0.5, 0.75).weight_decay(0.5);
    assert_steps(&run(adamw, &[1.0, 2.0, -1.0]), &[theta1, theta2, theta3]);
}

#[test]
fn adamw_default_weight_decay() {
    // Default λ = 1e-2 and betas (0.9, 0.999):
    // θ = 1 * (1 - 0.1 * 0.01) - 0.1 * 1 / (1 + 1e-8)
    assert_steps(&run(AdamW::new(LR), &[1.0]), &[0.999 - LR / (1.0 + EPS)]);
}

#[test]
fn adamw_amsgrad_with_decay() {
    let adamw = AdamW::new(LR)
        .betas(0.5, 0.75)
        .weight_decay(0.5)
        .amsgrad(true);
    assert_steps(&run(adamw, &[2.0, 0.0, 1.0]), &amsgrad_steps(0.95));
}

#[test]
fn adamw_maximize_still_decays() {
    // g = -1 after negation; θ = 1 * 0.95 + 0.1 * 1 / (1 + ε)
    let adamw = AdamW::new(LR).weight_decay(0.5).maximize(true);
    assert_steps(&run(adamw, &[1.0]), &[0.95 + LR / (1.0 + EPS)]);
}

#[test]
fn adamw_zero_decay_equals_adam() {
    let grads = [1.0, 2.0, -1.0, 0.5, 3.0];
    let adam = run(Adam::new(LR).betas(0.8, 0.9), &grads);
    let adamw = run(AdamW::new(LR).betas(0.8, 0.9).weight_decay(0.0), &grads);
    assert_eq!(adam, adamw);
}

#[test]
fn adamw_config_matches_chain() {
    let config = AdamWConfig {
        lr: LR,
        weight_decay: 0.5,
        ..AdamWConfig::default()
    };
    let grads = [1.0, 2.0, -1.0];
    assert_eq!(
        run(config.build().unwrap(), &grads),
        run(AdamW::new(LR).weight_decay(0.5), &grads)
    );
}
