//! The log writer's own thread: an OS thread with a current-thread runtime, scheduled as the
//! configuration says (`WriterScheduling`), so the writer's CPU time can be put behind the
//! requests'. The database work follows: on SQLite the batches run on this thread itself; on
//! PostgreSQL the writer's connections are opened from it.

use std::future::Future;

/// How the writer's threads are scheduled (Linux; elsewhere the default). Written
/// `normal`, `idle`, `nice:N` or `slice:µs` (GATEAI_LOG_WRITER, `gateway.log_writer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum WriterScheduling {
    /// As any other thread.
    Normal,
    /// `SCHED_IDLE`: runs only when nothing else wants the CPU, and a waking request thread
    /// takes the CPU from it at once.
    Idle,
    /// A niceness (1–19).
    Nice(i32),
    /// A fair-share thread with a short time slice, in µs (Linux 6.12+ `sched_setattr`).
    Slice(u64),
}

impl std::str::FromStr for WriterScheduling {
    type Err = String;
    fn from_str(s: &str) -> Result<WriterScheduling, String> {
        let parsed = match s.trim() {
            "normal" => Some(WriterScheduling::Normal),
            "idle" => Some(WriterScheduling::Idle),
            other => match other.split_once(':') {
                Some(("nice", n)) => n.parse().ok().filter(|n| (1..=19).contains(n)).map(WriterScheduling::Nice),
                Some(("slice", n)) => n.parse().ok().filter(|n| (100..=100_000).contains(n)).map(WriterScheduling::Slice),
                _ => None,
            },
        };
        parsed.ok_or_else(|| format!("{s:?} is not one of normal, idle, nice:1-19, slice:100-100000"))
    }
}

impl TryFrom<String> for WriterScheduling {
    type Error = String;
    fn try_from(s: String) -> Result<WriterScheduling, String> {
        s.parse()
    }
}

/// Runs `task()` to its end on a new thread named `name`, scheduled as `how`.
pub(super) fn spawn<F, Fut>(name: &str, how: WriterScheduling, task: F) -> std::io::Result<()>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    std::thread::Builder::new().name(name.to_string()).spawn(move || {
        if let Err(e) = apply(how) {
            tracing::warn!(error = %e, ?how, "cannot set the log writer's scheduling; it runs as any thread");
        }
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt.block_on(task()),
            Err(e) => tracing::error!(error = %e, "cannot start the log writer's runtime"),
        }
    })?;
    Ok(())
}

/// Sets the calling thread's scheduling (on Linux these are per thread). None of them needs
/// a privilege; a failure only costs latency.
#[cfg(target_os = "linux")]
fn apply(how: WriterScheduling) -> std::io::Result<()> {
    let done = match how {
        WriterScheduling::Normal => return Ok(()),
        WriterScheduling::Idle => {
            let param = libc::sched_param { sched_priority: 0 };
            // SAFETY: 0 names the calling thread; `param` outlives the call.
            unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) }
        }
        // SAFETY: plain integers; 0 names the calling thread.
        WriterScheduling::Nice(n) => unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, n) },
        WriterScheduling::Slice(us) => {
            let attr = SchedAttr { size: std::mem::size_of::<SchedAttr>() as u32, sched_runtime: us * 1000, ..Default::default() };
            // SAFETY: `attr` is the kernel's `struct sched_attr` layout, `size` says how much
            // of it there is, and it outlives the call; 0 names the calling thread.
            unsafe { libc::syscall(libc::SYS_sched_setattr, 0, &attr as *const SchedAttr, 0) as i32 }
        }
    };
    if done != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn apply(_how: WriterScheduling) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_written_forms_and_refuses_others() {
        assert_eq!("idle".parse(), Ok(WriterScheduling::Idle));
        assert_eq!(" normal ".parse(), Ok(WriterScheduling::Normal));
        assert_eq!("nice:10".parse(), Ok(WriterScheduling::Nice(10)));
        assert_eq!("slice:250".parse(), Ok(WriterScheduling::Slice(250)));
        for bad in ["", "fast", "nice:0", "nice:20", "nice:-5", "slice:50", "slice:x", "idle:1"] {
            assert!(bad.parse::<WriterScheduling>().is_err(), "{bad:?} accepted");
        }
    }

    /// What the writer's thread reads back about itself: (policy, niceness).
    #[cfg(target_os = "linux")]
    fn scheduled_as(how: WriterScheduling) -> (i32, i32) {
        let (tx, rx) = std::sync::mpsc::channel();
        spawn("sched-test", how, move || async move {
            // SAFETY: plain calls about the calling thread.
            let got = unsafe { (libc::sched_getscheduler(0), libc::getpriority(libc::PRIO_PROCESS, 0)) };
            let _ = tx.send(got);
        })
        .expect("spawn the thread");
        rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the thread answers")
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_writer_thread_runs_as_asked() {
        assert_eq!(scheduled_as(WriterScheduling::Idle).0, libc::SCHED_IDLE);
        assert_eq!(scheduled_as(WriterScheduling::Normal), (libc::SCHED_OTHER, 0));
        assert_eq!(scheduled_as(WriterScheduling::Nice(7)), (libc::SCHED_OTHER, 7));
        // a slice keeps the fair policy (kernels before 6.12 refuse it: then it runs as normal)
        assert_eq!(scheduled_as(WriterScheduling::Slice(500)).0, libc::SCHED_OTHER);
    }
}

/// The kernel's `struct sched_attr` (`SCHED_OTHER` with `sched_runtime` as the slice).
#[cfg(target_os = "linux")]
#[derive(Default)]
#[repr(C)]
struct SchedAttr {
    size: u32,
    sched_policy: u32,
    sched_flags: u64,
    sched_nice: i32,
    sched_priority: u32,
    sched_runtime: u64,
    sched_deadline: u64,
    sched_period: u64,
    sched_util_min: u32,
    sched_util_max: u32,
}
