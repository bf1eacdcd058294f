#include "packages/signing.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "core/crypto.h"

namespace medai::packages {

using nlohmann::json;

SigningKey generate_signing_key() {
  crypto::init();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  SigningKey key;
  key.public_key.assign(reinterpret_cast<const char*>(pk), sizeof pk);
  key.secret_key.assign(reinterpret_cast<const char*>(sk), sizeof sk);
  sodium_memzero(sk, sizeof sk);
  key.key_id = signing_key_id(key.public_key);
  return key;
}

std::string signing_key_id(std::string_view public_key) {
  const std::string digest = crypto::blake2b(public_key, "", 32);
  return crypto::to_hex(std::string_view(digest).substr(0, 8));
}

std::string base64_encode(std::string_view bytes) { return crypto::base64_encode(bytes); }

Result<std::string> base64_decode(std::string_view text) {
  crypto::init();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return make_error(ErrorCode::invalid_argument, "not valid base64");
  out.resize(len);
  return out;
}

std::string sign_manifest(std::string_view manifest_bytes, const SigningKey& key) {
  crypto::init();
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(manifest_bytes.data()),
                       manifest_bytes.size(), reinterpret_cast<const unsigned char*>(key.secret_key.data()));
  const json doc = {{"algorithm", "ed25519"},
                    {"key_id", key.key_id},
                    {"signature", base64_encode(std::string_view(reinterpret_cast<const char*>(sig), sizeof sig))}};
  return doc.dump(2) + "\n";
}

Result<PackageSignature> parse_signature(std::string_view sig_bytes) {
  const json doc = json::parse(sig_bytes.begin(), sig_bytes.end(), nullptr, false);
  auto bad = [](std::string why) {
    return make_error(ErrorCode::package_signature_invalid, "manifest.sig is malformed: " + why);
  };
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  for (const char* k : {"algorithm", "key_id", "signature"})
    if (!doc.contains(k) || !doc[k].is_string()) return bad(std::string("missing string field ") + k);
  PackageSignature s;
  s.algorithm = doc["algorithm"].get<std::string>();
  s.key_id = doc["key_id"].get<std::string>();
  if (s.algorithm != "ed25519") return bad("algorithm must be ed25519");
  if (s.key_id.size() != 16 || s.key_id.find_first_not_of("0123456789abcdef") != std::string::npos)
    return bad("key_id must be 16 lower-case hex digits");
  auto raw = base64_decode(doc["signature"].get<std::string>());
  if (!raw || raw->size() != crypto_sign_BYTES) return bad("signature must be base64 of 64 bytes");
  s.signature = std::move(*raw);
  return s;
}

bool verify_detached(std::string_view message, std::string_view signature, std::string_view public_key) {
  crypto::init();
  if (signature.size() != crypto_sign_BYTES || public_key.size() != crypto_sign_PUBLICKEYBYTES) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

std::string secret_key_json(const SigningKey& key) {
  return json{{"algorithm", "ed25519"},
              {"key_id", key.key_id},
              {"public_key", base64_encode(key.public_key)},
              {"secret_key", base64_encode(key.secret_key)}}
             .dump(2) + "\n";
}

std::string public_key_json(const SigningKey& key) {
  return json{{"algorithm", "ed25519"}, {"key_id", key.key_id}, {"public_key", base64_encode(key.public_key)}}
             .dump(2) + "\n";
}

Result<std::string> decode_public_key(std::string_view text) {
  auto raw = base64_decode(text);
  if (!raw || raw->size() != crypto_sign_PUBLICKEYBYTES)
    return make_error(ErrorCode::invalid_argument, "public_key must be base64 of a 32-byte Ed25519 public key");
  return std::move(*raw);
}

Result<SigningKey> parse_key_json(std::string_view text) {
  const json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("algorithm", "") != "ed25519" ||
      !doc.contains("public_key") || !doc["public_key"].is_string())
    return make_error(ErrorCode::invalid_argument, "not an ed25519 key file (expected algorithm and public_key)");
  SigningKey key;
  MEDAI_ASSIGN_OR_RETURN(key.public_key, decode_public_key(doc["public_key"].get<std::string>()));
  key.key_id = signing_key_id(key.public_key);
  if (doc.contains("key_id") && doc["key_id"] != key.key_id)
    return make_error(ErrorCode::invalid_argument, "key_id does not match the public key");
  if (doc.contains("secret_key")) {
    if (!doc["secret_key"].is_string()) return make_error(ErrorCode::invalid_argument, "secret_key must be a string");
    auto sk = base64_decode(doc["secret_key"].get<std::string>());
    if (!sk || sk->size() != crypto_sign_SECRETKEYBYTES)
      return make_error(ErrorCode::invalid_argument, "secret_key must be base64 of a 64-byte Ed25519 secret key");
    unsigned char derived[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(derived, reinterpret_cast<const unsigned char*>(sk->data()));
    if (std::string_view(reinterpret_cast<const char*>(derived), sizeof derived) != key.public_key)
      return make_error(ErrorCode::invalid_argument, "secret_key and public_key do not belong together");
    key.secret_key = std::move(*sk);
  }
  return key;
}

}  // namespace medai::packages
