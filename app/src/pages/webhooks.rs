//! `/webhooks?page=N`: the organization's webhook signing secret (masked; Reveal shows it
//! whole with a Copy button; owners and admins rotate it in two steps) and the log of video-job
//! webhook deliveries, newest first: job, URL, state, every attempt (time, HTTP status or
//! error, duration) and the next retry.

use crate::api::webhooks::{webhooks, RevealWebhookSecret, RotateWebhookSecret};
use crate::components::{use_session, ActionError, Authed, ConfirmStep, CopyButton, DataTable, Empty, Loading, PageHeader, Pager, ShowError, Time};
use crate::types::{WebhookAttemptInfo, WebhookDeliveryInfo, WebhooksPage};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WebhooksPageView() -> impl IntoView {
    let epoch = use_session().epoch;
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.read().get("page").and_then(|p| p.parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(1)
    });
    let reveal = ServerAction::<RevealWebhookSecret>::new();
    let rotate = ServerAction::<RotateWebhookSecret>::new();
    let data = Resource::new(move || (epoch.get(), page.get(), rotate.version().get()), |(_, p, _)| webhooks(p));
    // the whole secret, once revealed or rotated (hidden again on request)
    let shown = RwSignal::new(None::<String>);
    Effect::watch(
        move || reveal.version().get(),
        move |_, _, _| {
            if let Some(Ok(s)) = reveal.value().get_untracked() {
                shown.set(Some(s.secret));
            }
        },
        false,
    );
    Effect::watch(
        move || rotate.version().get(),
        move |_, _, _| {
            if let Some(Ok(s)) = rotate.value().get_untracked() {
                shown.set(Some(s.secret));
            }
        },
        false,
    );

    view! {
        <PageHeader
            title="Webhooks"
            description="Video jobs sent with a webhook_url are POSTed there when they end, signed with this organization's secret."
        />
        <Authed let:viewer>
            {
                let csrf = viewer.csrf.clone();
                view! {
                    <Transition fallback=|| view! { <Loading/> }>
                        {
                            let csrf = csrf.clone();
                            move || {
                                let csrf = csrf.clone();
                                Suspend::new(async move {
                                    match data.await {
                                        Ok(p) => Either::Left(view! {
                                            <SecretCard page=p.clone() csrf reveal rotate shown/>
                                            <DeliveriesCard page=p/>
                                        }),
                                        Err(e) => Either::Right(view! { <ShowError error=e/> }),
                                    }
                                })
                            }
                        }
                    </Transition>
                }
            }
        </Authed>
    }
}

#[component]
fn SecretCard(
    page: WebhooksPage,
    csrf: String,
    reveal: ServerAction<RevealWebhookSecret>,
    rotate: ServerAction<RotateWebhookSecret>,
    shown: RwSignal<Option<String>>,
) -> impl IntoView {
    let WebhooksPage { secret_hint, secret_created_at, secret_rotated_at, can_rotate, .. } = page;
    let rotated = move || rotate.value().with(|v| matches!(v, Some(Ok(_))));
    let secret_view = move || match shown.get() {
        Some(secret) => Either::Left(view! {
            <code class="secret" data-testid="webhook-secret" data-revealed="true">{secret.clone()}</code>
            <CopyButton text=secret aria_label="Copy the webhook signing secret"/>
            <button type="button" class="button secondary small" data-testid="hide-secret" on:click=move |_| shown.set(None)>
                "Hide"
            </button>
        }),
        None => {
            let hint = secret_hint.clone();
            Either::Right(view! {
                <code class="secret" data-testid="webhook-secret" data-revealed="false">{hint}</code>
                <button
                    type="button"
                    class="button secondary small"
                    data-testid="reveal-secret"
                    disabled=move || reveal.pending().get()
                    on:click=move |_| {
                        reveal.dispatch(RevealWebhookSecret {});
                    }
                >
                    "Reveal"
                </button>
            })
        }
    };
    let rotate_control = if can_rotate {
        Either::Left(view! {
            <ConfirmStep
                label="Rotate"
                aria_label="Rotate the webhook signing secret"
                question="Replace the secret? The current one stops signing at once."
                testid="rotate-secret"
                confirm=move || {
                    let csrf = csrf.clone();
                    view! {
                        <ActionForm action=rotate attr:class="inline-form">
                            <input type="hidden" name="csrf" value=csrf/>
                            <button type="submit" class="button danger small" data-testid="confirm-rotate-secret">
                                "Yes, rotate"
                            </button>
                        </ActionForm>
                    }
                }
            />
        })
    } else {
        Either::Right(view! {
            <p class="muted small" data-testid="rotate-not-allowed">"Only owners and admins of this organization can rotate the secret."</p>
        })
    };
    view! {
        <section class="card" aria-labelledby="webhook-secret-heading">
            <h2 id="webhook-secret-heading">"Signing secret"</h2>
            <p class="hint">
                "Every delivery carries " <code>"x-gateai-signature: t=<unix>,v1=<hex>"</code>
                ": the HMAC-SHA256 of " <code>"<t>.<raw body>"</code>
                " with this secret. Check it, and refuse timestamps older than 5 minutes."
            </p>
            {move || rotated().then(|| view! {
                <div class="alert alert-success" role="status" data-testid="secret-rotated">
                    "New secret made: deliveries from now on are signed with it only. Update your receivers."
                </div>
            })}
            <div class="secret-box">{secret_view}</div>
            <ActionError action=reveal/>
            <ActionError action=rotate/>
            <p class="muted small">
                "Made " <Time at=Some(secret_created_at)/>
                {secret_rotated_at.map(|r| view! { ", last rotated " <Time at=Some(r)/> })}
                "."
            </p>
            <div class="form-actions">{rotate_control}</div>
        </section>
    }
}

#[component]
fn DeliveriesCard(page: WebhooksPage) -> impl IntoView {
    let current = page.page.max(1);
    let prev = (current > 1).then(|| format!("/webhooks?page={}", current - 1));
    let next = page.has_more.then(|| format!("/webhooks?page={}", current + 1));
    let list = if page.deliveries.is_empty() && current == 1 {
        EitherOf3::A(view! {
            <Empty testid="deliveries-empty">
                "No deliveries yet. Send a video job with a webhook_url and its end is posted here."
            </Empty>
        })
    } else if page.deliveries.is_empty() {
        EitherOf3::B(view! { <Empty testid="deliveries-empty">"No older deliveries."</Empty> })
    } else {
        EitherOf3::C(view! {
            <DataTable
                headers=vec!["Job", "URL", "State", "Attempts", "Next attempt"]
                caption="Webhook deliveries, newest first"
                testid="delivery-list"
            >
                {page.deliveries.into_iter().map(|d| view! { <DeliveryRow d/> }).collect_view()}
            </DataTable>
        })
    };
    view! {
        <section class="card" aria-labelledby="deliveries-heading">
            <h2 id="deliveries-heading">"Deliveries"</h2>
            <p class="hint">
                "Each job's end is sent once it is answered with a 2xx; failures are retried with growing waits for 24 hours. "
                "The same delivery may arrive twice: use its x-gateai-delivery id to tell."
            </p>
            {list}
            <Pager label="Delivery pages" prev next info=format!("Page {current}")/>
        </section>
    }
}

fn state_words(status: &str) -> (&'static str, &'static str) {
    match status {
        "delivered" => ("delivered", "status-ok"),
        "given_up" => ("given up", "status-error"),
        _ => ("pending", "status-disabled"),
    }
}

#[component]
fn DeliveryRow(d: WebhookDeliveryInfo) -> impl IntoView {
    let WebhookDeliveryInfo { id, job_id, url, event, status, next_attempt_at, finished_at, attempts, .. } = d;
    let (words, class) = state_words(&status);
    let when = match (next_attempt_at, finished_at) {
        (Some(next), _) => Either::Left(view! { <span data-testid="next-attempt"><Time at=Some(next)/></span> }),
        (None, done) => Either::Right(view! { <span class="muted">"none"</span> {done.map(|at| view! { <br/><span class="muted small">"ended " <Time at=Some(at)/></span> })} }),
    };
    let job_text = job_id.clone();
    view! {
        <tr data-testid="delivery-row" data-job-id=job_id data-status=status data-delivery-id=id>
            <th scope="row" class="delivery-job">
                <code data-testid="delivery-job">{job_text}</code>
                <br/>
                <span class="muted small" data-testid="delivery-event">{event}</span>
            </th>
            <td class="webhook-url"><code data-testid="delivery-url">{url}</code></td>
            <td><span class=format!("badge {class}") data-testid="delivery-status">{words}</span></td>
            <td>
                <ol class="attempt-list" data-testid="attempts">
                    {attempts.into_iter().map(|a| view! { <AttemptItem a/> }).collect_view()}
                </ol>
            </td>
            <td>{when}</td>
        </tr>
    }
}

/// `2026-11-25T21:01:07.123Z` → `21:01:07 UTC` (the day is in the title).
fn clock_time(at: &str) -> String {
    match at.get(11..19) {
        Some(hms) => format!("{hms} UTC"),
        None => at.to_string(),
    }
}

#[component]
fn AttemptItem(a: WebhookAttemptInfo) -> impl IntoView {
    let WebhookAttemptInfo { attempt, at, duration_ms, status_code, error, ok } = a;
    let result = match (status_code, &error) {
        (Some(code), _) => format!("HTTP {code}"),
        (None, Some(e)) => e.clone(),
        (None, None) => "no answer".to_string(),
    };
    let detail = match (status_code, error) {
        (Some(_), Some(e)) if !e.starts_with("HTTP ") => Some(e),
        _ => None,
    };
    let shown = clock_time(&at);
    view! {
        <li class=if ok { "attempt ok" } else { "attempt failed" } data-testid="attempt" data-ok=ok.to_string()>
            <span class="attempt-n">{format!("#{attempt}")}</span>" "
            <time datetime=at.clone() title=at>{shown}</time>" · "
            <span data-testid="attempt-result">{result}</span>
            {detail.map(|e| view! { " (" {e} ")" })}
            <span class="muted">{format!(" · {duration_ms} ms")}</span>
        </li>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn attempt_times_show_the_clock() {
        assert_eq!(super::clock_time("2026-11-25T21:01:07.123Z"), "21:01:07 UTC");
        assert_eq!(super::clock_time("bad"), "bad");
        assert_eq!(super::state_words("given_up").0, "given up");
    }
}
