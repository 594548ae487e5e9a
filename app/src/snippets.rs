//! Copy-paste set-up for one model on this instance: curl, SDKs and coding tools, filled with
//! the instance's public URL and the model id. Pure text, shared by the server (which renders
//! the page) and the browser (which hydrates it), and tested here.

use crate::types::ModelKind;

/// One snippet of the model page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// Anchor and test id, e.g. `curl-openai`.
    pub id: &'static str,
    pub title: &'static str,
    /// Where it goes or what to do with it.
    pub hint: &'static str,
    pub code: String,
}

/// What stands in for the key in files people keep (never a real key).
pub const KEY_PLACEHOLDER: &str = "sk-or-v1-xxxxxxxxxxxxxxxx";

/// The snippets of a model: `base_url` is the instance's public URL without a trailing slash.
pub fn snippets(base_url: &str, model_id: &str, kind: ModelKind) -> Vec<Snippet> {
    let url = base_url.trim_end_matches('/');
    match kind {
        ModelKind::Video => vec![curl_video(url, model_id)],
        ModelKind::Chat => vec![
            curl_openai(url, model_id),
            curl_anthropic(url, model_id),
            python_openai(url, model_id),
            python_anthropic(url, model_id),
            node_openai(url, model_id),
            cursor(url, model_id),
            claude_code(url, model_id),
            claude_code_settings(url, model_id),
            claude_desktop(url, model_id),
            hermes(url, model_id),
            qclaw(url, model_id),
            autoclaw(url, model_id),
        ],
    }
}

fn curl_openai(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "curl-openai",
        title: "curl (OpenAI protocol)",
        hint: "Set GATEAI_API_KEY to one of your API keys first.",
        code: format!(
            r#"curl {url}/openai/v1/chat/completions \
  -H "Authorization: Bearer $GATEAI_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{{
    "model": "{id}",
    "messages": [{{"role": "user", "content": "Hello!"}}]
  }}'"#
        ),
    }
}

fn curl_anthropic(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "curl-anthropic",
        title: "curl (Anthropic protocol)",
        hint: "Any model answers on both protocols; the gateway translates.",
        code: format!(
            r#"curl {url}/anthropic/v1/messages \
  -H "x-api-key: $GATEAI_API_KEY" \
  -H "anthropic-version: 2023-06-01" \
  -H "content-type: application/json" \
  -d '{{
    "model": "{id}",
    "max_tokens": 1024,
    "messages": [{{"role": "user", "content": "Hello!"}}]
  }}'"#
        ),
    }
}

fn python_openai(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "python-openai",
        title: "Python (openai SDK)",
        hint: "pip install openai",
        code: format!(
            r#"import os
from openai import OpenAI

client = OpenAI(
    api_key=os.environ["GATEAI_API_KEY"],
    base_url="{url}/openai/v1",
)

completion = client.chat.completions.create(
    model="{id}",
    messages=[{{"role": "user", "content": "Hello!"}}],
)
print(completion.choices[0].message.content)"#
        ),
    }
}

fn python_anthropic(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "python-anthropic",
        title: "Python (anthropic SDK)",
        hint: "pip install anthropic",
        code: format!(
            r#"import os
import anthropic

client = anthropic.Anthropic(
    api_key=os.environ["GATEAI_API_KEY"],
    base_url="{url}/anthropic",
)

message = client.messages.create(
    model="{id}",
    max_tokens=1024,
    messages=[{{"role": "user", "content": "Hello!"}}],
)
print(message.content[0].text)"#
        ),
    }
}

fn node_openai(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "node-openai",
        title: "Node.js (openai SDK)",
        hint: "npm install openai",
        code: format!(
            r#"import OpenAI from "openai";

const client = new OpenAI({{
  apiKey: process.env.GATEAI_API_KEY,
  baseURL: "{url}/openai/v1",
}});

const completion = await client.chat.completions.create({{
  model: "{id}",
  messages: [{{ role: "user", content: "Hello!" }}],
}});
console.log(completion.choices[0].message.content);"#
        ),
    }
}

fn cursor(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "cursor",
        title: "Cursor",
        hint: "Settings → Models → View All Models → Add Custom Model; then pick the model in Chat, Composer or Agent.",
        code: format!(
            "Model ID:         {id}\n\
             OpenAI API Key:   (switch on) your Gate.AI API key, {KEY_PLACEHOLDER}\n\
             OpenAI Base URL:  (switch on) {url}/openai/v1"
        ),
    }
}

fn claude_code(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "claude-code",
        title: "Claude Code (shell)",
        hint: "In the terminal where you run claude, or in ~/.bashrc / ~/.zshrc.",
        code: format!(
            "export ANTHROPIC_BASE_URL=\"{url}/anthropic\"\n\
             export ANTHROPIC_API_KEY=\"{KEY_PLACEHOLDER}\"\n\
             export ANTHROPIC_MODEL=\"{id}\"\n\
             claude"
        ),
    }
}

fn claude_code_settings(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "claude-code-settings",
        title: "Claude Code (.claude/settings.json)",
        hint: "Project or user settings; keep real keys out of repositories.",
        code: format!(
            r#"{{
  "env": {{
    "ANTHROPIC_BASE_URL": "{url}/anthropic",
    "ANTHROPIC_API_KEY": "{KEY_PLACEHOLDER}",
    "ANTHROPIC_MODEL": "{id}"
  }}
}}"#
        ),
    }
}

fn claude_desktop(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "claude-desktop",
        title: "Claude Desktop",
        hint: "Help → Troubleshooting → Enable Developer Mode; then Developer → Configure Third-Party Inference…, choose Gateway and Static API key, Apply Changes, restart and Continue with Gateway.",
        code: format!(
            "Gateway base URL:  {url}/anthropic\n\
             Auth scheme:       x-api-key\n\
             API key:           {KEY_PLACEHOLDER}\n\
             Model discovery:   on (lists this instance's models, {id} among them)"
        ),
    }
}

fn hermes(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "hermes",
        title: "Hermes (~/.hermes/config.yaml)",
        hint: "Put GATEAI_API_KEY=sk-or-v1-… in ~/.hermes/.env, then run: hermes chat \"Hello\"",
        code: format!(
            "model:\n  default: {id}\n  provider: custom\n  base_url: {url}/openai/v1\n  api_key: ${{GATEAI_API_KEY}}"
        ),
    }
}

fn qclaw(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "qclaw",
        title: "QClaw",
        hint: "Send this message in a QClaw chat, with your key in place of the placeholder.",
        code: format!(
            "Help me add a new provider\n\
             Name: Gate.AI\n\
             apiKey: {KEY_PLACEHOLDER}\n\
             baseUrl: {url}/openai/v1\n\
             Model: {id}"
        ),
    }
}

fn autoclaw(url: &str, id: &str) -> Snippet {
    let short = id.rsplit('/').next().unwrap_or(id);
    Snippet {
        id: "autoclaw",
        title: "AutoClaw",
        hint: "Preferences → Models & API → Add custom model; test the connection, then Add.",
        code: format!(
            "Provider:      Custom\n\
             Model ID:      {id}\n\
             Display name:  Gate.AI({short})\n\
             API Key:       {KEY_PLACEHOLDER}\n\
             Base URL:      {url}/openai/v1"
        ),
    }
}

fn curl_video(url: &str, id: &str) -> Snippet {
    Snippet {
        id: "curl-video",
        title: "curl (submit a video job)",
        hint: "Poll the status_url of the answer until the job is completed.",
        code: format!(
            r#"curl {url}/api/v1/videos \
  -H "Authorization: Bearer $GATEAI_API_KEY" \
  -H "Content-Type: application/json" \
  -H "Idempotency-Key: $(uuidgen)" \
  -d '{{
    "model": "{id}",
    "prompt": "A golden retriever running on a sunny beach, cinematic camera movement",
    "duration": 6,
    "resolution": "720p",
    "aspect_ratio": "16:9"
  }}'"#
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://gate.example.com";
    const ID: &str = "deepseek/deepseek-v3.2";

    fn get(id: &str) -> Snippet {
        snippets(&format!("{URL}/"), ID, ModelKind::Chat).into_iter().find(|s| s.id == id).expect(id)
    }

    #[test]
    fn every_chat_snippet_names_the_model_and_this_instance() {
        let all = snippets(URL, ID, ModelKind::Chat);
        assert_eq!(all.len(), 12);
        for s in &all {
            assert!(s.code.contains(ID), "{} lacks the model", s.id);
            assert!(s.code.contains(URL), "{} lacks the URL", s.id);
            assert!(!s.code.contains("gate.ai/"), "{} points at the hosted service", s.id);
            assert!(!s.code.contains("//openai") && !s.code.contains("//anthropic"), "{}: double slash", s.id);
        }
    }

    #[test]
    fn protocols_use_their_own_paths_and_auth() {
        let openai = get("curl-openai").code;
        assert!(openai.starts_with("curl https://gate.example.com/openai/v1/chat/completions \\\n"));
        assert!(openai.contains("Authorization: Bearer $GATEAI_API_KEY"));
        assert!(openai.contains(r#""model": "deepseek/deepseek-v3.2""#));
        let anthropic = get("curl-anthropic").code;
        assert!(anthropic.contains("https://gate.example.com/anthropic/v1/messages"));
        assert!(anthropic.contains("x-api-key: $GATEAI_API_KEY") && anthropic.contains("anthropic-version: 2023-06-01"));
        assert!(get("python-openai").code.contains(r#"base_url="https://gate.example.com/openai/v1""#));
        assert!(get("python-anthropic").code.contains(r#"base_url="https://gate.example.com/anthropic","#));
        assert!(get("node-openai").code.contains(r#"baseURL: "https://gate.example.com/openai/v1""#));
    }

    #[test]
    fn tools_get_the_settings_their_guides_ask_for() {
        let cc = get("claude-code").code;
        assert!(cc.contains("export ANTHROPIC_BASE_URL=\"https://gate.example.com/anthropic\""));
        assert!(cc.contains("export ANTHROPIC_MODEL=\"deepseek/deepseek-v3.2\""));
        assert!(cc.contains("ANTHROPIC_API_KEY"));
        let settings: serde_json::Value = serde_json::from_str(&get("claude-code-settings").code).expect("valid JSON");
        assert_eq!(settings["env"]["ANTHROPIC_BASE_URL"], "https://gate.example.com/anthropic");
        let desktop = get("claude-desktop").code;
        assert!(desktop.contains("x-api-key") && desktop.contains("Model discovery:   on"));
        assert_eq!(
            get("hermes").code,
            "model:\n  default: deepseek/deepseek-v3.2\n  provider: custom\n  base_url: https://gate.example.com/openai/v1\n  api_key: ${GATEAI_API_KEY}"
        );
        assert!(get("cursor").code.contains("OpenAI Base URL:  (switch on) https://gate.example.com/openai/v1"));
        assert!(get("qclaw").code.starts_with("Help me add a new provider\nName: Gate.AI\n"));
        assert!(get("autoclaw").code.contains("Display name:  Gate.AI(deepseek-v3.2)"));
    }

    #[test]
    fn video_models_get_the_video_api() {
        let v = snippets(URL, "bytedance/seedance-2.0", ModelKind::Video);
        assert_eq!(v.len(), 1);
        assert!(v[0].code.contains("https://gate.example.com/api/v1/videos"));
        assert!(v[0].code.contains(r#""model": "bytedance/seedance-2.0""#));
    }
}
