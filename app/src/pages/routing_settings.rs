//! `/settings/routing` (Settings → Routing): auto routing on or off for the organization (on by
//! default; off, `model: "auto"` is refused with 400) and what it favours, from the cheapest
//! capable model (0) to the best quality (1). Owners and admins change them with a plain form;
//! members read them.

use crate::api::settings::{get_routing_settings, SetRoutingSettings};
use crate::components::{field_error, use_session, ActionError, Authed, Loading, PageHeader, ShowError, Time};
use crate::types::{preference_text, preference_words, RoutingSettings};
use leptos::either::EitherOf3;
use leptos::prelude::*;

#[component]
pub fn RoutingSettingsPage() -> impl IntoView {
    let epoch = use_session().epoch;
    let set = ServerAction::<SetRoutingSettings>::new();
    let saved = RwSignal::new(0u32);
    Effect::watch(
        move || set.version().get(),
        move |_, _, _| {
            if set.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
                saved.update(|n| *n += 1);
            }
        },
        false,
    );
    let settings = Resource::new(move || (epoch.get(), saved.get()), |_| get_routing_settings());
    let status = NodeRef::<leptos::html::Div>::new();
    Effect::watch(
        move || saved.get(),
        move |_, _, _| {
            request_animation_frame(move || {
                if let Some(el) = status.get_untracked() {
                    let _ = el.focus();
                }
            });
        },
        false,
    );
    let done = move || {
        set.value().with(|v| match v {
            Some(Ok(s)) => Some(format!(
                "Routing settings saved: auto routing {}.",
                if s.auto_routing { "on" } else { "off" }
            )),
            _ => None,
        })
    };

    view! {
        <p class="breadcrumb">"Settings › Routing"</p>
        <PageHeader
            title="Routing"
            description="How requests with model \"auto\" are answered for this organization."
        />
        <Authed let:viewer>
            <section class="card narrow" aria-labelledby="routing-heading">
                <h2 id="routing-heading">"Model “auto”"</h2>
                <div class="status-slot" role="status" tabindex="-1" node_ref=status>
                    {move || done().map(|m| view! {
                        <div class="alert alert-success" data-testid="routing-saved"><p>{m}</p></div>
                    })}
                </div>
                <ActionError action=set fields=&["preference", "auto_routing"]/>
                <Transition fallback=|| view! { <Loading/> }>
                    {
                        let csrf = viewer.csrf.clone();
                        move || {
                            let csrf = csrf.clone();
                            Suspend::new(async move {
                                match settings.await {
                                    Ok(s) if s.can_edit => EitherOf3::A(view! { <RoutingForm settings=s csrf set/> }),
                                    Ok(s) => EitherOf3::B(view! { <RoutingReadOnly settings=s/> }),
                                    Err(e) => EitherOf3::C(view! { <ShowError error=e/> }),
                                }
                            })
                        }
                    }
                </Transition>
            </section>
        </Authed>
    }
}

const AUTO_HINT: &str = "On: model \"auto\" picks a capable model of the catalog for each request, within your guardrails. \
Off: requests with model \"auto\" get 400 and must name a model.";

#[component]
fn RoutingReadOnly(settings: RoutingSettings) -> impl IntoView {
    let RoutingSettings { auto_routing, preference, updated_at, .. } = settings;
    view! {
        <p class="muted" data-testid="routing-read-only">"Only owners and admins of this organization can change routing settings."</p>
        <dl class="facts">
            <div>
                <dt>"Auto routing"</dt>
                <dd data-testid="auto-routing-state">{if auto_routing { "on" } else { "off" }}</dd>
            </div>
            <div>
                <dt>"Preference"</dt>
                <dd data-testid="preference-state">{format!("{} ({})", preference_text(preference), preference_words(preference))}</dd>
            </div>
            <div>
                <dt>"Last changed"</dt>
                <dd><Time at=updated_at empty="never (defaults)"/></dd>
            </div>
        </dl>
        <p class="hint">{AUTO_HINT}</p>
    }
}

#[component]
fn RoutingForm(settings: RoutingSettings, csrf: String, set: ServerAction<SetRoutingSettings>) -> impl IntoView {
    let RoutingSettings { auto_routing, preference, updated_at, .. } = settings;
    let initial = preference_text(preference);
    let typed = RwSignal::new(initial.clone());
    // typing in the number moves the slider; moving the slider writes the number (never the
    // number from its own half-typed value)
    let number = NodeRef::<leptos::html::Input>::new();
    // the slider mirrors the number once the page is interactive; without JavaScript the
    // number alone is posted
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    let error = field_error(set, "preference");
    let words = move || {
        typed.with(|t| t.trim().parse::<f64>().ok().filter(|p| (0.0..=1.0).contains(p)).map(preference_words).unwrap_or(""))
    };
    view! {
        <ActionForm action=set attr:class="routing-form" attr:data-testid="routing-form" attr:novalidate=true>
            <input type="hidden" name="csrf" value=csrf/>
            <div class="field checkbox-field">
                <div class="checkbox-line">
                    <input
                        id="field-auto-routing"
                        name="auto_routing"
                        type="checkbox"
                        value="on"
                        checked=auto_routing
                        data-testid="auto-routing"
                        aria-describedby="field-auto-routing-hint"
                    />
                    <label for="field-auto-routing">"Auto routing"</label>
                </div>
                <p class="hint" id="field-auto-routing-hint">{AUTO_HINT}</p>
            </div>
            <div class="field preference-field" class:has-error=move || error.with(Option::is_some)>
                <label for="field-preference">"Cost ↔ quality preference"</label>
                <div class="preference-inputs">
                    <span class="muted small" aria-hidden="true">"cost"</span>
                    {move || interactive.get().then(|| view! {
                        <input
                            type="range"
                            min="0"
                            max="1"
                            step="0.05"
                            class="preference-range"
                            aria-label="Cost ↔ quality preference (slider)"
                            prop:value=move || typed.get()
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                if let Some(number) = number.get_untracked() {
                                    number.set_value(&value);
                                }
                                typed.set(value);
                            }
                            data-testid="preference-range"
                        />
                    })}
                    <span class="muted small" aria-hidden="true">"quality"</span>
                    <input
                        id="field-preference"
                        name="preference"
                        type="number"
                        min="0"
                        max="1"
                        step="0.05"
                        inputmode="decimal"
                        class="preference-number"
                        value=initial
                        node_ref=number
                        on:input=move |ev| typed.set(event_target_value(&ev))
                        aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                        aria-describedby=move || {
                            if error.with(Option::is_some) { "field-preference-hint field-preference-error" } else { "field-preference-hint" }
                        }
                        data-testid="preference"
                    />
                </div>
                <p class="hint" id="field-preference-hint">
                    "0 picks the cheapest capable model, 1 the best quality. Now: " <span data-testid="preference-words">{words}</span> "."
                </p>
                {move || error.get().map(|m| view! {
                    <p class="field-error" id="field-preference-error" role="alert" data-testid="error" data-field="preference">{m}</p>
                })}
            </div>
            <p class="muted small">"Last changed: " <Time at=updated_at empty="never (defaults)"/></p>
            <button type="submit" class="button" data-testid="save-routing" disabled=move || set.pending().get()>"Save"</button>
        </ActionForm>
    }
}
