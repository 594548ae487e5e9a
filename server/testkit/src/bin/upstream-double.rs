//! The upstream-provider double as a process, for benchmarks (oha) and real-client tests:
//! `upstream-double --addr 127.0.0.1:9400 --first-byte-delay-ms 0 --chunk-delay-ms 0`.

use clap::Parser;
use std::time::Duration;
use testkit::upstream::UpstreamDouble;

#[derive(Parser)]
#[command(about = "OpenAI / Anthropic / ModelArk upstream double (API key: sk-upstream-test)")]
struct Args {
    /// address to listen on
    #[arg(long, default_value = "127.0.0.1:9400")]
    addr: String,
    /// delay before the response headers of every chat request
    #[arg(long, default_value_t = 0)]
    first_byte_delay_ms: u64,
    /// delay between stream chunks
    #[arg(long, default_value_t = 0)]
    chunk_delay_ms: u64,
    /// write every SSE frame in two pieces cut at an arbitrary byte
    #[arg(long)]
    split_writes: bool,
    /// keep only the latest N recorded requests (see GET /_double/requests)
    #[arg(long, default_value_t = 10_000)]
    max_recorded: usize,
    /// polls of a video task before it finishes
    #[arg(long, default_value_t = 2)]
    video_polls: usize,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let d = match UpstreamDouble::start_on(&args.addr).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("upstream-double: cannot listen on {}: {e}", args.addr);
            std::process::exit(1);
        }
    };
    d.set_first_byte_delay(Duration::from_millis(args.first_byte_delay_ms));
    d.set_chunk_delay(Duration::from_millis(args.chunk_delay_ms));
    d.set_split_writes(args.split_writes);
    d.set_video_polls(args.video_polls);
    d.set_max_recorded(args.max_recorded);
    println!("listening on {}", d.url);
    std::future::pending::<()>().await;
}
