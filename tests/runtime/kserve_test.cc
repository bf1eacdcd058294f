// KServe v2: medai's /v2 endpoint on the real server (runtime.models_file),
// and the kserve-v2 client runtime talking to it as a remote peer.
#include <gtest/gtest.h>

#include <cstdlib>

#include "integration/server_process.h"
#include "runtime/kserve_json.h"
#include "runtime/model_directory.h"
#include "runtime/model_files.h"
#include "runtime/model_repository.h"
#include "runtime/torchscript_builder.h"

namespace medai::runtime {
namespace {

using nlohmann::json;
using testing::Api;
using testing::ServerProcess;
using testing::TempDir;

class KServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const auto models = *dir_ / "models";
    std::filesystem::create_directories(models);
    testing::write_affine_model(models, 16);
    ASSERT_TRUE(save_torchscript_module(models / "double.pt", "def forward(self, x):\n    return x * 2.0\n", {})
                    .is_ok());
    testing::spit(models / "broken.pt", "this is not a model");
    testing::spit(models / "models.json", json::array({
        {{"name", "affine"}, {"version", "1"}, {"runtime", "torchscript"}, {"artifact", "affine.pt"},
         {"threads", 1}, {"inputs", json::array({{{"name", "x"}, {"datatype", "FP32"}, {"shape", {-1}}}})}},
        {{"name", "affine"}, {"version", "2"}, {"runtime", "torchscript"}, {"artifact", "double.pt"}},
        {{"name", "broken"}, {"version", "1"}, {"runtime", "torchscript"}, {"artifact", "broken.pt"}},
    }).dump());
    server_ = new ServerProcess(*dir_ / "var", {{"MEDAI_RUNTIME_MODELS_FILE", (models / "models.json").string()},
                                                 {"MEDAI_RUNTIME_THREADS", "1"}});
    ASSERT_TRUE(server_->running()) << server_->log_text();
    int status = 0;
    auto login = Api{server_->port(), ""}.json(
        "POST", "/api/v1/auth/login", {{"username", "admin"}, {"password", server_->first_admin_password()}}, &status);
    ASSERT_EQ(status, 200) << login.dump();
    token_ = login["token"];
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  Api api() const { return {server_->port(), token_}; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  static inline TempDir* dir_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
  static inline std::string token_;
};

TEST_F(KServeTest, HealthIsPublicAndModelsNeedAuthentication) {
  int status = 0;
  const Api anonymous{server_->port(), ""};
  EXPECT_EQ(anonymous.json("GET", "/v2/health/live", nullptr, &status)["live"], true);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(anonymous.json("GET", "/v2/health/ready", nullptr, &status)["ready"], true);
  EXPECT_EQ(status, 200);
  anonymous.json("GET", "/v2/models/affine", nullptr, &status);
  EXPECT_EQ(status, 401);
  anonymous.json("POST", "/v2/models/affine/infer", {{"inputs", json::array()}}, &status);
  EXPECT_EQ(status, 401);
}

TEST_F(KServeTest, MetadataListsVersionsAndDeclaredTensors) {
  int status = 0;
  auto meta = api().json("GET", "/v2/models/affine", nullptr, &status);
  ASSERT_EQ(status, 200) << meta.dump();
  EXPECT_EQ(meta["name"], "affine");
  EXPECT_EQ(meta["versions"], json({"1", "2"}));
  EXPECT_EQ(meta["platform"], "pytorch_libtorch");
  meta = api().json("GET", "/v2/models/affine/versions/1", nullptr, &status);
  ASSERT_EQ(status, 200);
  EXPECT_EQ(meta["inputs"][0]["name"], "x");
  api().json("GET", "/v2/models/nope", nullptr, &status);
  EXPECT_EQ(status, 404);
  api().json("GET", "/v2/models/affine/versions/9", nullptr, &status);
  EXPECT_EQ(status, 404);
}

TEST_F(KServeTest, InferRunsTheModelAndTheNewestVersionByDefault) {
  const json body = {{"id", "req-1"},
                     {"inputs", json::array({{{"name", "x"}, {"datatype", "FP32"}, {"shape", {2, 2}},
                                              {"data", {{1, 2}, {3, 4}}}}})}};
  int status = 0;
  auto r = api().json("POST", "/v2/models/affine/versions/1/infer", body, &status);
  ASSERT_EQ(status, 200) << r.dump();
  EXPECT_EQ(r["model_name"], "affine");
  EXPECT_EQ(r["model_version"], "1");
  EXPECT_EQ(r["id"], "req-1");
  EXPECT_EQ(r["outputs"][0]["datatype"], "FP32");
  EXPECT_EQ(r["outputs"][0]["shape"], json({2, 2}));
  EXPECT_EQ(r["outputs"][0]["data"], json({3.0, 5.0, 7.0, 9.0}));
  r = api().json("POST", "/v2/models/affine/infer", body, &status);  // newest = version 2 (x * 2)
  ASSERT_EQ(status, 200) << r.dump();
  EXPECT_EQ(r["model_version"], "2");
  EXPECT_EQ(r["outputs"][0]["data"], json({2.0, 4.0, 6.0, 8.0}));
  EXPECT_EQ(api().json("GET", "/v2/models/affine/versions/1/ready", nullptr, &status)["ready"], true);
  EXPECT_EQ(status, 200);
}

TEST_F(KServeTest, BadRequestsGetClearErrors) {
  int status = 0;
  auto r = api().json("POST", "/v2/models/affine/versions/1/infer",
                      {{"inputs", json::array({{{"name", "x"}, {"datatype", "FP32"}, {"shape", {3}}, {"data", {1, 2}}}})}},
                      &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(r["error"], "invalid_input") << r.dump();
  r = api().json("POST", "/v2/models/affine/versions/1/infer",
                 {{"inputs", json::array({{{"name", "x"}, {"datatype", "BYTES"}, {"shape", {1}}, {"data", {"a"}}}})}},
                 &status);
  EXPECT_EQ(status, 400);
  r = api().json("POST", "/v2/models/affine/versions/1/infer", {{"inputs", json::array()}}, &status);
  EXPECT_EQ(status, 400) << r.dump();
  auto raw = api().call("POST", "/v2/models/affine/versions/1/infer", "{not json");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 400);
  r = api().json("GET", "/v2/models/broken/ready", nullptr, &status);
  EXPECT_EQ(status, 503);
  EXPECT_EQ(r["error"], "model_not_ready");
  EXPECT_EQ(r["detail"]["reason"], "model_load_failed") << r.dump();
  r = api().json("POST", "/v2/models/broken/infer",
                 {{"inputs", json::array({{{"name", "x"}, {"datatype", "FP32"}, {"shape", {1}}, {"data", {1}}}})}},
                 &status);
  EXPECT_EQ(status, 422);
  EXPECT_EQ(r["error"], "model_load_failed");
}

TEST_F(KServeTest, ClientRuntimeUsesMedaiAsARemoteServer) {
  ::setenv("MEDAI_TEST_KSERVE_TOKEN", token_.c_str(), 1);
  ModelSpec spec;
  spec.key = "remote-affine@1";
  spec.runtime = "kserve-v2";
  spec.remote = {{"url", url()}, {"model", "affine"}, {"version", "1"}, {"token_env", "MEDAI_TEST_KSERVE_TOKEN"}};
  ModelRepository repo(64 << 20);
  auto rt = repo.acquire(spec);
  ASSERT_TRUE(rt.is_ok()) << rt.status().to_string();
  auto out = (*rt)->infer({make_f32("x", {3}, {0, 1, -1}), });
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].f32, (std::vector<float>{1, 3, -1}));
  EXPECT_EQ((*out)[0].shape, std::vector<std::int64_t>{3});
  // The remote's refusal keeps its meaning.
  EXPECT_EQ((*rt)->infer({make_f32("x", {2, 2}, {1, 2, 3, 4}), make_f32("y", {1}, {1})}).status().code(),
            ErrorCode::invalid_input);

  auto missing = spec;
  missing.key = "remote-missing@1";
  missing.remote["model"] = "nope";
  EXPECT_EQ(repo.acquire(missing).status().code(), ErrorCode::model_load_failed);
  auto no_token = spec;
  no_token.key = "remote-anon@1";
  no_token.remote.erase("token_env");
  EXPECT_EQ(repo.acquire(no_token).status().code(), ErrorCode::model_load_failed);
  auto unreachable = spec;
  unreachable.key = "remote-down@1";
  unreachable.remote["url"] = "http://127.0.0.1:1";
  EXPECT_EQ(repo.acquire(unreachable).status().code(), ErrorCode::model_load_failed);
}

TEST(KServeJson, RoundTripsAndRefusesMalformedTensors) {
  const std::vector<Tensor> in{make_f32("a", {2}, {1.5f, -2}), make_i64("b", {1, 2}, {7, -9})};
  auto back = tensors_from_kserve(tensors_to_kserve(in));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ((*back)[0].f32, in[0].f32);
  EXPECT_EQ((*back)[1].i64, in[1].i64);
  EXPECT_EQ((*back)[1].shape, in[1].shape);
  for (const char* bad : {
           R"({"name": "x"})",
           R"([{"name": "x", "datatype": "FP32", "shape": [2], "data": [1]}])",
           R"([{"name": "x", "datatype": "FP32", "shape": [-2], "data": []}])",
           R"([{"name": "x", "datatype": "INT64", "shape": [1], "data": [1.5]}])",
           R"([{"name": "x", "datatype": "FP32", "shape": [1], "data": ["1"]}])",
           R"([{"name": "x", "datatype": "FP32", "shape": [1], "data": [1]}, {"name": "x", "datatype": "FP32", "shape": [1], "data": [1]}])",
           R"([{"name": "x", "datatype": "FP32", "shape": [4294967296, 4294967296], "data": []}])",
       }) {
    auto r = tensors_from_kserve(json::parse(bad));
    EXPECT_EQ(r.status().code(), ErrorCode::invalid_input) << bad;
  }
}

TEST(StaticModelDirectory, VisibilityAndNewestVersion) {
  StaticModelDirectory d;
  ServedModel m;
  m.name = "lung";
  m.spec.runtime = "torchscript";
  for (const char* v : {"1.9.0", "1.10.0", "1.2.0"}) {
    m.version = v;
    ASSERT_TRUE(d.add(m).is_ok());
  }
  EXPECT_EQ(d.add(m).code(), ErrorCode::already_exists);
  m.name = "private";
  m.version = "1";
  m.institutions = {"inst-a"};
  ASSERT_TRUE(d.add(m).is_ok());
  m.name = "../etc";
  EXPECT_EQ(d.add(m).code(), ErrorCode::invalid_argument);
  const ModelCaller a{"inst-a", false}, b{"inst-b", false}, admin{"platform", true};
  EXPECT_EQ(d.find(b, "lung", std::nullopt)->version, "1.10.0");
  EXPECT_EQ(d.find(b, "lung", std::nullopt)->spec.key, "lung@1.10.0");
  EXPECT_TRUE(d.find(a, "private", std::nullopt));
  EXPECT_FALSE(d.find(b, "private", std::nullopt));
  EXPECT_TRUE(d.find(admin, "private", "1"));
  EXPECT_EQ(d.list(b).size(), 3u);
}

}  // namespace
}  // namespace medai::runtime
