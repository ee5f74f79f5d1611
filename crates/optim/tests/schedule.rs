//! Learning-rate schedules against the closed forms that PyTorch's StepLR,
//! ExponentialLR, CosineAnnealingLR and LinearLR document.

use adjoint_optim::schedule::{
    CosineAnnealingLr, ExponentialLr, LinearWarmup, LrScheduler, StepLr,
};
use adjoint_optim::{Adam, Error, Optimizer, Sgd};
use approx::assert_relative_eq;

#[test]
fn step_lr_decays_every_step_size() {
    let schedule = StepLr::new(0.5, 3, 0.5);
    let rates: Vec<f64> = (0..8).map(|t| schedule.learning_rate(t)).collect();
    // ⌊t / 3⌋ = 0, 0, 0, 1, 1, 1, 2, 2
    assert_eq!(rates, [0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125]);
}

#[test]
fn exponential_lr_matches_power() {
    let schedule = ExponentialLr::new(0.1, 0.95);
    for t in [0, 1, 7, 100, 1000] {
        let expected = 0.1 * 0.95_f64.powi(t as i32);
        assert_relative_eq!(schedule.learning_rate(t), expected, max_relative = 1e-12);
    }
    // gamma = 1 keeps the rate constant.
    assert_eq!(ExponentialLr::new(0.1, 1.0).learning_rate(10_000), 0.1);
}

#[test]
fn cosine_annealing_closed_form() {
    let (max, min, period) = (0.1, 0.01, 20);
    let schedule = CosineAnnealingLr::new(max, min, period);
    for t in 0..=40 {
        let angle = std::f64::consts::PI * t as f64 / period as f64;
        let expected = min + (max - min) * (1.0 + angle.cos()) / 2.0;
        assert_relative_eq!(schedule.learning_rate(t), expected, max_relative = 1e-12);
    }
    // A quarter period: 0.01 + 0.09 * (1 + cos(π/4)) / 2.
    let quarter = 0.01 + 0.09 * (1.0 + std::f64::consts::FRAC_1_SQRT_2) / 2.0;
    assert_relative_eq!(schedule.learning_rate(5), quarter, max_relative = 1e-12);
}

#[test]
fn cosine_annealing_hits_minimum_and_returns() {
    let schedule = CosineAnnealingLr::new(0.1, 0.0, 10);
    assert_eq!(schedule.learning_rate(10), 0.0);
    assert_eq!(schedule.learning_rate(30), 0.0);
    // Past the period the cosine climbs back up, as PyTorch's does.
    assert_relative_eq!(schedule.learning_rate(20), 0.1, max_relative = 1e-12);
    assert_relative_eq!(
        schedule.learning_rate(15),
        schedule.learning_rate(5),
        max_relative = 1e-12
    );
    // A step count far past the period is reduced modulo 2T first.
    assert_relative_eq!(
        schedule.learning_rate(2_000_000_005),
        schedule.learning_rate(5),
        max_relative = 1e-12
    );
}

#[test]
fn cosine_annealing_period_one() {
    let schedule = CosineAnnealingLr::new(1.0, 0.25, 1);
    let rates: Vec<f64> = (0..4).map(|t| schedule.learning_rate(t)).collect();
    assert_eq!(rates, [1.0, 0.25, 1.0, 0.25]);
}

#[test]
fn warmup_rises_linearly_then_hands_over() {
    let schedule = LinearWarmup::new(5, 0.2, StepLr::new(1.0, 2, 0.5));
    let rates: Vec<f64> = (0..9).map(|t| schedule.learning_rate(t)).collect();
    // factor = 0.2 + 0.8 * t / 5 = 0.2, 0.36, 0.52, 0.68, 0.84; then StepLR
    // from its step 0: 1, 1, 0.5, 0.5.
    let expected = [0.2, 0.36, 0.52, 0.68, 0.84, 1.0, 1.0, 0.5, 0.5];
    for (t, (&rate, &want)) in rates.iter().zip(&expected).enumerate() {
        assert_relative_eq!(rate, want, max_relative = 1e-12);
        assert!(rate > 0.0, "step {t}");
    }
}

#[test]
fn warmup_start_factor_one_is_flat() {
    let schedule = LinearWarmup::new(3, 1.0, ExponentialLr::new(0.1, 0.5));
    let rates: Vec<f64> = (0..4).map(|t| schedule.learning_rate(t)).collect();
    assert_eq!(rates, [0.1, 0.1, 0.1, 0.1]);
}

#[test]
fn invalid_schedules_rejected() {
    let cases: Vec<(Result<(), Error>, &str)> = vec![
        (
            StepLr::try_new(0.0, 1, 0.5).map(drop),
            "initial learning rate must be positive and finite, got 0.0",
        ),
        (
            StepLr::try_new(0.1, 0, 0.5).map(drop),
            "step size must be at least 1, got 0",
        ),
        (
            StepLr::try_new(0.1, 1, 0.0).map(drop),
            "gamma must be in (0, 1], got 0.0",
        ),
        (
            ExponentialLr::try_new(0.1, f64::NAN).map(drop),
            "gamma must be in (0, 1], got NaN",
        ),
        (
            ExponentialLr::try_new(-1.0, 0.5).map(drop),
            "initial learning rate must be positive and finite, got -1.0",
        ),
        (
            CosineAnnealingLr::try_new(0.1, 0.0, 0).map(drop),
            "period must be at least 1, got 0",
        ),
        (
            CosineAnnealingLr::try_new(0.1, f64::INFINITY, 10).map(drop),
            "minimum learning rate must be non-negative and finite, got inf",
        ),
        (
            LinearWarmup::try_new(0, 0.5, StepLr::new(0.1, 1, 0.5)).map(drop),
            "warm-up steps must be at least 1, got 0",
        ),
        (
            LinearWarmup::try_new(5, 1.5, StepLr::new(0.1, 1, 0.5)).map(drop),
            "start factor must be in (0, 1], got 1.5",
        ),
    ];
    for (result, expected) in cases {
        assert_eq!(result.unwrap_err().to_string(), expected);
    }
}

#[test]
fn new_panics_with_message() {
    let payload = std::panic::catch_unwind(|| StepLr::new(0.1, 0, 0.5)).unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().unwrap(),
        "step size must be at least 1, got 0"
    );
}

#[test]
fn apply_drives_any_optimizer() {
    // Plain SGD with StepLR: θ moves by 0.1, 0.1, 0.05, 0.05 under g = 1.
    let schedule = StepLr::new(0.1, 2, 0.5);
    let mut sgd = Sgd::new(1.0);
    let mut params = [0.0];
    for epoch in 0..4 {
        schedule.apply(&mut sgd, epoch);
        assert_eq!(sgd.learning_rate(), schedule.learning_rate(epoch));
        sgd.step(&mut params, &[1.0]);
    }
    assert_relative_eq!(params[0], -0.3, max_relative = 1e-12);

    // The same schedule value reaches Adam through the trait object.
    let mut adam = Adam::new(1.0);
    schedule.apply(&mut adam, 3);
    assert_eq!(adam.learning_rate(), 0.05);
}

#[test]
fn single_precision_schedules() {
    let schedule = LinearWarmup::new(2, 0.5_f32, CosineAnnealingLr::new(0.1_f32, 0.0, 4));
    assert_eq!(schedule.learning_rate(0), 0.05_f32);
    assert_eq!(schedule.learning_rate(2), 0.1_f32);
    assert_eq!(schedule.learning_rate(6), 0.0_f32);
    let mut sgd = Sgd::new(1.0_f32);
    schedule.apply(&mut sgd, 1);
    assert!((sgd.learning_rate() - 0.075).abs() < 1e-7);
}
