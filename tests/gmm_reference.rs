//! Checks the ADBench Gaussian mixture model objective and its gradients
//! against ADBench's published values for its tiny test problem and against
//! central finite differences on the larger inputs.

#[path = "../benches/common/gmm.rs"]
mod gmm;

use gmm::{GmmInput, gradient_analytic, objective_f64, objective_generic};

/// ADBench's `test.txt` (d = 2, K = 3, n = 1), copied into the repository.
const FIXTURE: &str = include_str!("data/gmm_test.txt");

/// ADBench's GMM inputs with 1000 points each, kept beside the repository
/// rather than in it because of their size.
const DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/adbench-gmm");

// The published values keep all the digits ADBench prints, more than an f64
// can represent.

/// ADBench's published objective for `test.txt`.
#[expect(clippy::excessive_precision, reason = "digits as published")]
const PUBLISHED_OBJECTIVE: f64 = 8.073_804_080_049_757_91;
/// ADBench's published first two and last gradient entries for `test.txt`.
#[expect(clippy::excessive_precision, reason = "digits as published")]
const PUBLISHED_GRADIENT_HEAD: [f64; 2] = [0.108_662_855_508_652_456, -0.741_270_039_523_898_472];
#[expect(clippy::excessive_precision, reason = "digits as published")]
const PUBLISHED_GRADIENT_LAST: f64 = -0.994_640_930_466_322_848;

fn fixture() -> GmmInput {
    GmmInput::parse(FIXTURE).expect("the test.txt fixture parses")
}

/// Loads one file of the shared data folder. A missing file panics with the
/// path, because CI has the folder and its absence is a setup error.
fn load_shared(name: &str) -> GmmInput {
    let path = format!("{DATA_DIR}/{name}");
    GmmInput::load(&path).unwrap_or_else(|error| {
        panic!("the ADBench GMM data must be at {DATA_DIR} next to the repository: {error}")
    })
}

/// `gmm_d10_K5.txt` cut to its first 20 points, so that finite differences
/// over its 330 parameters stay fast in debug builds.
fn d10_k5_subset() -> GmmInput {
    let mut input = load_shared("gmm_d10_K5.txt");
    input.truncate_points(20);
    input
}

fn relative_error(actual: f64, expected: f64) -> f64 {
    (actual - expected).abs() / expected.abs()
}

fn analytic(input: &GmmInput, params: &[f64]) -> (f64, Vec<f64>) {
    let mut gradient = vec![f64::NAN; params.len()];
    let value = gradient_analytic(input, params, &mut gradient);
    (value, gradient)
}

/// Central differences with Richardson extrapolation over steps `h` and
/// `h / 2`, which cancels the `h^2` error term.
fn finite_difference_gradient(f: impl Fn(&[f64]) -> f64, params: &[f64]) -> Vec<f64> {
    let mut shifted = params.to_vec();
    let mut central = |index: usize, h: f64| {
        shifted[index] = params[index] + h;
        let plus = f(&shifted);
        shifted[index] = params[index] - h;
        let minus = f(&shifted);
        shifted[index] = params[index];
        (plus - minus) / (2.0 * h)
    };
    (0..params.len())
        .map(|index| {
            let h = 1e-3 * (1.0 + params[index].abs());
            let coarse = central(index, h);
            let fine = central(index, 0.5 * h);
            (4.0 * fine - coarse) / 3.0
        })
        .collect()
}

/// Asserts that each entry of `actual` is within `tolerance` of `expected`,
/// relative to the entry's magnitude or, for entries near zero, to the
/// largest entry of `expected`.
fn assert_gradients_close(actual: &[f64], expected: &[f64], tolerance: f64, label: &str) {
    assert_eq!(actual.len(), expected.len(), "{label}: gradient lengths");
    let largest = expected.iter().fold(0.0f64, |acc, g| acc.max(g.abs()));
    for (index, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let scale = e.abs().max(1e-3 * largest);
        assert!(
            (a - e).abs() <= tolerance * scale,
            "{label}: entry {index} is {a}, expected {e} (relative error {:e}, tolerance {tolerance:e})",
            (a - e).abs() / scale
        );
    }
}

#[test]
fn objective_matches_published_value() {
    let input = fixture();
    let value = objective_f64(&input, &input.params());
    assert!(
        relative_error(value, PUBLISHED_OBJECTIVE) <= 1e-12,
        "objective {value:.17}, published {PUBLISHED_OBJECTIVE:.17}"
    );
}

#[test]
fn analytic_gradient_matches_published_entries() {
    let input = fixture();
    let (value, gradient) = analytic(&input, &input.params());
    assert_eq!(gradient.len(), 18);
    for (index, &published) in PUBLISHED_GRADIENT_HEAD.iter().enumerate() {
        assert!(
            relative_error(gradient[index], published) <= 1e-12,
            "gradient entry {index} is {:.17}, published {published:.17}",
            gradient[index]
        );
    }
    assert!(
        relative_error(gradient[17], PUBLISHED_GRADIENT_LAST) <= 1e-12,
        "gradient entry 17 is {:.17}, published {PUBLISHED_GRADIENT_LAST:.17}",
        gradient[17]
    );
    assert!(
        relative_error(value, PUBLISHED_OBJECTIVE) <= 1e-12,
        "objective returned with the gradient {value:.17}, published {PUBLISHED_OBJECTIVE:.17}"
    );
}

#[test]
fn analytic_gradient_matches_fd_fixture() {
    let input = fixture();
    let params = input.params();
    let (_, gradient) = analytic(&input, &params);
    let numeric = finite_difference_gradient(|p| objective_f64(&input, p), &params);
    assert_gradients_close(&gradient, &numeric, 1e-7, "test.txt");
}

#[test]
fn analytic_gradient_matches_fd_d2_k5() {
    let input = load_shared("gmm_d2_K5.txt");
    let params = input.params();
    let (_, gradient) = analytic(&input, &params);
    let numeric = finite_difference_gradient(|p| objective_f64(&input, p), &params);
    assert_gradients_close(&gradient, &numeric, 1e-7, "gmm_d2_K5");
}

#[test]
fn analytic_gradient_matches_fd_d10_k5() {
    let input = d10_k5_subset();
    let params = input.params();
    let (_, gradient) = analytic(&input, &params);
    let numeric = finite_difference_gradient(|p| objective_f64(&input, p), &params);
    assert_gradients_close(&gradient, &numeric, 1e-7, "gmm_d10_K5, 20 points");
}

/// Every ADBench file has gamma = 1 and m = 0, so this case checks the
/// prior's gradient with other values.
#[test]
fn analytic_gradient_matches_fd_with_prior() {
    let mut input = d10_k5_subset();
    input.wishart_gamma = 1.7;
    input.wishart_m = 3;
    let params = input.params();
    let (value, gradient) = analytic(&input, &params);
    let numeric = finite_difference_gradient(|p| objective_f64(&input, p), &params);
    assert_gradients_close(&gradient, &numeric, 1e-7, "gamma = 1.7, m = 3");
    let expected = objective_f64(&input, &params);
    assert!(
        relative_error(value, expected) <= 1e-13,
        "objective returned with the gradient {value}, objective_f64 gives {expected}"
    );
}

/// Adding a constant to every alpha leaves the objective unchanged, because
/// it shifts each point's log-sum-exp and `n logsumexp(alpha)` equally. At
/// +800 a log-sum-exp without the maximum subtracted would overflow.
#[test]
fn objective_is_invariant_to_alpha_shift() {
    let input = load_shared("gmm_d2_K5.txt");
    let params = input.params();
    let mut shifted = params.clone();
    for alpha in &mut shifted[..input.k] {
        *alpha += 800.0;
    }

    let value = objective_f64(&input, &params);
    let shifted_value = objective_f64(&input, &shifted);
    assert!(
        relative_error(shifted_value, value) <= 1e-10,
        "objective {shifted_value} after the shift, {value} before"
    );

    let generic_value = objective_generic(&input, &shifted);
    assert!(
        relative_error(generic_value, value) <= 1e-10,
        "generic objective {generic_value} after the shift, {value} before"
    );

    let (_, gradient) = analytic(&input, &params);
    let (_, shifted_gradient) = analytic(&input, &shifted);
    assert_gradients_close(
        &shifted_gradient,
        &gradient,
        1e-9,
        "gradient after alpha shift",
    );
}

#[test]
fn generic_objective_matches_f64_objective() {
    let mut with_prior = d10_k5_subset();
    with_prior.wishart_gamma = 0.6;
    with_prior.wishart_m = 2;
    let cases = [
        ("test.txt", fixture()),
        ("gmm_d2_K5", load_shared("gmm_d2_K5.txt")),
        ("gmm_d10_K5, 20 points", d10_k5_subset()),
        ("gamma = 0.6, m = 2", with_prior),
    ];
    for (label, input) in &cases {
        let params = input.params();
        let expected = objective_f64(input, &params);
        let generic = objective_generic::<f64>(input, &params);
        assert!(
            relative_error(generic, expected) <= 1e-14,
            "{label}: objective_generic gives {generic}, objective_f64 gives {expected}"
        );
    }
}

#[test]
fn parse_reads_fixture_shape() {
    let input = fixture();
    assert_eq!((input.d, input.k, input.n), (2, 3, 1));
    assert_eq!(input.alphas, [-0.649014, 1.181166, -0.758453]);
    assert_eq!(input.means[4..], [0.538817, 0.419195]);
    assert_eq!(input.icf[6..], [0.166813, -1.965419, -1.270071]);
    assert_eq!(input.x, [1.175171, 2.029160]);
    assert_eq!(input.wishart_gamma, 1.0);
    assert_eq!(input.wishart_m, 0);
    assert_eq!(input.param_count(), 18);
    assert_eq!(input.params().len(), 18);
}

#[test]
fn parse_reads_d2_k10_shape() {
    let input = load_shared("gmm_d2_K10.txt");
    assert_eq!((input.d, input.k, input.n), (2, 10, 1000));
    assert_eq!(input.x.len(), 2000);
    assert_eq!(input.icf.len(), 30);
}

#[test]
fn parse_names_line_of_bad_number() {
    let text = FIXTURE.replace("0.538817", "0.53x817");
    let error = GmmInput::parse(&text).unwrap_err();
    assert!(error.starts_with("line 7:"), "{error}");
    assert!(error.contains("mean of component 2, entry 0"), "{error}");
    assert!(error.contains("\"0.53x817\""), "{error}");
}

#[test]
fn parse_rejects_non_finite_number() {
    let text = FIXTURE.replace("1.175171", "inf");
    let error = GmmInput::parse(&text).unwrap_err();
    assert!(error.starts_with("line 11:"), "{error}");
    assert!(
        error.contains("data point 0, entry 0 (a finite number)"),
        "{error}"
    );
}

#[test]
fn parse_reports_early_end() {
    let text: String = FIXTURE.lines().take(9).collect::<Vec<_>>().join("\n");
    let error = GmmInput::parse(&text).unwrap_err();
    assert!(error.contains("unexpected end of input"), "{error}");
    assert!(
        error.contains("inverse covariance factor of component 2, entry 0"),
        "{error}"
    );
}

#[test]
fn parse_rejects_trailing_tokens() {
    let text = format!("{FIXTURE}\n7\n");
    let error = GmmInput::parse(&text).unwrap_err();
    assert!(error.contains("expected the end of input"), "{error}");
    assert!(error.contains("\"7\""), "{error}");
}

#[test]
fn parse_rejects_zero_dimension() {
    let error = GmmInput::parse("0 3 1\n").unwrap_err();
    assert!(error.starts_with("line 1:"), "{error}");
    assert!(error.contains("d = 0"), "{error}");
}

#[test]
fn parse_rejects_negative_count() {
    let error = GmmInput::parse("2 -3 1\n").unwrap_err();
    assert!(error.contains("the component count K"), "{error}");
    assert!(error.contains("\"-3\""), "{error}");
}

#[test]
fn parse_rejects_non_positive_gamma() {
    let text = FIXTURE.replace("1.000000 0", "0.0 0");
    let error = GmmInput::parse(&text).unwrap_err();
    assert!(error.starts_with("line 12:"), "{error}");
    assert!(error.contains("gamma must be positive"), "{error}");
}

#[test]
fn parse_rejects_fractional_m() {
    let text = FIXTURE.replace("1.000000 0", "1.0 0.5");
    let error = GmmInput::parse(&text).unwrap_err();
    assert!(
        error.contains("the Wishart m (a non-negative integer)"),
        "{error}"
    );
}

#[test]
fn load_names_missing_file() {
    let error = GmmInput::load("/nonexistent/gmm.txt").unwrap_err();
    assert!(error.contains("/nonexistent/gmm.txt"), "{error}");
}

#[test]
#[should_panic(expected = "has 18 parameters")]
fn objective_rejects_wrong_parameter_count() {
    let input = fixture();
    objective_f64(&input, &[0.0; 17]);
}

#[test]
fn tape_gradient_matches_published_entries() {
    let input = fixture();
    let params = input.params();
    let (value, gradient) = adjoint::value_and_gradient(|v| objective_generic(&input, v), &params);
    assert_eq!(gradient.len(), 18);
    for (index, &published) in PUBLISHED_GRADIENT_HEAD.iter().enumerate() {
        assert!(
            relative_error(gradient[index], published) <= 1e-12,
            "tape gradient entry {index} is {:.17}, published {published:.17}",
            gradient[index]
        );
    }
    assert!(
        relative_error(gradient[17], PUBLISHED_GRADIENT_LAST) <= 1e-12,
        "tape gradient entry 17 is {:.17}, published {PUBLISHED_GRADIENT_LAST:.17}",
        gradient[17]
    );
    assert!(
        relative_error(value, PUBLISHED_OBJECTIVE) <= 1e-12,
        "tape objective {value:.17}, published {PUBLISHED_OBJECTIVE:.17}"
    );
}

#[test]
fn tape_gradient_matches_analytic() {
    let mut with_prior = d10_k5_subset();
    with_prior.wishart_gamma = 1.7;
    with_prior.wishart_m = 3;
    let cases = [
        ("test.txt", fixture()),
        ("gmm_d2_K10", load_shared("gmm_d2_K10.txt")),
        ("gmm_d10_K5", load_shared("gmm_d10_K5.txt")),
        ("gamma = 1.7, m = 3", with_prior),
    ];
    for (label, input) in &cases {
        let params = input.params();
        let (expected_value, expected) = analytic(input, &params);
        let (value, gradient) =
            adjoint::value_and_gradient(|v| objective_generic(input, v), &params);
        assert!(
            relative_error(value, expected_value) <= 1e-12,
            "{label}: tape objective {value}, analytic {expected_value}"
        );
        assert_gradients_close(&gradient, &expected, 1e-10, label);
    }
}
