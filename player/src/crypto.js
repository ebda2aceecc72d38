/*
 * The aes-256-gcm-v1 record format of docs/PROTOCOL.md section 5, read with WebCrypto (browsers,
 * and Node 20+ through globalThis.crypto). A record that does not authenticate is fatal: the
 * caller gets an exception, never unauthenticated bytes.
 */

const MAGIC = [0x58, 0x50, 0x32, 0x45]; // "XP2E"
const HEADER_BYTES = 12;
const TAG_BYTES = 16;
const MAX_RECORD_BYTES = 16 << 20;

export function hexToBytes(hex) {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error('key must be an even-length hex string');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.substr(i * 2, 2), 16);
  }
  return out;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(bytes) {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** K = the key when it is 32 bytes, else SHA-256 of it (section 5). */
export async function importStreamKey(keyBytes) {
  const raw = keyBytes.byteLength === 32 ? keyBytes : new Uint8Array(await crypto.subtle.digest('SHA-256', keyBytes));
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['decrypt', 'encrypt']);
}

/** Decrypts one whole encrypted body (stream header and records) into the concatenated plaintext. */
export async function decryptBody(key, body) {
  const bytes = body instanceof Uint8Array ? body : new Uint8Array(body);
  if (bytes.byteLength < HEADER_BYTES || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error('encrypted body does not start with the XP2E header');
  }
  if (bytes[4] !== 1) {
    throw new Error(`unsupported encryption version ${bytes[4]}`);
  }
  const salt = bytes.subarray(8, 12);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const plain = [];
  let total = 0;
  let offset = HEADER_BYTES;
  for (let index = 0n; offset < bytes.byteLength; index++) {
    if (bytes.byteLength - offset < 4) {
      throw new Error(`truncated record length at offset ${offset}`);
    }
    const length = view.getUint32(offset);
    if (length < TAG_BYTES || length > MAX_RECORD_BYTES + TAG_BYTES || offset + 4 + length > bytes.byteLength) {
      throw new Error(`bad or truncated record of ${length} bytes at offset ${offset}`);
    }
    const nonce = new Uint8Array(12);
    nonce.set(salt, 0);
    new DataView(nonce.buffer).setBigUint64(4, index);
    let clear;
    try {
      clear = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: bytes.subarray(offset, offset + 4), tagLength: 128 },
        key, bytes.subarray(offset + 4, offset + 4 + length));
    } catch (e) {
      throw new Error(`record ${index} at offset ${offset} does not authenticate (wrong key or altered bytes)`);
    }
    plain.push(new Uint8Array(clear));
    total += clear.byteLength;
    offset += 4 + length;
  }
  if (plain.length === 0) {
    throw new Error('encrypted body holds no record');
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of plain) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Encrypts bytes as one record (what the server sends for init and chunks); used by the tests. */
export async function encryptBody(key, plaintext, salt = crypto.getRandomValues(new Uint8Array(4))) {
  const nonce = new Uint8Array(12);
  nonce.set(salt, 0);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, plaintext.byteLength + TAG_BYTES);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: length, tagLength: 128 }, key, plaintext));
  const out = new Uint8Array(HEADER_BYTES + 4 + sealed.byteLength);
  out.set(MAGIC, 0);
  out[4] = 1;
  out.set(salt, 8);
  out.set(length, HEADER_BYTES);
  out.set(sealed, HEADER_BYTES + 4);
  return out;
}
