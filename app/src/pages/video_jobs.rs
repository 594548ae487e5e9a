//! The video playground's jobs: the one being followed (its progress, then the video playing
//! in the page with a download button, or why it failed) and the history of jobs with their
//! status and cost, a page at a time.

use super::video_playground::Studio;
use crate::api::video_playground::settings_words;
use crate::components::{DataTable, Money, Time};
use crate::types::VideoJobInfo;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

/// The steps of a job, and the stage (`VideoJobInfo::stage`) that starts each.
const STEPS: [(&str, &str); 4] =
    [("queued", "Queued"), ("submitting", "Sent to the model"), ("running", "Generating"), ("completed", "Stored and ready")];

fn step_of(stage: &str) -> usize {
    STEPS.iter().position(|(s, _)| *s == stage).unwrap_or(0)
}

/// `completed` → "Completed", …
fn status_words(status: &str) -> &'static str {
    match status {
        "pending" => "Pending",
        "in_progress" => "In progress",
        "completed" => "Completed",
        _ => "Failed",
    }
}

fn billing_words(status: &str) -> &'static str {
    match status {
        "pre_deducted" => "estimate deducted",
        "settled" => "settled",
        _ => "refunded",
    }
}

/// The job being followed.
#[component]
pub(super) fn CurrentJob(studio: Studio) -> AnyView {
    let body = move || match studio.current.get() {
        None => Either::Left(view! {
            <p class="muted video-empty">"Set the parameters and press Generate video: the job shows here as it is made, then the video plays here."</p>
        }),
        Some(job) => Either::Right(view! { <JobView job studio/> }),
    };
    view! {
        <section class="card video-current" aria-labelledby="video-current-heading" data-testid="video-current">
            <h2 id="video-current-heading">"Video"</h2>
            {body}
        </section>
    }
    .into_any()
}

#[component]
fn JobView(job: VideoJobInfo, studio: Studio) -> AnyView {
    let failed = job.status == "failed";
    let at = step_of(&job.stage);
    let steps = STEPS
        .iter()
        .enumerate()
        .map(|(i, (_, words))| {
            let class = if job.status == "completed" || i < at {
                "done"
            } else if i == at && failed {
                "failed"
            } else if i == at {
                "active"
            } else {
                "todo"
            };
            view! { <li class=class aria-current=(class == "active").then_some("step")>{*words}</li> }
        })
        .collect_view();
    let progress = if job.is_over() {
        None
    } else {
        Some(view! {
            <p class="video-progress" role="status" data-testid="video-progress">
                <span class="spinner" aria-hidden="true"></span>
                {move || format!("Working on it… {} s", studio.watched.get())}
            </p>
        })
    };
    let outcome = match (job.status.as_str(), job.video_url.clone()) {
        ("completed", Some(url)) => {
            let name = job.file_name();
            EitherOf3::A(view! {
                <video class="video-player" controls=true preload="auto" playsinline=true src=url.clone() data-testid="video-player">
                    "Your browser cannot play this video; download it instead."
                </video>
                <p class="video-actions">
                    <a class="button" href=url download=name data-testid="video-download">"Download MP4"</a>
                    {job.expires_at.clone().map(|e| view! { <span class="hint">"Kept until " <Time at=e/></span> })}
                </p>
            })
        }
        ("completed", None) => EitherOf3::B(view! { <p class="alert alert-warning">"This video has expired and is no longer kept."</p> }),
        ("failed", _) => EitherOf3::C(view! {
            <p class="alert alert-error" data-testid="video-failed">
                {format!("The job failed: {}. The estimate was refunded.", job.error.clone().unwrap_or_else(|| "no reason given".into()))}
            </p>
        }),
        _ => EitherOf3::B(view! { <p class="hint">"The video plays here when it is ready."</p> }),
    };
    let status = job.status.clone();
    view! {
        <div class="video-job" data-testid="video-job" data-job=job.job_id.clone() data-status=status.clone() data-stage=job.stage.clone()>
            <p class="video-job-head">
                <span class=format!("badge status-{status}") data-testid="job-status">{status_words(&status)}</span>
                <code class="video-job-id">{job.job_id.clone()}</code>
            </p>
            <ol class="video-steps" aria-label="Progress">{steps}</ol>
            {progress}
            {outcome}
            <dl class="video-facts">
                <dt>"Model"</dt>
                <dd>{job.model.clone()}</dd>
                <dt>"Settings"</dt>
                <dd>{settings_words(&job)} {format!(" · seed {}", job.seed)}</dd>
                <dt>"Estimated"</dt>
                <dd><Money amount=job.estimated_cost testid="job-estimated"/></dd>
                <dt>"Billed"</dt>
                <dd>
                    <Money amount=job.billed_cost testid="job-billed"/>
                    {format!(" ({})", billing_words(&job.billing_status))}
                    {job.video_tokens.map(|t| format!(" on {t} video tokens"))}
                </dd>
            </dl>
        </div>
    }
    .into_any()
}

/// The history of jobs, newest first.
#[component]
pub(super) fn History(studio: Studio, ready: RwSignal<bool>) -> AnyView {
    let go = move |delta: i64| {
        let next = (i64::from(studio.page.get_untracked()) + delta).max(1);
        studio.page.set(u32::try_from(next).unwrap_or(1));
        studio.refresh_history();
    };
    let body = move || match studio.history.get() {
        None => view! { <p class="muted" data-testid="history-loading">"Loading the history…"</p> }.into_any(),
        Some(Err(m)) => view! { <p class="alert alert-error" role="alert" data-testid="history-error">{m}</p> }.into_any(),
        Some(Ok(h)) if h.jobs.is_empty() => view! { <p class="empty" data-testid="history-empty">"No video jobs yet."</p> }.into_any(),
        Some(Ok(h)) => {
            let pages = h.total.div_ceil(u64::from(h.per_page.max(1))).max(1);
            let (page, has_next) = (h.page, u64::from(h.page) < pages);
            let rows = h.jobs.into_iter().map(|job| view! { <HistoryRow job studio/> }).collect_view();
            view! {
                <DataTable
                    headers=vec!["Created", "Prompt", "Model and settings", "Status", "Cost", "Made with", ""]
                    caption="Video jobs, newest first"
                    testid="video-history"
                >
                    {rows}
                </DataTable>
                <nav class="pagination" aria-label="History pages">
                    <button type="button" class="button secondary small" disabled=move || page <= 1 || !ready.get() on:click=move |_| go(-1)>
                        "Previous"
                    </button>
                    <span class="page-info" data-testid="history-page">{format!("Page {page} of {pages} · {} {}", h.total, if h.total == 1 { "job" } else { "jobs" })}</span>
                    <button type="button" class="button secondary small" disabled=move || !has_next || !ready.get() on:click=move |_| go(1)>
                        "Next"
                    </button>
                </nav>
            }
            .into_any()
        }
    };
    view! {
        <section class="card video-history" aria-labelledby="video-history-heading">
            <h2 id="video-history-heading">"History"</h2>
            <p class="hint">
                {move || if studio.me.with(|m| m.as_ref().is_some_and(|m| m.signed_in)) {
                    "Every video job of the organization: made here or through any of its API keys."
                } else {
                    "Your video jobs."
                }}
            </p>
            {body}
        </section>
    }
    .into_any()
}

#[component]
fn HistoryRow(job: VideoJobInfo, studio: Studio) -> impl IntoView {
    let shown = job.clone();
    let cost = if job.billing_status == "pre_deducted" { job.estimated_cost } else { job.billed_cost };
    view! {
        <tr data-testid="history-row" data-job=job.job_id.clone() data-status=job.status.clone()>
            <td><Time at=job.created_at.clone()/></td>
            <td class="video-prompt-cell" title=job.prompt.clone()>{job.prompt.clone()}</td>
            <td>
                <span class="mono">{job.model.clone()}</span>
                <br/>
                <span class="hint">{settings_words(&job)}</span>
            </td>
            <td><span class=format!("badge status-{}", job.status) data-testid="history-status">{status_words(&job.status)}</span></td>
            <td data-testid="history-cost" data-billing=job.billing_status.clone()>
                <Money amount=cost/>
                <br/>
                <span class="hint">{billing_words(&job.billing_status)}</span>
            </td>
            <td>{job.source.clone()}</td>
            <td>
                <button type="button" class="button secondary small" data-testid="history-show" on:click=move |_| studio.show(shown.clone())>
                    "Show"
                </button>
            </td>
        </tr>
    }
}
