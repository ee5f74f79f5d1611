//! Elementary operations on [`Var`](crate::Var), one file per family; each
//! forward computation and its partial derivatives come from
//! [`rules`](crate::rules).

pub mod arith;
pub mod functions;
pub mod nary;
