//! Bad input: slices of the wrong length and hyperparameters out of range
//! are rejected with a message that names the values, and leave the
//! parameters and the optimizer's state untouched.

use std::panic::{AssertUnwindSafe, catch_unwind};

use adjoint_optim::{Adagrad, Adam, AdamW, Error, Optimizer, RmsProp, Sgd};

/// Builds one optimizer of each kind, with every state buffer in use.
fn all_optimizers() -> Vec<(&'static str, Box<dyn Optimizer>)> {
    vec![
        ("sgd", Box::new(Sgd::new(0.1).momentum(0.9).nesterov(true))),
        ("adam", Box::new(Adam::new(0.1).amsgrad(true))),
        ("adamw", Box::new(AdamW::new(0.1).amsgrad(true))),
        (
            "rmsprop",
            Box::new(RmsProp::new(0.1).momentum(0.9).centered(true)),
        ),
        ("adagrad", Box::new(Adagrad::new(0.1).lr_decay(0.1))),
    ]
}

/// Runs `f` and returns its panic message.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .expect("panic payload is a string")
            .to_string(),
    }
}

#[test]
fn length_mismatch_leaves_params_untouched() {
    for (name, mut optimizer) in all_optimizers() {
        let mut params = vec![1.0, 2.0, 3.0];
        let error = optimizer.try_step(&mut params, &[0.5, 0.5]).unwrap_err();
        assert_eq!(
            error,
            Error::LengthMismatch {
                params: 3,
                grads: 2
            },
            "{name}"
        );
        assert_eq!(params, [1.0, 2.0, 3.0], "{name}");
    }
}

#[test]
fn length_mismatch_panics_naming_both() {
    for (name, mut optimizer) in all_optimizers() {
        let mut params = vec![1.0, 2.0];
        let message = panic_message(|| optimizer.step(&mut params, &[0.5, 0.5, 0.5]));
        assert!(
            message.contains("(params: 2, grads: 3)"),
            "{name}: {message}"
        );
        assert_eq!(params, [1.0, 2.0], "{name}");
    }
}

#[test]
fn rejected_step_leaves_state_untouched() {
    for (name, mut optimizer) in all_optimizers() {
        // A rejected step before the first one must not count as a step:
        // the trajectory matches that of a fresh optimizer.
        let mut fresh = all_optimizers()
            .into_iter()
            .find(|(other, _)| *other == name)
            .unwrap()
            .1;
        let mut params = vec![1.0, 2.0];
        let mut reference = params.clone();
        assert!(optimizer.try_step(&mut params, &[1.0]).is_err());
        for grads in [[0.5, -1.0], [2.0, 0.25]] {
            optimizer.step(&mut params, &grads);
            fresh.step(&mut reference, &grads);
        }
        assert_eq!(params, reference, "{name}");
    }
}

#[test]
fn length_change_between_steps_rejected() {
    for (name, mut optimizer) in all_optimizers() {
        let mut params = vec![1.0, 2.0];
        optimizer.step(&mut params, &[0.5, 0.5]);
        let mut longer = vec![1.0, 2.0, 3.0];
        let error = optimizer
            .try_step(&mut longer, &[0.5, 0.5, 0.5])
            .unwrap_err();
        assert_eq!(
            error,
            Error::LengthChanged {
                expected: 2,
                found: 3
            },
            "{name}"
        );
        assert_eq!(longer, [1.0, 2.0, 3.0], "{name}");

        let message = panic_message(|| optimizer.step(&mut longer, &[0.5, 0.5, 0.5]));
        assert!(
            message.contains("state has length 2, this step passed length 3"),
            "{name}: {message}"
        );
        assert!(message.contains("reset()"), "{name}: {message}");
        assert_eq!(longer, [1.0, 2.0, 3.0], "{name}");
    }
}

#[test]
fn reset_accepts_new_length() {
    for (name, mut optimizer) in all_optimizers() {
        let mut params = vec![1.0, 2.0];
        optimizer.step(&mut params, &[0.5, 0.5]);
        optimizer.reset();
        let mut longer = vec![1.0, 2.0, 3.0];
        optimizer.step(&mut longer, &[0.5, 0.5, 0.5]);
        assert!(longer.iter().all(|&x| x < 3.0), "{name}: {longer:?}");
        assert_ne!(longer, [1.0, 2.0, 3.0], "{name}");
    }
}

#[test]
fn empty_slices_are_a_no_op() {
    for (name, mut optimizer) in all_optimizers() {
        let mut params: Vec<f64> = Vec::new();
        optimizer.step(&mut params, &[]);
        optimizer.step(&mut params, &[]);
        assert!(params.is_empty(), "{name}");
    }
}

#[test]
fn zero_gradient_after_step_leaves_params() {
    // Optimizers without momentum keep no gradient between steps: a zero
    // gradient after a nonzero one moves nothing.
    let optimizers: Vec<Box<dyn Optimizer>> = vec![
        Box::new(Sgd::new(0.1)),
        Box::new(RmsProp::new(0.1)),
        Box::new(Adagrad::new(0.1)),
    ];
    for mut optimizer in optimizers {
        let mut params = vec![1.0, -1.0];
        optimizer.step(&mut params, &[3.0, -2.0]);
        let after_first = params.clone();
        optimizer.step(&mut params, &[0.0, 0.0]);
        assert_eq!(params, after_first);
    }
}

#[test]
fn gradient_slice_not_modified() {
    for (name, mut optimizer) in all_optimizers() {
        let grads = vec![0.5, -1.5];
        let mut params = vec![1.0, 2.0];
        optimizer.step(&mut params, &grads);
        optimizer.step(&mut params, &grads);
        assert_eq!(grads, [0.5, -1.5], "{name}");
    }
}

/// Expected panic messages of builder calls with a bad value.
fn bad_hyperparameters() -> Vec<(String, Box<dyn FnOnce()>)> {
    fn case(message: &str, build: impl FnOnce() + 'static) -> (String, Box<dyn FnOnce()>) {
        (message.to_string(), Box::new(build))
    }
    vec![
        case(
            "learning rate must be positive and finite, got -0.1",
            || {
                Sgd::new(-0.1);
            },
        ),
        case("learning rate must be positive and finite, got 0.0", || {
            Sgd::new(0.0);
        }),
        case("learning rate must be positive and finite, got NaN", || {
            Sgd::new(f64::NAN);
        }),
        case("learning rate must be positive and finite, got inf", || {
            Adam::new(f64::INFINITY);
        }),
        case("momentum must be in [0, 1), got 1.0", || {
            let _ = Sgd::new(0.1).momentum(1.0);
        }),
        case("momentum must be in [0, 1), got -0.5", || {
            let _ = Sgd::new(0.1).momentum(-0.5);
        }),
        case("momentum must be in [0, 1), got NaN", || {
            let _ = Sgd::new(0.1).momentum(f64::NAN);
        }),
        case("dampening must be in [0, 1], got 1.5", || {
            let _ = Sgd::new(0.1).dampening(1.5);
        }),
        case(
            "weight decay must be non-negative and finite, got -0.0001",
            || {
                let _ = Sgd::new(0.1).weight_decay(-1e-4);
            },
        ),
        case("beta1 must be in [0, 1), got 1.0", || {
            let _ = Adam::new(0.1).betas(1.0, 0.999);
        }),
        case("beta2 must be in [0, 1), got -0.1", || {
            let _ = Adam::new(0.1).betas(0.9, -0.1);
        }),
        case("eps must be positive and finite, got 0.0", || {
            let _ = Adam::new(0.1).eps(0.0);
        }),
        case("eps must be positive and finite, got -1e-8", || {
            let _ = AdamW::new(0.1).eps(-1e-8);
        }),
        case(
            "weight decay must be non-negative and finite, got -0.01",
            || {
                let _ = AdamW::new(0.1).weight_decay(-0.01);
            },
        ),
        case("beta1 must be in [0, 1), got 1.5", || {
            let _ = AdamW::new(0.1).betas(1.5, 0.999);
        }),
        case("alpha must be in [0, 1), got 1.0", || {
            let _ = RmsProp::new(0.1).alpha(1.0);
        }),
        case("momentum must be in [0, 1), got 1.0", || {
            let _ = RmsProp::new(0.1).momentum(1.0);
        }),
        case("eps must be positive and finite, got -1.0", || {
            let _ = RmsProp::new(0.1).eps(-1.0);
        }),
        case(
            "learning-rate decay must be non-negative and finite, got -1.0",
            || {
                let _ = Adagrad::new(0.1).lr_decay(-1.0);
            },
        ),
        case(
            "initial accumulator value must be non-negative and finite, got -0.5",
            || {
                let _ = Adagrad::new(0.1).initial_accumulator_value(-0.5);
            },
        ),
        case("eps must be positive and finite, got inf", || {
            let _ = Adagrad::new(0.1).eps(f64::INFINITY);
        }),
    ]
}

#[test]
fn bad_hyperparameters_panic_naming_value() {
    for (expected, build) in bad_hyperparameters() {
        assert_eq!(panic_message(build), expected);
    }
}

#[test]
fn f32_value_named_in_message() {
    let message = panic_message(|| {
        let _ = Sgd::new(0.1_f32).momentum(2.0);
    });
    assert_eq!(message, "momentum must be in [0, 1), got 2.0");
}

#[test]
fn set_learning_rate_checks_value() {
    for (name, mut optimizer) in all_optimizers() {
        let error = optimizer.try_set_learning_rate(-1.0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "learning rate must be non-negative and finite, got -1.0",
            "{name}"
        );
        assert_eq!(optimizer.learning_rate(), 0.1, "{name}");

        let message = panic_message(|| optimizer.set_learning_rate(f64::NAN));
        assert_eq!(
            message, "learning rate must be non-negative and finite, got NaN",
            "{name}"
        );
        assert_eq!(optimizer.learning_rate(), 0.1, "{name}");

        optimizer.set_learning_rate(0.0);
        assert_eq!(optimizer.learning_rate(), 0.0, "{name}");
    }
}

#[test]
fn zero_learning_rate_from_schedule_freezes_params() {
    for (name, mut optimizer) in all_optimizers() {
        optimizer.set_learning_rate(0.0);
        let mut params = vec![1.0, 2.0];
        optimizer.step(&mut params, &[0.5, -0.5]);
        // AdamW's decay θ(1 - γλ) is also 0 at γ = 0.
        assert_eq!(params, [1.0, 2.0], "{name}");
    }
}
