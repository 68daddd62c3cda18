// Cross-checks nineteen's sr25519 against @polkadot/util-crypto (@scure/sr25519 underneath: independent code).
// Usage: node sr25519_crosscheck.mjs IN.json OUT.json
//   IN:  {"keys": [{"seed": "0x..", "mnemonic": "..."|null, "publicKey": "0x..", "address": "5..",
//                   "signed": [{"message": "0x..", "signature": "0x.."}]}], "toSign": ["0x..", ...]}
//   OUT: {"keys": [{"miniSecret": "0x.."|null, "publicKey": "0x..", "address": "5..",
//                   "verified": [bool], "signatureVerify": [bool], "tamperedMessage": [bool],
//                   "tamperedSignature": [bool], "signedByPolkadot": [{"message", "signature"}]}]}
// The C++ test (tests/keys/sr25519_crosscheck_test.cpp) makes IN, runs this, and judges OUT.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  cryptoWaitReady, encodeAddress, mnemonicToMiniSecret, signatureVerify, sr25519PairFromSeed, sr25519Sign,
  sr25519Verify,
} from '@polkadot/util-crypto';
import { hexToU8a, u8aToHex } from '@polkadot/util';

const [inPath, outPath] = process.argv.slice(2);
if (!inPath || !outPath) {
  console.error('usage: node sr25519_crosscheck.mjs IN.json OUT.json');
  process.exit(2);
}
await cryptoWaitReady();
const input = JSON.parse(readFileSync(inPath, 'utf8'));

const flipped = (bytes, index) => {
  const copy = Uint8Array.from(bytes);
  if (copy.length === 0) return Uint8Array.of(1);
  copy[index % copy.length] ^= 0x01;
  return copy;
};

// A malformed signature (e.g. R not a valid ristretto255 encoding) throws; that is a refusal.
const verifies = (message, signature, publicKey) => {
  try {
    return sr25519Verify(message, signature, publicKey);
  } catch {
    return false;
  }
};

const keys = input.keys.map((key) => {
  const seed = hexToU8a(key.seed);
  const miniSecret = key.mnemonic ? u8aToHex(mnemonicToMiniSecret(key.mnemonic)) : null;
  const pair = sr25519PairFromSeed(seed);
  const result = {
    miniSecret,
    publicKey: u8aToHex(pair.publicKey),
    address: encodeAddress(pair.publicKey, 42),
    verified: [], signatureVerify: [], tamperedMessage: [], tamperedSignature: [], signedByPolkadot: [],
  };
  // Verify against the key the project claims, so a wrong public key shows as a failed verification too.
  const claimed = hexToU8a(key.publicKey);
  key.signed.forEach(({ message, signature }, i) => {
    const m = hexToU8a(message);
    const s = hexToU8a(signature);
    result.verified.push(verifies(m, s, claimed));
    const v = signatureVerify(m, s, key.address);
    result.signatureVerify.push(v.isValid && v.crypto === 'sr25519');
    result.tamperedMessage.push(verifies(flipped(m, i * 7), s, claimed));
    result.tamperedSignature.push(verifies(m, flipped(s, i * 11), claimed));
  });
  for (const message of input.toSign) {
    result.signedByPolkadot.push({ message, signature: u8aToHex(sr25519Sign(hexToU8a(message), pair)) });
  }
  return result;
});
writeFileSync(outPath, JSON.stringify({ keys }));
