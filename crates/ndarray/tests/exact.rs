//! Hand-derived gradients that the tensor path must reproduce exactly, at
//! ordinary points and at the ones where a naive formula overflows or
//! cancels.

use adjoint_ndarray::{Tensor, TensorGradients, loss};
use adjoint_tape::Tape;
use ndarray::{Array2, array};

#[test]
fn sum_of_x_xt() {
    let x = array![[1.0, 2.0], [3.0, 4.0]];
    let (value, g) = adjoint_ndarray::value_and_gradient(|v| v[0].matmul(&v[0].t()).sum(), &[x]);
    assert_eq!(value, 52.0);
    assert_eq!(g[0], array![[8.0, 12.0], [8.0, 12.0]]);
}

#[test]
fn weighted_x_xt_gradient() {
    let x = array![[1.0, 2.0], [3.0, 4.0]];
    let g = adjoint_ndarray::gradient(
        |v| {
            let weights = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]);
            (&weights * &v[0].matmul(&v[0].t())).sum()
        },
        &[x],
    );
    assert_eq!(g[0], array![[17.0, 24.0], [29.0, 42.0]]);
}

#[test]
fn broadcast_row_adjoint_is_summed_back() {
    let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let b = array![[10.0, 20.0, 30.0]];
    let squared =
        adjoint_ndarray::gradient(|v| (&v[0] + &v[1]).powi(2).sum(), &[a.clone(), b.clone()]);
    assert_eq!(squared[1], array![[50.0, 94.0, 138.0]]);
    assert_eq!(squared[1].shape(), &[1, 3]);
    assert_eq!(squared[0], array![[22.0, 44.0, 66.0], [28.0, 50.0, 72.0]]);

    let weighted = adjoint_ndarray::gradient(
        |v| {
            let w = Tensor::constant(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
            (&w * &(&v[0] + &v[1])).sum()
        },
        &[a, b],
    );
    assert_eq!(weighted[1], array![[5.0, 7.0, 9.0]]);
}

/// `r̄` for `r_b W` with upstream adjoint `I₂`, where `r_b` is `r` repeated
/// into two rows by `build`.
fn broadcast_matmul_adjoint(
    build: impl for<'t> Fn(&Tensor<'t>) -> Tensor<'t>,
) -> ndarray::ArrayD<f64> {
    let tape = Tape::new();
    let r = Tensor::var(&tape, array![[0.5, 0.25]]);
    let w = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]);
    let rb = build(&r);
    assert_eq!(rb.value(), &array![[0.5, 0.25], [0.5, 0.25]].into_dyn());
    let product = rb.matmul(&w);
    product.vjp(Array2::<f64>::eye(2).view()).wrt(&r)
}

#[test]
fn broadcast_matmul_adjoint_matches_for_every_layout() {
    let expected = array![[3.0, 7.0]].into_dyn();
    // A contiguous copy made by the broadcast op.
    assert_eq!(
        broadcast_matmul_adjoint(|r| r.broadcast_to(&[2, 2])),
        expected
    );
    // Contiguous copies made by gathering and by concatenating.
    assert_eq!(
        broadcast_matmul_adjoint(|r| r.select_rows(&[0, 0])),
        expected
    );
    assert_eq!(
        broadcast_matmul_adjoint(|r| Tensor::concatenate(0, &[r.clone(), r.clone()])),
        expected
    );
    // Broadcasting inside the arithmetic: r + 0 against a 2 × 2 zero.
    assert_eq!(
        broadcast_matmul_adjoint(|r| r + &Tensor::constant(Array2::<f64>::zeros((2, 2)))),
        expected
    );
}

#[test]
fn matmul_with_a_column_major_operand() {
    // A constant stored in column-major (Fortran) layout: the product and
    // its adjoint must read it in logical order.
    let tape = Tape::new();
    let w = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
    let fortran = array![[0.5, 0.5], [0.25, 0.25]].reversed_axes();
    assert!(!fortran.is_standard_layout());
    let rb = Tensor::constant(fortran);
    let product = rb.matmul(&w);
    assert_eq!(
        product.value(),
        &array![[1.25, 2.0], [1.25, 2.0]].into_dyn()
    );
    let adjoint = product.vjp(Array2::<f64>::eye(2).view()).wrt(&w);
    // W̄ = r_bᵀ I.
    assert_eq!(adjoint, array![[0.5, 0.5], [0.25, 0.25]].into_dyn());
}

#[test]
fn negative_log_softmax_at_huge_logits() {
    let tape = Tape::new();
    let o = Tensor::var(&tape, array![-431.0, 279.0, 427.0]);
    let loss = -o.log_softmax(0).get(&[0]);
    assert_eq!(loss.value(), 858.0);
    let g = loss.gradient().wrt_tensor(&o);
    assert_eq!(g, array![-1.0, 5.301718666092324e-65, 1.0].into_dyn());

    let tape = Tape::new();
    let o = Tensor::var(&tape, array![[-431.0, 279.0, 427.0]]);
    let ce = loss::cross_entropy_with_logits(&o, &[0]);
    assert_eq!(ce.value(), 858.0);
    let g = ce.gradient().wrt_tensor(&o);
    assert_eq!(g, array![[-1.0, 5.301718666092324e-65, 1.0]].into_dyn());
}

#[test]
fn sum_of_softmax_has_zero_gradient() {
    let g = adjoint_ndarray::gradient(
        |v| v[0].softmax(0).sum(),
        &[array![-1047.0, -981.0, 1891.0]],
    );
    assert_eq!(g[0], array![0.0, 0.0, 0.0]);
    assert!(g[0].iter().all(|&x| x == 0.0));
}

#[test]
fn sigmoid_and_tanh_tails_never_nan() {
    let g = adjoint_ndarray::gradient(|v| v[0].sigmoid().sum(), &[array![-90.0, 90.0, -1000.0]]);
    assert_eq!(
        g[0],
        array![8.194012623990515e-40, 8.194012623990515e-40, 0.0]
    );

    let g = adjoint_ndarray::gradient(|v| v[0].tanh().sum(), &[array![20.0, -20.0, 800.0]]);
    // sech²(20) is 1.69934170211663558…e-17; 1.6993417021166355e-17 is
    // the nearest f64.
    assert_eq!(
        g[0],
        array![1.6993417021166355e-17, 1.6993417021166355e-17, 0.0]
    );
    assert!((g[0][0] - 1.699341702116636e-17).abs() <= 1e-15 * 1.7e-17);
}

#[test]
fn softplus_and_binary_cross_entropy_at_huge_logits() {
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![-1000.0, 1000.0]);
    let t = Tensor::constant(array![1.0, 1.0]);
    let l = loss::binary_cross_entropy_with_logits(&x, &t);
    assert_eq!(l.value(), 500.0);
    assert_eq!(l.gradient().wrt_tensor(&x), array![-0.5, 0.0].into_dyn());
}

#[test]
fn sqrt_zero_cotangent_no_nan() {
    // Element 1's cotangent is 0, so its infinite derivative is skipped,
    // as the scalar sweep skips nodes of adjoint zero.
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![4.0, 0.0]);
    let picked = x.sqrt().get(&[0]);
    assert_eq!(
        picked.gradient().wrt_tensor(&x),
        array![0.25, 0.0].into_dyn()
    );
}

#[test]
fn max_ties_split_like_the_scalar_rule() {
    let g = adjoint_ndarray::gradient(|v| v[0].max() + v[0].min(), &[array![2.0, 2.0]]);
    // max + min of two equal values has gradient (1, 1), as for scalars.
    assert_eq!(g[0], array![1.0, 1.0]);
    let g = adjoint_ndarray::gradient(
        |v| v[0].max_axis(1).sum(),
        &[array![[1.0, 5.0, 5.0, 5.0, 1.0, 5.0]]],
    );
    assert_eq!(g[0], array![[0.0, 0.25, 0.25, 0.25, 0.0, 0.25]]);
}

/// Gradients of one entry of `a · b` (a single nonzero cotangent) from the
/// tensor `matmul` and from the same sums written with scalar variables.
fn matmul_entry_gradients(
    a: ndarray::ArrayD<f64>,
    b: ndarray::ArrayD<f64>,
    entry: &[usize],
) -> [(ndarray::ArrayD<f64>, ndarray::ArrayD<f64>); 2] {
    let tape = Tape::new();
    let (ta, tb) = (Tensor::var(&tape, a.clone()), Tensor::var(&tape, b.clone()));
    let product = ta.matmul(&tb);
    let output = product.get(entry);
    let gradients = output.gradient();
    let tensor = (gradients.wrt_tensor(&ta), gradients.wrt_tensor(&tb));

    // The same entry as a sum of products of scalar variables.
    let (va, vb) = (ta.to_vars(), tb.to_vars());
    let inner = a.shape()[a.ndim() - 1];
    let (row, column) = match (a.ndim(), b.ndim()) {
        (2, 2) => (entry[0], entry[1]),
        (2, 1) => (entry[0], 0),
        (1, 2) => (0, entry[0]),
        _ => (0, 0),
    };
    let columns = if b.ndim() == 2 { b.shape()[1] } else { 1 };
    let mut total = adjoint_tape::Var::constant(0.0);
    for k in 0..inner {
        total += va[row * inner + k] * vb[k * columns + column];
    }
    let gradients = total.gradient();
    let scalar = (gradients.wrt_tensor(&ta), gradients.wrt_tensor(&tb));
    [tensor, scalar]
}

#[test]
fn matmul_zero_cotangent_skips_infinities() {
    let inf = f64::INFINITY;
    let cases: [(ndarray::ArrayD<f64>, ndarray::ArrayD<f64>, Vec<usize>); 5] = [
        // A square product, so that a transposed adjoint would show.
        (
            array![[1.0, 2.0], [inf, 4.0]].into_dyn(),
            array![[5.0, inf], [7.0, 8.0]].into_dyn(),
            vec![0, 0],
        ),
        (
            array![[1.0, 2.0, 3.0], [4.0, inf, 6.0]].into_dyn(),
            array![[inf, 2.0], [3.0, 4.0], [5.0, 6.0]].into_dyn(),
            vec![0, 1],
        ),
        (
            array![[1.0, 2.0], [inf, 4.0]].into_dyn(),
            array![inf, 3.0].into_dyn(),
            vec![0],
        ),
        (
            array![1.0, inf].into_dyn(),
            array![[inf, 2.0], [3.0, 4.0]].into_dyn(),
            vec![1],
        ),
        (
            array![1.0, inf].into_dyn(),
            array![inf, 2.0].into_dyn(),
            vec![],
        ),
    ];
    for (a, b, entry) in cases {
        let [(tensor_a, tensor_b), (scalar_a, scalar_b)] =
            matmul_entry_gradients(a.clone(), b.clone(), &entry);
        let same = |x: &ndarray::ArrayD<f64>, y: &ndarray::ArrayD<f64>| {
            x.iter()
                .zip(y)
                .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
        };
        assert!(
            same(&tensor_a, &scalar_a),
            "{a} · {b} at {entry:?}: tensor gives {tensor_a}, scalars {scalar_a}"
        );
        assert!(
            same(&tensor_b, &scalar_b),
            "{a} · {b} at {entry:?}: tensor gives {tensor_b}, scalars {scalar_b}"
        );
    }
}
