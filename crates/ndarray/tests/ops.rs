//! Every tensor operation against central finite differences, through the
//! one shared gradient check.

mod common;

use adjoint_ndarray::{Tensor, loss};
use common::{check_gradient, positive, sample, weighted_sum};
use ndarray::{ArrayD, Slice};

#[test]
fn arithmetic_same_shape() {
    let inputs = [sample(&[2, 3], 1), positive(&[2, 3], 2)];
    check_gradient("add", |v| weighted_sum(&(&v[0] + &v[1])), &inputs);
    check_gradient("sub", |v| weighted_sum(&(&v[0] - &v[1])), &inputs);
    check_gradient("mul", |v| weighted_sum(&(&v[0] * &v[1])), &inputs);
    check_gradient("div", |v| weighted_sum(&(&v[0] / &v[1])), &inputs);
    check_gradient("neg", |v| weighted_sum(&-&v[0]), &inputs[..1]);
    check_gradient("sub reversed", |v| weighted_sum(&(&v[1] - &v[0])), &inputs);
    check_gradient("mul reversed", |v| weighted_sum(&(&v[1] * &v[0])), &inputs);
    check_gradient("add itself", |v| weighted_sum(&(&v[0] + &v[0])), &inputs);
    check_gradient("mul itself", |v| weighted_sum(&(&v[0] * &v[0])), &inputs);
}

#[test]
fn arithmetic_broadcasts() {
    let cases: [(&str, &[usize], &[usize]); 7] = [
        ("row", &[3, 4], &[1, 4]),
        ("column", &[3, 4], &[3, 1]),
        ("trailing vector", &[3, 4], &[4]),
        ("scalar tensor", &[3, 4], &[]),
        ("both sides", &[3, 1], &[1, 4]),
        ("trailing matrix", &[2, 3, 4], &[3, 4]),
        ("middle axis", &[2, 3, 4], &[2, 1, 4]),
    ];
    for (i, (name, left, right)) in cases.into_iter().enumerate() {
        let seed = 10 * i as u64;
        let inputs = [sample(left, seed), positive(right, seed + 1)];
        check_gradient(
            &format!("add {name}"),
            |v| weighted_sum(&(&v[0] + &v[1])),
            &inputs,
        );
        check_gradient(
            &format!("sub {name}"),
            |v| weighted_sum(&(&v[1] - &v[0])),
            &inputs,
        );
        check_gradient(
            &format!("mul {name}"),
            |v| weighted_sum(&(&v[0] * &v[1])),
            &inputs,
        );
        check_gradient(
            &format!("div {name}"),
            |v| weighted_sum(&(&v[0] / &v[1])),
            &inputs,
        );
    }
}

#[test]
fn three_dimensional_broadcast() {
    let inputs = [sample(&[2, 3, 4], 3), sample(&[3, 1], 4)];
    check_gradient("mul 3-d", |v| weighted_sum(&(&v[0] * &v[1])), &inputs);
}

#[test]
fn maximum_and_minimum_away_from_ties() {
    let inputs = [sample(&[3, 4], 5), sample(&[4], 6)];
    check_gradient("maximum", |v| weighted_sum(&v[0].maximum(&v[1])), &inputs);
    check_gradient("minimum", |v| weighted_sum(&v[0].minimum(&v[1])), &inputs);
}

#[test]
fn arithmetic_with_constants() {
    let x = [positive(&[2, 3], 7)];
    check_gradient("t + c", |v| weighted_sum(&(&v[0] + 1.5)), &x);
    check_gradient("c + t", |v| weighted_sum(&(1.5 + &v[0])), &x);
    check_gradient("t - c", |v| weighted_sum(&(&v[0] - 1.5)), &x);
    check_gradient("c - t", |v| weighted_sum(&(1.5 - &v[0])), &x);
    check_gradient("t * c", |v| weighted_sum(&(&v[0] * -2.5)), &x);
    check_gradient("c * t", |v| weighted_sum(&(-2.5 * &v[0])), &x);
    check_gradient("t / c", |v| weighted_sum(&(&v[0] / 4.0)), &x);
    check_gradient("c / t", |v| weighted_sum(&(3.0 / &v[0])), &x);
}

#[test]
fn arithmetic_with_scalar_vars() {
    // The scalar is the single element of the second input.
    let inputs = [sample(&[2, 3], 8), positive(&[1], 9)];
    check_gradient(
        "t * var",
        |v| weighted_sum(&(&v[0] * v[1].to_scalar())),
        &inputs,
    );
    check_gradient(
        "var * t",
        |v| weighted_sum(&(v[1].to_scalar() * &v[0])),
        &inputs,
    );
    check_gradient(
        "t / var",
        |v| weighted_sum(&(&v[0] / v[1].to_scalar())),
        &inputs,
    );
    check_gradient(
        "var - t",
        |v| weighted_sum(&(v[1].to_scalar() - &v[0])),
        &inputs,
    );
    check_gradient(
        "t + var",
        |v| weighted_sum(&(&v[0] + v[1].to_scalar())),
        &inputs,
    );
    check_gradient(
        "scale",
        |v| weighted_sum(&v[0].scale(v[1].to_scalar())),
        &inputs,
    );
}

#[test]
fn matmul_every_rank_combination() {
    let cases: [(&str, &[usize], &[usize]); 4] = [
        ("matrix matrix", &[3, 4], &[4, 2]),
        ("matrix vector", &[3, 4], &[4]),
        ("vector matrix", &[4], &[4, 2]),
        ("vector vector", &[4], &[4]),
    ];
    for (i, (name, left, right)) in cases.into_iter().enumerate() {
        let inputs = [sample(left, 20 + i as u64), sample(right, 30 + i as u64)];
        check_gradient(name, |v| weighted_sum(&v[0].matmul(&v[1])), &inputs);
    }
}

#[test]
fn matmul_transposed_and_strided_operands() {
    let inputs = [sample(&[4, 3], 40), sample(&[2, 4], 41)];
    check_gradient(
        "Aᵀ Bᵀ",
        |v| weighted_sum(&v[0].t().matmul(&v[1].t())),
        &inputs,
    );
    let inputs = [sample(&[3, 6], 42), sample(&[3, 2], 43)];
    check_gradient(
        "strided slice",
        |v| weighted_sum(&v[0].slice_axis(1, Slice::new(0, None, 2)).matmul(&v[1])),
        &inputs,
    );
    let inputs = [sample(&[1, 3], 44), sample(&[3, 3], 45)];
    check_gradient(
        "broadcast operand",
        |v| weighted_sum(&v[0].broadcast_to(&[4, 3]).matmul(&v[1])),
        &inputs,
    );
    let inputs = [sample(&[3, 3], 46)];
    check_gradient("X Xᵀ", |v| weighted_sum(&v[0].matmul(&v[0].t())), &inputs);
}

#[test]
fn shape_operations() {
    let x = [sample(&[2, 3, 4], 50)];
    check_gradient("t", |v| weighted_sum(&v[0].t()), &x);
    check_gradient(
        "permute_axes",
        |v| weighted_sum(&v[0].permute_axes(&[1, 2, 0])),
        &x,
    );
    check_gradient("reshape", |v| weighted_sum(&v[0].reshape(&[6, 4])), &x);
    check_gradient(
        "reshape of a transpose",
        |v| weighted_sum(&v[0].t().reshape(&[24])),
        &x,
    );
    check_gradient("insert_axis", |v| weighted_sum(&v[0].insert_axis(1)), &x);
    check_gradient(
        "slice_axis along axis 0",
        |v| weighted_sum(&v[0].slice_axis(0, 1..2)),
        &x,
    );
    check_gradient(
        "slice of a slice",
        |v| weighted_sum(&(&v[0].slice_axis(0, 0..1).slice_axis(1, 1..3) * 2.0)),
        &x,
    );
    check_gradient(
        "overlapping slices",
        |v| {
            let flat = v[0].reshape(&[24]);
            weighted_sum(&(&flat.slice_axis(0, 1..24) * &flat.slice_axis(0, 0..23)))
        },
        &x,
    );
    check_gradient(
        "slice_axis with step",
        |v| weighted_sum(&v[0].slice_axis(2, Slice::new(-1, None, -2))),
        &x,
    );
    check_gradient(
        "select with repeats",
        |v| weighted_sum(&v[0].select(1, &[2, 0, 2])),
        &x,
    );
    check_gradient(
        "select_rows",
        |v| weighted_sum(&v[0].select_rows(&[1, 1, 0])),
        &x,
    );
    check_gradient(
        "broadcast_to",
        |v| weighted_sum(&v[0].broadcast_to(&[3, 2, 3, 4])),
        &x,
    );
}

#[test]
fn concatenate_and_stack() {
    let inputs = [sample(&[2, 3], 60), sample(&[4, 3], 61)];
    check_gradient(
        "concatenate axis 0",
        |v| {
            weighted_sum(&Tensor::concatenate(
                0,
                &[v[0].clone(), v[1].clone(), v[0].clone()],
            ))
        },
        &inputs,
    );
    let inputs = [sample(&[2, 3], 62), sample(&[2, 1], 63)];
    check_gradient(
        "concatenate axis 1",
        |v| weighted_sum(&Tensor::concatenate(1, &[v[0].clone(), v[1].clone()])),
        &inputs,
    );
    let inputs = [sample(&[2, 3], 64), sample(&[2, 3], 65)];
    check_gradient(
        "stack axis 1",
        |v| weighted_sum(&Tensor::stack(1, &[v[0].clone(), v[1].clone()])),
        &inputs,
    );
}

#[test]
fn reductions() {
    let x = [sample(&[3, 4], 70)];
    check_gradient("sum", |v| v[0].sum() * v[0].sum(), &x);
    check_gradient("mean", |v| v[0].mean().sin(), &x);
    check_gradient("max", |v| v[0].max() * 3.0, &x);
    check_gradient("min", |v| v[0].min() * 3.0, &x);
    for axis in 0..2 {
        check_gradient("sum_axis", |v| weighted_sum(&v[0].sum_axis(axis)), &x);
        check_gradient("mean_axis", |v| weighted_sum(&v[0].mean_axis(axis)), &x);
        check_gradient("max_axis", |v| weighted_sum(&v[0].max_axis(axis)), &x);
        check_gradient("min_axis", |v| weighted_sum(&v[0].min_axis(axis)), &x);
    }
}

#[test]
fn elementwise_functions() {
    let any = [sample(&[2, 5], 80)];
    let pos = [positive(&[2, 5], 81)];
    check_gradient("exp", |v| weighted_sum(&v[0].exp()), &any);
    check_gradient("ln", |v| weighted_sum(&v[0].ln()), &pos);
    check_gradient("sqrt", |v| weighted_sum(&v[0].sqrt()), &pos);
    check_gradient("powi 2", |v| weighted_sum(&v[0].powi(2)), &any);
    check_gradient("powi 3", |v| weighted_sum(&v[0].powi(3)), &any);
    check_gradient("powi -2", |v| weighted_sum(&v[0].powi(-2)), &pos);
    check_gradient("powf", |v| weighted_sum(&v[0].powf(1.7)), &pos);
    check_gradient("abs", |v| weighted_sum(&v[0].abs()), &any);
    check_gradient("recip", |v| weighted_sum(&v[0].recip()), &pos);
    check_gradient("sin", |v| weighted_sum(&v[0].sin()), &any);
    check_gradient("cos", |v| weighted_sum(&v[0].cos()), &any);
    check_gradient("tanh", |v| weighted_sum(&v[0].tanh()), &any);
    check_gradient("sigmoid", |v| weighted_sum(&v[0].sigmoid()), &any);
    check_gradient("relu", |v| weighted_sum(&v[0].relu()), &any);
    check_gradient("softplus", |v| weighted_sum(&v[0].softplus()), &any);
}

#[test]
fn softmax_family() {
    let x = [sample(&[3, 4], 90).mapv(|x| 3.0 * x)];
    for axis in 0..2 {
        check_gradient("softmax", |v| weighted_sum(&v[0].softmax(axis)), &x);
        check_gradient("log_softmax", |v| weighted_sum(&v[0].log_softmax(axis)), &x);
        check_gradient("log_sum_exp", |v| weighted_sum(&v[0].log_sum_exp(axis)), &x);
    }
}

#[test]
fn losses() {
    let inputs = [sample(&[4, 3], 100), sample(&[4, 3], 101)];
    check_gradient("mse", |v| loss::mse(&v[0], &v[1]), &inputs);
    let targets = sample(&[4, 3], 102).mapv(|x| (x + 2.0) / 4.0);
    let inputs = [sample(&[4, 3], 103).mapv(|x| 4.0 * x), targets];
    check_gradient(
        "binary_cross_entropy_with_logits",
        |v| loss::binary_cross_entropy_with_logits(&v[0], &v[1]),
        &inputs,
    );
    let logits = [sample(&[4, 3], 104).mapv(|x| 3.0 * x)];
    check_gradient(
        "cross_entropy_with_logits matrix",
        |v| loss::cross_entropy_with_logits(&v[0], &[2, 0, 1, 2]),
        &logits,
    );
    let logits = [sample(&[5], 105)];
    check_gradient(
        "cross_entropy_with_logits vector",
        |v| loss::cross_entropy_with_logits(&v[0], &[3]),
        &logits,
    );
}

#[test]
fn scalar_bridges() {
    let x = [sample(&[2, 3], 110)];
    check_gradient(
        "to_vars then from_vars",
        |v| {
            let vars = v[0].to_vars();
            let squared: Vec<_> = vars.iter().map(|&x| x * x.sin()).collect();
            weighted_sum(&Tensor::from_vars(&squared, &[3, 2]))
        },
        &x,
    );
    check_gradient("get", |v| v[0].get(&[1, 2]) * v[0].get(&[0, 0]), &x);
    check_gradient(
        "composed network",
        |v| {
            let hidden = v[0].t().matmul(&v[0]).tanh();
            let logits = hidden.matmul(&v[0].t());
            loss::cross_entropy_with_logits(&logits, &[0, 1, 1])
        },
        &x,
    );
}

#[test]
fn constant_tensors_get_no_gradient() {
    let g = adjoint_ndarray::gradient(
        |v| (&v[0] * &Tensor::constant(ArrayD::from_elem(ndarray::IxDyn(&[2]), 3.0))).sum(),
        &[ndarray::array![1.0, 2.0].into_dyn()],
    );
    assert_eq!(g[0], ndarray::array![3.0, 3.0].into_dyn());
}

#[test]
fn column_major_inputs() {
    // Inputs stored in Fortran order are read and differentiated in
    // logical (row-major) order by every operation.
    let a = sample(&[3, 4], 120).reversed_axes();
    let b = sample(&[4, 3], 121).reversed_axes();
    assert!(!a.is_standard_layout());
    let inputs = [a, b];
    check_gradient("matmul", |v| weighted_sum(&v[0].matmul(&v[1])), &inputs);
    check_gradient("mul", |v| weighted_sum(&(&v[0] * &v[1].t())), &inputs);
    check_gradient("max", |v| v[0].max() * v[1].min(), &inputs);
    check_gradient("reshape", |v| weighted_sum(&v[0].reshape(&[12])), &inputs);
    check_gradient("softmax", |v| weighted_sum(&v[0].softmax(1)), &inputs);
    check_gradient("powi 2", |v| weighted_sum(&v[0].powi(2)), &inputs);
    check_gradient(
        "slice_axis along axis 0",
        |v| weighted_sum(&v[0].slice_axis(0, 1..3)),
        &inputs,
    );
}
