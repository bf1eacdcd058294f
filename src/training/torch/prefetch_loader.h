#pragma once
// A prefetching loader: one producer thread builds batches in order into a
// bounded queue while the training thread computes, so data loading overlaps
// compute. Batches come out in exactly the order make_batch(0), (1), … is
// called, so a seeded producer gives the same batches every run. The
// consumer's time blocked in next() is measured: the loader's share of step
// time (wait / (wait + compute)) is what the progress reports show.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace medai::training::torch_nets {

template <typename Batch>
class PrefetchLoader {
 public:
  // make_batch(i) for i in [0, count); `capacity` batches may wait ready.
  PrefetchLoader(std::int64_t count, std::size_t capacity, std::function<Batch(std::int64_t)> make_batch)
      : count_(count), capacity_(capacity < 1 ? 1 : capacity), make_(std::move(make_batch)),
        worker_([this] { run(); }) {}
  ~PrefetchLoader() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  PrefetchLoader(const PrefetchLoader&) = delete;
  PrefetchLoader& operator=(const PrefetchLoader&) = delete;

  // The next batch in order; nullopt after the last one. Rethrows what the
  // producer threw.
  std::optional<Batch> next() {
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return !ready_.empty() || produced_ == count_ || error_; });
    wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (error_) std::rethrow_exception(error_);
    if (ready_.empty()) return std::nullopt;
    Batch b = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    cv_.notify_all();
    return b;
  }
  double wait_seconds() const {
    std::lock_guard lock(mutex_);
    return wait_seconds_;
  }

 private:
  void run() {
    for (std::int64_t i = 0; i < count_; ++i) {
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return ready_.size() < capacity_ || stop_; });
        if (stop_) return;
      }
      try {
        Batch b = make_(i);
        std::lock_guard lock(mutex_);
        ready_.push_back(std::move(b));
        ++produced_;
      } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        cv_.notify_all();
        return;
      }
      cv_.notify_all();
    }
  }

  const std::int64_t count_;
  const std::size_t capacity_;
  std::function<Batch(std::int64_t)> make_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> ready_;
  std::int64_t produced_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  double wait_seconds_ = 0;
  std::thread worker_;  // last: starts after every other member is ready
};

}  // namespace medai::training::torch_nets
