//! Reading tensor adjoints after a sweep, and the convenience functions
//! for functions of arrays.

use adjoint_tape::{Gradients, Tape, Var};
use ndarray::{Array, ArrayD, ArrayView, Dimension};

use crate::error::{Error, expect_ok};
use crate::tensor::{Tensor, shape_vec};

/// Copies the adjoint of `tensor` out of a sweep's buffer; nodes past the
/// end of the buffer (recorded after the swept output) have adjoint 0.
fn read_adjoint(adjoints: &[f64], tensor: &Tensor<'_>) -> ArrayD<f64> {
    let len = tensor.len();
    let mut out = Vec::with_capacity(len);
    if let Some(range) = tensor.node_range() {
        let available = range.start.min(adjoints.len())..range.end.min(adjoints.len());
        out.extend_from_slice(&adjoints[available]);
    }
    out.resize(len, 0.0);
    ArrayD::from_shape_vec(tensor.value().raw_dim(), out).expect("one adjoint per element")
}

/// Copies `adjoints[range]` into `out`, with zeros past the buffer's end.
fn copy_adjoint(adjoints: &[f64], range: std::ops::Range<usize>, out: &mut [f64]) {
    let available = range.start.min(adjoints.len())..range.end.min(adjoints.len());
    let copied = available.len();
    out[..copied].copy_from_slice(&adjoints[available]);
    out[copied..].fill(0.0);
}

/// Reads the adjoints of tensors from the [`Gradients`] of a scalar output.
///
/// ```
/// use adjoint_ndarray::{Tensor, TensorGradients};
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// let tape = Tape::new();
/// let x = Tensor::var(&tape, array![1.0, 2.0, 3.0]);
/// let loss = (&x * &x).sum();
/// assert_eq!(loss.gradient().wrt_tensor(&x), array![2.0, 4.0, 6.0].into_dyn());
/// ```
pub trait TensorGradients<'t> {
    /// The adjoint of `tensor`: the derivative of the swept output with
    /// respect to each element, in the tensor's shape. Zero for a constant
    /// and for a tensor recorded after the output.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 2.0]]);
    /// let loss = x.sum() * 3.0;
    /// assert_eq!(loss.gradient().wrt_tensor(&x), array![[3.0, 3.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `tensor` is on another tape than the swept output.
    fn wrt_tensor(&self, tensor: &Tensor<'t>) -> ArrayD<f64>;

    /// Writes the adjoint of `tensor` into `out` in row-major order,
    /// without allocating.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
    /// let loss = x.powi(2).sum();
    /// let mut out = [0.0; 4];
    /// loss.gradient().write_wrt_tensor(&x, &mut out);
    /// assert_eq!(out, [2.0, 4.0, 6.0, 8.0]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `out.len()` differs from `tensor.len()`, or if `tensor` is
    /// on another tape than the swept output.
    fn write_wrt_tensor(&self, tensor: &Tensor<'t>, out: &mut [f64]);
}

impl<'t> TensorGradients<'t> for Gradients<'t, f64> {
    fn wrt_tensor(&self, tensor: &Tensor<'t>) -> ArrayD<f64> {
        check_same_tape(self, tensor);
        read_adjoint(self.adjoints(), tensor)
    }

    fn write_wrt_tensor(&self, tensor: &Tensor<'t>, out: &mut [f64]) {
        assert!(
            out.len() == tensor.len(),
            "write_wrt_tensor: the output slice has {} slots, the tensor of shape {:?} has {} elements",
            out.len(),
            tensor.shape(),
            tensor.len()
        );
        check_same_tape(self, tensor);
        match tensor.node_range() {
            Some(range) => copy_adjoint(self.adjoints(), range, out),
            None => out.fill(0.0),
        }
    }
}

/// Panics if `tensor` is on another tape than `gradients`.
fn check_same_tape<'t>(gradients: &Gradients<'t, f64>, tensor: &Tensor<'t>) {
    // `Gradients::wrt` panics for a variable of another tape; the first
    // element stands for the whole tensor.
    if !tensor.is_empty() && !tensor.is_constant() {
        let _ = gradients.wrt(tensor.get(&vec![0; tensor.ndim()]));
    }
}

/// The adjoints of every node after a sweep seeded with a tensor
/// cotangent: the vector-Jacobian product of a tensor output.
///
/// ```
/// use adjoint_ndarray::Tensor;
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// let tape = Tape::new();
/// let x = Tensor::var(&tape, array![1.0, 2.0]);
/// let y = &x * &x;
/// let adjoints = y.vjp(array![1.0, 10.0].view());
/// assert_eq!(adjoints.wrt(&x), array![2.0, 40.0].into_dyn());
/// ```
#[derive(Debug)]
pub struct Adjoints<'t> {
    tape: Option<&'t Tape>,
    adjoints: Vec<f64>,
}

impl<'t> Adjoints<'t> {
    /// The adjoint of `tensor`, in its shape; zero for a constant.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![3.0]);
    /// let adjoints = x.exp().vjp(array![2.0].view());
    /// assert_eq!(adjoints.wrt(&x), array![2.0 * 3.0_f64.exp()].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `tensor` is on another tape than the swept output.
    pub fn wrt(&self, tensor: &Tensor<'t>) -> ArrayD<f64> {
        self.check_tape(tensor.tape());
        read_adjoint(&self.adjoints, tensor)
    }

    /// The adjoint of a scalar variable; zero for a constant.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let s = tape.var(2.0);
    /// let y = Tensor::constant(array![1.0, 2.0]) * s;
    /// assert_eq!(y.vjp(array![1.0, 1.0].view()).wrt_var(s), 3.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `var` is on another tape than the swept output.
    pub fn wrt_var(&self, var: Var<'t>) -> f64 {
        self.check_tape(var.tape());
        var.index()
            .and_then(|i| self.adjoints.get(i).copied())
            .unwrap_or(0.0)
    }

    /// The adjoints of all nodes up to the swept output, indexed by node.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![1.0, 2.0]);
    /// let y = &x * 2.0;
    /// assert_eq!(y.vjp(array![1.0, 1.0].view()).adjoints(), &[2.0, 2.0, 1.0, 1.0]);
    /// ```
    pub fn adjoints(&self) -> &[f64] {
        &self.adjoints
    }

    fn check_tape(&self, other: Option<&'t Tape>) {
        if let (Some(a), Some(b)) = (self.tape, other) {
            assert!(
                std::ptr::eq(a, b),
                "cannot read the adjoint of a tensor or variable of another tape: \
                 these adjoints come from a sweep of a different tape"
            );
        }
    }
}

impl<'t> Tensor<'t> {
    /// Runs one reverse sweep seeded with `cotangent` at this tensor's
    /// nodes: the vector-Jacobian product `cotangentᵀ J` (JAX's `vjp`).
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// // y = A x, so the vjp with cotangent c is Aᵀ c.
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![1.0, 1.0]);
    /// let a = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]);
    /// let y = a.matmul(&x);
    /// assert_eq!(y.vjp(array![1.0, 0.0].view()).wrt(&x), array![1.0, 2.0].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `cotangent`'s shape differs from the tensor's.
    #[track_caller]
    pub fn vjp<D: Dimension>(&self, cotangent: ArrayView<'_, f64, D>) -> Adjoints<'t> {
        expect_ok(self.try_vjp(cotangent))
    }

    /// The vector-Jacobian product, or an error for a cotangent of the wrong
    /// shape.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if `cotangent`'s shape differs from the
    /// tensor's.
    ///
    /// ```
    /// use adjoint_ndarray::{Error, Tensor};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![1.0, 2.0]);
    /// assert!(matches!(x.try_vjp(array![1.0].view()), Err(Error::ShapeMismatch { .. })));
    /// ```
    pub fn try_vjp<D: Dimension>(
        &self,
        cotangent: ArrayView<'_, f64, D>,
    ) -> Result<Adjoints<'t>, Error> {
        if cotangent.shape() != self.shape() {
            return Err(Error::ShapeMismatch {
                op: "vjp",
                left: shape_vec(self.shape()),
                right: shape_vec(cotangent.shape()),
                reason: "the cotangent must have the output's shape".into(),
            });
        }
        let mut adjoints = Vec::new();
        let (Some(tape), Some(range)) = (self.tape(), self.node_range()) else {
            return Ok(Adjoints {
                tape: None,
                adjoints,
            });
        };
        tape.sweep_into(&mut adjoints, range.end, |adj| {
            for (slot, &c) in adj[range].iter_mut().zip(cotangent.iter()) {
                *slot += c;
            }
        });
        Ok(Adjoints {
            tape: Some(tape),
            adjoints,
        })
    }
}

/// The value and the gradient of a scalar function of arrays, by one
/// recording and one reverse sweep. Each gradient has its input's shape.
///
/// The closure receives one input tensor per array.
///
/// ```
/// use ndarray::array;
///
/// let x = array![[1.0, 2.0], [3.0, 4.0]];
/// let (value, g) = adjoint_ndarray::value_and_gradient(|v| v[0].matmul(&v[0].t()).sum(), &[x]);
/// assert_eq!(value, 52.0);
/// assert_eq!(g[0], array![[8.0, 12.0], [8.0, 12.0]]);
/// ```
pub fn value_and_gradient<D, F>(f: F, inputs: &[Array<f64, D>]) -> (f64, Vec<Array<f64, D>>)
where
    D: Dimension,
    F: for<'t> Fn(&[Tensor<'t>]) -> Var<'t>,
{
    let tape = Tape::new();
    let tensors: Vec<Tensor<'_>> = inputs
        .iter()
        .map(|array| Tensor::var(&tape, array.clone()))
        .collect();
    let output = f(&tensors);
    let gradients = output.gradient();
    let arrays = tensors
        .iter()
        .map(|t| {
            gradients
                .wrt_tensor(t)
                .into_dimensionality::<D>()
                .expect("an input's adjoint has the input's shape")
        })
        .collect();
    (output.value(), arrays)
}

/// The gradient of a scalar function of arrays, by one reverse sweep; each
/// gradient has its input's shape.
///
/// ```
/// use ndarray::array;
///
/// // L = sum((A + b)²) with b broadcast over the rows of A.
/// let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// let b = array![[10.0, 20.0, 30.0]];
/// let g = adjoint_ndarray::gradient(|v| (&v[0] + &v[1]).powi(2).sum(), &[a, b]);
/// assert_eq!(g[1], array![[50.0, 94.0, 138.0]]);
/// ```
pub fn gradient<D, F>(f: F, inputs: &[Array<f64, D>]) -> Vec<Array<f64, D>>
where
    D: Dimension,
    F: for<'t> Fn(&[Tensor<'t>]) -> Var<'t>,
{
    value_and_gradient(f, inputs).1
}
