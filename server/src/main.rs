use clap::Parser;

/// mimalloc instead of glibc's malloc: a request makes a few hundred small allocations
/// (JSON values, headers, buffers), and glibc's malloc and free were about 8 % of the
/// gateway's CPU at concurrency 1 (`scripts/bench.sh` with `BENCH_PERF=1`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GATEAI_LOG").unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .init();
    let cli = match gateai::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            // one line: the reason, without clap's usage block
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("error: bad arguments");
            eprintln!("{first} (see gateai --help)");
            std::process::exit(2);
        }
    };
    if let Err(e) = gateai::cli::run(cli).await {
        let line = format!("{e:#}").replace('\n', " ");
        eprintln!("error: {line}");
        std::process::exit(1);
    }
}
