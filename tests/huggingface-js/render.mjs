// @huggingface/jinja (the Jinja interpreter of transformers.js and the Hub) rendering a chat
// template for every case of a cases file.
//
// usage: node render.mjs TEMPLATE.jinja CASES.json BOS_TOKEN EOS_TOKEN
//   CASES.json is {"cases": [{"messages": [...], "add_generation_prompt": bool, "tools": [...]?}, ...]}
//   (tools, when a case has them, as transformers' apply_chat_template passes them). Prints one
//   JSON line per case: {"index": i, "text": rendered} or {"index": i, "error": message} when the
//   template raises (e.g. roles that do not alternate).
import { readFileSync } from 'node:fs';
import { Template } from '@huggingface/jinja';

const [templatePath, casesPath, bosToken, eosToken] = process.argv.slice(2);
if (!templatePath || !casesPath || bosToken === undefined || eosToken === undefined) {
  console.error('usage: node render.mjs TEMPLATE.jinja CASES.json BOS_TOKEN EOS_TOKEN');
  process.exit(2);
}
const template = new Template(readFileSync(templatePath, 'utf8'));
const cases = JSON.parse(readFileSync(casesPath, 'utf8')).cases;
cases.forEach((c, index) => {
  try {
    const text = template.render({
      messages: c.messages,
      add_generation_prompt: c.add_generation_prompt,
      ...(c.tools ? { tools: c.tools } : {}),
      bos_token: bosToken,
      eos_token: eosToken,
    });
    console.log(JSON.stringify({ index, text }));
  } catch (e) {
    console.log(JSON.stringify({ index, error: String(e.message || e) }));
  }
});
