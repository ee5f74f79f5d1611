//! `Tensor`: an n-dimensional array recorded on a tape as one node per
//! element.

use std::fmt;
use std::ops::Range;
use std::ptr;
use std::sync::Arc;

use adjoint_tape::{CustomOp, Tape, Var};
use ndarray::{Array, ArrayD, ArrayViewD, ArrayViewMutD, Dimension, IxDyn};

use crate::error::{Error, expect_ok};
use crate::pool::PooledArray;

/// An n-dimensional array of `f64` whose elements are nodes of a [`Tape`].
///
/// A tensor that is on a tape occupies `len()` consecutive node indices,
/// one per element in row-major (standard) order, so its adjoint after a
/// reverse sweep is one slice of the sweep's adjoint buffer. Reshapes and
/// slices of consecutive elements share the nodes of the tensor they come
/// from. A tensor can
/// also be a constant on no tape ([`Tensor::constant`]), whose adjoint is
/// never read.
///
/// Scalar [`Var`]s and tensors mix on one tape: [`Tensor::sum`] returns a
/// `Var`, `tensor * var` scales a tensor by a `Var`, and
/// [`Tensor::from_vars`] builds a tensor from `Var`s.
///
/// Cloning a tensor is cheap: the value is shared behind an [`Arc`].
///
/// ```
/// use adjoint_ndarray::{Tensor, TensorGradients};
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// let tape = Tape::new();
/// let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
/// let loss = x.matmul(&x.t()).sum(); // sum(X Xᵀ)
/// assert_eq!(loss.value(), 52.0);
/// let grads = loss.gradient();
/// assert_eq!(grads.wrt_tensor(&x), array![[8.0, 12.0], [8.0, 12.0]].into_dyn());
/// ```
#[derive(Clone)]
pub struct Tensor<'t> {
    /// The tape and the index of the first element's node; `None` for a
    /// constant.
    node: Option<(&'t Tape, usize)>,
    value: Arc<PooledArray>,
}

impl fmt::Debug for Tensor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Tensor");
        match self.node {
            Some((_, start)) => s.field("nodes", &(start..start + self.len())),
            None => s.field("nodes", &"constant"),
        };
        s.field("value", &**self.value).finish()
    }
}

/// The node range and shape of an operand that is on a tape: where its
/// adjoint lives in the sweep's buffer.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub(crate) start: usize,
    pub(crate) shape: IxDyn,
}

impl Slot {
    /// The operand's adjoint, as a mutable view of its shape.
    pub(crate) fn adjoint_mut<'a>(&self, adjoints: &'a mut [f64]) -> ArrayViewMutD<'a, f64> {
        let len = self.shape.size();
        ArrayViewMutD::from_shape(
            self.shape.clone(),
            &mut adjoints[self.start..self.start + len],
        )
        .expect("a slot's node range has one node per element of its shape")
    }
}

impl Slot {
    /// Returns the number of elements (and of nodes) of the operand.
    pub(crate) fn len(&self) -> usize {
        self.shape.size()
    }

    /// Returns the operand's adjoint as a flat slice in row-major order.
    pub(crate) fn adjoint_slice<'a>(&self, adjoints: &'a mut [f64]) -> &'a mut [f64] {
        &mut adjoints[self.start..self.start + self.len()]
    }
}

/// The cotangent of an operation's output, as a view of the output shape.
pub(crate) fn cotangent_view<'a>(shape: &IxDyn, cotangent: &'a [f64]) -> ArrayViewD<'a, f64> {
    ArrayViewD::from_shape(shape.clone(), cotangent)
        .expect("a custom node's cotangent has one entry per output element")
}

/// A leaf range: input nodes whose vjp passes nothing on.
pub(crate) struct Leaf;

impl CustomOp<f64> for Leaf {
    fn name(&self) -> &'static str {
        "tensor input"
    }

    fn vjp(&self, _cotangent: &[f64], _adjoints: &mut [f64]) {}
}

/// Records `vars` as one tensor node range.
struct FromVars {
    /// Node index of each element's variable, `None` for constants.
    indices: Vec<Option<usize>>,
}

impl CustomOp<f64> for FromVars {
    fn name(&self) -> &'static str {
        "from_vars"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        for (&g, index) in cotangent.iter().zip(&self.indices) {
            if let Some(i) = *index {
                adjoints[i] += g;
            }
        }
    }
}

#[cold]
#[inline(never)]
fn mixed_tapes(op: &str) -> ! {
    panic!(
        "{op}: cannot combine tensors or variables of two different tapes; \
         record the whole function on one tape"
    )
}

/// The tape shared by the operands that are on one, or `None` if all are
/// constants.
///
/// # Panics
///
/// Panics, naming `op`, if two operands are on different tapes.
pub(crate) fn common_tape<'t>(
    op: &str,
    tapes: impl IntoIterator<Item = Option<&'t Tape>>,
) -> Option<&'t Tape> {
    let mut found: Option<&'t Tape> = None;
    for tape in tapes.into_iter().flatten() {
        match found {
            None => found = Some(tape),
            Some(first) if !ptr::eq(first, tape) => mixed_tapes(op),
            Some(_) => {}
        }
    }
    found
}

/// Converts a shape's dimensions to a `Vec` for error messages.
pub(crate) fn shape_vec(shape: &[usize]) -> Vec<usize> {
    shape.to_vec()
}

impl<'t> Tensor<'t> {
    /// Records `value` as an input tensor (a leaf range of nodes) on `tape`.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![1.0, 2.0, 3.0]);
    /// assert_eq!(x.shape(), &[3]);
    /// assert_eq!(x.node_range(), Some(0..3));
    /// assert_eq!(tape.len(), 3);
    /// ```
    pub fn var<D: Dimension>(tape: &'t Tape, value: Array<f64, D>) -> Self {
        Self::record(tape, PooledArray::shared(value.into_dyn()), Leaf)
    }

    /// A constant tensor on no tape: its adjoint is never computed, and it
    /// costs no nodes.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let c = Tensor::constant(array![[1.0, 2.0]]);
    /// assert!(c.is_constant());
    /// assert_eq!(c.node_range(), None);
    /// ```
    pub fn constant<D: Dimension>(value: Array<f64, D>) -> Self {
        Self::constant_arc(PooledArray::shared(value.into_dyn()))
    }

    /// A 0-dimensional tensor that is the scalar `var` itself: no node is
    /// recorded, and the tensor's adjoint is the variable's.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    ///
    /// let tape = Tape::new();
    /// let s = tape.var(2.0);
    /// let t = Tensor::from_var(s);
    /// assert_eq!(t.shape(), &[] as &[usize]);
    /// assert_eq!(t.node_range(), Some(0..1));
    /// ```
    pub fn from_var(var: Var<'t>) -> Self {
        let value = PooledArray::shared(ArrayD::from_elem(IxDyn(&[]), var.value()));
        match (var.tape(), var.index()) {
            (Some(tape), Some(index)) => Self {
                node: Some((tape, index)),
                value,
            },
            _ => Self::constant_arc(value),
        }
    }

    /// Builds a tensor of `shape` from scalar variables in row-major order,
    /// recorded as one node range whose adjoint flows back to each `Var`.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    ///
    /// let tape = Tape::new();
    /// let v = tape.vars(&[1.0, 2.0, 3.0, 4.0]);
    /// let t = Tensor::from_vars(&v, &[2, 2]);
    /// let loss = (&t * &t).sum(); // Σ vᵢ²
    /// assert_eq!(loss.gradient().wrt_all(&v), vec![2.0, 4.0, 6.0, 8.0]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the number of variables differs from the number of
    /// elements of `shape`, or if the variables are on different tapes.
    #[track_caller]
    pub fn from_vars(vars: &[Var<'t>], shape: &[usize]) -> Self {
        expect_ok(Self::try_from_vars(vars, shape))
    }

    /// Builds a tensor from scalar variables, or returns an error.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `vars.len()` differs from the number of
    /// elements of `shape`.
    ///
    /// ```
    /// use adjoint_ndarray::{Error, Tensor};
    /// use adjoint_tape::Tape;
    ///
    /// let tape = Tape::new();
    /// let v = tape.vars(&[1.0, 2.0, 3.0]);
    /// let error = Tensor::try_from_vars(&v, &[2, 2]).unwrap_err();
    /// assert!(matches!(error, Error::LengthMismatch { expected: 4, found: 3, .. }));
    /// assert_eq!(
    ///     error.to_string(),
    ///     "from_vars: expected 4 variables, one per element of the shape, got 3"
    /// );
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the variables are on different tapes.
    pub fn try_from_vars(vars: &[Var<'t>], shape: &[usize]) -> Result<Self, Error> {
        let expected: usize = shape.iter().product();
        if vars.len() != expected {
            return Err(Error::LengthMismatch {
                op: "from_vars",
                counted: "variables, one per element of the shape",
                expected,
                found: vars.len(),
            });
        }
        let values: Vec<f64> = vars.iter().map(|v| v.value()).collect();
        let value = PooledArray::shared(
            ArrayD::from_shape_vec(IxDyn(shape), values)
                .expect("the element count was checked against the shape"),
        );
        let Some(tape) = common_tape("from_vars", vars.iter().map(|v| v.tape())) else {
            return Ok(Self::constant_arc(value));
        };
        let indices = vars.iter().map(|v| v.index()).collect();
        Ok(Self::record(tape, value, FromVars { indices }))
    }

    /// Wraps a shared value as a constant.
    pub(crate) fn constant_arc(value: Arc<PooledArray>) -> Self {
        Self { node: None, value }
    }

    /// Wraps `value` as the tensor of nodes `start..start + len` of `tape`,
    /// which the caller has recorded.
    pub(crate) fn on_tape(tape: &'t Tape, start: usize, value: Arc<PooledArray>) -> Self {
        Self {
            node: Some((tape, start)),
            value,
        }
    }

    /// Wraps `value` as the tensor of nodes `offset..offset + value.len()`
    /// of this tensor's range: a part of it (or all of it) in row-major
    /// order, which needs no node of its own. A constant stays a constant.
    pub(crate) fn alias(&self, offset: usize, value: ArrayD<f64>) -> Self {
        debug_assert!(offset + value.len() <= self.len());
        let value = PooledArray::shared(value);
        match self.node {
            Some((tape, start)) if !value.is_empty() => Self::on_tape(tape, start + offset, value),
            _ => Self::constant_arc(value),
        }
    }

    /// Records `op` with one output node per element of `value` and returns
    /// the output tensor. An empty value needs no nodes and is returned as a
    /// constant.
    pub(crate) fn record(
        tape: &'t Tape,
        value: Arc<PooledArray>,
        op: impl CustomOp<f64> + 'static,
    ) -> Self {
        if value.is_empty() {
            return Self::constant_arc(value);
        }
        let start = tape.push_custom(value.len(), Box::new(op));
        Self::on_tape(tape, start, value)
    }

    /// The operand's slot, or `None` for a constant.
    pub(crate) fn slot(&self) -> Option<Slot> {
        self.node.map(|(_, start)| Slot {
            start,
            shape: self.value.raw_dim(),
        })
    }

    /// The shared value, for operations that keep it for their vjp.
    pub(crate) fn value_arc(&self) -> &Arc<PooledArray> {
        &self.value
    }

    /// The primal value.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use ndarray::array;
    ///
    /// let t = Tensor::constant(array![1.0, 2.0]);
    /// assert_eq!(t.value(), &array![1.0, 2.0].into_dyn());
    /// ```
    pub fn value(&self) -> &ArrayD<f64> {
        &self.value
    }

    /// The shape.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// assert_eq!(Tensor::constant(ndarray::Array2::<f64>::zeros((2, 3))).shape(), &[2, 3]);
    /// ```
    pub fn shape(&self) -> &[usize] {
        self.value.shape()
    }

    /// The number of dimensions.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// assert_eq!(Tensor::constant(ndarray::Array2::<f64>::zeros((2, 3))).ndim(), 2);
    /// ```
    pub fn ndim(&self) -> usize {
        self.value.ndim()
    }

    /// The number of elements (and of nodes, for a tensor on a tape).
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// assert_eq!(Tensor::constant(ndarray::Array2::<f64>::zeros((2, 3))).len(), 6);
    /// ```
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// Whether the tensor has no elements.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// assert!(Tensor::constant(ndarray::Array1::<f64>::zeros(0)).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Whether the tensor is a constant on no tape.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    ///
    /// let tape = Tape::new();
    /// assert!(!Tensor::var(&tape, ndarray::array![1.0]).is_constant());
    /// ```
    pub fn is_constant(&self) -> bool {
        self.node.is_none()
    }

    /// The tape the tensor is recorded on, or `None` for a constant.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, ndarray::array![1.0]);
    /// assert!(std::ptr::eq(x.tape().unwrap(), &tape));
    /// ```
    pub fn tape(&self) -> Option<&'t Tape> {
        self.node.map(|(tape, _)| tape)
    }

    /// The node indices of the elements, in row-major order, or `None` for
    /// a constant.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    ///
    /// let tape = Tape::new();
    /// let _a = tape.var(1.0);
    /// let x = Tensor::var(&tape, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(x.node_range(), Some(1..5));
    /// ```
    pub fn node_range(&self) -> Option<Range<usize>> {
        self.node.map(|(_, start)| start..start + self.len())
    }

    /// The element at flat (row-major) position `flat` as a scalar `Var`.
    fn element(&self, flat: usize, value: f64) -> Var<'t> {
        match self.node {
            Some((tape, start)) => tape.custom_output(start + flat, value),
            None => Var::constant(value),
        }
    }

    /// The element at `index` as a scalar `Var` whose adjoint flows back
    /// into this tensor.
    ///
    /// ```
    /// use adjoint_ndarray::{Tensor, TensorGradients};
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
    /// let y = x.get(&[1, 0]) * 5.0;
    /// assert_eq!(y.value(), 15.0);
    /// assert_eq!(y.gradient().wrt_tensor(&x), array![[0.0, 0.0], [5.0, 0.0]].into_dyn());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `index` does not have one entry per dimension or an entry
    /// is out of range.
    #[track_caller]
    pub fn get(&self, index: &[usize]) -> Var<'t> {
        let shape = self.shape();
        assert!(
            index.len() == shape.len(),
            "get: index {index:?} needs one entry per dimension of shape {shape:?}"
        );
        let mut flat = 0;
        for (axis, (&i, &n)) in index.iter().zip(shape).enumerate() {
            assert!(
                i < n,
                "get: index {index:?} is out of range for shape {shape:?} (axis {axis})"
            );
            flat = flat * n + i;
        }
        let value = self.value[IxDyn(index)];
        self.element(flat, value)
    }

    /// Every element as a scalar `Var`, in row-major order.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
    /// let v = x.to_vars();
    /// assert_eq!(v.iter().map(|v| v.value()).collect::<Vec<_>>(), [1.0, 2.0, 3.0, 4.0]);
    /// let y = v[1] * v[2];
    /// assert_eq!(y.gradient().wrt(v[1]), 3.0);
    /// ```
    pub fn to_vars(&self) -> Vec<Var<'t>> {
        self.value
            .iter()
            .enumerate()
            .map(|(flat, &value)| self.element(flat, value))
            .collect()
    }

    /// The single element of a one-element tensor (of any shape) as a
    /// scalar `Var`.
    ///
    /// ```
    /// use adjoint_ndarray::Tensor;
    /// use adjoint_tape::Tape;
    /// use ndarray::array;
    ///
    /// let tape = Tape::new();
    /// let x = Tensor::var(&tape, array![[3.0]]);
    /// assert_eq!(x.to_scalar().value(), 3.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the tensor does not have exactly one element.
    #[track_caller]
    pub fn to_scalar(&self) -> Var<'t> {
        assert!(
            self.len() == 1,
            "to_scalar needs a tensor of one element, got shape {:?}; reduce it first \
             (sum, mean) or pick an element with get",
            self.shape()
        );
        let value = *self.value.iter().next().expect("one element");
        self.element(0, value)
    }
}

impl<'t> From<Var<'t>> for Tensor<'t> {
    fn from(var: Var<'t>) -> Self {
        Self::from_var(var)
    }
}

/// Tensor constructors as methods of [`Tape`].
///
/// ```
/// use adjoint_ndarray::TapeExt;
/// use adjoint_tape::Tape;
/// use ndarray::array;
///
/// let tape = Tape::new();
/// let x = tape.tensor(array![1.0, 2.0]);
/// assert_eq!(x.sum().gradient().adjoints(), &[1.0, 1.0, 1.0]);
/// ```
pub trait TapeExt {
    /// Records `value` as an input tensor on this tape, as
    /// [`Tensor::var`] does.
    ///
    /// ```
    /// use adjoint_ndarray::TapeExt;
    /// use adjoint_tape::Tape;
    ///
    /// let tape = Tape::new();
    /// assert_eq!(tape.tensor(ndarray::array![[1.0, 2.0]]).node_range(), Some(0..2));
    /// ```
    fn tensor<D: Dimension>(&self, value: Array<f64, D>) -> Tensor<'_>;
}

impl TapeExt for Tape {
    fn tensor<D: Dimension>(&self, value: Array<f64, D>) -> Tensor<'_> {
        Tensor::var(self, value)
    }
}
