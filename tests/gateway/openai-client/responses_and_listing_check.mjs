// The official `openai` client against a nineteen gateway, unchanged: the Responses API (a whole
// response, a streamed one, the SDK's stream helper, a refused stateful request), then the model
// listing and the headers of an answer. Prints one JSON line per case for gateway_miner_tests.
//   node responses_and_listing_check.mjs BASE_URL (…/v1) API_KEY MODEL (a chat task)
import OpenAI from "openai";

const [baseURL, apiKey, model] = process.argv.slice(2);
if (!baseURL || !apiKey || !model) {
  console.error("usage: node responses_and_listing_check.mjs BASE_URL API_KEY MODEL");
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30000 });
const print = (c) => console.log(JSON.stringify(c));

const whole = await client.responses.create({ model, instructions: "Be brief", input: "hello there world",
                                              max_output_tokens: 16 });
print({ case: "whole", object: whole.object, status: whole.status, output_text: whole.output_text,
        output_tokens: whole.usage.output_tokens });

const stream = await client.responses.create({ model, input: [{ role: "user", content: "one two three" }], stream: true });
let deltas = "", done = null, completed = null, first = null, last = null;
for await (const event of stream) {
  first ??= event.type;
  last = event.type;
  if (event.type === "response.output_text.delta") deltas += event.delta;
  if (event.type === "response.output_text.done") done = event.text;
  if (event.type === "response.completed") completed = event.response;
}
print({ case: "streamed", deltas, done, first, last, status: completed?.status ?? null,
        output_tokens: completed?.usage?.output_tokens ?? null });

const helper = client.responses.stream({ model, input: "four five six" });
const final = await helper.finalResponse();
print({ case: "stream_helper", status: final.status, text: final.output[0].content[0].text });

try {
  await client.responses.create({ model, input: "again", previous_response_id: whole.id });
  print({ case: "stateless", status: 200 });
} catch (e) {
  print({ case: "stateless", status: e.status ?? 0, code: e.code ?? null, param: e.param ?? null, message: e.message });
}

const listed = [];
for await (const m of client.models.list()) listed.push(m);
const mine = listed.find((m) => m.id === model);
print({ case: "listing", ids: listed.map((m) => m.id), context_length: mine?.context_length ?? null,
        max_output_length: mine?.max_output_length ?? null, pricing: mine?.pricing ?? null });

const { response: raw } = await client.responses.create({ model, input: "headers please" }).withResponse();
print({ case: "headers", request_id: raw.headers.get("x-request-id"),
        limit: raw.headers.get("x-ratelimit-limit-requests"), remaining: raw.headers.get("x-ratelimit-remaining-requests"),
        reset: raw.headers.get("x-ratelimit-reset-requests") });
