// kserve-v2 runtime: the model runs on a remote server speaking the KServe
// v2 / Open Inference protocol over HTTP/JSON (Triton, KServe, another
// medai). spec.remote = {"url": "http://host:8000", "model": "name",
// "version": "1" (optional), "token_env": "ENV_VAR" (optional bearer token,
// read from the environment so no secret sits in a manifest),
// "timeout_ms": 30000 (optional)}.
#include <curl/curl.h>

#include <cstdlib>
#include <mutex>

#include "runtime/kserve_json.h"
#include "runtime/model_runtime.h"
#include "runtime/runtimes.h"

namespace medai::runtime {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxResponseBytes = std::size_t{1} << 30;

struct HttpResult {
  long status = 0;
  std::string body;
};

std::size_t collect(char* p, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  if (s->size() + size * n > kMaxResponseBytes) return 0;  // aborts the transfer
  s->append(p, size * n);
  return size * n;
}

std::string encode_segment(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class KServeClientRuntime final : public ModelRuntime {
 public:
  ~KServeClientRuntime() override { unload(); }

  Status load(const ModelSpec& spec) override {
    static std::once_flag curl_init;
    std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    const json& r = spec.remote;
    if (!r.is_object() || !r.contains("url") || !r["url"].is_string() || !r.contains("model") ||
        !r["model"].is_string())
      return make_error(ErrorCode::model_load_failed, "kserve-v2 needs model.remote with string url and model");
    std::string url = r["url"].get<std::string>();
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      return make_error(ErrorCode::model_load_failed, "kserve-v2 url must start with http:// or https://");
    while (!url.empty() && url.back() == '/') url.pop_back();
    base_ = url + "/v2/models/" + encode_segment(r["model"].get<std::string>());
    if (r.contains("version") && r["version"].is_string() && !r["version"].get<std::string>().empty())
      base_ += "/versions/" + encode_segment(r["version"].get<std::string>());
    timeout_ms_ = r.value("timeout_ms", 30000L);
    token_.clear();
    if (r.contains("token_env") && r["token_env"].is_string()) {
      const char* v = std::getenv(r["token_env"].get<std::string>().c_str());
      if (!v) return make_error(ErrorCode::model_load_failed, "environment variable named by token_env is not set");
      token_ = v;
    }
    auto ready = request("GET", base_ + "/ready", "");
    if (!ready.is_ok()) return make_error(ErrorCode::model_load_failed, ready.status().message());
    if (ready->status != 200)
      return make_error(ErrorCode::model_load_failed,
                        "remote model is not ready (HTTP " + std::to_string(ready->status) + ")");
    loaded_ = true;
    return Status::ok();
  }

  bool ready() const override { return loaded_; }

  Result<std::vector<Tensor>> infer(const std::vector<Tensor>& inputs) override {
    if (!loaded_) return make_error(ErrorCode::model_not_ready, "model is not loaded");
    for (const auto& t : inputs) MEDAI_RETURN_IF_ERROR(validate_tensor(t));
    const json body = {{"inputs", tensors_to_kserve(inputs)}};
    MEDAI_ASSIGN_OR_RETURN(HttpResult res, request("POST", base_ + "/infer", body.dump()));
    json reply = json::parse(res.body, nullptr, false);
    std::string remote_message;
    // KServe servers send {"error": "message"}; medai sends {"error": code, "message": ...}.
    for (const char* field : {"message", "error"})
      if (remote_message.empty() && reply.is_object() && reply.contains(field) && reply[field].is_string())
        remote_message = reply[field].get<std::string>().substr(0, 300);
    if (res.status == 400)
      return make_error(ErrorCode::invalid_input, "remote server refused the inputs: " + remote_message);
    if (res.status != 200)
      return make_error(ErrorCode::inference_failed,
                        "remote inference failed (HTTP " + std::to_string(res.status) + "): " + remote_message);
    if (!reply.is_object() || !reply.contains("outputs"))
      return make_error(ErrorCode::inference_failed, "remote server answered without outputs");
    auto outputs = tensors_from_kserve(reply["outputs"], "outputs");
    if (!outputs.is_ok())
      return make_error(ErrorCode::inference_failed, "remote outputs unreadable: " + outputs.status().message());
    return outputs;
  }

  void unload() override { loaded_ = false; }

  std::size_t resident_bytes() const override { return loaded_ ? 4096 : 0; }  // a URL, not weights

 private:
  Result<HttpResult> request(const std::string& method, const std::string& url, const std::string& body) const {
    CURL* c = curl_easy_init();
    if (!c) return make_error(ErrorCode::internal, "libcurl could not start");
    HttpResult r;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    const std::string auth = "Authorization: Bearer " + token_;
    if (!token_.empty()) headers = curl_slist_append(headers, auth.c_str());
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms_);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms_, 10000L));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    if (method == "POST") {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK)
      return make_error(ErrorCode::remote_failure, std::string("remote inference server unreachable: ") +
                                                       curl_easy_strerror(rc));
    return r;
  }

  std::string base_;
  std::string token_;
  long timeout_ms_ = 30000;
  bool loaded_ = false;
};

}  // namespace

std::unique_ptr<ModelRuntime> make_kserve_client_runtime() { return std::make_unique<KServeClientRuntime>(); }

}  // namespace medai::runtime
