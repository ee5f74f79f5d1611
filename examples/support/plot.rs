//! The loss curve of the `train` example as a PNG, with a fallback for
//! machines without fonts.
//!
//! plotters renders text through the system's fonts (fontconfig on Linux).
//! Where no font can be found, drawing a caption or an axis label returns
//! an error (plotters 0.3.7 with an empty fontconfig configuration), and a
//! panic from a font backend is caught as well. The curves need no font,
//! so [`plot_losses`] then draws them again with no text at all.
//! `tests/examples_plot.rs` runs both paths.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use plotters::prelude::*;

/// Width and height of the PNG in pixels.
pub const SIZE: (u32, u32) = (800, 500);
/// Colour of the training loss.
pub const TRAIN_COLOR: RGBColor = RGBColor(31, 119, 180);
/// Colour of the held-out loss.
pub const TEST_COLOR: RGBColor = RGBColor(214, 39, 40);

/// The outcome of drawing the figure's text in [`plot_losses`].
#[derive(Debug, PartialEq)]
pub enum Text {
    /// Title, axis labels and legend were drawn.
    Drawn,
    /// Text drawing failed with this message, so the figure has the curves
    /// and a frame only.
    Omitted(String),
}

/// Draws the training and held-out loss per epoch (epochs from 1) into a
/// PNG at `path`, with text if the fonts allow it.
///
/// # Errors
///
/// Returns the plotters error if the figure cannot be drawn even without
/// text, for example when `path` is not writable.
///
/// # Panics
///
/// Panics if `train` is empty or the two curves differ in length.
pub fn plot_losses(
    path: &Path,
    title: &str,
    train: &[f64],
    test: &[f64],
) -> Result<Text, Box<dyn std::error::Error>> {
    assert!(!train.is_empty(), "plot_losses needs at least one epoch");
    assert_eq!(
        train.len(),
        test.len(),
        "plot_losses needs one held-out loss per training loss"
    );

    // A font lookup can panic inside plotters. Silence the default hook
    // for this attempt so the fallback is not preceded by a backtrace.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let attempt = panic::catch_unwind(AssertUnwindSafe(|| {
        draw(path, title, train, test, true).map_err(|error| error.to_string())
    }));
    panic::set_hook(hook);

    let reason = match attempt {
        Ok(Ok(())) => return Ok(Text::Drawn),
        Ok(Err(message)) => message,
        Err(payload) => panic_message(payload.as_ref()),
    };
    draw(path, title, train, test, false)?;
    Ok(Text::Omitted(reason))
}

/// Draws the figure, with all text when `with_text` is set and with none
/// otherwise.
fn draw(
    path: &Path,
    title: &str,
    train: &[f64],
    test: &[f64],
    with_text: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;

    let epochs = train.len() as f64;
    let all = train.iter().chain(test).copied().filter(|v| v.is_finite());
    let (low, high) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), v| {
        (low.min(v), high.max(v))
    });
    let (low, high) = if low < high {
        (low, high)
    } else {
        (low - 0.5, low + 0.5)
    };
    let margin = 0.05 * (high - low);
    let x_range = 1.0..epochs.max(2.0);
    let y_range = (low - margin).max(0.0)..high + margin;

    let mut builder = ChartBuilder::on(&root);
    builder.margin(20);
    if with_text {
        builder
            .caption(title, ("sans-serif", 22))
            .x_label_area_size(40)
            .y_label_area_size(60);
    }
    let mut chart = builder.build_cartesian_2d(x_range.clone(), y_range.clone())?;

    if with_text {
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&|epoch| format!("{epoch:.0}"))
            .y_desc("cross-entropy loss")
            .draw()?;
    } else {
        let frame = [
            (x_range.start, y_range.start),
            (x_range.end, y_range.start),
            (x_range.end, y_range.end),
            (x_range.start, y_range.end),
            (x_range.start, y_range.start),
        ];
        chart.draw_series(LineSeries::new(frame, BLACK.stroke_width(1)))?;
    }

    let points = |losses: &[f64]| -> Vec<(f64, f64)> {
        losses
            .iter()
            .enumerate()
            .map(|(epoch, &loss)| ((epoch + 1) as f64, loss))
            .collect()
    };
    let curves = [
        (train, TRAIN_COLOR, "training loss"),
        (test, TEST_COLOR, "held-out loss"),
    ];
    for (losses, color, label) in curves {
        let series = chart.draw_series(LineSeries::new(points(losses), color.stroke_width(2)))?;
        if with_text {
            series.label(label).legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
            });
        }
    }
    if with_text {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}
