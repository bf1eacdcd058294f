#include "http/metrics.h"

#include <gtest/gtest.h>

namespace medai::http {
namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(MetricsTest, CountersAndCumulativeHistogram) {
  Metrics m;
  const auto slot = m.register_route("GET", "/healthz");
  EXPECT_EQ(m.register_route("GET", "/healthz"), slot);  // idempotent
  m.observe(slot, 200, 0.00005);  // first bucket
  m.observe(slot, 204, 0.003);    // 0.005 bucket
  m.observe(slot, 503, 10.0);     // only +Inf
  const std::string text = m.render_prometheus();

  EXPECT_TRUE(contains(text, "# TYPE medai_http_requests_total counter"));
  EXPECT_TRUE(contains(text,
                       "medai_http_requests_total{method=\"GET\",route=\"/healthz\",code_class=\"2xx\"} 2\n"));
  EXPECT_TRUE(contains(text,
                       "medai_http_requests_total{method=\"GET\",route=\"/healthz\",code_class=\"5xx\"} 1\n"));
  EXPECT_FALSE(contains(text, "code_class=\"4xx\""));
  EXPECT_TRUE(contains(text, "# TYPE medai_http_request_duration_seconds histogram"));
  const std::string b = "medai_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=";
  EXPECT_TRUE(contains(text, b + "\"0.0001\"} 1\n"));
  EXPECT_TRUE(contains(text, b + "\"0.0025\"} 1\n"));
  EXPECT_TRUE(contains(text, b + "\"0.005\"} 2\n"));
  EXPECT_TRUE(contains(text, b + "\"2.5\"} 2\n"));
  EXPECT_TRUE(contains(text, b + "\"+Inf\"} 3\n"));
  EXPECT_TRUE(contains(text,
                       "medai_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 3\n"));
  EXPECT_TRUE(contains(text,
                       "medai_http_request_duration_seconds_sum{method=\"GET\",route=\"/healthz\"} 10.00305"));
  EXPECT_TRUE(contains(text, "# TYPE medai_http_open_connections gauge\nmedai_http_open_connections 0\n"));
}

TEST(MetricsTest, EscapesLabelValues) {
  Metrics m;
  const auto slot = m.register_route("GET", "/a\"b\\c\nd");
  m.observe(slot, 200, 0.1);
  EXPECT_TRUE(contains(m.render_prometheus(), "route=\"/a\\\"b\\\\c\\nd\""));
}

TEST(MetricsTest, UnmatchedSlotIsStable) {
  Metrics m;
  const auto a = m.unmatched_slot();
  EXPECT_EQ(m.unmatched_slot(), a);
  m.observe(a, 404, 0.001);
  EXPECT_TRUE(contains(m.render_prometheus(), "route=\"unmatched\",code_class=\"4xx\"} 1"));
}

TEST(MetricsTest, OpenConnectionsGauge) {
  Metrics m;
  m.open_connections() += 3;
  EXPECT_TRUE(contains(m.render_prometheus(), "medai_http_open_connections 3\n"));
}

TEST(MetricsTest, CollectorsAppendTheirFamiliesOnEveryScrape) {
  Metrics m;
  int scrapes = 0;
  m.add_collector([&scrapes](std::string& out) {
    ++scrapes;
    out += "# TYPE medai_test_gauge gauge\nmedai_test_gauge " + std::to_string(scrapes) + "\n";
  });
  const std::string first = m.render_prometheus();
  EXPECT_TRUE(contains(first, "medai_http_open_connections 0\nmedai_test_gauge 1\n") ||
              contains(first, "medai_test_gauge 1\n"));
  EXPECT_LT(first.find("medai_http_open_connections"), first.find("medai_test_gauge"));
  EXPECT_TRUE(contains(m.render_prometheus(), "medai_test_gauge 2\n"));
}

}  // namespace
}  // namespace medai::http
