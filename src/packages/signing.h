#pragma once
// Ed25519 signing of app packages (libsodium). The signature is detached and
// covers the exact bytes of manifest.json, which in turn lists the SHA-256 of
// every other file, so one signature covers the whole package.
//
// key id = lower-case hex of the first 8 bytes of BLAKE2b-256(public key).
// Key files (written by `medai app keygen`) are JSON:
//   secret: {"algorithm":"ed25519","key_id":"…","public_key":"<b64>","secret_key":"<b64>"}
//   public: {"algorithm":"ed25519","key_id":"…","public_key":"<b64>"}
// base64 is the standard alphabet with padding (RFC 4648 §4).
#include <string>
#include <string_view>

#include "core/status.h"

namespace medai::packages {

struct SigningKey {
  std::string public_key;  // 32 raw bytes
  std::string secret_key;  // 64 raw bytes (libsodium layout: seed || public key); empty for a public key
  std::string key_id;
};

struct PackageSignature {
  std::string algorithm;  // "ed25519"
  std::string key_id;
  std::string signature;  // 64 raw bytes
};

SigningKey generate_signing_key();
std::string signing_key_id(std::string_view public_key);

std::string base64_encode(std::string_view bytes);
// nullopt-like failure: invalid_argument when `text` is not standard base64.
Result<std::string> base64_decode(std::string_view text);

// manifest.sig content for `manifest_bytes` signed with `key` (needs the secret key).
std::string sign_manifest(std::string_view manifest_bytes, const SigningKey& key);
// Parses manifest.sig; package_signature_invalid when it is not the expected JSON.
Result<PackageSignature> parse_signature(std::string_view sig_bytes);
// True when `signature` is a valid Ed25519 signature of `message` by `public_key`.
bool verify_detached(std::string_view message, std::string_view signature, std::string_view public_key);

// Key files.
std::string secret_key_json(const SigningKey& key);
std::string public_key_json(const SigningKey& key);
// Reads either form; invalid_argument when malformed or when the secret and
// public halves (or the key id) disagree.
Result<SigningKey> parse_key_json(std::string_view text);
// A public key given as base64 of the 32 raw bytes; invalid_argument otherwise.
Result<std::string> decode_public_key(std::string_view base64);

}  // namespace medai::packages
