//! Custom operations: nodes with a user-supplied vector-Jacobian product.

/// An operation recorded with its own vector-Jacobian product, like
/// `jax.custom_vjp` or `torch.autograd.Function`.
///
/// The tensor nodes of `adjoint-ndarray` are custom operations. An
/// operation occupies a range of consecutive node indices (one per output
/// element, see [`Tape::push_custom`](crate::Tape::push_custom)); when the
/// reverse sweep reaches that range it calls [`vjp`](Self::vjp) with the
/// adjoints of the outputs, unless they are all zero.
pub trait CustomOp<T>: Send {
    /// Name of the operation, for error messages and tape statistics.
    fn name(&self) -> &'static str;

    /// Adds the vector-Jacobian product `cotangentᵀ J` into `adjoints`.
    ///
    /// `cotangent` holds the adjoints of the operation's outputs, in output
    /// order. `adjoints` holds the adjoints of every node recorded before the
    /// operation, indexed by node: add into the entries of the operation's
    /// inputs (never overwrite, since other consumers contribute too).
    fn vjp(&self, cotangent: &[T], adjoints: &mut [T]);
}

/// A recorded custom operation and its output node range.
pub(crate) struct CustomNode<T> {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) op: Box<dyn CustomOp<T>>,
}
