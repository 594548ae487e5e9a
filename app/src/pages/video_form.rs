//! The video playground's form: every parameter of `POST /api/v1/videos`, each refusal next
//! to its field in the server's words, the estimate (and the balance or the guest's allowance
//! before and after) updated as the form changes, and the submit button.

use super::video_playground::Studio;
use crate::api::playground::usd_words;
use crate::api::video_playground::{estimate, thousands};
use crate::components::{ShowError, Money};
use crate::types::{ConsoleError, ModelInfo, ModelKind, Usd};
use crate::video::estimate::{all_sizes, ADAPTIVE, RATIOS, RESOLUTIONS};
use crate::video::params::{MAX_DURATION, MAX_SEED, MIN_DURATION, MIN_SEED};
use leptos::either::Either;
use leptos::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The element id of a field's input.
fn input_id(field: &str) -> String {
    format!("video-{field}")
}

/// A field's label, its input (`children`), an optional hint and its error.
#[component]
fn Field(
    label: &'static str,
    field: &'static str,
    #[prop(optional)] optional: bool,
    #[prop(optional)] hint: Option<&'static str>,
    error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:has-error=move || error.with(Option::is_some)>
            <label for=input_id(field)>
                {label}
                {optional.then(|| view! { <span class="optional">" (optional)"</span> })}
            </label>
            {children()}
            {hint.map(|h| view! { <p class="hint" id=format!("video-{field}-hint")>{h}</p> })}
            {move || error.get().map(|m| view! {
                <p class="field-error" id=format!("video-{field}-error") role="alert" data-testid="field-error" data-field=field>
                    {m}
                </p>
            })}
        </div>
    }
}

/// `aria-invalid` of a field's input.
fn invalid(error: Signal<Option<String>>) -> impl Fn() -> &'static str + Send + Sync + Copy + 'static {
    move || if error.with(Option::is_some) { "true" } else { "false" }
}

/// `aria-describedby` of a field's input: its hint (if it has one) and its error (when shown).
fn described(field: &'static str, hint: bool, error: Signal<Option<String>>) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("video-{field}-hint"));
        }
        if error.with(Option::is_some) {
            ids.push(format!("video-{field}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The form (each answer's type is erased: the page's view type stays shallow enough for the
/// compiler).
#[component]
pub(super) fn VideoSettings(studio: Studio, ready: RwSignal<bool>, models: Resource<Result<Vec<ModelInfo>, ConsoleError>>) -> AnyView {
    let picker = move || {
        Suspend::new(async move {
            match models.await {
                Ok(all) => Either::Left(view! { <ModelPicker studio all/> }),
                Err(e) => Either::Right(view! { <ShowError error=e/> }),
            }
        })
    };

    let e = |f| studio.error_of(f);
    let (prompt_e, duration_e, resolution_e, ratio_e, size_e) = (e("prompt"), e("duration"), e("resolution"), e("aspect_ratio"), e("size"));
    let (seed_e, audio_e, metadata_e, webhook_e) = (e("seed"), e("generate_audio"), e("metadata"), e("webhook_url"));
    let text = move |f: fn(&crate::api::video_playground::VideoForm) -> String| move || studio.form.with(f);
    let sizes = all_sizes();
    let fields = view! {
        <Field label="Prompt" field="prompt" hint="Describe the subject, motion, scene, camera and style." error=prompt_e>
            <textarea
                id="video-prompt"
                rows="4"
                placeholder="A golden retriever running on a sunny beach, cinematic camera movement"
                aria-invalid=invalid(prompt_e)
                aria-describedby=described("prompt", true, prompt_e)
                prop:value=text(|f| f.prompt.clone())
                on:input=move |ev| studio.edit(|f| f.prompt = event_target_value(&ev))
            ></textarea>
        </Field>
        <div class="form-row">
            <Field label="Duration (seconds)" field="duration" hint="4 to 15; 5 when empty." error=duration_e>
                <input
                    id="video-duration"
                    type="number"
                    step="1"
                    inputmode="numeric"
                    aria-invalid=invalid(duration_e)
                    aria-describedby=described("duration", true, duration_e)
                    prop:value=text(|f| f.duration.clone())
                    on:input=move |ev| studio.edit(|f| f.duration = event_target_value(&ev))
                />
            </Field>
            <Field label="Seed" field="seed" hint="-1 for a random one, up to 4294967295." error=seed_e>
                <input
                    id="video-seed"
                    type="number"
                    step="1"
                    aria-invalid=invalid(seed_e)
                    aria-describedby=described("seed", true, seed_e)
                    prop:value=text(|f| f.seed.clone())
                    on:input=move |ev| studio.edit(|f| f.seed = event_target_value(&ev))
                />
            </Field>
        </div>
        <div class="form-row">
            <Field label="Resolution" field="resolution" error=resolution_e>
                <select
                    id="video-resolution"
                    aria-invalid=invalid(resolution_e)
                    aria-describedby=described("resolution", false, resolution_e)
                    on:change=move |ev| studio.edit(|f| f.resolution = event_target_value(&ev))
                >
                    <option value="" selected=true>"Default (720p)"</option>
                    {RESOLUTIONS.iter().map(|r| view! { <option value=*r>{*r}</option> }).collect_view()}
                </select>
            </Field>
            <Field label="Aspect ratio" field="aspect_ratio" error=ratio_e>
                <select
                    id="video-aspect_ratio"
                    aria-invalid=invalid(ratio_e)
                    aria-describedby=described("aspect_ratio", false, ratio_e)
                    on:change=move |ev| studio.edit(|f| f.aspect_ratio = event_target_value(&ev))
                >
                    <option value="" selected=true>"Default (16:9)"</option>
                    {RATIOS.iter().map(|r| view! { <option value=*r>{*r}</option> }).collect_view()}
                    <option value=ADAPTIVE>"adaptive (the model picks; estimated as 16:9)"</option>
                </select>
            </Field>
        </div>
        <Field label="Exact size" field="size" optional=true hint="WIDTHxHEIGHT, one of the model's sizes; it sets the resolution and ratio." error=size_e>
            <input
                id="video-size"
                type="text"
                list="video-sizes"
                placeholder="1280x720"
                autocomplete="off"
                aria-invalid=invalid(size_e)
                aria-describedby=described("size", true, size_e)
                prop:value=text(|f| f.size.clone())
                on:input=move |ev| studio.edit(|f| f.size = event_target_value(&ev))
            />
            <datalist id="video-sizes">
                {sizes.into_iter().map(|s| view! { <option value=s></option> }).collect_view()}
            </datalist>
        </Field>
        <div class="field checkbox" class:has-error=move || audio_e.with(Option::is_some)>
            <input
                id="video-generate_audio"
                type="checkbox"
                aria-invalid=invalid(audio_e)
                prop:checked=move || studio.form.with(|f| f.generate_audio)
                on:change=move |ev| studio.edit(|f| f.generate_audio = event_target_checked(&ev))
            />
            <label for="video-generate_audio">"Generate audio"</label>
        </div>
        <Field label="Metadata" field="metadata" optional=true hint="A JSON object kept with the job, e.g. {\"source\": \"playground\"}." error=metadata_e>
            <textarea
                id="video-metadata"
                rows="2"
                class="mono"
                placeholder="{\"source\": \"playground\"}"
                aria-invalid=invalid(metadata_e)
                aria-describedby=described("metadata", true, metadata_e)
                prop:value=text(|f| f.metadata.clone())
                on:input=move |ev| studio.edit(|f| f.metadata = event_target_value(&ev))
            ></textarea>
        </Field>
        <Field label="Webhook URL" field="webhook_url" optional=true hint="Called when the job completes or fails, signed with the organization's webhook secret (signed-in users only)." error=webhook_e>
            <input
                id="video-webhook_url"
                type="url"
                placeholder="https://example.com/webhooks/gateai-video"
                autocomplete="off"
                aria-invalid=invalid(webhook_e)
                aria-describedby=described("webhook_url", true, webhook_e)
                prop:value=text(|f| f.webhook_url.clone())
                on:input=move |ev| studio.edit(|f| f.webhook_url = event_target_value(&ev))
            />
        </Field>
    }
    .into_any();
    let can_send = move || ready.get() && !studio.sending.get() && !studio.models.with(Vec::is_empty);
    view! {
        <section class="card video-settings" aria-labelledby="video-settings-heading">
            <h2 id="video-settings-heading">"Parameters"</h2>
            <form
                novalidate=true
                data-testid="video-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    studio.submit();
                }
            >
                <Transition fallback=|| ()>{picker}</Transition>
                {fields}
                <Estimate studio/>
                {move || studio.alert.get().map(|m| view! {
                    <div class="alert alert-error" role="alert" data-testid="video-error">{m}</div>
                })}
                <button type="submit" class="button block" data-testid="video-submit" disabled=move || !can_send()>
                    {move || if studio.sending.get() { "Sending…" } else { "Generate video" }}
                </button>
                <p class="hint video-limits">
                    {format!("Duration {MIN_DURATION}–{MAX_DURATION} s · seed {MIN_SEED}…{MAX_SEED}")}
                </p>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn ModelPicker(studio: Studio, all: Vec<ModelInfo>) -> AnyView {
    let videos: Vec<ModelInfo> = all.into_iter().filter(|m| m.kind == ModelKind::Video).collect();
    let error = studio.error_of("model");
    if videos.is_empty() {
        return view! {
            <p class="alert alert-warning" data-testid="no-video-models">
                "No video model is turned on on this server: an operator sets ARK_API_KEY to offer Seedance."
            </p>
        }
        .into_any();
    }
    let picked = studio.form.with_untracked(|f| f.model.clone());
    let current = if picked.is_empty() { videos.first().map(|m| m.id.clone()).unwrap_or_default() } else { picked };
    view! {
        <Field label="Model" field="model" error=error>
            <select
                id="video-model"
                data-testid="video-model"
                aria-invalid=invalid(error)
                on:change=move |ev| studio.edit(|f| f.model = event_target_value(&ev))
            >
                {videos
                    .into_iter()
                    .map(|m| {
                        let selected = m.id == current;
                        let price = m.price_video.map(|p| format!(" · ${} / M video tokens", p.normalize())).unwrap_or_default();
                        let words = format!("{} · {}{price}", m.name, m.provider);
                        view! { <option value=m.id.clone() selected=selected>{words}</option> }
                    })
                    .collect_view()}
            </select>
        </Field>
    }
    .into_any()
}

/// `a − b` of two decimal strings of USD, as USD.
fn minus(a: &str, b: Usd) -> Option<Usd> {
    Decimal::from_str(a.trim()).ok().and_then(|a| a.checked_sub(b.decimal())).map(Usd::new)
}

/// The estimate of the form as it is, and what the balance (or the guest's allowance) would
/// be after it.
#[component]
fn Estimate(studio: Studio) -> impl IntoView {
    let estimate = Memo::new(move |_| {
        let p = studio.filled().priced_params()?;
        let model = studio.models.with(|ms| ms.iter().find(|m| m.id == p.model).cloned())?;
        estimate(&p, &model).map(|e| (e, p.width, p.height))
    });
    // what pays: (words, what is there now)
    let wallet = move || {
        studio.me.with(|me| {
            let me = me.as_ref()?;
            match (&me.balance_usd, &me.guest) {
                (Some(b), _) if me.signed_in => Some(("Balance", b.clone())),
                (_, Some(g)) => Some(("Left today", g.remaining_usd.clone())),
                _ => None,
            }
        })
    };
    view! {
        <div class="video-estimate" data-testid="video-estimate" aria-live="polite">
            {move || match estimate.get() {
                Some((e, w, h)) => Either::Left(view! {
                    <p class="video-estimate-cost">
                        "Estimated cost: " <strong><Money amount=e.cost testid="estimate-cost"/></strong>
                    </p>
                    <p class="hint" data-testid="estimate-tokens">
                        {format!("{} video tokens = {w} × {h} × {} frames / 1024", thousands(e.tokens), e.frames)}
                    </p>
                    {move || wallet().map(|(label, now)| {
                        let after = minus(&now, e.cost);
                        let short = after.is_some_and(|a| a.is_negative());
                        view! {
                            <p class="video-wallet" class:short=short data-testid="video-wallet" data-now=now.clone()>
                                {label} ": " <strong>{usd_words(&now)}</strong>
                                {after.map(|a| view! {
                                    " → after this job: " <Money amount=a testid="wallet-after"/>
                                })}
                                {short.then(|| view! { <span class="video-short">" (not enough: the job would be refused)"</span> })}
                            </p>
                        }
                    })}
                    <p class="hint">"Deducted when the job is accepted; settled on the tokens the model reports, refunded if it fails."</p>
                }),
                None => Either::Right(view! {
                    <p class="hint" data-testid="estimate-none">"The estimate shows once the parameters are valid."</p>
                }),
            }}
        </div>
    }
}
