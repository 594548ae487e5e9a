//! Finished videos in the gateway's own storage, one `<job_id>.mp4` per job: a local folder
//! (`<data_dir>/videos` by default; written to a `.part` file and renamed when whole) or an
//! S3-compatible bucket (`video.store = "s3://bucket/prefix"`, see `bucket`). Either way the
//! gateway serves downloads itself under an HMAC-signed path with an expiry (Range
//! supported), so a link can be handed to a browser or a CDN without the API key.

mod bucket;
mod local;
pub mod range;

use crate::accounts::tokens::{same, Hasher};
use axum::extract::Request;
use axum::response::Response;
use futures::StreamExt;
use std::path::PathBuf;
use std::time::Duration;

const SIGN_PURPOSE: &str = "video-file";

/// A job id as the gateway makes them: `video_` and 32 lower-case hex digits. Anything else
/// (path tricks, SQL) is never looked up.
pub fn is_job_id(id: &str) -> bool {
    id.len() == 38 && id.starts_with("video_") && id[6..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn new_job_id() -> String {
    format!("video_{}", uuid::Uuid::new_v4().simple())
}

#[derive(Clone)]
pub struct VideoFiles {
    store: Store,
    /// Plain client for the upstream's file URLs (no provider credentials on it).
    http: reqwest::Client,
}

#[derive(Clone)]
enum Store {
    Folder(PathBuf),
    Bucket(bucket::Bucket),
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("download failed: {0}")]
    Download(String),
    #[error("the video is larger than {0} bytes")]
    TooLarge(u64),
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("storage: {0}")]
    Bucket(#[from] object_store::Error),
}

/// Where one download is being written.
enum Sink {
    File(local::Part),
    Upload(bucket::Upload),
}

impl Sink {
    async fn write(&mut self, chunk: bytes::Bytes) -> Result<(), FileError> {
        match self {
            Sink::File(f) => Ok(f.write(&chunk).await?),
            Sink::Upload(u) => Ok(u.write(chunk).await?),
        }
    }

    async fn finish(self) -> Result<(), FileError> {
        match self {
            Sink::File(f) => Ok(f.finish().await?),
            Sink::Upload(u) => Ok(u.finish().await?),
        }
    }

    async fn abort(self) {
        match self {
            Sink::File(f) => f.abort().await,
            Sink::Upload(u) => u.abort().await,
        }
    }
}

impl VideoFiles {
    /// Stores in `store` when it is set (`s3://bucket/prefix`), else in the folder `dir`.
    pub fn new(dir: PathBuf, store: Option<&str>, s3: &super::config::S3Config) -> anyhow::Result<VideoFiles> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .user_agent(concat!("gateai/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let store = match store {
            Some(url) => Store::Bucket(bucket::Bucket::open(url, s3)?),
            None => Store::Folder(dir),
        };
        Ok(VideoFiles { store, http })
    }

    /// Where the videos are, for the start-up log (no credentials).
    pub fn describe(&self) -> String {
        match &self.store {
            Store::Folder(dir) => dir.display().to_string(),
            Store::Bucket(b) => b.name.clone(),
        }
    }

    /// The local file of a job's video, when videos are kept in a folder (only for ids that
    /// passed [`is_job_id`]).
    pub fn local_path(&self, job_id: &str) -> Option<PathBuf> {
        match &self.store {
            Store::Folder(dir) => Some(local::path(dir, job_id)),
            Store::Bucket(_) => None,
        }
    }

    /// Copies the upstream's file into storage; returns its size. Nothing is stored under the
    /// job's name unless the whole file arrived.
    pub async fn save_from(&self, url: &str, job_id: &str, max_bytes: u64) -> Result<u64, FileError> {
        let resp = self.http.get(url).send().await.map_err(|e| FileError::Download(e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(FileError::Download(format!("status {}", resp.status().as_u16())));
        }
        if resp.content_length().is_some_and(|n| n > max_bytes) {
            return Err(FileError::TooLarge(max_bytes));
        }
        let mut sink = match &self.store {
            Store::Folder(dir) => Sink::File(local::Part::create(dir, job_id).await?),
            Store::Bucket(b) => Sink::Upload(b.upload(job_id)),
        };
        let mut written: u64 = 0;
        let mut body = resp.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    sink.abort().await;
                    return Err(FileError::Download(e.without_url().to_string()));
                }
            };
            written += chunk.len() as u64;
            if written > max_bytes {
                sink.abort().await;
                return Err(FileError::TooLarge(max_bytes));
            }
            if let Err(e) = sink.write(chunk).await {
                sink.abort().await;
                return Err(e);
            }
        }
        sink.finish().await?;
        Ok(written)
    }

    /// Removes a job's video (gone already is fine).
    pub async fn remove(&self, job_id: &str) -> Result<(), FileError> {
        match &self.store {
            Store::Folder(dir) => Ok(local::remove(dir, job_id).await?),
            Store::Bucket(b) => Ok(b.remove(job_id).await?),
        }
    }

    pub async fn exists(&self, job_id: &str) -> Result<bool, FileError> {
        match &self.store {
            Store::Folder(dir) => Ok(local::exists(dir, job_id).await),
            Store::Bucket(b) => Ok(b.exists(job_id).await?),
        }
    }

    /// The answer to a GET of a job's video (200, 206 with a range, 416, 404), streamed.
    pub async fn serve(&self, job_id: &str, req: Request) -> Result<Response, FileError> {
        match &self.store {
            Store::Folder(dir) => Ok(local::serve(dir, job_id, req).await),
            Store::Bucket(b) => Ok(b.serve(job_id, req.headers()).await?),
        }
    }
}

/// The signature of a download link of `job_id` valid until `expires` (unix seconds).
pub fn sign(hasher: &Hasher, job_id: &str, expires: i64) -> String {
    hasher.hash(SIGN_PURPOSE, &format!("{job_id}:{expires}"))
}

/// True when `signature` was made by [`sign`] for this job and expiry (constant time).
pub fn verify(hasher: &Hasher, job_id: &str, expires: i64, signature: &str) -> bool {
    same(&sign(hasher, job_id, expires), signature)
}

/// The gateway path of a signed download link.
pub fn signed_path(hasher: &Hasher, job_id: &str, expires: i64) -> String {
    format!("/api/v1/videos/{job_id}/file?expires={expires}&signature={}", sign(hasher, job_id, expires))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_are_strict() {
        let id = new_job_id();
        assert!(is_job_id(&id), "{id}");
        for bad in ["", "video_", "../etc/passwd", "video_../../../../etc/passwd", "video_1' OR '1'='1", &id.to_uppercase(), &format!("{id}0")] {
            assert!(!is_job_id(bad), "{bad}");
        }
    }

    #[test]
    fn links_are_bound_to_job_and_expiry() {
        let h = Hasher::new(b"0123456789abcdef0123456789abcdef".to_vec());
        let s = sign(&h, "video_a", 100);
        assert!(verify(&h, "video_a", 100, &s));
        assert!(!verify(&h, "video_a", 101, &s));
        assert!(!verify(&h, "video_b", 100, &s));
        assert!(!verify(&Hasher::new(b"another secret another secret 00".to_vec()), "video_a", 100, &s));
    }
}
