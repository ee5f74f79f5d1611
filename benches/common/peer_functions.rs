//! The benchmark functions of `functions.rs` for number types that do not
//! implement [`num_traits::Float`]: num-dual's dual numbers (its
//! `DualNum` trait), and the variables of the `reverse` and `easy-ml`
//! crates. Each is the same sequence of operations as the `Float` version,
//! so the timings compare like with like.
//!
//! Include it with `#[path = "common/peer_functions.rs"] mod peer_functions;`
//! beside `functions.rs`.

#![allow(
    dead_code,
    reason = "each bench that includes this file uses a different subset"
)]

use num_dual::DualNum;

use crate::functions::{MIXTURE_POINTS, mixture_point};

/// Computes [`crate::functions::rosenbrock`] over num-dual's number types.
pub fn rosenbrock_dual<D: DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
    let hundred = D::from(100.0);
    let one = D::from(1.0);
    let mut total = D::from(0.0);
    for pair in x.windows(2) {
        let a = pair[1] - pair[0] * pair[0];
        let b = one - pair[0];
        total = total + hundred * a * a + b * b;
    }
    total
}

/// Computes [`crate::functions::mixture`] over num-dual's number types.
pub fn mixture_dual<D: DualNum<Primitive = f64> + Copy>(means: &[D]) -> D {
    let half = D::from(-0.5);
    let mut total = D::from(0.0);
    let mut terms: Vec<D> = Vec::with_capacity(means.len());
    for j in 0..MIXTURE_POINTS {
        let point = D::from(mixture_point(j));
        terms.clear();
        terms.extend(means.iter().map(|&mu| {
            let r = point - mu;
            half * r * r
        }));
        let max = terms
            .iter()
            .map(|t| t.re())
            .fold(f64::NEG_INFINITY, f64::max);
        let shift = D::from(max);
        let mut sum = D::from(0.0);
        for &t in &terms {
            sum += (t - shift).exp();
        }
        total = total + shift + sum.ln();
    }
    total
}

/// Computes [`crate::functions::rosenbrock`] over the `reverse` crate's variables.
pub fn rosenbrock_reverse<'a>(x: &[reverse::Var<'a>]) -> reverse::Var<'a> {
    let mut total = x[0] * 0.0;
    for pair in x.windows(2) {
        let a = pair[1] - pair[0] * pair[0];
        let b = 1.0 - pair[0];
        total = total + 100.0 * a * a + b * b;
    }
    total
}

/// Computes [`crate::functions::mixture`] over the `reverse` crate's variables.
pub fn mixture_reverse<'a>(means: &[reverse::Var<'a>]) -> reverse::Var<'a> {
    let mut total = means[0] * 0.0;
    let mut terms = Vec::with_capacity(means.len());
    for j in 0..MIXTURE_POINTS {
        let point = mixture_point(j);
        terms.clear();
        terms.extend(means.iter().map(|&mu| {
            let r = point - mu;
            -0.5 * r * r
        }));
        let max = terms
            .iter()
            .map(|t| t.val())
            .fold(f64::NEG_INFINITY, f64::max);
        let mut sum = means[0] * 0.0;
        for &t in &terms {
            sum = sum + (t - max).exp();
        }
        total = total + max + sum.ln();
    }
    total
}

type Record<'a> = easy_ml::differentiation::Record<'a, f64>;

/// Computes [`crate::functions::rosenbrock`] over easy-ml's `Record`s.
pub fn rosenbrock_easy_ml<'a>(x: &[Record<'a>]) -> Record<'a> {
    let mut total = Record::constant(0.0);
    for pair in x.windows(2) {
        let a = pair[1] - pair[0] * pair[0];
        let b = Record::constant(1.0) - pair[0];
        total = total + Record::constant(100.0) * a * a + b * b;
    }
    total
}

/// Computes [`crate::functions::mixture`] over easy-ml's `Record`s.
pub fn mixture_easy_ml<'a>(means: &[Record<'a>]) -> Record<'a> {
    use easy_ml::numeric::extra::{Exp, Ln};

    let mut total = Record::constant(0.0);
    let mut terms = Vec::with_capacity(means.len());
    for j in 0..MIXTURE_POINTS {
        let point = Record::constant(mixture_point(j));
        terms.clear();
        terms.extend(means.iter().map(|&mu| {
            let r = point - mu;
            Record::constant(-0.5) * r * r
        }));
        let max = terms
            .iter()
            .map(|t| t.number)
            .fold(f64::NEG_INFINITY, f64::max);
        let shift = Record::constant(max);
        let mut sum = Record::constant(0.0);
        for &t in &terms {
            sum = sum + (t - shift).exp();
        }
        total = total + shift + sum.ln();
    }
    total
}
