// Hugging Face's JS tokenizers (@huggingface/transformers AutoTokenizer, the same tokenizer.json
// reader as the Python `tokenizers`) on local model folders, remote models off.
//
// usage: node tokenize.mjs ROOT CORPUS.json NAME:bpe|bpe+special|wordpiece ...
//   ROOT holds one folder per NAME (tokenizer.json, tokenizer_config.json); CORPUS.json is
//   {"texts": [...]}. Prints one JSON line per NAME: {"model", "ids": [[...] per text],
//   "decoded": [text per ids]}. bpe: no special tokens added (the chat template carries BOS);
//   bpe+special: tokenizer(text) as a completions prompt is encoded, with what the post-processor
//   adds; wordpiece: with [CLS]/[SEP], as the embeddings task encodes.
import { readFileSync } from 'node:fs';
import { env, AutoTokenizer } from '@huggingface/transformers';

env.allowRemoteModels = false;
env.allowLocalModels = true;
const [root, corpusPath, ...models] = process.argv.slice(2);
if (!root || !corpusPath || models.length === 0) {
  console.error('usage: node tokenize.mjs ROOT CORPUS.json NAME:bpe|bpe+special|wordpiece ...');
  process.exit(2);
}
env.localModelPath = root.endsWith('/') ? root : root + '/';
const texts = JSON.parse(readFileSync(corpusPath, 'utf8')).texts;

for (const spec of models) {
  const [name, kind] = spec.split(':');
  const tokenizer = await AutoTokenizer.from_pretrained(name);
  const addSpecial = kind === 'wordpiece' || kind === 'bpe+special';
  const ids = texts.map((text) => tokenizer.encode(text, { add_special_tokens: addSpecial }));
  const decoded = ids.map((row) => row.length === 0 ? '' :
    tokenizer.decode(row, { skip_special_tokens: false, clean_up_tokenization_spaces: false }));
  console.log(JSON.stringify({ model: name, ids, decoded }));
}
