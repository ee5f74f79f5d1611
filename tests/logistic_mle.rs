//! The logistic_mle example's fit against statsmodels.
//!
//! tests/fixtures/logistic_wine_reference.json holds statsmodels' Logit fit
//! of the same model (written by `python3 scripts/logistic_reference.py`).
//! The two fits share no code: statsmodels reads the wine CSV itself and
//! standardizes with numpy, so agreement checks the data pipeline, the
//! tape's gradient and Hessian, and the Newton iteration together.

#[path = "../examples/support/logistic.rs"]
mod logistic;

use adjoint::tensor::data::{self, Standardizer};
use ndarray::Array2;
use serde_json::Value;
use std::sync::OnceLock;

const REFERENCE: &str = include_str!("fixtures/logistic_wine_reference.json");

/// Relative tolerance against statsmodels. Both fits converge to rounding
/// and agree to better than 1e-12 on x86-64 Linux, so this leaves room for
/// other platforms' libm.
const TOLERANCE: f64 = 1e-8;

fn standardized_wine() -> (Array2<f64>, Vec<f64>) {
    let wine = data::wine_quality();
    let features = Standardizer::fit(wine.features()).transform(wine.features());
    let outcome = wine.labels().iter().map(|&label| label as f64).collect();
    (features, outcome)
}

/// The fit, computed once for all tests (about 3 s in a debug build).
fn wine_fit() -> &'static logistic::LogisticFit {
    static FIT: OnceLock<logistic::LogisticFit> = OnceLock::new();
    FIT.get_or_init(|| {
        let (features, outcome) = standardized_wine();
        logistic::fit(&features, &outcome).expect("the wine classes are not separable")
    })
}

fn reference_numbers(reference: &Value, key: &str) -> Vec<f64> {
    reference[key]
        .as_array()
        .unwrap_or_else(|| panic!("the fixture has no array {key:?}"))
        .iter()
        .map(|value| value.as_f64().expect("the fixture's arrays hold numbers"))
        .collect()
}

fn assert_close(name: &str, got: f64, expected: f64) {
    let error = (got - expected).abs() / expected.abs().max(f64::MIN_POSITIVE);
    assert!(
        error <= TOLERANCE,
        "{name}: got {got:e}, statsmodels {expected:e}, relative error {error:e} > {TOLERANCE:e}"
    );
}

#[test]
fn fit_matches_statsmodels() {
    let reference: Value = serde_json::from_str(REFERENCE).expect("the fixture is valid JSON");
    let (_, outcome) = standardized_wine();
    assert_eq!(reference["rows"].as_u64(), Some(outcome.len() as u64));
    let positives = outcome.iter().filter(|&&y| y == 1.0).count() as u64;
    assert_eq!(reference["positives"].as_u64(), Some(positives));

    let fit = wine_fit();
    let names: Vec<String> = reference["names"]
        .as_array()
        .expect("the fixture names its coefficients")
        .iter()
        .map(|name| name.as_str().expect("names are strings").to_owned())
        .collect();
    let columns = [
        ("coefficient", fit.coefficients.clone(), "coefficients"),
        ("std. error", fit.std_errors.clone(), "std_errors"),
        ("z value", fit.z_values(), "z_values"),
        ("p value", fit.p_values(), "p_values"),
    ];
    for (label, got, key) in columns {
        let expected = reference_numbers(&reference, key);
        assert_eq!(got.len(), expected.len(), "{label}: count");
        for ((name, got), expected) in names.iter().zip(got).zip(expected) {
            assert_close(&format!("{label} of {name}"), got, expected);
        }
    }
    let expected_ll = reference["log_likelihood"].as_f64().expect("a number");
    assert_close("log-likelihood", fit.log_likelihood, expected_ll);
}

#[test]
fn ascent_then_newton_raise_likelihood() {
    let fit = wine_fit();
    let rows = data::wine_quality().len();

    // At beta = 0 every probability is 1/2.
    let start = rows as f64 * 0.5_f64.ln();
    assert!((fit.ascent_trace[0] - start).abs() < 1e-9 * start.abs());
    assert_eq!(fit.ascent_trace.len(), logistic::GRADIENT_STEPS);
    for pair in fit.ascent_trace.windows(2) {
        assert!(pair[1] > pair[0], "gradient ascent went down: {pair:?}");
    }
    let after_ascent = fit.newton_trace[0];
    assert!(after_ascent > *fit.ascent_trace.last().expect("steps"));
    assert!(fit.log_likelihood >= after_ascent);
    assert!(
        fit.newton_trace.len() <= 6,
        "Newton took {} steps",
        fit.newton_trace.len()
    );
}

#[test]
fn tape_hessian_matches_formula() {
    let (features, outcome) = standardized_wine();
    let beta: Vec<f64> = (0..12).map(|i| 0.1 * i as f64 - 0.5).collect();
    let hessian = logistic::hessian(&beta, &features, &outcome);

    // For logistic regression H = -Σ pᵢ (1 - pᵢ) zᵢ zᵢᵀ with zᵢ = (1, xᵢ).
    let mut expected = vec![vec![0.0; 12]; 12];
    for row in features.outer_iter() {
        let z: Vec<f64> = std::iter::once(1.0).chain(row.iter().copied()).collect();
        let eta: f64 = z.iter().zip(&beta).map(|(a, b)| a * b).sum();
        let p = 1.0 / (1.0 + (-eta).exp());
        for i in 0..12 {
            for j in 0..12 {
                expected[i][j] -= p * (1.0 - p) * z[i] * z[j];
            }
        }
    }
    for i in 0..12 {
        for j in 0..12 {
            let scale = expected[i][i].abs().max(1.0);
            assert!(
                (hessian[i][j] - expected[i][j]).abs() < 1e-10 * scale,
                "H[{i}][{j}]: tape {}, formula {}",
                hessian[i][j],
                expected[i][j]
            );
        }
    }
}
