// The official `openai` client against a nineteen gateway, unchanged: a streamed chat, a whole chat,
// a completion, embeddings and two errors. Prints one JSON line per case for gateway_miner_tests to assert on.
//   node openai_check.mjs BASE_URL (…/v1) API_KEY
import OpenAI from "openai";

const [baseURL, apiKey] = process.argv.slice(2);
if (!baseURL || !apiKey) {
  console.error("usage: node openai_check.mjs BASE_URL API_KEY");
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30000 });
const print = (c) => console.log(JSON.stringify(c));
const messages = [{ role: "user", content: "Hello there" }];

const stream = await client.chat.completions.create({
  model: "chat-tiny", messages, max_tokens: 6, temperature: 0, stream: true,
  stream_options: { include_usage: true },
});
let content = "", chunks = 0, finishReason = null, usageChunk = false, models = new Set(), leaked = false;
for await (const chunk of stream) {
  chunks++;
  models.add(chunk.model);
  const choice = chunk.choices[0];
  if (choice?.delta?.content) content += choice.delta.content;
  if (choice?.finish_reason) finishReason = choice.finish_reason;
  if (chunk.choices.length === 0 && chunk.usage) usageChunk = true;  // include_usage: a chunk of its own
  if (choice && ("token_ids" in choice || choice.logprobs)) leaked = true;
}
print({ case: "streamed_chat", chunks, content, finish_reason: finishReason, usage_chunk: usageChunk,
        models: [...models], leaked });

const chat = await client.chat.completions.create({ model: "chat-tiny", messages, max_tokens: 6, temperature: 0 });
print({ case: "chat", object: chat.object, content: chat.choices[0].message.content, model: chat.model,
        completion_tokens: chat.usage.completion_tokens,
        leaked: "token_ids" in chat.choices[0] || chat.choices[0].logprobs != null });

const completion = await client.completions.create({ model: "completions-tiny", prompt: "Once upon", max_tokens: 5 });
print({ case: "completion", object: completion.object, text: completion.choices[0].text });

const embedded = await client.embeddings.create({ model: "embed-tiny", input: ["Hello there", "A second line"] });
const first = embedded.data[0].embedding;
print({ case: "embeddings", object: embedded.object, count: embedded.data.length, dimensions: first.length,
        norm: Math.sqrt(first.reduce((s, x) => s + x * x, 0)), prompt_tokens: embedded.usage.prompt_tokens });

const failure = async (name, call) => {
  try {
    await call();
    print({ case: name, status: 200, class: "none" });
  } catch (e) {
    print({ case: name, status: e.status ?? 0, class: e.constructor.name, code: e.code ?? null, message: e.message });
  }
};
await failure("unknown_model", () => client.chat.completions.create({ model: "no-such-model", messages }));
await failure("bad_key", () =>
  new OpenAI({ baseURL, apiKey: "nt-00000000000000000000000000000000", maxRetries: 0 })
    .chat.completions.create({ model: "chat-tiny", messages }));
