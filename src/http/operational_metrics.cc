#include "http/operational_metrics.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/log.h"

namespace medai::http {
namespace {

void gauge_header(std::string& out, const char* name, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " gauge\n";
}

}  // namespace

void add_job_queue_metrics(Metrics& metrics, jobs::JobEngine& jobs) {
  metrics.add_collector([&jobs](std::string& out) {
    auto counts = jobs.count_by_state();
    if (!counts) {
      log::warn("metrics.jobs_unavailable", {{"error", std::string(error_code_name(counts.status().code()))}});
      return;  // no samples rather than wrong ones
    }
    // Every state always has a sample (0 when none), so queries need no absent().
    std::map<std::string, std::int64_t> by_state = {
        {"queued", 0}, {"running", 0}, {"succeeded", 0}, {"failed", 0}, {"cancelled", 0}};
    for (const auto& [state, n] : *counts) by_state[state] = n;
    gauge_header(out, "medai_jobs", "Jobs in the queue by state (every institution).");
    for (const auto& [state, n] : by_state) out += "medai_jobs{state=\"" + state + "\"} " + std::to_string(n) + "\n";
  });
}

void add_store_metrics(Metrics& metrics, storage::Catalog& catalog, std::chrono::milliseconds cache_for) {
  struct Cache {
    std::mutex mu;
    std::chrono::steady_clock::time_point at{};
    bool valid = false;
    std::int64_t instances = 0, bytes = 0, studies = 0;
  };
  auto cache = std::make_shared<Cache>();
  metrics.add_collector([&catalog, cache, cache_for](std::string& out) {
    std::lock_guard lock(cache->mu);
    const auto now = std::chrono::steady_clock::now();
    if (!cache->valid || now - cache->at >= cache_for) {
      auto tx = catalog.begin(storage::TxMode::read_only);
      if (tx) {
        auto row = (*tx)->query_one(
            "SELECT COUNT(*) AS n, COALESCE(SUM(size_bytes), 0) AS bytes FROM dicom_instances", {});
        auto studies = (*tx)->query_one("SELECT COUNT(*) AS n FROM dicom_studies", {});
        if (row && *row && studies && *studies) {
          cache->instances = (**row).get_int("n");
          cache->bytes = (**row).get_int("bytes");
          cache->studies = (**studies).get_int("n");
          cache->valid = true;
          cache->at = now;
        }
      }
    }
    if (!cache->valid) return;
    gauge_header(out, "medai_store_instances", "DICOM instances stored (every institution).");
    out += "medai_store_instances " + std::to_string(cache->instances) + "\n";
    gauge_header(out, "medai_store_bytes", "Bytes of the stored DICOM instances (sum of file sizes).");
    out += "medai_store_bytes " + std::to_string(cache->bytes) + "\n";
    gauge_header(out, "medai_store_studies", "Studies stored (every institution).");
    out += "medai_store_studies " + std::to_string(cache->studies) + "\n";
  });
}

}  // namespace medai::http
