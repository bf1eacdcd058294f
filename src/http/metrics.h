#pragma once
// Prometheus metrics for /metrics: request counts per route, method and status
// class, and a latency histogram per route. Lock-free on the hot path:
// per-route counters are preallocated when routes are registered.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace medai::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBucketsSeconds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};

  // Registers a series label set, returns its slot. Call at start-up only:
  // observe() reads the series table without a lock, so registration must
  // finish before requests are served (Server does it in its constructor).
  std::size_t register_route(const std::string& method, const std::string& pattern);
  // Records one finished request. `slot` from register_route, or the
  // "unmatched" slot for 404s so unknown paths cannot explode cardinality.
  void observe(std::size_t slot, int status, double seconds);
  std::size_t unmatched_slot();
  // Adds a gauge or counter rendered as-is (e.g. open connections).
  std::atomic<std::int64_t>& open_connections() { return open_connections_; }
  std::string render_prometheus() const;
  // More metric families, appended (HELP, TYPE and samples) by `collector`
  // after the HTTP ones on every scrape: the job queue, DICOM associations,
  // the store. Collectors run on the scraping thread, one scrape at a time,
  // so they must be cheap (or cache) and must outlive the server.
  using Collector = std::function<void(std::string& out)>;
  void add_collector(Collector collector);

 private:
  struct Series {
    std::string method, pattern;
    std::array<std::atomic<std::uint64_t>, 6> by_class{};  // 1xx..5xx, other
    std::array<std::atomic<std::uint64_t>, kBucketsSeconds.size() + 1> buckets{};
    std::atomic<std::uint64_t> sum_micros{0};
  };
  mutable std::mutex mu_;  // guards registration only
  std::vector<std::unique_ptr<Series>> series_;
  std::vector<Collector> collectors_;
  std::size_t unmatched_ = static_cast<std::size_t>(-1);
  std::atomic<std::int64_t> open_connections_{0};
};

}  // namespace medai::http
