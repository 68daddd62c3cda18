// Independent reference for tests/subtensor: what @polkadot/types builds from the same runtime metadata.
// Usage: node extrinsic_reference.mjs <metadata: bitgo mainnet.js | file of hex> '<inputs JSON>'
// Prints one JSON object: metadata facts (genesis, spec, pallet and call indices, argument types, error
// indices), set_weights and serve_axon calls, signing payloads and signed extrinsics, storage keys.
import { createRequire } from 'module';
import { readFileSync } from 'fs';

const require = createRequire(import.meta.url);
const { TypeRegistry, Metadata } = require('@polkadot/types');
const { expandMetadata } = require('@polkadot/types/metadata');
const { compactStripLength, hexToU8a, u8aToHex } = require('@polkadot/util');

// polkadot warns about Subtensor's own signed extensions (they encode to nothing) on stderr; keep stdout JSON.
console.warn = () => {};
console.log = ((log) => (...a) => process.stderr.write(a.join(' ') + '\n'))(console.log);

const [source, inputsJson] = process.argv.slice(2);
const inputs = JSON.parse(inputsJson);
let metadataHex, genesisHash = inputs.genesis, specVersion = inputs.spec_version;
if (source.endsWith('.js')) {
  const m = require(source).mainnetMaterial;
  metadataHex = m.metadata;
  genesisHash = m.genesisHash;
  specVersion = Number(m.specVersion);
} else {
  metadataHex = readFileSync(source, 'utf8').trim();
  // Metadata_metadata_at_version answers Option<Vec<u8>>: strip the Some tag and the length.
  if (!metadataHex.startsWith('0x6d657461')) metadataHex = u8aToHex(compactStripLength(hexToU8a(metadataHex).subarray(1))[1]);
}

const registry = new TypeRegistry();
const metadata = new Metadata(registry, metadataHex);
registry.setMetadata(metadata);
const decorated = expandMetadata(registry, metadata);
const latest = metadata.version === 14 ? metadata.asV14 : metadata.asV15;

const out = {
  metadataVersion: metadata.version,
  genesisHash,
  specVersion,
  pallets: {},
  calls: {},
  errors: {},
  signedExtensions: latest.extrinsic.signedExtensions.map((e) => e.identifier.toString()),
};
for (const p of latest.pallets) out.pallets[p.name.toString()] = p.index.toNumber();

const sub = latest.pallets.find((p) => p.name.toString() === 'SubtensorModule');
for (const v of registry.lookup.getSiType(sub.calls.unwrap().type).def.asVariant.variants) {
  const name = v.name.toString();
  if (['set_weights', 'serve_axon', 'commit_weights', 'reveal_weights', 'burned_register'].includes(name)) {
    out.calls[name] = {
      index: [sub.index.toNumber(), v.index.toNumber()],
      args: v.fields.map((f) => [f.name.toString(), f.type.toNumber()]),
    };
  }
}
for (const v of registry.lookup.getSiType(sub.errors.unwrap().type).def.asVariant.variants) {
  out.errors[v.name.toString()] = v.index.toNumber();
}

const era = inputs.era
  ? registry.createType('ExtrinsicEra', { current: inputs.era.current, period: inputs.era.period })
  : registry.createType('ExtrinsicEra');
out.era = era.toHex();

function sign(call) {
  const payload = registry.createType('ExtrinsicPayload', {
    method: call.toHex(),
    era,
    nonce: inputs.nonce,
    tip: inputs.tip,
    specVersion,
    transactionVersion: inputs.transaction_version,
    genesisHash,
    blockHash: inputs.era ? inputs.block_hash : genesisHash,
    mode: 0,
  }, { version: 4 });
  const extrinsic = registry.createType('Extrinsic', call, { version: 4 });
  extrinsic.addSignature(inputs.public_key, { Sr25519: inputs.signature }, payload.toHex());
  return {
    call: call.toHex(),
    payload: u8aToHex(payload.toU8a({ method: true })),
    extrinsic: extrinsic.toHex(),
  };
}

const tx = decorated.tx.subtensorModule;
out.set_weights = sign(tx.setWeights(inputs.netuid, inputs.dests, inputs.weights, inputs.version_key));
const a = inputs.axon;
out.serve_axon = sign(tx.serveAxon(inputs.netuid, a.version, a.ip, a.port, a.ip_type, a.protocol, 0, 0));
out.commit_weights = sign(tx.commitWeights(inputs.netuid, inputs.commit_hash));
out.reveal_weights = sign(tx.revealWeights(inputs.netuid, inputs.dests, inputs.weights, inputs.salt, inputs.version_key));
// A call whose signing payload is over 256 bytes (signed as its blake2b-256).
out.long_set_weights = sign(tx.setWeights(inputs.netuid, inputs.long_dests, inputs.long_weights, inputs.version_key));

// Commitments.set_commitment: a validator's task vote as Data::RawN fields of at most 128 bytes.
if (decorated.tx.commitments && decorated.tx.commitments.setCommitment) {
  const fields = inputs.commitment_fields.map((hex) => ({ [`Raw${(hex.length - 2) / 2}`]: hex }));
  out.set_commitment = sign(decorated.tx.commitments.setCommitment(inputs.netuid, { fields }));
  const p = latest.pallets.find((x) => x.name.toString() === 'Commitments');
  out.commitments = {
    index: p.index.toNumber(),
    maxFields: registry.createType('u32', p.constants.find((c) => c.name.toString() === 'MaxFields').value).toNumber(),
  };
  // A CommitmentOf value (Registration { deposit, block, info }) as the chain would store the same fields.
  const entry = decorated.query.commitments.commitmentOf;
  out.commitments.storageKey = u8aToHex(compactStripLength(entry(inputs.netuid, inputs.public_key))[1]);
  out.commitments.registration = registry
    .createType(registry.createLookupType(entry.meta.type.asMap.value), { deposit: 0, block: inputs.commitment_block, info: { fields } })
    .toHex();
}

const q = decorated.query;
const key = (entry, ...args) => u8aToHex(compactStripLength(entry(...args))[1]);
out.storage = {
  tempo: key(q.subtensorModule.tempo, inputs.netuid),
  weightsSetRateLimit: key(q.subtensorModule.weightsSetRateLimit, inputs.netuid),
  systemAccount: key(q.system.account, inputs.public_key),
  systemNumber: key(q.system.number),
};
if (q.subtensorModule.lastUpdate) out.storage.lastUpdate = key(q.subtensorModule.lastUpdate, inputs.netuid);
if (q.subtensorModule.keys) out.storage.keys = key(q.subtensorModule.keys, inputs.netuid, 3);

process.stdout.write(JSON.stringify(out) + '\n');
