//! Parameter sets, layers and training steps: gradients land in the flat
//! vector, steps reuse their buffers, and parameters survive a JSON round
//! trip.

use adjoint_ndarray::{Activation, Error, Init, Linear, Mlp, ParamSet, Tensor, loss};
use adjoint_optim::{Adam, Sgd};
use adjoint_tape::Tape;
use ndarray::{Array1, Array2, array};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Points on two rings of radius 1 and 2 around the origin, labelled by
/// ring, so that no linear model separates them.
fn rings(n: usize) -> (Array2<f64>, Vec<usize>) {
    let mut x = Array2::zeros((n, 2));
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let angle = i as f64 * 2.399;
        let radius = if i % 2 == 0 { 1.0 } else { 2.0 };
        x[[i, 0]] = radius * angle.cos();
        x[[i, 1]] = radius * angle.sin();
        labels.push(i % 2);
    }
    (x, labels)
}

#[test]
fn mlp_training_lowers_the_loss() {
    let (x, labels) = rings(40);
    let x = Tensor::constant(x);
    let mut params = ParamSet::new();
    let mlp = Mlp::new(&mut params, "mlp", &[2, 16, 2], Activation::Tanh, 3).unwrap();
    let mut adam = Adam::new(0.03);
    let mut tape = Tape::new();
    let mut losses = Vec::new();
    for _ in 0..150 {
        tape.clear();
        let bound = params.bind(&tape);
        let logits = mlp.forward(&bound, &x);
        losses.push(params.backward(loss::cross_entropy_with_logits(&logits, &labels)));
        params.step(&mut adam);
    }
    let first = losses[0];
    let last = losses[losses.len() - 1];
    assert!(first > 0.5, "the untrained loss is {first}");
    assert!(last < 0.05, "the loss went from {first} to {last}");
}

#[test]
fn backward_writes_each_parameter_gradient() {
    // L = sum((x W + b)²) for one row x: W̄ = 2 xᵀ y, b̄ = 2 y.
    let mut params = ParamSet::new();
    let mut rng = StdRng::seed_from_u64(0);
    let layer = Linear::new(&mut params, "fc", 2, 2, Init::Zeros, &mut rng).unwrap();
    params
        .value_mut(layer.weight())
        .assign(&array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
    params
        .value_mut(layer.bias())
        .assign(&array![0.5, -0.5].into_dyn());
    let tape = Tape::new();
    let bound = params.bind(&tape);
    let y = layer.forward(&bound, &Tensor::constant(array![[1.0, 1.0]]));
    assert_eq!(y.value(), &array![[4.5, 5.5]].into_dyn());
    let value = params.backward(y.powi(2).sum());
    assert_eq!(value, 4.5 * 4.5 + 5.5 * 5.5);
    assert_eq!(
        params.gradient(layer.weight()),
        array![[9.0, 11.0], [9.0, 11.0]].into_dyn()
    );
    assert_eq!(params.gradient(layer.bias()), array![9.0, 11.0].into_dyn());
    assert_eq!(params.gradients(), &[9.0, 11.0, 9.0, 11.0, 9.0, 11.0]);
}

#[test]
fn backward_overwrites_instead_of_accumulating() {
    let mut params = ParamSet::new();
    let w = params.add("w", array![2.0]).unwrap();
    let mut tape = Tape::new();
    for _ in 0..3 {
        tape.clear();
        let bound = params.bind(&tape);
        params.backward(bound.get(w).powi(2).sum());
        assert_eq!(params.gradients(), &[4.0]);
    }
}

#[test]
fn steps_reuse_parameter_arrays_and_tape_capacity() {
    let mut params = ParamSet::new();
    let mlp = Mlp::new(&mut params, "mlp", &[3, 8, 2], Activation::Relu, 1).unwrap();
    let x = Tensor::constant(Array2::from_shape_fn((5, 3), |(i, j)| (i + j) as f64 * 0.1));
    let labels = [0, 1, 0, 1, 1];
    let first_weight = mlp.layers()[0].weight();
    let mut sgd = Sgd::new(0.1);
    let mut tape = Tape::new();
    let mut addresses = Vec::new();
    let mut capacities = Vec::new();
    for _ in 0..4 {
        tape.clear();
        let bound = params.bind(&tape);
        addresses.push(bound.get(first_weight).value().as_ptr() as usize);
        let logits = mlp.forward(&bound, &x);
        params.backward(loss::cross_entropy_with_logits(&logits, &labels));
        drop(bound);
        params.step(&mut sgd);
        capacities.push(tape.capacity_bytes());
    }
    assert!(
        addresses.windows(2).all(|w| w[0] == w[1]),
        "the parameter arrays were reallocated: {addresses:?}"
    );
    assert!(
        capacities.windows(2).all(|w| w[0] == w[1]),
        "the tape grew after the first step: {capacities:?}"
    );
}

#[test]
fn bound_values_follow_the_flat_vector() {
    let mut params = ParamSet::new();
    let w = params.add("w", array![1.0, 2.0]).unwrap();
    let mut tape = Tape::new();
    {
        let bound = params.bind(&tape);
        assert_eq!(bound.get(w).value(), &array![1.0, 2.0].into_dyn());
    }
    params.values_mut()[0] = 10.0;
    tape.clear();
    let bound = params.bind(&tape);
    assert_eq!(bound.get(w).value(), &array![10.0, 2.0].into_dyn());
}

#[test]
#[should_panic(expected = "call bind(&tape) on this tape")]
fn backward_on_an_unbound_tape_panics() {
    let mut params = ParamSet::new();
    params.add("w", array![1.0]).unwrap();
    let tape = Tape::new();
    let x = tape.var(1.0);
    params.backward(x * x);
}

#[test]
fn json_round_trip_restores_values() {
    let mut params = ParamSet::new();
    let mlp = Mlp::new(&mut params, "mlp", &[2, 3, 1], Activation::Tanh, 9).unwrap();
    let saved = params.to_json().unwrap();
    let original = params.values().to_vec();

    let mut other = ParamSet::new();
    let _ = Mlp::new(&mut other, "mlp", &[2, 3, 1], Activation::Tanh, 10).unwrap();
    assert_ne!(other.values(), original.as_slice());
    other.load_json(&saved).unwrap();
    assert_eq!(other.values(), original.as_slice());

    let restored = ParamSet::from_json(&saved).unwrap();
    assert_eq!(restored.values(), original.as_slice());
    let names: Vec<&str> = restored.ids().map(|id| restored.name(id)).collect();
    assert_eq!(
        names,
        ["mlp.0.weight", "mlp.0.bias", "mlp.1.weight", "mlp.1.bias"]
    );
    assert_eq!(mlp.layers().len(), 2);
}

#[test]
fn load_mismatch_keeps_values() {
    let mut small = ParamSet::new();
    Mlp::new(&mut small, "mlp", &[2, 3, 1], Activation::Tanh, 9).unwrap();
    let mut large = ParamSet::new();
    Mlp::new(&mut large, "mlp", &[2, 4, 1], Activation::Tanh, 9).unwrap();
    let before = large.values().to_vec();
    let error = large.load_json(&small.to_json().unwrap()).unwrap_err();
    assert!(matches!(error, Error::ParameterMismatch { .. }));
    assert_eq!(
        error.to_string(),
        "parameter file does not match the model: parameter \"mlp.0.weight\" has shape [2, 3] \
         in the file but [2, 4] in the model"
    );
    assert_eq!(large.values(), before.as_slice());
}

#[test]
fn non_finite_parameters_are_not_saved() {
    let mut params = ParamSet::new();
    params.add("w", array![1.0, f64::NAN]).unwrap();
    let error = params.to_json().unwrap_err();
    assert!(matches!(error, Error::NonFiniteParameter { index: 1, .. }));
}

#[test]
fn invalid_json_is_an_error() {
    let error = ParamSet::from_json("{\"params\": 3}").unwrap_err();
    assert!(matches!(error, Error::Json(_)));
    assert!(error.to_string().starts_with("invalid parameter file: "));
}

#[test]
fn initializations_have_the_documented_scale() {
    let mut params = ParamSet::new();
    let mut rng = StdRng::seed_from_u64(5);
    let he = Linear::new(&mut params, "he", 200, 100, Init::HeNormal, &mut rng).unwrap();
    let xavier = Linear::new(
        &mut params,
        "xavier",
        200,
        100,
        Init::XavierUniform,
        &mut rng,
    )
    .unwrap();

    let he_values = params.value(he.weight());
    let variance = he_values.mapv(|w| w * w).mean().unwrap();
    // Var = 2 / fan_in = 0.01; 20,000 draws put the estimate within a few
    // percent.
    assert!((variance - 0.01).abs() < 0.001, "He variance {variance}");

    let bound = (6.0 / 300.0_f64).sqrt();
    let xavier_values = params.value(xavier.weight());
    assert!(xavier_values.iter().all(|w| w.abs() <= bound));
    let variance = xavier_values.mapv(|w| w * w).mean().unwrap();
    // Var of U(-a, a) is a²/3 = 2 / (fan_in + fan_out).
    assert!(
        (variance - bound * bound / 3.0).abs() < 0.001,
        "Xavier variance {variance}"
    );
    assert_eq!(
        params.value(he.bias()),
        Array1::<f64>::zeros(100).into_dyn()
    );
}

#[test]
fn same_seed_same_parameters() {
    let mut a = ParamSet::new();
    Mlp::new(&mut a, "mlp", &[4, 5, 3], Activation::Relu, 11).unwrap();
    let mut b = ParamSet::new();
    Mlp::new(&mut b, "mlp", &[4, 5, 3], Activation::Relu, 11).unwrap();
    assert_eq!(a.values(), b.values());
}

#[test]
fn invalid_layer_sizes_are_rejected() {
    let error = Mlp::new(&mut ParamSet::new(), "mlp", &[3, 0, 2], Activation::Relu, 0).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid layer sizes [3, 0, 2]: every layer size must be at least 1"
    );
}

#[test]
#[should_panic(
    expected = "Linear::forward: the input of shape [4, 3] has 3 features in its \
                           last axis, the layer takes 2: pass rows of 2 features"
)]
fn wrong_input_width_names_layer_width() {
    let mut params = ParamSet::new();
    let mlp = Mlp::new(&mut params, "mlp", &[2, 5, 1], Activation::Relu, 0).unwrap();
    let tape = Tape::new();
    let bound = params.bind(&tape);
    let _ = mlp.forward(&bound, &Tensor::constant(Array2::<f64>::zeros((4, 3))));
}
