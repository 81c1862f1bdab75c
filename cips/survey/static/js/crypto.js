// End-to-end encryption of finished submissions (encrypted campaigns only).
//
// WebCrypto only, nothing hand-written. At "finish" the plaintext submission (the exact
// payload of the submission API) is encrypted with a fresh AES-256-GCM key and a random
// 12-byte nonce; the AES key is wrapped with the campaign's RSA-OAEP-3072 (SHA-256) public
// key, which comes in the campaign document (so it works offline). The outbox then holds
// only the envelope: the answers can be read back by the holder of the campaign's private
// key (`cips decrypt`), not by this device, the server or anyone in between.
//
// Besides the crypto fields, the envelope carries in clear what the server needs to route
// and accept it: uuid, campaign, questionnaire and version, the device id (its rate limit),
// the invitation token (claimed once), and the campaign's declared plaintext strata.
// Python does the same in cips/crypto/seal.py (seal_submission): keep them in step.

export const ALG = "RSA-OAEP-3072-SHA256+A256GCM";

function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const imported = new Map(); // base64 SPKI -> CryptoKey (one import per key and page)

function publicKey(spki) {
  if (!imported.has(spki)) {
    const key = crypto.subtle.importKey("spki", fromBase64(spki), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["wrapKey"]);
    imported.set(spki, key);
    key.catch(() => imported.delete(spki));
  }
  return imported.get(spki);
}

/** The encryption settings of a campaign document, or null for a plaintext campaign. */
export function encryptionOf(doc) {
  return doc && doc.encryption && doc.encryption.public_key ? doc.encryption : null;
}

/** Seal a plaintext submission payload into the envelope the outbox stores and the API accepts. */
export async function seal(payload, encryption) {
  if (encryption.alg !== ALG) throw new Error(`unsupported encryption ${encryption.alg}`);
  if (!globalThis.crypto || !crypto.subtle) throw new Error("encryption needs a secure (https) page");
  const wrapping = await publicKey(encryption.public_key);
  // Extractable only so that wrapKey can export it, encrypted; it is never stored.
  const aesKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = new TextEncoder().encode(JSON.stringify(payload));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, aesKey, plaintext);
  const wrapped = await crypto.subtle.wrapKey("raw", aesKey, wrapping, { name: "RSA-OAEP" });
  const envelope = {
    uuid: payload.uuid, campaign: payload.campaign, instrument: payload.instrument,
    instrument_version: payload.instrument_version, alg: ALG,
    key_wrapped: toBase64(wrapped), iv: toBase64(iv), ciphertext: toBase64(ciphertext),
  }; // prettier-ignore
  if (payload.device_id) envelope.device_id = payload.device_id;
  if (payload.invite_token) envelope.invite_token = payload.invite_token;
  const strata = {};
  for (const item of encryption.plaintext_strata || []) {
    if (typeof payload.answers[item] === "string") strata[item] = payload.answers[item];
  }
  if (Object.keys(strata).length) envelope.strata = strata;
  return envelope;
}
