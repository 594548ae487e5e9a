//! Finished videos in the gateway's own storage: a local folder (`<data_dir>/videos` by
//! default), one `<job_id>.mp4` per job, written to a `.part` file and renamed when whole.
//! Downloads are served by the gateway under an HMAC-signed path with an expiry, so a link
//! can be handed to a browser or a CDN without the API key. (An S3-compatible store would
//! sit behind the same three calls: save, path-or-stream, remove.)

use crate::accounts::tokens::{same, Hasher};
use futures::StreamExt;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

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
    dir: PathBuf,
    /// Plain client for the upstream's file URLs (no provider credentials on it).
    http: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("download failed: {0}")]
    Download(String),
    #[error("the video is larger than {0} bytes")]
    TooLarge(u64),
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
}

impl VideoFiles {
    pub fn new(dir: PathBuf) -> anyhow::Result<VideoFiles> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .user_agent(concat!("gateai/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(VideoFiles { dir, http })
    }

    /// Where a job's video lives (only for ids that passed [`is_job_id`]).
    pub fn path(&self, job_id: &str) -> PathBuf {
        self.dir.join(format!("{job_id}.mp4"))
    }

    /// Copies the upstream's file into storage; returns its size.
    pub async fn save_from(&self, url: &str, job_id: &str, max_bytes: u64) -> Result<u64, FileError> {
        tokio::fs::create_dir_all(&self.dir).await?;
        let resp = self.http.get(url).send().await.map_err(|e| FileError::Download(e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(FileError::Download(format!("status {}", resp.status().as_u16())));
        }
        if resp.content_length().is_some_and(|n| n > max_bytes) {
            return Err(FileError::TooLarge(max_bytes));
        }
        let part = self.dir.join(format!("{job_id}.mp4.part"));
        let mut file = tokio::fs::File::create(&part).await?;
        let mut written: u64 = 0;
        let mut body = resp.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    drop(file);
                    let _ = tokio::fs::remove_file(&part).await;
                    return Err(FileError::Download(e.without_url().to_string()));
                }
            };
            written += chunk.len() as u64;
            if written > max_bytes {
                drop(file);
                let _ = tokio::fs::remove_file(&part).await;
                return Err(FileError::TooLarge(max_bytes));
            }
            file.write_all(&chunk).await?;
        }
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&part, self.path(job_id)).await?;
        Ok(written)
    }

    /// Removes a job's video (gone already is fine).
    pub async fn remove(&self, job_id: &str) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.path(job_id)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    pub async fn exists(&self, job_id: &str) -> bool {
        tokio::fs::metadata(self.path(job_id)).await.is_ok_and(|m| m.is_file())
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
