// Keys, UID remapping, date shifting, pseudonyms and text cleaning on their own.
#include <gtest/gtest.h>

#include <set>

#include "core/crypto.h"
#include "deid/date_shift.h"
#include "deid/keys.h"
#include "deid/pseudonyms.h"
#include "deid/text_cleaner.h"
#include "deid/uid_remapper.h"

namespace medai::deid {
namespace {

const std::string kSecretA(64, 'a');
const std::string kSecretB(64, 'b');

DeidKeys keys(const std::string& secret, std::string_view project = "") {
  auto k = DeidKeys::from_secret(secret, project);
  EXPECT_TRUE(k.is_ok());
  return *k;
}

TEST(CoreCrypto, Blake2bAndXChaCha20) {
  // RFC 7693 / libsodium: BLAKE2b-256 of the empty string, unkeyed.
  EXPECT_EQ(crypto::to_hex(crypto::blake2b("", "", 32)),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_NE(crypto::blake2b("x", std::string(32, 'k'), 16), crypto::blake2b("x", std::string(32, 'j'), 16));
  const std::string key(32, 'k'), nonce(24, 'n');
  const std::string ct = crypto::xchacha20_xor("hello world", nonce, key);
  EXPECT_NE(ct, "hello world");
  EXPECT_EQ(crypto::xchacha20_xor(ct, nonce, key), "hello world");
  EXPECT_NE(crypto::xchacha20_xor("hello world", std::string(24, 'm'), key), ct);
}

TEST(DeidKeys, RejectsShortSecrets) {
  EXPECT_EQ(DeidKeys::from_secret("short").status().code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(DeidKeys::from_secret(std::string(32, 'x')).is_ok());
  EXPECT_NE(keys(kSecretA).uid_key(), keys(kSecretA).date_key());  // one key per purpose
  EXPECT_NE(keys(kSecretA, "p1").uid_key(), keys(kSecretA, "p2").uid_key());
}

TEST(UidRemapper, DeterministicKeyedAndValid) {
  UidRemapper a(keys(kSecretA).uid_key()), a2(keys(kSecretA).uid_key()), b(keys(kSecretB).uid_key());
  const std::string uid = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";
  const std::string mapped = a.remap(uid);
  EXPECT_EQ(mapped, a2.remap(uid));
  EXPECT_NE(mapped, b.remap(uid));
  EXPECT_NE(mapped, a.remap(uid + "1"));
  EXPECT_EQ(mapped.rfind("2.25.", 0), 0u);
  EXPECT_LE(mapped.size(), 64u);
  for (char c : mapped.substr(5)) EXPECT_TRUE(c >= '0' && c <= '9');
  EXPECT_NE(mapped[5], '0');  // no leading zero in a UID component
  std::set<std::string> many;
  for (int i = 0; i < 10000; ++i) many.insert(a.remap("1.2.3." + std::to_string(i)));
  EXPECT_EQ(many.size(), 10000u);
}

TEST(UidRemapper, WellKnownUidsAreRecognised) {
  EXPECT_TRUE(is_well_known_uid("1.2.840.10008.5.1.4.1.1.2"));  // CT Image Storage
  EXPECT_TRUE(is_well_known_uid("1.2.840.10008.1.2.1"));        // Explicit VR Little Endian
  EXPECT_FALSE(is_well_known_uid("1.2.3.4.5"));
  EXPECT_TRUE(is_class_uid_attribute(0x0008, 0x0016));
  EXPECT_TRUE(is_class_uid_attribute(0x0008, 0x1150));
  EXPECT_FALSE(is_class_uid_attribute(0x0008, 0x1155));
}

TEST(DateShift, OffsetIsPerPatientAndInRange) {
  DateShifter s(keys(kSecretA).date_key());
  const int o1 = s.offset_days("PAT1");
  EXPECT_EQ(o1, s.offset_days("PAT1"));
  EXPECT_LE(o1, -1);
  EXPECT_GE(o1, -DateShifter::kMaxOffsetDays);
  std::set<int> offsets;
  for (int i = 0; i < 50; ++i) offsets.insert(s.offset_days("PAT" + std::to_string(i)));
  EXPECT_GT(offsets.size(), 40u);
  EXPECT_NE(DateShifter(keys(kSecretB).date_key()).offset_days("PAT1"), o1);
}

TEST(DateShift, ShiftsDatesRangesAndDatetimes) {
  EXPECT_EQ(DateShifter::shift_da("20200301", -1), "20200229");  // leap year
  EXPECT_EQ(DateShifter::shift_da("20210101", -1), "20201231");
  EXPECT_EQ(DateShifter::shift_da("20200101-20200110", -10), "20191222-20191231");
  EXPECT_EQ(DateShifter::shift_da("20200101\\20200201", -1), "20191231\\20200131");
  EXPECT_EQ(DateShifter::shift_da("2020.01.02", -1), "20200101");  // ACR-NEMA form
  EXPECT_EQ(DateShifter::shift_da("", -5), "");
  EXPECT_FALSE(DateShifter::shift_da("20201301", -1));  // month 13
  EXPECT_FALSE(DateShifter::shift_da("garbage", -1));
  EXPECT_EQ(DateShifter::shift_dt("20200301101112.123456+0100", -1), "20200229101112.123456+0100");
  EXPECT_EQ(DateShifter::shift_dt("20200301", -366), "20190301");
  EXPECT_FALSE(DateShifter::shift_dt("2020", -1));  // year only cannot move by days
}

TEST(Pseudonyms, ReversibleOnlyWithTheRightKey) {
  Pseudonymizer a(keys(kSecretA)), b(keys(kSecretB)), a_other_project(keys(kSecretA, "trial-7"));
  for (std::string id : {"1", "PAT-000123", "4MR1", "ABCDEFGHIJKLMNOPQRSTUVWXYZ01"}) {
    const std::string p = a.pseudonymize(id);
    EXPECT_EQ(p, a.pseudonymize(id)) << "deterministic";
    EXPECT_LE(p.size(), 64u) << "fits Patient ID (LO)";
    EXPECT_EQ(p.find(id), std::string::npos);
    auto back = a.reidentify(p);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(*back, id);
    EXPECT_EQ(b.reidentify(p).status().code(), ErrorCode::invalid_argument) << "wrong key";
    EXPECT_FALSE(a_other_project.reidentify(p).is_ok()) << "other project";
    auto via_secret = reidentify(p, kSecretA);
    ASSERT_TRUE(via_secret.is_ok());
    EXPECT_EQ(*via_secret, id);
  }
  EXPECT_NE(a.pseudonymize("PAT1"), b.pseudonymize("PAT1"));
  EXPECT_EQ(a.pseudonymize(""), "");
}

TEST(Pseudonyms, TamperingAndGarbageAreRejected) {
  Pseudonymizer a(keys(kSecretA));
  std::string p = a.pseudonymize("PAT-000123");
  p[p.size() / 2] = p[p.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(a.reidentify(p).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(a.reidentify("not a pseudonym!").status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(a.reidentify("").status().code(), ErrorCode::invalid_argument);
}

TEST(Pseudonyms, LongIdentifiersGetAnIrreversibleKeyedHash) {
  Pseudonymizer a(keys(kSecretA));
  const std::string long_id(40, '7');
  const std::string p = a.pseudonymize(long_id);
  EXPECT_EQ(p.front(), '9');
  EXPECT_LE(p.size(), 64u);
  EXPECT_EQ(p, a.pseudonymize(long_id));
  EXPECT_EQ(a.reidentify(p).status().code(), ErrorCode::unprocessable);
}

TEST(TextCleaner, RemovesIdentifiersAndLongNumbersKeepsClinicalWords) {
  TextCleaner c;
  c.add_identifier("Doe^John");
  c.add_identifier("MRN12345");
  EXPECT_EQ(c.clean("CT CHEST W/O"), "CT CHEST W/O");
  EXPECT_EQ(c.clean("AX T2 FLAIR 3mm b1000"), "AX T2 FLAIR 3mm b1000");
  EXPECT_EQ(c.clean("follow-up for john DOE"), "follow-up for X X");
  EXPECT_EQ(c.clean("ref mrn12345"), "ref X");
  EXPECT_EQ(c.clean("seen 2019-03-04, call 555-123-4567"), "seen #, call #");
}

}  // namespace
}  // namespace medai::deid
