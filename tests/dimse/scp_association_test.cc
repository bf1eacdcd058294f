// Association policy of our SCP, checked with DCMTK's echoscu and our SCU:
// called AE must match, unknown callers are refused when the handler says so,
// garbage on the port does not hurt, many associations run at once and the
// max_associations limit is enforced.
#include <arpa/inet.h>
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <future>
#include <thread>

#include "dimse/scu.h"
#include "dimse_fixture.h"

namespace medai::testing {
namespace {

TEST_F(DimseTest, EchoscuSucceeds) {
  start_server();
  auto r = run_command("echoscu -aet TESTSCU -aec MEDAI 127.0.0.1 " + port());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(dimse::echo(node()).is_ok());
}

TEST_F(DimseTest, WrongCalledAeIsRejected) {
  start_server();
  auto r = run_command("echoscu -aet TESTSCU -aec NOTMEDAI 127.0.0.1 " + port());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("Called AE Title Not Recognized"), std::string::npos) << r.output;
  Status s = dimse::echo(node("NOTMEDAI"));
  EXPECT_EQ(s.code(), ErrorCode::remote_failure) << s.to_string();
}

TEST_F(DimseTest, UnknownCallerIsRejectedWhenHandlerRefuses) {
  handler_->allowed_callers = {"KNOWNPACS"};
  start_server();
  auto refused = run_command("echoscu -aet STRANGER -aec MEDAI 127.0.0.1 " + port());
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("Calling AE Title Not Recognized"), std::string::npos) << refused.output;
  auto accepted = run_command("echoscu -aet KNOWNPACS -aec MEDAI 127.0.0.1 " + port());
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;
}

TEST_F(DimseTest, UnsupportedAbstractSyntaxIsRefusedNotCrashing) {
  start_server();
  // Basic Worklist is not offered: echoscu with only that context cannot negotiate.
  auto r = run_command("findscu -W -aet TESTSCU -aec MEDAI -k PatientName= 127.0.0.1 " + port());
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_TRUE(dimse::echo(node()).is_ok());
}

void send_raw(std::uint16_t port, const std::string& bytes, bool half_close) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  if (!bytes.empty()) {
    ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  }
  if (half_close) ::shutdown(fd, SHUT_WR);
  char buf[256];
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (::recv(fd, buf, sizeof buf, 0) > 0) {
  }
  ::close(fd);
}

TEST_F(DimseTest, GarbageBytesDoNotCrashTheServer) {
  start_server();
  std::string random(4096, '\0');
  for (std::size_t i = 0; i < random.size(); ++i) random[i] = static_cast<char>((i * 7919 + 13) & 0xFF);
  send_raw(server_->port(), random, true);
  send_raw(server_->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", true);
  send_raw(server_->port(), "", true);
  // An A-ASSOCIATE-RQ header announcing 4 GB that never comes.
  send_raw(server_->port(), std::string("\x01\x00\xff\xff\xff\xff", 6), true);
  // A P-DATA-TF before any association.
  send_raw(server_->port(), std::string("\x04\x00\x00\x00\x00\x04\x00\x00\x00\x00", 10), true);
  EXPECT_TRUE(dimse::echo(node()).is_ok());
  auto r = run_command("echoscu -aet TESTSCU -aec MEDAI 127.0.0.1 " + port());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(DimseTest, ManyConcurrentAssociations) {
  start_server(32);
  std::vector<std::future<Status>> echoes;
  for (int i = 0; i < 24; ++i)
    echoes.push_back(std::async(std::launch::async, [&] { return dimse::echo(node()); }));
  for (auto& e : echoes) EXPECT_TRUE(e.get().is_ok());

  // 8 clients pushing at once, each in its own association.
  handler_->store_delay = std::chrono::milliseconds(100);
  std::vector<std::future<bool>> pushes;
  for (int i = 0; i < 8; ++i)
    pushes.push_back(std::async(std::launch::async, [&] {
      auto out = dimse::store(node(), {kPydicomFiles / "CT_small.dcm"});
      return out.is_ok() && out->size() == 1 && (*out)[0].status.is_ok();
    }));
  for (auto& p : pushes) EXPECT_TRUE(p.get());
  EXPECT_EQ(handler_->received().size(), 8u);
  EXPECT_GE(handler_->max_concurrent_stores(), 2);  // really served in parallel
}

TEST_F(DimseTest, MaxAssociationsIsEnforcedWithTransientReject) {
  start_server(2);
  handler_->store_delay = std::chrono::milliseconds(2500);
  std::vector<std::future<Status>> pushes;
  for (int i = 0; i < 2; ++i)
    pushes.push_back(std::async(std::launch::async, [&] {
      auto out = dimse::store(node(), {kPydicomFiles / "CT_small.dcm"});
      if (!out) return out.status();
      return (*out)[0].status;
    }));
  for (int i = 0; i < 100 && server_->active_associations() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(server_->active_associations(), 2);
  Status third = dimse::echo(node());
  EXPECT_EQ(third.code(), ErrorCode::remote_failure) << third.to_string();
  EXPECT_EQ(third.detail().value("reject_result", 0), 2);  // rejected-transient
  for (auto& p : pushes) EXPECT_TRUE(p.get().is_ok());
  EXPECT_TRUE(dimse::echo(node()).is_ok());  // capacity is back
}

TEST_F(DimseTest, StopEndsIdleAssociationsPromptly) {
  start_server();
  // A client that opens an association and then says nothing.
  T_ASC_Network* net = nullptr;
  ASSERT_TRUE(ASC_initializeNetwork(NET_REQUESTOR, 0, 5, &net).good());
  T_ASC_Parameters* params = nullptr;
  ASSERT_TRUE(ASC_createAssociationParameters(&params, 16384).good());
  ASC_setAPTitles(params, "IDLESCU", "MEDAI", nullptr);
  const std::string peer = "127.0.0.1:" + port();
  ASC_setPresentationAddresses(params, "localhost", peer.c_str());
  const char* ts[] = {UID_LittleEndianImplicitTransferSyntax};
  ASC_addPresentationContext(params, 1, UID_VerificationSOPClass, ts, 1);
  T_ASC_Association* assoc = nullptr;
  ASSERT_TRUE(ASC_requestAssociation(net, params, &assoc).good());
  // Like a real peer, it waits for the next message and closes on A-ABORT.
  std::thread waiter([assoc] {
    T_DIMSE_Message msg;
    T_ASC_PresentationContextID pres_id;
    DIMSE_receiveCommand(assoc, DIMSE_BLOCKING, 0, &pres_id, &msg, nullptr);
    ASC_dropAssociation(assoc);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(server_->active_associations(), 1);

  auto started = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(server_->active_associations(), 0);
  waiter.join();
  ASC_destroyAssociation(&assoc);
  ASC_dropNetwork(&net);
  EXPECT_FALSE(dimse::echo(node()).is_ok());  // nothing listens any more
}

}  // namespace
}  // namespace medai::testing

namespace medai::testing {
namespace {

// A connection that never sends its A-ASSOCIATE-RQ must not hold up others.
TEST_F(DimseTest, SilentConnectionDoesNotBlockOtherCallers) {
  start_server();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(dimse::echo(node()).is_ok());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  ::close(fd);
}

}  // namespace
}  // namespace medai::testing
