//! `/playground/video`: make videos with the catalog's video models in the browser. Open to
//! guests (under their daily allowance, billed to the guest pool) and to signed-in people
//! (charged to their organization's balance).
//!
//! The form (`video_form`) has every parameter of `POST /api/v1/videos`, checked as the person
//! types by the server's own rules (`crate::video::params`; a refused field shows the server's
//! words next to it) and priced by the server's own formula, with the balance (or the guest's
//! allowance) before and after. Submit posts it to `POST /playground/videos`; the job is then
//! polled every second (`GET /playground/videos/{id}`) and shown as it moves (`video_jobs`):
//! queued, sent to the model, generating, stored; then the video plays in the page, with a
//! download button. Below, the history of the organization's jobs (every key's) — or the
//! guest's own — with their status and cost.

use super::video_form::VideoSettings;
use super::video_jobs::{CurrentJob, History};
use crate::api::models::list_models;
use crate::api::playground::PlaygroundMe;
use crate::api::video_playground::VideoForm;
use super::playground::WhoPays;
use crate::components::PageHeader;
use crate::types::{ModelInfo, ModelKind, VideoHistory, VideoJobInfo};
use leptos::prelude::*;

/// The form fields, in the order the page shows them (a server refusal naming one of them is
/// shown next to it; any other in the alert above the button).
#[cfg(feature = "hydrate")]
const FIELDS: [&str; 10] =
    ["model", "prompt", "duration", "resolution", "aspect_ratio", "size", "seed", "generate_audio", "metadata", "webhook_url"];

/// How often a job that is not over is read again.
#[cfg(feature = "hydrate")]
const POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(1000);

/// The page's state.
#[derive(Clone, Copy)]
pub(super) struct Studio {
    pub form: RwSignal<VideoForm>,
    /// A submit was tried: the form's refusals show from then on, as it changes.
    pub tried: RwSignal<bool>,
    /// The server's refusal of a field: (field, message), until the form changes.
    pub refused: RwSignal<Option<(String, String)>>,
    /// Anything else that went wrong, in words.
    pub alert: RwSignal<Option<String>>,
    pub sending: RwSignal<bool>,
    /// The job shown above the history (the one just made, or one picked in the history).
    pub current: RwSignal<Option<VideoJobInfo>>,
    /// Seconds the current job has been watched.
    pub watched: RwSignal<u64>,
    pub history: RwSignal<Option<Result<VideoHistory, String>>>,
    pub page: RwSignal<u32>,
    pub me: RwSignal<Option<PlaygroundMe>>,
    /// The catalog's video models (empty until the page is interactive and they are read).
    pub models: RwSignal<Vec<ModelInfo>>,
    /// Bumped for each job watched: a poll of an earlier one stops.
    watching: StoredValue<u64>,
}

impl Studio {
    fn new() -> Studio {
        Studio {
            form: RwSignal::new(VideoForm::default()),
            tried: RwSignal::new(false),
            refused: RwSignal::new(None),
            alert: RwSignal::new(None),
            sending: RwSignal::new(false),
            current: RwSignal::new(None),
            watched: RwSignal::new(0),
            history: RwSignal::new(None),
            page: RwSignal::new(1),
            me: RwSignal::new(None),
            models: RwSignal::new(Vec::new()),
            watching: StoredValue::new(0),
        }
    }

    /// Changes the form (and forgets the server's refusal, which was about the old one).
    pub fn edit(self, f: impl FnOnce(&mut VideoForm)) {
        self.form.update(f);
        self.refused.set(None);
    }

    /// The form, its model the first video model until one is picked (tracked).
    pub fn filled(self) -> VideoForm {
        let mut f = self.form.get();
        if f.model.is_empty() {
            f.model = self.models.with(|ms| ms.first().map(|m| m.id.clone())).unwrap_or_default();
        }
        f
    }

    /// The message to show next to `field`: the form's own refusal once a submit was tried,
    /// else the server's.
    pub fn error_of(self, field: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            if self.tried.get() {
                if let Err(e) = self.filled().check() {
                    return (e.field() == field).then(|| e.message());
                }
            }
            self.refused.with(|r| r.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.clone()))
        })
    }

    /// Checks the form and sends it; a refused field stops it here.
    pub fn submit(self) {
        self.tried.set(true);
        self.alert.set(None);
        if self.sending.get_untracked() {
            return;
        }
        let Ok((body, _)) = untrack(|| self.filled()).check() else { return };
        self.sending.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::api::video_playground::{parse_job, refusal, VIDEOS_URL};
            match super::playground_fetch::post_json(VIDEOS_URL, &body.to_string()).await {
                Ok((202, text)) => match parse_job(&text) {
                    Some(job) => {
                        self.show(job);
                        self.refresh_history();
                        self.refresh_me();
                    }
                    None => self.alert.set(Some("The server's answer could not be read.".into())),
                },
                Ok((status, text)) => match refusal(status, &text) {
                    (Some(field), m) if FIELDS.contains(&field.as_str()) => self.refused.set(Some((field, m))),
                    (_, m) => self.alert.set(Some(m)),
                },
                Err(m) => self.alert.set(Some(m)),
            }
            self.sending.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = body;
    }

    /// Shows `job` above the history, and follows it until it is over.
    pub fn show(self, job: VideoJobInfo) {
        let over = job.is_over();
        let id = job.job_id.clone();
        let generation = self.watching.get_value() + 1;
        self.watching.set_value(generation);
        self.watched.set(0);
        self.current.set(Some(job));
        if !over {
            self.poll(id, generation);
        }
    }

    #[cfg(not(feature = "hydrate"))]
    fn poll(self, _id: String, _generation: u64) {}

    #[cfg(feature = "hydrate")]
    fn poll(self, id: String, generation: u64) {
        use crate::api::video_playground::{job_url, parse_job};
        set_timeout(
            move || {
                if self.watching.try_get_value() != Some(generation) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let job = match super::playground_fetch::get_text(&job_url(&id)).await {
                        Some((200, text)) => parse_job(&text),
                        _ => None,
                    };
                    if self.watching.try_get_value() != Some(generation) {
                        return;
                    }
                    self.watched.try_update(|w| *w += 1);
                    if let Some(job) = job {
                        let over = job.is_over();
                        self.current.try_set(Some(job));
                        if over {
                            self.refresh_history();
                            self.refresh_me();
                            return;
                        }
                    }
                    self.poll(id, generation);
                });
            },
            POLL_EVERY,
        );
    }

    /// Reads the history's current page again.
    pub fn refresh_history(self) {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::api::video_playground::{history_url, parse_history, refusal};
            let Some(page) = self.page.try_get_untracked() else { return };
            let read = match super::playground_fetch::get_text(&history_url(page)).await {
                Some((200, text)) => parse_history(&text).ok_or_else(|| "The history could not be read.".to_string()),
                Some((status, text)) => Err(refusal(status, &text).1),
                None => Err("The server could not be reached; check your connection and try again.".into()),
            };
            self.history.try_set(Some(read));
        });
    }

    /// Reads who pays: the organization and its balance, or the guest's allowance.
    pub fn refresh_me(self) {
        super::playground::load_me(self.me);
    }

    /// Stops following the current job (the page is left).
    fn forget(self) {
        if let Some(g) = self.watching.try_get_value() {
            self.watching.try_set_value(g + 1);
        }
    }
}

#[component]
pub fn VideoPlaygroundPage() -> impl IntoView {
    let models = Resource::new(|| (), |_| list_models());
    let studio = Studio::new();
    // the estimate and the submit read the video models once the page is interactive
    Effect::new(move |_| {
        if let Some(Ok(all)) = models.get() {
            studio.models.set(all.into_iter().filter(|m| m.kind == ModelKind::Video).collect());
        }
    });
    // the buttons work once the page is interactive (sending and polling need JavaScript)
    let ready = RwSignal::new(false);
    Effect::new(move |_| {
        ready.set(true);
        studio.refresh_me();
        studio.refresh_history();
    });
    on_cleanup(move || studio.forget());

    view! {
        <PageHeader
            title="Video playground"
            description="Make a video with a catalog video model: set its parameters, see what it will cost, watch it being made and play it here."
        />
        <p class="playground-switch">
            <a href="/playground" data-testid="to-chat-playground">"← Chat playground"</a>
        </p>
        <WhoPays what="Videos" guest=ViewFn::from(move || view! { <GuestNotice studio/> })/>
        <noscript>
            <p class="alert alert-warning">"The video playground needs JavaScript to send jobs and follow them."</p>
        </noscript>
        <div class="video-studio">
            <VideoSettings studio ready models/>
            <CurrentJob studio/>
        </div>
        <History studio ready/>
    }
}

/// What a guest is told, with what is left of today's allowance once it is known.
#[component]
fn GuestNotice(studio: Studio) -> impl IntoView {
    let next = super::encode("/playground/video");
    let allowed = move || studio.me.get().is_none_or(|m| m.guests_allowed);
    view! {
        <div class="alert alert-warning playground-guest" role="status" data-testid="guest-notice">
            <p>
                {move || if allowed() {
                    "You are trying Gate.AI as a guest: a small daily spending limit applies, and a video must fit in what is left of it. Sign up for more."
                } else {
                    "Guests are turned off on this server: sign in or sign up to use the playground."
                }}
            </p>
            <p class="playground-guest-actions">
                <a class="button small" href=format!("/sign-up?next={next}") data-testid="guest-sign-up">"Sign up"</a>
                <a class="button secondary small" href=format!("/sign-in?next={next}") data-testid="guest-sign-in">"Sign in"</a>
            </p>
        </div>
    }
}
