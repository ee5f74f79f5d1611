//! Maximum likelihood for logistic regression on the red wine quality data:
//! does a wine score 6 or more, given its 11 physicochemical features?
//!
//! The log-likelihood `Σ yᵢ ηᵢ − softplus(ηᵢ)` is written once on the
//! scalar tape. Gradient ascent with its reverse-mode gradient gets close
//! to the maximum, then Newton steps with its Hessian finish the job. The
//! standard errors come from the inverse of the negative Hessian at the
//! maximum, and the table reads like R's `summary(glm(..., family =
//! binomial))`.
//!
//! The features are standardized over all 1,599 wines with the population
//! standard deviation (divisor n). `scripts/logistic_reference.py` fits the
//! same model with statsmodels, and `tests/logistic_mle.rs` checks this
//! fit against its numbers.
//!
//! ```sh
//! cargo run --release --example logistic_mle
//! ```

#[path = "support/logistic.rs"]
mod logistic;

use adjoint::tensor::data::{self, Standardizer};
use clap::Parser;

/// Fits logistic regression for "quality >= 6" on the red wine data by
/// maximum likelihood and prints the coefficient table.
#[derive(Parser)]
struct Args {
    /// Accepted for CI, which runs every example with --quick. The whole
    /// run takes about 0.3 s in release mode, so it changes nothing.
    #[arg(long)]
    quick: bool,
}

fn main() {
    let _args = Args::parse();

    let wine = data::wine_quality();
    let features = Standardizer::fit(wine.features()).transform(wine.features());
    let outcome: Vec<f64> = wine.labels().iter().map(|&label| label as f64).collect();
    let counts = wine.class_counts();
    println!(
        "red wine quality: {} wines, {} features; quality >= 6: {}, quality <= 5: {}",
        wine.len(),
        wine.num_features(),
        counts[1],
        counts[0]
    );
    println!("features standardized with the mean and population std of all wines");

    let fit = match logistic::fit(&features, &outcome) {
        Ok(fit) => fit,
        Err(message) => {
            eprintln!("error: the fit failed: {message}");
            std::process::exit(1);
        }
    };

    println!();
    println!(
        "gradient ascent, {} steps of size {} on the mean log-likelihood:",
        logistic::GRADIENT_STEPS,
        logistic::GRADIENT_STEP_SIZE
    );
    for (step, value) in fit.ascent_trace.iter().enumerate() {
        if step == 0 || (step + 1) % 25 == 0 {
            println!("  before step {:>3}: log-likelihood {value:.10}", step + 1);
        }
    }
    println!("Newton steps with the Hessian:");
    for (step, value) in fit.newton_trace.iter().enumerate() {
        println!("  before step {:>3}: log-likelihood {value:.10}", step + 1);
    }

    println!();
    print_table(&fit, wine.feature_names());

    let parameters = fit.coefficients.len() as f64;
    let rows = wine.len();
    println!();
    println!(
        "Residual deviance: {:.4} on {} degrees of freedom",
        -2.0 * fit.log_likelihood,
        rows - fit.coefficients.len()
    );
    println!("AIC: {:.4}", 2.0 * parameters - 2.0 * fit.log_likelihood);
    println!("log-likelihood: {}", fit.log_likelihood);
}

/// Prints estimate, standard error, z value and two-sided p-value per
/// coefficient, as R's `summary(glm)` does.
fn print_table(fit: &logistic::LogisticFit, feature_names: &[String]) {
    let names: Vec<&str> = std::iter::once("(Intercept)")
        .chain(feature_names.iter().map(String::as_str))
        .collect();
    let width = names.iter().map(|name| name.len()).max().unwrap_or(0);
    println!("Coefficients:");
    println!(
        "{:width$} {:>12} {:>11} {:>8} {:>10}",
        "", "Estimate", "Std. Error", "z value", "Pr(>|z|)"
    );
    let z_values = fit.z_values();
    let p_values = fit.p_values();
    for (index, name) in names.iter().enumerate() {
        println!(
            "{name:width$} {:>12.6} {:>11.6} {:>8.3} {:>10} {}",
            fit.coefficients[index],
            fit.std_errors[index],
            z_values[index],
            format_p_value(p_values[index]),
            significance_stars(p_values[index]),
        );
    }
    println!("---");
    println!("Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1");
}

/// Formats a p-value as R does for tiny values: below 2e-16 (about
/// `f64::EPSILON`) it prints "< 2e-16".
fn format_p_value(p: f64) -> String {
    if p < 2e-16 {
        "< 2e-16".to_owned()
    } else {
        format!("{p:.3e}")
    }
}

fn significance_stars(p: f64) -> &'static str {
    match p {
        p if p < 0.001 => "***",
        p if p < 0.01 => "**",
        p if p < 0.05 => "*",
        p if p < 0.1 => ".",
        _ => "",
    }
}
