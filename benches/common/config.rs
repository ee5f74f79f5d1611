//! The criterion settings shared by the benchmarks: short warm-up and
//! measurement times, so the whole suite runs in a few minutes on a
//! two-core machine, and a thread CPU-time clock.
//!
//! Include it with `#[path = "common/config.rs"] mod config;`.
//!
//! The benchmarks measure the CPU time of the benchmarking thread
//! (`CLOCK_THREAD_CPUTIME_ID`) rather than wall time. On a shared machine
//! the wall time also counts the time the thread waits for a core, which
//! varied by a factor of 2 to 3 between runs on a two-core machine shared
//! with builds, while the CPU time does not.
//! Set `ADJOINT_BENCH_WALL_TIME=1` to measure wall time instead.

#![allow(
    dead_code,
    reason = "each bench that includes this file uses a different subset"
)]

use std::time::Duration;

use criterion::Criterion;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// Criterion measuring with [`Clock`].
pub type Bench = Criterion<Clock>;

/// Criterion with 10 samples, 0.2 s of warm-up and 0.6 s of measurement per
/// benchmark.
pub fn quick() -> Bench {
    Criterion::default()
        .with_measurement(Clock::from_env())
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(600))
        .without_plots()
}

/// Criterion with 10 samples and 2 s of measurement, for benchmarks whose
/// single iteration takes milliseconds.
pub fn slow() -> Bench {
    Criterion::default()
        .with_measurement(Clock::from_env())
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
}

/// The clock of the benchmarks: the calling thread's CPU time, or wall
/// time when `ADJOINT_BENCH_WALL_TIME` is set. Values are nanoseconds.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    wall_time: bool,
}

impl Clock {
    fn from_env() -> Self {
        Self {
            wall_time: std::env::var_os("ADJOINT_BENCH_WALL_TIME").is_some(),
        }
    }

    fn now(self) -> Duration {
        if self.wall_time {
            return WALL_EPOCH.with(|epoch| epoch.elapsed());
        }
        let mut time = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `time` is a valid, writable timespec, and
        // CLOCK_THREAD_CPUTIME_ID is supported on every Linux kernel.
        let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
        assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        Duration::new(time.tv_sec as u64, time.tv_nsec as u32)
    }
}

thread_local! {
    static WALL_EPOCH: std::time::Instant = std::time::Instant::now();
}

/// Criterion's own wall-time measurement, whose duration formatter
/// [`Clock`] reuses.
static WALL_TIME: WallTime = WallTime;

impl Measurement for Clock {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        self.now()
    }

    fn end(&self, start: Duration) -> Duration {
        self.now().saturating_sub(start)
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        WALL_TIME.formatter()
    }
}
