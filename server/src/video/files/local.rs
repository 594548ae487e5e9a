//! Videos in a local folder: `<dir>/<job_id>.mp4`, written to `<job_id>.mp4.part` and
//! renamed when whole (a crash never leaves half a video under the job's name), served by
//! tower-http's `ServeFile` (Range, If-Range and conditional requests).

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

pub fn path(dir: &Path, job_id: &str) -> PathBuf {
    dir.join(format!("{job_id}.mp4"))
}

/// A video being written.
pub struct Part {
    file: tokio::fs::File,
    part: PathBuf,
    done: PathBuf,
}

impl Part {
    pub async fn create(dir: &Path, job_id: &str) -> std::io::Result<Part> {
        tokio::fs::create_dir_all(dir).await?;
        let part = dir.join(format!("{job_id}.mp4.part"));
        Ok(Part { file: tokio::fs::File::create(&part).await?, part, done: path(dir, job_id) })
    }

    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.file.write_all(chunk).await
    }

    /// Flushes to disk and gives the file its name.
    pub async fn finish(self) -> std::io::Result<()> {
        self.file.sync_all().await?;
        drop(self.file);
        tokio::fs::rename(&self.part, &self.done).await
    }

    pub async fn abort(self) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.part).await;
    }
}

pub async fn remove(dir: &Path, job_id: &str) -> std::io::Result<()> {
    match tokio::fs::remove_file(path(dir, job_id)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

pub async fn exists(dir: &Path, job_id: &str) -> bool {
    tokio::fs::metadata(path(dir, job_id)).await.is_ok_and(|m| m.is_file())
}

/// `.mp4` is served as video/mp4; a missing file is a 404.
pub async fn serve(dir: &Path, job_id: &str, req: Request) -> Response {
    match tower_http::services::ServeFile::new(path(dir, job_id)).oneshot(req).await {
        Ok(served) => served.map(Body::new),
        Err(never) => match never {},
    }
}
