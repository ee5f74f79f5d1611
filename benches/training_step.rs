//! One training step of a small multilayer perceptron, against the plain
//! `f64` forward pass of the same network.
//!
//! The network is 2-16-16-1 with `tanh` hidden layers (337 parameters),
//! its loss the mean squared error over 100 points of a smooth target.
//! Modes (criterion function ids in group `training_step/mlp_2_16_16_1`):
//! - `f64_forward`: the loss in plain `f64`;
//! - `tape`: one SGD step on a reused tape (clear, record the loss over
//!   the parameters, one reverse sweep, `adjoint::optim::Sgd::step`), with
//!   the layers written as scalar loops;
//! - `tape_dot`: the same with each neuron's weighted sum as one n-ary
//!   node (`adjoint::dot`);
//! - `f64_ndarray`: the loss of the tensor crate's `Mlp` (its own
//!   parameters) by plain `ndarray` matrix products;
//! - `tensor`: one SGD step of that `Mlp` with tensor nodes
//!   (`ParamSet::bind`, `Mlp::forward`, `loss::mse`, `ParamSet::backward`,
//!   `ParamSet::step`).
//!
//! Group `training_step/mlp_784_128_10_batch32` times `f64_ndarray` and
//! `tensor` for a 784-128-10 ReLU network on a batch of 32 synthetic
//! images with the cross-entropy loss (101,770 parameters).
//!
//! Run with `cargo bench --bench training_step`.

use std::hint::black_box;

use adjoint::optim::{Optimizer, Sgd};
use adjoint::tensor::{Activation, Mlp, ParamSet, Tensor, loss as tensor_loss};
use adjoint::{Tape, Var};
use criterion::{criterion_group, criterion_main};
use ndarray::{Array2, Ix1, Ix2};
use num_traits::Float;

#[path = "common/config.rs"]
mod config;
#[path = "common/functions.rs"]
mod functions;

use functions::constant;

/// Layer widths, input first.
const WIDTHS: [usize; 4] = [2, 16, 16, 1];

/// Number of training points.
const POINTS: usize = 100;

/// Number of parameters: a weight matrix and a bias vector per layer.
fn parameter_count() -> usize {
    WIDTHS.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
}

/// Training points on a grid in `[-1, 1]^2` and the target
/// `sin(2 x) cos(y)` at each.
fn data() -> (Vec<[f64; 2]>, Vec<f64>) {
    let side = (POINTS as f64).sqrt() as usize;
    let inputs: Vec<[f64; 2]> = (0..POINTS)
        .map(|i| {
            let (a, b) = (i % side, i / side);
            let coordinate = |k: usize| -1.0 + 2.0 * k as f64 / (side - 1) as f64;
            [coordinate(a), coordinate(b)]
        })
        .collect();
    let targets = inputs
        .iter()
        .map(|p| (2.0 * p[0]).sin() * p[1].cos())
        .collect();
    (inputs, targets)
}

/// Deterministic starting parameters, scaled by `1/sqrt(fan_in)`.
fn initial_parameters() -> Vec<f64> {
    let mut params = Vec::with_capacity(parameter_count());
    for w in WIDTHS.windows(2) {
        let scale = 1.0 / (w[0] as f64).sqrt();
        for i in 0..w[0] * w[1] {
            params.push(scale * (((i as f64 + 1.0) * 0.618_033_988_75) % 1.0 - 0.5) * 2.0);
        }
        params.extend(std::iter::repeat_n(0.0, w[1]));
    }
    params
}

/// Computes the mean squared error of the network with parameters `params`
/// (per layer: weights `out x in` row-major, then biases) over the data.
fn loss<S: Float>(params: &[S], inputs: &[[f64; 2]], targets: &[f64]) -> S {
    let mut total = S::zero();
    let mut activations: Vec<S> = Vec::with_capacity(16);
    let mut next: Vec<S> = Vec::with_capacity(16);
    for (point, &target) in inputs.iter().zip(targets) {
        activations.clear();
        activations.extend(point.iter().map(|&v| constant::<S>(v)));
        let mut offset = 0;
        for (layer, w) in WIDTHS.windows(2).enumerate() {
            let (fan_in, fan_out) = (w[0], w[1]);
            let (weights, rest) = params[offset..].split_at(fan_in * fan_out);
            let biases = &rest[..fan_out];
            offset += fan_in * fan_out + fan_out;
            next.clear();
            for (row, &bias) in weights.chunks_exact(fan_in).zip(biases) {
                let mut z = bias;
                for (&weight, &a) in row.iter().zip(&activations) {
                    z = z + weight * a;
                }
                next.push(if layer + 2 < WIDTHS.len() {
                    z.tanh()
                } else {
                    z
                });
            }
            std::mem::swap(&mut activations, &mut next);
        }
        let error = activations[0] - constant::<S>(target);
        total = total + error * error;
    }
    total / constant::<S>(inputs.len() as f64)
}

/// [`loss`] on the tape, with each weighted sum as one `adjoint::dot` node.
fn loss_dot<'t>(params: &[Var<'t>], inputs: &[[f64; 2]], targets: &[f64]) -> Var<'t> {
    let mut errors = Vec::with_capacity(inputs.len());
    let mut activations: Vec<Var<'t>> = Vec::with_capacity(16);
    let mut next: Vec<Var<'t>> = Vec::with_capacity(16);
    for (point, &target) in inputs.iter().zip(targets) {
        activations.clear();
        activations.extend(point.iter().map(|&v| Var::constant(v)));
        let mut offset = 0;
        for (layer, w) in WIDTHS.windows(2).enumerate() {
            let (fan_in, fan_out) = (w[0], w[1]);
            let (weights, rest) = params[offset..].split_at(fan_in * fan_out);
            let biases = &rest[..fan_out];
            offset += fan_in * fan_out + fan_out;
            next.clear();
            for (row, &bias) in weights.chunks_exact(fan_in).zip(biases) {
                let z = adjoint::dot(row, &activations) + bias;
                next.push(if layer + 2 < WIDTHS.len() {
                    z.tanh()
                } else {
                    z
                });
            }
            std::mem::swap(&mut activations, &mut next);
        }
        errors.push(activations[0] - target);
    }
    adjoint::dot(&errors, &errors) / inputs.len() as f64
}

/// Computes the network's output for a batch of rows with `ndarray`, from
/// the values in `params`: `x W + b` per layer, `activation` between them.
fn mlp_forward_f64(mlp: &Mlp, params: &ParamSet, input: &Array2<f64>) -> Array2<f64> {
    let layers = mlp.layers();
    let mut hidden = input.clone();
    for (i, layer) in layers.iter().enumerate() {
        let weight = params
            .value(layer.weight())
            .into_dimensionality::<Ix2>()
            .expect("2-D weight");
        let bias = params
            .value(layer.bias())
            .into_dimensionality::<Ix1>()
            .expect("1-D bias");
        hidden = hidden.dot(&weight) + bias;
        if i + 1 < layers.len() {
            hidden.mapv_inplace(|v| match mlp.activation() {
                Activation::Tanh => v.tanh(),
                Activation::Relu => v.max(0.0),
                _ => unreachable!("the benches use tanh and ReLU"),
            });
        }
    }
    hidden
}

/// Computes the mean cross-entropy of `logits` (one row per example)
/// against class `labels`, in `f64`.
fn cross_entropy_f64(logits: &Array2<f64>, labels: &[usize]) -> f64 {
    let mut total = 0.0;
    for (row, &label) in logits.rows().into_iter().zip(labels) {
        let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let log_norm = max + row.mapv(|v| (v - max).exp()).sum().ln();
        total += log_norm - row[label];
    }
    total / labels.len() as f64
}

/// Times the tensor crate's 2-16-16-1 `Mlp` on the same data as the scalar
/// versions.
fn bench_tensor_small(group: &mut criterion::BenchmarkGroup<'_, config::Clock>) {
    let (inputs, targets) = data();
    let x = Array2::from_shape_fn((POINTS, 2), |(i, j)| inputs[i][j]);
    let y = Array2::from_shape_fn((POINTS, 1), |(i, _)| targets[i]);
    let mut params = ParamSet::new();
    let mlp = Mlp::new(&mut params, "mlp", &WIDTHS, Activation::Tanh, 0).expect("valid sizes");

    group.bench_function("f64_ndarray", |b| {
        b.iter(|| {
            let output = mlp_forward_f64(&mlp, &params, black_box(&x));
            (&output - &y).mapv(|e| e * e).mean()
        });
    });

    let (x, y) = (Tensor::constant(x), Tensor::constant(y));
    let mut tape = Tape::new();
    let mut sgd = Sgd::new(1e-3);
    group.bench_function("tensor", |b| {
        b.iter(|| {
            tape.clear();
            let bound = params.bind(&tape);
            let prediction = mlp.forward(&bound, &x);
            params.backward(tensor_loss::mse(&prediction, &y));
            params.step(&mut sgd);
        });
    });
}

/// Times one SGD step of a 784-128-10 ReLU network on a batch of 32
/// synthetic images, against its `f64` forward pass and loss.
fn bench_tensor_mnist_sized(c: &mut config::Bench) {
    const BATCH: usize = 32;
    let images = Array2::from_shape_fn((BATCH, 784), |(i, j)| {
        ((i * 31 + j * 17) % 256) as f64 / 255.0
    });
    let labels: Vec<usize> = (0..BATCH).map(|i| i % 10).collect();
    let mut params = ParamSet::new();
    let mlp =
        Mlp::new(&mut params, "mlp", &[784, 128, 10], Activation::Relu, 0).expect("valid sizes");

    let mut group = c.benchmark_group("training_step/mlp_784_128_10_batch32");
    group.bench_function("f64_ndarray", |b| {
        b.iter(|| cross_entropy_f64(&mlp_forward_f64(&mlp, &params, black_box(&images)), &labels));
    });

    let images = Tensor::constant(images);
    let mut tape = Tape::new();
    let mut sgd = Sgd::new(1e-3);
    group.bench_function("tensor", |b| {
        b.iter(|| {
            tape.clear();
            let bound = params.bind(&tape);
            let logits = mlp.forward(&bound, &images);
            params.backward(tensor_loss::cross_entropy_with_logits(&logits, &labels));
            params.step(&mut sgd);
        });
    });
    group.finish();
}

fn training_step(c: &mut config::Bench) {
    let (inputs, targets) = data();
    let start = initial_parameters();
    assert_eq!(start.len(), parameter_count());

    // Both tape versions compute the same gradient.
    let scalar = adjoint::gradient(|p| loss(p, &inputs, &targets), &start);
    let dot = adjoint::gradient(|p| loss_dot(p, &inputs, &targets), &start);
    for (i, (a, b)) in scalar.iter().zip(&dot).enumerate() {
        assert!(
            (a - b).abs() <= 1e-12 * a.abs().max(1.0),
            "parameter {i}: {a} vs {b}"
        );
    }

    let mut group = c.benchmark_group("training_step/mlp_2_16_16_1");
    group.bench_function("f64_forward", |b| {
        b.iter(|| loss(black_box(start.as_slice()), &inputs, &targets));
    });

    let mut tape = Tape::new();
    let mut params = start.clone();
    let mut grads = vec![0.0; params.len()];
    let mut sgd = Sgd::new(1e-3);
    group.bench_function("tape", |b| {
        b.iter(|| {
            tape.clear();
            let p = tape.vars(&params);
            loss(&p, &inputs, &targets)
                .gradient()
                .write_wrt(&p, &mut grads);
            sgd.step(&mut params, &grads);
        });
    });

    let mut params = start.clone();
    group.bench_function("tape_dot", |b| {
        b.iter(|| {
            tape.clear();
            let p = tape.vars(&params);
            loss_dot(&p, &inputs, &targets)
                .gradient()
                .write_wrt(&p, &mut grads);
            sgd.step(&mut params, &grads);
        });
    });
    bench_tensor_small(&mut group);
    group.finish();

    bench_tensor_mnist_sized(c);
}

criterion_group! {
    name = benches;
    config = config::quick();
    targets = training_step
}
criterion_main!(benches);
