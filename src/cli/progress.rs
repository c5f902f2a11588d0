//! The progress line of a long combine: `covmerge: combining 120/512 files`
//! on stderr, only when stderr is a terminal and the combine takes more
//! than a second. The library counts ([`crate::combine::CombineOptions`]'s
//! `progress`); this renders the count.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running progress line; [`Progress::finish`] clears it.
pub struct Progress {
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Progress {
    /// Show `done` out of `total` until finished.
    pub fn start(done: Arc<AtomicUsize>, total: usize) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let start = Instant::now();
                let mut shown = false;
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    if start.elapsed() >= Duration::from_secs(1) {
                        let n = done.load(Ordering::Relaxed);
                        eprint!("\rcovmerge: combining {n}/{total} files");
                        shown = true;
                    }
                }
                if shown {
                    eprint!("\r\x1b[2K");
                }
            })
        });
        Progress {
            stop,
            thread: Mutex::new(thread),
        }
    }

    /// Stop and clear the line (before a warning is printed, or at the
    /// end); later calls do nothing.
    pub fn finish(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.lock().map(|mut t| t.take()).unwrap_or(None);
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}
