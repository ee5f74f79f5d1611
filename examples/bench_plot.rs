//! Draws the charts of the benchmark report from criterion's results and
//! prints their medians as Markdown tables.
//!
//! criterion writes one `new/benchmark.json` (the group, function and
//! parameter) and one `new/estimates.json` (the median, in nanoseconds)
//! per benchmark under `target/criterion`. This program reads them all,
//! draws log–log charts of time against the number of inputs and of the
//! gradient-to-function ratio as PNG files, and prints one table per
//! group with each median and its ratio to the group's `f64` entry.
//!
//! Run the benches first, then
//! `cargo run --release --example bench_plot -- [CRITERION_DIR] [OUT_DIR]`;
//! the defaults are `$CARGO_TARGET_DIR/criterion` (or `target/criterion`)
//! and `docs/img`. With `--quick` (or `ADJOINT_QUICK=1`) it draws a small
//! built-in sample into the system's temporary folder instead, to check
//! the drawing code without benchmark results.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use serde_json::Value;

/// The median time of one benchmark.
#[derive(Clone, Debug)]
struct Measurement {
    /// Criterion group, such as `reverse_vs_forward/rosenbrock`.
    group: String,
    /// Function within the group, such as `tape`.
    function: String,
    /// The benchmark's parameter (the number of inputs), if it has one.
    parameter: Option<f64>,
    /// Median time per iteration, nanoseconds.
    median_ns: f64,
}

/// Reads every benchmark result under `dir`.
fn load(dir: &Path) -> Result<Vec<Measurement>, Box<dyn Error>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name == "new") {
                    found.push(read_measurement(&path)?);
                } else {
                    pending.push(path);
                }
            }
        }
    }
    if found.is_empty() {
        return Err(format!(
            "no benchmark results under {}: run `cargo bench` first, or pass criterion's folder",
            dir.display()
        )
        .into());
    }
    Ok(found)
}

/// Reads one result folder (`.../new`) of criterion.
fn read_measurement(folder: &Path) -> Result<Measurement, Box<dyn Error>> {
    let read_json = |name: &str| -> Result<Value, Box<dyn Error>> {
        let path = folder.join(name);
        let text = fs::read_to_string(&path)
            .map_err(|error| format!("failed to read {}: {error}", path.display()))?;
        Ok(serde_json::from_str(&text)?)
    };
    let benchmark = read_json("benchmark.json")?;
    let estimates = read_json("estimates.json")?;
    let field = |name: &str| {
        benchmark[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{}: benchmark.json has no {name}", folder.display()))
    };
    let median_ns = estimates["median"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: estimates.json has no median", folder.display()))?;
    Ok(Measurement {
        group: field("group_id")?,
        function: field("function_id")?,
        parameter: benchmark["value_str"].as_str().and_then(|v| v.parse().ok()),
        median_ns,
    })
}

/// Returns a small made-up result set with the shape of the real one.
fn sample() -> Vec<Measurement> {
    let mut sample = Vec::new();
    for (n, f64_ns) in [(16.0, 20.0), (256.0, 300.0), (4096.0, 5000.0)] {
        for (function, factor) in [("f64", 1.0), ("tape", 12.0), ("forward", n / 2.0)] {
            for group in ["reverse_vs_forward/rosenbrock", "kernels/sum"] {
                sample.push(Measurement {
                    group: group.to_owned(),
                    function: function.to_owned(),
                    parameter: Some(n),
                    median_ns: f64_ns * factor,
                });
            }
        }
    }
    sample
}

/// The results of one group, by function, as `(parameter, median)` points
/// sorted by parameter.
fn series(results: &[Measurement], group: &str) -> BTreeMap<String, Vec<(f64, f64)>> {
    let mut series: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for m in results.iter().filter(|m| m.group == group) {
        if let Some(n) = m.parameter {
            series
                .entry(m.function.clone())
                .or_default()
                .push((n, m.median_ns));
        }
    }
    for points in series.values_mut() {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    series
}

/// Divides each series by the group's `f64` series at the same parameter.
fn ratios(series: &BTreeMap<String, Vec<(f64, f64)>>) -> BTreeMap<String, Vec<(f64, f64)>> {
    let Some(base) = series.get("f64") else {
        return BTreeMap::new();
    };
    series
        .iter()
        .filter(|(name, _)| name.as_str() != "f64")
        .map(|(name, points)| {
            let divided = points
                .iter()
                .filter_map(|&(n, t)| {
                    let f = base.iter().find(|&&(m, _)| m == n)?.1;
                    Some((n, t / f))
                })
                .collect();
            (name.clone(), divided)
        })
        .collect()
}

/// Line colors, distinct from each other: matplotlib's "tab10" cycle, then
/// black, navy, dark red and gold for charts with more than ten series.
const COLORS: [RGBColor; 14] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 0),
    RGBColor(0, 0, 128),
    RGBColor(128, 0, 0),
    RGBColor(218, 165, 32),
];

/// Draws `series` as lines on log–log axes into a PNG file.
fn draw(
    path: &Path,
    title: &str,
    y_label: &str,
    series: &BTreeMap<String, Vec<(f64, f64)>>,
) -> Result<(), Box<dyn Error>> {
    let points = series.values().flatten();
    let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        x_min = x_min.min(x);
        x_max = x_max.max(x);
        y_min = y_min.min(y);
        y_max = y_max.max(y);
    }
    if x_min > x_max {
        return Err(format!("no points to draw for {title}").into());
    }

    let root = BitMapBackend::new(path, (860, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (x_min * 0.8..x_max * 1.25).log_scale(),
            (y_min * 0.7..y_max * 1.5).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("inputs n")
        .y_desc(y_label)
        .draw()?;
    for (i, (name, points)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()].to_rgba();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Formats nanoseconds with a unit that keeps three significant digits.
fn format_time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// Prints one Markdown table per group: a row per parameter, a column per
/// function, each cell the median and its ratio to `f64`.
fn print_tables(results: &[Measurement]) {
    let mut groups: BTreeMap<&str, Vec<&Measurement>> = BTreeMap::new();
    for m in results {
        groups.entry(m.group.as_str()).or_default().push(m);
    }
    for (group, members) in groups {
        let mut functions: Vec<&str> = Vec::new();
        for m in &members {
            if !functions.contains(&m.function.as_str()) {
                functions.push(&m.function);
            }
        }
        // f64 first, the rest in the order of first appearance.
        functions.sort_by_key(|f| *f != "f64");
        let mut parameters: Vec<Option<f64>> = members.iter().map(|m| m.parameter).collect();
        parameters.sort_by(|a, b| a.unwrap_or(0.0).total_cmp(&b.unwrap_or(0.0)));
        parameters.dedup();

        println!("\n#### {group}\n");
        println!("| n | {} |", functions.join(" | "));
        println!("|---:|{}", "---:|".repeat(functions.len()));
        for parameter in parameters {
            let find = |function: &str| {
                members
                    .iter()
                    .find(|m| m.function == function && m.parameter == parameter)
            };
            let base = find("f64").map(|m| m.median_ns);
            let cells: Vec<String> = functions
                .iter()
                .map(|&function| match (find(function), base) {
                    (None, _) => "–".to_owned(),
                    (Some(m), Some(base)) if function != "f64" => {
                        format!("{} ({:.1}×)", format_time(m.median_ns), m.median_ns / base)
                    }
                    (Some(m), _) => format_time(m.median_ns),
                })
                .collect();
            let label = parameter.map_or_else(|| "–".to_owned(), |n| n.to_string());
            println!("| {label} | {} |", cells.join(" | "));
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let quick =
        std::env::args().any(|a| a == "--quick") || std::env::var_os("ADJOINT_QUICK").is_some();
    let positional: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();

    let (results, out_dir) = if quick {
        (sample(), std::env::temp_dir().join("adjoint-bench-plot"))
    } else {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| PathBuf::from("target"), PathBuf::from);
        let criterion = positional
            .first()
            .map_or_else(|| target.join("criterion"), PathBuf::from);
        let out = positional
            .get(1)
            .map_or_else(|| PathBuf::from("docs/img"), PathBuf::from);
        (load(&criterion)?, out)
    };
    fs::create_dir_all(&out_dir)?;

    let mut written = Vec::new();
    for function in ["rosenbrock", "mixture"] {
        let group = format!("reverse_vs_forward/{function}");
        let times: BTreeMap<String, Vec<(f64, f64)>> = series(&results, &group)
            .into_iter()
            .map(|(name, points)| {
                (
                    name,
                    points.into_iter().map(|(n, t)| (n, t / 1e3)).collect(),
                )
            })
            .collect();
        if times.is_empty() {
            continue;
        }
        let path = out_dir.join(format!("reverse_vs_forward_{function}.png"));
        draw(
            &path,
            &format!("Gradient time, {function}"),
            "time per gradient (µs)",
            &times,
        )?;
        written.push(path);
        let path = out_dir.join(format!("reverse_vs_forward_{function}_ratio.png"));
        let title = format!("Gradient time / f64 function time, {function}");
        draw(
            &path,
            &title,
            "ratio to f64",
            &ratios(&series(&results, &group)),
        )?;
        written.push(path);
    }

    let mut kernel_ratios = BTreeMap::new();
    for m in results.iter().filter(|m| m.group.starts_with("kernels/")) {
        let kernel = m.group.trim_start_matches("kernels/").to_owned();
        if let Some(points) = ratios(&series(&results, &m.group)).remove("tape") {
            kernel_ratios.insert(kernel, points);
        }
    }
    if !kernel_ratios.is_empty() {
        let path = out_dir.join("kernels_ratio.png");
        draw(
            &path,
            "Gradient (reused tape) / f64 function",
            "ratio to f64",
            &kernel_ratios,
        )?;
        written.push(path);
    }

    print_tables(&results);
    println!();
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(())
}
