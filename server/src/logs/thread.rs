//! The log writer's own thread: an OS thread with a current-thread runtime, scheduled as the
//! configuration says (`WriterScheduling`), so the writer's CPU time can be put behind the
//! requests'. The database work follows: on SQLite the batches run on this thread itself; on
//! PostgreSQL the writer's connections are opened from it.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

/// How the writer's threads are scheduled (Linux; elsewhere the default). Written
/// `auto`, `normal`, `idle`, `nice:N` or `slice:µs` (GATEAI_LOG_WRITER, `gateway.log_writer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum WriterScheduling {
    /// `SCHED_IDLE` while the writer keeps up, raised to normal while records pile up or
    /// someone waits for it ([`Priority`]). Where the process may not leave `SCHED_IDLE`
    /// (no `CAP_SYS_NICE` and an `RLIMIT_NICE` below 20) the writer runs as `Normal`.
    Auto,
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
            "auto" => Some(WriterScheduling::Auto),
            "normal" => Some(WriterScheduling::Normal),
            "idle" => Some(WriterScheduling::Idle),
            other => match other.split_once(':') {
                Some(("nice", n)) => n.parse().ok().filter(|n| (1..=19).contains(n)).map(WriterScheduling::Nice),
                Some(("slice", n)) => n.parse().ok().filter(|n| (100..=100_000).contains(n)).map(WriterScheduling::Slice),
                _ => None,
            },
        };
        parsed.ok_or_else(|| format!("{s:?} is not one of auto, normal, idle, nice:1-19, slice:100-100000"))
    }
}

impl TryFrom<String> for WriterScheduling {
    type Error = String;
    fn try_from(s: String) -> Result<WriterScheduling, String> {
        s.parse()
    }
}

/// Runs `task(priority)` to its end on a new thread named `name`, scheduled as `how`.
/// The returned [`Priority`] is the one the task gets: how other threads raise it.
pub(super) fn spawn<F, Fut>(name: &str, how: WriterScheduling, task: F) -> std::io::Result<Arc<Priority>>
where
    F: FnOnce(Arc<Priority>) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let priority = Arc::new(Priority::default());
    let theirs = priority.clone();
    std::thread::Builder::new().name(name.to_string()).spawn(move || {
        let applied = match how {
            WriterScheduling::Auto => theirs.start_auto(),
            other => apply(other),
        };
        if let Err(e) = applied {
            tracing::warn!(error = %e, ?how, "cannot set the log writer's scheduling; it runs as any thread");
        }
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt.block_on(task(theirs)),
            Err(e) => tracing::error!(error = %e, "cannot start the log writer's runtime"),
        }
    })?;
    Ok(priority)
}

/// The writer's place in line under `auto`: `SCHED_IDLE` (a waking request thread takes the
/// CPU from it at once) while it keeps up; any thread that sees records piling up, or waits
/// for the writer, raises it to the normal policy, and the writer lowers itself again once
/// it has caught up. A no-op under the other schedulings.
#[derive(Default)]
pub(super) struct Priority {
    /// The writer thread's kernel id, set once it runs `auto` and may switch both ways.
    tid: AtomicI32,
    /// Whether it runs at the normal policy now (changed only under `switching`).
    raised: AtomicBool,
    switching: Mutex<()>,
}

impl Priority {
    /// Called by the writer's own thread: idle, if it may come back from it.
    #[cfg(target_os = "linux")]
    fn start_auto(&self) -> std::io::Result<()> {
        // SAFETY: no arguments; the calling thread's id.
        let tid = unsafe { libc::syscall(libc::SYS_gettid) } as i32;
        // leaving SCHED_IDLE is the step that needs a privilege: try it once before relying on it
        set_policy(tid, libc::SCHED_IDLE)?;
        if let Err(e) = set_policy(tid, libc::SCHED_OTHER) {
            tracing::info!(error = %e, "the log writer runs at normal priority: leaving SCHED_IDLE needs CAP_SYS_NICE or an RLIMIT_NICE of 20");
            return Ok(());
        }
        set_policy(tid, libc::SCHED_IDLE)?;
        self.tid.store(tid, Ordering::Release);
        Ok(())
    }

    #[cfg(not(target_os = "linux"))]
    fn start_auto(&self) -> std::io::Result<()> {
        Ok(())
    }

    /// The writer thread's policy as the kernel has it, once it runs `auto`.
    #[cfg(all(test, target_os = "linux"))]
    pub(super) fn policy(&self) -> Option<i32> {
        // SAFETY: a plain query about a thread of this process.
        Some(self.tid.load(Ordering::Acquire)).filter(|t| *t != 0).map(|t| unsafe { libc::sched_getscheduler(t) })
    }

    /// Whether the writer runs `auto` (and may switch both ways): only then is it worth
    /// watching whether it falls behind.
    pub(super) fn switches(&self) -> bool {
        self.tid.load(Ordering::Acquire) != 0
    }

    /// Any thread: the writer runs at the normal policy from now until it lowers itself.
    pub(super) fn raise(&self) {
        if !self.raised.load(Ordering::Acquire) {
            self.switch(true, || true);
        }
    }

    /// The writer's thread: back to idle if `caught_up()` still holds once no other thread
    /// can raise it meanwhile (a sender that is behind raises it after this, not before).
    pub(super) fn lower_if(&self, caught_up: impl FnOnce() -> bool) {
        if self.raised.load(Ordering::Acquire) {
            self.switch(false, caught_up);
        }
    }

    fn switch(&self, raise: bool, still: impl FnOnce() -> bool) {
        let tid = self.tid.load(Ordering::Acquire);
        if tid == 0 {
            return;
        }
        let _one_at_a_time = self.switching.lock().unwrap_or_else(|p| p.into_inner());
        if self.raised.load(Ordering::Acquire) == raise || !still() {
            return;
        }
        #[cfg(target_os = "linux")]
        match set_policy(tid, if raise { libc::SCHED_OTHER } else { libc::SCHED_IDLE }) {
            Ok(()) => self.raised.store(raise, Ordering::Release),
            Err(e) => tracing::warn!(error = %e, raise, "cannot change the log writer's priority"),
        }
    }
}

/// Whether this process may leave SCHED_IDLE (what `auto` needs to lower the writer).
#[cfg(all(test, target_os = "linux"))]
pub(super) fn may_leave_idle() -> bool {
    std::thread::spawn(|| set_policy(0, libc::SCHED_IDLE).is_ok() && set_policy(0, libc::SCHED_OTHER).is_ok()).join().unwrap_or(false)
}

#[cfg(target_os = "linux")]
fn set_policy(tid: i32, policy: i32) -> std::io::Result<()> {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `tid` is a thread of this process (or 0, the caller); `param` outlives the call.
    if unsafe { libc::sched_setscheduler(tid, policy, &param) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Sets the calling thread's scheduling (on Linux these are per thread). None of them needs
/// a privilege; a failure only costs latency.
#[cfg(target_os = "linux")]
fn apply(how: WriterScheduling) -> std::io::Result<()> {
    let done = match how {
        WriterScheduling::Normal | WriterScheduling::Auto => return Ok(()),
        WriterScheduling::Idle => return set_policy(0, libc::SCHED_IDLE),
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
        assert_eq!("auto".parse(), Ok(WriterScheduling::Auto));
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
        spawn("sched-test", how, move |_| async move {
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

    /// Under `auto` the writer starts idle, other threads raise it, it lowers itself; where
    /// leaving idle is refused it stays at the normal policy throughout.
    #[cfg(target_os = "linux")]
    #[test]
    fn auto_lowers_the_writer_and_other_threads_raise_it() {
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let priority = spawn("sched-auto", WriterScheduling::Auto, move |p| async move {
            // each command: lower ourselves, then say so
            while go_rx.recv().is_ok() {
                p.lower_if(|| true);
                let _ = done_tx.send(());
            }
        })
        .expect("spawn the thread");
        if !may_leave_idle() {
            std::thread::sleep(std::time::Duration::from_millis(100));
            assert_eq!(priority.policy(), None, "auto lowered a writer that could not come back");
            return;
        }
        let started = std::time::Instant::now();
        while priority.policy().is_none() {
            assert!(started.elapsed().as_secs() < 10, "the writer never started under auto");
            std::thread::yield_now();
        }
        assert_eq!(priority.policy(), Some(libc::SCHED_IDLE), "starts idle");
        priority.raise();
        assert_eq!(priority.policy(), Some(libc::SCHED_OTHER), "raised by another thread");
        priority.raise();
        assert_eq!(priority.policy(), Some(libc::SCHED_OTHER));
        go_tx.send(()).expect("the writer listens");
        done_rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the writer answers");
        assert_eq!(priority.policy(), Some(libc::SCHED_IDLE), "lowered by itself");
        priority.raise();
        assert_eq!(priority.policy(), Some(libc::SCHED_OTHER), "raised again");
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
