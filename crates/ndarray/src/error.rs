//! The crate's error type.

/// Errors from tensor operations, parameter sets and parameter files.
///
/// Arithmetic on tensors of incompatible shapes panics with the same
/// message, as ndarray does; the `try_` variants of the operations return
/// these errors instead.
///
/// ```
/// use adjoint_ndarray::{Error, Tensor};
/// use ndarray::array;
///
/// let a = Tensor::constant(array![[1.0, 2.0, 3.0]]);
/// let b = Tensor::constant(array![[1.0, 2.0]]);
/// let error = a.try_matmul(&b).unwrap_err();
/// assert!(matches!(error, Error::ShapeMismatch { op: "matmul", .. }));
/// assert_eq!(
///     error.to_string(),
///     "matmul: shapes [1, 3] and [1, 2] are incompatible: the inner dimensions 3 and 1 differ"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two operands' shapes do not fit the operation.
    #[error("{op}: shapes {left:?} and {right:?} are incompatible: {reason}")]
    ShapeMismatch {
        /// The operation (`"add"`, `"matmul"`, `"concatenate"`, …).
        op: &'static str,
        /// Shape of the left (or first) operand.
        left: Vec<usize>,
        /// Shape of the right (or second) operand.
        right: Vec<usize>,
        /// The operation's requirement, in words.
        reason: String,
    },

    /// An operand has a number of dimensions the operation does not take.
    #[error("{op}: expected {expected}, got a tensor of shape {shape:?}")]
    InvalidShape {
        /// The operation.
        op: &'static str,
        /// The shape of the operand.
        shape: Vec<usize>,
        /// The accepted shapes, in words (`"a matrix or a vector"`).
        expected: &'static str,
    },

    /// An axis is not below the number of dimensions.
    #[error("{op}: axis {axis} is out of range for a tensor of {ndim} dimensions")]
    AxisOutOfRange {
        /// The operation.
        op: &'static str,
        /// The rejected axis.
        axis: usize,
        /// The tensor's number of dimensions.
        ndim: usize,
    },

    /// An index (a row, a class label, an element) is out of range.
    #[error("{op}: index {index} is out of range for length {len}")]
    IndexOutOfRange {
        /// The operation.
        op: &'static str,
        /// The rejected index.
        index: usize,
        /// The length of the indexed axis.
        len: usize,
    },

    /// A bound of a slice lies outside its axis. Bounds run from `-len`
    /// to `len`, and negative ones count from the end.
    #[error(
        "{op}: slice bound {bound} is out of range for an axis of length {len}: \
         use a bound from -{len} to {len}"
    )]
    SliceBoundOutOfRange {
        /// The operation.
        op: &'static str,
        /// The rejected bound, as passed: the start, or the end if the
        /// start is valid.
        bound: isize,
        /// The length of the sliced axis.
        len: usize,
    },

    /// A number of values does not fit the requested shape or count.
    #[error("{op}: expected {expected} {counted}, got {found}")]
    LengthMismatch {
        /// The operation.
        op: &'static str,
        /// The kind of value counted, and how many of it the operation
        /// needs.
        counted: &'static str,
        /// The number of values the operation needs.
        expected: usize,
        /// The number of values passed.
        found: usize,
    },

    /// The operation needs at least one element or operand.
    #[error("{op}: needs at least one {what}, got none")]
    Empty {
        /// The operation.
        op: &'static str,
        /// The missing kind of item (`"element"`, `"tensor"`).
        what: &'static str,
    },

    /// A layer was given an invalid size.
    #[error("invalid layer sizes {sizes:?}: {reason}")]
    InvalidLayer {
        /// The sizes that were passed.
        sizes: Vec<usize>,
        /// The problem with the sizes.
        reason: &'static str,
    },

    /// A parameter name is already taken in the parameter set.
    #[error("a parameter named {name:?} already exists; give each parameter a unique name")]
    DuplicateParameter {
        /// The name.
        name: String,
    },

    /// A parameter file does not match the parameter set it is loaded into.
    #[error("parameter file does not match the model: {reason}")]
    ParameterMismatch {
        /// The difference, naming the parameter.
        reason: String,
    },

    /// A parameter value is NaN or infinite, which JSON cannot store.
    #[error("parameter {name:?} has the non-finite value {value} at flat index {index}")]
    NonFiniteParameter {
        /// The parameter.
        name: String,
        /// Flat index of the value inside the parameter.
        index: usize,
        /// The value.
        value: f64,
    },

    /// A parameter file is not valid JSON of the expected form.
    #[error("invalid parameter file: {0}")]
    Json(#[from] serde_json::Error),

    /// Reading or writing a parameter file failed.
    #[error("parameter file: {0}")]
    Io(#[from] std::io::Error),
}

/// Unwraps `result`, panicking with the error's message.
#[track_caller]
pub(crate) fn expect_ok<T>(result: Result<T, Error>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("{error}"),
    }
}
