//! Trains a small neural network (an MLP) to tell good red wines
//! (quality >= 6) from the rest, and compares it with logistic regression.
//!
//! The example loads the data, splits it 80/20 with a seed and
//! standardizes both parts with the training part's statistics. It fits
//! the logistic-regression baseline, then trains the MLP by minibatch SGD
//! with momentum (or Adam) on the cross-entropy loss. At the end it
//! reports the held-out accuracy of both, saves the loss curve as a PNG
//! and the parameters as JSON.
//!
//! ```sh
//! cargo run --release --example train
//! cargo run --release --example train -- --optimizer adam --epochs 50
//! cargo run --release --example train -- --data iris
//! cargo run --release --example train -- --csv my_data.csv --hidden 16,16
//! cargo run --release --example train -- --quick   # CI: few epochs
//! ```
//!
//! With `--quick` the example exits with status 1 unless the MLP beats the
//! majority-class rate on the held-out part.

#[expect(dead_code, reason = "train uses the fit only, not its test statistics")]
#[path = "support/logistic.rs"]
mod logistic;
#[path = "support/plot.rs"]
mod plot;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use adjoint::Tape;
use adjoint::optim::{Adam, Optimizer, Sgd};
use adjoint::tensor::data::{self, Dataset, Standardizer};
use adjoint::tensor::{Activation, Mlp, ParamSet, Tensor, loss};
use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use ndarray::Axis;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Trains an MLP classifier and compares it with logistic regression.
#[derive(Parser, Debug)]
#[command(allow_negative_numbers = true)]
struct Args {
    /// Built-in data set: red wine quality >= 6 (1,599 wines) or iris.
    #[arg(long, value_enum, default_value_t = DataChoice::Wine)]
    data: DataChoice,

    /// Your own CSV instead: numeric feature columns, the class label last,
    /// an optional header row.
    #[arg(long, value_name = "PATH", conflicts_with = "data")]
    csv: Option<PathBuf>,

    /// Passes over the training part.
    #[arg(long, default_value_t = 50)]
    epochs: usize,

    /// Learning rate [default: 0.005 for sgd, 0.003 for adam].
    #[arg(long)]
    lr: Option<f64>,

    /// Hidden layer widths, comma-separated (for example 32 or 32,16).
    #[arg(long, value_delimiter = ',', default_value = "32")]
    hidden: Vec<usize>,

    /// Rows per minibatch.
    #[arg(long, default_value_t = 32)]
    batch: usize,

    /// Seed of the split, the initial weights and the minibatch order.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Optimizer: SGD with momentum 0.9, or Adam.
    #[arg(long, value_enum, default_value_t = OptimizerChoice::Sgd)]
    optimizer: OptimizerChoice,

    /// Directory for loss.png, params.json and model.json.
    #[arg(long, default_value = "target/train")]
    out: PathBuf,

    /// Short run for CI: 5 epochs, and a non-zero exit status unless the
    /// MLP beats the majority-class rate on the held-out part.
    #[arg(long)]
    quick: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DataChoice {
    Wine,
    Iris,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OptimizerChoice {
    Sgd,
    Adam,
}

/// Epochs of a `--quick` run.
const QUICK_EPOCHS: usize = 5;
/// Momentum of the SGD optimizer.
const MOMENTUM: f64 = 0.9;
/// Full-batch Adam steps of the logistic-regression baseline when Newton's
/// method does not apply (more than two classes, or separable classes).
const BASELINE_STEPS: usize = 500;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// Runs the whole job; returns whether the --quick check passed (always
/// true without --quick).
fn run(args: &Args) -> Result<bool, Box<dyn std::error::Error>> {
    if args.batch == 0 || args.epochs == 0 || args.hidden.contains(&0) {
        return Err("--batch, --epochs and every --hidden width must be at least 1".into());
    }
    if let Some(lr) = args.lr
        && !(lr > 0.0 && lr.is_finite())
    {
        return Err(format!("--lr must be a positive number, got {lr}").into());
    }
    let (name, data) = load(args)?;
    let (train, test) = data.split(0.2, args.seed);
    let scaler = Standardizer::fit(train.features());
    let train = scaler.transform_dataset(&train);
    let test = scaler.transform_dataset(&test);

    println!(
        "{name}: {} rows, {} features, classes {:?} with counts {:?}",
        data.len(),
        data.num_features(),
        data.class_names(),
        data.class_counts()
    );
    println!(
        "split 80/20 with seed {}: {} training rows, {} held-out rows; standardized with \
         the training part's mean and std",
        args.seed,
        train.len(),
        test.len()
    );
    let majority = majority_rate(&train, &test);
    println!("majority-class rate on the held-out part: {:.4}", majority);

    let baseline = fit_baseline(&train, &test);
    println!(
        "logistic regression ({}): train accuracy {:.4}, held-out accuracy {:.4}",
        baseline.method, baseline.train_accuracy, baseline.test_accuracy
    );

    let epochs = if args.quick {
        QUICK_EPOCHS
    } else {
        args.epochs
    };
    let trained = train_mlp(args, epochs, &train, &test)?;

    println!();
    println!("held-out accuracy:");
    let mlp_label = format!("MLP {:?}", trained.sizes);
    println!("  {mlp_label:<24} {:.4}", trained.test_accuracy);
    println!(
        "  {:<24} {:.4}",
        "logistic regression", baseline.test_accuracy
    );
    println!("  {:<24} {:.4}", "majority class", majority);

    std::fs::create_dir_all(&args.out).map_err(|error| {
        format!(
            "cannot create the output directory {}: {error}",
            args.out.display()
        )
    })?;
    save_outputs(args, &name, &data, &scaler, &trained)?;

    if args.quick && trained.test_accuracy <= majority {
        eprintln!(
            "quick check failed: held-out accuracy {:.4} does not beat the majority-class rate {:.4}",
            trained.test_accuracy, majority
        );
        return Ok(false);
    }
    Ok(true)
}

fn load(args: &Args) -> Result<(String, Dataset), data::DataError> {
    if let Some(path) = &args.csv {
        return Ok((path.display().to_string(), data::read_csv(path)?));
    }
    Ok(match args.data {
        DataChoice::Wine => ("red wine quality >= 6".to_owned(), data::wine_quality()),
        DataChoice::Iris => ("iris".to_owned(), data::iris()),
    })
}

/// The held-out accuracy of always predicting the training part's most
/// common class.
fn majority_rate(train: &Dataset, test: &Dataset) -> f64 {
    let counts = train.class_counts();
    let majority = (0..counts.len())
        .max_by_key(|&class| counts[class])
        .unwrap_or(0);
    let hits = test
        .labels()
        .iter()
        .filter(|&&label| label == majority)
        .count();
    hits as f64 / test.len() as f64
}

struct Baseline {
    method: String,
    train_accuracy: f64,
    test_accuracy: f64,
}

/// Logistic regression on the same tape: for two classes the maximum
/// likelihood fit by Newton's method (as the `logistic_mle` example),
/// otherwise (or if the classes are separable) multinomial logistic
/// regression by full-batch Adam.
fn fit_baseline(train: &Dataset, test: &Dataset) -> Baseline {
    if train.num_classes() == 2 {
        let outcome: Vec<f64> = train.labels().iter().map(|&label| label as f64).collect();
        match logistic::fit(train.features(), &outcome) {
            Ok(fit) => {
                let accuracy = |data: &Dataset| {
                    let hits = data
                        .features()
                        .outer_iter()
                        .zip(data.labels())
                        .filter(|(row, label)| {
                            let eta = fit.coefficients[0]
                                + row
                                    .iter()
                                    .zip(&fit.coefficients[1..])
                                    .map(|(x, b)| x * b)
                                    .sum::<f64>();
                            usize::from(eta > 0.0) == **label
                        })
                        .count();
                    hits as f64 / data.len() as f64
                };
                return Baseline {
                    method: "maximum likelihood, Newton".to_owned(),
                    train_accuracy: accuracy(train),
                    test_accuracy: accuracy(test),
                };
            }
            Err(message) => {
                println!("logistic regression by Newton failed ({message}); using Adam")
            }
        }
    }

    let mut params = ParamSet::new();
    let sizes = [train.num_features(), train.num_classes()];
    let model = Mlp::new(&mut params, "logistic", &sizes, Activation::Identity, 0)
        .expect("two positive layer sizes");
    let mut adam = Adam::new(0.05);
    let mut tape = Tape::new();
    let x = train.features().clone();
    for _ in 0..BASELINE_STEPS {
        tape.clear();
        let bound = params.bind(&tape);
        let logits = model.forward(&bound, &Tensor::constant(x.clone()));
        params.backward(loss::cross_entropy_with_logits(&logits, train.labels()));
        params.step(&mut adam);
    }
    Baseline {
        method: format!("softmax, {BASELINE_STEPS} full-batch Adam steps"),
        train_accuracy: evaluate(&model, &mut params, &mut tape, train).1,
        test_accuracy: evaluate(&model, &mut params, &mut tape, test).1,
    }
}

struct Trained {
    sizes: Vec<usize>,
    model: Mlp,
    params: ParamSet,
    train_losses: Vec<f64>,
    test_losses: Vec<f64>,
    test_accuracy: f64,
}

fn train_mlp(
    args: &Args,
    epochs: usize,
    train: &Dataset,
    test: &Dataset,
) -> Result<Trained, Box<dyn std::error::Error>> {
    let sizes: Vec<usize> = std::iter::once(train.num_features())
        .chain(args.hidden.iter().copied())
        .chain(std::iter::once(train.num_classes()))
        .collect();
    let mut params = ParamSet::new();
    let model = Mlp::new(&mut params, "mlp", &sizes, Activation::Relu, args.seed)?;
    let (mut optimizer, lr): (Box<dyn Optimizer>, f64) = match args.optimizer {
        OptimizerChoice::Sgd => {
            let lr = args.lr.unwrap_or(0.005);
            (Box::new(Sgd::new(lr).momentum(MOMENTUM)), lr)
        }
        OptimizerChoice::Adam => {
            let lr = args.lr.unwrap_or(0.003);
            (Box::new(Adam::new(lr)), lr)
        }
    };
    println!();
    println!(
        "MLP {sizes:?} with ReLU: {} parameters, {:?} with learning rate {lr}, batch {}, {epochs} epochs",
        params.value_count(),
        args.optimizer,
        args.batch
    );

    let batches = train.len().div_ceil(args.batch);
    let bar = ProgressBar::new((epochs * batches) as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps, epoch {msg} [{elapsed}]")
            .expect("the template is valid"),
    );

    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut rng = StdRng::seed_from_u64(args.seed.wrapping_add(1));
    let mut tape = Tape::new();
    let mut train_losses = Vec::with_capacity(epochs);
    let mut test_losses = Vec::with_capacity(epochs);
    let mut test_accuracy = 0.0;
    for epoch in 1..=epochs {
        bar.set_message(epoch.to_string());
        order.shuffle(&mut rng);
        for chunk in order.chunks(args.batch) {
            let batch = train.select_rows(chunk);
            tape.clear();
            let bound = params.bind(&tape);
            let logits = model.forward(&bound, &Tensor::constant(batch.features().clone()));
            params.backward(loss::cross_entropy_with_logits(&logits, batch.labels()));
            params.step(optimizer.as_mut());
            bar.inc(1);
        }
        let (train_loss, train_accuracy) = evaluate(&model, &mut params, &mut tape, train);
        let (test_loss, accuracy) = evaluate(&model, &mut params, &mut tape, test);
        if !train_loss.is_finite() {
            bar.abandon();
            return Err(format!(
                "the training loss became {train_loss} in epoch {epoch}; lower the learning rate (--lr)"
            )
            .into());
        }
        train_losses.push(train_loss);
        test_losses.push(test_loss);
        test_accuracy = accuracy;
        bar.suspend(|| {
            println!(
                "epoch {epoch:>4}  loss {train_loss:.4}  held-out loss {test_loss:.4}  \
                 train accuracy {train_accuracy:.4}  held-out accuracy {accuracy:.4}"
            );
        });
    }
    bar.finish_and_clear();
    Ok(Trained {
        sizes,
        model,
        params,
        train_losses,
        test_losses,
        test_accuracy,
    })
}

/// The mean cross-entropy loss and the accuracy of `model` on `data`.
fn evaluate(model: &Mlp, params: &mut ParamSet, tape: &mut Tape, data: &Dataset) -> (f64, f64) {
    tape.clear();
    let bound = params.bind(tape);
    let logits = model.forward(&bound, &Tensor::constant(data.features().clone()));
    let loss = loss::cross_entropy_with_logits(&logits, data.labels()).value();
    let predictions = logits.value().map_axis(Axis(1), |row| {
        row.iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |best, (class, &logit)| {
                if logit > best.1 { (class, logit) } else { best }
            })
            .0
    });
    let hits = predictions
        .iter()
        .zip(data.labels())
        .filter(|(predicted, label)| predicted == label)
        .count();
    (loss, hits as f64 / data.len() as f64)
}

fn save_outputs(
    args: &Args,
    name: &str,
    data: &Dataset,
    scaler: &Standardizer,
    trained: &Trained,
) -> Result<(), Box<dyn std::error::Error>> {
    let plot_path = args.out.join("loss.png");
    let title = format!("{name}: MLP {:?}", trained.sizes);
    match plot::plot_losses(
        &plot_path,
        &title,
        &trained.train_losses,
        &trained.test_losses,
    )? {
        plot::Text::Drawn => println!("loss curve: {}", plot_path.display()),
        plot::Text::Omitted(reason) => println!(
            "loss curve: {} (without text, because drawing text failed: {reason}; \
             blue is the training loss, red the held-out loss)",
            plot_path.display()
        ),
    }

    let params_path = args.out.join("params.json");
    trained.params.save(&params_path)?;
    let model_path = args.out.join("model.json");
    write_model_description(&model_path, data, scaler, trained)?;
    println!(
        "parameters: {} (model layout and standardization: {})",
        params_path.display(),
        model_path.display()
    );
    Ok(())
}

/// Writes what is needed to use params.json again: the layer sizes, the
/// activation, the names and the standardization.
fn write_model_description(
    path: &Path,
    data: &Dataset,
    scaler: &Standardizer,
    trained: &Trained,
) -> Result<(), Box<dyn std::error::Error>> {
    let description = serde_json::json!({
        "sizes": trained.sizes,
        "activation": format!("{:?}", trained.model.activation()),
        "feature_names": data.feature_names(),
        "class_names": data.class_names(),
        "standardizer": scaler,
        "held_out_accuracy": trained.test_accuracy,
    });
    std::fs::write(path, serde_json::to_string_pretty(&description)?)?;
    Ok(())
}
