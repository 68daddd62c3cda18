// llama.cpp (node-llama-cpp's prebuilt CPU build) on a GGUF file: the baseline of bench_llm and
// the independent engine of the models tests' greedy cross-check. Prints one JSON object per line.
// Nothing is built or downloaded: getLlama() is told gpu: false, build: "never", skipDownload.
//
// usage:
//   node llama_cpp.mjs greedy --model F.gguf --prompt 1,2,3 [--prompt 4,5] [--tokens 16] [--threads 1]
//       [--kv f16|f32]
//     greedy continuation of each prompt (token ids, no bos added): {"prompt":[..],"tokens":[..]}
//   node llama_cpp.mjs bench --model F.gguf [--threads 2] [--decode-tokens 128] [--prompt-tokens 128]
//       [--parallel 1,4,8,16] [--parallel-tokens 64] [--contexts 64,512,2048] [--context-tokens 32]
//       [--repeats 3] [--kv f16|f32]
//     {"kind":"info",...}, then {"kind":"decode"|"prompt"|"parallel"|"context", "tok_s":..., ...}
//     lines (median of --repeats runs after one warm-up run). An empty list (e.g. --parallel "")
//     skips that measurement.
// The KV cache is llama.cpp's default (f16) unless --kv f32; end-of-generation tokens are
// generated through (as bench_llm's decoder does), so every run produces exactly the tokens asked.
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

function parseArgs(argv) {
  const mode = argv[0];
  const opts = {prompts: []};
  for (let i = 1; i < argv.length; i += 2) {
    const flag = argv[i], value = argv[i + 1];
    if (value === undefined) fail(`${flag}: missing value`);
    if (flag === "--prompt") opts.prompts.push(value.split(",").filter((s) => s !== "").map(Number));
    else opts[flag.replace(/^--/, "")] = value;
  }
  return {mode, opts};
}

function fail(message) {
  process.stderr.write(`llama_cpp.mjs: ${message}\n`);
  process.exit(2);
}

const ints = (text) => (text ?? "").split(",").filter((s) => s !== "").map(Number);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e9;
const print = (o) => process.stdout.write(JSON.stringify(o) + "\n");

// The same deterministic token stream as bench_llm's prompts.
function benchTokens(n, vocab, salt) {
  const t = [];
  for (let i = 0; i < n; ++i) t.push((i * 131 + salt * 17 + 3) % vocab);
  return t;
}

const {mode, opts} = parseArgs(process.argv.slice(2));
if (mode !== "greedy" && mode !== "bench") fail("usage: node llama_cpp.mjs greedy|bench --model F.gguf ...");
if (!opts.model) fail("--model F.gguf is required");
const threads = Number(opts.threads ?? (mode === "bench" ? 2 : 1));
const kv = opts.kv ?? "f16";
if (kv !== "f16" && kv !== "f32") fail(`--kv must be f16 or f32, got ${kv}`);
const kvType = kv === "f32" ? "F32" : "F16";

const llama = await getLlama({
  gpu: false, build: "never", skipDownload: true, usePrebuiltBinaries: true, progressLogs: false,
  logLevel: LlamaLogLevel.error,
});
const model = await llama.loadModel({modelPath: opts.model, gpuLayers: 0, useMmap: true});
const vocab = model.tokens.vocabSize ?? model.fileInfo?.metadata?.llama?.vocab_size;

async function newContext(contextSize, sequences = 1, batchSize = 512) {
  return model.createContext({
    contextSize, sequences, threads, batchSize: Math.min(batchSize, contextSize * sequences),
    experimentalKvCacheKeyType: kvType, experimentalKvCacheValueType: kvType,
  });
}

// Greedy generation of n tokens on a sequence whose history already holds `history`, feeding
// `first` next; returns the tokens and the seconds from the first generated token to the last.
async function generate(sequence, first, n) {
  const out = [];
  let start = 0;
  for await (const token of sequence.evaluate(first, {temperature: 0, yieldEogToken: true})) {
    if (out.length === 0) start = now();
    out.push(token);
    if (out.length >= n) break;
  }
  return {tokens: out, seconds: now() - start};
}

if (mode === "greedy") {
  const n = Number(opts.tokens ?? 16);
  const longest = Math.max(...opts.prompts.map((p) => p.length), 1);
  const context = await newContext(longest + n + 8);
  const sequence = context.getSequence();
  for (const prompt of opts.prompts) {
    await sequence.clearHistory();
    const {tokens} = await generate(sequence, prompt, n);
    print({prompt, tokens});
  }
  await context.dispose();
} else {
  const repeats = Math.max(1, Number(opts.repeats ?? 3));
  const decodeTokens = Number(opts["decode-tokens"] ?? 128);
  const promptTokens = Number(opts["prompt-tokens"] ?? 128);
  const parallelTokens = Number(opts["parallel-tokens"] ?? 64);
  const contextTokens = Number(opts["context-tokens"] ?? 32);
  print({kind: "info", engine: "llama.cpp", package: "node-llama-cpp", release: llama.llamaCppRelease?.release ?? null,
         build: llama.buildType, gpu: llama.gpu, threads, kv_cache: kv, vocab, model: opts.model,
         cpu_math_cores: llama.cpuMathCores, system_info: llama.systemInfo});

  // Runs fn repeats + 1 times (the first warms up) and returns the median of its rates.
  async function measure(fn) {
    const rates = [];
    for (let r = 0; r <= repeats; ++r) {
      const rate = await fn(r);
      if (r > 0) rates.push(rate);
    }
    return median(rates);
  }

  // Decode: batch 1, greedy, decodeTokens tokens after a 16-token prompt (as bench_llm).
  if (decodeTokens > 0) {
    const context = await newContext(16 + decodeTokens + 8);
    const sequence = context.getSequence();
    const rate = await measure(async (r) => {
      await sequence.clearHistory();
      const {tokens, seconds} = await generate(sequence, benchTokens(16, vocab, r), decodeTokens + 1);
      return (tokens.length - 1) / seconds;  // the first token comes from the prompt's evaluation
    });
    print({kind: "decode", tokens: decodeTokens, tok_s: rate});
    await context.dispose();
  }

  // Prompt processing: one promptTokens-long prompt evaluated in one batch.
  if (promptTokens > 0) {
    const context = await newContext(promptTokens + 8, 1, promptTokens);
    const sequence = context.getSequence();
    const rate = await measure(async (r) => {
      await sequence.clearHistory();
      const start = now();
      await sequence.evaluateWithoutGeneratingNewTokens(benchTokens(promptTokens, vocab, r));
      const seconds = now() - start;
      return promptTokens / seconds;
    });
    print({kind: "prompt", tokens: promptTokens, tok_s: rate});
    await context.dispose();
  }

  // Parallel sequences: P sequences of one context decoding at once (node-llama-cpp batches their
  // steps together): aggregate generated tokens per second, from the P prompts' submission.
  for (const p of ints(opts.parallel ?? "1,4,8,16")) {
    const context = await newContext(16 + parallelTokens + 8, p);
    const sequences = Array.from({length: p}, () => context.getSequence());
    const rate = await measure(async (r) => {
      for (const s of sequences) await s.clearHistory();
      const start = now();
      const results = await Promise.all(
        sequences.map((s, i) => generate(s, benchTokens(16, vocab, r * 31 + i), parallelTokens)));
      const seconds = now() - start;
      return results.reduce((sum, x) => sum + x.tokens.length, 0) / seconds;
    });
    print({kind: "parallel", sequences: p, tokens: parallelTokens, tok_s: rate});
    await context.dispose();
  }

  // Cost growth: decode speed once the KV cache holds `length` tokens.
  for (const length of ints(opts.contexts ?? "64,512,2048")) {
    const context = await newContext(length + contextTokens + 8, 1, Math.min(length, 512));
    const sequence = context.getSequence();
    const rate = await measure(async (r) => {
      await sequence.clearHistory();
      const prompt = benchTokens(length, vocab, r);
      await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, length - 1));
      const {tokens, seconds} = await generate(sequence, prompt.slice(length - 1), contextTokens + 1);
      return (tokens.length - 1) / seconds;
    });
    print({kind: "context", context: length, tokens: contextTokens, tok_s: rate});
    await context.dispose();
  }
}
await model.dispose();
await llama.dispose();
