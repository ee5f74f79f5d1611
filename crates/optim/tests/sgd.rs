//! SGD against values worked out by hand from torch.optim.SGD's documented
//! update: g ← −g if maximising, g ← g + λθ, b ← g at the first step and
//! b ← μb + (1 − τ)g after, g ← g + μb (Nesterov) or g ← b, θ ← θ − γg.
//!
//! Every case starts from θ = 1 with learning rate 0.1 and the gradient
//! sequence 1, 2, −1, unless the test states otherwise.

mod common;

use adjoint_optim::{Error, Optimizer, Sgd, SgdConfig};
use approx::assert_abs_diff_eq;
use common::assert_steps;

const GRADS: [f64; 3] = [1.0, 2.0, -1.0];

/// Runs one step per gradient of `GRADS` from θ = 1 and returns θ after
/// each step.
fn run(optimizer: impl Optimizer) -> Vec<f64> {
    common::run(optimizer, &GRADS)
}

#[test]
fn plain_descent_two_parameters() {
    let mut sgd = Sgd::new(0.1);
    let mut params = [1.0, -2.0];
    // θ = (1 - 0.1 * 0.5, -2 - 0.1 * 1) = (0.95, -2.1)
    sgd.step(&mut params, &[0.5, 1.0]);
    assert_abs_diff_eq!(params.as_slice(), [0.95, -2.1].as_slice(), epsilon = 1e-15);
    // θ = (0.95 + 0.1, -2.1 - 0.2) = (1.05, -2.3)
    sgd.step(&mut params, &[-1.0, 2.0]);
    assert_abs_diff_eq!(params.as_slice(), [1.05, -2.3].as_slice(), epsilon = 1e-15);
    // θ = (1.05 - 0.2, -2.3 - 0) = (0.85, -2.3)
    sgd.step(&mut params, &[2.0, 0.0]);
    assert_abs_diff_eq!(params.as_slice(), [0.85, -2.3].as_slice(), epsilon = 1e-15);
}

#[test]
fn momentum_buffer_starts_as_gradient() {
    // μ = 0.9:
    // b = 1,                θ = 1 - 0.1 = 0.9
    // b = 0.9 * 1 + 2 = 2.9, θ = 0.9 - 0.29 = 0.61
    // b = 0.9 * 2.9 - 1 = 1.61, θ = 0.61 - 0.161 = 0.449
    assert_steps(&run(Sgd::new(0.1).momentum(0.9)), &[0.9, 0.61, 0.449]);
}

#[test]
fn dampening_skips_first_step() {
    // μ = 0.9, τ = 0.5:
    // b = 1 (undamped),               θ = 0.9
    // b = 0.9 * 1 + 0.5 * 2 = 1.9,    θ = 0.9 - 0.19 = 0.71
    // b = 0.9 * 1.9 + 0.5 * -1 = 1.21, θ = 0.71 - 0.121 = 0.589
    let sgd = Sgd::new(0.1).momentum(0.9).dampening(0.5);
    assert_steps(&run(sgd), &[0.9, 0.71, 0.589]);
}

#[test]
fn nesterov_adds_momentum_times_buffer() {
    // μ = 0.9:
    // b = 1,    g = 1 + 0.9 * 1 = 1.9,      θ = 1 - 0.19 = 0.81
    // b = 2.9,  g = 2 + 0.9 * 2.9 = 4.61,   θ = 0.81 - 0.461 = 0.349
    // b = 1.61, g = -1 + 0.9 * 1.61 = 0.449, θ = 0.349 - 0.0449 = 0.3041
    let sgd = Sgd::new(0.1).momentum(0.9).nesterov(true);
    assert_steps(&run(sgd), &[0.81, 0.349, 0.3041]);
}

#[test]
fn weight_decay_adds_to_gradient() {
    // λ = 0.1:
    // g = 1 + 0.1 * 1 = 1.1,           θ = 1 - 0.11 = 0.89
    // g = 2 + 0.1 * 0.89 = 2.089,      θ = 0.89 - 0.2089 = 0.6811
    // g = -1 + 0.1 * 0.6811 = -0.93189, θ = 0.6811 + 0.093189 = 0.774289
    assert_steps(
        &run(Sgd::new(0.1).weight_decay(0.1)),
        &[0.89, 0.6811, 0.774289],
    );
}

#[test]
fn maximize_ascends() {
    // θ = 1 + 0.1 = 1.1, 1.1 + 0.2 = 1.3, 1.3 - 0.1 = 1.2
    assert_steps(&run(Sgd::new(0.1).maximize(true)), &[1.1, 1.3, 1.2]);
}

#[test]
fn maximize_negates_before_weight_decay() {
    // λ = 0.1; the decay term keeps its sign:
    // g = -1 + 0.1 * 1 = -0.9,          θ = 1 + 0.09 = 1.09
    // g = -2 + 0.1 * 1.09 = -1.891,     θ = 1.09 + 0.1891 = 1.2791
    // g = 1 + 0.1 * 1.2791 = 1.12791,   θ = 1.2791 - 0.112791 = 1.166309
    let sgd = Sgd::new(0.1).weight_decay(0.1).maximize(true);
    assert_steps(&run(sgd), &[1.09, 1.2791, 1.166309]);
}

#[test]
fn momentum_dampening_decay_maximize() {
    // μ = 0.5, τ = 0.25, λ = 0.2, maximising:
    // g = -1 + 0.2 * 1 = -0.8,         b = -0.8,
    //   θ = 1 + 0.08 = 1.08
    // g = -2 + 0.2 * 1.08 = -1.784,    b = 0.5 * -0.8 + 0.75 * -1.784 = -1.738,
    //   θ = 1.08 + 0.1738 = 1.2538
    // g = 1 + 0.2 * 1.2538 = 1.25076,  b = 0.5 * -1.738 + 0.75 * 1.25076 = 0.06907,
    //   θ = 1.2538 - 0.006907 = 1.246893
    let sgd = Sgd::new(0.1)
        .momentum(0.5)
        .dampening(0.25)
        .weight_decay(0.2)
        .maximize(true);
    assert_steps(&run(sgd), &[1.08, 1.2538, 1.246893]);
}

#[test]
fn nesterov_with_weight_decay() {
    // μ = 0.5, λ = 0.2:
    // g = 1 + 0.2 = 1.2,           b = 1.2,                      g + μb = 1.8,
    //   θ = 1 - 0.18 = 0.82
    // g = 2 + 0.2 * 0.82 = 2.164,  b = 0.6 + 2.164 = 2.764,      g + μb = 3.546,
    //   θ = 0.82 - 0.3546 = 0.4654
    // g = -1 + 0.09308 = -0.90692, b = 1.382 - 0.90692 = 0.47508, g + μb = -0.66938,
    //   θ = 0.4654 + 0.066938 = 0.532338
    let sgd = Sgd::new(0.1).momentum(0.5).nesterov(true).weight_decay(0.2);
    assert_steps(&run(sgd), &[0.82, 0.4654, 0.532338]);
}

#[test]
fn contract_chain_first_step() {
    let mut params = vec![5.0, 5.0];
    let mut sgd = Sgd::new(0.1)
        .momentum(0.9)
        .dampening(0.0)
        .nesterov(true)
        .weight_decay(1e-4);
    sgd.step(&mut params, &[10.0, 30.0]);
    // x: g = 10 + 5e-4 = 10.0005, b = g, g + 0.9b = 19.00095, θ = 5 - 1.900095
    // y: g = 30 + 5e-4 = 30.0005, b = g, g + 0.9b = 57.00095, θ = 5 - 5.700095
    assert_abs_diff_eq!(params[0], 3.099905, epsilon = 1e-12);
    assert_abs_diff_eq!(params[1], -0.700095, epsilon = 1e-12);
}

#[test]
fn config_build_matches_chain() {
    let config = SgdConfig {
        lr: 0.1,
        momentum: 0.9,
        dampening: 0.5,
        ..SgdConfig::default()
    };
    let built = run(config.build().unwrap());
    let chained = run(Sgd::new(0.1).momentum(0.9).dampening(0.5));
    assert_eq!(built, chained);
}

#[test]
fn single_precision_momentum() {
    let mut sgd = Sgd::new(0.1_f32).momentum(0.9);
    let mut params = [1.0_f32];
    for g in GRADS {
        sgd.step(&mut params, &[g as f32]);
    }
    // As momentum_buffer_starts_as_gradient, to f32 rounding.
    assert!((params[0] - 0.449).abs() < 1e-6, "got {}", params[0]);
}

#[test]
fn reset_restarts_momentum_buffer() {
    let mut sgd = Sgd::new(0.1).momentum(0.9);
    let mut params = [1.0];
    sgd.step(&mut params, &[1.0]);
    sgd.step(&mut params, &[2.0]);
    sgd.reset();
    // After a reset the buffer starts again as the gradient: θ = 0.61 - 0.1 * 1.
    sgd.step(&mut params, &[1.0]);
    assert_abs_diff_eq!(params[0], 0.51, epsilon = 1e-12);
}

#[test]
fn momentum_enabled_later_starts_buffer() {
    // Turning momentum on after some steps starts the buffer at the next
    // gradient, as PyTorch does for a missing momentum buffer.
    let mut sgd = Sgd::new(0.1);
    let mut params = [1.0];
    sgd.step(&mut params, &[1.0]); // θ = 0.9
    let mut sgd = sgd.momentum(0.5);
    sgd.step(&mut params, &[2.0]); // b = 2, θ = 0.7
    sgd.step(&mut params, &[2.0]); // b = 0.5 * 2 + 2 = 3, θ = 0.4
    assert_abs_diff_eq!(params[0], 0.4, epsilon = 1e-12);
}

#[test]
fn nesterov_without_momentum_rejected_at_step() {
    let mut sgd = Sgd::new(0.1).nesterov(true);
    let mut params = [1.0, 2.0];
    let error = sgd.try_step(&mut params, &[1.0, 1.0]).unwrap_err();
    assert_eq!(
        error,
        Error::NesterovRequiresMomentum {
            momentum: 0.0,
            dampening: 0.0
        }
    );
    assert_eq!(params, [1.0, 2.0]);
}

#[test]
fn nesterov_with_dampening_panics_untouched() {
    let mut sgd = Sgd::new(0.1).momentum(0.9).dampening(0.1).nesterov(true);
    let mut params = vec![1.0, 2.0];
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        sgd.step(&mut params, &[1.0, 1.0]);
    }));
    let payload = outcome.unwrap_err();
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("got momentum 0.9 and dampening 0.1"),
        "{message}"
    );
    assert_eq!(params, [1.0, 2.0]);
}

#[test]
fn nesterov_config_checked_at_build() {
    let config = SgdConfig {
        lr: 0.1,
        momentum: 0.9,
        dampening: 0.5,
        nesterov: true,
        ..SgdConfig::default()
    };
    assert_eq!(
        config.build().unwrap_err(),
        Error::NesterovRequiresMomentum {
            momentum: 0.9,
            dampening: 0.5
        }
    );
}
