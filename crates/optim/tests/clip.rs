//! Gradient clipping by global L2 norm and by value, against PyTorch's
//! clip_grad_norm_ rule: scale by max_norm / (norm + 1e-6) when that is
//! below 1, and return the norm before clipping.

use adjoint_optim::{clip_grad_norm, clip_grad_value, try_clip_grad_norm, try_clip_grad_value};
use approx::assert_relative_eq;

#[test]
fn norm_clip_scales_to_just_below_max() {
    // ‖(3, 4, 12)‖ = 13; scale = 2 / (13 + 1e-6).
    let mut grads = vec![3.0, 4.0, 12.0];
    let norm = clip_grad_norm(&mut grads, 2.0);
    assert_relative_eq!(norm, 13.0, max_relative = 1e-15);
    let scale = 2.0 / (13.0 + 1e-6);
    for (g, original) in grads.iter().zip([3.0, 4.0, 12.0]) {
        assert_relative_eq!(*g, original * scale, max_relative = 1e-15);
    }
    let clipped_norm = grads.iter().map(|g| g * g).sum::<f64>().sqrt();
    assert!(
        clipped_norm < 2.0 && clipped_norm > 2.0 - 1e-6,
        "{clipped_norm}"
    );
}

#[test]
fn norm_clip_leaves_small_gradients() {
    let mut grads = vec![0.6, -0.8];
    let norm = clip_grad_norm(&mut grads, 1.0);
    assert_relative_eq!(norm, 1.0, max_relative = 1e-15);
    // scale = 1 / (1 + 1e-6) < 1, so even a norm equal to the limit is scaled.
    assert_relative_eq!(grads[0], 0.6 / (1.0 + 1e-6), max_relative = 1e-15);

    let mut below = vec![0.3, -0.4];
    clip_grad_norm(&mut below, 1.0);
    assert_eq!(below, [0.3, -0.4]);
}

#[test]
fn norm_of_huge_and_tiny_gradients() {
    // Naive squaring would overflow to inf or underflow to 0.
    let mut huge = vec![3e200, 4e200];
    assert_relative_eq!(clip_grad_norm(&mut huge, 1.0), 5e200, max_relative = 1e-15);
    assert_relative_eq!(huge[1], 0.8, max_relative = 1e-12);

    let mut tiny = vec![3e-200, 4e-200];
    assert_relative_eq!(clip_grad_norm(&mut tiny, 1.0), 5e-200, max_relative = 1e-15);
    assert_eq!(tiny, [3e-200, 4e-200]);
}

#[test]
fn norm_clip_zero_and_empty() {
    let mut zeros = vec![0.0, 0.0];
    assert_eq!(clip_grad_norm(&mut zeros, 1.0), 0.0);
    assert_eq!(zeros, [0.0, 0.0]);
    let mut empty: Vec<f64> = Vec::new();
    assert_eq!(clip_grad_norm(&mut empty, 1.0), 0.0);
}

#[test]
fn non_finite_norm_leaves_gradients() {
    let mut with_nan = vec![1.0, f64::NAN, 100.0];
    assert!(clip_grad_norm(&mut with_nan, 1.0).is_nan());
    assert_eq!(with_nan[0], 1.0);
    assert_eq!(with_nan[2], 100.0);

    let mut with_inf = vec![1.0, f64::NEG_INFINITY];
    assert_eq!(clip_grad_norm(&mut with_inf, 1.0), f64::INFINITY);
    assert_eq!(with_inf, [1.0, f64::NEG_INFINITY]);
}

#[test]
fn norm_clip_single_precision() {
    let mut grads = vec![3.0_f32, 4.0];
    let norm = clip_grad_norm(&mut grads, 1.0);
    assert_eq!(norm, 5.0);
    assert!((grads[0] - 0.6).abs() < 1e-6);
    assert!((grads[1] - 0.8).abs() < 1e-6);
}

#[test]
fn invalid_max_norm_rejected() {
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let mut grads = vec![3.0, 4.0];
        let error = try_clip_grad_norm(&mut grads, bad).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("max norm must be positive and finite, got "),
            "{error}"
        );
        assert_eq!(grads, [3.0, 4.0]);
    }
    let payload = std::panic::catch_unwind(|| clip_grad_norm(&mut [1.0], -2.0)).unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().unwrap(),
        "max norm must be positive and finite, got -2.0"
    );
}

#[test]
fn value_clip_clamps_each() {
    let mut grads = vec![-5.0, -0.5, 0.0, 0.5, 5.0, f64::INFINITY];
    clip_grad_value(&mut grads, 1.0);
    assert_eq!(grads, [-1.0, -0.5, 0.0, 0.5, 1.0, 1.0]);
}

#[test]
fn value_clip_keeps_nan() {
    let mut grads = vec![f64::NAN, 2.0];
    clip_grad_value(&mut grads, 1.0);
    assert!(grads[0].is_nan());
    assert_eq!(grads[1], 1.0);
}

#[test]
fn invalid_clip_value_rejected() {
    let mut grads = vec![3.0, -4.0];
    let error = try_clip_grad_value(&mut grads, -1.0).unwrap_err();
    assert_eq!(
        error.to_string(),
        "clip value must be positive and finite, got -1.0"
    );
    assert_eq!(grads, [3.0, -4.0]);
}
