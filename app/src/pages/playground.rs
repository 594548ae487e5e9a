//! `/playground`: chat with the catalog's models in the browser. Open to guests (visitors who
//! have not signed in: a small daily allowance, a guest cookie set by the server) and to
//! signed-in people (charged to their organization's balance).
//!
//! The conversation lives in the page: each Send posts the whole of it (system prompt and
//! every turn) to `POST /playground/chat` and the answer streams in token by token
//! (`api::playground` parses it, `playground_fetch` reads it in the browser). Under each
//! answer: the model that answered and, at the end, its tokens. Stop cancels the answer; New
//! chat forgets the conversation. Guests see what is left of today's allowance
//! (`GET /playground/me`), read again after each answer.

use crate::api::models::list_models;
use crate::api::playground::{chat_body, usd_words, ChatUsage, PlaygroundMe, Speaker};
use crate::components::{use_session, PageHeader, ShowError};
use crate::types::{ConsoleError, ModelInfo, ModelKind};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

/// One message of the conversation.
#[derive(Clone, Copy)]
struct Turn {
    id: u64,
    who: Speaker,
    text: RwSignal<String>,
    /// Assistant turns: the model that answered, the tokens, still streaming, stopped.
    model: RwSignal<Option<String>>,
    usage: RwSignal<Option<ChatUsage>>,
    live: RwSignal<bool>,
    stopped: RwSignal<bool>,
}

/// The page's state.
#[derive(Clone, Copy)]
struct Chat {
    model: RwSignal<String>,
    system: RwSignal<String>,
    input: RwSignal<String>,
    turns: RwSignal<Vec<Turn>>,
    streaming: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    me: RwSignal<Option<PlaygroundMe>>,
    next_id: StoredValue<u64>,
    thread: NodeRef<leptos::html::Ol>,
}

impl Chat {
    fn new() -> Chat {
        Chat {
            model: RwSignal::new("auto".to_string()),
            system: RwSignal::new(String::new()),
            input: RwSignal::new(String::new()),
            turns: RwSignal::new(Vec::new()),
            streaming: RwSignal::new(false),
            error: RwSignal::new(None),
            me: RwSignal::new(None),
            next_id: StoredValue::new(0),
            thread: NodeRef::new(),
        }
    }

    fn turn(self, who: Speaker, text: String) -> Turn {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        Turn {
            id,
            who,
            text: RwSignal::new(text),
            model: RwSignal::new(None),
            usage: RwSignal::new(None),
            live: RwSignal::new(false),
            stopped: RwSignal::new(false),
        }
    }

    /// Sends the conversation with the text box's message and streams the answer in.
    fn send(self) {
        let text = self.input.get_untracked().trim().to_string();
        if text.is_empty() || self.streaming.get_untracked() {
            return;
        }
        self.error.set(None);
        let mut convo: Vec<(Speaker, String)> =
            self.turns.with_untracked(|t| t.iter().map(|t| (t.who, t.text.get_untracked())).collect());
        convo.push((Speaker::User, text.clone()));
        let body = chat_body(&self.model.get_untracked(), &self.system.get_untracked(), &convo);
        let user = self.turn(Speaker::User, text.clone());
        let answer = self.turn(Speaker::Assistant, String::new());
        answer.live.set(true);
        self.turns.update(|t| {
            t.push(user);
            t.push(answer);
        });
        self.input.set(String::new());
        self.streaming.set(true);
        self.scroll_down();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(self.run(body, text, user, answer));
        #[cfg(not(feature = "hydrate"))]
        let _ = (body, user);
    }

    #[cfg(feature = "hydrate")]
    async fn run(self, body: String, text: String, user: Turn, answer: Turn) {
        use super::playground_fetch::{finished, open_chat, Failure};
        let mut sse = crate::api::playground::SseReader::default();
        match open_chat(&body).await {
            Err(Failure::Stopped) => answer.stopped.set(true),
            Err(Failure::Message(m)) => {
                // nothing was answered: the question goes back into the box, to send again
                self.turns.update(|t| t.retain(|x| x.id != user.id && x.id != answer.id));
                self.input.update(|i| {
                    if i.trim().is_empty() {
                        *i = text;
                    }
                });
                self.error.set(Some(m));
            }
            Ok(stream) => {
                if let Some(m) = stream.model.clone() {
                    answer.model.set(Some(m));
                }
                loop {
                    match stream.next().await {
                        Ok(Some(bytes)) => self.apply(answer, sse.push(&bytes)),
                        Ok(None) => {
                            self.apply(answer, sse.finish());
                            break;
                        }
                        Err(Failure::Stopped) => {
                            answer.stopped.set(true);
                            break;
                        }
                        Err(Failure::Message(m)) => {
                            self.error.set(Some(format!("The answer was cut off: {m}")));
                            break;
                        }
                    }
                }
            }
        }
        finished();
        answer.live.set(false);
        self.streaming.set(false);
        // the allowance is read from the request log, written a moment after the answer
        self.refresh_me();
        set_timeout(move || self.refresh_me(), std::time::Duration::from_millis(1500));
    }

    #[cfg(feature = "hydrate")]
    fn apply(self, answer: Turn, events: Vec<crate::api::playground::StreamEvent>) {
        use crate::api::playground::StreamEvent;
        let mut grew = false;
        for e in events {
            match e {
                StreamEvent::Text(t) => {
                    answer.text.update(|s| s.push_str(&t));
                    grew = true;
                }
                StreamEvent::Model(m) => answer.model.update(|x| {
                    if x.is_none() {
                        *x = Some(m);
                    }
                }),
                StreamEvent::Usage(u) => answer.usage.set(Some(u)),
                StreamEvent::Error(m) => self.error.set(Some(m)),
                StreamEvent::Done => {}
            }
        }
        if grew {
            self.scroll_down();
        }
    }

    /// Keeps the newest text in view while the answer grows.
    fn scroll_down(self) {
        let thread = self.thread;
        request_animation_frame(move || {
            if let Some(el) = thread.try_get_untracked().flatten() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    fn stop(self) {
        #[cfg(feature = "hydrate")]
        super::playground_fetch::stop();
    }

    fn new_chat(self) {
        self.stop();
        self.turns.set(Vec::new());
        self.error.set(None);
    }

    /// Reads who is calling and, for a guest, today's allowance.
    fn refresh_me(self) {
        load_me(self.me);
    }
}

#[component]
pub fn PlaygroundPage() -> impl IntoView {
    let models = Resource::new(|| (), |_| list_models());
    let chat = Chat::new();
    // the buttons work once the page is interactive (the chat needs JavaScript)
    let ready = RwSignal::new(false);
    Effect::new(move |_| {
        ready.set(true);
        chat.refresh_me();
    });
    on_cleanup(move || chat.stop());

    view! {
        <PageHeader
            title="Playground"
            description="Chat with any model of the catalog in your browser. Answers stream in as they are written."
        />
        <p class="playground-switch">
            <a href="/playground/video" data-testid="to-video-playground">"Video playground: make a video with Seedance →"</a>
        </p>
        <WhoPays what="Answers" guest=ViewFn::from(move || view! { <GuestNotice me=chat.me/> })/>
        <noscript>
            <p class="alert alert-warning">"The playground needs JavaScript to send messages and show the answers."</p>
        </noscript>
        <div class="playground">
            <Settings chat ready models/>
            <Conversation chat ready/>
        </div>
    }
}

/// The model and the system prompt (each answer's type is erased: the page's view type
/// stays shallow enough for the compiler).
#[component]
fn Settings(chat: Chat, ready: RwSignal<bool>, models: Resource<Result<Vec<ModelInfo>, ConsoleError>>) -> AnyView {
    let picker = move || {
        Suspend::new(async move {
            match models.await {
                Ok(all) => Either::Left(view! { <ModelPicker chat all/> }),
                Err(e) => Either::Right(view! { <ShowError error=e/> }),
            }
        })
    };
    view! {
        <section class="card playground-settings" aria-labelledby="playground-settings-heading">
            <h2 id="playground-settings-heading">"Settings"</h2>
            <Transition fallback=|| ()>{picker}</Transition>
            <div class="field">
                <label for="playground-system">"System prompt " <span class="optional">"(optional)"</span></label>
                <textarea
                    id="playground-system"
                    rows="5"
                    placeholder="You are a helpful assistant."
                    prop:value=move || chat.system.get()
                    on:input=move |ev| chat.system.set(event_target_value(&ev))
                ></textarea>
            </div>
            <button
                type="button"
                class="button secondary block"
                data-testid="new-chat"
                disabled=move || !ready.get()
                on:click=move |_| chat.new_chat()
            >
                "New chat"
            </button>
        </section>
    }
    .into_any()
}

/// The thread, the error of the last answer, the text box.
#[component]
fn Conversation(chat: Chat, ready: RwSignal<bool>) -> AnyView {
    let thread = view! {
        <ol class="playground-thread" node_ref=chat.thread data-testid="thread" aria-live="polite">
            <Show when=move || chat.turns.with(Vec::is_empty)>
                <li class="playground-empty muted">"Pick a model, write a message and press Send."</li>
            </Show>
            <For each=move || chat.turns.get() key=|t| t.id let:turn>
                <TurnView turn/>
            </For>
        </ol>
    }
    .into_any();
    view! {
        <section class="card playground-chat" aria-label="Conversation">
            {thread}
            {move || chat.error.get().map(|m| view! {
                <div class="alert alert-error" role="alert" data-testid="playground-error">{m}</div>
            })}
            <Compose chat ready/>
        </section>
    }
    .into_any()
}

/// Reads who a playground charges (the organization and its balance, or a guest's allowance)
/// into `me` (in the browser; the server renders without it).
pub fn load_me(me: RwSignal<Option<PlaygroundMe>>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        if let Some((200, text)) = super::playground_fetch::get_text(crate::api::playground::ME_URL).await {
            if let Some(m) = PlaygroundMe::parse(&text) {
                me.try_set(Some(m));
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = me;
}

/// The line above a playground saying who pays for `what`: the signed-in organization, or
/// `guest` (the page's guest notice).
#[component]
pub fn WhoPays(what: &'static str, guest: ViewFn) -> impl IntoView {
    let viewer = use_session().viewer;
    let who = move || {
        let guest = guest.clone();
        Suspend::new(async move {
            match viewer.await {
                Ok(Some(v)) => EitherOf3::A(view! {
                    <p class="muted playground-who" data-testid="playground-signed-in">
                        {what} " are charged to the balance of " <strong>{v.org.name}</strong> "."
                    </p>
                }),
                Ok(None) => EitherOf3::B(guest.run()),
                Err(e) => EitherOf3::C(view! { <ShowError error=e/> }),
            }
        })
    };
    view! { <Transition fallback=|| ()>{who}</Transition> }
}

/// What a guest is told, with what is left of today's allowance once it is known.
#[component]
fn GuestNotice(me: RwSignal<Option<PlaygroundMe>>) -> impl IntoView {
    let next = super::encode("/playground");
    let allowed = move || me.get().is_none_or(|m| m.guests_allowed);
    view! {
        <div class="alert alert-warning playground-guest" role="status" data-testid="guest-notice">
            <p>
                {move || if allowed() {
                    "You are trying Gate.AI as a guest: a small daily spending limit applies. Sign up for more."
                } else {
                    "Guests are turned off on this server: sign in or sign up to use the playground."
                }}
            </p>
            <p class="playground-guest-actions">
                <a class="button small" href=format!("/sign-up?next={next}") data-testid="guest-sign-up">"Sign up"</a>
                <a class="button secondary small" href=format!("/sign-in?next={next}") data-testid="guest-sign-in">"Sign in"</a>
                {move || me.get().and_then(|m| m.guest).map(|g| view! {
                    <span class="playground-allowance" data-testid="guest-allowance" data-remaining=g.remaining_usd.clone()>
                        "Left today: " <strong>{usd_words(&g.remaining_usd)}</strong> " of " {usd_words(&g.limit_usd)}
                    </span>
                })}
            </p>
        </div>
    }
}

#[component]
fn ModelPicker(chat: Chat, all: Vec<ModelInfo>) -> impl IntoView {
    let chats: Vec<ModelInfo> = all.into_iter().filter(|m| m.kind == ModelKind::Chat).collect();
    let current = chat.model.get_untracked();
    view! {
        <div class="field">
            <label for="playground-model">"Model"</label>
            <select
                id="playground-model"
                data-testid="model-select"
                on:change=move |ev| chat.model.set(event_target_value(&ev))
            >
                <option value="auto" selected=current == "auto">"auto: the cheapest capable model"</option>
                {chats
                    .into_iter()
                    .map(|m| {
                        let selected = m.id == current;
                        let free = if m.is_free() { " · free" } else { "" };
                        let words = format!("{} · {}{free}", m.name, m.provider);
                        let id = m.id.clone();
                        view! { <option value=m.id selected=selected title=id>{words}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The text box and its buttons.
#[component]
fn Compose(chat: Chat, ready: RwSignal<bool>) -> AnyView {
    let can_send = move || ready.get() && !chat.streaming.get() && !chat.input.with(|i| i.trim().is_empty());
    view! {
        <form
            class="playground-compose"
            data-testid="compose"
            on:submit=move |ev| {
                ev.prevent_default();
                chat.send();
            }
        >
            <label for="playground-input" class="sr-only">"Message"</label>
            <textarea
                id="playground-input"
                rows="3"
                placeholder="Write a message. Enter sends, Shift+Enter starts a new line."
                prop:value=move || chat.input.get()
                on:input=move |ev| chat.input.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        chat.send();
                    }
                }
            ></textarea>
            <div class="playground-actions">
                <Show
                    when=move || chat.streaming.get()
                    fallback=move || view! {
                        <button type="submit" class="button" data-testid="send" disabled=move || !can_send()>"Send"</button>
                    }
                >
                    <button type="button" class="button danger-outline" data-testid="stop" on:click=move |_| chat.stop()>
                        "Stop"
                    </button>
                </Show>
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn TurnView(turn: Turn) -> AnyView {
    let text = move || turn.text.get();
    let view = match turn.who {
        Speaker::User => Either::Left(view! {
            <li class="turn turn-user" data-testid="turn-user">
                <p class="turn-who">"You"</p>
                <div class="turn-text">{text}</div>
            </li>
        }),
        Speaker::Assistant => Either::Right(view! {
            <li
                class="turn turn-assistant"
                data-testid="turn-assistant"
                data-live=move || turn.live.get().then_some("true")
                data-done=move || (!turn.live.get()).then_some("true")
            >
                <p class="turn-who">"Assistant"</p>
                <div class="turn-text" data-testid="answer-text">
                    {text}
                    {move || (turn.live.get() && turn.text.with(String::is_empty)).then(|| view! {
                        <span class="muted typing">"…"</span>
                    })}
                </div>
                <p class="turn-meta">
                    {move || turn.model.get().map(|m| view! { <span data-testid="answer-model">{m}</span> })}
                    {move || turn.usage.get().map(|u| view! { <span data-testid="answer-usage" data-total=u.total.to_string()>{u.words()}</span> })}
                    {move || turn.stopped.get().then(|| view! { <span data-testid="answer-stopped">"stopped"</span> })}
                </p>
            </li>
        }),
    };
    view.into_any()
}
