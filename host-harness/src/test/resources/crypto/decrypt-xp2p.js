// Independent decryptor for xp2p encrypted streams, written from docs/PROTOCOL.md section 5 only.
// usage: node decrypt-xp2p.js <keyHex> <in> <out>
'use strict';
const fs = require('fs');
const crypto = require('crypto');

const [keyHex, inFile, outFile] = process.argv.slice(2);
let key = Buffer.from(keyHex, 'hex');
if (key.length !== 32) key = crypto.createHash('sha256').update(key).digest();
const data = fs.readFileSync(inFile);
if (data.subarray(0, 4).toString('latin1') !== 'XP2E') throw new Error('bad magic');
if (data[4] !== 1) throw new Error('unsupported version ' + data[4]);
const salt = data.subarray(8, 12);
const out = [];
let at = 12;
let index = 0n;
let records = 0;
while (at + 4 <= data.length) {
  const len = data.readUInt32BE(at);
  if (at + 4 + len > data.length) break; // a capture may end mid-record
  const nonce = Buffer.alloc(12);
  salt.copy(nonce, 0);
  nonce.writeBigUInt64BE(index, 4);
  const body = data.subarray(at + 4, at + 4 + len);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(data.subarray(at, at + 4));
  decipher.setAuthTag(body.subarray(len - 16));
  out.push(decipher.update(body.subarray(0, len - 16)));
  decipher.final(); // throws when the tag does not verify
  at += 4 + len;
  index++;
  records++;
}
fs.writeFileSync(outFile, Buffer.concat(out));
console.log('records=' + records);
