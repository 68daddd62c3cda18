// Independent check for tests/subtensor: @polkadot/types decodes a signed extrinsic made by the project and
// @polkadot/util-crypto verifies its sr25519 signature over the payload polkadot rebuilds itself.
// Usage: node extrinsic_verify.mjs <metadata: bitgo mainnet.js | file of hex> '<JSON: {extrinsics: [hex],
//        genesis, spec_version, transaction_version, block_hash}>'
// Prints one JSON array, one entry per extrinsic: {signer, nonce, tip, era, call, args, valid}.
import { createRequire } from 'module';
import { readFileSync } from 'fs';

const require = createRequire(import.meta.url);
const { TypeRegistry, Metadata } = require('@polkadot/types');
const { compactStripLength, hexToU8a, u8aToHex } = require('@polkadot/util');
const { blake2AsU8a, cryptoWaitReady, sr25519Verify, decodeAddress } = require('@polkadot/util-crypto');

console.warn = () => {};
console.log = (...a) => process.stderr.write(a.join(' ') + '\n');

const [source, inputsJson] = process.argv.slice(2);
const inputs = JSON.parse(inputsJson);
let metadataHex;
if (source.endsWith('.js')) {
  metadataHex = require(source).mainnetMaterial.metadata;
} else {
  metadataHex = readFileSync(source, 'utf8').trim();
  if (!metadataHex.startsWith('0x6d657461')) metadataHex = u8aToHex(compactStripLength(hexToU8a(metadataHex).subarray(1))[1]);
}

await cryptoWaitReady();
const registry = new TypeRegistry();
registry.setMetadata(new Metadata(registry, metadataHex));

const out = inputs.extrinsics.map((hex) => {
  const ext = registry.createType('Extrinsic', hex);
  const payload = registry.createType('ExtrinsicPayload', {
    method: ext.method.toHex(),
    era: ext.era,
    nonce: ext.nonce,
    tip: ext.tip,
    specVersion: inputs.spec_version,
    transactionVersion: inputs.transaction_version,
    genesisHash: inputs.genesis,
    blockHash: inputs.block_hash,
    mode: 0,
  }, { version: 4 });
  let message = payload.toU8a({ method: true });
  if (message.length > 256) message = blake2AsU8a(message, 256);
  const signature = ext.signature.isSr25519 ? ext.signature.asSr25519.toU8a() : ext.signature.toU8a();
  return {
    signer: ext.signer.toString(),
    nonce: ext.nonce.toNumber(),
    tip: ext.tip.toString(),
    era: ext.era.toHex(),
    call: `${ext.method.section}.${ext.method.method}`,
    args: ext.method.args.map((a) => a.toString()),
    valid: sr25519Verify(message, signature, decodeAddress(ext.signer.toString())),
  };
});
process.stdout.write(JSON.stringify(out) + '\n');
