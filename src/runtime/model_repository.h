#pragma once
// ModelRepository: loads models on first use and keeps the most recently
// used ones in memory within a byte budget (Triton's model repository, in
// process). Thread-safe.
//
// Contracts:
// - acquire(spec) returns a shared handle to a ready runtime, loading it if
//   needed. Concurrent acquirers of the same key wait for one load and all
//   get its result (the handle, or the same error).
// - After a load, least recently used ready models are evicted until the
//   resident total fits max_resident_bytes. A single model larger than the
//   budget still loads (alone). Eviction and unload() only drop the
//   repository's reference: a handle a caller still holds keeps the model
//   alive, and the model's memory is released when the last handle goes.
// - A failed load is remembered (state failed, with its Status) and retried
//   by the next acquire.
// - Keys are "name@version"; versions are immutable, so a key's spec is
//   taken from its first acquire after each unload.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/model_runtime.h"

namespace medai::runtime {

enum class ModelState { loading, ready, failed, unloaded };
std::string_view model_state_name(ModelState state);

struct ModelStatus {
  std::string key;
  std::string runtime;
  ModelState state = ModelState::unloaded;
  std::size_t resident_bytes = 0;
  std::uint64_t loads = 0;  // successful loads since the repository started
  std::string reason;       // last failure ("code: message"), empty unless failed
};

using RuntimeFactory = std::function<Result<std::unique_ptr<ModelRuntime>>(const std::string& runtime_name)>;

class ModelRepository {
 public:
  explicit ModelRepository(std::size_t max_resident_bytes, RuntimeFactory factory = make_runtime);
  ~ModelRepository();
  ModelRepository(const ModelRepository&) = delete;
  ModelRepository& operator=(const ModelRepository&) = delete;

  Result<std::shared_ptr<ModelRuntime>> acquire(const ModelSpec& spec);
  // The handle when the key is ready now (no load); nullptr otherwise.
  std::shared_ptr<ModelRuntime> find_ready(const std::string& key);
  // Drops the repository's reference (state unloaded). not_found for an
  // unknown key; a load in progress is waited for first.
  Status unload(const std::string& key);
  void unload_all();

  std::vector<ModelStatus> list() const;  // sorted by key
  std::optional<ModelStatus> status(const std::string& key) const;
  std::size_t resident_bytes() const;  // sum over ready models
  std::size_t max_resident_bytes() const { return max_bytes_; }

 private:
  struct Entry {
    ModelSpec spec;
    ModelState state = ModelState::unloaded;
    std::shared_ptr<ModelRuntime> runtime;
    std::size_t bytes = 0;
    std::uint64_t loads = 0;
    Status last_error;
    std::list<std::string>::iterator lru_pos;  // valid while ready
  };

  void touch(Entry& e, const std::string& key);         // mutex held
  std::vector<std::shared_ptr<ModelRuntime>> evict_locked(const std::string& keep);  // mutex held
  ModelStatus status_of(const std::string& key, const Entry& e) const;

  const std::size_t max_bytes_;
  RuntimeFactory factory_;
  mutable std::mutex mu_;
  std::condition_variable loaded_;
  std::map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // front = most recently used; ready entries only
  std::size_t total_bytes_ = 0;
};

}  // namespace medai::runtime
