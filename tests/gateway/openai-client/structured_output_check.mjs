// Structured outputs through the gateway with the official `openai` client, unchanged, and `ajv`
// validating what comes back: response_format json_schema (whole and streamed, the streamed
// deltas joined), json_object, the Responses API's text.format json_schema, and an unsupported
// schema keyword refused by name.
// Prints one JSON line per case for gateway_miner_tests to assert on.
//   node structured_output_check.mjs BASE_URL (…/v1) API_KEY MODEL
import OpenAI from "openai";
import Ajv from "ajv";

const [baseURL, apiKey, model] = process.argv.slice(2);
if (!baseURL || !apiKey || !model) {
  console.error("usage: node structured_output_check.mjs BASE_URL API_KEY MODEL");
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60000 });
const print = (c) => console.log(JSON.stringify(c));
const messages = [{ role: "user", content: "Describe a flower as JSON." }];

// A schema of the kind OpenAI's strict mode takes: every property required, no others, nested
// objects and arrays, an enum, a nullable field through anyOf, and a $ref to $defs.
const schema = {
  type: "object",
  properties: {
    name: { type: "string", maxLength: 12 },
    color: { type: "string", enum: ["red", "yellow", "blue"] },
    petals: { type: "integer" },
    scented: { type: "boolean" },
    leaves: { type: "array", items: { $ref: "#/$defs/leaf" }, maxItems: 2 },
    note: { anyOf: [{ type: "string", maxLength: 8 }, { type: "null" }] },
  },
  required: ["name", "color", "petals", "scented", "leaves", "note"],
  additionalProperties: false,
  $defs: {
    leaf: {
      type: "object",
      properties: { shape: { type: "string", enum: ["oval", "needle"] }, size: { type: "number" } },
      required: ["shape", "size"],
      additionalProperties: false,
    },
  },
};
const validate = new Ajv({ strict: false }).compile(schema);
const response_format = { type: "json_schema", json_schema: { name: "flower", strict: true, schema } };
// A random tiny model may write long numbers; the budget is generous and the seed fixed.
const common = { model, messages, max_tokens: 400, temperature: 1, seed: 7, response_format };

const judged = (name, text, finish_reason) => {
  let parsed = null, parse_error = null;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    parse_error = e.message;
  }
  const valid = parsed !== null && validate(parsed);
  print({ case: name, finish_reason, parse_error, valid, errors: valid ? null : validate.errors, content: text });
};

const whole = await client.chat.completions.create(common);
judged("json_schema", whole.choices[0].message.content, whole.choices[0].finish_reason);

const stream = await client.chat.completions.create({ ...common, seed: 8, stream: true });
let streamed = "", finish = null, chunks = 0;
for await (const chunk of stream) {
  chunks++;
  const choice = chunk.choices[0];
  if (choice?.delta?.content) streamed += choice.delta.content;
  if (choice?.finish_reason) finish = choice.finish_reason;
}
judged("json_schema_streamed", streamed, finish);

const object = await client.chat.completions.create({
  model, messages, max_tokens: 400, temperature: 0.7, seed: 3, response_format: { type: "json_object" },
});
{
  const text = object.choices[0].message.content;
  let is_object = false;
  try {
    const v = JSON.parse(text);
    is_object = v !== null && typeof v === "object" && !Array.isArray(v);
  } catch {}
  print({ case: "json_object", finish_reason: object.choices[0].finish_reason, is_object, content: text });
}

// The Responses API: text.format json_schema becomes the chat task's response_format.
const response = await client.responses.create({
  model, input: "Describe a flower as JSON.", max_output_tokens: 400, temperature: 1,
  text: { format: { type: "json_schema", name: "flower", strict: true, schema } },
});
judged("responses_json_schema", response.output_text, response.status === "completed" ? "stop" : response.status);

try {
  await client.chat.completions.create({
    model, messages, max_tokens: 20,
    response_format: { type: "json_schema", json_schema: { name: "n", schema: { type: "integer", minimum: 3 } } },
  });
  print({ case: "unsupported_keyword", status: 200 });
} catch (e) {
  print({ case: "unsupported_keyword", status: e.status ?? 0, class: e.constructor.name, code: e.code ?? null,
          param: e.param ?? null, message: e.message });
}
