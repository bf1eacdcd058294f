#include "http/metrics.h"

#include <cstdio>

namespace medai::http {
namespace {

constexpr const char* kClassLabels[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

// Prometheus text format 0.0.4: label values escape \, " and newline.
void append_label_value(std::string& out, const std::string& value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_labels(std::string& out, const std::string& method, const std::string& route) {
  out += "method=\"";
  append_label_value(out, method);
  out += "\",route=\"";
  append_label_value(out, route);
  out += '"';
}

void append_double(std::string& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  out += buf;
}

}  // namespace

std::size_t Metrics::register_route(const std::string& method, const std::string& pattern) {
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < series_.size(); ++i)
    if (series_[i]->method == method && series_[i]->pattern == pattern) return i;
  auto s = std::make_unique<Series>();
  s->method = method;
  s->pattern = pattern;
  series_.push_back(std::move(s));
  return series_.size() - 1;
}

void Metrics::add_collector(Collector collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::size_t Metrics::unmatched_slot() {
  {
    std::lock_guard lock(mu_);
    if (unmatched_ != static_cast<std::size_t>(-1)) return unmatched_;
  }
  const std::size_t slot = register_route("ANY", "unmatched");
  std::lock_guard lock(mu_);
  unmatched_ = slot;
  return slot;
}

void Metrics::observe(std::size_t slot, int status, double seconds) {
  // No lock: series_ only grows during start-up, before requests are served,
  // and each Series lives behind a stable unique_ptr.
  Series& s = *series_[slot];
  const int cls = status / 100;
  const std::size_t class_index = (cls >= 1 && cls <= 5) ? static_cast<std::size_t>(cls - 1) : 5;
  s.by_class[class_index].fetch_add(1, std::memory_order_relaxed);

  std::size_t b = 0;
  while (b < kBucketsSeconds.size() && seconds > kBucketsSeconds[b]) ++b;
  s.buckets[b].fetch_add(1, std::memory_order_relaxed);  // non-cumulative; summed on render
  const double micros = seconds > 0 ? seconds * 1e6 : 0.0;
  s.sum_micros.fetch_add(static_cast<std::uint64_t>(micros + 0.5), std::memory_order_relaxed);
}

std::string Metrics::render_prometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  out.reserve(512 + series_.size() * 1600);

  out +=
      "# HELP medai_http_requests_total HTTP requests served, by route and status class.\n"
      "# TYPE medai_http_requests_total counter\n";
  for (const auto& s : series_) {
    for (std::size_t c = 0; c < s->by_class.size(); ++c) {
      const std::uint64_t n = s->by_class[c].load(std::memory_order_relaxed);
      // Always show 2xx so every registered route has a series from start.
      if (n == 0 && c != 1) continue;
      out += "medai_http_requests_total{";
      append_labels(out, s->method, s->pattern);
      out += ",code_class=\"";
      out += kClassLabels[c];
      out += "\"} ";
      out += std::to_string(n);
      out += '\n';
    }
  }

  out +=
      "# HELP medai_http_request_duration_seconds Time from request header to response sent.\n"
      "# TYPE medai_http_request_duration_seconds histogram\n";
  for (const auto& s : series_) {
    // Relaxed loads of independent counters: a scrape racing a request may
    // see a count one off from the bucket total, which Prometheus tolerates.
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < s->buckets.size(); ++b) {
      cumulative += s->buckets[b].load(std::memory_order_relaxed);
      out += "medai_http_request_duration_seconds_bucket{";
      append_labels(out, s->method, s->pattern);
      out += ",le=\"";
      if (b < kBucketsSeconds.size()) {
        append_double(out, kBucketsSeconds[b]);
      } else {
        out += "+Inf";
      }
      out += "\"} ";
      out += std::to_string(cumulative);
      out += '\n';
    }
    out += "medai_http_request_duration_seconds_sum{";
    append_labels(out, s->method, s->pattern);
    out += "} ";
    append_double(out, static_cast<double>(s->sum_micros.load(std::memory_order_relaxed)) / 1e6);
    out += '\n';
    out += "medai_http_request_duration_seconds_count{";
    append_labels(out, s->method, s->pattern);
    out += "} ";
    // Same value as the +Inf bucket, so the two always agree in one scrape.
    out += std::to_string(cumulative);
    out += '\n';
  }

  out +=
      "# HELP medai_http_open_connections HTTP connections currently open.\n"
      "# TYPE medai_http_open_connections gauge\n"
      "medai_http_open_connections ";
  out += std::to_string(open_connections_.load(std::memory_order_relaxed));
  out += '\n';
  for (const auto& c : collectors_) c(out);
  return out;
}

}  // namespace medai::http
