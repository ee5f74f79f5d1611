//! The train example's loss plot, with and without fonts.
//!
//! plotters finds fonts through fontconfig on Linux. A machine without
//! fonts must still get its PNG (with no text) and a zero exit status, so
//! one test runs this test binary again with an empty fontconfig
//! configuration, where no font can be found.

#[path = "../examples/support/plot.rs"]
mod plot;

use std::path::PathBuf;
use std::process::Command;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Set in the child process that runs without fonts.
const CHILD_MARKER: &str = "ADJOINT_PLOT_TEST_WITHOUT_FONTS";

fn temp_png(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("adjoint-{name}-{}.png", std::process::id()))
}

fn assert_png(path: &PathBuf) {
    let bytes = std::fs::read(path).expect("the plot was written");
    assert!(
        bytes.starts_with(PNG_SIGNATURE),
        "{} is not a PNG",
        path.display()
    );
    // An all-white 800 x 500 image takes about 2.3 KB with zlib's default
    // compression, and the train example's figure without text 29 KB.
    assert!(
        bytes.len() > 8000,
        "{} has only {} bytes",
        path.display(),
        bytes.len()
    );
}

#[test]
fn plot_writes_png() {
    let path = temp_png("plot");
    let train = [0.7, 0.6, 0.55, 0.5];
    let test = [0.72, 0.65, 0.6, 0.58];
    let text = plot::plot_losses(&path, "test plot", &train, &test).expect("the plot is drawn");
    assert_png(&path);
    std::fs::remove_file(&path).expect("the plot was written");
    if let plot::Text::Omitted(reason) = text {
        println!("this machine drew the plot without text: {reason}");
    }
}

#[test]
fn plot_without_fonts_falls_back() {
    if std::env::var_os(CHILD_MARKER).is_some() {
        let path = temp_png("plot-without-fonts");
        let text = plot::plot_losses(&path, "no fonts", &[1.0, 0.5], &[1.1, 0.7])
            .expect("the plot is drawn without text");
        assert_png(&path);
        std::fs::remove_file(&path).expect("the plot was written");
        assert!(matches!(text, plot::Text::Omitted(_)), "{text:?}");
        return;
    }

    let config = std::env::temp_dir().join(format!("adjoint-no-fonts-{}.conf", std::process::id()));
    std::fs::write(
        &config,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig></fontconfig>\n",
    )
    .expect("temp dir is writable");
    let output = Command::new(std::env::current_exe().expect("the test binary has a path"))
        .args(["--exact", "plot_without_fonts_falls_back", "--nocapture"])
        .env(CHILD_MARKER, "1")
        .env("FONTCONFIG_FILE", &config)
        .output()
        .expect("the test binary runs again");
    std::fs::remove_file(&config).expect("the config was written");
    assert!(
        output.status.success(),
        "the run without fonts failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test:\n{stdout}"
    );
}
