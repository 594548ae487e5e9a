"""The official Python SDKs (`openai`, `anthropic`) against a real gateai whose providers all
point at the upstream double (server/testkit). Run by scripts/clients.sh, which starts both
and exports GATEAI_URL, GATEAI_KEY (funded), GATEAI_KEY_BROKE (no credit) and DOUBLE_URL.

Every SDK talks to one model of each upstream protocol, so each SDK covers a pass-through
and a translation: the OpenAI SDK through deepseek (OpenAI upstream) and claude-haiku
(Anthropic upstream), the Anthropic SDK through the same two. Every HTTP answer the SDKs get
is checked by a response hook: it carries `x-request-id`, and a 2xx chat answer `x-gateai-model`.
"""

import json
import os
import urllib.request
import uuid

import anthropic
import openai
import pytest

GATEAI_URL = os.environ["GATEAI_URL"]
KEY = os.environ["GATEAI_KEY"]
KEY_BROKE = os.environ["GATEAI_KEY_BROKE"]
DOUBLE_URL = os.environ["DOUBLE_URL"]

OPENAI_PROTOCOL_MODEL = "deepseek/deepseek-v3.2"
ANTHROPIC_PROTOCOL_MODEL = "anthropic/claude-haiku-4.5"
MODELS = [
    pytest.param(OPENAI_PROTOCOL_MODEL, id="openai-upstream"),
    pytest.param(ANTHROPIC_PROTOCOL_MODEL, id="anthropic-upstream"),
]
# the path the double must see for each model: proves the request was (or was not) translated
UPSTREAM_PATH = {OPENAI_PROTOCOL_MODEL: "/v1/chat/completions", ANTHROPIC_PROTOCOL_MODEL: "/v1/messages"}

ARGS = {"city": "Zürich", "unit": "celsius"}
TOOL_MARKER = "[[tool:get_weather " + json.dumps(ARGS, ensure_ascii=False) + "]]"
WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    "required": ["city"],
}
OPENAI_TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city", "parameters": WEATHER_SCHEMA}}
ANTHROPIC_TOOL = {"name": "get_weather", "description": "Current weather in a city", "input_schema": WEATHER_SCHEMA}


def nonce():
    return uuid.uuid4().hex[:10]


def double_requests(needle):
    """The chat requests the double received whose body mentions `needle`."""
    with urllib.request.urlopen(f"{DOUBLE_URL}/_double/requests") as r:
        reqs = json.load(r)
    return [
        r for r in reqs
        if r["method"] == "POST" and r["path"].split("?")[0] in ("/v1/chat/completions", "/v1/messages")
        and needle in json.dumps(r["body"], ensure_ascii=False)
    ]


# ---- clients, with a hook that checks the headers of every answer ----

SEEN = []  # (path, status, headers) of every HTTP answer of the current test


def _record(response):
    SEEN.append((response.request.url.path, response.status_code, dict(response.headers)))


@pytest.fixture(autouse=True)
def every_answer_has_gateai_headers():
    SEEN.clear()
    yield
    assert SEEN, "the test made no request"
    for path, status, headers in SEEN:
        assert headers.get("x-request-id"), f"{status} answer to {path} without x-request-id: {headers}"
        if status < 300 and path.endswith(("/chat/completions", "/messages")):
            assert headers.get("x-gateai-model"), f"{status} answer to {path} without x-gateai-model: {headers}"


def openai_client(key=KEY):
    http = openai.DefaultHttpxClient(event_hooks={"response": [_record]})
    return openai.OpenAI(base_url=f"{GATEAI_URL}/openai/v1", api_key=key, max_retries=0, http_client=http)


def anthropic_client(key=KEY):
    http = anthropic.DefaultHttpxClient(event_hooks={"response": [_record]})
    return anthropic.Anthropic(base_url=f"{GATEAI_URL}/anthropic", api_key=key, max_retries=0, http_client=http)


@pytest.fixture
def oai():
    with openai_client() as c:
        yield c


@pytest.fixture
def ant():
    with anthropic_client() as c:
        yield c


def assert_gateai_headers(headers, model):
    assert headers.get("x-request-id")
    assert headers.get("x-gateai-model") == model


# ---- OpenAI SDK ----


@pytest.mark.parametrize("model", MODELS)
def test_openai_sdk_chat(oai, model):
    n = nonce()
    raw = oai.chat.completions.with_raw_response.create(model=model, messages=[{"role": "user", "content": f"hello {n}"}])
    assert_gateai_headers(raw.headers, model)
    c = raw.parse()
    assert isinstance(c, openai.types.chat.ChatCompletion)
    assert c.model == model
    assert c.choices[0].message.role == "assistant"
    assert f"You said: hello {n}" in c.choices[0].message.content
    assert c.choices[0].finish_reason == "stop"
    assert c.usage.prompt_tokens > 0 and c.usage.completion_tokens > 0
    assert c.usage.total_tokens == c.usage.prompt_tokens + c.usage.completion_tokens
    [up] = double_requests(n)
    assert up["path"] == UPSTREAM_PATH[model]


@pytest.mark.parametrize("model", MODELS)
def test_openai_sdk_stream(oai, model):
    n = nonce()
    stream = oai.chat.completions.create(
        model=model, messages=[{"role": "user", "content": f"hello {n}"}], stream=True, stream_options={"include_usage": True}
    )
    assert_gateai_headers(stream.response.headers, model)
    chunks = list(stream)
    assert len(chunks) >= 3, "the answer came in one piece"
    assert {ch.model for ch in chunks} == {model}
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert f"You said: hello {n}" in text
    assert [ch.choices[0].finish_reason for ch in chunks if ch.choices and ch.choices[0].finish_reason] == ["stop"]
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None, "the usage chunk comes last"
    assert last.usage.prompt_tokens > 0 and last.usage.completion_tokens > 0
    [up] = double_requests(n)
    assert up["path"] == UPSTREAM_PATH[model] and up["body"]["stream"] is True


@pytest.mark.parametrize("model", MODELS)
def test_openai_sdk_tool_call_and_result(oai, model):
    n = nonce()
    messages = [{"role": "user", "content": f"weather please {n} {TOOL_MARKER}"}]
    c = oai.chat.completions.create(model=model, messages=messages, tools=[OPENAI_TOOL])
    assert c.model == model
    assert c.choices[0].finish_reason == "tool_calls"
    [call] = c.choices[0].message.tool_calls
    assert call.type == "function" and call.id
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == ARGS
    assert c.usage.prompt_tokens > 0 and c.usage.completion_tokens > 0

    # the tool result goes back, the model answers about it
    messages += [c.choices[0].message.model_dump(exclude_none=True), {"role": "tool", "tool_call_id": call.id, "content": "18 degrees, sunny"}]
    answer = oai.chat.completions.create(model=model, messages=messages, tools=[OPENAI_TOOL])
    assert answer.choices[0].message.content == "Tool result received: 18 degrees, sunny"
    assert answer.choices[0].finish_reason == "stop"
    first, second = double_requests(n)
    assert first["path"] == second["path"] == UPSTREAM_PATH[model]
    assert "18 degrees, sunny" in json.dumps(second["body"]["messages"][-1])


@pytest.mark.parametrize("model", MODELS)
def test_openai_sdk_tool_call_stream(oai, model):
    n = nonce()
    with oai.chat.completions.stream(
        model=model, messages=[{"role": "user", "content": f"weather please {n} {TOOL_MARKER}"}], tools=[OPENAI_TOOL],
        stream_options={"include_usage": True},
    ) as s:
        events = [e.type for e in s]
        final = s.get_final_completion()
    assert "tool_calls.function.arguments.delta" in events
    assert final.model == model
    assert final.choices[0].finish_reason == "tool_calls"
    [call] = final.choices[0].message.tool_calls
    assert call.function.name == "get_weather" and call.id
    assert json.loads(call.function.arguments) == ARGS
    assert final.usage is not None and final.usage.completion_tokens > 0


# ---- Anthropic SDK ----


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_sdk_message(ant, model):
    n = nonce()
    raw = ant.messages.with_raw_response.create(model=model, max_tokens=256, messages=[{"role": "user", "content": f"hello {n}"}])
    assert_gateai_headers(raw.headers, model)
    m = raw.parse()
    assert isinstance(m, anthropic.types.Message)
    assert m.model == model and m.role == "assistant"
    assert m.content[0].type == "text" and f"You said: hello {n}" in m.content[0].text
    assert m.stop_reason == "end_turn"
    assert m.usage.input_tokens > 0 and m.usage.output_tokens > 0
    [up] = double_requests(n)
    assert up["path"] == UPSTREAM_PATH[model]


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_sdk_stream(ant, model):
    n = nonce()
    with ant.messages.stream(model=model, max_tokens=256, messages=[{"role": "user", "content": f"hello {n}"}]) as s:
        assert_gateai_headers(s.response.headers, model)
        pieces = list(s.text_stream)
        final = s.get_final_message()
    assert len(pieces) >= 2, "the answer came in one piece"
    assert f"You said: hello {n}" in "".join(pieces)
    assert final.model == model
    assert final.stop_reason == "end_turn"
    assert final.usage.input_tokens > 0 and final.usage.output_tokens > 0
    [up] = double_requests(n)
    assert up["path"] == UPSTREAM_PATH[model] and up["body"]["stream"] is True


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_sdk_tool_use_and_result(ant, model):
    n = nonce()
    messages = [{"role": "user", "content": f"weather please {n} {TOOL_MARKER}"}]
    m = ant.messages.create(model=model, max_tokens=256, messages=messages, tools=[ANTHROPIC_TOOL])
    assert m.model == model
    assert m.stop_reason == "tool_use"
    [use] = [b for b in m.content if b.type == "tool_use"]
    assert use.name == "get_weather" and use.id
    assert use.input == ARGS
    assert m.usage.input_tokens > 0 and m.usage.output_tokens > 0

    messages += [
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in m.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "18 degrees, sunny"}]},
    ]
    answer = ant.messages.create(model=model, max_tokens=256, messages=messages, tools=[ANTHROPIC_TOOL])
    assert answer.stop_reason == "end_turn"
    assert answer.content[0].text == "Tool result received: 18 degrees, sunny"
    first, second = double_requests(n)
    assert first["path"] == second["path"] == UPSTREAM_PATH[model]
    assert "18 degrees, sunny" in json.dumps(second["body"]["messages"][-1])


@pytest.mark.parametrize("model", MODELS)
def test_anthropic_sdk_tool_use_stream(ant, model):
    n = nonce()
    with ant.messages.stream(
        model=model, max_tokens=256, messages=[{"role": "user", "content": f"weather please {n} {TOOL_MARKER}"}], tools=[ANTHROPIC_TOOL]
    ) as s:
        events = [e.type for e in s]
        final = s.get_final_message()
    assert "input_json" in events, events
    assert final.model == model and final.stop_reason == "tool_use"
    [use] = [b for b in final.content if b.type == "tool_use"]
    assert use.name == "get_weather" and use.input == ARGS
    assert final.usage.output_tokens > 0


# ---- errors: the SDK's own exception classes ----


def openai_message(e):
    return e.body["message"]


def anthropic_message(e):
    return e.body["error"]["message"]


@pytest.mark.parametrize("model", MODELS)
def test_bad_key(model):
    with openai_client("sk-or-v1-" + "0" * 64) as c, pytest.raises(openai.AuthenticationError) as e:
        c.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
    assert e.value.status_code == 401 and openai_message(e.value) == "invalid api key"
    with anthropic_client("not-a-key") as c, pytest.raises(anthropic.AuthenticationError) as e:
        c.messages.create(model=model, max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    assert e.value.status_code == 401 and anthropic_message(e.value) == "invalid api key"
    assert e.value.body["error"]["type"] == "authentication_error"


def test_unknown_model(oai, ant):
    with pytest.raises(openai.NotFoundError) as e:
        oai.chat.completions.create(model="acme/no-such-model", messages=[{"role": "user", "content": "hi"}])
    assert e.value.status_code == 404
    assert openai_message(e.value) == "no model config found for: acme/no-such-model"
    with pytest.raises(anthropic.NotFoundError) as e:
        ant.messages.create(model="acme/no-such-model", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    assert e.value.status_code == 404
    assert anthropic_message(e.value) == "no model config found for: acme/no-such-model"
    assert e.value.body["error"]["type"] == "not_found_error"


@pytest.mark.parametrize("model", MODELS)
def test_bad_request(oai, ant, model):
    with pytest.raises(openai.BadRequestError) as e:
        oai.chat.completions.create(model=model, messages=[])
    assert e.value.status_code == 400 and openai_message(e.value) == "messages must be a non-empty array"
    assert e.value.body["param"] == "messages"
    with pytest.raises(anthropic.BadRequestError) as e:
        ant.messages.create(model=model, max_tokens=0, messages=[{"role": "user", "content": "hi"}])
    assert e.value.status_code == 400 and anthropic_message(e.value) == "max_tokens must be a positive integer"
    assert e.value.body["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("model", MODELS)
def test_zero_balance(model):
    n = nonce()
    # The OpenAI SDK has no class of its own for 402: it raises the base APIStatusError.
    with openai_client(KEY_BROKE) as c, pytest.raises(openai.APIStatusError) as e:
        c.chat.completions.create(model=model, messages=[{"role": "user", "content": f"hi {n}"}])
    assert type(e.value) is openai.APIStatusError
    assert e.value.status_code == 402
    msg = openai_message(e.value)
    assert msg.startswith("Pending payment ") and msg.endswith(" USD — Please top up..."), msg
    assert e.value.body["type"] == "insufficient_quota" and e.value.code == "insufficient_quota"
    # The Anthropic SDK has one: PaymentRequiredError (billing_error).
    with anthropic_client(KEY_BROKE) as c, pytest.raises(anthropic.PaymentRequiredError) as e:
        c.messages.create(model=model, max_tokens=16, messages=[{"role": "user", "content": f"hi {n}"}])
    assert e.value.status_code == 402
    msg = anthropic_message(e.value)
    assert msg.startswith("Pending payment ") and msg.endswith(" USD — Please top up..."), msg
    assert e.value.body["error"]["type"] == "billing_error"
    assert double_requests(n) == [], "a refused request must not reach the upstream"


@pytest.mark.parametrize("model", MODELS)
def test_upstream_5xx_after_retries(oai, ant, model):
    n = nonce()
    with pytest.raises(openai.InternalServerError) as e:
        oai.chat.completions.create(model=model, messages=[{"role": "user", "content": f"hi {n} [[error:503]]"}])
    assert e.value.status_code == 502 and openai_message(e.value) == "upstream service unavailable"
    assert len(double_requests(n)) >= 2, "the gateway retries a 503 before giving up"
    m = nonce()
    with pytest.raises(anthropic.InternalServerError) as e:
        ant.messages.create(model=model, max_tokens=16, messages=[{"role": "user", "content": f"hi {m} [[error:503]]"}])
    assert e.value.status_code == 502 and anthropic_message(e.value) == "upstream service unavailable"
    assert len(double_requests(m)) >= 2


@pytest.mark.parametrize("model", MODELS)
def test_stream_cut_by_upstream_raises(oai, ant, model):
    # OpenAI SDK: the gateway ends the stream with an in-band `{"error":…}` chunk, which the
    # SDK raises as APIError (no HTTP status: the stream had started with 200).
    got = []
    with pytest.raises(openai.APIError) as e:
        for ch in oai.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi [[cut:3]]"}], stream=True):
            got.append(ch)
    assert not isinstance(e.value, openai.APIStatusError)
    assert e.value.message == "upstream connection lost"
    assert e.value.body["type"] == "upstream_error"
    assert got, "the chunks before the cut reached the client"
    # Anthropic SDK: an `event: error` in the stream, raised as APIStatusError (status 200,
    # the one of the stream's response) with the error's type and message.
    with pytest.raises(anthropic.APIStatusError) as e:
        with ant.messages.stream(model=model, max_tokens=64, messages=[{"role": "user", "content": "hi [[cut:3]]"}]) as s:
            for _ in s.text_stream:
                pass
    assert anthropic_message(e.value) == "upstream connection lost"
    assert e.value.body["error"]["type"] == "api_error"
