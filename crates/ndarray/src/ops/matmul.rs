//! Matrix products: matrix–matrix, matrix–vector, vector–matrix and the
//! dot product of two vectors.
//!
//! The forward product and both adjoint products run through ndarray's
//! `general_mat_mul` / `general_mat_vec_mul` on views, so operands of any
//! memory layout (transposed, broadcast with stride 0) work without a copy,
//! and the adjoints are added straight into the sweep's buffer. Only a
//! cotangent with zeros against an operand with infinite or NaN entries
//! takes a plain loop, which leaves out the zero terms as the scalar sweep
//! does.

use std::sync::Arc;

use adjoint_tape::CustomOp;
use ndarray::linalg::{general_mat_mul, general_mat_vec_mul};
use ndarray::{ArrayD, ArrayView1, ArrayView2, ArrayViewD, Axis, Ix1, Ix2, IxDyn};

use crate::error::{Error, expect_ok};
use crate::pool::{self, PooledArray};
use crate::tensor::{Slot, Tensor, common_tape, cotangent_view, shape_vec};

/// `y = a b` for operands of one or two dimensions each.
struct Matmul {
    left: Option<Slot>,
    right: Option<Slot>,
    lhs: Arc<PooledArray>,
    rhs: Arc<PooledArray>,
    shape: IxDyn,
}

fn as_matrix<'a>(view: ArrayViewD<'a, f64>) -> ArrayView2<'a, f64> {
    view.into_dimensionality::<Ix2>()
        .expect("matmul checked the number of dimensions")
}

fn as_vector<'a>(view: ArrayViewD<'a, f64>) -> ArrayView1<'a, f64> {
    view.into_dimensionality::<Ix1>()
        .expect("matmul checked the number of dimensions")
}

impl CustomOp<f64> for Matmul {
    fn name(&self) -> &'static str {
        "matmul"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        let g = cotangent_view(&self.shape, cotangent);
        let (a, b) = (self.lhs.view(), self.rhs.view());
        // A zero in the cotangent times an infinite or NaN entry of the
        // other factor gives NaN in a matrix product. The scalar sweep
        // passes nothing on from a zero adjoint, so those cases take a
        // loop that does the same.
        let has_zero = cotangent.contains(&0.0);
        if has_zero
            && ((self.left.is_some() && !all_finite(&b))
                || (self.right.is_some() && !all_finite(&a)))
        {
            self.vjp_skipping_zeros(g, adjoints);
            return;
        }
        match (a.ndim(), b.ndim()) {
            (2, 2) => {
                // C = A B:  Ā += Ḡ Bᵀ,  B̄ += Aᵀ Ḡ.
                let (a, b, g) = (as_matrix(a), as_matrix(b), as_matrix(g));
                if let Some(slot) = &self.left {
                    let mut adj = as_matrix_mut(slot, adjoints);
                    general_mat_mul(1.0, &g, &b.t(), 1.0, &mut adj);
                }
                if let Some(slot) = &self.right {
                    let mut adj = as_matrix_mut(slot, adjoints);
                    general_mat_mul(1.0, &a.t(), &g, 1.0, &mut adj);
                }
            }
            (2, 1) => {
                // y = A b:  Ā += ḡ bᵀ,  b̄ += Aᵀ ḡ.
                let (a, b, g) = (as_matrix(a), as_vector(b), as_vector(g));
                if let Some(slot) = &self.left {
                    let mut adj = as_matrix_mut(slot, adjoints);
                    let column = g.insert_axis(Axis(1));
                    let row = b.insert_axis(Axis(0));
                    general_mat_mul(1.0, &column, &row, 1.0, &mut adj);
                }
                if let Some(slot) = &self.right {
                    let mut adj = as_vector_mut(slot, adjoints);
                    general_mat_vec_mul(1.0, &a.t(), &g, 1.0, &mut adj);
                }
            }
            (1, 2) => {
                // y = a B:  ā += B ḡ,  B̄ += a ḡᵀ.
                let (a, b, g) = (as_vector(a), as_matrix(b), as_vector(g));
                if let Some(slot) = &self.left {
                    let mut adj = as_vector_mut(slot, adjoints);
                    general_mat_vec_mul(1.0, &b, &g, 1.0, &mut adj);
                }
                if let Some(slot) = &self.right {
                    let mut adj = as_matrix_mut(slot, adjoints);
                    let column = a.insert_axis(Axis(1));
                    let row = g.insert_axis(Axis(0));
                    general_mat_mul(1.0, &column, &row, 1.0, &mut adj);
                }
            }
            _ => {
                // y = a · b:  ā += ḡ b,  b̄ += ḡ a.
                let (a, b) = (as_vector(a), as_vector(b));
                let g = g[IxDyn(&[])];
                if let Some(slot) = &self.left {
                    as_vector_mut(slot, adjoints).scaled_add(g, &b);
                }
                if let Some(slot) = &self.right {
                    as_vector_mut(slot, adjoints).scaled_add(g, &a);
                }
            }
        }
    }
}

impl Matmul {
    /// Adds the adjoints as [`vjp`](CustomOp::vjp) does, leaving out the
    /// terms of zero cotangent entries. Each product is written as
    /// `out += g · other` with the cotangent `g` on the left, transposing
    /// where needed: `Ā += Ḡ Bᵀ` and `B̄ᵀ += Ḡᵀ A`, with a vector as a row
    /// or a column.
    fn vjp_skipping_zeros(&self, g: ArrayViewD<'_, f64>, adjoints: &mut [f64]) {
        let (a, b) = (self.lhs.view(), self.rhs.view());
        fn row(v: ArrayViewD<'_, f64>) -> ArrayView2<'_, f64> {
            as_vector(v).insert_axis(Axis(0))
        }
        fn column(v: ArrayViewD<'_, f64>) -> ArrayView2<'_, f64> {
            as_vector(v).insert_axis(Axis(1))
        }
        // For each operand: the cotangent factor, the other factor, and
        // whether the product is the transpose of the operand's adjoint.
        let (left_terms, right_terms) = match (a.ndim(), b.ndim()) {
            (2, 2) => (
                (as_matrix(g.clone()), as_matrix(b).reversed_axes(), false),
                (as_matrix(g).reversed_axes(), as_matrix(a), true),
            ),
            (2, 1) => (
                (column(g.clone()), row(b), false),
                (row(g), as_matrix(a), false),
            ),
            (1, 2) => (
                (row(g.clone()), as_matrix(b).reversed_axes(), false),
                (column(g), row(a), true),
            ),
            _ => {
                let g = g.into_shape_with_order((1, 1)).expect("a scalar");
                ((g, row(b), false), (g, row(a), false))
            }
        };
        for (slot, (g, other, transposed)) in [(&self.left, left_terms), (&self.right, right_terms)]
        {
            if let Some(slot) = slot {
                let adjoint = slot.adjoint_mut(adjoints);
                let out = match adjoint.ndim() {
                    1 => adjoint
                        .into_shape_with_order((1, g.nrows() * other.ncols()))
                        .expect("a vector's adjoint is one row of the product"),
                    _ => {
                        let matrix = adjoint.into_dimensionality::<Ix2>().expect("two axes");
                        if transposed {
                            matrix.reversed_axes()
                        } else {
                            matrix
                        }
                    }
                };
                add_product_skipping_zeros(out, g, other);
            }
        }
    }
}

/// Returns whether every element is finite.
fn all_finite(values: &ArrayViewD<'_, f64>) -> bool {
    let finite = |all: bool, v: &f64| all & v.is_finite();
    // Iterating a dynamic-dimensional view element by element is slow,
    // so a contiguous one is read as a slice.
    match values.as_slice_memory_order() {
        Some(elements) => elements.iter().fold(true, finite),
        None => values.iter().fold(true, finite),
    }
}

/// Adds `g · other` into `out`, leaving out the terms with
/// `g[i, j] = 0`.
fn add_product_skipping_zeros(
    mut out: ndarray::ArrayViewMut2<'_, f64>,
    g: ArrayView2<'_, f64>,
    other: ArrayView2<'_, f64>,
) {
    debug_assert_eq!(out.dim(), (g.nrows(), other.ncols()));
    for ((i, j), &gij) in g.indexed_iter() {
        if gij != 0.0 {
            for (o, &x) in out.row_mut(i).iter_mut().zip(other.row(j)) {
                *o += gij * x;
            }
        }
    }
}

fn as_matrix_mut<'a>(slot: &Slot, adjoints: &'a mut [f64]) -> ndarray::ArrayViewMut2<'a, f64> {
    slot.adjoint_mut(adjoints)
        .into_dimensionality::<Ix2>()
        .expect("matmul checked the number of dimensions")
}

fn as_vector_mut<'a>(slot: &Slot, adjoints: &'a mut [f64]) -> ndarray::ArrayViewMut1<'a, f64> {
    slot.adjoint_mut(adjoints)
        .into_dimensionality::<Ix1>()
        .expect("matmul checked the number of dimensions")
}

/// The product's value, after checking the shapes.
fn product(a: ArrayViewD<'_, f64>, b: ArrayViewD<'_, f64>) -> Result<ArrayD<f64>, Error> {
    let mismatch = |reason: String| Error::ShapeMismatch {
        op: "matmul",
        left: shape_vec(a.shape()),
        right: shape_vec(b.shape()),
        reason,
    };
    let invalid = |shape: &[usize]| Error::InvalidShape {
        op: "matmul",
        shape: shape_vec(shape),
        expected: "a matrix or a vector (batched products are not supported)",
    };
    for shape in [a.shape(), b.shape()] {
        if !(1..=2).contains(&shape.len()) {
            return Err(invalid(shape));
        }
    }
    // The contracted axes: the last of `a` and the first of a vector `b` or
    // the first of a matrix `b`.
    let inner_a = a.shape()[a.ndim() - 1];
    let inner_b = b.shape()[0];
    if inner_a != inner_b {
        return Err(mismatch(format!(
            "the inner dimensions {inner_a} and {inner_b} differ"
        )));
    }
    // The products write into buffers from the pool; with beta = 0 the
    // zeros they start from are never read.
    let value = match (a.ndim(), b.ndim()) {
        (2, 2) => {
            let (a, b) = (as_matrix(a), as_matrix(b));
            let mut out = pool::zeros(IxDyn(&[a.nrows(), b.ncols()]));
            let mut view = out
                .view_mut()
                .into_dimensionality::<Ix2>()
                .expect("a matrix");
            general_mat_mul(1.0, &a, &b, 0.0, &mut view);
            out
        }
        (2, 1) => {
            let (a, b) = (as_matrix(a), as_vector(b));
            let mut out = pool::zeros(IxDyn(&[a.nrows()]));
            let mut view = out
                .view_mut()
                .into_dimensionality::<Ix1>()
                .expect("a vector");
            general_mat_vec_mul(1.0, &a, &b, 0.0, &mut view);
            out
        }
        (1, 2) => {
            let (a, b) = (as_vector(a), as_matrix(b));
            let mut out = pool::zeros(IxDyn(&[b.ncols()]));
            let mut view = out
                .view_mut()
                .into_dimensionality::<Ix1>()
                .expect("a vector");
            general_mat_vec_mul(1.0, &b.t(), &a, 0.0, &mut view);
            out
        }
        _ => ArrayD::from_elem(IxDyn(&[]), as_vector(a).dot(&as_vector(b))),
    };
    Ok(value)
}

impl<'t> Tensor<'t> {
    /// The matrix product, with NumPy's `matmul` rules for one- and
    /// two-dimensional operands: `(m, k) × (k, n) → (m, n)`,
    /// `(m, k) × (k) → (m)`, `(k) × (k, n) → (n)` and `(k) × (k) → ()`.
    ///
    /// Derivative: for `C = A B`, `Ā = C̄ Bᵀ` and `B̄ = Aᵀ C̄`; the vector
    /// cases are the same with a vector read as a row or a column.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
    /// let g = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]);
    /// // sum(G ⊙ X Xᵀ) has gradient (G + Gᵀ) X.
    /// let loss = (&g * &x.matmul(&x.t())).sum();
    /// let grad = loss.gradient().wrt_tensor(&x);
    /// assert_eq!(grad, array![[17.0, 24.0], [29.0, 42.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if an operand has more than two dimensions or none, or if
    /// the inner dimensions differ; the message names both shapes.
    #[track_caller]
    pub fn matmul(&self, other: &Tensor<'t>) -> Tensor<'t> {
        expect_ok(self.try_matmul(other))
    }

    /// The matrix product, or an error for shapes it does not take.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidShape`] if an operand has more than two dimensions
    /// or none, and [`Error::ShapeMismatch`] if the inner dimensions differ.
    ///
    /// ```
    /// use adjoint_ndarray::{Error, Tensor};
    /// use ndarray::array;
    ///
    /// let a = Tensor::constant(array![[1.0, 2.0]]);
    /// assert_eq!(a.try_matmul(&a.t())?.value(), &array![[5.0]].into_dyn());
    /// assert!(matches!(a.try_matmul(&a), Err(Error::ShapeMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_matmul(&self, other: &Tensor<'t>) -> Result<Tensor<'t>, Error> {
        let value = product(self.value().view(), other.value().view())?;
        let value = PooledArray::shared(value);
        let Some(tape) = common_tape("matmul", [self.tape(), other.tape()]) else {
            return Ok(Tensor::constant_arc(value));
        };
        let shape = value.raw_dim();
        Ok(Tensor::record(
            tape,
            value,
            Matmul {
                left: self.slot(),
                right: other.slot(),
                lhs: Arc::clone(self.value_arc()),
                rhs: Arc::clone(other.value_arc()),
                shape,
            },
        ))
    }
}
