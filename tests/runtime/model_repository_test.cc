// ModelRepository with real TorchScript models: load on first use, one load
// for concurrent acquirers, LRU eviction by bytes, handles outliving
// eviction, failed-load state, and flat resident memory over 200 cycles.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "runtime/model_files.h"
#include "runtime/model_repository.h"
#include "support/temp_dir.h"

namespace medai::runtime {
namespace {

using testing::spec_for;
using testing::TempDir;

std::size_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

ModelState state_of(const ModelRepository& repo, const std::string& key) {
  auto s = repo.status(key);
  return s ? s->state : ModelState::unloaded;
}

TEST(ModelRepository, LoadsOnFirstUseAndReusesTheModel) {
  TempDir dir;
  const auto model = testing::write_affine_model(dir.path());
  ModelRepository repo(64 << 20);
  EXPECT_FALSE(repo.status("affine@1").has_value());
  auto a = repo.acquire(spec_for("affine@1", "torchscript", model));
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  auto b = repo.acquire(spec_for("affine@1", "torchscript", model));
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(a->get(), b->get());
  auto st = repo.status("affine@1");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, ModelState::ready);
  EXPECT_EQ(st->loads, 1u);
  EXPECT_EQ(repo.resident_bytes(), (*a)->resident_bytes());
  auto out = (*a)->infer({make_f32("x", {1}, {3})});
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ((*out)[0].f32[0], 7.0f);
}

TEST(ModelRepository, ConcurrentAcquirersWaitForOneLoad) {
  TempDir dir;
  const auto model = testing::write_affine_model(dir.path(), 1 << 20);
  ModelRepository repo(256 << 20);
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<ModelRuntime>> got(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto r = repo.acquire(spec_for("big@1", "torchscript", model));
      if (r.is_ok()) got[i] = *r;
    });
  for (auto& t : threads) t.join();
  for (const auto& g : got) {
    ASSERT_TRUE(g);
    EXPECT_EQ(g.get(), got[0].get());
  }
  EXPECT_EQ(repo.status("big@1")->loads, 1u);
}

TEST(ModelRepository, EvictsLeastRecentlyUsedWithinTheByteBudget) {
  TempDir dir;
  const auto model = testing::write_affine_model(dir.path(), 1 << 16);  // ~256 KiB each
  std::size_t one = 0;
  {
    ModelRepository probe(1 << 30);
    one = (*probe.acquire(spec_for("p@1", "torchscript", model)))->resident_bytes();
  }
  ASSERT_GT(one, 256u * 1024);
  ModelRepository repo(one * 5 / 2);  // room for two
  ASSERT_TRUE(repo.acquire(spec_for("a@1", "torchscript", model)).is_ok());
  ASSERT_TRUE(repo.acquire(spec_for("b@1", "torchscript", model)).is_ok());
  ASSERT_TRUE(repo.acquire(spec_for("a@1", "torchscript", model)).is_ok());  // a is now the most recent
  ASSERT_TRUE(repo.acquire(spec_for("c@1", "torchscript", model)).is_ok());  // evicts b
  EXPECT_EQ(state_of(repo, "a@1"), ModelState::ready);
  EXPECT_EQ(state_of(repo, "b@1"), ModelState::unloaded);
  EXPECT_EQ(state_of(repo, "c@1"), ModelState::ready);
  EXPECT_LE(repo.resident_bytes(), repo.max_resident_bytes());
  EXPECT_EQ(repo.resident_bytes(), 2 * one);

  // A handle held by a user survives eviction and keeps working.
  auto held = repo.acquire(spec_for("a@1", "torchscript", model));  // order: a, c
  ASSERT_TRUE(repo.acquire(spec_for("b@1", "torchscript", model)).is_ok());  // evicts c
  ASSERT_TRUE(repo.acquire(spec_for("d@1", "torchscript", model)).is_ok());  // evicts a (held)
  EXPECT_EQ(state_of(repo, "a@1"), ModelState::unloaded);
  EXPECT_EQ(state_of(repo, "c@1"), ModelState::unloaded);
  ASSERT_TRUE((*held)->ready());
  auto out = (*held)->infer({make_f32("x", {1}, {1})});
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ((*out)[0].f32[0], 3.0f);
  // Re-acquiring an evicted key loads it again.
  ASSERT_TRUE(repo.acquire(spec_for("c@1", "torchscript", model)).is_ok());
  EXPECT_EQ(repo.status("c@1")->loads, 2u);

  auto listed = repo.list();
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[0].key, "a@1");
}

TEST(ModelRepository, FailedLoadIsReportedAndRetried) {
  TempDir dir;
  testing::spit(dir / "bad.pt", "not a model");
  ModelRepository repo(64 << 20);
  auto r = repo.acquire(spec_for("bad@1", "torchscript", dir / "bad.pt"));
  EXPECT_EQ(r.status().code(), ErrorCode::model_load_failed);
  auto st = repo.status("bad@1");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, ModelState::failed);
  EXPECT_NE(st->reason.find("model_load_failed"), std::string::npos);
  // Fixed artifact: the next acquire loads it.
  std::filesystem::copy_file(testing::write_affine_model(dir.path()), dir / "bad.pt",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_TRUE(repo.acquire(spec_for("bad@1", "torchscript", dir / "bad.pt")).is_ok());
  EXPECT_EQ(state_of(repo, "bad@1"), ModelState::ready);

  EXPECT_EQ(repo.acquire(spec_for("x@1", "caffe", dir / "bad.pt")).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(repo.unload("nope@1").code(), ErrorCode::not_found);
}

TEST(ModelRepository, LoadAndUnload200TimesKeepsResidentMemoryFlat) {
  TempDir dir;
  const auto model = testing::write_affine_model(dir.path(), 1 << 20);  // 4 MiB of weights
  ModelRepository repo(256 << 20);
  const auto spec = spec_for("leak@1", "torchscript", model);
  auto cycle = [&] {
    auto h = repo.acquire(spec);
    ASSERT_TRUE(h.is_ok()) << h.status().to_string();
    ASSERT_TRUE((*h)->infer({make_f32("x", {4}, {1, 2, 3, 4})}).is_ok());
    h = Status(ErrorCode::internal, "drop");  // release the handle
    ASSERT_TRUE(repo.unload("leak@1").is_ok());
  };
  // Warm-up: allocator arenas, LibTorch's lazily built kernels and caches.
  for (int i = 0; i < 20; ++i) cycle();
  const std::size_t before = rss_bytes();
  for (int i = 0; i < 200; ++i) cycle();
  const std::size_t after = rss_bytes();
  EXPECT_EQ(repo.status("leak@1")->loads, 220u);
  EXPECT_EQ(repo.resident_bytes(), 0u);
  // A leaked model would add 4 MiB per cycle (800 MiB); allow 16 MiB of allocator slack.
  const double grown_mib = (static_cast<double>(after) - static_cast<double>(before)) / (1 << 20);
  RecordProperty("rss_growth_mib", std::to_string(grown_mib));
  EXPECT_LT(grown_mib, 16.0) << "RSS " << before << " -> " << after;
}

}  // namespace
}  // namespace medai::runtime
