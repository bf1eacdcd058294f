#pragma once
// Thin wrappers over libsodium and OpenSSL so the rest of the code never
// calls them directly.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace medai::crypto {

// Must be called once before any other function (sodium_init); idempotent.
void init();

std::string random_bytes(std::size_t n);
// Uniform random integer in [0, upper) without modulo bias.
std::uint32_t random_uniform(std::uint32_t upper);
// URL-safe base64 without padding of n random bytes.
std::string random_token(std::size_t n_bytes = 32);
std::string sha256_hex(std::string_view data);
std::string blake2b_hex(std::string_view data, std::string_view key, std::size_t out_bytes = 32);
std::string to_hex(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);
// Standard base64 with padding (RFC 4648 §4), e.g. for data: URIs and key files.
std::string base64_encode(std::string_view bytes);
bool constant_time_equal(std::string_view a, std::string_view b);

// Argon2id password hashing (libsodium crypto_pwhash_str, "interactive"
// limits by default; the encoded string carries its own parameters).
Result<std::string> hash_password(std::string_view password);
bool verify_password(std::string_view encoded_hash, std::string_view password);

// Keyed BLAKE2b as raw bytes (out_bytes 16..64, key 0 or 16..64 bytes).
std::string blake2b(std::string_view data, std::string_view key, std::size_t out_bytes = 32);
// XChaCha20 stream cipher: data XOR keystream(key 32 bytes, nonce 24 bytes).
// Unauthenticated on its own; callers add a MAC (see deid/pseudonyms.h).
std::string xchacha20_xor(std::string_view data, std::string_view nonce24, std::string_view key32);

}  // namespace medai::crypto
