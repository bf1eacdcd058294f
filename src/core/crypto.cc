#include "core/crypto.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cassert>
#include <cstdlib>
#include <mutex>

namespace medai::crypto {

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no secure randomness: cannot run safely
  });
}

std::string random_bytes(std::size_t n) {
  init();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::uint32_t random_uniform(std::uint32_t upper) {
  init();
  return randombytes_uniform(upper);
}

std::string base64url_encode(std::string_view bytes) {
  init();
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string base64_encode(std::string_view bytes) {
  init();
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string random_token(std::size_t n_bytes) { return base64url_encode(random_bytes(n_bytes)); }

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string blake2b_hex(std::string_view data, std::string_view key, std::size_t out_bytes) {
  init();
  std::string out(out_bytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out_bytes,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     key.empty() ? nullptr : reinterpret_cast<const unsigned char*>(key.data()),
                     key.size());
  return to_hex(out);
}

std::string blake2b(std::string_view data, std::string_view key, std::size_t out_bytes) {
  init();
  std::string out(out_bytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     key.empty() ? nullptr : reinterpret_cast<const unsigned char*>(key.data()),
                     key.size());
  return out;
}

std::string xchacha20_xor(std::string_view data, std::string_view nonce24, std::string_view key32) {
  init();
  assert(nonce24.size() == crypto_stream_xchacha20_NONCEBYTES && key32.size() == crypto_stream_xchacha20_KEYBYTES);
  std::string out(data.size(), '\0');
  crypto_stream_xchacha20_xor(reinterpret_cast<unsigned char*>(out.data()),
                              reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                              reinterpret_cast<const unsigned char*>(nonce24.data()),
                              reinterpret_cast<const unsigned char*>(key32.data()));
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> hash_password(std::string_view password) {
  init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return make_error(ErrorCode::internal, "password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view encoded_hash, std::string_view password) {
  init();
  std::string h(encoded_hash);  // needs NUL termination
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace medai::crypto
