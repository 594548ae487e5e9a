//! Videos in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Ceph…) through
//! `object_store`: uploaded in parts as they download, read back in ranges, and streamed to
//! the browser by the gateway itself (the bucket needs no public access).

use super::range::{wanted, Wanted};
use crate::video::config::S3Config;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, RetryConfig};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    /// Key prefix inside the bucket (`s3://bucket/prefix`), without slashes at the ends.
    prefix: String,
    /// Shown in logs: `s3://bucket/prefix` (never a credential).
    pub name: String,
}

/// Part size of uploads (S3's minimum for a multipart part is 5 MiB).
const PART_BYTES: usize = 8 << 20;

impl Bucket {
    /// `url` is `s3://bucket[/prefix]`; credentials, region and endpoint come from `cfg`,
    /// then from the usual `AWS_*` variables.
    pub fn open(url: &str, cfg: &S3Config) -> anyhow::Result<Bucket> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| anyhow::anyhow!("video.store must be s3://bucket[/prefix], not {url}"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            anyhow::bail!("video.store names no bucket: {url}");
        }
        let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(e) = &cfg.endpoint {
            b = b.with_endpoint(e);
        }
        if let Some(r) = &cfg.region {
            b = b.with_region(r);
        }
        if let Some(k) = &cfg.access_key_id {
            b = b.with_access_key_id(k);
        }
        if let Some(s) = &cfg.secret_access_key {
            b = b.with_secret_access_key(s);
        }
        if cfg.allow_http {
            b = b.with_allow_http(true);
        }
        // a few quick tries: the video worker retries a failed copy itself, later
        b = b.with_retry(RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(30), ..Default::default() });
        let store = b.build().map_err(|e| anyhow::anyhow!("video.store {url}: {e}"))?;
        let prefix = prefix.trim_matches('/').to_string();
        Ok(Bucket { store: Arc::new(store), name: format!("s3://{bucket}/{prefix}"), prefix })
    }

    pub fn key(&self, job_id: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(format!("{job_id}.mp4"))
        } else {
            Path::from(format!("{}/{job_id}.mp4", self.prefix))
        }
    }

    /// An upload in progress: parts go up as chunks come in; nothing is visible under the
    /// key until [`Upload::finish`].
    pub fn upload(&self, job_id: &str) -> Upload {
        Upload(BufWriter::with_capacity(self.store.clone(), self.key(job_id), PART_BYTES))
    }

    pub async fn remove(&self, job_id: &str) -> object_store::Result<()> {
        match self.store.delete(&self.key(job_id)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }

    pub async fn exists(&self, job_id: &str) -> object_store::Result<bool> {
        match self.store.head(&self.key(job_id)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The answer to a GET of the stored video: 200 with all of it, 206 with the range asked
    /// for, 416 when that range is past its end; 404 when it is not there.
    pub async fn serve(&self, job_id: &str, request: &HeaderMap) -> object_store::Result<Response> {
        let key = self.key(job_id);
        let meta = match self.store.head(&key).await {
            Ok(m) => m,
            Err(object_store::Error::NotFound { .. }) => return Ok(StatusCode::NOT_FOUND.into_response()),
            Err(e) => return Err(e),
        };
        let size = meta.size;
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if let Some(tag) = meta.e_tag.as_deref().and_then(|t| HeaderValue::from_str(t).ok()) {
            headers.insert(header::ETAG, tag);
        }
        if let Ok(v) = HeaderValue::from_str(&meta.last_modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string()) {
            headers.insert(header::LAST_MODIFIED, v);
        }
        let range_header = request.get(header::RANGE).and_then(|v| v.to_str().ok());
        // If-Range: a range of this version only; another version gets all of it
        let same_version = match request.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) {
            None => true,
            Some(v) => meta.e_tag.as_deref() == Some(v),
        };
        let wanted = if same_version { wanted(range_header, size) } else { Wanted::Whole };
        let (status, range) = match wanted {
            Wanted::Unsatisfiable => {
                headers.insert(header::CONTENT_RANGE, header_value(format!("bytes */{size}")));
                return Ok((StatusCode::RANGE_NOT_SATISFIABLE, headers).into_response());
            }
            Wanted::Whole => (StatusCode::OK, None),
            Wanted::Part { first, last } => {
                headers.insert(header::CONTENT_RANGE, header_value(format!("bytes {first}-{last}/{size}")));
                (StatusCode::PARTIAL_CONTENT, Some(first..last + 1))
            }
        };
        let length = range.as_ref().map_or(size, |r| r.end - r.start);
        headers.insert(header::CONTENT_LENGTH, header_value(length.to_string()));
        if length == 0 {
            return Ok((status, headers, Body::empty()).into_response());
        }
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            // the version the headers describe, or an error rather than another file's bytes
            if_match: meta.e_tag.clone(),
            ..Default::default()
        };
        let got = self.store.get_opts(&key, options).await?;
        Ok((status, headers, Body::from_stream(got.into_stream())).into_response())
    }
}

fn header_value(s: String) -> HeaderValue {
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A video being copied into the bucket.
pub struct Upload(BufWriter);

impl Upload {
    pub async fn write(&mut self, chunk: Bytes) -> object_store::Result<()> {
        self.0.put(chunk).await
    }

    /// Completes the upload: the object appears whole under its key.
    pub async fn finish(mut self) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        self.0.shutdown().await
    }

    /// Drops the parts sent so far.
    pub async fn abort(mut self) {
        if let Err(e) = self.0.abort().await {
            tracing::warn!(error = %e, "aborting a video upload failed (the bucket's lifecycle rules remove stale parts)");
        }
    }
}
