import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decryptBody, encryptBody, hexToBytes, importStreamKey, sha256Hex } from '../src/crypto.js';

// An independent encoder with Node's own cipher API, written from docs/PROTOCOL.md section 5.
function encryptRecords(key32, salt, plaintexts) {
  const parts = [Buffer.from('XP2E'), Buffer.from([1, 0, 0, 0]), salt];
  plaintexts.forEach((p, i) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(p.length + 16);
    const nonce = Buffer.concat([salt, Buffer.alloc(8)]);
    nonce.writeBigUInt64BE(BigInt(i), 4);
    const c = createCipheriv('aes-256-gcm', key32, nonce);
    c.setAAD(length);
    parts.push(length, c.update(p), c.final(), c.getAuthTag());
  });
  return new Uint8Array(Buffer.concat(parts));
}

test('records made by an independent encoder decrypt to the concatenated plaintext', async () => {
  const keyBytes = randomBytes(32);
  const salt = randomBytes(4);
  const body = encryptRecords(keyBytes, salt, [Buffer.from('FLV init'), Buffer.alloc(70000, 7), Buffer.from('tail')]);
  const plain = await decryptBody(await importStreamKey(new Uint8Array(keyBytes)), body);
  assert.deepEqual(Buffer.from(plain), Buffer.concat([Buffer.from('FLV init'), Buffer.alloc(70000, 7), Buffer.from('tail')]));
});

test('a key that is not 32 bytes is hashed with SHA-256 first', async () => {
  const keyBytes = Buffer.from('short key');
  const body = encryptRecords(createHash('sha256').update(keyBytes).digest(), randomBytes(4), [Buffer.from('chunk')]);
  const plain = await decryptBody(await importStreamKey(new Uint8Array(keyBytes)), body);
  assert.equal(Buffer.from(plain).toString(), 'chunk');
});

test('a wrong key, an altered byte, a truncated body or a foreign header is refused', async () => {
  const keyBytes = randomBytes(32);
  const key = await importStreamKey(new Uint8Array(keyBytes));
  const body = encryptRecords(keyBytes, randomBytes(4), [Buffer.alloc(1000, 1)]);
  const other = await importStreamKey(new Uint8Array(randomBytes(32)));
  await assert.rejects(decryptBody(other, body), /does not authenticate/);
  const altered = body.slice();
  altered[500] ^= 1;
  await assert.rejects(decryptBody(key, altered), /does not authenticate/);
  await assert.rejects(decryptBody(key, body.subarray(0, body.length - 1)), /truncated/);
  const foreign = body.slice();
  foreign[0] = 0x46;
  await assert.rejects(decryptBody(key, foreign), /XP2E/);
  await assert.rejects(decryptBody(key, body.subarray(0, 12)), /no record/, 'a header alone is not an empty stream');
});

test('encryptBody (the server shape: one record) round-trips; hex helpers', async () => {
  const key = await importStreamKey(hexToBytes('00'.repeat(31) + 'ff'));
  const plain = new Uint8Array(12345).map((_, i) => i & 0xff);
  assert.deepEqual(await decryptBody(key, await encryptBody(key, plain)), plain);
  assert.throws(() => hexToBytes('abc'), /hex/);
  assert.equal(await sha256Hex(new TextEncoder().encode('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
