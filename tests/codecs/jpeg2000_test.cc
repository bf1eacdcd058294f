// JPEG 2000 decoding (OpenJPEG behind DCMTK's codec interface): pydicom's
// J2K test files against their uncompressed twins, and images encoded here
// with OpenJPEG's encoder (signed, 12 bits stored, RGB with the reversible
// colour transform YBR_RCT and the irreversible one YBR_ICT, planar
// configuration 1, multi-frame with frames split over several fragments, with
// and without a Basic Offset Table) against the pixels they were made from.
// Malformed codestreams (truncated, flipped bytes) give invalid_dicom, never
// a crash.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmimage/diregist.h>
#include <dcmtk/dcmimgle/dcmimage.h>
#include <gtest/gtest.h>
#include <openjpeg.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "codecs/dcmtk_codecs.h"
#include "codecs/dcmtk_jpeg2000_codec.h"
#include "codecs/jpeg2000_decoder.h"
#include "support/temp_dir.h"

namespace medai::codecs {
namespace {

const std::filesystem::path kFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

bool have_files() { return std::filesystem::exists(kFiles / "MR_small_jp2klossless.dcm"); }

// ---- OpenJPEG encoder (test input only) ----------------------------------

// A seekable in-memory output (the encoder may seek back to patch lengths).
struct WriteBuffer {
  std::string bytes;
  std::size_t pos = 0;
};
OPJ_SIZE_T write_cb(void* data, OPJ_SIZE_T n, void* user) {
  auto* b = static_cast<WriteBuffer*>(user);
  if (b->pos + n > b->bytes.size()) b->bytes.resize(b->pos + n);
  std::memcpy(b->bytes.data() + b->pos, data, n);
  b->pos += n;
  return n;
}
OPJ_OFF_T skip_cb(OPJ_OFF_T n, void* user) {
  auto* b = static_cast<WriteBuffer*>(user);
  b->pos += static_cast<std::size_t>(n);
  if (b->pos > b->bytes.size()) b->bytes.resize(b->pos);
  return n;
}
OPJ_BOOL seek_cb(OPJ_OFF_T pos, void* user) {
  auto* b = static_cast<WriteBuffer*>(user);
  b->pos = static_cast<std::size_t>(pos);
  if (b->pos > b->bytes.size()) b->bytes.resize(b->pos);
  return OPJ_TRUE;
}

struct Source {
  int width = 0, height = 0, components = 1, precision = 16;
  bool sgnd = false;
  std::vector<std::vector<int>> planes;  // per component, width*height
};

// A raw codestream. `mct`: colour transform (RCT if lossless, ICT if lossy);
// `lossy`: 9/7 irreversible wavelet at about 8:1.
std::string encode(const Source& src, bool mct, bool lossy) {
  std::vector<opj_image_cmptparm_t> params(src.components);
  for (auto& p : params) {
    std::memset(&p, 0, sizeof p);
    p.dx = p.dy = 1;
    p.w = src.width;
    p.h = src.height;
    p.prec = src.precision;
    p.sgnd = src.sgnd;
  }
  opj_image_t* image = opj_image_create(src.components, params.data(),
                                        src.components == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY);
  image->x1 = src.width;
  image->y1 = src.height;
  for (int c = 0; c < src.components; ++c)
    std::copy(src.planes[c].begin(), src.planes[c].end(), image->comps[c].data);
  opj_cparameters_t p;
  opj_set_default_encoder_parameters(&p);
  p.tcp_numlayers = 1;
  p.cp_disto_alloc = 1;
  p.tcp_rates[0] = lossy ? 8 : 0;
  p.irreversible = lossy ? 1 : 0;
  p.tcp_mct = mct ? 1 : 0;
  p.numresolution = 4;
  opj_codec_t* codec = opj_create_compress(OPJ_CODEC_J2K);
  EXPECT_TRUE(opj_setup_encoder(codec, &p, image));
  WriteBuffer out;
  opj_stream_t* stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_FALSE);
  opj_stream_set_user_data(stream, &out, nullptr);
  opj_stream_set_write_function(stream, write_cb);
  opj_stream_set_skip_function(stream, skip_cb);
  opj_stream_set_seek_function(stream, seek_cb);
  EXPECT_TRUE(opj_start_compress(codec, image, stream));
  EXPECT_TRUE(opj_encode(codec, stream));
  EXPECT_TRUE(opj_end_compress(codec, stream));
  opj_stream_destroy(stream);
  opj_destroy_codec(codec);
  opj_image_destroy(image);
  return out.bytes;
}

// A smooth image with structure (edges, noise) in every component.
Source make_source(int w, int h, int components, int precision, bool sgnd, int seed) {
  Source s{w, h, components, precision, sgnd, {}};
  std::mt19937 rng(seed);
  const int lo = sgnd ? -(1 << (precision - 1)) : 0;
  const int hi = sgnd ? (1 << (precision - 1)) - 1 : (1 << precision) - 1;
  for (int c = 0; c < components; ++c) {
    std::vector<int> plane(w * h);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        double v = lo + (hi - lo) * (0.5 + 0.4 * std::sin(0.11 * x + 0.07 * y + c));
        if ((x / 8 + y / 8) % 2) v = lo + (v - lo) * 0.5;
        v += static_cast<int>(rng() % 7) - 3;
        plane[y * w + x] = std::clamp(static_cast<int>(v), lo, hi);
      }
    s.planes.push_back(std::move(plane));
  }
  return s;
}

// DICOM native little-endian bytes of `frames` (interleaved or planar).
std::string native_bytes(const std::vector<Source>& frames, int bits_allocated, bool planar) {
  std::string out;
  for (const auto& f : frames) {
    const int n = f.width * f.height;
    for (int i = 0; i < n * f.components; ++i) {
      const int c = planar ? i / n : i % f.components;
      const int p = planar ? i % n : i / f.components;
      const auto v = static_cast<std::uint32_t>(f.planes[c][p]);
      for (int b = 0; b < bits_allocated / 8; ++b) out.push_back(static_cast<char>(v >> (8 * b)));
    }
  }
  if (out.size() % 2) out.push_back('\0');
  return out;
}

struct Encapsulation {
  std::vector<std::string> frames;  // codestreams
  int fragments_per_frame = 1;      // each frame split into this many fragments
  bool offset_table = false;
};

// A Part 10 file with the frames encapsulated as described, saved and loaded
// back (as the store does) so DCMTK knows its original transfer syntax.
std::unique_ptr<DcmFileFormat> make_file(const testing::TempDir& dir, const Source& f0, int frames,
                                         int bits_allocated, int bits_stored, const char* photometric,
                                         bool planar, const Encapsulation& enc,
                                         E_TransferSyntax xfer = EXS_JPEG2000LosslessOnly) {
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  ds.putAndInsertString(DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
  ds.putAndInsertString(DCM_SOPInstanceUID, "2.25.4242");
  ds.putAndInsertString(DCM_StudyInstanceUID, "2.25.4243");
  ds.putAndInsertString(DCM_SeriesInstanceUID, "2.25.4244");
  ds.putAndInsertUint16(DCM_Rows, f0.height);
  ds.putAndInsertUint16(DCM_Columns, f0.width);
  ds.putAndInsertUint16(DCM_SamplesPerPixel, f0.components);
  ds.putAndInsertString(DCM_PhotometricInterpretation, photometric);
  if (f0.components > 1) ds.putAndInsertUint16(DCM_PlanarConfiguration, planar ? 1 : 0);
  ds.putAndInsertUint16(DCM_BitsAllocated, bits_allocated);
  ds.putAndInsertUint16(DCM_BitsStored, bits_stored);
  ds.putAndInsertUint16(DCM_HighBit, bits_stored - 1);
  ds.putAndInsertUint16(DCM_PixelRepresentation, f0.sgnd ? 1 : 0);
  if (frames > 1) ds.putAndInsertString(DCM_NumberOfFrames, std::to_string(frames).c_str());

  auto* seq = new DcmPixelSequence(DcmTag(DCM_PixelData, EVR_OB));
  auto* table = new DcmPixelItem(DcmTag(DCM_Item, EVR_OB));
  seq->insert(table);
  std::vector<Uint32> offsets;
  Uint32 position = 0;
  for (const auto& cs : enc.frames) {
    offsets.push_back(position);
    std::string padded = cs;
    const std::size_t n = static_cast<std::size_t>(enc.fragments_per_frame);
    // Fragments have even lengths: split at even offsets, pad only the last one.
    const std::size_t chunk = (((padded.size() + n - 1) / n) + 1) & ~std::size_t(1);
    for (std::size_t k = 0; k < n; ++k) {
      std::string part = padded.substr(std::min(padded.size(), k * chunk), chunk);
      if (part.size() % 2) part.push_back('\0');
      auto* item = new DcmPixelItem(DcmTag(DCM_Item, EVR_OB));
      item->putUint8Array(reinterpret_cast<const Uint8*>(part.data()),
                          static_cast<unsigned long>(part.size()));
      seq->insert(item);
      position += 8 + static_cast<Uint32>(part.size());
    }
  }
  if (enc.offset_table) {
    std::vector<Uint8> le;  // the Basic Offset Table is little endian
    for (Uint32 o : offsets)
      for (int b = 0; b < 4; ++b) le.push_back(static_cast<Uint8>(o >> (8 * b)));
    table->putUint8Array(le.data(), static_cast<unsigned long>(le.size()));
  }
  auto* pixel = new DcmPixelData(DCM_PixelData);
  pixel->putOriginalRepresentation(xfer, nullptr, seq);
  ds.insert(pixel);
  const auto path = dir / "j2k.dcm";
  EXPECT_TRUE(file.saveFile(path.c_str(), xfer).good());
  auto loaded = std::make_unique<DcmFileFormat>();
  EXPECT_TRUE(loaded->loadFile(path.c_str()).good());
  return loaded;
}

std::string pixel_data(DcmDataset& ds) {
  DcmElement* e = nullptr;
  Uint8* data = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, e).bad() || e->getUint8Array(data).bad() || data == nullptr)
    return {};
  return std::string(reinterpret_cast<const char*>(data), e->getLength());
}

std::string photometric(DcmDataset& ds) {
  OFString pi;
  ds.findAndGetOFString(DCM_PhotometricInterpretation, pi);
  return pi.c_str();
}

// ---- pydicom's files -----------------------------------------------------

TEST(Jpeg2000, PydicomLosslessMrEqualsItsUncompressedTwin) {
  if (!have_files()) GTEST_SKIP() << "python3-pydicom test files not installed";
  DcmFileFormat j2k, raw;
  ASSERT_TRUE(j2k.loadFile((kFiles / "MR_small_jp2klossless.dcm").c_str()).good());
  ASSERT_TRUE(raw.loadFile((kFiles / "MR_small.dcm").c_str()).good());
  ASSERT_EQ(j2k.getDataset()->getOriginalXfer(), EXS_JPEG2000LosslessOnly);
  const Status s = decompress_dataset(*j2k.getDataset());
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  const std::string decoded = pixel_data(*j2k.getDataset());
  ASSERT_EQ(decoded.size(), 64u * 64u * 2u);
  EXPECT_TRUE(decoded == pixel_data(*raw.getDataset()))
      << "lossless J2K must give the uncompressed pixels exactly";
}

// Every J2K file pydicom ships decodes, and the whole data set can be written
// uncompressed and read back (what WADO transcoding and C-GET fallback do).
TEST(Jpeg2000, EveryPydicomJpeg2000FileDecodes) {
  if (!have_files()) GTEST_SKIP() << "python3-pydicom test files not installed";
  testing::TempDir dir;
  for (const char* name : {"MR_small_jp2klossless.dcm", "JPEG2000.dcm", "693_J2KI.dcm", "GDCMJ2K_TextGBR.dcm",
                           "J2K_pixelrep_mismatch.dcm", "SC_rgb_gdcm_KY.dcm"}) {
    SCOPED_TRACE(name);
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile((kFiles / name).c_str()).good());
    DcmDataset& ds = *file.getDataset();
    const Status s = decompress_dataset(ds);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
    Uint16 rows = 0, columns = 0, samples = 1, bits = 0;
    ds.findAndGetUint16(DCM_Rows, rows);
    ds.findAndGetUint16(DCM_Columns, columns);
    ds.findAndGetUint16(DCM_SamplesPerPixel, samples);
    ds.findAndGetUint16(DCM_BitsAllocated, bits);
    Sint32 frames = 1;
    ds.findAndGetSint32(DCM_NumberOfFrames, frames);
    const std::size_t expected =
        std::size_t(rows) * columns * samples * (bits / 8) * std::max<Sint32>(frames, 1);
    EXPECT_EQ(pixel_data(ds).size(), expected + (expected % 2));
    file.getMetaInfo()->putAndInsertString(DCM_TransferSyntaxUID, UID_LittleEndianExplicitTransferSyntax);
    ASSERT_TRUE(file.saveFile((dir / "out.dcm").c_str(), EXS_LittleEndianExplicit).good());
    DcmFileFormat back;
    ASSERT_TRUE(back.loadFile((dir / "out.dcm").c_str()).good());
    EXPECT_TRUE(pixel_data(*back.getDataset()) == pixel_data(ds));
  }
}

// pydicom's JPEG2000-embedded-sequence-delimiter.dcm is JPEG2000.dcm with the
// bytes of a Sequence Delimitation Item written into the codestream's SIZ
// marker (a parser test): the codestream is corrupt and says so.
TEST(Jpeg2000, PydicomCorruptCodestreamIsInvalidDicom) {
  if (!have_files()) GTEST_SKIP() << "python3-pydicom test files not installed";
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile((kFiles / "JPEG2000-embedded-sequence-delimiter.dcm").c_str()).good());
  const Status s = decompress_dataset(*file.getDataset());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::invalid_dicom);
  EXPECT_EQ(s.detail().value("reason", ""), "malformed_jpeg2000") << s.to_string();
  EXPECT_EQ(s.detail().value("transfer_syntax", ""), "1.2.840.10008.1.2.4.91");
}

// pydicom's J2K_pixelrep_mismatch.dcm: Pixel Representation 1 while the
// codestream is unsigned; the samples are sign-extended from Bits Stored (as
// pydicom and GDCM do), so the image has its negative values.
TEST(Jpeg2000, SignednessMismatchIsCorrectedFromBitsStored) {
  if (!have_files()) GTEST_SKIP() << "python3-pydicom test files not installed";
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile((kFiles / "J2K_pixelrep_mismatch.dcm").c_str()).good());
  DcmDataset& ds = *file.getDataset();
  Uint16 representation = 0, stored = 0, allocated = 0;
  ds.findAndGetUint16(DCM_PixelRepresentation, representation);
  ds.findAndGetUint16(DCM_BitsStored, stored);
  ds.findAndGetUint16(DCM_BitsAllocated, allocated);
  ASSERT_EQ(representation, 1);
  ASSERT_EQ(allocated, 16);
  ASSERT_TRUE(decompress_dataset(ds).is_ok());
  const std::string px = pixel_data(ds);
  int lo = 1 << 30, hi = -(1 << 30);
  for (std::size_t i = 0; i + 1 < px.size(); i += 2) {
    const auto v = static_cast<std::int16_t>(static_cast<std::uint8_t>(px[i]) |
                                             (static_cast<std::uint8_t>(px[i + 1]) << 8));
    lo = std::min<int>(lo, v);
    hi = std::max<int>(hi, v);
  }
  EXPECT_LT(lo, 0);
  EXPECT_GE(lo, -(1 << (stored - 1)));
  EXPECT_LT(hi, 1 << (stored - 1));
}

std::int16_t s16(const std::string& px, std::size_t index) {
  return static_cast<std::int16_t>(static_cast<std::uint8_t>(px[2 * index]) |
                                   (static_cast<std::uint8_t>(px[2 * index + 1]) << 8));
}

// Sample values pydicom's own pixel reference tests assert for these files
// (pydicom/data/.../pixels reference: J2K_pixelrep_mismatch, GDCMJ2K_TextGBR
// which wrongly carries a JP2 header, YBR_RCT colour), and the means of
// pydicom's decoded arrays of the lossy files (their uncompressed twins are
// not in Debian's package).
TEST(Jpeg2000, PydicomReferenceValues) {
  if (!have_files()) GTEST_SKIP() << "python3-pydicom test files not installed";
  auto load = [](const char* name) {
    auto f = std::make_unique<DcmFileFormat>();
    EXPECT_TRUE(f->loadFile((kFiles / name).c_str()).good()) << name;
    const Status s = decompress_dataset(*f->getDataset());
    EXPECT_TRUE(s.is_ok()) << name << ": " << s.to_string();
    return f;
  };
  {
    auto f = load("J2K_pixelrep_mismatch.dcm");
    const std::string px = pixel_data(*f->getDataset());
    ASSERT_EQ(px.size(), 512u * 512u * 2u);
    EXPECT_EQ(s16(px, 0), -2000);
    const std::vector<int> col279 = {621, 412, 138, -193, -520, -767, -907, -966, -988, -995};
    const std::vector<int> col106 = {-377, -121, 141, 383, 633, 910, 1198, 1455, 1638, 1732};
    for (int k = 0; k < 10; ++k) {
      EXPECT_EQ(s16(px, (47 + k) * 512 + 279), col279[k]) << k;
      EXPECT_EQ(s16(px, (328 + k) * 512 + 106), col106[k]) << k;
    }
  }
  {
    auto f = load("GDCMJ2K_TextGBR.dcm");
    EXPECT_EQ(photometric(*f->getDataset()), "RGB");
    const std::string px = pixel_data(*f->getDataset());
    ASSERT_EQ(px.size(), 400u * 400u * 3u);
    auto rgb = [&](int row, int col) {
      const std::size_t i = (std::size_t(row) * 400 + col) * 3;
      return std::vector<int>{static_cast<std::uint8_t>(px[i]), static_cast<std::uint8_t>(px[i + 1]),
                              static_cast<std::uint8_t>(px[i + 2])};
    };
    EXPECT_EQ(rgb(45, 140), (std::vector<int>{223, 32, 32}));
    EXPECT_EQ(rgb(46, 140), (std::vector<int>{255, 0, 0}));
    EXPECT_EQ(rgb(350, 195), (std::vector<int>{128, 128, 128}));
  }
  for (auto [name, mean] : {std::pair<const char*, double>{"693_J2KI.dcm", -8.322845},
                            {"JPEG2000.dcm", 13.458160},
                            {"J2K_pixelrep_mismatch.dcm", -658.436806},
                            {"MR_small_jp2klossless.dcm", 518.881348}}) {
    auto f = load(name);
    const std::string px = pixel_data(*f->getDataset());
    double sum = 0;
    for (std::size_t i = 0; i < px.size() / 2; ++i) sum += s16(px, i);
    EXPECT_NEAR(sum / (px.size() / 2), mean, 0.01) << name;
  }
  {
    auto f = load("SC_rgb_gdcm_KY.dcm");  // RGB, 8 bit, lossy
    const std::string px = pixel_data(*f->getDataset());
    ASSERT_EQ(px.size(), 100u * 100u * 3u);
    double sum = 0;
    for (char c : px) sum += static_cast<std::uint8_t>(c);
    EXPECT_NEAR(sum / px.size(), 127.7, 0.01);
  }
}

// ---- generated images ----------------------------------------------------

TEST(Jpeg2000, Signed12BitLosslessIsExact) {
  testing::TempDir dir;
  const Source src = make_source(67, 45, 1, 12, true, 1);  // odd sizes
  auto file = make_file(dir, src, 1, 16, 12, "MONOCHROME2", false, {{encode(src, false, false)}});
  ASSERT_TRUE(decompress_dataset(*file->getDataset()).is_ok());
  EXPECT_TRUE(pixel_data(*file->getDataset()) == native_bytes({src}, 16, false));
}

TEST(Jpeg2000, EightBitAndUnsigned16BitLosslessAreExact) {
  testing::TempDir dir;
  for (int precision : {8, 16}) {
    const Source src = make_source(40, 32, 1, precision, false, precision);
    const int allocated = precision == 8 ? 8 : 16;
    auto file =
        make_file(dir, src, 1, allocated, precision, "MONOCHROME2", false, {{encode(src, false, false)}});
    ASSERT_TRUE(decompress_dataset(*file->getDataset()).is_ok()) << precision;
    EXPECT_TRUE(pixel_data(*file->getDataset()) == native_bytes({src}, allocated, false)) << precision;
  }
}

TEST(Jpeg2000, ReversibleColourTransformGivesRgbInEitherPlanarConfiguration) {
  testing::TempDir dir;
  const Source src = make_source(33, 20, 3, 8, false, 7);
  const std::string cs = encode(src, true, false);
  for (bool planar : {false, true}) {
    SCOPED_TRACE(planar);
    auto file = make_file(dir, src, 1, 8, 8, "YBR_RCT", planar, {{cs}});
    DcmDataset& ds = *file->getDataset();
    ASSERT_TRUE(decompress_dataset(ds).is_ok());
    EXPECT_EQ(photometric(ds), "RGB");
    EXPECT_TRUE(pixel_data(ds) == native_bytes({src}, 8, planar));
  }
  // Without the transform the declared colour model stays.
  auto rgb = make_file(dir, src, 1, 8, 8, "RGB", false, {{encode(src, false, false)}});
  ASSERT_TRUE(decompress_dataset(*rgb->getDataset()).is_ok());
  EXPECT_EQ(photometric(*rgb->getDataset()), "RGB");
  EXPECT_TRUE(pixel_data(*rgb->getDataset()) == native_bytes({src}, 8, false));
}

// Lossy (9/7 wavelet, YBR_ICT): close to the source, not equal.
TEST(Jpeg2000, LossyIrreversibleIsWithinTolerance) {
  testing::TempDir dir;
  for (int components : {1, 3}) {
    SCOPED_TRACE(components);
    const Source src = make_source(64, 64, components, components == 3 ? 8 : 12, false, components);
    auto file = make_file(dir, src, 1, components == 3 ? 8 : 16, src.precision,
                          components == 3 ? "YBR_ICT" : "MONOCHROME2", false,
                          {{encode(src, components == 3, true)}}, EXS_JPEG2000);
    DcmDataset& ds = *file->getDataset();
    ASSERT_TRUE(decompress_dataset(ds).is_ok());
    if (components == 3) {
      EXPECT_EQ(photometric(ds), "RGB");
    }
    const std::string got = pixel_data(ds), want = native_bytes({src}, components == 3 ? 8 : 16, false);
    ASSERT_EQ(got.size(), want.size());
    const int bytes = components == 3 ? 1 : 2;
    double sum_sq = 0;
    const std::size_t n = got.size() / bytes;
    for (std::size_t i = 0; i < n; ++i) {
      int a = static_cast<std::uint8_t>(got[i * bytes]), b = static_cast<std::uint8_t>(want[i * bytes]);
      if (bytes == 2) {
        a |= static_cast<std::uint8_t>(got[i * 2 + 1]) << 8;
        b |= static_cast<std::uint8_t>(want[i * 2 + 1]) << 8;
      }
      sum_sq += double(a - b) * (a - b);
    }
    const double range = (1 << src.precision) - 1;
    const double psnr = 10 * std::log10(range * range / (sum_sq / n));
    EXPECT_GT(psnr, 30) << "PSNR";
    EXPECT_FALSE(got == want) << "8:1 lossy is expected to change some samples";
  }
}

TEST(Jpeg2000, MultiFrameWithFragmentedFramesWithAndWithoutOffsetTable) {
  register_dcmtk_decoders();
  testing::TempDir dir;
  std::vector<Source> frames;
  std::vector<std::string> streams;
  for (int f = 0; f < 3; ++f) {
    frames.push_back(make_source(48, 40, 1, 16, false, 100 + f));
    streams.push_back(encode(frames.back(), false, false));
  }
  const std::string expected = native_bytes(frames, 16, false);
  for (bool table : {true, false}) {
    for (int fragments : {1, 3}) {
      SCOPED_TRACE(std::to_string(table) + " " + std::to_string(fragments));
      auto file = make_file(dir, frames[0], 3, 16, 16, "MONOCHROME2", false, {streams, fragments, table});
      DcmDataset& ds = *file->getDataset();
      // Frame by frame (DicomImage / partial access) first, then all at once.
      DcmElement* e = nullptr;
      ASSERT_TRUE(ds.findAndGetElement(DCM_PixelData, e).good());
      auto* pixel = static_cast<DcmPixelData*>(e);
      std::string frame(48 * 40 * 2, '\0');
      for (Uint32 f = 0; f < 3; ++f) {
        Uint32 start = 0;
        OFString model;
        ASSERT_TRUE(
            pixel->getUncompressedFrame(&ds, f, start, frame.data(), static_cast<Uint32>(frame.size()), model)
                .good())
            << "frame " << f << ": " << take_last_jpeg2000_error().to_string();
        EXPECT_TRUE(frame == expected.substr(f * frame.size(), frame.size())) << "frame " << f;
        EXPECT_EQ(model, "MONOCHROME2");
      }
      ASSERT_TRUE(decompress_dataset(ds).is_ok());
      EXPECT_TRUE(pixel_data(ds) == expected);
    }
  }
}

// DicomImage (rendered, thumbnails, projection images) decodes J2K frames too.
TEST(Jpeg2000, DicomImageRendersTheSameAsTheUncompressedTwin) {
  register_dcmtk_decoders();
  testing::TempDir dir;
  const Source src = make_source(50, 30, 1, 12, false, 9);
  auto j2k = make_file(dir, src, 1, 16, 12, "MONOCHROME2", false, {{encode(src, false, false)}});
  DicomImage image(j2k->getDataset(), j2k->getDataset()->getOriginalXfer(), CIF_UsePartialAccessToPixelData,
                   0, 1);
  ASSERT_EQ(image.getStatus(), EIS_Normal) << DicomImage::getString(image.getStatus());
  image.setMinMaxWindow();
  const auto* rendered = static_cast<const Uint8*>(image.getOutputData(8));
  ASSERT_NE(rendered, nullptr);
  int lo = 255, hi = 0;
  for (int i = 0; i < 50 * 30; ++i) lo = std::min<int>(lo, rendered[i]), hi = std::max<int>(hi, rendered[i]);
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 255);
  // Same pixels as the source, windowed min/max.
  int src_lo = 1 << 30, src_hi = 0;
  for (int v : src.planes[0]) src_lo = std::min(src_lo, v), src_hi = std::max(src_hi, v);
  for (int i : {0, 7, 333, 1499}) {
    const double expected = 255.0 * (src.planes[0][i] - src_lo) / (src_hi - src_lo);
    EXPECT_NEAR(rendered[i], expected, 1.5) << i;
  }
}

// ---- malformed input -----------------------------------------------------

TEST(Jpeg2000, MalformedCodestreamsGiveInvalidDicomNeverACrash) {
  const Source src = make_source(64, 64, 1, 16, false, 3);
  const std::string cs = encode(src, false, false);
  FrameLayout layout;
  layout.rows = 64;
  layout.columns = 64;
  std::vector<std::uint8_t> out(layout.frame_bytes());
  auto check = [&](const std::string& bytes, bool must_fail, const std::string& what) {
    auto r = decode_jpeg2000_frame(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), layout,
                                   out.data());
    if (must_fail) {
      EXPECT_FALSE(r.is_ok()) << what;
    }
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::invalid_dicom) << what;
      const std::string reason = r.status().detail().value("reason", "");
      EXPECT_TRUE(reason == "malformed_jpeg2000" || reason == "jpeg2000_mismatch") << what << " " << reason;
    }
  };
  ASSERT_TRUE(
      decode_jpeg2000_frame(reinterpret_cast<const std::uint8_t*>(cs.data()), cs.size(), layout, out.data())
          .is_ok());
  for (std::size_t cut : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(20), std::size_t(60),
                          cs.size() / 3, cs.size() / 2, cs.size() - 40})
    check(cs.substr(0, cut), true, "truncated at " + std::to_string(cut));
  // Only the end-of-codestream marker missing: may decode; must not crash.
  check(cs.substr(0, cs.size() - 2), false, "no EOC");
  check("not a codestream at all", true, "garbage");
  std::mt19937 rng(17);
  for (int i = 0; i < 60; ++i) {
    std::string flipped = cs;
    const std::size_t at = rng() % flipped.size();
    flipped[at] = static_cast<char>(flipped[at] ^ (1 << (rng() % 8)));
    check(flipped, false, "bit flip at " + std::to_string(at));  // may still decode; must not crash
  }
  for (int i = 0; i < 20; ++i) {  // header damage: first 200 bytes
    std::string flipped = cs;
    const std::size_t at = rng() % std::min<std::size_t>(200, flipped.size());
    flipped[at] = static_cast<char>(rng());
    check(flipped, false, "header byte at " + std::to_string(at));
  }
  // The header says another size than the data set.
  FrameLayout other = layout;
  other.rows = 65;
  std::vector<std::uint8_t> big(other.frame_bytes());
  auto r =
      decode_jpeg2000_frame(reinterpret_cast<const std::uint8_t*>(cs.data()), cs.size(), other, big.data());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().detail().value("reason", ""), "jpeg2000_mismatch");
}

TEST(Jpeg2000, TruncatedFrameInADataSetIsReportedWithItsReason) {
  testing::TempDir dir;
  const Source src = make_source(32, 32, 1, 16, false, 5);
  std::string cs = encode(src, false, false);
  cs.resize(cs.size() / 2);
  auto file = make_file(dir, src, 1, 16, 16, "MONOCHROME2", false, {{cs}});
  const Status s = decompress_dataset(*file->getDataset());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::invalid_dicom) << s.to_string();
  EXPECT_EQ(s.detail().value("reason", ""), "malformed_jpeg2000");
  EXPECT_EQ(s.detail().value("transfer_syntax", ""), "1.2.840.10008.1.2.4.90");
  // More frames declared than there are codestreams.
  auto wrong = make_file(dir, src, 2, 16, 16, "MONOCHROME2", false, {{encode(src, false, false)}, 3, false});
  const Status w = decompress_dataset(*wrong->getDataset());
  ASSERT_FALSE(w.is_ok());
  EXPECT_EQ(w.code(), ErrorCode::invalid_dicom);
}

}  // namespace
}  // namespace medai::codecs
