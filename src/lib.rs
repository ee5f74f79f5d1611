//! adjoint facade.
pub use adjoint_ndarray as tensor;
pub use adjoint_optim as optim;
pub use adjoint_tape::*;
