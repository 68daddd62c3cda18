// Tool calling through the gateway with the official `openai` client, unchanged: a named tool's
// call returned, its result sent back as a "tool" message, and the final answer; a streamed call
// assembled from its tool_calls deltas as client code does. Prints one JSON line per case for
// gateway_miner_tests to assert on.
//   node tool_call_check.mjs BASE_URL (…/v1) API_KEY MODEL
import OpenAI from "openai";
import Ajv from "ajv";

const [baseURL, apiKey, model] = process.argv.slice(2);
if (!baseURL || !apiKey || !model) {
  console.error("usage: node tool_call_check.mjs BASE_URL API_KEY MODEL");
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60000 });
const print = (c) => console.log(JSON.stringify(c));

const parameters = {
  type: "object",
  properties: {
    city: { type: "string", maxLength: 12 },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
  },
  required: ["city", "unit"],
  additionalProperties: false,
};
const tools = [
  { type: "function", function: { name: "get_weather", description: "Current weather in a city", parameters } },
  { type: "function", function: { name: "get_time", description: "Local time in a city",
                                   parameters: { type: "object", properties: { city: { type: "string", maxLength: 12 } },
                                                 required: ["city"], additionalProperties: false } } },
];
const validArguments = new Ajv({ strict: false }).compile(parameters);
const messages = [
  { role: "developer", content: "Answer with the tools you have." },
  { role: "user", content: "What is the weather in Paris?" },
];

// 1. A named tool: the call comes back.
const first = await client.chat.completions.create({
  model, messages, tools, tool_choice: { type: "function", function: { name: "get_weather" } },
  max_tokens: 300, temperature: 1, seed: 11,
});
const choice = first.choices[0];
const call = choice.message.tool_calls?.[0];
let args = null;
try {
  args = JSON.parse(call?.function?.arguments ?? "");
} catch {}
print({ case: "named_call", finish_reason: choice.finish_reason, content: choice.message.content,
        calls: choice.message.tool_calls?.length ?? 0, id: call?.id ?? null, name: call?.function?.name ?? null,
        arguments_valid: args !== null && validArguments(args), arguments: call?.function?.arguments ?? null });

// 2. The tool's result sent back; the model answers in text (tool_choice "none").
const second = await client.chat.completions.create({
  model, tools, tool_choice: "none", max_tokens: 12, temperature: 1, seed: 12,
  messages: [...messages, choice.message, { role: "tool", tool_call_id: call?.id ?? "none", content: "21 degrees and sunny" }],
});
print({ case: "final_answer", finish_reason: second.choices[0].finish_reason,
        content_is_text: typeof second.choices[0].message.content === "string",
        tool_calls: second.choices[0].message.tool_calls?.length ?? 0 });

// 3. Streamed, "required": the call assembled from deltas by index.
const stream = await client.chat.completions.create({
  model, messages, tools, tool_choice: "required", max_tokens: 300, temperature: 1, seed: 13, stream: true,
});
const assembled = [];
let finish = null, content = "";
for await (const chunk of stream) {
  const c = chunk.choices[0];
  if (!c) continue;
  if (c.delta?.content) content += c.delta.content;
  for (const d of c.delta?.tool_calls ?? []) {
    const slot = (assembled[d.index] ??= { id: "", name: "", arguments: "" });
    if (d.id) slot.id = d.id;
    if (d.function?.name) slot.name += d.function.name;
    if (d.function?.arguments) slot.arguments += d.function.arguments;
  }
  if (c.finish_reason) finish = c.finish_reason;
}
let streamedArgs = null;
try {
  streamedArgs = JSON.parse(assembled[0]?.arguments ?? "");
} catch {}
print({ case: "streamed_call", finish_reason: finish, content, calls: assembled.length, id: assembled[0]?.id ?? null,
        name: assembled[0]?.name ?? null, arguments_object: streamedArgs !== null && typeof streamedArgs === "object",
        arguments: assembled[0]?.arguments ?? null });
