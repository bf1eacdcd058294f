#include "runtime/model_repository.h"

#include "core/log.h"

namespace medai::runtime {

std::string_view model_state_name(ModelState state) {
  switch (state) {
    case ModelState::loading: return "loading";
    case ModelState::ready: return "ready";
    case ModelState::failed: return "failed";
    case ModelState::unloaded: return "unloaded";
  }
  return "unloaded";
}

namespace {
// The runtime is unloaded when its last handle goes, never under a user.
std::shared_ptr<ModelRuntime> share(std::unique_ptr<ModelRuntime> rt) {
  return std::shared_ptr<ModelRuntime>(rt.release(), [](ModelRuntime* p) {
    p->unload();
    delete p;
  });
}
}  // namespace

ModelRepository::ModelRepository(std::size_t max_resident_bytes, RuntimeFactory factory)
    : max_bytes_(max_resident_bytes), factory_(std::move(factory)) {}

ModelRepository::~ModelRepository() { unload_all(); }

void ModelRepository::touch(Entry& e, const std::string& key) {
  lru_.erase(e.lru_pos);
  lru_.push_front(key);
  e.lru_pos = lru_.begin();
}

std::vector<std::shared_ptr<ModelRuntime>> ModelRepository::evict_locked(const std::string& keep) {
  std::vector<std::shared_ptr<ModelRuntime>> dropped;
  while (total_bytes_ > max_bytes_ && !lru_.empty()) {
    const std::string victim = lru_.back();
    if (victim == keep) break;  // only the newest is left: it stays even if too big
    Entry& e = entries_.at(victim);
    lru_.pop_back();
    total_bytes_ -= e.bytes;
    e.bytes = 0;
    e.state = ModelState::unloaded;
    dropped.push_back(std::move(e.runtime));
    log::info("model_evicted", {{"key", victim}, {"budget_bytes", max_bytes_}});
  }
  return dropped;
}

Result<std::shared_ptr<ModelRuntime>> ModelRepository::acquire(const ModelSpec& spec) {
  std::unique_lock lock(mu_);
  for (;;) {
    auto it = entries_.find(spec.key);
    if (it == entries_.end()) break;
    Entry& e = it->second;
    if (e.state == ModelState::ready) {
      touch(e, spec.key);
      return e.runtime;
    }
    if (e.state != ModelState::loading) break;
    loaded_.wait(lock);
    // Woken by some load; if this key's load failed while we waited, report it.
    auto again = entries_.find(spec.key);
    if (again != entries_.end() && again->second.state == ModelState::failed) return again->second.last_error;
  }

  Entry& e = entries_[spec.key];
  e.spec = spec;
  e.state = ModelState::loading;
  lock.unlock();

  // Load outside the lock: other keys stay available meanwhile.
  Status status;
  std::shared_ptr<ModelRuntime> runtime;
  auto made = factory_(spec.runtime);
  if (!made.is_ok()) {
    status = made.status();
  } else {
    runtime = share(std::move(made).value());
    status = runtime->load(spec);
    if (status.is_ok() && !runtime->ready())
      status = make_error(ErrorCode::model_load_failed, "runtime did not become ready");
  }

  std::vector<std::shared_ptr<ModelRuntime>> dropped;
  lock.lock();
  Entry& done = entries_.at(spec.key);
  if (!status.is_ok()) {
    done.state = ModelState::failed;
    done.last_error = status;
    runtime.reset();
  } else {
    done.state = ModelState::ready;
    done.runtime = runtime;
    done.bytes = runtime->resident_bytes();
    done.loads++;
    done.last_error = Status::ok();
    lru_.push_front(spec.key);
    done.lru_pos = lru_.begin();
    total_bytes_ += done.bytes;
    dropped = evict_locked(spec.key);
  }
  lock.unlock();
  loaded_.notify_all();
  dropped.clear();  // evicted models unload here, outside the lock
  if (!status.is_ok()) {
    log::warn("model_load_failed", {{"key", spec.key}, {"error", std::string(error_code_name(status.code()))}, {"message", status.message()}});
    return status;
  }
  return runtime;
}

std::shared_ptr<ModelRuntime> ModelRepository::find_ready(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.state != ModelState::ready) return nullptr;
  touch(it->second, key);
  return it->second.runtime;
}

Status ModelRepository::unload(const std::string& key) {
  std::shared_ptr<ModelRuntime> dropped;
  {
    std::unique_lock lock(mu_);
    loaded_.wait(lock, [&] {
      auto it = entries_.find(key);
      return it == entries_.end() || it->second.state != ModelState::loading;
    });
    auto it = entries_.find(key);
    if (it == entries_.end()) return make_error(ErrorCode::not_found, "no model '" + key + "' in the repository");
    Entry& e = it->second;
    if (e.state == ModelState::ready) {
      lru_.erase(e.lru_pos);
      total_bytes_ -= e.bytes;
    }
    e.bytes = 0;
    e.state = ModelState::unloaded;
    dropped = std::move(e.runtime);
  }
  return Status::ok();  // `dropped` releases the model outside the lock
}

void ModelRepository::unload_all() {
  std::vector<std::string> keys;
  {
    std::lock_guard lock(mu_);
    for (const auto& [k, e] : entries_) keys.push_back(k);
  }
  for (const auto& k : keys) (void)unload(k);
}

ModelStatus ModelRepository::status_of(const std::string& key, const Entry& e) const {
  ModelStatus s;
  s.key = key;
  s.runtime = e.spec.runtime;
  s.state = e.state;
  s.resident_bytes = e.bytes;
  s.loads = e.loads;
  if (e.state == ModelState::failed)
    s.reason = std::string(error_code_name(e.last_error.code())) + ": " + e.last_error.message();
  return s;
}

std::vector<ModelStatus> ModelRepository::list() const {
  std::lock_guard lock(mu_);
  std::vector<ModelStatus> out;
  for (const auto& [k, e] : entries_) out.push_back(status_of(k, e));
  return out;
}

std::optional<ModelStatus> ModelRepository::status(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return status_of(key, it->second);
}

std::size_t ModelRepository::resident_bytes() const {
  std::lock_guard lock(mu_);
  return total_bytes_;
}

}  // namespace medai::runtime
