//! A button that copies a text with the Clipboard API and says whether it worked.

use leptos::prelude::*;

#[component]
pub fn CopyButton(
    /// The text to copy.
    #[prop(into)]
    text: String,
    /// The button's words.
    #[prop(default = "Copy")]
    label: &'static str,
    /// Screen-reader name, e.g. "Copy the new key".
    #[prop(optional, into)]
    aria_label: Option<String>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let on_click = move |_| {
        let text = text.clone();
        leptos::task::spawn_local(async move {
            let words = if copy_to_clipboard(&text).await {
                "Copied to the clipboard."
            } else {
                "Could not copy: select the text and copy it by hand."
            };
            status.set(words.to_string());
        });
    };
    view! {
        <button type="button" class="button secondary small" data-testid="copy-button" aria-label=aria_label on:click=on_click>
            {label}
        </button>
        <span class="copy-status" role="status" aria-live="polite" data-testid="copy-status">
            {move || status.get()}
        </span>
    }
}

/// `navigator.clipboard.writeText(text)`, through `Reflect` so no extra web-sys features
/// are needed. Runs only in the browser (from a click).
async fn copy_to_clipboard(text: &str) -> bool {
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use leptos::web_sys::js_sys::{Function, Promise, Reflect};

    let window: JsValue = leptos::prelude::window().into();
    let write = || -> Result<Promise, JsValue> {
        let navigator = Reflect::get(&window, &JsValue::from_str("navigator"))?;
        let clipboard = Reflect::get(&navigator, &JsValue::from_str("clipboard"))?;
        let write_text: Function = Reflect::get(&clipboard, &JsValue::from_str("writeText"))?.dyn_into()?;
        write_text.call1(&clipboard, &JsValue::from_str(text))?.dyn_into::<Promise>()
    };
    match write() {
        Ok(promise) => leptos::__reexports::wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
        Err(_) => false,
    }
}
