#!/usr/bin/env bash
# Installs every Debian package medai needs to build, run, test and benchmark.
# Idempotent: packages already installed are skipped, and nothing is done when
# everything is present. Later capabilities (DICOM, runtimes, training, portal)
# are included now so set-up does not keep changing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format curl ca-certificates
  # core libraries
  libsqlite3-dev sqlite3 libsodium-dev libssl-dev libboost-dev libboost-system-dev
  libboost-program-options-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libarchive-dev zlib1g-dev libcurl4-openssl-dev libvalijson-dev
  # DICOM
  libdcmtk-dev dcmtk dicom3tools libopenjp2-7-dev
  # NIfTI export of imaging datasets (nifticlib), and nibabel as the independent reader in its tests
  libnifti2-dev python3-nibabel
  # runtimes and training
  libtorch-dev libopenblas0-pthread libgloo-dev libxgboost-dev libopencv-dev
  # tcmalloc (gperftools): the executables' allocator, docs/adr/0020
  libgoogle-perftools-dev
  # scale-out catalog
  libpqxx-dev postgresql
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev wrk python3-pydicom python3-numpy
  # interoperability peers and baselines
  orthanc orthanc-dicomweb python3-torch python3-xgboost python3-sklearn
  # reference tabular data (exported with Rscript at set-up)
  r-base-core r-cran-mlbench r-cran-mass
  # portal browser tests (Node.js and npm: the machine's own, or Debian's below)
  chromium
  # CJK glyphs for the Chinese portal in headless Chromium (tests, docs/screenshots)
  fonts-noto-cjk
)
# The machine may carry a newer Node.js with its own npm; Debian's npm
# conflicts with it, so it is only added where npm is absent.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Orthanc's package enables and starts a system service on 8042/4242; tests
# start their own instances on loopback, so the system one stays off.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet orthanc 2>/dev/null; then
  $SUDO systemctl disable --now orthanc >/dev/null 2>&1 || true
fi
echo "install-deps: done"
